"""CLI sub-commands owned by search: reindex and import (wired in civic/__main__.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

from civic import registry


def add_commands(sub, database_url, with_conn) -> None:
    p = sub.add_parser("reindex", help="rebuild the search index from the database")
    p.add_argument("--kind", choices=["idea", "consultation", "handover"])
    p.add_argument(
        "--duty",
        type=float,
        default=0.35,
        help="share of the time the rebuild works, between 0.05 and 1; the rest is left to live "
        "traffic (default 0.35; 1 = full speed, for a maintenance window)",
    )
    p.set_defaults(fn=lambda args, settings: cmd_reindex(args, settings, database_url))

    p = sub.add_parser("import", help="import existing data (ideas from JSON Lines or CSV)")
    p.add_argument("what", choices=["ideas"])
    p.add_argument("file", type=Path)
    p.add_argument("--board", required=True, help="slug of the idea board to import into")
    p.add_argument("--author", help="account email for rows without author_email")
    p.set_defaults(fn=lambda args, settings: cmd_import(args, settings, database_url))


async def _pool(url: str):
    from civic.db import create_pool

    return await create_pool(url, max_size=8)


def cmd_reindex(args, settings, database_url) -> int:
    from tqdm import tqdm

    from civic.search.backend import make_backend
    from civic.search.reindex import count_entities, reindex

    # A rebuild is background work: the tokeniser is CPU-bound, so give live traffic (votes,
    # page loads) the CPU first, and (--duty) pause between batches, because the PostgreSQL
    # backend writing the index entries is not niced with us. Measured in bench/bench_search.py
    # ("votes during reindex").
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)

    async def go() -> int:
        pool = await _pool(database_url(settings))
        try:
            backend = make_backend(settings, pool)
            async with pool.acquire() as conn:
                total = await count_entities(conn, args.kind)
                started = time.perf_counter()
                with tqdm(total=total, unit="doc", desc="reindex", file=sys.stderr) as bar:
                    done = await reindex(
                        conn,
                        backend,
                        registry.SEARCH_LOADERS,
                        kind=args.kind,
                        progress=bar.update,
                        duty=min(max(args.duty, 0.05), 1.0),
                    )
            elapsed = max(time.perf_counter() - started, 1e-9)
            print(
                f"reindexed {done} documents into {backend.name} in {elapsed:.1f}s ({done / elapsed:.0f} docs/s)"
            )
            return 0
        finally:
            await pool.close()

    return asyncio.run(go())


def cmd_import(args, settings, database_url) -> int:
    from tqdm import tqdm

    from civic.search import relay
    from civic.search.backend import make_backend
    from civic.search.importer import import_ideas, read_rows

    if not args.file.exists():
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2

    async def go() -> int:
        pool = await _pool(database_url(settings))
        try:
            total = sum(1 for _ in read_rows(args.file))
            async with pool.acquire() as conn:
                with tqdm(total=total, unit="row", desc="import", file=sys.stderr) as bar:
                    report = await import_ideas(
                        conn, args.file, args.board, default_author_email=args.author, progress=bar.update
                    )
            for line, message in report.errors:
                print(f"{args.file}:{line}: {message}", file=sys.stderr)
            indexed = (
                await relay.relay_all(pool, make_backend(settings, pool), registry.SEARCH_LOADERS)
                if report.created
                else 0
            )
            print(
                f"imported {len(report.created)} ideas, skipped {len(report.errors)} bad rows, indexed {indexed}"
            )
            return 0 if report.created or not report.errors else 1
        finally:
            await pool.close()

    return asyncio.run(go())
