"""/api/v1/organisations: the JSON twins of the organisation pages, through the same queries and
actions."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from civic.orgs import actions, queries
from civic.orgs.schemas import (
    JoinOut,
    MemberDetail,
    MemberList,
    Organisation,
    OrganisationDetail,
    OrganisationList,
    RegisterOrgIn,
    RoleIn,
    UpdateOrgIn,
    VerifyIn,
)
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import current_user, require_user


class OrganisationsApi(Controller):
    path = "/api/v1/organisations"
    tags = ["organisations"]

    @get("/", summary="Organisations directory, with filters and pages")
    async def list_(
        self,
        request: Request,
        db: Db,
        kind: FromQuery[str | None] = None,
        level: FromQuery[str | None] = None,
        partner_type: FromQuery[str | None] = None,
        province: FromQuery[str | None] = None,
        verification: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        page: FromQuery[str | None] = None,
        per_page: FromQuery[str | None] = None,
    ) -> OrganisationList:
        raw = {
            "kind": kind,
            "level": level,
            "partner_type": partner_type,
            "province": province,
            "verification": verification,
            "q": q,
            "page": page,
        }
        result, _ = await queries.directory(db, current_user(request), raw, per_page)
        return result

    @get("/{slug:str}", summary="One organisation, with its child agencies")
    async def detail(self, request: Request, db: Db, slug: FromPath[str]) -> OrganisationDetail:
        return await queries.detail(db, current_user(request), slug)

    @post("/", summary="Register an organisation (partners start pending; agencies: platform admins only)")
    async def register(self, request: Request, db: Db, data: JSONBody[RegisterOrgIn]) -> Organisation:
        return await actions.register_org(db, require_user(request), data)

    @patch(
        "/{slug:str}",
        summary="Edit an organisation (its admins and platform admins; level and parent: platform admins)",
    )
    async def update(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[UpdateOrgIn]
    ) -> Organisation:
        return await actions.edit_org(db, require_user(request), slug, data)

    @get(
        "/{slug:str}/members",
        summary="Members and join requests, with emails (the organisation's admins and platform admins)",
    )
    async def members(self, request: Request, db: Db, slug: FromPath[str]) -> MemberList:
        return await queries.member_details(db, require_user(request), slug)

    @patch(
        "/{slug:str}/members/{user_id:int}",
        summary="Make a member an admin, or an admin a member (the organisation's admins)",
    )
    async def member_role(
        self, request: Request, db: Db, slug: FromPath[str], user_id: FromPath[int], data: JSONBody[RoleIn]
    ) -> MemberDetail:
        return await actions.change_role(db, require_user(request), slug, user_id, data)

    @delete(
        "/{slug:str}/members/{user_id:int}",
        summary="Remove a member (the organisation's admins); your own id: leave, or withdraw your request",
    )
    async def member_remove(
        self, request: Request, db: Db, slug: FromPath[str], user_id: FromPath[int]
    ) -> None:
        user = require_user(request)
        if user_id == user.id:
            await actions.leave_org(db, user, slug)
        else:
            await actions.remove_member(db, user, slug, user_id)

    @post(
        "/{slug:str}/resubmit",
        summary="Send a rejected partner to be checked again (its admins; it becomes pending)",
        status_code=200,
    )
    async def resubmit(self, request: Request, db: Db, slug: FromPath[str]) -> Organisation:
        return await actions.resubmit_org(db, require_user(request), slug)

    @post("/{slug:str}/join", summary="Ask to join an organisation (an admin of it accepts)")
    async def join(self, request: Request, db: Db, slug: FromPath[str]) -> JoinOut:
        return await actions.request_join(db, require_user(request), slug)

    @post(
        "/{slug:str}/verify",
        summary="Verify or reject a partner (platform admins; a reason is required to reject)",
        status_code=200,
    )
    async def verify(
        self, request: Request, db: Db, slug: FromPath[str], data: JSONBody[VerifyIn]
    ) -> Organisation:
        try:
            return await actions.verify_org(db, require_user(request), slug, data)
        except Invalid as exc:
            # This answer's body is pinned as {code, message, field} (tests/integration/test_orgs.py).
            raise ClientError.from_domain(exc) from None
