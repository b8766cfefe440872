"""/api/v1/data: the JSON twin of /data, and the admin's regeneration."""

from __future__ import annotations

from litestar import Controller, Request, get, post

from civic.opendata import actions
from civic.opendata.schemas import Overview, RegenerateOut
from civic.web.deps import Db
from civic.web.guards import current_user, require_user
from civic.web.templating import lang_of


class OpendataApi(Controller):
    path = "/api/v1/data"
    tags = ["open data"]

    @get("/", summary="The open datasets: files, sizes, coverage, the data dictionary, the last regeneration")
    async def overview(self, request: Request, db: Db) -> Overview:
        settings = request.app.state.settings
        return await actions.overview(db, current_user(request), settings, lang_of(request))

    @post("/regenerate", summary="Platform admins: regenerate every dataset now", status_code=200)
    async def regenerate(self, request: Request, db: Db) -> RegenerateOut:
        return await actions.regenerate(db, require_user(request), request.app.state.settings)
