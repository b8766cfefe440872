"""Implementation plans: SQL only. Reads join the ideas, consultations and organisations tables
for the promise's title and agency (joined, never written)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from civic.audit import audit
from civic.implementation.schemas import Evidence, Milestone, OverdueMilestone, Plan, Update
from civic.validation import Conflict

# The end of a Bangkok date, as a timestamp: when a due date has passed.
_END_OF = "(({d}) + 1)::timestamp AT TIME ZONE 'Asia/Bangkok'"

_PLAN = f"""
SELECT p.id, CASE WHEN p.idea_id IS NULL THEN 'theme' ELSE 'idea' END AS subject, p.idea_id,
       p.consultation_id, p.theme_index + 1 AS theme, p.theme_title,
       COALESCE(i.title, c.title, '') AS subject_title, p.agency_id, o.slug AS agency_slug,
       o.name_th AS agency_name_th, o.name_en AS agency_name_en, p.summary, p.starts_on, m.promised_on,
       p.progress, p.status, p.report, p.implemented_at,
       CASE WHEN p.implemented_at IS NULL THEN NULL
            ELSE p.implemented_at < {_END_OF.format(d="m.promised_on")} END AS kept,
       p.created_at
FROM implementation_plans p
JOIN organisations o ON o.id = p.agency_id
LEFT JOIN ideas i ON i.id = p.idea_id
LEFT JOIN consultations c ON c.id = p.consultation_id
CROSS JOIN LATERAL (SELECT max(due_on) AS promised_on FROM implementation_milestones WHERE plan_id = p.id) m
"""
GET_PLAN = _PLAN + "WHERE p.id = $1"
PLAN_FOR_IDEA = _PLAN + "WHERE p.idea_id = $1"
PLANS_FOR_CONSULTATION = _PLAN + "WHERE p.consultation_id = $1 ORDER BY p.theme_index, p.id"
MILESTONES = """
SELECT id, title, due_on, done_at FROM implementation_milestones WHERE plan_id = $1 ORDER BY position
"""
UPDATES = """
SELECT u.id, u.body, u.percent, u.links, u.milestone_id, m.title AS milestone_title, u.created_at
FROM implementation_updates u LEFT JOIN implementation_milestones m ON m.id = u.milestone_id
WHERE u.plan_id = $1 ORDER BY u.id
"""
EVIDENCE = """
SELECT e.update_id, e.id, e.name, e.kind, e.bytes
FROM implementation_evidence e JOIN implementation_updates u ON u.id = e.update_id
WHERE u.plan_id = $1 ORDER BY e.id
"""
EVIDENCE_FILE = """
SELECT e.kind, e.path FROM implementation_evidence e JOIN implementation_updates u ON u.id = e.update_id
WHERE u.plan_id = $1 AND e.id = $2
"""

INSERT_PLAN = """
INSERT INTO implementation_plans (idea_id, consultation_id, theme_index, theme_title, agency_id, summary,
                                  starts_on, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT DO NOTHING
RETURNING id
"""
INSERT_MILESTONES = """
INSERT INTO implementation_milestones (plan_id, position, title, due_on)
SELECT $1, x.position, x.title, x.due_on
FROM unnest($2::text[], $3::date[]) WITH ORDINALITY AS x (title, due_on, position)
"""
# Updates and the final report are taken under the plan's row lock, so a report and an update
# racing cannot leave an update posted to a plan already implemented.
LOCK_PLAN = "SELECT status FROM implementation_plans WHERE id = $1 FOR UPDATE"
INSERT_UPDATE = """
INSERT INTO implementation_updates (plan_id, author_id, body, percent, links, milestone_id)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
"""
INSERT_EVIDENCE = """
INSERT INTO implementation_evidence (update_id, name, kind, path, bytes)
SELECT $1, x.name, x.kind, x.path, x.bytes
FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS x (name, kind, path, bytes)
"""
REACH_MILESTONE = """
UPDATE implementation_milestones SET done_at = now() WHERE id = $1 AND plan_id = $2 AND done_at IS NULL
"""
SET_PROGRESS = "UPDATE implementation_plans SET progress = $2, updated_at = now() WHERE id = $1"
IMPLEMENT = """
UPDATE implementation_plans SET status = 'implemented', progress = 100, report = $2, implemented_at = now(),
       updated_at = now()
WHERE id = $1
RETURNING implemented_at
"""

# $1 now. Open milestones of plans still in progress whose due date has ended, Bangkok time.
OVERDUE = f"""
SELECT p.id AS plan_id, m.id AS milestone_id, m.title, m.due_on,
       floor(EXTRACT(EPOCH FROM $1 - {_END_OF.format(d="m.due_on")}) / 86400)::int AS days_late,
       CASE WHEN p.idea_id IS NULL THEN 'theme' ELSE 'idea' END AS subject, p.idea_id, p.consultation_id,
       COALESCE(p.theme_title, i.title, '') AS subject_title,
       o.slug AS agency_slug, o.name_th AS agency_name_th, o.name_en AS agency_name_en
FROM implementation_milestones m
JOIN implementation_plans p ON p.id = m.plan_id AND p.status = 'in_progress'
JOIN organisations o ON o.id = p.agency_id
LEFT JOIN ideas i ON i.id = p.idea_id
WHERE m.done_at IS NULL AND {_END_OF.format(d="m.due_on")} <= $1
  AND (i.id IS NULL OR i.hidden_at IS NULL)
ORDER BY m.due_on, m.id
LIMIT 1000
"""


class PlanExists(Conflict):
    code = "plan_exists"
    default_msgid = "This promise already has an implementation plan."


class PlanClosed(Conflict):
    code = "plan_implemented"
    default_msgid = "This plan is already reported implemented: it takes no more updates."


async def _full(conn: asyncpg.Connection, row: asyncpg.Record | None) -> Plan | None:
    if row is None:
        return None
    files: dict[int, list[Evidence]] = {}
    for e in await conn.fetch(EVIDENCE, row["id"]):
        files.setdefault(e["update_id"], []).append(Evidence(e["id"], e["name"], e["kind"], e["bytes"]))
    updates = [Update(**dict(u), evidence=files.get(u["id"], [])) for u in await conn.fetch(UPDATES, row["id"])]
    milestones = [Milestone(**dict(m)) for m in await conn.fetch(MILESTONES, row["id"])]
    return Plan(**dict(row), milestones=milestones, updates=updates)


async def get_plan(conn: asyncpg.Connection, plan_id: int) -> Plan | None:
    return await _full(conn, await conn.fetchrow(GET_PLAN, plan_id))


async def plan_for_idea(conn: asyncpg.Connection, idea_id: int) -> Plan | None:
    return await _full(conn, await conn.fetchrow(PLAN_FOR_IDEA, idea_id))


async def plans_for_consultation(conn: asyncpg.Connection, consultation_id: int) -> list[Plan]:
    return [await _full(conn, r) for r in await conn.fetch(PLANS_FOR_CONSULTATION, consultation_id)]


async def create_plan(
    conn: asyncpg.Connection,
    *,
    idea_id: int | None,
    consultation_id: int | None,
    theme_index: int | None,
    theme_title: str | None,
    agency_id: int,
    summary: str,
    starts_on: date,
    milestones: list[tuple[str, date]],
    actor_id: int,
) -> int:
    """Call inside the action's transaction. The partial unique indexes keep one plan per promise."""
    plan_id = await conn.fetchval(
        INSERT_PLAN, idea_id, consultation_id, theme_index, theme_title, agency_id, summary, starts_on, actor_id
    )
    if plan_id is None:
        raise PlanExists()
    await conn.execute(INSERT_MILESTONES, plan_id, [t for t, _ in milestones], [d for _, d in milestones])
    await audit(conn, actor_id=actor_id, action="implementation.plan", subject_kind="implementation_plan",
                subject_id=plan_id, org_id=agency_id)  # fmt: skip
    return plan_id


async def post_update(
    conn: asyncpg.Connection,
    plan_id: int,
    *,
    body: str,
    percent: int,
    links: list[str],
    milestone_id: int | None,
    files: list[tuple[str, str, str, int]],
    actor_id: int,
    agency_id: int,
) -> int:
    """files: (name, kind, stored path, bytes). Call inside the action's transaction."""
    if await conn.fetchval(LOCK_PLAN, plan_id) != "in_progress":
        raise PlanClosed()
    update_id = await conn.fetchval(INSERT_UPDATE, plan_id, actor_id, body, percent, links, milestone_id)
    if files:
        await conn.execute(INSERT_EVIDENCE, update_id, *(list(col) for col in zip(*files, strict=True)))
    if milestone_id:
        await conn.execute(REACH_MILESTONE, milestone_id, plan_id)
    await conn.execute(SET_PROGRESS, plan_id, percent)
    await audit(conn, actor_id=actor_id, action="implementation.update", subject_kind="implementation_plan",
                subject_id=plan_id, org_id=agency_id, detail={"update_id": update_id})  # fmt: skip
    return update_id


async def implement(
    conn: asyncpg.Connection, plan_id: int, *, report: str, actor_id: int, agency_id: int
) -> datetime:
    if await conn.fetchval(LOCK_PLAN, plan_id) != "in_progress":
        raise PlanClosed()
    at = await conn.fetchval(IMPLEMENT, plan_id, report)
    await audit(conn, actor_id=actor_id, action="implementation.implemented", subject_kind="implementation_plan",
                subject_id=plan_id, org_id=agency_id)  # fmt: skip
    return at


async def overdue(conn: asyncpg.Connection, now: datetime) -> list[OverdueMilestone]:
    return [OverdueMilestone(**dict(r)) for r in await conn.fetch(OVERDUE, now)]


async def evidence_file(conn: asyncpg.Connection, plan_id: int, evidence_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(EVIDENCE_FILE, plan_id, evidence_id)
