"""Consultation pages. Each handler decodes the form into the input the JSON API takes, calls the
same action or query (civic.consultations.actions / queries) and renders; an Invalid re-renders
the form with what was typed and every error, any other refusal goes to civic.web.errors."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import File, Template

from civic import keyset, provinces, thai
from civic.accounts.schemas import CurrentUser
from civic.consultations import actions, queries, rules
from civic.consultations.charts import bar_chart, scale_labels
from civic.consultations.schemas import (
    CommentIn,
    ConsultationIn,
    ConsultationUpdate,
    Files,
    OutcomeIn,
    QuestionIn,
    ReasonIn,
    ResponseIn,
    Stats,
    ThemeIn,
    TransitionIn,
    Upload,
)
from civic.follows import queries as follows
from civic.implementation import actions as implementation
from civic.orgs import queries as orgs
from civic.uploads import MEDIA_TYPES, resolve
from civic.validation import Conflict, Errors, Forbidden, Invalid, Problem
from civic.web.deps import Db
from civic.web.downloads import upload_response
from civic.web.guards import current_user, not_found, require_user
from civic.web.i18n import N_, gettext
from civic.web.templating import (
    Confirm,
    confirm_page,
    is_confirmed,
    lang_of,
    redirect,
    render,
    safe_next,
    translate_errors,
    wants_partial,
)

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
OUTCOME_THEMES = 5
QUEUE_PATH = "/consultations/moderation"
CLOSE = Confirm(
    N_("Close this consultation now?"),
    N_(
        "Nobody can answer or comment once it is closed, and it cannot be opened again. Your reason is public."
    ),
    N_("Yes, close it now"),
    ("reason",),
)
BLOCK = Confirm(
    N_("Block this author?"),
    N_("A blocked person is logged out everywhere and can no longer log in, post or answer."),
    N_("Yes, block the author"),
)


def analysis_filter(
    province: FromQuery[str | None] = None,
    since: FromQuery[str | None] = None,
    until: FromQuery[str | None] = None,
) -> queries.AnalysisFilter:
    """The analysis query parameters, as the page and its API twin both receive them."""
    return queries.AnalysisFilter(province, since, until)


ANALYSIS_FILTER = {"filters": Provide(analysis_filter, sync_to_thread=False)}


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
        "agency_choices": lambda agencies, name: [(str(a.id), name(a)) for a in agencies],
    } | kw


def _charts(s: Stats, lang: str) -> dict[int, dict]:
    # The same words for a scale's ends as the answer form gave the people who answered: the
    # question's own, else the platform's.
    default = [gettext(lang, "not at all"), gettext(lang, "very much")]

    def labels(q) -> list[str]:
        plain = [o.label for o in q.options]
        return scale_labels(plain, *(q.scale_ends or default)) if q.kind == "scale" else plain

    return {
        q.question_id: bar_chart(
            f"chart-q{q.question_id}",
            q.prompt,
            gettext(lang, "%(n)s people answered this question.", n=q.answered),
            [(label, o.count, o.percent) for label, o in zip(labels(q), q.options, strict=True)],
        )
        for q in s.questions
        if q.kind != "text" and q.options
    }


def _files(request: Request) -> Files:
    settings = request.app.state.settings
    return Files(dir=settings.upload_dir, max_bytes=settings.max_upload_bytes)


async def _upload(form, field: str, title: str = "") -> Upload | None:
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return Upload(filename=upload.filename, data=await upload.read(), title=title)


def _require_author(request: Request) -> CurrentUser:
    """Someone who may draft for at least one agency; actions.draft checks the agency itself."""
    user = require_user(request)
    if not (user.agency_ids or user.is_admin):
        raise Forbidden("Only agency staff can create consultations.")
    return user


def _form_status(exc: Invalid) -> int:
    """Form problems found before any write answer 400, as they always have; those the store
    finds under its lock (a subclass) keep their own status (422)."""
    return 400 if type(exc) is Invalid else exc.status


# ---------------------------------------------------------------- the authoring form

_ROW_FIELD = re.compile(r"^q([0-9]{1,4})_(?:prompt|kind|options|required)$")
_ROW_ERROR = re.compile(r"^questions\[([0-9]+)\]\.(\w+)$")
AUTHOR_FIELDS = ("owner_org_id", "title", "summary", "kind", "province", "opens_at", "closes_at")


def _typed_values(form) -> dict:
    """The authoring form exactly as typed; question rows (q1_..., q2_...) in the order of their
    numbers, blank ones included; gaps in the numbering (a crafted post) simply close up."""
    values = {k: form.get(k, "") for k in (*AUTHOR_FIELDS, "draft_text", "change_note")}
    values["coowner_ids"] = [v for v in form.getall("coowner_ids", []) if isinstance(v, str) and v.isdigit()]
    values["requires_national_id"] = bool(form.get("requires_national_id"))
    numbers = sorted({int(m.group(1)) for k in form if (m := _ROW_FIELD.match(k))})
    values["questions"] = [
        {
            "kind": form.get(f"q{n}_kind") or "single",
            "prompt": form.get(f"q{n}_prompt") or "",
            "required": form.get(f"q{n}_required") == "on",
            "options": form.get(f"q{n}_options") or "",
        }
        for n in numbers
    ]
    return values


def _question_input(rows: list[dict]) -> tuple[list[QuestionIn], list[int]]:
    """The rows with a prompt, as the API's questions, and the row number each came from."""
    kept = [(i, row) for i, row in enumerate(rows, start=1) if row["prompt"].strip()]
    questions = [
        QuestionIn(
            kind=row["kind"],
            prompt=row["prompt"].strip(),
            required=row["required"],
            options=[o.strip() for o in row["options"].splitlines() if o.strip()],
        )
        for _, row in kept
    ]
    return questions, [i for i, _ in kept]


