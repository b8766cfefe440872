"""Implementation plan pages. Each decodes its form into the action's input Struct (the one the
JSON API in civic.implementation.api takes) and calls the same action; an Invalid shows the form
again with what was typed and every error. The timeline itself is an include
(implementation/_timeline.html) that the idea page and the outcome page show too."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from civic.implementation import actions, rules
from civic.implementation.schemas import ImplementedIn, Plan, PlanIn, UpdateIn
from civic.uploads import MEDIA_TYPES, resolve
from civic.validation import Errors, Invalid, NotFound
from civic.web.deps import Db
from civic.web.downloads import upload_response
from civic.web.forms import form_values, to_input, uploaded_files
from civic.web.guards import current_user, require_user
from civic.web.i18n import gettext
from civic.web.templating import lang_of, redirect, render, translate_errors

BLANK_MILESTONES = 4


def _status(exc: Invalid) -> int:
    """Forms answer their problems with 400; a refusal by the promise's state keeps its 409, an
    upload's its 413 or 415."""
    return 400 if exc.status == 422 else exc.status


def _typed_plan(values: dict[str, Any]) -> dict[str, Any]:
    """The form as typed, with its milestone rows as a list, as PlanIn takes them."""
    rows = zip(values.pop("m_title", []), values.pop("m_due", []), strict=False)
    return values | {"milestones": [{"title": t, "due": d} for t, d in rows]}


def _form(request: Request, target, values: dict, errors: Errors, status: int = 200) -> Template:
    milestones = list(values.get("milestones") or [])
    milestones += [{"title": "", "due": ""}] * max(0, BLANK_MILESTONES - len(milestones))
    ctx = {
        "target": target,
        "values": values,
        "milestones": milestones,
        "errors": translate_errors(lang_of(request), errors),
        "page_title": gettext(lang_of(request), "Implementation plan"),
    }
    return render(request, "implementation/form.html", ctx, status=status)


def _plan_page(request: Request, plan: Plan, owners: list[int], errors: Errors | None = None,
               values: dict | None = None, status: int = 200) -> Template:  # fmt: skip
    ctx = {
        "plan": plan,
        "can_manage": rules.can_manage(current_user(request), owners),
        "can_update": rules.can_update(plan.status),
        "errors": translate_errors(lang_of(request), errors or {}),
        "values": values or {},
        "page_title": plan.theme_title or plan.subject_title,
    }
    return render(request, "implementation/plan.html", ctx, status=status)


class ImplementationPages(Controller):
    path = "/implementation"
    include_in_schema = False

    @get("/new")
    async def new(
        self, request: Request, db: Db, idea: FromQuery[int | None] = None,
        consultation: FromQuery[int | None] = None, theme: FromQuery[int | None] = None,
    ) -> Template:  # fmt: skip
        data = PlanIn(idea_id=idea, consultation_id=consultation, theme=theme)
        target = await actions.plan_target(db, require_user(request), data)
        values = {"idea_id": idea or "", "consultation_id": consultation or "", "theme": theme or "",
                  "starts_on": actions.today().isoformat()}  # fmt: skip
        return _form(request, target, values, {})

    @post("/")
    async def create(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        typed = _typed_plan(await form_values(request, "m_title", "m_due"))
        try:
            plan = await actions.create_plan(db, user, to_input(typed, PlanIn))
        except Invalid as exc:
            target = await actions.plan_target(db, user, to_input({**typed, "milestones": []}, PlanIn))
            return _form(request, target, typed, exc.errors, _status(exc))
        return redirect(f"/implementation/{plan.id}", flash=("success", "The implementation plan is published."))

    @get("/{plan_id:int}")
    async def show(self, request: Request, db: Db, plan_id: FromPath[int]) -> Template:
        plan = await actions.plan(db, current_user(request), plan_id)
        return _plan_page(request, plan, await actions.owner_ids(db, current_user(request), plan))

    @post("/{plan_id:int}/updates")
    async def post_update(self, request: Request, db: Db, plan_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        form = await request.form()
        evidence = await uploaded_files(form, "evidence")
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            await actions.post_update(db, user, plan_id, to_input(values, UpdateIn), evidence=evidence,
                                      settings=request.app.state.settings)  # fmt: skip
        except Invalid as exc:
            plan, owners = await actions.managed_plan(db, user, plan_id)
            return _plan_page(request, plan, owners, exc.errors, values, _status(exc))
        return redirect(f"/implementation/{plan_id}", flash=("success", "Your update is published."))

    @post("/{plan_id:int}/implemented")
    async def implemented(self, request: Request, db: Db, plan_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        try:
            await actions.implement(db, user, plan_id, to_input(values, ImplementedIn))
        except Invalid as exc:
            plan, owners = await actions.managed_plan(db, user, plan_id)
            return _plan_page(request, plan, owners, exc.errors, values, _status(exc))
        return redirect(f"/implementation/{plan_id}", flash=("success", "The promise is reported implemented."))

    @get("/{plan_id:int}/evidence/{evidence_id:int}")
    async def evidence(self, request: Request, db: Db, plan_id: FromPath[int], evidence_id: FromPath[int]) -> File:
        row = await actions.evidence_file(db, current_user(request), plan_id, evidence_id)
        path = resolve(request.app.state.settings.upload_dir, row["path"])
        if path is None:
            raise NotFound()
        return upload_response(path, f"evidence-{evidence_id}{path.suffix}", MEDIA_TYPES[row["kind"]])
