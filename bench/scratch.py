"""Where a bench writes: DATABASE_URL if set (a scratch database it may write to), otherwise an
embedded PostgreSQL in a temporary directory, removed afterwards."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from civic import embedded_db


def run_on_scratch_database(run, *args) -> None:
    """asyncio.run(run(dsn, *args)) against that database."""
    url = os.environ.get("DATABASE_URL")
    if url:
        asyncio.run(run(url, *args))
        return
    base = Path(tempfile.mkdtemp(prefix="civic-bench-pg-"))
    server = embedded_db.start(base, cleanup="delete")
    try:
        embedded_db.ensure_database(server, "bench")
        asyncio.run(run(embedded_db.dsn(server, "bench"), *args))
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)
