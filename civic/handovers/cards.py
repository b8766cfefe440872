"""What a task's card on the task board says, worked out in Python before the template runs.

Written in the template, each of the board's 20 cards made about a dozen calls and seven label
macros (status, tone, category, the budget, the agency, the province and two dates), 43 µs of
rendering a card. Here they are plain Python, and templates/handovers/board.html only prints them,
as the ideas' cards do (civic/ideas/cards.py).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from civic import provinces
from civic.handovers import rules
from civic.handovers.schemas import TaskSummary
from civic.web.i18n import translator
from civic.web.templating import fmt_date, org_name


class TaskCard(msgspec.Struct, frozen=True):
    task: TaskSummary
    status: str
    tone: str
    agency: str
    place: str
    category: str
    claim_by: str
    deliver_by: str
    budget: str
    # "Held by <partner>", "" while nobody holds it.
    holder: str


def label(labels: dict[str, str], value: str, lang: str) -> str:
    """A status's or a category's words in the reader's language; an unknown value as it is."""
    return translator(lang)(labels[value]) if value in labels else value


def baht(value: Decimal | str | None, lang: str) -> str:
    """An amount as "15,000.50 baht"; `value` may also be the text an edit's history keeps."""
    _ = translator(lang)
    return _("No budget") if value is None else f"{Decimal(str(value)):,.2f} {_('baht')}"


def card(task: TaskSummary, lang: str) -> TaskCard:
    _ = translator(lang)
    return TaskCard(
        task=task,
        status=label(rules.STATUS_LABELS, task.status, lang),
        tone=rules.STATUS_TONES.get(task.status, "neutral"),
        agency=org_name(lang, task, "agency_"),
        place=provinces.name(task.province, lang),
        category=label(rules.CATEGORY_LABELS, task.category, lang),
        claim_by=_("Claim by %(date)s", date=fmt_date(lang, task.claim_closes)),
        deliver_by=_("Deliver by %(date)s", date=fmt_date(lang, task.deadline)),
        budget=baht(task.budget, lang),
        holder=_("Held by %(org)s", org=org_name(lang, task, "holder_")) if task.holder_name else "",
    )


def cards(tasks: list[TaskSummary], lang: str) -> list[TaskCard]:
    return [card(task, lang) for task in tasks]
