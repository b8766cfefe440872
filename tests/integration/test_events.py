"""Domain events and their consumers, on real PostgreSQL: the catalogue is enforced, every row in
the table matches its kind's payload, and a consumer never skips, repeats or shares a batch."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from civic import consumers, demo, events
from civic.events import CATALOGUE, IdeaSupportChanged, ThresholdReached


async def _record(conn, n: int = 1) -> int:
    # Not an official kind: official ones also append to the public record under its head lock,
    # which would serialise the interleaved transactions these tests need.
    return await events.record(
        conn, "idea.supported", IdeaSupportChanged(support_count=n), subject=("idea", n), actor_id=None
    )


async def test_record_refuses_unknown_kinds_and_wrong_payloads(conn):
    with pytest.raises(events.UnknownEvent):
        await events.record(conn, "idea.vanished", ThresholdReached(1, 1), subject=("idea", 1), actor_id=None)
    with pytest.raises(events.UnknownEvent):
        await events.record(
            conn, "handover.claim_expired", ThresholdReached(1, 1), subject=("handover", 1), actor_id=None
        )
    assert await conn.fetchval("SELECT count(*) FROM events") == 0


async def test_public_kind_about_hidden_content_is_staff_only(conn):
    event_id = await events.record(
        conn, "idea.threshold_reached", ThresholdReached(3, 3), subject=("idea", 9), actor_id=None, hidden=True
    )
    assert await conn.fetchval("SELECT visibility FROM events WHERE id = $1", event_id) == "staff"


async def test_every_event_the_demo_writes_matches_the_catalogue(conn):
    await demo.seed(conn)
    rows = await conn.fetch("SELECT kind, payload FROM events")
    for row in rows:
        assert row["kind"] in CATALOGUE, row["kind"]
        msgspec.convert(row["payload"], CATALOGUE[row["kind"]].payload)


def _collector():
    seen: list[int] = []

    async def handle(conn, batch):
        seen.extend(e.id for e in batch)

    return seen, handle


async def test_consumer_reads_each_event_once_in_order(pool):
    async with pool.acquire() as conn:
        ids = [await _record(conn, n) for n in range(1, 6)]
    seen, handle = _collector()
    consumer = consumers.Consumer("test", handle, batch=2)
    assert await consumers.drain(pool, [consumer]) == 5
    assert seen == ids
    assert await consumers.drain(pool, [consumer]) == 0
    assert seen == ids


async def test_an_event_that_commits_late_is_not_stepped_over(pool):
    """A transaction that took its id first but commits last: a cursor by id alone would skip it."""
    seen, handle = _collector()
    consumer = consumers.Consumer("late", handle)
    async with pool.acquire() as slow, pool.acquire() as fast:
        tx = slow.transaction()
        await tx.start()
        early_id = await _record(slow, 1)
        late_id = await _record(fast, 2)  # autocommits with a higher id
        assert late_id > early_id
        assert await consumers.run_once(pool, consumer) == 0  # must wait for the open one
        await tx.commit()
    await consumers.drain(pool, [consumer])
    assert seen == [early_id, late_id]


async def test_a_failing_handler_loses_nothing(pool):
    async with pool.acquire() as conn:
        ids = [await _record(conn, n) for n in range(1, 4)]

    async def broken(conn, batch):
        await conn.execute("INSERT INTO event_cursors (name) VALUES ('written-by-handler')")
        raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError):
        await consumers.run_once(pool, consumers.Consumer("c", broken))
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT last_id, last_error FROM event_cursors WHERE name = 'c'")
        assert row["last_id"] == 0 and "mail server down" in row["last_error"]
        # What the handler wrote rolled back with it.
        assert await conn.fetchval("SELECT count(*) FROM event_cursors WHERE name = 'written-by-handler'") == 0
    seen, handle = _collector()
    await consumers.drain(pool, [consumers.Consumer("c", handle)])
    assert seen == ids


async def test_two_runners_never_share_a_consumer(pool):
    async with pool.acquire() as conn:
        await _record(conn)
    entered, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def slow(conn, batch):
        nonlocal calls
        calls += 1
        entered.set()
        await release.wait()

    consumer = consumers.Consumer("shared", slow)
    first = asyncio.create_task(consumers.run_once(pool, consumer))
    await entered.wait()
    assert await consumers.run_once(pool, consumer) == 0  # skipped: the first holds the cursor
    release.set()
    assert await first == 1
    assert await consumers.run_once(pool, consumer) == 0
    assert calls == 1


async def test_kinds_filter_and_start_at_head(pool):
    async with pool.acquire() as conn:
        await _record(conn)
    seen, handle = _collector()
    fresh = consumers.Consumer("fresh", handle)
    await consumers.start_at_head(pool, fresh)
    assert await consumers.drain(pool, [fresh]) == 0
    async with pool.acquire() as conn:
        new_id = await _record(conn, 2)
    await consumers.drain(pool, [fresh])
    assert seen == [new_id]

    other_seen, other = _collector()
    picky = consumers.Consumer("picky", other, kinds=frozenset({"handover.claim_expired"}))
    assert await consumers.drain(pool, [picky]) == 2  # read past both...
    assert other_seen == []  # ...handled neither


async def _next_xid(conn) -> int:
    """The transaction id PostgreSQL will hand out next (asking takes none)."""
    return int(await conn.fetchval("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"))


async def test_a_quiet_round_takes_no_transaction_id(pool):
    async with pool.acquire() as conn:
        await _record(conn, 1)
    seen, handle = _collector()
    consumer = consumers.Consumer("quiet", handle)
    assert await consumers.drain(pool, [consumer]) == 1
    async with pool.acquire() as conn:
        before = await _next_xid(conn)
        for _ in range(3):
            assert await consumers.run_once_on(conn, consumer) == 0
        assert await consumers.run_once_on(conn, consumers.Consumer("never-ran", handle)) == 1
        after_new_one = await _next_xid(conn)
        assert await consumers.run_once_on(conn, consumers.Consumer("never-ran", handle)) == 0
        assert await _next_xid(conn) == after_new_one
    # the three quiet rounds took none; the new consumer's cursor and first batch took theirs
    assert after_new_one - before == 2
    assert len(seen) == 2


def _events_nodes(plan: dict) -> list[dict]:
    own = [plan] if plan.get("Relation Name") == "events" else []
    return own + [n for child in plan.get("Plans", ()) for n in _events_nodes(child)]


async def test_a_quiet_round_reads_the_log_from_its_cursor(pool):
    """It asks the log's index for the first event past the cursor: every idle second, in every
    worker, a scan of the whole log would cost more as the log grows."""
    async with pool.acquire() as conn:
        for n in range(300):
            await _record(conn, n)
        await conn.execute("ANALYZE events")
    seen, handle = _collector()
    consumer = consumers.Consumer("reader", handle)
    assert await consumers.drain(pool, [consumer]) == 300
    async with pool.acquire() as conn:
        sql = "EXPLAIN (ANALYZE, FORMAT JSON) " + consumers.PENDING
        [[plan]] = await conn.fetchrow(sql, consumer.name)
    [node] = _events_nodes(plan["Plan"])
    assert node["Node Type"] in ("Index Scan", "Index Only Scan")
    assert node["Actual Rows"] == 0 and node.get("Rows Removed by Filter", 0) == 0
