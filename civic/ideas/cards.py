"""What an idea's card and its support widget say, worked out in Python before the template runs.

A board page shows 20 cards. Written in the template, each card made about a dozen calls: its
status label, agency, province and date, and the support widget's words and rules. Jinja sends
every call through `Context.call` and every macro through its argument handling, so a card cost
37 µs of rendering, two thirds of the page's. The same decisions here cost a few µs a card, and the
template only prints them (templates/ideas/_card.html). The idea page and the support widget that
HTMX swaps in are built the same way, so a card and its idea page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import msgspec

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.ideas import rules
from civic.ideas.schemas import Idea
from civic.web.i18n import translator
from civic.web.templating import fmt_date, org_name

# What the widget offers the reader, in the order it is decided: nothing while the idea takes no
# supports; a login link to a visitor; the button to someone who may support; else what stands in
# the way (an address to verify, then a national ID); "" when nothing can be done here.
Offer = Literal["closed", "login", "support", "withdraw", "verify_email", "verify_id", ""]


class Support(msgspec.Struct, frozen=True):
    idea_id: int
    count: int
    unit: str  # "supports", translated
    # The threshold's promise ("2 more and the agency must answer within 30 days") or that it
    # is met; "" on a board without a threshold.
    note: str
    # "verified: N", shown on the idea page only.
    verified: str
    offer: Offer
    # The words of the offer's link or button ("" for the verify notices, which carry their own).
    label: str


class Card(msgspec.Struct, frozen=True):
    idea: Idea
    # (tone, label) of each badge: the status, then "Answer overdue" and "Answered" when so.
    badges: list[tuple[str, str]]
    agency: str
    place: str
    date: str
    comments: str
    support: Support


def support(
    idea: Idea, user: CurrentUser | None, supported: bool, lang: str, verified: int | None = None
) -> Support:
    _ = translator(lang)
    if not idea.support_threshold:
        note = ""
    elif idea.support_count < idea.support_threshold:
        n, days = idea.support_threshold - idea.support_count, idea.board_response_days
        note = _("%(n)s more and the agency must answer within %(days)s days", n=n, days=days)
    else:
        note = _("Enough support: the agency must answer")
    offer: Offer
    # can_support, asked in halves: the idea's first, so a visitor's card (the one most shown)
    # costs one rule, then the person's
    if not rules.is_supportable(idea.status, idea.hidden, idea.board_open):
        offer, label = "closed", _("Closed to supports")
    elif user is None:
        offer, label = "login", _("Log in to support")
    elif rules.may_support(user, requires_national_id=idea.board_requires_national_id):
        offer, label = (
            ("withdraw", _("Withdraw my support")) if supported else ("support", _("Support this idea"))
        )
    elif not user.email_verified:
        offer, label = "verify_email", ""
    elif rules.needs_national_id(user, idea.board_requires_national_id):
        offer, label = "verify_id", ""
    else:
        offer, label = "", ""
    return Support(
        idea_id=idea.id,
        count=idea.support_count,
        unit=_("supports"),
        note=note,
        verified=_("verified: %(n)s", n=verified) if verified is not None else "",
        offer=offer,
        label=label,
    )


def card(
    idea: Idea, user: CurrentUser | None, supported: bool, lang: str, verified: int | None = None
) -> Card:
    _ = translator(lang)
    badges = [(rules.STATUS_TONES[idea.status], _(rules.STATUS_LABELS[idea.status]))]
    if idea.overdue:
        badges.append(("danger", _("Answer overdue")))
    if idea.answered:
        badges.append(("success", _("Answered")))
    return Card(
        idea=idea,
        badges=badges,
        agency=org_name(lang, idea, "agency_"),
        place=provinces.name(idea.province, lang),  # "" for none
        date=fmt_date(lang, idea.created_at),
        comments=_("%(n)s comments", n=idea.comment_count),
        support=support(idea, user, supported, lang, verified),
    )


def cards(
    ideas: list[Idea], user: CurrentUser | None, supported_ids: Collection[int], lang: str
) -> list[Card]:
    return [card(idea, user, idea.id in supported_ids, lang) for idea in ideas]
