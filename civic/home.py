"""The home page and the health check: they belong to no single domain.

This is composition-level code, like civic/registry.py: the home page is the one stop where
what is open to take part in right now, from every domain, meets on one page, so it may read
every domain's lists.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.response import Template

from civic import thai
from civic.consultations import rules as consultation_rules
from civic.consultations import store as consultations
from civic.consultations.schemas import Consultation
from civic.handovers import store as handovers
from civic.handovers.schemas import TaskSummary
from civic.ideas import actions as idea_actions
from civic.ideas.schemas import IdeaOut
from civic.orgs import store as orgs
from civic.orgs.schemas import Organisation
from civic.record import queries as record
from civic.record.schemas import Check
from civic.search import outbox
from civic.web.deps import Db
from civic.web.templating import render


class HomeOut(msgspec.Struct):
    consultations: list[Consultation]
    ideas: list[IdeaOut]
    idea_count: int
    tasks: list[TaskSummary]
    task_count: int
    agencies: list[Organisation]
    partners: list[Organisation]


class HealthOut(msgspec.Struct):
    status: str
    database: str
    search_backend: str
    search_pending: int
    search_oldest_pending_seconds: float
    record: Check | None = None  # the public record's last verification (hourly job)


async def home(conn: asyncpg.Connection) -> HomeOut:
    """A few of each, newest or hottest first: every list reads only the rows it shows."""
    hot_ideas = await idea_actions.hottest_ideas(conn, 4)
    tasks = await handovers.list_tasks(conn, status="open", per_page=3)
    agencies, partners = await orgs.directory_heads(conn, 6)
    return HomeOut(
        consultations=await consultations.list_consultations(conn, tab="open", limit=3),
        ideas=hot_ideas.items,
        idea_count=hot_ideas.total,
        tasks=tasks.items,
        task_count=tasks.total,
        agencies=agencies,
        partners=partners,
    )


class HomePages(Controller):
    @get("/", include_in_schema=False)
    async def home(self, request: Request, db: Db) -> Template:
        now = datetime.now(thai.BANGKOK)
        data = await home(db)
        return render(
            request,
            "home.html",
            {
                **{f: getattr(data, f) for f in HomeOut.__struct_fields__},
                "days_left": lambda c: consultation_rules.days_left(c.closes_at, now),
            },
        )


class HomeApi(Controller):
    path = "/api/v1"
    tags = ["system"]

    @get("/home", summary="The home page: open consultations, hot ideas, open tasks, agencies and partners")
    async def home(self, db: Db) -> HomeOut:
        data = await home(db)
        return msgspec.structs.replace(data, ideas=[i.public() for i in data.ideas])

    @get("/health", summary="Database and search status, and the public record's last verification")
    async def health(self, request: Request) -> HealthOut:
        settings = request.app.state.settings
        backend = "meilisearch" if settings.meili_url else "postgres"
        try:
            async with request.app.state.pool.acquire(timeout=5) as conn:
                pending, oldest = await outbox.pending_stats(conn)
                record_check = await record.last_check(conn)
            database = "ok"
        except (OSError, asyncpg.PostgresError, TimeoutError):
            database, pending, oldest, record_check = "unavailable", 0, 0.0, None
        return HealthOut(
            status="ok" if database == "ok" else "degraded",
            database=database,
            search_backend=backend,
            search_pending=pending,
            search_oldest_pending_seconds=round(oldest, 1),
            record=record_check,
        )
