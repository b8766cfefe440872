"""Implementation plans: one function per verb, and the reads the pages and the API share.

A promise belongs to another domain (an idea, a consultation's outcome): it is read through that
domain's own loaders (ideas.actions, consultations.queries), which also decide who may see it.
Evidence files go through the handovers' evidence rules and civic.uploads, as a task's do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import asyncpg
import msgspec

from civic import events, thai
from civic.accounts.schemas import CurrentUser
from civic.consultations import queries as consultations
from civic.events import ImplementationCompleted, ImplementationPlanned, ImplementationUpdated
from civic.handovers import actions as handovers
from civic.ideas import actions as ideas
from civic.ideas import rules as idea_rules
from civic.ideas.schemas import Idea, StatusIn
from civic.implementation import rules, store
from civic.implementation.rules import N_
from civic.implementation.schemas import ImplementedIn, OverdueMilestone, Plan, PlanIn, Target, UpdateIn
from civic.settings import Settings
from civic.uploads import store_upload
from civic.validation import Forbidden, Invalid, NotFound, Problem, raise_if

PLAN_NOT_FOUND = N_("We could not find that implementation plan.")
STAFF_ONLY = N_("Only staff of the agency that made this promise can plan and report its implementation.")


def now() -> datetime:
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    return (at or now()).astimezone(thai.BANGKOK).date()


def _marked(plan: Plan, day: date) -> Plan:
    """Each milestone's overdue flag, as of the Bangkok date `day`."""
    for m in plan.milestones:
        m.overdue = rules.is_overdue(m.due_on, m.done_at is not None, plan.status, day)
    return plan


# ------------------------------------------------------------------ the promise a plan is for


def _idea_as_target(idea) -> Target:
    return Target("idea", idea.id, None, None, idea.title, idea.agency_id, idea.province, list(idea.owner_ids))


async def _idea_target(conn: asyncpg.Connection, actor: CurrentUser | None, idea_id: int) -> Target:
    return _idea_as_target(await ideas.load_idea(conn, actor, idea_id))


async def plan_target(conn: asyncpg.Connection, actor: CurrentUser | None, data: PlanIn) -> Target:
    """What a new plan is for, once the actor may plan it and it is a promise still to keep:
    non-staff are refused (403) before anything about the promise's state is said."""
    if data.idea_id:
        idea = await ideas.load_idea(conn, actor, data.idea_id)
        if not rules.can_manage(actor, idea.owner_ids):
            raise Forbidden(STAFF_ONLY)
        if not rules.is_plannable_idea(idea.status, idea.hidden):
            raise Invalid({"idea_id": Problem(rules.NOT_ACCEPTED)}, status=409)
        return _idea_as_target(idea)
    if data.consultation_id:
        c = await consultations.consultation(conn, actor, data.consultation_id)
        owners = [c.owner_org_id, *c.coowner_ids]
        if not rules.can_manage(actor, owners):
            raise Forbidden(STAFF_ONLY)
        published = c.status == "outcome_published"
        themes = (await consultations.outcome(conn, actor, c.id))[1].themes if published else []
        number = data.theme or 0
        chosen = themes[number - 1] if 1 <= number <= len(themes) else None
        if chosen is None or not rules.is_adopted_theme(published, chosen.disposition):
            raise Invalid({"theme": Problem(rules.NOT_ADOPTED)}, status=409)
        # A plan made before a correction moved its theme here holds this theme already.
        planned = _placed(await store.plans_for_consultation(conn, c.id), [t.title for t in themes])
        if any(p.theme == number for p in planned):
            raise store.PlanExists()
        return Target("theme", None, c.id, number, chosen.title, c.owner_org_id, c.province, owners)
    raise Invalid({"idea_id": Problem("This field is required.")})


async def owner_ids(conn: asyncpg.Connection, actor: CurrentUser | None, plan: Plan) -> list[int]:
    if plan.idea_id is not None:
        return (await _idea_target(conn, actor, plan.idea_id)).owner_ids
    c = await consultations.consultation(conn, actor, plan.consultation_id)
    return [c.owner_org_id, *c.coowner_ids]


# ------------------------------------------------------------------ reads


