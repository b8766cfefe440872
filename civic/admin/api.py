"""/api/v1/admin: the JSON twin of every admin console page and verb."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from civic.admin import actions
from civic.admin.schemas import (
    AuditFilter,
    AuditPage,
    ConsentPage,
    JobsOut,
    RoleIn,
    StandingIn,
    UserDetail,
    UserList,
)
from civic.web.deps import Db
from civic.web.guards import require_user


class AdminApi(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]

    @get("/users", summary="Find people by id, address or name (administrators)")
    async def users(self, request: Request, db: Db, q: FromQuery[str] = "") -> UserList:
        return await actions.users(db, require_user(request), q)

    @get("/users/{user_id:int}", summary="A person's role, standing and the audit lines about them")
    async def user(self, request: Request, db: Db, user_id: FromPath[int]) -> UserDetail:
        return await actions.user_detail(db, require_user(request), user_id)

    @post(
        "/users/{user_id:int}/role",
        summary="Grant or revoke moderator or admin, with a reason",
        status_code=200,
    )
    async def role(
        self, request: Request, db: Db, user_id: FromPath[int], data: JSONBody[RoleIn]
    ) -> UserDetail:
        return await actions.change_role(db, require_user(request), user_id, data)

    @post("/users/{user_id:int}/block", summary="Block a person, with a reason", status_code=200)
    async def block(
        self, request: Request, db: Db, user_id: FromPath[int], data: JSONBody[StandingIn]
    ) -> UserDetail:
        return await actions.block(db, require_user(request), user_id, data)

    @post("/users/{user_id:int}/unblock", summary="Unblock a person, with a reason", status_code=200)
    async def unblock(
        self, request: Request, db: Db, user_id: FromPath[int], data: JSONBody[StandingIn]
    ) -> UserDetail:
        return await actions.unblock(db, require_user(request), user_id, data)

    @get("/audit", summary="The audit log, filtered by actor, act (prefix) and Bangkok days, 50 a page")
    async def audit(
        self,
        request: Request,
        db: Db,
        actor: FromQuery[str] = "",
        act: FromQuery[str] = "",
        since: FromQuery[str] = "",
        until: FromQuery[str] = "",
        page: FromQuery[int] = 1,
    ) -> AuditPage:
        return await actions.audit_log(db, require_user(request), AuditFilter(actor, act, since, until, page))

    @get("/consents", summary="Everyone's consent records, newest first, 50 a page")
    async def consents(
        self, request: Request, db: Db, purpose: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> ConsentPage:
        return await actions.consents(db, require_user(request), purpose, page)

    @get("/jobs", summary="Scheduled jobs' last runs, event consumers' cursors and failed mail")
    async def jobs(self, request: Request, db: Db) -> JobsOut:
        return await actions.jobs(db, require_user(request))
