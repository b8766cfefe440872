"""Idea boards SQL. One function per verb; each opens its own transaction.

Policy lives in rules.py; these functions only re-check what must hold under concurrency
(inside the transaction, under a row lock or by a constraint) and raise small exceptions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

import asyncpg
import msgspec

from civic import db, events, keyset, provinces, thai
from civic.accounts import store as accounts
from civic.audit import audit
from civic.ideas import rules
from civic.ideas.schemas import (
    Answer,
    Board,
    Comment,
    CommentPage,
    Flag,
    Idea,
    IdeaPage,
    OverdueAgency,
    OverdueRow,
    ReplyPage,
    StatusChange,
    SupportState,
)


class NotFound(Exception):
    pass


class NotAllowed(Exception):
    """The state changed under us (e.g. the idea was closed between check and write)."""


class StaleStatus(Exception):
    pass


class DuplicateSlug(Exception):
    pass


class UnknownOriginal(Exception):
    pass


class BadParent(Exception):
    pass


# ------------------------------------------------------------------ boards

BOARD_COLUMNS = """
b.id, b.slug, b.agency_id, o.slug AS agency_slug, o.name_th AS agency_name_th,
NULLIF(o.name_en, '') AS agency_name_en, b.title,
b.description_th, b.description_en, b.scope, b.categories, b.is_open, b.moderate_first,
b.support_threshold, b.response_days, b.requires_national_id, b.created_at,
COALESCE((SELECT array_agg(c.org_id ORDER BY c.org_id) FROM idea_board_coowners c
          WHERE c.board_id = b.id AND c.status = 'accepted'), '{}') AS coowner_ids,
COALESCE((SELECT json_agg(json_build_object('id', co.id, 'slug', co.slug, 'name_th', co.name_th,
                                   'name_en', NULLIF(co.name_en, '')) ORDER BY co.id)
          FROM idea_board_coowners c JOIN organisations co ON co.id = c.org_id
          WHERE c.board_id = b.id AND c.status = 'accepted'), '[]'::json) AS coowners,
