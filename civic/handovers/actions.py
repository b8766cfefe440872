"""Task handover: one action per verb, and the queries that feed both the pages and the API.

Each action asks the rules (may this person do it? is the input valid?), then calls the store in
one transaction and records its domain event (civic.events) in that same transaction, so the
event exists if and only if the change committed. The store keeps the task's own public
timeline (handover_events, which the task page and OCDS read) under its row lock; the domain
event is what everything "after a change" reads. Refusals are the DomainError family only.

Verbs take the task id beside the input Struct, because the pages and the API name the task in
the path and send only the rest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import asyncpg
import msgspec

from civic import events, keyset, provinces, thai
from civic.accounts.rules import refusal
from civic.accounts.schemas import CurrentUser
from civic.events import ClaimEnded, ClaimMade, MilestoneReviewed, ProgressReported, TaskEdited, TaskPosted
from civic.events import TaskStatusChanged as StatusChanged
from civic.handovers import ocds, rules, store
from civic.handovers.schemas import (
    BoardQuery,
    ClaimIn,
    CommentIn,
    Done,
    Edited,
    OverdueItem,
    Posted,
    ReasonIn,
    ReviewIn,
    Task,
    TaskDetail,
    TaskIn,
    TaskPage,
    TaskPatch,
    TaskSummary,
    TrackRecord,
    UpdateIn,
)
from civic.handovers.store import SYSTEM, Actor
from civic.settings import Settings
from civic.uploads import UploadRejected, check_upload, inspect, store_upload
from civic.validation import Forbidden, Invalid, NotFound, Problem, raise_if

PAGE_SIZE = 20
ORDERS = list(store.ORDERS)
NOT_STAFF = "Only staff of the agency that posted this task can do this."
NOT_HOLDER = "Only the partner holding this task can post progress on it."


class NotPartner(Forbidden):
    code = "not_partner"


class NotVerified(Forbidden):
    code = "not_verified"


class EditRefused(Invalid):
    """The task's state refuses these changes (rules.check_edit): a conflict, reported by field
    like a form's errors so the edit form shows each where it was typed."""

    status = 409
    code = "wrong_state"


class _Subject(NamedTuple):
    id: int
    agency_id: int
    province: str


async def _record(
    conn: asyncpg.Connection, task: Task | _Subject, kind: str, payload: msgspec.Struct, actor: Actor,
    *, hidden: bool = False,
) -> None:  # fmt: skip
    await events.record(
        conn, kind, payload, subject=("handover", task.id), actor_id=actor.user_id, agency_id=task.agency_id,
        province=task.province, hidden=hidden,
    )  # fmt: skip


def _status_changed(task: Task, action: str, note: str = "") -> StatusChanged:
    """From the status the action was asked in (the store re-checked it under the row lock) to
    where the transition table leads."""
    return StatusChanged(task.title, task.status, _target(action), note)


def _target(action: str) -> str:
    return rules.TRANSITIONS[action][1]


# ------------------------------------------------------------------ who is acting


async def _task(conn: asyncpg.Connection, user: CurrentUser | None, task_id: int) -> Task:
    return _visible(user, await store.get_task(conn, task_id))


def _visible(user: CurrentUser | None, task: Task | None) -> Task:
    if task is None or not rules.can_view(user, task.agency_id, task.status):
        raise NotFound("We could not find that task.")
    return task


async def load_task(conn: asyncpg.Connection, user: CurrentUser | None, task_id: int) -> Task:
    """The task as this person may see it (another domain's reads, e.g. follows, ask here)."""
    return await _task(conn, user, task_id)


def _as_agency(user: CurrentUser, task: Task) -> Actor:
    if not rules.can_manage(user, task.agency_id):
        raise Forbidden(NOT_STAFF)
    return Actor(user.id, task.agency_id, "agency")


def _as_holder(user: CurrentUser, task: Task) -> Actor:
    if not rules.can_deliver(user, task.holder_partner_id):
        raise store.NotHolder(NOT_HOLDER)
    return Actor(user.id, task.holder_partner_id, "partner")


def _as_system(actor: Actor) -> Actor:
    if not rules.can_expire(actor.role):
        raise Forbidden()
    return actor


def _reason(value: str, field: str = "reason", *, required: bool = True) -> str:
    problem = rules.validate_reason(value, required=required)
    raise_if({field: problem} if problem else {})
    return (value or "").strip()


# ------------------------------------------------------------------ posting and editing


