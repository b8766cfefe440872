"""Identity pages: the national ID and two-step login on /account/identity, TOTP enrolment, the
login code step, and OpenID Connect sign-in and linking."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from civic.accounts.actions import SESSION_LIFETIME
from civic.accounts.schemas import ClientInfo
from civic.identity import actions
from civic.identity.oidc import OidcConfig
from civic.identity.schemas import CodeIn, LoginStep, NationalIdIn, OidcResult, RenewCodesIn
from civic.validation import Invalid, NotFound, TooMany
from civic.web.deps import Db
from civic.web.forms import form_input
from civic.web.guards import current_user, require_user
from civic.web.i18n import gettext
from civic.web.security import SESSION_COOKIE, current_ip
from civic.web.sessions import LOGIN_STEP_COOKIE, clear_login_step_cookie, login_step_cookie, session_cookie
from civic.web.templating import form_errors, lang_of, redirect, render, safe_next, translate_errors

SESSION_MAX_AGE = int(SESSION_LIFETIME.total_seconds())


def _settings(request: Request):
    return request.app.state.settings


def _client(request: Request) -> ClientInfo:
    return ClientInfo(
        ip=current_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        session_token=request.cookies.get(SESSION_COOKIE),
    )


def oidc_config(request: Request) -> OidcConfig:
    s = _settings(request)
    if not (s.oidc_issuer and s.oidc_client_id):
        raise NotFound()
    return OidcConfig(
        issuer=s.oidc_issuer,
        client_id=s.oidc_client_id,
        client_secret=s.oidc_client_secret,
        scopes=s.oidc_scopes,
        redirect_uri=s.base_url + "/login/oidc/callback",
    )


def _signed_in(request: Request, step: LoginStep) -> Redirect:
    """A session cookie and where the person was going, or the code step first."""
    if step.challenge:
        response = redirect("/login/code")
        response.cookies.append(login_step_cookie(request, step.challenge))
        return response
    assert step.session_token is not None
    response = redirect(step.next_path, flash=("success", "You are logged in."))
    response.cookies.extend([session_cookie(request, step.session_token, SESSION_MAX_AGE), clear_login_step_cookie()])
    return response


async def _identity_page(request: Request, db: Db, status: int = 200, **extra) -> Template:
    user = require_user(request)
    s = _settings(request)
    context = {
        "identity": await actions.identity(db, user.id, required=s.staff_totp_required),
        "oidc_name": s.oidc_provider_name if s.oidc_issuer and s.oidc_client_id else None,
        "values": {},
        "errors": {},
    }
    return render(request, "identity/identity.html", context | extra, status=status)


async def _enrol_page(request: Request, db: Db, status: int = 200, **extra) -> Template | Redirect:
    setup = await actions.pending_totp(db, require_user(request), secret=_settings(request).secret_key)
    if setup is None:
        return redirect("/account/identity")
    return render(request, "identity/enrol.html", {"setup": setup, "errors": {}} | extra, status=status)


class IdentityPages(Controller):
    include_in_schema = False

    @get("/account/identity")
    async def identity(self, request: Request, db: Db) -> Template:
        return await _identity_page(request, db)

    @post("/account/identity/national-id")
    async def verify_id(self, request: Request, db: Db) -> Template | Redirect:
        data, values = await form_input(request, NationalIdIn)
        try:
            await actions.verify_national_id(db, require_user(request), data, secret=_settings(request).secret_key)
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return await _identity_page(request, db, exc.status, errors=errors, values=values)
        return redirect("/account/identity", flash=("success", "Your national ID is verified."))

    @post("/account/2fa/setup")
    async def start_totp(self, request: Request, db: Db) -> Redirect:
        await actions.start_totp(db, require_user(request), secret=_settings(request).secret_key)
        return redirect("/account/2fa")

    @get("/account/2fa")
    async def enrol(self, request: Request, db: Db) -> Template | Redirect:
        return await _enrol_page(request, db)

    @post("/account/2fa/confirm")
    async def confirm_totp(self, request: Request, db: Db) -> Template | Redirect:
        data, _ = await form_input(request, CodeIn)
        try:
            codes = await actions.confirm_totp(db, require_user(request), data, secret=_settings(request).secret_key)
        except (Invalid, TooMany) as exc:
            return await _enrol_page(request, db, exc.status, errors={"code": gettext(lang_of(request), exc.msgid, **exc.params)})
        return render(request, "identity/recovery_codes.html", {"codes": codes.recovery_codes}, status=201)

    @post("/account/2fa/disable")
    async def disable_totp(self, request: Request, db: Db) -> Template | Redirect:
        data, _ = await form_input(request, CodeIn)
        s = _settings(request)
        try:
            await actions.disable_totp(db, require_user(request), data, secret=s.secret_key, required=s.staff_totp_required)
        except (Invalid, TooMany) as exc:
            errors = {"code": gettext(lang_of(request), exc.msgid, **exc.params)}
            return await _identity_page(request, db, exc.status, errors=errors)
        return redirect("/account/identity", flash=("success", "Two-step login is off."))

    @get("/account/2fa/recovery-codes")
    async def renew_form(self, request: Request) -> Template:
        require_user(request)
        return render(request, "identity/renew_codes.html", {"errors": {}})

    @post("/account/2fa/recovery-codes")
    async def renew(self, request: Request, db: Db) -> Template:
        data, _ = await form_input(request, RenewCodesIn)
        try:
            codes = await actions.renew_recovery_codes(
                db, require_user(request), data, _client(request), secret=_settings(request).secret_key
            )
        except (Invalid, TooMany) as exc:
            errors = form_errors(request, exc, field="code")
            status = 400 if isinstance(exc, Invalid) else exc.status
            return render(request, "identity/renew_codes.html", {"errors": errors}, status=status)
        context = {"codes": codes.recovery_codes, "renewed": True}
        return render(request, "identity/recovery_codes.html", context, status=201)

    @get("/login/code")
    async def code_form(self, request: Request, db: Db) -> Template:
        await actions.check_challenge(db, request.cookies.get(LOGIN_STEP_COOKIE))
        return render(request, "identity/login_code.html", {"errors": {}})

    @post("/login/code")
    async def code(self, request: Request, db: Db) -> Template | Redirect:
        data, _ = await form_input(request, CodeIn)
        try:
            step = await actions.second_step(
                db, request.cookies.get(LOGIN_STEP_COOKIE), data, _client(request), secret=_settings(request).secret_key
            )
        except (Invalid, TooMany) as exc:
            headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, actions.CodeThrottled) else None
            errors = {"code": gettext(lang_of(request), exc.msgid, **exc.params)}
            return render(request, "identity/login_code.html", {"errors": errors}, status=exc.status, headers=headers)
        return _signed_in(request, step)

    @get("/login/oidc")
    async def oidc_start(
        self, request: Request, db: Db, next_: Annotated[str, QueryParameter(name="next")] = ""
    ) -> Redirect:
        url = await actions.oidc_start(db, None, safe_next(next_, "/start"), oidc_config(request))
        return Redirect(url, status_code=303)

    @post("/account/oidc/link")
    async def oidc_link_start(self, request: Request, db: Db) -> Redirect:
        url = await actions.oidc_start(db, require_user(request), "/account/identity", oidc_config(request))
        return Redirect(url, status_code=303)

    @get("/login/oidc/callback")
    async def oidc_callback(
        self,
        request: Request,
        db: Db,
        state_: Annotated[str, QueryParameter(name="state")] = "",
        code: str = "",
    ) -> Redirect:
        s = _settings(request)
        result: OidcResult = await actions.oidc_finish(
            db, current_user(request), state_, code, _client(request), oidc_config(request), s.oidc_provider_name,
            secret=s.secret_key,
        )  # fmt: skip
        if result.outcome == "confirm":
            return redirect(f"/account/oidc/link/{result.link_token}")
        assert result.step is not None
        return _signed_in(request, result.step)

    @get("/account/oidc/link/{token:str}")
    async def link_page(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        issuer = await actions.check_pending_link(db, require_user(request), token)
        context = {"issuer": issuer, "provider": _settings(request).oidc_provider_name, "token": token}
        return render(request, "identity/confirm_link.html", context)

    @post("/account/oidc/link/{token:str}")
    async def confirm_link(self, request: Request, db: Db, token: FromPath[str]) -> Redirect:
        await actions.confirm_link(db, require_user(request), token)
        return redirect("/account/identity", flash=("success", "Your account is linked."))
