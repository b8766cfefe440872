"""Idea boards: workflow, permissions and validation. Pure: no litestar, no asyncpg.

Decisions recorded here (the store and templates follow them):

* Workflow (TRANSITIONS): pending_moderation -> published | declined; published -> under_review,
  accepted, declined, duplicate; under_review -> accepted, declined, duplicate; accepted ->
  in_progress, declined; in_progress -> implemented, declined. A declined or duplicate idea can
  be reopened (-> under_review / published). implemented is final. "declined" needs a reason,
  "duplicate" needs the original idea.
* Who changes status: staff of the owning or a co-owning agency, any transition in the table.
  Moderators and admins only handle the moderation queue (pending_moderation -> published or
  declined): the workflow speaks for an agency, so a platform admin who is not its staff cannot.
* Authors edit their own idea (title, body, category, province, links) only while it is published
  or pending moderation, not hidden, and has no official answer (EDITABLE, can_edit_idea). Each
  edit is a public "edited" entry in the history; the replaced version is kept.
* Official answers: staff of the owning or a co-owning agency only (not admins, not moderators).
* Supports: only while the idea is visible (not hidden), in an open board, and in an "open"
  status: published, under_review, accepted, in_progress. Pending, declined, duplicate and
  implemented ideas are closed to supports, and so is every idea of a closed board. Withdrawing
  follows the same rule, so the record of a closed idea is frozen as it was when it closed.
* Response clock: starts once, when supports first reach the threshold; withdrawals that drop
  the count below it later do not stop it. Overdue = answer_due_at has passed and no answer.
* Hot score (kept in a column by the store, migration 0060): log2(1 + supports) + age in days,
  so the hot sort reads an index; the older time-decay formula could not be indexed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from civic import provinces
from civic.accounts.rules import is_verified
from civic.accounts.schemas import CurrentUser
from civic.identity.rules import meets_level, needs_national_id  # noqa: F401 (templates and ideas.cards ask it)
from civic.validation import N_, Errors, Problem, check_choice, check_text

STATUSES = (
    "pending_moderation",
    "published",
    "under_review",
    "accepted",
    "in_progress",
    "implemented",
    "declined",
    "duplicate",
)

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_moderation": frozenset({"published", "declined"}),
    "published": frozenset({"under_review", "accepted", "declined", "duplicate"}),
    "under_review": frozenset({"accepted", "declined", "duplicate"}),
    "accepted": frozenset({"in_progress", "declined"}),
    "in_progress": frozenset({"implemented", "declined"}),
    "implemented": frozenset(),
    "declined": frozenset({"under_review"}),
    "duplicate": frozenset({"published"}),
}
MODERATION_TRANSITIONS = {("pending_moderation", "published"), ("pending_moderation", "declined")}

SUPPORTABLE = frozenset({"published", "under_review", "accepted", "in_progress"})
# An author may still edit their idea in these statuses, until an agency has answered it.
EDITABLE = frozenset({"pending_moderation", "published"})
# Statuses anyone may see (pending ones only their author, staff and moderators).
PUBLIC = frozenset(STATUSES) - {"pending_moderation"}


STATUS_LABELS = {
    "pending_moderation": N_("Waiting for moderation"),
    "published": N_("Published"),
    "under_review": N_("Under review"),
    "accepted": N_("Accepted"),
    "in_progress": N_("In progress"),
    "implemented": N_("Implemented"),
    "declined": N_("Declined"),
    "duplicate": N_("Duplicate"),
}
SORT_LABELS = {
    "hot": N_("Hot"),
    "top": N_("Most supported"),
    "new": N_("Newest"),
    "discussed": N_("Most discussed"),
}
STATUS_TONES = {
    "pending_moderation": "warning",
    "published": "neutral",
    "under_review": "info",
    "accepted": "success",
    "in_progress": "info",
    "implemented": "success",
    "declined": "danger",
    "duplicate": "neutral",
}

TITLE_MAX = 200
BODY_MAX = 10_000
COMMENT_MAX = 4_000
ANSWER_MAX = 10_000
REASON_MAX = 1_000
LINK_MAX = 500
LINKS_MAX = 5
CATEGORY_MAX = 80
CATEGORIES_MAX = 30
EDIT_WINDOW = timedelta(minutes=15)
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
LINK_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
IDEA_REF_RE = re.compile(r"^\s*(?:.*/ideas/)?#?(\d{1,18})/?\s*$")


class InvalidTransition(Exception):
    pass


# ------------------------------------------------------------------ workflow


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def next_status(from_status: str, to_status: str) -> str:
    if not can_transition(from_status, to_status):
        raise InvalidTransition(f"{from_status} -> {to_status}")
    return to_status


def initial_status(moderate_first: bool) -> str:
    return "pending_moderation" if moderate_first else "published"


def is_supportable(status: str, hidden: bool, board_open: bool) -> bool:
    return board_open and not hidden and status in SUPPORTABLE


def is_overdue(answer_due_at: datetime | None, answered: bool, now: datetime) -> bool:
    return answer_due_at is not None and not answered and answer_due_at < now


def parse_idea_ref(value: str | None) -> int | None:
    """'12', '#12', '/ideas/12' or 'https://host/ideas/12' -> 12."""
    if not value:
        return None
    match = IDEA_REF_RE.match(value)
    return int(match.group(1)) if match else None


# ------------------------------------------------------------------ permissions


def is_staff(user: CurrentUser | None, owner_ids: Iterable[int]) -> bool:
    """Active member of the owning agency or of a co-owner agency."""
    return user is not None and user.status == "active" and bool(user.agency_ids & set(owner_ids))


def _active(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active"


def can_create_board(user: CurrentUser | None, agency_id: int) -> bool:
    return _active(user) and (agency_id in user.agency_ids or user.is_admin)


def can_manage_board(user: CurrentUser | None, owner_agency_id: int) -> bool:
    """Settings and co-owners: the owning agency's members (or an admin)."""
    return _active(user) and (owner_agency_id in user.agency_ids or user.is_admin)


