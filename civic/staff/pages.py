"""/staff: the staff menu with what waits in each place; /staff/badge: its count for the header."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from civic.staff import actions
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.templating import render


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
