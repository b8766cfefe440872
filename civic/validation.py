"""Text checks shared by every domain's rules, and the refusal every domain's store raises.
Pure: no litestar, no asyncpg; nothing here translates."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from civic import thai


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is stored, to be translated where it is shown: the
    label tables of the rules, and of templates (a global)."""
    return message


class Problem(NamedTuple):
    """A msgid and its parameters; the web layer translates it for the reader."""

    msgid: str
    params: dict[str, object] = {}


Errors = dict[str, Problem]


class DomainError(Exception):
    """The only exceptions an action raises. One handler (civic.web.errors) answers each as JSON,
    as the form re-rendered with every error, or as a localised error page, from its status and
    code. Defined here, not in civic.web, because rules and stores may not import litestar."""

    status = 409
    code = "conflict"
    default_msgid = "This conflicts with the current state. Reload and try again."

    def __init__(self, msgid: str | None = None, params: dict | None = None, *, field: str | None = None) -> None:
        msgid = msgid or self.default_msgid
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params or {}
        self.field = field


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_msgid = "We could not find that page."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_msgid = "You do not have permission to do this."


class Conflict(DomainError):
    """The request was valid, but the state it acts on does not allow it (now)."""


class TooMany(DomainError):
    status = 429
    code = "too_many_requests"
    default_msgid = "Too many attempts. Please wait a minute and try again."


class Invalid(DomainError):
    """Every problem with an input at once, by field, so a form can show them all together."""

    status = 422
    code = "invalid_input"
    default_msgid = "Some of the information is not valid."

    def __init__(self, errors: Errors, *, status: int | None = None) -> None:
        field, first = next(iter(errors.items()))
        super().__init__(first.msgid, first.params, field=field)
        self.errors = errors
        if status is not None:
            self.status = status


def raise_if(errors: Errors) -> None:
    """The actions' one line after validation: refuse with every problem, or go on."""
    if errors:
        raise Invalid(errors)


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
    # A single line is a name, a title or a label: it must hold something to read, and every mark
    # in it must sit on a letter. Longer text may keep PDF text's split marks (search repairs
    # them), but may not begin with a mark, which is also what text made only of marks does.
    if not multiline and not thai.has_base(stripped):
        return Problem("This must contain at least one letter or digit.")
    orphan = thai.orphan_mark(stripped)
    if orphan == 0 or (orphan is not None and not multiline):
        return Problem("A vowel or tone mark here has no letter before it.")
    if len(stripped) < min_len:
        return Problem("This is too short (at least %(min)s characters).", {"min": min_len})
    if len(stripped) > max_len:
        return Problem("This is too long (at most %(max)s characters).", {"max": max_len})
    return None


def check_choice(value: str | None, allowed, *, required: bool = True) -> Problem | None:
    if not value:  # a choice is chosen, not typed: say "choose" ("เลือก"), not "fill in" ("กรอก")
        return Problem("Choose an option.") if required else None
    if value not in allowed:
        return Problem("Choose one of the options.")
    return None
