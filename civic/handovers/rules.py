"""Task handover rules: the state machine, permissions and validators. Pure: no litestar, no asyncpg."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from civic import provinces
from civic.accounts.rules import is_verified
from civic.accounts.schemas import CurrentUser
from civic.validation import N_, Errors, Problem, check_choice, check_text

STATUSES = (
    "draft",
    "open",
    "claimed",
    "in_progress",
    "completion_requested",
    "completed",
    "cancelled",
    "expired",
)
TERMINAL = frozenset({"completed", "cancelled", "expired"})
# The public board's status filter: a draft is seen only by its agency, so the public is not offered it.
PUBLIC_STATUSES = tuple(s for s in STATUSES if s != "draft")
CLAIM_STATUSES = ("active", "confirmed", "released", "expired", "withdrawn")
HOLDING_CLAIM = frozenset({"active", "confirmed"})
# Reasons the system gives for ending a claim: stored as codes, translated when shown.
NOT_CONFIRMED_IN_TIME = "not_confirmed_in_time"
CLAIM_REASON_CODES = (NOT_CONFIRMED_IN_TIME,)
VERDICTS = ("met", "partly_met", "not_met", "waived")
# A task is signed off only when every milestone is accepted (met, partly met) or waived with a reason.
SIGNABLE_MILESTONES = frozenset({"met", "partly_met", "waived"})
# Our milestone states -> the closed OCDS milestoneStatus codelist.
OCDS_MILESTONE_STATUS = {
    "scheduled": "scheduled",
    "met": "met",
    "partly_met": "partiallyMet",
    "not_met": "notMet",
    "waived": "notMet",  # the closed codelist has no "waived"; the review's reason says why
}
CATEGORIES = (
    "disaster",
    "elderly",
    "environment",
    "health",
    "education",
    "digital",
    "infrastructure",
    "community",
)
PARTNER_TYPES = ("ngo", "community", "foundation", "social_enterprise", "company")


# The words for a task's status and category, and its status's tone, as msgids. The task board's
# cards are built from them in Python (civic/handovers/cards.py) and the templates show them too
# (templates/handovers/_labels.html, through the `handover_labels` global).
STATUS_LABELS = {
    "draft": N_("Draft"),
    "open": N_("Open for claims"),
    "claimed": N_("Claimed, awaiting confirmation"),
    "in_progress": N_("In progress"),
    "completion_requested": N_("Completion requested"),
    "completed": N_("Completed"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
}
STATUS_TONES = {
    "open": "info",
    "claimed": "warning",
    "in_progress": "info",
    "completion_requested": "warning",
    "completed": "success",
    "cancelled": "danger",
    "expired": "neutral",
}
CATEGORY_LABELS = {
    "disaster": N_("Disaster preparedness"),
    "elderly": N_("Elderly care"),
    "environment": N_("Environment and waste"),
    "health": N_("Health"),
    "education": N_("Education"),
    "digital": N_("Digital skills"),
    "infrastructure": N_("Local infrastructure"),
    "community": N_("Community development"),
}
LABELS = {"status": STATUS_LABELS, "tone": STATUS_TONES, "category": CATEGORY_LABELS}

# action -> (statuses it may start from, status it leads to). One table: the store, the
# templates and the property test all read it, so a rule is never written twice.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft"}), "open"),
    "claim": (frozenset({"open"}), "claimed"),
    "confirm": (frozenset({"claimed"}), "in_progress"),
    "release": (frozenset({"claimed"}), "open"),
    "expire_claim": (frozenset({"claimed"}), "open"),
    # The holding partner gives the task back, before or after the agency confirmed it.
    "withdraw": (frozenset({"claimed", "in_progress", "completion_requested"}), "open"),
    "request_completion": (frozenset({"in_progress"}), "completion_requested"),
    "sign_off": (frozenset({"completion_requested"}), "completed"),
    "reject": (frozenset({"completion_requested"}), "in_progress"),
    "cancel": (frozenset({"draft", "open", "claimed", "in_progress", "completion_requested"}), "cancelled"),
    "expire": (frozenset({"open"}), "expired"),
}
# Actions that leave the status as it is but still need a live task.
UPDATE_STATUSES = frozenset({"in_progress", "completion_requested"})
REVIEW_STATUSES = frozenset({"in_progress", "completion_requested"})
# Statuses in which everything creation asks for may still change (see "Editing" below).
EDIT_STATUSES = frozenset({"draft", "open"})

WRONG_STATE = "This step is not possible at this stage of the task."


class InvalidTransition(ValueError):
    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"{action} from {status}")
        self.action = action
        self.status = status


def allowed(action: str, status: str) -> bool:
    sources, _ = TRANSITIONS[action]
    return status in sources


def next_status(action: str, status: str) -> str:
    sources, target = TRANSITIONS[action]
    if status not in sources:
        raise InvalidTransition(action, status)
    return target


def actions_from(status: str) -> list[str]:
    return [a for a, (sources, _) in TRANSITIONS.items() if status in sources]


# ------------------------------------------------------------------ permissions


def is_agency_staff(user: CurrentUser | None, agency_id: int) -> bool:
    return user is not None and user.status == "active" and agency_id in user.agency_ids


def sees_update_as_written(user: CurrentUser | None, agency_id: int, partner_slug: str) -> bool:
    """A progress report is public with Thai national ID numbers masked; the partner that wrote it
    and the task's agency read it as written."""
    return is_agency_staff(user, agency_id) or (
        user is not None and any(m.slug == partner_slug for m in user.memberships)
    )


