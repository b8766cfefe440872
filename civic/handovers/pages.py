"""Task handover pages. Each decodes its form into the action's input Struct (the one the JSON
API in civic.handovers.api takes) and calls the same action or query; nothing here decides or
touches SQL. An Invalid input shows the form again with what was typed and every error; every
other refusal is answered by the app's one DomainError handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from civic.accounts.schemas import CurrentUser
from civic.follows import queries as follows
from civic.handovers import actions, cards, rules
from civic.handovers.schemas import (
    ClaimIn,
    CommentIn,
    ReasonIn,
    ReviewIn,
    Task,
    TaskDetail,
    TaskIn,
    TaskPatch,
    UpdateIn,
)
from civic.uploads import MEDIA_TYPES, resolve
from civic.validation import Errors, Forbidden, Invalid, NotFound, Problem
from civic.web.deps import Db
from civic.web.downloads import upload_response
from civic.web.forms import form_values, to_input, uploaded_files
from civic.web.guards import current_user, require_user
from civic.web.i18n import N_, gettext
from civic.web.templating import (
    Confirm,
    confirm_page,
    is_confirmed,
    lang_of,
    org_name,
    redirect,
    render,
    translate_errors,
)

STEP_DONE = "Done. The step is on the public timeline."


def _form_status(exc: Invalid) -> int:
    """Pages have always answered a form's problems with 400 (the API with 422); a refusal by the
    task's state (409) or of an upload (413, 415) keeps its own status."""
    return 400 if exc.status == 422 else exc.status


# ------------------------------------------------------------------ forms into input Structs


async def _task_form(request: Request) -> dict[str, Any]:
    """The new-task form as typed: checkboxes as booleans, the milestone rows as a list."""
    values = await form_values(request, "partner_types", "m_title", "m_due", "m_share")
    values["verified_only"] = values.get("verified_only") == "1"
    values["publish"] = values.get("publish") == "1"
    rows = zip(*(values.pop(k, []) for k in ("m_title", "m_due", "m_share")), strict=False)
    values["milestones"] = [{"title": t, "due": d, "share": s} for t, d, s in rows]
    return values


def _edit_typed(form: FormMultiDict) -> dict[str, Any]:
    """Only what the edit form showed: a claimed task's form has no title, claim window..."""
    typed: dict = {k: form.get(k, "") for k in rules.EDIT_FIELDS if k != "milestones" and k in form}
    if "milestones" in form:
        rows = zip(*(form.getall(k) if k in form else [] for k in ("m_id", "m_title", "m_due", "m_share")),
                   strict=False)  # fmt: skip
        typed["milestones"] = [{"id": i, "title": t, "due": d, "share": sh} for i, t, d, sh in rows]
    return typed


def _as_patch(typed: dict[str, Any]) -> TaskPatch:
    """The edit form as the PATCH body. Not forms.to_input: a field sent blank clears it here
    (a district, the budget), where to_input would drop it as not sent."""
    rows = [row | {"id": row["id"] or None} for row in typed.get("milestones", [])]
    try:
        return msgspec.convert(typed | ({"milestones": rows} if "milestones" in typed else {}), TaskPatch,
                               strict=False)  # fmt: skip
    except msgspec.ValidationError:  # only a milestone id can fail: every other field is text
        raise Invalid({"milestones": Problem(rules.MILESTONE_UNKNOWN)}) from None


# ------------------------------------------------------------------ page contexts


def _task_context(request: Request, detail: TaskDetail, errors: Errors | None = None, values=None) -> dict:
    user = current_user(request)
    task = detail.task
    claimable = rules.claimable_partners(user, task.verified_only)
    return {
        "task": task,
        "detail": detail,
        "page_title": task.title,
        "errors": translate_errors(lang_of(request), errors or {}),
        "values": values or {},
        "is_staff": rules.can_manage(user, task.agency_id),
        "is_holder": rules.can_deliver(user, task.holder_partner_id),
        "claim_partners": [m for m in (user.memberships if user else ()) if m.org_id in claimable],
        "is_unverified_partner": bool(user and user.partner_ids and not claimable),
        "allowed": {a: rules.allowed(a, task.status) for a in rules.TRANSITIONS},
        "can_update": task.status in rules.UPDATE_STATUSES,
        "can_edit": bool(rules.editable_fields(task.status)),
        "can_review": task.status in rules.REVIEW_STATUSES,
        "updates_by_milestone": _group(detail.updates),
        "reviews_by_milestone": _group(detail.reviews),
    }


def _group(items) -> dict[int, list]:
    out: dict[int, list] = {}
    for item in items:
        out.setdefault(item.milestone_id, []).append(item)
    return out


