"""What the consultation pages and the API read: one loader per resource, each asking the same
rules as the templates, so a page and its JSON twin can never disagree about who sees what."""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from datetime import datetime

import asyncpg
import msgspec

from civic import provinces, thai
from civic.accounts.schemas import CurrentUser
from civic.consultations import rules, store
from civic.consultations.analysis import top_keywords
from civic.consultations.schemas import (
    AnalysisOut,
    Comment,
    Consultation,
    ConsultationDetail,
    ConsultationPage,
    ExportOut,
    ExportRow,
    HubPage,
    ModerationQueue,
    MyResponse,
    Outcome,
    Question,
    Stats,
)
from civic.validation import Conflict, DomainError, Errors, Forbidden, Invalid, NotFound, Problem

MANAGERS_ONLY = "Only staff of the agencies running this consultation can do this."
HUB_TABS = ("open", "upcoming", "closed", "outcome")
PER_PAGE = 20
# The API filters by status; the hub's tabs are one status each.
STATUS_TABS = {"scheduled": "upcoming", "open": "open", "closed": "closed", "outcome_published": "outcome"}


def api_tab(status: str | None, tab: str | None) -> str:
    """The list the API asked for: every public consultation unless a status (or a tab) is given.
    An unknown status is refused, naming the field."""
    if status:
        if status not in STATUS_TABS:
            raise Invalid({"status": Problem("Choose one of the options.")}, status=400)
        return STATUS_TABS[status]
    return tab or "all"


class BadPeriod(DomainError):
    """An analysis filter that cannot be read: a 400 naming the first field, as the API has
    always answered; the page shows every field's problem (`errors`) on its filter form."""

    status = 400
    code = "invalid_input"

    def __init__(self, errors: Errors) -> None:
        field, first = next(iter(errors.items()))
        super().__init__(first.msgid, first.params, field=field)
        self.errors = errors


class NotClosed(Conflict):
    code = "not_closed"
    default_msgid = "Open data is published after the consultation closes."


async def consultation(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int
) -> Consultation:
    """The consultation, if this reader may see it; drafts of other agencies do not exist for them."""
    c = await store.get_consultation(conn, consultation_id)
    if c is None or not rules.can_view(actor, c.status, c.owner_org_id, c.coowner_ids):
        raise NotFound("We could not find that consultation.")
    return c


async def managed(conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int) -> Consultation:
    c = await consultation(conn, actor, consultation_id)
    if not rules.can_manage(actor, c.owner_org_id, c.coowner_ids):
        raise Forbidden(MANAGERS_ONLY)
    return c


