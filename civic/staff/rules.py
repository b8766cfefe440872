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
