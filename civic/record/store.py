"""SQL for the public record (migration 0130). The record's own tables, and the reads of the
events (and of users and memberships, for the actor's role) that entries are made from."""

from __future__ import annotations

import asyncpg

from civic.record.schemas import Entry, Head, Shown

# The head row is the record's lock: every append holds it until its transaction ends, so
# entries are numbered and chained one transaction at a time and a rolled-back act leaves
# neither an entry nor a gap.
LOCK_HEAD = "SELECT seq, hash, backfilled FROM record_head FOR UPDATE"
HEAD = "SELECT seq, hash FROM record_head"

# An official event as an entry's material: the role the actor acted in, from their membership
# of the agency acted for (or of the answering organisation), else their platform role. Never a
# name: actor_name is always null in new entries (see the package docstring for why).
_EVENTS = """
SELECT e.id AS event_id, e.occurred_at AS at, e.agency_id, e.kind AS act, e.subject_kind, e.subject_id,
       e.visibility, e.payload,
       CASE WHEN e.actor_id IS NULL THEN 'system'
            WHEN m.role IS NOT NULL THEN 'agency_' || m.role
            WHEN u.role IN ('moderator', 'admin') THEN u.role
            ELSE 'citizen' END AS actor_role,
       NULL::text AS actor_name
FROM events e
LEFT JOIN users u ON u.id = e.actor_id
LEFT JOIN LATERAL (
    SELECT m.role FROM memberships m
    WHERE m.user_id = e.actor_id AND m.status = 'active'
      AND m.org_id IN (e.agency_id, (e.payload ->> 'org_id')::bigint)
    ORDER BY m.role = 'admin' DESC LIMIT 1
) m ON true
WHERE e.kind = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM record_entries r WHERE r.event_id = e.id)
"""
# This transaction's official events (the one just recorded, and any a store wrote in SQL), each
# with the head as it is now, read without its lock: one round trip for both.
UNRECORDED_HERE = f"""
SELECT u.*, h.seq AS head_seq, h.hash AS head_hash, h.backfilled
FROM ({_EVENTS}  AND e.xid = pg_current_xact_id()) u CROSS JOIN record_head h
ORDER BY u.event_id
"""
# Every committed official event without an entry: the history before the record existed, once.
UNRECORDED = _EVENTS + "ORDER BY e.id"

# The entries and the head they move to, in one statement: under the head's lock, every round
# trip is time the next official act waits. Rows go in seq order, so the extend-only trigger
# sees each new entry's predecessor.
APPEND = """
WITH appended AS (
    INSERT INTO record_entries
        (seq, at, agency_id, actor_role, actor_name, act, subject_kind, subject_id, payload, prev_hash, hash, event_id)
    SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                         $7::text[], $8::bigint[], $9::jsonb[], $10::text[], $11::text[], $12::bigint[])
    ORDER BY 1
)
UPDATE record_head SET seq = $13, hash = $14, backfilled = true
"""

# The same, if the head is still the one the entries were chained from ($15), read without its
# lock: the UPDATE takes the lock (waiting for an act that holds it, then seeing the head it left)
# and the entries go in only after it moved the head. If another act moved the head first,
# nothing is written, and the head is locked as it is now and returned (FOR UPDATE reads the
# newest version of the row, not the one the statement started with): the act chains again from
# there, under the lock, in the next round trip.
APPEND_AFTER = """
WITH moved AS (
    UPDATE record_head SET seq = $13, hash = $14 WHERE seq = $15 AND backfilled RETURNING seq
), appended AS (
    INSERT INTO record_entries
        (seq, at, agency_id, actor_role, actor_name, act, subject_kind, subject_id, payload, prev_hash, hash, event_id)
    SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::text[], $5::text[], $6::text[],
                         $7::text[], $8::bigint[], $9::jsonb[], $10::text[], $11::text[], $12::bigint[])
    WHERE EXISTS (SELECT FROM moved)
    ORDER BY 1
)
SELECT h.seq, h.hash, h.backfilled FROM record_head h WHERE NOT EXISTS (SELECT FROM moved) FOR UPDATE OF h
"""

_ENTRY = "seq, at, agency_id, actor_role, actor_name, act, subject_kind, subject_id, payload, prev_hash, hash"
BATCH = f"SELECT {_ENTRY} FROM record_entries WHERE seq >= $1 ORDER BY seq LIMIT $2"
HASH_OF = "SELECT hash FROM record_entries WHERE seq = $1"

# The public list, newest first, from `before` down; every filter optional.
LIST = f"""
SELECT {', '.join('r.' + c for c in _ENTRY.split(', '))},
       o.slug AS agency_slug, o.name_th AS agency_th, NULLIF(o.name_en, '') AS agency_en
FROM record_entries r
LEFT JOIN organisations o ON o.id = r.agency_id
WHERE ($1::bigint IS NULL OR r.seq < $1)
  AND ($2::text IS NULL OR o.slug = $2)
  AND ($3::text IS NULL OR r.act = $3)
  AND ($4::date IS NULL OR r.at >= ($4::date::timestamp AT TIME ZONE 'Asia/Bangkok'))
  AND ($5::date IS NULL OR r.at < (($5::date + 1)::timestamp AT TIME ZONE 'Asia/Bangkok'))
  AND ($6::text IS NULL OR (r.subject_kind = $6 AND r.subject_id = $7))
ORDER BY r.seq DESC
LIMIT $8
"""