async def post_task(conn: asyncpg.Connection, user: CurrentUser, data: TaskIn) -> Posted:
    agency_id = rules.posting_agency(user, data.agency)
    if agency_id is None:
        raise Forbidden("Only agency staff can post tasks.")
    clean, errors = rules.validate_task(msgspec.to_builtins(data))
    raise_if(errors)
    actor = Actor(user.id, agency_id, "agency")
    async with conn.transaction():
        task_id = await store.create_task(conn, clean, agency_id=agency_id, actor=actor, publish=data.publish)
        subject = _Subject(task_id, agency_id, clean["province"])
        posted = TaskPosted(clean["title"], clean["category"], clean["claim_closes"], clean["deadline"])
        await _record(conn, subject, "handover.drafted", posted, actor, hidden=True)
        if data.publish:
            await _record(conn, subject, "handover.posted", posted, actor)
    return Posted(task_id)


async def publish_task(conn: asyncpg.Connection, user: CurrentUser, task_id: int) -> Done:
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    async with conn.transaction():
        await store.publish_task(conn, task.id, actor)
        posted = TaskPosted(task.title, task.category, task.claim_closes, task.deadline)
        await _record(conn, task, "handover.posted", posted, actor)
    return Done(task.id, _target("publish"))


async def edit_form(conn: asyncpg.Connection, user: CurrentUser, task_id: int) -> tuple[Task, dict[int, str]]:
    """The task to edit, and its milestones with progress on the record (which keep their titles)."""
    task = await _task(conn, user, task_id)
    _as_agency(user, task)
    if not rules.editable_fields(task.status):
        raise store.WrongState(rules.EDIT_CLOSED)
    return task, await store.reported_milestones(conn, task.id)


async def edit_task(conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: TaskPatch) -> Edited:
    """Validate the given fields with creation's own rules (on the task as stored, with the given
    fields laid over it), ask the rules whether the task's state allows each change, and save those
    that changed. A field left out (None) stays; "" clears an optional one."""
    task, reported = await edit_form(conn, user, task_id)
    actor = Actor(user.id, task.agency_id, "agency")
    given = {k: v for k, v in msgspec.to_builtins(data).items() if v is not None and k in rules.EDIT_FIELDS}
    fields = {k: v if k == "milestones" else str(v) for k, v in given.items()}
    clean, errors = rules.validate_task(msgspec.to_builtins(task) | rules.edit_values(task) | fields)
    raise_if(rules.edit_errors(errors, fields))
    current = {k: getattr(task, k) for k in rules.EDIT_FIELDS if k != "milestones"}
    current["milestones"] = rules.milestone_plan(task.milestones)
    changed = {
        k: clean[k]
        for k in fields
        if (rules.milestone_plan(clean[k]) if k == "milestones" else clean[k]) != current[k]
    }
    refusals = rules.check_edit(task.status, current, changed, reported)
    if refusals:
        raise EditRefused(refusals)
    if changed:
        async with conn.transaction():
            await store.update_task(conn, task.id, changed, actor)
            edited = TaskEdited(changed.get("title", task.title), sorted(changed))
            await _record(conn, task, "handover.edited", edited, actor, hidden=task.status == "draft")
    return Edited(task.id, sorted(changed))


async def cancel_task(
    conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ReasonIn, *, dry_run: bool = False
) -> Done:
    """dry_run: every check, nothing written (a page asks for confirmation only of what would pass)."""
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    reason = _reason(data.reason)
    if not rules.allowed("cancel", task.status):
        raise store.WrongState(rules.WRONG_STATE, {"status": task.status})
    if dry_run:
        return Done(task.id, task.status)
    async with conn.transaction():
        ended = await store.cancel_task(conn, task.id, reason, actor)
        changed = _status_changed(task, "cancel", reason)
        await _record(conn, task, "handover.cancelled", changed, actor, hidden=task.status == "draft")
        if ended:
            released = ClaimEnded(ended["id"], ended["partner_id"], reason)
            await _record(conn, task, "handover.claim_released", released, actor)
    return Done(task.id, _target("cancel"))


# ------------------------------------------------------------------ claims


