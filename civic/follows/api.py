"""/api/v1/follows: the JSON twin of the /follows page and of the follow buttons."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.params import FromQuery, JSONBody

from civic.follows import actions, queries
from civic.follows.schemas import FollowIn, FollowList, FollowState
from civic.web.deps import Db
from civic.web.guards import require_user


class FollowsApi(Controller):
    path = "/api/v1/follows"
    tags = ["follows"]

    @get("/", summary="Everything I follow, grouped by kind")
    async def list_follows(self, request: Request, db: Db) -> FollowList:
        return await queries.follows(db, require_user(request))

    @post(
        "/",
        summary="Follow a board, idea, consultation, task, agency, province or topic (idempotent)",
        status_code=200,
    )
    async def follow(self, request: Request, db: Db, data: JSONBody[FollowIn]) -> FollowState:
        return await actions.follow(db, require_user(request), data)

    @delete(
        "/",
        summary="Stop following (idempotent; remembered, so it is not followed again automatically)",
        status_code=200,
    )
    async def unfollow(
        self, request: Request, db: Db, target_kind: FromQuery[str], target_id: FromQuery[str]
    ) -> FollowState:
        return await actions.unfollow(db, require_user(request), FollowIn(target_kind, target_id))