def can_post(user: CurrentUser | None, agency_id: int) -> bool:
    return is_agency_staff(user, agency_id)


def can_manage(user: CurrentUser | None, agency_id: int) -> bool:
    """Confirm, release, review, sign off, reject, cancel, edit: the owning agency only."""
    return is_agency_staff(user, agency_id)


def can_view(user: CurrentUser | None, agency_id: int, status: str) -> bool:
    """Drafts are private to the owning agency; everything else is public."""
    return status != "draft" or is_agency_staff(user, agency_id)


def claimable_partners(user: CurrentUser | None, verified_only: bool) -> list[int]:
    """The partners this person may claim for: none until their own address is verified."""
    if user is None or user.status != "active" or not is_verified(user):
        return []
    ids = user.verified_partner_ids if verified_only else user.partner_ids
    return sorted(ids)


def can_claim(user: CurrentUser | None, partner_id: int, verified_only: bool) -> bool:
    return partner_id in claimable_partners(user, verified_only)


def can_deliver(user: CurrentUser | None, holder_partner_id: int | None) -> bool:
    """Milestone updates and the completion request: members of the partner holding the task."""
    return (
        user is not None
        and user.status == "active"
        and holder_partner_id is not None
        and holder_partner_id in user.partner_ids
    )


def can_withdraw(user: CurrentUser | None, holder_partner_id: int | None) -> bool:
    """Giving a task back: members of the partner holding it, confirmed or not."""
    return can_deliver(user, holder_partner_id)


# ------------------------------------------------------------------ validators


def _parse_date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MONEY = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")


def parse_money(value: str | None) -> Decimal | None | Problem:
    """'' -> None; '1,500.50' or Thai digits -> Decimal; anything else a Problem."""
    text = (value or "").strip().translate(_THAI_DIGITS).replace(",", "").replace(" ", "")
    if not text:
        return None
    if not _MONEY.match(text):
        return Problem("Enter an amount in baht, like 15000 or 15000.50.")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return Problem("Enter an amount in baht, like 15000 or 15000.50.")
    if amount < 0:
        return Problem("The budget cannot be negative.")
    return amount


def parse_days(value: str | int | None, default: int) -> int | Problem:
    if value is None or value == "":
        return default
    text = str(value).strip().translate(_THAI_DIGITS)
    if not text.isascii() or not text.isdigit():
        return Problem("Enter a whole number of days between 1 and 90.")
    n = int(text)
    if not 1 <= n <= 90:
        return Problem("Enter a whole number of days between 1 and 90.")
    return n


def split_list(value: str | list[str] | None) -> list[str]:
    """'a, b\nc' or ['a', 'b'] -> ['a', 'b', 'c'] without blanks or repeats."""
    items = value if isinstance(value, list) else re.split(r"[,\n]", value or "")
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    return out


