"""Atom feeds under /feed: public, no login, Thai unless ?lang=en or the reader's language says
otherwise. Not HTML pages and not the JSON API, so they have no twin and are not in /schema."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from civic.feeds import actions, atom, rules
from civic.feeds.schemas import Feed
from civic.search.backend import shared_backend
from civic.web.deps import Db
from civic.web.i18n import LANGUAGES
from civic.web.templating import lang_of


def _atom(request: Request, feed: Feed, lang: str) -> Response:
    body = atom.render(feed, lang, request.app.state.settings.base_url, datetime.now(UTC))
    # Readers poll: let them and any cache in between keep a copy for a few minutes.
    return Response(body, media_type=atom.MEDIA_TYPE, headers={"Cache-Control": "public, max-age=300"})


def _lang(request: Request, lang: str | None) -> str:
    return lang if lang in LANGUAGES else lang_of(request)


class FeedPages(Controller):
    path = "/feed"
    include_in_schema = False

    @get("/")
    async def site(self, request: Request, db: Db, lang: FromQuery[str | None] = None) -> Response:
        return _atom(request, await actions.site(db), _lang(request, lang))

    @get("/boards/{slug:str}")
    async def board(self, request: Request, db: Db, slug: FromPath[str], lang: FromQuery[str | None] = None) -> Response:
        return _atom(request, await actions.board(db, slug), _lang(request, lang))

    @get("/organisations/{slug:str}")
    async def agency(self, request: Request, db: Db, slug: FromPath[str], lang: FromQuery[str | None] = None) -> Response:
        lang = _lang(request, lang)
        return _atom(request, await actions.agency(db, slug, lang), lang)

    @get("/provinces/{code:str}")
    async def province(self, request: Request, db: Db, code: FromPath[str], lang: FromQuery[str | None] = None) -> Response:
        lang = _lang(request, lang)
        return _atom(request, await actions.province(db, code, lang), lang)

    @get("/consultations")
    async def consultations(self, request: Request, db: Db, lang: FromQuery[str | None] = None) -> Response:
        return _atom(request, await actions.consultations_hub(db), _lang(request, lang))

    @get("/consultations/{consultation_id:int}")
    async def consultation(
        self, request: Request, db: Db, consultation_id: FromPath[int], lang: FromQuery[str | None] = None
    ) -> Response:
        return _atom(request, await actions.consultation(db, consultation_id), _lang(request, lang))

    @get("/handovers")
    async def tasks(self, request: Request, db: Db, lang: FromQuery[str | None] = None) -> Response:
        return _atom(request, await actions.tasks(db), _lang(request, lang))

    @get("/search")
    async def search(self, request: Request, db: Db, lang: FromQuery[str | None] = None) -> Response:
        params = rules.search_params(dict(request.query_params))
        feed = await actions.saved_search(db, shared_backend(request.app.state), params)
        return _atom(request, feed, _lang(request, lang))
