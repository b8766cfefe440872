"""Mail actions: queue a message in the caller's transaction; drain the send queue at once."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from civic.mail import rules, sender, store
from civic.mail.render import has_template
from civic.mail.schemas import Outgoing
from civic.settings import Settings

__all__ = ["Outgoing", "queue", "queue_many", "send_due"]


async def queue(conn: asyncpg.Connection, out: Outgoing) -> bool:
    """Queue `out` to be sent by the mail worker. Call it inside the transaction of the change
    that causes the message: the row and its send job commit, or roll back, with that change.
    False when `out.key` was queued before (then nothing is written).

    A bad template name or address is the caller's bug, refused here rather than in the worker."""
    return await queue_many(conn, [out]) == 1


async def queue_many(conn: asyncpg.Connection, outs: Sequence[Outgoing]) -> int:
    """Queue many messages as `queue` does one, in two statements whatever their number (the
    rows, then their send jobs): a notice mailed at once to 100k people is not 100k round trips.
    Returns how many were new; a key queued before, or twice in `outs`, is queued once. One bad
    message refuses them all, before anything is written."""
    for template in {out.template for out in outs}:
        if not has_template(template):
            raise ValueError(f"no mail template templates/mail/{template}.html and .txt")
    for out in outs:
        if not rules.valid_address(out.to):
            raise ValueError(f"not a mail address: {out.to!r}")
        if not out.key:
            raise ValueError("a mail needs an idempotency key")
    if not outs:
        return 0
    # A savepoint inside the caller's transaction (or a transaction of its own without one), so
    # a job is never left without its row.
    async with conn.transaction():
        mail_ids = await store.insert_messages(conn, outs)
        if mail_ids:
            await store.enqueue_sends(conn, mail_ids)
    return len(mail_ids)


async def send_due(pool: asyncpg.Pool, settings: Settings, policy: sender.Policy = sender.POLICY) -> None:
    """Send everything queued now, retrying as `policy` says, and return once the queue is empty
    (for tests and the demo; the background sender does the same continuously)."""
    await sender.drain(pool, settings, policy)
