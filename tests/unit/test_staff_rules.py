"""Who sees which staff tool, and where signing in leads."""

from __future__ import annotations

import pytest

from civic.accounts.schemas import CurrentUser, Membership
from civic.staff import rules


def _user(role: str = "citizen", *kinds: str) -> CurrentUser:
    memberships = tuple(
        Membership(org_id=i, role="member", kind=kind, verified=True, slug=f"{kind}-{i}", name_th="ก")
        for i, kind in enumerate(kinds, 1)
    )
    return CurrentUser(1, "a@example.org", "ก", "th", role, "active", memberships)


@pytest.mark.parametrize(
    ("user", "slugs", "moderate", "review", "tools", "start"),
    [
        (None, [], False, False, False, "/"),
        (_user(), [], False, False, False, "/"),
        (_user("citizen", "partner"), [], False, False, False, "/"),
        (_user("citizen", "agency"), ["agency-1"], False, False, True, "/dashboard/mine"),
        (_user("citizen", "partner", "agency"), ["agency-2"], False, False, True, "/dashboard/mine"),
        (_user("moderator"), [], True, False, True, "/staff"),
        (_user("admin"), [], True, True, True, "/staff"),
        (_user("admin", "agency"), ["agency-1"], True, True, True, "/dashboard/mine"),
    ],
)
def test_tools_and_start_page(user, slugs, moderate, review, tools, start):
    assert rules.agency_slugs(user) == slugs
    assert rules.can_moderate(user) is moderate
    assert rules.can_review_partners(user) is review
    assert rules.has_tools(user) is tools
    assert rules.start_page(user) == start
