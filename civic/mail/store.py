"""Mail: SQL only. The mail row and its pgqueuer job are written together."""

from __future__ import annotations

import asyncpg
from pgqueuer.queries import Queries

# The pgqueuer entrypoint whose jobs carry a mail_messages id.
SEND_ENTRYPOINT = "mail.send"

INSERT_MESSAGE = """
INSERT INTO mail_messages (key, user_id, to_address, lang, template, kind, context)
VALUES ($1, $2, $3, $4, $5, $6, $7)
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


async def insert_message(
    conn: asyncpg.Connection,
    *,
    key: str,
    user_id: int | None,
    to: str,
    lang: str,
    template: str,
    kind: str,
    context: dict,
) -> int | None:
    return await conn.fetchval(INSERT_MESSAGE, key, user_id, to, lang, template, kind, context)


async def enqueue_send(conn: asyncpg.Connection, mail_id: int) -> None:
    """The job that sends mail_id, on the caller's connection so it commits with the row. The
    dedupe key keeps one live job per message."""
    await Queries.from_asyncpg_connection(conn).enqueue(
        SEND_ENTRYPOINT, str(mail_id).encode(), dedupe_key=f"mail:{mail_id}"
    )


async def lock_message(conn: asyncpg.Connection, mail_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(LOCK_MESSAGE, mail_id)


async def mark_sent(conn: asyncpg.Connection, mail_id: int) -> None:
    await conn.execute(MARK_SENT, mail_id)


async def mark_attempt_failed(conn: asyncpg.Connection, mail_id: int, error: str, *, final: bool) -> None:
    await conn.execute(MARK_ATTEMPT_FAILED, mail_id, error[:2000], final)


async def message_by_key(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    return await conn.fetchrow(MESSAGE_STATUS, key)
