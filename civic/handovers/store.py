"""Task handover SQL. One function per state change; each locks the task row (SELECT ... FOR UPDATE),
checks the state under that lock and writes the task's public timeline row (handover_events) in its
own transaction, which is a savepoint inside the calling action's transaction: the action
(civic.handovers.actions) asks the rules first and records the domain event in the same
transaction. Refusals are the DomainError subclasses below."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import NamedTuple

import asyncpg
import msgspec

from civic import db, keyset, thai
from civic.audit import audit
from civic.handovers import rules
from civic.handovers.schemas import (
    Claim,
    Event,
    Evidence,
    Milestone,
    OverdueItem,
    Review,
    Task,
    TaskPage,
    TaskSummary,
    TrackRecord,
    Update,
)
from civic.validation import DomainError

# "Today" is a Thai calendar day, whatever the server's time zone.
TODAY = "(now() AT TIME ZONE 'Asia/Bangkok')::date"


class Actor(NamedTuple):
    user_id: int | None
    org_id: int | None
    role: str  # agency | partner | system


SYSTEM = Actor(None, None, "system")


class HandoverError(DomainError):
    """Any refusal of this store, so routes can catch them all in one clause."""


class NotFound(HandoverError):
    status = 404
    code = "not_found"


class WrongState(HandoverError):
    code = "wrong_state"


class AlreadyClaimed(HandoverError):
    code = "already_claimed"


class NotHolder(HandoverError):
    status = 403
    code = "not_holder"


ALREADY_CLAIMED = "Another partner has already claimed this task."

TASK_COLUMNS = """
t.id, t.agency_id, a.slug AS agency_slug, a.name_th AS agency_name, NULLIF(a.name_en, '') AS agency_name_en,
a.level AS agency_level,
t.title, t.description, t.deliverables, t.province, t.district, t.location, t.category,
t.partner_types, t.skills, t.budget, t.claim_opens, t.claim_closes, t.deadline, t.contact,
t.verified_only, t.confirm_days, t.review_days, t.status, t.cancel_reason,
t.completion_requested_at, t.signed_off_at, t.signoff_comment, t.created_at, t.published_at, t.updated_at
"""
GET_TASK = (
    f"SELECT {TASK_COLUMNS} FROM handover_tasks t JOIN organisations a ON a.id = t.agency_id WHERE t.id = $1"
)
MILESTONES = f"""
SELECT id, position, title, due, budget_share, status, percent, reviewed_at,
       (status <> 'met' AND due < {TODAY}) AS overdue
FROM handover_milestones WHERE task_id = $1 ORDER BY position
"""
CLAIM_COLUMNS = """
c.id, c.task_id, c.partner_id, p.slug AS partner_slug, p.name_th AS partner_name,
NULLIF(p.name_en, '') AS partner_name_en,
p.verification = 'verified' AS partner_verified, c.plan, c.team, c.status, c.reason, c.reason_code,
c.created_at, c.confirmed_at, c.ended_at
"""
CLAIMS = f"""SELECT {CLAIM_COLUMNS} FROM handover_claims c JOIN organisations p ON p.id = c.partner_id
WHERE c.task_id = $1 ORDER BY c.id"""
TIMELINE = """
SELECT e.id, e.at, e.action, e.actor_role, u.display_name AS actor_name, o.slug AS org_slug,
       o.name_th AS org_name, NULLIF(o.name_en, '') AS org_name_en, e.from_status, e.to_status, e.note, e.changes
FROM handover_events e
LEFT JOIN users u ON u.id = e.actor_id
LEFT JOIN organisations o ON o.id = e.actor_org_id
WHERE e.task_id = $1 ORDER BY e.at, e.id
"""
UPDATES = """
SELECT up.id, up.milestone_id, COALESCE(u.display_name, '') AS author_name, p.slug AS partner_slug,
       p.name_th AS partner_name, NULLIF(p.name_en, '') AS partner_name_en, up.body, up.percent, up.links, up.created_at,
       COALESCE((SELECT json_agg(json_build_object('id', ev.id, 'filename', ev.filename, 'kind', ev.kind,
                                                   'size', ev.size) ORDER BY ev.id)
                 FROM handover_evidence ev WHERE ev.update_id = up.id), '[]'::json) AS evidence
FROM handover_updates up
JOIN handover_claims c ON c.id = up.claim_id
JOIN organisations p ON p.id = c.partner_id
LEFT JOIN users u ON u.id = up.author_id
WHERE up.task_id = $1 ORDER BY up.created_at, up.id
"""
REVIEWS = """
SELECT r.id, r.milestone_id, r.verdict, r.comment, COALESCE(u.display_name, '') AS reviewer_name, r.at
FROM handover_reviews r LEFT JOIN users u ON u.id = r.reviewer_id
WHERE r.task_id = $1 ORDER BY r.at, r.id
"""
LOCK_TASK = "SELECT id, agency_id, status, verified_only, confirm_days, claim_opens, claim_closes, " + (
    f"claim_opens <= {TODAY} AS window_started, claim_closes >= {TODAY} AS window_open "
    "FROM handover_tasks WHERE id = $1 FOR UPDATE"
)
LIVE_CLAIM = "SELECT id, partner_id, status FROM handover_claims WHERE task_id = $1 AND status IN ('active', 'confirmed')"
SET_STATUS = "UPDATE handover_tasks SET status = $2, updated_at = now() WHERE id = $1"
INSERT_EVENT = """
INSERT INTO handover_events (task_id, actor_id, actor_org_id, actor_role, action, from_status, to_status, note,
                             changes)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
