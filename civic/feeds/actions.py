"""The feeds' reads: one function per feed, each naming what it mirrors and reading its newest
public entries. Feeds change nothing, so there are no verbs here; the subject of a feed is found
through its own domain (a board, an agency, a consultation that a signed-out reader may see), and
a saved search through the search domain's actions."""

from __future__ import annotations

import asyncpg

from civic import provinces
from civic.consultations import queries as consultations
from civic.events import CATALOGUE
from civic.feeds import rules, store
from civic.feeds.schemas import Entry, Feed
from civic.ideas import actions as ideas
from civic.orgs import queries as orgs
from civic.search import actions as search
from civic.search.port import MAX_PER_PAGE, SearchBackend, SearchQuery
from civic.validation import NotFound

AGENCY_NOT_FOUND = "We could not find that agency."
PROVINCE_NOT_FOUND = "We could not find that province."


def _official(entries: list[Entry]) -> list[Entry]:
    # The catalogue says which acts are an agency's: those name the agency as their author.
    for entry in entries:
        entry.official = CATALOGUE[entry.kind].official
    return entries


async def site(conn: asyncpg.Connection) -> Feed:
    entries = await store.site(conn, rules.kinds_for("site"), rules.ENTRIES)
    return Feed(key="site", title_msgid="Civic participation: what is new", path="/feed", page="/",
                entries=_official(entries))  # fmt: skip


async def board(conn: asyncpg.Connection, slug: str) -> Feed:
    b = await ideas.load_board(conn, slug)
    entries = await store.board(conn, rules.kinds_for("board"), rules.ENTRIES, b.agency_id, b.id)
    return Feed(key=f"boards/{b.slug}", title_msgid="Idea board: %(name)s", title_params={"name": b.title},
                path=f"/feed/boards/{b.slug}", page=f"/boards/{b.slug}", entries=_official(entries))  # fmt: skip


async def agency(conn: asyncpg.Connection, slug: str, lang: str) -> Feed:
    org = await orgs.organisation(conn, None, slug)
    if org.kind != "agency":
        raise NotFound(AGENCY_NOT_FOUND)
    entries = await store.agency(conn, rules.kinds_for("agency"), rules.ENTRIES, org.id)
    name = org.name_en if lang == "en" and org.name_en else org.name_th
    return Feed(key=f"organisations/{org.slug}", title_msgid="Agency: %(name)s", title_params={"name": name},
                path=f"/feed/organisations/{org.slug}", page=f"/organisations/{org.slug}",
                entries=_official(entries))  # fmt: skip


async def province(conn: asyncpg.Connection, code: str, lang: str) -> Feed:
    if not provinces.is_valid(code):
        raise NotFound(PROVINCE_NOT_FOUND)
    entries = await store.province(conn, rules.kinds_for("province"), rules.ENTRIES, code)
    # The search page filtered to the province is the one page that shows all of its items.
    return Feed(key=f"provinces/{code}", title_msgid="Province: %(name)s",
                title_params={"name": provinces.name(code, lang)}, path=f"/feed/provinces/{code}",
                page=rules.url("/search", {"province": code}), entries=_official(entries))  # fmt: skip


async def consultations_hub(conn: asyncpg.Connection) -> Feed:
    entries = await store.subjects_of_kind(conn, rules.kinds_for("consultations"), rules.ENTRIES, "consultation")
    return Feed(key="consultations", title_msgid="Consultations", path="/feed/consultations",
                page="/consultations", entries=_official(entries))  # fmt: skip


async def consultation(conn: asyncpg.Connection, consultation_id: int) -> Feed:
    c = await consultations.consultation(conn, None, consultation_id)
    entries = await store.subject(conn, rules.kinds_for("consultation"), rules.ENTRIES, "consultation", c.id)
    return Feed(key=f"consultations/{c.id}", title_msgid="Consultation: %(name)s", title_params={"name": c.title},
                path=f"/feed/consultations/{c.id}", page=f"/consultations/{c.id}",
                entries=_official(entries))  # fmt: skip


async def tasks(conn: asyncpg.Connection) -> Feed:
    entries = await store.subjects_of_kind(conn, rules.kinds_for("tasks"), rules.ENTRIES, "handover")
    return Feed(key="handovers", title_msgid="Tasks for partners", path="/feed/handovers", page="/handovers",
                entries=_official(entries))  # fmt: skip


async def saved_search(conn: asyncpg.Connection, backend: SearchBackend, params: dict[str, str]) -> Feed:
    """The best matches of a search, each as its newest public event, newest first: a new match or
    news about one comes in as a new entry. A search backend outage gives an empty feed, as the
    search page shows no results then."""
    query = SearchQuery(**params, per_page=MAX_PER_PAGE).clamped()
    result, _ = await search.search(backend, query)
    items = [(hit.kind, hit.id) for hit in result.hits]
    entries = await store.newest_of_each(conn, rules.kinds_for("search"), rules.ENTRIES, items)
    return Feed(key=rules.url("search", params), title_msgid="Search: %(name)s",
                title_params={"name": query.q or "*"}, path="/feed/search", page=rules.url("/search", params), params=params,
                entries=_official(entries))  # fmt: skip
