"""The outbox relay never loses a write: backend outages, a relay killed mid-batch, duplicates."""

from __future__ import annotations

import asyncio

import pytest

from civic import jobs
from civic.search import outbox, relay
from civic.search.port import SearchDocument, SearchUnavailable
from civic.search.postgres import PostgresBackend
from tests.integration.race import Gate, race

CREATE_NOTES = """
CREATE TABLE notes (id bigint PRIMARY KEY, title text NOT NULL, hidden boolean NOT NULL DEFAULT false)
"""


async def load_notes(conn, ids):
    rows = await conn.fetch("SELECT id, title FROM notes WHERE id = ANY($1) AND NOT hidden", ids)
    return [
        SearchDocument(kind="idea", id=r["id"], title=r["title"], body="", url=f"/n/{r['id']}") for r in rows
    ]


LOADERS = {"idea": load_notes}


async def write(conn, note_id: int, title: str, hidden: bool = False) -> None:
    """A domain write: the change and its outbox row in one transaction."""
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO notes (id, title, hidden) VALUES ($1, $2, $3) "
            "ON CONFLICT (id) DO UPDATE SET title = $2, hidden = $3",
            note_id, title, hidden,
        )  # fmt: skip
        await outbox.enqueue(conn, "idea", note_id)


class FlakyBackend(PostgresBackend):
    def __init__(self, pool, fail_times: int):
        super().__init__(pool)
        self.fail_times = fail_times
        self.upserts = 0

    async def upsert(self, docs, version):
        self.upserts += 1
        if self.fail_times > 0:
            self.fail_times -= 1
            raise SearchUnavailable("connection refused")
        await super().upsert(docs, version)


async def index_state(conn) -> dict[int, str]:
    rows = await conn.fetch(
        "SELECT entity_id, title FROM search_documents WHERE kind = 'idea' AND NOT deleted"
    )
    return {r["entity_id"]: r["title"] for r in rows}


async def db_state(conn) -> dict[int, str]:
    return {r["id"]: r["title"] for r in await conn.fetch("SELECT id, title FROM notes WHERE NOT hidden")}


@pytest.fixture
async def notes(conn):
    await conn.execute(CREATE_NOTES)


async def test_backend_down_writes_succeed_and_index_catches_up(pool, conn, notes):
    backend = FlakyBackend(pool, fail_times=3)
    for i in range(1, 6):
        await write(conn, i, f"เรื่องที่ {i}")
    for _ in range(3):  # three passes against a dead backend
        assert await relay.relay_once(pool, backend, loaders=LOADERS) == 0
        await conn.execute("UPDATE search_outbox SET next_attempt_at = now()")  # skip the backoff
        await write(conn, 6, "เขียนระหว่างล่ม")  # writes still succeed while search is down
    row = await conn.fetchrow(
        "SELECT max(attempts) AS a, max(last_error) AS e, count(*) AS n FROM search_outbox"
    )
    assert row["a"] == 3 and "connection refused" in row["e"] and row["n"] == 8
    assert await index_state(conn) == {}
    pending, oldest = await outbox.pending_stats(conn)
    assert pending == 8 and oldest >= 0
    await write(conn, 2, "แก้ไขแล้ว")
    await write(conn, 3, "ซ่อนแล้ว", hidden=True)
    assert await relay.relay_all(pool, backend, loaders=LOADERS) == 10
    assert await index_state(conn) == await db_state(conn)
    assert (await index_state(conn))[2] == "แก้ไขแล้ว" and 3 not in await index_state(conn)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 0


async def test_backoff_grows_and_is_capped(pool, conn, notes):
    await write(conn, 1, "หนึ่ง")
    backend = FlakyBackend(pool, fail_times=100)
    delays = []
    for _ in range(12):
        await relay.relay_once(pool, backend, loaders=LOADERS)
        delays.append(
            await conn.fetchval(
                "SELECT EXTRACT(EPOCH FROM next_attempt_at - now())::float8 FROM search_outbox"
            )
        )
        await conn.execute("UPDATE search_outbox SET next_attempt_at = now()")
    assert delays[1] > delays[0] * 1.5
    assert max(delays) <= relay.MAX_BACKOFF + 1