async def claim_task(conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ClaimIn) -> Done:
    """The store's task row lock serialises claimers and a partial unique index keeps one live
    claim per task: of many partners claiming at once, one wins and the others get AlreadyClaimed."""
    task = await _task(conn, user, task_id)
    choices = rules.claimable_partners(user, task.verified_only)
    if not choices:
        if user.partner_ids:
            raise refusal(user, NotVerified("Only verified partner organisations can claim this task."))
        raise NotPartner("Only members of a partner organisation can claim tasks.")
    partner_id = choices[0]
    if data.partner:
        named = [m.org_id for m in user.memberships if m.slug == data.partner and m.org_id in choices]
        if not named:
            raise NotVerified("Only verified partner organisations can claim this task.")
        partner_id = named[0]
    raise_if(rules.validate_claim(data.plan, data.team))
    actor = Actor(user.id, partner_id, "partner")
    async with conn.transaction():
        claim_id = await store.claim_task(
            conn, task.id, partner_id=partner_id, plan=data.plan, team=data.team, actor=actor
        )
        await _record(conn, task, "handover.claimed", ClaimMade(claim_id, partner_id, task.title), actor)
    return Done(task.id, _target("claim"))


async def confirm_claim(conn: asyncpg.Connection, user: CurrentUser, task_id: int) -> Done:
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    async with conn.transaction():
        claim = await store.confirm_claim(conn, task.id, actor)
        confirmed = ClaimMade(claim["id"], claim["partner_id"], task.title)
        await _record(conn, task, "handover.claim_confirmed", confirmed, actor)
    return Done(task.id, _target("confirm"))


async def release_claim(conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ReasonIn) -> Done:
    """The agency declines an unconfirmed claim, with a reason the partner is told."""
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    reason = _reason(data.reason)
    async with conn.transaction():
        ended = await store.release_claim(conn, task.id, reason, actor)
        if ended:
            released = ClaimEnded(ended["id"], ended["partner_id"], reason)
            await _record(conn, task, "handover.claim_released", released, actor)
    return Done(task.id, _target("release"))


async def withdraw_claim(conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ReasonIn) -> Done:
    """The holding partner gives the task back with a reason; it reopens for claims."""
    task = await _task(conn, user, task_id)
    if not rules.can_withdraw(user, task.holder_partner_id):
        raise store.NotHolder(NOT_HOLDER)
    actor = Actor(user.id, task.holder_partner_id, "partner")
    reason = _reason(data.reason)
    async with conn.transaction():
        claim = await store.withdraw_claim(
            conn, task.id, partner_ids=user.partner_ids, reason=reason, actor=actor
        )
        withdrawn = ClaimEnded(claim["id"], claim["partner_id"], reason)
        await _record(conn, task, "handover.claim_withdrawn", withdrawn, actor)
    return Done(task.id, _target("withdraw"))


# ------------------------------------------------------------------ delivery


async def checked_files(
    settings: Settings, files: Sequence[tuple[str, bytes]]
) -> list[tuple[str, str, bytes]]:
    """(name, kind, bytes to store): each file read in a child process with limits
    (civic.uploads.inspect), an image re-encoded."""
    if len(files) > rules.MAX_EVIDENCE_FILES:
        raise Invalid({"evidence": Problem("Attach at most %(n)s files.", {"n": rules.MAX_EVIDENCE_FILES})})
    checked = []
    for name, data in files:
        try:
            kind = check_upload(data, name, allowed=rules.EVIDENCE_KINDS, max_bytes=settings.max_upload_bytes)
            clean = await inspect(data, kind)
        except UploadRejected as exc:
            raise Invalid({"evidence": Problem(exc.msgid, exc.params)}, status=exc.status) from None
        checked.append((name, kind, clean.data))
    return checked


async def report_progress(
    conn: asyncpg.Connection,
    user: CurrentUser,
    task_id: int,
    data: UpdateIn,
    *,
    evidence: Sequence[tuple[str, bytes]] = (),
    settings: Settings | None = None,
) -> Done:
    """A milestone progress update by the holding partner. evidence: (file name, bytes) uploaded
    with the form; each is checked for what it really is before anything is saved."""
    task = await _task(conn, user, task_id)
    actor = _as_holder(user, task)
    clean, errors = rules.validate_update(data.body, data.percent, data.links)
    milestone = next((m for m in task.milestones if m.id == data.milestone_id), None)
    if milestone is None:
        errors["milestone_id"] = Problem("Choose one of the options.")
    raise_if(errors)
    checked = await checked_files(settings, evidence) if evidence else []
    # Files are written before the transaction (they are not in the database); a refused update
    # leaves only unreferenced files under content-addressed names, never a half-saved update.
    stored = [
        (name, kind, store_upload(settings.upload_dir, body, kind), len(body)) for name, kind, body in checked
    ]
    async with conn.transaction():
        update_id = await store.post_update(
            conn, task.id, milestone_id=milestone.id, partner_ids=user.partner_ids, files=stored, actor=actor,
            **clean,
        )  # fmt: skip
        reported = ProgressReported(update_id, milestone.id, milestone.title, clean["percent"], len(stored))
        await _record(conn, task, "handover.progress_reported", reported, actor)
    return Done(task.id, task.status)


