"""SQL only: the refresh of the summary tables (set-based, one statement per table), the reads
of them, and the live lists a few rows long (overdue outcomes, a staff member's queue)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from civic.dashboard.schemas import AgencyFigures, OverdueOutcome, ProvinceFigures, QueueItem, Week

# $1 is now; weeks start on Monday, Bangkok time; the last WEEKS weeks, the current one included.
REFRESH_WEEKS = """
WITH weeks AS (
    SELECT generate_series(
        date_trunc('week', $1::timestamptz AT TIME ZONE 'Asia/Bangkok') - make_interval(weeks => $2 - 1),
        date_trunc('week', $1::timestamptz AT TIME ZONE 'Asia/Bangkok'), interval '1 week')::date AS week
), since AS (SELECT (min(week)::timestamp AT TIME ZONE 'Asia/Bangkok') AS at FROM weeks),
ideas AS (
    SELECT date_trunc('week', created_at AT TIME ZONE 'Asia/Bangkok')::date AS week, count(*) AS n
    FROM ideas, since WHERE created_at >= since.at AND hidden_at IS NULL AND status <> 'pending_moderation'
    GROUP BY 1
), supports AS (
    SELECT date_trunc('week', s.created_at AT TIME ZONE 'Asia/Bangkok')::date AS week, count(*) AS n
    FROM idea_supports s, since WHERE s.created_at >= since.at GROUP BY 1
), responses AS (
    SELECT date_trunc('week', created_at AT TIME ZONE 'Asia/Bangkok')::date AS week, count(*) AS n
    FROM consultation_responses, since WHERE created_at >= since.at GROUP BY 1
), claims AS (
    SELECT date_trunc('week', created_at AT TIME ZONE 'Asia/Bangkok')::date AS week, count(*) AS n
    FROM handover_claims, since WHERE created_at >= since.at GROUP BY 1
)
INSERT INTO dashboard_weeks (week, ideas, supports, responses, claims)
SELECT w.week, COALESCE(i.n, 0), COALESCE(s.n, 0), COALESCE(r.n, 0), COALESCE(c.n, 0)
FROM weeks w LEFT JOIN ideas i USING (week) LEFT JOIN supports s USING (week)
LEFT JOIN responses r USING (week) LEFT JOIN claims c USING (week)
"""
# $1: the 77 province codes, so a province with nothing yet still has its (zero) row.
REFRESH_PROVINCES = """
WITH ideas AS (
    SELECT province, count(*) AS n, sum(support_count) AS supports FROM ideas
    WHERE hidden_at IS NULL AND status <> 'pending_moderation' AND province IS NOT NULL GROUP BY province
), responses AS (
    SELECT province, count(*) AS n FROM consultation_responses WHERE province IS NOT NULL GROUP BY province
)
INSERT INTO dashboard_provinces (province, ideas, supports, responses)
SELECT p.code, COALESCE(i.n, 0), COALESCE(i.supports, 0), COALESCE(r.n, 0)
FROM unnest($1::text[]) AS p(code)
LEFT JOIN ideas i ON i.province = p.code LEFT JOIN responses r ON r.province = p.code
"""
# $1 now, $2 and $3 the outcome days (general, section 77). A deadline date passes at the end of
# that day, Bangkok time, as in the handovers' own overdue list.
REFRESH_AGENCIES = """
WITH answers AS (
    SELECT b.agency_id,
           count(*) AS due,
           count(*) FILTER (WHERE a.idea_id IS NOT NULL OR i.answer_due_at <= $1) AS settled,
           count(*) FILTER (WHERE a.created_at <= i.answer_due_at) AS on_time,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM a.created_at - i.threshold_reached_at) / 86400) AS median_days,
           count(*) FILTER (WHERE a.idea_id IS NULL AND i.answer_due_at < $1) AS overdue
    FROM ideas i JOIN idea_boards b ON b.id = i.board_id LEFT JOIN idea_answers a ON a.idea_id = i.id
    WHERE i.answer_due_at IS NOT NULL AND i.hidden_at IS NULL
    GROUP BY b.agency_id
), held AS (
    SELECT c.owner_org_id AS agency_id,
           outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $2, $3) AS due,
           (SELECT min(o.published_at) FROM consultation_outcomes o WHERE o.consultation_id = c.id) AS published
    FROM consultations c WHERE c.status IN ('closed', 'outcome_published')
), outcomes AS (
    SELECT agency_id, count(*) AS held,
           count(*) FILTER (WHERE published IS NOT NULL OR due <= $1) AS settled,
           count(*) FILTER (WHERE published <= due) AS on_time,
           count(*) FILTER (WHERE published IS NULL AND due < $1) AS overdue
    FROM held GROUP BY agency_id
), tasks AS (
    SELECT agency_id,
           count(*) FILTER (WHERE status <> 'draft') AS delegated,
           count(*) FILTER (WHERE status = 'completed') AS completed,
           count(*) FILTER (WHERE status IN ('claimed', 'in_progress')
                              AND ((deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') <= $1) AS overdue
    FROM handover_tasks GROUP BY agency_id
), kept AS (
    SELECT p.idea_id, p.consultation_id, p.theme_index,
           p.implemented_at < ((max(m.due_on) + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') AS kept
    FROM implementation_plans p JOIN implementation_milestones m ON m.plan_id = p.id GROUP BY p.id
), promised AS (
    SELECT b.agency_id, k.kept
    FROM ideas i JOIN idea_boards b ON b.id = i.board_id LEFT JOIN kept k ON k.idea_id = i.id
    WHERE i.hidden_at IS NULL AND (i.status IN ('accepted', 'in_progress', 'implemented') OR k.idea_id IS NOT NULL)
    UNION ALL
    SELECT c.owner_org_id, k.kept
    FROM consultations c
    CROSS JOIN LATERAL (SELECT themes FROM consultation_outcomes o WHERE o.consultation_id = c.id
                        ORDER BY o.version DESC LIMIT 1) o
    CROSS JOIN LATERAL jsonb_array_elements(o.themes) WITH ORDINALITY AS t (theme, n)
    LEFT JOIN kept k ON k.consultation_id = c.id AND k.theme_index = t.n - 1
    WHERE t.theme->>'disposition' = 'adopted'
), promises AS (
    SELECT agency_id, count(*) AS promises, count(*) FILTER (WHERE kept) AS kept FROM promised GROUP BY agency_id
)
INSERT INTO dashboard_agencies (
    agency_id, answers_due, answers_settled, answered_on_time, median_days, overdue_now,
    consultations_held, outcomes_settled, outcomes_on_time, outcomes_overdue,
    tasks_delegated, tasks_completed, tasks_overdue, promises, promises_kept)
SELECT o.id, COALESCE(a.due, 0), COALESCE(a.settled, 0), COALESCE(a.on_time, 0), round(a.median_days::numeric, 1),
       COALESCE(a.overdue, 0), COALESCE(c.held, 0), COALESCE(c.settled, 0), COALESCE(c.on_time, 0),
       COALESCE(c.overdue, 0), COALESCE(t.delegated, 0), COALESCE(t.completed, 0), COALESCE(t.overdue, 0),
       COALESCE(p.promises, 0), COALESCE(p.kept, 0)
FROM organisations o
LEFT JOIN answers a ON a.agency_id = o.id LEFT JOIN outcomes c ON c.agency_id = o.id
LEFT JOIN tasks t ON t.agency_id = o.id LEFT JOIN promises p ON p.agency_id = o.id
WHERE o.kind = 'agency'
"""
# Readers see the previous figures until the refresh commits (one transaction, no empty moment).
CLEAR = "TRUNCATE dashboard_weeks, dashboard_provinces, dashboard_agencies"
STAMP = """
INSERT INTO dashboard_refreshes (only_row, refreshed_at) VALUES (true, $1)
ON CONFLICT (only_row) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at
"""

WEEKS = "SELECT week, ideas, supports, responses, claims FROM dashboard_weeks ORDER BY week"
PROVINCES = "SELECT province, ideas, supports, responses FROM dashboard_provinces"
REFRESHED_AT = "SELECT refreshed_at FROM dashboard_refreshes"
AGENCIES = """
SELECT o.id AS agency_id, o.slug, o.name_th, o.name_en, o.level, o.province,
       d.answers_due, d.answers_settled, d.answered_on_time, d.median_days::float8 AS median_days, d.overdue_now,
       d.consultations_held, d.outcomes_settled, d.outcomes_on_time, d.outcomes_overdue,
       d.tasks_delegated, d.tasks_completed, d.tasks_overdue, d.promises, d.promises_kept
FROM dashboard_agencies d JOIN organisations o ON o.id = d.agency_id
WHERE ($1::text IS NULL OR o.level = $1) AND ($2::text IS NULL OR o.province = $2)
  AND ($3::text IS NULL OR o.slug = $3)
"""

# Live, a few rows: closed consultations whose outcome is past due ($1 now, $2/$3 the days).
OVERDUE_OUTCOMES = """
SELECT c.id AS consultation_id, c.title, c.kind, o.slug AS agency_slug, o.name_th AS agency_name,
       outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $2, $3) AS due_at,
       floor(EXTRACT(EPOCH FROM $1 - outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $2, $3))
             / 86400)::int AS days_late
FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.status = 'closed' AND outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $2, $3) < $1
ORDER BY due_at, c.id
LIMIT 1000
"""
# A staff member's queue over their agencies ($1): answers still to give, completion requests
# and claims waiting for the agency, and outcomes still to publish, each soonest due first. The
# answers awaited are read from their partial index in the order of their clocks (migration
# 0202), no more than the list shows: an agency can await thousands.
QUEUE_SHOWN = 100  # a working list, not an archive: its counts are whole (QUEUE_COUNTS)
QUEUE = f"""
(SELECT 'answer' AS kind, i.id AS subject_id, i.title, i.answer_due_at AS due_at, o.slug AS agency_slug
 FROM ideas i JOIN idea_boards b ON b.id = i.board_id JOIN organisations o ON o.id = b.agency_id
 WHERE b.agency_id = ANY ($1::bigint[]) AND i.answered_at IS NULL AND i.hidden_at IS NULL
   AND i.answer_due_at IS NOT NULL
 ORDER BY i.answer_due_at, i.id LIMIT {QUEUE_SHOWN})
UNION ALL
SELECT 'review', t.id, t.title, t.completion_requested_at + make_interval(days => t.review_days), o.slug
FROM handover_tasks t JOIN organisations o ON o.id = t.agency_id
WHERE t.agency_id = ANY ($1::bigint[]) AND t.status = 'completion_requested'
UNION ALL
SELECT 'claim', t.id, t.title, c.created_at + make_interval(days => t.confirm_days), o.slug
FROM handover_claims c JOIN handover_tasks t ON t.id = c.task_id JOIN organisations o ON o.id = t.agency_id
WHERE t.agency_id = ANY ($1::bigint[]) AND c.status = 'active'
UNION ALL
SELECT 'outcome', c.id, c.title, outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $2, $3), o.slug
FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.owner_org_id = ANY ($1::bigint[]) AND c.status = 'closed'
ORDER BY due_at NULLS LAST, kind, subject_id
LIMIT {QUEUE_SHOWN}
"""
# How many of each kind wait, all of them, not only those the list shows: the answers counted
# from their partial index alone (migration 0202).
QUEUE_COUNTS = """
SELECT (SELECT count(*) FROM ideas i JOIN idea_boards b ON b.id = i.board_id
        WHERE b.agency_id = ANY ($1::bigint[]) AND i.answered_at IS NULL AND i.hidden_at IS NULL
          AND i.answer_due_at IS NOT NULL) AS answer,
       (SELECT count(*) FROM handover_tasks WHERE agency_id = ANY ($1::bigint[]) AND status = 'completion_requested')
         AS review,
       (SELECT count(*) FROM handover_claims c JOIN handover_tasks t ON t.id = c.task_id
        WHERE t.agency_id = ANY ($1::bigint[]) AND c.status = 'active') AS claim,
       (SELECT count(*) FROM consultations WHERE owner_org_id = ANY ($1::bigint[]) AND status = 'closed') AS outcome
"""


async def refresh(
    conn: asyncpg.Connection, now: datetime, weeks: int, codes: list[str], days: tuple[int, int]
) -> None:
    await conn.execute(CLEAR)
    await conn.execute(REFRESH_WEEKS, now, weeks)
    await conn.execute(REFRESH_PROVINCES, codes)
    await conn.execute(REFRESH_AGENCIES, now, *days)
    await conn.execute(STAMP, now)


async def weeks(conn: asyncpg.Connection) -> list[Week]:
    return [Week(**dict(r)) for r in await conn.fetch(WEEKS)]


async def provinces(conn: asyncpg.Connection) -> list[ProvinceFigures]:
    return [ProvinceFigures(**dict(r)) for r in await conn.fetch(PROVINCES)]


async def refreshed_at(conn: asyncpg.Connection) -> datetime | None:
    return await conn.fetchval(REFRESHED_AT)


async def agencies(
    conn: asyncpg.Connection, level: str | None, province: str | None, slug: str | None = None
) -> list[AgencyFigures]:
    return [AgencyFigures(**dict(r)) for r in await conn.fetch(AGENCIES, level, province, slug)]


async def overdue_outcomes(
    conn: asyncpg.Connection, now: datetime, days: tuple[int, int]
) -> list[OverdueOutcome]:
    return [OverdueOutcome(**dict(r)) for r in await conn.fetch(OVERDUE_OUTCOMES, now, *days)]


async def queue(conn: asyncpg.Connection, agency_ids: list[int], days: tuple[int, int]) -> list[QueueItem]:
    return [QueueItem(**dict(r)) for r in await conn.fetch(QUEUE, agency_ids, *days)]


async def queue_counts(conn: asyncpg.Connection, agency_ids: list[int]) -> dict[str, int]:
    return dict(await conn.fetchrow(QUEUE_COUNTS, agency_ids))
