"""Query-string parameters the pages and the API read alike: a list's order, filters and page,
and a comment cursor. Unknown values fall back to the default, never an error (a shared link
with a stale filter still opens)."""

from __future__ import annotations

from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from civic import keyset, provinces, thai
from civic.ideas import rules
from civic.ideas.schemas import IdeaListQuery
from civic.ideas.store import SORTS


def number(value: str | None, default: int) -> int:
    """A page number or cursor as typed, Thai digits too; anything else is the default."""
    parsed = thai.parse_int_strict(value) if value else None
    return default if parsed is None else parsed


def cursor(after: str | None) -> int:
    return max(0, number(after, 0))


def _listing(
    sort: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    category: FromQuery[str | None] = None,
    province: FromQuery[str | None] = None,
    agency: FromQuery[str | None] = None,
    page: FromQuery[str | None] = None,
    at: FromQuery[str | None] = None,
) -> IdeaListQuery:
    return IdeaListQuery(
        sort=sort if sort in SORTS else "hot",
        status=status if status in rules.PUBLIC else None,
        category=category or None,
        province=province if provinces.is_valid(province) else None,
        agency=agency or None,
        page=keyset.page_number(page),
        at=at or None,
    )


# A list handler declares `listing: Listing` and `dependencies=LISTING`.
Listing = NamedDependency[IdeaListQuery]
LISTING = {"listing": Provide(_listing, sync_to_thread=False)}
