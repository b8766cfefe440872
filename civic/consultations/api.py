"""The consultations API (/api/v1): the same actions and queries as the pages, as typed JSON."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from civic import keyset
from civic.consultations import actions, queries
from civic.consultations.pages import ANALYSIS_FILTER
from civic.consultations.schemas import (
    AnalysisOut,
    BlockOut,
    Comment,
    CommentIn,
    ConsultationDetail,
    ConsultationIn,
    ConsultationList,
    ConsultationUpdate,
    ExportOut,
    FlagOut,
    ModerationOut,
    ModerationQueue,
    MyResponse,
    Outcome,
    OutcomeIn,
    Question,
    ReasonIn,
    ResponseIn,
    ResponseOut,
    Stats,
    TransitionIn,
    TransitionOut,
)
from civic.coownership import Answer
from civic.web.csvout import csv_response
from civic.web.deps import Db
from civic.web.guards import current_user, require_user


def _csv_rows(out: ExportOut) -> list[list[object]]:
    rows = []
    for r in out.responses:
        cells = []
        for q in out.questions:
            v = r.answers.get(str(q.id), "")
            cells.append("; ".join(v) if isinstance(v, list) else v)
        rows.append([r.response, r.consent, r.name or "", r.province or "", r.submitted_on, *cells])
    return rows


class ConsultationsApi(Controller):
    path = "/api/v1/consultations"
    tags = ["consultations"]

    @get("/", summary="List consultations: every public one, or those of one status")
    async def list_(
        self,
        db: Db,
        status: FromQuery[str | None] = None,
        tab: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> ConsultationList:
        """status: scheduled, open, closed or outcome_published (none: all of them). `tab` (the
        hub's open, upcoming, closed, outcome) is still understood. 20 a page."""
        found = await queries.list_consultations(
            db, tab=queries.api_tab(status, tab), agency=agency, province=province, kind=kind,
            page=keyset.page_number(page), tabs=(*queries.HUB_TABS, "all"),
        )  # fmt: skip
        return found.public()

    @get("/mine", summary="The consultations of your agencies, drafts too, the last changed first; 20 a page")
    async def mine(self, request: Request, db: Db, page: FromQuery[str | None] = None) -> ConsultationList:
        return (await queries.mine(db, require_user(request), keyset.page_number(page))).public()

    @post("/", summary="Create a consultation (agency staff)", status_code=201)
    async def create(self, request: Request, db: Db, data: JSONBody[ConsultationIn]) -> ConsultationDetail:
        return await actions.draft(db, require_user(request), data)

    @get("/{consultation_id:int}", summary="A consultation with its draft, questions and documents")
    async def get_(self, request: Request, db: Db, consultation_id: FromPath[int]) -> ConsultationDetail:
        return await queries.detail(db, current_user(request), consultation_id)

    @patch(
        "/{consultation_id:int}",
        summary="Edit (versioned with change_note after opening); questions replace all, before opening only",
    )
    async def update(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ConsultationUpdate]
    ) -> ConsultationDetail:
        return await actions.edit(db, require_user(request), consultation_id, data)

    @post(
        "/{consultation_id:int}/transitions",
        summary="schedule | unschedule | open | close (reason)",
        status_code=200,
    )
    async def transition(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[TransitionIn]
    ) -> TransitionOut:
        return await actions.transition(db, require_user(request), consultation_id, data)

    @post(
        "/{consultation_id:int}/coowners/{agency:str}/accept",
        summary="Accept co-owning a consultation (invited agency's staff)",
        status_code=200,
    )
    async def accept_coownership(
        self, request: Request, db: Db, consultation_id: FromPath[int], agency: FromPath[str]
    ) -> Answer:
        return await actions.respond_coownership(
            db, require_user(request), consultation_id, agency, accept=True
        )

    @post(
        "/{consultation_id:int}/coowners/{agency:str}/decline",
        summary="Decline co-owning a consultation (invited agency's staff)",
        status_code=200,
    )
    async def decline_coownership(
        self, request: Request, db: Db, consultation_id: FromPath[int], agency: FromPath[str]
    ) -> Answer:
        return await actions.respond_coownership(
            db, require_user(request), consultation_id, agency, accept=False
        )

    @get("/{consultation_id:int}/questions", summary="Questions in order")
    async def questions(self, request: Request, db: Db, consultation_id: FromPath[int]) -> list[Question]:
        return await queries.questions(db, current_user(request), consultation_id)

    @post("/{consultation_id:int}/response", summary="Submit my response (once)", status_code=201)
    async def submit(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ResponseIn]
    ) -> ResponseOut:
        return await actions.respond(db, require_user(request), consultation_id, data)

    @put("/{consultation_id:int}/response", summary="Update my response while open")
    async def update_response(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[ResponseIn]
    ) -> ResponseOut:
        return await actions.edit_response(db, require_user(request), consultation_id, data)

    @get("/{consultation_id:int}/response", summary="My own response")
    async def my_response(self, request: Request, db: Db, consultation_id: FromPath[int]) -> MyResponse:
        return await queries.my_response(db, require_user(request), consultation_id)

    @get("/{consultation_id:int}/comments", summary="Paragraph comments by section id")
    async def comments(
        self, request: Request, db: Db, consultation_id: FromPath[int]
    ) -> dict[int, list[Comment]]:
        return await queries.comments(db, current_user(request), consultation_id)

    @post("/{consultation_id:int}/comments", summary="Comment on a section (or reply)", status_code=201)
    async def add_comment(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> ResponseOut:
        return await actions.comment(db, require_user(request), consultation_id, data)

    @get(
        "/{consultation_id:int}/analysis",
        summary="Staff analysis: counts, per question, free-text keywords",
        dependencies=ANALYSIS_FILTER,
    )
    async def analysis(
        self,
        request: Request,
        db: Db,
        consultation_id: FromPath[int],
        filters: NamedDependency[queries.AnalysisFilter],
    ) -> AnalysisOut:
        c = await queries.managed(db, require_user(request), consultation_id)
        return await queries.analysis(db, c, filters)

    @get("/{consultation_id:int}/outcome", summary="The published outcome (latest or ?version=)")
    async def get_outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], version: FromQuery[int | None] = None
    ) -> Outcome:
        _, outcome = await queries.outcome(db, current_user(request), consultation_id, version)
        return outcome

    @post(
        "/{consultation_id:int}/outcome",
        summary="Publish the outcome, or a versioned correction",
        status_code=201,
    )
    async def publish_outcome(
        self, request: Request, db: Db, consultation_id: FromPath[int], data: JSONBody[OutcomeIn]
    ) -> Outcome:
        return await actions.publish_outcome(db, require_user(request), consultation_id, data)

    @get("/{consultation_id:int}/responses.json", summary="Open data: consented responses, anonymised")
    async def export_json(self, request: Request, db: Db, consultation_id: FromPath[int]) -> ExportOut:
        return await queries.export(db, current_user(request), consultation_id)

    @get(
        "/{consultation_id:int}/responses.csv",
        summary="Open data: consented responses as CSV",
        media_type="text/csv",
    )
    async def export_csv(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Response:
        out = await queries.export(db, current_user(request), consultation_id)
        prompts = [f"q{q.position}: {q.prompt}" for q in out.questions]
        header = ["response", "consent", "name", "province", "submitted_on", *prompts]
        return csv_response(header, _csv_rows(out), f"consultation-{consultation_id}-responses.csv")

    @get("/{consultation_id:int}/statistics.json", summary="Open data: aggregate statistics per question")
    async def statistics(self, request: Request, db: Db, consultation_id: FromPath[int]) -> Stats:
        return await queries.statistics(db, current_user(request), consultation_id)

    # -------------------------------------------------- comment moderation
    @post(
        "/comments/{comment_id:int}/flags",
        summary="Report a paragraph comment to the moderators (once per person while open)",
        status_code=201,
    )
    async def flag_comment(
        self, request: Request, db: Db, comment_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> Response[FlagOut]:
        out = await actions.flag_comment(db, require_user(request), comment_id, data)
        return Response(out, status_code=201 if out.created else 200)

    @get("/moderation", summary="Moderators: reported paragraph comments and recently hidden ones")
    async def moderation(self, request: Request, db: Db) -> ModerationQueue:
        return await queries.moderation_queue(db, require_user(request))

    @post(
        "/comments/{comment_id:int}/hide",
        summary="Hide a paragraph comment with a public reason (moderators, running agencies' staff)",
        status_code=200,
    )
    async def hide_comment(
        self, request: Request, db: Db, comment_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ModerationOut:
        return await actions.hide_comment(db, require_user(request), comment_id, data)

    @post("/comments/{comment_id:int}/restore", summary="Restore a hidden paragraph comment", status_code=200)
    async def restore_comment(self, request: Request, db: Db, comment_id: FromPath[int]) -> ModerationOut:
        return await actions.restore_comment(db, require_user(request), comment_id)

    @post(
        "/comments/{comment_id:int}/dismiss",
        summary="Moderators: close a comment's open reports without hiding it",
        status_code=200,
    )
    async def dismiss_comment_flags(
        self, request: Request, db: Db, comment_id: FromPath[int]
    ) -> ModerationOut:
        return await actions.dismiss_flags(db, require_user(request), comment_id)

    @post(
        "/comments/{comment_id:int}/block-author",
        summary="Moderators: block a comment's author (their sessions and tokens end)",
        status_code=200,
    )
    async def block_comment_author(self, request: Request, db: Db, comment_id: FromPath[int]) -> BlockOut:
        return await actions.block_author(db, require_user(request), comment_id)
