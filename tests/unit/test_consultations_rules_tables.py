"""Consultation rules as tables: every status x role, the section 77 period at its edge, and the
validators that had no unit test (validate_consultation, validate_outcome, validate_response_meta,
validate_comment) at each of their limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.consultations import rules
from civic.consultations.schemas import QuestionIn
from civic.validation import Problem
from tests.unit.rules_support import CH, all_shown_in_thai, lengths, user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
OWNER, COOWNER, OTHER = 10, 20, 30
STATUSES = ["draft", "scheduled", "open", "closed", "outcome_published"]

ROLES = {
    "visitor": None,
    "citizen": user(1),
    "owner_staff": user(2, agencies=(OWNER,)),
    "coowner_staff": user(3, agencies=(COOWNER,)),
    "other_staff": user(4, agencies=(OTHER,)),
    "moderator": user(5, role="moderator"),
    "admin": user(6, role="admin"),
}
MANAGERS = {"owner_staff", "coowner_staff", "admin"}


def test_the_tables_here_cover_every_status():
    assert tuple(STATUSES) == rules.STATUSES


@pytest.mark.parametrize("role", list(ROLES))
def test_status_by_role(role):
    who = ROLES[role]
    for status in STATUSES:
        signed_in = who is not None
        assert rules.can_respond(who, status) is (signed_in and status == "open"), status
        assert rules.can_comment(who, status) is (signed_in and status == "open"), status
        assert rules.can_view(who, status, OWNER, [COOWNER]) is (status != "draft" or role in MANAGERS)
        published = status in ("closed", "outcome_published") and role in MANAGERS
        assert rules.can_publish_outcome(who, status, OWNER, [COOWNER]) is published, status
    assert rules.can_manage(who, OWNER, [COOWNER]) is (role in MANAGERS)
    assert rules.can_manage(who, OWNER) is (role in {"owner_staff", "admin"})
    assert rules.can_create(who, OWNER) is (role in {"owner_staff", "admin"})
    assert rules.can_moderate(who, OWNER, [COOWNER]) is (role in MANAGERS | {"moderator"})
    assert rules.is_staff_of(who, [OWNER, COOWNER]) is (role in {"owner_staff", "coowner_staff"})


# ------------------------------------------------------------------ lifecycle

EXPECTED_ACTIONS = {
    "draft": {"schedule": "scheduled", "open": "open"},
    "scheduled": {"unschedule": "draft", "open": "open"},
    "open": {"close": "closed"},
    "closed": {},
    "outcome_published": {},
}


@pytest.mark.parametrize("status", STATUSES)
def test_staff_actions(status):
    assert rules.allowed_actions(status) == list(EXPECTED_ACTIONS[status])
    for action in [*rules.TRANSITIONS, "bogus"]:
        assert rules.next_status(status, action) == EXPECTED_ACTIONS[status].get(action)


BEFORE_OPENING = {
    "title", "summary", "kind", "province", "opens_at", "closes_at", "sections", "questions", "requires_national_id",
}  # fmt: skip


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        ("draft", BEFORE_OPENING),
        ("scheduled", BEFORE_OPENING),
        ("open", {"title", "summary", "closes_at", "sections"}),
        ("closed", set()),
        ("outcome_published", set()),
    ],
)
def test_editable_fields(status, fields):
    assert rules.editable_fields(status) == fields
    assert rules.needs_change_note(status) is (status == "open")


# ------------------------------------------------------------------ the consultation itself

GOOD = {
    "title": "ร่างพระราชบัญญัติน้ำบาดาล",
    "summary": "รับฟังความคิดเห็นต่อร่างกฎหมาย\nตามมาตรา ๗๗",
    "kind": "general",
    "province": None,
    "opens_at": NOW,
    "closes_at": NOW + timedelta(days=1),
}
S77_TOO_SHORT = Problem("A section 77 hearing must stay open for at least %(days)s days.", {"days": 15})


def _consultation(**changes):
    return rules.validate_consultation(**(GOOD | changes))


def test_good_consultation():
    assert _consultation() == {}
    assert _consultation(province="CMI", kind="s77", closes_at=NOW + timedelta(days=15)) == {}


@pytest.mark.parametrize(
    ("kind", "days", "ok"),
    [
        ("s77", timedelta(days=15), True),  # the section 77 minimum, exactly
        ("s77", timedelta(days=15) - timedelta(seconds=1), False),
        ("s77", timedelta(days=1), False),
        ("general", timedelta(seconds=1), True),  # only section 77 hearings have a minimum
    ],
)
def test_section_77_minimum(kind, days, ok):
    errors = _consultation(kind=kind, closes_at=NOW + days)
    assert errors == ({} if ok else {"closes_at": S77_TOO_SHORT})
    assert rules.check_period(kind, NOW, NOW + days) == errors
    assert rules.S77_MIN_DAYS == 15


def test_an_unknown_kind_is_refused_and_checked_as_general():
    errors = _consultation(kind="bogus", closes_at=NOW + timedelta(days=1))
    assert errors == {"kind": Problem("Choose one of the options.")}


PASSED = Problem("The closing time has already passed.")


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "errors"),
    [
        (None, NOW, {"opens_at": Problem("Enter a date and time.")}),
        (NOW, None, {"closes_at": Problem("Enter a date and time.")}),
        (
            None,
            None,
            {"opens_at": Problem("Enter a date and time."), "closes_at": Problem("Enter a date and time.")},
        ),
        (NOW, NOW, {"closes_at": Problem("The closing time must be after the opening time.")}),
        (
            NOW,
            NOW - timedelta(days=20),
            {"closes_at": Problem("The closing time must be after the opening time.")},
        ),
    ],
)
@pytest.mark.parametrize("kind", ["general", "s77"])
def test_period(kind, opens_at, closes_at, errors):
    assert rules.check_period(kind, opens_at, closes_at) == errors
    assert _consultation(kind=kind, opens_at=opens_at, closes_at=closes_at) == errors


@pytest.mark.parametrize(
    ("field", "lo", "hi"),
    [("title", 5, 300), ("summary", 10, 5000)],
)
def test_consultation_texts_at_their_limits(field, lo, hi):
    for n, ok in lengths(lo, hi):
        assert (_consultation(**{field: CH * n}) == {}) is ok, n
    assert _consultation(**{field: ""}) == {field: Problem("This field is required.")}


def test_only_the_summary_runs_over_lines():
    assert "title" in _consultation(title="ร่างพระราชบัญญัติ\nน้ำบาดาล")


@pytest.mark.parametrize(("province", "ok"), [(None, True), ("", True), ("CMI", True), ("XXX", False)])
def test_consultation_province(province, ok):
    assert _consultation(province=province) == (
        {} if ok else {"province": Problem("Choose one of the options.")}
    )


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "errors"),
    [
        (NOW, NOW + timedelta(days=15), {}),
        # Opening three days late leaves twelve days: too short for section 77.
        (NOW - timedelta(days=3), NOW + timedelta(days=12), {"closes_at": S77_TOO_SHORT}),
        (NOW + timedelta(days=1), NOW + timedelta(days=16), {}),  # scheduled ahead: counted from then
        (NOW - timedelta(days=30), NOW, {"closes_at": PASSED}),
        # a scheduled period that is itself backwards is said as such
        (
            NOW + timedelta(days=20),
            NOW + timedelta(days=10),
            {"closes_at": Problem("The closing time must be after the opening time.")},
        ),
    ],
)
def test_opening_counts_from_the_real_start(opens_at, closes_at, errors):
    assert rules.check_opening("s77", opens_at, closes_at, NOW) == errors


def test_opening_after_the_closing_time_has_passed():
    # A general consultation that should have run yesterday: the period itself was fine.
    got = rules.check_opening("general", NOW - timedelta(days=2), NOW - timedelta(days=1), NOW)
    assert got == {"closes_at": PASSED}
    got = rules.check_opening("general", NOW - timedelta(days=2), NOW + timedelta(seconds=1), NOW)
    assert got == {}


EARLY_REASON = Problem("Closing a section 77 hearing early needs a reason, which will be shown publicly.")
GENERAL_EARLY_REASON = Problem("Closing early needs a reason, which will be shown publicly.")


@pytest.mark.parametrize(
    ("kind", "closes_in", "reason", "errors"),
    [
        ("s77", timedelta(days=5), "", {"early_close_reason": EARLY_REASON}),
        ("s77", timedelta(days=5), "   ", {"early_close_reason": EARLY_REASON}),
        ("s77", timedelta(days=5), CH * 10, {}),
        ("s77", timedelta(days=5), CH * 9, {"early_close_reason": Problem("This is too short (at least %(min)s characters).", {"min": 10})}),
        ("s77", timedelta(days=5), CH * 2000, {}),
        ("s77", timedelta(days=5), CH * 2001, {"early_close_reason": Problem("This is too long (at most %(max)s characters).", {"max": 2000})}),
        ("s77", timedelta(days=5), CH * 5 + "\n" + CH * 5, {}),
        ("s77", timedelta(0), "", {}),  # at closing time it is not early
        ("s77", -timedelta(seconds=1), "", {}),
        ("general", timedelta(days=5), "", {"early_close_reason": GENERAL_EARLY_REASON}),  # a reason for every kind
        ("general", timedelta(days=5), "สั้น", {"early_close_reason": Problem("This is too short (at least %(min)s characters).", {"min": 10})}),
        ("general", timedelta(days=5), CH * 2000, {}),
        ("general", timedelta(days=5), CH * 2001, {"early_close_reason": Problem("This is too long (at most %(max)s characters).", {"max": 2000})}),
        ("general", timedelta(days=5), CH * 5 + "\n" + CH * 5, {}),
        ("general", timedelta(days=5), "   ", {"early_close_reason": GENERAL_EARLY_REASON}),
        ("general", timedelta(0), "", {}),
        ("general", timedelta(days=5), "bad\x00", {"early_close_reason": Problem("This field contains characters that are not allowed.")}),
    ],
)  # fmt: skip
def test_early_close(kind, closes_in, reason, errors):
    assert rules.check_early_close(kind, NOW + closes_in, NOW, reason) == errors


# ------------------------------------------------------------------ responses, comments, outcomes


@pytest.mark.parametrize("consent", ["named", "anonymous", "none"])
@pytest.mark.parametrize(("province", "ok"), [(None, True), ("", True), ("BKK", True), ("XXX", False)])
def test_response_meta(consent, province, ok):
    expected = {} if ok else {"province": Problem("Choose one of the options.")}
    assert rules.validate_response_meta(consent, province) == expected


@pytest.mark.parametrize(
    ("consent", "problem"), [("", "Choose an option."), ("public", "Choose one of the options.")]
)
def test_response_meta_consent(consent, problem):
    assert rules.validate_response_meta(consent, "XXX") == {
        "consent": Problem(problem),
        "province": Problem("Choose one of the options."),
    }


@pytest.mark.parametrize(("n", "ok"), lengths(2, 3000))
def test_comment_length(n, ok):
    errors = rules.validate_comment(CH * n)
    assert (errors == {}) is ok
    assert set(errors) <= {"body"} and all_shown_in_thai(errors)


def test_comment_runs_over_lines_and_is_required():
    assert rules.validate_comment("เห็นด้วย\nทุกข้อ") == {}
    assert rules.validate_comment("") == {"body": Problem("This field is required.")}


GOOD_THEME = {"title": "ค่าธรรมเนียม", "disposition": "adopted", "reason": "ปรับตามข้อเสนอ"}
GOOD_SUMMARY = "สรุปผลการรับฟังความคิดเห็นทั้งหมด"


def _outcome(themes=(GOOD_THEME,), summary=GOOD_SUMMARY, version=1, correction_note=""):
    return rules.validate_outcome(summary, list(themes), version=version, correction_note=correction_note)


@pytest.mark.parametrize("disposition", ["adopted", "partly", "not_adopted"])
def test_good_outcome(disposition):
    assert _outcome([GOOD_THEME | {"disposition": disposition}]) == {}
    assert _outcome([]) == {}  # an outcome may have no themes


@pytest.mark.parametrize(("n", "ok"), lengths(10, 10000))
def test_outcome_summary_length(n, ok):
    assert (_outcome(summary=CH * n) == {}) is ok


def test_outcome_summary_runs_over_lines():
    assert _outcome(summary="สรุปผลการรับฟัง\nความคิดเห็นทั้งหมด") == {}
    assert _outcome(summary="") == {"summary": Problem("This field is required.")}


@pytest.mark.parametrize(
    ("theme", "field", "problem"),
    [
        ({"title": ""}, "title", Problem("This field is required.")),  # an untitled theme
        ({"title": "  "}, "title", Problem("This field is required.")),
        ({"title": CH}, "title", Problem("This is too short (at least %(min)s characters).", {"min": 2})),
        (
            {"title": CH * 301},
            "title",
            Problem("This is too long (at most %(max)s characters).", {"max": 300}),
        ),
        ({"title": "สอง\nบรรทัด"}, "title", Problem("This field contains characters that are not allowed.")),
        ({"disposition": ""}, "disposition", Problem("Choose an option.")),
        ({"disposition": "rejected"}, "disposition", Problem("Choose one of the options.")),
        ({"reason": ""}, "reason", Problem("This field is required.")),
        ({"reason": CH}, "reason", Problem("This is too short (at least %(min)s characters).", {"min": 2})),
        (
            {"reason": CH * 3001},
            "reason",
            Problem("This is too long (at most %(max)s characters).", {"max": 3000}),
        ),
    ],
)
def test_outcome_theme_refusals(theme, field, problem):
    # The second theme is the bad one: the error names it, so the form marks the right card.
    assert _outcome([GOOD_THEME, GOOD_THEME | theme]) == {f"theme1_{field}": problem}


@pytest.mark.parametrize(
    "theme",
    [
        {"title": CH * 2},
        {"title": CH * 300},
        {"reason": CH * 2},
        {"reason": CH * 3000},
        {"reason": "ปรับตาม\nข้อเสนอ"},
    ],
)
def test_outcome_theme_edges_accepted(theme):
    assert _outcome([GOOD_THEME | theme]) == {}


def test_a_theme_with_nothing_filled_in():
    assert _outcome([{}]) == {
        "theme0_title": Problem("This field is required."),
        "theme0_disposition": Problem("Choose an option."),
        "theme0_reason": Problem("This field is required."),
    }


@pytest.mark.parametrize(
    ("version", "note", "errors"),
    [
        (1, "", {}),  # the first version needs no correction note
        (2, "", {"correction_note": Problem("This field is required.")}),
        (
            2,
            CH * 4,
            {"correction_note": Problem("This is too short (at least %(min)s characters).", {"min": 5})},
        ),
        (2, CH * 5, {}),
        (2, CH * 2000, {}),
        (
            2,
            CH * 2001,
            {"correction_note": Problem("This is too long (at most %(max)s characters).", {"max": 2000})},
        ),
        (3, "แก้ตัวเลข\nในหัวข้อสอง", {}),
    ],
)
def test_correction_note(version, note, errors):
    assert _outcome(version=version, correction_note=note) == errors


# ------------------------------------------------------------------ questions


@pytest.mark.parametrize(("n", "ok"), lengths(3, 500))
def test_question_prompt_length(n, ok):
    assert (rules.validate_question("text", CH * n, []) == {}) is ok


@pytest.mark.parametrize(
    ("kind", "options", "errors"),
    [
        ("single", ["ก", "ข"], {}),
        ("multi", [" ก ", "ข", "  "], {}),
        ("single", ["ก"], {"options": Problem("Give at least two options.")}),
        ("multi", ["ก", " ", ""], {"options": Problem("Give at least two options.")}),
        ("single", ["ก", " ก"], {"options": Problem("Each option must be different.")}),
        ("single", ["ก", CH * 200], {}),
        ("multi", ["ก", CH * 201], {"options": Problem("Each option must be at most %(max)s characters.", {"max": 200})}),
        ("scale", [], {}),
        ("scale", [" ไม่เห็นด้วยอย่างยิ่ง ", "เห็นด้วยอย่างยิ่ง", " "], {}),  # the meanings of 1 and 5
        ("scale", ["ก"], {"options": Problem(rules.SCALE_ENDS)}),
        ("scale", ["ก", "ข", "ค"], {"options": Problem(rules.SCALE_ENDS)}),
        ("scale", ["ก", CH * 201], {"options": Problem("Each option must be at most %(max)s characters.", {"max": 200})}),
        ("text", [], {}),
        ("bogus", [], {"kind": Problem("Choose one of the options.")}),
        ("", [], {"kind": Problem("Choose an option.")}),
    ],
)  # fmt: skip
def test_question_options(kind, options, errors):
    assert rules.validate_question(kind, "คุณเห็นด้วยหรือไม่", options) == errors


def test_question_prompt_is_one_line():
    assert rules.validate_question("text", "บรรทัดแรก\nบรรทัดสอง", []) == {
        "prompt": Problem("This field contains characters that are not allowed.")
    }


@pytest.mark.parametrize(("n", "ok"), [(rules.MAX_QUESTIONS, True), (rules.MAX_QUESTIONS + 1, False)])
def test_question_count(n, ok):
    expected = {"questions": Problem(rules.TOO_MANY_QUESTIONS, {"max": rules.MAX_QUESTIONS})}
    assert rules.check_question_count(n) == ({} if ok else expected)
    assert all_shown_in_thai(expected)


def test_blank_question_row():
    assert rules.blank_question_row() == {"kind": "single", "prompt": "", "required": False, "options": ""}
    assert rules.blank_question_row() is not rules.blank_question_row()


QUESTIONS = [
    {"id": 1, "kind": "single", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
    {"id": 2, "kind": "multi", "required": True, "options": ["ก", "ข", "ค"]},
    {"id": 3, "kind": "scale", "required": True, "options": []},
    {"id": 4, "kind": "text", "required": True, "options": []},
]
ANSWERED = {"1": "เห็นด้วย", "2": ["ก"], "3": "3", "4": "ดี"}


@pytest.mark.parametrize(
    ("qid", "value", "clean", "problem"),
    [
        ("1", ["เห็นด้วย"], "เห็นด้วย", None),  # a one-item list from a form
        ("1", ["เห็นด้วย", "ไม่เห็นด้วย"], None, "Choose one of the options."),
        ("1", [], None, "Choose one of the options."),
        ("1", "อื่น ๆ", None, "Choose one of the options."),
        ("1", None, None, "Choose an answer."),
        ("2", "ข", ["ข"], None),  # a single string is one choice
        ("2", ["ค", "ก", " "], ["ก", "ค"], None),  # in the question's order
        ("2", ["ง"], None, "Choose one of the options."),
        ("2", [], None, "Choose an answer."),
        ("2", None, None, "Choose an answer."),
        ("3", 1, 1, None),
        ("3", "5", 5, None),
        ("3", "๕", 5, None),
        ("3", 0, None, "Choose a number from %(min)s to %(max)s."),
        ("3", "6", None, "Choose a number from %(min)s to %(max)s."),
        ("3", True, None, "Choose a number from %(min)s to %(max)s."),  # a bool is not a number
        ("3", "สาม", None, "Choose a number from %(min)s to %(max)s."),
        ("4", "  ดีมาก\nทุกข้อ ", "ดีมาก\nทุกข้อ", None),
        ("4", CH * 5000, CH * 5000, None),
        ("4", CH * 5001, None, "This is too long (at most %(max)s characters)."),
        ("4", "  ", None, "Please answer this question."),
    ],
)
def test_answers(qid, value, clean, problem):
    got_clean, errors = rules.check_answers(QUESTIONS, ANSWERED | {qid: value})
    if problem is None:
        assert errors == {}
        assert got_clean[qid] == clean
    else:
        assert list(errors) == [f"q{qid}"] and errors[f"q{qid}"].msgid == problem
        assert qid not in got_clean
        assert all_shown_in_thai(errors)


def test_optional_questions_may_stay_blank():
    optional = [q | {"required": False} for q in QUESTIONS]
    assert rules.check_answers(optional, {}) == ({}, {})
    assert rules.check_answers(optional, {"2": [], "4": " "}) == ({}, {})


def test_scale_problem_names_its_range():
    _, errors = rules.check_answers(QUESTIONS, ANSWERED | {"3": "9"})
    assert errors["q3"].params == {"min": 1, "max": 5}


# ------------------------------------------------------------------ small helpers


@pytest.mark.parametrize(
    ("left", "days"),
    [
        (timedelta(0), 0),
        (-timedelta(days=2), 0),
        (timedelta(seconds=1), 1),
        (timedelta(days=1), 1),
        (timedelta(days=1, seconds=1), 2),
        (timedelta(days=15), 15),
    ],
)
def test_days_left(left, days):
    assert rules.days_left(NOW + left, NOW) == days


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", []),
        ("ย่อหน้าเดียว", ["ย่อหน้าเดียว"]),
        ("ก\r\n\r\nข", ["ก", "ข"]),
        ("ก\rข", ["ก\nข"]),
        ("หมวด ๑\nมาตรา ๓ ให้ใช้\nมาตรา ๔ ห้าม", ["หมวด ๑", "มาตรา ๓ ให้ใช้", "มาตรา ๔ ห้าม"]),
        ("ข้อ 1. หนึ่ง\nต่อ\n2) สอง", ["ข้อ 1. หนึ่ง\nต่อ", "2) สอง"]),
        ("Section 5 x\narticle 6 y", ["Section 5 x", "article 6 y"]),
        ("ก  \n\n\n  ข", ["ก", "ข"]),
        ("มาตรา ๓ ให้ใช้", ["มาตรา ๓ ให้ใช้"]),
        ("2020ปี", ["2020ปี"]),
    ],
)
def test_split_sections(text, parts):
    assert rules.split_sections(text) == parts


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2025-03-05", None, (datetime(2025, 3, 5, tzinfo=UTC), None, {})),
        ("๒๕๖๘-๐๓-๐๕", None, (datetime(2025, 3, 5, tzinfo=UTC), None, {})),  # Buddhist era, Thai digits
        ("2399-01-01", None, (datetime(2399, 1, 1, tzinfo=UTC), None, {})),
        (None, "2025-03-05", (None, datetime(2025, 3, 6, tzinfo=UTC), {})),  # that whole day
        (None, "2025-03-05T09:00", (None, datetime(2025, 3, 5, 9, tzinfo=UTC), {})),
        ("2025-03-05T09:00+07:00", None, (datetime(2025, 3, 5, 2, tzinfo=UTC), None, {})),
        ("5/3/2025", " ", (None, None, {"since": Problem(rules.BAD_FILTER_DATE)})),
        ("2025-02-30", None, (None, None, {"since": Problem(rules.BAD_FILTER_DATE)})),
        (
            "2025-03-06",
            "2025-03-05",
            (datetime(2025, 3, 6, tzinfo=UTC), datetime(2025, 3, 6, tzinfo=UTC),
             {"until": Problem(rules.FILTER_PERIOD_REVERSED)}),
        ),
    ],
)  # fmt: skip
def test_filter_period(since, until, expected):
    assert rules.parse_filter_period(since, until, UTC) == expected


@settings(deadline=None, max_examples=50)
@given(st.text(max_size=20), st.text(max_size=20))
def test_outcome_errors_are_always_translated(title, reason):
    errors = _outcome([{"title": title, "disposition": "x", "reason": reason}], version=2)
    assert all_shown_in_thai(errors)


def test_action_labels_are_marked_for_translation_and_translated():
    # N_ only marks a msgid for extraction: it must hand the message back unchanged.
    assert rules.N_("Close now") == "Close now"
    assert set(rules.ACTION_LABELS) == set(rules.TRANSITIONS)
    assert all_shown_in_thai({a: Problem(label) for a, label in rules.ACTION_LABELS.items()})


# ------------------------------------------------------------------ rules the actions ask that had no unit test


@pytest.mark.parametrize("status", STATUSES)
def test_can_edit_while_anything_is_editable(status):
    assert rules.can_edit(status) is (status in ("draft", "scheduled", "open"))


def test_only_the_platform_advances_the_lifecycle():
    assert rules.can_advance_lifecycle(SimpleNamespace(id=None))  # the system actor
    assert not rules.can_advance_lifecycle(ROLES["admin"])
    assert not rules.can_advance_lifecycle(SimpleNamespace(id=0))
    assert not rules.can_advance_lifecycle(object())  # no id at all is not the platform


def test_anyone_active_may_report():
    assert rules.can_report(ROLES["citizen"])
    assert not rules.can_report(user(7, status="blocked"))
    assert not rules.can_report(None)


def _q(kind="single", prompt="คุณเห็นด้วยหรือไม่", options=("ใช่", "ไม่")):
    return QuestionIn(kind=kind, prompt=prompt, options=list(options))


def test_check_questions_keys_each_problem_by_its_row():
    assert rules.check_questions([_q(), _q("text", options=()), _q("scale", options=())]) == {}
    errors = rules.check_questions([_q(), _q(prompt="ab", options=("ใช่",)), _q(options=("ใช่", "ใช่"))])
    assert errors == {
        "questions[1].prompt": Problem("This is too short (at least %(min)s characters).", {"min": 3}),
        "questions[1].options": Problem("Give at least two options."),
        "questions[2].options": Problem("Each option must be different."),
    }


def test_check_questions_counts_first():
    n = rules.MAX_QUESTIONS + 1
    errors = rules.check_questions([_q()] * (n - 1) + [_q(kind="poll")])
    assert errors == {
        "questions": Problem(rules.TOO_MANY_QUESTIONS, {"max": rules.MAX_QUESTIONS}),
        f"questions[{n - 1}].kind": Problem("Choose one of the options."),
    }


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("", []),
        ("12", [12]),
        ("#12, ๑๓", [12, 13]),
        ("12،13", [12, 13]),  # an Arabic comma
        (" , 7 ,, #8 ,", [7, 8]),  # blanks between commas are skipped
        ("0", [0]),
        ("12, x", None),
        ("12 13", None),
        ("-1", None),
        ("#", None),
        ("١٢", None),  # Arabic-Indic digits are not Thai
    ],
)
def test_parse_comment_ids(text, ids):
    assert rules.parse_comment_ids(text) == ids


def test_check_theme_links_names_the_unreadable_theme():
    themes = [{"comment_ids": [1]}, {"comment_ids": None}, {}, {"comment_ids": []}, {"comment_ids": None}]
    assert rules.check_theme_links(themes) == {
        "theme1_comment_ids": Problem(rules.COMMENT_IDS_UNREADABLE),
        "theme4_comment_ids": Problem(rules.COMMENT_IDS_UNREADABLE),
    }
    assert all_shown_in_thai(rules.check_theme_links(themes))


# ------------------------------------------------------------------ edges the mutation run found untested


def test_each_question_is_checked_after_a_refused_one():
    questions = [
        {"id": 1, "kind": "single", "required": True, "options": ["ใช่", "ไม่"]},
        {"id": 2, "kind": "multi", "required": True, "options": ["ก", "ข"]},
        {"id": 3, "kind": "multi", "required": True, "options": ["ก", "ข"]},
        {"id": 6, "kind": "text", "required": False, "options": []},  # left blank
        {"id": 4, "kind": "single", "required": True, "options": ["ใช่", "ไม่"]},
        {"id": 5, "kind": "text", "required": False, "options": []},
    ]
    clean, errors = rules.check_answers(
        questions, {"1": ["ใช่", "ไม่"], "2": [], "3": ["ง"], "4": "ใช่", "5": "ดี"}
    )
    assert set(errors) == {"q1", "q2", "q3"}
    assert clean == {"4": "ใช่", "5": "ดี"}


def test_a_multi_answer_given_as_one_string_is_one_choice():
    question = {"id": 7, "kind": "multi", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]}
    assert rules.check_answers([question], {"7": "ไม่เห็นด้วย"}) == ({"7": ["ไม่เห็นด้วย"]}, {})


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2400-01-01", datetime(1857, 1, 1, tzinfo=UTC)),  # the first year read as Buddhist era
        ("2399-12-31", datetime(2399, 12, 31, tzinfo=UTC)),
    ],
)
def test_filter_dates_from_the_buddhist_era_start_at_2400(typed, read):
    assert rules.parse_filter_period(typed, None, UTC) == (read, None, {})


def test_an_unreadable_filter_date_names_what_was_typed():
    with pytest.raises(ValueError, match="5 March"):
        rules._filter_date("5 March", UTC)


def test_only_a_hash_may_precede_a_comment_number():
    assert rules.parse_comment_ids("X7") is None


@pytest.mark.parametrize("requires", [False, True])
@pytest.mark.parametrize("id_verified", [False, True])
def test_a_consultation_that_asks_for_a_verified_national_id(requires, id_verified):
    person = msgspec.structs.replace(user(1), id_verified=id_verified)
    allowed = id_verified or not requires
    assert rules.can_respond(person, "open", requires_national_id=requires) is allowed
    assert rules.can_comment(person, "open", requires_national_id=requires) is allowed
    assert rules.can_respond(None, "open", requires_national_id=requires) is False


def test_taking_over_a_counter_answer_needs_a_verified_address_only():
    assert rules.can_take_response(user(1))
    assert not rules.can_take_response(msgspec.structs.replace(user(1), email_verified=False))
    assert not rules.can_take_response(None)
