"""race() itself bites: attempts that did not overlap fail it, in Python and in PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.integration.race import Gate, Overlap, race


async def _connections(db_url: str, n: int) -> list[asyncpg.Connection]:
    return [await asyncpg.connect(db_url) for _ in range(n)]


async def test_attempts_that_reach_the_database_one_after_another_fail(conn, db_url):
    """Each attempt waits for the one before it to finish: a serial run in disguise. Every Python
    call is pending together, but the database only ever sees one statement: the race fails."""
    await conn.execute("CREATE TABLE race_probe (n int)")
    conns = await _connections(db_url, 3)
    done = [asyncio.Event() for _ in conns]

    async def attempt(i: int):
        if i:
            await done[i - 1].wait()
        try:
            return await conns[i].fetchval("SELECT count(*) FROM race_probe")
        finally:
            done[i].set()

    try:
        with pytest.raises(AssertionError, match="did not reach the database together"):
            await race(
                [lambda i=i: attempt(i) for i in range(3)],
                gate=Gate(db_url, ["race_probe"], expect=3),
                within=1.0,
            )
    finally:
        for c in conns:
            await c.close()


async def test_the_gate_sees_every_statement_waiting_inside_postgresql(conn, db_url):
    await conn.execute("CREATE TABLE race_probe (n int)")
    conns = await _connections(db_url, 6)
    try:
        observed: list[Overlap] = []
        results = await race(
            [lambda c=c: c.fetchval("SELECT count(*) FROM race_probe") for c in conns],
            gate=Gate(db_url, ["race_probe"], expect=6),
            observed=observed,
        )
    finally:
        for c in conns:
            await c.close()
    assert results == [0] * 6 and observed[0].queued == 6


async def test_the_gate_fails_when_the_database_gets_one_statement_at_a_time(conn, db_url):
    """The Python calls overlap, but a lock in the client lets only one reach PostgreSQL at a
    time: the gate never sees two waiting, so the race fails."""
    await conn.execute("CREATE TABLE race_probe (n int)")
    conns = await _connections(db_url, 3)
    one_at_a_time = asyncio.Lock()

    async def attempt(c):
        async with one_at_a_time:
            return await c.fetchval("SELECT count(*) FROM race_probe")

    try:
        with pytest.raises(AssertionError, match="at most 1 were ever queued together"):
            await race(
                [lambda c=c: attempt(c) for c in conns],
                gate=Gate(db_url, ["race_probe"], expect=3),
                within=1.0,
            )
    finally:
        for c in conns:
            await c.close()


async def test_the_gate_fails_when_the_attempts_do_not_touch_its_tables(conn, db_url):
    await conn.execute("CREATE TABLE race_probe (n int)")
    conns = await _connections(db_url, 2)
    try:
        with pytest.raises(AssertionError, match="finished while the gate"):
            await race(
                [lambda c=c: c.fetchval("SELECT 1") for c in conns],
                gate=Gate(db_url, ["race_probe"], expect=2),
            )
    finally:
        for c in conns:
            await c.close()