def _row_errors(errors: Errors, rows: list[int]) -> Errors:
    """questions[i].field as the form's row fields (q3_prompt), so each lands on its row."""
    out: Errors = {}
    for field, problem in errors.items():
        m = _ROW_ERROR.match(field)
        out[f"q{rows[int(m.group(1))]}_{m.group(2)}" if m else field] = problem
    return out


def _draft_input(values: dict) -> tuple[ConsultationIn, list[int]]:
    """The form as the API's ConsultationIn; dates that cannot be read arrive as None, and the
    action refuses them with the same message as the API."""
    questions, rows = _question_input(values["questions"])
    owner = values["owner_org_id"]
    data = ConsultationIn(
        owner_org_id=int(owner) if str(owner).isdigit() else 0,
        title=values["title"],
        summary=values["summary"],
        kind=values["kind"],
        opens_at=parse_local(values["opens_at"]),
        closes_at=parse_local(values["closes_at"]),
        province=values["province"] or None,
        coowner_ids=[int(v) for v in values["coowner_ids"]],
        draft_text=values["draft_text"],
        questions=questions,
        requires_national_id=values["requires_national_id"],
    )
    return data, rows


def _update_input(values: dict, editable: frozenset[str]) -> tuple[ConsultationUpdate, list[int]]:
    """The edit form as the API's ConsultationUpdate. What the status no longer lets change is not
    sent (the form does not show it): an open consultation keeps its kind, scope, opening time and
    questions, whatever a post carries."""
    questions, rows = _question_input(values["questions"])
    given = {
        "title": values["title"],
        "summary": values["summary"],
        "kind": values["kind"],
        "province": values["province"],  # "" is national
        "opens_at": parse_local(values["opens_at"]),
        "closes_at": parse_local(values["closes_at"]),
        "questions": questions,
        "requires_national_id": values["requires_national_id"],
    }
    data = ConsultationUpdate(
        **{k: v for k, v in given.items() if k in editable},
        draft_text=values["draft_text"],
        change_note=values["change_note"],
    )
    return data, rows


def _saved_values(c, d) -> dict:
    """A saved consultation as the edit form shows it."""
    return {
        "owner_org_id": c.owner_org_id,
        "title": c.title,
        "summary": c.summary,
        "kind": c.kind,
        "province": c.province or "",
        "opens_at": local_input(c.opens_at),
        "closes_at": local_input(c.closes_at),
        "draft_text": "\n\n".join(s.body_original for s in d.sections),
        "coowner_ids": [str(i) for i in c.coowner_ids],
        "requires_national_id": c.requires_national_id,
        "questions": _saved_rows(d.questions),
        "change_note": "",
    }