async def review_milestone(
    conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ReviewIn, *, milestone_id: int
) -> Done:
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    reported = milestone_id in await store.reported_milestones(conn, task.id)
    raise_if(rules.validate_review(data.verdict, data.comment, reported=reported))
    async with conn.transaction():
        await store.review_milestone(
            conn, task.id, milestone_id=milestone_id, verdict=data.verdict, comment=data.comment, actor=actor
        )
        title = next(m.title for m in task.milestones if m.id == milestone_id)  # the store found it
        reviewed = MilestoneReviewed(milestone_id, title, data.verdict)
        await _record(conn, task, "handover.milestone_reviewed", reviewed, actor)
    return Done(task.id, task.status)


async def request_completion(
    conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: CommentIn
) -> Done:
    task = await _task(conn, user, task_id)
    actor = _as_holder(user, task)
    note = _reason(data.comment, "note", required=False)
    async with conn.transaction():
        await store.request_completion(conn, task.id, partner_ids=user.partner_ids, note=note, actor=actor)
        changed = _status_changed(task, "request_completion", note)
        await _record(conn, task, "handover.completion_requested", changed, actor)
    return Done(task.id, _target("request_completion"))


async def reject_completion(
    conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: ReasonIn
) -> Done:
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    reason = _reason(data.reason)
    async with conn.transaction():
        await store.reject_completion(conn, task.id, reason, actor)
        await _record(
            conn, task, "handover.completion_rejected", _status_changed(task, "reject", reason), actor
        )
    return Done(task.id, _target("reject"))


async def sign_off(
    conn: asyncpg.Connection, user: CurrentUser, task_id: int, data: CommentIn, *, dry_run: bool = False
) -> Done:
    """Final: every milestone accepted or waived, and a comment. dry_run: checks only."""
    task = await _task(conn, user, task_id)
    actor = _as_agency(user, task)
    if not rules.allowed("sign_off", task.status):
        raise store.WrongState(rules.WRONG_STATE, {"status": task.status})
    raise_if(rules.validate_sign_off([(m.title, m.status) for m in task.milestones], data.comment))
    comment = (data.comment or "").strip()
    if dry_run:
        return Done(task.id, task.status)
    async with conn.transaction():
        await store.sign_off(conn, task.id, comment, actor)
        await _record(conn, task, "handover.signed_off", _status_changed(task, "sign_off", comment), actor)
    return Done(task.id, _target("sign_off"))


# ------------------------------------------------------------------ the scheduler's verbs


async def expire_claim(conn: asyncpg.Connection, actor: Actor, task_id: int) -> Done:
    """A claim the agency did not confirm within confirm_days lapses; the task reopens."""
    _as_system(actor)
    async with conn.transaction():
        task = await store.get_task(conn, task_id)
        ended = await store.expire_claim(conn, task_id, actor)
        if ended:
            lapsed = ClaimEnded(ended["id"], ended["partner_id"], "", rules.NOT_CONFIRMED_IN_TIME)
            await _record(conn, task, "handover.claim_expired", lapsed, actor)
    return Done(task_id, _target("expire_claim"))


async def expire_task(conn: asyncpg.Connection, actor: Actor, task_id: int) -> Done:
    """An open task whose claim window closed with nobody claiming it."""
    _as_system(actor)
    async with conn.transaction():
        task = await store.get_task(conn, task_id)
        await store.expire_task(conn, task_id, actor)
        await _record(conn, task, "handover.expired", _status_changed(task, "expire"), actor)
    return Done(task_id, _target("expire"))


async def expire_stale_claims(conn: asyncpg.Connection) -> int:
    """Scheduled (civic.jobs): every claim past its confirmation time. Returns how many lapsed.
    The tasks are locked SKIP LOCKED: one someone is acting on right now waits for the next run."""
    async with conn.transaction():
        task_ids = await store.stale_claim_tasks(conn)
        for task_id in task_ids:
            await expire_claim(conn, SYSTEM, task_id)
    return len(task_ids)


