"""The account lifecycle's rules (mailed links, their throttles, changing a password or an address,
the verified gate) at their edges: pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from civic.accounts import rules
from civic.validation import Forbidden, NotFound, Problem
from tests.unit.rules_support import user

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
WRONG_PASSWORD = Problem("Your current password is not correct.")
SHORT = Problem("Use at least %(min)s characters for your password.", {"min": rules.PASSWORD_MIN})


@pytest.mark.parametrize(
    ("used_at", "expires_at", "problem"),
    [
        (None, NOW + timedelta(seconds=1), None),
        (None, NOW, "expired"),  # a link stops at its expiry instant
        (None, NOW - timedelta(hours=1), "expired"),
        (NOW - timedelta(minutes=5), NOW + timedelta(hours=1), "used"),
        (NOW - timedelta(minutes=5), NOW - timedelta(hours=1), "used"),  # used says more than expired
    ],
)
def test_link_problem(used_at, expires_at, problem):
    assert rules.link_problem(used_at, expires_at, NOW) == problem


def test_links_per_window_at_the_limit():
    assert not rules.links_throttled(rules.LINKS_PER_WINDOW - 1)
    assert rules.links_throttled(rules.LINKS_PER_WINDOW)


@pytest.mark.parametrize(
    ("by_address", "by_client", "throttled"),
    [
        (rules.RESETS_PER_ADDRESS - 1, rules.RESETS_PER_CLIENT - 1, False),
        (rules.RESETS_PER_ADDRESS, 0, True),  # one inbox asked too often
        (0, rules.RESETS_PER_CLIENT, True),  # one client walking through addresses
    ],
)
def test_resets_throttled_per_address_or_per_client(by_address, by_client, throttled):
    assert rules.resets_throttled(by_address, by_client) is throttled


@pytest.mark.parametrize(
    ("current_ok", "new_password", "errors"),
    [
        (True, "x" * rules.PASSWORD_MIN, {}),
        (False, "x" * rules.PASSWORD_MIN, {"current_password": WRONG_PASSWORD}),
        (True, "x" * (rules.PASSWORD_MIN - 1), {"new_password": SHORT}),
        (False, "", {"current_password": WRONG_PASSWORD, "new_password": SHORT}),  # every problem at once
    ],
)
def test_validate_password_change(current_ok, new_password, errors):
    assert rules.validate_password_change(current_ok, new_password) == errors


@pytest.mark.parametrize(
    ("new_email", "password_ok", "errors"),
    [
        ("new@example.com", True, {}),
        (" SOMCHAI@Example.com ", True, {"email": Problem("This is already your email address.")}),
        ("nobody", True, {"email": Problem("Enter an email address like name@example.com.")}),
        ("", False, {"email": Problem("This field is required."), "password": WRONG_PASSWORD}),
        ("new@example.com", False, {"password": WRONG_PASSWORD}),
    ],
)
def test_validate_email_change(new_email, password_ok, errors):
    assert rules.validate_email_change(new_email, "somchai@example.com", password_ok) == errors


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        (" somchai@example.com ", "s***@example.com"),
        ("a@b.co", "a***@b.co"),
        ("x@y@example.com", "x***@y@example.com"),
    ],
)
def test_mask_email_keeps_the_first_letter_and_the_domain(email, masked):
    assert rules.mask_email(email) == masked


def test_check_email_at_its_shortest():
    assert rules.check_email("ab") == Problem("This is too short (at least %(min)s characters).", {"min": 3})
    assert rules.check_email("a@b") == Problem("Enter an email address like name@example.com.")


UNVERIFIED = msgspec.structs.replace(user(1), email_verified=False)


@pytest.mark.parametrize(
    ("who", "verified", "needs"), [(None, False, False), (user(1), True, False), (UNVERIFIED, False, True)]
)
def test_the_verified_gate(who, verified, needs):
    assert rules.is_verified(who) is verified
    assert rules.needs_verification(who) is needs
    otherwise = NotFound()
    refused = rules.refusal(who, otherwise)
    if needs:
        assert isinstance(refused, rules.EmailNotVerified) and isinstance(refused, Forbidden)
        assert refused.code == "email_not_verified"
    else:
        assert refused is otherwise
