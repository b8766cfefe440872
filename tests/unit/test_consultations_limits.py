"""The size limits of a consultation (issue 21, item 10): at each limit and one past it, generated
from the rules' own constants, every refusal naming its field in Thai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.consultations import rules
from civic.validation import Problem
from tests.unit.rules_support import CH, all_shown_in_thai, lengths

OPENS = datetime(2025, 3, 1, 9, tzinfo=UTC)


def draft_of(n: int) -> str:
    return "\n\n".join(f"ข้อความย่อหน้า {i}" for i in range(1, n + 1))


@pytest.mark.parametrize(("n", "ok"), [(rules.MAX_SECTIONS, True), (rules.MAX_SECTIONS + 1, False)])
def test_section_count(n, ok):
    text = draft_of(n)
    assert len(rules.split_sections(text)) == n
    expected = {"draft_text": Problem(rules.TOO_MANY_SECTIONS, {"max": rules.MAX_SECTIONS, "n": n})}
    assert rules.check_draft(text) == ({} if ok else expected)
    assert rules.check_section_count(n) == ({} if ok else expected)
    assert all_shown_in_thai(expected)


def test_a_draft_read_from_a_pdf_is_refused_on_the_pdf_field():
    errors = rules.check_draft(draft_of(rules.MAX_SECTIONS + 1), "draft_pdf")
    assert set(errors) == {"draft_pdf"}


@pytest.mark.parametrize(("length", "ok"), lengths(1, rules.MAX_SECTION_CHARS))
def test_section_length(length, ok):
    text = "มาตรา ๑ สั้น\n\n" + CH * length
    expected = {"draft_text": Problem(rules.SECTION_TOO_LONG, {"n": 2, "max": rules.MAX_SECTION_CHARS})}
    assert rules.check_draft(text) == ({} if ok else expected)
    assert all_shown_in_thai(expected)


@pytest.mark.parametrize(
    ("length", "ok"), [(rules.MAX_DRAFT_CHARS, True), (rules.MAX_DRAFT_CHARS + 1, False)]
)
def test_draft_length(length, ok):
    # Sections of MAX_SECTION_CHARS, so only the whole draft's length can be what is refused.
    body = CH * rules.MAX_SECTION_CHARS
    text = "\n\n".join([body] * (length // (len(body) + 2)))
    text += "\n\n" + CH * (length - len(text) - 2)
    assert len(text) == length
    expected = {"draft_text": Problem(rules.TOO_LONG, {"max": rules.MAX_DRAFT_CHARS})}
    assert rules.check_draft(text) == ({} if ok else expected)
    assert all_shown_in_thai(expected)


@pytest.mark.parametrize(("n", "ok"), [(rules.MAX_OPTIONS, True), (rules.MAX_OPTIONS + 1, False)])
@pytest.mark.parametrize("kind", ["single", "multi"])
def test_option_count(kind, n, ok):
    expected = {"options": Problem(rules.TOO_MANY_OPTIONS, {"max": rules.MAX_OPTIONS})}
    options = [f"ตัวเลือก {i}" for i in range(n)]
    assert rules.validate_question(kind, "เลือกข้อที่เห็นด้วย", options) == ({} if ok else expected)
    assert all_shown_in_thai(expected)


@pytest.mark.parametrize(("length", "ok"), lengths(1, rules.MAX_OPTION_CHARS))
def test_option_length(length, ok):
    errors = rules.validate_question("single", "เลือกข้อที่เห็นด้วย", ["ข", CH * length])
    assert ("options" not in errors) == ok


@pytest.mark.parametrize(("length", "ok"), lengths(3, rules.MAX_PROMPT_CHARS))
def test_prompt_length(length, ok):
    assert ("prompt" not in rules.validate_question("text", CH * length, [])) == ok


def _consultation(title: str = "ร่างแนวทางทดสอบ", summary: str = "สรุปสาระสำคัญของร่าง") -> dict:
    return {
        "title": title,
        "summary": summary,
        "kind": "general",
        "province": None,
        "opens_at": OPENS,
        "closes_at": OPENS + timedelta(days=20),
    }


@pytest.mark.parametrize(("length", "ok"), lengths(5, rules.MAX_TITLE_CHARS))
def test_title_length(length, ok):
    errors = rules.validate_consultation(**_consultation(title=CH * length))
    assert ("title" not in errors) == ok and all_shown_in_thai(errors)


@pytest.mark.parametrize(("length", "ok"), lengths(10, rules.MAX_SUMMARY_CHARS))
def test_summary_length(length, ok):
    errors = rules.validate_consultation(**_consultation(summary=CH * length))
    assert ("summary" not in errors) == ok and all_shown_in_thai(errors)
