"""Notifications: SQL only.

The fan-out is one INSERT ... SELECT per event and audience: the audience is a SELECT of user ids
joined from the event row ($1 is the event id), so an event with 100k followers is one statement
and no row travels through Python. The tables read here belong to other domains (follows,
memberships, ideas, consultations, handovers); they are joined, never written.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from civic.notifications.rules import Audience
from civic.notifications.schemas import DigestItem, Recipient

# Each audience: "SELECT user_id ..." reading the event row e (WHERE e.id = $1).
AUDIENCES: dict[Audience, str] = {
    # FOLLOWS names a handover a "task" (civic/follows/__init__.py); the rest by their subject kind.
    Audience.FOLLOWERS: """
        SELECT f.user_id FROM events e
        JOIN follows f ON f.target_kind = CASE e.subject_kind WHEN 'handover' THEN 'task' ELSE e.subject_kind END
                      AND f.target_id = e.subject_id::text
        WHERE e.id = $1""",
    Audience.PLACE_FOLLOWERS: """
        SELECT f.user_id FROM events e
        JOIN follows f ON (f.target_kind = 'agency' AND f.target_id = e.agency_id::text)
                       OR (f.target_kind = 'province' AND f.target_id = e.province)
        WHERE e.id = $1""",
    Audience.AUTHOR: """
        SELECT CASE e.subject_kind
            WHEN 'idea' THEN (SELECT author_id FROM ideas WHERE id = e.subject_id)
            WHEN 'comment' THEN (SELECT author_id FROM idea_comments WHERE id = e.subject_id)
            WHEN 'consultation_comment' THEN (SELECT user_id FROM consultation_comments WHERE id = e.subject_id)
        END AS user_id
        FROM events e WHERE e.id = $1""",
    Audience.PARENT_AUTHOR: """
        SELECT CASE e.kind
            WHEN 'idea.commented' THEN
                (SELECT author_id FROM idea_comments WHERE id = (e.payload->>'parent_id')::bigint)
            WHEN 'section.commented' THEN
                (SELECT user_id FROM consultation_comments WHERE id = (e.payload->>'parent_id')::bigint)
        END AS user_id
        FROM events e WHERE e.id = $1""",
    Audience.RESPONDENTS: """
        SELECT r.user_id FROM events e JOIN consultation_responses r ON r.consultation_id = e.subject_id
        WHERE e.id = $1 AND e.subject_kind = 'consultation'
        UNION
        SELECT c.user_id FROM events e JOIN consultation_comments c ON c.consultation_id = e.subject_id
        WHERE e.id = $1 AND e.subject_kind = 'consultation'""",
    # The event's agency, and the agencies co-owning its board or consultation.
    Audience.AGENCY_STAFF: """
        SELECT m.user_id FROM events e
        JOIN memberships m ON m.status = 'active' AND (
            m.org_id = e.agency_id
            OR (e.subject_kind = 'idea' AND m.org_id IN (
                SELECT bc.org_id FROM ideas i JOIN idea_board_coowners bc ON bc.board_id = i.board_id
                WHERE i.id = e.subject_id AND bc.status = 'accepted'))
            OR (e.subject_kind = 'consultation' AND m.org_id IN (
                SELECT cc.org_id FROM consultation_coowners cc
                WHERE cc.consultation_id = e.subject_id AND cc.status = 'accepted')))
        WHERE e.id = $1""",
    Audience.CLAIM_PARTNER: """
        SELECT m.user_id FROM events e
        JOIN memberships m ON m.status = 'active' AND m.org_id = (e.payload->>'partner_id')::bigint
        WHERE e.id = $1""",
    Audience.HOLDER_PARTNER: """
        SELECT m.user_id FROM events e
        JOIN handover_claims c ON c.task_id = e.subject_id AND c.status = 'confirmed'
        JOIN memberships m ON m.status = 'active' AND m.org_id = c.partner_id
        WHERE e.id = $1 AND e.subject_kind = 'handover'""",
    # The task's partner types (none: any type), the partner's skills (the task categories it
    # takes on; none listed: every category) and province (a partner without one works
    # nationwide); verified partners, or also pending ones when the task does not ask for verified.
    Audience.MATCHING_PARTNERS: """
        SELECT m.user_id FROM events e
        JOIN handover_tasks t ON t.id = e.subject_id
        JOIN organisations o ON o.kind = 'partner'
             AND (o.verification = 'verified' OR (NOT t.verified_only AND o.verification = 'pending'))
             AND (cardinality(t.partner_types) = 0 OR o.partner_type = ANY (t.partner_types))
             AND (cardinality(o.skills) = 0 OR t.category = ANY (o.skills))
             AND (o.province IS NULL OR o.province = t.province)
        JOIN memberships m ON m.status = 'active' AND m.org_id = o.id
        WHERE e.id = $1 AND e.subject_kind = 'handover'""",
    Audience.MODERATORS: """
        SELECT u.id AS user_id FROM events e JOIN users u ON u.role IN ('moderator', 'admin') AND u.status = 'active'
        WHERE e.id = $1""",
}

# $1 event, $2 notice, $3 the notice's default email channel. The actor is left out (nobody is
# told about their own act); the unique (event_id, user_id) makes a re-run add nothing and keeps
# the first audience's notice for a person in two.
_FAN_OUT = """
INSERT INTO notifications (user_id, event_id, notice, email)
SELECT r.user_id, $1, $2, COALESCE(p.email, $3)
FROM ({audience}) r
LEFT JOIN notification_preferences p ON p.user_id = r.user_id AND p.notice = $2
WHERE r.user_id IS NOT NULL AND r.user_id IS DISTINCT FROM (SELECT actor_id FROM events WHERE id = $1)
ON CONFLICT (event_id, user_id) DO NOTHING
"""
FAN_OUT: dict[Audience, str] = {a: _FAN_OUT.format(audience=sql) for a, sql in AUDIENCES.items()}

# Whom to mail at once for this event: rows written with the immediate channel.
IMMEDIATE = """
SELECT n.user_id, u.email, u.lang, n.notice
FROM notifications n JOIN users u ON u.id = n.user_id
WHERE n.event_id = $1 AND n.email = 'immediate' AND u.status = 'active'
"""

# What a notice is about, in a word: the payload's title when it has one, else the subject's.
SUBJECT_TITLE = """
COALESCE(e.payload->>'title', CASE e.subject_kind
    WHEN 'idea' THEN (SELECT title FROM ideas WHERE id = e.subject_id)
    WHEN 'comment' THEN (SELECT i.title FROM idea_comments c JOIN ideas i ON i.id = c.idea_id WHERE c.id = e.subject_id)
    WHEN 'consultation' THEN (SELECT title FROM consultations WHERE id = e.subject_id)
    WHEN 'consultation_comment' THEN (SELECT x.title FROM consultation_comments c
                                      JOIN consultations x ON x.id = c.consultation_id WHERE c.id = e.subject_id)
    WHEN 'handover' THEN (SELECT title FROM handover_tasks WHERE id = e.subject_id)
    WHEN 'board' THEN (SELECT title FROM idea_boards WHERE id = e.subject_id)
END, '')
"""
EVENT_TITLE = f"SELECT {SUBJECT_TITLE} FROM events e WHERE e.id = $1"

OUTCOME_THEMES = """
SELECT COALESCE(jsonb_agg(jsonb_build_object('title', t->>'title', 'disposition', t->>'disposition')), '[]')
FROM (SELECT themes FROM consultation_outcomes WHERE consultation_id = $1 ORDER BY version DESC LIMIT 1) o,
     jsonb_array_elements(o.themes) t
