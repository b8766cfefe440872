"""/dashboard: the public figures as pictures with their tables; /dashboard/agencies/<slug>: one
agency's figures; /dashboard/mine: a staff member's agency queue."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from civic import provinces
from civic.dashboard import actions, rules
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.i18n import N_, Translator
from civic.web.templating import fmt_date, lang_of, render

CHART_W, CHART_H = 260, 90
SERIES = (
    ("ideas", N_("Ideas")),
    ("supports", N_("Supports")),
    ("responses", N_("Responses")),
    ("claims", N_("Claims")),
)
QUEUE_KINDS = (
    ("answer", N_("Answers due")), ("review", N_("Reviews waiting")),
    ("claim", N_("Claims to confirm")), ("outcome", N_("Outcomes due")),
)  # fmt: skip
QUEUE_HREFS = {
    "answer": "/ideas/",
    "review": "/handovers/",
    "claim": "/handovers/",
    "outcome": "/consultations/",
}


def _chart_context(request: Request, data) -> dict:
    f = data.filters
    base = {k: v for k, v in (("level", f.level), ("province", f.province)) if v}

    def sort_href(column: str) -> str:
        descending = f.sort == column  # a second click on the sorted column turns it around
        return (
            "/dashboard?" + urlencode(base | {"sort": ("-" if descending else "") + column}) + "#agencies-h"
        )

    def aria_sort(column: str) -> str:
        current, descending = rules.sort_key(f.sort)
        return "none" if current != column else ("descending" if descending else "ascending")

    by_code = {p.province: p for p in data.provinces}
    shaded = actions.map_values(data.provinces)
    lang = lang_of(request)
    _ = Translator(lang)

    def tile_title(code: str) -> str:
        """A tile's tooltip, written here rather than in the template's loop over 77 tiles."""
        p = by_code.get(code)
        if p is None:  # before the first refresh the summary has no rows: none yet
            return f"{provinces.name(code, lang)}: 0"
        rate = "" if p.per_100k is None else " · " + _("%(n)s per 100,000", n=p.per_100k)
        return f"{p.name}: {p.participation}{rate}"

    map_w, map_h = rules.map_size()
    weeks = [fmt_date(lang, w.week) for w in data.weeks]
    series = {key: [getattr(w, key) for w in data.weeks] for key, _label in SERIES}
    return {
        "data": data,
        "SERIES": SERIES,
        # Each bar with its tooltip and each table row with its cells, paired here: per bar and
        # per cell the template would otherwise index by loop counter and by name.
        "bars": {
            key: [(b, f"{week}: {b.value}") for b, week in zip(rules.bars(values, CHART_W, CHART_H), weeks, strict=True)]
            for key, values in series.items()
        },
        "week_rows": list(zip(weeks, zip(*series.values(), strict=True), strict=True)),
        "chart_w": CHART_W, "chart_h": CHART_H,
        "tiles": [(t, tile_title(t.code)) for t in rules.tiles(shaded)],
        "tile": rules.TILE, "map_w": map_w, "map_h": map_h,
        "top": max(data.provinces, key=lambda p: shaded[p.province], default=None),
        "provinces_sorted": sorted(data.provinces, key=lambda p: provinces.order(lang)[p.province]),
        "sort_href": sort_href, "aria_sort": aria_sort,
    }  # fmt: skip


class DashboardPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, db: Db, level: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
    ) -> Template:  # fmt: skip
        settings = request.app.state.settings
        data = await actions.dashboard(
            db, settings, lang_of(request), level or None, province or None, sort or None
        )
        return render(request, "dashboard/index.html", _chart_context(request, data))

    @get("/agencies/{slug:str}")
    async def agency(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        return render(request, "dashboard/agency.html", {"data": await actions.agency(db, slug)})

    @get("/mine")
    async def mine(self, request: Request, db: Db) -> Template:
        data = await actions.queue(db, require_user(request), request.app.state.settings)
        ctx = {"data": data, "KINDS": QUEUE_KINDS, "KIND_LABELS": dict(QUEUE_KINDS), "HREFS": QUEUE_HREFS}
        return render(request, "dashboard/mine.html", ctx | {"now": datetime.now(UTC)})
