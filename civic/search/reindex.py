"""Rebuild the index from the database (`python -m civic reindex`, the admin button)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from civic.search.port import SearchBackend, as_document
from civic.search.relay import NOW_VERSION, Loader, with_agency_names

# kind -> the table holding that kind's ids. A constant allow-list: never built from input.
KIND_TABLES: dict[str, str] = {"idea": "ideas", "consultation": "consultations", "handover": "handover_tasks"}
ENQUEUE_ALL = {
    kind: f"INSERT INTO search_outbox (kind, entity_id, op) SELECT '{kind}', id, 'upsert' FROM {table}"
    for kind, table in KIND_TABLES.items()
}
IDS = {kind: f"SELECT id FROM {table} ORDER BY id" for kind, table in KIND_TABLES.items()}


def kinds(only: str | None = None) -> list[str]:
    return [kind for kind in KIND_TABLES if not only or kind == only]


async def enqueue_all(conn: asyncpg.Connection, kind: str | None = None) -> int:
    total = 0
    async with conn.transaction():
        for k in kinds(kind):
            status = await conn.execute(ENQUEUE_ALL[k])
            total += int(status.split()[-1])
    return total


async def reindex(
    conn: asyncpg.Connection,
    backend: SearchBackend,
    loaders: dict[str, Loader],
    *,
    kind: str | None = None,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
    duty: float = 1.0,
) -> int:
    """Read every entity through its domain's search_documents() and upsert it, in batches.
    Each batch carries the clock version read just before it, so changes made meanwhile win.
    With duty < 1, each batch is followed by a pause so that the rebuild works that share of the
    time (0.5: it pauses as long as the batch took)."""
    await backend.ensure_index()
    done = 0
    loop = asyncio.get_running_loop()
    for k in kinds(kind):
        loader = loaders[k]
        ids = [r["id"] for r in await conn.fetch(IDS[k])]
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            started = loop.time()
            version = await conn.fetchval(NOW_VERSION)
            docs = await with_agency_names(
                conn, [d for d in map(as_document, await loader(conn, chunk)) if d.kind == k]
            )
            found = {d.id for d in docs}
            await backend.upsert(docs, version)
            await backend.delete([(k, i) for i in chunk if i not in found], version)
            done += len(chunk)
            if progress:
                progress(len(chunk))
            if duty < 1.0:
                await asyncio.sleep((loop.time() - started) * (1.0 - duty) / duty)
    return done


async def count_entities(conn: asyncpg.Connection, kind: str | None = None) -> int:
    total = 0
    for k in kinds(kind):
        total += await conn.fetchval(f"SELECT count(*) FROM {KIND_TABLES[k]}")  # noqa: S608 - allow-listed
    return total
