"""Register, log in, log out, the account page, the language switch, and the account lifecycle
(verify an address, forgotten and changed passwords, a new address), as HTML pages.

A link from a mail lands on a GET page that only checks it and shows one button or form; the POST
behind it uses the link up. Mail scanners that fetch every link therefore never use one."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from civic.accounts import actions, rules
from civic.accounts.schemas import (
    ClientInfo,
    EmailChangeIn,
    LangIn,
    LinkIn,
    LoginIn,
    NewTokenOut,
    PasswordChangeIn,
    RegisterIn,
    ResetIn,
    ResetRequestIn,
    TokenIn,
)
from civic.accounts.tokens import BadLink
from civic.identity import actions as identity
from civic.validation import Forbidden, Invalid, TooMany
from civic.web.deps import Db
from civic.web.forms import form_input, form_values
from civic.web.guards import current_user, require_user
from civic.web.i18n import N_, gettext
from civic.web.security import SESSION_COOKIE, current_ip
from civic.web.sessions import login_step_cookie, session_cookie
from civic.web.templating import (
    LANG_COOKIE,
    form_errors,
    lang_of,
    redirect,
    render,
    safe_next,
    translate_errors,
)


def _session_cookie(request: Request, token: str) -> Cookie:
    return session_cookie(request, token, int(actions.SESSION_LIFETIME.total_seconds()))


def _clear_session_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax")


def _lang_cookie(lang: str) -> Cookie:
    return Cookie(key=LANG_COOKIE, value=lang, path="/", max_age=365 * 24 * 3600, samesite="lax")


def _client(request: Request) -> ClientInfo:
    return ClientInfo(
        ip=current_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        session_token=request.cookies.get(SESSION_COOKIE),
    )


def _login_page(
    request: Request, values: dict, error: str = "", status: int = 200, headers=None, params=None
) -> Template:
    settings = request.app.state.settings
    context = {
        "values": values,
        "errors": {},
        "form_error": gettext(lang_of(request), error, **(params or {})) if error else "",
        # "Sign in with ..." only when an OpenID Connect provider is configured (civic/identity).
        "oidc_name": settings.oidc_provider_name if settings.oidc_issuer and settings.oidc_client_id else None,
    }
    return render(request, "accounts/login.html", context, status=status, headers=headers)


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


# What a lifecycle link's landing page shows (template, its title, and the button's label).
LINK_PAGES = {
    "verify": ("accounts/link.html", N_("Verify your email address"), N_("Verify my email address")),
    "change_email": (
        "accounts/link.html",
        N_("Confirm your new email address"),
        N_("Use this email address"),
    ),
    "reset": ("accounts/reset.html", N_("Choose a new password"), N_("Save the new password")),
}


async def _link_page(
    request: Request, db: Db, purpose: str, token: str, status: int = 200, **extra
) -> Template:
    """The page a mailed link opens, or the page that says why it will not work (changing nothing)."""
    try:
        await actions.check_link(db, _secret(request), purpose, token)
    except BadLink as exc:
        return _link_problem(request, exc)
    template, title, button = LINK_PAGES[purpose]
    context = {"title": title, "button": button, "action": request.url.path, "errors": {}}
    return render(request, template, context | extra, status=status)


def _link_problem(request: Request, exc: BadLink) -> Template:
    return render(
        request,
        "accounts/link_problem.html",
        {"message": gettext(lang_of(request), exc.msgid), "code": exc.code},
        status=exc.status,
    )


async def _account_page(request: Request, db: Db, status: int = 200, **extra) -> Template:
    account = await actions.account(db, require_user(request))
    context = {"tokens": account.tokens, "session_count": account.session_count, "errors": {}, "values": {}}
    return render(
        request, "accounts/account.html", context | extra | {"page_title_id": "Your account"}, status=status
    )


class AccountPages(Controller):
    include_in_schema = False

    @get("/register")
    async def register_form(self, request: Request) -> Template:
        return render(request, "accounts/register.html", {"values": {"lang": lang_of(request)}, "errors": {}})

    @post("/register")
    async def register(self, request: Request, db: Db) -> Template | Redirect:
        # Every field as typed (missing ones empty), so the rules name each problem in the
        # reader's language, as they do for the API.
        values = await form_values(request)
        typed = {k: str(values.get(k) or "") for k in RegisterIn.__struct_fields__}
        try:
            signed_in = await actions.register(
                db, RegisterIn(**typed), _client(request), secret=_secret(request)
            )
        except Invalid as exc:
            values = typed | {"password": ""}  # never echo a password back into the page
            context = {"values": values, "errors": translate_errors(lang_of(request), exc.errors)}
            return render(request, "accounts/register.html", context, status=400)
        welcome = N_(
            "Welcome! Your account is ready. We sent you an email: open its link to verify your address."
        )
        response = redirect("/", flash=("success", welcome))
        assert signed_in.session_token is not None
        response.cookies.extend(
            [_session_cookie(request, signed_in.session_token), _lang_cookie(signed_in.user.lang)]
        )
        return response

    @get("/login")
    async def login_form(
        self, request: Request, next_: Annotated[str, QueryParameter(name="next")] = ""
    ) -> Template:
        return _login_page(request, {"next": safe_next(next_, "")})

    @post("/login")
    async def login(self, request: Request, db: Db) -> Template | Redirect:
        data, _ = await form_input(request, LoginIn)
        # With no page to return to, /start sends agency staff to their queue (civic/staff).
        next_path = safe_next(data.next, "/start")
        try:
            step = await identity.log_in(db, data, _client(request), next_path)
        except (actions.BadCredentials, Forbidden, TooMany) as exc:
            values = {"email": rules.login_email(data.email), "next": next_path}
            retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, actions.LoginThrottled) else None
            return _login_page(request, values, exc.msgid, exc.status, retry, exc.params)
        if step.challenge:  # two-step login: the code page comes next
            response = redirect("/login/code")
            response.cookies.append(login_step_cookie(request, step.challenge))
            return response
        assert step.session_token is not None
        response = redirect(next_path, flash=("success", "You are logged in."))
        response.cookies.extend([_session_cookie(request, step.session_token), _lang_cookie(step.lang)])
        return response

    @post("/logout")
    async def logout(self, request: Request, db: Db) -> Redirect:
        await actions.log_out(db, request.cookies.get(SESSION_COOKIE))
        response = redirect("/", flash=("info", "You have logged out."))
        response.cookies.append(_clear_session_cookie())
        return response

    @post("/logout/everywhere")
    async def logout_everywhere(self, request: Request, db: Db) -> Redirect:
        await actions.log_out_everywhere(db, require_user(request))
        response = redirect("/", flash=("info", "You have logged out on every device."))
        response.cookies.append(_clear_session_cookie())
        return response

    @get("/account")
    async def account(self, request: Request, db: Db) -> Template:
        return await _account_page(request, db)

    @post("/account/tokens")
    async def create_token(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        data, _ = await form_input(request, TokenIn)
        try:
            created: NewTokenOut = await identity.create_token(db, user, data, secret=_secret(request))
        except (Invalid, TooMany) as exc:
            errors = form_errors(request, exc, field="code")
            status = 400 if isinstance(exc, Invalid) else exc.status
            return await _account_page(
                request, db, status, errors=errors, values={"name": rules.token_name(data.name)}
            )
        # Shown once: only its hash is kept.
        return await _account_page(request, db, 201, new_token=created.token)

    @post("/account/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: Request, db: Db, token_id: FromPath[int]) -> Redirect:
        await actions.revoke_token(db, require_user(request), token_id)
        return redirect("/account", flash=("success", "The token has been revoked."))

    @post("/account/verify/resend")
    async def resend_verification(self, request: Request, db: Db) -> Redirect:
        await actions.resend_verification(db, require_user(request), secret=_secret(request))
        return redirect("/account", flash=("success", "We sent a new link. Check your email."))

    @get("/account/verify/{token:str}")
    async def verify_page(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        return await _link_page(request, db, "verify", token)

    @post("/account/verify/{token:str}")
    async def verify(self, request: Request, db: Db, token: FromPath[str]) -> Template | Redirect:
        try:
            await actions.verify_email(db, LinkIn(token=token), secret=_secret(request))
        except BadLink as exc:
            return _link_problem(request, exc)
        return redirect("/", flash=("success", "Thank you: your email address is verified."))

    @get("/password/forgot")
    async def forgot_form(self, request: Request) -> Template:
        return render(request, "accounts/forgot.html", {"values": {}, "errors": {}})

    @post("/password/forgot")
    async def forgot(self, request: Request, db: Db) -> Template:
        data, values = await form_input(request, ResetRequestIn)
        try:
            await actions.request_reset(db, data, _client(request), secret=_secret(request))
        except (Invalid, TooMany) as exc:
            errors = translate_errors(lang_of(request), exc.errors) if isinstance(exc, Invalid) else {}
            context = {"values": values, "errors": errors, "form_error": gettext(lang_of(request), exc.msgid)}
            headers = {"Retry-After": "900"} if isinstance(exc, TooMany) else None
            return render(request, "accounts/forgot.html", context, status=exc.status, headers=headers)
        return render(request, "accounts/forgot_sent.html", {"email": data.email.strip()})

    @get("/password/reset/{token:str}")
    async def reset_form(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        return await _link_page(request, db, "reset", token)

    @post("/password/reset/{token:str}")
    async def reset(self, request: Request, db: Db, token: FromPath[str]) -> Template | Redirect:
        values = await form_values(request)
        try:
            await actions.reset_password(
                db, ResetIn(token=token, password=str(values.get("password") or "")), secret=_secret(request)
            )
        except BadLink as exc:
            return _link_problem(request, exc)
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return await _link_page(request, db, "reset", token, status=400, errors=errors)
        response = redirect(
            "/login", flash=("success", "Your password has been changed. Log in with the new one.")
        )
        response.cookies.append(_clear_session_cookie())
        return response

    @post("/account/password")
    async def change_password(self, request: Request, db: Db) -> Template | Redirect:
        data, _ = await form_input(request, PasswordChangeIn)
        try:
            await actions.change_password(db, require_user(request), data, _client(request))
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return await _account_page(request, db, 400, errors=errors)
        message = N_("Your password has been changed. You have been logged out on your other devices.")
        return redirect("/account", flash=("success", message))

    @post("/account/email")
    async def change_email(self, request: Request, db: Db) -> Template | Redirect:
        data, values = await form_input(request, EmailChangeIn)
        try:
            await actions.request_email_change(
                db, require_user(request), data, _client(request), secret=_secret(request)
            )
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return await _account_page(request, db, 400, errors=errors, values={"email": data.email})
        message = N_("We sent a link to your new address. Your address changes when you open it.")
        return redirect("/account", flash=("success", message))

    @get("/account/email/confirm/{token:str}")
    async def email_confirm_page(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        return await _link_page(request, db, "change_email", token)

    @post("/account/email/confirm/{token:str}")
    async def confirm_email(self, request: Request, db: Db, token: FromPath[str]) -> Template | Redirect:
        try:
            await actions.confirm_email_change(db, LinkIn(token=token), secret=_secret(request))
        except BadLink as exc:
            return _link_problem(request, exc)
        return redirect("/account", flash=("success", "Your email address has been changed."))

    @post("/lang")
    async def switch_language(self, request: Request, db: Db) -> Redirect:
        data, _ = await form_input(request, LangIn)
        lang = await actions.set_language(db, current_user(request), data)
        response = redirect(safe_next(data.next))
        response.cookies.append(_lang_cookie(lang))
        return response