def validate_task(raw: dict) -> tuple[dict, Errors]:
    """raw: strings (or lists) from a form or JSON. Returns (clean values, errors)."""
    errors: Errors = {}
    clean: dict = {}
    for name, lo, hi, multiline, required in (
        ("title", 5, 200, False, True),
        ("description", 20, 10000, True, True),
        ("deliverables", 5, 5000, True, True),
        ("district", 1, 100, False, False),
        ("location", 1, 300, False, False),
        ("contact", 5, 500, True, True),
    ):
        value = raw.get(name) or ""
        problem = check_text(value, min_len=lo, max_len=hi, multiline=multiline, required=required)
        if problem:
            errors[name] = problem
        clean[name] = value.strip()
    province = (raw.get("province") or "").strip()
    if not province:
        errors["province"] = Problem("This field is required.")
    elif not provinces.is_valid(province):
        errors["province"] = Problem("Choose one of the options.")
    clean["province"] = province
    category = (raw.get("category") or "").strip()
    problem = check_choice(category, CATEGORIES)
    if problem:
        errors["category"] = problem
    clean["category"] = category
    types = split_list(raw.get("partner_types"))
    if any(t not in PARTNER_TYPES for t in types):
        errors["partner_types"] = Problem("Choose one of the options.")
    clean["partner_types"] = types
    skills = split_list(raw.get("skills"))
    if len(skills) > 20 or any(len(s) > 100 for s in skills):
        errors["skills"] = Problem("List at most 20 skills, each under 100 characters.")
    clean["skills"] = skills
    budget = raw.get("budget")
    money = parse_money(budget if isinstance(budget, str) else ("" if budget is None else str(budget)))
    if isinstance(money, Problem):
        errors["budget"] = money
        clean["budget"] = None
    else:
        clean["budget"] = money
    opens = _parse_date(raw.get("claim_opens"))
    closes = _parse_date(raw.get("claim_closes"))
    deadline = _parse_date(raw.get("deadline"))
    for name, value in (("claim_opens", opens), ("claim_closes", closes), ("deadline", deadline)):
        if value is None:
            errors[name] = (
                Problem("This field is required.")
                if not (raw.get(name) or "").strip()
                else Problem("Enter a date like 2026-05-31.")
            )
    if opens and closes and closes < opens:
        errors["claim_closes"] = Problem("The claim window must close after it opens.")
    if closes and deadline and deadline <= closes:
        errors["deadline"] = Problem("The delivery deadline must come after the claim window closes.")
    clean.update(claim_opens=opens, claim_closes=closes, deadline=deadline)
    for name, default in (("confirm_days", 7), ("review_days", 14)):
        days = parse_days(raw.get(name), default)
        if isinstance(days, Problem):
            errors[name] = days
            clean[name] = default
        else:
            clean[name] = days
    verified_only = raw.get("verified_only", True)
    if isinstance(verified_only, str):
        verified_only = verified_only not in ("", "0", "false", "no", "off")
    clean["verified_only"] = bool(verified_only)
    milestones, problem = validate_milestones(raw.get("milestones") or [], deadline)
    if problem:
        errors["milestones"] = problem
    clean["milestones"] = milestones
    return clean, errors


def validate_milestones(items: list[dict], deadline: date | None) -> tuple[list[dict], Problem | None]:
    """Rows with every field blank are skipped (empty form rows)."""
    out: list[dict] = []
    total = Decimal(0)
    for item in items:
        title = (item.get("title") or "").strip()
        due_raw = str(item.get("due") or "").strip()
        share_raw = str(item.get("share") if item.get("share") is not None else "").strip()
        if not (title or due_raw or share_raw):
            continue
        if check_text(title, min_len=3, max_len=200):
            return out, Problem("Each milestone needs a title of 3 to 200 characters.")
        due = _parse_date(due_raw)
        if due is None:
            return out, Problem("Each milestone needs a due date like 2026-05-31.")
        if deadline and due > deadline:
            return out, Problem("A milestone cannot be due after the delivery deadline.")
        share = None
        if share_raw:
            parsed = parse_money(share_raw)
            if isinstance(parsed, Problem) or parsed is None or parsed > 100:
                return out, Problem("A budget share is a percentage from 0 to 100.")
            share = parsed
            total += parsed
        row = {"title": title, "due": due, "share": share}
        if item.get("id") not in (None, ""):
            # An edit names the stored milestone a row stands for; check_edit decides what may change.
            milestone_id = _positive_int(item.get("id"))
            if milestone_id is None:
                return out, Problem(MILESTONE_UNKNOWN)
            row["id"] = milestone_id
        out.append(row)
    if total > 100:
        return out, Problem("The budget shares add up to more than 100 percent.")
    if len(out) > 20:
        return out, Problem("A task can have at most 20 milestones.")
    return out, None


