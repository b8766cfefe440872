"""Who is told what: event kind x recipient role x visibility -> notice and default channel."""

from __future__ import annotations

import pytest

from civic.events import CATALOGUE
from civic.notifications import rules
from civic.notifications.rules import Audience as A
from civic.validation import Problem

# (event kind, recorded visibility, audience) -> (notice, default email channel), or None: not told.
TABLE = [
    ("idea.answered", "public", A.FOLLOWERS, ("idea.answered", "immediate")),
    ("idea.answered", "staff", A.FOLLOWERS, None),  # hidden idea: followers hear nothing...
    ("idea.answered", "staff", A.AUTHOR, ("idea.answered", "immediate")),  # ...its author does
    ("idea.status_changed", "public", A.FOLLOWERS, ("idea.status", "digest")),
    ("idea.threshold_reached", "public", A.AGENCY_STAFF, ("staff.threshold", "immediate")),
    ("idea.threshold_reached", "public", A.FOLLOWERS, ("idea.threshold", "digest")),
    ("idea.threshold_reached", "staff", A.AGENCY_STAFF, None),  # hidden: author and moderators only
    ("idea.commented", "public", A.PARENT_AUTHOR, ("comment.reply", "digest")),
    ("content.hidden", "public", A.AUTHOR, ("content.hidden", "immediate")),
    ("comment.hidden", "public", A.AUTHOR, ("content.hidden", "immediate")),
    ("content.flagged", "staff", A.MODERATORS, ("moderation.flagged", "immediate")),
    ("content.flagged", "staff", A.FOLLOWERS, None),
    ("consultation.opened", "public", A.FOLLOWERS, ("consultation.opened", "digest")),
    ("consultation.opened", "public", A.PLACE_FOLLOWERS, ("new.consultation", "digest")),
    ("board.created", "public", A.PLACE_FOLLOWERS, ("new.board", "digest")),
    ("outcome.published", "public", A.RESPONDENTS, ("outcome.published", "immediate")),
    ("outcome.corrected", "public", A.RESPONDENTS, ("outcome.published", "immediate")),
    ("handover.posted", "public", A.MATCHING_PARTNERS, ("partner.task_match", "immediate")),
    ("handover.claimed", "staff", A.AGENCY_STAFF, ("staff.claim_waiting", "immediate")),
    ("handover.claim_confirmed", "public", A.CLAIM_PARTNER, ("partner.claim_confirmed", "immediate")),
    ("handover.claim_released", "staff", A.CLAIM_PARTNER, ("partner.claim_declined", "immediate")),
    ("handover.progress_reported", "public", A.AGENCY_STAFF, ("staff.milestone_waiting", "immediate")),
    ("handover.milestone_reviewed", "public", A.HOLDER_PARTNER, ("partner.milestone_reviewed", "digest")),
    ("handover.completion_requested", "public", A.AGENCY_STAFF, ("staff.completion_requested", "immediate")),
    ("handover.signed_off", "public", A.HOLDER_PARTNER, ("partner.signed_off", "digest")),
    ("reminder.answer_due", "staff", A.AGENCY_STAFF, ("staff.answer_due", "immediate")),
    ("reminder.answer_overdue", "staff", A.AGENCY_STAFF, ("staff.answer_overdue", "immediate")),
    ("reminder.consultation_closing", "public", A.FOLLOWERS, ("consultation.closing", "digest")),
    ("reminder.consultation_closing", "public", A.AGENCY_STAFF, ("staff.consultation_closing", "digest")),
    ("reminder.outcome_due", "staff", A.AGENCY_STAFF, ("staff.outcome_due", "immediate")),
    ("reminder.handover_deadline", "staff", A.HOLDER_PARTNER, ("partner.deadline_soon", "immediate")),
    ("reminder.handover_overdue", "staff", A.HOLDER_PARTNER, ("partner.deadline_passed", "immediate")),
    ("idea.supported", "private", A.FOLLOWERS, None),  # a person's opinion: nobody is told
    ("idea.submitted", "public", A.FOLLOWERS, None),  # not in the table: nobody is told
]


@pytest.mark.parametrize(("kind", "visibility", "audience", "expected"), TABLE)
def test_who_is_told(kind, visibility, audience, expected):
    told = {
        d.audience: (d.notice, d.email)
        for d in rules.who_is_told(kind, CATALOGUE[kind].visibility, visibility)
    }
    assert told.get(audience) == expected


def test_every_kind_in_the_table_is_a_catalogued_event_and_every_notice_is_described():
    assert rules.KINDS <= set(CATALOGUE)
    assert {n for rows in rules.RULES.values() for _, n in rows} == set(rules.NOTICES)


