"""Idea boards under load, on loopback, against its own embedded PostgreSQL.

    python bench/bench_ideas.py [--seconds 3] [--rounds 5] [--concurrency 32] [--workers 2] [--smoke]

Prints ratios:

* support throughput: POST /api/v1/ideas/{id}/support through HTTP against a raw asyncpg loop
  doing the same INSERT ... ON CONFLICT DO NOTHING on 32 connections, in the same run. Goal >= 40%
  (issue 19: the support on the one straight path, with no batching of its own).
  The server runs the way production does: `python -m civic run` (uvicorn, --workers 2, uvloop,
  httptools, no access log at LOG_LEVEL=WARNING),
  every request authenticated by a bearer token.
  Each HTTP client is a plain keep-alive HTTP/1.1 connection (asyncio streams) so that the load
  generator, which shares the machine's cores with the server, costs about what the raw asyncpg
  loop's client costs. Every request and every raw insert is a new support row (each worker walks
  its own range of ideas across rounds), so both sides commit a write.
  The ceiling: GET /api/v1/me (same auth, one indexed read, no write) against the same raw loop:
  support cannot beat it, so "support / me" shows how close support gets to what the HTTP stack allows.
  The floor: the same load against bench/floor_app.py, served the same way: Litestar with one JSON
  route and no middleware or database, and a bare ASGI callable (uvicorn alone). If even these stay
  under 40% of raw, the goal is out of reach of the fixed stack on this machine, whatever civic does.
  Rounds alternate the kinds so background load on a shared machine hits them all alike;
  each figure is the median over rounds. CPU per operation is read from /proc for the server
  (civic run + its workers), PostgreSQL (postmaster + backends) and this load generator: on a
  CPU-bound box, cores * 1000 / (ms per operation) is the most either side can reach, which is
  what decides whether the 40% goal is reachable at all.
* comment scaling: GET /ideas/{id} for an idea with 5,000 comments against one with 10,
  by p95 latency (goal <= 1.5) and by SQL query count (goal: equal). Queries are counted
  in-process through a pool whose connection class counts every statement.
"""

from __future__ import annotations

import argparse
import asyncio
import math
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
from civic.privacy.rules import CURRENT_NOTICE  # noqa: E402

# The most inserts one raw asyncpg connection could make per second here, with room to spare: a
# commit on loopback takes tens of microseconds at best.
RAW_CEILING = 20_000
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


# Bench accounts stand for people who verified their address and accepted the privacy notice, as
# every real participant has: the verified gate and the notice gate refuse anyone else's writes.
SETTLE_USERS = """
WITH verified AS (UPDATE users SET email_verified_at = now() WHERE email_verified_at IS NULL)
INSERT INTO privacy_acceptances (user_id, version, channel)
SELECT u.id, $1, 'web' FROM users u
WHERE NOT EXISTS (SELECT 1 FROM privacy_acceptances a WHERE a.user_id = u.id AND a.version >= $1)
"""


