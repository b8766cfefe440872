"""Organisation directory and profiles, and their /api/v1 twins."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from civic.orgs import store
from civic.orgs.schemas import Organisation
from civic.web.deps import Db
from civic.web.guards import not_found
from civic.web.templating import render


class OrganisationPages(Controller):
    path = "/organisations"
    include_in_schema = False

    @get("/")
    async def directory(self, request: Request, db: Db) -> Template:
        orgs = await store.list_organisations(db, limit=200)
        return render(request, "orgs/directory.html", {"organisations": orgs})

    @get("/{slug:str}")
    async def profile(self, request: Request, db: Db, slug: FromPath[str]) -> Template:
        org = await store.get_organisation(db, slug)
        if org is None:
            raise not_found()
        return render(request, "orgs/profile.html", {"org": org})


class OrganisationsApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", summary="Organisations directory")
    async def list_(self, db: Db) -> list[Organisation]:
        return await store.list_organisations(db, limit=200)
