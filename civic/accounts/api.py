"""/api/v1 for accounts: who am I, and register."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from civic.accounts import actions
from civic.accounts.schemas import MeOut, RegisterIn
from civic.web.deps import Db
from civic.web.guards import require_user


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @get("/me", summary="The logged-in user, with organisation memberships")
    async def me(self, request: Request) -> MeOut:
        return actions.me(require_user(request))

    @post("/accounts", summary="Register an account", status_code=201)
    async def register(self, db: Db, data: JSONBody[RegisterIn]) -> MeOut:
        return actions.me((await actions.register(db, data)).user)
