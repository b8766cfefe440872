"""Idea boards: HTML pages (with HTMX partials). Each handler decodes the form into the input the
API takes, calls the action, and renders; an Invalid re-renders the form with what was typed and
every error (status 400, as these forms always answered)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic import keyset, thai
from civic.accounts.rules import EmailNotVerified
from civic.accounts.schemas import CurrentUser
from civic.consultations import queries as consultations
from civic.dashboard import actions as dashboard
from civic.follows import queries as follows
from civic.ideas import actions, cards, params, rules
from civic.ideas.params import LISTING, Listing
from civic.ideas.schemas import (
    AnswerIn,
    BlockIn,
    Board,
    BoardIn,
    BoardPatch,
    Comment,
    CommentEditIn,
    CommentIn,
    CommentPage,
    CoownerIn,
    FlagIn,
    Idea,
    IdeaIn,
    IdeaListQuery,
    IdeaPatch,
    ModerationIn,
    StatusIn,
)
from civic.ideas.text import paragraphs
from civic.identity.rules import NationalIdRequired
from civic.implementation import actions as implementation
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import form_values
from civic.web.guards import current_user, require_user
from civic.web.i18n import N_, gettext
from civic.web.templating import (
    Confirm,
    confirm_page,
    form_errors,
    is_confirmed,
    lang_of,
    page_links,
    redirect,
    render,
    safe_next,
    wants_partial,
)

FORM_ERROR = 400


# ------------------------------------------------------------------ helpers


def _render(request: Request, template: str, ctx: dict[str, Any], **kwargs: Any) -> Template:
    """Every ideas template can use the rules (the same can_* as the actions) and the text helper."""
    return render(
        request, template, {"rules": rules, "paragraphs": paragraphs, "now": actions.now()} | ctx, **kwargs
    )


def _int(value: str | None) -> int | None:
    """A number typed in a form (Thai digits too), or None."""
    return thai.parse_int_strict(value) if value else None


def _lines(value: str | None) -> list[str]:
    return (value or "").splitlines()


async def _form(request: Request, keys: tuple[str, ...], *lists: str) -> dict[str, Any]:
    """The form as typed, every key present (a missing one is empty), for the re-render."""
    values = await form_values(request, *lists)
    return {k: values.get(k, [] if k in lists else "") for k in keys}


IDEA_FIELDS = ("title", "body", "category", "province", "links")


def _idea_patch(v: dict[str, Any]) -> IdeaPatch:
    return IdeaPatch(
        title=v["title"],
        body=v["body"],
        category=v["category"],
        province=v["province"],
        links=_lines(v["links"]),
    )


BOARD_FIELDS = (
    "title",
    "description_th",
    "description_en",
    "scope",
    "categories",
    "support_threshold",
    "response_days",
    "is_open",
    "moderate_first",
    "requires_national_id",
    "coowners",
)


def _board_settings(v: dict[str, Any]) -> dict[str, Any]:
    """The board form as BoardIn/BoardPatch fields: one category a line, checkboxes on when sent,
    and numbers as typed (Thai digits too); a number that does not parse becomes 0, which the
    rules' range check refuses with the same message as any number out of range."""
    return {
        "title": v["title"],
        "description_th": v["description_th"],
        "description_en": v["description_en"],
        "scope": v["scope"],
        "categories": [c.strip() for c in _lines(v["categories"]) if c.strip()],
        "is_open": bool(v["is_open"]),
        "moderate_first": bool(v["moderate_first"]),
        "requires_national_id": bool(v["requires_national_id"]),
        "support_threshold": _int(v["support_threshold"]) or 0,
        "response_days": _int(v["response_days"]) or 0,
        "coowners": v["coowners"],
    }


def _board_form_values(board: Board, invited: list[str]) -> dict[str, Any]:
    settings = actions.board_settings(board, invited)
    values = msgspec.structs.asdict(settings)
    return values | {
        "categories": "\n".join(settings.categories or []),
        "support_threshold": str(settings.support_threshold),
        "response_days": str(settings.response_days),
    }


def _chosen_board(boards: list[Board], slug: str) -> Board | None:
    """The board the new-idea form is for: the one asked for, or the only open one."""
    if len(boards) == 1 and not slug:
        return boards[0]
    return next((b for b in boards if b.slug == slug), None)


def _status_label(request: Request, idea: Idea) -> str:
    return gettext(lang_of(request), "Idea %(id)s", id=idea.id)


