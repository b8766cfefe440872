"""Idea boards under load, on loopback, against its own embedded PostgreSQL.

    python bench/bench_ideas.py [--seconds 3] [--concurrency 32]

Prints ratios:

* support throughput: POST /api/v1/ideas/{id}/support through HTTP (uvicorn in a subprocess,
  bearer tokens, 32 concurrent clients) against a raw asyncpg loop doing the same
  INSERT ... ON CONFLICT DO NOTHING on 32 connections, in the same run. Goal >= 50%.
* comment scaling: GET /ideas/{id} for an idea with 5,000 comments against one with 10,
  by p95 latency (goal <= 1.5) and by SQL query count (goal: equal). Queries are counted
  in-process through a pool whose connection class counts every statement.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from civic import embedded_db  # noqa: E402
from civic.accounts import store as accounts  # noqa: E402
from civic.db import _init_connection, migrate  # noqa: E402
from civic.ideas import store  # noqa: E402

SECRET = "bench-secret-key-that-is-long-enough-0123456789"


class CountingConnection(asyncpg.Connection):
    statements = 0

    async def execute(self, *args, **kwargs):
        CountingConnection.statements += 1
        return await super().execute(*args, **kwargs)

    async def fetch(self, *args, **kwargs):
        CountingConnection.statements += 1
        return await super().fetch(*args, **kwargs)

    async def fetchrow(self, *args, **kwargs):
        CountingConnection.statements += 1
        return await super().fetchrow(*args, **kwargs)

    async def fetchval(self, *args, **kwargs):
        CountingConnection.statements += 1
        return await super().fetchval(*args, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def setup(dsn: str, n_ideas: int, n_users: int) -> dict:
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    try:
        await migrate(conn)
        agency = await conn.fetchval(
            "INSERT INTO organisations (slug, kind, name_th, level, verification) "
            "VALUES ('bench-agency', 'agency', 'หน่วยงานทดสอบ', 'central', 'verified') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO users (email, display_name, password_hash) "
            "SELECT 'u' || g || '@bench.example', 'ผู้ใช้ ' || g, 'x' FROM generate_series(1, $1) g",
            n_users,
        )
        board = await store.create_board(
            conn,
            slug="bench-board",
            agency_id=agency,
            title="บอร์ดทดสอบ",
            description_th="ทดสอบประสิทธิภาพ",
            description_en="",
            scope=None,
            categories=[],
            is_open=True,
            moderate_first=False,
            support_threshold=10_000_000,
            response_days=30,
            coowner_ids=[],
            actor_id=1,
        )
        ideas = await conn.fetch(
            "INSERT INTO ideas (board_id, author_id, title, body, status) "
            "SELECT $1, 1, 'ไอเดียทดสอบ ' || g, 'รายละเอียดไอเดียทดสอบ ' || g, 'published' "
            "FROM generate_series(1, $2) g RETURNING id",
            board,
            n_ideas,
        )
        idea_ids = [r["id"] for r in ideas]
        small, big = idea_ids[0], idea_ids[1]
        for idea_id, n in ((small, 10), (big, 5000)):
            await conn.execute(
                "INSERT INTO idea_comments (idea_id, author_id, body) "
                "SELECT $1, 1 + (g % 50), 'ความคิดเห็นทดสอบที่ ' || g FROM generate_series(1, $2) g",
                idea_id,
                n,
            )
            # A reply under each of the first comments, as real threads have.
            await conn.execute(
                "INSERT INTO idea_comments (idea_id, parent_id, author_id, body) "
                "SELECT idea_id, id, 2, 'ตอบกลับ' FROM idea_comments WHERE idea_id = $1 ORDER BY id LIMIT 5",
                idea_id,
            )
            await conn.execute(
                "UPDATE ideas SET comment_count = (SELECT count(*) FROM idea_comments WHERE idea_id = $1) WHERE id = $1",
                idea_id,
            )
        await conn.execute("ANALYZE")
        user_ids = [r["id"] for r in await conn.fetch("SELECT id FROM users ORDER BY id")]
        tokens = [(await accounts.create_api_token(conn, uid, "bench"))[1] for uid in user_ids]
    finally:
        await conn.close()
    return {"ideas": idea_ids, "small": small, "big": big, "users": user_ids, "tokens": tokens}


async def http_support(
    base: str, tokens: list[str], ideas: list[int], seconds: float, concurrency: int
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(w: int) -> None:
            nonlocal done
            headers = {"authorization": f"Bearer {tokens[w]}"}
            i = w * 97  # spread workers over different ideas, as real traffic is
            while time.perf_counter() < deadline:
                r = await client.post(f"/api/v1/ideas/{ideas[i % len(ideas)]}/support", headers=headers)
                assert r.status_code == 200, r.text[:300]
                i += 1
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        return done / (time.perf_counter() - start)


async def raw_support(
    dsn: str, users: list[int], ideas: list[int], seconds: float, concurrency: int
) -> float:
    conns = [await asyncpg.connect(dsn) for _ in range(concurrency)]
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        i = w * 97
        while time.perf_counter() < deadline:
            await conns[w].execute(store.INSERT_SUPPORT, ideas[i % len(ideas)], users[w])
            i += 1
            done += 1

    try:
        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        return done / (time.perf_counter() - start)
    finally:
        await asyncio.gather(*(c.close() for c in conns))


async def page_p95(base: str, idea_id: int, n: int) -> float:
    times = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for _ in range(10):
            (await client.get(f"/ideas/{idea_id}")).raise_for_status()
        for _ in range(n):
            t = time.perf_counter()
            r = await client.get(f"/ideas/{idea_id}")
            times.append(time.perf_counter() - t)
            r.raise_for_status()
    return statistics.quantiles(times, n=20)[-1]


async def query_counts(dsn: str, data_dir: Path, ideas: tuple[int, int]) -> tuple[int, int]:
    from civic.app import create_app
    from civic.settings import load_settings

    settings = load_settings(
        {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": dsn,
            "CIVIC_DATA_DIR": str(data_dir),
            "RUN_RELAY": "false",
            "RUN_SCHEDULER": "false",
        }
    )
    pool = await asyncpg.create_pool(
        dsn, min_size=1, max_size=2, init=_init_connection, connection_class=CountingConnection
    )
    counts = []
    try:
        app = create_app(settings, pool=pool)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for idea_id in ideas:
                CountingConnection.statements = 0
                r = await client.get(f"/ideas/{idea_id}")
                r.raise_for_status()
                counts.append(CountingConnection.statements)
    finally:
        await pool.close()
    return counts[0], counts[1]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    c = args.concurrency

    base_dir = Path(tempfile.mkdtemp(prefix="civic-bench-ideas-"))
    server = embedded_db.start(base_dir, cleanup="delete")
    proc = None
    try:
        embedded_db.ensure_database(server, "civic")
        dsn = embedded_db.dsn(server, "civic")
        data = await setup(dsn, n_ideas=5000, n_users=2 * c + 2)
        port = free_port()
        env = os.environ | {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": dsn,
            "CIVIC_DATA_DIR": str(base_dir),
            "RUN_RELAY": "false",
            "RUN_SCHEDULER": "false",
            "DB_POOL_MAX": str(c),
        }
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before any measurement
            [
                sys.executable,
                "-m",
                "uvicorn",
                "civic.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/api/v1/health", timeout=1)  # noqa: ASYNC210 - start-up poll only
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)

        ideas = data["ideas"][2:]
        http_rate = await http_support(base, data["tokens"][:c], ideas, args.seconds, c)
        raw_rate = await raw_support(dsn, data["users"][c : 2 * c], ideas, args.seconds, c)
        print(
            f"ideas support throughput: HTTP {http_rate:.0f} req/s vs raw asyncpg {raw_rate:.0f} inserts/s "
            f"at {c} concurrent = {http_rate / raw_rate:.1%} (goal >= 50%)"
        )
        conn = await asyncpg.connect(dsn)
        rows = await conn.fetchval("SELECT count(*) FROM idea_supports")
        exact = await conn.fetchval(
            "SELECT count(*) FROM ideas i WHERE support_count <> (SELECT count(*) FROM idea_supports s "
            "WHERE s.idea_id = i.id AND s.user_id = ANY($1::bigint[]))",
            data["users"][:c],
        )
        await conn.close()
        print(f"  {rows} support rows; ideas whose HTTP-maintained count disagrees with its rows: {exact}")

        p95_small = await page_p95(base, data["small"], args.requests)
        p95_big = await page_p95(base, data["big"], args.requests)
        q_small, q_big = await query_counts(dsn, base_dir, (data["small"], data["big"]))
        print(
            f"ideas comment page: p95 5,000 comments {p95_big * 1000:.1f} ms vs 10 comments "
            f"{p95_small * 1000:.1f} ms = {p95_big / p95_small:.2f}x (goal <= 1.5)"
        )
        print(
            f"ideas comment page: SQL queries 5,000 comments {q_big} vs 10 comments {q_small} = "
            f"{q_big / q_small:.2f}x (goal 1.00)"
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        server.cleanup()
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