b.visible_ideas AS idea_count
"""
LIST_BOARDS = f"""
SELECT {BOARD_COLUMNS} FROM idea_boards b JOIN organisations o ON o.id = b.agency_id
ORDER BY b.is_open DESC, b.created_at DESC, b.id DESC LIMIT $1
"""
GET_BOARD = (
    f"SELECT {BOARD_COLUMNS} FROM idea_boards b JOIN organisations o ON o.id = b.agency_id WHERE b.slug = $1"
)
GET_BOARD_BY_ID = (
    f"SELECT {BOARD_COLUMNS} FROM idea_boards b JOIN organisations o ON o.id = b.agency_id WHERE b.id = $1"
)
INSERT_BOARD = """
INSERT INTO idea_boards (slug, agency_id, title, description_th, description_en, scope, categories,
                         is_open, moderate_first, support_threshold, response_days, created_by,
                         requires_national_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
"""
# An invitation (status 'pending'); an agency that declined before can be invited again.
ADD_COOWNER = """
INSERT INTO idea_board_coowners (board_id, org_id, added_by)
SELECT $1, o.id, $3 FROM organisations o
WHERE o.id = $2 AND o.kind = 'agency' AND o.id <> (SELECT agency_id FROM idea_boards WHERE id = $1)
ON CONFLICT (board_id, org_id) DO UPDATE
SET status = 'pending', added_by = $3, added_at = now(), responded_by = NULL, responded_at = NULL
WHERE idea_board_coowners.status = 'declined'
"""
RESPOND_COOWNER = """
UPDATE idea_board_coowners SET status = $3, responded_by = $4, responded_at = now()
WHERE board_id = $1 AND org_id = $2 AND status = 'pending'
"""
INVITED = """
SELECT o.slug FROM idea_board_coowners c JOIN organisations o ON o.id = c.org_id
WHERE c.board_id = $1 AND c.status = 'pending' ORDER BY o.id
"""
INVITATIONS = """
SELECT 'board' AS kind, b.title, '/boards/' || b.slug AS href,
       '/boards/' || b.slug || '/coowners/' || o.slug AS action, o.slug AS agency_slug,
       o.name_th AS agency_name_th, NULLIF(o.name_en, '') AS agency_name_en,
       ow.name_th AS owner_name_th, NULLIF(ow.name_en, '') AS owner_name_en, c.added_at AS invited_at
FROM idea_board_coowners c
JOIN idea_boards b ON b.id = c.board_id
JOIN organisations o ON o.id = c.org_id
JOIN organisations ow ON ow.id = b.agency_id
WHERE c.org_id = ANY($1::bigint[]) AND c.status = 'pending'
ORDER BY c.added_at, b.id
"""


def _board(row: asyncpg.Record) -> Board:
    return msgspec.convert(dict(row), Board)


async def list_boards(conn: asyncpg.Connection, limit: int = 100) -> list[Board]:
    return [_board(r) for r in await conn.fetch(LIST_BOARDS, limit)]


async def get_board(conn: asyncpg.Connection, slug: str) -> Board | None:
    row = await conn.fetchrow(GET_BOARD, slug)
    return _board(row) if row else None


async def get_board_by_id(conn: asyncpg.Connection, board_id: int) -> Board | None:
    row = await conn.fetchrow(GET_BOARD_BY_ID, board_id)
    return _board(row) if row else None


async def agency_id_by_slug(conn: asyncpg.Connection, slug: str) -> int | None:
    return await conn.fetchval("SELECT id FROM organisations WHERE slug = $1 AND kind = 'agency'", slug)


_CATEGORIES = "SELECT array_agg(DISTINCT c ORDER BY c) FROM idea_boards, unnest(categories) c"
# An agency's name in the reader's language, Thai when it has no English one.
_AGENCY_NAME = "CASE WHEN $1 = 'en' AND name_en <> '' THEN name_en ELSE name_th END"
AGENCY_CHOICES = f"SELECT slug, {_AGENCY_NAME} AS name FROM organisations WHERE kind = 'agency'"
# The board index's two lists of choices in one round trip: a page view paid one for each. The
# agencies are those that own or co-own a board, the only ones with ideas to filter by: every
# agency (a national deployment has thousands) made a list no one could use, read, sorted and
# written out on each view.
FILTER_OPTIONS = f"""
SELECT ({_CATEGORIES}) AS categories,
       array_agg(slug ORDER BY id) AS slugs, array_agg({_AGENCY_NAME} ORDER BY id) AS names
FROM organisations
WHERE id IN (SELECT agency_id FROM idea_boards UNION SELECT org_id FROM idea_board_coowners WHERE status = 'accepted')
"""


def _dictionary_order(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return thai.thai_sorted(choices, key=lambda c: c[1])


async def agency_choices(conn: asyncpg.Connection, lang: str) -> list[tuple[str, str]]:
    return _dictionary_order((r["slug"], r["name"]) for r in await conn.fetch(AGENCY_CHOICES, lang))


async def list_categories(conn: asyncpg.Connection) -> list[str]:
    return await conn.fetchval(_CATEGORIES) or []


async def filter_options(conn: asyncpg.Connection, lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Every board's categories, and (slug, name in `lang`) of every agency that owns or co-owns a
    board, in dictionary order."""
    row = await conn.fetchrow(FILTER_OPTIONS, lang)
    return row["categories"] or [], _dictionary_order(zip(row["slugs"] or (), row["names"] or (), strict=True))


async def create_board(
    conn: asyncpg.Connection,
    *,
    slug: str,
    agency_id: int,
    title: str,
    description_th: str,
    description_en: str,
    scope: str | None,
    categories: list[str],
    is_open: bool,
    moderate_first: bool,
    support_threshold: int,
    response_days: int,
    coowner_ids: list[int],
    requires_national_id: bool = False,
    actor_id: int,
) -> int:
    async with conn.transaction():
        try:
            board_id = await conn.fetchval(
                INSERT_BOARD,
                slug,
                agency_id,
                title.strip(),
                description_th.strip(),
                description_en.strip(),
                scope or None,
                categories,
                is_open,
                moderate_first,
                support_threshold,
                response_days,
                actor_id,
                requires_national_id,
            )
        except asyncpg.UniqueViolationError:
            raise DuplicateSlug(slug) from None
        for org_id in coowner_ids:
            await conn.execute(ADD_COOWNER, board_id, org_id, actor_id)
        await audit(
            conn,
            actor_id=actor_id,
            org_id=agency_id,
            action="board.create",
            subject_kind="idea_board",
            subject_id=board_id,
            detail={"slug": slug, "coowners": coowner_ids},
        )
    return board_id


async def add_coowner(
    conn: asyncpg.Connection, board_id: int, org_id: int, *, actor_id: int, owner_id: int
) -> bool:
    async with conn.transaction():
        result = await conn.execute(ADD_COOWNER, board_id, org_id, actor_id)
        added = result.endswith(" 1")
        if added:
            await _audit_coowner(conn, "board.add_coowner", board_id, org_id, actor_id, owner_id)
    return added


async def respond_coownership(
    conn: asyncpg.Connection, board_id: int, org_id: int, *, accept: bool, actor_id: int
) -> bool:
    """The invited agency's answer; False when no invitation waits for it."""
    status = "accepted" if accept else "declined"
    async with conn.transaction():
        answered = (await conn.execute(RESPOND_COOWNER, board_id, org_id, status, actor_id)).endswith(" 1")
        if answered:
            action = "board.accept_coownership" if accept else "board.decline_coownership"
            await _audit_coowner(conn, action, board_id, org_id, actor_id, org_id)
    return answered


async def invited_slugs(conn: asyncpg.Connection, board_id: int) -> list[str]:
    return [r["slug"] for r in await conn.fetch(INVITED, board_id)]


async def invitations(conn: asyncpg.Connection, org_ids: list[int]) -> list[dict]:
    return [dict(r) for r in await conn.fetch(INVITATIONS, org_ids)]


# The settings an owner may change after opening a board (never its slug or owner).
BOARD_SETTINGS = (
    "title",
    "description_th",
    "description_en",
    "scope",
    "categories",
    "is_open",
    "moderate_first",
    "support_threshold",
    "response_days",
    "requires_national_id",
)
LOCK_BOARD = f"SELECT {', '.join(BOARD_SETTINGS)} FROM idea_boards WHERE id = $1 FOR UPDATE"
UPDATE_BOARD = """
UPDATE idea_boards
SET title = $2, description_th = $3, description_en = $4, scope = $5, categories = $6, is_open = $7,
    moderate_first = $8, support_threshold = $9, response_days = $10, requires_national_id = $11
WHERE id = $1
"""
REMOVE_COOWNER = "DELETE FROM idea_board_coowners WHERE board_id = $1 AND org_id = $2"
# Co-owners and open invitations: the set a PATCH's `coowners` replaces (a declined row stays as
# the agency's answer until it is invited again).
CURRENT_COOWNERS = "SELECT org_id FROM idea_board_coowners WHERE board_id = $1 AND status <> 'declined'"
# A lowered threshold can put ideas that already have enough supports over it: their response
# clock starts now, with the same event a support would have recorded. Clocks already running
# keep their promised date; a new response_days applies to clocks that start from now on.
START_CLOCKS = """
WITH started AS (
    UPDATE ideas i
    SET threshold_reached_at = now(), answer_due_at = now() + make_interval(days => b.response_days)
    FROM idea_boards b
    WHERE b.id = $1 AND i.board_id = b.id AND i.threshold_reached_at IS NULL
      AND i.support_count >= b.support_threshold AND i.hidden_at IS NULL AND i.status = ANY($2::text[])
    RETURNING i.id, i.support_count, i.answer_due_at, b.support_threshold, b.agency_id, i.province
), event AS (
    -- civic.events ThresholdReached; the actor is the manager who lowered the threshold.
    INSERT INTO events (kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload)
    SELECT 'idea.threshold_reached', $3, 'idea', id, agency_id, province, 'public',
           jsonb_build_object('support_count', support_count, 'threshold', support_threshold,
                              'answer_due_at', answer_due_at, 'by', 'threshold_lowered')
    FROM started
)
SELECT id FROM started ORDER BY id
"""


async def update_board(
    conn: asyncpg.Connection,
    board_id: int,
    settings: dict,
    *,
    coowner_ids: list[int] | None,
    actor_id: int,
    owner_id: int,
) -> dict:
    """Applies `settings` (every key of BOARD_SETTINGS) and, when given, the full set of co-owners.

    Under the board's row lock it compares with what is stored, writes only when something
    changed, and audits each change with its old and new value. Returns the changes.
    """
    async with conn.transaction():
        current = await conn.fetchrow(LOCK_BOARD, board_id)
        if current is None:
            raise NotFound
        new = {k: settings[k] for k in BOARD_SETTINGS}
        new["scope"] = new["scope"] or None
        for key in ("title", "description_th", "description_en"):
            new[key] = new[key].strip()
        changes = {k: [current[k], new[k]] for k in BOARD_SETTINGS if current[k] != new[k]}
        if changes:
            await conn.execute(UPDATE_BOARD, board_id, *(new[k] for k in BOARD_SETTINGS))
            await audit(
                conn,
                actor_id=actor_id,
                org_id=owner_id,
                action="board.update",
                subject_kind="idea_board",
                subject_id=board_id,
                detail={"changes": changes},
            )
            if "support_threshold" in changes:
                started = await conn.fetch(START_CLOCKS, board_id, list(rules.SUPPORTABLE), actor_id)
                if started:
                    await events.append_to_public_record(conn)
        if coowner_ids is not None:
            before = {r["org_id"] for r in await conn.fetch(CURRENT_COOWNERS, board_id)}
            wanted = set(coowner_ids) - {owner_id}
            for org_id in sorted(wanted - before):
                if (await conn.execute(ADD_COOWNER, board_id, org_id, actor_id)).endswith(" 1"):
                    await _audit_coowner(conn, "board.add_coowner", board_id, org_id, actor_id, owner_id)
                    changes.setdefault("coowners_added", []).append(org_id)
            for org_id in sorted(before - wanted):
                await conn.execute(REMOVE_COOWNER, board_id, org_id)
                await _audit_coowner(conn, "board.remove_coowner", board_id, org_id, actor_id, owner_id)
                changes.setdefault("coowners_removed", []).append(org_id)
    return changes


async def _audit_coowner(
    conn: asyncpg.Connection, action: str, board_id: int, org_id: int, actor_id: int, owner_id: int
) -> None:
    await audit(
        conn,
        actor_id=actor_id,
        org_id=owner_id,
        action=action,
        subject_kind="idea_board",
        subject_id=board_id,
        detail={"org_id": org_id},
    )


# ------------------------------------------------------------------ ideas

# `answered` and `overdue` probe the answer's primary key per idea shown (`overdue` only once
# its answer is due). As EXISTS, PostgreSQL may hash every answer instead (a board page of 20
# ideas read all 1,000 answers), a cost that grows with the answers given.
IDEA_COLUMNS = """
i.id, i.board_id, b.slug AS board_slug, b.title AS board_title, b.agency_id, o.slug AS agency_slug,
o.name_th AS agency_name_th, NULLIF(o.name_en, '') AS agency_name_en, i.author_id, u.display_name AS author_name, i.title, i.body, i.category,
i.province, i.links, i.status, i.status_reason, i.duplicate_of, i.hidden_at IS NOT NULL AS hidden,
i.hidden_reason, i.support_count, i.verified_support_count, i.comment_count, i.threshold_reached_at,
i.answer_due_at, i.created_at, i.updated_at, b.is_open AS board_open, b.support_threshold, b.response_days AS board_response_days,
b.requires_national_id AS board_requires_national_id,
(SELECT ao.name_th FROM organisations ao WHERE ao.id = i.assisted_org_id) AS assisted_by_th,
(SELECT NULLIF(ao.name_en, '') FROM organisations ao WHERE ao.id = i.assisted_org_id) AS assisted_by_en,
(SELECT true FROM idea_answers a WHERE a.idea_id = i.id) IS NOT NULL AS answered,
CASE WHEN i.answer_due_at < now() THEN (SELECT true FROM idea_answers a WHERE a.idea_id = i.id) IS NULL
     ELSE false END AS overdue,
COALESCE((SELECT array_agg(c.org_id ORDER BY c.org_id) FROM idea_board_coowners c
          WHERE c.board_id = b.id AND c.status = 'accepted'), '{}') AS coowner_ids
"""
IDEA_FROM = """
FROM ideas i
JOIN idea_boards b ON b.id = i.board_id
JOIN organisations o ON o.id = b.agency_id
JOIN users u ON u.id = i.author_id
"""
GET_IDEA = f"SELECT {IDEA_COLUMNS} {IDEA_FROM} WHERE i.id = $1"

# Public lists: visible ideas only, the predicate of migration 0060's list indexes. Filters are
# checked while an index is walked in the sort's order. The agency filter matches the owner or
# any co-owner of the idea's board.
AGENCY_BOARDS = """
        SELECT b.id FROM idea_boards b JOIN organisations o ON o.id = b.agency_id WHERE o.slug = $4
        UNION ALL
        SELECT c.board_id FROM idea_board_coowners c JOIN organisations co ON co.id = c.org_id
        WHERE co.slug = $4 AND c.status = 'accepted'"""
LIST_WHERE = f"""
WHERE i.hidden_at IS NULL AND i.status <> 'pending_moderation'
  AND ($1::text IS NULL OR i.status = $1)
  AND ($2::text IS NULL OR i.category = $2)
  AND ($3::text IS NULL OR i.province = $3)
  AND ($4::text IS NULL OR i.board_id IN ({AGENCY_BOARDS}))
"""
# Sort keys come from this allow-list only, never from input: each list reads (key DESC, id DESC),
# and a page's links carry its rows' keys (civic.keyset), read back as the column's type. Each has
# an index over visible ideas, across boards and per board (migration 0060). "hot" is
# ideas.hot_score: log2(1 + supports) + age in days, so doubling the supports is worth one day of
# recency.
SORTS: dict[str, tuple[str, type]] = {
    "hot": ("hot_score", float),
    "top": ("support_count", int),
    "new": ("created_at", datetime),
    "discussed": ("comment_count", int),
}
# The board's own condition is written out, not "$5 IS NULL OR ...": a plan prepared once for
# every board would not know to use the per-board index.
_BOARD_FILTERS = {False: "", True: "AND i.board_id = $5"}


def _list_query(
    sort: str, board: str, where: str, page: str, *, backward: bool, anchor: str, total: str = ""
) -> str:
    """The page's ids are chosen from the index alone; only those rows are joined and described.
    `backward` walks the index from the other end (the pages before an anchor, or the last pages)
    and the outer ORDER BY turns those rows the right way round. `anchor` names the two
    parameters of the row the page starts after (before, backward), or is empty. `total`, a
    scalar statement, comes with each row as `total`."""
    key = f"i.{SORTS[sort][0]}"
    order = f"{key} DESC, i.id DESC"
    after = f"AND ({key}, i.id) {keyset.beyond(True, backward)} ({anchor})" if anchor else ""
    total = f", ({total}) AS total" if total else ""
    return f"""
SELECT {IDEA_COLUMNS}, {key} AS sort_key{total} FROM (
    SELECT i.id FROM ideas i {where} {board} {after}
    ORDER BY {f"{key}, i.id" if backward else order} {page}
) page JOIN ideas i ON i.id = page.id
JOIN idea_boards b ON b.id = i.board_id
JOIN organisations o ON o.id = b.agency_id
JOIN users u ON u.id = i.author_id
ORDER BY {order}
"""


@functools.lru_cache(maxsize=64)
def filtered_list_query(sort: str, by_board: bool, backward: bool, anchored: bool) -> str:
    """A list with a filter: the filters are $1-$4, the board $5, then LIMIT, OFFSET and the
    anchor's key and id."""
    n = 6 if by_board else 5
    anchor = f"${n + 2}, ${n + 3}" if anchored else ""
    page = f"LIMIT ${n} OFFSET ${n + 1}"
    return _list_query(sort, _BOARD_FILTERS[by_board], LIST_WHERE, page, backward=backward, anchor=anchor)


@functools.lru_cache(maxsize=256)
def written_list_query(
    sort: str,
    by_board: bool,
    limit: int,
    offset: int,
    backward: bool = False,
    anchored: bool = False,
    status: str | None = None,
    province: str | None = None,
    agency: str | None = None,
    counted: bool = False,
) -> str:
    """The lists people open most, unfiltered or filtered by a status, a province or an agency, written with
    their page's numbers and those filters in. Given an unknown LIMIT or OFFSET, or an optional
    filter, PostgreSQL's estimate of a generic plan always loses to a fresh one, so it planned
    these on every execution; written out, each is planned once per connection and page. At
    20,000 ideas: 0.4-0.5 ms a query instead of 1.3-1.9 ms; a province's list, 0.56 ms of planning
    a view at 100k. A province written in is planned for its own share of the ideas: the province
    index for a small one, the sort's index for a large one, which one generic plan for every
    province could not be. Only a known status, a province code, a well-formed agency slug
    (rules.SLUG_RE: letters, digits and hyphens) and integers are written in. An
    anchored page's OFFSET is a whole page or none (civic.keyset.parse), so those are few; the
    anchor's key and id are parameters, and a generic plan walks the index from them.
    `counted` (unfiltered lists only): each row carries the list's total."""
    assert status is None or status in rules.STATUSES
    assert not (counted and (status or province or agency))
    assert province is None or provinces.is_valid(province)
    assert agency is None or rules.SLUG_RE.fullmatch(agency)
    visible = "WHERE i.hidden_at IS NULL AND i.status <> 'pending_moderation'"
    visible += f" AND i.status = '{status}'" if status else ""
    visible += f" AND i.province = '{province}'" if province else ""
    agency_boards = AGENCY_BOARDS.replace("$4", f"'{agency}'")
    visible += f" AND i.board_id IN ({agency_boards})" if agency else ""
    board = "AND i.board_id = $1" if by_board else ""
    anchor = ("$2, $3" if by_board else "$1, $2") if anchored else ""
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}"
    total = COUNT_VISIBLE[by_board] if counted else ""
    return _list_query(sort, board, visible, page, backward=backward, anchor=anchor, total=total)