def _comment_ctx(user: CurrentUser | None, idea: Idea, page: CommentPage | None) -> dict[str, Any]:
    return {
        "idea": idea,
        "page": page,
        "can_comment": rules.can_comment(
            user, idea.status, idea.hidden, requires_national_id=idea.board_requires_national_id
        ),
        "can_flag": rules.can_flag(user),
    }


async def _detail_ctx(request: Request, db: Db, idea_id: int, after: int = 0, **form: Any) -> dict[str, Any]:
    """The idea page's context; `form` carries a re-rendered form's values and errors."""
    user = current_user(request)
    detail = await actions.idea_detail(db, user, idea_id)
    idea = detail.idea
    ctx = _comment_ctx(user, idea, await actions.comments(db, user, idea, after))
    return (
        ctx
        | {
            "page_title": idea.title or _status_label(request, idea),
            "answer": detail.answer,
            "history": detail.history,
            "follow": await follows.button(db, user, "idea", idea.id),
            "idea_card": cards.card(idea, user, detail.supported_by_me, lang_of(request), detail.verified_supports),
            "plan": await implementation.plan_of(db, idea),
            "can_plan": implementation.may_plan(user, idea.owner_ids, idea.status, idea.hidden),
            "transitions": rules.allowed_transitions(user, idea.owner_ids, idea.status),
            "can_answer": rules.can_answer(user, idea.owner_ids, idea.status, idea.hidden),
            "can_moderate": rules.can_moderate(user),
            "can_edit": rules.can_edit_idea(user, idea.author_id, idea.status, idea.hidden, idea.answered),
            "after": after,
            "status_values": {},
            "status_errors": {},
            "answer_value": detail.answer.body if detail.answer else "",
            "answer_errors": {},
            "comment_value": "",
            "comment_errors": {},
            "reply_to": None,
            "reply_value": "",
            "reply_errors": {},
        }
        | form
    )


def _clean(query: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in query.items() if v not in (None, "")}


async def _list_page(request: Request, db: Db, board: Board | None, listing: IdeaListQuery) -> Template:
    filters = listing.filters()
    result = await actions.list_ideas(db, listing, board)
    base_path = f"/boards/{board.slug}" if board else "/ideas"
    user = current_user(request)
    supported_ids = await actions.supported_ids(db, user, result.items)
    lang = lang_of(request)
    if board is None:
        categories, agencies = await actions.filter_options(db, lang)
    else:
        # a board's own categories; the agencies for its managers' co-owner form
        categories = board.categories
        agencies = await actions.agency_choices(db, lang) if rules.can_manage_board(user, board.agency_id) else []
    ctx = {
        "result": result,
        "cards": cards.cards(result.items, user, supported_ids, lang),
        "filters": filters,
        "board": board,
        "follow": await follows.button(db, user, "board", board.id) if board else None,
        # A filtered list offers to follow what it is filtered by.
        "follow_filters": [
            await follows.button(db, user, kind, filters[key])
            for kind, key in (("province", "province"), ("topic", "category"))
            if filters.get(key)
        ],
        "sorts": actions.SORTS,
        "categories": categories,
        "agencies": agencies,
        "statuses": [s for s in rules.STATUSES if s in rules.PUBLIC],
        "base_path": base_path,
        "page_url": page_links(base_path, filters, result.at),
        "sort_url": lambda key: f"{base_path}?{urlencode(_clean(filters | {'sort': key}))}",
    }
    if wants_partial(request, "idea-list"):
        return _render(request, "ideas/_list.html", ctx)
    return _render(request, "ideas/board.html" if board else "ideas/list.html", ctx)


# ------------------------------------------------------------------ ideas


