"""/admin: the console's pages, plain forms that redirect back (no JavaScript needed)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.admin import actions, rules
from civic.admin.schemas import AuditFilter, RoleIn, StandingIn
from civic.privacy.rules import PURPOSE_LABELS
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import form_input, to_input
from civic.web.guards import require_user
from civic.web.templating import lang_of, redirect, render, translate_errors


class AdminPages(Controller):
    path = "/admin"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, db: Db, q: FromQuery[str] = "") -> Template:
        listing = await actions.users(db, require_user(request), q)
        return render(request, "admin/index.html", {"listing": listing})

    @get("/users/{user_id:int}")
    async def user(self, request: Request, db: Db, user_id: FromPath[int]) -> Template:
        return await self._user(request, db, user_id)

    async def _user(self, request: Request, db: Db, user_id: int, status: int = 200, **forms) -> Template:
        detail = await actions.user_detail(db, require_user(request), user_id)
        ctx = {"detail": detail, "roles": rules.ROLES, "role_form": {}, "standing_form": {}} | forms
        return render(request, "admin/user.html", ctx, status=status)

    @post("/users/{user_id:int}/role")
    async def role(self, request: Request, db: Db, user_id: FromPath[int]) -> Template | Redirect:
        data, typed = await form_input(request, RoleIn)
        try:
            await actions.change_role(db, require_user(request), user_id, data)
        except Invalid as exc:
            form = {"values": typed, "errors": translate_errors(lang_of(request), exc.errors)}
            return await self._user(request, db, user_id, 400, role_form=form)
        return redirect(f"/admin/users/{user_id}", flash=("success", "The role has been changed."))

    @post("/users/{user_id:int}/block")
    async def block(self, request: Request, db: Db, user_id: FromPath[int]) -> Template | Redirect:
        return await self._standing(request, db, user_id, actions.block, "The person has been blocked.")

    @post("/users/{user_id:int}/unblock")
    async def unblock(self, request: Request, db: Db, user_id: FromPath[int]) -> Template | Redirect:
        return await self._standing(request, db, user_id, actions.unblock, "The person has been unblocked.")

    async def _standing(
        self, request: Request, db: Db, user_id: int, verb, message: str
    ) -> Template | Redirect:
        data, typed = await form_input(request, StandingIn)
        try:
            await verb(db, require_user(request), user_id, data)
        except Invalid as exc:
            form = {"values": typed, "errors": translate_errors(lang_of(request), exc.errors)}
            return await self._user(request, db, user_id, 400, standing_form=form)
        return redirect(f"/admin/users/{user_id}", flash=("success", message))

    @get("/audit")
    async def audit(self, request: Request, db: Db) -> Template:
        values = {k: v for k, v in request.query_params.items() if v}
        try:
            page = await actions.audit_log(db, require_user(request), to_input(values, AuditFilter))
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return render(
                request, "admin/audit.html", {"values": values, "page": None, "errors": errors}, status=400
            )
        return render(request, "admin/audit.html", {"values": values, "page": page, "errors": {}})

    @get("/consents")
    async def consents(
        self, request: Request, db: Db, purpose: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> Template:
        data = await actions.consents(db, require_user(request), purpose, page)
        return render(request, "admin/consents.html", {"data": data, "purposes": PURPOSE_LABELS})

    @get("/jobs")
    async def jobs(self, request: Request, db: Db) -> Template:
        return render(request, "admin/jobs.html", {"data": await actions.jobs(db, require_user(request))})
