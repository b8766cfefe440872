"""The question editor's row actions and the maximum, and the draft's sections: pure rules."""

import pytest

from civic.consultations import rules


def rows(*prompts):
    return [{**rules.blank_question_row(), "prompt": p} for p in prompts]


def prompts_of(result):
    return [r["prompt"] for r in result[0]]


def test_add_appends_an_empty_row_and_focuses_it():
    result = rules.edit_question_rows(rows("a", "b"), "add_question")
    assert prompts_of(result) == ["a", "b", ""] and result[1] == 3 and result[2] == {}


def test_add_at_the_maximum_is_refused_with_the_count_error():
    full = rows(*[str(i) for i in range(rules.MAX_QUESTIONS)])
    new_rows, focus, errors = rules.edit_question_rows(full, "add_question")
    assert len(new_rows) == rules.MAX_QUESTIONS and focus is None
    assert errors["questions"].msgid == rules.TOO_MANY_QUESTIONS
    assert errors["questions"].params == {"max": rules.MAX_QUESTIONS}


def test_remove_move_and_bounds():
    assert prompts_of(rules.edit_question_rows(rows("a", "b", "c"), "remove_question:2")) == ["a", "c"]
    assert prompts_of(rules.edit_question_rows(rows("a"), "remove_question:1")) == [""]
    assert prompts_of(rules.edit_question_rows(rows("a", "b", "c"), "move_up:3")) == ["a", "c", "b"]
    assert prompts_of(rules.edit_question_rows(rows("a", "b", "c"), "move_down:1")) == ["b", "a", "c"]
    assert rules.edit_question_rows(rows("a", "b"), "move_down:1")[1] == 2  # focus follows the row
    # the first row cannot go up nor the last down; a row past the end (a stale page) changes nothing
    assert prompts_of(rules.edit_question_rows(rows("a", "b"), "move_up:1")) == ["a", "b"]
    assert prompts_of(rules.edit_question_rows(rows("a", "b"), "move_down:2")) == ["a", "b"]
    assert prompts_of(rules.edit_question_rows(rows("a", "b"), "remove_question:7")) == ["a", "b"]


def test_the_input_list_is_not_changed():
    original = rows("a", "b")
    rules.edit_question_rows(original, "remove_question:1")
    assert [r["prompt"] for r in original] == ["a", "b"]


def test_unknown_actions():
    for action in ("", "save_all", "remove_question:x", "remove_question:-1", "move_up:", "add_question:1"):
        assert rules.edit_question_rows(rows("a"), action) is None, action


def test_question_count():
    assert rules.check_question_count(rules.MAX_QUESTIONS) == {}
    assert "questions" in rules.check_question_count(rules.MAX_QUESTIONS + 1)


def test_the_second_row_moves_up_to_the_first():
    result = rules.edit_question_rows(rows("a", "b", "c"), "move_up:2")
    assert prompts_of(result) == ["b", "a", "c"] and result[1] == 1


# ------------------------------------------------------------------ the draft's sections


def test_split_sections_reads_windows_and_old_mac_line_ends_as_one():
    assert rules.split_sections("มาตรา ๑ ก\r\nต่อ\r\n\r\nมาตรา ๒ ข\rต่อ") == ["มาตรา ๑ ก\nต่อ", "มาตรา ๒ ข\nต่อ"]


def test_split_sections_keeps_indentation_and_drops_trailing_spaces():
    assert rules.split_sections("(๑) ก  \n    (ก) ข  ") == ["(๑) ก\n    (ก) ข"]


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("มาตรา ๓ ให้ยกเลิก", "มาตรา ๓"),
        ("  มาตรา   7  ให้", "มาตรา 7"),  # spaces tidied
        ("หมวด 1  ส่วนที่ 2 บททั่วไป", "หมวด 1 ส่วนที่ 2"),
        ("หมวดที่ ๒ การรับฟัง", "หมวดที่ ๒"),
        ("ส่วนที่ 3 ทั่วไป", "ส่วนที่ 3"),
        ("มาตรา 3/1 ทวิ ให้", "มาตรา 3/1 ทวิ"),
        ("มาตรา 1ทวิภาคี", "มาตรา 1"),  # a word that only starts like ทวิ is not part of the number
        ("ข้อ 4/2 ก", "ข้อ 4/2"),
        ("Section 5 text", "Section 5"),
        ("chapter 1x", "chapter 1"),
        ("มาตรา 12a", "มาตรา 12"),
        ("ข้อความทั่วไป", ""),  # no numbering: the page calls it by its place
        ("มาตรา ให้", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_section_heading(text, heading):
    assert rules.section_heading(text) == heading
