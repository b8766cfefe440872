"""/api/v1/record: the JSON twin of /record (the entries exactly as hashed, so anyone can
recompute each hash with an RFC 8785 library) and of /record/heads.txt."""

from __future__ import annotations

from litestar import Controller, Request, get

from civic.record import queries
from civic.record.schemas import Head, Page, RecordQuery
from civic.web.deps import Db
from civic.web.forms import to_input


class RecordApi(Controller):
    path = "/api/v1/record"
    tags = ["record"]

    @get("/", summary="The public record of official acts, newest first (filters: agency, act, since, until, subject, before)")
    async def index(self, request: Request, db: Db) -> Page:
        return await queries.page(db, to_input(dict(request.query_params), RecordQuery))

    @get("/heads", summary="The head of the record at the end of each day (Asia/Bangkok), oldest first")
    async def heads(self, db: Db) -> list[Head]:
        return await queries.heads(db)
