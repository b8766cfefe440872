"""Background work that runs inside the app process: the search relay, the event consumers,
the scheduled jobs (all as civic/registry.py lists them) and the mail sender.

`python -m civic worker` runs the same loops in their own process for larger deployments;
then set RUN_RELAY, RUN_CONSUMERS, RUN_SCHEDULER and RUN_MAIL to false on the web processes (or leave them
on: SKIP LOCKED and advisory locks keep several runners from doing the same work twice).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from civic import consumers, jobs, registry
from civic.mail import sender
from civic.search import relay
from civic.search.backend import make_backend
from civic.settings import Settings

log = logging.getLogger(__name__)


async def search_relay(pool: asyncpg.Pool, settings: Settings) -> None:
    await relay.run_forever(pool, make_backend(settings, pool), registry.SEARCH_LOADERS)


async def event_consumers(pool: asyncpg.Pool, settings: Settings) -> None:
    await consumers.run_forever(pool, registry.CONSUMERS)


async def scheduler(pool: asyncpg.Pool, settings: Settings) -> None:
    await jobs.run_forever(pool, registry.JOBS)


async def mail_sender(pool: asyncpg.Pool, settings: Settings) -> None:
    await sender.run_forever(pool, settings)


# Each entry: async def job(pool, settings) -> None, a loop that runs until cancelled.
LOOPS: list = [search_relay, event_consumers, scheduler, mail_sender]


async def prewarm_search(pool: asyncpg.Pool) -> None:
    """Once, at start: PostgreSQL search's relations into shared buffers (search.postgres.prewarm).
    In the background, as it reads the whole index; a failure only costs the first searches time."""
    from civic.search.postgres import prewarm

    try:
        async with pool.acquire() as conn:
            blocks = await prewarm(conn)
        log.info("search relations prewarmed: %d blocks", blocks)
    except Exception:
        log.exception("search relations not prewarmed")


async def start(pool: asyncpg.Pool, settings: Settings) -> list[asyncio.Task]:
    tasks = [
        asyncio.create_task(loop(pool, settings), name=loop.__name__) for loop in enabled_loops(settings)
    ]
    if not settings.meili_url:
        tasks.append(asyncio.create_task(prewarm_search(pool), name="prewarm_search"))
    return tasks


def enabled_loops(settings: Settings) -> list:
    enabled = {
        "search_relay": settings.run_relay,
        "event_consumers": settings.run_consumers and bool(registry.CONSUMERS),
        "scheduler": settings.run_scheduler,
        "mail_sender": settings.run_mail,
    }
    return [loop for loop in LOOPS if enabled.get(loop.__name__, True)]


async def stop(tasks: list[asyncio.Task]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("background task %s failed while stopping", task.get_name())