class IdeaPages(Controller):
    include_in_schema = False

    @get("/ideas", dependencies=LISTING)
    async def list_page(self, request: Request, db: Db, listing: Listing) -> Template:
        return await _list_page(request, db, None, listing)

    @get("/ideas/new")
    async def new_form(self, request: Request, db: Db, board: FromQuery[str | None] = None) -> Template:
        require_user(request)
        boards = await actions.open_boards(db)
        chosen = _chosen_board(boards, board or "")
        values = {"board": chosen.slug if chosen else "", "links": "", "category": ""}
        ctx = {"boards": boards, "board": chosen, "values": values, "errors": {}}
        if wants_partial(request, "category-field"):
            # The board select changed: its category field (a select, or free text) comes back.
            return render(request, "ideas/_category_field.html", ctx)
        return _render(request, "ideas/new.html", ctx)

    @post("/ideas")
    async def create(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("board", *IDEA_FIELDS))
        data = IdeaIn(board=v["board"], **msgspec.structs.asdict(_idea_patch(v)))
        try:
            idea = await actions.submit_idea(db, user, data)
        except (Invalid, actions.BoardClosed, EmailNotVerified, NationalIdRequired) as exc:
            boards = await actions.open_boards(db)
            ctx = {"boards": boards, "board": _chosen_board(boards, v["board"]), "values": v}
            return _render(
                request, "ideas/new.html", ctx | {"errors": form_errors(request, exc)}, status=FORM_ERROR
            )
        if idea.status == "pending_moderation":
            message = ("info", "Thank you. Your idea will appear once a moderator has checked it.")
            return redirect(f"/ideas/{idea.id}", flash=message)
        return redirect(f"/ideas/{idea.id}", flash=("success", "Your idea has been published."))

    @get("/ideas/overdue")
    async def overdue_page(
        self, request: Request, db: Db, agency: FromQuery[str | None] = None, page: FromQuery[str | None] = None
    ) -> Template:
        result = await actions.overdue(db, agency, keyset.page_number(page))
        outcomes = await dashboard.overdue_outcomes(db, request.app.state.settings)
        ctx = {"result": result, "page_url": page_links("/ideas/overdue", {"agency": result.agency}),
               "overdue_outcomes": outcomes, "overdue_milestones": await implementation.overdue(db)}  # fmt: skip
        return _render(request, "ideas/overdue.html", ctx)

    @get("/ideas/{idea_id:int}")
    async def detail(
        self, request: Request, db: Db, idea_id: FromPath[int], after: FromQuery[str | None] = None
    ) -> Template:
        if wants_partial(request, "comments-more"):
            user = current_user(request)
            idea = actions.redact(await actions.load_idea(db, user, idea_id), user)
            page = await actions.comments(db, user, idea, params.cursor(after))
            return _render(request, "ideas/_comments_more.html", _comment_ctx(user, idea, page))
        return _render(
            request, "ideas/detail.html", await _detail_ctx(request, db, idea_id, params.cursor(after))
        )

    @get("/ideas/{idea_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template:
        idea, board = await actions.editable_idea(db, require_user(request), idea_id)
        values = msgspec.structs.asdict(actions.idea_values(idea)) | {"links": "\n".join(idea.links)}
        return _render(
            request, "ideas/edit.html", {"idea": idea, "board": board, "values": values, "errors": {}}
        )

    @post("/ideas/{idea_id:int}/edit")
    async def edit(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, IDEA_FIELDS)
        try:
            await actions.edit_idea(db, user, idea_id, _idea_patch(v))
        except Invalid as exc:
            idea, board = await actions.editable_idea(db, user, idea_id)
            ctx = {"idea": idea, "board": board, "values": v, "errors": form_errors(request, exc)}
            return _render(request, "ideas/edit.html", ctx, status=FORM_ERROR)
        return redirect(f"/ideas/{idea_id}", flash=("success", "Your idea has been updated."))

    @post("/ideas/{idea_id:int}/support")
    async def support(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("action", "next"))
        withdraw = v["action"] == "withdraw"
        verb = actions.withdraw_support if withdraw else actions.support_idea
        state = await verb(db, user, idea_id)
        if wants_partial(request, f"support-{idea_id}"):
            idea = await actions.load_idea(db, user, idea_id)
            # On the idea page itself (where the form returns to) the widget counts the verified
            # supports, as the page did before the swap; on a list it never did.
            verified = idea.verified_support_count if v["next"] == f"/ideas/{idea_id}" else None
            widget = cards.support(idea, user, state.supported, lang_of(request), verified)
            return _render(request, "ideas/_support.html", {"support": widget})
        message = "Your support has been withdrawn." if withdraw else "Thank you for your support."
        return redirect(safe_next(v["next"], f"/ideas/{idea_id}"), flash=("success", message))

    @post("/ideas/{idea_id:int}/status")
    async def set_status(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("status", "reason", "duplicate_of"))
        data = StatusIn(
            status=v["status"], reason=v["reason"], duplicate_of=rules.parse_idea_ref(v["duplicate_of"])
        )
        try:
            await actions.change_status(db, user, idea_id, data)
        except Invalid as exc:
            ctx = await _detail_ctx(
                request, db, idea_id, status_values=v, status_errors=form_errors(request, exc)
            )
            return _render(request, "ideas/detail.html", ctx, status=FORM_ERROR)
        return redirect(f"/ideas/{idea_id}", flash=("success", "The status has been changed."))

    @post("/ideas/{idea_id:int}/answer")
    async def answer(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        body = (await _form(request, ("body",)))["body"]
        try:
            await actions.answer_idea(db, user, idea_id, AnswerIn(body=body))
        except Invalid as exc:
            ctx = await _detail_ctx(
                request, db, idea_id, answer_value=body, answer_errors=form_errors(request, exc)
            )
            return _render(request, "ideas/detail.html", ctx, status=FORM_ERROR)
        return redirect(f"/ideas/{idea_id}", flash=("success", "The official answer has been published."))

    @post("/ideas/{idea_id:int}/comments")
    async def comment(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("body", "parent_id"))
        parent_id = _int(v["parent_id"])
        if v["parent_id"] and parent_id is None:
            raise actions.BadParent(field="parent_id")
        try:
            comment = await actions.add_comment(
                db, user, idea_id, CommentIn(body=v["body"], parent_id=parent_id)
            )
        except Invalid as exc:
            return await _comment_form(request, db, idea_id, parent_id, v["body"], form_errors(request, exc))
        return await _comment_posted(request, db, idea_id, comment)

    @get("/ideas/{idea_id:int}/comments/{comment_id:int}/replies")
    async def replies(
        self,
        request: Request,
        db: Db,
        idea_id: FromPath[int],
        comment_id: FromPath[int],
        after: FromQuery[str | None] = None,
    ) -> Template:
        """A thread's replies after a cursor: the "more replies" link. Without JavaScript a page
        with the thread; for htmx (HX-Target: replies-more-<id>) the replies, appended out of
        band, and the next link."""
        user = current_user(request)
        idea = await actions.load_idea(db, user, idea_id)
        parent, page = await actions.reply_page(db, user, idea, comment_id, params.cursor(after))
        ctx = _comment_ctx(user, idea, None)
        if wants_partial(request, f"replies-more-{comment_id}"):
            ctx |= {"parent": parent, "replies": page.replies, "next_after": page.next_after}
            return _render(request, "ideas/_replies_more.html", ctx)
        thread = msgspec.structs.replace(parent, replies=page.replies, more_replies_after=page.next_after)
        ctx |= {"idea": actions.redact(idea, user), "thread": thread, "after": params.cursor(after)}
        return _render(request, "ideas/thread.html", ctx)

    @get("/ideas/{idea_id:int}/comments/{comment_id:int}/edit")
    async def edit_comment_form(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Template:
        idea, comment = await actions.editable_comment(db, require_user(request), idea_id, comment_id)
        ctx = {"idea": idea, "comment": comment, "value": comment.body, "errors": {}}
        return render(request, "ideas/comment_edit.html", ctx)

    @post("/ideas/{idea_id:int}/comments/{comment_id:int}/edit")
    async def edit_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Template | Redirect:
        user = require_user(request)
        body = (await _form(request, ("body",)))["body"]
        try:
            await actions.edit_comment(db, user, idea_id, comment_id, CommentEditIn(body=body))
        except Invalid as exc:
            idea, comment = await actions.editable_comment(db, user, idea_id, comment_id)
            ctx = {"idea": idea, "comment": comment, "value": body, "errors": form_errors(request, exc)}
            return _render(request, "ideas/comment_edit.html", ctx, status=FORM_ERROR)
        flash = ("success", "Your comment has been updated.")
        return redirect(f"/ideas/{idea_id}#comment-{comment_id}", flash=flash)

    @post("/ideas/{idea_id:int}/comments/{comment_id:int}/delete")
    async def delete_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Redirect:
        await actions.delete_comment(db, require_user(request), idea_id, comment_id)
        flash = ("success", "The comment has been deleted.")
        return redirect(f"/ideas/{idea_id}#comment-{comment_id}", flash=flash)

    @post("/flags")
    async def flag(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        v = await _form(request, ("subject_kind", "subject_id", "reason", "next"))
        data = FlagIn(
            subject_kind=v["subject_kind"], subject_id=(_int(v["subject_id"]) or 0), reason=v["reason"]
        )
        await actions.flag(db, user, data)
        flash = ("success", "Thank you. A moderator will look at your report.")
        return redirect(safe_next(v["next"], "/ideas"), flash=flash)


async def _comment_form(
    request: Request, db: Db, idea_id: int, parent_id: int | None, body: str, errors: dict[str, str]
) -> Template:
    """A refused comment or reply, re-rendered where it was typed: the reply form or the comment
    form alone for htmx (each posts to itself), else the whole idea page."""
    user = current_user(request)
    if parent_id is not None and wants_partial(request, f"reply-form-{parent_id}"):
        ctx = _comment_ctx(user, await actions.load_idea(db, user, idea_id), None)
        ctx |= {"parent_id": parent_id, "reply_value": body, "reply_errors": errors}
        return _render(request, "ideas/_reply_form.html", ctx, status=FORM_ERROR)
    if wants_partial(request, "comment-form"):
        # The form comes back whole (can_comment included), or it would say comments are closed.
        ctx = _comment_ctx(user, await actions.load_idea(db, user, idea_id), None)
        ctx |= {"comment_value": body, "comment_errors": errors}
        return _render(request, "ideas/_comment_form.html", ctx, status=FORM_ERROR)
    if parent_id is None:
        form = {"comment_value": body, "comment_errors": errors}
    else:
        form = {"reply_value": body, "reply_errors": errors, "reply_to": parent_id}
    return _render(
        request, "ideas/detail.html", await _detail_ctx(request, db, idea_id, **form), status=FORM_ERROR
    )


async def _comment_posted(request: Request, db: Db, idea_id: int, comment: Comment) -> Template | Redirect:
    """A reply form posted by htmx gets itself back, with the new reply appended out of band under
    its parent; the comment form likewise with the new comment; a plain post is redirected."""
    user, parent_id = current_user(request), comment.parent_id
    if parent_id is not None and wants_partial(request, f"reply-form-{parent_id}"):
        ctx = _comment_ctx(user, await actions.load_idea(db, user, idea_id), None)
        ctx |= {"parent_id": parent_id, "new_reply": comment}
        return _render(request, "ideas/_reply_form.html", ctx, status=201)
    if parent_id is None and wants_partial(request, "comment-form"):
        ctx = _comment_ctx(user, await actions.load_idea(db, user, idea_id), None)
        ctx |= {"comment_value": "", "comment_errors": {}, "new_comment": comment}
        return _render(request, "ideas/_comment_form.html", ctx, status=201)
    flash = ("success", "Your comment has been posted.")
    return redirect(f"/ideas/{idea_id}#comment-{comment.id}", flash=flash)


# ------------------------------------------------------------------ boards


async def _new_board_ctx(
    request: Request, db: Db, agencies: list[tuple[str, str]], values: dict, errors: dict
) -> dict[str, Any]:
    everyone = await actions.agency_choices(db, lang_of(request))
    # Staff of one agency open boards for it alone: it is never offered as its own co-owner.
    owner = agencies[0][0] if len(agencies) == 1 else None
    return {
        "agencies": agencies,
        "all_agencies": [a for a in everyone if a[0] != owner],
        "values": {"is_open": True, "support_threshold": "100", "response_days": "30"} | values,
        "errors": errors,
    }


async def _settings_ctx(request: Request, db: Db, board: Board, values: dict, errors: dict) -> dict[str, Any]:
    agencies = [a for a in await actions.agency_choices(db, lang_of(request)) if a[0] != board.agency_slug]
    return {"board": board, "all_agencies": agencies, "values": values, "errors": errors}


class BoardPages(Controller):
    include_in_schema = False

    @get("/boards")
    async def boards(self, request: Request, db: Db) -> Template:
        return _render(request, "ideas/boards.html", {"boards": await actions.boards(db)})

    @get("/boards/new")
    async def new_board(self, request: Request, db: Db) -> Template:
        agencies = await actions.new_board_choices(db, require_user(request))
        return _render(request, "ideas/board_new.html", await _new_board_ctx(request, db, agencies, {}, {}))

    @post("/boards")
    async def create_board(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("slug", "agency", *BOARD_FIELDS), "coowners")
        try:
            board = await actions.create_board(
                db, user, BoardIn(slug=v["slug"], agency=v["agency"], **_board_settings(v))
            )
        except (Invalid, actions.SlugTaken) as exc:
            ctx = await _new_board_ctx(
                request, db, await actions.own_agencies(db, user), v, form_errors(request, exc)
            )
            return _render(request, "ideas/board_new.html", ctx, status=FORM_ERROR)
        return redirect(f"/boards/{board.slug}", flash=("success", "The board is open."))

    @get("/boards/{slug:str}", dependencies=LISTING)
    async def board(self, request: Request, db: Db, slug: FromPath[str], listing: Listing) -> Template:
        return await _list_page(request, db, await actions.load_board(db, slug), listing)

    @post("/boards/{slug:str}/coowners")
    async def add_coowner(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        agency = (await _form(request, ("agency",)))["agency"]
        await actions.add_coowner(db, require_user(request), slug, CoownerIn(agency=agency))
        return redirect(
            f"/boards/{slug}", flash=("success", "The agency has been invited to co-own the board.")
        )

    @post("/boards/{slug:str}/coowners/{agency:str}/accept")
    async def accept_coownership(
        self, request: Request, db: Db, slug: FromPath[str], agency: FromPath[str]
    ) -> Redirect:
        await actions.respond_coownership(db, require_user(request), slug, agency, accept=True)
        return redirect(f"/boards/{slug}", flash=("success", "Your agency now co-owns this board."))

    @post("/boards/{slug:str}/coowners/{agency:str}/decline")
    async def decline_coownership(
        self, request: Request, db: Db, slug: FromPath[str], agency: FromPath[str]
    ) -> Redirect:
        await actions.respond_coownership(db, require_user(request), slug, agency, accept=False)
        return redirect("/staff", flash=("success", "You declined the invitation."))

    @get("/boards/{slug:str}/settings")
    async def settings_form(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        board = await actions.managed_board(db, user, slug)
        ctx = await _settings_ctx(
            request, db, board, _board_form_values(board, await actions.invited(db, user, board)), {}
        )
        return _render(request, "ideas/board_settings.html", ctx)

    @post("/boards/{slug:str}/settings")
    async def save_settings(self, request: Request, db: Db, slug: FromPath[str]) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, BOARD_FIELDS, "coowners")
        try:
            await actions.update_board(db, user, slug, BoardPatch(**_board_settings(v)))
        except Invalid as exc:
            board = await actions.managed_board(db, user, slug)
            ctx = await _settings_ctx(request, db, board, v, form_errors(request, exc))
            return _render(request, "ideas/board_settings.html", ctx, status=FORM_ERROR)
        return redirect(f"/boards/{slug}", flash=("success", "The board settings have been saved."))


# ------------------------------------------------------------------ moderation


MODERATED = ("subject_kind", "subject_id", "reason", "next")
BLOCK = Confirm(
    N_("Block this author?"),
    N_("A blocked person is logged out everywhere and can no longer log in, post or answer."),
    N_("Yes, block the author"),
)


async def _moderated(request: Request) -> tuple[ModerationIn, str]:
    """The subject a moderation form acts on, and where to go back to."""
    v = await _form(request, MODERATED)
    data = ModerationIn(
        subject_kind=v["subject_kind"], subject_id=(_int(v["subject_id"]) or 0), reason=v["reason"]
    )
    return data, safe_next(v["next"], "/moderation")


class ModerationPages(Controller):
    path = "/moderation"
    include_in_schema = False

    @get("/")
    async def queue(self, request: Request, db: Db) -> Template:
        """The one moderation inbox: ideas waiting, reports on ideas and comments, and reported
        consultation comments (read through the consultations domain's query)."""
        user = require_user(request)
        flags, pending = await actions.moderation_queue(db, user)
        queue = await consultations.moderation_queue(db, user)
        ctx = {"flags": flags, "pending": pending, "queue": queue, "errors": {}, "values": {}}
        return render(request, "ideas/moderation.html", ctx)

    @post("/hide")
    async def hide(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        data, back = await _moderated(request)
        await actions.hide(db, user, data)
        return redirect(back, flash=("success", "The content has been hidden."))

    @post("/restore")
    async def restore(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        data, back = await _moderated(request)
        await actions.restore(db, user, data)
        return redirect(back, flash=("success", "The content has been restored."))

    @post("/dismiss")
    async def dismiss(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        data, back = await _moderated(request)
        await actions.dismiss_flags(db, user, data)
        return redirect(back, flash=("success", "The reports have been dismissed."))

    @post("/block")
    async def block(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        v = await _form(request, ("user_id", "next"))
        if not is_confirmed(await request.form()):
            return confirm_page(request, BLOCK, {}, back=safe_next(v["next"], "/moderation"), fixed=v)
        await actions.block_user(db, user, BlockIn(user_id=(_int(v["user_id"]) or 0)))
        return redirect(
            safe_next(v["next"], "/moderation"), flash=("success", "The author has been blocked.")
        )
