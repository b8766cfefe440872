"""Open data, SQL only: set-based reads of what the public may see, streamed through a server-side
cursor (no dataset is held in memory whole), and the record of regenerations.

Each read takes the period as two timestamptz bounds ($1 since, $2 until, exclusive; NULL for
none) on the dataset's date column, so a ranged download filters in the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import asyncpg

from civic.opendata.schemas import FileOut, RunOut

# The timestamptz period on a timestamp column, and on a date column as Bangkok days.
_IN = "($1::timestamptz IS NULL OR {c} >= $1) AND ($2::timestamptz IS NULL OR {c} < $2)"
_IN_DAYS = (
    "($1::timestamptz IS NULL OR {c} >= ($1 AT TIME ZONE 'Asia/Bangkok')::date)"
    " AND ($2::timestamptz IS NULL OR {c} < ($2 AT TIME ZONE 'Asia/Bangkok')::date)"
)
# An idea the public reads: neither hidden nor awaiting moderation.
_PUBLIC_IDEA = "i.hidden_at IS NULL AND i.status <> 'pending_moderation'"

BOARDS = f"""
SELECT b.id AS board_id, b.slug, b.title, o.slug AS agency, b.scope, b.categories, b.is_open,
       b.support_threshold, b.response_days, b.created_at
FROM idea_boards b JOIN organisations o ON o.id = b.agency_id
WHERE {_IN.format(c="b.created_at")}
ORDER BY b.id
"""

IDEAS = f"""
SELECT i.id AS idea_id, i.board_id, o.slug AS agency, i.title, i.body, i.category, i.province, i.status,
       i.status_reason, i.duplicate_of, i.support_count, i.comment_count, i.created_at, i.updated_at,
       i.threshold_reached_at, i.answer_due_at, a.body AS answer, ao.slug AS answer_agency,
       a.created_at AS answered_at, a.updated_at AS answer_updated_at
FROM ideas i
JOIN idea_boards b ON b.id = i.board_id
JOIN organisations o ON o.id = b.agency_id
LEFT JOIN idea_answers a ON a.idea_id = i.id
LEFT JOIN organisations ao ON ao.id = a.org_id
WHERE {_PUBLIC_IDEA} AND {_IN.format(c="i.created_at")}
ORDER BY i.id
"""

# One pass over the supports, grouped by idea and Bangkok day; nobody is named.
SUPPORTS_DAILY = f"""
SELECT s.idea_id, (s.created_at AT TIME ZONE 'Asia/Bangkok')::date AS day, count(*) AS supports
FROM idea_supports s JOIN ideas i ON i.id = s.idea_id
WHERE {_PUBLIC_IDEA} AND {_IN.format(c="s.created_at")}
GROUP BY 1, 2
ORDER BY 1, 2
"""

# The published display name is the only thing said of a comment's author.
COMMENTS = f"""
SELECT 'idea' AS subject, c.idea_id AS subject_id, NULL::bigint AS section_id, c.id AS comment_id,
       c.parent_id, u.display_name, c.body, c.created_at
FROM idea_comments c JOIN ideas i ON i.id = c.idea_id JOIN users u ON u.id = c.author_id
WHERE c.hidden_at IS NULL AND c.deleted_at IS NULL AND {_PUBLIC_IDEA} AND {_IN.format(c="c.created_at")}
UNION ALL
SELECT 'consultation', c.consultation_id, c.section_id, c.id, c.parent_id, u.display_name, c.body, c.created_at
FROM consultation_comments c JOIN consultations k ON k.id = c.consultation_id JOIN users u ON u.id = c.user_id
WHERE c.status = 'visible' AND k.status <> 'draft' AND {_IN.format(c="c.created_at")}
ORDER BY 1, 2, 4
"""

CONSULTATIONS = f"""
SELECT c.id AS consultation_id, c.kind, c.title, c.summary, o.slug AS agency, c.province, c.status,
       c.opens_at, c.closes_at, c.opened_at, c.closed_at, c.early_close_reason,
       (SELECT count(*) FROM consultation_responses r WHERE r.consultation_id = c.id) AS responses,
       (SELECT count(*) FROM consultation_comments m
        WHERE m.consultation_id = c.id AND m.status = 'visible') AS comments
FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.status <> 'draft' AND {_IN.format(c="c.opens_at")}
ORDER BY c.id
"""

# The partner holding a task is the one whose claim the agency confirmed last.
TASKS = f"""
SELECT t.id AS task_id, o.slug AS agency, t.title, t.description, t.deliverables, t.province, t.district,
       t.category, t.budget, t.claim_opens, t.claim_closes, t.deadline, t.status,
       (SELECT p.slug FROM handover_claims c JOIN organisations p ON p.id = c.partner_id
        WHERE c.task_id = t.id AND c.status = 'confirmed' ORDER BY c.confirmed_at DESC LIMIT 1) AS partner,
       t.published_at, t.signed_off_at
FROM handover_tasks t JOIN organisations o ON o.id = t.agency_id
WHERE t.status <> 'draft' AND {_IN.format(c="t.published_at")}
ORDER BY t.id
"""

MILESTONES = f"""
SELECT m.id AS milestone_id, m.task_id, m.position, m.title, m.due, m.budget_share, m.status, m.percent,
       m.reviewed_at
