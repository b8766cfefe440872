"""Search: the one state change an admin makes (queue a rebuild of the index), and the reads the
search page, its partials and /api/v1/search share."""

from __future__ import annotations

import logging
import time

import asyncpg
import msgspec

from civic import events
from civic.accounts.schemas import CurrentUser
from civic.events import ReindexRequested
from civic.search import outbox, relay, rules
from civic.search.port import SearchBackend, SearchQuery, SearchResult, SearchUnavailable, empty_result
from civic.search.reindex import enqueue_all
from civic.validation import Forbidden

log = logging.getLogger(__name__)

# The index is one thing; events about it need a subject id all the same.
INDEX_ID = 1


class IndexStatus(msgspec.Struct):
    pending: int
    oldest_seconds: float
    errors: list[dict]


async def request_reindex(conn: asyncpg.Connection, actor: CurrentUser) -> int:
    """Queue every searchable entity; the relay rebuilds the index in the background while search
    keeps answering. Returns how many documents were queued."""
    if not rules.can_administer(actor):
        raise Forbidden()
    started = time.monotonic()
    async with conn.transaction():
        queued = await enqueue_all(conn)
        await events.record(
            conn,
            "search.reindex_requested",
            ReindexRequested(queued=queued),
            subject=("search_index", INDEX_ID),
            actor_id=actor.id,
        )
    log.info(
        "admin %s queued %d documents for reindex in %.2fs", actor.id, queued, time.monotonic() - started
    )
    return queued


async def index_status(conn: asyncpg.Connection, actor: CurrentUser) -> IndexStatus:
    if not rules.can_administer(actor):
        raise Forbidden()
    pending, oldest = await outbox.pending_stats(conn)
    errors = [dict(r) for r in await relay.last_errors(conn)]
    return IndexStatus(pending=pending, oldest_seconds=round(oldest, 1), errors=errors)


async def search(backend: SearchBackend, query: SearchQuery) -> tuple[SearchResult, bool]:
    """(result, available). A backend outage gives an empty result and False, never an error:
    the page shows a notice, the API a 503."""
    try:
        return await backend.search(query), True
    except SearchUnavailable as exc:
        log.warning("search unavailable: %s", exc)
        return empty_result(query), False


async def similar_ideas(backend: SearchBackend, title: str | None) -> SearchResult | None:
    """Existing ideas like a title being typed (None for fewer than three characters)."""
    if not title or len(title.strip()) < 3:
        return None
    result, _ = await search(backend, SearchQuery(q=title, kind="idea", per_page=5).clamped())
    return result
