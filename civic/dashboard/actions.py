"""The dashboard's reads and its refresh job. Every figure is read from the summary tables the
job fills (store.REFRESH_*), never counted on a view; the overdue outcomes and a staff member's
queue are live lists a few rows long."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import msgspec

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.dashboard import rules, store
from civic.dashboard.schemas import (
    AgencyFigures,
    AgencyPage,
    Dashboard,
    Filters,
    OverdueOutcome,
    ProvinceFigures,
    Queue,
)
from civic.implementation import actions as implementation
from civic.settings import Settings, get_settings
from civic.thai import thai_sorted
from civic.validation import Forbidden, NotFound


def _days(settings: Settings) -> tuple[int, int]:
    return settings.outcome_due_days, settings.outcome_due_days_s77


async def refresh(conn: asyncpg.Connection, settings: Settings, now: datetime | None = None) -> int:
    """Recompute every summary table in the caller's transaction; returns the agencies counted."""
    now = now or datetime.now(UTC)
    codes = sorted(provinces.codes())
    await store.refresh(conn, now, rules.WEEKS, codes, _days(settings))
    return len(await store.agencies(conn, None, None))


async def refresh_job(conn: asyncpg.Connection) -> int:
    return await refresh(conn, get_settings())


def _with_shares(a: AgencyFigures) -> AgencyFigures:
    return msgspec.structs.replace(
        a,
        on_time_share=rules.share(a.answered_on_time, a.answers_settled),
        outcomes_on_time_share=rules.share(a.outcomes_on_time, a.outcomes_settled),
        promises_kept_share=rules.share(a.promises_kept, a.promises),
    )


def _collate(lang: str):
    key = "name_th" if lang == "th" else "name_en"
    return lambda rows: thai_sorted(rows, key=lambda r: getattr(r, key) or r.name_th)


async def dashboard(
    conn: asyncpg.Connection, settings: Settings, lang: str,
    level: str | None = None, province: str | None = None, sort: str | None = None,
) -> Dashboard:  # fmt: skip
    ignored = rules.check_filters(level, province, sort, provinces.is_valid)
    filters = Filters(
        level=None if "level" in ignored else level,
        province=None if "province" in ignored else province,
        sort="name" if sort is None or "sort" in ignored else sort,
        ignored=ignored,
    )
    rows = [_with_shares(a) for a in await store.agencies(conn, filters.level, filters.province)]
    population = settings.population or {}
    figures = [
        msgspec.structs.replace(
            p,
            name=provinces.name(p.province, lang),
            participation=(n := p.ideas + p.supports + p.responses),
            population=population.get(p.province),
            per_100k=rules.per_100k(n, population[p.province]) if p.province in population else None,
        )
        for p in await store.provinces(conn)
    ]
    shades = {t.code: t.shade for t in rules.tiles(map_values(figures))}
    shaded = [msgspec.structs.replace(p, shade=shades[p.province]) for p in figures if p.province in shades]
    return Dashboard(
        refreshed_at=await store.refreshed_at(conn),
        weeks=await store.weeks(conn),
        provinces=shaded,
        agencies=rules.sorted_rows(rows, filters.sort, _collate(lang)),
        overdue_outcomes=await overdue_outcomes(conn, settings),
        overdue_milestones=await implementation.overdue(conn),
        filters=filters,
        outcome_due_days=settings.outcome_due_days,
        outcome_due_days_s77=settings.outcome_due_days_s77,
        per_capita=bool(population),
        population_source=settings.population_source if population else "",
    )


def map_values(figures: list[ProvinceFigures]) -> dict[str, float]:
    """What the map shades: participation per 100,000 inhabitants when known, else the count."""
    return {p.province: p.per_100k if p.per_100k is not None else p.participation for p in figures}


async def agency(conn: asyncpg.Connection, slug: str) -> AgencyPage:
    rows = await store.agencies(conn, None, None, slug)
    if not rows:
        raise NotFound()
    return AgencyPage(refreshed_at=await store.refreshed_at(conn), agency=_with_shares(rows[0]))


async def overdue_outcomes(
    conn: asyncpg.Connection, settings: Settings, now: datetime | None = None
) -> list[OverdueOutcome]:
    """Closed consultations whose outcome is past due: the public clock (/ideas/overdue too)."""
    return await store.overdue_outcomes(conn, now or datetime.now(UTC), _days(settings))


async def queue(conn: asyncpg.Connection, user: CurrentUser | None, settings: Settings) -> Queue:
    if not rules.can_see_queue(user):
        raise Forbidden()
    agency_ids = rules.agency_ids(user)
    items = await store.queue(conn, agency_ids, _days(settings))
    return Queue(items=items, counts=await store.queue_counts(conn, agency_ids))
