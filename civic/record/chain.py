"""The one writer of the record: official events become entries, in their own transaction.

civic.events.record calls `append` for an official kind; so this module must not import
civic.events (the catalogue passes the official kinds in). Under the head row's lock it appends
every official event of the current transaction that has no entry yet, in event order: the one
just recorded, and any that a store wrote in SQL in the same statement as its change (a support
that starts an idea's clock).

History from before the record existed is appended once, by the first append (or the first run
of the job, or `civic record verify`, whichever comes first): every official event already in
the events table, in event order, under the same lock, before anything newer. Their actor role
is read from today's memberships and roles, the best that is known then.
"""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from civic.record import rules, store
from civic.record.schemas import Entry


def _entries(rows: list[asyncpg.Record], seq: int, prev: str) -> list[Entry]:
    entries = []
    for row in rows:
        seq += 1
        entry = rules.sealed(
            Entry(
                seq=seq,
                at=row["at"],
                agency_id=row["agency_id"],
                actor_role=row["actor_role"],
                actor_name=row["actor_name"],
                act=row["act"],
                subject_kind=row["subject_kind"],
                subject_id=row["subject_id"],
                payload=rules.public_payload(row["payload"], row["visibility"]),
                prev_hash=prev,
            )
        )
        entries.append(entry)
        prev = entry.hash
    return entries


async def append(conn: asyncpg.Connection, official_kinds: Iterable[str], *, catch_up: bool = False) -> int:
    """Append this transaction's official events (with `catch_up`, every committed one without an
    entry too). Call it inside the act's transaction, as late in it as it can come: the head's
    lock is held from its append to the commit, and every other official act waits for it.
    Returns how many entries were appended."""
    kinds = sorted(official_kinds)
    # Read before taking the lock: no other transaction can see this one's events, let alone
    # give them entries. They come with the head as it is now, and are chained from it: the
    # append statement takes the lock, so it is held for that statement and the commit, while
    # Python and the round trips that made the entries held nothing. If another act moved the
    # head in between, nothing was written and the statement locked the head where that act
    # left it: this act chains again from there, as the history's first append does.
    rows = [] if catch_up else await store.unrecorded(conn, kinds, here_only=True)
    if rows and rows[0]["backfilled"]:
        entries = _entries(rows, rows[0]["head_seq"], rows[0]["head_hash"])
        head = await store.append_after(conn, entries, [row["event_id"] for row in rows], rows[0]["head_seq"])
        if head is None:
            return len(entries)
    else:
        head = await store.lock_head(conn)
    if catch_up or not head["backfilled"]:
        rows = await store.unrecorded(conn, kinds, here_only=False)
    if not rows and head["backfilled"]:
        return 0
    entries = _entries(rows, head["seq"], head["hash"])
    seq, digest = (entries[-1].seq, entries[-1].hash) if entries else (head["seq"], head["hash"])
    await store.append(conn, entries, [row["event_id"] for row in rows], seq, digest)
    return len(entries)
