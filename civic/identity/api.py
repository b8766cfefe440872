"""/api/v1 for identity levels: the JSON twins of the identity page (the login code step and the
OpenID Connect redirects are browser flows: API clients log in with tokens)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from civic.accounts.schemas import ClientInfo
from civic.identity import actions
from civic.identity.schemas import (
    CodeIn,
    IdentityOut,
    NationalIdIn,
    RecoveryCodesOut,
    RenewCodesIn,
    TotpSetupOut,
)
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.security import current_ip


class IdentityApi(Controller):
    path = "/api/v1/me"
    tags = ["identity"]

    @get("/identity", summary="Your identity levels: national ID verified, two-step login, linked providers")
    async def identity(self, request: Request, db: Db) -> IdentityOut:
        required = request.app.state.settings.staff_totp_required
        return await actions.identity(db, require_user(request).id, required=required)

    @post("/national-id", summary="Verify your Thai national ID (only a keyed hash is kept)", status_code=200)
    async def verify_id(self, request: Request, db: Db, data: JSONBody[NationalIdIn]) -> IdentityOut:
        secret = request.app.state.settings.secret_key
        return await actions.verify_national_id(db, require_user(request), data, secret=secret)

    @post("/totp", summary="Start two-step login: a secret and its QR code to scan", status_code=201)
    async def start_totp(self, request: Request, db: Db) -> TotpSetupOut:
        return await actions.start_totp(db, require_user(request), secret=request.app.state.settings.secret_key)

    @post("/totp/confirm", summary="Turn two-step login on with a first code; recovery codes shown once")
    async def confirm_totp(self, request: Request, db: Db, data: JSONBody[CodeIn]) -> RecoveryCodesOut:
        secret = request.app.state.settings.secret_key
        return await actions.confirm_totp(db, require_user(request), data, secret=secret)

    @post(
        "/totp/recovery-codes",
        summary="New recovery codes, shown once; the old ones stop working. Give your password or a current "
        "code from your app",
        status_code=201,
    )
    async def renew_codes(self, request: Request, db: Db, data: JSONBody[RenewCodesIn]) -> RecoveryCodesOut:
        client = ClientInfo(ip=current_ip(request))
        secret = request.app.state.settings.secret_key
        return await actions.renew_recovery_codes(db, require_user(request), data, client, secret=secret)

    @post("/totp/disable", summary="Turn two-step login off with a code (not for moderators or admins)")
    async def disable_totp(self, request: Request, db: Db, data: JSONBody[CodeIn]) -> IdentityOut:
        s = request.app.state.settings
        user = require_user(request)
        await actions.disable_totp(db, user, data, secret=s.secret_key, required=s.staff_totp_required)
        return await actions.identity(db, user.id, required=s.staff_totp_required)