"""

INBOX = f"""
SELECT n.id, n.notice, n.created_at, n.read_at IS NOT NULL AS read, e.kind, e.subject_kind, e.subject_id,
       e.payload, {SUBJECT_TITLE} AS title
FROM notifications n JOIN events e ON e.id = n.event_id
WHERE n.user_id = $1 AND ($2::boolean IS FALSE OR n.read_at IS NULL)
ORDER BY n.id DESC
LIMIT $3 OFFSET $4
"""
COUNTS = """
SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM notifications WHERE user_id = $1
"""
UNREAD = "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
MARK_READ = """
UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY ($2::bigint[]) AND read_at IS NULL
"""
MARK_ALL_READ = "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL"

PREFERENCES = "SELECT notice, email FROM notification_preferences WHERE user_id = $1"
SET_PREFERENCES = """
INSERT INTO notification_preferences (user_id, notice, email)
SELECT $1, x.notice, x.email FROM unnest($2::text[], $3::text[]) AS x (notice, email)
ON CONFLICT (user_id, notice) DO UPDATE SET email = EXCLUDED.email, updated_at = now()
WHERE notification_preferences.email IS DISTINCT FROM EXCLUDED.email
"""
USER_EXISTS = "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)"

# The digest: everyone with digest rows waiting (or only the people $2 names), each once per
# Bangkok day ($1). Taking the notification_digests row first is what makes a second run that
# day a no-op.
DIGEST_TAKE = """
WITH due AS (
    SELECT DISTINCT n.user_id FROM notifications n
    WHERE n.email = 'digest' AND n.digested_at IS NULL AND ($2::bigint[] IS NULL OR n.user_id = ANY ($2))
)
INSERT INTO notification_digests (user_id, day, items)
SELECT due.user_id, $1, 0 FROM due JOIN users u ON u.id = due.user_id AND u.status = 'active'
ON CONFLICT (user_id, day) DO NOTHING
RETURNING user_id
"""
DIGEST_ITEMS = f"""
WITH taken AS (
    UPDATE notifications SET digested_at = now()
    WHERE user_id = ANY ($1::bigint[]) AND email = 'digest' AND digested_at IS NULL
    RETURNING id, user_id, event_id, notice, created_at
)
SELECT t.user_id, u.email, u.lang, t.notice, t.created_at, e.kind, e.subject_kind, e.subject_id, e.payload,
       {SUBJECT_TITLE} AS title