@pytest.mark.parametrize("kind", sorted(k for k, v in CATALOGUE.items() if v.visibility == "staff"))
def test_staff_only_kinds_never_reach_a_citizen_audience(kind):
    citizen = {A.FOLLOWERS, A.PLACE_FOLLOWERS, A.PARENT_AUTHOR, A.RESPONDENTS, A.AUTHOR}
    assert not {d.audience for d in rules.who_is_told(kind, "staff", "staff")} & citizen


def test_a_preference_replaces_the_default_and_nonsense_keeps_it():
    assert rules.email_choice("idea.answered", None) == "immediate"
    assert rules.email_choice("idea.answered", "off") == "off"
    assert rules.email_choice("idea.status", "immediate") == "immediate"
    assert rules.email_choice("idea.status", "weekly") == "digest"


def test_preferences_name_every_bad_field_at_once():
    errors = rules.validate_preferences({"nope": "off", "idea.answered": "weekly", "idea.status": "off"})
    assert set(errors) == {"nope", "idea.answered"}
    assert rules.validate_preferences({n: "off" for n in rules.NOTICES}) == {}


def test_unsubscribe_kinds_and_whose_link_it_is():
    assert rules.unsubscribe_notices("all") == tuple(rules.NOTICES)
    assert rules.unsubscribe_notices("idea.answered") == ("idea.answered",)
    assert rules.unsubscribe_notices("account/verify") is None
    assert rules.can_unsubscribe(7, None) and rules.can_unsubscribe(7, 7)
    assert not rules.can_unsubscribe(7, 8)


@pytest.mark.parametrize(
    ("subject", "payload", "kind", "path"),
    [
        (("idea", 5), {}, "idea.answered", "/ideas/5#official-answer"),
        (("idea", 5), {}, "idea.status_changed", "/ideas/5"),
        (("comment", 9), {"idea_id": 5}, "content.hidden", "/ideas/5#comment-9"),
        (("consultation", 3), {}, "outcome.published", "/consultations/3/outcome#will"),
        (("consultation", 3), {}, "consultation.opened", "/consultations/3"),
        (("consultation_comment", 4), {"consultation_id": 3}, "comment.hidden", "/consultations/3#comment-4"),
        (("handover", 2), {}, "handover.posted", "/handovers/2"),
        (("board", 1), {"slug": "hatyai-waste"}, "board.created", "/boards/hatyai-waste"),
        (("user", 1), {}, "user.blocked", "/notifications"),
        (("idea", 5), {"plan_id": 1}, "implementation.updated", "/ideas/5#implementation"),
        (("consultation", 3), {"plan_id": 2}, "implementation.completed", "/consultations/3/outcome#implementation"),
        # a milestone's reminder leads staff to the plan, where they post the update
        (("idea", 5), {}, "reminder.implementation_due", "/ideas/5#implementation"),
        (("consultation", 3), {}, "reminder.implementation_overdue", "/consultations/3/outcome#implementation"),
        (("consultation", 3), {}, "reminder.outcome_due", "/consultations/3"),
    ],
)
def test_where_a_notice_leads(subject, payload, kind, path):
    assert rules.subject_path(*subject, payload, kind) == path


@pytest.mark.parametrize(
    ("kind", "notice", "email"),
    [("implementation.planned", "implementation.update", "digest"),
     ("implementation.updated", "implementation.update", "digest"),
     ("implementation.completed", "implementation.done", "immediate")],
)  # fmt: skip
def test_a_promises_followers_hear_of_its_implementation(kind, notice, email):
    assert rules.who_is_told(kind, "public", "public") == (rules.Delivery(rules.Audience.FOLLOWERS, notice, email),)


@pytest.mark.parametrize(
    ("kind", "notice"),
    [("reminder.implementation_due", "staff.implementation_due"),
     ("reminder.implementation_overdue", "staff.implementation_overdue")],
)  # fmt: skip
def test_the_planning_agencys_staff_are_reminded_of_a_promises_milestones(kind, notice):
    assert rules.who_is_told(kind, "staff", "staff") == (
        rules.Delivery(rules.Audience.AGENCY_STAFF, notice, "immediate"),
    )


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        ("idea.status_changed", {"to_status": "implemented", "by_plan": True}, True),
        ("idea.status_changed", {"to_status": "implemented", "by_plan": False}, False),
        ("idea.status_changed", {"to_status": "accepted"}, False),  # events recorded before the field
        ("implementation.completed", {"by_plan": True}, False),
    ],
)
def test_a_status_moved_by_its_plan_is_told_by_the_plan(kind, payload, expected):
    assert rules.told_elsewhere(kind, payload) is expected