def can_submit_idea(
    user: CurrentUser | None, board_open: bool, *, requires_national_id: bool = False
) -> bool:
    """Drafting needs no verified address (the form opens); submitting does, and a verified
    national ID on a board that asks for one."""
    return _active(user) and is_verified(user) and board_open and meets_level(user, requires_national_id)


def can_view_idea(user: CurrentUser | None, status: str, author_id: int, owner_ids: Collection[int]) -> bool:
    """Hidden ideas stay viewable as a tombstone; pending ones only by author/staff/moderators."""
    if status != "pending_moderation":
        return True
    if not _active(user):
        return False
    return user.id == author_id or user.is_moderator or is_staff(user, owner_ids)


def may_support(user: CurrentUser | None, *, requires_national_id: bool = False) -> bool:
    """The person's half of can_support; actions.support_idea asks can_support whole, and
    store.SUPPORT refuses under the idea's row lock what changed since."""
    return _active(user) and is_verified(user) and meets_level(user, requires_national_id)


def can_support(
    user: CurrentUser | None,
    status: str,
    hidden: bool,
    board_open: bool,
    *,
    requires_national_id: bool = False,
) -> bool:
    return may_support(user, requires_national_id=requires_national_id) and is_supportable(
        status, hidden, board_open
    )


def can_change_status(
    user: CurrentUser | None, owner_ids: Collection[int], from_status: str, to_status: str
) -> bool:
    if not _active(user) or not can_transition(from_status, to_status):
        return False
    if is_staff(user, owner_ids):
        return True
    return user.is_moderator and (from_status, to_status) in MODERATION_TRANSITIONS


def allowed_transitions(user: CurrentUser | None, owner_ids: Collection[int], from_status: str) -> list[str]:
    return [s for s in STATUSES if can_change_status(user, owner_ids, from_status, s)]


def can_answer(user: CurrentUser | None, owner_ids: Collection[int], status: str, hidden: bool) -> bool:
    return is_staff(user, owner_ids) and status != "pending_moderation" and not hidden


def answering_org(user: CurrentUser, board_agency_id: int, owner_ids: Collection[int]) -> int:
    """Which agency a staff member speaks for: the owner if they belong to it, else a co-owner."""
    if board_agency_id in user.agency_ids:
        return board_agency_id
    return min(user.agency_ids & set(owner_ids))


def is_editable(status: str, hidden: bool, answered: bool) -> bool:
    return status in EDITABLE and not hidden and not answered


def can_edit_idea(
    user: CurrentUser | None, author_id: int, status: str, hidden: bool, answered: bool
) -> bool:
    """Only the author, only while the idea is published or waiting for moderation, not hidden,
    and before any official answer (an answer must keep meaning what it answered)."""
    return _active(user) and user.id == author_id and is_editable(status, hidden, answered)


def can_comment_state(status: str, hidden: bool) -> bool:
    return status != "pending_moderation" and not hidden


def can_comment(
    user: CurrentUser | None, status: str, hidden: bool, *, requires_national_id: bool = False
) -> bool:
    return (
        _active(user)
        and is_verified(user)
        and meets_level(user, requires_national_id)
        and can_comment_state(status, hidden)
    )


def can_edit_comment(
    user: CurrentUser | None,
    author_id: int,
    created_at: datetime,
    now: datetime,
    *,
    deleted: bool = False,
    hidden: bool = False,
) -> bool:
    return (
        _active(user)
        and user.id == author_id
        and not deleted
        and not hidden
        and now - created_at <= EDIT_WINDOW
    )


def can_delete_comment(user: CurrentUser | None, author_id: int, *, deleted: bool = False) -> bool:
    return _active(user) and not deleted and (user.id == author_id or user.is_moderator)


