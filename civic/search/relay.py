"""The outbox relay: pushes search_outbox rows to the search backend; nothing is ever lost.

One pass (`relay_once`), in one transaction:
  1. claim due rows with FOR UPDATE SKIP LOCKED (several relays never take the same row);
  2. per kind, read the version (the database clock in microseconds, taken just BEFORE the
     entities are read) and load the current documents through the domain's
     `search_documents(conn, ids)` (civic/registry.py SEARCH_LOADERS), with their agencies' names;
  3. upsert the documents returned, delete the ids not returned (hidden or deleted);
  4. delete the outbox rows only after the backend confirmed. On failure the rows stay, with
     attempts + 1, next_attempt_at = now + min(MAX_BACKOFF, BASE_BACKOFF * 2^attempts) and
     last_error.
A relay killed anywhere before the commit leaves its rows in the outbox (the transaction rolls
back), and a replay is harmless: the backend keeps whichever version is newer, and the document
is always read fresh from the database rather than carried in the outbox row.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

import asyncpg

from civic.search.port import SearchBackend, SearchDocument, SearchUnavailable, as_document

log = logging.getLogger(__name__)

Loader = Callable[[asyncpg.Connection, list[int]], Awaitable[list[SearchDocument] | list[dict]]]

BATCH = 200
BASE_BACKOFF = 2.0  # seconds
MAX_BACKOFF = 600.0

CLAIM = """
SELECT id, kind, entity_id FROM search_outbox
WHERE next_attempt_at <= now()
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
ACK = "DELETE FROM search_outbox WHERE id = ANY($1::bigint[])"
FAIL = """
UPDATE search_outbox
SET attempts = attempts + 1,
    next_attempt_at = now() + make_interval(secs => least($2::float8, $3::float8 * power(2, attempts))),
    last_error = $4
WHERE id = ANY($1::bigint[])
"""
# Taken before the read: a later read always carries a larger version (see module docstring).
NOW_VERSION = "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
# The agencies' names, which documents are searchable by (SearchDocument.agency_names).
AGENCY_NAMES = "SELECT slug, name_th, name_en FROM organisations WHERE slug = ANY($1::text[])"
LAST_ERRORS = """
SELECT kind, entity_id, attempts, last_error, next_attempt_at FROM search_outbox
WHERE last_error <> '' ORDER BY next_attempt_at DESC LIMIT $1
"""


async def with_agency_names(conn: asyncpg.Connection, docs: list[SearchDocument]) -> list[SearchDocument]:
    """`docs`, each with its agency's Thai and English names (unless its loader gave them)."""
    slugs = sorted({d.agency for d in docs if d.agency and not d.agency_names})
    if not slugs:
        return docs
    names = {
        r["slug"]: [n for n in (r["name_th"], r["name_en"]) if n]
        for r in await conn.fetch(AGENCY_NAMES, slugs)
    }
    for d in docs:
        if d.agency and not d.agency_names:
            d.agency_names = names.get(d.agency, [])
    return docs


async def relay_once(
    pool: asyncpg.Pool,
    backend: SearchBackend,
    loaders: dict[str, Loader],
    *,
    batch: int = BATCH,
) -> int:
    """One batch. Returns the number of outbox rows acknowledged."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(CLAIM, batch)
        if not rows:
            return 0
        by_kind: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            by_kind[row["kind"]].append(row)
        acked: list[int] = []
        for kind, krows in by_kind.items():
            outbox_ids = [r["id"] for r in krows]
            try:
                loader = loaders.get(kind)
                if loader is None:
                    raise SearchUnavailable(f"no search_documents() for kind {kind!r}")
                entity_ids = sorted({r["entity_id"] for r in krows})
                async with conn.transaction():  # a savepoint: a failing loader spoils only its kind
                    version = await conn.fetchval(NOW_VERSION)
                    docs = [d for d in map(as_document, await loader(conn, entity_ids)) if d.kind == kind]
                    docs = await with_agency_names(conn, docs)
                found = {d.id for d in docs}
                await backend.upsert(docs, version)
                await backend.delete([(kind, i) for i in entity_ids if i not in found], version)
                acked.extend(outbox_ids)
            except Exception as exc:  # the backend or loader failed: keep the rows, back off
                log.warning("search relay: %s x%d failed: %s", kind, len(outbox_ids), exc)
                await conn.execute(
                    FAIL, outbox_ids, MAX_BACKOFF, BASE_BACKOFF, f"{type(exc).__name__}: {exc}"[:500]
                )
        if acked:
            await conn.execute(ACK, acked)
        return len(acked)


async def relay_all(pool: asyncpg.Pool, backend: SearchBackend, loaders: dict[str, Loader], **kw) -> int:
    """Relay until nothing is due (tests, the CLI, catching up after an outage)."""
    total = 0
    while n := await relay_once(pool, backend, loaders, **kw):
        total += n
    return total


async def last_errors(conn: asyncpg.Connection, limit: int = 10) -> list[asyncpg.Record]:
    return await conn.fetch(LAST_ERRORS, limit)


async def run_forever(
    pool: asyncpg.Pool, backend: SearchBackend, loaders: dict[str, Loader], *, idle_seconds: float = 1.0
) -> None:
    """The relay loop: background.py runs it in the app, `python -m civic worker` on its own."""
    ensured = False
    while True:
        acked = 0
        try:
            if not ensured:
                await backend.ensure_index()
                ensured = True
            acked = await relay_once(pool, backend, loaders)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("search relay pass failed; retrying")
            await asyncio.sleep(min(MAX_BACKOFF, 5.0))
        if not acked:
            await asyncio.sleep(idle_seconds)
