"""Follows rules: which kinds and ids are valid (in one canonical form each), and who may follow."""

from __future__ import annotations

import pytest

from civic.follows import rules
from civic.validation import Problem
from tests.unit.rules_support import CH, all_shown_in_thai, user


@pytest.mark.parametrize(
    ("kind", "raw", "canonical"),
    [
        ("idea", "42", "42"),
        ("idea", " 0042 ", "42"),
        ("board", "7", "7"),
        ("consultation", "1", "1"),
        ("task", "9" * 18, "9" * 18),
        ("agency", "3", "3"),
        ("province", "cmi", "CMI"),
        ("province", "BKK", "BKK"),
        ("topic", "  ขยะ ", "ขยะ"),
        ("topic", "environment", "environment"),
        ("topic", CH * rules.TOPIC_MAX, CH * rules.TOPIC_MAX),
    ],
)
def test_valid_targets_have_one_canonical_id(kind, raw, canonical):
    assert rules.parse_target(kind, raw) == (canonical, {})


@pytest.mark.parametrize(
    ("kind", "raw", "fields"),
    [
        ("idea", "abc", {"target_id"}),
        ("idea", "0", {"target_id"}),
        ("idea", "-1", {"target_id"}),
        ("idea", "1.5", {"target_id"}),
        ("idea", "๑๒", {"target_id"}),  # Thai digits are digits to Python, not to an id
        ("idea", "9" * 19, {"target_id"}),  # past a bigint
        ("board", "", {"target_id"}),
        ("province", "XXX", {"target_id"}),
        ("province", "", {"target_id"}),
        ("topic", CH * (rules.TOPIC_MAX + 1), {"target_id"}),
        ("topic", "a\x00b", {"target_id"}),
        ("topic", "two\nlines", {"target_id"}),
        ("planet", "1", {"target_kind"}),
        ("", "1", {"target_kind"}),
        (None, None, {"target_kind", "target_id"}),
    ],
)
def test_invalid_targets_name_every_field_in_thai(kind, raw, fields):
    _, errors = rules.parse_target(kind, raw)
    assert set(errors) == fields
    assert all_shown_in_thai(errors)


def test_every_kind_is_numeric_or_has_its_own_check():
    assert set(rules.KINDS) == rules.NUMERIC_KINDS | {"province", "topic"}


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (None, False),
        (user(1), True),
        (user(1, "moderator"), True),
        (user(1, agencies=(5,)), True),
        (user(1, partners=(6,)), True),
        (user(1, status="blocked"), False),
    ],
)
def test_who_may_follow(who, allowed):
    assert rules.can_follow(who) is allowed


def test_hidden_content_is_not_followable():
    assert rules.is_followable(False) is True
    assert rules.is_followable(True) is False


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        # no id, or no number for a numeric kind: nothing canonical to give back, only the problem
        ("idea", None, ("", {"target_id": Problem("This field is required.")})),
        ("board", "   ", ("", {"target_id": Problem("This field is required.")})),
        ("topic", "", ("", {"target_id": Problem("This field is required.")})),
        (None, "", ("", {"target_kind": Problem("Choose an option."), "target_id": Problem("This field is required.")})),
        ("idea", "abc", ("", {"target_id": Problem(rules.BAD_ID)})),
        ("task", "0", ("", {"target_id": Problem(rules.BAD_ID)})),
        ("agency", "9" * 19, ("", {"target_id": Problem(rules.BAD_ID)})),
        ("consultation", " ๑๒ ", ("", {"target_id": Problem(rules.BAD_ID)})),
    ],
)  # fmt: skip
def test_a_missing_or_malformed_id_gives_back_no_id(kind, raw, expected):
    assert rules.parse_target(kind, raw) == expected
