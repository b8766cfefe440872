"""SQL for the feeds: the newest public events of one scope, whose subject is still public now.

An event row's visibility says whether the event was public when it happened; an idea hidden or a
task taken back to draft since then must disappear from every feed too, so each read joins the
subject and asks again (the same rules as the subject's own page: ideas.rules.can_view_idea,
consultations.rules.can_view, handovers.rules.can_view, orgs.rules.can_view for someone signed out).
Each scope walks one partial index of public events backwards (migration 0100) and stops at $2 rows.
"""

from __future__ import annotations

import asyncpg

from civic.feeds.schemas import Entry

_SELECT = """
SELECT e.id AS event_id, e.occurred_at, e.kind, e.subject_kind, e.subject_id, e.payload,
       COALESCE(i.title, b.title, c.title, t.title, o.name_th) AS subject_title,
       CASE e.subject_kind WHEN 'board' THEN b.slug WHEN 'organisation' THEN o.slug END AS slug,
       ag.name_th AS agency_th, NULLIF(ag.name_en, '') AS agency_en
FROM events e
LEFT JOIN ideas i ON e.subject_kind = 'idea' AND i.id = e.subject_id
LEFT JOIN idea_boards b
       ON b.id = CASE e.subject_kind WHEN 'board' THEN e.subject_id WHEN 'idea' THEN i.board_id END
LEFT JOIN consultations c ON e.subject_kind = 'consultation' AND c.id = e.subject_id
LEFT JOIN handover_tasks t ON e.subject_kind = 'handover' AND t.id = e.subject_id
LEFT JOIN organisations o ON e.subject_kind = 'organisation' AND o.id = e.subject_id
LEFT JOIN organisations ag ON ag.id = e.agency_id
WHERE e.visibility = 'public' AND e.kind = ANY($1::text[])
  AND CASE e.subject_kind
        WHEN 'idea' THEN i.hidden_at IS NULL AND i.status <> 'pending_moderation'
        WHEN 'board' THEN b.id IS NOT NULL
        WHEN 'consultation' THEN c.status <> 'draft'
        WHEN 'handover' THEN t.status <> 'draft'
        WHEN 'organisation' THEN o.kind = 'agency' OR o.verification <> 'rejected'
        ELSE false
      END
"""
_NEWEST = "\nORDER BY e.id DESC\nLIMIT $2"

SITE = _SELECT + _NEWEST
# A board's events are its own and its ideas'; all carry the board's agency, whose index is walked.
BOARD = _SELECT + "  AND e.agency_id = $3 AND b.id = $4" + _NEWEST
AGENCY = _SELECT + "  AND e.agency_id = $3" + _NEWEST
PROVINCE = _SELECT + "  AND e.province = $3" + _NEWEST
SUBJECTS_OF_KIND = _SELECT + "  AND e.subject_kind = $3" + _NEWEST
SUBJECT = _SELECT + "  AND e.subject_kind = $3 AND e.subject_id = $4" + _NEWEST
# A saved search: the newest public event of each item found ($3 kinds, $4 ids, side by side).
NEWEST_OF_EACH = f"""
SELECT * FROM (
    SELECT DISTINCT ON (e.subject_kind, e.subject_id) * FROM ({_SELECT}
      AND (e.subject_kind, e.subject_id) IN (SELECT * FROM unnest($3::text[], $4::bigint[]))
    ) e
    ORDER BY e.subject_kind, e.subject_id, e.event_id DESC
) newest
ORDER BY event_id DESC
LIMIT $2
"""


async def _entries(conn: asyncpg.Connection, sql: str, *args) -> list[Entry]:
    return [Entry(**dict(r)) for r in await conn.fetch(sql, *args)]


async def site(conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int) -> list[Entry]:
    return await _entries(conn, SITE, list(kinds), limit)


async def board(
    conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, agency_id: int, board_id: int
) -> list[Entry]:
    return await _entries(conn, BOARD, list(kinds), limit, agency_id, board_id)


async def agency(conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, agency_id: int) -> list[Entry]:
    return await _entries(conn, AGENCY, list(kinds), limit, agency_id)


async def province(conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, code: str) -> list[Entry]:
    return await _entries(conn, PROVINCE, list(kinds), limit, code)


async def subjects_of_kind(
    conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, subject_kind: str
) -> list[Entry]:
    return await _entries(conn, SUBJECTS_OF_KIND, list(kinds), limit, subject_kind)


async def subject(
    conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, subject_kind: str, subject_id: int
) -> list[Entry]:
    return await _entries(conn, SUBJECT, list(kinds), limit, subject_kind, subject_id)


async def newest_of_each(
    conn: asyncpg.Connection, kinds: tuple[str, ...], limit: int, items: list[tuple[str, int]]
) -> list[Entry]:
    return await _entries(
        conn, NEWEST_OF_EACH, list(kinds), limit, [k for k, _ in items], [i for _, i in items]
    )
