"""Scheduled handover work: claim expiry and claim-window expiry, once a minute.

Runs in every app process (and in `python -m civic worker`); the advisory lock makes one
process do each round, so several workers never expire the same claim twice.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from civic.handovers import actions
from civic.settings import Settings

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60
LOCK_KEY = 4_0_2026_0040


async def run_once(conn: asyncpg.Connection) -> tuple[int, int] | None:
    """One round under pg_try_advisory_xact_lock; None when another process holds it."""
    async with conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_KEY):
            return None
        claims = await actions.expire_stale_claims(conn)
        tasks = await actions.expire_tasks(conn)
    return claims, tasks


async def handover_scheduler(pool: asyncpg.Pool, settings: Settings) -> None:
    if not settings.run_scheduler:
        return
    while True:
        try:
            async with pool.acquire() as conn:
                result = await run_once(conn)
            if result and any(result):
                log.info("handovers: %s claims expired, %s tasks expired", *result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handover scheduler round failed")
        await asyncio.sleep(INTERVAL_SECONDS)
