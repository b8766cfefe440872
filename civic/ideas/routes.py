"""Idea boards: HTML pages (with HTMX partials) and their /api/v1 twins."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from civic import provinces, thai
from civic.accounts.schemas import CurrentUser
from civic.ideas import rules, store
from civic.ideas.schemas import (
    AnswerIn,
    Board,
    BoardIn,
    BoardPatch,
    Comment,
    CommentIn,
    CommentPage,
    FlagIn,
    FlagOut,
    Idea,
    IdeaDetailOut,
    IdeaIn,
    IdeaPage,
    IdeaPatch,
    ReplyPage,
    StatusIn,
    SupportState,
)
from civic.ideas.text import paragraphs
from civic.validation import Errors, Problem
from civic.web.deps import Db, batch_loader
from civic.web.errors import ClientError
from civic.web.guards import current_user, forbid, not_found, require_user
from civic.web.templating import lang_of, redirect, render, safe_next, translate_errors, wants_partial

PER_PAGE = 20
IDEA_NOT_FOUND = "We could not find that idea."
BOARD_NOT_FOUND = "We could not find that board."


# ------------------------------------------------------------------ shared loaders


def _render(request: Request, template: str, ctx: dict[str, Any], **kwargs: Any) -> Template:
    """Every ideas template can use the rules (the same can_* as the guards) and the text helper."""
    return render(
        request, template, {"rules": rules, "paragraphs": paragraphs, "now": store.now_utc()} | ctx, **kwargs
    )


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    parsed = thai.parse_int_strict(value)
    return default if parsed is None else parsed


def _redact(idea: Idea, user: CurrentUser | None) -> Idea:
    """A hidden idea keeps its place as a tombstone: its text is shown only to moderators."""
    if idea.hidden and not rules.can_moderate(user):
        return msgspec.structs.replace(idea, title="", body="", links=[])
    return idea


def _redact_comment(c: Comment, user: CurrentUser | None) -> Comment:
    if c.deleted or (c.hidden and not rules.can_moderate(user)):
        c = msgspec.structs.replace(c, body="")
    if c.replies:
        c.replies = [_redact_comment(r, user) for r in c.replies]
    return c


async def _load_idea(db: Db, idea_id: int, user: CurrentUser | None) -> Idea:
    idea = await store.get_idea(db, idea_id)
    if idea is None or not rules.can_view_idea(user, idea.status, idea.author_id, idea.owner_ids):
        raise not_found(IDEA_NOT_FOUND)
    return idea


async def _load_board(db: Db, slug: str) -> Board:
    board = await store.get_board(db, slug)
    if board is None:
        raise not_found(BOARD_NOT_FOUND)
    return board


async def _comments(db: Db, idea: Idea, user: CurrentUser | None, after: int) -> CommentPage:
    page = await store.comment_page(db, idea.id, after=after, total=idea.comment_count)
    page.comments = [_redact_comment(c, user) for c in page.comments]
    return page


def _first_error(errors: Errors, status: int = 422) -> ClientError:
    field, problem = next(iter(errors.items()))
    return ClientError(status, "invalid_input", problem.msgid, field=field, **problem.params)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v not in (None, "")}


def _list_filters(sort, status, category, province, agency) -> dict[str, Any]:
    return {
        "sort": sort if sort in store.SORTS else "hot",
        "status": status if status in rules.PUBLIC else None,
        "category": category or None,
        "province": province if provinces.is_valid(province) else None,
        "agency": agency or None,
    }


def _chosen_board(boards: list[Board], slug: str) -> Board | None:
    """The board the new-idea form is for: the one asked for, or the only open one."""
    if len(boards) == 1 and not slug:
        return boards[0]
    return next((b for b in boards if b.slug == slug), None)


def _validate_idea_input(
    board: Board, title: str, body: str, category: str, province: str, links: list[str]
) -> Errors:
    return rules.validate_idea(title, body, category, province, links, board.categories)


async def _create_idea(db: Db, board: Board, user: CurrentUser, values: dict[str, Any]) -> int:
    return await store.create_idea(
        db,
        board_id=board.id,
        author_id=user.id,
        title=values["title"],
        body=values["body"],
        category=values["category"],
        province=values["province"] or None,
        links=values["links"],
    )


def _check_edit(user: CurrentUser, idea: Idea) -> None:
    if not rules.can_edit_idea(user, idea.author_id, idea.status, idea.hidden, idea.answered):
        raise forbid(
            "Only the author can edit an idea, and only while it is published or waiting for moderation"
            " and has no official answer."
        )


def _idea_values(idea: Idea) -> dict[str, Any]:
    return {
        "title": idea.title,
        "body": idea.body,
        "category": idea.category,
        "province": idea.province or "",
        "links": list(idea.links),
    }


async def _edit_idea(db: Db, user: CurrentUser, idea: Idea, values: dict[str, Any]) -> Errors:
    """Validates and saves the author's edit; returns form errors (empty on success)."""
    _check_edit(user, idea)
    board = await _load_board(db, idea.board_slug)
    # A category the board has since dropped may stay on the idea, but cannot be newly chosen.
    categories = (
        [*board.categories, idea.category] if board.categories and idea.category else board.categories
    )
    errors = rules.validate_idea(
        values["title"], values["body"], values["category"], values["province"], values["links"], categories
    )
    if errors:
        return errors
    try:
        await store.edit_idea(
            db,
            idea.id,
            author_id=user.id,
            title=values["title"],
            body=values["body"],
            category=values["category"],
            province=values["province"] or None,
            links=values["links"],
        )
    except store.NotAllowed:
        raise ClientError(
            409,
            "not_editable",
            "This idea can no longer be edited: it has been answered or its status changed.",
        ) from None
    except store.NotFound:
        raise not_found(IDEA_NOT_FOUND) from None
    return {}


