"""A real Meilisearch outage (issue 24): the server is killed (SIGKILL) during 1,000 writes and
started again; within 120 s of its recovery the index equals the database, with 0 lost and 0
duplicated.

The test must stop and start the server itself, so it runs only when it is told how:

    MEILI_URL          turns the live suites on (as for test_meili_live.py)
    MEILI_KEY          the master key (both servers)
    MEILI_OUTAGE_CMD   a command that runs Meilisearch in the foreground, for this test alone, e.g.
                       `meilisearch --db-path /tmp/meili-outage --http-addr 127.0.0.1:7701
                        --master-key $MEILI_KEY --no-analytics`
    MEILI_OUTAGE_URL   where that server answers (default http://127.0.0.1:7701)

Without MEILI_OUTAGE_CMD it is skipped, with that reason (`pytest -rs`). Writes go through the
outbox as the search consumer writes them (civic/search/consumer.py: the outbox rows commit
together with what they describe), and the relay is civic.search.relay, unchanged.
"""

from __future__ import annotations

import asyncio
import os
import random
import shlex
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from civic.search import outbox, relay
from civic.search.meili import MeiliBackend
from civic.search.port import SearchDocument

MEILI_URL = os.environ.get("MEILI_URL")
OUTAGE_CMD = os.environ.get("MEILI_OUTAGE_CMD")
OUTAGE_URL = os.environ.get("MEILI_OUTAGE_URL", "http://127.0.0.1:7701").rstrip("/")
KEY = os.environ.get("MEILI_KEY")

pytestmark = [
    pytest.mark.skipif(not MEILI_URL, reason="MEILI_URL is not set: the live Meilisearch suites are off"),
    pytest.mark.skipif(
        not OUTAGE_CMD,
        reason="MEILI_OUTAGE_CMD is not set: the outage test needs a command that runs a Meilisearch it may "
        "kill and restart (see README.md, 'Running the live Meilisearch suite'); NOT RUN",
    ),
]

WRITES = 1000
KILL_AT = 300  # the server is killed before this write ...
RESTART_AT = 700  # ... and started again before this one
CATCH_UP_LIMIT_S = 120.0

CREATE_NOTES = """
CREATE TABLE outage_notes (id bigint PRIMARY KEY, title text NOT NULL, body text NOT NULL,
                           hidden boolean NOT NULL DEFAULT false)
"""


