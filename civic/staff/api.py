"""GET /api/v1/staff: the staff menu as JSON, the twin of /staff."""

from __future__ import annotations

from litestar import Controller, Request, get

from civic.staff import actions
from civic.staff.schemas import Tools
from civic.web.deps import Db
from civic.web.guards import require_user


class StaffApi(Controller):
    path = "/api/v1/staff"
    tags = ["staff"]

    @get("/")
    async def menu(self, request: Request, db: Db) -> Tools:
        """The tools this person has, each with the number of things waiting there."""
        return await actions.tools(db, require_user(request))
