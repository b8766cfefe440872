"""The account lifecycle's pure parts: link lifetimes and states, throttles, the verified gate,
password and address changes, and the signed tokens (purpose, forgery, expiry)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from civic.accounts import rules, tokens
from civic.accounts.schemas import CurrentUser
from civic.validation import Conflict, Problem

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SECRET = "unit-test-secret-0123456789"


def user(verified: bool = True) -> CurrentUser:
    return CurrentUser(
        id=7, email="a@example.com", display_name="a", lang="th", role="citizen", status="active",
        email_verified=verified,
    )  # fmt: skip


def test_link_lifetimes_are_the_issue_s():
    assert rules.LINK_LIFETIMES == {
        "verify": timedelta(hours=24),
        "reset": timedelta(hours=1),
        "change_email": timedelta(hours=24),
    }


@pytest.mark.parametrize(
    ("used_at", "expires_at", "problem"),
    [
        (None, NOW + timedelta(seconds=1), None),
        (None, NOW, "expired"),  # the expiry instant itself is too late
        (None, NOW - timedelta(seconds=1), "expired"),
        (NOW - timedelta(minutes=5), NOW + timedelta(hours=1), "used"),
        (NOW - timedelta(minutes=5), NOW - timedelta(hours=1), "used"),  # used wins: it says more
    ],
)
def test_link_problem(used_at, expires_at, problem):
    assert rules.link_problem(used_at, expires_at, NOW) == problem


@pytest.mark.parametrize(("recent", "throttled"), [(0, False), (4, False), (5, True), (6, True)])
def test_links_per_window(recent, throttled):
    assert rules.LINKS_PER_WINDOW == 5
    assert rules.links_throttled(recent) is throttled


@pytest.mark.parametrize(
    ("by_address", "by_client", "throttled"),
    [(0, 0, False), (2, 19, False), (3, 0, True), (0, 20, True), (2, 20, True), (3, 19, True)],
)
def test_resets_throttled_by_address_or_client(by_address, by_client, throttled):
    assert (rules.RESETS_PER_ADDRESS, rules.RESETS_PER_CLIENT) == (3, 20)
    assert rules.resets_throttled(by_address, by_client) is throttled


def test_the_verified_gate():
    assert rules.is_verified(user(True))
    assert not rules.is_verified(user(False))
    assert not rules.is_verified(None)
    assert rules.needs_verification(user(False))
    assert not rules.needs_verification(user(True))
    assert not rules.needs_verification(None)  # a visitor is asked to log in, not to verify


def test_refusal_tells_an_unverified_person_to_verify_and_others_the_verb_s_reason():
    closed = Conflict("Comments are closed for this idea.")
    refused = rules.refusal(user(False), closed)
    assert isinstance(refused, rules.EmailNotVerified)
    assert (refused.status, refused.code) == (403, "email_not_verified")
    assert rules.refusal(user(True), closed) is closed
    assert rules.refusal(None, closed) is closed


def test_password_change():
    assert rules.validate_password_change(True, "a long new phrase") == {}
    assert rules.validate_password_change(False, "short") == {
        "current_password": Problem("Your current password is not correct."),
        "new_password": Problem("Use at least %(min)s characters for your password.", {"min": 8}),
    }


def test_email_change():
    assert rules.validate_email_change("new@example.com", "a@example.com", True) == {}
    assert rules.validate_email_change(" A@Example.com ", "a@example.com", True) == {
        "email": Problem("This is already your email address.")
    }
    assert rules.validate_email_change("not-an-address", "a@example.com", False) == {
        "email": Problem("Enter an email address like name@example.com."),
        "password": Problem("Your current password is not correct."),
    }


def test_mask_email():
    assert rules.mask_email(" somchai@example.go.th ") == "s***@example.go.th"


# ------------------------------------------------------------------ signed tokens


def test_a_token_reads_back_for_its_own_purpose_only():
    token = tokens.sign(SECRET, "verify", "nonce-1")
    assert tokens.read(SECRET, "verify", token, timedelta(hours=24)) == "nonce-1"
    # A verification link is not a reset link (the salt differs), and another key forged nothing.
    with pytest.raises(tokens.BadLink) as wrong_purpose:
        tokens.read(SECRET, "reset", token, timedelta(hours=1))
    assert type(wrong_purpose.value) is tokens.BadLink
    with pytest.raises(tokens.BadLink):
        tokens.read("another-secret", "verify", token, timedelta(hours=24))


@pytest.mark.parametrize("mangle", [lambda t: t[:-2], lambda t: "x" + t, lambda t: "", lambda t: "a.b.c"])
def test_a_mangled_token_is_not_valid(mangle):
    token = tokens.sign(SECRET, "reset", "nonce-2")
    with pytest.raises(tokens.BadLink) as refused:
        tokens.read(SECRET, "reset", mangle(token), timedelta(hours=1))
    assert refused.value.code == "link_invalid"


def test_a_token_past_its_lifetime_has_expired(monkeypatch):
    token = tokens.sign(SECRET, "reset", "nonce-3")
    signed_at = time.time()
    monkeypatch.setattr(time, "time", lambda: signed_at + 3600 + 2)
    with pytest.raises(tokens.LinkExpired) as refused:
        tokens.read(SECRET, "reset", token, timedelta(hours=1))
    assert (refused.value.status, refused.value.code) == (400, "link_expired")
    monkeypatch.setattr(time, "time", lambda: signed_at + 3600 - 2)
    assert tokens.read(SECRET, "reset", token, timedelta(hours=1)) == "nonce-3"


def test_a_signed_value_that_is_not_a_nonce_is_not_valid():
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer(SECRET, salt="civic.account.verify").dumps({"n": 1})
    with pytest.raises(tokens.BadLink):
        tokens.read(SECRET, "verify", token, timedelta(hours=24))
