"""Organisation directory, profiles, registration, join requests, partner verification,
and their /api/v1 twins. Each page and its JSON twin share one loader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.orgs import rules, store
from civic.orgs.schemas import (
    JoinOut,
    Organisation,
    OrganisationDetail,
    OrganisationList,
    RegisterOrgIn,
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
    try:
        org_id = await store.register_organisation(
            db,
            user_id=user.id,
            slug=slug,
            slug_base=rules.make_slug(fields["name_en"], fields["name_th"]),
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
                "show_reason": rules.can_see_rejection_reason(user, org.id),
            },
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
