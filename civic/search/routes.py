"""/search (page + HTMX partial), /search/similar (for the new-idea form), /api/v1/search,
and the admin status page /admin/search, all through civic.search.actions."""

from __future__ import annotations

from urllib.parse import quote_plus, urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from civic import provinces
from civic.orgs import queries as orgs
from civic.search import actions
from civic.search.backend import backend_name, shared_backend
from civic.search.port import (
    FACET_FIELDS,
    MAX_QUERY_CHARS,
    SearchBackend,
    SearchQuery,
    SearchResult,
    hit_html,
)
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import require_user
from civic.web.i18n import N_, gettext
from civic.web.templating import lang_of, redirect, render, wants_partial

RESULTS_TARGET = "search-results"
SIMILAR_TARGET = "similar-ideas"


def backend_for(request: Request) -> SearchBackend:
    return shared_backend(request.app.state)


def _page(value: str | None) -> int:
    # parse deliberately: "๒" is a digit to Python, and a huge number must not become an OFFSET
    try:
        return min(max(int(value or 1), 1), 100) if (value or "1").isascii() else 1
    except ValueError:
        return 1


def _query(q, kind, province, agency, status, page, per_page: int = 10) -> SearchQuery:
    # The search box stops at this length; a longer query (typed elsewhere, or a pasted link) is
    # told so rather than silently searched by its first part.
    if q and len(q) > MAX_QUERY_CHARS:
        msgid = N_("Search with at most %(max)s characters.")
        raise ClientError(422, "query_too_long", msgid, field="q", max=MAX_QUERY_CHARS)
    return SearchQuery(
        q=q or "",
        kind=kind,
        province=province,
        agency=agency,
        status=status,
        page=_page(page),
        per_page=per_page,
    ).clamped()


def _url(query: SearchQuery, **changes: object) -> str:
    params = {"q": query.q, **query.filters(), "page": None} | changes
    return "/search?" + urlencode({k: v for k, v in params.items() if v not in (None, "", 1)})


# A facet lists its most frequent values only, as search sites do: a national deployment has
# thousands of agencies, far too many links for a phone. "Show all" lists the rest (?more=field).
FACET_VALUES_SHOWN = 10


def _shown(counts: dict[str, int], field: str, more: str | None) -> tuple[list[str], int]:
    """The values a facet lists (most frequent first), and how many it leaves for "show all"."""
    values = list(counts)
    hidden = 0 if field == more else max(0, len(values) - FACET_VALUES_SHOWN)
    return values[: len(values) - hidden], hidden


# The index holds codes (stable filter values); people read words. Resolved here once per value
# shown: a template macro per value was a third of the time it took to render the page.
FACET_TITLES = {
    "kind": N_("Kind of item"),
    "province": N_("Province"),
    "agency": N_("Agency"),
    "status": N_("Status"),
}
KIND_LABELS = {"idea": N_("Ideas"), "consultation": N_("Consultations"), "handover": N_("Tasks")}
STATUS_LABELS = {
    "published": N_("Published"), "under_review": N_("Under review"), "accepted": N_("Accepted"),
    "in_progress": N_("In progress"), "implemented": N_("Implemented"), "declined": N_("Declined"),
    "duplicate": N_("Duplicate"), "draft": N_("Draft"), "scheduled": N_("Scheduled"), "open": N_("Open"),
    "closed": N_("Closed"), "outcome_published": N_("Outcome published"), "claimed": N_("Claimed"),
    "completed": N_("Completed"), "cancelled": N_("Cancelled"), "expired": N_("Expired"),
}  # fmt: skip


def value_label(field: str, value: str, lang: str, agency_names: dict[str, str]) -> str:
    if field == "province":
        return provinces.name(value, lang) or value
    if field == "agency":
        return agency_names.get(value, value)
    msgid = (KIND_LABELS if field == "kind" else STATUS_LABELS if field == "status" else {}).get(value)
    return gettext(lang, msgid) if msgid else value


