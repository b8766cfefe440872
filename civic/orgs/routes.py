"""Organisation directory, profiles, registration, join requests, partner verification,
and their /api/v1 twins. Each page and its JSON twin share one loader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.orgs import rules, store
from civic.orgs.schemas import (
    JoinOut,
    MemberDetail,
    MemberList,
    Organisation,
    OrganisationDetail,
    OrganisationList,
    RegisterOrgIn,
    RoleIn,
    UpdateOrgIn,
    VerifyIn,
)
from civic.validation import Errors, Problem, check_text
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import current_user, forbid, not_found, require_user
from civic.web.templating import lang_of, redirect, render, translate_errors, wants_partial

ORG_FIELDS = (
    "kind",
    "name_th",
    "name_en",
    "slug",
    "description",
    "province",
    "level",
    "parent_id",
    "partner_type",
    "website",
    "contact_email",
)
EDIT_FIELDS = (
    "name_th",
    "name_en",
    "description",
    "province",
    "website",
    "contact_email",
    "level",
    "parent_id",
)
STRUCTURE_FIELDS = ("level", "parent_id")
PARENT_LOOPS = Problem("An agency cannot be placed under itself or under an agency below it.")
SLUG_TAKEN = Problem("This web address is already in use. Choose another.")


# ------------------------------------------------------------------ shared loaders


def _choice(raw: Mapping[str, Any], key: str, allowed) -> str | None:
    value = raw.get(key) or ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if value and value not in allowed:
        raise ClientError(400, "invalid_filter", "Choose one of the options.", field=key)
    return value or None


def _filters(raw: Mapping[str, Any]) -> tuple[dict[str, str | None], int]:
    """Directory filters from a query string; a 400 names the field that is wrong."""
    filters = {
        "kind": _choice(raw, "kind", rules.KINDS),
        "level": _choice(raw, "level", rules.LEVELS),
        "partner_type": _choice(raw, "partner_type", rules.PARTNER_TYPES),
        "verification": _choice(raw, "verification", rules.VERIFICATIONS),
        "province": _choice(raw, "province", provinces.codes()),
    }
    q = raw.get("q") or ""
    problem = check_text(q, max_len=200, required=False)
    if problem:
        raise ClientError(400, "invalid_filter", problem.msgid, field="q", **problem.params)
    filters["q"] = q.strip() or None
    page = rules.parse_page(raw.get("page"))
    if page is None:
        raise ClientError(400, "invalid_filter", "The page number is not valid.", field="page")
    return filters, page


async def load_directory(
    db: Db, user: CurrentUser | None, raw: Mapping[str, Any], per_page: int = rules.PER_PAGE
) -> tuple[OrganisationList, dict[str, str | None]]:
    filters, page = _filters(raw)
    staff = user is not None and user.is_moderator
    total = await store.count_organisations(db, include_rejected=staff, **filters)
    pages = max(1, -(-total // per_page))
    items = await store.list_organisations(
        db, include_rejected=staff, limit=per_page, offset=(page - 1) * per_page, **filters
    )
    for org in items:
        if not rules.can_see_rejection_reason(user, org.id):
            org.rejection_reason = ""
    return OrganisationList(items=items, total=total, page=page, pages=pages, per_page=per_page), filters


async def load_org(db: Db, user: CurrentUser | None, slug: str) -> Organisation:
    org = await store.get_organisation(db, slug)
    if org is None or not rules.can_view(user, org.id, org.kind, org.verification):
        raise not_found("We could not find that organisation.")
    if not rules.can_see_rejection_reason(user, org.id):
        org.rejection_reason = ""
    return org


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


async def register_org(db: Db, user: CurrentUser, raw: Mapping[str, Any]) -> tuple[int, str]:
    """Validate and store a registration; raises _Invalid with field errors."""
    values = {k: _as_text(raw.get(k)) for k in ORG_FIELDS}
    kind = values["kind"].strip() or "partner"
    values["kind"] = kind
    if kind == "agency" and not rules.can_register_org(user, "agency"):
        raise forbid("Only platform administrators can register government agencies.")
    if not rules.can_register_org(user, kind if kind in rules.KINDS else "partner"):
        raise forbid()
    agencies = await store.agency_choices(db) if kind == "agency" else []
    errors = rules.validate_organisation(values, agency_ids=frozenset(a.id for a in agencies))
    if errors:
        raise _Invalid(errors)
    is_agency = kind == "agency"
    slug = values["slug"].strip() or None
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
    try:
        org_id = await store.register_organisation(
            db,
            user_id=user.id,
            slug=slug,
            slug_base=base or rules.fallback_slug(kind, fields["partner_type"]),
            slug_numbered=not base,
            **fields,
        )
    except store.SlugTaken:
        raise _Invalid({"slug": SLUG_TAKEN}, status=409) from None
    org = await store.get_organisation(db, org_id)
    assert org is not None
    return org_id, org.slug


class _Invalid(Exception):
    def __init__(self, errors: Errors, status: int = 400) -> None:
        self.errors = errors
        self.status = status


def _api_invalid(exc: _Invalid) -> ClientError:
    field, problem = next(iter(exc.errors.items()))
    code = "slug_taken" if exc.status == 409 else "invalid_input"
    return ClientError(exc.status, code, problem.msgid, field=field, **problem.params)


def current_values(org: Organisation) -> dict[str, str]:
    """The edit form's starting values, as the strings a form would carry."""
    values = {k: _as_text(getattr(org, k)) for k in EDIT_FIELDS}
    values["province"] = org.province or ""
    values["level"] = org.level or ""
    values["parent_id"] = str(org.parent_id) if org.parent_id else ""
    return values


