"""civic.validation: the text checks every domain's rules use."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic import thai
from civic.validation import Problem, check_choice, check_text, has_control_chars

NOT_ALLOWED = "This field contains characters that are not allowed."
NO_BASE = "This must contain at least one letter or digit."
ORPHAN = "A vowel or tone mark here has no letter before it."


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("", False),
        ("สวัสดีครับ", False),
        ("tab\there", False),
        ("line\nbreak", False),
        ("cr\r\n", False),
        ("nul\x00", True),
        ("bell\x07", True),
        ("esc\x1b", True),
        ("del\x7f", True),
        ("c1\x85", True),
        ("zero\u200bwidth", False),  # a format character, common in Thai text: not a control
        ("ที่ดี", False),
    ],
)
def test_has_control_chars(value, bad):
    assert has_control_chars(value) is bad


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("hello", {"max_len": 10}, None),
        (None, {"max_len": 10}, Problem("This field is required.")),
        ("", {"max_len": 10}, Problem("This field is required.")),
        ("   ", {"max_len": 10}, Problem("This field is required.")),
        ("", {"max_len": 10, "required": False}, None),
        (None, {"max_len": 10, "required": False}, None),
        (
            "ab",
            {"min_len": 3, "max_len": 10},
            Problem("This is too short (at least %(min)s characters).", {"min": 3}),
        ),
        ("abc", {"min_len": 3, "max_len": 10}, None),
        (
            "  ab  ",
            {"min_len": 3, "max_len": 10},
            Problem("This is too short (at least %(min)s characters).", {"min": 3}),
        ),
        ("x" * 10, {"max_len": 10}, None),
        ("x" * 11, {"max_len": 10}, Problem("This is too long (at most %(max)s characters).", {"max": 10})),
        ("  " + "x" * 10 + "  ", {"max_len": 10}, None),  # surrounding spaces do not count
        ("ก" * 10, {"max_len": 10}, None),  # characters, not bytes
        ("two\nlines", {"max_len": 20}, Problem(NOT_ALLOWED)),
        ("two\nlines", {"max_len": 20, "multiline": True}, None),
        ("carriage\rreturn", {"max_len": 20}, Problem(NOT_ALLOWED)),
        ("tab\tok", {"max_len": 20}, None),
        ("nul\x00", {"max_len": 20, "multiline": True}, Problem(NOT_ALLOWED)),
        ("\x00", {"max_len": 20, "required": False}, Problem(NOT_ALLOWED)),
        # a name or title needs a letter or a digit; marks alone, punctuation alone do not count
        ("์", {"max_len": 20}, Problem(NO_BASE)),
        ("ัิ้็", {"min_len": 1, "max_len": 20}, Problem(NO_BASE)),
        ("ั" * 6, {"min_len": 5, "max_len": 20}, Problem(NO_BASE)),
        ("!?", {"max_len": 20}, Problem(NO_BASE)),
        ("๑", {"max_len": 20}, None),
        ("7", {"max_len": 20}, None),
        ("ก", {"max_len": 20}, None),
        ("ที่ดี", {"max_len": 20}, None),
        ("ที ่ดี", {"max_len": 20}, Problem(ORPHAN)),  # a single line: no mark may lose its letter
        ("ที่ดี ์", {"max_len": 20}, Problem(ORPHAN)),
        ("ที ่ดี", {"max_len": 20, "multiline": True}, None),  # pasted PDF text is repaired later
        ("ั" * 12, {"max_len": 20, "multiline": True}, Problem(ORPHAN)),  # but it may not begin with one
        ("!!", {"max_len": 20, "multiline": True}, None),  # a longer text need not hold a letter
        ("์", {"max_len": 20, "required": False}, Problem(NO_BASE)),  # optional is not a free pass
        (
            "ab",
            {"min_len": 3, "max_len": 10, "multiline": True},
            Problem("This is too short (at least %(min)s characters).", {"min": 3}),
        ),
    ],
)
def test_check_text(value, kwargs, expected):
    assert check_text(value, **kwargs) == expected


def test_check_choice():
    allowed = {"th", "en"}
    assert check_choice("th", allowed) is None
    assert check_choice("", allowed) == Problem("Choose an option.")
    assert check_choice(None, allowed) == Problem("Choose an option.")
    assert check_choice(None, allowed, required=False) is None
    assert check_choice("fr", allowed) == Problem("Choose one of the options.")
    assert check_choice("TH", allowed) == Problem("Choose one of the options.")


def test_problem_defaults_are_not_shared():
    a, b = Problem("x"), Problem("y")
    assert a.params == {} and b.params == {}


@given(st.text(max_size=200), st.integers(1, 50), st.booleans())
def test_check_text_agrees_with_its_rules(value, max_len, multiline):
    problem = check_text(value, max_len=max_len, multiline=multiline)
    stripped = value.strip()
    if has_control_chars(value) or (not multiline and ("\n" in value or "\r" in value)):
        assert problem == Problem(NOT_ALLOWED)
    elif not stripped:
        assert problem == Problem("This field is required.")
    elif not multiline and not thai.has_base(stripped):
        assert problem == Problem(NO_BASE)
    elif thai.orphan_mark(stripped) == 0 or (not multiline and thai.orphan_mark(stripped) is not None):
        assert problem == Problem(ORPHAN)
    elif len(stripped) > max_len:
        assert problem is not None and problem.params == {"max": max_len}
    else:
        assert problem is None
