"""Scheduled work: open and close consultations at their set times."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from civic.consultations.store import advance_lifecycle

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 30
# Any constant: only one worker process advances the lifecycle at a time.
LOCK_KEY = 0x636F6E73  # "cons"


async def advance_once(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        async with conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_KEY):
                return 0
            return await advance_lifecycle(conn)


async def consultation_lifecycle_loop(pool: asyncpg.Pool, settings) -> None:
    """Runs every 30 s until cancelled; a failure is logged and retried on the next tick."""
    if not getattr(settings, "run_scheduler", True):
        return
    while True:
        try:
            changed = await advance_once(pool)
            if changed:
                log.info("consultations: %s changed status", changed)
        except (OSError, asyncpg.PostgresError):
            log.exception("consultation lifecycle tick failed")
        await asyncio.sleep(INTERVAL_SECONDS)
