"""/api/v1/dashboard: the JSON twins of /dashboard, an agency's figures and the staff queue."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from civic.dashboard import actions
from civic.dashboard.schemas import AgencyPage, Dashboard, Queue
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.templating import lang_of


class DashboardApi(Controller):
    path = "/api/v1/dashboard"
    tags = ["dashboard"]

    @get("/", summary="Participation per week and province, agencies' responsiveness, overdue outcomes")
    async def dashboard(
        self, request: Request, db: Db, level: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None, sort: FromQuery[str | None] = None,
    ) -> Dashboard:  # fmt: skip
        settings = request.app.state.settings
        return await actions.dashboard(
            db, settings, lang_of(request), level or None, province or None, sort or None
        )

    @get("/agencies/{slug:str}", summary="One agency's figures")
    async def agency(self, db: Db, slug: FromPath[str]) -> AgencyPage:
        return await actions.agency(db, slug)

    @get("/mine", summary="Agency staff: what waits for their agency")
    async def mine(self, request: Request, db: Db) -> Queue:
        return await actions.queue(db, require_user(request), request.app.state.settings)
