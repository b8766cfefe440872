"""Idea rules as full tables: every status x role x hidden/visible, and every length limit at its
edge. The expected values are written out here, independently of the rules' own sets, so that a
rule lost while the verbs move into actions shows up as one failing cell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.ideas import rules
from civic.validation import Problem
from tests.unit.rules_support import CH, all_shown_in_thai, lengths, user

OWNER, COOWNER, OTHER = 10, 20, 30
OWNERS = [OWNER, COOWNER]
AUTHOR_ID = 5
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

ROLES = {
    "anonymous": None,
    "blocked": user(8, status="blocked", agencies=(OWNER,)),
    "citizen": user(1),
    "author": user(AUTHOR_ID),
    "owner_staff": user(2, agencies=(OWNER,)),
    "coowner_staff": user(3, agencies=(COOWNER,)),
    "other_staff": user(4, agencies=(OTHER,)),
    "moderator": user(6, role="moderator"),
    "admin": user(7, role="admin"),
}
SIGNED_IN = set(ROLES) - {"anonymous", "blocked"}
STAFF = {"owner_staff", "coowner_staff"}

ALL_STATUSES = [
    "pending_moderation",
    "published",
    "under_review",
    "accepted",
    "in_progress",
    "implemented",
    "declined",
    "duplicate",
]
# Open to comments and answers: every status once an idea is out of the moderation queue.
DISCUSSABLE = set(ALL_STATUSES) - {"pending_moderation"}
# Open to supports (and to withdrawing one): the statuses in which an agency still decides.
SUPPORT_OPEN = {"published", "under_review", "accepted", "in_progress"}

STATE_CELLS = [(s, hidden) for s in ALL_STATUSES for hidden in (False, True)]


def test_the_tables_here_cover_every_status():
    assert tuple(ALL_STATUSES) == rules.STATUSES


def _wrong_cells(cells, got, expected) -> list:
    """The cells of a table where the rule and the table disagree (all of them, not just the first)."""
    return [(cell, got(*cell), expected(*cell)) for cell in cells if got(*cell) is not expected(*cell)]


@pytest.mark.parametrize("role", list(ROLES))
def test_comment(role):
    who = ROLES[role]
    assert _wrong_cells(
        STATE_CELLS,
        lambda status, hidden: rules.can_comment(who, status, hidden),
        lambda status, hidden: role in SIGNED_IN and status in DISCUSSABLE and not hidden,
    ) == []


def test_comment_state():
    assert _wrong_cells(
        STATE_CELLS, rules.can_comment_state, lambda status, hidden: status in DISCUSSABLE and not hidden
    ) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_answer(role):
    # A moderator's hiding must also silence the agency: an answer under a tombstone is still shown.
    who = ROLES[role]
    assert _wrong_cells(
        STATE_CELLS,
        lambda status, hidden: rules.can_answer(who, OWNERS, status, hidden),
        lambda status, hidden: role in STAFF and status in DISCUSSABLE and not hidden,
    ) == []


SUPPORT_CELLS = [(s, hidden, board_open) for s, hidden in STATE_CELLS for board_open in (True, False)]


def _idea_open(status, hidden, board_open):
    return status in SUPPORT_OPEN and not hidden and board_open


def test_supportable():
    assert _wrong_cells(SUPPORT_CELLS, rules.is_supportable, _idea_open) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_support_and_withdraw(role):
    # Withdrawing follows the support rule (the store re-checks is_supportable under the row lock
    # for both), so a closed idea's count stays as it was when it closed.
    who = ROLES[role]
    assert rules.may_support(who) is (role in SIGNED_IN)
    assert _wrong_cells(
        SUPPORT_CELLS,
        lambda *cell: rules.can_support(who, *cell),
        lambda *cell: _idea_open(*cell) and role in SIGNED_IN,
    ) == []


EDIT_CELLS = [(s, hidden, answered) for s, hidden in STATE_CELLS for answered in (False, True)]


def _editable(status, hidden, answered):
    return status in {"pending_moderation", "published"} and not hidden and not answered


def test_editable():
    assert _wrong_cells(EDIT_CELLS, rules.is_editable, _editable) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_edit_idea(role):
    who = ROLES[role]
    assert _wrong_cells(
        EDIT_CELLS,
        lambda *cell: rules.can_edit_idea(who, AUTHOR_ID, *cell),
        lambda *cell: _editable(*cell) and role == "author",
    ) == []


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_view(status, role):
    # Pending ideas: their author, the owning agencies' staff and moderators; the rest is public.
    may_see_pending = {"author", "owner_staff", "coowner_staff", "moderator", "admin"}
    expected = status != "pending_moderation" or role in may_see_pending
    assert rules.can_view_idea(ROLES[role], status, AUTHOR_ID, OWNERS) is expected


# ------------------------------------------------------------------ the workflow

EXPECTED_TRANSITIONS = {
    "pending_moderation": {"published", "declined"},
    "published": {"under_review", "accepted", "declined", "duplicate"},
    "under_review": {"accepted", "declined", "duplicate"},
    "accepted": {"in_progress", "declined"},
    "in_progress": {"implemented", "declined"},
    "implemented": set(),
    "declined": {"under_review"},
    "duplicate": {"published"},
}
MODERATION = {("pending_moderation", "published"), ("pending_moderation", "declined")}


PAIRS = [(a, b) for a in ALL_STATUSES for b in ALL_STATUSES]


def test_can_transition():
    assert _wrong_cells(PAIRS, rules.can_transition, lambda a, b: b in EXPECTED_TRANSITIONS[a]) == []


def test_unknown_status_goes_nowhere():
    assert not rules.can_transition("bogus", "published")
    assert rules.allowed_transitions(ROLES["owner_staff"], OWNERS, "bogus") == []


def _may_change(role, from_status, to_status):
    if role in STAFF:
        return to_status in EXPECTED_TRANSITIONS[from_status]
    if role in ("moderator", "admin"):
        return (from_status, to_status) in MODERATION
    return False


@pytest.mark.parametrize("role", list(ROLES))
def test_change_status(role):
    who = ROLES[role]
    assert _wrong_cells(
        PAIRS,
        lambda a, b: rules.can_change_status(who, OWNERS, a, b),
        lambda a, b: _may_change(role, a, b),
    ) == []


@pytest.mark.parametrize("role", sorted(STAFF))
@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_allowed_transitions_for_staff_is_the_transition_table(from_status, role):
    offered = rules.allowed_transitions(ROLES[role], OWNERS, from_status)
    assert set(offered) == rules.TRANSITIONS[from_status] == EXPECTED_TRANSITIONS[from_status]
    assert offered == [s for s in ALL_STATUSES if s in offered]  # in workflow order, for the menu


@pytest.mark.parametrize("role", sorted(set(ROLES) - STAFF))
@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_allowed_transitions_for_everyone_else(from_status, role):
    expected = (
        [to for to in ALL_STATUSES if (from_status, to) in MODERATION]
        if role in ("moderator", "admin")
        else []
    )
    assert rules.allowed_transitions(ROLES[role], OWNERS, from_status) == expected


@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_next_status(from_status):
    for to_status in ALL_STATUSES:
        if to_status in EXPECTED_TRANSITIONS[from_status]:
            assert rules.next_status(from_status, to_status) == to_status
        else:
            with pytest.raises(rules.InvalidTransition, match=f"^{from_status} -> {to_status}$"):
                rules.next_status(from_status, to_status)


@pytest.mark.parametrize("from_status", ALL_STATUSES)
def test_validate_status_change_follows_the_workflow(from_status):
    reason, duplicate_of = "งบประมาณไม่พอในปีนี้", 99
    assert rules.validate_status_change(from_status, "bogus", reason, duplicate_of, 1) == {
        "status": Problem("Choose one of the options.")
    }
    for to_status in ALL_STATUSES:
        errors = rules.validate_status_change(from_status, to_status, reason, duplicate_of, 1)
        if to_status in EXPECTED_TRANSITIONS[from_status]:
            assert errors == {}, to_status
        else:
            assert errors == {"status": Problem("An idea cannot move from this status to that one.")}


@pytest.mark.parametrize(
    ("to_status", "reason", "duplicate_of", "expected"),
    [
        ("declined", "", None, {"reason": Problem("Give a reason for declining this idea.")}),
        ("declined", "  \n ", None, {"reason": Problem("Give a reason for declining this idea.")}),
        ("declined", None, None, {"reason": Problem("Give a reason for declining this idea.")}),
        ("declined", "ไม่มีงบ", None, {}),
        ("declined", "ไม่มีงบ\nในปีนี้", None, {}),  # a reason may run over several lines
        ("accepted", "", None, {}),  # only declining needs a reason
        ("accepted", "bad\x00", None, {"reason": Problem("This field contains characters that are not allowed.")}),
        ("duplicate", "", None, {"duplicate_of": Problem("Give the number or link of the original idea.")}),
        ("duplicate", "", 1, {"duplicate_of": Problem("An idea cannot be a duplicate of itself.")}),
        ("duplicate", "", 2, {}),
        ("accepted", "", 1, {}),  # duplicate_of only matters when marking a duplicate
    ],
)
def test_status_change_reason_and_original(to_status, reason, duplicate_of, expected):
    assert rules.validate_status_change("published", to_status, reason, duplicate_of, 1) == expected


@pytest.mark.parametrize(("n", "ok"), lengths(1, rules.REASON_MAX))
def test_status_change_reason_length(n, ok):
    errors = rules.validate_status_change("published", "declined", CH * n, None, 1)
    assert (errors == {}) is ok
    if not ok:
        assert errors["reason"] == Problem(
            "This is too long (at most %(max)s characters).", {"max": rules.REASON_MAX}
        )


# ------------------------------------------------------------------ comments, moderation

ANY_ROLE = list(ROLES)


@pytest.mark.parametrize("role", ANY_ROLE)
@pytest.mark.parametrize("deleted", [False, True])
@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize(
    ("age", "in_window"),
    [(timedelta(0), True), (rules.EDIT_WINDOW, True), (rules.EDIT_WINDOW + timedelta(microseconds=1), False)],
)
def test_edit_comment(role, deleted, hidden, age, in_window):
    expected = role == "author" and not deleted and not hidden and in_window
    got = rules.can_edit_comment(ROLES[role], AUTHOR_ID, NOW - age, NOW, deleted=deleted, hidden=hidden)
    assert got is expected


def test_edit_comment_defaults_to_a_live_comment():
    assert rules.can_edit_comment(ROLES["author"], AUTHOR_ID, NOW, NOW)


@pytest.mark.parametrize("role", ANY_ROLE)
@pytest.mark.parametrize("deleted", [False, True])
def test_delete_comment(role, deleted):
    expected = not deleted and role in {"author", "moderator", "admin"}
    assert rules.can_delete_comment(ROLES[role], AUTHOR_ID, deleted=deleted) is expected


def test_delete_comment_defaults_to_a_live_comment():
    assert rules.can_delete_comment(ROLES["author"], AUTHOR_ID)


@pytest.mark.parametrize("role", ANY_ROLE)
def test_flag_moderate_submit(role):
    assert rules.can_flag(ROLES[role]) is (role in SIGNED_IN)
    assert rules.can_moderate(ROLES[role]) is (role in {"moderator", "admin"})
    assert rules.can_submit_idea(ROLES[role], True) is (role in SIGNED_IN)
    assert rules.can_submit_idea(ROLES[role], False) is False


@pytest.mark.parametrize("role", ANY_ROLE)
@pytest.mark.parametrize("target", ["citizen", "moderator", "admin"])
def test_block_author(role, target):
    expected = role == "admin" or (role == "moderator" and target == "citizen")
    assert rules.can_block_author(ROLES[role], target) is expected


@pytest.mark.parametrize("role", ANY_ROLE)
def test_boards(role):
    # Board settings speak for the owning agency: its staff (not co-owners) or an admin.
    expected = role in {"owner_staff", "admin"}
    assert rules.can_manage_board(ROLES[role], OWNER) is expected
    assert rules.can_create_board(ROLES[role], OWNER) is expected


def test_blocked_admin_cannot_manage_boards():
    blocked_admin = user(9, role="admin", status="blocked")
    assert not rules.can_manage_board(blocked_admin, OWNER)
    assert not rules.can_create_board(blocked_admin, OWNER)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, False),
        (user(1, agencies=(OWNER,)), True),
        (user(1, agencies=(COOWNER,)), True),
        (user(1, agencies=(OTHER,)), False),
        (user(1), False),
        (user(1, agencies=(OWNER,), status="blocked"), False),
        (user(1, agencies=(OWNER,), partners=(OTHER,)), True),
    ],
)
def test_is_staff(who, expected):
    assert rules.is_staff(who, OWNERS) is expected
    assert rules.is_staff(who, iter(OWNERS)) is expected  # any iterable of owners


def test_partner_membership_is_not_agency_staff():
    assert not rules.is_staff(user(1, partners=(OWNER,)), OWNERS)


def test_answering_org_picks_the_lowest_coowner():
    staff = user(9, agencies=(40, 30))
    assert rules.answering_org(staff, OWNER, [OWNER, 40, 30]) == 30


@pytest.mark.parametrize(
    ("due", "answered", "overdue"),
    [
        (NOW - timedelta(microseconds=1), False, True),
        (NOW, False, False),  # due now is not overdue yet
        (NOW + timedelta(days=1), False, False),
        (NOW - timedelta(days=1), True, False),
        (None, False, False),
    ],
)
def test_overdue(due, answered, overdue):
    assert rules.is_overdue(due, answered, NOW) is overdue


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" #12 ", 12),
        ("/ideas/12/", 12),
        ("https://civic.example/ideas/12", 12),
        ("1" * 18, int("1" * 18)),
        ("1" * 19, None),
        ("", None),
        (None, None),
        ("12a", None),
    ],
)
def test_parse_idea_ref(value, expected):
    assert rules.parse_idea_ref(value) == expected


# ------------------------------------------------------------------ validators at their limits

GOOD_IDEA = {
    "title": "ไวไฟสาธารณะในตลาด",
    "body": "ตลาดยังไม่มีไวไฟให้ใช้ฟรี",
    "category": "",
    "province": "",
    "links": [],
    "categories": [],
}


def _idea(**changes):
    return rules.validate_idea(**(GOOD_IDEA | changes))


def test_good_idea():
    assert _idea() == {}
    assert _idea(body="บรรทัดแรกของข้อเสนอ\nบรรทัดที่สอง", province="SKA", links=["https://a.example/x"]) == {}


@pytest.mark.parametrize(("n", "ok"), lengths(5, rules.TITLE_MAX))
def test_idea_title_length(n, ok):
    assert (_idea(title=CH * n) == {}) is ok


@pytest.mark.parametrize(("n", "ok"), lengths(10, rules.BODY_MAX))
def test_idea_body_length(n, ok):
    assert (_idea(body=CH * n) == {}) is ok


@pytest.mark.parametrize(("n", "ok"), lengths(1, rules.CATEGORY_MAX))
def test_idea_free_text_category_length(n, ok):
    assert (_idea(category=CH * n) == {}) is ok


@pytest.mark.parametrize(("n", "ok"), [(rules.LINKS_MAX, True), (rules.LINKS_MAX + 1, False)])
def test_idea_link_count(n, ok):
    errors = _idea(links=[f"https://a.example/{i}" for i in range(n)])
    assert errors == ({} if ok else {"links": Problem("Add at most %(max)s links.", {"max": rules.LINKS_MAX})})


@pytest.mark.parametrize(("n", "ok"), [(rules.LINK_MAX, True), (rules.LINK_MAX + 1, False)])
def test_idea_link_length(n, ok):
    prefix = "https://a.example/"
    errors = _idea(links=[prefix + "x" * (n - len(prefix))])
    assert errors == ({} if ok else {"links": Problem("Links must start with http:// or https://.")})


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("http://a.example", True),
        ("HTTPS://A.EXAMPLE/x", True),
        ("ftp://a.example", False),
        ("https://a.example/ x", False),
        ("javascript:alert(1)", False),
        ("https://a.example/\nx", False),
    ],
)
def test_idea_link_scheme(link, ok):
    assert ("links" not in _idea(links=[link])) is ok


def test_idea_every_field_wrong_at_once():
    errors = rules.validate_idea("", "", "อื่น", "XXX", ["ftp://x"], ["ขยะ"])
    assert set(errors) == {"title", "body", "category", "province", "links"}
    assert errors["province"] == Problem("Choose one of the options.")
    assert all_shown_in_thai(errors)


def test_idea_category_from_the_board_list():
    assert _idea(category="ขยะ", categories=["ขยะ"]) == {}
    assert _idea(category="", categories=["ขยะ"]) == {}  # optional
    assert _idea(category="อื่น", categories=["ขยะ"]) == {"category": Problem("Choose one of the options.")}


def test_clean_links():
    assert rules.clean_links(["  https://a.example ", "", "   ", "http://b.example"]) == [
        "https://a.example",
        "http://b.example",
    ]


@pytest.mark.parametrize(
    ("validator", "field", "min_len", "max_len"),
    [
        (rules.validate_comment, "body", 1, rules.COMMENT_MAX),
        (rules.validate_answer, "body", 10, rules.ANSWER_MAX),
        (rules.validate_reason, "reason", 3, rules.REASON_MAX),
    ],
)
def test_text_validators_at_their_limits(validator, field, min_len, max_len):
    for n, ok in lengths(min_len, max_len):
        errors = validator(CH * n)
        assert (errors == {}) is ok, n
        assert set(errors) <= {field}
        assert all_shown_in_thai(errors)
    assert validator(CH * min_len + "\n" + CH * min_len) == {}  # several lines are fine
    assert validator("") == {field: Problem("This field is required.")}


# ------------------------------------------------------------------ boards

GOOD_BOARD = {
    "title": "ขยะในหาดใหญ่",
    "description_th": "ช่วยกันเสนอวิธีจัดการขยะในเมือง",
    "description_en": "",
    "scope": "",
    "categories": [],
    "threshold": 100,
    "response_days": 30,
}


def _settings(**changes):
    return rules.validate_board_settings(**(GOOD_BOARD | changes))


def _board(slug="hatyai-waste", **changes):
    return rules.validate_board(slug, **(GOOD_BOARD | changes))


def test_good_board():
    assert _settings() == {}
    assert _board() == {}
    assert _settings(description_th="บรรทัดแรกของคำอธิบาย\nบรรทัดที่สอง", description_en="Two\nlines", scope="SKA") == {}


@pytest.mark.parametrize(
    ("slug", "ok"),
    [
        ("ab", True),
        ("a", False),
        ("a" * 63, True),
        ("a" * 64, False),
        ("9-lives", True),
        ("-leading", False),
        ("Upper", False),
        ("ขยะ", False),
        ("", False),
        (None, False),
        ("hatyai-waste\n", False),  # the boards table's CHECK refuses it: a field error, not a 500
    ],
)
def test_board_slug(slug, ok):
    errors = _board(slug=slug)
    expected = Problem("Use 2-63 lowercase letters, digits or dashes, for example hatyai-waste.")
    assert errors == ({} if ok else {"slug": expected})


def test_board_checks_the_optional_settings_too():
    # An English description and a scope are optional, but a bad one is refused at opening as later.
    errors = _board(description_en="x" * (rules.BODY_MAX + 1), scope="ZZZ")
    assert set(errors) == {"description_en", "scope"}


def test_board_carries_every_settings_error():
    errors = _board(slug="", title="", threshold=None)
    assert set(errors) == {"slug", "title", "support_threshold"}
    assert all_shown_in_thai(errors)


@pytest.mark.parametrize(("n", "ok"), lengths(3, rules.TITLE_MAX))
def test_board_title_length(n, ok):
    assert (_settings(title=CH * n) == {}) is ok


@pytest.mark.parametrize(("n", "ok"), lengths(10, rules.BODY_MAX))
def test_board_description_length(n, ok):
    assert (_settings(description_th=CH * n) == {}) is ok


@pytest.mark.parametrize(("n", "ok"), [*lengths(1, rules.BODY_MAX), (0, True)])
def test_board_english_description_is_optional(n, ok):
    assert (_settings(description_en=CH * n) == {}) is ok


@pytest.mark.parametrize(("scope", "ok"), [("", True), ("SKA", True), ("XXX", False)])
def test_board_scope(scope, ok):
    assert _settings(scope=scope) == ({} if ok else {"scope": Problem("Choose one of the options.")})


CATEGORIES_PROBLEM = Problem(
    "Give at most %(max)s categories, each one short line.", {"max": rules.CATEGORIES_MAX}
)


@pytest.mark.parametrize(
    ("categories", "ok"),
    [
        (["หมวด"] * rules.CATEGORIES_MAX, True),
        (["หมวด"] * (rules.CATEGORIES_MAX + 1), False),
        ([CH * rules.CATEGORY_MAX], True),
        ([CH * (rules.CATEGORY_MAX + 1)], False),
        (["ขยะ", ""], False),
        (["สอง\nบรรทัด"], False),
        ([], True),
    ],
)
def test_board_categories(categories, ok):
    assert _settings(categories=categories) == ({} if ok else {"categories": CATEGORIES_PROBLEM})


@pytest.mark.parametrize(
    ("threshold", "ok"), [(1, True), (0, False), (10_000_000, True), (10_000_001, False), (None, False)]
)
def test_board_threshold(threshold, ok):
    expected = {"support_threshold": Problem("Enter a whole number from 1 to 10,000,000.")}
    assert _settings(threshold=threshold) == ({} if ok else expected)


@pytest.mark.parametrize(("days", "ok"), [(1, True), (0, False), (3650, True), (3651, False), (None, False)])
def test_board_response_days(days, ok):
    expected = {"response_days": Problem("Enter a number of days from 1 to 3650.")}
    assert _settings(response_days=days) == ({} if ok else expected)


# The first call reads the catalogues, and this machine is shared: no deadline.
@settings(deadline=None, max_examples=50)
@given(st.text(max_size=30))
def test_board_settings_errors_are_always_translated(title):
    assert all_shown_in_thai(_settings(title=title, threshold=0, response_days=0, scope="?"))


def test_labels_are_marked_for_translation_and_translated():
    # N_ only marks a msgid for extraction: it must hand the message back unchanged.
    assert rules.N_("Hot") == "Hot"
    assert set(rules.STATUS_LABELS) == set(ALL_STATUSES) == set(rules.STATUS_TONES)
    assert all_shown_in_thai({s: Problem(label) for s, label in rules.STATUS_LABELS.items()})
