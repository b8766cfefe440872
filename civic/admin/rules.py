"""Who may use the admin console, and what its forms accept. Pure."""

from __future__ import annotations

from datetime import date

from civic.accounts.schemas import CurrentUser
from civic.validation import N_, Errors, Problem, check_choice, check_text

ROLES = ("citizen", "moderator", "admin")
# Moving up this list grants a role; moving down revokes one.
RANK = {role: n for n, role in enumerate(ROLES)}
REASON_MAX = 500
PAGE_SIZE = 50
ACTOR_MAX = 200

LAST_ADMIN = N_(
    "There must always be at least one active administrator: make someone else an administrator first."
)


def can_administer(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active" and user.is_admin


def _reason(reason: str) -> Problem | None:
    return check_text(reason, max_len=REASON_MAX, multiline=True)


def validate_role_change(role: str, reason: str, current_role: str) -> Errors:
    errors: Errors = {}
    if problem := check_choice(role, ROLES):
        errors["role"] = problem
    elif role == current_role:
        errors["role"] = Problem(N_("This person already has this role."))
    if problem := _reason(reason):
        errors["reason"] = problem
    return errors


def role_event(current_role: str, new_role: str) -> str:
    return "role.granted" if RANK[new_role] > RANK[current_role] else "role.revoked"


def removes_last_admin(
    target_id: int, target_role: str, keeps_admin: bool, active_admin_ids: list[int]
) -> bool:
    """True when the change leaves no active administrator: the target is one and stops being one
    (a lower role, or blocked), and no other active administrator remains."""
    if target_role != "admin" or keeps_admin:
        return False
    return not [a for a in active_admin_ids if a != target_id]


def validate_standing_change(reason: str, actor_id: int, target_id: int) -> Errors:
    errors: Errors = {}
    if actor_id == target_id:
        errors["user_id"] = Problem(N_("You cannot block or unblock your own account."))
    if problem := _reason(reason):
        errors["reason"] = problem
    return errors


def parse_day(typed: str) -> tuple[date | None, Problem | None]:
    """An ISO date (YYYY-MM-DD) typed in a filter; blank is no filter."""
    typed = typed.strip()
    if not typed:
        return None, None
    try:
        return date.fromisoformat(typed), None
    except ValueError:
        return None, Problem(N_("Enter a date as YYYY-MM-DD, for example 2026-01-31."))


def validate_audit_filter(actor: str, act: str, since: str, until: str, page: int) -> Errors:
    errors: Errors = {}
    for field, value in (("actor", actor), ("act", act)):
        if problem := check_text(value, max_len=ACTOR_MAX, required=False):
            errors[field] = problem
    days = {}
    for field, value in (("since", since), ("until", until)):
        days[field], problem = parse_day(value)
        if problem:
            errors[field] = problem
    if days["since"] and days["until"] and days["since"] > days["until"]:
        errors["until"] = Problem(N_("The end date must not be before the start date."))
    if page < 1:
        errors["page"] = Problem(N_("Choose a page from 1 on."))
    return errors


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))
