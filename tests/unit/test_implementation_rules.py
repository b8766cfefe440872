"""Implementation plan rules: the lifecycle, who may plan, what a plan and an update must look
like (every problem by field, shown in Thai), the overdue clock and the promise-kept test."""

from __future__ import annotations

from datetime import date

import pytest

from civic.implementation import rules
from tests.unit.rules_support import CH, all_shown_in_thai, lengths, user

AGENCY, COOWNER, OTHER = 1, 2, 3
STAFF = user(1, agencies=(AGENCY,))
COSTAFF = user(2, agencies=(COOWNER,))
RIVAL = user(3, agencies=(OTHER,))
CITIZEN = user(4)
ADMIN = user(5, "admin")
BLOCKED = user(6, agencies=(AGENCY,), status="blocked")
START = "2026-01-10"
GOOD_SUMMARY = "ซ่อมไฟถนนทั้งซอย ตามที่ประชาชนเสนอ"


def rows(*items: tuple[str, str]) -> list[dict]:
    return [{"title": t, "due": d} for t, d in items]


def test_lifecycle_is_in_progress_then_implemented_and_final():
    assert rules.next_status("in_progress", "implemented") == "implemented"
    for frm, to in (("implemented", "implemented"), ("implemented", "in_progress"), ("in_progress", "in_progress")):
        with pytest.raises(rules.InvalidTransition):
            rules.next_status(frm, to)
    assert rules.can_update("in_progress") and not rules.can_update("implemented")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(STAFF, True), (COSTAFF, True), (RIVAL, False), (CITIZEN, False), (ADMIN, False), (BLOCKED, False),
     (None, False)],
)  # fmt: skip
def test_only_active_staff_of_an_owning_agency_may_plan(who, allowed):
    assert rules.can_manage(who, [AGENCY, COOWNER]) is allowed


@pytest.mark.parametrize(
    ("status", "hidden", "plannable"),
    [("accepted", False, True), ("in_progress", False, True), ("accepted", True, False),
     ("published", False, False), ("under_review", False, False), ("implemented", False, False),
     ("declined", False, False), ("pending_moderation", False, False)],
)  # fmt: skip
def test_only_an_accepted_idea_is_a_promise_to_plan(status, hidden, plannable):
    assert rules.is_plannable_idea(status, hidden) is plannable


def test_only_an_adopted_theme_of_a_published_outcome():
    assert rules.is_adopted_theme(True, "adopted")
    assert not rules.is_adopted_theme(True, "partly")
    assert not rules.is_adopted_theme(True, "not_adopted")
    assert not rules.is_adopted_theme(False, "adopted")


def test_a_good_plan_is_cleaned():
    clean, errors = rules.validate_plan(f"  {GOOD_SUMMARY} ", START, rows(("สำรวจ", START), ("ติดตั้งไฟ", "2026-03-01")))
    assert errors == {}
    assert clean == {
        "summary": GOOD_SUMMARY,
        "starts_on": date(2026, 1, 10),
        "milestones": [("สำรวจ", date(2026, 1, 10)), ("ติดตั้งไฟ", date(2026, 3, 1))],
    }


def test_every_problem_at_once_by_field_in_thai():
    clean, errors = rules.validate_plan("", "10/01/2026", [])
    assert set(errors) == {"summary", "starts_on", "milestones"}
    assert all_shown_in_thai(errors)


def test_a_milestone_due_before_the_start_is_refused_naming_it():
    _, errors = rules.validate_plan(GOOD_SUMMARY, START, rows(("สำรวจพื้นที่", "2026-01-09"), ("ติดตั้ง", START)))
    assert set(errors) == {"milestones"}
    assert errors["milestones"].msgid == rules.DUE_BEFORE_START
    assert errors["milestones"].params == {"title": "สำรวจพื้นที่"}
    assert all_shown_in_thai(errors)
    # due on the start day itself is fine
    assert rules.validate_plan(GOOD_SUMMARY, START, rows(("สำรวจพื้นที่", START)))[1] == {}


def test_milestone_rows_need_a_title_and_a_date_and_blank_rows_are_skipped():
    assert "milestones" in rules.validate_plan(GOOD_SUMMARY, START, rows(("", "2026-02-01")))[1]
    assert "milestones" in rules.validate_plan(GOOD_SUMMARY, START, rows(("สำรวจ", "1 ก.พ.")))[1]
    clean, errors = rules.validate_plan(GOOD_SUMMARY, START, rows(("", ""), ("สำรวจ", "2026-02-01")))
    assert errors == {} and len(clean["milestones"]) == 1


def test_at_most_twenty_milestones():
    many = rows(*[(f"ขั้นที่ {i}", "2026-02-01") for i in range(21)])
    assert "milestones" in rules.validate_plan(GOOD_SUMMARY, START, many)[1]
    assert rules.validate_plan(GOOD_SUMMARY, START, many[:20])[1] == {}


@pytest.mark.parametrize(("n", "ok"), lengths(10, rules.SUMMARY_MAX))
def test_summary_length_edges(n, ok):
    _, errors = rules.validate_plan(CH * n, START, rows(("สำรวจ", START)))
    assert ("summary" not in errors) is ok