# Totals: unfiltered, the boards' kept counts (migration 0060); filtered, a sum of the kept counts
# of the combinations of board, status, category and province that match (migration 0199).
COUNT_VISIBLE = {
    False: "SELECT COALESCE(sum(visible_ideas), 0)::bigint FROM idea_boards",
    True: "SELECT COALESCE(sum(visible_ideas), 0)::bigint FROM idea_boards WHERE id = $1",
}
COUNT_IDEAS = {
    by_board: f"""
SELECT COALESCE(sum(c.ideas), 0)::bigint FROM idea_list_counts c
WHERE ($1::text IS NULL OR c.status = $1)
  AND ($2::text IS NULL OR c.category = $2)
  AND ($3::text IS NULL OR c.province = $3)
  AND ($4::text IS NULL OR c.board_id IN ({AGENCY_BOARDS}))
  {board.replace("i.board_id", "c.board_id")}
"""
    for by_board, board in _BOARD_FILTERS.items()
}

INSERT_IDEA = """
INSERT INTO ideas (board_id, author_id, title, body, category, province, links, status, assisted_org_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
"""
INSERT_HISTORY = """
INSERT INTO idea_status_history (idea_id, from_status, to_status, reason, duplicate_of, actor_id, org_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""
HISTORY = """
SELECT h.id, h.kind, h.from_status, h.to_status, h.reason, h.duplicate_of, u.display_name AS actor_name,
       o.name_th AS org_name_th, NULLIF(o.name_en, '') AS org_name_en, h.at
