"""asyncpg pool, the per-request transaction, and the migration runner."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from civic import keyset
from civic.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any constant works; it only has to be the same for every process migrating this database.
MIGRATION_LOCK_KEY = 4_0_2026_1124

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=_json_encode, decoder=_json_decode, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=_json_encode, decoder=_json_decode, schema="pg_catalog")


def _json_encode(value) -> str:
    import msgspec

    return msgspec.json.encode(value).decode()


def _json_decode(value: str):
    import msgspec

    return msgspec.json.decode(value)


# The first (and last) pages of a list, which people open, keep their written-out statements (a
# list's numbers written in, so each is planned once per connection).
KEPT_PAGES = keyset.BY_NUMBER


async def fetch_page(
    conn: asyncpg.Connection, sql: str, offset: int, limit: int, *args: object
) -> list[asyncpg.Record]:
    """A written-out page of a list (`offset`, `limit`: the numbers written into `sql`). A page
    deeper than KEPT_PAGES is prepared for this request alone and then closed: kept, one more per
    page number, a crawler walking thousands of pages would push every other statement out of
    each connection's cache (100), and all of them would be planned again."""
    if offset < KEPT_PAGES * limit:
        return await conn.fetch(sql, *args)
    return await (await conn.prepare(sql)).fetch(*args)


async def create_pool(
    dsn: str, *, max_size: int = 10, min_size: int = 1, server_settings: dict[str, str] | None = None
) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        server_settings=server_settings,
        init=_init_connection,
        command_timeout=60,
    )


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    files = sorted(p for p in directory.glob("*.sql"))
    bad = [p.name for p in files if not MIGRATION_NAME.match(p.name)]
    if bad:
        raise RuntimeError(f"Migration names must look like NNNN_verb_noun.sql: {bad}")
    versions = [p.name[:4] for p in files]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"Two migrations share a number: {versions}")
    return files


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations in order, each in its own transaction, under an advisory lock.

    Returns the names applied. A changed, already-applied file is an error: migrations are
    forward-only, so fix mistakes with a new file.
    """
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        await conn.execute(CREATE_MIGRATIONS_TABLE)
        done = {
            r["version"]: r["checksum"]
            for r in await conn.fetch("SELECT version, checksum FROM schema_migrations")
        }
        for path in migration_files(directory):
            sql = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if path.stem in done:
                if done[path.stem] != checksum:
                    raise RuntimeError(f"Migration {path.name} changed after it was applied")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                    path.stem,
                    checksum,
                )
            log.info("applied migration %s", path.name)
            applied_now.append(path.name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied_now


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as conn, conn.transaction():
        yield conn