def _form_context(request: Request, user: CurrentUser, values: dict, errors: Errors) -> dict:
    values = {"verified_only": True, "confirm_days": 7, "review_days": 14} | values
    milestones = list(values.get("milestones") or [])
    while len(milestones) < 4:
        milestones.append({"title": "", "due": "", "share": ""})
    return {
        "values": values,
        "milestones": milestones,
        "errors": translate_errors(lang_of(request), errors),
        "agencies": [m for m in user.memberships if m.kind == "agency"],
        "categories": rules.CATEGORIES,
        "partner_types": rules.PARTNER_TYPES,
        "page_title": gettext(lang_of(request), "Post a task"),
    }


def _edit_page(
    request: Request, task: Task, values: dict, reported: dict[int, str], invalid: Invalid | None = None
) -> Template:
    ctx = {
        "task": task,
        "values": values,
        "milestones": values.get("milestones") or [],
        "errors": translate_errors(lang_of(request), invalid.errors if invalid else {}),
        "editable": rules.editable_fields(task.status),
        "held": task.status not in rules.EDIT_STATUSES,
        "reported": {str(i) for i in reported},
        "categories": rules.CATEGORIES,
        "page_title": gettext(lang_of(request), "Edit task"),
    }
    return render(request, "handovers/edit.html", ctx, status=_form_status(invalid) if invalid else 200)


SIGN_OFF = Confirm(
    N_("Sign off this task?"),
    N_("Signing off closes the task as completed and publishes your comment as the agency's final word."),
    N_("Yes, sign off"),
    ("comment",),
)
CANCEL = Confirm(
    N_("Cancel this task?"),
    N_("Cancelling ends the task for good; a partner holding it loses the claim. Your reason is public."),
    N_("Yes, cancel the task"),
    ("reason",),
)


async def _step(
    request: Request, db, task_id: int, message: str, verb: Callable[..., Awaitable[object]],
    struct: type[msgspec.Struct] | None = None, *, aliases: dict[str, str] | None = None,
    confirm: Confirm | None = None, **extra: Any,
) -> Template | Redirect:  # fmt: skip
    """One step on the task page: the form decoded into the verb's input Struct (`aliases` renames
    a form field to the Struct's), then the action. Invalid input shows the page again with what
    was typed and every error next to its field. A step with `confirm` is first checked without
    writing (dry_run) and answered with a confirmation page; it is done when that page posts."""
    user = require_user(request)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        data = [to_input({(aliases or {}).get(k, k): v for k, v in values.items()}, struct)] if struct else []
        if confirm and not is_confirmed(form):
            await verb(db, user, task_id, *data, dry_run=True, **extra)
            return confirm_page(request, confirm, values, back=f"/handovers/{task_id}")
        await verb(db, user, task_id, *data, **extra)
    except Invalid as exc:
        ctx = _task_context(request, await actions.task_detail(db, user, task_id), exc.errors, values)
        ctx["follow"] = await follows.button(db, user, "task", task_id)
        return render(request, "handovers/task.html", ctx, status=_form_status(exc))
    return redirect(f"/handovers/{task_id}", flash=("success", message))