@pytest.mark.parametrize(
    ("percent", "ok"), [(0, True), (100, True), ("55", True), ("๕๐", True), (101, False), (120, False),
                        (-1, False), ("", False), ("ten", False)],
)  # fmt: skip
def test_progress_is_a_percentage_from_0_to_100(percent, ok):
    _, errors = rules.validate_update("ติดตั้งเสาไฟแล้วครึ่งซอย", percent, [], 0, set())
    assert ("percent" not in errors) is ok
    assert all_shown_in_thai(errors)


def test_an_update_may_reach_only_an_open_milestone_of_the_plan():
    _, errors = rules.validate_update("ติดตั้งเสาไฟแล้วครึ่งซอย", 50, [], 7, {7, 8})
    assert errors == {}
    _, errors = rules.validate_update("ติดตั้งเสาไฟแล้วครึ่งซอย", 50, [], 9, {7, 8})
    assert set(errors) == {"milestone_id"}


def test_an_update_reports_every_problem_at_once():
    _, errors = rules.validate_update("", 120, ["ftp://x"], 9, set())
    assert set(errors) == {"body", "percent", "links", "milestone_id"}


def test_report_is_required_text():
    assert set(rules.validate_report("")) == {"report"}
    assert rules.validate_report("ติดตั้งไฟครบทั้งซอยแล้ว") == {}


def test_overdue_once_the_due_day_has_ended_on_a_plan_in_progress():
    due = date(2026, 3, 1)
    assert not rules.is_overdue(due, False, "in_progress", date(2026, 3, 1))
    assert rules.is_overdue(due, False, "in_progress", date(2026, 3, 2))
    assert not rules.is_overdue(due, True, "in_progress", date(2026, 3, 2))
    assert not rules.is_overdue(due, False, "implemented", date(2026, 3, 2))


def test_a_promise_is_kept_when_implemented_by_its_last_milestone():
    promised = rules.promised_on([date(2026, 2, 1), date(2026, 3, 1)])
    assert promised == date(2026, 3, 1)
    assert rules.promised_on([]) is None
    assert rules.is_kept(date(2026, 3, 1), promised)
    assert not rules.is_kept(date(2026, 3, 2), promised)
    assert not rules.is_kept(None, promised)
    assert not rules.is_kept(date(2026, 3, 1), None)


# ------------------------------------------------------------------ exact answers (mutation testing)

from civic.validation import Problem  # noqa: E402


def test_a_transition_from_an_unknown_status_is_refused_and_named():
    with pytest.raises(rules.InvalidTransition, match="^draft -> implemented$"):
        rules.next_status("draft", "implemented")


def test_a_plan_and_a_report_may_run_over_several_lines():
    summary = "ขั้นแรก สำรวจถนนทั้งซอย\nขั้นที่สอง ติดตั้งไฟ"
    clean, errors = rules.validate_plan(summary, START, rows(("สำรวจ", START)))
    assert errors == {} and clean["summary"] == summary
    assert rules.validate_report("ติดตั้งครบแล้ว\nตรวจรับเมื่อวันจันทร์") == {}


def test_a_missing_summary_is_stored_empty_and_refused():
    clean, errors = rules.validate_plan(None, START, rows(("สำรวจ", START)))
    assert clean["summary"] == "" and "summary" in errors


def test_twenty_one_milestones_are_refused_with_the_limit_named():
    many = rows(*[(f"ขั้นที่ {i}", "2026-02-01") for i in range(21)])
    assert rules.validate_plan(GOOD_SUMMARY, START, many)[1] == {
        "milestones": Problem("A plan can have at most %(n)s milestones.", {"n": 20})
    }


def test_a_bad_row_is_named_before_an_early_due_date_above_it():
    # the first row is due before the start, the second has too short a title: the row rule's
    # own problem is the one shown (the start is checked only on rows that are otherwise fine)
    _, errors = rules.validate_plan(GOOD_SUMMARY, START, rows(("สำรวจพื้นที่", "2026-01-01"), ("ab", START)))
    assert errors == {"milestones": Problem("Each milestone needs a title of 3 to 200 characters.")}


def test_a_report_needs_ten_characters():
    assert rules.validate_report("ก" * 10) == {}
    assert set(rules.validate_report("ก" * 9)) == {"report"}


def test_a_milestone_not_open_in_the_plan_is_refused_exactly():
    _, errors = rules.validate_update("ติดตั้งแล้วครึ่งหนึ่ง", 50, "", 99, {1, 2})
    assert errors == {"milestone_id": Problem("Choose one of the options.")}


@pytest.mark.parametrize(
    ("planned", "title", "titles", "now"),
    [
        (2, "B", ["A", "B", "C"], 2),  # unchanged
        (1, "A", ["A"], 1),  # the last place is still in range
        (2, "B", ["B", "A", "C"], 1),  # moved up by a correction
        (1, "A", ["C", "B", "A"], 3),  # moved to the end
        (2, "B", ["A", "B2", "C"], None),  # reworded: not shown under the new wording
        (3, "C", ["A", "B"], None),  # dropped
        (2, "B", ["B", "A", "B"], None),  # two themes with its title: ambiguous
        (2, "B", ["B", "B", "C"], 2),  # its own place still has its title
        (1, "A", ["A", "A"], 1),  # ... the first place too
        (2, "A", ["A", "A"], 2),  # ... and the last
        (1, None, ["A"], None),  # no title kept
        (0, "A", ["A"], 1),  # a place outside the list is looked up by title
    ],
)
def test_a_themes_plan_follows_its_theme_through_corrections(planned, title, titles, now):
    assert rules.current_theme(planned, title, titles) == now
