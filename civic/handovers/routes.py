"""Task handover pages and their /api/v1 twins. Both call the same `_do_*` helpers:
rules decide (may I? is it valid?), the store acts in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from civic.accounts.schemas import CurrentUser
from civic.handovers import ocds, rules, store
from civic.handovers.schemas import (
    ClaimIn,
    CommentIn,
    OverdueItem,
    ReasonIn,
    ReviewIn,
    TaskDetail,
    TaskIn,
    TaskPatch,
    TaskSummary,
    TrackRecord,
    UpdateIn,
)
from civic.handovers.store import Actor
from civic.uploads import UploadRejected, check_upload, store_upload
from civic.validation import Errors, Problem
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import current_user, forbid, not_found, require_user
from civic.web.i18n import gettext
from civic.web.templating import lang_of, redirect, render, translate_errors

PAGE_SIZE = 20
EVIDENCE_KINDS = ("pdf", "png", "jpeg", "webp")
MAX_FILES = 5


class FormErrors(Exception):
    def __init__(self, errors: Errors, status: int = 400, code: str = "invalid_input") -> None:
        super().__init__("form errors")
        self.errors = errors
        self.status = status
        self.code = code


# ------------------------------------------------------------------ shared loaders and verbs


async def _load(db, user: CurrentUser | None, task_id: int):
    task = await store.get_task(db, task_id)
    if task is None or not rules.can_view(user, task.agency_id, task.status):
        raise not_found("We could not find that task.")
    return task


def _agency_actor(user: CurrentUser | None, task) -> Actor:
    if user is None:
        raise ClientError(401, "login_required", "Please log in to continue.")
    if not rules.can_manage(user, task.agency_id):
        raise forbid("Only staff of the agency that posted this task can do this.")
    return Actor(user.id, task.agency_id, "agency")


def _partner_actor(user: CurrentUser | None, task) -> Actor:
    if user is None:
        raise ClientError(401, "login_required", "Please log in to continue.")
    if not rules.can_deliver(user, task.holder_partner_id):
        raise forbid("Only the partner holding this task can post progress on it.", code="not_holder")
    return Actor(user.id, task.holder_partner_id, "partner")


def _reason(value: str | None, field: str = "reason") -> str:
    problem = rules.validate_reason(value)
    if problem:
        raise FormErrors({field: problem})
    return (value or "").strip()


async def _do_create(db, user: CurrentUser, raw: dict) -> int:
    agency_slug = (raw.get("agency") or "").strip()
    agency = next(
        (m for m in user.memberships if m.kind == "agency" and (m.slug == agency_slug or not agency_slug)),
        None,
    )
    if agency is None or not rules.can_post(user, agency.org_id):
        raise forbid("Only agency staff can post tasks.")
    clean, errors = rules.validate_task(raw)
    if errors:
        raise FormErrors(errors)
    return await store.create_task(
        db, clean, agency_id=agency.org_id, actor=Actor(user.id, agency.org_id, "agency"),
        publish=bool(raw.get("publish")),
    )  # fmt: skip


async def _do_claim(
    db, user: CurrentUser | None, task, plan: str, team: str, partner_slug: str | None
) -> None:
    if user is None:
        raise ClientError(401, "login_required", "Please log in to continue.")
    choices = rules.claimable_partners(user, task.verified_only)
    if not choices:
        if user.partner_ids:
            raise forbid("Only verified partner organisations can claim this task.", code="not_verified")
        raise forbid("Only members of a partner organisation can claim tasks.", code="not_partner")
    partner_id = choices[0]
    if partner_slug:
        match = [m.org_id for m in user.memberships if m.slug == partner_slug and m.org_id in choices]
        if not match:
            raise forbid("Only verified partner organisations can claim this task.", code="not_verified")
        partner_id = match[0]
    errors = rules.validate_claim(plan, team)
    if errors:
        raise FormErrors(errors)
    await store.claim_task(
        db, task.id, partner_id=partner_id, plan=plan, team=team, actor=Actor(user.id, partner_id, "partner")
    )


async def _read_files(request: Request, files: list[UploadFile]) -> list[tuple[str, bytes]]:
    out = []
    for f in files:
        if not isinstance(f, UploadFile) or not f.filename:
            continue
        out.append((f.filename, await f.read()))
    return out


def _store_files(request: Request, files: list[tuple[str, bytes]]) -> list[tuple[str, str, str, int]]:
    settings = request.app.state.settings
    if len(files) > MAX_FILES:
        raise FormErrors({"evidence": Problem("Attach at most %(n)s files.", {"n": MAX_FILES})})
    checked = []
    for name, data in files:
        try:
            kind = check_upload(data, name, allowed=EVIDENCE_KINDS, max_bytes=settings.max_upload_bytes)
        except UploadRejected as exc:
            raise FormErrors({"evidence": Problem(exc.msgid, exc.params)}, status=exc.status) from None
        checked.append((name, kind, data))
    return [
        (name, kind, store_upload(settings.upload_dir, data, kind), len(data)) for name, kind, data in checked
    ]


async def _do_update(db, request: Request, user, task, raw: dict, files: list[tuple[str, bytes]]) -> None:
    actor = _partner_actor(user, task)
    clean, errors = rules.validate_update(raw.get("body"), raw.get("percent"), raw.get("links"))
    milestone_id = _int(raw.get("milestone_id"))
    if milestone_id is None or milestone_id not in {m.id for m in task.milestones}:
        errors["milestone_id"] = Problem("Choose one of the options.")
    if errors:
        raise FormErrors(errors)
    stored = _store_files(request, files)
    await store.post_update(
        db,
        task.id,
        milestone_id=milestone_id,
        partner_ids=user.partner_ids,
        files=stored,
        actor=actor,
        **clean,
    )


def _edit_values(task) -> dict:
    """The task as the edit form shows it: strings, and the milestones as form rows."""
    values: dict = {k: getattr(task, k) for k in rules.TEXT_EDIT_FIELDS}
    values["budget"] = "" if task.budget is None else str(task.budget)
    values["category"] = task.category
    values |= {k: getattr(task, k).isoformat() for k in ("claim_opens", "claim_closes", "deadline")}
    values["milestones"] = [
        {"id": str(m.id), "title": m.title, "due": m.due.isoformat(),
         "share": "" if m.budget_share is None else str(m.budget_share)}
        for m in task.milestones
    ]  # fmt: skip
    return values


# Date errors that validate_task reports on a field that was not sent, shown on the one that was:
# a deadline moved before a stored milestone is a problem with the new deadline.
_DATE_FIELDS = ("claim_opens", "claim_closes", "deadline", "milestones")


def _edit_errors(errors: Errors, fields: dict) -> Errors:
    kept = {k: v for k, v in errors.items() if k in fields}
    sent = [k for k in _DATE_FIELDS if k in fields]
    for name in _DATE_FIELDS:
        target = next((k for k in sent if k not in kept), None)
        if name in errors and name not in fields and target:
            kept[target] = errors[name]
    return kept


async def _do_edit(db, user, task, fields: dict) -> list[str]:
    """The PATCH API and the HTML edit form: validate the given fields with creation's own rules
    (on the task as stored, with the given fields laid over it), ask the rules whether the task's
    state allows each change, and save those that changed. Returns the names saved."""
    actor = _agency_actor(user, task)
    if not rules.editable_fields(task.status):
        raise store.WrongState(rules.EDIT_CLOSED)
    fields = {k: v for k, v in fields.items() if k in rules.EDIT_FIELDS}
    clean, errors = rules.validate_task(msgspec.to_builtins(task) | _edit_values(task) | fields)
    errors = _edit_errors(errors, fields)
    if errors:
        raise FormErrors(errors)
    current = {k: getattr(task, k) for k in rules.EDIT_FIELDS if k != "milestones"}
    current["milestones"] = rules.milestone_plan(task.milestones)
    changed = {
        k: clean[k]
        for k in fields
        if (rules.milestone_plan(clean[k]) if k == "milestones" else clean[k]) != current[k]
    }
    refusals = rules.check_edit(task.status, current, changed, await store.reported_milestones(db, task.id))
    if refusals:
        raise FormErrors(refusals, status=409, code="wrong_state")
    if changed:
        await store.update_task(db, task.id, changed, actor)
    return sorted(changed)


async def _do_review(db, user, task, milestone_id: int, verdict: str, comment: str) -> None:
    actor = _agency_actor(user, task)
    errors = rules.validate_review(verdict, comment)
    if errors:
        raise FormErrors(errors)
    await store.review_milestone(
        db, task.id, milestone_id=milestone_id, verdict=verdict, comment=comment, actor=actor
    )


async def _do_simple(db, user, task, action: str, text: str | None) -> None:
    """publish, confirm, release, withdraw, request_completion, sign_off, reject, cancel."""
    if action == "withdraw":
        actor = _partner_actor(user, task)
        await store.withdraw_claim(
            db, task.id, partner_ids=user.partner_ids, reason=_reason(text), actor=actor
        )
        return
    if action == "request_completion":
        actor = _partner_actor(user, task)
        if rules.validate_reason(text, required=False):
            raise FormErrors({"note": rules.validate_reason(text, required=False)})
        await store.request_completion(
            db, task.id, partner_ids=user.partner_ids, note=text or "", actor=actor
        )
        return
    actor = _agency_actor(user, task)
    if action == "publish":
        await store.publish_task(db, task.id, actor)
    elif action == "confirm":
        await store.confirm_claim(db, task.id, actor)
    elif action == "release":
        await store.release_claim(db, task.id, _reason(text), actor)
    elif action == "sign_off":
        problem = rules.validate_reason(text, required=False)
        if problem:
            raise FormErrors({"comment": problem})
        await store.sign_off(db, task.id, text or "", actor)
    elif action == "reject":
        await store.reject_completion(db, task.id, _reason(text), actor)
    elif action == "cancel":
        await store.cancel_task(db, task.id, _reason(text), actor)
    else:  # pragma: no cover - routes only pass known actions
        raise not_found()


def _int(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


async def _detail(db, task) -> TaskDetail:
    return TaskDetail(
        task=task,
        timeline=await store.timeline(db, task.id),
        updates=await store.list_updates(db, task.id),
        reviews=await store.list_reviews(db, task.id),
        claims=await store.list_claims(db, task.id),
    )


async def _ocds_package(request: Request, db, tasks: list) -> dict:
    settings = request.app.state.settings
    releases = []
    for task in tasks:
        releases.extend(
            ocds.releases_for(
                task,
                await store.list_claims(db, task.id),
                await store.timeline(db, task.id),
                settings.ocds_prefix,
                settings.base_url,
            )
        )
    return ocds.package(releases, uri=f"{settings.base_url}{request.url.path}", published=datetime.now(UTC))


# ------------------------------------------------------------------ HTML


def _board_filters(province, category, status, agency, partner, mine, order, page) -> dict:
    return {
        "province": province or None,
        "category": category if category in rules.CATEGORIES else None,
        "status": status if status in rules.STATUSES else None,
        "agency": agency or None,
        "partner": partner or None,
        "mine": mine == "1",
        "order": order if order in store.ORDERS else "newest",
        "page": max(_int(page) or 1, 1),
    }


async def _board(db, user: CurrentUser | None, f: dict) -> tuple[list[TaskSummary], int]:
    open_to = sorted(user.partner_ids) if (f["mine"] and user) else None
    if f["mine"] and not open_to:
        open_to = [-1]
    return await store.list_tasks(
        db, province=f["province"], category=f["category"], status=f["status"], agency=f["agency"],
        partner=f["partner"], open_to=open_to, viewer_agencies=sorted(user.agency_ids) if user else [],
        order=f["order"], limit=PAGE_SIZE, offset=(f["page"] - 1) * PAGE_SIZE,
    )  # fmt: skip


def _task_context(request: Request, task, detail: TaskDetail, errors=None, values=None) -> dict:
    user = current_user(request)
    lang = lang_of(request)
    claimable = rules.claimable_partners(user, task.verified_only)
    return {
        "task": task,
        "detail": detail,
        "page_title": task.title,
        "errors": translate_errors(lang, errors or {}),
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


class HandoverPages(Controller):
    path = "/handovers"
    include_in_schema = False

    @get("/")
    async def board(
        self,
        request: Request,
        db: Db,
        province: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        partner: FromQuery[str | None] = None,
        mine: FromQuery[str | None] = None,
        order: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        user = current_user(request)
        f = _board_filters(province, category, status, agency, partner, mine, order, page)
        tasks, total = await _board(db, user, f)
        return render(
            request,
            "handovers/board.html",
            {
                "tasks": tasks,
                "total": total,
                "filters": f,
                "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                "categories": rules.CATEGORIES,
                "statuses": rules.STATUSES,
                "agencies": await db.fetch(
                    "SELECT slug, name_th FROM organisations WHERE kind = 'agency' ORDER BY name_th"
                ),
                "can_post": bool(user and user.agency_ids),
                "page_title": gettext(lang_of(request), "Tasks handed over to partners"),
            },
        )

    @get("/new")
    async def new_form(self, request: Request) -> Template:
        user = require_user(request)
        if not user.agency_ids:
            raise forbid("Only agency staff can post tasks.")
        return render(request, "handovers/form.html", _form_context(request, user, {}, {}))

    @post("/new")
    async def create(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        form = await request.form()
        raw = {k: form.get(k, "") for k in _FORM_FIELDS}
        raw["partner_types"] = form.getall("partner_types") if "partner_types" in form else []
        raw["verified_only"] = form.get("verified_only", "") == "1"
        raw["publish"] = form.get("publish", "") == "1"
        raw["milestones"] = [
            {"title": t, "due": d, "share": s}
            for t, d, s in zip(
                form.getall("m_title") if "m_title" in form else [],
                form.getall("m_due") if "m_due" in form else [],
                form.getall("m_share") if "m_share" in form else [],
                strict=False,
            )
        ]
        try:
            task_id = await _do_create(db, user, raw)
        except FormErrors as exc:
            return render(
                request,
                "handovers/form.html",
                _form_context(request, user, raw, exc.errors),
                status=exc.status,
            )
        return redirect(f"/handovers/{task_id}", flash=("success", "The task is saved."))

    @get("/overdue")
    async def overdue_page(
        self,
        request: Request,
        db: Db,
        agency: FromQuery[str | None] = None,
        partner: FromQuery[str | None] = None,
    ) -> Template:
        items = await store.overdue(db, agency=agency or None, partner=partner or None)
        return render(
            request,
            "handovers/overdue.html",
            {
                "items": items,
                "agency": agency,
                "partner": partner,
                "page_title": gettext(lang_of(request), "Overdue responses"),
            },
        )

    @get("/partners/{slug:str}")
    async def partner_page(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        record = await store.track_record(db, slug)
        if record is None:
            raise not_found()
        tasks, _ = await store.list_tasks(db, partner=slug, limit=50)
        return render(
            request,
            "handovers/partner.html",
            {"record": record, "tasks": tasks, "page_title": record.name_th},
        )

    @get("/{task_id:int}")
    async def task_page(self, request: Request, db: Db, task_id: FromPath[int]) -> Template:
        task = await _load(db, current_user(request), task_id)
        return render(request, "handovers/task.html", _task_context(request, task, await _detail(db, task)))

    @get("/{task_id:int}/evidence/{evidence_id:int}")
    async def evidence(
        self, request: Request, db: Db, task_id: FromPath[int], evidence_id: FromPath[int]
    ) -> Response:
        from civic.uploads import MEDIA_TYPES, resolve

        row = await store.evidence_file(db, task_id, evidence_id)
        if row is None or not rules.can_view(current_user(request), row["agency_id"], row["status"]):
            raise not_found()
        path = resolve(request.app.state.settings.upload_dir, row["path"])
        if path is None:
            raise not_found()
        return Response(
            path.read_bytes(),
            media_type=MEDIA_TYPES[row["kind"]],
            headers={
                "Content-Disposition": f"inline; filename=evidence-{evidence_id}.{path.suffix.lstrip('.')}",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/{task_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, task_id: FromPath[int]) -> Template:
        user = require_user(request)
        task = await _load(db, user, task_id)
        _agency_actor(user, task)
        if not rules.editable_fields(task.status):
            raise ClientError(409, "wrong_state", rules.EDIT_CLOSED)
        ctx = _edit_context(
            request, task, _edit_values(task), {}, await store.reported_milestones(db, task_id)
        )
        return render(request, "handovers/edit.html", ctx)

    @post("/{task_id:int}/edit")
    async def edit(self, request: Request, db: Db, task_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        task = await _load(db, user, task_id)
        form = await request.form()
        # Only what the form showed is sent: a claimed task's form has no title, claim window...
        typed: dict = {k: form.get(k, "") for k in rules.EDIT_FIELDS if k != "milestones" and k in form}
        if "milestones" in form:
            rows = zip(*(form.getall(k) if k in form else [] for k in ("m_id", "m_title", "m_due", "m_share")),
                       strict=False)  # fmt: skip
            typed["milestones"] = [{"id": i, "title": t, "due": d, "share": sh} for i, t, d, sh in rows]
        values = _edit_values(task) | typed
        reported = await store.reported_milestones(db, task_id)
        action = form.get("ms_action", "")
        if action and "milestones" in typed:
            # "Add a milestone", "Move up", "Remove" without JavaScript: the same form again with the
            # rows changed and everything typed kept; nothing is saved until "Save changes".
            values["milestones"] = _milestone_rows(typed["milestones"], action)
            return render(request, "handovers/edit.html", _edit_context(request, task, values, {}, reported))
        try:
            changed = await _do_edit(db, user, task, typed)
        except FormErrors as exc:
            ctx = _edit_context(request, task, values, exc.errors, reported)
            return render(request, "handovers/edit.html", ctx, status=exc.status)
        except store.HandoverError as exc:
            errors = {exc.field or "_action": Problem(exc.msgid, exc.params)}
            ctx = _edit_context(request, task, values, errors, reported)
            return render(request, "handovers/edit.html", ctx, status=exc.status)
        if not changed:
            return redirect(f"/handovers/{task_id}", flash=("info", "Nothing was changed."))
        return redirect(
            f"/handovers/{task_id}",
            flash=("success", "The task is updated. The edit is on the public timeline."),
        )

    @post("/{task_id:int}/{action:str}")
    async def act(
        self, request: Request, db: Db, task_id: FromPath[int], action: FromPath[str]
    ) -> Template | Redirect:
        user = current_user(request)
        task = await _load(db, user, task_id)
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            if action == "claim":
                await _do_claim(
                    db, user, task, form.get("plan", ""), form.get("team", ""), form.get("partner") or None
                )
                message = "You have claimed this task. The agency will confirm it."
            elif action == "updates":
                files = await _read_files(request, form.getall("evidence") if "evidence" in form else [])
                raw = dict(values)
                raw["links"] = form.get("links", "")
                await _do_update(db, request, user, task, raw, files)
                message = "Your progress update is published."
            elif action == "review":
                await _do_review(
                    db,
                    user,
                    task,
                    _int(form.get("milestone_id")) or 0,
                    form.get("verdict", ""),
                    form.get("comment", ""),
                )
                message = "The milestone review is published."
            elif action in (
                "publish",
                "confirm",
                "release",
                "withdraw",
                "request-completion",
                "sign-off",
                "reject",
                "cancel",
            ):
                text = form.get("reason") or form.get("comment") or form.get("note") or ""
                await _do_simple(db, user, task, action.replace("-", "_"), text)
                message = (
                    "You have given the task back. It is open for claims again."
                    if action == "withdraw"
                    else "Done. The step is on the public timeline."
                )
            else:
                raise not_found()
        except FormErrors as exc:
            return await self._rerender(request, db, task_id, exc.errors, values, exc.status)
        except store.HandoverError as exc:
            return await self._rerender(request, db, task_id, {"_action": Problem(exc.msgid, exc.params)}, values,
                                        exc.status)  # fmt: skip
        except ClientError as exc:
            if exc.status_code in (401, 404):
                raise
            return await self._rerender(
                request,
                db,
                task_id,
                {"_action": Problem(exc.message_id, exc.params)},
                values,
                exc.status_code,
            )
        return redirect(f"/handovers/{task_id}", flash=("success", message))

    async def _rerender(self, request, db, task_id, errors, values, status) -> Template:
        task = await _load(db, current_user(request), task_id)
        ctx = _task_context(request, task, await _detail(db, task), errors, values)
        return render(request, "handovers/task.html", ctx, status=status)


_FORM_FIELDS = (
    "agency", "title", "description", "deliverables", "province", "district", "location", "category",
    "skills", "budget", "claim_opens", "claim_closes", "deadline", "contact", "confirm_days", "review_days",
)  # fmt: skip


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


def _edit_context(request: Request, task, values: dict, errors: Errors, reported: dict[int, str]) -> dict:
    editable = rules.editable_fields(task.status)
    return {
        "task": task,
        "values": values,
        "milestones": values.get("milestones") or [],
        "errors": translate_errors(lang_of(request), errors),
        "editable": editable,
        "held": task.status not in rules.EDIT_STATUSES,
        "reported": {str(i) for i in reported},
        "categories": rules.CATEGORIES,
        "page_title": gettext(lang_of(request), "Edit task"),
    }


def _milestone_rows(rows: list[dict], action: str) -> list[dict]:
    """Apply one "add", "up:N" or "remove:N" (N counts from 1) to the typed rows."""
    rows = list(rows)
    verb, _, n = action.partition(":")
    i = (_int(n) or 0) - 1
    if verb == "add" and len(rows) < 20:
        rows.append({"id": "", "title": "", "due": "", "share": ""})
    elif verb == "up" and 0 < i < len(rows):
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "remove" and 0 <= i < len(rows):
        del rows[i]
    return rows


# ------------------------------------------------------------------ JSON API


def _api(exc: FormErrors) -> ClientError:
    """A form's first error as the API's JSON error (store refusals are answered by the app's
    DomainError handler)."""
    field, problem = next(iter(exc.errors.items()))
    return ClientError(exc.status if exc.status != 400 else 422, exc.code, problem.msgid, field=field,
                       **problem.params)  # fmt: skip


async def _api_act(db, task_id: int, act: Awaitable) -> TaskDetail:
    """Run one verb for the JSON API: refusals become JSON errors, success returns the task as it is now."""
    try:
        await act
    except FormErrors as exc:
        raise _api(exc) from None
    return await _detail(db, await store.get_task(db, task_id))


class HandoversApi(Controller):
    path = "/api/v1/handovers"
    tags = ["handovers"]

    @get("/", summary="Task board")
    async def list_(
        self,
        request: Request,
        db: Db,
        province: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        partner: FromQuery[str | None] = None,
        mine: FromQuery[str | None] = None,
        order: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        f = _board_filters(province, category, status, agency, partner, mine, order, page)
        tasks, total = await _board(db, current_user(request), f)
        return {"items": msgspec.to_builtins(tasks), "total": total, "page": f["page"]}

    @post("/", summary="Post a task (agency staff)", status_code=201)
    async def create(self, request: Request, db: Db, data: JSONBody[TaskIn]) -> TaskDetail:
        user = require_user(request)
        raw = msgspec.to_builtins(data)
        try:
            task_id = await _do_create(db, user, raw)
        except FormErrors as exc:
            raise _api(exc) from None
        return await _detail(db, await store.get_task(db, task_id))

    @get("/{task_id:int}", summary="A task with its timeline, updates, reviews and claims")
    async def get_(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        return await _detail(db, await _load(db, current_user(request), task_id))

    @patch(
        "/{task_id:int}",
        summary="Edit a task: anything before a claim; after it, later dates and the category",
    )
    async def update(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[TaskPatch]
    ) -> TaskDetail:
        user = require_user(request)
        task = await _load(db, user, task_id)
        given = {k: v for k, v in msgspec.to_builtins(data).items() if v is not None}
        fields: dict = {k: v if k == "milestones" else str(v) for k, v in given.items()}
        return await _api_act(db, task_id, _do_edit(db, user, task, fields))

    async def _simple(self, request, db, task_id: int, action: str, text: str | None) -> TaskDetail:
        user = require_user(request)
        task = await _load(db, user, task_id)
        return await _api_act(db, task_id, _do_simple(db, user, task, action, text))

    @post("/{task_id:int}/publish", summary="Publish a draft (agency staff)")
    async def publish(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        return await self._simple(request, db, task_id, "publish", None)

    @post("/{task_id:int}/claim", summary="Claim an open task (verified partner member)")
    async def claim(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ClaimIn]
    ) -> TaskDetail:
        user = current_user(request)
        task = await _load(db, user, task_id)
        return await _api_act(db, task_id, _do_claim(db, user, task, data.plan, data.team, data.partner))

    @post("/{task_id:int}/confirm", summary="Confirm the claim (agency staff)")
    async def confirm(self, request: Request, db: Db, task_id: FromPath[int]) -> TaskDetail:
        return await self._simple(request, db, task_id, "confirm", None)

    @post("/{task_id:int}/release", summary="Release the claim with a reason (agency staff)")
    async def release(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "release", data.reason)

    @post("/{task_id:int}/withdraw", summary="Give the task back with a reason (holding partner)")
    async def withdraw(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "withdraw", data.reason)

    @post("/{task_id:int}/updates", summary="Post a milestone progress update (holding partner)")
    async def post_update(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[UpdateIn]
    ) -> TaskDetail:
        user = require_user(request)
        task = await _load(db, user, task_id)
        raw = {
            "milestone_id": data.milestone_id,
            "body": data.body,
            "percent": data.percent,
            "links": data.links,
        }
        return await _api_act(db, task_id, _do_update(db, request, user, task, raw, []))

    @post("/{task_id:int}/milestones/{milestone_id:int}/review", summary="Review a milestone (agency staff)")
    async def review(
        self,
        request: Request,
        db: Db,
        task_id: FromPath[int],
        milestone_id: FromPath[int],
        data: JSONBody[ReviewIn],
    ) -> TaskDetail:
        user = require_user(request)
        task = await _load(db, user, task_id)
        return await _api_act(
            db, task_id, _do_review(db, user, task, milestone_id, data.verdict, data.comment)
        )

    @post("/{task_id:int}/request-completion", summary="Request completion (holding partner)")
    async def request_completion(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "request_completion", data.comment)

    @post("/{task_id:int}/sign-off", summary="Sign off completion (agency staff)")
    async def sign_off(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "sign_off", data.comment)

    @post("/{task_id:int}/reject", summary="Reject completion with a reason (agency staff)")
    async def reject(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "reject", data.reason)

    @post("/{task_id:int}/cancel", summary="Cancel with a public reason (agency staff)")
    async def cancel(
        self, request: Request, db: Db, task_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> TaskDetail:
        return await self._simple(request, db, task_id, "cancel", data.reason)

    @get("/{task_id:int}/ocds", summary="OCDS 1.1 release package for one task")
    async def ocds_one(self, request: Request, db: Db, task_id: FromPath[int]) -> dict[str, Any]:
        task = await _load(db, None, task_id)
        return await _ocds_package(request, db, [task])

    @get("/ocds", summary="OCDS 1.1 release package for every published task")
    async def ocds_all(self, request: Request, db: Db) -> dict[str, Any]:
        tasks = [await store.get_task(db, i) for i in await store.ocds_task_ids(db)]
        return await _ocds_package(request, db, tasks)

    @get("/overdue", summary="Overdue responses, per agency or partner")
    async def overdue(
        self, db: Db, agency: FromQuery[str | None] = None, partner: FromQuery[str | None] = None
    ) -> list[OverdueItem]:
        return await store.overdue(db, agency=agency or None, partner=partner or None)

    @get("/partners/{slug:str}", summary="A partner's track record")
    async def partner(self, db: Db, slug: FromPath[str]) -> TrackRecord:
        record = await store.track_record(db, slug)
        if record is None:
            raise not_found()
        return record


CONTROLLERS = [HandoverPages, HandoversApi]
