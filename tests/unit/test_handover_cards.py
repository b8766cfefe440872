"""What a task's card on the task board says (civic/handovers/cards.py), in Thai and English, and
the labels every status and category has."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from civic.handovers import cards, rules
from civic.handovers.schemas import TaskSummary


def _task(**changes) -> TaskSummary:
    fields = dict(
        id=4, title="ซ่อมฝาย", status="open", province="CMI", district="", category="environment",
        agency_id=2, agency_slug="a", agency_name="อบจ.เชียงใหม่", agency_level=None,
        budget=Decimal("15000.5"), claim_opens=date(2026, 12, 1), claim_closes=date(2026, 12, 20),
        deadline=date(2027, 3, 31), verified_only=False, holder_slug=None, holder_name=None, progress=0,
        created_at=datetime(2026, 12, 1, tzinfo=UTC), agency_name_en="Chiang Mai PAO",
    )  # fmt: skip
    return TaskSummary(**(fields | changes))


def test_every_status_and_category_has_words_and_every_public_status_a_tone():
    assert set(rules.STATUS_LABELS) == set(rules.STATUSES)
    assert set(rules.CATEGORY_LABELS) == set(rules.CATEGORIES)
    assert set(rules.STATUS_TONES) == set(rules.PUBLIC_STATUSES)


def test_a_card_in_english():
    task = _task()
    c = cards.card(task, "en")
    assert c.task is task
    assert (c.status, c.tone, c.category) == ("Open for claims", "info", "Environment and waste")
    assert (c.agency, c.place) == ("Chiang Mai PAO", "Chiang Mai")
    assert c.claim_by == "Claim by 20\u00a0December\u00a02026"  # kept on one line
    assert c.deliver_by.startswith("Deliver by 31") and "2027" in c.deliver_by
    assert (c.budget, c.holder) == ("15,000.50 baht", "")


def test_a_card_names_its_holder_in_the_readers_language():
    held = _task(
        status="in_progress", holder_slug="p", holder_name="มูลนิธิรักษ์น้ำ", holder_name_en="Rak Nam Foundation"
    )
    assert cards.card(held, "en").holder == "Held by Rak Nam Foundation"
    assert cards.card(held, "th").holder.endswith("มูลนิธิรักษ์น้ำ")


def test_a_card_in_thai_names_the_holder():
    c = cards.card(_task(status="in_progress", holder_slug="p", holder_name="มูลนิธิรักษ์น้ำ"), "th")
    assert (c.status, c.tone, c.agency, c.place) == ("กำลังดำเนินการ", "info", "อบจ.เชียงใหม่", "เชียงใหม่")
    assert "2569" in c.claim_by  # the Buddhist era
    assert "มูลนิธิรักษ์น้ำ" in c.holder
    assert c.budget.startswith("15,000.50 ")


def test_a_draft_is_neutral_and_an_unknown_value_shows_as_it_is():
    assert cards.card(_task(status="draft"), "en").tone == "neutral"
    assert cards.label(rules.CATEGORY_LABELS, "beekeeping", "th") == "beekeeping"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "No budget"),
        (Decimal("0"), "0.00 baht"),
        (Decimal("1234567.8"), "1,234,567.80 baht"),
        ("2500", "2,500.00 baht"),
    ],
)
def test_a_budget_reads_as_baht(value, shown):
    # a string: the budget as an edit's history keeps it
    assert cards.baht(value, "en") == shown


def test_the_board_gets_a_card_per_task_in_order():
    tasks = [_task(id=1), _task(id=2, status="completed")]
    built = cards.cards(tasks, "en")
    assert [(c.task.id, c.status) for c in built] == [(1, "Open for claims"), (2, "Completed")]
