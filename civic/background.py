"""Background work that runs inside the app process: the search relay and scheduled jobs.

`python -m civic worker` runs the same loops in their own process for larger deployments.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from civic.settings import Settings

log = logging.getLogger(__name__)

# Each entry: async def job(pool, settings) -> None, a loop that runs until cancelled.
LOOPS: list = []

from civic.handovers.jobs import handover_scheduler  # noqa: E402

LOOPS.append(handover_scheduler)


async def start(pool: asyncpg.Pool, settings: Settings) -> list[asyncio.Task]:
    return [asyncio.create_task(loop(pool, settings), name=loop.__name__) for loop in enabled_loops(settings)]


def enabled_loops(settings: Settings) -> list:
    return list(LOOPS)


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


# Consultations open and close themselves at their set times (every 30 s, under an advisory lock).
from civic.consultations.jobs import consultation_lifecycle_loop  # noqa: E402

LOOPS.append(consultation_lifecycle_loop)
