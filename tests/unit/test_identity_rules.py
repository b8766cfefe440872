"""Identity rules: the national ID, its keyed hash, TOTP steps and window, recovery codes, the
OpenID Connect decisions and the staff requirement."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from civic.accounts.schemas import CurrentUser
from civic.identity import rules
from civic.validation import Problem

SECRET = "k" * 40
VALID = "1101200001238"


@pytest.mark.parametrize(
    "typed",
    [VALID, "1-1012-00001-23-8", "1 1012 00001 23 8", "๑๑๐๑๒๐๐๐๐๑๒๓๘", " ๑-๑๐๑๒-๐๐๐๐๑-๒๓-๘ "],
)
def test_id_forms_all_give_the_same_digits(typed):
    assert rules.national_id_digits(typed) == VALID
    assert rules.validate_national_id(typed) == {}


@pytest.mark.parametrize("typed", ["1101200001239", "110120000123", "11012000012380", "١١٠١٢٠٠٠٠١٢٣٨", "abc"])
def test_bad_ids_are_refused_on_the_field(typed):
    assert rules.national_id_digits(typed) is None
    assert "check digit" in rules.validate_national_id(typed)["national_id"].msgid


def test_empty_id_asks_for_it():
    assert "Enter" in rules.validate_national_id("  ")["national_id"].msgid


def test_hmac_is_stable_keyed_and_not_the_number():
    one = rules.national_id_hash(SECRET, VALID)
    assert one == rules.national_id_hash(SECRET, VALID) and len(one) == 32
    assert one != rules.national_id_hash("x" * 40, VALID)
    assert one != rules.national_id_hash(SECRET, "3100602027351")
    assert VALID.encode() not in one
    # Purposes have keys of their own.
    assert rules.derive_key(SECRET, "national-id") != rules.derive_key(SECRET, "recovery-code")


def test_totp_window_and_replay():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = 1_700_000_000.0
    step = int(now // 30)
    assert rules.totp_step(secret, totp.at(now), now, 0) == step
    assert rules.totp_step(secret, totp.at(now - 30), now, 0) == step - 1
    assert rules.totp_step(secret, totp.at(now + 30), now, 0) == step + 1
    assert rules.totp_step(secret, totp.at(now - 60), now, 0) is None
    assert rules.totp_step(secret, totp.at(now + 60), now, 0) is None
    # A step already used is spent, and so is any older one.
    assert rules.totp_step(secret, totp.at(now), now, step) is None
    assert rules.totp_step(secret, totp.at(now + 30), now, step) == step + 1
    # Thai digits and spaces as a phone keyboard may type them.
    code = totp.at(now)
    thai = code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert rules.totp_step(secret, f"{thai[:3]} {thai[3:]}", now, 0) == step
    assert rules.totp_step(secret, "12345", now, 0) is None
    assert rules.totp_step(secret, "abcdef", now, 0) is None


def test_recovery_codes_format_and_hash():
    codes = rules.new_recovery_codes()
    assert len(codes) == rules.RECOVERY_CODES == len(set(codes))
    assert all(rules.RECOVERY_RE.match(c) for c in codes)
    assert rules.recovery_code_form(codes[0].upper().replace("-", " ")) == codes[0]
    assert rules.recovery_code_form("abcd") is None
    assert rules.recovery_code_form("123456") is None
    assert rules.recovery_code_hash(SECRET, codes[0]) != rules.recovery_code_hash(SECRET, codes[1])


def test_throttle_allows_five_wrong_codes():
    assert not rules.totp_throttled(rules.TOTP_FAILURES_ALLOWED - 1)
    assert rules.totp_throttled(rules.TOTP_FAILURES_ALLOWED)


def _user(role="citizen", totp=False, verified=True):
    return CurrentUser(
        1, "a@example.com", "A", "th", role, "active", email_verified=verified, totp_enabled=totp
    )


def test_staff_must_enrol_only_when_required():
    assert rules.staff_must_enrol(_user("admin"), True)
    assert rules.staff_must_enrol(_user("moderator"), True)
    assert not rules.staff_must_enrol(_user("admin", totp=True), True)
    assert not rules.staff_must_enrol(_user("citizen"), True)
    assert not rules.staff_must_enrol(_user("admin"), False)
    assert not rules.staff_must_enrol(None, True)
    assert not rules.can_disable_totp(_user("admin", totp=True), True)
    assert rules.can_disable_totp(_user("citizen", totp=True), True)
    assert not rules.can_disable_totp(_user("citizen", totp=False), True)


def test_oidc_outcomes():
    assert rules.oidc_outcome(7, None, None) == "login"
    assert rules.oidc_outcome(7, None, 7) == "login"
    assert rules.oidc_outcome(None, None, 3) == "email_taken"
    assert rules.oidc_outcome(None, None, None) == "create"
    assert rules.oidc_outcome(None, _user(), 1) == "confirm"
    assert rules.oidc_outcome(None, _user(verified=False), 1) == "unverified"
    assert rules.oidc_outcome(7, _user(), None) == "already_linked"


def test_flow_problem():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.flow_problem(None, now + timedelta(seconds=1), now) is None
    assert rules.flow_problem(None, now, now) == "expired"
    assert rules.flow_problem(now, now + timedelta(minutes=5), now) == "used"


@pytest.mark.parametrize(
    ("password", "password_ok", "code", "refused"),
    [
        ("secret", True, "", set()),  # the password
        ("", False, "123456", set()),  # or a code from the app (checked by the action)
        ("wrong", False, "123456", {"password"}),  # a password typed must be right
        ("", False, "", {"code"}),  # neither
        ("", False, "   ", {"code"}),
    ],
)
def test_new_recovery_codes_need_the_password_or_a_code(password, password_ok, code, refused):
    assert set(rules.validate_renewal(password, password_ok, code)) == refused


# --- exact answers (issue 18: tests that bite)

BAD_ID = Problem(
    "This is not a valid national ID number: check the 13 digits (the last one is a check digit)."
)


@pytest.mark.parametrize(
    ("typed", "errors"),
    [
        ("", {"national_id": Problem("Enter your 13-digit national ID number.")}),
        (" \t ", {"national_id": Problem("Enter your 13-digit national ID number.")}),
        ("1101200001239", {"national_id": BAD_ID}),
        ("abc", {"national_id": BAD_ID}),
        (VALID, {}),
    ],
)
def test_national_id_problems_are_exact(typed, errors):
    assert rules.validate_national_id(typed) == errors


def test_hashes_are_the_keyed_sha256_of_their_own_purpose():
    """The stored hashes must not change between releases (an ID or a recovery code hashed once
    is looked up by its hash later), so each is pinned: HMAC-SHA256 under a key derived from
    SECRET_KEY for that purpose alone."""

    def expected(purpose: str, value: str) -> bytes:
        key = hmac.new(SECRET.encode(), f"civic.identity.{purpose}".encode(), hashlib.sha256).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).digest()

    assert rules.national_id_hash(SECRET, VALID) == expected("national-id", VALID)
    assert rules.national_id_hash(SECRET, VALID).hex() == (
        "87a283fba98b2ee3d20a9b971578fedd60590cf9508f3b8d3fa17eab2c8f6211"
    )
    assert rules.recovery_code_hash(SECRET, "abcde-fghjk") == expected("recovery-code", "abcde-fghjk")
    assert rules.recovery_code_hash(SECRET, "abcde-fghjk").hex() == (
        "02b963dd6a374522eeca9b952b654280d4e27682f259ac3bae2460c816635a23"
    )


def _id_user(status="active", id_verified=False):
    return CurrentUser(
        1, "a@example.com", "A", "th", "citizen", status, email_verified=True, id_verified=id_verified
    )


@pytest.mark.parametrize(
    ("user", "may"),
    [
        (None, False),
        (_id_user(), True),
        (_id_user(id_verified=True), False),  # once is enough
        (_id_user(status="blocked"), False),
        (_id_user(status="blocked", id_verified=True), False),
    ],
)
def test_who_can_verify_an_id(user, may):
    assert rules.can_verify_id(user) is may


def test_totp_steps_are_floored_from_the_epoch():
    """The window is counted from the step `now` falls in, floor(now / 30): at -15 s (just
    before 1970) that is step -1, so step 1 is two steps ahead and refused."""
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    assert rules.totp_step(secret, totp.generate_otp(1), -15.0, 0) is None
    assert rules.totp_step(secret, totp.generate_otp(0), -15.0, -1) == 0
    # The last instant of a step still belongs to it.
    assert rules.totp_step(secret, totp.generate_otp(1), 59.999, 0) == 1
    assert rules.totp_step(secret, totp.generate_otp(2), 59.999, 0) == 2
    assert rules.totp_step(secret, totp.generate_otp(3), 59.999, 0) is None
    assert rules.totp_step(secret, totp.generate_otp(3), 60.0, 0) == 3


def test_provisioning_uri_names_the_account_and_the_issuer():
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert rules.provisioning_uri(secret, "a@example.com") == (
        "otpauth://totp/civic:a%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=civic"
    )


@pytest.mark.parametrize(
    ("claims", "email", "name"),
    [
        ({"name": "Somchai Jaidee", "preferred_username": "sj"}, "s@example.com", "Somchai Jaidee"),
        ({"name": "  สมชาย ใจดี  "}, "s@example.com", "สมชาย ใจดี"),
        ({"name": "", "preferred_username": "sj"}, "s@example.com", "sj"),
        ({"preferred_username": "sj"}, "s@example.com", "sj"),
        ({}, "somchai@example.com", "somchai"),
        ({"name": None, "preferred_username": None}, "somchai@example.com", "somchai"),
        ({"name": 42}, "s@example.com", "42"),
        ({"name": "n" * 100}, "s@example.com", "n" * 100),
        ({"name": "n" * 101}, "s@example.com", "n" * 100),
        ({"name": "   "}, "s@example.com", "OIDC"),  # nothing left once stripped
        ({}, "@example.com", "OIDC"),
    ],
)
def test_oidc_display_name(claims, email, name):
    assert rules.oidc_display_name(claims, email) == name


@pytest.mark.parametrize(
    ("password", "password_ok", "code", "errors"),
    [
        ("secret", True, "", {}),
        ("", False, "123456", {}),
        ("wrong", False, "123456", {"password": Problem("Your current password is not correct.")}),
        (
            "",
            False,
            " ",
            {"code": Problem("Enter your current password or a 6-digit code from your authenticator app.")},
        ),
    ],
)
def test_renewal_problems_are_exact(password, password_ok, code, errors):
    assert rules.validate_renewal(password, password_ok, code) == errors
