"""Idea boards: one function per verb, and the reads that both the pages and the API show.

Every action asks the same rules.can_* the templates ask, validates with rules (all of a form's
problems at once), writes through store inside one transaction together with its domain event
(civic.events), and raises only the DomainError family. Store functions re-check under a row
lock or a constraint what must hold under concurrency; their small exceptions are translated here.
"""

from __future__ import annotations

import math
from datetime import datetime

import asyncpg
import msgspec

from civic import coownership, events, thai
from civic.accounts.rules import refusal
from civic.accounts.schemas import CurrentUser
from civic.ideas import rules, store
from civic.ideas.rules import N_
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
    Flag,
    FlagIn,
    FlagOut,
    Idea,
    IdeaDetail,
    IdeaIn,
    IdeaListQuery,
    IdeaPage,
    IdeaPatch,
    ModerationIn,
    OverdueAgency,
    OverdueList,
    ReplyPage,
    StatusIn,
    SupportState,
)
from civic.identity.rules import refusal as id_refusal
from civic.validation import Conflict, DomainError, Errors, Forbidden, Invalid, NotFound, Problem, raise_if

IDEA_NOT_FOUND = N_("We could not find that idea.")
BOARD_NOT_FOUND = N_("We could not find that board.")
COMMENT_NOT_FOUND = N_("We could not find that comment.")
PER_PAGE = 20
SORTS = list(store.SORTS)


class NotSupportable(Conflict):
    code = "not_supportable"
    default_msgid = N_("This idea is not open to supports.")


class CommentsClosed(Conflict):
    code = "comments_closed"
    default_msgid = N_("Comments are closed for this idea.")


class NotEditable(Conflict):
    code = "not_editable"
    default_msgid = N_("This idea can no longer be edited: it has been answered or its status changed.")


class BoardClosed(Conflict):
    """A form shows it on the board field; the API answers 409."""

    code = "board_closed"
    default_msgid = N_("This board is closed to new ideas.")


class SlugTaken(Conflict):
    """A form shows it on the slug field; the API answers 409."""

    default_msgid = N_("This address is already taken. Choose another.")


class BadParent(DomainError):
    status = 422
    code = "invalid_parent"
    default_msgid = N_("You can only reply to a top-level comment of this idea.")


# ------------------------------------------------------------------ reads (pages and API share them)


def redact(idea: Idea, actor: CurrentUser | None) -> Idea:
    """A hidden idea keeps its place as a tombstone: its text is shown only to moderators.
    A Thai ID number typed into it is masked for everyone but its author."""
    if idea.hidden and not rules.can_moderate(actor):
        return msgspec.structs.replace(idea, title="", body="", links=[])
    if actor is not None and actor.id == idea.author_id:
        return idea
    return _masked(idea)


def _masked(idea: Idea) -> Idea:
    return msgspec.structs.replace(
        idea, title=thai.mask_thai_ids(idea.title), body=thai.mask_thai_ids(idea.body)
    )


def redact_comment(c: Comment, actor: CurrentUser | None) -> Comment:
    if c.deleted or (c.hidden and not rules.can_moderate(actor)):
        c = msgspec.structs.replace(c, body="")
    elif actor is None or actor.id != c.author_id:
        c = msgspec.structs.replace(c, body=thai.mask_thai_ids(c.body))
    if c.replies:
        c.replies = [redact_comment(r, actor) for r in c.replies]
    return c


async def load_idea(conn: asyncpg.Connection, actor: CurrentUser | None, idea_id: int) -> Idea:
    """The idea unredacted, for the rules; a pending idea this person may not see is a 404."""
    idea = await store.get_idea(conn, idea_id)
    if idea is None or not rules.can_view_idea(actor, idea.status, idea.author_id, idea.owner_ids):
        raise NotFound(IDEA_NOT_FOUND)
    return idea


async def load_board(conn: asyncpg.Connection, slug: str) -> Board:
    board = await store.get_board(conn, slug)
    if board is None:
        raise NotFound(BOARD_NOT_FOUND)
    return board


async def load_board_by_id(conn: asyncpg.Connection, board_id: int) -> Board:
    """Events and follows name a board by id; its pages by slug."""
    board = await store.get_board_by_id(conn, board_id)
    if board is None:
        raise NotFound(BOARD_NOT_FOUND)
    return board