async def plan(conn: asyncpg.Connection, actor: CurrentUser | None, plan_id: int) -> Plan:
    """A plan is as public as its promise: one the reader may not see does not exist for them."""
    found = await store.get_plan(conn, plan_id)
    if found is None:
        raise NotFound(PLAN_NOT_FOUND)
    await owner_ids(conn, actor, found)  # the promise's own visibility rule
    return _marked(found, today())


async def managed_plan(conn: asyncpg.Connection, actor: CurrentUser, plan_id: int) -> tuple[Plan, list[int]]:
    found = await plan(conn, actor, plan_id)
    owners = await owner_ids(conn, actor, found)
    if not rules.can_manage(actor, owners):
        raise Forbidden(STAFF_ONLY)
    return found, owners


async def plan_for_idea(conn: asyncpg.Connection, actor: CurrentUser | None, idea_id: int) -> Plan | None:
    """The idea's plan, if any (the idea page's timeline); the idea's visibility decides."""
    return await plan_of(conn, await ideas.load_idea(conn, actor, idea_id))


async def plan_of(conn: asyncpg.Connection, idea: Idea) -> Plan | None:
    """The plan of an idea its caller has read as this person may see it (ideas.load_idea)."""
    found = await store.plan_for_idea(conn, idea.id)
    return _marked(found, today()) if found else None


async def plans_for_consultation(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int, titles: list[str] | None = None
) -> list[Plan]:
    """The plans of a consultation's themes, each numbered by its theme's place in the latest
    outcome (None once a correction reworded or dropped that theme: rules.current_theme).
    `titles`: the latest outcome's theme titles, from a caller that has read that outcome, and so
    has been refused already (NotFound) if this person may not see the consultation."""
    if titles is None:
        c = await consultations.consultation(conn, actor, consultation_id)
        published = c.status == "outcome_published"
        titles = [t.title for t in (await consultations.outcome(conn, actor, c.id))[1].themes] if published else []
    return _placed(await store.plans_for_consultation(conn, consultation_id), titles)


def _placed(plans: list[Plan], titles: list[str]) -> list[Plan]:
    day = today()
    plans = [_marked(p, day) for p in plans]
    for p in plans:
        p.theme = rules.current_theme(p.theme or 0, p.theme_title, titles)
    return plans


def may_plan(actor: CurrentUser | None, owners, status: str, hidden: bool = False) -> bool:
    """For templates: show the "add a plan" link to staff of an idea that can have one."""
    return rules.can_manage(actor, owners) and rules.is_plannable_idea(status, hidden)


def may_plan_theme(actor: CurrentUser | None, owners) -> bool:
    """For templates: show the "add a plan" link on an adopted theme to the consultation's staff."""
    return rules.can_manage(actor, owners)


async def overdue(conn: asyncpg.Connection, at: datetime | None = None) -> list[OverdueMilestone]:
    """Open milestones past their due date: the public overdue list."""
    return await store.overdue(conn, at or now())


async def evidence_file(
    conn: asyncpg.Connection, actor: CurrentUser | None, plan_id: int, evidence_id: int
) -> asyncpg.Record:
    await plan(conn, actor, plan_id)
    row = await store.evidence_file(conn, plan_id, evidence_id)
    if row is None:
        raise NotFound()
    return row


# ------------------------------------------------------------------ verbs


def _subject(plan_or_target) -> tuple[str, int]:
    if plan_or_target.idea_id is not None:
        return ("idea", plan_or_target.idea_id)
    return ("consultation", plan_or_target.consultation_id)


async def create_plan(conn: asyncpg.Connection, actor: CurrentUser, data: PlanIn) -> Plan:
    target = await plan_target(conn, actor, data)
    clean, errors = rules.validate_plan(data.summary, data.starts_on, msgspec.to_builtins(data.milestones))
    raise_if(errors)
    dues = [due for _, due in clean["milestones"]]
    async with conn.transaction():
        plan_id = await store.create_plan(
            conn,
            idea_id=target.idea_id,
            consultation_id=target.consultation_id,
            theme_index=None if target.theme is None else target.theme - 1,
            theme_title=target.title if target.theme is not None else None,
            agency_id=target.agency_id,
            summary=clean["summary"],
            starts_on=clean["starts_on"],
            milestones=clean["milestones"],
            actor_id=actor.id,
        )
        planned = ImplementationPlanned(
            plan_id, target.theme, len(dues), clean["starts_on"], rules.promised_on(dues)
        )
        await events.record(conn, "implementation.planned", planned, subject=_subject(target), actor_id=actor.id,
                            agency_id=target.agency_id, province=target.province)  # fmt: skip
        await _idea_follows(conn, actor, target.idea_id, "in_progress")
    return await plan(conn, actor, plan_id)


