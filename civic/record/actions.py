"""The record's verbs: verify the chain, and the hourly job that catches up, verifies and
publishes each finished day's head. Entries themselves are appended by civic.record.chain, from
civic.events.record, in the transaction of each act."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from civic import events
from civic.record import chain, rules, store
from civic.record.schemas import Check

BATCH = 2000  # entries read per query while walking the chain


async def verify(conn: asyncpg.Connection, from_seq: int = 1) -> Check:
    """Recompute the chain from entry `from_seq` (trusting the stored hash of the one before it)
    to the head, against the published heads, and name the first entry that fails. Run it in one
    snapshot: the job holds the head lock, the CLI reads in a repeatable-read transaction."""
    from_seq = max(from_seq, 1)
    head_seq, head_hash = await store.head(conn)
    prev = rules.GENESIS if from_seq == 1 else await store.hash_of(conn, from_seq - 1)
    published = {h.seq: (h.hash, h.day.isoformat()) for h in await store.published(conn)}
    walk = rules.Walk(from_seq, prev or rules.GENESIS, published)
    if prev is None:
        walk.finding = rules.Finding(from_seq - 1, "no_start", {"seq": from_seq - 1})
    seq = from_seq
    while walk.finding is None and (batch := await store.batch(conn, seq, BATCH)):
        if all(walk.feed(entry) for entry in batch):
            seq = batch[-1].seq + 1
    finding = walk.finish(head_seq, head_hash)
    if finding is None and (late := await store.unrecorded(conn, sorted(events.OFFICIAL_KINDS), here_only=False)):
        finding = rules.Finding(None, "unrecorded", {"event": late[0]["event_id"]})
    return Check(
        ok=finding is None,
        checked=walk.checked,
        from_seq=from_seq,
        head_seq=head_seq,
        first_bad=finding.seq if finding else None,
        problem=finding.problem if finding else None,
        detail=rules.message(finding) if finding else "",
    )


async def verify_and_publish(conn: asyncpg.Connection) -> int:
    """The hourly job: append any official event still without an entry (history, the first
    time), verify the whole chain and keep the result (/api/v1/health shows it), then publish the
    head of each finished Bangkok day not yet published. A broken chain publishes nothing: a head
    over rewritten history would vouch for it. Returns the entries checked."""
    await chain.append(conn, events.OFFICIAL_KINDS, catch_up=True)  # holds the head lock from here
    check = await verify(conn)
    await store.save_check(conn, check)
    if check.ok:
        await _publish_days(conn)
    return check.checked


async def _publish_days(conn: asyncpg.Connection) -> None:
    last = await store.last_published_day(conn)
    day = last + timedelta(days=1) if last else await store.first_recorded_day(conn)
    today = await store.today(conn)
    while day is not None and day < today:
        head = await store.head_at_end_of(conn, day)
        await store.publish(conn, day, head["seq"], head["hash"])
        day += timedelta(days=1)