def _positive_int(value) -> int | None:
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**63 else None


# ------------------------------------------------------------------ editing a posted task
#
# What the owning agency may change, by state (the state x field table; the route, the store
# under its row lock, the edit form and the unit tests all read it):
#
#   draft, open            everything creation asks for, checked by creation's own validate_task:
#                          text, budget, place, category, claim window, deadline, milestone plan
#                          (add, remove, reorder, retitle, re-date, re-share).
#   claimed, in_progress,  a partner took the task on the terms as posted, so only changes that
#   completion_requested   cannot move the goal posts against them: the category (where the task
#                          is listed), the delivery deadline and milestone due dates moving LATER.
#                          Shortening a date, retitling, re-sharing, reordering, adding or removing
#                          milestones, the claim window (already used) and what the work is (text,
#                          budget, place) are refused with a reason. Such a change needs what the
#                          rules already require: the agency releases an unconfirmed claim or the
#                          partner gives the task back (each with a public reason), and the task is
#                          open and fully editable again; or the agency cancels with a reason.
#   completed, cancelled,  nothing: the task is the public record.
#   expired
#
# In every state a milestone with published progress or reviews (they stay on the record after a
# partner gives the task back) keeps its title and is never removed: the reports refer to it, and
# deleting it would delete them.
TEXT_EDIT_FIELDS = ("title", "description", "deliverables", "contact", "district", "location", "budget")
PLAN_EDIT_FIELDS = ("category", "claim_opens", "claim_closes", "deadline", "milestones")
EDIT_FIELDS = TEXT_EDIT_FIELDS + PLAN_EDIT_FIELDS
# shown old -> new on the public timeline (edit_changes); the other text fields are only named
VALUE_FIELDS = frozenset({"title", "budget", "category", "claim_opens", "claim_closes", "deadline"})
HELD_EDIT_FIELDS = frozenset({"category", "deadline", "milestones"})
EDITABLE_BY_STATUS: dict[str, frozenset[str]] = {
    "draft": frozenset(EDIT_FIELDS),
    "open": frozenset(EDIT_FIELDS),
    "claimed": HELD_EDIT_FIELDS,
    "in_progress": HELD_EDIT_FIELDS,
    "completion_requested": HELD_EDIT_FIELDS,
}

EDIT_CLOSED = "A completed, cancelled or expired task can no longer be edited."
HELD_FIXED = (
    "A partner has claimed this task, so this can no longer change. To change it, the claim must end first "
    "(the agency releases an unconfirmed claim, or the partner gives the task back), or cancel the task."
)
DEADLINE_EARLIER = "A partner has claimed this task, so the delivery deadline can only move later."
MILESTONES_HELD = (
    "A partner has claimed this task, so milestones can only get later due dates: "
    "their titles, budget shares and order stay as claimed, and none can be added or removed."
)
MILESTONE_EARLIER = "A partner has claimed this task, so a milestone's due date can only move later."
MILESTONE_REPORTED = (
    'The milestone "%(title)s" already has published progress, so it cannot be removed or renamed.'
)
MILESTONE_UNKNOWN = "We could not find that milestone."


def editable_fields(status: str) -> frozenset[str]:
    return EDITABLE_BY_STATUS.get(status, frozenset())


def can_edit(user: CurrentUser | None, agency_id: int, status: str) -> bool:
    return can_manage(user, agency_id) and bool(editable_fields(status))


def milestone_plan(items) -> list[tuple]:
    """Milestones as comparable rows (id or None, title, due, share): from validate_milestones
    (dicts with "share") or as stored (Milestone structs with budget_share)."""
    out = []
    for m in items:
        if isinstance(m, dict):
            row = (m.get("id"), m["title"], m["due"], m.get("share"))
        else:
            row = (m.id, m.title, m.due, m.budget_share)
        out.append(row[:3] + (None if row[3] is None else Decimal(row[3]),))
    return out


def edit_changes(current: dict, changed: dict) -> list[dict]:
    """What an edit changed, for the public timeline, in EDIT_FIELDS order. The plan, the title and
    the budget show their old and new values (dates as ISO strings, the category code, the budget
    as a decimal string; milestones added, removed, renamed or re-dated): a moved deadline or a cut
    budget is what partners and the public need to see. Longer texts are only named; their old
    wording stays in the audit log (civic.audit.audit). current and changed as for
    check_edit, current with the title and budget too."""
    out: list[dict] = []
    for field in EDIT_FIELDS:
        if field not in changed:
            continue
        if field == "milestones":
            out.append(
                {"field": field, **_plan_changes(current["milestones"], milestone_plan(changed[field]))}
            )
        elif field in VALUE_FIELDS:
            out.append({"field": field, "before": _iso(current.get(field)), "after": _iso(changed[field])})
        else:
            out.append({"field": field})
    return out


