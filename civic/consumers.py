"""Event consumers: the one mechanism for "after a change, something else must happen".

A consumer has a name, a durable cursor (table event_cursors) and a handler. `run_once` takes
the consumer's cursor row with FOR UPDATE SKIP LOCKED, reads the next events in commit-safe
order (see migration 0050), hands them to the handler inside the same transaction, and moves
the cursor. So:
- what the handler writes to the database commits together with the cursor: exactly once;
- what it sends elsewhere (a search backend, a mail server) is sent at least once, and is
  repeated only if the transaction fails after sending: handlers must be idempotent;
- two runners never work on the same consumer at once; the second skips it;
- a handler that raises rolls everything back, the error is kept on the cursor row, and the
  same events are offered again next time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg
import msgspec

from civic.events import Event

log = logging.getLogger(__name__)

Handler = Callable[[asyncpg.Connection, list[Event]], Awaitable[None]]

ENSURE = "INSERT INTO event_cursors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
LOCK = """
SELECT last_xid::text::bigint AS last_xid, last_id FROM event_cursors WHERE name = $1 FOR UPDATE SKIP LOCKED
"""
# Only events of transactions older than every one still running: none of those can commit
# anything earlier in this order any more.
NEXT = """
SELECT id, occurred_at, kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload,
       xid::text::bigint AS xid
FROM events
WHERE (xid, id) > ($1::text::xid8, $2) AND xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY xid, id
LIMIT $3
"""
ADVANCE = """
UPDATE event_cursors SET last_xid = $2::text::xid8, last_id = $3, handled = handled + $4, updated_at = now(),
       last_error = ''
WHERE name = $1
"""
RECORD_ERROR = "UPDATE event_cursors SET last_error = $2, updated_at = now() WHERE name = $1"
# Whether events wait past the cursor (or any at all, for a consumer without one yet), read-only.
# The first event in the log's order (LIMIT 1, not EXISTS), so it is found in the log's index:
# EXISTS let the planner read the whole table on every idle round.
PENDING = """
SELECT (SELECT true FROM events
        WHERE (xid, id) > (COALESCE(c.last_xid, '0'::xid8), COALESCE(c.last_id, 0))
          AND xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY xid, id LIMIT 1) IS NOT NULL
FROM (VALUES (1)) one LEFT JOIN event_cursors c ON c.name = $1
"""
START_AT_HEAD = """
UPDATE event_cursors SET (last_xid, last_id) = (
    SELECT COALESCE(max(xid), '0'), COALESCE(max(id), 0) FROM events
) WHERE name = $1 AND last_id = 0
"""


@dataclass(frozen=True)
class Consumer:
    name: str
    handle: Handler
    # Only these kinds reach the handler (None: all); the cursor moves past the others too.
    kinds: frozenset[str] | None = None
    batch: int = 500


async def run_once(pool: asyncpg.Pool, consumer: Consumer) -> int:
    """Handle one batch. Returns how many events were read (0: nothing new, or busy elsewhere)."""
    async with pool.acquire() as conn:
        return await run_once_on(conn, consumer)


async def run_once_on(conn: asyncpg.Connection, consumer: Consumer) -> int:
    """run_once on a connection the caller holds, outside any transaction (each batch commits)."""
    # Every worker asks every consumer each idle second: locking the cursor each time took a
    # transaction id and a WAL flush a question, all day on a quiet site.
    if not await conn.fetchval(PENDING, consumer.name):
        return 0
    await conn.execute(ENSURE, consumer.name)
    try:
        async with conn.transaction():
            cursor = await conn.fetchrow(LOCK, consumer.name)
            if cursor is None:
                return 0
            rows = await conn.fetch(NEXT, str(cursor["last_xid"]), cursor["last_id"], consumer.batch)
            if not rows:
                return 0
            events = [
                msgspec.convert({k: v for k, v in row.items() if k != "xid"}, Event)
                for row in rows
                if consumer.kinds is None or row["kind"] in consumer.kinds
            ]
            if events:
                await consumer.handle(conn, events)
            last = rows[-1]
            await conn.execute(ADVANCE, consumer.name, str(last["xid"]), last["id"], len(events))
            return len(rows)
    except Exception as exc:
        log.exception("event consumer %s failed; its events will be offered again", consumer.name)
        await conn.execute(RECORD_ERROR, consumer.name, f"{type(exc).__name__}: {exc}"[:2000])
        raise


async def drain(db: asyncpg.Pool | asyncpg.Connection, consumers: Sequence[Consumer]) -> int:
    """Run every consumer until none has anything left (tests, the demo, `civic worker --once`),
    on a connection of the pool or on the one given."""
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return await drain(conn, consumers)
    total = 0
    while True:
        done = 0
        for consumer in consumers:
            done += await run_once_on(db, consumer)
        total += done
        if not done:
            return total


async def start_at_head(pool: asyncpg.Pool, consumer: Consumer) -> None:
    """A new consumer that should not act on history (a notifier must not mail about last
    year) starts after the newest event. Does nothing to a consumer that has already run."""
    async with pool.acquire() as conn:
        await conn.execute(ENSURE, consumer.name)
        await conn.execute(START_AT_HEAD, consumer.name)


async def run_forever(pool: asyncpg.Pool, consumers: Sequence[Consumer], *, idle_seconds: float = 1.0) -> None:
    while True:
        busy = False
        for consumer in consumers:
            try:
                busy |= await run_once(pool, consumer) > 0
            except Exception:  # run_once logged it and kept it on the cursor row
                log.warning("event consumer %s is tried again next round", consumer.name)
        if not busy:
            await asyncio.sleep(idle_seconds)
