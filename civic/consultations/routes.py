"""Consultation pages and their /api/v1 twins. Loaders are shared by both."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File, Template

from civic import provinces, thai
from civic.accounts.schemas import CurrentUser
from civic.consultations import rules, store
from civic.consultations.analysis import top_keywords
from civic.consultations.charts import bar_chart
from civic.consultations.pdftext import extract_text
from civic.consultations.schemas import (
    Comment,
    CommentIn,
    Consultation,
    ConsultationDetail,
    ConsultationIn,
    ConsultationUpdate,
    FlagOut,
    ModerationOut,
    ModerationQueue,
    MyResponse,
    Outcome,
    OutcomeIn,
    Question,
    QuestionIn,
    ReasonIn,
    ResponseIn,
    Stats,
    Theme,
    TransitionIn,
)
from civic.orgs import store as orgs_store
from civic.uploads import UploadRejected, check_upload, resolve, store_upload
from civic.validation import Errors, Problem
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import current_user, forbid, not_found, require_user
from civic.web.i18n import N_
from civic.web.templating import lang_of, redirect, render, safe_next, translate_errors, wants_partial

KIND_LABELS = {"general": N_("General policy"), "s77": N_("Section 77 draft-law hearing")}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "scheduled": N_("Upcoming"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "outcome_published": N_("Outcome published"),
}
STATUS_TONES = {
    "draft": "neutral",
    "scheduled": "info",
    "open": "success",
    "closed": "warning",
    "outcome_published": "info",
}
QUESTION_KIND_LABELS = {
    "single": N_("Single choice"),
    "multi": N_("Multiple choice"),
    "scale": N_("Scale 1-5"),
    "text": N_("Free text"),
}
CONSENT_LABELS = {
    "named": N_("Publish my answers with my name"),
    "anonymous": N_("Publish my answers anonymously"),
    "none": N_("Do not publish my answers"),
}
DISPOSITION_LABELS = {
    "adopted": N_("Adopted"),
    "partly": N_("Partly adopted"),
    "not_adopted": N_("Not adopted"),
}
TABS = {
    "open": N_("Open now"),
    "upcoming": N_("Upcoming"),
    "closed": N_("Closed"),
    "outcome": N_("With outcome"),
}


def _getall(form, key: str) -> list[str]:
    try:
        return [v for v in form.getall(key) if isinstance(v, str)]
    except KeyError:
        return []


def _first_error(errors: Errors, status: int = 422) -> ClientError:
    field, p = next(iter(errors.items()))
    return ClientError(status, "invalid_input", p.msgid, field=field, **p.params)


async def _load(db: Db, consultation_id: int, user: CurrentUser | None) -> Consultation:
    c = await store.get_consultation(db, consultation_id)
    if c is None or not rules.can_view(user, c.status, c.owner_org_id, c.coowner_ids):
        raise not_found("We could not find that consultation.")
    return c


async def _published_outcome(db: Db, consultation_id: int, version: int | None = None) -> Outcome:
    """The latest outcome (or that version), else 404."""
    o = await store.get_outcome(db, consultation_id, version)
    if o is None:
        raise not_found("The outcome has not been published yet.")
    return o


async def _load_managed(db: Db, consultation_id: int, user: CurrentUser) -> Consultation:
    c = await _load(db, consultation_id, user)
    if not rules.can_manage(user, c.owner_org_id, c.coowner_ids):
        raise forbid("Only staff of the agencies running this consultation can do this.")
    return c


def parse_local(value: str) -> datetime | None:
    """A datetime-local value entered in Asia/Bangkok (or an ISO string with an offset)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=thai.BANGKOK)


def local_input(d: datetime | None) -> str:
    return d.astimezone(thai.BANGKOK).strftime("%Y-%m-%dT%H:%M") if d else ""


def _ctx(**kw) -> dict[str, Any]:
    return {
        "KIND_LABELS": KIND_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "STATUS_TONES": STATUS_TONES,
        "QUESTION_KIND_LABELS": QUESTION_KIND_LABELS,
        "CONSENT_LABELS": CONSENT_LABELS,
        "DISPOSITION_LABELS": DISPOSITION_LABELS,
        "ACTION_LABELS": rules.ACTION_LABELS,
        "days_left": lambda c: rules.days_left(c.closes_at, datetime.now(thai.BANGKOK)),
        "local_input": local_input,
        "pairs": lambda xs: [(x, x) for x in xs],
        "agency_choices": lambda orgs: [(str(o.id), o.name_th) for o in orgs],
    } | kw


# ---------------------------------------------------------------- form parsing (authoring)


_ROW_FIELD = re.compile(r"^q([0-9]{1,4})_(?:prompt|kind|options|required)$")


def _question_rows_from_form(form) -> list[dict]:
    """The question rows exactly as typed, blank ones included, in the order of their row numbers
    (q1_..., q2_...). Gaps in the numbering (a crafted post) simply close up."""
    numbers = sorted({int(m.group(1)) for k in form if (m := _ROW_FIELD.match(k))})
    return [
        {
            "kind": form.get(f"q{n}_kind") or "single",
            "prompt": form.get(f"q{n}_prompt") or "",
            "required": form.get(f"q{n}_required") == "on",
            "options": form.get(f"q{n}_options") or "",
        }
        for n in numbers
    ]


def _questions_from_rows(rows: list[dict]) -> tuple[list[dict], Errors]:
    """The questions to save: blank rows are skipped. Errors are keyed by row number (q3_prompt)
    so they land on the row as it is shown again."""
    questions: list[dict] = []
    errors: Errors = {}
    for i, row in enumerate(rows, start=1):
        prompt = row["prompt"].strip()
        if not prompt:
            continue
        options = row["options"].splitlines()
        for k, p in rules.validate_question(row["kind"], prompt, options).items():
            errors[f"q{i}_{k}"] = p
        questions.append(
            {
                "kind": row["kind"],
                "prompt": prompt,
                "required": row["required"],
                "options": [o.strip() for o in options if o.strip()],
            }
        )
    errors.update(rules.check_question_count(len(questions)))
    return questions, errors