async def parent_choices(db: Db, org: Organisation) -> list:
    return [a for a in await store.agency_choices(db) if a.id != org.id] if org.kind == "agency" else []


async def edit_org(db: Db, user: CurrentUser, org: Organisation, raw: Mapping[str, Any]) -> list[str]:
    """Apply the fields present in `raw` (form or JSON); raises _Invalid with field errors.
    Returns the names of the fields that changed."""
    if not rules.can_edit_org(user, org.id):
        raise forbid("Only the organisation's administrators can edit it.")
    current = current_values(org)
    values = current | {k: _as_text(raw[k]) for k in EDIT_FIELDS if k in raw}
    if org.kind == "agency" and not rules.can_edit_structure(user):
        if any(values[k].strip() != current[k] for k in STRUCTURE_FIELDS):
            raise forbid("Only platform administrators can change an agency's level or parent agency.")
    parents = await parent_choices(db, org)
    checked = values | {"kind": org.kind, "slug": "", "partner_type": org.partner_type or ""}
    errors = rules.validate_organisation(
        checked, allowed_kinds_=(org.kind,), agency_ids=frozenset(a.id for a in parents)
    )
    if errors:
        raise _Invalid(errors)
    is_agency = org.kind == "agency"
    fields: dict[str, Any] = {
        "name_th": values["name_th"].strip(),
        "name_en": values["name_en"].strip(),
        "description": values["description"].strip(),
        "province": values["province"].strip() or None,
        "website": values["website"].strip(),
        "contact_email": values["contact_email"].strip(),
    }
    if is_agency:
        fields["level"] = values["level"].strip()
        fields["parent_id"] = int(values["parent_id"]) if values["parent_id"].strip() else None
    try:
        return await store.update_organisation(db, org.id, actor_id=user.id, **fields)
    except store.InvalidParent:
        raise _Invalid({"parent_id": PARENT_LOOPS}) from None


async def join_org(db: Db, user: CurrentUser, org: Organisation) -> str:
    status = await store.membership_status(db, org.id, user.id)
    if not rules.can_request_join(user, org.id, pending=status is not None):
        raise _already_member()
    try:
        return await store.request_join(db, org.id, user.id)
    except store.AlreadyMember:
        raise _already_member() from None


def _already_member() -> ClientError:
    return ClientError(
        409,
        "already_member",
        "You are already a member of this organisation, or your request is waiting for an answer.",
    )


def _membership_error(exc: Exception) -> ClientError:
    if isinstance(exc, store.LastAdmin):
        return ClientError(
            409,
            "last_admin",
            "An organisation needs at least one administrator. Make someone else an administrator first.",
        )
    if isinstance(exc, store.NotAnAdmin):
        return forbid()
    return ClientError(404, "not_member", "This person is not a member of the organisation.")


MEMBERSHIP_ERRORS = (store.LastAdmin, store.NotAnAdmin, store.NotMember)


