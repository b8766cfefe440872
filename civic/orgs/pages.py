"""Organisation pages: the directory, profiles, registration, editing, members and the partner
review queue. Each handler reads through civic.orgs.queries or acts through civic.orgs.actions.

Forms go into the actions' input Structs as typed (strings, a missing field empty): the action's
rules then name every problem at once, with the same messages as the API gets, where a type check
of the form would name only the first field, with a generic message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from civic.accounts.schemas import CurrentUser
from civic.follows import queries as follows
from civic.orgs import actions, queries, rules
from civic.orgs.schemas import (
    JoinDecisionIn,
    Organisation,
    OrgProfile,
    RegisterOrgIn,
    RoleIn,
    UpdateOrgIn,
    VerifyIn,
)
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import form_values
from civic.web.guards import current_user, require_user
from civic.web.templating import lang_of, page_links, redirect, render, translate_errors, wants_partial


def _typed(values: Mapping[str, Any], *fields: str) -> dict[str, str]:
    return {k: str(values.get(k) or "") for k in fields}


async def _register_page(
    request: Request, db: Db, user: CurrentUser, values: dict, errors: dict, status: int = 200
) -> Template:
    kinds = rules.allowed_kinds(user)
    context = {
        "values": values,
        "errors": errors,
        "kinds": kinds,
        "agencies": await queries.agency_choices(db, kinds),
    }
    return render(request, "orgs/new.html", context, status=status)


async def _edit_page(
    request: Request,
    db: Db,
    user: CurrentUser,
    org: Organisation,
    values: dict,
    errors: dict,
    status: int = 200,
) -> Template:
    structure = org.kind == "agency" and rules.can_edit_structure(user)
    context = {
        "org": org,
        "values": values,
        "errors": errors,
        "can_edit_structure": structure,
        "agencies": await queries.parent_choices(db, org) if structure else [],
        "categories": rules.CATEGORIES,
    }
    return render(request, "orgs/edit.html", context, status=status)


def _profile_context(user: CurrentUser | None, profile: OrgProfile) -> dict[str, Any]:
    """The profile and the buttons it shows, each asked of the rule its action asks."""
    org, status = profile.org, profile.membership
    return {
        "org": org,
        "parent": profile.parent,
        "children": profile.children,
        "membership": status,
        "can_join": rules.can_request_join(user, org.id, pending=status is not None),
        "can_view_members": rules.can_view_members(user, org.id),
        "can_manage": rules.can_manage_members(user, org.id),
        "can_verify": rules.can_verify_partner(user) and org.kind == "partner",
        "can_edit": rules.can_edit_org(user, org.id),
        "can_leave": rules.can_leave(user, status),
        "can_resubmit": rules.can_resubmit(user, org.id, org.kind, org.verification),
        "show_reason": rules.can_see_rejection_reason(user, org.id),
    }


class OrganisationPages(Controller):
    path = "/"
    include_in_schema = False

    @get("/organisations")
    async def directory(self, request: Request, db: Db) -> Template:
        user = current_user(request)
        result, filters = await queries.directory(db, user, request.query_params)
        ctx = {
            "result": result,
            "filters": filters,
            "page_url": page_links("/organisations", filters),
            "can_register": rules.can_register_org(user, "partner") or user is None,
        }
        return render(
            request,
            "orgs/_results.html" if wants_partial(request, "org-results") else "orgs/directory.html",
            ctx,
        )

    @get("/organisations/new")
    async def register_form(self, request: Request, db: Db) -> Template:
        return await _register_page(request, db, require_user(request), {"kind": "partner"}, {})

    @post("/organisations/new")
    async def register(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        typed = _typed(await form_values(request), *actions.ORG_FIELDS)
        try:
            org = await actions.register_org(db, user, RegisterOrgIn(**typed))
        except Invalid as exc:
            return await _register_page(
                request, db, user, typed, translate_errors(lang_of(request), exc.errors), exc.status
            )
        if org.kind == "agency":
            return redirect(f"/organisations/{org.slug}", flash=("success", "The agency is registered."))
        flash = (
            "Your organisation is registered. It will be marked verified after the platform team checks it."
        )
        return redirect(f"/organisations/{org.slug}", flash=("success", flash))

    @get("/organisations/{slug:str}")
    async def profile(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = current_user(request)
        profile = await queries.profile(db, user, slug)
        org = profile.org
        follow = await follows.button(db, user, "agency", org.id) if org.kind == "agency" else None
        return render(request, "orgs/profile.html", _profile_context(user, profile) | {"follow": follow})

    @get("/organisations/{slug:str}/edit")
    async def edit_form(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        org = await queries.for_editing(db, user, slug)
        return await _edit_page(request, db, user, org, actions.current_values(org), {})

    @post("/organisations/{slug:str}/edit")
    async def edit(self, request: Request, db: Db, slug: FromPath[str]) -> Template | Redirect:
        user = require_user(request)
        form = await form_values(request, "skills")
        sent = {k: str(form[k] or "") for k in actions.EDIT_FIELDS if k in form}
        # A partner's form always carries its skills: no box ticked is an empty list.
        if "skills_shown" in form:
            sent["skills"] = [str(s) for s in form.get("skills", [])]
        try:
            org = await actions.edit_org(db, user, slug, UpdateOrgIn(**sent))
        except Invalid as exc:
            org = await queries.for_editing(db, user, slug)
            values = actions.current_values(org) | sent
            return await _edit_page(
                request, db, user, org, values, translate_errors(lang_of(request), exc.errors), exc.status
            )
        return redirect(
            f"/organisations/{org.slug}", flash=("success", "The organisation's details were saved.")
        )

    @post("/organisations/{slug:str}/resubmit")
    async def resubmit(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        org = await actions.resubmit_org(db, require_user(request), slug)
        flash = "Your organisation was sent to the platform team to be checked again."
        return redirect(f"/organisations/{org.slug}", flash=("success", flash))

    @post("/organisations/{slug:str}/join")
    async def join(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        joined = await actions.request_join(db, require_user(request), slug)
        flash = "Your request to join was sent. An admin of the organisation will answer it."
        return redirect(f"/organisations/{joined.slug}", flash=("success", flash))

    @get("/organisations/{slug:str}/members")
    async def members(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        org, members = await queries.members(db, user, slug)
        context = {
            "org": org,
            "pending": [m for m in members if m.status == "pending"],
            "active": [m for m in members if m.status == "active"],
            "can_manage": rules.can_manage_members(user, org.id),
            "admin_count": sum(1 for m in members if m.status == "active" and m.role == "admin"),
        }
        return render(request, "orgs/members.html", context)

    @post("/organisations/{slug:str}/members/{member_id:int}")
    async def decide_member(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        data = JoinDecisionIn(**_typed(await form_values(request), "decision"))
        org = await actions.decide_join(db, require_user(request), slug, member_id, data)
        flash = "The request was accepted." if data.decision == "accept" else "The request was declined."
        return redirect(f"/organisations/{org.slug}/members", flash=("success", flash))

    @post("/organisations/{slug:str}/members/{member_id:int}/role")
    async def member_role(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        user = require_user(request)
        data = RoleIn(**_typed(await form_values(request), "role"))
        await actions.change_role(db, user, slug, member_id, data)
        if member_id == user.id and data.role == "member":
            return redirect(
                f"/organisations/{slug}", flash=("success", "You are now a member, not an administrator.")
            )
        flash = (
            "The member is now an administrator." if data.role == "admin" else "The person is now a member."
        )
        return redirect(f"/organisations/{slug}/members", flash=("success", flash))

    @post("/organisations/{slug:str}/members/{member_id:int}/remove")
    async def member_remove(
        self, request: Request, db: Db, slug: FromPath[str], member_id: FromPath[int]
    ) -> Redirect:
        org = await actions.remove_member(db, require_user(request), slug, member_id)
        flash = "The member was removed from the organisation."
        return redirect(f"/organisations/{org.slug}/members", flash=("success", flash))

    @post("/organisations/{slug:str}/leave")
    async def leave(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        org, status = await actions.leave_org(db, require_user(request), slug)
        if status == "pending":
            return redirect(
                f"/organisations/{org.slug}", flash=("success", "Your request to join was withdrawn.")
            )
        # A rejected partner is hidden from outsiders: leaving it goes back to the directory.
        back = (
            f"/organisations/{org.slug}"
            if rules.can_view(None, org.id, org.kind, org.verification)
            else "/organisations"
        )
        return redirect(back, flash=("success", "You have left the organisation."))

    @get("/admin/partners")
    async def partner_queue(self, request: Request, db: Db) -> Template:
        status = request.query_params.get("status") or "pending"
        partners = await queries.partner_queue(db, require_user(request), status)
        return render(request, "orgs/admin_partners.html", {"partners": partners, "status": status})

    @get("/admin/partners/{org_id:int}")
    async def review(self, request: Request, db: Db, org_id: FromPath[int]) -> Template:
        org = await queries.partner_for_review(db, require_user(request), org_id)
        return render(request, "orgs/review.html", {"org": org, "values": {}, "errors": {}})

    @post("/admin/partners/{org_id:int}")
    async def decide_partner(self, request: Request, db: Db, org_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        org = await queries.partner_for_review(db, user, org_id)
        typed = _typed(await form_values(request), "decision", "reason")
        try:
            await actions.verify_org(db, user, org.id, VerifyIn(**typed))
        except Invalid as exc:
            context = {"org": org, "values": typed, "errors": translate_errors(lang_of(request), exc.errors)}
            return render(request, "orgs/review.html", context, status=exc.status)
        flash = (
            "The partner is now verified." if typed["decision"] == "verified" else "The partner was rejected."
        )
        return redirect("/admin/partners", flash=("success", flash))