FROM idea_status_history h
LEFT JOIN users u ON u.id = h.actor_id
LEFT JOIN organisations o ON o.id = h.org_id
WHERE h.idea_id = $1 ORDER BY h.at, h.id
"""


def _idea(row: asyncpg.Record) -> Idea:
    return msgspec.convert(dict(row), Idea)


async def get_idea(conn: asyncpg.Connection, idea_id: int) -> Idea | None:
    row = await conn.fetchrow(GET_IDEA, idea_id)
    return _idea(row) if row else None


async def list_ideas(
    conn: asyncpg.Connection,
    *,
    sort: str = "hot",
    status: str | None = None,
    category: str | None = None,
    province: str | None = None,
    agency: str | None = None,
    board_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
    at: str | None = None,
) -> IdeaPage:
    """One page of a list. With `at` (a token one of this list's pages linked), the page is read
    from its anchor row; by page number alone, from whichever end of the list is nearer."""
    by_board = board_id is not None
    sort = sort if sort in SORTS else "hot"
    status, category, province, agency = (x or None for x in (status, category, province, agency))
    filters = (status, category, province, agency)
    board = [board_id] if by_board else []
    offset = None if any(filters) else keyset.leading(page, per_page, at)
    if offset is not None:
        # The pages people open most, unfiltered near the start, with the total in the same round
        # trip. Past the end (no row), read as below, from the total.
        sql = written_list_query(sort, by_board, per_page, offset, counted=True)
        rows = await db.fetch_page(conn, sql, offset, per_page, *board)
        if rows:
            total = rows[0]["total"]
            return _page(rows, total, keyset.reading(total, page, per_page, None, SORTS[sort][1]), per_page)
    if any(filters):
        total = await conn.fetchval(COUNT_IDEAS[by_board], *filters, *board)
    else:
        total = await conn.fetchval(COUNT_VISIBLE[by_board], *board)
    r = keyset.reading(total, page, per_page, at, SORTS[sort][1])
    # A status, a province and an agency, when they are known words or well-formed, are written
    # into the statement; a category (free text) is a parameter of the general one.
    known = (
        status in (None, *rules.STATUSES)
        and (province is None or provinces.is_valid(province))
        and (agency is None or rules.SLUG_RE.fullmatch(agency) is not None)
    )
    written = known and not category
    if not total:
        rows = []  # a filter that matches nothing would walk the whole index to find so
    elif not written:
        sql = filtered_list_query(sort, by_board, r.backward, bool(r.anchor))
        rows = await conn.fetch(sql, *filters, *board, r.limit, r.offset, *r.anchor)
    elif r.anchor:
        sql = written_list_query(sort, by_board, r.limit, r.offset, r.backward, True, status, province, agency)
        rows = await conn.fetch(sql, *board, *r.anchor)
    else:
        sql = written_list_query(sort, by_board, r.limit, r.offset, r.backward, False, status, province, agency)
        rows = await db.fetch_page(conn, sql, r.offset, r.limit, *board)
    return _page(rows, total, r, per_page)


def _page(rows: list[asyncpg.Record], total: int, r: keyset.Reading, per_page: int) -> IdeaPage:
    first, last = [keyset.position(x["sort_key"], x["id"]) for x in (rows[0], rows[-1])] if rows else [None, None]
    items = [_idea(x) for x in rows]
    return IdeaPage(items=items, total=total, page=r.page, pages=r.pages, per_page=per_page, first=first, last=last)


async def create_idea(
    conn: asyncpg.Connection,
    *,
    board_id: int,
    author_id: int,
    title: str,
    body: str,
    category: str,
    province: str | None,
    links: list[str],
    assisted_org_id: int | None = None,
) -> int:
    async with conn.transaction():
        board = await conn.fetchrow(
            "SELECT is_open, moderate_first FROM idea_boards WHERE id = $1 FOR SHARE", board_id
        )
        if board is None:
            raise NotFound
        if not board["is_open"]:
            raise NotAllowed
        status = rules.initial_status(board["moderate_first"])
        idea_id = await conn.fetchval(
            INSERT_IDEA,
            board_id,
            author_id,
            title.strip(),
            body.strip(),
            category,
            province or None,
            links,
            status,
            assisted_org_id,
        )
        await conn.execute(INSERT_HISTORY, idea_id, None, status, "", None, author_id, None)
    return idea_id


# The version being replaced is kept in idea_revisions; the history gets a public "edited" entry.
SAVE_REVISION = """
INSERT INTO idea_revisions (idea_id, title, body, category, province, links, edited_by)
SELECT id, title, body, category, province, links, $2 FROM ideas WHERE id = $1
"""
EDIT_IDEA = """
UPDATE ideas SET title = $2, body = $3, category = $4, province = $5, links = $6, updated_at = now()
WHERE id = $1
"""
INSERT_EDITED = """
INSERT INTO idea_status_history (idea_id, from_status, to_status, kind, actor_id)
VALUES ($1, $2, $2, 'edited', $3)
"""


async def edit_idea(
    conn: asyncpg.Connection,
    idea_id: int,
    *,
    author_id: int,
    title: str,
    body: str,
    category: str,
    province: str | None,
    links: list[str],
) -> bool:
    """The author's edit. Re-checks under the idea's row lock that it is still theirs and still
    editable (an answer or a status change may have landed since the form was shown); raises
    NotFound / NotAllowed. Returns False (and writes nothing) when nothing changed."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "SELECT author_id, status, hidden_at IS NOT NULL AS hidden, title, body, category, province, links,"
            " EXISTS (SELECT 1 FROM idea_answers a WHERE a.idea_id = ideas.id) AS answered"
            " FROM ideas WHERE id = $1 FOR UPDATE",
            idea_id,
        )
        if row is None:
            raise NotFound
        if row["author_id"] != author_id or not rules.is_editable(
            row["status"], row["hidden"], row["answered"]
        ):
            raise NotAllowed
        new = (title.strip(), body.strip(), category, province or None, links)
        if new == (row["title"], row["body"], row["category"], row["province"], list(row["links"])):
            return False
        await conn.execute(SAVE_REVISION, idea_id, author_id)
        await conn.execute(EDIT_IDEA, idea_id, *new)
        await conn.execute(INSERT_EDITED, idea_id, row["status"], author_id)
    return True


