"""/api/v1/counter and /api/v1/claim: the JSON twins of the counter and take-over pages."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import JSONBody

from civic.assisted import actions
from civic.assisted.schemas import (
    AssistedAnswerIn,
    AssistedIdeaIn,
    AssistedOut,
    AssistedSupportIn,
    TakenOver,
    TakeOverIn,
)
from civic.web.deps import Db
from civic.web.guards import require_user


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


class AssistedApi(Controller):
    path = "/api/v1"
    tags = ["counter"]

    @post(
        "/counter/ideas", summary="Agency staff submit an idea for a person at the counter (consent required)"
    )
    async def idea(self, request: Request, db: Db, data: JSONBody[AssistedIdeaIn]) -> AssistedOut:
        return await actions.submit_idea(db, require_user(request), data, secret=_secret(request))

    @post("/counter/supports", summary="Agency staff support an idea for a person (one person, one support)")
    async def support(self, request: Request, db: Db, data: JSONBody[AssistedSupportIn]) -> AssistedOut:
        return await actions.support(db, require_user(request), data, secret=_secret(request))

    @post(
        "/counter/answers", summary="Agency staff answer a consultation for a person (one person, one answer)"
    )
    async def answer(self, request: Request, db: Db, data: JSONBody[AssistedAnswerIn]) -> AssistedOut:
        return await actions.answer(db, require_user(request), data, secret=_secret(request))

    @post(
        "/claim",
        summary="Take over what the counter submitted for me, with its one-time code",
        status_code=200,
    )
    async def claim(self, request: Request, db: Db, data: JSONBody[TakeOverIn]) -> TakenOver:
        return await actions.take_over(db, require_user(request), data)
