"""Editing a posted task: the state x field table and the goal-post rules (rules.check_edit)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec
import pytest

from civic.handovers import rules
from civic.handovers.schemas import Milestone, Task
from civic.validation import Problem
from tests.unit.test_handovers_rules import NOK, RIVAL, STAFF

D = date.fromisoformat
CURRENT = {
    "category": "disaster",
    "claim_opens": D("2026-05-01"),
    "claim_closes": D("2026-05-15"),
    "deadline": D("2026-07-31"),
    "milestones": [
        (1, "อบรมครั้งที่ 1", D("2026-06-10"), Decimal("40")),
        (2, "อบรมครั้งที่ 2", D("2026-07-10"), None),
    ],
}
HELD = ("claimed", "in_progress", "completion_requested")
CLOSED = ("completed", "cancelled", "expired")
PLAN = (1, "อบรมครั้งที่ 1", D("2026-06-10"), Decimal("40")), (2, "อบรมครั้งที่ 2", D("2026-07-10"), None)


def ms(*rows) -> list[dict]:
    return [{"id": i, "title": t, "due": d, "share": s} for i, t, d, s in rows]


# One change per field, each in the direction that gives the partner more (later dates), so the
# table shows what the state alone allows.
CHANGES = {
    "title": "อบรมรับมือน้ำท่วม ตำบลท่าพระ",
    "description": "ข้อความใหม่" * 5,
    "deliverables": "อบรม 4 ครั้ง",
    "contact": "โทร 043-111-111",
    "district": "เมือง",
    "location": "ศาลาวัด",
    "budget": Decimal("50000"),
    "category": "health",
    "claim_opens": D("2026-05-02"),
    "claim_closes": D("2026-05-20"),
    "deadline": D("2026-08-31"),
    "milestones": ms((1, "อบรมครั้งที่ 1", D("2026-06-20"), Decimal("40")), PLAN[1]),
}
ALLOWED_WHEN_HELD = {"category", "deadline", "milestones"}


@pytest.mark.parametrize("status", rules.STATUSES)
@pytest.mark.parametrize("field", list(CHANGES))
def test_state_by_field_table(status, field):
    errors = rules.check_edit(status, CURRENT, {field: CHANGES[field]}, {})
    if status in ("draft", "open"):
        assert errors == {}
    elif status in HELD:
        if field in ALLOWED_WHEN_HELD:
            assert errors == {}
        else:
            assert errors[field].msgid == rules.HELD_FIXED
    else:
        assert errors[field].msgid == rules.EDIT_CLOSED
    assert (field in rules.editable_fields(status)) == (errors == {})


def test_the_table_names_every_state_and_field():
    assert set(rules.EDIT_FIELDS) == set(CHANGES)
    assert {s for s in rules.STATUSES if rules.editable_fields(s)} == {"draft", "open", *HELD}
    assert all(not rules.editable_fields(s) for s in CLOSED)


def test_only_the_owning_agency_may_edit_and_only_a_live_task():
    assert rules.can_edit(STAFF, 1, "open") and rules.can_edit(STAFF, 1, "in_progress")
    assert not rules.can_edit(STAFF, 1, "completed")
    assert not rules.can_edit(RIVAL, 1, "open") and not rules.can_edit(NOK, 1, "open")
    assert not rules.can_edit(None, 1, "open")


@pytest.mark.parametrize("status", HELD)
def test_a_claimed_deadline_can_only_move_later(status):
    earlier = rules.check_edit(status, CURRENT, {"deadline": D("2026-07-30")}, {})
    assert earlier["deadline"].msgid == rules.DEADLINE_EARLIER
    assert rules.check_edit("open", CURRENT, {"deadline": D("2026-07-30")}, {}) == {}


@pytest.mark.parametrize(
    ("plan", "msgid"),
    [
        (ms((1, "อบรมครั้งที่ 1", D("2026-06-01"), Decimal("40")), PLAN[1]), rules.MILESTONE_EARLIER),
        (ms((1, "อบรมครั้งแรก", D("2026-06-10"), Decimal("40")), PLAN[1]), rules.MILESTONES_HELD),
        (ms((1, "อบรมครั้งที่ 1", D("2026-06-10"), Decimal("30")), PLAN[1]), rules.MILESTONES_HELD),
        (ms(PLAN[1], PLAN[0]), rules.MILESTONES_HELD),
        (ms(PLAN[0]), rules.MILESTONES_HELD),
        (ms(*PLAN, (None, "ติดตามผล", D("2026-07-20"), None)), rules.MILESTONES_HELD),
    ],
    ids=["earlier", "retitled", "reshared", "reordered", "removed", "added"],
)
def test_a_claimed_milestone_plan_only_gets_more_time(plan, msgid):
    for status in HELD:
        assert rules.check_edit(status, CURRENT, {"milestones": plan}, {})["milestones"].msgid == msgid
    assert rules.check_edit("open", CURRENT, {"milestones": plan}, {}) == {}


def test_a_reported_milestone_is_never_removed_or_renamed():
    reported = {1: "อบรมครั้งที่ 1"}
    for plan in (ms(PLAN[1]), ms((1, "ชื่อใหม่", D("2026-06-10"), None), PLAN[1])):
        problem = rules.check_edit("open", CURRENT, {"milestones": plan}, reported)["milestones"]
        assert problem == rules.Problem(rules.MILESTONE_REPORTED, {"title": "อบรมครั้งที่ 1"})
    # Its date and share, and the order, may still change before a new partner claims the task.
    moved = ms((2, "อบรมครั้งที่ 2", D("2026-07-10"), None), (1, "อบรมครั้งที่ 1", D("2026-07-01"), None))
    assert rules.check_edit("open", CURRENT, {"milestones": moved}, reported) == {}


def test_a_plan_cannot_name_another_tasks_milestone_or_one_twice():
    for plan in (ms((99, "ของงานอื่น", D("2026-06-10"), None)), ms(PLAN[0], PLAN[0])):
        assert rules.check_edit("open", CURRENT, {"milestones": plan}, {})["milestones"].msgid == (
            rules.MILESTONE_UNKNOWN
        )


def test_validate_milestones_keeps_the_row_id_and_refuses_a_bad_one():
    rows, problem = rules.validate_milestones(
        [{"id": "7", "title": "ระยะแรก", "due": "2026-06-01", "share": ""},
         {"id": "", "title": "ระยะสอง", "due": "2026-06-20", "share": "10"}], D("2026-07-01")
    )  # fmt: skip
    assert problem is None and [r.get("id") for r in rows] == [7, None]
    _, problem = rules.validate_milestones([{"id": "๗x", "title": "ระยะแรก", "due": "2026-06-01"}], None)
    assert problem.msgid == rules.MILESTONE_UNKNOWN


def test_edit_changes_show_values_before_and_after_and_only_name_longer_texts():
    current = CURRENT | {"title": "อบรมรับมือน้ำท่วม", "budget": Decimal("45000.00")}
    changed = {
        "budget": Decimal("35000"),
        "description": "ข้อความใหม่",
        "deadline": D("2026-08-31"),
        "category": "health",
        "milestones": ms(
            (2, "อบรมครั้งที่ 2 (ภาคสนาม)", D("2026-07-20"), None),  # renamed, re-dated, moved first
            (None, "สรุปผล", D("2026-08-15"), None),  # new
        ),  # milestone 1 removed
    }
    assert rules.edit_changes(current, changed) == [
        {"field": "description"},
        {"field": "budget", "before": "45000.00", "after": "35000"},
        {"field": "category", "before": "disaster", "after": "health"},
        {"field": "deadline", "before": "2026-07-31", "after": "2026-08-31"},
        {
            "field": "milestones",
            "added": ["สรุปผล"],
            "removed": ["อบรมครั้งที่ 1"],
            "renamed": [{"before": "อบรมครั้งที่ 2", "after": "อบรมครั้งที่ 2 (ภาคสนาม)"}],
            "redated": [{"title": "อบรมครั้งที่ 2 (ภาคสนาม)", "before": "2026-07-10", "after": "2026-07-20"}],
            "reordered": False,  # one milestone kept: nothing to reorder
        },
    ]


def test_edit_changes_of_a_reordered_plan_say_so():
    reordered = rules.edit_changes(CURRENT, {"milestones": ms(PLAN[1], PLAN[0])})
    assert reordered == [
        {"field": "milestones", "added": [], "removed": [], "renamed": [], "redated": [], "reordered": True}
    ]


# ------------------------------------------------------------------ the edit form's values and errors


def _stored_task(**changes) -> Task:
    at = datetime(2026, 4, 1, tzinfo=UTC)
    fields = {
        "id": 5, "agency_id": 1, "agency_slug": "a1", "agency_name": "เทศบาล", "agency_level": "local",
        "title": "อบรมรับมือน้ำท่วม", "description": "อบรมอาสาสมัครในชุมชนริมน้ำ" * 2,
        "deliverables": "อบรม 2 ครั้ง", "province": "KKN", "district": "เมือง", "location": "ศาลาวัด",
        "category": "disaster", "partner_types": ["ngo"], "skills": [], "budget": Decimal("45000.50"),
        "claim_opens": CURRENT["claim_opens"], "claim_closes": CURRENT["claim_closes"],
        "deadline": CURRENT["deadline"], "contact": "โทร 043-000-000", "verified_only": True,
        "confirm_days": 7, "review_days": 14, "status": "open", "cancel_reason": "",
        "completion_requested_at": None, "signed_off_at": None, "signoff_comment": "", "created_at": at,
        "published_at": at, "updated_at": at,
        "milestones": [
            Milestone(id=i, position=n, title=t, due=d, budget_share=s, status="scheduled", percent=0,
                      reviewed_at=None)
            for n, (i, t, d, s) in enumerate(PLAN)
        ],
    }  # fmt: skip
    return Task(**(fields | changes))


def test_edit_values_are_the_stored_task_as_the_form_shows_it():
    assert rules.edit_values(_stored_task()) == {
        "title": "อบรมรับมือน้ำท่วม",
        "description": "อบรมอาสาสมัครในชุมชนริมน้ำ" * 2,
        "deliverables": "อบรม 2 ครั้ง",
        "contact": "โทร 043-000-000",
        "district": "เมือง",
        "location": "ศาลาวัด",
        "budget": "45000.50",
        "category": "disaster",
        "claim_opens": "2026-05-01",
        "claim_closes": "2026-05-15",
        "deadline": "2026-07-31",
        "milestones": [
            {"id": "1", "title": "อบรมครั้งที่ 1", "due": "2026-06-10", "share": "40"},
            {"id": "2", "title": "อบรมครั้งที่ 2", "due": "2026-07-10", "share": ""},
        ],
    }
    assert rules.edit_values(_stored_task(budget=None, milestones=[]))["budget"] == ""


def test_edit_values_validate_as_the_stored_task():
    clean, errors = rules.validate_task(
        msgspec.to_builtins(_stored_task()) | rules.edit_values(_stored_task())
    )
    assert errors == {}
    assert rules.milestone_plan(clean["milestones"]) == list(PLAN)
    assert clean["budget"] == Decimal("45000.50")


def test_a_deadline_moved_before_a_stored_milestone_is_a_problem_with_the_deadline():
    task = _stored_task()
    fields = {"deadline": "2026-07-01"}
    _, errors = rules.validate_task(msgspec.to_builtins(task) | rules.edit_values(task) | fields)
    assert set(errors) == {"milestones"}  # validate_task blames the plan, which was not sent
    assert rules.edit_errors(errors, fields) == {
        "deadline": Problem("A milestone cannot be due after the delivery deadline.")
    }


A, B, C = Problem("a"), Problem("b"), Problem("c")


@pytest.mark.parametrize(
    ("errors", "sent", "expected"),
    [
        ({}, {"title"}, {}),
        ({"title": A, "contact": B}, {"title"}, {"title": A}),  # only the fields sent
        ({"milestones": A}, {"title"}, {}),  # no date sent: nothing to blame
        ({"milestones": A}, {"deadline"}, {"deadline": A}),
        ({"claim_closes": A}, {"claim_opens", "deadline"}, {"claim_opens": A}),  # the first date sent
        ({"deadline": A, "milestones": B}, {"deadline"}, {"deadline": A}),  # its own error stays
        ({"deadline": A, "milestones": B}, {"deadline", "milestones"}, {"deadline": A, "milestones": B}),
        ({"claim_opens": A, "milestones": B}, {"claim_opens", "deadline"}, {"claim_opens": A, "deadline": B}),
        (
            {"claim_closes": A, "milestones": B},
            {"claim_opens", "deadline"},
            {"claim_opens": A, "deadline": B},
        ),
        ({"claim_opens": A, "claim_closes": B, "deadline": C}, {"milestones"}, {"milestones": A}),
    ],
)
def test_edit_errors_land_on_the_fields_sent(errors, sent, expected):
    assert rules.edit_errors(errors, dict.fromkeys(sent, "x")) == expected


def test_milestone_plan_reads_stored_milestones_as_form_rows():
    assert rules.milestone_plan(_stored_task().milestones) == list(PLAN)


def test_edit_changes_show_a_budget_set_for_the_first_time():
    changes = rules.edit_changes(CURRENT | {"budget": None}, {"budget": Decimal("100")})
    assert changes == [{"field": "budget", "before": None, "after": "100"}]


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_task_refuses_plan_changes_as_closed(status):
    earlier = {"deadline": D("2026-07-01"), "milestones": ms((99, "ไม่มีอยู่", D("2026-06-01"), None))}
    assert rules.check_edit(status, CURRENT, earlier, {}) == {
        "deadline": Problem(rules.EDIT_CLOSED),
        "milestones": Problem(rules.EDIT_CLOSED),
    }


@pytest.mark.parametrize("status", HELD)
def test_a_claimed_deadline_may_stay_where_it_is(status):
    assert rules.check_edit(status, CURRENT, {"deadline": CURRENT["deadline"]}, {}) == {}