"""
INSERT_TASK = """
INSERT INTO handover_tasks (agency_id, title, description, deliverables, province, district, location, category,
    partner_types, skills, budget, claim_opens, claim_closes, deadline, contact, verified_only, confirm_days,
    review_days, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id
"""
INSERT_MILESTONE = """
INSERT INTO handover_milestones (task_id, position, title, due, budget_share) VALUES ($1, $2, $3, $4, $5)
"""

SUMMARY_COLUMNS = """
t.id, t.title, t.status, t.province, t.district, t.category, t.agency_id, a.slug AS agency_slug,
a.name_th AS agency_name, NULLIF(a.name_en, '') AS agency_name_en, a.level AS agency_level, t.budget, t.claim_opens, t.claim_closes, t.deadline,
t.verified_only, hp.slug AS holder_slug, hp.name_th AS holder_name,
NULLIF(hp.name_en, '') AS holder_name_en,
COALESCE((SELECT round(avg(m.percent))::int FROM handover_milestones m WHERE m.task_id = t.id), 0) AS progress,
t.created_at
"""
SUMMARY_JOINS = """
JOIN organisations a ON a.id = t.agency_id
LEFT JOIN handover_claims hc ON hc.task_id = t.id AND hc.status IN ('active', 'confirmed')
LEFT JOIN organisations hp ON hp.id = hc.partner_id
"""
# $6: partner ids for "open to me": open now, window open, and the partner meets the
# verification and partner-type requirements. $7: agency ids of the viewer (their drafts show).
# The board and its count share one WHERE so the total always matches the rows. It names only the
# task's own columns, so the count needs no join and is read from handover_tasks_count_idx
# (migration 0187) without visiting the tasks themselves; the unfiltered count reads the kept
# counts (migration 0194).
# "Open to my organisation" ($6: the viewer's partner organisations): a task open for claims
# that one of them may claim, verified if the task asks it, of a type the task takes if it names
# any. The partner types of the viewer's organisations that qualify (NULL: none does), read once
# per statement, as two arrays: per task, checking the organisations cost 24 ms at 10,000 open
# tasks.
_OPEN_TO = """CASE WHEN {} THEN
        (SELECT array_agg(p.partner_type) FROM organisations p WHERE p.id = ANY($6::bigint[]) AND p.verification = 'verified')
      ELSE (SELECT array_agg(p.partner_type) FROM organisations p WHERE p.id = ANY($6::bigint[])) END"""
TASK_FILTER = f"""
WHERE ($1::text IS NULL OR t.province = $1)
  AND ($2::text IS NULL OR t.category = $2)
  AND ($3::text IS NULL OR t.status = $3)
  AND ($4::bigint IS NULL OR t.agency_id = $4)
  AND ($5::text IS NULL OR EXISTS (
        SELECT 1 FROM handover_claims fc JOIN organisations fp ON fp.id = fc.partner_id
        WHERE fc.task_id = t.id AND fc.status IN ('active', 'confirmed') AND fp.slug = $5))
  AND (t.status <> 'draft' OR t.agency_id = ANY($7::bigint[]))
  AND ($6::bigint[] IS NULL OR (
        t.status = 'open' AND t.claim_opens <= {TODAY} AND t.claim_closes >= {TODAY}
        AND {_OPEN_TO.format("t.verified_only")} IS NOT NULL
        AND (cardinality(t.partner_types) = 0 OR t.partner_types && {_OPEN_TO.format("t.verified_only")})))
"""
COUNT_TASKS = f"SELECT count(*) FROM handover_tasks t {TASK_FILTER}"
AGENCY_ID = "SELECT id FROM organisations WHERE slug = $1"
# Each order of the board: its key column, the key's type (a page link's key is read back as it,
# civic.keyset), and whether the largest key comes first. Each has an index over the public board
# and one per status (migrations 0180, 0198).
ORDERS: dict[str, tuple[str, type, bool]] = {
    "newest": ("created_at", datetime, True),
    "deadline": ("deadline", date, False),
    "closing": ("claim_closes", date, False),
}


def _order(order: str, backward: bool = False) -> str:
    column, _, descending = ORDERS[order]
    direction = "DESC" if descending != backward else "ASC"
    return f"t.{column} {direction}, t.id {direction}"


def _list_query(order: str, where: str, page: str, *, backward: bool, anchor: str, total: str = "") -> str:
    """The page's ids are chosen by walking the order's index; only those tasks are joined and
    described. `backward` walks it the other way (the pages before an anchor, or the last pages),
    and the outer ORDER BY turns those rows round. `anchor` names the parameters of the key and id
    of the task the page starts after (before, backward), or is empty. `total`, a scalar
    statement, comes with each row as `total`."""
    column, _, descending = ORDERS[order]
    after = f"AND (t.{column}, t.id) {keyset.beyond(descending, backward)} ({anchor})" if anchor else ""
    total = f", ({total}) AS total" if total else ""
    return f"""
SELECT {SUMMARY_COLUMNS}{total} FROM (
    SELECT t.id FROM handover_tasks t {where} {after} ORDER BY {_order(order, backward)} {page}
) page JOIN handover_tasks t ON t.id = page.id
{SUMMARY_JOINS}
ORDER BY {_order(order)}
"""


@functools.lru_cache(maxsize=32)
def filtered_list_query(order: str, backward: bool, anchored: bool) -> str:
    """The board with filters: $1-$7 the filters, then LIMIT, OFFSET and the anchor's key and id."""
    anchor = "$10, $11" if anchored else ""
    return _list_query(order, TASK_FILTER, "LIMIT $8 OFFSET $9", backward=backward, anchor=anchor)


@functools.lru_cache(maxsize=128)
def unfiltered_list_query(
    status: str | None,
    order: str,
    limit: int,
    offset: int,
    backward: bool = False,
    anchored: bool = False,
    counted: bool = False,
) -> str:
    """The board with no filter but a public status (its first page, the home page's three open
    tasks), written out. Given its optional filters as parameters, PostgreSQL planned the list
    afresh on every execution (0.7 ms of the 1.1 at 2,000 tasks), and its generic plan was far
    worse (14 ms); written out it is planned once per connection, as civic.ideas.store's lists
    are. Only a known status word and integers are written in; an anchor's key and id are $1
    and $2. `counted`: each row carries the board's total."""
    assert status is None or status in rules.PUBLIC_STATUSES
    shown = f"= '{status}'" if status else "<> 'draft'"
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}"
    total = _COUNT.format(shown) if counted else ""
    anchor = "$1, $2" if anchored else ""
    return _list_query(order, f"WHERE t.status {shown}", page, backward=backward, anchor=anchor, total=total)


