"""The admin console's verbs and reads. Each verb: may I (rules.can_administer), is it valid,
then one transaction holding the change, its audit line and its event (role.granted/revoked,
user.blocked/unblocked are official acts: civic.events appends them to the public record)."""

from __future__ import annotations

import asyncpg

from civic import events
from civic.accounts import actions as accounts
from civic.accounts.schemas import CurrentUser
from civic.admin import rules, store
from civic.admin.schemas import (
    AuditFilter,
    AuditPage,
    ConsentPage,
    JobsOut,
    RoleIn,
    StandingIn,
    UserDetail,
    UserList,
    UserRow,
)
from civic.privacy import actions as privacy
from civic.validation import Conflict, Forbidden, NotFound, raise_if


class LastAdmin(Conflict):
    code = "last_admin"
    default_msgid = rules.LAST_ADMIN


def _check(actor: CurrentUser) -> None:
    if not rules.can_administer(actor):
        raise Forbidden(rules.N_("Only platform administrators can use the admin console."))


async def _user(conn: asyncpg.Connection, user_id: int) -> UserRow:
    found = await store.user(conn, user_id)
    if found is None:
        raise NotFound(rules.N_("We could not find that person."))
    return found


# ------------------------------------------------------------------ reads


async def users(conn: asyncpg.Connection, actor: CurrentUser, q: str) -> UserList:
    _check(actor)
    q = q.strip()[: rules.ACTOR_MAX]
    return UserList(q=q, users=await store.find_users(conn, q, rules.PAGE_SIZE))


async def user_detail(conn: asyncpg.Connection, actor: CurrentUser, user_id: int) -> UserDetail:
    _check(actor)
    return UserDetail(user=await _user(conn, user_id), audit=await store.audit_about_user(conn, user_id))


async def audit_log(conn: asyncpg.Connection, actor: CurrentUser, f: AuditFilter) -> AuditPage:
    _check(actor)
    raise_if(rules.validate_audit_filter(f.actor, f.act, f.since, f.until, f.page))
    since, _ = rules.parse_day(f.since)
    until, _ = rules.parse_day(f.until)
    offset = (f.page - 1) * rules.PAGE_SIZE
    total, entries = await store.audit_page(
        conn, f.actor.strip(), f.act.strip(), since, until, rules.PAGE_SIZE, offset
    )
    return AuditPage(filter=f, total=total, page=f.page, pages=rules.pages(total), entries=entries)


async def consents(conn: asyncpg.Connection, actor: CurrentUser, purpose: str, page: int) -> ConsentPage:
    _check(actor)
    page = max(page, 1)
    rows = await privacy.consent_log(
        conn, purpose=purpose or None, limit=rules.PAGE_SIZE + 1, offset=(page - 1) * rules.PAGE_SIZE
    )
    return ConsentPage(
        purpose=purpose, page=page, records=rows[: rules.PAGE_SIZE], has_more=len(rows) > rules.PAGE_SIZE
    )


async def jobs(conn: asyncpg.Connection, actor: CurrentUser) -> JobsOut:
    _check(actor)
    failed, queued, failures = await store.mail_health(conn)
    return JobsOut(
        jobs=await store.job_runs(conn),
        consumers=await store.cursors(conn),
        mail_failed=failed,
        mail_queued=queued,
        mail_failures=failures,
    )


# ------------------------------------------------------------------ verbs


async def change_role(conn: asyncpg.Connection, actor: CurrentUser, user_id: int, data: RoleIn) -> UserDetail:
    """Grant or revoke moderator or admin, with a reason; never the last active administrator."""
    _check(actor)
    reason = data.reason.strip()
    async with conn.transaction():
        admins = await store.lock_admins(conn)  # before the target's row: one lock order for all
        target = await _user(conn, user_id)
        raise_if(rules.validate_role_change(data.role, data.reason, target.role))
        if rules.removes_last_admin(user_id, target.role, data.role == "admin", admins):
            raise LastAdmin()
        kind = rules.role_event(target.role, data.role)
        await store.set_role(
            conn, user_id, data.role, target.role, act=kind, actor_id=actor.id, reason=reason
        )
        await events.record(
            conn,
            kind,
            events.RoleChanged(role=data.role, previous=target.role, reason=reason),
            subject=("user", user_id),
            actor_id=actor.id,
        )
    return await user_detail(conn, actor, user_id)


async def block(conn: asyncpg.Connection, actor: CurrentUser, user_id: int, data: StandingIn) -> UserDetail:
    """Block a person: their sessions and API tokens end (accounts.set_standing)."""
    _check(actor)
    raise_if(rules.validate_standing_change(data.reason, actor.id, user_id))
    async with conn.transaction():
        admins = await store.lock_admins(conn)
        target = await _user(conn, user_id)
        if target.status == "blocked":
            raise Conflict(rules.N_("This person is already blocked."))
        if rules.removes_last_admin(user_id, target.role, False, admins):
            raise LastAdmin()
        await accounts.set_standing(conn, actor, user_id, "blocked")
        await store.audit_standing(conn, user_id, "user.block", actor_id=actor.id, reason=data.reason.strip())
        await events.record(
            conn,
            "user.blocked",
            events.UserBlocked(role=target.role),
            subject=("user", user_id),
            actor_id=actor.id,
        )
    return await user_detail(conn, actor, user_id)


async def unblock(conn: asyncpg.Connection, actor: CurrentUser, user_id: int, data: StandingIn) -> UserDetail:
    _check(actor)
    raise_if(rules.validate_standing_change(data.reason, actor.id, user_id))
    async with conn.transaction():
        target = await _user(conn, user_id)
        if target.status != "blocked":
            raise Conflict(rules.N_("This person is not blocked."))
        await accounts.set_standing(conn, actor, user_id, "active")
        await store.audit_standing(
            conn, user_id, "user.unblock", actor_id=actor.id, reason=data.reason.strip()
        )
        await events.record(
            conn,
            "user.unblocked",
            events.UserBlocked(role=target.role),
            subject=("user", user_id),
            actor_id=actor.id,
        )
    return await user_detail(conn, actor, user_id)