def _question_rows(questions: list) -> list[dict]:
    """Saved questions as editor rows; a consultation without questions shows one empty row."""
    rows = [
        {"kind": q.kind, "prompt": q.prompt, "required": q.required, "options": "\n".join(q.options)}
        for q in questions
    ]
    return rows or [rules.blank_question_row()]


async def _read_upload(request: Request, upload: UploadFile, allowed: tuple[str, ...]) -> tuple[bytes, str]:
    settings = request.app.state.settings
    data = await upload.read()
    try:
        kind = check_upload(data, upload.filename or "", allowed=allowed, max_bytes=settings.max_upload_bytes)
    except UploadRejected as exc:
        raise ClientError(exc.status, "upload_rejected", exc.msgid, field="file", **exc.params) from None
    return data, kind


def _write_document(request: Request, data: bytes, kind: str, filename: str, title: str) -> dict:
    """Write the file first, under its content-addressed path (an orphan is harmless: the same bytes
    always land on the same name), and return the row for the store to insert in its transaction."""
    rel = store_upload(request.app.state.settings.upload_dir, data, kind)
    return {
        "title": title[:200] or filename,
        "filename": filename[:200],
        "kind": kind,
        "path": rel,
        "size_bytes": len(data),
    }


# ---------------------------------------------------------------- HTML pages


