"""/api/v1 for accounts: who am I, register, and the account lifecycle (the JSON twins of the
pages: verify, resend, reset request, reset, change password, change email)."""

from __future__ import annotations

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody

from civic.accounts import actions
from civic.accounts.schemas import (
    AccountOut,
    ClientInfo,
    EmailChangeIn,
    LinkIn,
    MeOut,
    NewTokenOut,
    PasswordChangeIn,
    RegisterIn,
    ResetIn,
    ResetRequestIn,
    StatusOut,
    TokenIn,
)
from civic.identity import actions as identity
from civic.privacy import actions as privacy
from civic.privacy.schemas import ErasedOut, EraseIn
from civic.web.deps import Db
from civic.web.guards import require_user
from civic.web.security import SESSION_COOKIE, current_ip


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


def _client(request: Request) -> ClientInfo:
    # A cookie-authenticated call keeps its own session when the password changes.
    return ClientInfo(ip=current_ip(request), session_token=request.cookies.get(SESSION_COOKIE))


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @get("/me", summary="The logged-in user, with organisation memberships")
    async def me(self, request: Request) -> MeOut:
        return actions.me(require_user(request))

    @delete(
        "/me",
        summary="Erase your account (PDPA; confirm: true and your password, or no password within 10 minutes "
        "of signing in with this session; code too with two-step login on). Public contributions stay as "
        "'deleted account'; refused while you are an organisation's only admin",
        status_code=200,
    )
    async def erase(self, request: Request, db: Db, data: JSONBody[EraseIn]) -> ErasedOut:
        client = _client(request)
        if request.scope.get("auth_method") != "session":  # a bearer token is no sign-in
            client = ClientInfo(ip=client.ip)
        return await privacy.erase(db, require_user(request), data, client, secret=_secret(request))

    @get("/me/account", summary="Your account page's contents: your API tokens (never their secret) and open sessions")
    async def account(self, request: Request, db: Db) -> AccountOut:
        return await actions.account(db, require_user(request))

    @delete("/me/tokens/{token_id:int}", summary="Revoke one of your API tokens", status_code=204)
    async def revoke_token(self, request: Request, db: Db, token_id: FromPath[int]) -> None:
        await actions.revoke_token(db, require_user(request), token_id)

    @post(
        "/me/tokens",
        summary="Make an API token (shown once; only its hash is kept). With two-step login on, give a "
        "current code or a recovery code too (wrong codes are throttled)",
        status_code=201,
    )
    async def create_token(self, request: Request, db: Db, data: JSONBody[TokenIn]) -> NewTokenOut:
        return await identity.create_token(db, require_user(request), data, secret=_secret(request))

    @post(
        "/accounts", summary="Register an account (a link to verify its address is mailed)", status_code=201
    )
    async def register(self, request: Request, db: Db, data: JSONBody[RegisterIn]) -> MeOut:
        return actions.me((await actions.register(db, data, secret=_secret(request))).user)

    @post("/account/verify", summary="Verify an address with the token from the mailed link", status_code=200)
    async def verify(self, request: Request, db: Db, data: JSONBody[LinkIn]) -> StatusOut:
        return await actions.verify_email(db, data, secret=_secret(request))

    @post("/account/verify/resend", summary="Mail a new verification link (throttled)", status_code=202)
    async def resend(self, request: Request, db: Db) -> StatusOut:
        return await actions.resend_verification(db, require_user(request), secret=_secret(request))

    @post(
        "/password/reset-request",
        summary="Ask for a password reset link (the same answer whether or not the address has an account)",
        status_code=202,
    )
    async def reset_request(self, request: Request, db: Db, data: JSONBody[ResetRequestIn]) -> StatusOut:
        return await actions.request_reset(db, data, _client(request), secret=_secret(request))

    @post(
        "/password/reset",
        summary="Set a new password with a reset token; ends every session",
        status_code=200,
    )
    async def reset(self, request: Request, db: Db, data: JSONBody[ResetIn]) -> StatusOut:
        return await actions.reset_password(db, data, secret=_secret(request))

    @post("/account/password", summary="Change the password; ends the other sessions", status_code=200)
    async def change_password(self, request: Request, db: Db, data: JSONBody[PasswordChangeIn]) -> StatusOut:
        return await actions.change_password(db, require_user(request), data, _client(request))

    @post(
        "/account/email",
        summary="Change the address: a link goes to the new one, a notice to the old one",
        status_code=202,
    )
    async def change_email(self, request: Request, db: Db, data: JSONBody[EmailChangeIn]) -> StatusOut:
        return await actions.request_email_change(
            db, require_user(request), data, _client(request), secret=_secret(request)
        )

    @post(
        "/account/email/confirm",
        summary="Confirm a new address with the token from its link",
        status_code=200,
    )
    async def confirm_email(self, request: Request, db: Db, data: JSONBody[LinkIn]) -> StatusOut:
        return await actions.confirm_email_change(db, data, secret=_secret(request))
