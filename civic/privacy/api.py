"""/api/v1 for privacy: the notice and accepting it, consents and the export (a zip). Erasure is
DELETE /api/v1/me, in civic/accounts/api.py beside GET /api/v1/me (one controller per path)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from civic.accounts.schemas import ClientInfo
from civic.privacy import actions, rules
from civic.privacy.pages import zip_response
from civic.privacy.schemas import AcceptIn, ConsentIn, ConsentsOut, EraseFormOut, NoticeOut
from civic.web.deps import Db
from civic.web.guards import current_user, require_user
from civic.web.security import SESSION_COOKIE, current_ip


def _channel(request: Request) -> str:
    return rules.channel_of(request.scope.get("auth_method"))


class PrivacyApi(Controller):
    path = "/api/v1"
    tags = ["privacy"]

    @get("/privacy/notice", summary="The current privacy notice version, and whether you must accept it")
    async def notice(self, request: Request, db: Db) -> NoticeOut:
        return await actions.notice(db, current_user(request))

    @post(
        "/privacy/notice/accept",
        summary="Accept the current privacy notice (give its version)",
        status_code=200,
    )
    async def accept(self, request: Request, db: Db, data: JSONBody[AcceptIn]) -> NoticeOut:
        return await actions.accept_notice(db, require_user(request), data, _channel(request))

    @get("/me/consents", summary="Your consent per purpose, and every consent you gave or withdrew")
    async def consents(self, request: Request, db: Db) -> ConsentsOut:
        return await actions.consents(db, require_user(request))

    @post("/me/consents", summary="Give or withdraw a consent; it applies at once", status_code=200)
    async def consent(self, request: Request, db: Db, data: JSONBody[ConsentIn]) -> ConsentsOut:
        return await actions.set_consent(db, require_user(request), data, _channel(request))

    @get(
        "/me/erasure",
        summary="What erasing your account (DELETE /api/v1/me) will ask: is this session's sign-in recent "
        "enough to leave out the password, and is a two-step login code needed",
    )
    async def erase_form(self, request: Request, db: Db) -> EraseFormOut:
        client = ClientInfo(ip=current_ip(request), session_token=request.cookies.get(SESSION_COOKIE))
        if request.scope.get("auth_method") != "session":  # a bearer token is no sign-in
            client = ClientInfo(ip=client.ip)
        return await actions.erase_form(db, require_user(request), client)

    @get(
        "/me/export",
        summary="Everything linked to your account: a zip of JSON and CSV files with README.txt and manifest.json",
        media_type="application/zip",
    )
    async def export(self, request: Request, db: Db) -> Response:
        return zip_response(actions.export_zip(await actions.export(db, require_user(request))))
