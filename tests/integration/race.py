"""Races that prove they were races.

A race test whose attempts happen to run one after another still passes (one winner, the rest
refused), so it proves nothing about concurrency. `race()` runs the attempts with PostgreSQL
itself as the starting gun, and fails unless they really were in flight together:

* a separate connection holds ACCESS EXCLUSIVE locks on tables that every attempt needs (name
  the ones their first statement touches), or the advisory lock they all take first, so no
  attempt can get past that statement;
* every attempt waits at an `asyncio.Barrier` until all have started, then records the interval
  from there until its answer;
* the gate opens only when every attempt has started and at least `expect` of them are queued
  behind it inside the server (read from pg_locks); then they all go at once.

So at the instant the gate opens every attempt is in flight (the latest start comes before it,
the earliest end after it), and `expect` statements wait inside PostgreSQL together. Attempts
that reach the database one at a time (a serial driver, a lock in the client or in the app)
never queue `expect` of them: the race times out and fails. An attempt that finishes while the
gate is closed (it never needs the gated tables) fails it too.

Nothing in civic/ is hooked: the gate works on any code that reaches the database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg


@dataclass
class Gate:
    """Hold `tables` (or the session advisory lock `advisory_key`) locked until every attempt
    has started and `expect` of them wait on it inside PostgreSQL."""

    db_url: str
    tables: Sequence[str]
    expect: int
    advisory_key: int | None = None

    def describe(self) -> str:
        return (
            f"advisory lock {self.advisory_key}" if self.advisory_key is not None else str(list(self.tables))
        )


@dataclass
class Overlap:
    """What a race observed: each attempt's (start, end), the most attempts seen queued together
    at the gate, and when the gate opened (all on time.perf_counter())."""

    spans: list[tuple[float, float]] = field(default_factory=list)
    queued: int = 0
    opened_at: float | None = None


# Backends waiting for a lock on one of the gated tables (pg_locks is read fresh on every call,
# unlike pg_stat_activity, which keeps a snapshot for the rest of the transaction).
WAITING = """
SELECT count(DISTINCT pid) FROM pg_locks
WHERE NOT granted AND locktype = 'relation' AND relation = ANY($1::regclass[])
"""
WAITING_ADVISORY = """
SELECT count(DISTINCT pid) FROM pg_locks
WHERE NOT granted AND locktype = 'advisory'
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


async def race(
    attempts: Sequence[Callable[[], Awaitable]],
    *,
    gate: Gate,
    within: float = 60.0,
    return_exceptions: bool = False,
    observed: list[Overlap] | None = None,
) -> list:
    """Run the attempts together; their results in order, as asyncio.gather returns them.
    Fails unless they were in flight together (see above). `observed=[]` receives the Overlap."""
    n = len(attempts)
    assert n >= 2, "a race needs at least two attempts"
    assert 1 <= gate.expect <= n
    barrier = asyncio.Barrier(n)
    started = [False] * n
    spans: list[tuple[float, float] | None] = [None] * n
    overlap = Overlap()

    async def run(i: int, attempt: Callable[[], Awaitable]):
        await barrier.wait()
        start = time.perf_counter()
        started[i] = True
        try:
            return await attempt()
        finally:
            spans[i] = (start, time.perf_counter())

    holder = await asyncpg.connect(gate.db_url)
    tasks: list[asyncio.Task] = []
    try:
        async with asyncio.timeout(within):
            tx = holder.transaction()
            await tx.start()
            if gate.advisory_key is not None:
                await holder.execute("SELECT pg_advisory_xact_lock($1)", gate.advisory_key)
                waiting: tuple = (WAITING_ADVISORY,)
            else:
                await holder.execute(f"LOCK TABLE {', '.join(gate.tables)} IN ACCESS EXCLUSIVE MODE")
                waiting = (WAITING, list(gate.tables))
            tasks = [asyncio.create_task(run(i, a)) for i, a in enumerate(attempts)]
            while overlap.queued < gate.expect or not all(started):
                finished = sum(s is not None for s in spans)
                assert not finished, (
                    f"{finished} attempt(s) finished while the gate on {gate.describe()} was closed: "
                    "they do not need those tables, so the gate cannot show that the attempts overlapped"
                )
                await asyncio.sleep(0.005)
                overlap.queued = max(overlap.queued, await holder.fetchval(*waiting))
            overlap.opened_at = time.perf_counter()
            await tx.rollback()  # every queued statement is granted its lock at once
            results = await asyncio.gather(*tasks, return_exceptions=return_exceptions)
    except TimeoutError:
        raise AssertionError(
            f"after {within} s, {sum(started)} of {n} attempts had started and at most {overlap.queued} "
            f"were ever queued together at the gate on {gate.describe()} (expected {gate.expect}): "
            "the attempts did not reach the database together"
        ) from None
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await holder.close()
    overlap.spans = [s for s in spans if s is not None]
    assert len(overlap.spans) == n, f"only {len(overlap.spans)} of {n} attempts finished"
    last_start = max(s for s, _ in overlap.spans)
    first_end = min(e for _, e in overlap.spans)
    assert last_start < overlap.opened_at < first_end, (
        f"the {n} attempts were not all in flight when the gate opened "
        f"(last start {last_start - overlap.opened_at:+.4f} s, first end {first_end - overlap.opened_at:+.4f} s)"
    )
    if observed is not None:
        observed.append(overlap)
    return results
