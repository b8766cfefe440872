"""Identity rules: the national ID, its keyed hash, TOTP steps and window, recovery codes, the
OpenID Connect decisions and the staff requirement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from civic.accounts.schemas import CurrentUser
from civic.identity import rules

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
    return CurrentUser(1, "a@example.com", "A", "th", role, "active", email_verified=verified, totp_enabled=totp)


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
