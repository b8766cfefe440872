"""Idea workflow rules and the can_* permissions as a role x action table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts.schemas import CurrentUser, Membership
from civic.ideas import rules

OWNER, COOWNER, OTHER = 10, 20, 30
OWNERS = [OWNER, COOWNER]
AUTHOR_ID = 5


def _user(uid: int, role: str = "citizen", agencies: tuple[int, ...] = ()) -> CurrentUser:
    return CurrentUser(
        id=uid,
        email=f"u{uid}@example.com",
        display_name=f"u{uid}",
        lang="th",
        role=role,
        status="active",
        memberships=tuple(
            Membership(org_id=a, role="member", kind="agency", verified=True, slug=f"a{a}", name_th="x")
            for a in agencies
        ),
    )


ROLES = {
    "anonymous": None,
    "citizen": _user(1),
    "author": _user(AUTHOR_ID),
    "owner_staff": _user(2, agencies=(OWNER,)),
    "coowner_staff": _user(3, agencies=(COOWNER,)),
    "other_staff": _user(4, agencies=(OTHER,)),
    "moderator": _user(6, role="moderator"),
    "admin": _user(7, role="admin"),
}

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

ACTIONS = {
    "submit": lambda u: rules.can_submit_idea(u, True),
    "support": lambda u: rules.can_support(u, "published", False, True),
    "comment": lambda u: rules.can_comment(u, "published", False),
    "flag": lambda u: rules.can_flag(u),
    "view_pending": lambda u: rules.can_view_idea(u, "pending_moderation", AUTHOR_ID, OWNERS),
    "accept": lambda u: rules.can_change_status(u, OWNERS, "published", "accepted"),
    "publish_pending": lambda u: rules.can_change_status(u, OWNERS, "pending_moderation", "published"),
    "answer": lambda u: rules.can_answer(u, OWNERS, "published", False),
    "edit_comment": lambda u: rules.can_edit_comment(u, AUTHOR_ID, NOW - timedelta(minutes=5), NOW),
    "delete_comment": lambda u: rules.can_delete_comment(u, AUTHOR_ID),
    "moderate": lambda u: rules.can_moderate(u),
    "manage_board": lambda u: rules.can_manage_board(u, OWNER),
    "create_board": lambda u: rules.can_create_board(u, OWNER),
    "edit_idea": lambda u: rules.can_edit_idea(u, AUTHOR_ID, "published", False, False),
}

#               anon   citizen author owner  coowner other  mod    admin
TABLE = {
    "submit": (False, True, True, True, True, True, True, True),
    "support": (False, True, True, True, True, True, True, True),
    "comment": (False, True, True, True, True, True, True, True),
    "flag": (False, True, True, True, True, True, True, True),
    "view_pending": (False, False, True, True, True, False, True, True),
    "accept": (False, False, False, True, True, False, False, False),
    "publish_pending": (False, False, False, True, True, False, True, True),
    "answer": (False, False, False, True, True, False, False, False),
    "edit_comment": (False, False, True, False, False, False, False, False),
    "delete_comment": (False, False, True, False, False, False, True, True),
    "moderate": (False, False, False, False, False, False, True, True),
    "manage_board": (False, False, False, True, False, False, False, True),
    "create_board": (False, False, False, True, False, False, False, True),
    "edit_idea": (False, False, True, False, False, False, False, False),
}


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_permission_table(action, role_index, role):
    assert ACTIONS[action](ROLES[role]) is TABLE[action][role_index], (action, role)


def test_blocked_user_can_do_nothing():
    blocked = CurrentUser(
        id=AUTHOR_ID, email="b@example.com", display_name="b", lang="th", role="admin", status="blocked"
    )
    assert not any(action(blocked) for action in ACTIONS.values())


def test_workflow_happy_path_and_final_state():
    path = ["published", "under_review", "accepted", "in_progress", "implemented"]
    for a, b in zip(path, path[1:], strict=False):
        assert rules.next_status(a, b) == b
    assert rules.TRANSITIONS["implemented"] == frozenset()
    with pytest.raises(rules.InvalidTransition):
        rules.next_status("published", "implemented")
    with pytest.raises(rules.InvalidTransition):
        rules.next_status("implemented", "published")
    assert set(rules.TRANSITIONS) == set(rules.STATUSES)
    for targets in rules.TRANSITIONS.values():
        assert targets <= set(rules.STATUSES)


def test_initial_status():
    assert rules.initial_status(True) == "pending_moderation"
    assert rules.initial_status(False) == "published"


@pytest.mark.parametrize(
    "status,hidden,board_open,ok",
    [
        ("published", False, True, True),
        ("under_review", False, True, True),
        ("accepted", False, True, True),
        ("in_progress", False, True, True),
        ("implemented", False, True, False),
        ("declined", False, True, False),
        ("duplicate", False, True, False),
        ("pending_moderation", False, True, False),
        ("published", True, True, False),
        ("published", False, False, False),
    ],
)
def test_supportable(status, hidden, board_open, ok):
    assert rules.is_supportable(status, hidden, board_open) is ok


def test_declined_needs_reason_and_duplicate_needs_original():
    assert "reason" in rules.validate_status_change("published", "declined", "", None, 1)
    assert "reason" in rules.validate_status_change("published", "declined", "   ", None, 1)
    assert rules.validate_status_change("published", "declined", "งบประมาณไม่พอ", None, 1) == {}
    assert "duplicate_of" in rules.validate_status_change("published", "duplicate", "", None, 1)
    assert "duplicate_of" in rules.validate_status_change("published", "duplicate", "", 1, 1)
    assert rules.validate_status_change("published", "duplicate", "", 2, 1) == {}
    assert "status" in rules.validate_status_change("published", "implemented", "", None, 1)
    assert "status" in rules.validate_status_change("published", "bogus", "", None, 1)


def test_edit_window_is_fifteen_minutes():
    author = ROLES["author"]
    assert rules.can_edit_comment(author, AUTHOR_ID, NOW - timedelta(minutes=15), NOW)
    assert not rules.can_edit_comment(author, AUTHOR_ID, NOW - timedelta(minutes=15, seconds=1), NOW)
    assert not rules.can_edit_comment(author, AUTHOR_ID, NOW, NOW, deleted=True)
    assert not rules.can_edit_comment(author, AUTHOR_ID, NOW, NOW, hidden=True)


def test_idea_validation():
    ok = rules.validate_idea("ไวไฟสาธารณะในตลาด", "ตลาดยังไม่มีไวไฟให้ใช้ฟรี", "", "SKA", [], [])
    assert ok == {}
    errors = rules.validate_idea("", "", "", "XXX", ["ftp://x"], [])
    assert set(errors) == {"title", "body", "province", "links"}
    assert "title" in rules.validate_idea("ก" * 10_000_000, "ตลาดยังไม่มีไวไฟให้ใช้ฟรี", "", "", [], [])
    assert "category" in rules.validate_idea("ไวไฟในตลาด", "ตลาดยังไม่มีไวไฟให้ใช้ฟรี", "อื่น", "", [], ["ขยะ"])
    assert "title" in rules.validate_idea("ไวไฟ\x00ตลาด", "ตลาดยังไม่มีไวไฟให้ใช้ฟรี", "", "", [], [])


def test_overdue_and_refs():
    assert rules.is_overdue(NOW - timedelta(seconds=1), False, NOW)
    assert not rules.is_overdue(NOW - timedelta(days=1), True, NOW)
    assert not rules.is_overdue(None, False, NOW)
    assert rules.parse_idea_ref("12") == 12
    assert rules.parse_idea_ref("#12") == 12
    assert rules.parse_idea_ref("https://civic.example/ideas/12") == 12
    assert rules.parse_idea_ref("twelve") is None
    assert rules.parse_idea_ref("") is None


def test_answering_org_prefers_owner():
    both = _user(9, agencies=(OWNER, COOWNER))
    assert rules.answering_org(both, OWNER, OWNERS) == OWNER
    assert rules.answering_org(ROLES["coowner_staff"], OWNER, OWNERS) == COOWNER


@pytest.mark.parametrize("status", rules.STATUSES)
def test_author_edits_only_while_published_or_pending_and_unanswered(status):
    author = ROLES["author"]
    editable = status in ("published", "pending_moderation")
    assert rules.can_edit_idea(author, AUTHOR_ID, status, False, False) is editable
    assert not rules.can_edit_idea(author, AUTHOR_ID, status, False, True)  # answered
    assert not rules.can_edit_idea(author, AUTHOR_ID, status, True, False)  # hidden


def test_category_free_text_only_when_the_board_has_none():
    title, body = "ไวไฟในตลาด", "ตลาดยังไม่มีไวไฟให้ใช้ฟรี"
    assert rules.validate_idea(title, body, "ไวไฟสาธารณะ", "", [], []) == {}
    assert "category" in rules.validate_idea(title, body, "ก" * 81, "", [], [])
    assert "category" in rules.validate_idea(title, body, "สอง\nบรรทัด", "", [], [])
    assert "category" in rules.validate_idea(title, body, "ไวไฟสาธารณะ", "", [], ["ขยะ"])
    assert rules.validate_idea(title, body, "ขยะ", "", [], ["ขยะ"]) == {}
    assert rules.validate_idea(title, body, "", "", [], ["ขยะ"]) == {}
