"""/record: the public record, filterable and paged by sequence, without JavaScript; its Atom
feed and /record/heads.txt (plain text, for outsiders to keep and compare)."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, Response, get
from litestar.response import Template

from civic.events import CATALOGUE
from civic.ideas import actions as ideas
from civic.record import atom, queries, rules
from civic.record.schemas import RecordQuery
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import to_input
from civic.web.i18n import Translator
from civic.web.templating import lang_of, render, translate_errors

# Readers and mirrors poll: let them and any cache in between keep a copy for a few minutes.
CACHE = {"Cache-Control": "public, max-age=300"}


class RecordPages(Controller):
    path = "/record"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        values = {k: v for k, v in request.query_params.items() if v}
        t = Translator(lang_of(request))
        ctx = {
            "values": values,
            "acts": [(k, t(CATALOGUE[k].summary)) for k in queries.acts()],
            "summaries": {k: CATALOGUE[k].summary for k in queries.acts()},
            "agencies": await ideas.agency_choices(db, lang_of(request)),
            "roles": rules.ROLE_LABELS,
            "subject_path": rules.subject_path,
            "check": await queries.last_check(db),
        }
        try:
            data = await queries.page(db, to_input(values, RecordQuery))
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return render(request, "record/index.html", ctx | {"page": None, "errors": errors}, status=400)
        older = rules.url_with(values, before=data.next_before) if data.next_before else None
        return render(request, "record/index.html", ctx | {"page": data, "errors": {}, "older": older})

    @get("/heads.txt", media_type="text/plain")
    async def heads(self, db: Db) -> Response:
        heads = await queries.heads(db)
        body = rules.heads_txt((h.day, h.seq, h.hash) for h in heads)
        return Response(body, media_type="text/plain; charset=utf-8", headers=CACHE)

    @get("/feed")
    async def feed(self, request: Request, db: Db) -> Response:
        entries, heads = await queries.feed(db)
        lang = lang_of(request)
        body = atom.render(entries, heads, lang, request.app.state.settings.base_url, datetime.now(UTC))
        return Response(body, media_type=atom.MEDIA_TYPE, headers=CACHE)
