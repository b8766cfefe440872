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

# The sender's lock: while one worker holds it, another picking the same id (a re-picked job
# whose first runner still lives) waits, then sees 'sent' and does nothing.
LOCK_MESSAGE = """
SELECT m.id, m.key, m.user_id, m.to_address, m.lang, m.template, m.kind, m.context, m.status,
       m.attempts, m.created_at
FROM mail_messages m
WHERE m.id = $1
FOR UPDATE
"""

MARK_SENT = """
UPDATE mail_messages SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
WHERE id = $1
"""

# A failed attempt; `final` ends the message as failed (a 5xx, or every retry spent).
MARK_ATTEMPT_FAILED = """
UPDATE mail_messages
SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END
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


async def lock_message(conn: asyncpg.Connection, mail_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(LOCK_MESSAGE, mail_id)


async def mark_sent(conn: asyncpg.Connection, mail_id: int) -> None:
    await conn.execute(MARK_SENT, mail_id)


async def mark_attempt_failed(conn: asyncpg.Connection, mail_id: int, error: str, *, final: bool) -> None:
    await conn.execute(MARK_ATTEMPT_FAILED, mail_id, error[:2000], final)


async def message_by_key(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(MESSAGE_STATUS, key)
