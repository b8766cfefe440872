"""Where a page of a long list starts, as its links carry it: right after (or before) one row of
the list, then whole pages past it. A list ordered by (key, id), each way, reads such a page from its
index at the same cost on page 4 and on page 5,000. By page number alone, OFFSET would read and
drop every row before the page: 15 ms instead of 0.3 at page 5,000 of 100k ideas. A page opened by
its number alone (the first, the last, a typed one) is read from whichever end is nearer.

A token reads `a0_2351.59_4412`: after (`a`) or before (`b`) the row whose sort key is 2351.59 and
id 4412, skipping 0 rows. A page's links to the pages around it are anchored on its own first and
last rows; the first and last few pages need none, they are at the two ends of the index.

Pure module: no web framework, no database.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import msgspec

from civic import thai

# A page links to the pages up to this far either side of it (the pagination macro's window), so
# a link skips at most WINDOW - 1 pages past its anchor row.
WINDOW = 2
# The first and the last pages are read by their number, the pages people open most: their
# statements are few, so each connection keeps them planned (civic.db.fetch_page). An anchored
# statement is planned afresh on some lists (0.4 ms on the task board), so only the pages between
# are anchored.
BY_NUMBER = 3

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_TOKEN = re.compile(r"([ab])(\d{1,4})_([-+.0-9eE]{1,32})_(\d{1,18})")

Key = float | int | date | datetime


class Anchor(msgspec.Struct, frozen=True):
    forward: bool  # after the row (later pages) or before it (earlier pages)
    skip: int  # rows between the anchor row and the page
    key: Key  # the row's sort key, typed as the sort's column
    id: int


def _write_key(key: Key) -> str:
    if isinstance(key, datetime):
        return str((key - _EPOCH) // _MICROSECOND)
    if isinstance(key, date):
        return key.isoformat()
    return repr(key)


def _read_key(text: str, kind: type) -> Key:
    if kind is float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
        return value
    if kind is datetime:
        return _EPOCH + int(text) * _MICROSECOND
    if kind is date:
        return date.fromisoformat(text)
    return int(text)


def page_number(text: str | None) -> int:
    """A page number as typed, Thai digits too; anything else is page 1 (a shared link still opens)."""
    return max(1, thai.parse_int_strict(text or "") or 1)


def position(key: Key, row_id: int) -> str:
    """A row's place in its list, as a page remembers its first and last rows."""
    return f"{_write_key(key)}_{row_id}"


def parse(token: str | None, kind: type, per_page: int) -> Anchor | None:
    """The anchor a link carried, with its key read as `kind` (float, int, date or datetime), or None
    for anything a page's own links never write (a shared link with a stale token still opens,
    by its page number)."""
    found = _TOKEN.fullmatch(token or "")
    if found is None:
        return None
    direction, skip, key, row_id = found.groups()
    if int(skip) % per_page or int(skip) > per_page * (WINDOW - 1):
        return None
    try:
        return Anchor(direction == "a", int(skip), _read_key(key, kind), int(row_id))
    except (ValueError, OverflowError):
        return None


def link(
    page: int, pages: int, target: int, per_page: int, first: str | None, last: str | None
) -> str | None:
    """The token that opens page `target` from page `page`, whose first and last rows are at
    `first` and `last` (`position`). None where the page number alone reads cheaply (the first and
    last BY_NUMBER pages), for the page itself, and for a page too far to anchor."""
    if not BY_NUMBER < target <= pages - BY_NUMBER or target == page or abs(target - page) > WINDOW:
        return None
    if not (first and last):
        return None
    skip = (abs(target - page) - 1) * per_page
    return f"a{skip}_{last}" if target > page else f"b{skip}_{first}"


def leading(page: int, per_page: int, at: str | None) -> int | None:
    """The OFFSET of a page that is read forward from the list's start without knowing the list's
    total: a page opened by its number alone (no `at`) among the first BY_NUMBER. Its statement can
    bring the total with it, one round trip instead of two. None for any other page."""
    if at is None and 1 <= page <= BY_NUMBER:
        return (page - 1) * per_page
    return None


class Reading(NamedTuple):
    """How to read a page: its number (within 1..pages), the number of pages, and the statement's
    direction, LIMIT, OFFSET and anchor parameters (the anchor row's key and id, or none)."""

    page: int
    pages: int
    backward: bool
    limit: int
    offset: int
    anchor: list[Key | int]


def reading(total: int, page: int, per_page: int, at: str | None, kind: type) -> Reading:
    """A page from its anchor (the `at` token, its key read as `kind`), or by its number from
    whichever end of the list is nearer; a page past the last is the last. Backward reads the rows
    before the anchor (or the list's last rows), walking the order the other way."""
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    anchor = parse(at, kind, per_page)
    if anchor is not None:
        return Reading(page, pages, not anchor.forward, per_page, anchor.skip, [anchor.key, anchor.id])
    offset = (page - 1) * per_page
    limit = max(0, min(per_page, total - offset))
    from_end = total - offset - limit
    return Reading(page, pages, from_end < offset, limit, min(offset, from_end), [])


def beyond(descending: bool, backward: bool) -> str:
    """The comparison of (key, id) with the anchor's that keeps the rows a page reads: those after
    it in the list's order, or those before it when reading backward."""
    return ">" if descending == backward else "<"


class Paged(msgspec.Struct, kw_only=True):
    """A page of a list, and where its first and last rows stand (`position`), for its links."""

    total: int
    page: int
    pages: int
    per_page: int
    first: str | None = None
    last: str | None = None

    def at(self, target: int) -> str | None:
        """The `at` token a link to page `target` carries, if it needs one."""
        return link(self.page, self.pages, target, self.per_page, self.first, self.last)

    def described(self) -> dict[str, int | str | None]:
        """The fields of its `PageOut`, but the items."""
        return {
            "total": self.total,
            "page": self.page,
            "pages": self.pages,
            "per_page": self.per_page,
            "next_at": self.at(self.page + 1),
            "previous_at": self.at(self.page - 1),
        }


class PageOut(msgspec.Struct, kw_only=True):
    """A page of a list in the API; a list's own Struct adds its `items`."""

    total: int
    page: int
    pages: int
    per_page: int
    # Ask for page + 1 (or page - 1) with this as `at`: the page is read from where this one ends,
    # at the same cost however deep. Null where the page number alone is as cheap.
    next_at: str | None = None
    previous_at: str | None = None
