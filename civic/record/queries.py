"""The record's public reads: the filtered list, the published heads, the feed's material and
the last verification. Anyone may read all of it; nothing here needs a login."""

from __future__ import annotations

import asyncpg

from civic import events
from civic.record import rules, store
from civic.record.schemas import Check, Head, Page, RecordQuery, Shown
from civic.validation import raise_if

FEED_ENTRIES = 50
FEED_HEADS = 14


def acts() -> list[str]:
    """Every act the record can hold: the catalogue's official kinds."""
    return sorted(events.OFFICIAL_KINDS)


async def page(conn: asyncpg.Connection, query: RecordQuery) -> Page:
    f, errors = rules.filters(query, acts())
    raise_if(errors)
    shown = await store.list_entries(conn, f, rules.PER_PAGE)
    head_seq, head_hash = await store.head(conn)
    return Page(
        entries=shown,
        next_before=rules.next_before([s.entry.seq for s in shown]),
        head_seq=head_seq,
        head_hash=head_hash,
    )


async def heads(conn: asyncpg.Connection) -> list[Head]:
    return await store.published(conn)


async def feed(conn: asyncpg.Connection) -> tuple[list[Shown], list[Head]]:
    """The newest entries and the newest published heads, for the Atom feed."""
    newest = await store.list_entries(conn, rules.Filters(), FEED_ENTRIES)
    return newest, await store.published(conn, FEED_HEADS)


async def last_check(conn: asyncpg.Connection) -> Check | None:
    row = await store.last_check(conn)
    return Check(**dict(row)) if row else None
