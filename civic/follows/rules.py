"""Who may follow what, and what a target reference must look like. Pure: no litestar, asyncpg
or store (import-linter checks it).

Whether the thing exists, and whether this person may see it, is the owning domain's question;
actions ask it through that domain's reads. Here: the shape of the reference, and the one rule
that holds whatever the kind (hidden content cannot be followed).
"""

from __future__ import annotations

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.validation import N_, Errors, Problem, check_choice, check_text

# In the order the /follows page groups them.
KINDS = ("idea", "board", "consultation", "task", "agency", "province", "topic")
NUMERIC_KINDS = frozenset({"idea", "board", "consultation", "task", "agency"})
TOPIC_MAX = 80  # the longest idea category a board may offer (ideas.rules.CATEGORY_MAX)
_ID_DIGITS_MAX = 18  # a bigint has 19 digits; 18 keep every accepted id inside it


BAD_ID = N_("This is not something that can be followed.")


def parse_target(kind: str | None, target_id: str | None) -> tuple[str, Errors]:
    """The target id in its one canonical form (numbers without leading zeros, province codes in
    capitals, topics trimmed), so one thing always has one row; and every problem by field."""
    errors: Errors = {}
    if problem := check_choice(kind, KINDS):
        errors["target_kind"] = problem
    raw = (target_id or "").strip()
    if not raw:
        errors["target_id"] = Problem("This field is required.")
        return "", errors
    if kind in NUMERIC_KINDS:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > _ID_DIGITS_MAX or int(raw) == 0:
            errors["target_id"] = Problem(BAD_ID)
            return "", errors
        return str(int(raw)), errors
    if kind == "province":
        code = raw.upper()
        if not provinces.is_valid(code):
            errors["target_id"] = Problem(BAD_ID)
        return code, errors
    if kind == "topic" and (problem := check_text(raw, max_len=TOPIC_MAX)):
        errors["target_id"] = problem
    return raw, errors


def can_follow(user: CurrentUser | None) -> bool:
    """Any signed-in person whose account is not blocked: following only changes what they are told."""
    return user is not None and user.status == "active"


def is_followable(hidden: bool) -> bool:
    """Hidden content keeps its place as a tombstone; nobody starts following it."""
    return not hidden