def _saved_rows(questions: list) -> list[dict]:
    rows = [
        {"kind": q.kind, "prompt": q.prompt, "required": q.required, "options": "\n".join(q.options)}
        for q in questions
    ]
    return rows or [rules.blank_question_row()]


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
        page: FromQuery[str | None] = None,
    ) -> Template:
        tab = tab if tab in TABS else "open"
        kind = kind if kind in rules.KINDS else None
        province = province if (province == "national" or provinces.is_valid(province)) else None
        user = current_user(request)
        return render(
            request,
            "consultations/hub.html",
            _ctx(
                result=await queries.list_consultations(
                    db, tab=tab, agency=agency, province=province, kind=kind, page=keyset.page_number(page)
                ),
                tab=tab,
                tabs=TABS,
                agencies=await orgs.agency_choices(db, ("agency",)),
                filters={"agency": agency or "", "province": province or "", "kind": kind or ""},
                follow_filters=(
                    [await follows.button(db, user, "province", province)] if provinces.is_valid(province) else []
                ),
                can_author=bool(user and (user.agency_ids or user.is_admin)),
                page_title=None,
            ),
        )

    @get("/mine")
    async def mine(self, request: Request, db: Db, page: FromQuery[str | None] = None) -> Template:
        result = await queries.mine(db, require_user(request), keyset.page_number(page))
        return render(request, "consultations/mine.html", _ctx(result=result))

    # -------------------------------------------------- authoring
    async def _author_form(
        self, request, db, values, errors, status=200, consultation=None, focus=None, notice=None
    ) -> Template:
        user = require_user(request)
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
        agencies = await orgs.agency_choices(db, ("agency",))
        own = [a for a in agencies if user.is_admin or a.id in user.agency_ids]
        return render(
            request,
            "consultations/form.html",
            ctx | {"agencies": agencies, "own_agencies": own},
            status=status,
        )

    async def _editor_button(self, request, db, form, action: str, consultation=None) -> Template:
        """Add, remove or move a question row. Nothing is saved: the form comes back with everything
        typed kept, so the editor works as plain form posts without JavaScript."""
        if "questions" not in rules.editable_fields(consultation.status if consultation else "draft"):
            raise Conflict("This can no longer be changed in this consultation's current state.")
        values = _typed_values(form)
        if consultation is not None:
            values["owner_org_id"] = consultation.owner_org_id
        edited = rules.edit_question_rows(values["questions"], action)
        if edited is None:
            raise Invalid({"action": Problem("That button is not available on this form.")}, status=400)
        values["questions"], focus, errors = edited
        # A browser never refills a file input, so a PDF chosen before pressing the button is gone.
        pdf = form.get("draft_pdf")
        notice = (
            N_(
                "Choose the PDF again before you save: a chosen file is not kept when the form is shown again."
            )
            if isinstance(pdf, UploadFile) and pdf.filename
            else None
        )
        return await self._author_form(
            request, db, values, errors, 400 if errors else 200, consultation, focus=focus, notice=notice
        )

    @get("/new")
    async def new(self, request: Request, db: Db) -> Template:
        _require_author(request)
        values = {"kind": "general", "questions": [rules.blank_question_row()], "coowner_ids": []}
        return await self._author_form(request, db, values, {})

    @post("/new")
    async def create(self, request: Request, db: Db) -> Any:
        user = _require_author(request)  # before the body is read: a stranger's upload is never parsed
        form = await request.form()
        if (button := form.get("action") or "save") != "save":
            return await self._editor_button(request, db, form, button)
        values = _typed_values(form)
        data, rows = _draft_input(values)
        pdf = await _upload(form, "draft_pdf")
        try:
            detail = await actions.draft(db, user, data, pdf=pdf, files=_files(request))
        except Invalid as exc:
            return await self._author_form(
                request, db, values, _row_errors(exc.errors, rows), _form_status(exc)
            )
        cid = detail.consultation.id
        return redirect(f"/consultations/{cid}", flash=("success", "The consultation was saved as a draft."))

    @get("/{consultation_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        user = require_user(request)
        c = await queries.managed(db, user, consultation_id)
        d = await queries.detail(db, user, consultation_id)
        values = _saved_values(c, d)
        return await self._author_form(request, db, values, {}, consultation=c)

    @post("/{consultation_id:int}/edit")
    async def edit(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        c = await queries.managed(db, user, consultation_id)
        form = await request.form()
        if (button := form.get("action") or "save") != "save":
            return await self._editor_button(request, db, form, button, consultation=c)
        values = _typed_values(form) | {"owner_org_id": c.owner_org_id}
        data, rows = _update_input(values, rules.editable_fields(c.status))
        pdf = await _upload(form, "draft_pdf")
        try:
            await actions.edit(db, user, consultation_id, data, pdf=pdf, files=_files(request))
        except Invalid as exc:
            if c.status == "open":  # the fields it no longer shows, as stored
                values |= {"kind": c.kind, "province": c.province or "", "opens_at": local_input(c.opens_at)}
            errors = _row_errors(exc.errors, rows)
            return await self._author_form(request, db, values, errors, _form_status(exc), consultation=c)
        return redirect(f"/consultations/{consultation_id}", flash=("success", "Your changes were saved."))

    @post("/{consultation_id:int}/documents")
    async def upload_document(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        form = await request.form()
        upload = await _upload(form, "file", (form.get("title") or "").strip())
        if upload is None:
            raise Invalid({"file": Problem("Choose a file to upload.")}, status=400)
        await actions.add_document(db, user, consultation_id, upload, _files(request))
        return redirect(f"/consultations/{consultation_id}", flash=("success", "The document was uploaded."))

    @get("/{consultation_id:int}/documents/{document_id:int}")
    async def document(
        self, request: Request, db: Db, consultation_id: FromPath[int], document_id: FromPath[int]
    ) -> File:
        doc = await queries.document(db, current_user(request), consultation_id, document_id)
        path = resolve(request.app.state.settings.upload_dir, doc["path"]) if doc else None
        if path is None:
            raise not_found()
        return upload_response(
            path, doc["filename"], MEDIA_TYPES.get(doc["kind"], "application/octet-stream")
        )

    @post("/{consultation_id:int}/transition")
    async def transition(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        form = await request.form()
        if form.get("action") not in rules.TRANSITIONS:
            raise Invalid({"action": Problem("Choose one of the options.")}, status=400)
        data = TransitionIn(action=form["action"], reason=form.get("reason", ""))
        if data.action == "close" and not is_confirmed(form):
            await actions.transition(db, user, consultation_id, data, dry_run=True)
            back = f"/consultations/{consultation_id}"
            return confirm_page(request, CLOSE, {"reason": data.reason}, back=back, fixed={"action": "close"})
        await actions.transition(db, user, consultation_id, data)
        return redirect(
            f"/consultations/{consultation_id}", flash=("success", "The consultation's status was updated.")
        )

    # -------------------------------------------------- public page, responding, comments
    async def _page(self, request, db, consultation_id, status=200, **typed) -> Template:
        """The page; `typed` carries a refused form's values and errors back into it."""
        user = current_user(request)
        p = await queries.page(db, user, consultation_id)
        c = p.detail.consultation
        mine = p.mine
        manage = rules.can_manage(user, c.owner_org_id, c.coowner_ids)
        return render(
            request,
            "consultations/page.html",
            _ctx(
                c=c,
                d=p.detail,
                comments=p.comments,
                mine=mine,
                outcome=p.outcome,
                manage=manage,
                can_respond=rules.can_respond(user, c.status, requires_national_id=c.requires_national_id),
                follow=await follows.button(db, user, "consultation", c.id),
                can_comment=rules.can_comment(user, c.status, requires_national_id=c.requires_national_id),
                needs_national_id=rules.needs_national_id(user, c.requires_national_id),
                can_moderate=rules.can_moderate(user, c.owner_org_id, c.coowner_ids),
                actions=rules.allowed_actions(c.status) if manage else [],
                rv=typed.get("response_values")
                or {
                    "consent": mine.consent if mine else "anonymous",
                    "province": (mine.province or "") if mine else "",
                    "answers": dict(mine.answers) if mine else {},
                },
                response_errors=typed.get("response_errors", {}),
                comment_errors=typed.get("comment_errors", {}),
                comment_values=typed.get("comment_values", {}),
                # report forms: not on one's own comments, once per open report
                can_flag=lambda cm: rules.can_flag(user, cm.status, is_author=cm.id in p.my_comment_ids),
                reported=p.reported,
                flag_errors=typed.get("flag_errors", {}),
                flag_values=typed.get("flag_values", {}),
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
        data, values = await _response_input(request)
        editing = values.pop("mode") == "edit"
        try:
            await (actions.edit_response if editing else actions.respond)(db, user, consultation_id, data)
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return await self._page(
                request, db, consultation_id, 400, response_values=values, response_errors=errors
            )
        msg = N_("Your response was updated.") if editing else N_("Thank you. Your response was received.")
        return redirect(f"/consultations/{consultation_id}#respond", flash=("success", msg))

    @post("/{consultation_id:int}/comments")
    async def comment(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        data = _comment_input(await request.form())
        try:
            await actions.comment(db, user, consultation_id, data)
        except Invalid as exc:
            if "body" not in exc.errors:
                raise
            errors = {data.section_id: translate_errors(lang_of(request), exc.errors)["body"]}
            values = {data.section_id: data.body}
            return await self._page(
                request, db, consultation_id, 400, comment_errors=errors, comment_values=values
            )
        back = f"/consultations/{consultation_id}#section-{data.section_id}"
        return redirect(back, flash=("success", "Your comment was posted."))

    @post("/{consultation_id:int}/comments/{comment_id:int}/flags")
    async def flag(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        data = ReasonIn(reason=(await request.form()).get("reason", ""))
        try:
            out = await actions.flag_comment(db, user, comment_id, data, consultation_id)
        except Invalid as exc:
            errors = {comment_id: translate_errors(lang_of(request), exc.errors)["reason"]}
            values = {comment_id: data.reason}
            return await self._page(request, db, consultation_id, 400, flag_errors=errors, flag_values=values)
        return redirect(
            f"/consultations/{consultation_id}#comment-{comment_id}",
            flash=("success", "Thank you. A moderator will look at your report.")
            if out.created
            else ("info", "You have already reported this comment."),
        )

    @post("/{consultation_id:int}/comments/{comment_id:int}/hide")
    async def hide(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        form = await request.form()
        await actions.hide_comment(
            db, user, comment_id, ReasonIn(reason=form.get("reason", "")), consultation_id
        )
        back = safe_next(form.get("next", ""), f"/consultations/{consultation_id}#comment-{comment_id}")
        return redirect(back, flash=("success", "The comment was hidden."))

    @post("/{consultation_id:int}/comments/{comment_id:int}/restore")
    async def restore(
        self, request: Request, db: Db, consultation_id: FromPath[int], comment_id: FromPath[int]
    ) -> Any:
        user = require_user(request)
        form = await request.form()
        await actions.restore_comment(db, user, comment_id, consultation_id)
        back = safe_next(form.get("next", ""), f"/consultations/{consultation_id}#comment-{comment_id}")
        return redirect(back, flash=("success", "The comment was restored."))

    @post("/{consultation_id:int}/coowners/{agency:str}/accept")
    async def accept_coownership(
        self, request: Request, db: Db, consultation_id: FromPath[int], agency: FromPath[str]
    ) -> Any:
        await actions.respond_coownership(db, require_user(request), consultation_id, agency, accept=True)
        return redirect(
            f"/consultations/{consultation_id}",
            flash=("success", "Your agency now co-owns this consultation."),
        )

    @post("/{consultation_id:int}/coowners/{agency:str}/decline")
    async def decline_coownership(
        self, request: Request, db: Db, consultation_id: FromPath[int], agency: FromPath[str]
    ) -> Any:
        await actions.respond_coownership(db, require_user(request), consultation_id, agency, accept=False)
        return redirect("/staff", flash=("success", "You declined the invitation."))

    # -------------------------------------------------- analysis and outcome
    @get("/{consultation_id:int}/analysis", dependencies=ANALYSIS_FILTER)
    async def analysis(
        self,
        request: Request,
        db: Db,
        consultation_id: FromPath[int],
        filters: NamedDependency[queries.AnalysisFilter],
    ) -> Template:
        c = await queries.managed(db, require_user(request), consultation_id)
        typed = {k: v or "" for k, v in msgspec.structs.asdict(filters).items()}
        try:
            data = await queries.analysis(db, c, filters)
        except queries.BadPeriod as exc:
            # The filter form again, with what was typed and why; no figures for a period we could not read.
            errors = translate_errors(lang_of(request), exc.errors)
            ctx = _ctx(c=c, stats=None, keywords={}, charts={}, filters=typed, errors=errors)
            return render(request, "consultations/analysis.html", ctx, status=exc.status)
        charts = _charts(data.stats, lang_of(request))
        ctx = _ctx(c=c, stats=data.stats, keywords=data.keywords, charts=charts, filters=typed, errors={})
        return render(request, "consultations/analysis.html", ctx)

    @get("/{consultation_id:int}/outcome")
    async def outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], version: FromQuery[int | None] = None
    ) -> Template:
        user = current_user(request)
        c, o = await queries.outcome(db, user, consultation_id, version)
        s = await queries.outcome_stats(db, consultation_id, o)
        # Plans name the themes of the latest version; an earlier version shows none.
        titles = [t.title for t in o.themes]
        plans = await implementation.plans_for_consultation(db, user, c.id, titles) if version is None else []
        return render(
            request,
            "consultations/outcome.html",
            _ctx(
                c=c,
                o=o,
                stats=s,
                charts=_charts(s, lang_of(request)),
                versions=await queries.outcome_versions(db, consultation_id),
                comments=await queries.comment_index(db, consultation_id),
                page_title=c.title,
                plans={p.theme: p for p in plans if p.theme},
                unplaced_plans=[p for p in plans if p.theme is None],
                can_plan=version is None and implementation.may_plan_theme(user, [c.owner_org_id, *c.coowner_ids]),
            ),
        )

    @get("/{consultation_id:int}/report")
    async def report(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        c, o = await queries.outcome(db, current_user(request), consultation_id)
        s = await queries.outcome_stats(db, consultation_id, o)
        return render(
            request,
            "consultations/report.html",
            _ctx(
                c=c,
                o=o,
                stats=s,
                charts=_charts(s, lang_of(request)),
                period_days=queries.hearing_days(c),
                page_title=c.title,
            ),
        )

    async def _outcome_form(self, request, db, consultation_id, values, errors, status=200) -> Template:
        c, current = await queries.outcome_draft(db, require_user(request), consultation_id)
        return render(
            request,
            "consultations/outcome_form.html",
            _ctx(
                c=c,
                values=values,
                errors=translate_errors(lang_of(request), errors),
                comments=await queries.comment_index(db, c.id),
                current=current,
            ),
            status=status,
        )

    @get("/{consultation_id:int}/outcome/edit")
    async def outcome_form(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Template:
        _, o = await queries.outcome_draft(db, require_user(request), consultation_id)
        themes = [
            {
                "title": t.title,
                "disposition": t.disposition,
                "reason": t.reason,
                "comment_ids": ", ".join(map(str, t.comment_ids)),
            }
            for t in (o.themes if o else [])
        ]
        values = {"summary": o.summary if o else "", "themes": _blank_themes(themes), "correction_note": ""}
        return await self._outcome_form(request, db, consultation_id, values, {})

    @post("/{consultation_id:int}/outcome")
    async def publish(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Any:
        user = require_user(request)
        data, values = _outcome_input(await request.form())
        try:
            await actions.publish_outcome(db, user, consultation_id, data)
        except Invalid as exc:
            return await self._outcome_form(
                request, db, consultation_id, values, exc.errors, _form_status(exc)
            )
        return redirect(
            f"/consultations/{consultation_id}/outcome", flash=("success", "The outcome was published.")
        )


def _comment_input(form) -> CommentIn:
    """The comment form as the API's CommentIn; a section that is not a number is a crafted post."""
    section, parent = form.get("section_id", ""), form.get("parent_id", "")
    if not section.isdigit():
        raise Invalid({"section_id": Problem("Choose one of the options.")}, status=400)
    return CommentIn(
        section_id=int(section),
        body=form.get("body", ""),
        parent_id=int(parent) if parent.isdigit() else None,
    )


_ANSWER = re.compile(r"^q([0-9]{1,12})$")


async def _response_input(request: Request) -> tuple[ResponseIn, dict]:
    """The answer form (q<question id> fields) as the API's ResponseIn, and the values as typed.
    A field sent several times (checkboxes) is a list; the action checks every value."""
    form = await request.form()
    answers: dict[str, Any] = {}
    for key in form:
        if m := _ANSWER.match(key):
            got = [v for v in form.getall(key) if isinstance(v, str)]
            answers[m.group(1)] = got[0] if len(got) == 1 else got
    consent, province = form.get("consent", ""), form.get("province", "")
    values = {"consent": consent, "province": province, "answers": answers, "mode": form.get("mode")}
    return ResponseIn(consent=consent, answers=answers, province=province or None), values


def _blank_themes(themes: list[dict]) -> list[dict]:
    blank = {"title": "", "disposition": "", "reason": "", "comment_ids": ""}
    return themes + [dict(blank) for _ in range(OUTCOME_THEMES - len(themes))]


def _outcome_input(form) -> tuple[OutcomeIn, dict]:
    """The outcome form's theme rows (theme0_title, ...) as the API's themes; a row with neither a
    title nor a reason is left out. Comment numbers that cannot be read arrive as None."""
    rows = []
    for i in range(OUTCOME_THEMES):
        row = {
            k: form.get(f"theme{i}_{k}", "").strip()
            for k in ("title", "disposition", "reason", "comment_ids")
        }
        if row["title"] or row["reason"]:
            rows.append(row)
    data = OutcomeIn(
        summary=form.get("summary", ""),
        themes=[
            ThemeIn(
                title=r["title"],
                disposition=r["disposition"],
                reason=r["reason"],
                comment_ids=rules.parse_comment_ids(r["comment_ids"]),
            )
            for r in rows
        ],
        correction_note=form.get("correction_note", ""),
    )
    values = {"summary": data.summary, "correction_note": data.correction_note, "themes": _blank_themes(rows)}
    return data, values


# ---------------------------------------------------------------- the moderation queue


class ConsultationModerationPages(Controller):
    """The moderators' queue of reported paragraph comments, across all consultations."""

    path = QUEUE_PATH
    include_in_schema = False

    async def _queue(self, request, db, *, errors=None, values=None, status=200) -> Template:
        queue = await queries.moderation_queue(db, current_user(request))
        return render(
            request,
            "consultations/moderation.html",
            _ctx(queue=queue, errors=errors or {}, values=values or {}, page_title=None),
            status=status,
        )

    @get("/")
    async def queue(self, request: Request, db: Db) -> Template:
        require_user(request)
        return await self._queue(request, db)

    @post("/comments/{comment_id:int}/hide")
    async def hide(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        user = queries.require_queue(require_user(request))
        data = ReasonIn(reason=(await request.form()).get("reason", ""))
        try:
            await actions.hide_comment(db, user, comment_id, data)
        except Invalid as exc:
            errors = {comment_id: translate_errors(lang_of(request), exc.errors)["reason"]}
            return await self._queue(request, db, errors=errors, values={comment_id: data.reason}, status=400)
        return redirect(QUEUE_PATH, flash=("success", "The comment was hidden."))

    @post("/comments/{comment_id:int}/restore")
    async def restore(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        await actions.restore_comment(db, queries.require_queue(require_user(request)), comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The comment was restored."))

    @post("/comments/{comment_id:int}/dismiss")
    async def dismiss(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        await actions.dismiss_flags(db, require_user(request), comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The reports have been dismissed."))

    @post("/comments/{comment_id:int}/block")
    async def block(self, request: Request, db: Db, comment_id: FromPath[int]) -> Any:
        if not is_confirmed(await request.form()):
            return confirm_page(request, BLOCK, {}, back=f"{QUEUE_PATH}#reported-{comment_id}")
        await actions.block_author(db, require_user(request), comment_id)
        return redirect(QUEUE_PATH, flash=("success", "The author has been blocked."))
