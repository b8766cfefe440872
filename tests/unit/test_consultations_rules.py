from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from civic.accounts.schemas import CurrentUser, Membership
from civic.consultations import rules

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OWNER, COOWNER, OTHER = 10, 20, 30


def user(role="citizen", agencies=()):
    ms = tuple(
        Membership(org_id=a, role="admin", kind="agency", verified=True, slug=f"a{a}", name_th="x")
        for a in agencies
    )
    return CurrentUser(
        id=1, email="u@x.example", display_name="u", lang="th", role=role, status="active", memberships=ms
    )


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("draft", "schedule", "scheduled"),
        ("draft", "open", "open"),
        ("scheduled", "open", "open"),
        ("scheduled", "unschedule", "draft"),
        ("open", "close", "closed"),
        ("open", "schedule", None),
        ("closed", "open", None),
        ("outcome_published", "close", None),
        ("draft", "close", None),
        ("draft", "explode", None),
    ],
)
def test_transitions(status, action, expected):
    assert rules.next_status(status, action) == expected


def test_allowed_actions():
    assert rules.allowed_actions("draft") == ["schedule", "open"]
    assert rules.allowed_actions("open") == ["close"]
    assert rules.allowed_actions("closed") == []


def test_s77_needs_fifteen_days():
    errs = rules.check_period("s77", NOW, NOW + timedelta(days=10))
    assert errs["closes_at"].msgid.startswith("A section 77 hearing")
    assert errs["closes_at"].params == {"days": 15}
    assert rules.check_period("s77", NOW, NOW + timedelta(days=15)) == {}
    assert rules.check_period("s77", NOW, NOW + timedelta(days=14, hours=23)) != {}
    assert rules.check_period("general", NOW, NOW + timedelta(days=3)) == {}


def test_close_before_open_refused():
    assert "closes_at" in rules.check_period("general", NOW, NOW)
    assert "opens_at" in rules.check_period("general", None, NOW)


def test_opening_late_counts_from_now():
    # Planned for 16 days from a start that is already 3 days past: opening now leaves 13 days.
    opens = NOW - timedelta(days=3)
    assert "closes_at" in rules.check_opening("s77", opens, opens + timedelta(days=16), NOW)
    assert rules.check_opening("s77", NOW, NOW + timedelta(days=16), NOW) == {}


def test_early_close_of_s77_needs_reason():
    closes = NOW + timedelta(days=5)
    errs = rules.check_early_close("s77", closes, NOW, "")
    assert errs["early_close_reason"].msgid.startswith("Closing a section 77 hearing early needs a reason")
    assert rules.check_early_close("s77", closes, NOW, "ร่างกฎหมายถูกถอนออกจากการพิจารณาของคณะรัฐมนตรี") == {}
    assert rules.check_early_close("general", closes, NOW, "")["early_close_reason"].msgid.startswith("Closing early")
    assert rules.check_early_close("s77", NOW - timedelta(seconds=1), NOW, "") == {}


@pytest.mark.parametrize(
    ("who", "manage", "create_own", "view_draft", "respond_open", "moderate"),
    [
        (None, False, False, False, False, False),
        (user(), False, False, False, True, False),
        (user(agencies=[OWNER]), True, True, True, True, True),
        (user(agencies=[COOWNER]), True, False, True, True, True),
        (user(agencies=[OTHER]), False, False, False, True, False),
        (user(role="moderator"), False, False, False, True, True),
        (user(role="admin"), True, True, True, True, True),
    ],
)
def test_permissions(who, manage, create_own, view_draft, respond_open, moderate):
    assert rules.can_manage(who, OWNER, [COOWNER]) is manage
    assert rules.can_create(who, OWNER) is create_own
    assert rules.can_view(who, "draft", OWNER, [COOWNER]) is view_draft
    assert rules.can_view(who, "open", OWNER, [COOWNER]) is True
    assert rules.can_respond(who, "open") is respond_open
    assert rules.can_respond(who, "closed") is False
    assert rules.can_comment(who, "scheduled") is False
    assert rules.can_moderate(who, OWNER, [COOWNER]) is moderate
    assert rules.can_publish_outcome(who, "open", OWNER, [COOWNER]) is False
    assert rules.can_publish_outcome(who, "closed", OWNER, [COOWNER]) is manage


def test_editable_fields_freeze_questions_at_opening():
    assert "questions" in rules.editable_fields("draft")
    assert "questions" not in rules.editable_fields("open")
    assert "sections" in rules.editable_fields("open")
    assert rules.editable_fields("closed") == frozenset()
    assert rules.needs_change_note("open") and not rules.needs_change_note("draft")