async def idea_detail(conn: asyncpg.Connection, actor: CurrentUser | None, idea_id: int) -> IdeaDetail:
    idea = await load_idea(conn, actor, idea_id)
    return IdeaDetail(
        idea=redact(idea, actor),
        answer=await store.get_answer(conn, idea.id),
        history=await store.status_history(conn, idea.id),
        supported_by_me=await store.has_supported(conn, idea.id, actor.id if actor else None),
        verified_supports=idea.verified_support_count,
    )


async def comments(
    conn: asyncpg.Connection, actor: CurrentUser | None, idea: Idea, after: int
) -> CommentPage:
    page = await store.comment_page(conn, idea.id, after=after, total=idea.comment_count)
    page.comments = [redact_comment(c, actor) for c in page.comments]
    return page


async def reply_page(
    conn: asyncpg.Connection, actor: CurrentUser | None, idea: Idea, comment_id: int, after: int
) -> tuple[Comment, ReplyPage]:
    parent = await store.get_comment(conn, comment_id)
    if parent is None or parent.idea_id != idea.id or parent.parent_id is not None:
        raise NotFound(COMMENT_NOT_FOUND)
    page = await store.reply_page(conn, comment_id, after=after)
    page.replies = [redact_comment(r, actor) for r in page.replies]
    return redact_comment(parent, actor), page


async def hottest_ideas(conn: asyncpg.Connection, limit: int) -> IdeaPage:
    """The home page's few, masked as every list of ideas is."""
    page = await store.list_ideas(conn, sort="hot", per_page=limit)
    page.items = [_masked(i) for i in page.items]
    return page


async def list_ideas(conn: asyncpg.Connection, query: IdeaListQuery, board: Board | None) -> IdeaPage:
    page = await store.list_ideas(
        conn,
        **query.filters(),
        board_id=board.id if board else None,
        page=query.page,
        per_page=PER_PAGE,
        at=query.at,
    )
    page.items = [_masked(i) for i in page.items]
    return page


async def supported_ids(conn: asyncpg.Connection, actor: CurrentUser | None, ideas: list[Idea]) -> set[int]:
    return await store.supported_ids(conn, [i.id for i in ideas], actor.id if actor else None)


async def boards(conn: asyncpg.Connection) -> list[Board]:
    return await store.list_boards(conn)


async def open_boards(conn: asyncpg.Connection) -> list[Board]:
    return [b for b in await store.list_boards(conn) if b.is_open]


async def categories(conn: asyncpg.Connection) -> list[str]:
    return await store.list_categories(conn)


