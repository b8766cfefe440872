"""`python -m civic run` with its own embedded PostgreSQL stops that server on SIGTERM (what
systemd and container runtimes send) as on Ctrl-C, within 10 s, keeping what was committed; a
killed process left in the wheel's handle list no longer keeps the server running for ever."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import asyncpg
import pytest

from civic import embedded_db
from civic.settings import PROJECT_ROOT
from tests.helpers import free_port


def _postmaster_running(pgdata) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    return embedded_db._pid_alive(pid)


def _wait_healthy(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-2000:]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail("civic run did not become healthy in 120 s")


async def _write_and_read(pgdata, value: str | None = None) -> str | None:
    conn = await asyncpg.connect(f"postgresql://postgres@/civic?host={pgdata}")
    try:
        if value is not None:
            await conn.execute("CREATE TABLE IF NOT EXISTS stop_probe (v text)")
            await conn.execute("INSERT INTO stop_probe VALUES ($1)", value)
        return await conn.fetchval("SELECT max(v) FROM stop_probe")
    finally:
        await conn.close()


@pytest.fixture
def data_dir():
    """Not pytest's data_dir: the server runs as its own system user, which cannot enter the
    per-user pytest directories (as tests/conftest.py's server)."""
    path = Path(tempfile.mkdtemp(prefix="civic-test-stop-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_embedded_database_stops_with_civic_run(data_dir, workers, sig):
    pgdata = data_dir / "pg"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "CIVIC_DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "civic", "run", "--no-demo", "--port", str(port), "--workers", str(workers)]
    # Its own session, as under a service manager: the signal reaches civic alone, never postgres.
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_healthy(port, proc)
        assert _postmaster_running(pgdata)
        asyncio.run(_write_and_read(pgdata, f"kept-{sig.name}"))
        proc.send_signal(sig)
        deadline = time.monotonic() + 10
        while _postmaster_running(pgdata) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _postmaster_running(pgdata), f"PostgreSQL still runs 10 s after {sig.name}"
        proc.wait(timeout=10)
        assert json.loads((pgdata / ".handle_pids.json").read_text()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
    server = embedded_db.start(data_dir)
    try:
        assert asyncio.run(_write_and_read(pgdata)) == f"kept-{sig.name}"
    finally:
        server.cleanup()
    assert not _postmaster_running(pgdata)


def test_a_killed_holder_no_longer_keeps_the_server_running(data_dir):
    server = embedded_db.start(data_dir)
    server.cleanup()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    handles = data_dir / "pg" / ".handle_pids.json"
    handles.write_text(json.dumps([dead.pid]))  # as a process killed while holding a handle leaves it
    assert embedded_db.forget_dead_handles(data_dir / "pg") == []
    server = embedded_db.start(data_dir)
    assert json.loads(handles.read_text()) == [os.getpid()]
    server.cleanup()
    assert not _postmaster_running(data_dir / "pg")