async def post_update(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    plan_id: int,
    data: UpdateIn,
    *,
    evidence: Sequence[tuple[str, bytes]] = (),
    settings: Settings | None = None,
) -> Plan:
    """A public progress update. evidence: (file name, bytes) from the form, each checked by the
    handovers' evidence rules (kind by its bytes, size, read in a child process) before anything
    is saved; a refused file changes nothing."""
    found, _ = await managed_plan(conn, actor, plan_id)
    if not rules.can_update(found.status):
        raise store.PlanClosed()
    open_ids = {m.id for m in found.milestones if m.done_at is None}
    clean, errors = rules.validate_update(data.body, data.percent, data.links, data.milestone_id, open_ids)
    raise_if(errors)
    checked = await handovers.checked_files(settings, evidence) if evidence else []
    # Files are written before the transaction, under content-addressed names: a refused update
    # leaves at most unreferenced files, never a half-saved update.
    stored = [(n, kind, store_upload(settings.upload_dir, body, kind), len(body)) for n, kind, body in checked]
    milestone = next((m for m in found.milestones if m.id == data.milestone_id), None)
    province = await _province(conn, actor, found)
    async with conn.transaction():
        update_id = await store.post_update(
            conn, found.id, body=clean["body"], percent=clean["percent"], links=clean["links"],
            milestone_id=milestone.id if milestone else None, files=stored, actor_id=actor.id,
            agency_id=found.agency_id,
        )  # fmt: skip
        updated = ImplementationUpdated(
            found.id, update_id, clean["percent"], len(stored),
            milestone.id if milestone else None, milestone.title if milestone else "",
        )  # fmt: skip
        await events.record(conn, "implementation.updated", updated, subject=_subject(found), actor_id=actor.id,
                            agency_id=found.agency_id, province=province)  # fmt: skip
    return await plan(conn, actor, plan_id)


async def implement(conn: asyncpg.Connection, actor: CurrentUser, plan_id: int, data: ImplementedIn) -> Plan:
    """The final "implemented", with a public report; the plan takes no more updates."""
    found, _ = await managed_plan(conn, actor, plan_id)
    try:
        rules.next_status(found.status, rules.IMPLEMENTED)
    except rules.InvalidTransition:
        raise store.PlanClosed() from None
    raise_if(rules.validate_report(data.report))
    province = await _province(conn, actor, found)
    async with conn.transaction():
        at = await store.implement(
            conn, found.id, report=data.report.strip(), actor_id=actor.id, agency_id=found.agency_id
        )
        kept = rules.is_kept(today(at), found.promised_on)
        done = ImplementationCompleted(found.id, found.promised_on, kept)
        await events.record(conn, "implementation.completed", done, subject=_subject(found), actor_id=actor.id,
                            agency_id=found.agency_id, province=province)  # fmt: skip
        await _idea_follows(conn, actor, found.idea_id, "in_progress", "implemented")
    return await plan(conn, actor, plan_id)


async def _idea_follows(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int | None, *steps: str) -> None:
    """An idea's own status follows its plan, through the ideas' own status change (its rules, its
    event, its history): a plan puts an accepted idea in progress, the final report makes it
    implemented. A step the idea has already passed is skipped; inside the caller's transaction."""
    if idea_id is None:
        return
    for step in steps:
        idea = await ideas.load_idea(conn, actor, idea_id)
        if idea_rules.can_transition(idea.status, step):
            await ideas.change_status(conn, actor, idea_id, StatusIn(status=step), by_plan=True)


async def _province(conn: asyncpg.Connection, actor: CurrentUser, found: Plan) -> str | None:
    if found.idea_id is not None:
        return (await _idea_target(conn, actor, found.idea_id)).province
    return (await consultations.consultation(conn, actor, found.consultation_id)).province