def _plan_changes(before: list[tuple], after: list[tuple]) -> dict:
    old = {row[0]: row for row in before}
    kept = [(old[row[0]], row) for row in after if row[0] in old]
    kept_ids = {row[0] for _, row in kept}
    return {
        "added": [row[1] for row in after if row[0] not in old],
        "removed": [row[1] for row in before if row[0] not in kept_ids],
        "renamed": [{"before": was[1], "after": now[1]} for was, now in kept if was[1] != now[1]],
        "redated": [
            {"title": now[1], "before": _iso(was[2]), "after": _iso(now[2])}
            for was, now in kept
            if was[2] != now[2]
        ],
        "reordered": [now[0] for _, now in kept] != [row[0] for row in before if row[0] in kept_ids],
    }


def _iso(value) -> str | None:
    if isinstance(value, date):
        return value.isoformat()
    return None if value is None else str(value)


def check_edit(status: str, current: dict, changed: dict, reported: dict[int, str]) -> Errors:
    """May these changes be made in this state? current: the task as stored (claim_opens,
    claim_closes, deadline, milestones as milestone_plan rows); changed: clean values of the fields
    that differ; reported: id -> title of milestones with published progress. Refusals by field."""
    errors: Errors = {}
    allowed_here = editable_fields(status)
    for name in changed:
        if name not in allowed_here:
            errors[name] = Problem(HELD_FIXED if allowed_here else EDIT_CLOSED)
    held = status not in EDIT_STATUSES
    if (
        held
        and "deadline" in changed
        and "deadline" not in errors
        and changed["deadline"] < current["deadline"]
    ):
        errors["deadline"] = Problem(DEADLINE_EARLIER)
    if "milestones" in changed and "milestones" not in errors:
        problem = _check_plan(current["milestones"], milestone_plan(changed["milestones"]), reported, held)
        if problem:
            errors["milestones"] = problem
    return errors


def _check_plan(
    before: list[tuple], after: list[tuple], reported: dict[int, str], held: bool
) -> Problem | None:
    known = {row[0]: row for row in before}
    ids = [row[0] for row in after if row[0] is not None]
    if len(ids) != len(set(ids)) or any(i not in known for i in ids):
        return Problem(MILESTONE_UNKNOWN)
    kept = {row[0]: row for row in after if row[0] is not None}
    for milestone_id, title in reported.items():
        if milestone_id in known and (
            milestone_id not in kept or kept[milestone_id][1] != known[milestone_id][1]
        ):
            return Problem(MILESTONE_REPORTED, {"title": title})
    if not held:
        return None
    if [row[0] for row in after] != [row[0] for row in before] or any(
        (new[1], new[3]) != (known[new[0]][1], known[new[0]][3]) for new in after
    ):
        return Problem(MILESTONES_HELD)
    if any(new[2] < known[new[0]][2] for new in after):
        return Problem(MILESTONE_EARLIER)
    return None


def validate_reason(value: str | None, *, required: bool = True) -> Problem | None:
    return check_text(value, min_len=5 if required else 1, max_len=2000, multiline=True, required=required)


def validate_claim(plan: str | None, team: str | None) -> Errors:
    errors: Errors = {}
    problem = check_text(plan, min_len=20, max_len=5000, multiline=True)
    if problem:
        errors["plan"] = problem
    problem = check_text(team, min_len=3, max_len=2000, multiline=True)
    if problem:
        errors["team"] = problem
    return errors


_LINK = re.compile(r"^https?://[^\s<>\"']{3,500}$")


def validate_update(body: str | None, percent, links) -> tuple[dict, Errors]:
    errors: Errors = {}
    problem = check_text(body, min_len=5, max_len=5000, multiline=True)
    if problem:
        errors["body"] = problem
    text = str(percent if percent is not None else "").strip().translate(_THAI_DIGITS)
    pct = int(text) if text.isascii() and text.isdigit() else -1
    if not 0 <= pct <= 100:
        errors["percent"] = Problem("Enter a percentage from 0 to 100.")
    link_list = split_list(links)
    if len(link_list) > 10 or any(not _LINK.match(link) for link in link_list):
        errors["links"] = Problem("Links must start with http:// or https:// (at most 10).")
    return {"body": (body or "").strip(), "percent": max(pct, 0), "links": link_list}, errors