def _status_org(user: CurrentUser, idea: Idea) -> int | None:
    return (
        rules.answering_org(user, idea.agency_id, idea.owner_ids)
        if rules.is_staff(user, idea.owner_ids)
        else None
    )


async def _do_status(db: Db, user: CurrentUser, idea: Idea, to: str, reason: str, dup_raw: Any) -> Errors:
    """Checks and applies a status change; returns form errors (empty on success)."""
    if not (rules.is_staff(user, idea.owner_ids) or rules.can_moderate(user)):
        raise forbid("Only staff of the agencies responsible for this board can change its status.")
    if rules.can_transition(idea.status, to) and not rules.can_change_status(
        user, idea.owner_ids, idea.status, to
    ):
        raise forbid("Only staff of the agencies responsible for this board can change its status.")
    duplicate_of = dup_raw if isinstance(dup_raw, int) else rules.parse_idea_ref(dup_raw)
    errors = rules.validate_status_change(idea.status, to, reason, duplicate_of, idea.id)
    if dup_raw not in (None, "") and duplicate_of is None and to == "duplicate":
        errors["duplicate_of"] = Problem("Give the number or link of the original idea.")
    if errors:
        return errors
    try:
        await store.change_status(
            db,
            idea.id,
            expected_from=idea.status,
            to_status=to,
            reason=reason,
            duplicate_of=duplicate_of,
            actor_id=user.id,
            org_id=_status_org(user, idea),
        )
    except store.StaleStatus:
        raise ClientError(
            409, "conflict", "This idea changed while you were working. Reload and try again."
        ) from None
    except store.UnknownOriginal:
        return {"duplicate_of": Problem("We could not find the original idea.")}
    except store.NotFound:
        raise not_found(IDEA_NOT_FOUND) from None
    return {}


def _check_answer(user: CurrentUser, idea: Idea) -> None:
    if not rules.can_answer(user, idea.owner_ids, idea.status, idea.hidden):
        raise forbid("Only staff of the agencies responsible for this board can answer.")


async def _support(db: Db, user: CurrentUser, idea: Idea, withdraw: bool) -> SupportState:
    if not rules.can_support(user, idea.status, idea.hidden, idea.board_open):
        raise ClientError(409, "not_supportable", "This idea is not open to supports.")
    try:
        if withdraw:
            return await store.withdraw_support(db, idea.id, user.id)
        return await store.support_idea(db, idea.id, user.id)
    except store.NotAllowed:
        raise ClientError(409, "not_supportable", "This idea is not open to supports.") from None
    except store.NotFound:
        raise not_found(IDEA_NOT_FOUND) from None


async def _support_fast(request: Request, idea_id: int, withdraw: bool) -> SupportState:
    """The API's hot path: one statement checks, writes, counts and queues the search update
    (store.support_ideas / withdraw_support), and supports of requests that arrive together share
    it. The full idea is loaded only to explain a refusal."""
    user = require_user(request)
    if not rules.may_support(user):
        raise ClientError(409, "not_supportable", "This idea is not open to supports.")
    state = request.app.state
    try:
        if withdraw:
            async with state.pool.acquire() as db:
                return await store.withdraw_support(db, idea_id, user.id)
        return await batch_loader(state, store.support_ideas, group_commit=True).load((idea_id, user.id))
    except store.NotFound:
        raise not_found(IDEA_NOT_FOUND) from None
    except store.NotAllowed:
        async with state.pool.acquire() as db:
            await _load_idea(db, idea_id, user)  # a pending idea this person may not see stays a 404
        raise ClientError(409, "not_supportable", "This idea is not open to supports.") from None


async def _add_comment(db: Db, user: CurrentUser, idea: Idea, body: str, parent_id: int | None) -> int:
    if not rules.can_comment(user, idea.status, idea.hidden):
        raise ClientError(409, "comments_closed", "Comments are closed for this idea.")
    try:
        return await store.add_comment(db, idea.id, author_id=user.id, body=body, parent_id=parent_id)
    except store.BadParent:
        raise ClientError(
            422,
            "invalid_parent",
            "You can only reply to a top-level comment of this idea.",
            field="parent_id",
        ) from None
    except store.NotAllowed:
        raise ClientError(409, "comments_closed", "Comments are closed for this idea.") from None
    except store.NotFound:
        raise not_found(IDEA_NOT_FOUND) from None


async def _flag(db: Db, user: CurrentUser, kind: str, subject_id: int | None, reason: str) -> int | None:
    if (
        kind not in ("idea", "comment")
        or subject_id is None
        or not await store.subject_exists(db, kind, subject_id)
    ):
        raise not_found("We could not find what you are reporting.")
    if errors := rules.validate_reason(reason):
        raise _first_error(errors, 400)
    return await store.flag(db, kind, subject_id, reason, user.id)


# ------------------------------------------------------------------ HTML