# The unfiltered board's total, from the kept counts (migration 0194).
_COUNT = "SELECT COALESCE(sum(tasks), 0)::bigint FROM handover_task_counts WHERE status {}"
COUNT_PUBLIC = _COUNT.format("<> 'draft'")
COUNT_STATUS = _COUNT.format("= $1")


def _task_row(row: asyncpg.Record) -> Task:
    return msgspec.convert(dict(row), Task)


async def get_task(conn: asyncpg.Connection, task_id: int) -> Task | None:
    found = await get_task_and_claims(conn, task_id)
    return found[0] if found else None


async def get_task_and_claims(conn: asyncpg.Connection, task_id: int) -> tuple[Task, list[Claim]] | None:
    """The task, and every claim on it (the task's page lists them all), read once."""
    row = await conn.fetchrow(GET_TASK, task_id)
    if row is None:
        return None
    task = _task_row(row)
    task.milestones = [Milestone(**dict(r)) for r in await conn.fetch(MILESTONES, task_id)]
    claims = await list_claims(conn, task_id)
    live = [c for c in claims if c.status in rules.HOLDING_CLAIM]
    task.claim = live[0] if live else None
    task.holder_partner_id = task.claim.partner_id if task.claim else None
    return task, claims


async def list_claims(conn: asyncpg.Connection, task_id: int) -> list[Claim]:
    return [Claim(**dict(r)) for r in await conn.fetch(CLAIMS, task_id)]


async def timeline(conn: asyncpg.Connection, task_id: int) -> list[Event]:
    return [msgspec.convert(dict(r), Event) for r in await conn.fetch(TIMELINE, task_id)]


async def list_updates(conn: asyncpg.Connection, task_id: int) -> list[Update]:
    out = []
    for r in await conn.fetch(UPDATES, task_id):
        d = dict(r)
        d["evidence"] = [Evidence(**e) for e in d["evidence"]]
        out.append(Update(**d))
    return out


async def list_reviews(conn: asyncpg.Connection, task_id: int) -> list[Review]:
    return [Review(**dict(r)) for r in await conn.fetch(REVIEWS, task_id)]


async def list_tasks(
    conn: asyncpg.Connection,
    *,
    province: str | None = None,
    category: str | None = None,
    status: str | None = None,
    agency: str | None = None,
    partner: str | None = None,
    open_to: list[int] | None = None,
    viewer_agencies: list[int] | None = None,
    order: str = "newest",
    page: int = 1,
    per_page: int = 50,
    at: str | None = None,
) -> TaskPage:
    """One page of the board. With `at` (a token one of the board's pages linked), the page is read
    from its anchor task; by page number alone, from whichever end of the board is nearer. A page
    past the last is the last."""
    order = order if order in ORDERS else "newest"
    # The agency by id, not by a slug looked up inside the statement: only a known id lets
    # PostgreSQL plan for that agency's share of the tasks, and read a small agency's few tasks
    # from its index instead of walking the board's order past every other task (3.5 ms at 10k).
    agency_id = await conn.fetchval(AGENCY_ID, agency) if agency else None
    args = (province, category, status, agency_id, partner, open_to, list(viewer_agencies or []))
    unfiltered = (
        not (province or category or agency or partner or viewer_agencies)
        and open_to is None
        and status in (None, *rules.PUBLIC_STATUSES)
    )
    offset = keyset.leading(page, per_page, at) if unfiltered else None
    if offset is not None:
        # The pages people open most, unfiltered near the start, with the total in the same round
        # trip. Past the end (no row), read as below, from the total.
        rows = await db.fetch_page(conn, unfiltered_list_query(status, order, per_page, offset, counted=True), offset, per_page)
        if rows:
            total = rows[0]["total"]
            return _page(rows, total, keyset.reading(total, page, per_page, None, ORDERS[order][1]), order, per_page)
    if agency and agency_id is None:
        total = 0  # no such agency
    elif unfiltered:
        total = await (conn.fetchval(COUNT_STATUS, status) if status else conn.fetchval(COUNT_PUBLIC))
    else:
        total = await conn.fetchval(COUNT_TASKS, *args)
    r = keyset.reading(total, page, per_page, at, ORDERS[order][1])
    if not total:
        rows = []  # a filter that matches nothing would walk the whole index to find so
    elif not unfiltered:
        sql = filtered_list_query(order, r.backward, bool(r.anchor))
        rows = await conn.fetch(sql, *args, r.limit, r.offset, *r.anchor)
    elif r.anchor:
        rows = await conn.fetch(unfiltered_list_query(status, order, r.limit, r.offset, r.backward, True), *r.anchor)
    else:
        sql = unfiltered_list_query(status, order, r.limit, r.offset, r.backward)
        rows = await db.fetch_page(conn, sql, r.offset, r.limit)
    return _page(rows, total, r, order, per_page)