QUESTIONS = [
    {"id": 1, "kind": "single", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
    {"id": 2, "kind": "multi", "required": False, "options": ["ก", "ข", "ค"]},
    {"id": 3, "kind": "scale", "required": True, "options": []},
    {"id": 4, "kind": "text", "required": False, "options": []},
]


def test_answers_ok_with_thai_digits():
    clean, errs = rules.check_answers(QUESTIONS, {"1": "เห็นด้วย", "2": ["ค", "ก"], "3": "๔", "4": " ดีมาก "})
    assert errs == {}
    assert clean == {"1": "เห็นด้วย", "2": ["ก", "ค"], "3": 4, "4": "ดีมาก"}


@pytest.mark.parametrize(
    ("raw", "key", "msgid"),
    [
        ({"3": "3"}, "q1", "Choose an answer."),
        ({"1": "บางที", "3": "3"}, "q1", "Choose one of the options."),
        ({"1": "เห็นด้วย", "3": "6"}, "q3", "Choose a number from %(min)s to %(max)s."),
        ({"1": "เห็นด้วย", "3": "0"}, "q3", "Choose a number from %(min)s to %(max)s."),
        ({"1": "เห็นด้วย", "3": "-1"}, "q3", "Choose a number from %(min)s to %(max)s."),
        ({"1": "เห็นด้วย", "3": "٣"}, "q3", "Choose a number from %(min)s to %(max)s."),
        ({"1": "เห็นด้วย", "3": "3", "2": ["ง"]}, "q2", "Choose one of the options."),
        ({"1": "เห็นด้วย"}, "q3", "Choose an answer."),  # a scale is chosen
    ],
)
def test_answers_bad(raw, key, msgid):
    _, errs = rules.check_answers(QUESTIONS, raw)
    assert errs[key].msgid == msgid


def test_split_sections_blank_lines_and_numbered_headings():
    text = "หลักการ\nเหตุผล\n\nมาตรา ๑ พระราชบัญญัตินี้เรียกว่า\nมาตรา ๒ ให้ใช้บังคับ\n\n\n3. ข้อสาม"
    assert rules.split_sections(text) == [
        "หลักการ\nเหตุผล",
        "มาตรา ๑ พระราชบัญญัตินี้เรียกว่า",
        "มาตรา ๒ ให้ใช้บังคับ",
        "3. ข้อสาม",
    ]


def test_validate_question_options():
    assert "options" in rules.validate_question("single", "เลือกหนึ่งข้อ", ["a"])
    assert "options" in rules.validate_question("multi", "เลือกหลายข้อ", ["a", "a"])
    assert rules.validate_question("scale", "ให้คะแนน", []) == {}
    assert "kind" in rules.validate_question("ranking", "???", [])


def test_days_left_rounds_up():
    assert rules.days_left(NOW + timedelta(hours=1), NOW) == 1
    assert rules.days_left(NOW + timedelta(days=2, hours=1), NOW) == 3
    assert rules.days_left(NOW - timedelta(days=1), NOW) == 0


def test_parse_filter_period():
    from civic.thai import BANGKOK

    since, until, errors = rules.parse_filter_period("2024-03-05", "2024-03-05", BANGKOK)
    assert errors == {}
    assert since == datetime(2024, 3, 5, tzinfo=BANGKOK)
    assert until == datetime(2024, 3, 6, tzinfo=BANGKOK)  # a plain date includes that day
    since, until, errors = rules.parse_filter_period("2024-03-05T09:30", "2024-03-05T18:00", BANGKOK)
    assert errors == {} and until == datetime(2024, 3, 5, 18, 0, tzinfo=BANGKOK)
    assert rules.parse_filter_period(None, "", BANGKOK) == (None, None, {})
    assert rules.parse_filter_period("๒๕๖๗-๐๓-๐๕", None, BANGKOK)[0] == datetime(2024, 3, 5, tzinfo=BANGKOK)
    for bad in ("5/3/2024", "2024-02-30", "2024-3-5", "yesterday", "2024-03-05junk", "20240305"):
        _, _, errors = rules.parse_filter_period(bad, None, BANGKOK)
        assert list(errors) == ["since"], bad
        assert errors["since"].msgid == rules.BAD_FILTER_DATE
    _, _, errors = rules.parse_filter_period("2024-03-10", "2024-03-01", BANGKOK)
    assert errors["until"].msgid == rules.FILTER_PERIOD_REVERSED


# ---------------------------------------------------------------- comment moderation


def test_can_flag_visible_comments_of_others_only():
    citizen = user()
    assert rules.can_flag(citizen, "visible", is_author=False)
    assert not rules.can_flag(citizen, "visible", is_author=True)
    assert not rules.can_flag(citizen, "hidden", is_author=False)
    assert not rules.can_flag(None, "visible", is_author=False)
    blocked = msgspec.structs.replace(citizen, status="blocked")
    assert not rules.can_flag(blocked, "visible", is_author=False)


def test_queue_is_for_platform_moderators_not_agency_staff():
    assert rules.can_use_queue(user("moderator"))
    assert rules.can_use_queue(user("admin"))
    assert not rules.can_use_queue(user("citizen", agencies=(OWNER,)))
    assert not rules.can_use_queue(None)
    # staff still hide on their own consultation's page
    assert rules.can_moderate(user("citizen", agencies=(OWNER,)), OWNER)


@pytest.mark.parametrize(
    ("role", "author_id", "author_role", "expected"),
    [
        ("moderator", 2, "citizen", True),
        ("moderator", 2, "moderator", False),
        ("moderator", 2, "admin", False),
        ("moderator", 1, "citizen", False),  # never oneself
        ("admin", 2, "moderator", True),
        ("citizen", 2, "citizen", False),
    ],
)
def test_can_block_author(role, author_id, author_role, expected):
    assert rules.can_block_author(user(role), author_id, author_role) is expected


@pytest.mark.parametrize(
    ("reason", "ok"),
    [
        ("สแปม", True),
        ("ข้อความโฆษณา\nซ้ำหลายครั้ง", True),
        ("", False),
        ("   ", False),
        ("ab", False),
        ("ก" * 1000, True),
        ("ก" * 1001, False),
        ("ก" * 10_000, False),
        ("สแปม\x00", False),
    ],
)
def test_validate_reason(reason, ok):
    errors = rules.validate_reason(reason)
    assert (errors == {}) is ok
    if not ok:
        assert list(errors) == ["reason"] and errors["reason"].msgid
