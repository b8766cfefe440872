"""The search indexer as an event consumer: what changed is written once, as a domain event, and
this consumer turns it into search_outbox rows (rules.changes says which documents).

The rows are written in the consumer's own transaction, with its cursor (civic.consumers), so
each event queues its documents exactly once; the relay (relay.py) then pushes search_outbox to
the backend with its retries, as before. A reindex (search.reindex_requested) still queues every
document itself, in the admin's transaction.
"""

from __future__ import annotations

import asyncpg

from civic.consumers import Consumer
from civic.events import Event
from civic.search import outbox, rules

# Erasure keeps the ideas' rows (replies and supports point at them) and their author_id.
AUTHORED_IDEAS = "SELECT id FROM ideas WHERE author_id = $1 ORDER BY id"


async def handle(conn: asyncpg.Connection, batch: list[Event]) -> None:
    facts = [rules.EventFacts(e.kind, e.subject_kind, e.subject_id, e.payload) for e in batch]
    found = rules.changes(facts)
    for fact in facts:
        if (author := rules.erased_author(fact)) is not None:
            found += [
                rules.Change("idea", r["id"], "delete") for r in await conn.fetch(AUTHORED_IDEAS, author)
            ]
    rows = rules.unique(found)
    if rows:
        await conn.executemany(outbox.ENQUEUE, [(c.kind, c.id, c.op) for c in rows])


SEARCH_INDEXER = Consumer("search.index", handle, kinds=rules.KINDS)
