"""Scheduled jobs: `Job(name, every_seconds, fn)` with `async def fn(conn) -> int`, listed in
civic/registry.py JOBS.

Why a small loop and not pgqueuer's scheduler: pgqueuer needs its own tables and triggers,
installed by its own CLI outside our forward-only migrations, and its scheduler runs as its
own QueueManager process model; the jobs here are idempotent SQL sweeps. This loop is
enough and has the one property that matters: every worker may run it, and
`pg_try_advisory_xact_lock` plus the `job_runs` table (migration 0021) make each job run at
most once per period across all of them. A job runs inside that transaction; if it raises, its
savepoint rolls back, the error is kept in job_runs.last_error, and it is tried next period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg

log = logging.getLogger(__name__)

JobFn = Callable[[asyncpg.Connection], Awaitable[int]]
LOCK_NAMESPACE = 7_2026  # first key of the two-key advisory lock; the second is hashtext(name)
TICK_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    fn: JobFn


TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1, hashtext($2))"
ENSURE_ROW = "INSERT INTO job_runs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING"
IS_DUE = "SELECT last_run_at <= now() - make_interval(secs => $2::float8) FROM job_runs WHERE name = $1"
RECORD_OK = """
UPDATE job_runs SET last_run_at = now(), last_result = $2, last_error = '', runs = runs + 1 WHERE name = $1
"""
RECORD_ERROR = "UPDATE job_runs SET last_run_at = now(), last_error = $2, runs = runs + 1 WHERE name = $1"


async def run_due(pool: asyncpg.Pool, jobs: list[Job]) -> dict[str, int]:
    """Run each job that is due and not running elsewhere. Returns {name: result} of those run."""
    ran: dict[str, int] = {}
    for job in jobs:
        async with pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval(TRY_LOCK, LOCK_NAMESPACE, job.name):
                continue  # another worker is running it right now
            await conn.execute(ENSURE_ROW, job.name)
            if not await conn.fetchval(IS_DUE, job.name, job.every_seconds):
                continue
            try:
                async with conn.transaction():
                    result = int(await job.fn(conn) or 0)
            except Exception as exc:
                log.exception("scheduled job %s failed", job.name)
                await conn.execute(RECORD_ERROR, job.name, f"{type(exc).__name__}: {exc}"[:500])
                continue
            await conn.execute(RECORD_OK, job.name, result)
            ran[job.name] = result
    return ran


async def run_forever(pool: asyncpg.Pool, jobs: list[Job], *, tick_seconds: float = TICK_SECONDS) -> None:
    while True:
        try:
            await run_due(pool, jobs)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler pass failed")
        await asyncio.sleep(tick_seconds)
