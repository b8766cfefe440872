"""Mail actions: queue a message in the caller's transaction; drain the send queue at once."""

from __future__ import annotations

import asyncpg

from civic.mail import rules, sender, store
from civic.mail.render import has_template
from civic.mail.schemas import Outgoing
from civic.settings import Settings

__all__ = ["Outgoing", "queue", "send_due"]


async def queue(conn: asyncpg.Connection, out: Outgoing) -> bool:
    """Queue `out` to be sent by the mail worker. Call it inside the transaction of the change
    that causes the message: the row and its send job commit, or roll back, with that change.
    False when `out.key` was queued before (then nothing is written).

    A bad template name or address is the caller's bug, refused here rather than in the worker."""
    if not has_template(out.template):
        raise ValueError(f"no mail template templates/mail/{out.template}.html and .txt")
    if not rules.valid_address(out.to):
        raise ValueError(f"not a mail address: {out.to!r}")
    if not out.key:
        raise ValueError("a mail needs an idempotency key")
    # A savepoint inside the caller's transaction (or a transaction of its own without one), so
    # a job is never left without its row.
    async with conn.transaction():
        mail_id = await store.insert_message(
            conn,
            key=out.key,
            user_id=out.user_id,
            to=out.to,
            lang=out.lang,
            template=out.template,
            kind=out.kind,
            context=out.context,
        )
        if mail_id is None:
            return False
        await store.enqueue_send(conn, mail_id)
    return True


async def send_due(pool: asyncpg.Pool, settings: Settings, policy: sender.Policy = sender.POLICY) -> None:
    """Send everything queued now, retrying as `policy` says, and return once the queue is empty
    (for tests and the demo; the background sender does the same continuously)."""
    await sender.drain(pool, settings, policy)