async def change_status(
    conn: asyncpg.Connection,
    idea_id: int,
    *,
    expected_from: str,
    to_status: str,
    reason: str,
    duplicate_of: int | None,
    actor_id: int,
    org_id: int | None,
) -> None:
    async with conn.transaction():
        current = await conn.fetchval("SELECT status FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
        if current is None:
            raise NotFound
        if current != expected_from:
            raise StaleStatus
        rules.next_status(current, to_status)
        if to_status == "duplicate":
            ok = await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM ideas WHERE id = $1 AND id <> $2 AND status <> 'pending_moderation')",
                duplicate_of,
                idea_id,
            )
            if not ok:
                raise UnknownOriginal
        else:
            duplicate_of = None
        reason = reason.strip()
        await conn.execute(
            "UPDATE ideas SET status = $2, status_reason = $3, duplicate_of = $4, updated_at = now() WHERE id = $1",
            idea_id,
            to_status,
            reason,
            duplicate_of,
        )
        await conn.execute(
            INSERT_HISTORY, idea_id, current, to_status, reason, duplicate_of, actor_id, org_id
        )
        await audit(
            conn,
            actor_id=actor_id,
            org_id=org_id,
            action="idea.status",
            subject_kind="idea",
            subject_id=idea_id,
            detail={"from": current, "to": to_status, "reason": reason, "duplicate_of": duplicate_of},
        )


async def status_history(conn: asyncpg.Connection, idea_id: int) -> list[StatusChange]:
    return [StatusChange(**dict(r)) for r in await conn.fetch(HISTORY, idea_id)]


# ------------------------------------------------------------------ answers

GET_ANSWER = """
SELECT a.idea_id, a.org_id, o.slug AS org_slug, o.name_th AS org_name_th, NULLIF(o.name_en, '') AS org_name_en,
       u.display_name AS author_name, a.body, a.created_at, a.updated_at,
       (SELECT count(*) FROM idea_answer_revisions r WHERE r.idea_id = a.idea_id) AS revisions
FROM idea_answers a JOIN organisations o ON o.id = a.org_id JOIN users u ON u.id = a.author_id
WHERE a.idea_id = $1
"""
UPSERT_ANSWER = """
INSERT INTO idea_answers (idea_id, org_id, author_id, body) VALUES ($1, $2, $3, $4)
ON CONFLICT (idea_id) DO UPDATE
SET org_id = EXCLUDED.org_id, author_id = EXCLUDED.author_id, body = EXCLUDED.body, updated_at = now()
"""


async def get_answer(conn: asyncpg.Connection, idea_id: int) -> Answer | None:
    row = await conn.fetchrow(GET_ANSWER, idea_id)
    return Answer(**dict(row)) if row else None


async def answer_idea(
    conn: asyncpg.Connection, idea_id: int, *, org_id: int, author_id: int, body: str
) -> bool:
    """One current answer; every version is also kept in idea_answer_revisions. Returns whether
    an earlier answer was replaced."""
    body = body.strip()
    async with conn.transaction():
        found = await conn.fetchval("SELECT id FROM ideas WHERE id = $1 FOR UPDATE", idea_id)
        if found is None:
            raise NotFound
        revised = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM idea_answers WHERE idea_id = $1)", idea_id
        )
        await conn.execute(UPSERT_ANSWER, idea_id, org_id, author_id, body)
        await conn.execute(
            "INSERT INTO idea_answer_revisions (idea_id, org_id, author_id, body) VALUES ($1, $2, $3, $4)",
            idea_id,
            org_id,
            author_id,
            body,
        )
        await conn.execute("UPDATE ideas SET updated_at = now() WHERE id = $1", idea_id)
        await audit(
            conn,
            actor_id=author_id,
            org_id=org_id,
            action="idea.answer",
            subject_kind="idea",
            subject_id=idea_id,
        )
    return revised


# ------------------------------------------------------------------ supports

# The bare insert; bench/bench_ideas.py runs it as the raw baseline that SUPPORT is compared with.
INSERT_SUPPORT = "INSERT INTO idea_supports (idea_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"


# SUPPORT writes supports given as two parallel arrays ($1 idea ids, $2 user ids), in one
# statement. actions.support_idea sends one pair, after asking the rules on SUPPORT_FACTS; the set
# form lets a test write many at once (and gate each on its row):
# * target locks each idea row first, in id order so that two batches never deadlock (FOR NO KEY
#   UPDATE waits for a concurrent support of the same idea and then sees its committed count), and
#   each insert is gated on its locked row: the statuses open to supports ($3), not hidden, the
#   board open, and the board asking no more identity than the rules were asked with ($4; NULL for
#   callers that asked no rules: imports, the demo). Whatever changed since the rules were asked
#   (a hide, a closed board, a board now requiring a national ID) refuses here, under the lock;
# * the primary key of idea_supports keeps one row per person (ON CONFLICT DO NOTHING: 50 racing
#   requests by one user leave one row; only the first of them reports changed);
# * each count moves by what was really inserted, from the locked row, so it stays exact;
# * the response clock starts, and the event is recorded, the first time a count reaches the
#   board's threshold (threshold_reached_at = now() only in the transaction that set it); that
#   official event gets its public record entry from support_ideas, in the same transaction,
#   whoever calls it (an action, an import, a bench), not from the record's hourly catch-up;
# * each support really inserted records its idea.supported event (civic.events: private, the
#   supporter as actor, the count after it), so an event exists exactly when a row does;
# * the search consumer (civic.search.consumer) reads those events and queues the idea's document
#   only when the count crosses into another doubling: the document carries its popularity only
#   that precisely (search_documents), so the relay is not sent to reindex a popular idea on
#   every support.
# The board's is_open is read from the statement's snapshot, as the old two-step check did.
_SUPPORT = """
WITH req AS (
    {pairs}
), target AS (
    SELECT i.id, i.support_count,
           b.is_open AND i.hidden_at IS NULL AND i.status = ANY($3::text[])
               AND ($4::boolean IS NULL OR $4 OR NOT b.requires_national_id) AS allowed
    FROM ideas i JOIN idea_boards b ON b.id = i.board_id
    WHERE i.id IN (SELECT idea_id FROM req)
    ORDER BY i.id
    FOR NO KEY UPDATE OF i
), ins AS (
    INSERT INTO idea_supports (idea_id, user_id)
    SELECT DISTINCT r.idea_id, r.user_id FROM req r JOIN target t ON t.id = r.idea_id
    WHERE t.allowed
    ON CONFLICT DO NOTHING
    RETURNING idea_id, user_id
), added AS (
    SELECT ins.idea_id, count(*)::int AS n, count(*) FILTER (WHERE u.id_verified_at IS NOT NULL)::int AS verified
    FROM ins JOIN users u ON u.id = ins.user_id GROUP BY ins.idea_id
), bump AS (
    UPDATE ideas i
    SET support_count = i.support_count + a.n,
        verified_support_count = i.verified_support_count + a.verified,
        threshold_reached_at = CASE WHEN i.threshold_reached_at IS NULL AND i.support_count + a.n >= b.support_threshold
                                    THEN now() ELSE i.threshold_reached_at END,
        answer_due_at = CASE WHEN i.threshold_reached_at IS NULL AND i.support_count + a.n >= b.support_threshold
                             THEN now() + make_interval(days => b.response_days) ELSE i.answer_due_at END
    FROM added a, idea_boards b
    WHERE i.id = a.idea_id AND b.id = i.board_id
    RETURNING i.id, i.support_count, i.threshold_reached_at = now() AS just_reached, i.answer_due_at,
              b.support_threshold, b.agency_id, i.province
), event AS (
    -- civic.events ThresholdReached: the idea's own milestone, no one's act (actor NULL).
    INSERT INTO events (kind, subject_kind, subject_id, agency_id, province, visibility, payload)
    SELECT 'idea.threshold_reached', 'idea', id, agency_id, province, 'public',
           jsonb_build_object('support_count', support_count, 'threshold', support_threshold,
                              'answer_due_at', answer_due_at)
    FROM bump WHERE just_reached
), supported AS (
    INSERT INTO events (kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload)
    SELECT 'idea.supported', ins.user_id, 'idea', bump.id, bump.agency_id, bump.province, 'private',
           jsonb_build_object('support_count', bump.support_count)
    FROM ins JOIN bump ON bump.id = ins.idea_id
), result AS (
    SELECT r.n, t.id IS NOT NULL AS found, t.allowed, COALESCE(bump.support_count, t.support_count) AS support_count,
           ins.user_id IS NOT NULL AND r.n = min(r.n) OVER (PARTITION BY r.idea_id, r.user_id) AS changed,
           COALESCE(bump.just_reached, false) AS just_reached
    FROM req r
    LEFT JOIN target t ON t.id = r.idea_id
    LEFT JOIN ins ON ins.idea_id = r.idea_id AND ins.user_id = r.user_id
    LEFT JOIN bump ON bump.id = r.idea_id
)
SELECT * FROM result ORDER BY n
"""
SUPPORT = _SUPPORT.format(pairs="SELECT * FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS r(idea_id, user_id, n)")
# The one pair an action sends, as plain parameters: PostgreSQL plans this once per connection (its
# generic plan reads each row by key), where given arrays it plans afresh on every call (at 20,000
# ideas 1.2 of the statement's 1.8 ms).
SUPPORT_ONE = _SUPPORT.format(pairs="SELECT $1::bigint AS idea_id, $2::bigint AS user_id, 1::bigint AS n")