def _page(rows: list[asyncpg.Record], total: int, r: keyset.Reading, order: str, per_page: int) -> TaskPage:
    items = [msgspec.convert(dict(x), TaskSummary) for x in rows]
    for item in items:
        item.url = f"/handovers/{item.id}"
    key = ORDERS[order][0]
    first, last = [keyset.position(getattr(t, key), t.id) for t in (items[0], items[-1])] if items else [None, None]
    return TaskPage(items=items, total=total, page=r.page, pages=r.pages, per_page=per_page, first=first, last=last)


async def evidence_file(conn: asyncpg.Connection, task_id: int, evidence_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT ev.filename, ev.kind, ev.path, t.status, t.agency_id FROM handover_evidence ev "
        "JOIN handover_updates up ON up.id = ev.update_id JOIN handover_tasks t ON t.id = up.task_id "
        "WHERE ev.id = $2 AND up.task_id = $1",
        task_id,
        evidence_id,
    )


# ------------------------------------------------------------------ verbs


async def _lock(conn: asyncpg.Connection, task_id: int) -> asyncpg.Record:
    row = await conn.fetchrow(LOCK_TASK, task_id)
    if row is None:
        raise NotFound("We could not find that task.")
    return row


async def _event(
    conn: asyncpg.Connection,
    task_id: int,
    actor: Actor,
    action: str,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    changes: list[dict] | None = None,
) -> None:
    await conn.execute(
        INSERT_EVENT, task_id, actor.user_id, actor.org_id, actor.role, action, from_status, to_status, note,
        changes or [],
    )  # fmt: skip


async def _transition(
    conn: asyncpg.Connection, row: asyncpg.Record, action: str, actor: Actor, note: str = ""
) -> str:
    status = row["status"]
    if not rules.allowed(action, status):
        raise WrongState(rules.WRONG_STATE, {"status": status})
    target = rules.next_status(action, status)
    await conn.execute(SET_STATUS, row["id"], target)
    await _event(conn, row["id"], actor, action, status, target, note)
    return target


async def create_task(
    conn: asyncpg.Connection, clean: dict, *, agency_id: int, actor: Actor, publish: bool = False
) -> int:
    async with conn.transaction():
        task_id = await conn.fetchval(
            INSERT_TASK,
            agency_id,
            clean["title"],
            clean["description"],
            clean["deliverables"],
            clean["province"],
            clean["district"],
            clean["location"],
            clean["category"],
            clean["partner_types"],
            clean["skills"],
            clean["budget"],
            clean["claim_opens"],
            clean["claim_closes"],
            clean["deadline"],
            clean["contact"],
            clean["verified_only"],
            clean["confirm_days"],
            clean["review_days"],
            actor.user_id,
        )
        for position, m in enumerate(clean.get("milestones") or [], start=1):
            await conn.execute(INSERT_MILESTONE, task_id, position, m["title"], m["due"], m["share"])
        await _event(conn, task_id, actor, "create", None, "draft")
        if publish:
            row = await _lock(conn, task_id)
            await _publish(conn, row, actor)
        await audit(
            conn, actor_id=actor.user_id, action="handover.create", subject_kind="handover", subject_id=task_id,
            org_id=agency_id,
        )  # fmt: skip
    return task_id


async def _publish(conn: asyncpg.Connection, row: asyncpg.Record, actor: Actor) -> None:
    await _transition(conn, row, "publish", actor)
    await conn.execute("UPDATE handover_tasks SET published_at = now() WHERE id = $1", row["id"])


