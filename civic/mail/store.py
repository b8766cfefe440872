"""Mail: SQL only. The mail row and its pgqueuer job are written together."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from pgqueuer.queries import Queries

from civic.mail.schemas import Outgoing

# The pgqueuer entrypoint whose jobs carry a mail_messages id.
SEND_ENTRYPOINT = "mail.send"

# Many messages in one statement, one array per column; a key queued before (or twice in the
# batch) is skipped. Returns the new rows' ids.
INSERT_MESSAGES = """
INSERT INTO mail_messages (key, user_id, to_address, lang, template, kind, context)
SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
ON CONFLICT (key) DO NOTHING
RETURNING id
"""

# The sender's claim, committed before it talks to the relay: a queued row nobody else holds is
# leased to it for $2 seconds (the whole SMTP conversation's limit, with room). Returns nothing if
# the row is sent, failed, or leased to another sender still within its lease.
CLAIM_MESSAGE = """
UPDATE mail_messages m SET leased_until = now() + make_interval(secs => $2)
WHERE m.id = $1 AND m.status = 'queued' AND (m.leased_until IS NULL OR m.leased_until <= now())
RETURNING m.id, m.key, m.user_id, m.to_address, m.lang, m.template, m.kind, m.context, m.status,
          m.attempts, m.created_at
"""

MESSAGE_STATUS_BY_ID = "SELECT status FROM mail_messages WHERE id = $1"

MARK_SENT = """
UPDATE mail_messages
SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL, leased_until = NULL
WHERE id = $1
"""

# A failed attempt; `final` ends the message as failed (a 5xx, or every retry spent).
MARK_ATTEMPT_FAILED = """
UPDATE mail_messages
SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END,
    leased_until = NULL
WHERE id = $1
"""

MESSAGE_STATUS = """
SELECT id, key, to_address, template, status, attempts, last_error, sent_at
FROM mail_messages WHERE key = $1
"""


async def insert_messages(conn: asyncpg.Connection, messages: Sequence[Outgoing]) -> list[int]:
    rows = await conn.fetch(
        INSERT_MESSAGES,
        [m.key for m in messages],
        [m.user_id for m in messages],
        [m.to for m in messages],
        [m.lang for m in messages],
        [m.template for m in messages],
        [m.kind for m in messages],
        [m.context for m in messages],
    )
    return [r["id"] for r in rows]


async def enqueue_sends(conn: asyncpg.Connection, mail_ids: list[int]) -> None:
    """The jobs that send mail_ids, in one statement (pgqueuer's list form of enqueue) on the
    caller's connection so they commit with the rows. The dedupe key keeps one live job per
    message."""
    await Queries.from_asyncpg_connection(conn).enqueue(
        [SEND_ENTRYPOINT] * len(mail_ids),
        [str(i).encode() for i in mail_ids],
        [0] * len(mail_ids),
        dedupe_key=[f"mail:{i}" for i in mail_ids],
    )


async def claim_message(conn: asyncpg.Connection, mail_id: int, seconds: float) -> asyncpg.Record | None:
    return await conn.fetchrow(CLAIM_MESSAGE, mail_id, seconds)


async def status_of(conn: asyncpg.Connection, mail_id: int) -> str | None:
    return await conn.fetchval(MESSAGE_STATUS_BY_ID, mail_id)


async def mark_sent(conn: asyncpg.Connection, mail_id: int) -> None:
    await conn.execute(MARK_SENT, mail_id)


async def mark_attempt_failed(conn: asyncpg.Connection, mail_id: int, error: str, *, final: bool) -> None:
    await conn.execute(MARK_ATTEMPT_FAILED, mail_id, error[:2000], final)


async def message_by_key(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(MESSAGE_STATUS, key)