# Published heads: the head at the end of each Bangkok day, by the time entries were written
# (recorded_at is taken under the head lock, so it rises with seq).
LAST_PUBLISHED_DAY = "SELECT max(day) FROM record_published_heads"
FIRST_RECORDED_DAY = "SELECT (min(recorded_at) AT TIME ZONE 'Asia/Bangkok')::date FROM record_entries"
HEAD_AT_END_OF = """
SELECT seq, hash FROM record_entries
WHERE recorded_at < (($1::date + 1)::timestamp AT TIME ZONE 'Asia/Bangkok')
ORDER BY seq DESC LIMIT 1
"""
TODAY = "SELECT (now() AT TIME ZONE 'Asia/Bangkok')::date"
PUBLISH = "INSERT INTO record_published_heads (day, seq, hash) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING"
PUBLISHED = "SELECT day, seq, hash, published_at FROM record_published_heads ORDER BY day"
PUBLISHED_NEWEST = "SELECT day, seq, hash, published_at FROM record_published_heads ORDER BY day DESC LIMIT $1"

SAVE_CHECK = """
INSERT INTO record_checks (ok, checked, from_seq, head_seq, first_bad, problem, detail)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""
LAST_CHECK = """
SELECT ok, checked, from_seq, head_seq, first_bad, problem, detail, checked_at
FROM record_checks ORDER BY id DESC LIMIT 1
"""


def _entry(row: asyncpg.Record) -> Entry:
    return Entry(**{k: row[k] for k in Entry.__struct_fields__})


async def lock_head(conn: asyncpg.Connection) -> asyncpg.Record:
    return await conn.fetchrow(LOCK_HEAD)


async def head(conn: asyncpg.Connection) -> tuple[int, str]:
    row = await conn.fetchrow(HEAD)
    return row["seq"], row["hash"]


async def unrecorded(conn: asyncpg.Connection, kinds: list[str], *, here_only: bool) -> list[asyncpg.Record]:
    return await conn.fetch(UNRECORDED_HERE if here_only else UNRECORDED, kinds)


def _columns(entries: list[Entry]) -> list[list]:
    return [[getattr(e, f) for e in entries] for f in _ENTRY.split(", ")]


async def append(
    conn: asyncpg.Connection, entries: list[Entry], event_ids: list[int | None], seq: int, digest: str
) -> None:
    """Write the entries (in seq order) and move the head to (seq, digest). Hold the head's lock."""
    await conn.execute(APPEND, *_columns(entries), event_ids, seq, digest)


async def append_after(
    conn: asyncpg.Connection, entries: list[Entry], event_ids: list[int], from_seq: int
) -> asyncpg.Record | None:
    """Write the entries (chained from the head at from_seq, in seq order) and move the head past
    them, if it is still at from_seq: None. Else nothing is written, and the head as it is now
    comes back locked. Either way the head's lock is held from here."""
    last = entries[-1]
    return await conn.fetchrow(APPEND_AFTER, *_columns(entries), event_ids, last.seq, last.hash, from_seq)


async def batch(conn: asyncpg.Connection, from_seq: int, limit: int) -> list[Entry]:
    return [_entry(r) for r in await conn.fetch(BATCH, from_seq, limit)]


async def hash_of(conn: asyncpg.Connection, seq: int) -> str | None:
    return await conn.fetchval(HASH_OF, seq)


async def list_entries(conn: asyncpg.Connection, f, limit: int) -> list[Shown]:
    rows = await conn.fetch(
        LIST, f.before, f.agency, f.act, f.since, f.until, f.subject_kind, f.subject_id, limit
    )
    return [
        Shown(entry=_entry(r), agency_slug=r["agency_slug"], agency_th=r["agency_th"], agency_en=r["agency_en"])
        for r in rows
    ]


async def last_published_day(conn: asyncpg.Connection):
    return await conn.fetchval(LAST_PUBLISHED_DAY)


async def first_recorded_day(conn: asyncpg.Connection):
    return await conn.fetchval(FIRST_RECORDED_DAY)


async def today(conn: asyncpg.Connection):
    return await conn.fetchval(TODAY)


async def head_at_end_of(conn: asyncpg.Connection, day) -> asyncpg.Record | None:
    return await conn.fetchrow(HEAD_AT_END_OF, day)


async def publish(conn: asyncpg.Connection, day, seq: int, digest: str) -> None:
    await conn.execute(PUBLISH, day, seq, digest)


async def published(conn: asyncpg.Connection, newest: int | None = None) -> list[Head]:
    rows = await (conn.fetch(PUBLISHED) if newest is None else conn.fetch(PUBLISHED_NEWEST, newest))
    return [Head(**dict(r)) for r in rows]


async def save_check(conn: asyncpg.Connection, c) -> None:
    await conn.execute(SAVE_CHECK, c.ok, c.checked, c.from_seq, c.head_seq, c.first_bad, c.problem, c.detail)


async def last_check(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow(LAST_CHECK)