# What can_view_idea and can_support ask, read without a lock just before SUPPORT or WITHDRAW:
# those statements take the row lock themselves and write only if what the rules saw still holds
# (SUPPORTABLE, hidden, the board open, and for SUPPORT the identity level asked for), so the lock
# is held for one statement and the commit, never while Python asks the rules.
SUPPORT_FACTS = """
SELECT i.status, i.hidden_at IS NOT NULL AS hidden, b.is_open AS board_open, i.author_id, b.agency_id,
       b.requires_national_id,
       COALESCE((SELECT array_agg(c.org_id) FROM idea_board_coowners c
                 WHERE c.board_id = b.id AND c.status = 'accepted'), '{}')
           AS coowner_ids
FROM ideas i JOIN idea_boards b ON b.id = i.board_id
WHERE i.id = $1
"""


async def support_facts(conn: asyncpg.Connection, idea_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(SUPPORT_FACTS, idea_id)


async def support_ideas(
    conn: asyncpg.Connection, requests: list[tuple[int, int]], *, requires_national_id: bool | None = None
) -> list[SupportState | NotFound | NotAllowed]:
    """Idempotent supports for (idea id, user id) pairs, answered in order: the state after the
    support, or NotFound for an unknown idea, or NotAllowed (nothing written for that pair) when
    the idea is hidden, its board closed, its status not open to supports, or (given
    requires_national_id, the level the rules were asked with) its board now asking more."""
    if len(requests) == 1:
        statement, (ideas, users) = SUPPORT_ONE, requests[0]
    else:
        statement, ideas, users = SUPPORT, [idea for idea, _ in requests], [user for _, user in requests]
    async with conn.transaction():
        rows = await conn.fetch(statement, ideas, users, list(rules.SUPPORTABLE), requires_national_id)
        if any(row["just_reached"] for row in rows):
            await events.append_to_public_record(conn)
    results: list[SupportState | NotFound | NotAllowed] = []
    for (idea_id, _), row in zip(requests, rows, strict=True):
        if not row["found"]:
            results.append(NotFound())
        elif not row["allowed"]:
            results.append(NotAllowed())
        else:
            results.append(
                SupportState(
                    idea_id=idea_id,
                    supported=True,
                    support_count=row["support_count"],
                    changed=row["changed"],
                    threshold_reached=row["changed"] and row["just_reached"],
                )
            )
    return results


async def support_idea(
    conn: asyncpg.Connection, idea_id: int, user_id: int, *, requires_national_id: bool | None = None
) -> SupportState:
    """support_ideas for one pair; raises its NotFound / NotAllowed."""
    (result,) = await support_ideas(conn, [(idea_id, user_id)], requires_national_id=requires_national_id)
    if isinstance(result, Exception):
        raise result
    return result


# The withdrawal twin of SUPPORT: same lock, same gate but the identity level (a hidden or closed
# idea keeps its supports; taking one back never asks for an ID), and the count moves only when a
# row was really deleted (and only then is the idea.support_withdrawn event recorded, from which
# the search consumer queues the document when the count leaves its doubling).
WITHDRAW = """
WITH target AS (
    SELECT i.id, i.status, i.hidden_at IS NOT NULL AS hidden, b.is_open, i.support_count, b.agency_id,
           i.province
    FROM ideas i JOIN idea_boards b ON b.id = i.board_id
    WHERE i.id = $1
    FOR NO KEY UPDATE OF i
), del AS (
    DELETE FROM idea_supports s USING target t
    WHERE s.idea_id = t.id AND s.user_id = $2
      AND t.is_open AND NOT t.hidden AND t.status = ANY($3::text[])
    RETURNING s.idea_id
), dropped AS (
    UPDATE ideas i
    SET support_count = i.support_count - 1,
        verified_support_count = i.verified_support_count
            - (SELECT count(*) FROM users u WHERE u.id = $2 AND u.id_verified_at IS NOT NULL)::int
    WHERE i.id = (SELECT idea_id FROM del)
    RETURNING i.support_count
), event AS (
    INSERT INTO events (kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload)
    SELECT 'idea.support_withdrawn', $2, 'idea', t.id, t.agency_id, t.province, 'private',
           jsonb_build_object('support_count', dropped.support_count)
    FROM target t, dropped
)
SELECT t.status, t.hidden, t.is_open, COALESCE(dropped.support_count, t.support_count) AS support_count,
       dropped.support_count IS NOT NULL AS changed
FROM target t LEFT JOIN dropped ON true
"""


async def withdraw_support(conn: asyncpg.Connection, idea_id: int, user_id: int) -> SupportState:
    """Idempotent; raises NotFound / NotAllowed (nothing written) like support_idea."""
    row = await conn.fetchrow(WITHDRAW, idea_id, user_id, list(rules.SUPPORTABLE))
    if row is None:
        raise NotFound
    if not rules.is_supportable(row["status"], row["hidden"], row["is_open"]):
        raise NotAllowed
    return SupportState(
        idea_id=idea_id, supported=False, support_count=row["support_count"], changed=row["changed"]
    )




async def has_supported(conn: asyncpg.Connection, idea_id: int, user_id: int | None) -> bool:
    if user_id is None:
        return False
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM idea_supports WHERE idea_id = $1 AND user_id = $2)", idea_id, user_id
    )


async def supported_ids(conn: asyncpg.Connection, idea_ids: list[int], user_id: int | None) -> set[int]:
    if user_id is None or not idea_ids:
        return set()
    rows = await conn.fetch(
        "SELECT idea_id FROM idea_supports WHERE user_id = $1 AND idea_id = ANY($2::bigint[])",
        user_id,
        idea_ids,
    )
    return {r["idea_id"] for r in rows}


# ------------------------------------------------------------------ overdue

# The ideas whose answer is overdue: the entries of their partial index (migration 0202) whose
# clock has run out. The counts read the index alone (it holds board_id); a page reads its rows in
# the order of their clocks.
_OVERDUE = """i.answered_at IS NULL AND i.hidden_at IS NULL AND i.answer_due_at IS NOT NULL
  AND i.answer_due_at < now()"""
