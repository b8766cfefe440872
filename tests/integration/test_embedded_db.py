"""The embedded PostgreSQL that `make run`, the tests and the benchmarks start."""

from __future__ import annotations

import pytest

from civic import embedded_db


def test_the_embedded_server_has_room_for_the_search_relations(pg_server):
    if pg_server is None:
        pytest.skip("TEST_DATABASE_URL is set: that server's settings are its own")
    size = embedded_db.shared_buffers()
    out = pg_server.psql(
        f"SELECT 1 WHERE pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes('{size}');"
    )
    assert "(1 row)" in out, out
    assert int(size.removesuffix("MB")) > 128  # PostgreSQL's default


def test_shared_buffers_take_a_quarter_of_the_memory_at_most_2_gb(tmp_path, monkeypatch):
    assert embedded_db.shared_buffers(1 << 30) == "256MB"
    assert embedded_db.shared_buffers(64 << 30) == "2048MB"
    # inside a container, its limit counts, not the machine's memory
    limit = tmp_path / "memory.max"
    monkeypatch.setattr(embedded_db, "CGROUP_MEMORY_MAX", limit)
    limit.write_text("536870912\n")
    assert embedded_db.memory() == 512 << 20
    limit.write_text("max\n")
    assert embedded_db.memory() > 512 << 20


def test_a_postmaster_pid_left_by_a_crash_does_not_count_as_running(tmp_path, pg_server):
    """Settings are applied only by the process that starts the server (embedded_db.start)."""
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "pg"
    stale.mkdir()
    lines = [gone.stdout.strip(), str(stale), "0", "5432", str(stale), "", "0 0", "ready"]
    (stale / "postmaster.pid").write_text("\n".join(lines) + "\n")
    assert not embedded_db._running(stale)
    assert not embedded_db._running(tmp_path / "never-started")
    if pg_server is not None:
        assert embedded_db._running(pg_server.pgdata)
