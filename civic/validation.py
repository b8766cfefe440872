"""Text checks shared by every domain's rules, and the refusal every domain's store raises.
Pure: no litestar, no asyncpg; nothing here translates."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple


class Problem(NamedTuple):
    """A msgid and its parameters; the web layer translates it for the reader."""

    msgid: str
    params: dict[str, object] = {}


Errors = dict[str, Problem]


class DomainError(Exception):
    """A store's refusal: the web layer maps it to a ClientError with this HTTP status and code.
    Defined here, not in civic.web, because store.py may not import litestar."""

    status = 409
    code = "conflict"

    def __init__(self, msgid: str, params: dict | None = None, *, field: str | None = None) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params or {}
        self.field = field


# Tab, newline and carriage return are ordinary in multi-line text; every other control
# character (NUL included) is refused rather than silently stripped, so nothing is lost unseen.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in value)


def check_text(
    value: str | None, *, min_len: int = 1, max_len: int, multiline: bool = False, required: bool = True
) -> Problem | None:
    """The first problem with a text field, or None."""
    value = value or ""
    if has_control_chars(value) or (not multiline and ("\n" in value or "\r" in value)):
        return Problem("This field contains characters that are not allowed.")
    stripped = value.strip()
    if not stripped and not required:
        return None
    if not stripped:
        return Problem("This field is required.")
    if len(stripped) < min_len:
        return Problem("This is too short (at least %(min)s characters).", {"min": min_len})
    if len(stripped) > max_len:
        return Problem("This is too long (at most %(max)s characters).", {"max": max_len})
    return None


def check_choice(value: str | None, allowed, *, required: bool = True) -> Problem | None:
    if not value:
        return Problem("This field is required.") if required else None
    if value not in allowed:
        return Problem("Choose one of the options.")
    return None
