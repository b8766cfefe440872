"""Identity levels: a Thai national ID, TOTP codes and recovery codes, OpenID Connect decisions.
Pure: no litestar, no asyncpg, no store (hmac and pyotp compute, they do no I/O)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import pyotp

from civic import thai
from civic.accounts.rules import refusal as email_refusal
from civic.accounts.schemas import CurrentUser
from civic.validation import DomainError, Errors, Forbidden, Problem

# --- the national ID


def national_id_digits(typed: str) -> str | None:
    """The 13 ASCII digits of a valid ID typed with Thai or Arabic digits, dashes or spaces; None
    for anything else (a wrong length, another script, a wrong check digit)."""
    if not thai.valid_thai_id(typed.strip()):
        return None
    return thai.to_arabic_digits(re.sub(r"[- ]", "", typed.strip()))


def validate_national_id(typed: str) -> Errors:
    if not typed.strip():
        return {"national_id": Problem("Enter your 13-digit national ID number.")}
    if national_id_digits(typed) is None:
        return {
            "national_id": Problem(
                "This is not a valid national ID number: check the 13 digits (the last one is a check digit)."
            )
        }
    return {}


def derive_key(secret: str, purpose: str) -> bytes:
    """A key of its own for each use of SECRET_KEY, so an ID hash, a recovery code hash and the
    TOTP encryption never share one."""
    return hmac.new(secret.encode(), f"civic.identity.{purpose}".encode(), hashlib.sha256).digest()


def national_id_hash(secret: str, digits: str) -> bytes:
    """Stable for one ID and one SECRET_KEY; without the key it cannot be reversed by trying all
    10^12 possible IDs (a plain SHA-256 of so small a space could)."""
    return hmac.new(derive_key(secret, "national-id"), digits.encode(), hashlib.sha256).digest()


def can_verify_id(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active" and not user.id_verified


# --- the level a space asks for (a board or a consultation: requires_national_id)

VERIFY_ID_PATH = "/account/identity"


class NationalIdRequired(Forbidden):
    """A verb in a space that admits only people with a verified national ID, refused to someone
    without one: the message names the page where they can verify it (the API has no link)."""

    code = "national_id_required"
    default_msgid = (
        "Only people who have verified their Thai national ID can take part here. "
        "Verify yours at /account/identity, then try again."
    )


def meets_level(user: CurrentUser | None, requires_national_id: bool) -> bool:
    """The identity half of every gated can_* in a space (support, comment, submit, respond)."""
    return not requires_national_id or (user is not None and user.id_verified)


def needs_national_id(user: CurrentUser | None, requires_national_id: bool) -> bool:
    """Logged in but without the verified ID this space asks for: what the templates ask to
    explain a missing button."""
    return user is not None and requires_national_id and not user.id_verified


def refusal(user: CurrentUser | None, requires_national_id: bool, otherwise: DomainError) -> DomainError:
    """What a gated verb in a space refuses with once its can_* said no: first the address to
    verify, then the ID, else the verb's own reason."""
    return email_refusal(
        user, NationalIdRequired() if needs_national_id(user, requires_national_id) else otherwise
    )


# --- TOTP (RFC 6238: 30-second steps, 6 digits)

TOTP_STEP = 30
# One step either side: a phone clock a little off, or a code typed as it changed.
TOTP_WINDOW = 1
# Wrong codes per account in TOTP_FAILURE_WINDOW before the next is refused unchecked: a
# 6-digit code has a million values, so 5 per 15 minutes makes guessing hopeless.
TOTP_FAILURES_ALLOWED = 5
TOTP_FAILURE_WINDOW = timedelta(minutes=15)
CHALLENGE_LIFETIME = timedelta(minutes=5)
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_RE = re.compile(r"^[a-z2-9]{5}-[a-z2-9]{5}$")
ISSUER_NAME = "civic"


def code_digits(typed: str) -> str:
    """A code as typed on a phone: Thai digits and spaces allowed."""
    return thai.to_arabic_digits(re.sub(r"\s", "", typed))


def totp_step(secret: str, typed: str, now: float, last_step: int) -> int | None:
    """The time step the typed code belongs to, if it is right for a step within the window and
    newer than the last one used (a code seen once, on the wire or over a shoulder, is spent)."""
    code = code_digits(typed)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    current = int(now // TOTP_STEP)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=account, issuer_name=ISSUER_NAME)


def totp_throttled(recent_failures: int) -> bool:
    return recent_failures >= TOTP_FAILURES_ALLOWED


def new_recovery_codes() -> list[str]:
    def one() -> str:
        chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        return f"{chars[:5]}-{chars[5:]}"

    return [one() for _ in range(RECOVERY_CODES)]


def recovery_code_form(typed: str) -> str | None:
    """A recovery code as stored (lower case, one dash), or None if it cannot be one."""
    compact = re.sub(r"[\s-]", "", typed.strip().lower())
    code = f"{compact[:5]}-{compact[5:]}"
    return code if RECOVERY_RE.match(code) else None


def recovery_code_hash(secret: str, code: str) -> bytes:
    """Recovery codes are 50 random bits each, so a keyed SHA-256 (the key is the pepper) is as
    good as argon2 here and lets the store find a code by its hash."""
    return hmac.new(derive_key(secret, "recovery-code"), code.encode(), hashlib.sha256).digest()


def validate_renewal(password: str, password_ok: bool, code: str) -> Errors:
    """New recovery codes need the password (right, if typed) or else a code from the app."""
    if password:
        return {} if password_ok else {"password": Problem("Your current password is not correct.")}
    if not code.strip():
        return {"code": Problem("Enter your current password or a 6-digit code from your authenticator app.")}
    return {}


def staff_role_requires_totp(user: CurrentUser, required: bool) -> bool:
    return required and user.role in ("moderator", "admin")


def staff_must_enrol(user: CurrentUser | None, required: bool) -> bool:
    """Moderators and admins keep their role but not its tools until they have a second factor."""
    return user is not None and staff_role_requires_totp(user, required) and not user.totp_enabled


def can_disable_totp(user: CurrentUser, required: bool) -> bool:
    """Staff may not switch off what their role requires."""
    return user.totp_enabled and not staff_role_requires_totp(user, required)


# --- OpenID Connect

OIDC_FLOW_LIFETIME = timedelta(minutes=10)
OIDC_LINK_LIFETIME = timedelta(minutes=15)


def flow_problem(used_at: datetime | None, expires_at: datetime, now: datetime) -> str | None:
    """Why a stored authorisation can no longer finish: "used" (a replay) or "expired"."""
    if used_at is not None:
        return "used"
    if now >= expires_at:
        return "expired"
    return None


def oidc_outcome(
    linked_user_id: int | None, linking_user: CurrentUser | None, email_owner_id: int | None
) -> str:
    """What a validated provider identity leads to:
    "already_linked" (the logged-in person asked to link one that opens an account already),
    "login" (it is linked), "confirm" (the logged-in person asked to link it and must confirm),
    "unverified" (they asked, but their own address is not verified yet), "email_taken" (an
    account has its address: log in to it first, then link; never merged silently), or
    "create" (a new account)."""
    if linking_user is not None:
        if linked_user_id is not None:
            return "already_linked"
        return "confirm" if linking_user.email_verified else "unverified"
    if linked_user_id is not None:
        return "login"
    if email_owner_id is not None:
        return "email_taken"
    return "create"


def oidc_display_name(claims: dict, email: str) -> str:
    name = claims.get("name") or claims.get("preferred_username") or email.split("@")[0]
    return str(name).strip()[:100] or "OIDC"