async def load_notes(conn, ids):
    rows = await conn.fetch("SELECT id, title, body FROM outage_notes WHERE id = ANY($1) AND NOT hidden", ids)
    return [
        SearchDocument(
            kind="idea", id=r["id"], title=r["title"], body=r["body"], url=f"/ideas/{r['id']}", province="BKK"
        )
        for r in rows
    ]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """The Meilisearch of MEILI_OUTAGE_CMD, in its own process group (so a kill reaches it all)."""

    def __init__(self, log_path: str) -> None:
        self.proc: subprocess.Popen | None = None
        self.log_path = log_path

    def start(self, timeout: float = 60.0) -> float:
        """Starts it; returns the time it answered /health."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            shlex.split(OUTAGE_CMD), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"MEILI_OUTAGE_CMD exited with {self.proc.returncode}; see {self.log_path}"
                )
            if healthy(OUTAGE_URL):
                return time.monotonic()
            time.sleep(0.05)
        raise RuntimeError(
            f"Meilisearch did not answer at {OUTAGE_URL} within {timeout:.0f}s; see {self.log_path}"
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


async def index_state(backend: MeiliBackend) -> tuple[dict[str, str], int]:
    """key -> title of every document in the index, and how many documents it holds."""
    docs, offset = [], 0
    while True:
        page = await backend._call(
            backend.index.get_documents, {"limit": 1000, "offset": offset, "fields": ["key", "title"]}
        )
        docs += [dict(d) if isinstance(d, dict) else {"key": d.key, "title": d.title} for d in page.results]
        offset += 1000
        if offset >= page.total:
            return {d["key"]: d["title"] for d in docs}, page.total


async def db_state(conn) -> dict[str, str]:
    rows = await conn.fetch("SELECT id, title FROM outage_notes WHERE NOT hidden")
    return {f"idea-{r['id']}": r["title"] for r in rows}


async def test_meili_killed_during_1000_writes_loses_nothing(pool, conn, tmp_path):
    if healthy(OUTAGE_URL):
        pytest.fail(
            f"something already answers at {OUTAGE_URL}: the outage test must own that server (stop it)"
        )
    await conn.execute(CREATE_NOTES)
    server = Server(str(tmp_path / "meili-outage.log"))
    server.start()
    backend = MeiliBackend(OUTAGE_URL, KEY, f"civic_outage_{uuid.uuid4().hex[:8]}", timeout_s=5)
    stop = asyncio.Event()
    relay_errors: list[str] = []

    async def relay_loop() -> None:
        while not stop.is_set():
            try:
                acked = await relay.relay_once(pool, backend, loaders={"idea": load_notes})
            except Exception as exc:  # the relay's own connection; never expected
                relay_errors.append(repr(exc))
                acked = 0
            if not acked:
                await asyncio.sleep(0.1)

    try:
        await backend.ensure_index()
        rng = random.Random(24)
        ids: list[int] = []
        pending_peak = 0
        relay_task = asyncio.create_task(relay_loop())
        killed_at = restarted_at = 0.0
        for n in range(WRITES):
            if n == KILL_AT:
                server.kill()
                killed_at = time.monotonic()
            if n == RESTART_AT:
                restarted_at = server.start()
            r = rng.random()
            async with conn.transaction():  # the change and its outbox row commit together
                if not ids or r < 0.6:
                    note_id = len(ids) + 1
                    ids.append(note_id)
                    await conn.execute(
                        "INSERT INTO outage_notes (id, title, body) VALUES ($1, $2, $3)",
                        note_id, f"เรื่องที่ {note_id} รุ่น {n}", "ถนนพังหน้าตลาด ขอซ่อมด่วน",
                    )  # fmt: skip
                else:
                    note_id = rng.choice(ids)
                    hidden = r > 0.9  # hidden: the relay deletes it from the index
                    await conn.execute(
                        "UPDATE outage_notes SET title = $2, hidden = $3 WHERE id = $1",
                        note_id, f"เรื่องที่ {note_id} รุ่น {n}", hidden,
                    )  # fmt: skip
                await outbox.enqueue(conn, "idea", note_id)
            if n % 50 == 0:
                pending_peak = max(pending_peak, (await outbox.pending_stats(conn))[0])
            await asyncio.sleep(0.01)  # ~15 s of writes: the outage sits inside them
        writes_done = time.monotonic()

        # From the recovery on: the index must equal the database within CATCH_UP_LIMIT_S.
        # Rows that failed during the outage wait out their backoff (2 s doubling), as in production.
        want = await db_state(conn)
        deadline = restarted_at + CATCH_UP_LIMIT_S
        while True:
            pending = (await outbox.pending_stats(conn))[0]
            got, count = await index_state(backend)
            if pending == 0 and got == want:
                break
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        caught_up = time.monotonic()
        stop.set()
        await relay_task

        lost = sorted(k for k in want if k not in got)
        stale = sorted(k for k in want if k in got and got[k] != want[k])
        extra = sorted(k for k in got if k not in want)
        duplicated = count - len(got)
        print(
            f"\noutage: {WRITES} writes ({len(want)} live documents, {len(ids) - len(want)} hidden); Meilisearch "
            f"killed at write {KILL_AT}, back at write {RESTART_AT} after {restarted_at - killed_at:.1f}s down; "
            f"outbox peak >= {pending_peak} rows; index equal to the database {caught_up - restarted_at:.1f}s after "
            f"recovery ({caught_up - writes_done:.1f}s after the last write); lost {len(lost)}, stale {len(stale)}, "
            f"not deleted {len(extra)}, duplicated {duplicated}"
        )
        assert not relay_errors, relay_errors[:3]
        assert (lost, stale, extra, duplicated) == ([], [], [], 0), (
            lost[:5],
            stale[:5],
            extra[:5],
            duplicated,
        )
        assert pending == 0
        assert caught_up - restarted_at <= CATCH_UP_LIMIT_S
    finally:
        stop.set()
        try:
            if healthy(OUTAGE_URL):
                backend.client.delete_index(backend.index_uid)
        finally:
            server.stop()
