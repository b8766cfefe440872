"""/staff: the staff menu with what waits in each place; /staff/badge: its count for the header;
/start: where signing in leads when no page asked for one."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from civic.staff import actions, rules
from civic.web.deps import Db
from civic.web.guards import current_user, require_user
from civic.web.templating import redirect, render


class StartPage(Controller):
    include_in_schema = False

    @get("/start")
    async def start(self, request: Request) -> Redirect:
        """Agency staff begin at their agency's queue; no JSON twin, as it only points elsewhere."""
        return redirect(rules.start_page(current_user(request)))


class StaffPages(Controller):
    path = "/staff"
    include_in_schema = False

    @get("/")
    async def menu(self, request: Request, db: Db) -> Template:
        tools = await actions.tools(db, require_user(request))
        return render(request, "staff/tools.html", {"tools": tools})

    @get("/badge")
    async def badge(self, request: Request, db: Db) -> Template:
        """The header link with its count, swapped in by htmx (a plain link without JavaScript)."""
        tools = await actions.tools(db, require_user(request))
        return render(request, "staff/_link.html", {"tools": tools})
