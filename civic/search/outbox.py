"""The search outbox: write side. The search consumer (consumer.py) writes its rows from the
domain events; call `enqueue` yourself, in the change's transaction, only for a change that
records no event (an import)."""

from __future__ import annotations

import asyncpg

ENQUEUE = "INSERT INTO search_outbox (kind, entity_id, op) VALUES ($1, $2, $3)"
PENDING_STATS = """
SELECT count(*) AS pending,
       COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_age_seconds
FROM search_outbox
"""


async def enqueue(conn: asyncpg.Connection, kind: str, entity_id: int, op: str = "upsert") -> None:
    """kind is the document kind: 'idea', 'consultation' or 'handover'."""
    await conn.execute(ENQUEUE, kind, entity_id, op)


async def pending_stats(conn: asyncpg.Connection) -> tuple[int, float]:
    row = await conn.fetchrow(PENDING_STATS)
    return row["pending"], row["oldest_age_seconds"]
