"""/data: the catalogue for people (sizes, dates, the data dictionary), the downloads, the DCAT
catalogue for harvesters, and the admin's regenerate button."""

from __future__ import annotations

from email.utils import format_datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from civic.opendata import actions
from civic.web.deps import Db
from civic.web.guards import current_user, require_user
from civic.web.templating import lang_of, redirect, render

CATALOGUE_TYPES = {"jsonld": "application/ld+json", "ttl": "text/turtle"}


class OpendataPages(Controller):
    path = "/data"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        settings = request.app.state.settings
        overview = await actions.overview(db, current_user(request), settings, lang_of(request))
        return render(request, "opendata/index.html", {"data": overview})

    @post("/regenerate")
    async def regenerate(self, request: Request, db: Db) -> Redirect:
        out = await actions.regenerate(db, require_user(request), request.app.state.settings)
        if out.run.ok:
            return redirect(
                "/data", flash=("success", "The open data was regenerated: %(n)s files."), n=out.files
            )
        return redirect(
            "/data", flash=("error", "Regenerating failed; the previous files are still published.")
        )

    @get(["/catalog.jsonld", "/catalog.ttl"])
    async def catalogue(self, request: Request, db: Db) -> Response[bytes]:
        fmt = request.url.path.rsplit(".", 1)[1]
        body, modified = await actions.catalogue(db, request.app.state.settings, fmt)
        return Response(
            body,
            media_type=CATALOGUE_TYPES[fmt],
            headers={"last-modified": format_datetime(modified, usegmt=True)},
        )

    @get("/{name:str}")
    async def download(
        self, request: Request, db: Db, name: FromPath[str],
        since: FromQuery[str | None] = None, until: FromQuery[str | None] = None,
    ) -> File | Response[bytes]:  # fmt: skip
        d = await actions.download(db, request.app.state.settings, name, since, until)
        if d.path is not None:
            return File(
                path=d.path, filename=d.filename, media_type=d.media_type, content_disposition_type="inline"
            )
        return Response(
            d.content,
            media_type=d.media_type,
            headers={"content-disposition": f'inline; filename="{d.filename}"'},
        )