async def test_relay_killed_mid_batch_loses_nothing(pool, conn, notes):
    for i in range(1, 4):
        await write(conn, i, f"เรื่อง {i}")
    entered, never = asyncio.Event(), asyncio.Event()

    class Hanging(PostgresBackend):
        async def upsert(self, docs, version):
            await super().upsert(docs, version)  # the backend got the documents...
            entered.set()
            await never.wait()  # ...and the relay dies before acknowledging

    task = asyncio.create_task(relay.relay_once(pool, Hanging(pool), loaders=LOADERS))
    await asyncio.wait_for(entered.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 3  # nothing acknowledged
    await write(conn, 1, "แก้หลังล่ม")
    assert await relay.relay_all(pool, PostgresBackend(pool), loaders=LOADERS) == 4
    assert await index_state(conn) == await db_state(conn)


async def test_relay_connection_terminated_mid_batch(pool, conn, db_url, notes):
    """The relay's database session is killed while it holds the rows: they come back."""
    for i in range(1, 3):
        await write(conn, i, f"เรื่อง {i}")
    killed = asyncio.Event()

    class Killer(PostgresBackend):
        async def upsert(self, docs, version):
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'transactionid' "
                "AND pid <> pg_backend_pid() AND mode = 'ExclusiveLock'"
            )
            killed.set()
            await super().upsert(docs, version)

    with pytest.raises(Exception):  # noqa: B017 - the connection dies under the relay
        await relay.relay_once(pool, Killer(pool), loaders=LOADERS)
    assert killed.is_set()
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 2
    await relay.relay_all(pool, PostgresBackend(pool), loaders=LOADERS)
    assert await index_state(conn) == await db_state(conn)


async def test_duplicate_delivery_changes_nothing(pool, conn, notes):
    backend = PostgresBackend(pool)
    await write(conn, 1, "ต้นฉบับ")
    await write(conn, 2, "สอง")
    await relay.relay_all(pool, backend, loaders=LOADERS)
    before = await conn.fetch(
        "SELECT kind, entity_id, title, tokens, tsv::text FROM search_documents ORDER BY 2"
    )
    for _ in range(2):  # the same changes delivered again, twice
        await outbox.enqueue(conn, "idea", 1)
        await outbox.enqueue(conn, "idea", 2)
        await outbox.enqueue(conn, "idea", 1)
    await relay.relay_all(pool, backend, loaders=LOADERS)
    after = await conn.fetch(
        "SELECT kind, entity_id, title, tokens, tsv::text FROM search_documents ORDER BY 2"
    )
    assert [tuple(r) for r in after] == [tuple(r) for r in before]


async def test_two_relays_share_the_outbox_without_double_work(pool, conn, notes, db_url):
    for i in range(1, 41):
        await write(conn, i, f"เรื่อง {i}")
    backend = PostgresBackend(pool)
    # Both relays' first claim waits inside PostgreSQL at the outbox, then they go at once.
    a, b = await race(
        [lambda: relay.relay_all(pool, backend, loaders=LOADERS, batch=5)] * 2,
        gate=Gate(db_url, ["search_outbox"], expect=2),
    )
    assert a + b == 40
    assert len(await index_state(conn)) == 40


async def test_kind_without_a_domain_does_not_crash_the_relay(pool, conn, notes):
    await outbox.enqueue(conn, "petition", 7)
    await write(conn, 1, "หนึ่ง")
    assert await relay.relay_once(pool, PostgresBackend(pool), loaders=LOADERS) == 1
    row = await conn.fetchrow("SELECT kind, attempts, last_error FROM search_outbox")
    assert row["kind"] == "petition" and row["attempts"] == 1 and "petition" in row["last_error"]


async def test_scheduled_job_runs_once_per_period_across_workers(pool, db_url):
    from civic.db import create_pool

    calls = []

    async def slow_job(conn):
        calls.append(1)
        await asyncio.sleep(0.3)
        return 7

    job = jobs.Job("test.slow", 3600, slow_job)
    other = await create_pool(db_url, max_size=2)
    try:
        first, second = await asyncio.gather(jobs.run_due(pool, [job]), jobs.run_due(other, [job]))
        assert len(calls) == 1 and {**first, **second} == {"test.slow": 7}
        assert await jobs.run_due(pool, [job]) == {}  # not due again for an hour
    finally:
        await other.close()


async def test_failing_job_records_its_error_and_rolls_back(pool, conn, notes):
    async def bad(c):
        await c.execute("INSERT INTO notes (id, title) VALUES (99, 'x')")
        raise RuntimeError("boom")

    assert await jobs.run_due(pool, [jobs.Job("test.bad", 0, bad)]) == {}
    assert (
        await conn.fetchval("SELECT last_error FROM job_runs WHERE name = 'test.bad'") == "RuntimeError: boom"
    )
    assert await conn.fetchval("SELECT count(*) FROM notes") == 0


async def test_domain_jobs_are_registered_and_run(pool, conn):
    from civic.registry import JOBS

    names = {"consultations.advance_lifecycle", "handovers.expire_stale_claims", "handovers.expire_tasks"}
    assert names <= {job.name for job in JOBS}
    ran = await jobs.run_due(
        pool, sorted((job for job in JOBS if job.name in names), key=lambda job: job.name)
    )
    assert set(ran) == names and all(isinstance(v, int) for v in ran.values())
    rows = await conn.fetch("SELECT name, runs, last_error FROM job_runs ORDER BY name")
    assert [(r["name"], r["runs"], r["last_error"]) for r in rows] == [(n, 1, "") for n in sorted(names)]