OVERDUE_BY_AGENCY = f"""
SELECT o.id AS agency_id, o.slug AS agency_slug, o.name_th AS agency_name_th,
       NULLIF(o.name_en, '') AS agency_name_en, sum(w.ideas)::bigint AS ideas
FROM (SELECT i.board_id, count(*) AS ideas FROM ideas i WHERE {_OVERDUE} GROUP BY i.board_id) w
JOIN idea_boards b ON b.id = w.board_id
JOIN organisations o ON o.id = b.agency_id
GROUP BY o.id
"""
_OVERDUE_PAGE = f"""
SELECT o.slug AS agency_slug, o.name_th AS agency_name_th, NULLIF(o.name_en, '') AS agency_name_en,
       i.id AS idea_id, i.title, i.support_count, i.answer_due_at,
       floor(EXTRACT(EPOCH FROM now() - i.answer_due_at) / 86400)::int AS days_late
FROM ideas i
JOIN idea_boards b ON b.id = i.board_id
JOIN organisations o ON o.id = b.agency_id
WHERE {_OVERDUE} {{}}
ORDER BY i.answer_due_at, i.id
LIMIT $1 OFFSET $2
"""
OVERDUE_PAGE = {False: _OVERDUE_PAGE.format(""), True: _OVERDUE_PAGE.format("AND b.agency_id = $3")}


async def overdue_by_agency(conn: asyncpg.Connection) -> list[OverdueAgency]:
    """Every agency with an overdue answer, and how many: the most first."""
    rows = await conn.fetch(OVERDUE_BY_AGENCY)
    return sorted((OverdueAgency(**dict(r)) for r in rows), key=lambda a: (-a.ideas, a.agency_slug))


