"""Organisations and memberships: one function per state change, each recording its event.

Registering, editing and the partner verification cycle (resubmit, verify, reject); joining,
answering a join request, roles, removal and leaving. Each action asks rules first, then changes
the store and records its event in one transaction, and raises only DomainErrors. The store's
own refusals (it re-checks under a row lock what two people could race for: the last admin, a
slug, a request already answered) are translated here."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from civic import events
from civic.accounts.schemas import CurrentUser
from civic.events import MembershipChanged, OrgEdited, OrgRegistered, OrgVerification
from civic.orgs import rules, store
from civic.orgs.queries import for_editing, organisation, parent_choices
from civic.orgs.schemas import (
    JoinDecisionIn,
    JoinOut,
    MemberDetail,
    Organisation,
    RegisterOrgIn,
    RoleIn,
    UpdateOrgIn,
    VerifyIn,
)
from civic.validation import Conflict, Errors, Forbidden, Invalid, NotFound, Problem

ORG_FIELDS = tuple(RegisterOrgIn.__struct_fields__)
# The text fields of the edit form (skills is a list, handled on its own).
EDIT_FIELDS = tuple(f for f in UpdateOrgIn.__struct_fields__ if f != "skills")
STRUCTURE_FIELDS = ("level", "parent_id")
PARENT_LOOPS = Problem("An agency cannot be placed under itself or under an agency below it.")
SLUG_IN_USE = Problem("This web address is already in use. Choose another.")
MANAGERS_ONLY = "Only the organisation's administrators can manage its members."


class SlugTaken(Invalid):
    status = 409
    code = "slug_taken"


class AlreadyMember(Conflict):
    code = "already_member"
    default_msgid = "You are already a member of this organisation, or your request is waiting for an answer."


class LastAdmin(Conflict):
    code = "last_admin"
    default_msgid = (
        "An organisation needs at least one administrator. Make someone else an administrator first."
    )


class NotMember(NotFound):
    code = "not_member"
    default_msgid = "This person is not a member of the organisation."


class NotPending(Conflict):
    code = "not_pending"
    default_msgid = "This request has already been answered."


class NotRejected(Conflict):
    code = "not_rejected"
    default_msgid = "Only an organisation that was not approved can be sent for checking again."


class NotAPartner(Conflict):
    code = "not_a_partner"
    default_msgid = "Only partner organisations are verified."


class NothingToLeave(Conflict):
    code = "not_member"
    default_msgid = "You are not a member of this organisation."


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_msgid = "This organisation already has that status. Reload the page."


def _refuse_if(errors: Errors) -> None:
    # Organisation forms have always answered bad input with 400, over the form and the API.
    if errors:
        raise Invalid(errors, status=400)


def _text(value: Any) -> str:
    if value is None or value is msgspec.UNSET:
        return ""
    return value if isinstance(value, str) else str(value)


def current_values(org: Organisation) -> dict[str, Any]:
    """The edit form's starting values, as a form would carry them."""
    return {k: _text(getattr(org, k)) for k in EDIT_FIELDS} | {"skills": list(org.skills)}


def _agency_id(org: Organisation) -> int | None:
    return org.id if org.kind == "agency" else None


async def _record(
    conn: asyncpg.Connection, kind: str, payload: msgspec.Struct, org: Organisation, actor: CurrentUser
) -> None:
    await events.record(
        conn,
        kind,
        payload,
        subject=("organisation", org.id),
        actor_id=actor.id,
        agency_id=_agency_id(org),
        province=org.province,
    )


def _membership(
    org: Organisation, user_id: int, role: str, previous_role: str | None = None
) -> MembershipChanged:
    return MembershipChanged(slug=org.slug, user_id=user_id, role=role, previous_role=previous_role)


# ------------------------------------------------------------------ organisations