FROM handover_milestones m JOIN handover_tasks t ON t.id = m.task_id
WHERE t.status <> 'draft' AND {_IN_DAYS.format(c="m.due")}
ORDER BY m.task_id, m.position
"""

# Undated: a period does not apply (the action asks for none).
AGENCIES = """
SELECT a.slug, a.name_th, a.name_en, a.level, a.province, p.slug AS parent, a.website, a.created_at
FROM organisations a LEFT JOIN organisations p ON p.id = a.parent_id
WHERE a.kind = 'agency'
ORDER BY a.slug
"""

PARTNERS = """
SELECT slug, name_th, name_en, partner_type, province, verification, verified_at, website, created_at
FROM organisations
WHERE kind = 'partner' AND verification IN ('verified', 'pending')
ORDER BY slug
"""

# dataset -> its read, and whether the read takes the period.
READS = {
    "boards": (BOARDS, True),
    "ideas": (IDEAS, True),
    "idea_supports_daily": (SUPPORTS_DAILY, True),
    "comments": (COMMENTS, True),
    "consultations": (CONSULTATIONS, True),
    "tasks": (TASKS, True),
    "milestones": (MILESTONES, True),
    "agencies": (AGENCIES, False),
    "partners": (PARTNERS, False),
}

# Consultations whose questions, results and responses are published through the
# consultations domain's own open-data reads (its export rules: responses once closed).
PUBLIC_CONSULTATIONS = """
SELECT id, status, opens_at FROM consultations WHERE status <> 'draft' ORDER BY id
"""

PREFETCH = 5000


async def stream(
    conn: asyncpg.Connection, dataset: str, since: datetime | None, until: datetime | None
) -> AsyncIterator[asyncpg.Record]:
    """The dataset's rows, in order, through a server-side cursor. Call inside a transaction."""
    sql, dated = READS[dataset]
    args = (since, until) if dated else ()
    async for row in conn.cursor(sql, *args, prefetch=PREFETCH):
        yield row


async def public_consultations(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(PUBLIC_CONSULTATIONS)


# ---------------------------------------------------------------- runs

# One regeneration at a time across workers and the admin button: a session-level advisory lock.
LOCK = "SELECT pg_try_advisory_lock(7_2026, hashtext('opendata.regenerate'))"
UNLOCK = "SELECT pg_advisory_unlock(7_2026, hashtext('opendata.regenerate'))"

INSERT_RUN = """
INSERT INTO opendata_runs (directory, ok, error, actor_id, started_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, ok, error, started_at, finished_at
"""
INSERT_FILE = """
INSERT INTO opendata_files (run_id, dataset, format, bytes, rows, sha256, temporal_start, temporal_end)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
CURRENT = """
SELECT id, ok, error, started_at, finished_at, directory FROM opendata_runs
WHERE ok ORDER BY finished_at DESC, id DESC LIMIT 1
"""
LAST_FAILURE = """
SELECT id, ok, error, started_at, finished_at FROM opendata_runs
WHERE NOT ok ORDER BY finished_at DESC, id DESC LIMIT 1
"""
FILES = """
SELECT dataset, format, bytes, rows, sha256, temporal_start, temporal_end
FROM opendata_files WHERE run_id = $1
"""
# The newest two good runs keep their files: a download that began on the previous run ends well.
KEPT_DIRECTORIES = "SELECT directory FROM opendata_runs WHERE ok ORDER BY finished_at DESC, id DESC LIMIT 2"


async def try_lock(conn: asyncpg.Connection) -> bool:
    return await conn.fetchval(LOCK)


async def unlock(conn: asyncpg.Connection) -> None:
    await conn.execute(UNLOCK)


def _run(row: asyncpg.Record) -> RunOut:
    return RunOut(id=row["id"], ok=row["ok"], error=row["error"], started_at=row["started_at"],
                  finished_at=row["finished_at"])  # fmt: skip


async def record_success(
    conn: asyncpg.Connection, directory: str, actor_id: int | None, started_at: datetime, files: list[FileOut]
) -> RunOut:
    """The run and its files; the caller's transaction makes them current together."""
    run = _run(await conn.fetchrow(INSERT_RUN, directory, True, "", actor_id, started_at))
    await conn.executemany(
        INSERT_FILE,
        [
            (run.id, f.dataset, f.format, f.bytes, f.rows, f.sha256, f.temporal_start, f.temporal_end)
            for f in files
        ],
    )
    return run


async def record_failure(
    conn: asyncpg.Connection, directory: str, actor_id: int | None, started_at: datetime, error: str
) -> RunOut:
    return _run(await conn.fetchrow(INSERT_RUN, directory, False, error, actor_id, started_at))


async def current(conn: asyncpg.Connection) -> tuple[RunOut, str, list[FileOut]] | None:
    """The run being served, its directory and its files; None before the first success."""
    row = await conn.fetchrow(CURRENT)
    if row is None:
        return None
    files = [FileOut(**dict(r)) for r in await conn.fetch(FILES, row["id"])]
    return _run(row), row["directory"], files


async def last_failure(conn: asyncpg.Connection) -> RunOut | None:
    row = await conn.fetchrow(LAST_FAILURE)
    return _run(row) if row else None


async def kept_directories(conn: asyncpg.Connection) -> set[str]:
    return {r["directory"] for r in await conn.fetch(KEPT_DIRECTORIES)}
