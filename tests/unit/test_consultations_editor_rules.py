"""The question editor's row actions and the maximum: pure rules."""

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