def view_context(
    query: SearchQuery, result: SearchResult, more: str | None, lang: str, agency_names: dict[str, str]
) -> dict:
    """Everything the template needs, computed here: facet links and labels, page links, trusted
    hit HTML."""
    facets = []
    for field in FACET_FIELDS:
        # Counted over the filtered results: a value in force is the field's only value.
        counts = result.facets.get(field, {})
        chosen = getattr(query, field)
        shown, hidden = _shown(counts, field, more)
        # one link per facet value: the rest of the query string is shared
        rest = _url(query, **{field: None})
        values = [
            (value_label(field, value, lang, agency_names), counts[value],
             f"{rest}{'' if rest.endswith('?') else '&'}{field}={quote_plus(value)}", chosen == value)
            for value in shown
        ]  # fmt: skip
        show_all = (hidden, _url(query, more=field)) if hidden else None
        if values or chosen:
            facets.append((gettext(lang, FACET_TITLES[field]), values, rest if chosen else None, show_all))
    hits = [
        (h, value_label("kind", h.kind, lang, agency_names), hit_html(h.title), hit_html(h.snippet))
        for h in result.hits
    ]
    return {
        "facets": facets,
        "hits": hits,
        "page_url": lambda n: _url(query, page=n),
        "filters": query.filters(),
    }


class SearchPages(Controller):
    include_in_schema = False

    @get("/search")
    async def search_page(
        self,
        request: Request,
        db: Db,
        q: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        more: FromQuery[str | None] = None,
    ) -> Template:
        query = _query(q, kind, province, agency, status, page)
        result, available = await actions.search(backend_for(request), query)
        more = more if more in FACET_FIELDS else None
        lang = lang_of(request)
        # The index holds agency slugs (stable filter values); people read the agency's name.
        shown, _ = _shown(result.facets.get("agency", {}), "agency", more)
        names = await orgs.names_by_slug(
            db, sorted({*shown, *([query.agency] if query.agency else [])}), lang
        )
        ctx = {"query": query, "result": result, "available": available} | view_context(
            query, result, more, lang, names
        )
        if wants_partial(request, RESULTS_TARGET):
            return render(request, "search/_results.html", ctx)
        return render(request, "search/page.html", ctx)

    @get("/search/similar")
    async def similar(self, request: Request, title: FromQuery[str | None] = None) -> Template:
        """Similar existing ideas while a citizen types a new idea's title (always a partial)."""
        result = await actions.similar_ideas(backend_for(request), title)
        ideas = [(h, hit_html(h.title)) for h in result.hits] if result else []
        return render(request, "search/_similar.html", {"similar": ideas, "title": title or ""})

    @get("/admin/search")
    async def admin_status(self, request: Request, db: Db) -> Template:
        status = await actions.index_status(db, require_user(request))
        settings = request.app.state.settings
        context = {"pending": status.pending, "oldest": status.oldest_seconds, "errors": status.errors}
        return render(
            request, "search/admin.html", context | {"backend": backend_name(settings), "settings": settings}
        )

    @post("/admin/search/reindex")
    async def admin_reindex(self, request: Request, db: Db) -> Redirect:
        """Queue every searchable entity: the relay rebuilds the index in the background."""
        queued = await actions.request_reindex(db, require_user(request))
        return redirect(
            "/admin/search", flash=("success", "Queued %(n)s documents for reindexing."), n=queued
        )


class SearchApi(Controller):
    path = "/api/v1"
    tags = ["search"]

    @get("/search", summary="Search ideas, consultations and tasks (Thai-aware)")
    async def search(
        self,
        request: Request,
        q: FromQuery[str | None] = None,
        kind: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        agency: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
    ) -> SearchResult:
        query = _query(q, kind, province, agency, status, page)
        result, available = await actions.search(backend_for(request), query)
        if not available:
            raise ClientError(
                503, "search_unavailable", "Search is temporarily unavailable. Please try again soon."
            )
        return result