async def list_consultations(
    conn: asyncpg.Connection,
    *,
    tab: str,
    agency: str | None = None,
    province: str | None = None,
    kind: str | None = None,
    page: int = 1,
    tabs: tuple[str, ...] = HUB_TABS,
    org_ids: list[int] | None = None,
) -> HubPage:
    """One page of a tab (`org_ids`: only these organisations' consultations). Unknown tabs and
    kinds fall back rather than fail: these come from links people share; a page past the last is
    the last."""
    where = {
        "tab": tab if tab in tabs else "open",
        "agency": agency or None,
        "province": province,
        "kind": kind if kind in rules.KINDS else None,
        "org_ids": org_ids,
    }
    total = await store.count_consultations(conn, **where)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    items = await store.list_consultations(conn, **where, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return HubPage(items=items, total=total, page=page, pages=pages, per_page=PER_PAGE)


async def mine(conn: asyncpg.Connection, actor: CurrentUser, page: int = 1) -> HubPage:
    """A page of the consultations of the person's agencies, drafts too, the last changed first."""
    return await list_consultations(conn, tab="mine", page=page, tabs=("mine",), org_ids=list(actor.agency_ids))


async def detail(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int
) -> ConsultationDetail:
    return await store.detail_of(conn, await consultation(conn, actor, consultation_id))


async def page(conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int) -> ConsultationPage:
    c = await consultation(conn, actor, consultation_id)
    my_comment_ids = await store.my_comment_ids(conn, consultation_id, actor.id) if actor else set()
    return ConsultationPage(
        detail=await store.detail_of(conn, c),
        comments=await public_comments(conn, consultation_id, my_comment_ids),
        mine=await store.get_my_response(conn, consultation_id, actor.id) if actor else None,
        outcome=await store.get_outcome(conn, consultation_id) if c.status == "outcome_published" else None,
        my_comment_ids=my_comment_ids,
        reported=await store.my_flagged_comment_ids(conn, consultation_id, actor.id) if actor else set(),
    )


async def document(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int, document_id: int
) -> asyncpg.Record | None:
    await consultation(conn, actor, consultation_id)
    return await store.get_document(conn, consultation_id, document_id)


async def questions(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int
) -> list[Question]:
    await consultation(conn, actor, consultation_id)
    return await store.list_questions(conn, consultation_id)


async def comments(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int
) -> dict[int, list[Comment]]:
    await consultation(conn, actor, consultation_id)
    mine = await store.my_comment_ids(conn, consultation_id, actor.id) if actor else set()
    return await public_comments(conn, consultation_id, mine)


async def public_comments(
    conn: asyncpg.Connection, consultation_id: int, mine: AbstractSet[int] = frozenset()
) -> dict[int, list[Comment]]:
    """Every section's comments as the public sees them: a Thai ID number typed into one is
    masked, except in the reader's own (`mine`)."""
    return {
        section: [_masked_comment(c, mine) for c in top]
        for section, top in (await store.comments_by_section(conn, consultation_id)).items()
    }


def _masked_comment(c: Comment, mine: AbstractSet[int]) -> Comment:
    body = c.body if c.id in mine else thai.mask_thai_ids(c.body)
    return msgspec.structs.replace(c, body=body, replies=[_masked_comment(r, mine) for r in c.replies])


def _masked_answer(value: object) -> object:
    if isinstance(value, str):
        return thai.mask_thai_ids(value)
    if isinstance(value, list):
        return [_masked_answer(v) for v in value]
    return value


async def comment_index(conn: asyncpg.Connection, consultation_id: int) -> dict[int, Comment]:
    """Every comment and reply by id, for an outcome's links to what people said."""
    out: dict[int, Comment] = {}
    for top in (await public_comments(conn, consultation_id)).values():
        for c in top:
            out[c.id] = c
            for r in c.replies:
                out[r.id] = r
    return out


async def my_response(conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int) -> MyResponse:
    await consultation(conn, actor, consultation_id)
    mine_ = await store.get_my_response(conn, consultation_id, actor.id)
    if mine_ is None:
        raise store.NoResponse("You have not responded to this consultation yet.")
    return mine_


async def outcome(
    conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int, version: int | None = None
) -> tuple[Consultation, Outcome]:
    """The latest outcome (or that version) with its consultation."""
    c = await consultation(conn, actor, consultation_id)
    o = await store.get_outcome(conn, consultation_id, version)
    if o is None:
        raise NotFound("The outcome has not been published yet.")
    return c, o


async def outcome_draft(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int
) -> tuple[Consultation, Outcome | None]:
    """What the outcome form starts from: the consultation and the outcome published so far."""
    c = await managed(conn, actor, consultation_id)
    if not rules.can_publish_outcome(actor, c.status, c.owner_org_id, c.coowner_ids):
        raise store.NotOpen("The outcome can be published only after the consultation has closed.")
    return c, await store.get_outcome(conn, consultation_id)


async def outcome_stats(conn: asyncpg.Connection, consultation_id: int, outcome: Outcome) -> Stats:
    """What the outcome page and the report show: the statistics frozen at publication."""
    return await store.outcome_stats(conn, consultation_id, outcome.version)


async def statistics(conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int) -> Stats:
    """Open data after closing; the running agencies see it while open too."""
    c = await consultation(conn, actor, consultation_id)
    if c.status not in ("closed", "outcome_published") and not rules.can_manage(
        actor, c.owner_org_id, c.coowner_ids
    ):
        raise NotClosed()
    return await store.stats(conn, consultation_id)


async def export(conn: asyncpg.Connection, actor: CurrentUser | None, consultation_id: int) -> ExportOut:
    """Consented responses, anonymised, once the consultation has closed."""
    c = await consultation(conn, actor, consultation_id)
    if c.status not in ("closed", "outcome_published"):
        raise NotClosed()
    questions_, rows = await store.export_responses(conn, consultation_id)
    return ExportOut(
        consultation_id=c.id,
        title=c.title,
        licence="CC BY 4.0",
        questions=questions_,
        responses=[
            ExportRow(**{**r, "answers": {q: _masked_answer(v) for q, v in r["answers"].items()}}) for r in rows
        ],
    )


class AnalysisFilter(msgspec.Struct, frozen=True):
    province: str | None = None
    since: str | None = None
    until: str | None = None


async def analysis(conn: asyncpg.Connection, c: Consultation, filters: AnalysisFilter) -> AnalysisOut:
    """Counts per question and free-text keywords, for the period and province asked. A period
    that cannot be read is refused (BadPeriod), never silently ignored."""
    since, until, errors = rules.parse_filter_period(filters.since, filters.until, thai.BANGKOK)
    if errors:
        raise BadPeriod(errors)
    province = filters.province if provinces.is_valid(filters.province) else None
    s = await store.stats(conn, c.id, province=province, since=since, until=until)
    keywords = {}
    for q in s.questions:
        if q.kind == "text":
            texts = await store.free_text_answers(
                conn, c.id, q.question_id, province=province, since=since, until=until
            )
            keywords[q.question_id] = top_keywords(texts)
    return msgspec.convert({"stats": s, "keywords": keywords}, AnalysisOut, from_attributes=True)


async def outcome_versions(conn: asyncpg.Connection, consultation_id: int) -> list[asyncpg.Record]:
    return await store.outcome_versions(conn, consultation_id)


def hearing_days(c: Consultation) -> int:
    """Whole days, rounded down: a 14.5-day section 77 hearing must not read as 15."""
    end: datetime = c.closed_at or c.closes_at
    start: datetime = c.opened_at or c.opens_at
    return int((end - start).total_seconds() // 86400)


# ---------------------------------------------------------------- comment moderation


def require_queue(actor: CurrentUser | None) -> CurrentUser:
    if not rules.can_use_queue(actor):
        raise Forbidden("Only moderators can see the moderation queue.")
    return actor


async def moderation_queue(conn: asyncpg.Connection, actor: CurrentUser | None) -> ModerationQueue:
    require_queue(actor)
    return await store.moderation_queue(conn)


async def comment_in(
    conn: asyncpg.Connection, actor: CurrentUser | None, comment_id: int, consultation_id: int | None = None
) -> tuple[asyncpg.Record, Consultation]:
    """The comment's row and its consultation, if this person may see them (else NotFound)."""
    ref = await store.get_comment_ref(conn, comment_id)
    if ref is None or (consultation_id is not None and ref["consultation_id"] != consultation_id):
        raise NotFound(store.COMMENT_NOT_FOUND)
    return ref, await consultation(conn, actor, ref["consultation_id"])