async def publish_task(conn: asyncpg.Connection, task_id: int, actor: Actor) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        await _publish(conn, row, actor)
        await audit(conn, actor_id=actor.user_id, action="handover.publish", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"])  # fmt: skip


# Columns an edit may set, from the rules' allow-list (milestones are rows of their own).
EDITABLE = tuple(f for f in rules.EDIT_FIELDS if f != "milestones")
PLAN = "SELECT deadline, category, title, budget FROM handover_tasks WHERE id = $1"
# A milestone with progress or reviews on the record, even from a partner who gave the task back.
REPORTED_MILESTONES = """
SELECT m.id, m.title FROM handover_milestones m
WHERE m.task_id = $1
  AND (EXISTS (SELECT 1 FROM handover_updates u WHERE u.milestone_id = m.id)
       OR EXISTS (SELECT 1 FROM handover_reviews r WHERE r.milestone_id = m.id))
"""
UPDATE_MILESTONE = """
UPDATE handover_milestones SET position = $3, title = $4, due = $5, budget_share = $6 WHERE id = $1 AND task_id = $2
"""


class EditRefused(HandoverError):
    """The rules refuse this change in the task's state (rules.check_edit)."""

    code = "wrong_state"


async def reported_milestones(conn: asyncpg.Connection, task_id: int) -> dict[int, str]:
    return {r["id"]: r["title"] for r in await conn.fetch(REPORTED_MILESTONES, task_id)}


async def update_task(conn: asyncpg.Connection, task_id: int, fields: dict, actor: Actor) -> None:
    """fields: clean values (rules.validate_task) of the fields that changed. What may change depends
    on the state (rules.EDITABLE_BY_STATUS); it is checked again here under the row lock, because a
    partner may have claimed the task or reported progress since the form was read."""
    fields = {k: v for k, v in fields.items() if k in rules.EDIT_FIELDS}
    async with conn.transaction():
        row = await _lock(conn, task_id)
        status = row["status"]
        if not rules.editable_fields(status):
            raise WrongState(rules.EDIT_CLOSED, {"status": status})
        stored = [Milestone(**dict(r)) for r in await conn.fetch(MILESTONES, task_id)]
        plan = await conn.fetchrow(PLAN, task_id)
        current = {
            "claim_opens": row["claim_opens"],
            "claim_closes": row["claim_closes"],
            "deadline": plan["deadline"],
            "category": plan["category"],
            "milestones": rules.milestone_plan(stored),
        }
        shown = current | {"title": plan["title"], "budget": plan["budget"]}
        refusals = rules.check_edit(status, current, fields, await reported_milestones(conn, task_id))
        if refusals:
            field, problem = next(iter(refusals.items()))
            raise EditRefused(problem.msgid, problem.params, field=field)
        columns = [k for k in EDITABLE if k in fields]
        if columns:
            # One statement, so the date CHECKs (deadline after the claim window) see the new dates
            # together. Column names come from the EDITABLE allow-list, never from input.
            sets = ", ".join(f"{k} = ${i}" for i, k in enumerate(columns, start=2))
            await conn.execute(f"UPDATE handover_tasks SET {sets}, updated_at = now() WHERE id = $1",
                               task_id, *(fields[k] for k in columns))  # fmt: skip
        if "milestones" in fields:
            await _replace_milestones(conn, task_id, fields["milestones"])
        await _event(conn, task_id, actor, "edit", status, status, ", ".join(sorted(fields)),
                     rules.edit_changes(shown, fields))  # fmt: skip
        # The audit also keeps the old wording of the longer texts, which the public timeline only names.
        detail: dict = {"fields": sorted(fields)}
        for key in ("category", "claim_opens", "claim_closes", "deadline", "milestones"):
            if key in fields:
                after = rules.milestone_plan(fields[key]) if key == "milestones" else fields[key]
                detail[key] = {"before": _jsonable(current[key]), "after": _jsonable(after)}
        await audit(conn, actor_id=actor.user_id, action="handover.edit", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail=detail)  # fmt: skip


def _jsonable(value):
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value if value is None or isinstance(value, int | str) else str(value)


async def _replace_milestones(conn: asyncpg.Connection, task_id: int, plan: list[dict]) -> None:
    """plan rows with an id keep that milestone (and its progress); the others are new. Rows left out
    are deleted: check_edit has already refused removing one with progress on the record."""
    keep = [m["id"] for m in plan if m.get("id")]
    await conn.execute("DELETE FROM handover_milestones WHERE task_id = $1 AND NOT (id = ANY($2::bigint[]))",
                       task_id, keep)  # fmt: skip
    # Positions are unique per task: move the kept rows out of the way before numbering them again.
    await conn.execute("UPDATE handover_milestones SET position = -position WHERE task_id = $1", task_id)
    for position, m in enumerate(plan, start=1):
        if m.get("id"):
            await conn.execute(UPDATE_MILESTONE, m["id"], task_id, position, m["title"], m["due"], m["share"])
        else:
            await conn.execute(INSERT_MILESTONE, task_id, position, m["title"], m["due"], m["share"])


async def claim_task(
    conn: asyncpg.Connection, task_id: int, *, partner_id: int, plan: str, team: str, actor: Actor
) -> int:
    """The task row lock serialises claimers; the partial unique index is the last word."""
    async with conn.transaction():
        row = await _lock(conn, task_id)
        if row["status"] in ("claimed", "in_progress", "completion_requested", "completed"):
            raise AlreadyClaimed(ALREADY_CLAIMED)
        if row["status"] != "open":
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        if not row["window_started"] or not row["window_open"]:
            raise WrongState("The claim window for this task is not open.")
        if row["verified_only"]:
            verified = await conn.fetchval("SELECT verification = 'verified' FROM organisations WHERE id = $1",
                                           partner_id)  # fmt: skip
            if not verified:
                raise NotHolder("Only verified partner organisations can claim this task.")
        try:
            async with conn.transaction():
                claim_id = await conn.fetchval(
                    "INSERT INTO handover_claims (task_id, partner_id, claimed_by, plan, team) "
                    "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    task_id,
                    partner_id,
                    actor.user_id,
                    plan.strip(),
                    team.strip(),
                )
        except asyncpg.UniqueViolationError:
            raise AlreadyClaimed(ALREADY_CLAIMED) from None
        await _transition(conn, row, "claim", actor, plan.strip()[:500])
    return claim_id


async def confirm_claim(
    conn: asyncpg.Connection, task_id: int, actor: Actor, note: str = ""
) -> asyncpg.Record:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        live = await conn.fetchrow(LIVE_CLAIM, task_id)
        if live is None or live["status"] != "active":
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        await _transition(conn, row, "confirm", actor, note)
        await conn.execute("UPDATE handover_claims SET status = 'confirmed', confirmed_at = now() WHERE id = $1",
                           live["id"])  # fmt: skip
        await audit(conn, actor_id=actor.user_id, action="handover.confirm", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail={"claim": live["id"]})  # fmt: skip
    return live


async def _end_claim(
    conn: asyncpg.Connection, task_id: int, status: str, reason: str, reason_code: str = ""
) -> asyncpg.Record | None:
    """reason: what a person typed; reason_code: a system reason, translated when shown.
    Returns the claim that ended (id, partner_id, status before), for the action's event."""
    claim = await conn.fetchrow(LIVE_CLAIM, task_id)
    if claim is None:
        return None
    await conn.execute("UPDATE handover_claims SET status = $2, reason = $3, reason_code = $4, ended_at = now() "
                       "WHERE id = $1", claim["id"], status, reason, reason_code)  # fmt: skip
    return claim


async def release_claim(
    conn: asyncpg.Connection, task_id: int, reason: str, actor: Actor
) -> asyncpg.Record | None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        await _transition(conn, row, "release", actor, reason.strip())
        ended = await _end_claim(conn, task_id, "released", reason.strip())
        await audit(conn, actor_id=actor.user_id, action="handover.release", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail={"reason": reason})  # fmt: skip
    return ended


RESET_MILESTONES = """
UPDATE handover_milestones SET status = 'scheduled', percent = 0, reviewed_at = NULL WHERE task_id = $1
"""


async def withdraw_claim(
    conn: asyncpg.Connection,
    task_id: int,
    *,
    partner_ids: frozenset[int] | set[int],
    reason: str,
    actor: Actor,
) -> asyncpg.Record:
    """The holding partner gives the task back with a reason; the task reopens for claims.
    After confirmation the milestones start again for the next partner (the updates and reviews
    already published stay on the record, tied to this claim)."""
    async with conn.transaction():
        row = await _lock(conn, task_id)
        live = await conn.fetchrow(LIVE_CLAIM, task_id)
        if live is None or live["partner_id"] not in partner_ids:
            raise NotHolder("Only the partner holding this task can give it back.")
        await _transition(conn, row, "withdraw", actor, reason.strip())
        await _end_claim(conn, task_id, "withdrawn", reason.strip())
        if live["status"] == "confirmed":
            await conn.execute(RESET_MILESTONES, task_id)
            await conn.execute(
                "UPDATE handover_tasks SET completion_requested_at = NULL WHERE id = $1", task_id
            )
        await audit(conn, actor_id=actor.user_id, action="handover.withdraw", subject_kind="handover",
                    subject_id=task_id, org_id=live["partner_id"], detail={"claim": live["id"], "reason": reason})  # fmt: skip
    return live


async def post_update(
    conn: asyncpg.Connection,
    task_id: int,
    *,
    milestone_id: int,
    partner_ids: frozenset[int] | set[int],
    body: str,
    percent: int,
    links: list[str],
    files: list[tuple[str, str, str, int]],
    actor: Actor,
) -> int:
    """files: (original name, kind, stored relative path, size), already checked and stored."""
    async with conn.transaction():
        row = await _lock(conn, task_id)
        live = await conn.fetchrow(LIVE_CLAIM, task_id)
        if live is None or live["partner_id"] not in partner_ids:
            raise NotHolder("Only the partner holding this task can post progress on it.")
        if row["status"] not in rules.UPDATE_STATUSES:
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        ok = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM handover_milestones WHERE id = $1 AND task_id = $2)",
                                 milestone_id, task_id)  # fmt: skip
        if not ok:
            raise NotFound("We could not find that milestone.")
        update_id = await conn.fetchval(
            "INSERT INTO handover_updates (task_id, milestone_id, claim_id, author_id, body, percent, links) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            task_id,
            milestone_id,
            live["id"],
            actor.user_id,
            body,
            percent,
            links,
        )
        for filename, kind, path, size in files:
            await conn.execute(
                "INSERT INTO handover_evidence (update_id, filename, kind, path, size) VALUES ($1, $2, $3, $4, $5)",
                update_id,
                filename[:200],
                kind,
                path,
                size,
            )
        await conn.execute("UPDATE handover_milestones SET percent = $2 WHERE id = $1", milestone_id, percent)
        title = await conn.fetchval("SELECT title FROM handover_milestones WHERE id = $1", milestone_id)
        await _event(conn, task_id, actor, "update", row["status"], row["status"], f"{title}: {percent}%")
    return update_id


