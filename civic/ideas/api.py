"""Idea boards: the /api/v1 twins of the pages. Bodies decode into the same input Structs the
forms do, and the same actions and reads answer them."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from civic import keyset
from civic.coownership import Answer
from civic.ideas import actions, params
from civic.ideas.params import LISTING, Listing
from civic.ideas.schemas import (
    AnswerIn,
    Board,
    BoardIn,
    BoardPatch,
    CommentIn,
    CommentOut,
    CommentPageOut,
    FlagIn,
    FlagOut,
    IdeaDetailOut,
    IdeaIn,
    IdeaOut,
    IdeaPageOut,
    IdeaPatch,
    OverdueList,
    ReplyPageOut,
    StatusIn,
    SupportState,
)
from civic.web.deps import Db
from civic.web.guards import current_user, require_user


class IdeasApi(Controller):
    path = "/api/v1"
    tags = ["ideas"]

    @get("/boards", summary="Idea boards")
    async def boards(self, db: Db) -> list[Board]:
        return await actions.boards(db)

    @get("/boards/{slug:str}", summary="One idea board")
    async def board(self, db: Db, slug: FromPath[str]) -> Board:
        return await actions.load_board(db, slug)

    @post("/boards", summary="Open a board (agency staff)", status_code=201)
    async def create_board(self, request: Request, db: Db, data: JSONBody[BoardIn]) -> Board:
        return await actions.create_board(db, require_user(request), data)

    @patch("/boards/{slug:str}", summary="Change a board's settings and co-owners (owning agency's staff)")
    async def update_board(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[BoardPatch]
    ) -> Board:
        return await actions.update_board(db, require_user(request), slug, data)

    @post(
        "/boards/{slug:str}/coowners/{agency:str}/accept",
        summary="Accept co-owning a board (invited agency's staff)",
        status_code=200,
    )
    async def accept_coownership(
        self, request: Request, db: Db, slug: FromPath[str], agency: FromPath[str]
    ) -> Answer:
        return await actions.respond_coownership(db, require_user(request), slug, agency, accept=True)

    @post(
        "/boards/{slug:str}/coowners/{agency:str}/decline",
        summary="Decline co-owning a board (invited agency's staff)",
        status_code=200,
    )
    async def decline_coownership(
        self, request: Request, db: Db, slug: FromPath[str], agency: FromPath[str]
    ) -> Answer:
        return await actions.respond_coownership(db, require_user(request), slug, agency, accept=False)

    @get("/ideas", summary="Ideas, sorted and filtered", dependencies=LISTING)
    async def ideas(self, db: Db, listing: Listing, board: FromQuery[str | None] = None) -> IdeaPageOut:
        chosen = await actions.load_board(db, board) if board else None
        return (await actions.list_ideas(db, listing, chosen)).public()

    @get("/ideas/overdue", summary="Overdue answers: the agencies with any, and a page of the answers, the longest overdue first")
    async def overdue(
        self, db: Db, agency: FromQuery[str | None] = None, page: FromQuery[str | None] = None
    ) -> OverdueList:
        return await actions.overdue(db, agency, keyset.page_number(page))

    @get("/ideas/{idea_id:int}", summary="One idea, with its official answer and status history")
    async def idea(self, request: Request, db: Db, idea_id: FromPath[int]) -> IdeaDetailOut:
        return (await actions.idea_detail(db, current_user(request), idea_id)).public()

    @post("/ideas", summary="Submit an idea", status_code=201)
    async def create_idea(self, request: Request, db: Db, data: JSONBody[IdeaIn]) -> IdeaOut:
        return (await actions.submit_idea(db, require_user(request), data)).public()

    @patch("/ideas/{idea_id:int}", summary="Edit your own idea (while published and unanswered)")
    async def edit_idea(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[IdeaPatch]
    ) -> IdeaOut:
        return (await actions.edit_idea(db, require_user(request), idea_id, data)).public()

    @post("/ideas/{idea_id:int}/status", summary="Change an idea's status (agency staff)", status_code=200)
    async def status(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[StatusIn]
    ) -> IdeaOut:
        return (await actions.change_status(db, require_user(request), idea_id, data)).public()

    @post("/ideas/{idea_id:int}/answer", summary="Post or update the official answer", status_code=200)
    async def answer(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[AnswerIn]
    ) -> IdeaDetailOut:
        user = require_user(request)
        await actions.answer_idea(db, user, idea_id, data)
        return (await actions.idea_detail(db, user, idea_id)).public()

    @post("/ideas/{idea_id:int}/support", summary="Support an idea (idempotent)", status_code=200)
    async def support(self, request: Request, db: Db, idea_id: FromPath[int]) -> SupportState:
        return await actions.support_idea(db, require_user(request), idea_id)

    @delete("/ideas/{idea_id:int}/support", summary="Withdraw a support", status_code=200)
    async def withdraw(self, request: Request, db: Db, idea_id: FromPath[int]) -> SupportState:
        return await actions.withdraw_support(db, require_user(request), idea_id)

    @get("/ideas/{idea_id:int}/comments", summary="Comments, a page of threads after a cursor")
    async def comments(
        self, request: Request, db: Db, idea_id: FromPath[int], after: FromQuery[str | None] = None
    ) -> CommentPageOut:
        user = current_user(request)
        idea = await actions.load_idea(db, user, idea_id)
        return (await actions.comments(db, user, idea, params.cursor(after))).public()

    @get(
        "/ideas/{idea_id:int}/comments/{comment_id:int}/replies", summary="A thread's replies after a cursor"
    )
    async def replies(
        self,
        request: Request,
        db: Db,
        idea_id: FromPath[int],
        comment_id: FromPath[int],
        after: FromQuery[str | None] = None,
    ) -> ReplyPageOut:
        user = current_user(request)
        idea = await actions.load_idea(db, user, idea_id)
        return (await actions.reply_page(db, user, idea, comment_id, params.cursor(after)))[1].public()

    @post("/ideas/{idea_id:int}/comments", summary="Comment or reply", status_code=201)
    async def post_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> CommentOut:
        return (await actions.add_comment(db, require_user(request), idea_id, data)).public()

    @post("/flags", summary="Report an idea or a comment to the moderators", status_code=201)
    async def flag(self, request: Request, db: Db, data: JSONBody[FlagIn]) -> FlagOut:
        return await actions.flag(db, require_user(request), data)
