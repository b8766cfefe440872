"""Who may submit at the counter, and what the counter form needs. Pure."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from civic.accounts.schemas import CurrentUser
from civic.identity.rules import national_id_digits
from civic.validation import N_, Errors, Problem, check_choice, check_text

CHANNELS = ("counter", "phone", "paper")
KINDS = ("idea", "support", "answer")
CODE_LIFETIME = timedelta(days=30)
NO_CONSENT = N_(
    "The person must agree to the platform keeping their name and contact for this submission: "
    "ask them, and tick the box."
)


def can_assist(user: CurrentUser | None, agency_id: int) -> bool:
    """Staff of the agency whose counter it is (any role in it)."""
    return user is not None and user.status == "active" and agency_id in user.agency_ids


def validate_person(channel: str, name: str, contact: str, consent: bool, national_id: str) -> Errors:
    errors: Errors = {}
    if problem := check_choice(channel, CHANNELS):
        errors["channel"] = problem
    if problem := check_text(name, max_len=200):
        errors["person_name"] = problem
    if problem := check_text(contact, max_len=300):
        errors["person_contact"] = problem
    if national_id.strip() and national_id_digits(national_id) is None:
        errors["national_id"] = Problem(
            "This is not a valid national ID number: check the 13 digits (the last one is a check digit)."
        )
    if not consent:
        errors["consent"] = Problem(NO_CONSENT)
    return errors


def new_code() -> str:
    """Eight characters read out at a counter or over the phone: no 0/O or 1/I to confuse."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def code_form(typed: str) -> str:
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def code_hash(code: str) -> bytes:
    # The code is random (40 bits) and single use within 30 days: a plain hash keeps a leaked
    # table from being typed in, and a lookup by hash needs no key.
    return hashlib.sha256(code_form(code).encode()).digest()


def code_problem(taken_over_at: datetime | None, expires_at: datetime, now: datetime) -> str | None:
    if taken_over_at is not None:
        return N_("This code has already been used.")
    if now >= expires_at:
        return N_("This code has expired. Ask the counter for the contribution to be submitted again.")
    return None


def can_take_over(user: CurrentUser | None) -> bool:
    return user is not None and user.status == "active" and user.email_verified
