"""GET /api/v1/me/activity: the twin of /activity."""

from __future__ import annotations

from litestar import Controller, Request, get

from civic.activity import actions
from civic.activity.schemas import Activity
from civic.web.deps import Db
from civic.web.guards import require_user


class ActivityApi(Controller):
    path = "/api/v1/me/activity"
    tags = ["activity"]

    @get("/")
    async def activity(self, request: Request, db: Db) -> Activity:
        """My ideas with their status and answer, supports, comments, consultation answers with a
        receipt (date and reference number, and an edit link while open), and claims."""
        return await actions.my_activity(db, require_user(request))