async def review_milestone(
    conn: asyncpg.Connection, task_id: int, *, milestone_id: int, verdict: str, comment: str, actor: Actor
) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        if row["status"] not in rules.REVIEW_STATUSES:
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        title = await conn.fetchval(
            "UPDATE handover_milestones SET status = $3, reviewed_at = now(), "
            "percent = CASE WHEN $3 = 'met' THEN 100 ELSE percent END "
            "WHERE id = $1 AND task_id = $2 RETURNING title",
            milestone_id,
            task_id,
            verdict,
        )
        if title is None:
            raise NotFound("We could not find that milestone.")
        await conn.execute(
            "INSERT INTO handover_reviews (task_id, milestone_id, reviewer_id, verdict, comment) "
            "VALUES ($1, $2, $3, $4, $5)",
            task_id,
            milestone_id,
            actor.user_id,
            verdict,
            comment.strip(),
        )
        await _event(conn, task_id, actor, f"review_{verdict}", row["status"], row["status"],
                     f"{title}: {comment.strip()}")  # fmt: skip
        await audit(conn, actor_id=actor.user_id, action="handover.review", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail={"milestone": milestone_id,
                                                                          "verdict": verdict})  # fmt: skip


async def request_completion(
    conn: asyncpg.Connection, task_id: int, *, partner_ids: frozenset[int] | set[int], note: str, actor: Actor
) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        live = await conn.fetchrow(LIVE_CLAIM, task_id)
        if live is None or live["partner_id"] not in partner_ids:
            raise NotHolder("Only the partner holding this task can post progress on it.")
        await _transition(conn, row, "request_completion", actor, note.strip())
        await conn.execute("UPDATE handover_tasks SET completion_requested_at = now() WHERE id = $1", task_id)


