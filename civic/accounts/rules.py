"""Account rules: validation and permissions. Pure: no litestar, no asyncpg."""

from __future__ import annotations

import re

from civic.validation import Errors, Problem, check_text, has_control_chars

# Deliberately loose (RFC 5322 is looser still): one @, a dot in the domain, no spaces.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PASSWORD_MIN = 8  # ASVS 2.1.1
PASSWORD_MAX = 128  # ASVS 2.1.2 asks that 64 or more be allowed
MAX_FAILURES_PER_MINUTE = 5
LANGS = ("th", "en")
LOGIN_EMAIL_MAX = 1000
TOKEN_NAME_MAX = 100


def validate_registration(email: str, display_name: str, password: str, lang: str) -> Errors:
    """Return field -> problem; empty when all is well."""
    errors: Errors = {}
    problem = check_text(email, min_len=3, max_len=254)
    if problem:
        errors["email"] = problem
    elif not EMAIL_RE.match(email.strip()):
        errors["email"] = Problem("Enter an email address like name@example.com.")
    problem = check_text(display_name, min_len=1, max_len=100)
    if problem:
        errors["display_name"] = problem
    problem = validate_password(password)
    if problem:
        errors["password"] = problem
    if lang not in LANGS:
        errors["lang"] = Problem("Choose Thai or English.")
    return errors


def validate_password(password: str) -> Problem | None:
    # No composition rules (ASVS 2.1.9): length is what counts.
    if "\x00" in password:
        return Problem("This field contains characters that are not allowed.")
    if len(password) < PASSWORD_MIN:
        return Problem("Use at least %(min)s characters for your password.", {"min": PASSWORD_MIN})
    if len(password) > PASSWORD_MAX:
        return Problem("Use at most %(max)s characters for your password.", {"max": PASSWORD_MAX})
    return None


def is_throttled(failures_for_account: int, failures_for_address: int) -> bool:
    return max(failures_for_account, failures_for_address) >= MAX_FAILURES_PER_MINUTE


def login_email(typed: str) -> str:
    """The address a login looks up. One that cannot be anyone's (control characters, absurd
    length; PostgreSQL text cannot hold NUL) becomes "", which fails like a wrong password and is
    counted, without reaching the database."""
    return "" if has_control_chars(typed) or len(typed) > LOGIN_EMAIL_MAX else typed


def token_name(typed: str) -> str:
    return typed.strip() or "API"


def validate_token_name(name: str) -> Errors:
    problem = check_text(name, max_len=TOKEN_NAME_MAX)
    return {"name": problem} if problem else {}


def chosen_lang(value: str | None) -> str:
    """The language asked for; anything else is Thai, the platform's default."""
    return value if value in LANGS else "th"


def can_log_in(status: str) -> bool:
    return status == "active"


def can_set_role(actor_role: str) -> bool:
    return actor_role == "admin"


def can_block_user(actor_role: str, target_role: str) -> bool:
    if actor_role == "admin":
        return True
    return actor_role == "moderator" and target_role == "citizen"
