"""Account rules: pure functions, no database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.accounts import rules
from civic.validation import Problem

OK = ("somchai@example.com", "สมชาย ใจดี", "ฝนตกที่หาดใหญ่", "th")


def test_valid_registration_has_no_errors():
    assert rules.validate_registration(*OK) == {}
    assert rules.validate_registration("a.b+tag@sub.example.go.th", "A", "x" * 8, "en") == {}


@pytest.mark.parametrize(
    ("field", "value", "msgid"),
    [
        ("email", "", "This field is required."),
        ("email", "ab", "This is too short (at least %(min)s characters)."),
        ("email", "plainaddress", "Enter an email address like name@example.com."),
        ("email", "@example.com", "Enter an email address like name@example.com."),
        ("email", "name@", "Enter an email address like name@example.com."),
        ("email", "name@example", "Enter an email address like name@example.com."),
        ("email", "name@example.c", "Enter an email address like name@example.com."),
        ("email", "na me@example.com", "Enter an email address like name@example.com."),
        ("email", "a@b@example.com", "Enter an email address like name@example.com."),
        ("email", "a" * 65 + "@example.com", "Enter an email address like name@example.com."),
        ("email", "a" * 64 + "@" + "b" * 190 + ".com", "This is too long (at most %(max)s characters)."),
        ("email", "a\x00@example.com", "This field contains characters that are not allowed."),
        ("email", "a\n@example.com", "This field contains characters that are not allowed."),
        ("display_name", "", "This field is required."),
        ("display_name", "  \t ", "This field is required."),
        ("display_name", "x" * 101, "This is too long (at most %(max)s characters)."),
        ("display_name", "x\x1b[31m", "This field contains characters that are not allowed."),
        ("display_name", "line\r\nbreak", "This field contains characters that are not allowed."),
        ("password", "", "Use at least %(min)s characters for your password."),
        ("password", "1234567", "Use at least %(min)s characters for your password."),
        ("password", "x" * 129, "Use at most %(max)s characters for your password."),
        ("password", "abcdefgh\x00", "This field contains characters that are not allowed."),
        ("lang", "", "Choose Thai or English."),
        ("lang", "TH", "Choose Thai or English."),
        ("lang", "fr", "Choose Thai or English."),
    ],
)
def test_registration_problems(field, value, msgid):
    args = dict(zip(("email", "display_name", "password", "lang"), OK, strict=True))
    args[field] = value
    errors = rules.validate_registration(**args)
    assert set(errors) == {field}
    assert errors[field].msgid == msgid


def test_every_field_is_reported_at_once():
    errors = rules.validate_registration("", "", "", "")
    assert set(errors) == {"email", "display_name", "password", "lang"}


def test_email_length_edges():
    assert "email" not in rules.validate_registration("a" * 64 + "@example.com", *OK[1:])
    # 254 characters in all is the longest allowed address.
    longest = "a" * 64 + "@" + "b" * 185 + ".com"
    assert len(longest) == 254
    assert "email" not in rules.validate_registration(longest, *OK[1:])
    assert "email" in rules.validate_registration(longest + "m", *OK[1:])


def test_display_name_counts_thai_characters_not_bytes():
    # 100 Thai characters are 300 bytes of UTF-8: still allowed.
    assert "display_name" not in rules.validate_registration(OK[0], "ก" * 100, *OK[2:])
    assert "display_name" in rules.validate_registration(OK[0], "ก" * 101, *OK[2:])


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("1234567", False),
        ("12345678", True),
        ("        ", True),  # no composition rules: length is what counts (ASVS 2.1.9)
        ("aaaaaaaa", True),
        ("ก" * 8, True),
        ("x" * 64, True),
        ("x" * 100, True),
        ("x" * 128, True),
        ("x" * 129, False),
    ],
)
def test_password_length_rules(password, ok):
    assert (rules.validate_password(password) is None) is ok


def test_password_problem_carries_its_limit():
    assert rules.validate_password("short") == Problem(
        "Use at least %(min)s characters for your password.", {"min": 8}
    )
    assert rules.validate_password("x" * 500).params == {"max": rules.PASSWORD_MAX}
    assert rules.PASSWORD_MAX >= 64


@pytest.mark.parametrize(
    ("pair", "address", "throttled"),
    [
        (1, 1, False),
        (5, 5, False),
        (5, 20, False),
        (6, 6, True),
        (1, 21, True),
        (6, 1, True),
        (100, 0, True),
    ],
)
def test_login_limits_count_this_attempt(pair, address, throttled):
    """Five attempts a minute per account and address, twenty per address; the sixth is refused."""
    assert rules.over_login_limit(pair, address) is throttled


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("admin", "citizen", True),
        ("admin", "moderator", True),
        ("admin", "admin", True),
        ("moderator", "citizen", True),
        ("moderator", "moderator", False),
        ("moderator", "admin", False),
        ("citizen", "citizen", False),
        ("citizen", "moderator", False),
        ("citizen", "admin", False),
    ],
)
def test_can_block_user_matrix(actor, target, allowed):
    assert rules.can_block_user(actor, target) is allowed


@pytest.mark.parametrize(("role", "allowed"), [("admin", True), ("moderator", False), ("citizen", False)])
def test_only_admins_set_roles(role, allowed):
    assert rules.can_set_role(role) is allowed


@pytest.mark.parametrize(("status", "allowed"), [("active", True), ("blocked", False), ("", False)])
def test_can_log_in(status, allowed):
    assert rules.can_log_in(status) is allowed


@given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=300), st.text(max_size=5))
def test_validation_never_raises_and_only_names_known_fields(email, name, password, lang):
    errors = rules.validate_registration(email, name, password, lang)
    assert set(errors) <= {"email", "display_name", "password", "lang"}
    for problem in errors.values():
        assert problem.msgid % problem.params if problem.params else problem.msgid