async def sign_off(conn: asyncpg.Connection, task_id: int, comment: str, actor: Actor) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        if not rules.allowed("sign_off", row["status"]):
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        await conn.execute(
            "UPDATE handover_tasks SET signed_off_at = now(), signed_off_by = $2, signoff_comment = $3 WHERE id = $1",
            task_id,
            actor.user_id,
            comment.strip(),
        )
        await _transition(conn, row, "sign_off", actor, comment.strip())
        await audit(conn, actor_id=actor.user_id, action="handover.sign_off", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"])  # fmt: skip


async def reject_completion(conn: asyncpg.Connection, task_id: int, reason: str, actor: Actor) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        await _transition(conn, row, "reject", actor, reason.strip())
        await conn.execute("UPDATE handover_tasks SET completion_requested_at = NULL WHERE id = $1", task_id)
        await audit(conn, actor_id=actor.user_id, action="handover.reject", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail={"reason": reason})  # fmt: skip


async def cancel_task(
    conn: asyncpg.Connection, task_id: int, reason: str, actor: Actor
) -> asyncpg.Record | None:
    """Returns the claim the cancellation ended, if a partner held the task."""
    async with conn.transaction():
        row = await _lock(conn, task_id)
        if not rules.allowed("cancel", row["status"]):
            raise WrongState(rules.WRONG_STATE, {"status": row["status"]})
        # The reason first: the CHECK refuses a cancelled task without one.
        await conn.execute(
            "UPDATE handover_tasks SET cancel_reason = $2 WHERE id = $1", task_id, reason.strip()
        )
        await _transition(conn, row, "cancel", actor, reason.strip())
        ended = await _end_claim(conn, task_id, "released", reason.strip())
        await audit(conn, actor_id=actor.user_id, action="handover.cancel", subject_kind="handover",
                    subject_id=task_id, org_id=row["agency_id"], detail={"reason": reason})  # fmt: skip
    return ended


# ------------------------------------------------------------------ scheduled jobs

# SKIP LOCKED: a task someone is acting on right now is left for the next run.
STALE_CLAIMS = """
SELECT t.id FROM handover_tasks t JOIN handover_claims c ON c.task_id = t.id AND c.status = 'active'
WHERE t.status = 'claimed' AND c.created_at + make_interval(days => t.confirm_days) < now()
FOR UPDATE OF t SKIP LOCKED
"""
STALE_OPEN = (
    f"SELECT id FROM handover_tasks WHERE status = 'open' AND claim_closes < {TODAY} FOR UPDATE SKIP LOCKED"
)


async def stale_claim_tasks(conn: asyncpg.Connection) -> list[int]:
    """Tasks whose claim was not confirmed within confirm_days, locked for this transaction."""
    return [r["id"] for r in await conn.fetch(STALE_CLAIMS)]


async def stale_open_tasks(conn: asyncpg.Connection) -> list[int]:
    """Open tasks whose claim window closed with nobody claiming them, locked for this transaction."""
    return [r["id"] for r in await conn.fetch(STALE_OPEN)]


async def expire_claim(conn: asyncpg.Connection, task_id: int, actor: Actor) -> asyncpg.Record | None:
    """The unconfirmed claim expires and the task reopens. Returns the claim that ended."""
    async with conn.transaction():
        row = await _lock(conn, task_id)
        ended = await _end_claim(conn, task_id, "expired", "", rules.NOT_CONFIRMED_IN_TIME)
        await _transition(conn, row, "expire_claim", actor, "")
    return ended


async def expire_task(conn: asyncpg.Connection, task_id: int, actor: Actor) -> None:
    async with conn.transaction():
        row = await _lock(conn, task_id)
        await _transition(conn, row, "expire", actor, "")


# ------------------------------------------------------------------ transparency

OVERDUE = f"""
SELECT * FROM (
  SELECT t.id AS task_id, t.title, 'claim_unconfirmed' AS kind, p.name_th AS detail,
         ((c.created_at AT TIME ZONE 'Asia/Bangkok')::date + t.confirm_days) AS since,
         a.slug AS agency_slug, a.name_th AS agency_name, NULLIF(a.name_en, '') AS agency_name_en,
         p.slug AS partner_slug, p.name_th AS partner_name, NULLIF(p.name_en, '') AS partner_name_en,
         'agency' AS who
  FROM handover_claims c JOIN handover_tasks t ON t.id = c.task_id
  JOIN organisations a ON a.id = t.agency_id JOIN organisations p ON p.id = c.partner_id
  WHERE (c.status = 'active' AND (c.created_at AT TIME ZONE 'Asia/Bangkok')::date + t.confirm_days < {TODAY})
     OR (c.status = 'expired' AND c.ended_at > now() - interval '90 days')
  UNION ALL
  SELECT t.id, t.title, 'milestone_overdue', m.title, m.due,
         a.slug, a.name_th, NULLIF(a.name_en, ''), p.slug, p.name_th, NULLIF(p.name_en, ''), 'partner'
  FROM handover_milestones m JOIN handover_tasks t ON t.id = m.task_id
  JOIN organisations a ON a.id = t.agency_id
  JOIN handover_claims c ON c.task_id = t.id AND c.status = 'confirmed'
  JOIN organisations p ON p.id = c.partner_id
  WHERE t.status IN ('in_progress', 'completion_requested') AND m.status <> 'met' AND m.due < {TODAY}
  UNION ALL
  SELECT t.id, t.title, 'completion_unreviewed', '',
         ((t.completion_requested_at AT TIME ZONE 'Asia/Bangkok')::date + t.review_days),
         a.slug, a.name_th, NULLIF(a.name_en, ''), p.slug, p.name_th, NULLIF(p.name_en, ''), 'agency'
  FROM handover_tasks t JOIN organisations a ON a.id = t.agency_id
  LEFT JOIN handover_claims c ON c.task_id = t.id AND c.status = 'confirmed'
  LEFT JOIN organisations p ON p.id = c.partner_id
  WHERE t.status = 'completion_requested'
    AND (t.completion_requested_at AT TIME ZONE 'Asia/Bangkok')::date + t.review_days < {TODAY}
) x
WHERE ($1::text IS NULL OR x.agency_slug = $1) AND ($2::text IS NULL OR x.partner_slug = $2)
ORDER BY x.since, x.task_id
LIMIT 500
"""


async def overdue(
    conn: asyncpg.Connection, *, agency: str | None = None, partner: str | None = None
) -> list[OverdueItem]:
    today = await conn.fetchval(f"SELECT {TODAY}")
    out = []
    for r in await conn.fetch(OVERDUE, agency, partner):
        d = dict(r)
        d.pop("who")
        out.append(OverdueItem(days_late=max((today - d["since"]).days, 0), **d))
    return out


TRACK_RECORD = """
SELECT p.id AS partner_id, p.slug, p.name_th, p.name_en, p.verification = 'verified' AS verified,
  count(c.id) AS claimed,
  count(c.id) FILTER (WHERE t.status = 'completed' AND c.status = 'confirmed') AS completed,
  count(c.id) FILTER (WHERE t.status = 'completed' AND c.status = 'confirmed'
                      AND (t.signed_off_at AT TIME ZONE 'Asia/Bangkok')::date <= t.deadline) AS on_time,
  count(c.id) FILTER (WHERE c.status = 'confirmed' AND t.status IN ('in_progress', 'completion_requested'))
      AS in_progress,
  count(c.id) FILTER (WHERE c.status IN ('released', 'expired')) AS released_or_expired,
  count(c.id) FILTER (WHERE c.status = 'withdrawn') AS withdrawn
FROM organisations p
LEFT JOIN handover_claims c ON c.partner_id = p.id
LEFT JOIN handover_tasks t ON t.id = c.task_id
WHERE p.slug = $1 AND p.kind = 'partner'
GROUP BY p.id
"""
SIGNOFFS = """
SELECT t.id AS task_id, t.title, t.signoff_comment AS comment, t.signed_off_at, t.deadline,
       a.name_th AS agency_name, NULLIF(a.name_en, '') AS agency_name_en, (t.signed_off_at AT TIME ZONE 'Asia/Bangkok')::date <= t.deadline AS on_time
FROM handover_claims c JOIN handover_tasks t ON t.id = c.task_id JOIN organisations a ON a.id = t.agency_id
WHERE c.partner_id = $1 AND c.status = 'confirmed' AND t.status = 'completed'
ORDER BY t.signed_off_at DESC LIMIT 50
"""


async def track_record(conn: asyncpg.Connection, slug: str) -> TrackRecord | None:
    row = await conn.fetchrow(TRACK_RECORD, slug)
    if row is None:
        return None
    signoffs = [dict(r) for r in await conn.fetch(SIGNOFFS, row["partner_id"])]
    return TrackRecord(**dict(row), signoffs=signoffs)


# ------------------------------------------------------------------ search port

SEARCH_DOCS = """
SELECT t.id, t.title, t.description, t.deliverables, t.skills, t.district, t.location, t.province,
       a.slug AS agency, t.status, t.created_at,
       (SELECT count(*) FROM handover_updates up WHERE up.task_id = t.id)::int AS popularity
FROM handover_tasks t JOIN organisations a ON a.id = t.agency_id
WHERE t.id = ANY($1::bigint[]) AND t.status <> 'draft'
"""


async def search_documents(conn: asyncpg.Connection, ids: list[int]) -> list[dict]:
    """Documents for the search port; drafts are never returned (the relay deletes missing ids)."""
    docs = []
    for r in await conn.fetch(SEARCH_DOCS, list(ids)):
        body = "\n".join(
            part for part in (r["description"], r["deliverables"], " ".join(r["skills"]), r["district"],
                              r["location"]) if part
        )  # fmt: skip
        docs.append(
            {
                "kind": "handover",
                "id": r["id"],
                "title": r["title"],
                "body": body,
                "province": r["province"],
                "agency": r["agency"],
                "status": r["status"],
                "created_at": r["created_at"],
                "popularity": r["popularity"],
                "url": f"/handovers/{r['id']}",
            }
        )
    return docs


# The agencies that have posted a task, the only ones with tasks to filter by: every agency (a
# national deployment has thousands) made a list no one could use, read, sorted and written out on
# each view. Their ids are read from the agency index one at a time, each the next one past the
# last (a "loose index scan"), and then those agencies by their ids (joined, every agency was read
# for a hash), so the cost follows the agencies found, not the tasks or the directory.
POSTING_AGENCIES = """
WITH RECURSIVE posted(agency_id) AS (
    (SELECT agency_id FROM handover_tasks ORDER BY agency_id LIMIT 1)
    UNION ALL
    SELECT (SELECT t.agency_id FROM handover_tasks t WHERE t.agency_id > p.agency_id ORDER BY t.agency_id LIMIT 1)
    FROM posted p WHERE p.agency_id IS NOT NULL
)
SELECT slug, CASE WHEN $1 = 'en' AND name_en <> '' THEN name_en ELSE name_th END AS name
FROM organisations WHERE id = ANY (ARRAY(SELECT agency_id FROM posted))
"""


async def agencies(conn: asyncpg.Connection, lang: str) -> list[tuple[str, str]]:
    """(slug, name in `lang`) of every agency that has posted a task, in dictionary order."""
    rows = await conn.fetch(POSTING_AGENCIES, lang)
    return thai.thai_sorted([(r["slug"], r["name"]) for r in rows], key=lambda a: a[1])


async def org_by_slug(conn: asyncpg.Connection, slug: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, slug, kind, name_th, name_en, verification, partner_type FROM organisations WHERE slug = $1",
        slug,
    )


async def ocds_task_ids(conn: asyncpg.Connection, limit: int = 1000) -> list[int]:
    rows = await conn.fetch(
        "SELECT id FROM handover_tasks WHERE status <> 'draft' ORDER BY id LIMIT $1", limit
    )
    return [r["id"] for r in rows]