class IdeaPages(Controller):
    include_in_schema = False

    @get("/ideas")
    async def list_page(
        self,
        request: Request,
        db: Db,
        sort: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        return await _list_page(request, db, None, sort, status, category, province, agency, page)

    @get("/ideas/new")
    async def new_form(self, request: Request, db: Db, board: FromQuery[str | None] = None) -> Template:
        require_user(request)
        boards = [b for b in await store.list_boards(db) if b.is_open]
        chosen = _chosen_board(boards, board or "")
        values = {"board": chosen.slug if chosen else "", "links": "", "category": ""}
        ctx = {"boards": boards, "board": chosen, "values": values, "errors": {}}
        if wants_partial(request, "category-field"):
            # The board select changed: its category field (a select, or free text) comes back.
            return render(request, "ideas/_category_field.html", ctx)
        return render(request, "ideas/new.html", ctx)

    @post("/ideas")
    async def create(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        form = await request.form()
        values = {k: form.get(k, "") for k in ("board", "title", "body", "category", "province", "links")}
        links = rules.clean_links(values["links"].splitlines())
        board = await store.get_board(db, values["board"]) if values["board"] else None
        errors: Errors = {}
        if board is None:
            errors["board"] = Problem("Choose a board.")
        elif not rules.can_submit_idea(user, board.is_open):
            errors["board"] = Problem("This board is closed to new ideas.")
        else:
            errors = _validate_idea_input(
                board, values["title"], values["body"], values["category"], values["province"], links
            )
        if not errors:
            try:
                idea_id = await _create_idea(db, board, user, values | {"links": links})
            except store.NotAllowed:
                errors["board"] = Problem("This board is closed to new ideas.")
        if errors:
            boards = [b for b in await store.list_boards(db) if b.is_open]
            ctx = {
                "boards": boards,
                "board": _chosen_board(boards, values["board"]),
                "values": values,
                "errors": translate_errors(lang_of(request), errors),
            }
            return render(request, "ideas/new.html", ctx, status=400)
        if board.moderate_first:
            return redirect(
                f"/ideas/{idea_id}",
                flash=("info", "Thank you. Your idea will appear once a moderator has checked it."),
            )
        return redirect(f"/ideas/{idea_id}", flash=("success", "Your idea has been published."))

    @get("/ideas/overdue")
    async def overdue_page(self, request: Request, db: Db) -> Template:
        rows = await store.overdue(db)
        groups: dict[str, dict[str, Any]] = {}
        for r in rows:
            groups.setdefault(r.agency_slug, {"name": r.agency_name_th, "slug": r.agency_slug, "items": []})[
                "items"
            ].append(r)
        return _render(request, "ideas/overdue.html", {"groups": list(groups.values()), "total": len(rows)})

    @get("/ideas/{idea_id:int}")
    async def detail(
        self, request: Request, db: Db, idea_id: FromPath[int], after: FromQuery[str | None] = None
    ) -> Template:
        user = current_user(request)
        idea = await _load_idea(db, idea_id, user)
        after_id = max(0, _int(after, 0) or 0)
        if wants_partial(request, "comments-more"):
            page = await _comments(db, idea, user, after_id)
            return _render(request, "ideas/_comments_more.html", await _comment_ctx(request, idea, page))
        return _render(request, "ideas/detail.html", await _detail_ctx(request, db, idea, user, after_id))

    @get("/ideas/{idea_id:int}/edit")
    async def edit_form(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        _check_edit(user, idea)
        values = _idea_values(idea) | {"links": "\n".join(idea.links)}
        return _render(request, "ideas/edit.html", await _edit_ctx(db, idea, values, {}))

    @post("/ideas/{idea_id:int}/edit")
    async def edit(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        _check_edit(user, idea)
        form = await request.form()
        values = {k: form.get(k, "") for k in ("title", "body", "category", "province", "links")}
        links = rules.clean_links(values["links"].splitlines())
        if errors := await _edit_idea(db, user, idea, values | {"links": links}):
            ctx = await _edit_ctx(db, idea, values, translate_errors(lang_of(request), errors))
            return _render(request, "ideas/edit.html", ctx, status=400)
        return redirect(f"/ideas/{idea_id}", flash=("success", "Your idea has been updated."))

    @post("/ideas/{idea_id:int}/support")
    async def support(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        form = await request.form()
        withdraw = form.get("action", "support") == "withdraw"
        state = await _support(db, user, idea, withdraw)
        if wants_partial(request, f"support-{idea_id}"):
            idea = msgspec.structs.replace(idea, support_count=state.support_count)
            return _render(request, "ideas/_support.html", {"idea": idea, "supported": state.supported})
        message = "Your support has been withdrawn." if withdraw else "Thank you for your support."
        return redirect(safe_next(form.get("next", ""), f"/ideas/{idea_id}"), flash=("success", message))

    @post("/ideas/{idea_id:int}/status")
    async def set_status(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        form = await request.form()
        values = {k: form.get(k, "") for k in ("status", "reason", "duplicate_of")}
        errors = await _do_status(db, user, idea, values["status"], values["reason"], values["duplicate_of"])
        if errors:
            ctx = await _detail_ctx(request, db, idea, user, 0)
            ctx["status_values"] = values
            ctx["status_errors"] = translate_errors(lang_of(request), errors)
            return _render(request, "ideas/detail.html", ctx, status=400)
        return redirect(f"/ideas/{idea_id}", flash=("success", "The status has been changed."))

    @post("/ideas/{idea_id:int}/answer")
    async def answer(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        _check_answer(user, idea)
        form = await request.form()
        body = form.get("body", "")
        if errors := rules.validate_answer(body):
            ctx = await _detail_ctx(request, db, idea, user, 0)
            ctx["answer_value"] = body
            ctx["answer_errors"] = translate_errors(lang_of(request), errors)
            return _render(request, "ideas/detail.html", ctx, status=400)
        org_id = rules.answering_org(user, idea.agency_id, idea.owner_ids)
        await store.answer_idea(db, idea.id, org_id=org_id, author_id=user.id, body=body)
        return redirect(f"/ideas/{idea_id}", flash=("success", "The official answer has been published."))

    @post("/ideas/{idea_id:int}/comments")
    async def comment(self, request: Request, db: Db, idea_id: FromPath[int]) -> Template | Redirect:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        form = await request.form()
        body = form.get("body", "")
        parent_raw = form.get("parent_id", "")
        parent_id = _int(parent_raw)
        if parent_raw and parent_id is None:
            raise ClientError(
                422, "invalid_parent", "You can only reply to a top-level comment of this idea."
            )
        partial = wants_partial(request, "comment-form")
        # A reply form posted by htmx targets itself (reply-form-<parent>) and gets itself back,
        # with the new reply appended out of band under its parent.
        reply_partial = parent_id is not None and wants_partial(request, f"reply-form-{parent_id}")
        if errors := rules.validate_comment(body):
            translated = translate_errors(lang_of(request), errors)
            if reply_partial:
                ctx = await _comment_ctx(request, idea, None)
                ctx |= {"parent_id": parent_id, "reply_value": body, "reply_errors": translated}
                return _render(request, "ideas/_reply_form.html", ctx, status=400)
            if partial:
                ctx = {"idea": idea, "comment_value": body, "comment_errors": translated}
                return _render(request, "ideas/_comment_form.html", ctx, status=400)
            ctx = await _detail_ctx(request, db, idea, user, 0)
            if parent_id is None:
                ctx |= {"comment_value": body, "comment_errors": translated}
            else:
                ctx |= {"reply_value": body, "reply_errors": translated, "reply_to": parent_id}
            return _render(request, "ideas/detail.html", ctx, status=400)
        comment_id = await _add_comment(db, user, idea, body, parent_id)
        if reply_partial:
            ctx = await _comment_ctx(request, idea, None)
            ctx |= {"parent_id": parent_id, "new_reply": await store.get_comment(db, comment_id)}
            return _render(request, "ideas/_reply_form.html", ctx, status=201)
        if partial and parent_id is None:
            new = await store.get_comment(db, comment_id)
            ctx = {"idea": idea, "comment_value": "", "comment_errors": {}, "new_comment": new}
            ctx |= await _comment_ctx(request, idea, None)
            return _render(request, "ideas/_comment_form.html", ctx, status=201)
        return redirect(
            f"/ideas/{idea_id}#comment-{comment_id}", flash=("success", "Your comment has been posted.")
        )

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
        idea = await _load_idea(db, idea_id, user)
        parent, page = await _reply_page(db, idea, user, comment_id, after)
        ctx = await _comment_ctx(request, idea, None)
        if wants_partial(request, f"replies-more-{comment_id}"):
            ctx |= {"parent": parent, "replies": page.replies, "next_after": page.next_after}
            return _render(request, "ideas/_replies_more.html", ctx)
        thread = msgspec.structs.replace(parent, replies=page.replies, more_replies_after=page.next_after)
        ctx |= {"idea": _redact(idea, user), "thread": thread, "after": max(0, _int(after, 0) or 0)}
        return _render(request, "ideas/thread.html", ctx)

    @get("/ideas/{idea_id:int}/comments/{comment_id:int}/edit")
    async def edit_comment_form(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Template:
        user = require_user(request)
        idea, comment = await _editable_comment(db, user, idea_id, comment_id)
        return render(
            request,
            "ideas/comment_edit.html",
            {"idea": idea, "comment": comment, "value": comment.body, "errors": {}},
        )

    @post("/ideas/{idea_id:int}/comments/{comment_id:int}/edit")
    async def edit_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Template | Redirect:
        user = require_user(request)
        idea, comment = await _editable_comment(db, user, idea_id, comment_id)
        form = await request.form()
        body = form.get("body", "")
        if errors := rules.validate_comment(body):
            ctx = {"idea": idea, "comment": comment, "value": body}
            ctx["errors"] = translate_errors(lang_of(request), errors)
            return _render(request, "ideas/comment_edit.html", ctx, status=400)
        await store.edit_comment(db, comment_id, body)
        return redirect(
            f"/ideas/{idea_id}#comment-{comment_id}", flash=("success", "Your comment has been updated.")
        )

    @post("/ideas/{idea_id:int}/comments/{comment_id:int}/delete")
    async def delete_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], comment_id: FromPath[int]
    ) -> Redirect:
        user = require_user(request)
        comment = await store.get_comment(db, comment_id)
        if comment is None or comment.idea_id != idea_id:
            raise not_found("We could not find that comment.")
        if not rules.can_delete_comment(user, comment.author_id, deleted=comment.deleted):
            raise forbid()
        await store.delete_comment(
            db, comment_id, actor_id=user.id, by_moderator=user.id != comment.author_id
        )
        return redirect(
            f"/ideas/{idea_id}#comment-{comment_id}", flash=("success", "The comment has been deleted.")
        )

    @post("/flags")
    async def flag(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        form = await request.form()
        kind = form.get("subject_kind", "")
        await _flag(db, user, kind, _int(form.get("subject_id", "")), form.get("reason", ""))
        return redirect(
            safe_next(form.get("next", ""), "/ideas"),
            flash=("success", "Thank you. A moderator will look at your report."),
        )


async def _reply_page(
    db: Db, idea: Idea, user: CurrentUser | None, comment_id: int, after: str | None
) -> tuple[Comment, ReplyPage]:
    parent = await store.get_comment(db, comment_id)
    if parent is None or parent.idea_id != idea.id or parent.parent_id is not None:
        raise not_found("We could not find that comment.")
    page = await store.reply_page(db, comment_id, after=max(0, _int(after, 0) or 0))
    page.replies = [_redact_comment(r, user) for r in page.replies]
    return _redact_comment(parent, user), page


async def _editable_comment(db: Db, user: CurrentUser, idea_id: int, comment_id: int) -> tuple[Idea, Comment]:
    idea = await _load_idea(db, idea_id, user)
    comment = await store.get_comment(db, comment_id)
    if comment is None or comment.idea_id != idea_id:
        raise not_found("We could not find that comment.")
    if not rules.can_edit_comment(
        user,
        comment.author_id,
        comment.created_at,
        store.now_utc(),
        deleted=comment.deleted,
        hidden=comment.hidden,
    ):
        raise forbid("Comments can only be edited by their author, within 15 minutes of posting.")
    return idea, comment


async def _edit_ctx(db: Db, idea: Idea, values: dict, errors: dict) -> dict[str, Any]:
    board = await _load_board(db, idea.board_slug)
    return {"idea": idea, "board": board, "values": values, "errors": errors}


async def _comment_ctx(request: Request, idea: Idea, page: CommentPage | None) -> dict[str, Any]:
    user = current_user(request)
    return {
        "idea": idea,
        "page": page,
        "now": store.now_utc(),
        "can_comment": rules.can_comment(user, idea.status, idea.hidden),
        "can_flag": rules.can_flag(user),
        "paragraphs": paragraphs,
        "rules": rules,
    }


async def _detail_ctx(
    request: Request, db: Db, idea: Idea, user: CurrentUser | None, after: int
) -> dict[str, Any]:
    shown = _redact(idea, user)
    page = await _comments(db, idea, user, after)
    answer = await store.get_answer(db, idea.id)
    ctx = await _comment_ctx(request, shown, page)
    ctx |= {
        "idea": shown,
        "page_title": shown.title or thai_status(request, idea),
        "answer": answer,
        "history": await store.status_history(db, idea.id),
        "supported": await store.has_supported(db, idea.id, user.id if user else None),
        "can_support": rules.can_support(user, idea.status, idea.hidden, idea.board_open),
        "transitions": rules.allowed_transitions(user, idea.owner_ids, idea.status),
        "can_answer": rules.can_answer(user, idea.owner_ids, idea.status, idea.hidden),
        "can_moderate": rules.can_moderate(user),
        "can_edit": rules.can_edit_idea(user, idea.author_id, idea.status, idea.hidden, idea.answered),
        "after": after,
        "status_values": {},
        "status_errors": {},
        "answer_value": answer.body if answer else "",
        "answer_errors": {},
        "comment_value": "",
        "comment_errors": {},
        "reply_to": None,
        "reply_value": "",
        "reply_errors": {},
    }
    return ctx


def thai_status(request: Request, idea: Idea) -> str:
    from civic.web.i18n import gettext

    return gettext(lang_of(request), "Idea %(id)s", id=idea.id)


async def _list_page(
    request, db, board: Board | None, sort, status, category, province, agency, page
) -> Template:
    user = current_user(request)
    filters = _list_filters(sort, status, category, province, agency)
    result = await store.list_ideas(
        db, **filters, board_id=board.id if board else None, page=_int(page, 1) or 1, per_page=PER_PAGE
    )
    supported = await store.supported_ids(db, [i.id for i in result.items], user.id if user else None)
    base_path = f"/boards/{board.slug}" if board else "/ideas"
    ctx = {
        "result": result,
        "filters": filters,
        "board": board,
        "supported_ids": supported,
        "sorts": list(store.SORTS),
        "categories": board.categories if board else await store.list_categories(db),
        "agencies": await store.agency_choices(db),
        "statuses": [s for s in rules.STATUSES if s in rules.PUBLIC],
        "rules": rules,
        "paragraphs": paragraphs,
        "base_path": base_path,
        "page_url": lambda n: f"{base_path}?{urlencode(_clean(filters | {'page': n}))}",
        "sort_url": lambda key: f"{base_path}?{urlencode(_clean(filters | {'sort': key}))}",
    }
    if wants_partial(request, "idea-list"):
        return _render(request, "ideas/_list.html", ctx)
    template = "ideas/board.html" if board else "ideas/list.html"
    return _render(request, template, ctx)


class BoardPages(Controller):
    include_in_schema = False

    @get("/boards")
    async def boards(self, request: Request, db: Db) -> Template:
        return _render(request, "ideas/boards.html", {"boards": await store.list_boards(db)})

    @get("/boards/new")
    async def new_board(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        agencies = await _own_agencies(db, user)
        if not agencies:
            raise forbid("Only agency staff can open a board.")
        return _render(request, "ideas/board_new.html", await _board_form_ctx(db, agencies, {}, {}))

    @post("/boards")
    async def create_board(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        values = _board_form(await request.form(), "slug", "agency")
        try:
            slug = await _create_board(db, user, values)
        except _FormErrors as exc:
            agencies = await _own_agencies(db, user)
            ctx = await _board_form_ctx(db, agencies, values, translate_errors(lang_of(request), exc.errors))
            return _render(request, "ideas/board_new.html", ctx, status=400)
        return redirect(f"/boards/{slug}", flash=("success", "The board is open."))

    @get("/boards/{slug:str}")
    async def board(
        self,
        request: Request,
        db: Db,
        slug: FromPath[str],
        sort: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> Template:
        board = await _load_board(db, slug)
        return await _list_page(request, db, board, sort, status, category, province, agency, page)

    @post("/boards/{slug:str}/coowners")
    async def add_coowner(self, request: Request, db: Db, slug: FromPath[str]) -> Redirect:
        user = require_user(request)
        board = await _load_board(db, slug)
        if not rules.can_manage_board(user, board.agency_id):
            raise forbid()
        form = await request.form()
        org_id = await store.agency_id_by_slug(db, form.get("agency", ""))
        if org_id is None:
            raise ClientError(400, "invalid_input", "Choose one of the options.", field="agency")
        await store.add_coowner(db, board.id, org_id, actor_id=user.id, owner_id=board.agency_id)
        return redirect(f"/boards/{slug}", flash=("success", "The co-owner agency has been added."))

    @get("/boards/{slug:str}/settings")
    async def settings_form(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        user = require_user(request)
        board = await _load_board(db, slug)
        _check_manage(user, board)
        ctx = await _settings_ctx(db, board, _board_values(board), {})
        return _render(request, "ideas/board_settings.html", ctx)

    @post("/boards/{slug:str}/settings")
    async def save_settings(self, request: Request, db: Db, slug: FromPath[str]) -> Template | Redirect:
        user = require_user(request)
        board = await _load_board(db, slug)
        _check_manage(user, board)
        values = _board_form(await request.form())
        try:
            await _update_board(db, user, board, values)
        except _FormErrors as exc:
            ctx = await _settings_ctx(db, board, values, translate_errors(lang_of(request), exc.errors))
            return _render(request, "ideas/board_settings.html", ctx, status=400)
        return redirect(f"/boards/{slug}", flash=("success", "The board settings have been saved."))


DUPLICATE_SLUG = Problem("This address is already taken. Choose another.")


class _FormErrors(Exception):
    def __init__(self, errors: Errors) -> None:
        self.errors = errors


async def _own_agencies(db: Db, user: CurrentUser) -> list[tuple[str, str]]:
    choices = await store.agency_choices(db)
    if user.is_admin:
        return choices
    mine = {m.slug for m in user.memberships if m.kind == "agency"}
    return [c for c in choices if c[0] in mine]


async def _board_form_ctx(db: Db, agencies, values: dict, errors: dict) -> dict[str, Any]:
    return {
        "agencies": agencies,
        "all_agencies": await store.agency_choices(db),
        "values": {"is_open": True, "support_threshold": "100", "response_days": "30"} | values,
        "errors": errors,
    }


BOARD_TEXT_FIELDS = (
    "title",
    "description_th",
    "description_en",
    "scope",
    "categories",
    "support_threshold",
    "response_days",
)


def _board_form(form: Any, *extra: str) -> dict[str, Any]:
    """The board form's values as typed (settings, plus `extra` text fields such as slug and agency)."""
    values: dict[str, Any] = {k: form.get(k, "") for k in (*extra, *BOARD_TEXT_FIELDS)}
    values["is_open"] = bool(form.get("is_open"))
    values["moderate_first"] = bool(form.get("moderate_first"))
    values["coowners"] = form.getall("coowners") if "coowners" in form else []
    return values


def _board_numbers(values: dict[str, Any]) -> tuple[list[str], int | None, int | None]:
    """Categories (one a line in the form, a list in the API), threshold and days as the rules take them."""
    categories = values["categories"]
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.splitlines() if c.strip()]
    threshold = values["support_threshold"]
    days = values["response_days"]
    threshold = threshold if isinstance(threshold, int) else _int(threshold)
    days = days if isinstance(days, int) else _int(days)
    return categories, threshold, days


async def _coowner_ids(db: Db, slugs: list[str], owner_id: int | None, errors: dict) -> list[int]:
    """Co-owning agencies' ids (the owner left out); an unknown slug is an error on `coowners`."""
    coowner_ids = []
    for slug in slugs:
        org_id = await store.agency_id_by_slug(db, slug)
        if org_id is None:
            errors["coowners"] = Problem("Choose one of the options.")
        elif org_id != owner_id:
            coowner_ids.append(org_id)
    return coowner_ids


async def _create_board(db: Db, user: CurrentUser, values: dict[str, Any]) -> str:
    categories, threshold, days = _board_numbers(values)
    errors = rules.validate_board(
        values["slug"],
        values["title"],
        values["description_th"],
        values["description_en"] or "",
        values["scope"] or "",
        categories,
        threshold,
        days,
    )
    agency_id = await store.agency_id_by_slug(db, values["agency"] or "")
    if agency_id is None:
        errors["agency"] = Problem("Choose one of the options.")
    elif not rules.can_create_board(user, agency_id):
        raise forbid("Only agency staff can open a board.")
    coowner_ids = await _coowner_ids(db, values["coowners"], agency_id, errors)
    if errors:
        raise _FormErrors(errors)
    try:
        await store.create_board(
            db,
            slug=values["slug"],
            agency_id=agency_id,
            title=values["title"],
            description_th=values["description_th"],
            description_en=values["description_en"] or "",
            scope=values["scope"] or None,
            categories=categories,
            is_open=values["is_open"],
            moderate_first=values["moderate_first"],
            support_threshold=threshold,
            response_days=days,
            coowner_ids=coowner_ids,
            actor_id=user.id,
        )
    except store.DuplicateSlug:
        raise _FormErrors({"slug": DUPLICATE_SLUG}) from None
    return values["slug"]


def _check_manage(user: CurrentUser, board: Board) -> None:
    if not rules.can_manage_board(user, board.agency_id):
        raise forbid("Only staff of the agency that owns this board can change its settings.")


def _board_values(board: Board) -> dict[str, Any]:
    """A board as the settings form shows it."""
    return {
        "title": board.title,
        "description_th": board.description_th,
        "description_en": board.description_en,
        "scope": board.scope or "",
        "categories": "\n".join(board.categories),
        "is_open": board.is_open,
        "moderate_first": board.moderate_first,
        "support_threshold": str(board.support_threshold),
        "response_days": str(board.response_days),
        "coowners": [c["slug"] for c in board.coowners],
    }


async def _settings_ctx(db: Db, board: Board, values: dict, errors: dict) -> dict[str, Any]:
    agencies = [a for a in await store.agency_choices(db) if a[0] != board.agency_slug]
    return {"board": board, "all_agencies": agencies, "values": values, "errors": errors}


async def _update_board(db: Db, user: CurrentUser, board: Board, values: dict[str, Any]) -> dict:
    """Validates the full settings (form or merged API patch) and saves them; raises _FormErrors."""
    _check_manage(user, board)
    categories, threshold, days = _board_numbers(values)
    errors = rules.validate_board_settings(
        values["title"],
        values["description_th"],
        values["description_en"] or "",
        values["scope"] or "",
        categories,
        threshold,
        days,
    )
    coowner_ids = None
    if values.get("coowners") is not None:
        coowner_ids = await _coowner_ids(db, values["coowners"], board.agency_id, errors)
    if errors:
        raise _FormErrors(errors)
    settings = {
        "title": values["title"],
        "description_th": values["description_th"],
        "description_en": values["description_en"] or "",
        "scope": values["scope"] or None,
        "categories": categories,
        "is_open": bool(values["is_open"]),
        "moderate_first": bool(values["moderate_first"]),
        "support_threshold": threshold,
        "response_days": days,
    }
    try:
        return await store.update_board(
            db, board.id, settings, coowner_ids=coowner_ids, actor_id=user.id, owner_id=board.agency_id
        )
    except store.NotFound:
        raise not_found(BOARD_NOT_FOUND) from None


class ModerationPages(Controller):
    path = "/moderation"
    include_in_schema = False

    @get("/")
    async def queue(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        if not rules.can_moderate(user):
            raise forbid()
        return render(
            request,
            "ideas/moderation.html",
            {"flags": await store.open_flags(db), "pending": await store.pending_ideas(db), "errors": {}},
        )

    @post("/hide")
    async def hide(self, request: Request, db: Db) -> Redirect:
        return await _moderate(request, db, "hide")

    @post("/restore")
    async def restore(self, request: Request, db: Db) -> Redirect:
        return await _moderate(request, db, "restore")

    @post("/dismiss")
    async def dismiss(self, request: Request, db: Db) -> Redirect:
        return await _moderate(request, db, "dismiss")

    @post("/block")
    async def block(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        if not rules.can_moderate(user):
            raise forbid()
        form = await request.form()
        target = _int(form.get("user_id", ""))
        role = await store.user_role(db, target) if target else None
        if role is None:
            raise not_found("We could not find that person.")
        if not rules.can_block_author(user, role):
            raise forbid()
        await store.block_user(db, target, actor_id=user.id)
        return redirect(
            safe_next(form.get("next", ""), "/moderation"), flash=("success", "The author has been blocked.")
        )


async def _moderate(request: Request, db: Db, action: str) -> Redirect:
    user = require_user(request)
    if not rules.can_moderate(user):
        raise forbid()
    form = await request.form()
    kind = form.get("subject_kind", "")
    subject_id = _int(form.get("subject_id", ""))
    if (
        kind not in ("idea", "comment")
        or subject_id is None
        or not await store.subject_exists(db, kind, subject_id)
    ):
        raise not_found()
    reason = form.get("reason", "")
    back = safe_next(form.get("next", ""), "/moderation")
    if action == "hide":
        if errors := rules.validate_reason(reason):
            raise _first_error(errors, 400)
        await store.set_hidden(db, kind, subject_id, hidden=True, reason=reason, actor_id=user.id)
        return redirect(back, flash=("success", "The content has been hidden."))
    if action == "restore":
        await store.set_hidden(db, kind, subject_id, hidden=False, reason="", actor_id=user.id)
        return redirect(back, flash=("success", "The content has been restored."))
    await store.dismiss_flags(db, kind, subject_id, actor_id=user.id)
    return redirect(back, flash=("success", "The reports have been dismissed."))


# ------------------------------------------------------------------ JSON API


async def _detail_out(db: Db, user: CurrentUser | None, idea: Idea) -> IdeaDetailOut:
    return IdeaDetailOut(
        idea=_redact(idea, user),
        answer=await store.get_answer(db, idea.id),
        history=await store.status_history(db, idea.id),
        supported_by_me=await store.has_supported(db, idea.id, user.id if user else None),
    )


class IdeasApi(Controller):
    path = "/api/v1"
    tags = ["ideas"]

    @get("/boards", summary="Idea boards")
    async def boards(self, db: Db) -> list[Board]:
        return await store.list_boards(db)

    @get("/boards/{slug:str}", summary="One idea board")
    async def board(self, db: Db, slug: FromPath[str]) -> Board:
        return await _load_board(db, slug)

    @post("/boards", summary="Open a board (agency staff)", status_code=201)
    async def create_board(self, request: Request, db: Db, data: JSONBody[BoardIn]) -> Board:
        user = require_user(request)
        values = msgspec.structs.asdict(data)
        values["scope"] = data.scope or ""
        try:
            slug = await _create_board(db, user, values)
        except _FormErrors as exc:
            code = 409 if exc.errors.get("slug") is DUPLICATE_SLUG else 422
            raise _first_error(exc.errors, code) from None
        return await _load_board(db, slug)

    @patch("/boards/{slug:str}", summary="Change a board's settings and co-owners (owning agency's staff)")
    async def update_board(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[BoardPatch]
    ) -> Board:
        user = require_user(request)
        board = await _load_board(db, slug)
        _check_manage(user, board)
        values = _board_values(board) | {"categories": board.categories, "coowners": None}
        values |= {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        try:
            await _update_board(db, user, board, values)
        except _FormErrors as exc:
            raise _first_error(exc.errors) from None
        return await _load_board(db, slug)

    @get("/ideas", summary="Ideas, sorted and filtered")
    async def ideas(
        self,
        request: Request,
        db: Db,
        sort: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        category: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        board: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> IdeaPage:
        board_id = (await _load_board(db, board)).id if board else None
        result = await store.list_ideas(
            db,
            **_list_filters(sort, status, category, province, agency),
            board_id=board_id,
            page=_int(page, 1) or 1,
            per_page=PER_PAGE,
        )
        return result

    @get("/ideas/{idea_id:int}", summary="One idea, with its official answer and status history")
    async def idea(self, request: Request, db: Db, idea_id: FromPath[int]) -> IdeaDetailOut:
        user = current_user(request)
        return await _detail_out(db, user, await _load_idea(db, idea_id, user))

    @post("/ideas", summary="Submit an idea", status_code=201)
    async def create_idea(self, request: Request, db: Db, data: JSONBody[IdeaIn]) -> Idea:
        user = require_user(request)
        board = await store.get_board(db, data.board)
        if board is None:
            raise ClientError(422, "invalid_input", "Choose a board.", field="board")
        if not rules.can_submit_idea(user, board.is_open):
            raise ClientError(409, "board_closed", "This board is closed to new ideas.", field="board")
        links = rules.clean_links(data.links)
        values = {
            "title": data.title,
            "body": data.body,
            "category": data.category,
            "province": data.province or "",
            "links": links,
        }
        if errors := _validate_idea_input(board, **values):
            raise _first_error(errors)
        try:
            idea_id = await _create_idea(db, board, user, values)
        except store.NotAllowed:
            raise ClientError(409, "board_closed", "This board is closed to new ideas.") from None
        return await _load_idea(db, idea_id, user)

    @patch("/ideas/{idea_id:int}", summary="Edit your own idea (while published and unanswered)")
    async def edit_idea(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[IdeaPatch]
    ) -> Idea:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        _check_edit(user, idea)
        values = _idea_values(idea) | {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        values["links"] = rules.clean_links(values["links"])
        if errors := await _edit_idea(db, user, idea, values):
            raise _first_error(errors)
        return await _load_idea(db, idea_id, user)

    @post("/ideas/{idea_id:int}/status", summary="Change an idea's status (agency staff)", status_code=200)
    async def status(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[StatusIn]
    ) -> Idea:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        if errors := await _do_status(db, user, idea, data.status, data.reason, data.duplicate_of):
            raise _first_error(errors)
        return await _load_idea(db, idea_id, user)

    @post("/ideas/{idea_id:int}/answer", summary="Post or update the official answer", status_code=200)
    async def answer(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[AnswerIn]
    ) -> IdeaDetailOut:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        _check_answer(user, idea)
        if errors := rules.validate_answer(data.body):
            raise _first_error(errors)
        org_id = rules.answering_org(user, idea.agency_id, idea.owner_ids)
        await store.answer_idea(db, idea_id, org_id=org_id, author_id=user.id, body=data.body)
        return await _detail_out(db, user, await _load_idea(db, idea_id, user))

    @post("/ideas/{idea_id:int}/support", summary="Support an idea (idempotent)", status_code=200)
    async def support(self, request: Request, idea_id: FromPath[int]) -> SupportState:
        return await _support_fast(request, idea_id, withdraw=False)

    @delete("/ideas/{idea_id:int}/support", summary="Withdraw a support", status_code=200)
    async def withdraw(self, request: Request, idea_id: FromPath[int]) -> SupportState:
        return await _support_fast(request, idea_id, withdraw=True)

    @get("/ideas/{idea_id:int}/comments", summary="Comments, a page of threads after a cursor")
    async def comments(
        self, request: Request, db: Db, idea_id: FromPath[int], after: FromQuery[str | None] = None
    ) -> CommentPage:
        user = current_user(request)
        idea = await _load_idea(db, idea_id, user)
        return await _comments(db, idea, user, max(0, _int(after, 0) or 0))

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
    ) -> ReplyPage:
        user = current_user(request)
        idea = await _load_idea(db, idea_id, user)
        return (await _reply_page(db, idea, user, comment_id, after))[1]

    @post("/ideas/{idea_id:int}/comments", summary="Comment or reply", status_code=201)
    async def post_comment(
        self, request: Request, db: Db, idea_id: FromPath[int], data: JSONBody[CommentIn]
    ) -> Comment:
        user = require_user(request)
        idea = await _load_idea(db, idea_id, user)
        if errors := rules.validate_comment(data.body):
            raise _first_error(errors)
        comment_id = await _add_comment(db, user, idea, data.body, data.parent_id)
        comment = await store.get_comment(db, comment_id)
        assert comment is not None
        return comment

    @post("/flags", summary="Report an idea or a comment to the moderators", status_code=201)
    async def flag(self, request: Request, db: Db, data: JSONBody[FlagIn]) -> FlagOut:
        user = require_user(request)
        flag_id = await _flag(db, user, data.subject_kind, data.subject_id, data.reason)
        return FlagOut(id=flag_id, created=flag_id is not None)


CONTROLLERS = [IdeaPages, BoardPages, ModerationPages, IdeasApi]
