"""Account rules: validation and permissions. Pure: no litestar, no asyncpg."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from civic.accounts.schemas import CurrentUser
from civic.validation import DomainError, Errors, Forbidden, Problem, check_text, has_control_chars

# Deliberately loose (RFC 5322 is looser still): one @, a dot in the domain, no spaces.
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PASSWORD_MIN = 8  # ASVS 2.1.1
PASSWORD_MAX = 128  # ASVS 2.1.2 asks that 64 or more be allowed
# Login throttle (OWASP Authentication Cheat Sheet): a hard limit only per account-and-address
# pair and per address, so nobody can lock an owner out from elsewhere; per account, a delay that
# grows with every attempt after the free ones (any address but the one it last logged in from).
PAIR_ATTEMPTS_PER_MINUTE = 5
ADDRESS_ATTEMPTS_PER_MINUTE = 20
ACCOUNT_FREE_ATTEMPTS = 5
# Seconds before the next attempt after the 5th, 6th, ...: a distributed guesser gets a handful
# of checks an hour; a person who mistyped five times from a new place waits ten seconds.
ACCOUNT_DELAYS = (10, 20, 40, 60, 120, 300)
ACCOUNT_MEMORY = timedelta(minutes=15)  # attempts older than this are forgotten
LANGS = ("th", "en")
LOGIN_EMAIL_MAX = 1000
TOKEN_NAME_MAX = 100


# How long a mailed link works: long enough to find the mail the next day, short for a reset
# (it hands over the account).
LINK_LIFETIMES = {
    "verify": timedelta(hours=24),
    "reset": timedelta(hours=1),
    "change_email": timedelta(hours=24),
}
# Links of one purpose a person may ask for per LINK_WINDOW (resending, changing address):
# each one is a mail to someone's inbox.
LINKS_PER_WINDOW = 5
LINK_WINDOW = timedelta(hours=1)
# Reset requests are counted whether or not the address has an account, so the refusal says
# nothing about who is registered. Per address it stops mail-bombing one inbox; per client it
# stops one machine walking through a list of addresses.
RESETS_PER_ADDRESS = 3
RESETS_PER_CLIENT = 20
RESET_WINDOW = timedelta(minutes=15)


def validate_registration(email: str, display_name: str, password: str, lang: str) -> Errors:
    """Return field -> problem; empty when all is well."""
    errors: Errors = {}
    problem = check_email(email)
    if problem:
        errors["email"] = problem
    problem = check_text(display_name, min_len=1, max_len=100)
    if problem:
        errors["display_name"] = problem
    problem = validate_password(password)
    if problem:
        errors["password"] = problem
    if lang not in LANGS:
        errors["lang"] = Problem("Choose Thai or English.")
    return errors


def check_email(email: str) -> Problem | None:
    problem = check_text(email, min_len=3, max_len=254)
    if problem:
        return problem
    if not EMAIL_RE.match(email.strip()):
        return Problem("Enter an email address like name@example.com.")
    return None


def validate_password(password: str) -> Problem | None:
    # No composition rules (ASVS 2.1.9): length is what counts.
    if "\x00" in password:
        return Problem("This field contains characters that are not allowed.")
    if len(password) < PASSWORD_MIN:
        return Problem("Use at least %(min)s characters for your password.", {"min": PASSWORD_MIN})
    if len(password) > PASSWORD_MAX:
        return Problem("Use at most %(max)s characters for your password.", {"max": PASSWORD_MAX})
    return None


def over_login_limit(pair_attempts: int, address_attempts: int) -> bool:
    """Counts include the attempt being made: the fifth try from one address is answered, the
    sixth is not."""
    return pair_attempts > PAIR_ATTEMPTS_PER_MINUTE or address_attempts > ADDRESS_ATTEMPTS_PER_MINUTE


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


# ------------------------------------------------------------------ the account lifecycle


class EmailNotVerified(Forbidden):
    """The answer to a verb that needs a verified address (support, comment, answer a
    consultation, submit an idea, claim a task), over the pages and the API alike."""

    code = "email_not_verified"
    default_msgid = (
        "Please verify your email address first: open the link we sent you, "
        "or ask for a new one on your account page."
    )


def is_verified(user: CurrentUser | None) -> bool:
    """The half of every gated can_* that is about the address: browsing and drafting do not ask."""
    return user is not None and user.email_verified


def needs_verification(user: CurrentUser | None) -> bool:
    """Logged in with an address not yet proved: what the templates ask to explain a missing button."""
    return user is not None and not user.email_verified


def refusal(user: CurrentUser | None, otherwise: DomainError) -> DomainError:
    """What a gated verb refuses with once its can_* said no: an unverified person is told the one
    thing they can fix, everyone else the verb's own reason."""
    return EmailNotVerified() if needs_verification(user) else otherwise


def link_problem(used_at: datetime | None, expires_at: datetime, now: datetime) -> str | None:
    """Why a stored link no longer works ("used" or "expired"), or None while it does. A link
    stops at its expiry instant, not a moment after."""
    if used_at is not None:
        return "used"
    if now >= expires_at:
        return "expired"
    return None


def links_throttled(recent: int) -> bool:
    return recent >= LINKS_PER_WINDOW


def resets_throttled(by_address: int, by_client: int) -> bool:
    return by_address >= RESETS_PER_ADDRESS or by_client >= RESETS_PER_CLIENT


def validate_password_change(current_ok: bool, new_password: str) -> Errors:
    errors: Errors = {}
    if not current_ok:
        errors["current_password"] = Problem("Your current password is not correct.")
    problem = validate_password(new_password)
    if problem:
        errors["new_password"] = problem
    return errors


def validate_email_change(new_email: str, current_email: str, password_ok: bool) -> Errors:
    errors: Errors = {}
    problem = check_email(new_email)
    if problem:
        errors["email"] = problem
    elif new_email.strip().lower() == current_email.strip().lower():
        errors["email"] = Problem("This is already your email address.")
    if not password_ok:
        errors["password"] = Problem("Your current password is not correct.")
    return errors


def mask_email(email: str) -> str:
    """An address as the old mailbox is told of it: enough to recognise, not enough to harvest."""
    local, _, domain = email.strip().partition("@")
    return f"{local[:1]}***@{domain}"
