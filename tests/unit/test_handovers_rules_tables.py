"""Handover rules as tables: every action from every status, every role, and each validator at the
edge of its limits. The expected values are written here, not read from the rules' own sets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.handovers import rules
from civic.validation import Problem
from tests.unit.rules_support import CH, all_shown_in_thai, lengths, user

AGENCY, OTHER_AGENCY, PARTNER, OTHER_PARTNER, PENDING = 1, 2, 10, 11, 12

ROLES = {
    "visitor": None,
    "citizen": user(1),
    "staff": user(2, agencies=(AGENCY,)),
    "blocked_staff": user(3, agencies=(AGENCY,), status="blocked"),
    "rival_staff": user(4, agencies=(OTHER_AGENCY,)),
    "partner": user(5, partners=(PARTNER,)),
    "blocked_partner": user(6, partners=(PARTNER,), status="blocked"),
    "other_partner": user(7, partners=(OTHER_PARTNER,)),
    "unverified_partner": user(8, partners=(PENDING,), verified=False),
    "admin": user(9, role="admin"),
}

STATUSES = [
    "draft",
    "open",
    "claimed",
    "in_progress",
    "completion_requested",
    "completed",
    "cancelled",
    "expired",
]
LIVE = ["draft", "open", "claimed", "in_progress", "completion_requested"]
# action -> {from status: to status}
EXPECTED = {
    "publish": {"draft": "open"},
    "claim": {"open": "claimed"},
    "confirm": {"claimed": "in_progress"},
    "release": {"claimed": "open"},
    "expire_claim": {"claimed": "open"},
    "withdraw": {"claimed": "open", "in_progress": "open", "completion_requested": "open"},
    "request_completion": {"in_progress": "completion_requested"},
    "sign_off": {"completion_requested": "completed"},
    "reject": {"completion_requested": "in_progress"},
    "cancel": dict.fromkeys(LIVE, "cancelled"),
    "expire": {"open": "expired"},
}


def test_the_tables_here_cover_every_status_and_action():
    assert tuple(STATUSES) == rules.STATUSES
    assert set(EXPECTED) == set(rules.TRANSITIONS)


@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_action_from_every_status(action):
    for status in STATUSES:
        target = EXPECTED[action].get(status)
        assert rules.allowed(action, status) is (target is not None), status
        if target is None:
            with pytest.raises(rules.InvalidTransition) as refused:
                rules.next_status(action, status)
            assert (refused.value.action, refused.value.status) == (action, status)
            assert str(refused.value) == f"{action} from {status}"
        else:
            assert rules.next_status(action, status) == target


@pytest.mark.parametrize("status", STATUSES)
def test_actions_from(status):
    assert rules.actions_from(status) == [a for a in EXPECTED if status in EXPECTED[a]]


# ------------------------------------------------------------------ permissions

# role -> (post/manage AGENCY's tasks, view AGENCY's draft, claim for PARTNER (verified only),
#          claim for PENDING (any partner), deliver/withdraw as holder PARTNER)
PERMISSIONS = {
    "visitor": (False, False, False, False, False),
    "citizen": (False, False, False, False, False),
    "staff": (True, True, False, False, False),
    "blocked_staff": (False, False, False, False, False),
    "rival_staff": (False, False, False, False, False),
    "partner": (False, False, True, False, True),
    "blocked_partner": (False, False, False, False, False),
    "other_partner": (False, False, False, False, False),
    "unverified_partner": (False, False, False, True, False),
    "admin": (False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_permissions(role):
    who = ROLES[role]
    manage, view_draft, claim_verified, claim_any, deliver = PERMISSIONS[role]
    assert rules.is_agency_staff(who, AGENCY) is manage
    assert rules.can_post(who, AGENCY) is manage
    assert rules.can_manage(who, AGENCY) is manage
    assert rules.can_view(who, AGENCY, "draft") is view_draft
    assert all(rules.can_view(who, AGENCY, s) for s in STATUSES if s != "draft")
    assert rules.can_claim(who, PARTNER, verified_only=True) is claim_verified
    assert rules.can_claim(who, PENDING, verified_only=False) is claim_any
    assert rules.can_claim(who, PENDING, verified_only=True) is False
    assert rules.can_deliver(who, PARTNER) is deliver
    assert rules.can_withdraw(who, PARTNER) is deliver
    assert rules.can_deliver(who, None) is False
    assert rules.can_withdraw(who, None) is False


def test_claimable_partners_are_sorted_and_filtered():
    both = user(1, partners=(30, 20), verified=True)
    assert rules.claimable_partners(both, verified_only=True) == [20, 30]
    mixed = user(2, partners=(20,), verified=False)
    assert rules.claimable_partners(mixed, verified_only=False) == [20]
    assert rules.claimable_partners(mixed, verified_only=True) == []
    assert rules.claimable_partners(None, verified_only=False) == []
    assert rules.claimable_partners(user(3, partners=(20,), status="blocked"), verified_only=False) == []


@pytest.mark.parametrize("role", list(ROLES))
def test_edit_needs_the_owning_agency_and_a_live_task(role):
    for status in STATUSES:
        expected = PERMISSIONS[role][0] and status in LIVE
        assert rules.can_edit(ROLES[role], AGENCY, status) is expected, status


# ------------------------------------------------------------------ parsing numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 7),
        ("", 7),
        ("1", 1),
        ("90", 90),
        (90, 90),
        ("๙๐", 90),
        (" 14 ", 14),
        ("0", "refused"),
        ("91", "refused"),
        ("-1", "refused"),
        ("1.5", "refused"),
        ("seven", "refused"),
        ("²", "refused"),  # isdigit() is True for a superscript; int() would fail on it
        ("١٢", "refused"),  # Arabic-Indic digits are digits to Python, not to us
    ],
)
def test_parse_days(value, expected):
    got = rules.parse_days(value, 7)
    if expected == "refused":
        assert got == Problem("Enter a whole number of days between 1 and 90.")
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("  ", None),
        ("0", Decimal(0)),
        ("15000", Decimal("15000")),
        ("1,500.50", Decimal("1500.50")),
        ("๑ ๕๐๐", Decimal("1500")),
        ("999999999999.99", Decimal("999999999999.99")),
        ("1000000000000", "bad"),  # 13 digits
        ("1.234", "bad"),
        ("1e5", "bad"),
        ("NaN", "bad"),
        ("-1", "negative"),
        ("-0", Decimal(0)),
    ],
)
def test_parse_money(value, expected):
    got = rules.parse_money(value)
    if expected == "bad":
        assert got == Problem("Enter an amount in baht, like 15000 or 15000.50.")
    elif expected == "negative":
        assert got == Problem("The budget cannot be negative.")
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a, b\nc", ["a", "b", "c"]),
        (" a ,, a ,b", ["a", "b"]),
        (["b", " a", "b", ""], ["b", "a"]),
        (None, []),
        ("", []),
    ],
)
def test_split_list(value, expected):
    assert rules.split_list(value) == expected


# ------------------------------------------------------------------ validate_task

TODAY = date(2026, 5, 1)
GOOD_TASK = {
    "title": "อบรมเตรียมความพร้อมรับน้ำท่วม",
    "description": "อบรมอาสาสมัครชุมชนเรื่องอุทกภัยและการอพยพ",
    "deliverables": "อบรม 3 ครั้ง",
    "province": "KKN",
    "category": "disaster",
    "contact": "โทร 043-000-000",
    "claim_opens": TODAY.isoformat(),
    "claim_closes": (TODAY + timedelta(days=10)).isoformat(),
    "deadline": (TODAY + timedelta(days=40)).isoformat(),
}


def _task(**changes):
    return rules.validate_task(GOOD_TASK | changes)


def test_good_task_and_its_defaults():
    clean, errors = _task(title="  อบรมเตรียมความพร้อมรับน้ำท่วม  ")
    assert errors == {}
    assert clean == {
        "title": "อบรมเตรียมความพร้อมรับน้ำท่วม",
        "description": GOOD_TASK["description"],
        "deliverables": GOOD_TASK["deliverables"],
        "district": "",
        "location": "",
        "contact": GOOD_TASK["contact"],
        "province": "KKN",
        "category": "disaster",
        "partner_types": [],
        "skills": [],
        "budget": None,
        "claim_opens": TODAY,
        "claim_closes": TODAY + timedelta(days=10),
        "deadline": TODAY + timedelta(days=40),
        "confirm_days": 7,
        "review_days": 14,
        "verified_only": True,
        "milestones": [],
    }


# field, min, max, multi-line, required (as the form promises them)
TEXT_FIELDS = [
    ("title", 5, 200, False, True),
    ("description", 20, 10000, True, True),
    ("deliverables", 5, 5000, True, True),
    ("district", 1, 100, False, False),
    ("location", 1, 300, False, False),
    ("contact", 5, 500, True, True),
]


@pytest.mark.parametrize(("field", "lo", "hi", "multiline", "required"), TEXT_FIELDS)
def test_task_text_fields_at_their_limits(field, lo, hi, multiline, required):
    for n, ok in lengths(lo, hi):
        _, errors = _task(**{field: CH * n})
        assert (errors == {}) is ok, n
        assert set(errors) <= {field}
    _, errors = _task(**{field: CH * lo + "\n" + CH * lo})
    assert (field not in errors) is multiline
    _, errors = _task(**{field: ""})
    assert (field not in errors) is (not required)
    if required:
        assert errors[field] == Problem("This field is required.")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"province": ""}, {"province": Problem("This field is required.")}),
        ({"province": "XXX"}, {"province": Problem("Choose one of the options.")}),
        ({"category": ""}, {"category": Problem("Choose an option.")}),
        ({"category": "weather"}, {"category": Problem("Choose one of the options.")}),
        ({"partner_types": "ngo, spy"}, {"partner_types": Problem("Choose one of the options.")}),
        ({"budget": "abc"}, {"budget": Problem("Enter an amount in baht, like 15000 or 15000.50.")}),
        ({"claim_opens": ""}, {"claim_opens": Problem("This field is required.")}),
        ({"claim_closes": "31/05/2026"}, {"claim_closes": Problem("Enter a date like 2026-05-31.")}),
        ({"deadline": None}, {"deadline": Problem("This field is required.")}),
        ({"confirm_days": "0"}, {"confirm_days": Problem("Enter a whole number of days between 1 and 90.")}),
        ({"review_days": "91"}, {"review_days": Problem("Enter a whole number of days between 1 and 90.")}),
        (
            {"claim_closes": (TODAY - timedelta(days=1)).isoformat()},
            {"claim_closes": Problem("The claim window must close after it opens.")},
        ),
        (
            {"deadline": (TODAY + timedelta(days=10)).isoformat()},
            {"deadline": Problem("The delivery deadline must come after the claim window closes.")},
        ),
    ],
)
def test_task_refusals(changes, errors):
    assert _task(**changes)[1] == errors


def test_task_edges_that_are_accepted():
    # A claim window may open and close on the same day; the deadline one day after it closes.
    _, errors = _task(claim_closes=TODAY.isoformat(), deadline=(TODAY + timedelta(days=1)).isoformat())
    assert errors == {}
    clean, errors = _task(partner_types=["ngo", "company"], budget=15000, confirm_days="๓", review_days=90)
    assert errors == {}
    assert (clean["partner_types"], clean["budget"]) == (["ngo", "company"], Decimal(15000))
    assert (clean["confirm_days"], clean["review_days"]) == (3, 90)


def test_a_refused_number_keeps_its_default_and_a_refused_budget_none():
    clean, _ = _task(confirm_days="x", review_days="x", budget="x")
    assert (clean["confirm_days"], clean["review_days"], clean["budget"]) == (7, 14, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("on", True), ("1", True), ("", False), ("0", False),
     ("false", False), ("no", False), ("off", False)],
)  # fmt: skip
def test_verified_only(value, expected):
    assert _task(verified_only=value)[0]["verified_only"] is expected


@pytest.mark.parametrize(
    ("skills", "ok"),
    [
        ([f"s{i}" for i in range(20)], True),
        ([f"s{i}" for i in range(21)], False),
        (["ก" * 100], True),
        (["ก" * 101], False),
    ],
)
def test_task_skills(skills, ok):
    _, errors = _task(skills=skills)
    expected = {"skills": Problem("List at most 20 skills, each under 100 characters.")}
    assert errors == ({} if ok else expected)


# ------------------------------------------------------------------ milestones

DEADLINE = date(2026, 6, 30)


def _row(title="ระยะแรก", due="2026-06-01", share="", **extra):
    return {"title": title, "due": due, "share": share, **extra}


@pytest.mark.parametrize(
    ("shares", "ok"),
    [
        (["100"], True),
        (["50", "50"], True),  # exactly 100 % in total is a whole plan
        (["33.33", "33.33", "33.34"], True),
        (["100.01"], False),
        (["50", "50.01"], False),
        (["0"], True),
    ],
)
def test_budget_shares_add_up_to_at_most_100(shares, ok):
    rows = [_row(title=f"ระยะ {i}", share=s) for i, s in enumerate(shares)]
    plan, problem = rules.validate_milestones(rows, DEADLINE)
    if ok:
        assert problem is None
        assert [m["share"] for m in plan] == [Decimal(s) for s in shares]
    else:
        assert problem in (
            Problem("The budget shares add up to more than 100 percent."),
            Problem("A budget share is a percentage from 0 to 100."),
        )


def test_the_total_is_checked_not_only_each_share():
    _, problem = rules.validate_milestones([_row(share="60"), _row(title="ระยะสอง", share="40.01")], DEADLINE)
    assert problem == Problem("The budget shares add up to more than 100 percent.")


@pytest.mark.parametrize("share", ["100.01", "-1", "abc", "1e2"])
def test_a_share_outside_0_to_100_is_refused(share):
    _, problem = rules.validate_milestones([_row(share=share)], DEADLINE)
    assert problem == Problem("A budget share is a percentage from 0 to 100.")


@pytest.mark.parametrize(("n", "ok"), [(20, True), (21, False)])
def test_at_most_20_milestones(n, ok):
    plan, problem = rules.validate_milestones([_row(title=f"ระยะ {i}") for i in range(n)], DEADLINE)
    assert len(plan) == n
    assert problem == (None if ok else Problem("A task can have at most 20 milestones."))


@pytest.mark.parametrize(("n", "ok"), lengths(3, 200))
def test_milestone_title_length(n, ok):
    _, problem = rules.validate_milestones([_row(title=CH * n)], DEADLINE)
    assert problem == (None if ok else Problem("Each milestone needs a title of 3 to 200 characters."))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (_row(due=""), "Each milestone needs a due date like 2026-05-31."),
        (_row(due="tomorrow"), "Each milestone needs a due date like 2026-05-31."),
        (_row(due="2026-07-01"), "A milestone cannot be due after the delivery deadline."),
        (_row(due="2026-06-30"), None),  # due on the deadline itself
        (_row(title="", due="", share=""), None),  # an empty form row is skipped
        (_row(title="", due="", share=None), None),
        (_row(id="7"), None),
        (_row(id="0"), "We could not find that milestone."),
        (_row(id="x"), "We could not find that milestone."),
        (_row(id=str(2**63)), "We could not find that milestone."),
        (_row(id=str(2**63 - 1)), None),  # the largest bigint
        (_row(id="126"), None),
        (_row(title="", share=""), "Each milestone needs a title of 3 to 200 characters."),  # a date alone
        (_row(title="", due="", share="10"), "Each milestone needs a title of 3 to 200 characters."),
    ],
)
def test_milestone_rows(row, problem):
    _, got = rules.validate_milestones([row], DEADLINE)
    assert got == (None if problem is None else Problem(problem))


def test_milestone_rows_are_cleaned():
    plan, problem = rules.validate_milestones(
        [_row(title=" ระยะแรก ", due=" 2026-06-01 ", share=" 40 ", id="7"), _row(title="", due="", share="")],
        None,  # without a deadline any date is fine
    )
    assert problem is None
    assert plan == [{"title": "ระยะแรก", "due": date(2026, 6, 1), "share": Decimal(40), "id": 7}]
    plan, _ = rules.validate_milestones([_row(share=0), _row(id="")], None)
    assert plan == [
        {"title": "ระยะแรก", "due": date(2026, 6, 1), "share": Decimal(0)},
        {"title": "ระยะแรก", "due": date(2026, 6, 1), "share": None},
    ]


def test_an_empty_row_between_milestones_skips_only_itself():
    blank = _row(title="", due="", share="")
    plan, problem = rules.validate_milestones(
        [blank, _row(title="ระยะสอง"), blank, _row(title="ระยะสาม")], None
    )
    assert problem is None
    assert [m["title"] for m in plan] == ["ระยะสอง", "ระยะสาม"]


def test_milestone_problem_goes_to_the_task():
    _, errors = _task(milestones=[_row(due="2026-05-20", share="101")])
    assert errors == {"milestones": Problem("A budget share is a percentage from 0 to 100.")}


# ------------------------------------------------------------------ partner and agency texts


@pytest.mark.parametrize(("n", "ok"), lengths(5, 5000))
def test_progress_report_body(n, ok):
    clean, errors = rules.validate_update(CH * n, "10", "")
    assert (errors == {}) is ok
    assert clean["body"] == CH * n  # the text the partner wrote is what gets published


def test_progress_report_keeps_its_text_and_links():
    clean, errors = rules.validate_update(
        "  อบรมแล้ว 45 คน\nครบทุกหมู่บ้าน  ", "๕๐", "https://a.example/x\nhttps://b.example/y"
    )
    assert errors == {}
    assert clean == {
        "body": "อบรมแล้ว 45 คน\nครบทุกหมู่บ้าน",
        "percent": 50,
        "links": ["https://a.example/x", "https://b.example/y"],
    }


def test_progress_report_without_text():
    clean, errors = rules.validate_update(None, None, None)
    assert clean == {"body": "", "percent": 0, "links": []}
    assert errors == {
        "body": Problem("This field is required."),
        "percent": Problem("Enter a percentage from 0 to 100."),
    }


@pytest.mark.parametrize(
    ("percent", "ok"),
    [("0", True), ("100", True), (100, True), ("101", False), ("-1", False), ("๑๐๐", True),
     ("50.5", False), ("", False), ("²", False)],
)  # fmt: skip
def test_progress_percent(percent, ok):
    clean, errors = rules.validate_update("อบรมแล้ว 45 คน", percent, "")
    assert ("percent" not in errors) is ok
    if ok:
        assert clean["percent"] == int(str(percent).translate(str.maketrans("๐๑", "01")))


LINKS_PROBLEM = Problem("Links must start with http:// or https:// (at most 10).")


@pytest.mark.parametrize(
    ("links", "ok"),
    [
        ([f"https://a.example/{i}" for i in range(10)], True),
        ([f"https://a.example/{i}" for i in range(11)], False),
        (["http://abc"], True),
        (["http://ab"], False),
        (["https://" + "a" * 500], True),
        (["https://" + "a" * 501], False),
        (["ftp://a.example"], False),
        (["https://a.example/<script>"], False),
    ],
)
def test_progress_links(links, ok):
    _, errors = rules.validate_update("อบรมแล้ว 45 คน", "10", links)
    assert errors == ({} if ok else {"links": LINKS_PROBLEM})


@pytest.mark.parametrize(
    ("field", "lo", "hi"),
    [("plan", 20, 5000), ("team", 3, 2000)],
)
def test_claim_texts_at_their_limits(field, lo, hi):
    good = {"plan": "จะจัดอบรมสามครั้งในสามตำบล", "team": "อาสา 5 คน"}
    assert rules.validate_claim(**good) == {}
    for n, ok in lengths(lo, hi):
        errors = rules.validate_claim(**(good | {field: CH * n}))
        assert (errors == {}) is ok, n
    assert rules.validate_claim(**(good | {field: CH * lo + "\n" + CH})) == {}
    assert rules.validate_claim(None, None) == {
        "plan": Problem("This field is required."),
        "team": Problem("This field is required."),
    }


@pytest.mark.parametrize("verdict", ["met", "partly_met", "not_met"])
def test_review_verdicts(verdict):
    assert rules.validate_review(verdict, "ครบ\nตามแผน") == {}


@pytest.mark.parametrize(("n", "ok"), lengths(2, 2000))
def test_review_comment_length(n, ok):
    assert (rules.validate_review("met", CH * n) == {}) is ok


def test_review_refusals():
    assert rules.validate_review("done", "") == {
        "verdict": Problem("Choose one of the options."),
        "comment": Problem("This field is required."),
    }
    assert rules.validate_review(None, "ครบ") == {"verdict": Problem("Choose an option.")}


@pytest.mark.parametrize(("n", "ok"), lengths(5, 2000))
def test_required_reason_length(n, ok):
    assert (rules.validate_reason(CH * n) is None) is ok


@pytest.mark.parametrize(("n", "ok"), [*lengths(1, 2000), (0, True)])
def test_optional_reason_length(n, ok):
    assert (rules.validate_reason(CH * n, required=False) is None) is ok


def test_reason_may_run_over_lines_but_is_required_by_default():
    assert rules.validate_reason("เหตุผล\nบรรทัดสอง") is None
    assert rules.validate_reason("") == Problem("This field is required.")
    assert rules.validate_reason(None) == Problem("This field is required.")


# The first call reads the catalogues, and this machine is shared: no deadline.
@settings(deadline=None, max_examples=50)
@given(
    st.dictionaries(
        st.sampled_from(["title", "province", "category", "budget", "confirm_days", "deadline", "skills"]),
        st.text(max_size=12),
    )
)
def test_task_errors_are_always_translated(changes):
    assert all_shown_in_thai(_task(**changes)[1])


# ------------------------------------------------------------------ rules added with the actions

ROWS = [{"id": str(i), "title": t, "due": "", "share": ""} for i, t in enumerate(["ก", "ข", "ค"], 1)]
BLANK = {"id": "", "title": "", "due": "", "share": ""}


@pytest.mark.parametrize(
    ("action", "titles"),
    [
        ("add", ["ก", "ข", "ค", ""]),
        ("up:2", ["ข", "ก", "ค"]),
        ("up:3", ["ก", "ค", "ข"]),
        ("up:1", ["ก", "ข", "ค"]),  # the first row has nowhere to go
        ("up:4", ["ก", "ข", "ค"]),  # a stale page: left as it is
        ("remove:1", ["ข", "ค"]),
        ("remove:3", ["ก", "ข"]),
        ("remove:4", ["ก", "ข", "ค"]),
        ("remove:0", ["ก", "ข", "ค"]),
        ("remove:x", ["ก", "ข", "ค"]),
        ("bogus:1", ["ก", "ข", "ค"]),
    ],
)
def test_milestone_rows_for_each_action(action, titles):
    rows = rules.milestone_rows(ROWS, action)
    assert [r["title"] for r in rows] == titles
    assert [r["title"] for r in ROWS] == ["ก", "ข", "ค"]  # the typed rows are not changed in place
    if action == "add":
        assert rows[-1] == BLANK


def test_milestone_rows_add_stops_at_20():
    assert len(rules.milestone_rows([BLANK] * 19, "add")) == 20
    assert len(rules.milestone_rows([BLANK] * 20, "add")) == 20


@pytest.mark.parametrize(
    ("role", "ok"), [("system", True), ("admin", False), ("citizen", False), ("", False)]
)
def test_only_the_scheduler_expires(role, ok):
    assert rules.can_expire(role) is ok


@pytest.mark.parametrize(
    ("who", "slug", "agency"),
    [
        (ROLES["staff"], "a1", AGENCY),
        (ROLES["staff"], "", AGENCY),  # no slug: the poster's first agency
        (ROLES["staff"], None, AGENCY),
        (ROLES["staff"], " a1 ", AGENCY),
        (ROLES["staff"], "a2", None),
        (ROLES["blocked_staff"], "a1", None),
        (ROLES["partner"], "", None),  # a partner membership is not an agency
        (ROLES["visitor"], "a1", None),
        (user(20, agencies=(OTHER_AGENCY, AGENCY)), "a1", AGENCY),
    ],
)
def test_posting_agency(who, slug, agency):
    assert rules.posting_agency(who, slug) == agency


# ------------------------------------------------------------------ reviews, sign-off, who reads a report as written

COMMENT = "ส่งงานครบตามแผน"


@pytest.mark.parametrize("verdict", ["met", "partly_met", "not_met", "waived"])
def test_a_reported_milestone_takes_any_verdict(verdict):
    assert rules.validate_review(verdict, COMMENT) == {}


@pytest.mark.parametrize(
    ("verdict", "ok"), [("waived", True), ("met", False), ("partly_met", False), ("not_met", False)]
)
def test_a_milestone_nobody_reported_on_can_only_be_waived(verdict, ok):
    errors = rules.validate_review(verdict, COMMENT, reported=False)
    assert errors == ({} if ok else {"verdict": Problem(rules.NOT_REPORTED)})


def test_an_unknown_verdict_is_refused_as_such_even_unreported():
    assert rules.validate_review("maybe", COMMENT, reported=False) == {
        "verdict": Problem("Choose one of the options.")
    }


@pytest.mark.parametrize(
    ("statuses", "still_open"),
    [
        (["met", "partly_met", "waived"], None),
        ([], None),
        (["met", "scheduled", "not_met"], "ระยะ 1, ระยะ 2"),  # named in order, every one still open
    ],
)
def test_sign_off_needs_every_milestone_accepted_or_waived(statuses, still_open):
    milestones = [(f"ระยะ {i}", s) for i, s in enumerate(statuses)]
    expected = {} if still_open is None else {"milestones": Problem(rules.UNREVIEWED, {"titles": still_open})}
    assert rules.validate_sign_off(milestones, COMMENT) == expected
    assert all_shown_in_thai(expected)


def test_sign_off_says_in_words_what_was_accepted():
    assert rules.validate_sign_off([("ระยะ 0", "met")], "") == {"comment": Problem("This field is required.")}
    assert rules.validate_sign_off([("ระยะ 0", "met")], CH) == {
        "comment": Problem("This is too short (at least %(min)s characters).", {"min": 2})
    }


@pytest.mark.parametrize(
    ("role", "as_written"),
    [
        ("visitor", False),
        ("citizen", False),
        ("staff", True),  # the task's agency
        ("blocked_staff", False),
        ("rival_staff", False),
        ("partner", True),  # the partner that wrote it
        ("other_partner", False),
        ("admin", False),
    ],
)
def test_who_reads_a_progress_report_as_written(role, as_written):
    assert rules.sees_update_as_written(ROLES[role], AGENCY, f"p{PARTNER}") is as_written
