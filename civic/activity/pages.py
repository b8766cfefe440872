"""/activity: my ideas, supports, comments, consultation answers (with receipts) and claims."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from civic.activity import actions
from civic.ideas.rules import STATUS_LABELS as IDEA_STATUS_LABELS
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.templating import render


class ActivityPages(Controller):
    path = "/activity"
    include_in_schema = False

    @get("/")
    async def page(self, request: Request, db: Db) -> Template:
        activity = await actions.my_activity(db, require_user(request))
        ctx = {"a": activity, "idea_status_labels": IDEA_STATUS_LABELS}
        return render(request, "activity/page.html", ctx)
