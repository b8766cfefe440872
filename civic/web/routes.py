"""Home, health, and other pages that belong to no single domain."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.response import Template

from civic.orgs import store as orgs_store
from civic.search import outbox
from civic.web.deps import Db


class HealthOut(msgspec.Struct):
    status: str
    database: str
    search_backend: str
    search_pending: int
    search_oldest_pending_seconds: float


class HomePages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, db: Db) -> Template:
        from datetime import datetime

        from civic import thai
        from civic.consultations import rules as consultation_rules
        from civic.consultations import store as consultations
        from civic.handovers import store as handovers
        from civic.ideas import store as ideas
        from civic.web.templating import render

        # One stop: what is open to take part in right now, from every domain, on one page.
        now = datetime.now(thai.BANGKOK)
        open_consultations = await consultations.list_consultations(db, tab="open", limit=3)
        hot_ideas = await ideas.list_ideas(db, sort="hot", per_page=4)
        open_tasks, open_task_count = await handovers.list_tasks(db, status="open", limit=3)
        agencies = await orgs_store.list_organisations(db, kind="agency", limit=6)
        partners = await orgs_store.list_organisations(db, kind="partner", verification="verified", limit=6)
        return render(
            request,
            "home.html",
            {
                "consultations": open_consultations,
                "days_left": lambda c: consultation_rules.days_left(c.closes_at, now),
                "ideas": hot_ideas.items,
                "idea_count": hot_ideas.total,
                "tasks": open_tasks,
                "task_count": open_task_count,
                "agencies": agencies,
                "partners": partners,
            },
        )


class HealthApi(Controller):
    path = "/api/v1"
    tags = ["system"]

    @get("/health", summary="Database and search status")
    async def health(self, request: Request) -> HealthOut:
        settings = request.app.state.settings
        backend = "meilisearch" if settings.meili_url else "postgres"
        try:
            async with request.app.state.pool.acquire(timeout=5) as conn:
                pending, oldest = await outbox.pending_stats(conn)
            database = "ok"
        except (OSError, asyncpg.PostgresError, TimeoutError):
            database, pending, oldest = "unavailable", 0, 0.0
        return HealthOut(
            status="ok" if database == "ok" else "degraded",
            database=database,
            search_backend=backend,
            search_pending=pending,
            search_oldest_pending_seconds=round(oldest, 1),
        )
