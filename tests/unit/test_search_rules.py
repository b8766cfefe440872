"""Which search documents an event changes (civic.search.rules); who may administer search is in
test_action_rules."""

from __future__ import annotations

import pytest

from civic.events import CATALOGUE
from civic.search import rules
from civic.search.rules import Change, EventFacts


def ev(kind: str, subject_kind: str, subject_id: int, **payload) -> EventFacts:
    return EventFacts(kind, subject_kind, subject_id, payload)


@pytest.mark.parametrize(
    ("kind", "doc_kind"),
    [
        ("idea.submitted", "idea"),
        ("idea.edited", "idea"),
        ("idea.status_changed", "idea"),
        ("idea.answered", "idea"),
        ("consultation.drafted", "consultation"),
        ("consultation.edited", "consultation"),
        ("consultation.scheduled", "consultation"),
        ("consultation.unscheduled", "consultation"),
        ("consultation.opened", "consultation"),
        ("consultation.closed", "consultation"),
        ("outcome.published", "consultation"),
        ("outcome.corrected", "consultation"),
        ("handover.drafted", "handover"),
        ("handover.posted", "handover"),
        ("handover.edited", "handover"),
        ("handover.cancelled", "handover"),
        ("handover.expired", "handover"),
        ("handover.claimed", "handover"),
        ("handover.claim_confirmed", "handover"),
        ("handover.claim_released", "handover"),
        ("handover.claim_withdrawn", "handover"),
        ("handover.claim_expired", "handover"),
        ("handover.progress_reported", "handover"),
        ("handover.completion_requested", "handover"),
        ("handover.completion_rejected", "handover"),
        ("handover.signed_off", "handover"),
    ],
)
def test_a_change_to_a_document_subject_queues_that_document(kind, doc_kind):
    assert rules.changes([ev(kind, doc_kind, 7)]) == [Change(doc_kind, 7, "upsert")]
    assert kind in rules.KINDS


@pytest.mark.parametrize(
    "kind",
    [
        "idea.commented", "comment.edited", "comment.deleted", "section.commented", "consultation.responded",
        "consultation.document_added", "handover.milestone_reviewed", "content.flagged", "follow.started",
    ],
)  # fmt: skip
def test_what_is_in_no_document_queues_nothing(kind):
    subject = kind.split(".")[0]
    assert rules.changes([ev(kind, subject, 7, idea_id=3, consultation_id=4)]) == []
    assert kind not in rules.KINDS


def test_every_kind_read_is_in_the_catalogue():
    assert rules.KINDS <= set(CATALOGUE)


def test_a_subject_of_another_kind_queues_nothing():
    assert rules.changes([ev("idea.submitted", "consultation", 7)]) == []
    assert rules.changes([ev("handover.posted", "idea", 7)]) == []


def test_hiding_an_idea_deletes_its_document_and_restoring_brings_it_back():
    assert rules.changes([ev("content.hidden", "idea", 5, idea_id=5)]) == [Change("idea", 5, "delete")]
    assert rules.changes([ev("content.restored", "idea", 5, idea_id=5)]) == [Change("idea", 5, "upsert")]


def test_hiding_a_comment_changes_no_document():
    assert rules.changes([ev("content.hidden", "comment", 9, idea_id=5)]) == []
    assert rules.changes([ev("content.restored", "comment", 9, idea_id=5)]) == []


@pytest.mark.parametrize(
    ("count", "queued"),
    [
        (1, True),
        (2, False),
        (3, True),
        (4, False),
        (6, False),
        (7, True),
        (8, False),
        (15, True),
        (16, False),
    ],
)
def test_a_support_queues_its_idea_when_the_count_reaches_another_doubling(count, queued):
    found = rules.changes([ev("idea.supported", "idea", 3, support_count=count)])
    assert found == ([Change("idea", 3)] if queued else [])


@pytest.mark.parametrize(
    ("count", "queued"),
    [
        (0, True),
        (1, False),
        (2, True),
        (3, False),
        (5, False),
        (6, True),
        (7, False),
        (14, True),
        (15, False),
    ],
)
def test_a_withdrawal_queues_its_idea_when_the_count_leaves_its_doubling(count, queued):
    found = rules.changes([ev("idea.support_withdrawn", "idea", 3, support_count=count)])
    assert found == ([Change("idea", 3)] if queued else [])


def test_supports_written_by_one_statement_are_one_step():
    # 4 -> 6 in one statement, each event saying 6: 4, 5 and 6 share doubling 2.
    same = [ev("idea.supported", "idea", 3, support_count=6)] * 2
    assert rules.changes(same) == []
    # 2 -> 5: doubling 1 -> 2, though 5 alone (4 -> 5) would not cross.
    crossing = [ev("idea.supported", "idea", 3, support_count=5)] * 3
    assert rules.unique(rules.changes(crossing)) == [Change("idea", 3)]
    # The same count of another idea is another step.
    other = [
        ev("idea.supported", "idea", 3, support_count=5),
        ev("idea.supported", "idea", 4, support_count=5),
    ]
    assert rules.changes(other) == []


def test_withdrawals_are_one_support_each_whatever_their_count():
    same = [ev("idea.support_withdrawn", "idea", 3, support_count=5)] * 2
    assert rules.changes(same) == []


def test_a_lowered_threshold_queues_the_idea_and_a_support_reaching_it_does_not():
    lowered = ev("idea.threshold_reached", "idea", 3, support_count=2, threshold=2, by="threshold_lowered")
    assert rules.changes([lowered]) == [Change("idea", 3)]
    reached = ev("idea.threshold_reached", "idea", 3, support_count=2, threshold=2)
    assert rules.changes([reached]) == []


def test_popularity_doublings_match_the_sql_function():
    # floor(log2(1 + p)), p below 0 counted as 0 (migration 0024)
    assert [rules.popularity_doublings(p) for p in (-5, 0, 1, 2, 3, 6, 7, 8, 14, 15, 1023, 1024)] == [
        0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 10, 10,
    ]  # fmt: skip


def test_an_erasure_with_content_removed_names_its_person():
    assert rules.erased_author(ev("account.erased", "user", 12, content_removed=True)) == 12
    assert rules.erased_author(ev("account.erased", "user", 12, content_removed=False)) is None
    assert rules.erased_author(ev("idea.submitted", "user", 12, content_removed=True)) is None
    assert rules.erased_author(ev("account.erased", "idea", 12, content_removed=True)) is None
    assert rules.changes([ev("account.erased", "user", 12, content_removed=True)]) == []


def test_unique_keeps_one_row_per_document_in_first_order_with_the_last_op():
    found = [Change("idea", 1), Change("handover", 1), Change("idea", 1, "delete"), Change("idea", 2)]
    assert rules.unique(found) == [Change("idea", 1, "delete"), Change("handover", 1), Change("idea", 2)]
    assert rules.unique([Change("idea", 1, "delete"), Change("idea", 1)]) == [Change("idea", 1, "upsert")]
    assert rules.unique([]) == []


def test_a_batch_maps_every_event():
    batch = [
        ev("idea.submitted", "idea", 1),
        ev("idea.commented", "idea", 1, comment_id=4),
        ev("idea.edited", "idea", 1),
        ev("handover.claimed", "handover", 2, claim_id=1, partner_id=1, title="t"),
        ev("content.hidden", "idea", 1, idea_id=1),
    ]
    assert rules.unique(rules.changes(batch)) == [Change("idea", 1, "delete"), Change("handover", 2)]