async def expire_tasks(conn: asyncpg.Connection) -> int:
    """Scheduled (civic.jobs): every open task whose claim window has closed. Returns how many."""
    async with conn.transaction():
        task_ids = await store.stale_open_tasks(conn)
        for task_id in task_ids:
            await expire_task(conn, SYSTEM, task_id)
    return len(task_ids)


# ------------------------------------------------------------------ queries (pages and API alike)


async def task_detail(conn: asyncpg.Connection, user: CurrentUser | None, task_id: int) -> TaskDetail:
    task, claims = await store.get_task_and_claims(conn, task_id) or (None, [])
    task = _visible(user, task)
    return TaskDetail(
        task=task,
        timeline=await store.timeline(conn, task.id),
        updates=[
            u
            if rules.sees_update_as_written(user, task.agency_id, u.partner_slug)
            else msgspec.structs.replace(u, body=thai.mask_thai_ids(u.body))
            for u in await store.list_updates(conn, task.id)
        ],
        reviews=await store.list_reviews(conn, task.id),
        claims=claims,
    )


def board_query(params: Mapping[str, str | None]) -> BoardQuery:
    """The board's query string as filters, for the page and the API alike; anything unknown is
    dropped rather than refused."""
    get = params.get
    return BoardQuery(
        province=get("province") if provinces.is_valid(get("province")) else None,
        category=get("category") if get("category") in rules.CATEGORIES else None,
        status=get("status") if get("status") in rules.STATUSES else None,
        agency=get("agency") or None,
        partner=get("partner") or None,
        mine=get("mine") == "1",
        order=get("order") if get("order") in store.ORDERS else "newest",
        page=keyset.page_number((get("page") or "").strip()),
        at=get("at") or None,
    )


async def board(conn: asyncpg.Connection, user: CurrentUser | None, q: BoardQuery) -> TaskPage:
    """The page of tasks the query asks for; a page past the last shows the last, as the idea lists
    do (a stale link after tasks closed, or a typed number)."""
    open_to = sorted(user.partner_ids) if (q.mine and user) else None
    if q.mine and not open_to:
        open_to = [-1]  # "open to my organisation" for someone without one: nothing
    return await store.list_tasks(
        conn, province=q.province, category=q.category, status=q.status, agency=q.agency, partner=q.partner,
        open_to=open_to, viewer_agencies=sorted(user.agency_ids) if user else [], order=q.order,
        page=q.page, per_page=PAGE_SIZE, at=q.at,
    )  # fmt: skip


async def agencies(conn: asyncpg.Connection, lang: str) -> list[tuple[str, str]]:
    """The task board's agency filter: (slug, name in `lang`) of the agencies that have posted a task."""
    return await store.agencies(conn, lang)


async def overdue(conn: asyncpg.Connection, agency: str | None, partner: str | None) -> list[OverdueItem]:
    return await store.overdue(conn, agency=agency or None, partner=partner or None)


async def track_record(conn: asyncpg.Connection, slug: str) -> TrackRecord:
    record = await store.track_record(conn, slug)
    if record is None:
        raise NotFound()
    return record


async def partner_tasks(conn: asyncpg.Connection, slug: str) -> list[TaskSummary]:
    return (await store.list_tasks(conn, partner=slug, per_page=50)).items


async def evidence_file(
    conn: asyncpg.Connection, user: CurrentUser | None, task_id: int, evidence_id: int
) -> asyncpg.Record:
    row = await store.evidence_file(conn, task_id, evidence_id)
    if row is None or not rules.can_view(user, row["agency_id"], row["status"]):
        raise NotFound()
    return row


async def ocds_package(
    conn: asyncpg.Connection, settings: Settings, uri: str, task_id: int | None = None
) -> dict:
    """OCDS 1.1 releases for one public task, or for every published one."""
    if task_id is not None:
        tasks = [await _task(conn, None, task_id)]
    else:
        tasks = [await store.get_task(conn, i) for i in await store.ocds_task_ids(conn)]
    releases = []
    for task in tasks:
        claims, timeline = await store.list_claims(conn, task.id), await store.timeline(conn, task.id)
        releases.extend(ocds.releases_for(task, claims, timeline, settings.ocds_prefix, settings.base_url))
    return ocds.package(releases, uri=uri, published=datetime.now(UTC))
