"""Who sees which staff tool. Pure."""

from __future__ import annotations

from civic.accounts.schemas import CurrentUser


def agency_slugs(user: CurrentUser | None) -> list[str]:
    return [m.slug for m in (user.memberships if user else ()) if m.kind == "agency"]


def can_moderate(user: CurrentUser | None) -> bool:
    return bool(user and user.role in ("moderator", "admin"))


def can_review_partners(user: CurrentUser | None) -> bool:
    return bool(user and user.role == "admin")


def has_tools(user: CurrentUser | None) -> bool:
    """The header shows the staff menu to moderators, admins and agency staff only."""
    return can_moderate(user) or bool(agency_slugs(user))


def start_page(user: CurrentUser | None) -> str:
    """Where signing in leads when no page asked for one: agency staff start at their agency's
    queue (issue 23), moderators and admins at the staff menu, everyone else at the home page."""
    if agency_slugs(user):
        return "/dashboard/mine"
    return "/staff" if can_moderate(user) else "/"