def _milestone_id(form: FormMultiDict) -> int:
    text = str(form.get("milestone_id") or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


# ------------------------------------------------------------------ HTML


class HandoverPages(Controller):
    path = "/handovers"
    include_in_schema = False

    @get("/")
    async def board(self, request: Request, db: Db) -> Template:
        user = current_user(request)
        q = actions.board_query(request.query_params)
        result = await actions.board(db, user, q)
        statuses = rules.STATUSES if user and user.agency_ids else rules.PUBLIC_STATUSES
        return render(request, "handovers/board.html", {
            "result": result, "cards": cards.cards(result.items, lang_of(request)), "filters": q, "orders": actions.ORDERS,
            "categories": list(rules.CATEGORY_LABELS.items()), "statuses": [(s, rules.STATUS_LABELS[s]) for s in statuses],
            "agencies": await actions.agencies(db, lang_of(request)),
            "can_post": rules.posting_agency(user, None) is not None,
            "page_title": gettext(lang_of(request), "Tasks handed over to partners"),
            # A list filtered by a province offers to follow it, as the ideas' lists do.
            "follow_filters": [await follows.button(db, user, "province", q.province)] if q.province else [],
        })  # fmt: skip

    @get("/new")
    async def new_form(self, request: Request) -> Template:
        user = require_user(request)
        if rules.posting_agency(user, None) is None:
            raise Forbidden("Only agency staff can post tasks.")
        return render(request, "handovers/form.html", _form_context(request, user, {}, {}))

    @post("/new")
    async def create(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        values = await _task_form(request)
        try:
            posted = await actions.post_task(db, user, to_input(values, TaskIn))
        except Invalid as exc:
            ctx = _form_context(request, user, values, exc.errors)
            return render(request, "handovers/form.html", ctx, status=_form_status(exc))
        return redirect(f"/handovers/{posted.task_id}", flash=("success", "The task is saved."))

    @get("/overdue")
    async def overdue_page(
        self,
        request: Request,
        db: Db,
        agency: FromQuery[str | None] = None,
        partner: FromQuery[str | None] = None,
    ) -> Template:
        return render(request, "handovers/overdue.html", {
            "items": await actions.overdue(db, agency, partner), "agency": agency, "partner": partner,
            "page_title": gettext(lang_of(request), "Overdue responses"),
        })  # fmt: skip

    @get("/partners/{slug:str}")
    async def partner_page(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        record = await actions.track_record(db, slug)
        name = org_name(lang_of(request), record)
        ctx = {"record": record, "tasks": await actions.partner_tasks(db, slug), "page_title": name}
        return render(request, "handovers/partner.html", ctx)

    @get("/{task_id:int}")
    async def task_page(self, request: Request, db: Db, task_id: FromPath[int]) -> Template:
        user = current_user(request)
        detail = await actions.task_detail(db, user, task_id)
        follow = await follows.button(db, user, "task", task_id)
        return render(request, "handovers/task.html", _task_context(request, detail) | {"follow": follow})

    @get("/{task_id:int}/evidence/{evidence_id:int}")
    async def evidence(
        self, request: Request, db: Db, task_id: FromPath[int], evidence_id: FromPath[int]
    ) -> File:
        row = await actions.evidence_file(db, current_user(request), task_id, evidence_id)
        path = resolve(request.app.state.settings.upload_dir, row["path"])
        if path is None:
            raise NotFound()
        return upload_response(path, f"evidence-{evidence_id}{path.suffix}", MEDIA_TYPES[row["kind"]])

    @get("/{task_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, task_id: FromPath[int]) -> Template:
        task, reported = await actions.edit_form(db, require_user(request), task_id)
        return _edit_page(request, task, rules.edit_values(task), reported)

    @post("/{task_id:int}/edit")
    async def edit(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        form = await request.form()
        task, reported = await actions.edit_form(db, user, task_id)
        typed = _edit_typed(form)
        values = rules.edit_values(task) | typed
        if form.get("ms_action") and "milestones" in typed:
            # "Add a milestone", "Move up", "Remove" without JavaScript: the same form again with the
            # rows changed and everything typed kept; nothing is saved until "Save changes".
            values["milestones"] = rules.milestone_rows(typed["milestones"], form["ms_action"])
            return _edit_page(request, task, values, reported)
        try:
            edited = await actions.edit_task(db, user, task_id, _as_patch(typed))
        except Invalid as exc:
            return _edit_page(request, task, values, reported, exc)
        saved = ("success", "The task is updated. The edit is on the public timeline.")
        return redirect(
            f"/handovers/{task_id}", flash=saved if edited.fields else ("info", "Nothing was changed.")
        )

    @post("/{task_id:int}/claim")
    async def claim(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        message = "You have claimed this task. The agency will confirm it."
        return await _step(request, db, task_id, message, actions.claim_task, ClaimIn)

    @post("/{task_id:int}/updates")
    async def post_update(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        evidence = await uploaded_files(await request.form(), "evidence")
        return await _step(request, db, task_id, "Your progress update is published.", actions.report_progress,
                           UpdateIn, evidence=evidence, settings=request.app.state.settings)  # fmt: skip

    @post("/{task_id:int}/review")
    async def review(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        milestone_id = _milestone_id(await request.form())
        return await _step(request, db, task_id, "The milestone review is published.", actions.review_milestone,
                           ReviewIn, milestone_id=milestone_id)  # fmt: skip

    @post("/{task_id:int}/publish")
    async def publish(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.publish_task)

    @post("/{task_id:int}/confirm")
    async def confirm(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.confirm_claim)

    @post("/{task_id:int}/release")
    async def release(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.release_claim, ReasonIn)

    @post("/{task_id:int}/withdraw")
    async def withdraw(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        message = "You have given the task back. It is open for claims again."
        return await _step(request, db, task_id, message, actions.withdraw_claim, ReasonIn)

    @post("/{task_id:int}/request-completion")
    async def request_completion(
        self, request: Request, db: Db, task_id: FromPath[int]
    ) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.request_completion, CommentIn,
                           aliases={"note": "comment"})  # fmt: skip

    @post("/{task_id:int}/sign-off")
    async def sign_off(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.sign_off, CommentIn, confirm=SIGN_OFF)

    @post("/{task_id:int}/reject")
    async def reject(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.reject_completion, ReasonIn)

    @post("/{task_id:int}/cancel")
    async def cancel(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        return await _step(request, db, task_id, STEP_DONE, actions.cancel_task, ReasonIn, confirm=CANCEL)