@pytest.mark.parametrize(
    ("kind", "kind_visibility"),
    [("idea.answered", "public"), ("idea.threshold_reached", "public"), ("handover.claimed", "private"),
     ("reminder.consultation_closing", "private"), ("content.flagged", "staff")],
)  # fmt: skip
def test_an_event_recorded_private_reaches_nobody_whatever_its_kind(kind, kind_visibility):
    assert rules.who_is_told(kind, kind_visibility, "private") == ()


def test_hidden_content_skips_staff_and_still_tells_the_author_after_them():
    # idea.threshold_reached names agency staff first: hidden, they are skipped and the followers,
    # later in the list, become the author.
    assert rules.who_is_told("idea.threshold_reached", "public", "staff") == (
        rules.Delivery(A.AUTHOR, "idea.threshold", "digest"),
    )
    assert rules.who_is_told("reminder.consultation_closing", "public", "staff") == (
        rules.Delivery(A.AUTHOR, "consultation.closing", "digest"),
    )
    assert rules.who_is_told("idea.threshold_reached", "public", "public") == (
        rules.Delivery(A.AGENCY_STAFF, "staff.threshold", "immediate"),
        rules.Delivery(A.FOLLOWERS, "idea.threshold", "digest"),
    )


def test_a_staff_only_kind_tells_its_staff_audiences_and_no_citizen():
    # The kind's own visibility decides: a kind catalogued staff never reaches its followers.
    assert rules.who_is_told("reminder.consultation_closing", "staff", "staff") == (
        rules.Delivery(A.AGENCY_STAFF, "staff.consultation_closing", "digest"),
    )
    assert rules.who_is_told("idea.threshold_reached", "staff", "staff") == (
        rules.Delivery(A.AGENCY_STAFF, "staff.threshold", "immediate"),
    )


def test_a_staff_only_kind_skips_a_citizen_audience_and_tells_the_staff_after_it(monkeypatch):
    # Every rule in the table names its staff audience first; the filter skips audience by audience.
    monkeypatch.setitem(
        rules.RULES, "test.kind", ((A.FOLLOWERS, "idea.status"), (A.PARENT_AUTHOR, "comment.reply"),
                                   (A.AGENCY_STAFF, "staff.threshold"), (A.MODERATORS, "moderation.flagged"))
    )  # fmt: skip
    assert rules.who_is_told("test.kind", "staff", "staff") == (
        rules.Delivery(A.AGENCY_STAFF, "staff.threshold", "immediate"),
        rules.Delivery(A.MODERATORS, "moderation.flagged", "immediate"),
    )
    assert rules.who_is_told("test.kind", "public", "staff") == (  # hidden: author and moderators
        rules.Delivery(A.AUTHOR, "idea.status", "digest"),
        rules.Delivery(A.MODERATORS, "moderation.flagged", "immediate"),
    )
    assert rules.who_is_told("test.kind", "public", "public") == (
        rules.Delivery(A.FOLLOWERS, "idea.status", "digest"),
        rules.Delivery(A.PARENT_AUTHOR, "comment.reply", "digest"),
        rules.Delivery(A.AGENCY_STAFF, "staff.threshold", "immediate"),
        rules.Delivery(A.MODERATORS, "moderation.flagged", "immediate"),
    )


def test_preferences_problems_are_exact():
    choices = {"nope": "off", "idea.answered": "weekly", "idea.status": "digest"}
    assert rules.validate_preferences(choices) == {
        "nope": Problem("There is no such kind of notification."),
        "idea.answered": Problem("Choose immediately, in the daily digest, or off."),
    }
    no_such = Problem("There is no such kind of notification.")
    assert rules.validate_preferences({"nope": "weekly"}) == {"nope": no_such}
    assert rules.validate_preferences({"idea.status": ""}) == {
        "idea.status": Problem("Choose immediately, in the daily digest, or off.")
    }
    assert rules.validate_preferences({}) == {}


@pytest.mark.parametrize(
    ("subject", "payload", "kind", "path"),
    [
        (("consultation", 3), {}, "outcome.corrected", "/consultations/3/outcome#will"),
        (("consultation", 3), {}, "reminder.consultation_closing", "/consultations/3"),
        (("board", 1), {}, "board.created", "/boards/"),  # a payload without its slug: the board index
        (("board", 1), {"slug": "x"}, "board.created", "/boards/x"),
    ],
)
def test_where_a_correction_and_a_board_lead(subject, payload, kind, path):
    assert rules.subject_path(*subject, payload, kind) == path
