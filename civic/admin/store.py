"""Admin console SQL: platform roles, the audit log, and the background work's bookkeeping
(job_runs, event_cursors, mail_messages), read as they are. Blocking goes through
civic.accounts.actions.set_standing; consent records through civic.privacy.actions."""

from __future__ import annotations

from datetime import date

import asyncpg

from civic.admin.schemas import AuditRow, CursorRow, JobRun, MailFailure, UserRow
from civic.audit import audit

USER_COLUMNS = """
u.id, u.email, u.display_name, u.role, u.status, u.created_at,
u.email_verified_at IS NOT NULL AS email_verified, u.id_verified_at IS NOT NULL AS id_verified
"""
# Counter accounts (civic/assisted) are nobody's to administer: they hold a person's contribution
# until that person takes it over.
FIND_USERS = f"""
SELECT {USER_COLUMNS} FROM users u
WHERE u.status <> 'erased' AND u.email NOT LIKE '%@counter.invalid'
  AND ($1 = '' OR u.id::text = $1 OR strpos(lower(u.email), lower($1)) > 0
       OR strpos(lower(u.display_name), lower($1)) > 0)
ORDER BY (u.role = 'citizen'), u.id DESC
LIMIT $2
"""
USER = f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.status <> 'erased'"
# Every active administrator's row, locked in id order before any role or standing change: two
# administrators demoting each other at once cannot both pass the last-admin rule.
LOCK_ADMINS = "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE"
SET_ROLE = "UPDATE users SET role = $2 WHERE id = $1"

# Filters are all optional; a NULL parameter lets the row through. Days are Bangkok days.
AUDIT_WHERE = """
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE ($1 = '' OR a.actor_id::text = $1 OR lower(u.email) = lower($1)
       OR strpos(lower(u.display_name), lower($1)) > 0)
  AND ($2 = '' OR starts_with(a.action, $2))
  AND ($3::date IS NULL OR a.at >= $3::date::timestamp AT TIME ZONE 'Asia/Bangkok')
  AND ($4::date IS NULL OR a.at < ($4::date + 1)::timestamp AT TIME ZONE 'Asia/Bangkok')
"""
AUDIT_PAGE = f"""
SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.org_id, a.action, a.subject_kind,
       a.subject_id, a.detail
{AUDIT_WHERE}
ORDER BY a.at DESC, a.id DESC LIMIT $5 OFFSET $6
"""
AUDIT_COUNT = f"SELECT count(*) {AUDIT_WHERE}"
AUDIT_ABOUT_USER = """
SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.org_id, a.action, a.subject_kind,
       a.subject_id, a.detail
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE a.subject_kind = 'user' AND a.subject_id = $1
ORDER BY a.at DESC, a.id DESC LIMIT 20
"""

JOB_RUNS = """
SELECT name, NULLIF(last_run_at, '-infinity') AS last_run_at, last_result, last_error, runs
FROM job_runs ORDER BY name
"""
CURSORS = "SELECT name, handled, updated_at, last_error FROM event_cursors ORDER BY name"
MAIL_COUNTS = """
SELECT count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status = 'queued') AS queued
FROM mail_messages
"""
# No address: the console says what failed and why, not to whom.
MAIL_FAILURES = """
SELECT id, template, attempts, last_error, created_at FROM mail_messages
WHERE status = 'failed' ORDER BY created_at DESC, id DESC LIMIT 20
"""


async def find_users(conn: asyncpg.Connection, q: str, limit: int) -> list[UserRow]:
    return [UserRow(**dict(r)) for r in await conn.fetch(FIND_USERS, q, limit)]


async def user(conn: asyncpg.Connection, user_id: int) -> UserRow | None:
    row = await conn.fetchrow(USER, user_id)
    return UserRow(**dict(row)) if row else None


async def lock_admins(conn: asyncpg.Connection) -> list[int]:
    return [r["id"] for r in await conn.fetch(LOCK_ADMINS)]


async def set_role(
    conn: asyncpg.Connection, user_id: int, role: str, previous: str, *, act: str, actor_id: int, reason: str
) -> None:
    async with conn.transaction():
        await conn.execute(SET_ROLE, user_id, role)
        await audit(
            conn,
            actor_id=actor_id,
            action=act,
            subject_kind="user",
            subject_id=user_id,
            detail={"from": previous, "to": role, "reason": reason},
        )


async def audit_standing(
    conn: asyncpg.Connection, user_id: int, action: str, *, actor_id: int, reason: str
) -> None:
    await audit(
        conn, actor_id=actor_id, action=action, subject_kind="user", subject_id=user_id,
        detail={"reason": reason, "via": "admin"},
    )  # fmt: skip


async def audit_page(
    conn: asyncpg.Connection,
    actor: str,
    act: str,
    since: date | None,
    until: date | None,
    limit: int,
    offset: int,
) -> tuple[int, list[AuditRow]]:
    total = await conn.fetchval(AUDIT_COUNT, actor, act, since, until)
    rows = await conn.fetch(AUDIT_PAGE, actor, act, since, until, limit, offset)
    return total, [AuditRow(**dict(r)) for r in rows]


async def audit_about_user(conn: asyncpg.Connection, user_id: int) -> list[AuditRow]:
    return [AuditRow(**dict(r)) for r in await conn.fetch(AUDIT_ABOUT_USER, user_id)]


async def job_runs(conn: asyncpg.Connection) -> list[JobRun]:
    return [JobRun(**dict(r)) for r in await conn.fetch(JOB_RUNS)]


async def cursors(conn: asyncpg.Connection) -> list[CursorRow]:
    return [CursorRow(**dict(r)) for r in await conn.fetch(CURSORS)]


async def mail_health(conn: asyncpg.Connection) -> tuple[int, int, list[MailFailure]]:
    counts = await conn.fetchrow(MAIL_COUNTS)
    failures = [MailFailure(**dict(r)) for r in await conn.fetch(MAIL_FAILURES)]
    return counts["failed"], counts["queued"], failures