async def settle_users(conn: asyncpg.Connection) -> None:
    await conn.execute(SETTLE_USERS, CURRENT_NOTICE)


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
        await settle_users(conn)
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
                "SELECT $1, 1 + (g % $3), 'ความคิดเห็นทดสอบที่ ' || g FROM generate_series(1, $2) g",
                idea_id,
                n,
                min(50, n_users),
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


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: about as cheap per request as an asyncpg call, so the
    client's share of the two cores is comparable on both sides of the ratio."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())

    async def open(self) -> HttpConnection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def request(self, method: str, path: str) -> tuple[int, bytes]:
        self.writer.write(
            f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\ncontent-length: 0\r\n".encode()
            + self.extra
            + b"\r\n"
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"response without content-length: {head[:200]!r}")
        return int(head[9:12]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def wait_until_up(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)  # noqa: ASYNC210 - start-up poll only
            return
        except httpx.HTTPError:
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def run_for(seconds: float, concurrency: int, step) -> float:
    """Calls step(worker) on `concurrency` workers until the deadline; returns calls per second."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await step(w)
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done / (time.perf_counter() - start)


class Cursor:
    """Worker w walks ideas w*97, w*97+1, ... and keeps its place across rounds, so every call
    supports an idea its user has not supported yet (a real insert, never a no-op conflict). Having
    walked every idea, it goes on as its next user. Running out of users is an error: the rate
    would then count no-ops."""

    def __init__(self, ideas: list[int], users: list[list[int]]) -> None:
        self.ideas = ideas
        self.users = users
        self.pos = [w * 97 for w in range(len(users))]
        self.steps = [0] * len(users)

    def next(self, w: int) -> tuple[int, int]:
        """(idea, user) for worker w's next support."""
        lap = self.steps[w] // len(self.ideas)
        self.steps[w] += 1
        if lap >= len(self.users[w]):
            raise RuntimeError(f"worker {w} has supported every idea as each of its users: add users")
        self.pos[w] += 1
        return self.ideas[self.pos[w] % len(self.ideas)], self.users[w][lap]


async def http_rate(conns: list[HttpConnection], method: str, path_of, seconds: float) -> float:
    async def step(w: int) -> None:
        status, body = await conns[w].request(method, path_of(w))
        assert status == 200, body[:300]

    return await run_for(seconds, len(conns), step)


async def raw_rate(conns: list[asyncpg.Connection], cursor: Cursor, seconds: float) -> float:
    async def step(w: int) -> None:
        await conns[w].execute(store.INSERT_SUPPORT, *cursor.next(w))

    return await run_for(seconds, len(conns), step)


def _on_cpu_ns(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except OSError:  # the thread ended while we looked
            pass
    return total


def process_cpu(pid: int) -> float:
    """CPU seconds of pid and its children (the uvicorn workers, PostgreSQL's backends), every
    thread's. From schedstat, in nanoseconds: /proc's utime and stime count 10 ms ticks, too
    coarse for a request of a tenth of a millisecond."""
    try:
        children = [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    except OSError:
        return float("nan")
    total = 0
    for p in [pid, *children]:
        try:
            total += _on_cpu_ns(p)
        except OSError:  # a backend that exited (a pool's connection closed)
            pass
    return total / 1e9


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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pool-max", type=int, help="DB_POOL_MAX per worker (default: --concurrency)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.rounds, args.concurrency, args.requests = 0.3, 1, 4, 20
    c = args.concurrency

    base_dir = Path(tempfile.mkdtemp(prefix="civic-bench-ideas-"))
    server = embedded_db.start(base_dir, cleanup="delete")
    proc = None
    floor_procs: list[subprocess.Popen] = []
    try:
        embedded_db.ensure_database(server, "civic")
        dsn = embedded_db.dsn(server, "civic")
        # Enough (idea, user) pairs that no worker runs out (see Cursor): the warm-up of each kind,
        # then every round, at up to RAW_CEILING calls per second per connection for the raw loop.
        # An HTTP worker keeps the one user its token names; HTTP is far slower than the raw loop.
        seconds = min(1.0, args.seconds) + args.rounds * args.seconds
        n_ideas = 1000 * (2 + int(args.rounds * args.seconds))
        raw_laps = math.ceil(RAW_CEILING * seconds / n_ideas)
        data = await setup(dsn, n_ideas=n_ideas, n_users=c * (1 + raw_laps) + 2)
        port = free_port()
        env = os.environ | {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": dsn,
            "CIVIC_DATA_DIR": str(base_dir),
            "RUN_RELAY": "false",
            "RUN_SCHEDULER": "false",
            "LOG_LEVEL": "WARNING",
            # Each worker may serve all 32 clients if the kernel hands it every connection.
            "DB_POOL_MAX": str(args.pool_max or c),
        }
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before any measurement
            [
                sys.executable,
                "-m",
                "civic",
                "run",
                "--no-demo",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        await wait_until_up(f"{base}/api/v1/health")
        floors = {}
        for name in ("litestar_app", "asgi_app"):
            floor_port = free_port()
            floors[name] = floor_port
            floor_procs.append(
                subprocess.Popen(  # noqa: ASYNC220 - started once, before any measurement
                    [sys.executable, "-m", "uvicorn", f"floor_app:{name}", "--port", str(floor_port)]
                    + ["--workers", str(args.workers), "--log-level", "warning", "--no-access-log"]
                    # The connections idle through the other kinds' rounds; uvicorn's default is 5 s.
                    + ["--timeout-keep-alive", "600"],
                    cwd=ROOT / "bench",
                    stdout=subprocess.DEVNULL,
                )
            )
            await wait_until_up(f"http://127.0.0.1:{floor_port}/")

        ideas = data["ideas"][2:]
        http_cursor = Cursor(ideas, [[u] for u in data["users"][:c]])
        raw_users = data["users"][c : c * (1 + raw_laps)]
        raw_cursor = Cursor(ideas, [raw_users[w::c] for w in range(c)])
        raw_conns = [await asyncpg.connect(dsn) for _ in range(c)]
        auth = [{"authorization": f"Bearer {t}"} for t in data["tokens"][:c]]
        no_auth = [{}] * c

        def support_path(w: int) -> str:
            return f"/api/v1/ideas/{http_cursor.next(w)[0]}/support"

        # kind -> (server pid, port, per-client headers, method, path of worker w)
        http_kinds = {
            "me": (proc.pid, port, auth, "GET", lambda w: "/api/v1/me"),
            "support": (proc.pid, port, auth, "POST", support_path),
        } | {
            name: (fp.pid, floor_port, no_auth, "GET", lambda w: "/")
            for (name, floor_port), fp in zip(floors.items(), floor_procs, strict=True)
        }

        async def measure(kind: str, seconds: float) -> float:
            if kind == "raw":
                return await raw_rate(raw_conns, raw_cursor, seconds)
            _, kind_port, headers, method, path_of = http_kinds[kind]
            # Fresh keep-alive connections each time: idle ones would hit uvicorn's 5 s timeout
            # during the other kinds' rounds. Opening them is not timed.
            conns = [await HttpConnection("127.0.0.1", kind_port, h).open() for h in headers]
            try:
                return await http_rate(conns, method, path_of, seconds)
            finally:
                for conn in conns:
                    conn.close()

        kinds = ("me", "support", "raw", "litestar_app", "asgi_app")
        # Warm-up: every server connection prepares its statements, every worker imports lazily.
        for kind in kinds:
            await measure(kind, min(1.0, args.seconds))

        rates: dict[str, list[float]] = {k: [] for k in kinds}
        # CPU ms per operation, by process group: (server, postgres, load generator).
        cpu: dict[str, list[tuple[float, float, float]]] = {k: [] for k in kinds}
        pg_pid = server.get_pid()
        for _ in range(args.rounds):
            for kind in kinds:
                pid = http_kinds[kind][0] if kind in http_kinds else pg_pid
                before = (process_cpu(pid), process_cpu(pg_pid), time.process_time())
                rate = await measure(kind, args.seconds)
                rates[kind].append(rate)
                after = (process_cpu(pid), process_cpu(pg_pid), time.process_time())
                ops = rate * args.seconds
                server_ms, pg_ms, client_ms = (
                    (a - b) / ops * 1000 for a, b in zip(after, before, strict=True)
                )
                # For the raw loop the "server" is PostgreSQL itself, already counted.
                cpu[kind].append((0.0 if kind == "raw" else server_ms, pg_ms, client_ms))
        await asyncio.gather(*(conn.close() for conn in raw_conns))

        me, support, raw = (statistics.median(rates[k]) for k in ("me", "support", "raw"))
        print(
            f"ideas support throughput: HTTP {support:.0f} req/s vs raw asyncpg {raw:.0f} inserts/s "
            f"at {c} concurrent = {support / raw:.1%} (goal >= 40%)"
        )
        print(
            f"  ceiling: GET /api/v1/me {me:.0f} req/s = {me / raw:.1%} of raw; "
            f"support = {support / me:.1%} of that ceiling"
        )
        print(
            f"  ({args.workers} uvicorn workers, DB_POOL_MAX {args.pool_max or c}, {os.cpu_count()} cores, median of {args.rounds} rounds of "
            f"{args.seconds:g}s; per round support/me/raw: "
            + ", ".join(
                f"{s_:.0f}/{m_:.0f}/{r_:.0f}"
                for m_, s_, r_ in zip(rates["me"], rates["support"], rates["raw"], strict=True)
            )
            + ")"
        )
        lite, bare = (statistics.median(rates[k]) for k in ("litestar_app", "asgi_app"))
        print(
            f"  floor of the fixed stack, no database at all: Litestar hello {lite:.0f} req/s = {lite / raw:.1%} "
            f"of raw; bare uvicorn ASGI {bare:.0f} req/s = {bare / raw:.1%} of raw"
        )
        for kind, label in (
            ("support", "HTTP support"),
            ("me", "HTTP /me"),
            ("raw", "raw insert"),
            ("litestar_app", "Litestar hello"),
            ("asgi_app", "bare ASGI"),
        ):
            server_ms, pg_ms, client_ms = (statistics.median(x[i] for x in cpu[kind]) for i in range(3))
            total = server_ms + pg_ms + client_ms
            print(
                f"  CPU per {label}: server {server_ms:.2f} ms + postgres {pg_ms:.2f} ms + load generator "
                f"{client_ms:.2f} ms = {total:.2f} ms -> at most {os.cpu_count() * 1000 / total:.0f}/s on "
                f"{os.cpu_count()} cores"
            )
        conn = await asyncpg.connect(dsn)
        rows = await conn.fetchval("SELECT count(*) FROM idea_supports")
        exact = await conn.fetchval(
            "SELECT count(*) FROM ideas i WHERE support_count <> (SELECT count(*) FROM idea_supports s "
            "WHERE s.idea_id = i.id AND s.user_id = ANY($1::bigint[]))",
            data["users"][:c],
        )
        outbox = await conn.fetchval("SELECT count(*) FROM search_outbox WHERE kind = 'idea'")
        http_rows = await conn.fetchval(
            "SELECT count(*) FROM idea_supports WHERE user_id = ANY($1::bigint[])", data["users"][:c]
        )
        await conn.close()
        print(
            f"  {rows} support rows ({http_rows} through HTTP, {outbox} search outbox rows); "
            f"ideas whose HTTP-maintained count disagrees with its rows: {exact}"
        )

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
        for p in [proc, *floor_procs]:
            if p is not None:
                p.terminate()
                p.wait(timeout=20)
        server.cleanup()
        shutil.rmtree(base_dir, ignore_errors=True)


def run_load_generator(main) -> None:
    """The server runs on uvloop; the load generator gets the same loop (bench_mixed uses this too)."""
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main())


if __name__ == "__main__":
    run_load_generator(main)