async def overdue(
    conn: asyncpg.Connection, *, agency_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[OverdueRow]:
    """Overdue answers, the longest overdue first: every agency's, or one agency's."""
    extra = [] if agency_id is None else [agency_id]
    rows = await conn.fetch(OVERDUE_PAGE[agency_id is not None], limit, offset, *extra)
    return [OverdueRow(**dict(r)) for r in rows]


# ------------------------------------------------------------------ comments

COMMENT_COLUMNS = """
c.id, c.idea_id, c.parent_id, c.author_id, u.display_name AS author_name, c.body, c.created_at, c.edited_at,
c.deleted_at IS NOT NULL AS deleted, c.hidden_at IS NOT NULL AS hidden, c.hidden_reason
"""
# Keyset pagination: a page of top-level comments after a cursor id, oldest first, using the
# (idea_id, id) partial index, so page cost does not grow with the number of comments.
TOP_COMMENTS = f"""
SELECT {COMMENT_COLUMNS} FROM idea_comments c JOIN users u ON u.id = c.author_id
WHERE c.idea_id = $1 AND c.parent_id IS NULL AND c.id > $2
ORDER BY c.id LIMIT $3
"""
# Replies of all comments on the page in one query, capped per thread by the LATERAL limit
# (one more than is shown, so a thread that goes on gets a cursor for its "more replies" link).
REPLIES = f"""
SELECT r.* FROM unnest($1::bigint[]) AS p(id)
CROSS JOIN LATERAL (
    SELECT {COMMENT_COLUMNS} FROM idea_comments c JOIN users u ON u.id = c.author_id
    WHERE c.parent_id = p.id ORDER BY c.id LIMIT $2
) r
ORDER BY r.parent_id, r.id
"""
GET_COMMENT = (
    f"SELECT {COMMENT_COLUMNS} FROM idea_comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1"
)
# The next page of one thread's replies after a cursor, by the (parent_id, id) partial index.
REPLY_PAGE = f"""
SELECT {COMMENT_COLUMNS} FROM idea_comments c JOIN users u ON u.id = c.author_id
WHERE c.parent_id = $1 AND c.id > $2
ORDER BY c.id LIMIT $3
"""
REPLIES_PER_THREAD = 100
COMMENTS_PER_PAGE = 20


def _comment(row: asyncpg.Record) -> Comment:
    return Comment(**dict(row))


async def comment_page(
    conn: asyncpg.Connection, idea_id: int, *, after: int = 0, total: int, limit: int = COMMENTS_PER_PAGE
) -> CommentPage:
    """Two queries whatever the number of comments; `total` comes with the idea row."""
    rows = await conn.fetch(TOP_COMMENTS, idea_id, after, limit + 1)
    more = len(rows) > limit
    top = [_comment(r) for r in rows[:limit]]
    if top:
        by_id = {c.id: c for c in top}
        for r in await conn.fetch(REPLIES, [c.id for c in top], REPLIES_PER_THREAD + 1):
            parent = by_id[r["parent_id"]]
            if len(parent.replies) < REPLIES_PER_THREAD:
                parent.replies.append(_comment(r))
            else:
                parent.more_replies_after = parent.replies[-1].id
    return CommentPage(comments=top, next_after=top[-1].id if more else None, total=total)


async def reply_page(
    conn: asyncpg.Connection, parent_id: int, *, after: int = 0, limit: int = REPLIES_PER_THREAD
) -> ReplyPage:
    """One query: the replies of one thread after a cursor."""
    rows = await conn.fetch(REPLY_PAGE, parent_id, after, limit + 1)
    replies = [_comment(r) for r in rows[:limit]]
    return ReplyPage(replies=replies, next_after=replies[-1].id if len(rows) > limit else None)


async def get_comment(conn: asyncpg.Connection, comment_id: int) -> Comment | None:
    row = await conn.fetchrow(GET_COMMENT, comment_id)
    return _comment(row) if row else None


async def add_comment(
    conn: asyncpg.Connection, idea_id: int, *, author_id: int, body: str, parent_id: int | None
) -> int:
    async with conn.transaction():
        idea = await conn.fetchrow(
            "SELECT status, hidden_at IS NOT NULL AS hidden FROM ideas WHERE id = $1 FOR NO KEY UPDATE",
            idea_id,
        )
        if idea is None:
            raise NotFound
        if not rules.can_comment_state(idea["status"], idea["hidden"]):
            raise NotAllowed
        if parent_id is not None:
            parent = await conn.fetchrow(
                "SELECT idea_id, parent_id FROM idea_comments WHERE id = $1", parent_id
            )
            if parent is None or parent["idea_id"] != idea_id or parent["parent_id"] is not None:
                raise BadParent
        comment_id = await conn.fetchval(
            "INSERT INTO idea_comments (idea_id, parent_id, author_id, body) VALUES ($1, $2, $3, $4) RETURNING id",
            idea_id,
            parent_id,
            author_id,
            body.strip(),
        )
        await conn.execute("UPDATE ideas SET comment_count = comment_count + 1 WHERE id = $1", idea_id)
    return comment_id


async def edit_comment(conn: asyncpg.Connection, comment_id: int, body: str) -> None:
    await conn.execute(
        "UPDATE idea_comments SET body = $2, edited_at = now() WHERE id = $1 AND deleted_at IS NULL",
        comment_id,
        body.strip(),
    )


async def delete_comment(
    conn: asyncpg.Connection, comment_id: int, *, actor_id: int, by_moderator: bool
) -> bool:
    """Leaves a tombstone: the row stays (replies keep their place), its text is wiped. Returns
    False when it was already deleted."""
    async with conn.transaction():
        idea_id = await conn.fetchval(
            "UPDATE idea_comments SET deleted_at = now(), body = '' WHERE id = $1 AND deleted_at IS NULL "
            "RETURNING idea_id",
            comment_id,
        )
        if idea_id is None:
            return False
        await conn.execute("UPDATE ideas SET comment_count = comment_count - 1 WHERE id = $1", idea_id)
        if by_moderator:
            await audit(
                conn,
                actor_id=actor_id,
                action="comment.delete",
                subject_kind="comment",
                subject_id=comment_id,
            )
    return True


# ------------------------------------------------------------------ moderation

INSERT_FLAG = """
INSERT INTO idea_flags (subject_kind, subject_id, reason, flagger_id) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING RETURNING id
"""
OPEN_FLAGS = """
SELECT f.id, f.subject_kind, f.subject_id, f.reason, fu.display_name AS flagger_name, f.created_at,
       COALESCE(i.id, c.idea_id) AS idea_id,
       left(COALESCE(i.title, c.body, ''), 200) AS excerpt,
       au.id AS author_id, au.display_name AS author_name, au.role AS author_role,
       COALESCE(i.hidden_at, c.hidden_at) IS NOT NULL AS hidden,
       count(*) OVER (PARTITION BY f.subject_kind, f.subject_id) AS flag_count
FROM idea_flags f
JOIN users fu ON fu.id = f.flagger_id
LEFT JOIN ideas i ON f.subject_kind = 'idea' AND i.id = f.subject_id
LEFT JOIN idea_comments c ON f.subject_kind = 'comment' AND c.id = f.subject_id
LEFT JOIN users au ON au.id = COALESCE(i.author_id, c.author_id)
WHERE f.resolved_at IS NULL
ORDER BY f.created_at, f.id
LIMIT 200
"""
PENDING_IDEAS = (
    f"SELECT {IDEA_COLUMNS} {IDEA_FROM} WHERE i.status = 'pending_moderation' ORDER BY i.id LIMIT 200"
)
RESOLVE_FLAGS = """
UPDATE idea_flags SET resolved_at = now(), resolved_by = $3, resolution = $4
WHERE subject_kind = $1 AND subject_id = $2 AND resolved_at IS NULL
"""


# The idea a flagged or moderated subject belongs to, with what its events carry.
SUBJECT_IDEA = {
    "idea": """
        SELECT i.id AS idea_id, b.agency_id, i.province FROM ideas i JOIN idea_boards b ON b.id = i.board_id
        WHERE i.id = $1""",
    "comment": """
        SELECT i.id AS idea_id, b.agency_id, i.province
        FROM idea_comments c JOIN ideas i ON i.id = c.idea_id JOIN idea_boards b ON b.id = i.board_id
        WHERE c.id = $1""",
}


async def subject_idea(conn: asyncpg.Connection, kind: str, subject_id: int) -> asyncpg.Record | None:
    """None when there is no such idea or comment; `kind` is checked against the allow-list."""
    query = SUBJECT_IDEA.get(kind)
    return await conn.fetchrow(query, subject_id) if query else None


async def flag(
    conn: asyncpg.Connection, kind: str, subject_id: int, reason: str, flagger_id: int
) -> int | None:
    return await conn.fetchval(INSERT_FLAG, kind, subject_id, reason.strip(), flagger_id)


async def open_flags(conn: asyncpg.Connection) -> list[Flag]:
    return [Flag(**dict(r)) for r in await conn.fetch(OPEN_FLAGS)]


async def pending_ideas(conn: asyncpg.Connection) -> list[Idea]:
    return [_idea(r) for r in await conn.fetch(PENDING_IDEAS)]


async def set_hidden(
    conn: asyncpg.Connection, kind: str, subject_id: int, *, hidden: bool, reason: str, actor_id: int
) -> None:
    table = {"idea": "ideas", "comment": "idea_comments"}[kind]
    async with conn.transaction():
        if hidden:
            done = await conn.fetchval(
                f"UPDATE {table} SET hidden_at = now(), hidden_reason = $2, hidden_by = $3 WHERE id = $1 RETURNING id",
                subject_id,
                reason.strip(),
                actor_id,
            )
        else:
            done = await conn.fetchval(
                f"UPDATE {table} SET hidden_at = NULL, hidden_reason = '', hidden_by = NULL WHERE id = $1 RETURNING id",
                subject_id,
            )
        if done is None:
            raise NotFound
        await conn.execute(RESOLVE_FLAGS, kind, subject_id, actor_id, "hidden" if hidden else "restored")
        await audit(
            conn,
            actor_id=actor_id,
            action=f"{kind}.{'hide' if hidden else 'restore'}",
            subject_kind=kind,
            subject_id=subject_id,
            detail={"reason": reason.strip()} if hidden else {},
        )


async def dismiss_flags(conn: asyncpg.Connection, kind: str, subject_id: int, *, actor_id: int) -> None:
    async with conn.transaction():
        await conn.execute(RESOLVE_FLAGS, kind, subject_id, actor_id, "dismissed")
        await audit(
            conn, actor_id=actor_id, action=f"{kind}.dismiss_flags", subject_kind=kind, subject_id=subject_id
        )


async def block_user(conn: asyncpg.Connection, user_id: int, *, actor_id: int) -> None:
    async with conn.transaction():
        await accounts.set_status(conn, user_id, "blocked")
        await audit(conn, actor_id=actor_id, action="user.block", subject_kind="user", subject_id=user_id)


async def transfer_idea(conn: asyncpg.Connection, idea_id: int, from_user_id: int, to_user_id: int) -> bool:
    """The counter's idea becomes its person's own (civic/assisted take-over)."""
    result = await conn.execute(
        "UPDATE ideas SET author_id = $3 WHERE id = $1 AND author_id = $2", idea_id, from_user_id, to_user_id
    )
    return result.endswith(" 1")


async def transfer_support(
    conn: asyncpg.Connection, idea_id: int, from_user_id: int, to_user_id: int
) -> bool:
    """A counter's support becomes its person's own; refused (False) if they support it already,
    so the count stays one per person."""
    result = await conn.execute(
        "UPDATE idea_supports SET user_id = $3 WHERE idea_id = $1 AND user_id = $2 "
        "AND NOT EXISTS (SELECT 1 FROM idea_supports WHERE idea_id = $1 AND user_id = $3)",
        idea_id, from_user_id, to_user_id,
    )  # fmt: skip
    return result.endswith(" 1")


async def user_role(conn: asyncpg.Connection, user_id: int) -> str | None:
    return await conn.fetchval("SELECT role FROM users WHERE id = $1", user_id)


# ------------------------------------------------------------------ search contract

SEARCH_DOCUMENTS = """
SELECT i.id, i.title, i.body, i.province, o.slug AS agency, i.status, i.created_at,
       (2 ^ search_popularity_doublings(i.support_count))::int - 1 AS popularity
FROM ideas i JOIN idea_boards b ON b.id = i.board_id JOIN organisations o ON o.id = b.agency_id
WHERE i.id = ANY($1::bigint[]) AND i.hidden_at IS NULL AND i.status <> 'pending_moderation'
ORDER BY i.id
"""


async def search_documents(conn: asyncpg.Connection, ids: list[int]) -> list[dict]:
    """One document per visible idea among `ids`; hidden and pending ideas are left out, so the
    search relay deletes them from the index. Its popularity is the support count rounded down to
    its doubling (0, 1, 3, 7, 15, ...): both backends rank by doublings, and a document that
    changes only when that does is one that supports need not reindex (SUPPORT, WITHDRAW)."""
    rows = await conn.fetch(SEARCH_DOCUMENTS, list(ids))
    return [
        {
            "kind": "idea",
            "id": r["id"],
            "title": r["title"],
            "body": r["body"],
            "province": r["province"],
            "agency": r["agency"],
            "status": r["status"],
            "created_at": r["created_at"],
            "popularity": r["popularity"],
            "url": f"/ideas/{r['id']}",
        }
        for r in rows
    ]


def now_utc() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