async def filter_options(conn: asyncpg.Connection, lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The board index's choices: every board's categories, and the agencies with a board (owned
    or co-owned), named as `agency_choices` names them."""
    return await store.filter_options(conn, lang)


async def agency_choices(conn: asyncpg.Connection, lang: str) -> list[tuple[str, str]]:
    """(slug, name in `lang`) for every agency, in dictionary order of that name."""
    return await store.agency_choices(conn, lang)


OVERDUE_PER_PAGE = 50


async def overdue_by_agency(conn: asyncpg.Connection) -> list[OverdueAgency]:
    """Every agency with overdue answers, and how many: the most first."""
    return await store.overdue_by_agency(conn)


async def overdue(conn: asyncpg.Connection, agency: str | None = None, page: int = 1) -> OverdueList:
    """The public clock, as /ideas/overdue shows it: the agencies with overdue answers, and a page
    of those answers, the longest overdue first; `agency` (a slug) narrows the page to that
    agency's, none if it has none overdue."""
    agencies = await store.overdue_by_agency(conn)
    chosen = next((a for a in agencies if a.agency_slug == agency), None)
    total = sum(a.ideas for a in agencies) if not agency else chosen.ideas if chosen else 0
    pages = max(1, math.ceil(total / OVERDUE_PER_PAGE))
    page = min(max(1, page), pages)
    items = await store.overdue(
        conn,
        agency_id=chosen.agency_id if chosen else None,
        limit=OVERDUE_PER_PAGE,
        offset=(page - 1) * OVERDUE_PER_PAGE,
    ) if total else []  # fmt: skip
    return OverdueList(
        agencies=agencies, agency=agency or None, items=items, total=total, page=page, pages=pages,
        per_page=OVERDUE_PER_PAGE,
    )  # fmt: skip


async def own_agencies(conn: asyncpg.Connection, actor: CurrentUser) -> list[tuple[str, str]]:
    """The agencies this person may open a board for (the new-board form's choices), named in
    their language."""
    choices = await store.agency_choices(conn, actor.lang)
    if actor.is_admin:
        return choices
    mine = {m.slug for m in actor.memberships if m.kind == "agency"}
    return [c for c in choices if c[0] in mine]


async def new_board_choices(conn: asyncpg.Connection, actor: CurrentUser) -> list[tuple[str, str]]:
    """The new-board form is only for those who may open a board somewhere."""
    if not (choices := await own_agencies(conn, actor)):
        raise Forbidden(N_("Only agency staff can open a board."))
    return choices


def check_manage(actor: CurrentUser, board: Board) -> None:
    if not rules.can_manage_board(actor, board.agency_id):
        raise Forbidden(N_("Only staff of the agency that owns this board can change its settings."))


async def managed_board(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> Board:
    board = await load_board(conn, slug)
    check_manage(actor, board)
    return board


def check_edit(actor: CurrentUser, idea: Idea) -> None:
    if not rules.can_edit_idea(actor, idea.author_id, idea.status, idea.hidden, idea.answered):
        raise Forbidden(
            "Only the author can edit an idea, and only while it is published or waiting for moderation"
            " and has no official answer."
        )


async def editable_idea(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int) -> tuple[Idea, Board]:
    idea = await load_idea(conn, actor, idea_id)
    check_edit(actor, idea)
    return idea, await load_board(conn, idea.board_slug)


async def editable_comment(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, comment_id: int
) -> tuple[Idea, Comment]:
    idea = await load_idea(conn, actor, idea_id)
    comment = await store.get_comment(conn, comment_id)
    if comment is None or comment.idea_id != idea_id:
        raise NotFound(COMMENT_NOT_FOUND)
    if not rules.can_edit_comment(
        actor, comment.author_id, comment.created_at, now(), deleted=comment.deleted, hidden=comment.hidden
    ):
        raise Forbidden(N_("Comments can only be edited by their author, within 15 minutes of posting."))
    return idea, comment


async def moderation_queue(conn: asyncpg.Connection, actor: CurrentUser) -> tuple[list[Flag], list[Idea]]:
    _check_moderator(actor)
    return await store.open_flags(conn), await store.pending_ideas(conn)


def now() -> datetime:
    return store.now_utc()


# ------------------------------------------------------------------ boards


async def _coowner_ids(
    conn: asyncpg.Connection, slugs: list[str], owner_id: int | None, errors: Errors
) -> list[int]:
    """Co-owning agencies' ids (the owner left out); an unknown slug is an error on `coowners`."""
    coowner_ids = []
    for slug in slugs:
        org_id = await store.agency_id_by_slug(conn, slug)
        if org_id is None:
            errors["coowners"] = Problem("Choose one of the options.")
        elif org_id != owner_id:
            coowner_ids.append(org_id)
    return coowner_ids


async def create_board(conn: asyncpg.Connection, actor: CurrentUser, data: BoardIn) -> Board:
    categories = list(data.categories)
    errors = rules.validate_board(
        data.slug,
        data.title,
        data.description_th,
        data.description_en,
        data.scope or "",
        categories,
        data.support_threshold,
        data.response_days,
    )
    agency_id = await store.agency_id_by_slug(conn, data.agency)
    if agency_id is None:
        errors["agency"] = Problem("Choose one of the options.")
    elif not rules.can_create_board(actor, agency_id):
        raise Forbidden(N_("Only agency staff can open a board."))
    coowner_ids = await _coowner_ids(conn, data.coowners, agency_id, errors)
    raise_if(errors)
    assert agency_id is not None
    async with conn.transaction():
        try:
            board_id = await store.create_board(
                conn,
                slug=data.slug,
                agency_id=agency_id,
                title=data.title,
                description_th=data.description_th,
                description_en=data.description_en,
                scope=data.scope or None,
                categories=categories,
                is_open=data.is_open,
                moderate_first=data.moderate_first,
                support_threshold=data.support_threshold,
                response_days=data.response_days,
                requires_national_id=data.requires_national_id,
                coowner_ids=coowner_ids,
                actor_id=actor.id,
            )
        except store.DuplicateSlug:
            raise SlugTaken(field="slug") from None
        board = await load_board(conn, data.slug)
        await events.record(
            conn,
            "board.created",
            events.BoardCreated(
                slug=board.slug,
                title=board.title,
                coowner_ids=board.coowner_ids,
                is_open=board.is_open,
                moderate_first=board.moderate_first,
                support_threshold=board.support_threshold,
                response_days=board.response_days,
            ),
            subject=("board", board_id),
            actor_id=actor.id,
            agency_id=agency_id,
            province=board.scope,
        )
        await _record_invitations(conn, actor, board, sorted(set(coowner_ids)))
    return board


def board_settings(board: Board, invited: list[str] = ()) -> BoardPatch:
    """A board's current settings as a complete patch (the form's starting values); `coowners`
    holds the co-owners and the agencies invited (the slugs in `invited`), as a PATCH replaces both."""
    return BoardPatch(
        title=board.title,
        description_th=board.description_th,
        description_en=board.description_en,
        scope=board.scope or "",
        categories=list(board.categories),
        is_open=board.is_open,
        moderate_first=board.moderate_first,
        support_threshold=board.support_threshold,
        response_days=board.response_days,
        requires_national_id=board.requires_national_id,
        coowners=[*(c["slug"] for c in board.coowners), *invited],
    )


async def invited(conn: asyncpg.Connection, actor: CurrentUser, board: Board) -> list[str]:
    """The agencies invited to co-own the board and not yet answering (its managers only)."""
    check_manage(actor, board)
    return await store.invited_slugs(conn, board.id)


async def _record_invitations(conn, actor: CurrentUser, board: Board, org_ids: list[int]) -> None:
    for org_id in org_ids:
        await events.record(
            conn,
            "coownership.invited",
            events.Coownership(subject="board", title=board.title, org_id=org_id),
            subject=("board", board.id),
            actor_id=actor.id,
            agency_id=board.agency_id,
            province=board.scope,
        )


async def update_board(conn: asyncpg.Connection, actor: CurrentUser, slug: str, data: BoardPatch) -> Board:
    """Only the fields given change; `coowners`, when given, is the full set."""
    board = await managed_board(conn, actor, slug)
    given = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    new = msgspec.structs.replace(board_settings(board), **given)
    categories = list(new.categories or [])
    errors = rules.validate_board_settings(
        new.title or "",
        new.description_th or "",
        new.description_en or "",
        new.scope or "",
        categories,
        new.support_threshold,
        new.response_days,
    )
    coowner_ids = None
    if data.coowners is not None:
        coowner_ids = await _coowner_ids(conn, data.coowners, board.agency_id, errors)
    raise_if(errors)
    settings = {
        "title": new.title,
        "description_th": new.description_th,
        "description_en": new.description_en or "",
        "scope": new.scope or None,
        "categories": categories,
        "is_open": bool(new.is_open),
        "moderate_first": bool(new.moderate_first),
        "support_threshold": new.support_threshold,
        "response_days": new.response_days,
        "requires_national_id": bool(new.requires_national_id),
    }
    async with conn.transaction():
        try:
            changes = await store.update_board(
                conn, board.id, settings, coowner_ids=coowner_ids, actor_id=actor.id, owner_id=board.agency_id
            )
        except store.NotFound:
            raise NotFound(BOARD_NOT_FOUND) from None
        invited_ids = changes.pop("coowners_added", [])
        await _record_invitations(conn, actor, board, invited_ids)
        if changes:
            # An invitation is its own event; the settings change names co-owners only when some
            # were removed (or an invitation withdrawn).
            removed = changes.pop("coowners_removed", [])
            await events.record(
                conn,
                "board.settings_changed",
                events.BoardSettingsChanged(
                    slug=board.slug,
                    changed=[*changes, *(["coowners"] if removed else [])],
                    is_open=settings["is_open"],
                    support_threshold=settings["support_threshold"],
                    response_days=settings["response_days"],
                    coowners_removed=removed,
                ),
                subject=("board", board.id),
                actor_id=actor.id,
                agency_id=board.agency_id,
                province=settings["scope"],
            )
    return await load_board(conn, slug)


async def add_coowner(conn: asyncpg.Connection, actor: CurrentUser, slug: str, data: CoownerIn) -> Board:
    """Invites the agency; it co-owns the board once its staff accept (respond_coownership)."""
    board = await load_board(conn, slug)
    if not rules.can_manage_board(actor, board.agency_id):
        raise Forbidden()
    org_id = await store.agency_id_by_slug(conn, data.agency)
    if org_id is None:
        raise Invalid({"agency": Problem("Choose one of the options.")}, status=400)
    async with conn.transaction():
        if await store.add_coowner(conn, board.id, org_id, actor_id=actor.id, owner_id=board.agency_id):
            await _record_invitations(conn, actor, board, [org_id])
    return board


async def respond_coownership(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str, agency: str, *, accept: bool
) -> coownership.Answer:
    """The invited agency's staff accept or decline co-owning the board."""
    board = await load_board(conn, slug)
    org_id = await store.agency_id_by_slug(conn, agency)
    if org_id is None or not coownership.can_answer(actor, org_id):
        raise Forbidden(N_("Only staff of the invited agency can answer this invitation."))
    async with conn.transaction():
        if not await store.respond_coownership(conn, board.id, org_id, accept=accept, actor_id=actor.id):
            raise NotFound(coownership.INVITATION_NOT_FOUND)
        await events.record(
            conn,
            "coownership.accepted" if accept else "coownership.declined",
            events.Coownership(subject="board", title=board.title, org_id=org_id),
            subject=("board", board.id),
            actor_id=actor.id,
            agency_id=org_id,
            province=board.scope,
        )
    return coownership.Answer("board", f"/boards/{slug}", agency, "accepted" if accept else "declined")


async def coownership_invitations(
    conn: asyncpg.Connection, actor: CurrentUser
) -> list[coownership.Invitation]:
    """The board invitations waiting for the actor's agencies."""
    rows = await store.invitations(conn, sorted(actor.agency_ids))
    return [msgspec.convert(r, coownership.Invitation) for r in rows]


# ------------------------------------------------------------------ ideas


async def submit_idea(
    conn: asyncpg.Connection, actor: CurrentUser, data: IdeaIn, *, assisted_by: int | None = None
) -> Idea:
    """assisted_by: the agency whose counter submits it for a person (civic/assisted); never from
    a form."""
    board = await store.get_board(conn, data.board) if data.board else None
    if board is not None and not rules.can_submit_idea(
        actor, board.is_open, requires_national_id=board.requires_national_id
    ):
        raise id_refusal(actor, board.requires_national_id, BoardClosed(field="board"))
    links = rules.clean_links(data.links)
    province = data.province or ""
    # Without a board the other fields are still checked, so the form shows every problem at once.
    categories = board.categories if board else ()
    errors = rules.validate_idea(data.title, data.body, data.category, province, links, categories)
    if board is None:
        raise Invalid({"board": Problem("Choose a board.")} | errors)
    raise_if(errors)
    async with conn.transaction():
        try:
            idea_id = await store.create_idea(
                conn,
                board_id=board.id,
                author_id=actor.id,
                title=data.title,
                body=data.body,
                category=data.category,
                province=province or None,
                links=links,
                assisted_org_id=assisted_by,
            )
        except store.NotAllowed:  # closed since it was read
            raise BoardClosed(field="board") from None
        idea = await load_idea(conn, actor, idea_id)
        await events.record(
            conn,
            "idea.submitted",
            events.IdeaSubmitted(
                board_id=board.id, title=idea.title, category=idea.category, status=idea.status
            ),
            subject=("idea", idea_id),
            actor_id=actor.id,
            agency_id=board.agency_id,
            province=idea.province,
            hidden=idea.status == "pending_moderation",
        )
    return idea


def idea_values(idea: Idea) -> IdeaPatch:
    """An idea's text as a complete edit (the form's starting values)."""
    return IdeaPatch(
        title=idea.title,
        body=idea.body,
        category=idea.category,
        province=idea.province or "",
        links=list(idea.links),
    )


async def edit_idea(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, data: IdeaPatch) -> Idea:
    """The author's edit: only the fields given change."""
    idea, board = await editable_idea(conn, actor, idea_id)
    given = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    new = msgspec.structs.replace(idea_values(idea), **given)
    links = rules.clean_links(new.links or [])
    # A category the board has since dropped may stay on the idea, but cannot be newly chosen.
    allowed = [*board.categories, idea.category] if board.categories and idea.category else board.categories
    raise_if(
        rules.validate_idea(
            new.title or "", new.body or "", new.category or "", new.province or "", links, allowed
        )
    )
    async with conn.transaction():
        try:
            changed = await store.edit_idea(
                conn,
                idea.id,
                author_id=actor.id,
                title=new.title or "",
                body=new.body or "",
                category=new.category or "",
                province=new.province or None,
                links=links,
            )
        except store.NotAllowed:
            raise NotEditable() from None
        except store.NotFound:
            raise NotFound(IDEA_NOT_FOUND) from None
        if changed:
            await events.record(
                conn,
                "idea.edited",
                events.IdeaEdited(title=(new.title or "").strip()),
                subject=("idea", idea.id),
                actor_id=actor.id,
                agency_id=idea.agency_id,
                province=new.province or None,
                hidden=idea.status == "pending_moderation",
            )
    return await load_idea(conn, actor, idea_id)


async def _check_supportable(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, *, giving: bool
) -> bool:
    """The rules' answer for this support, asked on the idea as it stands; SUPPORT and WITHDRAW
    then refuse under the row lock whatever changed since (store.SUPPORT_FACTS). The board's
    identity level gates giving a support, never taking one back. Returns the level asked with."""
    row = await store.support_facts(conn, idea_id)
    owners = [row["agency_id"], *row["coowner_ids"]] if row else []
    if row is None or not rules.can_view_idea(actor, row["status"], row["author_id"], owners):
        raise NotFound(IDEA_NOT_FOUND)
    level = giving and row["requires_national_id"]
    if not rules.can_support(
        actor, row["status"], row["hidden"], row["board_open"], requires_national_id=level
    ):
        raise id_refusal(actor, level, NotSupportable())
    return level


async def support_idea(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int) -> SupportState:
    """Idempotent. The row lock, the primary key of idea_supports (one support per person) and a
    count moved by what was really inserted keep racing supports exact; store.SUPPORT records the
    idea.supported event (and idea.threshold_reached, with its public record entry) in its
    transaction. The lock is held for that statement and the commit only: on an idea everyone
    supports at once, supports queue for nothing longer."""
    level = await _check_supportable(conn, actor, idea_id, giving=True)
    try:
        return await store.support_idea(conn, idea_id, actor.id, requires_national_id=level)
    except store.NotAllowed:
        # Something the rules were asked about changed in between (SUPPORT's gate).
        raise NotSupportable() from None


async def transfer_idea(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, from_user_id: int
) -> None:
    """An idea the counter submitted becomes the actor's (civic/assisted checks the code)."""
    if not rules.can_submit_idea(actor, True):
        raise refusal(actor, Forbidden())
    if not await store.transfer_idea(conn, idea_id, from_user_id, actor.id):
        raise NotFound()


async def transfer_support(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, from_user_id: int
) -> None:
    """A support the counter gave for the actor becomes theirs; Conflict if they support it already."""
    if not rules.can_submit_idea(actor, True):
        raise refusal(actor, Forbidden())
    if not await store.transfer_support(conn, idea_id, from_user_id, actor.id):
        raise Conflict(N_("You already support this idea: the counter's support cannot be added to yours."))


async def withdraw_support(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int) -> SupportState:
    """Idempotent; follows the rule for supports, so a closed idea's record stays frozen.
    store.WITHDRAW records idea.support_withdrawn in the same statement."""
    await _check_supportable(conn, actor, idea_id, giving=False)
    try:
        return await store.withdraw_support(conn, idea_id, actor.id)
    except store.NotAllowed:  # the same gate as in support_idea
        raise NotSupportable() from None


def _check_status_change(actor: CurrentUser, idea: Idea, to: str) -> None:
    if not (rules.is_staff(actor, idea.owner_ids) or rules.can_moderate(actor)) or (
        rules.can_transition(idea.status, to)
        and not rules.can_change_status(actor, idea.owner_ids, idea.status, to)
    ):
        raise Forbidden(N_("Only staff of the agencies responsible for this board can change its status."))


async def change_status(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, data: StatusIn, *, by_plan: bool = False
) -> Idea:
    """by_plan: the implementation plan moves it (civic/implementation), inside the plan's act."""
    idea = await load_idea(conn, actor, idea_id)
    _check_status_change(actor, idea, data.status)
    raise_if(rules.validate_status_change(idea.status, data.status, data.reason, data.duplicate_of, idea.id))
    org_id = (
        rules.answering_org(actor, idea.agency_id, idea.owner_ids)
        if rules.is_staff(actor, idea.owner_ids)
        else None
    )
    duplicate_of = data.duplicate_of if data.status == "duplicate" else None
    async with conn.transaction():
        try:
            await store.change_status(
                conn,
                idea.id,
                expected_from=idea.status,
                to_status=data.status,
                reason=data.reason,
                duplicate_of=duplicate_of,
                actor_id=actor.id,
                org_id=org_id,
            )
        except store.StaleStatus:
            raise Conflict(N_("This idea changed while you were working. Reload and try again.")) from None
        except store.UnknownOriginal:
            raise Invalid({"duplicate_of": Problem("We could not find the original idea.")}) from None
        except store.NotFound:
            raise NotFound(IDEA_NOT_FOUND) from None
        await events.record(
            conn,
            "idea.status_changed",
            events.IdeaStatusChanged(
                from_status=idea.status,
                to_status=data.status,
                reason=data.reason.strip(),
                duplicate_of=duplicate_of,
                org_id=org_id,
                by_plan=by_plan,
            ),
            subject=("idea", idea.id),
            actor_id=actor.id,
            agency_id=idea.agency_id,
            province=idea.province,
            hidden=idea.hidden or data.status == "pending_moderation",
        )
    return await load_idea(conn, actor, idea_id)


def check_answer(actor: CurrentUser, idea: Idea) -> None:
    if not rules.can_answer(actor, idea.owner_ids, idea.status, idea.hidden):
        raise Forbidden(N_("Only staff of the agencies responsible for this board can answer."))


async def answer_idea(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, data: AnswerIn) -> None:
    idea = await load_idea(conn, actor, idea_id)
    check_answer(actor, idea)
    raise_if(rules.validate_answer(data.body))
    org_id = rules.answering_org(actor, idea.agency_id, idea.owner_ids)
    async with conn.transaction():
        try:
            revised = await store.answer_idea(
                conn, idea.id, org_id=org_id, author_id=actor.id, body=data.body
            )
        except store.NotFound:
            raise NotFound(IDEA_NOT_FOUND) from None
        await events.record(
            conn,
            "idea.answered",
            events.IdeaAnswered(org_id=org_id, revised=revised),
            subject=("idea", idea.id),
            actor_id=actor.id,
            agency_id=idea.agency_id,
            province=idea.province,
        )


# ------------------------------------------------------------------ comments


async def add_comment(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, data: CommentIn) -> Comment:
    idea = await load_idea(conn, actor, idea_id)
    level = idea.board_requires_national_id
    if not rules.can_comment(actor, idea.status, idea.hidden, requires_national_id=level):
        raise id_refusal(actor, level, CommentsClosed())
    raise_if(rules.validate_comment(data.body))
    async with conn.transaction():
        try:
            comment_id = await store.add_comment(
                conn, idea.id, author_id=actor.id, body=data.body, parent_id=data.parent_id
            )
        except store.BadParent:
            raise BadParent(field="parent_id") from None
        except store.NotAllowed:
            raise CommentsClosed() from None
        except store.NotFound:
            raise NotFound(IDEA_NOT_FOUND) from None
        await events.record(
            conn,
            "idea.commented",
            events.IdeaCommented(comment_id=comment_id, parent_id=data.parent_id),
            subject=("idea", idea.id),
            actor_id=actor.id,
            agency_id=idea.agency_id,
            province=idea.province,
        )
        comment = await store.get_comment(conn, comment_id)
    assert comment is not None
    return comment


async def edit_comment(
    conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, comment_id: int, data: CommentEditIn
) -> None:
    idea, _ = await editable_comment(conn, actor, idea_id, comment_id)
    raise_if(rules.validate_comment(data.body))
    async with conn.transaction():
        await store.edit_comment(conn, comment_id, data.body)
        await events.record(
            conn,
            "comment.edited",
            events.CommentChanged(idea_id=idea.id),
            subject=("comment", comment_id),
            actor_id=actor.id,
            agency_id=idea.agency_id,
            province=idea.province,
            hidden=idea.hidden,
        )


async def delete_comment(conn: asyncpg.Connection, actor: CurrentUser, idea_id: int, comment_id: int) -> None:
    comment = await store.get_comment(conn, comment_id)
    if comment is None or comment.idea_id != idea_id:
        raise NotFound(COMMENT_NOT_FOUND)
    if not rules.can_delete_comment(actor, comment.author_id, deleted=comment.deleted):
        raise Forbidden()
    by_moderator = actor.id != comment.author_id
    subject = await store.subject_idea(conn, "comment", comment_id)
    async with conn.transaction():
        if await store.delete_comment(conn, comment_id, actor_id=actor.id, by_moderator=by_moderator):
            await events.record(
                conn,
                "comment.deleted",
                events.CommentChanged(idea_id=idea_id, by_moderator=by_moderator),
                subject=("comment", comment_id),
                actor_id=actor.id,
                agency_id=subject["agency_id"] if subject else None,
                province=subject["province"] if subject else None,
            )


# ------------------------------------------------------------------ flags and moderation


async def flag(conn: asyncpg.Connection, actor: CurrentUser, data: FlagIn) -> FlagOut:
    """One open report per person and subject: a repeat creates nothing (and records nothing)."""
    subject = await store.subject_idea(conn, data.subject_kind, data.subject_id)
    if subject is None:
        raise NotFound(N_("We could not find what you are reporting."))
    if errors := rules.validate_reason(data.reason):
        raise Invalid(errors, status=400)
    async with conn.transaction():
        flag_id = await store.flag(conn, data.subject_kind, data.subject_id, data.reason, actor.id)
        if flag_id is not None:
            await events.record(
                conn,
                "content.flagged",
                events.ContentFlagged(flag_id=flag_id, idea_id=subject["idea_id"]),
                subject=(data.subject_kind, data.subject_id),
                actor_id=actor.id,
                agency_id=subject["agency_id"],
                province=subject["province"],
            )
    return FlagOut(id=flag_id, created=flag_id is not None)


def _check_moderator(actor: CurrentUser) -> None:
    if not rules.can_moderate(actor):
        raise Forbidden()


async def _moderated_subject(
    conn: asyncpg.Connection, actor: CurrentUser, data: ModerationIn
) -> asyncpg.Record:
    _check_moderator(actor)
    subject = await store.subject_idea(conn, data.subject_kind, data.subject_id)
    if subject is None:
        raise NotFound()
    return subject


async def _record_moderation(
    conn: asyncpg.Connection,
    kind: str,
    actor: CurrentUser,
    data: ModerationIn,
    subject: asyncpg.Record,
    reason: str,
) -> None:
    # A hide is a public official act: the record says what was hidden and why (as the tombstone
    # does), never the hidden text, so the event is not itself "about hidden content".
    await events.record(
        conn,
        kind,
        events.ContentModerated(idea_id=subject["idea_id"], reason=reason),
        subject=(data.subject_kind, data.subject_id),
        actor_id=actor.id,
        agency_id=subject["agency_id"],
        province=subject["province"],
    )


async def hide(conn: asyncpg.Connection, actor: CurrentUser, data: ModerationIn) -> None:
    subject = await _moderated_subject(conn, actor, data)
    if errors := rules.validate_reason(data.reason):
        raise Invalid(errors, status=400)
    await _set_hidden(conn, actor, data, subject, hidden=True)


async def restore(conn: asyncpg.Connection, actor: CurrentUser, data: ModerationIn) -> None:
    subject = await _moderated_subject(conn, actor, data)
    await _set_hidden(conn, actor, data, subject, hidden=False)


async def _set_hidden(
    conn: asyncpg.Connection, actor: CurrentUser, data: ModerationIn, subject: asyncpg.Record, *, hidden: bool
) -> None:
    reason = data.reason.strip() if hidden else ""
    async with conn.transaction():
        try:
            await store.set_hidden(
                conn, data.subject_kind, data.subject_id, hidden=hidden, reason=reason, actor_id=actor.id
            )
        except store.NotFound:
            raise NotFound() from None
        await _record_moderation(
            conn, "content.hidden" if hidden else "content.restored", actor, data, subject, reason
        )


async def dismiss_flags(conn: asyncpg.Connection, actor: CurrentUser, data: ModerationIn) -> None:
    subject = await _moderated_subject(conn, actor, data)
    async with conn.transaction():
        await store.dismiss_flags(conn, data.subject_kind, data.subject_id, actor_id=actor.id)
        await _record_moderation(conn, "flags.dismissed", actor, data, subject, "")


async def block_user(conn: asyncpg.Connection, actor: CurrentUser, data: BlockIn) -> None:
    _check_moderator(actor)
    role = await store.user_role(conn, data.user_id)
    if role is None:
        raise NotFound(N_("We could not find that person."))
    if not rules.can_block_author(actor, role):
        raise Forbidden()
    async with conn.transaction():
        await store.block_user(conn, data.user_id, actor_id=actor.id)
        await events.record(
            conn,
            "user.blocked",
            events.UserBlocked(role=role),
            subject=("user", data.user_id),
            actor_id=actor.id,
        )