async def register_org(conn: asyncpg.Connection, actor: CurrentUser, data: RegisterOrgIn) -> Organisation:
    """A partner (anyone logged in; it starts pending) or an agency (platform admins). The person
    registering becomes its admin."""
    values = {k: _text(getattr(data, k)) for k in ORG_FIELDS}
    kind = values["kind"].strip() or "partner"
    values["kind"] = kind
    if kind == "agency" and not rules.can_register_org(actor, "agency"):
        raise Forbidden("Only platform administrators can register government agencies.")
    if not rules.can_register_org(actor, kind if kind in rules.KINDS else "partner"):
        raise Forbidden()
    agencies = await store.agency_choices(conn) if kind == "agency" else []
    _refuse_if(rules.validate_organisation(values, agency_ids=frozenset(a.id for a in agencies)))
    is_agency = kind == "agency"
    fields = {
        "kind": kind,
        "name_th": values["name_th"].strip(),
        "name_en": values["name_en"].strip(),
        "description": values["description"].strip(),
        "province": values["province"].strip() or None,
        "level": values["level"].strip() if is_agency else None,
        "parent_id": int(values["parent_id"]) if is_agency and values["parent_id"].strip() else None,
        "partner_type": None if is_agency else values["partner_type"].strip(),
        "website": values["website"].strip(),
        "contact_email": values["contact_email"].strip(),
    }
    base = rules.make_slug(fields["name_en"], fields["name_th"], fallback="")
    async with conn.transaction():
        try:
            org_id = await store.register_organisation(
                conn,
                user_id=actor.id,
                slug=values["slug"].strip() or None,
                slug_base=base or rules.fallback_slug(kind, fields["partner_type"]),
                slug_numbered=not base,
                **fields,
            )
        except store.SlugTaken:
            raise SlugTaken({"slug": SLUG_IN_USE}) from None
        org = await store.get_organisation(conn, org_id)
        assert org is not None
        payload = OrgRegistered(
            slug=org.slug,
            kind=org.kind,
            name_th=org.name_th,
            name_en=org.name_en,
            verification=org.verification,
            level=org.level,
            parent_id=org.parent_id,
            partner_type=org.partner_type,
        )
        await _record(conn, "org.registered", payload, org, actor)
    return org


async def edit_org(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str, data: UpdateOrgIn
) -> Organisation:
    """Change the fields given (the others stay); an agency's level and parent only by platform
    admins. Records org.edited only when something really changed."""
    org = await for_editing(conn, actor, slug)
    current = current_values(org)
    values = current | {
        k: _text(getattr(data, k)) for k in EDIT_FIELDS if getattr(data, k) is not msgspec.UNSET
    }
    if org.kind == "agency" and not rules.can_edit_structure(actor):
        if any(values[k].strip() != current[k] for k in STRUCTURE_FIELDS):
            raise Forbidden("Only platform administrators can change an agency's level or parent agency.")
    parents = await parent_choices(conn, org)
    checked = values | {"kind": org.kind, "slug": "", "partner_type": org.partner_type or ""}
    skills = org.skills if data.skills is msgspec.UNSET else data.skills
    _refuse_if(
        rules.validate_organisation(
            checked, allowed_kinds_=(org.kind,), agency_ids=frozenset(a.id for a in parents)
        )
        | rules.validate_skills(org.kind, skills)
    )
    fields: dict[str, Any] = {
        "name_th": values["name_th"].strip(),
        "name_en": values["name_en"].strip(),
        "description": values["description"].strip(),
        "province": values["province"].strip() or None,
        "website": values["website"].strip(),
        "contact_email": values["contact_email"].strip(),
    }
    if org.kind == "partner":
        fields["skills"] = rules.clean_skills(skills)
    if org.kind == "agency":
        fields["level"] = values["level"].strip()
        fields["parent_id"] = int(values["parent_id"]) if values["parent_id"].strip() else None
    async with conn.transaction():
        try:
            changed = await store.update_organisation(conn, org.id, actor_id=actor.id, **fields)
        except store.InvalidParent:
            raise Invalid({"parent_id": PARENT_LOOPS}, status=400) from None
        if changed:
            edited = OrgEdited(slug=org.slug, name_th=fields["name_th"], changed=changed)
            await _record(conn, "org.edited", edited, org, actor)
    return await organisation(conn, actor, org.slug)