class ConsultationPages(Controller):
    path = "/consultations"
    include_in_schema = False

    @get("/")
    async def hub(
        self,
        request: Request,
        db: Db,
        tab: FromQuery[str] = "open",
        agency: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
    ) -> Template:
        tab = tab if tab in TABS else "open"
        kind = kind if kind in rules.KINDS else None
        province = province if (province == "national" or provinces.is_valid(province)) else None
        items = await store.list_consultations(
            db, tab=tab, agency=agency or None, province=province, kind=kind
        )
        agencies = await orgs_store.list_organisations(db, kind="agency", limit=200)
        user = current_user(request)
        return render(
            request,
            "consultations/hub.html",
            _ctx(
                items=items,
                tab=tab,
                tabs=TABS,
                agencies=agencies,
                filters={"agency": agency or "", "province": province or "", "kind": kind or ""},
                can_author=bool(user and (user.agency_ids or user.is_admin)),
                page_title=None,
            ),
        )

    @get("/mine")
    async def mine(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        items = await store.list_consultations(db, tab="mine", org_ids=list(user.agency_ids), limit=200)
        return render(request, "consultations/mine.html", _ctx(items=items))

    # -------------------------------------------------- authoring
    async def _author_form(
        self, request, db, user, values, errors, status=200, consultation=None, focus=None, notice=None
    ):
        if not values["questions"]:
            values["questions"] = [rules.blank_question_row()]
        ctx = _ctx(
            values=values,
            errors=translate_errors(lang_of(request), errors),
            consultation=consultation,
            editable=rules.editable_fields(consultation.status if consultation else "draft"),
            form_action=f"/consultations/{consultation.id}/edit" if consultation else "/consultations/new",
            max_questions=rules.MAX_QUESTIONS,
            focus=focus,
            notice=notice,
        )
        if wants_partial(request, "question-editor"):
            # An editor button pressed with htmx: only the questions fieldset is swapped, so the
            # rest of the form (and a chosen PDF) stays untouched in the browser.
            return render(request, "consultations/_questions.html", ctx, status=status)
        agencies = await orgs_store.list_organisations(db, kind="agency", limit=200)
        own = [a for a in agencies if user.is_admin or a.id in user.agency_ids]
        return render(
            request,
            "consultations/form.html",
            ctx | {"agencies": agencies, "own_agencies": own},
            status=status,
        )

    @get("/new")
    async def new(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        if not (user.agency_ids or user.is_admin):
            raise forbid("Only agency staff can create consultations.")
        values = {"kind": "general", "questions": [rules.blank_question_row()], "coowner_ids": []}
        return await self._author_form(request, db, user, values, {})

    @staticmethod
    def _typed_values(form) -> dict:
        values = {
            k: form.get(k, "")
            for k in (
                "owner_org_id",
                "title",
                "summary",
                "kind",
                "province",
                "opens_at",
                "closes_at",
                "draft_text",
                "change_note",
            )
        }
        values["coowner_ids"] = [v for v in _getall(form, "coowner_ids") if v.isdigit()]
        values["questions"] = _question_rows_from_form(form)
        return values

    async def _editor_action(self, request, db, user, form, action: str, consultation=None) -> Template:
        """Add, remove or move a question row. Nothing is saved: the form comes back with everything
        typed kept, so the editor works as plain form posts without JavaScript."""
        if "questions" not in rules.editable_fields(consultation.status if consultation else "draft"):
            raise ClientError(
                409, "not_editable", "This can no longer be changed in this consultation's current state."
            )
        values = self._typed_values(form)
        if consultation is not None:
            values["owner_org_id"] = consultation.owner_org_id
        edited = rules.edit_question_rows(values["questions"], action)
        if edited is None:
            raise ClientError(
                400, "invalid_input", "That button is not available on this form.", field="action"
            )
        values["questions"], focus, errors = edited
        pdf = form.get("draft_pdf")
        # A browser never refills a file input, so a PDF chosen before pressing the button is gone.
        notice = (
            N_(
                "Choose the PDF again before you save: a chosen file is not kept when the form is shown again."
            )
            if isinstance(pdf, UploadFile) and pdf.filename
            else None
        )
        return await self._author_form(
            request,
            db,
            user,
            values,
            errors,
            status=400 if errors else 200,
            consultation=consultation,
            focus=focus,
            notice=notice,
        )

    async def _read_author_form(
        self, request, form, fixed: dict | None = None
    ) -> tuple[dict, Errors, tuple | None, list[dict]]:
        """`fixed`: values the form no longer shows (an open consultation's kind, scope and opening
        time), validated as stored rather than as the blanks a browser would send for them."""
        values = self._typed_values(form) | (fixed or {})
        questions, errors = _questions_from_rows(values["questions"])
        draft_text = values["draft_text"]
        pdf = form.get("draft_pdf")
        pdf_data = None
        if isinstance(pdf, UploadFile) and pdf.filename:
            pdf_data, _ = await _read_upload(request, pdf, ("pdf",))
            extracted = extract_text(pdf_data)
            if not extracted.strip():
                errors["draft_pdf"] = Problem(
                    "No text could be read from this PDF (it may be a scan). Paste the text instead."
                )
            elif not draft_text.strip():
                draft_text = extracted
                values["draft_text"] = extracted
        errors.update(
            rules.validate_consultation(
                title=values["title"],
                summary=values["summary"],
                kind=values["kind"],
                province=values["province"] or None,
                opens_at=parse_local(values["opens_at"]),
                closes_at=parse_local(values["closes_at"]),
            )
        )
        return values, errors, (pdf_data, pdf.filename) if pdf_data else None, questions

    @post("/new")
    async def create(self, request: Request, db: Db) -> Any:
        user = require_user(request)
        form = await request.form()
        action = form.get("action") or "save"
        if action != "save":
            return await self._editor_action(request, db, user, form, action)
        values, errors, pdf, questions = await self._read_author_form(request, form)
        owner = int(values["owner_org_id"]) if str(values["owner_org_id"]).isdigit() else 0
        if not rules.can_create(user, owner):
            errors["owner_org_id"] = Problem("Choose one of the options.")
        if errors:
            return await self._author_form(request, db, user, values, errors, status=400)
        cid = await store.create_consultation(
            db,
            actor_id=user.id,
            owner_org_id=owner,
            kind=values["kind"],
            title=values["title"],
            summary=values["summary"],
            opens_at=parse_local(values["opens_at"]),
            closes_at=parse_local(values["closes_at"]),
            province=values["province"] or None,
            coowner_ids=[int(v) for v in values["coowner_ids"]],
            sections=store.sections_from_text(values["draft_text"]),
            questions=questions,
            documents=[_write_document(request, pdf[0], "pdf", pdf[1], pdf[1])] if pdf else [],
        )
        return redirect(f"/consultations/{cid}", flash=("success", "The consultation was saved as a draft."))

    async def _save_document(self, request, db, cid, user, data, kind, filename, title):
        return await store.add_document(
            db, cid, actor_id=user.id, **_write_document(request, data, kind, filename, title)
        )

    @get("/{consultation_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        sections = await store.list_sections(db, consultation_id)
        questions = await store.list_questions(db, consultation_id)
        values = {
            "owner_org_id": c.owner_org_id,
            "title": c.title,
            "summary": c.summary,
            "kind": c.kind,
            "province": c.province or "",
            "opens_at": local_input(c.opens_at),
            "closes_at": local_input(c.closes_at),
            "draft_text": "\n\n".join(s.body_original for s in sections),
            "coowner_ids": [str(i) for i in c.coowner_ids],
            "questions": _question_rows(questions),
            "change_note": "",
        }
        return await self._author_form(request, db, user, values, {}, consultation=c)

    @post("/{consultation_id:int}/edit")
    async def edit(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        form = await request.form()
        action = form.get("action") or "save"
        if action != "save":
            return await self._editor_action(request, db, user, form, action, consultation=c)
        # The kind, scope and opening time are fixed once people are answering.
        fixed = (
            {"kind": c.kind, "province": c.province or "", "opens_at": local_input(c.opens_at)}
            if c.status == "open"
            else None
        )
        values, errors, pdf, questions = await self._read_author_form(request, form, fixed)
        values["owner_org_id"] = c.owner_org_id
        allowed = rules.editable_fields(c.status)
        if not allowed:
            raise ClientError(
                409, "not_editable", "This can no longer be changed in this consultation's current state."
            )
        if c.status == "open":
            # Questions are frozen (answers refer to them): whatever rows a post carries are ignored.
            errors = {
                f: p
                for f, p in errors.items()
                if f != "questions" and not (f[:1] == "q" and f[1:2].isdigit())
            }
            errors.pop("opens_at", None)
            if not values["change_note"].strip():
                errors["change_note"] = Problem(
                    "Say what changed: the note is shown in the public change log."
                )
        if errors:
            return await self._author_form(request, db, user, values, errors, status=400, consultation=c)
        fields = {
            "title": values["title"].strip(),
            "summary": values["summary"].strip(),
            "closes_at": parse_local(values["closes_at"]),
        }
        if c.status != "open":
            fields |= {
                "kind": values["kind"],
                "province": values["province"] or None,
                "opens_at": parse_local(values["opens_at"]),
            }
        try:
            await store.update_consultation(
                db,
                consultation_id,
                actor_id=user.id,
                fields=fields,
                sections=store.sections_from_text(values["draft_text"]),
                questions=questions if "questions" in allowed else None,
                change_note=values["change_note"],
                documents=[_write_document(request, pdf[0], "pdf", pdf[1], pdf[1])] if pdf else [],
            )
        except store.Invalid as exc:
            return await self._author_form(request, db, user, values, exc.errors, status=422, consultation=c)
        return redirect(f"/consultations/{consultation_id}", flash=("success", "Your changes were saved."))

    @post("/{consultation_id:int}/documents")
    async def upload_document(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        await _load_managed(db, consultation_id, user)
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ClientError(400, "invalid_input", "Choose a file to upload.", field="file")
        data, kind = await _read_upload(request, upload, ("pdf", "png", "jpeg", "webp"))
        title = (form.get("title") or "").strip() or upload.filename
        await self._save_document(request, db, consultation_id, user, data, kind, upload.filename, title)
        return redirect(f"/consultations/{consultation_id}", flash=("success", "The document was uploaded."))

    @get("/{consultation_id:int}/documents/{document_id:int}")
    async def document(
        self, request: Request, db: Db, consultation_id: FromPath[int], document_id: FromPath[int]
    ) -> File:
        await _load(db, consultation_id, current_user(request))
        doc = await store.get_document(db, consultation_id, document_id)
        path = resolve(request.app.state.settings.upload_dir, doc["path"]) if doc else None
        if path is None:
            raise not_found()
        from civic.uploads import MEDIA_TYPES

        return File(
            path=path,
            filename=doc["filename"],
            media_type=MEDIA_TYPES.get(doc["kind"], "application/octet-stream"),
            content_disposition_type="attachment" if doc["kind"] == "pdf" else "inline",
        )

    @post("/{consultation_id:int}/transition")
    async def transition(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        await _load_managed(db, consultation_id, user)
        form = await request.form()
        action = form.get("action", "")
        if action not in rules.TRANSITIONS:
            raise ClientError(400, "invalid_input", "Choose one of the options.", field="action")
        await store.transition(db, consultation_id, action, actor_id=user.id, reason=form.get("reason", ""))
        return redirect(
            f"/consultations/{consultation_id}", flash=("success", "The consultation's status was updated.")
        )

    # -------------------------------------------------- public page, responding, comments
    async def _page(
        self,
        request,
        db,
        consultation_id,
        *,
        response_values=None,
        response_errors=None,
        comment_errors=None,
        comment_values=None,
        flag_errors=None,
        flag_values=None,
        status=200,
    ):
        user = current_user(request)
        c = await _load(db, consultation_id, user)
        detail = await store.get_detail(db, consultation_id)
        comments = await store.comments_by_section(db, consultation_id)
        mine = await store.get_my_response(db, consultation_id, user.id) if user else None
        if response_values is None:
            response_values = {
                "consent": mine.consent if mine else "anonymous",
                "province": (mine.province or "") if mine else "",
                "answers": {k: v for k, v in (mine.answers if mine else {}).items()},
            }
        outcome = await store.get_outcome(db, consultation_id) if c.status == "outcome_published" else None
        manage = rules.can_manage(user, c.owner_org_id, c.coowner_ids)
        mine_ids = await store.my_comment_ids(db, consultation_id, user.id) if user else set()
        reported = await store.my_flagged_comment_ids(db, consultation_id, user.id) if user else set()
        return render(
            request,
            "consultations/page.html",
            _ctx(
                c=c,
                d=detail,
                comments=comments,
                mine=mine,
                outcome=outcome,
                manage=manage,
                can_respond=rules.can_respond(user, c.status),
                can_comment=rules.can_comment(user, c.status),
                can_moderate=rules.can_moderate(user, c.owner_org_id, c.coowner_ids),
                actions=rules.allowed_actions(c.status) if manage else [],
                rv=response_values,
                response_errors=response_errors or {},
                comment_errors=comment_errors or {},
                comment_values=comment_values or {},
                # report forms: not on one's own comments, once per open report
                can_flag=lambda cm: rules.can_flag(user, cm.status, is_author=cm.id in mine_ids),
                reported=reported,
                flag_errors=flag_errors or {},
                flag_values=flag_values or {},
                page_title=c.title,
            ),
            status=status,
        )

    @get("/{consultation_id:int}")
    async def page(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        return await self._page(request, db, consultation_id)

    @post("/{consultation_id:int}/respond")
    async def respond(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        c = await _load(db, consultation_id, user)
        form = await request.form()
        questions = await store.list_questions(db, consultation_id)
        raw = {
            str(q.id): (_getall(form, f"q{q.id}") if q.kind == "multi" else form.get(f"q{q.id}", ""))
            for q in questions
        }
        consent, province = form.get("consent", ""), form.get("province", "") or None
        values = {"consent": consent, "province": province or "", "answers": raw}
        if c.status != "open":
            raise ClientError(409, "not_open", "This consultation is not open for responses.")
        clean, errors = rules.check_answers([msgspec.to_builtins(q) for q in questions], raw)
        errors.update(rules.validate_response_meta(consent, province))
        if errors:
            return await self._page(
                request,
                db,
                consultation_id,
                response_values=values,
                response_errors=translate_errors(lang_of(request), errors),
                status=400,
            )
        if form.get("mode") == "edit":
            save, msg = store.update_response, N_("Your response was updated.")
        else:
            save, msg = store.submit_response, N_("Thank you. Your response was received.")
        await save(db, consultation_id, user.id, consent=consent, province=province, answers=clean)
        return redirect(f"/consultations/{consultation_id}#respond", flash=("success", msg))

    @post("/{consultation_id:int}/comments")
    async def comment(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        await _load(db, consultation_id, user)
        form = await request.form()
        body = form.get("body", "")
        section = form.get("section_id", "")
        parent = form.get("parent_id", "")
        errors = rules.validate_comment(body)
        if not section.isdigit():
            raise ClientError(400, "invalid_input", "Choose one of the options.", field="section_id")
        if errors:
            return await self._page(
                request,
                db,
                consultation_id,
                comment_errors={int(section): translate_errors(lang_of(request), errors)["body"]},
                comment_values={int(section): body},
                status=400,
            )
        await store.add_comment(
            db,
            consultation_id,
            user.id,
            section_id=int(section),
            body=body,
            parent_id=int(parent) if parent.isdigit() else None,
        )
        return redirect(
            f"/consultations/{consultation_id}#section-{section}",
            flash=("success", "Your comment was posted."),
        )

    @post("/{consultation_id:int}/comments/{comment_id:int}/flags")
    async def flag(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        await _comment_in(db, comment_id, user, consultation_id)
        form = await request.form()
        reason = form.get("reason", "")
        if errors := rules.validate_reason(reason):
            return await self._page(
                request,
                db,
                consultation_id,
                flag_errors={comment_id: translate_errors(lang_of(request), errors)["reason"]},
                flag_values={comment_id: reason},
                status=400,
            )
        _, created = await _flag(db, user, comment_id, reason)
        return redirect(
            f"/consultations/{consultation_id}#comment-{comment_id}",
            flash=("success", "Thank you. A moderator will look at your report.")
            if created
            else ("info", "You have already reported this comment."),
        )

    @post("/{consultation_id:int}/comments/{comment_id:int}/hide")
    async def hide(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        await _moderated_comment(db, comment_id, user, consultation_id)
        form = await request.form()
        await _hide(db, user, comment_id, form.get("reason", ""))
        back = safe_next(form.get("next", ""), f"/consultations/{consultation_id}#comment-{comment_id}")
        return redirect(back, flash=("success", "The comment was hidden."))

    @post("/{consultation_id:int}/comments/{comment_id:int}/restore")
    async def restore(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        await _moderated_comment(db, comment_id, user, consultation_id)
        form = await request.form()
        await _restore(db, user, comment_id)
        back = safe_next(form.get("next", ""), f"/consultations/{consultation_id}#comment-{comment_id}")
        return redirect(back, flash=("success", "The comment was restored."))

    # -------------------------------------------------- analysis and outcome
    @get("/{consultation_id:int}/analysis")
    async def analysis(
        self,
        request: Request,
        db: Db,
        consultation_id: FromPath[int],
        province: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
    ) -> Template:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        filters = {"province": province or "", "since": since or "", "until": until or ""}
        s_since, s_until, errors = rules.parse_filter_period(since, until, thai.BANGKOK)
        if errors:
            # The filter form again, with what was typed and why; no figures for a period we could not read.
            return render(
                request,
                "consultations/analysis.html",
                _ctx(
                    c=c,
                    stats=None,
                    keywords={},
                    charts={},
                    filters=filters,
                    errors=translate_errors(lang_of(request), errors),
                ),
                status=400,
            )
        data = await _analysis(db, c, province, s_since, s_until)
        return render(
            request,
            "consultations/analysis.html",
            _ctx(c=c, **data, charts=_charts(data["stats"], lang_of(request)), filters=filters, errors={}),
        )

    @get("/{consultation_id:int}/outcome")
    async def outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], version: FromQuery[int | None] = None
    ) -> Template:
        c = await _load(db, consultation_id, current_user(request))
        o = await _published_outcome(db, consultation_id, version)
        s = await store.stats(db, consultation_id)
        return render(
            request,
            "consultations/outcome.html",
            _ctx(
                c=c,
                o=o,
                stats=s,
                charts=_charts(s, lang_of(request)),
                versions=await store.outcome_versions(db, consultation_id),
                comments=await _comment_index(db, consultation_id),
                page_title=c.title,
            ),
        )

    @get("/{consultation_id:int}/report")
    async def report(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        c = await _load(db, consultation_id, current_user(request))
        o = await _published_outcome(db, consultation_id)
        s = await store.stats(db, consultation_id)
        return render(
            request,
            "consultations/report.html",
            _ctx(
                c=c,
                o=o,
                stats=s,
                charts=_charts(s, lang_of(request)),
                # whole days, rounded down: a 14.5-day section 77 hearing must not read as 15
                period_days=int(
                    ((c.closed_at or c.closes_at) - (c.opened_at or c.opens_at)).total_seconds() // 86400
                ),
                page_title=c.title,
            ),
        )

    async def _outcome_form(self, request, db, c, values, errors, status=200):
        comments = await _comment_index(db, c.id)
        return render(
            request,
            "consultations/outcome_form.html",
            _ctx(
                c=c,
                values=values,
                errors=translate_errors(lang_of(request), errors),
                comments=comments,
                current=await store.get_outcome(db, c.id),
            ),
            status=status,
        )

    @get("/{consultation_id:int}/outcome/edit")
    async def outcome_form(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        if not rules.can_publish_outcome(user, c.status, c.owner_org_id, c.coowner_ids):
            raise ClientError(
                409, "not_open", "The outcome can be published only after the consultation has closed."
            )
        o = await store.get_outcome(db, consultation_id)
        themes = [msgspec.to_builtins(t) for t in o.themes] if o else []
        themes = [{**t, "comment_ids": ", ".join(str(i) for i in t["comment_ids"])} for t in themes]
        while len(themes) < 5:
            themes.append({"title": "", "disposition": "", "reason": "", "comment_ids": ""})
        return await self._outcome_form(
            request, db, c, {"summary": o.summary if o else "", "themes": themes, "correction_note": ""}, {}
        )

    @post("/{consultation_id:int}/outcome")
    async def publish(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        form = await request.form()
        themes_raw = []
        for i in range(5):
            t = {
                k: form.get(f"theme{i}_{k}", "").strip()
                for k in ("title", "disposition", "reason", "comment_ids")
            }
            if t["title"] or t["reason"]:
                themes_raw.append(t)
        values = {
            "summary": form.get("summary", ""),
            "correction_note": form.get("correction_note", ""),
            "themes": themes_raw
            + [{"title": "", "disposition": "", "reason": "", "comment_ids": ""}] * (5 - len(themes_raw)),
        }
        current = await store.get_outcome(db, consultation_id)
        errors = rules.validate_outcome(
            values["summary"],
            themes_raw,
            version=(current.version + 1) if current else 1,
            correction_note=values["correction_note"],
        )
        themes = []
        for i, t in enumerate(themes_raw):
            ids = [x.strip().lstrip("#") for x in t["comment_ids"].replace("،", ",").split(",") if x.strip()]
            if any(thai.parse_int_strict(x) is None for x in ids):
                errors[f"theme{i}_comment_ids"] = Problem("Enter comment numbers separated by commas.")
                continue
            if not any(k.startswith(f"theme{i}_") for k in errors):
                themes.append(
                    Theme(
                        title=t["title"],
                        disposition=t["disposition"],
                        reason=t["reason"],
                        comment_ids=[thai.parse_int_strict(x) for x in ids],
                    )
                )
        if errors:
            return await self._outcome_form(request, db, c, values, errors, status=400)
        try:
            await store.publish_outcome(
                db,
                consultation_id,
                actor_id=user.id,
                summary=values["summary"],
                themes=themes,
                correction_note=values["correction_note"],
            )
        except store.Invalid as exc:
            return await self._outcome_form(request, db, c, values, exc.errors, status=422)
        return redirect(
            f"/consultations/{consultation_id}/outcome", flash=("success", "The outcome was published.")
        )


async def _comment_index(db: Db, consultation_id: int) -> dict[int, Comment]:
    out: dict[int, Comment] = {}
    for comments in (await store.comments_by_section(db, consultation_id)).values():
        for c in comments:
            out[c.id] = c
            for r in c.replies:
                out[r.id] = r
    return out


def _charts(s: Stats, lang: str) -> dict[int, dict]:
    from civic.web.i18n import gettext

    out = {}
    for q in s.questions:
        if q.kind == "text" or not q.options:
            continue
        out[q.question_id] = bar_chart(
            f"chart-q{q.question_id}",
            q.prompt,
            gettext(lang, "%(n)s people answered this question.", n=q.answered),
            [(o.label, o.count, o.percent) for o in q.options],
        )
    return out


async def _analysis(db, c: Consultation, province, s_since, s_until) -> dict:
    province = province if provinces.is_valid(province) else None
    s = await store.stats(db, c.id, province=province, since=s_since, until=s_until)
    keywords = {}
    for q in s.questions:
        if q.kind == "text":
            texts = await store.free_text_answers(
                db, c.id, q.question_id, province=province, since=s_since, until=s_until
            )
            keywords[q.question_id] = top_keywords(texts)
    return {"stats": s, "keywords": keywords}


# ---------------------------------------------------------------- comment moderation

QUEUE_PATH = "/consultations/moderation"


async def _comment_in(db: Db, comment_id: int, user: CurrentUser | None, consultation_id: int | None = None):
    """The comment's row and its consultation, if this person may see them (else 404)."""
    ref = await store.get_comment_ref(db, comment_id)
    if ref is None or (consultation_id is not None and ref["consultation_id"] != consultation_id):
        raise not_found(store.COMMENT_NOT_FOUND)
    c = await _load(db, ref["consultation_id"], user)
    return ref, c


async def _moderated_comment(db: Db, comment_id: int, user: CurrentUser, consultation_id: int | None = None):
    """Hide/restore: platform moderators, or staff of the agencies running this consultation."""
    ref, c = await _comment_in(db, comment_id, user, consultation_id)
    if not rules.can_moderate(user, c.owner_org_id, c.coowner_ids):
        raise forbid()
    return ref, c


def _require_queue(request: Request) -> CurrentUser:
    user = require_user(request)
    if not rules.can_use_queue(user):
        raise forbid("Only moderators can see the moderation queue.")
    return user


async def _flag(db: Db, user: CurrentUser, comment_id: int, reason: str) -> tuple[int, bool]:
    if user.status != "active":
        raise forbid()
    if errors := rules.validate_reason(reason):
        raise _first_error(errors, 400)
    return await store.flag_comment(db, comment_id, user.id, reason)


async def _hide(db: Db, user: CurrentUser, comment_id: int, reason: str) -> int:
    if errors := rules.validate_reason(reason):
        raise _first_error(errors, 400)
    return await store.hide_comment(db, None, comment_id, actor_id=user.id, reason=reason)


async def _restore(db: Db, user: CurrentUser, comment_id: int) -> int:
    return await store.restore_comment(db, None, comment_id, actor_id=user.id)


async def _dismiss(db: Db, user: CurrentUser, comment_id: int) -> int:
    await _comment_in(db, comment_id, user)
    return await store.dismiss_flags(db, comment_id, actor_id=user.id)


async def _block(db: Db, user: CurrentUser, comment_id: int) -> int:
    ref, _ = await _comment_in(db, comment_id, user)
    if not rules.can_block_author(user, ref["author_id"], ref["author_role"]):
        raise forbid("You cannot block this person.")
    return await store.block_comment_author(db, comment_id, actor_id=user.id)


class ConsultationModerationPages(Controller):
    """The moderators' queue of reported paragraph comments, across all consultations."""

    path = QUEUE_PATH
    include_in_schema = False

    async def _queue(self, request, db, *, errors=None, values=None, status=200) -> Template:
        queue = await store.moderation_queue(db)
        return render(
            request,
            "consultations/moderation.html",
            _ctx(
                queue=queue,
                errors=errors or {},
                values=values or {},
                page_title=None,
            ),
            status=status,
        )

    @get("/")
    async def queue(self, request: Request, db: Db) -> Template:
        _require_queue(request)
        return await self._queue(request, db)

    @post("/comments/{comment_id:int}/hide")
    async def hide(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        user = _require_queue(request)
        await _comment_in(db, comment_id, user)
        form = await request.form()
        reason = form.get("reason", "")
        if errors := rules.validate_reason(reason):
            return await self._queue(
                request,
                db,
                errors={comment_id: translate_errors(lang_of(request), errors)["reason"]},
                values={comment_id: reason},
                status=400,
            )
        await _hide(db, user, comment_id, reason)
        return redirect(QUEUE_PATH, flash=("success", "The comment was hidden."))

    @post("/comments/{comment_id:int}/restore")
    async def restore(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        user = _require_queue(request)
        await _comment_in(db, comment_id, user)
        await _restore(db, user, comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The comment was restored."))

    @post("/comments/{comment_id:int}/dismiss")
    async def dismiss(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        user = _require_queue(request)
        await _dismiss(db, user, comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The reports have been dismissed."))

    @post("/comments/{comment_id:int}/block")
    async def block(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        user = _require_queue(request)
        await _block(db, user, comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The author has been blocked."))


# ---------------------------------------------------------------- JSON API


class ConsultationList(msgspec.Struct):
    items: list[Consultation]


class TransitionOut(msgspec.Struct):
    id: int
    status: str


class ResponseOut(msgspec.Struct):
    id: int
    consultation_id: int


class Keyword(msgspec.Struct):
    term: str
    score: float
    count: int
    answers: list[str]


class AnalysisOut(msgspec.Struct):
    stats: Stats
    keywords: dict[int, list[Keyword]]


class BlockOut(msgspec.Struct):
    comment_id: int
    author_id: int
    status: str


class ExportRow(msgspec.Struct):
    response: str
    consent: str
    name: str | None
    province: str | None
    submitted_on: str
    answers: dict[str, object]


class ExportOut(msgspec.Struct):
    consultation_id: int
    title: str
    licence: str
    questions: list[Question]
    responses: list[ExportRow]


def _api_errors(errors: Errors) -> None:
    if errors:
        raise _first_error(errors)


def _check_api_questions(questions: list[QuestionIn]) -> None:
    """The same maximum and per-question checks as the HTML editor, as a 422 naming the field."""
    _api_errors(rules.check_question_count(len(questions)))
    for i, q in enumerate(questions):
        if errs := rules.validate_question(q.kind, q.prompt, q.options):
            raise _first_error({f"questions[{i}].{k}": p for k, p in errs.items()})


class ConsultationsApi(Controller):
    path = "/api/v1/consultations"
    tags = ["consultations"]

    @get("/", summary="List consultations (tab: open, upcoming, closed, outcome)")
    async def list_(
        self,
        db: Db,
        tab: FromQuery[str] = "open",
        agency: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
    ) -> ConsultationList:
        tab = tab if tab in (*TABS, "all") else "open"
        return ConsultationList(
            items=await store.list_consultations(
                db, tab=tab, agency=agency, province=province, kind=kind if kind in rules.KINDS else None
            )
        )

    @post("/", summary="Create a consultation (agency staff)", status_code=201)
    async def create(self, request: Request, db: Db, data: JSONBody[ConsultationIn]) -> ConsultationDetail:
        user = require_user(request)
        if not rules.can_create(user, data.owner_org_id):
            raise forbid("Only staff of the agencies running this consultation can do this.")
        _api_errors(
            rules.validate_consultation(
                title=data.title,
                summary=data.summary,
                kind=data.kind,
                province=data.province,
                opens_at=data.opens_at,
                closes_at=data.closes_at,
            )
        )
        _check_api_questions(data.questions)
        cid = await store.create_consultation(
            db,
            actor_id=user.id,
            owner_org_id=data.owner_org_id,
            kind=data.kind,
            title=data.title,
            summary=data.summary,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            province=data.province,
            coowner_ids=data.coowner_ids,
            sections=store.sections_from_text(data.draft_text),
            questions=[msgspec.to_builtins(q) for q in data.questions],
        )
        return await store.get_detail(db, cid)

    @get("/{consultation_id:int}", summary="A consultation with its draft, questions and documents")
    async def get_(self, request: Request, db: Db, consultation_id: FromPath[int]) -> ConsultationDetail:
        await _load(db, consultation_id, current_user(request))
        return await store.get_detail(db, consultation_id)

    @patch(
        "/{consultation_id:int}",
        summary="Edit (versioned with change_note after opening); questions replace all, before opening only",
    )
    async def update(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ConsultationUpdate]
    ) -> ConsultationDetail:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        fields = {
            k: getattr(data, k)
            for k in ("title", "summary", "kind", "province", "opens_at", "closes_at")
            if getattr(data, k) is not None
        }
        merged = {
            "title": c.title,
            "summary": c.summary,
            "kind": c.kind,
            "province": c.province,
            "opens_at": c.opens_at,
            "closes_at": c.closes_at,
        } | fields
        _api_errors(rules.validate_consultation(**merged))
        if data.questions is not None:
            _check_api_questions(data.questions)
        await store.update_consultation(
            db,
            consultation_id,
            actor_id=user.id,
            fields=fields,
            sections=store.sections_from_text(data.draft_text) if data.draft_text is not None else None,
            questions=[msgspec.to_builtins(q) for q in data.questions]
            if data.questions is not None
            else None,
            change_note=data.change_note,
        )
        return await store.get_detail(db, consultation_id)

    @post(
        "/{consultation_id:int}/transitions",
        summary="schedule | unschedule | open | close (reason)",
        status_code=200,
    )
    async def transition(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> TransitionOut:
        user = require_user(request)
        await _load_managed(db, consultation_id, user)
        status = await store.transition(
            db, consultation_id, data.action, actor_id=user.id, reason=data.reason
        )
        return TransitionOut(id=consultation_id, status=status)

    @get("/{consultation_id:int}/questions", summary="Questions in order")
    async def questions(self, request: Request, db: Db, consultation_id: FromPath[int]) -> list[Question]:
        await _load(db, consultation_id, current_user(request))
        return await store.list_questions(db, consultation_id)

    async def _save_response(self, request, db, consultation_id, data: ResponseIn, save) -> ResponseOut:
        """Check the answers, then `save` them (store.submit_response or store.update_response)."""
        user = require_user(request)
        c = await _load(db, consultation_id, user)
        if c.status != "open":
            raise ClientError(409, "not_open", "This consultation is not open for responses.")
        questions = await store.list_questions(db, consultation_id)
        clean, errors = rules.check_answers([msgspec.to_builtins(q) for q in questions], data.answers)
        errors.update(rules.validate_response_meta(data.consent, data.province))
        _api_errors(errors)
        rid = await save(
            db, consultation_id, user.id, consent=data.consent, province=data.province, answers=clean
        )
        return ResponseOut(id=rid, consultation_id=consultation_id)

    @post("/{consultation_id:int}/response", summary="Submit my response (once)", status_code=201)
    async def submit(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ResponseIn]
    ) -> ResponseOut:
        return await self._save_response(request, db, consultation_id, data, store.submit_response)

    @put("/{consultation_id:int}/response", summary="Update my response while open")
    async def update_response(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ResponseIn]
    ) -> ResponseOut:
        return await self._save_response(request, db, consultation_id, data, store.update_response)

    @get("/{consultation_id:int}/response", summary="My own response")
    async def my_response(self, request: Request, db: Db, consultation_id: FromPath[int]) -> MyResponse:
        user = require_user(request)
        await _load(db, consultation_id, user)
        mine = await store.get_my_response(db, consultation_id, user.id)
        if mine is None:
            raise ClientError(404, "no_response", "You have not responded to this consultation yet.")
        return mine

    @get("/{consultation_id:int}/comments", summary="Paragraph comments by section id")
    async def comments(
        self, request: Request, db: Db, consultation_id: FromPath[int]
    ) -> dict[int, list[Comment]]:
        await _load(db, consultation_id, current_user(request))
        return await store.comments_by_section(db, consultation_id)

    @post("/{consultation_id:int}/comments", summary="Comment on a section (or reply)", status_code=201)
    async def add_comment(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> ResponseOut:
        user = require_user(request)
        await _load(db, consultation_id, user)
        _api_errors(rules.validate_comment(data.body))
        cid = await store.add_comment(
            db,
            consultation_id,
            user.id,
            section_id=data.section_id,
            body=data.body,
            parent_id=data.parent_id,
        )
        return ResponseOut(id=cid, consultation_id=consultation_id)

    @get(
        "/{consultation_id:int}/analysis", summary="Staff analysis: counts, per question, free-text keywords"
    )
    async def analysis(
        self,
        request: Request,
        db: Db,
        consultation_id: FromPath[int],
        province: FromQuery[str | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
    ) -> AnalysisOut:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        s_since, s_until, errors = rules.parse_filter_period(since, until, thai.BANGKOK)
        if errors:
            raise _first_error(errors, 400)
        data = await _analysis(db, c, province, s_since, s_until)
        return msgspec.convert(data, AnalysisOut, from_attributes=True)

    @get("/{consultation_id:int}/outcome", summary="The published outcome (latest or ?version=)")
    async def get_outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], version: FromQuery[int | None] = None
    ) -> Outcome:
        await _load(db, consultation_id, current_user(request))
        return await _published_outcome(db, consultation_id, version)

    @post(
        "/{consultation_id:int}/outcome",
        summary="Publish the outcome, or a versioned correction",
        status_code=201,
    )
    async def publish_outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[OutcomeIn]
    ) -> Outcome:
        user = require_user(request)
        c = await _load_managed(db, consultation_id, user)
        if not rules.can_publish_outcome(user, c.status, c.owner_org_id, c.coowner_ids):
            raise ClientError(
                409, "not_open", "The outcome can be published only after the consultation has closed."
            )
        current = await store.get_outcome(db, consultation_id)
        _api_errors(
            rules.validate_outcome(
                data.summary,
                [msgspec.to_builtins(t) for t in data.themes],
                version=(current.version + 1) if current else 1,
                correction_note=data.correction_note,
            )
        )
        await store.publish_outcome(
            db,
            consultation_id,
            actor_id=user.id,
            summary=data.summary,
            themes=data.themes,
            correction_note=data.correction_note,
        )
        return await store.get_outcome(db, consultation_id)

    async def _export(self, request, db, consultation_id) -> ExportOut:
        c = await _load(db, consultation_id, current_user(request))
        if c.status not in ("closed", "outcome_published"):
            raise ClientError(409, "not_closed", "Open data is published after the consultation closes.")
        questions, rows = await store.export_responses(db, consultation_id)
        return ExportOut(
            consultation_id=c.id,
            title=c.title,
            licence="CC BY 4.0",
            questions=questions,
            responses=[ExportRow(**r) for r in rows],
        )

    @get("/{consultation_id:int}/responses.json", summary="Open data: consented responses, anonymised")
    async def export_json(self, request: Request, db: Db, consultation_id: FromPath[int]) -> ExportOut:
        return await self._export(request, db, consultation_id)

    @get(
        "/{consultation_id:int}/responses.csv",
        summary="Open data: consented responses as CSV",
        media_type="text/csv",
    )
    async def export_csv(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Response:
        out = await self._export(request, db, consultation_id)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            [
                "response",
                "consent",
                "name",
                "province",
                "submitted_on",
                *[f"q{q.position}: {q.prompt}" for q in out.questions],
            ]
        )
        for r in out.responses:
            cells = []
            for q in out.questions:
                v = r.answers.get(str(q.id), "")
                cells.append("; ".join(v) if isinstance(v, list) else v)
            w.writerow([r.response, r.consent, r.name or "", r.province or "", r.submitted_on, *cells])
        return Response(
            "\ufeff" + buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="consultation-{consultation_id}-responses.csv"'
            },
        )

    @get("/{consultation_id:int}/statistics.json", summary="Open data: aggregate statistics per question")
    async def statistics(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Stats:
        c = await _load(db, consultation_id, current_user(request))
        if c.status not in ("closed", "outcome_published") and not rules.can_manage(
            current_user(request), c.owner_org_id, c.coowner_ids
        ):
            raise ClientError(409, "not_closed", "Open data is published after the consultation closes.")
        return await store.stats(db, consultation_id)

    # -------------------------------------------------- comment moderation
    @post(
        "/comments/{comment_id:int}/flags",
        summary="Report a paragraph comment to the moderators (once per person while open)",
        status_code=201,
    )
    async def flag_comment(
        self, request: Request, db: Db, comment_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> Response[FlagOut]:
        user = require_user(request)
        await _comment_in(db, comment_id, user)
        flag_id, created = await _flag(db, user, comment_id, data.reason)
        return Response(
            FlagOut(id=flag_id, comment_id=comment_id, created=created), status_code=201 if created else 200
        )

    @get("/moderation", summary="Moderators: reported paragraph comments and recently hidden ones")
    async def moderation(self, request: Request, db: Db) -> ModerationQueue:
        _require_queue(request)
        return await store.moderation_queue(db)

    @post(
        "/comments/{comment_id:int}/hide",
        summary="Hide a paragraph comment with a public reason (moderators, running agencies' staff)",
        status_code=200,
    )
    async def hide_comment(
        self, request: Request, db: Db, comment_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ModerationOut:
        user = require_user(request)
        await _moderated_comment(db, comment_id, user)
        resolved = await _hide(db, user, comment_id, data.reason)
        return ModerationOut(comment_id=comment_id, status="hidden", resolved_flags=resolved)

    @post("/comments/{comment_id:int}/restore", summary="Restore a hidden paragraph comment", status_code=200)
    async def restore_comment(self, request: Request, db: Db, comment_id: FromPath[int]) -> ModerationOut:
        user = require_user(request)
        await _moderated_comment(db, comment_id, user)
        resolved = await _restore(db, user, comment_id)
        return ModerationOut(comment_id=comment_id, status="visible", resolved_flags=resolved)

    @post(
        "/comments/{comment_id:int}/dismiss",
        summary="Moderators: close a comment's open reports without hiding it",
        status_code=200,
    )
    async def dismiss_comment_flags(
        self, request: Request, db: Db, comment_id: FromPath[int]
    ) -> ModerationOut:
        user = _require_queue(request)
        resolved = await _dismiss(db, user, comment_id)
        return ModerationOut(comment_id=comment_id, status="visible", resolved_flags=resolved)

    @post(
        "/comments/{comment_id:int}/block-author",
        summary="Moderators: block a comment's author (their sessions and tokens end)",
        status_code=200,
    )
    async def block_comment_author(self, request: Request, db: Db, comment_id: FromPath[int]) -> BlockOut:
        user = _require_queue(request)
        author_id = await _block(db, user, comment_id)
        return BlockOut(comment_id=comment_id, author_id=author_id, status="blocked")


CONTROLLERS = [ConsultationPages, ConsultationModerationPages, ConsultationsApi]
