"""Implementation plans: who may plan, what a plan and an update must look like, when a milestone
is overdue and a promise kept. Pure: no litestar, no asyncpg, no store.

Decisions recorded here (store, templates and the dashboard follow them):

* A plan is attached to a promise: an idea the agency accepted (status accepted or in_progress),
  or a theme of a consultation's published outcome whose disposition is "adopted". One plan per
  promise.
* Who: active staff of the agency that owns the promise, by the owning domain's own rule (an
  idea's owning or co-owning agencies, as ideas.rules.is_staff; a consultation's owner and
  co-owners). A platform admin who is not their staff cannot speak for the agency.
* A plan starts on a date and has 1 to 20 milestones, none due before the start. Its promised
  date is its last milestone's due date.
* Lifecycle (TRANSITIONS): in_progress -> implemented, with a report; implemented is final.
  Updates (progress in per cent, text, links, evidence files by the handovers' evidence rules)
  are posted while in progress; an update may mark one open milestone as reached.
* A milestone is overdue once its due date has ended (Bangkok time), unreached, on a plan still in
  progress. A promise is kept when the plan was reported implemented by the end of its promised
  date. "Promises kept" for an agency is kept / (accepted ideas + adopted themes).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date

from civic.accounts.schemas import CurrentUser
from civic.handovers import rules as handovers
from civic.validation import N_, Errors, Problem, check_text

IN_PROGRESS, IMPLEMENTED = "in_progress", "implemented"
TRANSITIONS: dict[str, frozenset[str]] = {IN_PROGRESS: frozenset({IMPLEMENTED}), IMPLEMENTED: frozenset()}
STATUS_LABELS = {IN_PROGRESS: N_("Being implemented"), IMPLEMENTED: N_("Implemented")}
# The idea statuses that are a promise still to keep (ideas.rules.TRANSITIONS).
PLANNABLE_IDEA_STATUSES = frozenset({"accepted", "in_progress"})
ADOPTED = "adopted"
SUMMARY_MAX = 5000
REPORT_MAX = 10_000
MAX_MILESTONES = 20

NOT_ACCEPTED = N_("Only an accepted idea can get an implementation plan.")
NOT_ADOPTED = N_("Only an adopted theme of a published outcome can get an implementation plan.")
DUE_BEFORE_START = N_("A milestone cannot be due before the plan starts (%(title)s).")


class InvalidTransition(Exception):
    pass


def next_status(from_status: str, to_status: str) -> str:
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise InvalidTransition(f"{from_status} -> {to_status}")
    return to_status


def can_update(status: str) -> bool:
    return status == IN_PROGRESS


# ------------------------------------------------------------------ permissions


def can_manage(user: CurrentUser | None, owner_ids: Iterable[int]) -> bool:
    """Active staff of an agency that owns the promise; nobody else, admins included."""
    return user is not None and user.status == "active" and bool(user.agency_ids & set(owner_ids))


def is_plannable_idea(status: str, hidden: bool) -> bool:
    return status in PLANNABLE_IDEA_STATUSES and not hidden


def is_adopted_theme(outcome_published: bool, disposition: str | None) -> bool:
    return outcome_published and disposition == ADOPTED


# ------------------------------------------------------------------ validation


def current_theme(planned: int, planned_title: str | None, titles: Sequence[str]) -> int | None:
    """Where a theme's plan belongs in the latest outcome (numbered from 1). A plan names its theme
    by place and keeps the title it was planned for; a correction may reword, move or drop themes.
    It stays at its place while the theme there has that title, else goes to the one theme with
    that title; with none (or several), None: the plan is never shown under a theme it was not
    made for."""
    if 1 <= planned <= len(titles) and titles[planned - 1] == planned_title:
        return planned
    places = [n for n, title in enumerate(titles, 1) if title == planned_title]
    return places[0] if len(places) == 1 else None


def parse_date(value: str | None) -> date | None:
    value = (value or "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def validate_plan(summary: str | None, starts_on: str | None, milestones: list[dict]) -> tuple[dict, Errors]:
    """The plan as stored and every problem by field. Milestone rows are read by the handovers'
    rule (a title and a due date each; blank rows skipped), then checked against the start."""
    errors: Errors = {}
    if problem := check_text(summary, min_len=10, max_len=SUMMARY_MAX, multiline=True):
        errors["summary"] = problem
    start = parse_date(starts_on)
    if start is None:
        errors["starts_on"] = Problem(N_("Enter the start date like 2026-05-31."))
    rows, problem = handovers.validate_milestones(milestones, None)
    if len(rows) > MAX_MILESTONES:  # the row rule's own limit speaks of a task
        problem = Problem(N_("A plan can have at most %(n)s milestones."), {"n": MAX_MILESTONES})
    elif problem is None and not rows:
        problem = Problem(N_("Add at least one milestone with a due date."))
    if problem is None and start is not None:
        early = next((r for r in rows if r["due"] < start), None)
        if early is not None:
            problem = Problem(DUE_BEFORE_START, {"title": early["title"]})
    if problem is not None:
        errors["milestones"] = problem
    clean = {
        "summary": (summary or "").strip(),
        "starts_on": start,
        "milestones": [(r["title"], r["due"]) for r in rows],
    }
    return clean, errors


def validate_update(
    body: str | None, percent, links, milestone_id: int, open_milestones: Collection[int]
) -> tuple[dict, Errors]:
    """The handovers' progress-update rule (text, 0-100 per cent, links), and the milestone it
    reaches, if any, must be one of the plan's unreached ones."""
    clean, errors = handovers.validate_update(body, percent, links)
    if milestone_id and milestone_id not in open_milestones:
        errors["milestone_id"] = Problem("Choose one of the options.")
    return clean, errors


def validate_report(report: str | None) -> Errors:
    if problem := check_text(report, min_len=10, max_len=REPORT_MAX, multiline=True):
        return {"report": problem}
    return {}


# ------------------------------------------------------------------ clocks


def is_overdue(due_on: date, done: bool, plan_status: str, today: date) -> bool:
    """today is the Bangkok date: a due date passes at the end of its day."""
    return not done and plan_status == IN_PROGRESS and due_on < today


def promised_on(milestone_dues: Iterable[date]) -> date | None:
    return max(milestone_dues, default=None)


def is_kept(implemented_on: date | None, promised: date | None) -> bool:
    """Implemented by the end of the promised date (both Bangkok dates)."""
    return implemented_on is not None and promised is not None and implemented_on <= promised