async def resubmit_org(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> Organisation:
    """A rejected partner's admins send it back to the platform team (it becomes pending)."""
    org = await organisation(conn, actor, slug)
    if not rules.can_resubmit(actor, org.id, org.kind, org.verification):
        if org.kind == "partner" and org.verification != "rejected" and rules.can_edit_org(actor, org.id):
            raise NotRejected()
        raise Forbidden("Only the organisation's administrators can ask for it to be checked again.")
    async with conn.transaction():
        try:
            await store.resubmit_partner(conn, org.id, actor_id=actor.id)
        except store.NotRejected:
            raise NotRejected() from None
        resubmitted = OrgVerification(
            slug=org.slug, name_th=org.name_th, previous="rejected", verification="pending"
        )
        await _record(conn, "org.resubmitted", resubmitted, org, actor)
    return await organisation(conn, actor, org.slug)


async def verify_org(
    conn: asyncpg.Connection, actor: CurrentUser, ref: str | int, data: VerifyIn
) -> Organisation:
    """A platform admin verifies a partner or rejects it with a reason (rules.TRANSITIONS)."""
    if not rules.can_verify_partner(actor):
        raise Forbidden("Only platform administrators can verify partner organisations.")
    org = await organisation(conn, actor, ref)
    if org.kind != "partner":
        raise NotAPartner()
    _refuse_if(rules.validate_decision(data.decision, data.reason))
    reason = data.reason.strip()
    async with conn.transaction():
        try:
            previous = await store.set_verification(
                conn,
                org.id,
                decision=data.decision,
                reason=reason,
                actor_id=actor.id,
                allowed=rules.TRANSITIONS,
            )
        except store.InvalidTransition:
            raise InvalidTransition() from None
        payload = OrgVerification(
            slug=org.slug,
            name_th=org.name_th,
            previous=previous,
            verification=data.decision,
            reason=reason if data.decision == "rejected" else "",
        )
        await _record(conn, f"org.{data.decision}", payload, org, actor)
    updated = await store.get_organisation(conn, org.id)
    assert updated is not None
    return updated


# ------------------------------------------------------------------ memberships


async def request_join(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> JoinOut:
    """A join request, which an admin of the organisation answers. The membership's primary key
    keeps it single when two arrive at once."""
    org = await organisation(conn, actor, slug)
    status = await store.membership_status(conn, org.id, actor.id)
    if not rules.can_request_join(actor, org.id, pending=status is not None):
        raise AlreadyMember()
    async with conn.transaction():
        try:
            status = await store.request_join(conn, org.id, actor.id)
        except store.AlreadyMember:
            raise AlreadyMember() from None
        await _record(conn, "membership.requested", _membership(org, actor.id, "member"), org, actor)
    return JoinOut(org_id=org.id, slug=org.slug, status=status)  # type: ignore[arg-type]


async def decide_join(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str, user_id: int, data: JoinDecisionIn
) -> Organisation:
    """Accept (an active member) or decline (the request is removed)."""
    org = await organisation(conn, actor, slug)
    if not rules.can_manage_members(actor, org.id):
        raise Forbidden()
    _refuse_if(rules.validate_join_decision(data.decision))
    accept = data.decision == "accept"
    async with conn.transaction():
        try:
            await store.decide_join_request(conn, org.id, user_id, accept=accept, actor_id=actor.id)
        except store.NotPending:
            raise NotPending() from None
        kind = "membership.added" if accept else "membership.declined"
        await _record(conn, kind, _membership(org, user_id, "member"), org, actor)
    return org


def _membership_refusal(exc: Exception) -> Exception:
    if isinstance(exc, store.LastAdmin):
        return LastAdmin()
    if isinstance(exc, store.NotAnAdmin):
        return Forbidden()
    return NotMember()


MEMBERSHIP_REFUSALS = (store.LastAdmin, store.NotAnAdmin, store.NotMember)


async def change_role(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str, user_id: int, data: RoleIn
) -> MemberDetail:
    """member <-> admin, by the organisation's admins; an organisation always keeps an admin."""
    org = await organisation(conn, actor, slug)
    if not rules.can_manage_members(actor, org.id):
        raise Forbidden(MANAGERS_ONLY)
    _refuse_if(rules.validate_role(data.role))
    async with conn.transaction():
        try:
            changed = await store.set_member_role(conn, org.id, user_id, data.role, actor_id=actor.id)
        except MEMBERSHIP_REFUSALS as exc:
            raise _membership_refusal(exc) from None
        if changed:
            # Two roles: a change always comes from the other one.
            previous = "member" if data.role == "admin" else "admin"
            await _record(
                conn, "membership.role_changed", _membership(org, user_id, data.role, previous), org, actor
            )
    return next(m for m in await store.list_member_details(conn, org.id) if m.user_id == user_id)


async def remove_member(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str, user_id: int
) -> Organisation:
    org = await organisation(conn, actor, slug)
    if not rules.can_manage_members(actor, org.id):
        raise Forbidden(MANAGERS_ONLY)
    async with conn.transaction():
        try:
            role = await store.remove_member(conn, org.id, user_id, actor_id=actor.id)
        except MEMBERSHIP_REFUSALS as exc:
            raise _membership_refusal(exc) from None
        await _record(conn, "membership.removed", _membership(org, user_id, role), org, actor)
    return org


async def leave_org(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> tuple[Organisation, str]:
    """Leave, or withdraw a waiting request; returns the organisation and the status that ended."""
    org = await organisation(conn, actor, slug)
    async with conn.transaction():
        try:
            status = await store.leave_organisation(conn, org.id, actor.id)
        except store.LastAdmin:
            raise LastAdmin(
                "You are the only administrator. Make someone else an administrator before you leave."
            ) from None
        except store.NotMember:
            raise NothingToLeave() from None
        if status == "active":
            left = _membership(org, actor.id, actor.org_role(org.id) or "member")
            await _record(conn, "membership.left", left, org, actor)
        else:
            await _record(
                conn, "membership.request_withdrawn", _membership(org, actor.id, "member"), org, actor
            )
    return org, status