async def change_role(db: Db, user: CurrentUser, org: Organisation, member_id: int, role: str) -> bool:
    if not rules.can_manage_members(user, org.id):
        raise forbid("Only the organisation's administrators can manage its members.")
    errors = rules.validate_role(role)
    if errors:
        raise _api_invalid(_Invalid(errors))
    try:
        return await store.set_member_role(db, org.id, member_id, role, actor_id=user.id)
    except MEMBERSHIP_ERRORS as exc:
        raise _membership_error(exc) from None


async def remove_member(db: Db, user: CurrentUser, org: Organisation, member_id: int) -> None:
    if not rules.can_manage_members(user, org.id):
        raise forbid("Only the organisation's administrators can manage its members.")
    try:
        await store.remove_member(db, org.id, member_id, actor_id=user.id)
    except MEMBERSHIP_ERRORS as exc:
        raise _membership_error(exc) from None


async def leave_org(db: Db, user: CurrentUser, org: Organisation) -> str:
    try:
        return await store.leave_organisation(db, org.id, user.id)
    except store.LastAdmin:
        raise ClientError(
            409,
            "last_admin",
            "You are the only administrator. Make someone else an administrator before you leave.",
        ) from None
    except store.NotMember:
        raise ClientError(409, "not_member", "You are not a member of this organisation.") from None


async def resubmit_org(db: Db, user: CurrentUser, org: Organisation) -> None:
    if not rules.can_resubmit(user, org.id, org.kind, org.verification):
        if org.kind == "partner" and org.verification != "rejected" and rules.can_edit_org(user, org.id):
            raise _not_rejected()
        raise forbid("Only the organisation's administrators can ask for it to be checked again.")
    try:
        await store.resubmit_partner(db, org.id, actor_id=user.id)
    except store.NotRejected:
        raise _not_rejected() from None


def _not_rejected() -> ClientError:
    return ClientError(
        409, "not_rejected", "Only an organisation that was not approved can be sent for checking again."
    )


async def verify_org(db: Db, user: CurrentUser, org: Organisation, decision: str, reason: str) -> None:
    if not rules.can_verify_partner(user):
        raise forbid("Only platform administrators can verify partner organisations.")
    if org.kind != "partner":
        raise ClientError(409, "not_a_partner", "Only partner organisations are verified.")
    errors = rules.validate_decision(decision, reason)
    if errors:
        raise _Invalid(errors)
    try:
        await store.set_verification(
            db,
            org.id,
            decision=decision,
            reason=reason.strip(),
            actor_id=user.id,
            allowed=rules.TRANSITIONS,
        )
    except store.InvalidTransition:
        raise ClientError(
            409, "invalid_transition", "This organisation already has that status. Reload the page."
        ) from None


# ------------------------------------------------------------------ HTML pages


def _page_url(filters: Mapping[str, str | None]):
    def url(n: int) -> str:
        params = {k: v for k, v in filters.items() if v} | {"page": n}
        return "/organisations?" + urlencode(params)

    return url


class OrganisationPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/organisations")
    async def directory(self, request: Request, db: Db) -> Template:
        user = current_user(request)
        result, filters = await load_directory(db, user, request.query_params)
        ctx = {
            "result": result,
            "filters": filters,
            "page_url": _page_url(filters),
            "can_register": rules.can_register_org(user, "partner") or user is None,
        }
        if wants_partial(request, "org-results"):
            return render(request, "orgs/_results.html", ctx)
        return render(request, "orgs/directory.html", ctx)

    @get("/organisations/new")
    async def register_form(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        return await self._register_page(request, db, user, {"kind": "partner"}, {})

    @post("/organisations/new")
    async def register(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        form = await request.form()
        try:
            _, slug = await register_org(db, user, form)
        except _Invalid as exc:
            values = {k: _as_text(form.get(k, "")) for k in ORG_FIELDS}
            return await self._register_page(
                request, db, user, values, translate_errors(lang_of(request), exc.errors), exc.status
            )
        if form.get("kind") == "agency":
            return redirect(f"/organisations/{slug}", flash=("success", "The agency is registered."))
        return redirect(
            f"/organisations/{slug}",
            flash=(
                "success",
                "Your organisation is registered. It will be marked verified after the platform team checks it.",
            ),
        )

    async def _register_page(
        self,
        request: Request,
        db: Db,
        user: CurrentUser,
        values: dict,
        errors: dict,
        status: int = 200,
    ) -> Template:
        kinds = rules.allowed_kinds(user)
        agencies = await store.agency_choices(db) if "agency" in kinds else []
        return render(
            request,
            "orgs/new.html",
            {"values": values, "errors": errors, "kinds": kinds, "agencies": agencies},
            status=status,
        )

    @get("/organisations/{slug:str}")
    async def profile(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = current_user(request)
        org = await load_org(db, user, slug)
        parent = await store.get_organisation(db, org.parent_id) if org.parent_id else None
        children = await store.child_agencies(db, org.id)
        status = await store.membership_status(db, org.id, user.id) if user else None
        return render(
            request,
            "orgs/profile.html",
            {
                "org": org,
                "parent": parent,
                "children": children,
                "membership": status,
                "can_join": rules.can_request_join(user, org.id, pending=status is not None),
                "can_view_members": rules.can_view_members(user, org.id),
                "can_manage": rules.can_manage_members(user, org.id),
                "can_verify": rules.can_verify_partner(user) and org.kind == "partner",
                "can_edit": rules.can_edit_org(user, org.id),
                "can_leave": rules.can_leave(user, status),
                "can_resubmit": rules.can_resubmit(user, org.id, org.kind, org.verification),
                "show_reason": rules.can_see_rejection_reason(user, org.id),
            },
        )

    @get("/organisations/{slug:str}/edit")
    async def edit_form(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        org = await load_org(db, user, slug)
        if not rules.can_edit_org(user, org.id):
            raise forbid("Only the organisation's administrators can edit it.")
        return await self._edit_page(request, db, user, org, current_values(org), {})

    @post("/organisations/{slug:str}/edit")
    async def edit(self, request: Request, db: Db, slug: FromPath[str]) -> Template | Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        form = await request.form()
        try:
            await edit_org(db, user, org, form)
        except _Invalid as exc:
            values = current_values(org) | {k: _as_text(form.get(k, "")) for k in EDIT_FIELDS if k in form}
            return await self._edit_page(
                request, db, user, org, values, translate_errors(lang_of(request), exc.errors), exc.status
            )
        return redirect(
            f"/organisations/{org.slug}", flash=("success", "The organisation's details were saved.")
        )

    async def _edit_page(
        self,
        request: Request,
        db: Db,
        user: CurrentUser,
        org: Organisation,
        values: dict,
        errors: dict,
        status: int = 200,
    ) -> Template:
        structure = org.kind == "agency" and rules.can_edit_structure(user)
        return render(
            request,
            "orgs/edit.html",
            {
                "org": org,
                "values": values,
                "errors": errors,
                "can_edit_structure": structure,
                "agencies": await parent_choices(db, org) if structure else [],
            },
            status=status,
        )

    @post("/organisations/{slug:str}/resubmit")
    async def resubmit(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        await resubmit_org(db, user, org)
        return redirect(
            f"/organisations/{org.slug}",
            flash=("success", "Your organisation was sent to the platform team to be checked again."),
        )

    @post("/organisations/{slug:str}/join")
    async def join(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        await join_org(db, user, org)
        return redirect(
            f"/organisations/{org.slug}",
            flash=("success", "Your request to join was sent. An admin of the organisation will answer it."),
        )

    @get("/organisations/{slug:str}/members")
    async def members(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        org = await load_org(db, user, slug)
        if not rules.can_view_members(user, org.id):
            raise forbid()
        members = await store.list_members(db, org.id)
        return render(
            request,
            "orgs/members.html",
            {
                "org": org,
                "pending": [m for m in members if m.status == "pending"],
                "active": [m for m in members if m.status == "active"],
                "can_manage": rules.can_manage_members(user, org.id),
                "admin_count": sum(1 for m in members if m.status == "active" and m.role == "admin"),
            },
        )

    @post("/organisations/{slug:str}/members/{member_id:int}")
    async def decide_member(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        if not rules.can_manage_members(user, org.id):
            raise forbid()
        form = await request.form()
        decision = form.get("decision", "")
        if decision not in ("accept", "decline"):
            raise ClientError(400, "invalid_input", "Choose one of the options.", field="decision")
        try:
            await store.decide_join_request(
                db, org.id, member_id, accept=decision == "accept", actor_id=user.id
            )
        except store.NotPending:
            raise ClientError(409, "not_pending", "This request has already been answered.") from None
        if decision == "accept":
            return redirect(
                f"/organisations/{org.slug}/members", flash=("success", "The request was accepted.")
            )
        return redirect(f"/organisations/{org.slug}/members", flash=("success", "The request was declined."))

    @post("/organisations/{slug:str}/members/{member_id:int}/role")
    async def member_role(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        form = await request.form()
        role = _as_text(form.get("role", ""))
        await change_role(db, user, org, member_id, role)
        if member_id == user.id and role == "member":
            return redirect(
                f"/organisations/{org.slug}", flash=("success", "You are now a member, not an administrator.")
            )
        if role == "admin":
            return redirect(
                f"/organisations/{org.slug}/members", flash=("success", "The member is now an administrator.")
            )
        return redirect(
            f"/organisations/{org.slug}/members", flash=("success", "The person is now a member.")
        )

    @post("/organisations/{slug:str}/members/{member_id:int}/remove")
    async def member_remove(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        await remove_member(db, user, org, member_id)
        return redirect(
            f"/organisations/{org.slug}/members",
            flash=("success", "The member was removed from the organisation."),
        )

    @post("/organisations/{slug:str}/leave")
    async def leave(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        user = require_user(request)
        org = await load_org(db, user, slug)
        status = await leave_org(db, user, org)
        if status == "pending":
            return redirect(
                f"/organisations/{org.slug}", flash=("success", "Your request to join was withdrawn.")
            )
        if not rules.can_view(None, org.id, org.kind, org.verification):
            return redirect("/organisations", flash=("success", "You have left the organisation."))
        return redirect(f"/organisations/{org.slug}", flash=("success", "You have left the organisation."))

    @get("/admin/partners")
    async def partner_queue(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        if not rules.can_verify_partner(user):
            raise forbid()
        status = request.query_params.get("status") or "pending"
        if status not in rules.VERIFICATIONS:
            raise ClientError(400, "invalid_filter", "Choose one of the options.", field="status")
        partners = await store.list_organisations(
            db, kind="partner", verification=status, include_rejected=True, limit=200
        )
        return render(request, "orgs/admin_partners.html", {"partners": partners, "status": status})

    @get("/admin/partners/{org_id:int}")
    async def review(self, request: Request, db: Db, org_id: FromPath[int]) -> Template:
        user = require_user(request)
        if not rules.can_verify_partner(user):
            raise forbid()
        org = await store.get_organisation(db, org_id)
        if org is None or org.kind != "partner":
            raise not_found("We could not find that organisation.")
        return render(request, "orgs/review.html", {"org": org, "values": {}, "errors": {}})

    @post("/admin/partners/{org_id:int}")
    async def decide_partner(self, request: Request, db: Db, org_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        if not rules.can_verify_partner(user):
            raise forbid("Only platform administrators can verify partner organisations.")
        org = await store.get_organisation(db, org_id)
        if org is None or org.kind != "partner":
            raise not_found("We could not find that organisation.")
        form = await request.form()
        decision = form.get("decision", "")
        reason = form.get("reason", "")
        try:
            await verify_org(db, user, org, decision, reason)
        except _Invalid as exc:
            return render(
                request,
                "orgs/review.html",
                {
                    "org": org,
                    "values": {"decision": decision, "reason": reason},
                    "errors": translate_errors(lang_of(request), exc.errors),
                },
                status=exc.status,
            )
        if decision == "verified":
            return redirect("/admin/partners", flash=("success", "The partner is now verified."))
        return redirect("/admin/partners", flash=("success", "The partner was rejected."))


# ------------------------------------------------------------------ JSON API


class OrganisationsApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", summary="Organisations directory, with filters and pages")
    async def list_(
        self,
        request: Request,
        db: Db,
        kind: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        partner_type: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        verification: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        per_page: FromQuery[str | None] = None,
    ) -> OrganisationList:
        raw = {
            "kind": kind,
            "level": level,
            "partner_type": partner_type,
            "province": province,
            "verification": verification,
            "q": q,
            "page": page,
        }
        size = rules.parse_page(per_page) if per_page else rules.PER_PAGE
        if size is None or size > rules.PER_PAGE_MAX:
            raise ClientError(
                400,
                "invalid_filter",
                "Ask for at most %(max)s per page.",
                field="per_page",
                max=rules.PER_PAGE_MAX,
            )
        result, _ = await load_directory(db, current_user(request), raw, per_page=size)
        return result

    @get("/{slug:str}", summary="One organisation, with its child agencies")
    async def detail(self, request: Request, db: Db, slug: FromPath[str]) -> OrganisationDetail:
        org = await load_org(db, current_user(request), slug)
        children = await store.child_agencies(db, org.id)
        return OrganisationDetail(**{f: getattr(org, f) for f in org.__struct_fields__}, children=children)

    @post("/", summary="Register an organisation (partners start pending; agencies: platform admins only)")
    async def register(self, request: Request, db: Db, data: JSONBody[RegisterOrgIn]) -> Organisation:
        user = require_user(request)
        raw = {k: getattr(data, k) for k in ORG_FIELDS}
        try:
            org_id, _ = await register_org(db, user, raw)
        except _Invalid as exc:
            raise _api_invalid(exc) from None
        org = await store.get_organisation(db, org_id)
        assert org is not None
        return org

    @patch(
        "/{slug:str}",
        summary="Edit an organisation (its admins and platform admins; level and parent: platform admins)",
    )
    async def update(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[UpdateOrgIn]
    ) -> Organisation:
        user = require_user(request)
        org = await load_org(db, user, slug)
        raw = {f: getattr(data, f) for f in EDIT_FIELDS if getattr(data, f) is not msgspec.UNSET}
        try:
            await edit_org(db, user, org, raw)
        except _Invalid as exc:
            raise _api_invalid(exc) from None
        return await load_org(db, user, org.slug)

    @get(
        "/{slug:str}/members",
        summary="Members and join requests, with emails (the organisation's admins and platform admins)",
    )
    async def members(self, request: Request, db: Db, slug: FromPath[str]) -> MemberList:
        user = require_user(request)
        org = await load_org(db, user, slug)
        if not rules.can_list_member_details(user, org.id):
            raise forbid("Only the organisation's administrators can see its member list.")
        return MemberList(org_id=org.id, slug=org.slug, items=await store.list_member_details(db, org.id))

    @patch(
        "/{slug:str}/members/{user_id:int}",
        summary="Make a member an admin, or an admin a member (the organisation's admins)",
    )
    async def member_role(
        self, request: Request, db: Db, slug: FromPath[str], user_id: FromPath[int], data: JSONBody[RoleIn]
    ) -> MemberDetail:
        user = require_user(request)
        org = await load_org(db, user, slug)
        await change_role(db, user, org, user_id, data.role)
        return next(m for m in await store.list_member_details(db, org.id) if m.user_id == user_id)

    @delete(
        "/{slug:str}/members/{user_id:int}",
        summary="Remove a member (the organisation's admins); your own id: leave, or withdraw your request",
    )
    async def member_remove(
        self, request: Request, db: Db, slug: FromPath[str], user_id: FromPath[int]
    ) -> None:
        user = require_user(request)
        org = await load_org(db, user, slug)
        if user_id == user.id:
            await leave_org(db, user, org)
        else:
            await remove_member(db, user, org, user_id)

    @post(
        "/{slug:str}/resubmit",
        summary="Send a rejected partner to be checked again (its admins; it becomes pending)",
        status_code=200,
    )
    async def resubmit(self, request: Request, db: Db, slug: FromPath[str]) -> Organisation:
        user = require_user(request)
        org = await load_org(db, user, slug)
        await resubmit_org(db, user, org)
        return await load_org(db, user, org.slug)

    @post("/{slug:str}/join", summary="Ask to join an organisation (an admin of it accepts)")
    async def join(self, request: Request, db: Db, slug: FromPath[str]) -> JoinOut:
        user = require_user(request)
        org = await load_org(db, user, slug)
        status = await join_org(db, user, org)
        return JoinOut(org_id=org.id, slug=org.slug, status=status)  # type: ignore[arg-type]

    @post(
        "/{slug:str}/verify",
        summary="Verify or reject a partner (platform admins; a reason is required to reject)",
        status_code=200,
    )
    async def verify(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[VerifyIn]
    ) -> Organisation:
        user = require_user(request)
        if not rules.can_verify_partner(user):
            raise forbid("Only platform administrators can verify partner organisations.")
        org = await load_org(db, user, slug)
        try:
            await verify_org(db, user, org, data.decision, data.reason)
        except _Invalid as exc:
            raise _api_invalid(exc) from None
        updated = await store.get_organisation(db, org.id)
        assert updated is not None
        return updated


CONTROLLERS: list = []  # OrganisationPages and OrganisationsApi are wired directly in civic/app.py