NOT_REPORTED = "Nobody has reported on this milestone yet: it can only be waived, with a reason."
UNREVIEWED = "Review every milestone first: accept it, or waive it with a reason. Still open: %(titles)s."


def validate_review(verdict: str | None, comment: str | None, *, reported: bool = True) -> Errors:
    """A verdict needs a comment (a waiver's is its reason); a milestone nobody reported on can
    only be waived."""
    errors: Errors = {}
    problem = check_choice(verdict, VERDICTS)
    if problem:
        errors["verdict"] = problem
    elif not reported and verdict != "waived":
        errors["verdict"] = Problem(NOT_REPORTED)
    problem = check_text(comment, min_len=2, max_len=2000, multiline=True)
    if problem:
        errors["comment"] = problem
    return errors


def validate_sign_off(milestones: list[tuple[str, str]], comment: str | None) -> Errors:
    """milestones: (title, status) pairs. Sign-off is final, so nothing may be left unreviewed,
    and the agency says in words what it accepted."""
    errors: Errors = {}
    open_titles = [title for title, status in milestones if status not in SIGNABLE_MILESTONES]
    if open_titles:
        errors["milestones"] = Problem(UNREVIEWED, {"titles": ", ".join(open_titles)})
    problem = check_text(comment, min_len=2, max_len=2000, multiline=True)
    if problem:
        errors["comment"] = problem
    return errors


# ------------------------------------------------------------------ added for the actions


def posting_agency(user: CurrentUser | None, agency_slug: str | None) -> int | None:
    """The agency a task is posted for: the one named by slug, or the poster's first; None when the
    user may not post for it."""
    slug = (agency_slug or "").strip()
    for m in user.memberships if user else ():
        if m.kind == "agency" and (m.slug == slug or not slug):
            return m.org_id if can_post(user, m.org_id) else None
    return None


def can_expire(role: str) -> bool:
    """Claims and claim windows lapse on the scheduler's clock, never by a person's hand."""
    return role == "system"


EVIDENCE_KINDS = ("pdf", "png", "jpeg", "webp")
MAX_EVIDENCE_FILES = 5


def edit_values(task) -> dict:
    """The task as the edit form shows it and as edits are validated over: strings, and the
    milestones as form rows."""
    values: dict = {k: getattr(task, k) for k in TEXT_EDIT_FIELDS}
    values["budget"] = "" if task.budget is None else str(task.budget)
    values["category"] = task.category
    values |= {k: getattr(task, k).isoformat() for k in ("claim_opens", "claim_closes", "deadline")}
    values["milestones"] = [
        {"id": str(m.id), "title": m.title, "due": m.due.isoformat(),
         "share": "" if m.budget_share is None else str(m.budget_share)}
        for m in task.milestones
    ]  # fmt: skip
    return values


# Date errors that validate_task reports on a field that was not sent, shown on the one that was:
# a deadline moved before a stored milestone is a problem with the new deadline.
_DATE_FIELDS = ("claim_opens", "claim_closes", "deadline", "milestones")


def edit_errors(errors: Errors, fields: dict) -> Errors:
    """validate_task's errors on the whole task, as errors on the fields an edit sent."""
    kept = {k: v for k, v in errors.items() if k in fields}
    sent = [k for k in _DATE_FIELDS if k in fields]
    for name in _DATE_FIELDS:
        target = next((k for k in sent if k not in kept), None)
        if name in errors and name not in fields and target:
            kept[target] = errors[name]
    return kept


def milestone_rows(rows: list[dict], action: str) -> list[dict]:
    """The edit form without JavaScript: apply one "add", "up:N" or "remove:N" (N counts from 1)
    to the typed rows."""
    rows = list(rows)
    verb, _, n = action.partition(":")
    i = (_positive_int(n) or 0) - 1
    if verb == "add" and len(rows) < 20:
        rows.append({"id": "", "title": "", "due": "", "share": ""})
    elif verb == "up" and 0 < i < len(rows):
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "remove" and 0 <= i < len(rows):
        del rows[i]
    return rows
