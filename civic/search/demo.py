"""The demo seeds write most of their rows through the stores, without domain events, so the
search consumer never hears of them: queue every document once they are written."""

from __future__ import annotations

import asyncpg

from civic.search.reindex import enqueue_all


async def seed(conn: asyncpg.Connection, ctx) -> str:
    queued = await enqueue_all(conn)
    return f"  search: {queued} documents queued for the index"