FROM taken t JOIN events e ON e.id = t.event_id JOIN users u ON u.id = t.user_id
ORDER BY t.user_id, t.notice, t.id
"""
DIGEST_COUNT = "UPDATE notification_digests SET items = $3 WHERE user_id = $1 AND day = $2"

# Reminder sweeps: the subjects that crossed a threshold, each taken once per (kind, subject,
# due date) by the INSERT into notification_reminders; $1 is now.
_TAKE_REMINDERS = """
WITH crossed AS ({crossed}),
taken AS (
    INSERT INTO notification_reminders (kind, subject_kind, subject_id, due_at)
    SELECT $2, subject_kind, subject_id, due_at FROM crossed
    ON CONFLICT DO NOTHING
    RETURNING subject_kind, subject_id, due_at
)
SELECT t.subject_kind, t.subject_id, t.due_at, c.title, c.agency_id, c.province
FROM taken t JOIN crossed c USING (subject_kind, subject_id, due_at)
ORDER BY t.subject_id
"""
_UNANSWERED = """
    SELECT 'idea' AS subject_kind, i.id AS subject_id, i.answer_due_at AS due_at, i.title, b.agency_id, i.province
    FROM ideas i JOIN idea_boards b ON b.id = i.board_id
    WHERE i.answer_due_at IS NOT NULL AND i.hidden_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM idea_answers a WHERE a.idea_id = i.id)
      AND i.status NOT IN ('declined', 'duplicate', 'implemented')"""
# A plan's open milestones; like a task's deadline, a due date passes at the end of that day.
_MILESTONES = """
    SELECT CASE WHEN p.idea_id IS NULL THEN 'consultation' ELSE 'idea' END AS subject_kind,
           COALESCE(p.idea_id, p.consultation_id) AS subject_id,
           ((m.due_on + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') AS due_at,
           COALESCE(p.theme_title, i.title, '') || ': ' || m.title AS title, p.agency_id,
           COALESCE(i.province, c.province) AS province
    FROM implementation_milestones m JOIN implementation_plans p ON p.id = m.plan_id
    LEFT JOIN ideas i ON i.id = p.idea_id
    LEFT JOIN consultations c ON c.id = p.consultation_id
    WHERE m.done_at IS NULL AND p.status = 'in_progress'"""
CROSSED: dict[str, str] = {
    "reminder.answer_due": _UNANSWERED + " AND i.answer_due_at > $1 AND i.answer_due_at <= $1 + make_interval(days => $3)",
    "reminder.answer_overdue": _UNANSWERED + " AND i.answer_due_at <= $1 AND $3::int IS NOT NULL",
    "reminder.consultation_closing": """
    SELECT 'consultation' AS subject_kind, c.id AS subject_id, c.closes_at AS due_at, c.title,
           c.owner_org_id AS agency_id, c.province
    FROM consultations c
    WHERE c.status = 'open' AND c.closes_at > $1 AND c.closes_at <= $1 + make_interval(days => $3)""",
    # $3 and $4: the settings' days for a general consultation and a section 77 hearing.
    "reminder.outcome_due": """
    SELECT 'consultation' AS subject_kind, c.id AS subject_id,
           outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $3, $4) AS due_at, c.title,
           c.owner_org_id AS agency_id, c.province
    FROM consultations c
    WHERE c.status = 'closed' AND outcome_due_at(c.kind, COALESCE(c.closed_at, c.closes_at), $3, $4) <= $1""",
    # A deadline is a date: it passes at the end of that day, Bangkok time.
    "reminder.handover_deadline": """
    SELECT 'handover' AS subject_kind, t.id AS subject_id,
           ((t.deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') AS due_at, t.title, t.agency_id, t.province
    FROM handover_tasks t
    WHERE t.status IN ('claimed', 'in_progress')
      AND ((t.deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') > $1
      AND ((t.deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') <= $1 + make_interval(days => $3)""",
    "reminder.handover_overdue": """
    SELECT 'handover' AS subject_kind, t.id AS subject_id,
           ((t.deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') AS due_at, t.title, t.agency_id, t.province
    FROM handover_tasks t
    WHERE t.status IN ('claimed', 'in_progress')
      AND ((t.deadline + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') <= $1 AND $3::int IS NOT NULL""",
    "reminder.implementation_due": _MILESTONES + """
      AND ((m.due_on + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') > $1
      AND ((m.due_on + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') <= $1 + make_interval(days => $3)""",
    "reminder.implementation_overdue": _MILESTONES + """
      AND ((m.due_on + 1)::timestamp AT TIME ZONE 'Asia/Bangkok') <= $1 AND $3::int IS NOT NULL""",
}
TAKE_REMINDERS = {kind: _TAKE_REMINDERS.format(crossed=sql) for kind, sql in CROSSED.items()}


async def fan_out(conn: asyncpg.Connection, event_id: int, audience: Audience, notice: str, email: str) -> int:
    status = await conn.execute(FAN_OUT[audience], event_id, notice, email)
    return int(status.rsplit(" ", 1)[1])


async def immediate_recipients(conn: asyncpg.Connection, event_id: int) -> list[Recipient]:
    return [Recipient(**dict(r)) for r in await conn.fetch(IMMEDIATE, event_id)]


async def event_title(conn: asyncpg.Connection, event_id: int) -> str:
    return await conn.fetchval(EVENT_TITLE, event_id) or ""


async def outcome_themes(conn: asyncpg.Connection, consultation_id: int) -> list[dict]:
    return await conn.fetchval(OUTCOME_THEMES, consultation_id)


async def inbox(
    conn: asyncpg.Connection, user_id: int, *, unread_only: bool, limit: int, offset: int
) -> list[asyncpg.Record]:
    return await conn.fetch(INBOX, user_id, unread_only, limit, offset)


async def counts(conn: asyncpg.Connection, user_id: int) -> tuple[int, int]:
    row = await conn.fetchrow(COUNTS, user_id)
    return row["total"], row["unread"]


async def unread(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(UNREAD, user_id)


async def mark_read(conn: asyncpg.Connection, user_id: int, ids: list[int] | None) -> int:
    status = await (
        conn.execute(MARK_ALL_READ, user_id) if ids is None else conn.execute(MARK_READ, user_id, ids)
    )
    return int(status.rsplit(" ", 1)[1])


async def preferences(conn: asyncpg.Connection, user_id: int) -> dict[str, str]:
    return {r["notice"]: r["email"] for r in await conn.fetch(PREFERENCES, user_id)}


async def set_preferences(conn: asyncpg.Connection, user_id: int, choices: dict[str, str]) -> None:
    await conn.execute(SET_PREFERENCES, user_id, list(choices), list(choices.values()))


async def user_exists(conn: asyncpg.Connection, user_id: int) -> bool:
    return await conn.fetchval(USER_EXISTS, user_id)


async def take_digests(conn: asyncpg.Connection, day, only: list[int] | None = None) -> list[int]:
    return [r["user_id"] for r in await conn.fetch(DIGEST_TAKE, day, only)]


async def digest_items(conn: asyncpg.Connection, user_ids: list[int]) -> list[DigestItem]:
    return [DigestItem(**dict(r)) for r in await conn.fetch(DIGEST_ITEMS, user_ids)]


async def set_digest_count(conn: asyncpg.Connection, user_id: int, day, items: int) -> None:
    await conn.execute(DIGEST_COUNT, user_id, day, items)


async def take_reminders(
    conn: asyncpg.Connection, kind: str, now: datetime, days: tuple[int, ...]
) -> list[asyncpg.Record]:
    return await conn.fetch(TAKE_REMINDERS[kind], now, kind, *days)