def can_flag(user: CurrentUser | None) -> bool:
    return _active(user)


def can_moderate(user: CurrentUser | None) -> bool:
    return _active(user) and user.is_moderator


def can_block_author(user: CurrentUser | None, target_role: str) -> bool:
    from civic.accounts.rules import can_block_user

    return _active(user) and can_block_user(user.role, target_role)


# ------------------------------------------------------------------ validation


def clean_links(raw: Iterable[str]) -> list[str]:
    return [s.strip() for s in raw if s and s.strip()]


def validate_idea(
    title: str,
    body: str,
    category: str,
    province: str,
    links: list[str],
    categories: Collection[str],
) -> Errors:
    errors: Errors = {}
    if problem := check_text(title, min_len=5, max_len=TITLE_MAX):
        errors["title"] = problem
    if problem := check_text(body, min_len=10, max_len=BODY_MAX, multiline=True):
        errors["body"] = problem
    if categories:
        if problem := check_choice(category, categories, required=False):
            errors["category"] = problem
    elif problem := check_text(category, max_len=CATEGORY_MAX, required=False):
        # A board without a category list takes a short free-text category.
        errors["category"] = problem
    if province and not provinces.is_valid(province):
        errors["province"] = Problem("Choose one of the options.")
    if len(links) > LINKS_MAX:
        errors["links"] = Problem("Add at most %(max)s links.", {"max": LINKS_MAX})
    elif any(len(link) > LINK_MAX or not LINK_RE.match(link) for link in links):
        errors["links"] = Problem("Links must start with http:// or https://.")
    return errors


def validate_board(
    slug: str,
    title: str,
    description_th: str,
    description_en: str,
    scope: str,
    categories: list[str],
    threshold: int | None,
    response_days: int | None,
) -> Errors:
    errors: Errors = {}
    if not SLUG_RE.fullmatch(slug or ""):  # match's $ would let a final newline through
        errors["slug"] = Problem("Use 2-63 lowercase letters, digits or dashes, for example hatyai-waste.")
    return errors | validate_board_settings(
        title, description_th, description_en, scope, categories, threshold, response_days
    )


def validate_board_settings(
    title: str,
    description_th: str,
    description_en: str,
    scope: str,
    categories: list[str],
    threshold: int | None,
    response_days: int | None,
) -> Errors:
    """Everything about a board that its owner may change after opening it (not its address)."""
    errors: Errors = {}
    if problem := check_text(title, min_len=3, max_len=TITLE_MAX):
        errors["title"] = problem
    if problem := check_text(description_th, min_len=10, max_len=BODY_MAX, multiline=True):
        errors["description_th"] = problem
    if problem := check_text(description_en, max_len=BODY_MAX, multiline=True, required=False):
        errors["description_en"] = problem
    if scope and not provinces.is_valid(scope):
        errors["scope"] = Problem("Choose one of the options.")
    if len(categories) > CATEGORIES_MAX or any(check_text(c, max_len=CATEGORY_MAX) for c in categories):
        errors["categories"] = Problem(
            "Give at most %(max)s categories, each one short line.", {"max": CATEGORIES_MAX}
        )
    if threshold is None or not 1 <= threshold <= 10_000_000:
        errors["support_threshold"] = Problem("Enter a whole number from 1 to 10,000,000.")
    if response_days is None or not 1 <= response_days <= 3650:
        errors["response_days"] = Problem("Enter a number of days from 1 to 3650.")
    return errors


def validate_status_change(
    from_status: str, to_status: str, reason: str, duplicate_of: int | None, idea_id: int
) -> Errors:
    errors: Errors = {}
    if to_status not in STATUSES:
        errors["status"] = Problem("Choose one of the options.")
        return errors
    if not can_transition(from_status, to_status):
        errors["status"] = Problem("An idea cannot move from this status to that one.")
        return errors
    if problem := check_text(reason, max_len=REASON_MAX, multiline=True, required=to_status == "declined"):
        errors["reason"] = (
            Problem("Give a reason for declining this idea.")
            if to_status == "declined" and not (reason or "").strip()
            else problem
        )
    if to_status == "duplicate":
        if duplicate_of is None:
            errors["duplicate_of"] = Problem("Give the number or link of the original idea.")
        elif duplicate_of == idea_id:
            errors["duplicate_of"] = Problem("An idea cannot be a duplicate of itself.")
    return errors


def validate_comment(body: str) -> Errors:
    if problem := check_text(body, min_len=1, max_len=COMMENT_MAX, multiline=True):
        return {"body": problem}
    return {}


def validate_answer(body: str) -> Errors:
    if problem := check_text(body, min_len=10, max_len=ANSWER_MAX, multiline=True):
        return {"body": problem}
    return {}


def validate_reason(reason: str) -> Errors:
    if problem := check_text(reason, min_len=3, max_len=REASON_MAX, multiline=True):
        return {"reason": problem}
    return {}
