"""Register, log in, log out, account page, language switch, and their /api/v1 twins."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template

from civic.accounts import rules, store
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.accounts.schemas import CurrentUser, MeOut, RegisterIn
from civic.validation import Problem, check_text, has_control_chars
from civic.web.deps import Db
from civic.web.errors import ClientError
from civic.web.guards import require_user
from civic.web.i18n import gettext, normalise_lang
from civic.web.security import SESSION_COOKIE, current_ip
from civic.web.templating import LANG_COOKIE, lang_of, redirect, render, safe_next, translate_errors


def _session_cookie(request: Request, token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        max_age=int(store.SESSION_LIFETIME.total_seconds()),
    )


def _clear_session_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0, httponly=True, samesite="lax")


def _lang_cookie(lang: str) -> Cookie:
    return Cookie(key=LANG_COOKIE, value=lang, path="/", max_age=365 * 24 * 3600, samesite="lax")


async def _register(db: Db, email: str, display_name: str, password: str, lang: str) -> int:
    """Raises ClientError; the caller decides how to show it."""
    errors = rules.validate_registration(email, display_name, password, lang)
    if errors:
        raise _FormErrors(errors)
    try:
        return await store.create_user(
            db, email=email, display_name=display_name, password_hash=hash_password(password), lang=lang
        )
    except store.DuplicateEmail:
        raise _FormErrors({"email": DUPLICATE_EMAIL}) from None


DUPLICATE_EMAIL = Problem("An account with this email already exists. Log in instead.")


class _FormErrors(Exception):
    def __init__(self, errors: dict[str, Problem]) -> None:
        self.errors = errors


class AccountPages(Controller):
    include_in_schema = False

    @get("/register")
    async def register_form(self, request: Request) -> Template:
        return render(request, "accounts/register.html", {"values": {"lang": lang_of(request)}, "errors": {}})

    @post("/register")
    async def register(self, request: Request, db: Db) -> Template | Redirect:
        form = await request.form()
        values = {k: form.get(k, "") for k in ("email", "display_name", "password", "lang")}
        lang = lang_of(request)
        try:
            async with db.transaction():
                user_id = await _register(
                    db, values["email"], values["display_name"], values["password"], values["lang"]
                )
                token = await store.start_session(
                    db,
                    user_id,
                    old_token=request.cookies.get(SESSION_COOKIE),
                    user_agent=request.headers.get("user-agent", ""),
                    ip=current_ip(request),
                )
        except _FormErrors as exc:
            values["password"] = ""  # never echo a password back into the page
            return render(
                request,
                "accounts/register.html",
                {"values": values, "errors": translate_errors(lang, exc.errors)},
                status=400,
            )
        response = redirect("/", flash=("success", "Welcome! Your account is ready."))
        response.cookies.extend([_session_cookie(request, token), _lang_cookie(values["lang"])])
        return response

    @get("/login")
    async def login_form(
        self, request: Request, next_: Annotated[str, QueryParameter(name="next")] = ""
    ) -> Template:
        return render(
            request, "accounts/login.html", {"values": {"next": safe_next(next_, "")}, "errors": {}}
        )

    @post("/login")
    async def login(self, request: Request, db: Db) -> Template | Redirect:
        form = await request.form()
        email = form.get("email", "")
        if has_control_chars(email) or len(email) > 1000:
            # Cannot be anyone's address, and PostgreSQL text cannot hold NUL: fail it like a
            # wrong password (and count it) without sending it to the database.
            email = ""
        password = form.get("password", "")
        next_path = safe_next(form.get("next", ""), "/")
        lang = lang_of(request)
        ip = current_ip(request)
        values = {"email": email, "next": next_path}
        by_account, by_address = await store.recent_failures(db, email, ip)
        if rules.is_throttled(by_account, by_address):
            return render(
                request,
                "accounts/login.html",
                {
                    "values": values,
                    "errors": {},
                    "form_error": gettext(lang, "Too many attempts. Please wait a minute and try again."),
                },
                status=429,
                headers={"Retry-After": "60"},
            )
        row = await store.credentials_by_email(db, email)
        ok = verify_password(row["password_hash"] if row else None, password)
        if not ok or row is None:
            await store.record_failure(db, email, ip)
            return render(
                request,
                "accounts/login.html",
                {
                    "values": values,
                    "errors": {},
                    "form_error": gettext(lang, "The email or password is not correct."),
                },
                status=400,
            )
        if not rules.can_log_in(row["status"]):
            return render(
                request,
                "accounts/login.html",
                {
                    "values": values,
                    "errors": {},
                    "form_error": gettext(lang, "This account has been blocked."),
                },
                status=403,
            )
        if needs_rehash(row["password_hash"]):
            await store.set_password_hash(db, row["id"], hash_password(password))
        token = await store.start_session(
            db,
            row["id"],
            old_token=request.cookies.get(SESSION_COOKIE),
            user_agent=request.headers.get("user-agent", ""),
            ip=ip,
        )
        user = await store.user_by_id(db, row["id"])
        response = redirect(next_path, flash=("success", "You are logged in."))
        response.cookies.extend([_session_cookie(request, token), _lang_cookie(user.lang)])
        return response

    @post("/logout")
    async def logout(self, request: Request, db: Db) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await store.end_session(db, token)
        response = redirect("/", flash=("info", "You have logged out."))
        response.cookies.append(_clear_session_cookie())
        return response

    @post("/logout/everywhere")
    async def logout_everywhere(self, request: Request, db: Db) -> Redirect:
        user = require_user(request)
        await store.end_all_sessions(db, user.id)
        response = redirect("/", flash=("info", "You have logged out on every device."))
        response.cookies.append(_clear_session_cookie())
        return response

    @get("/account")
    async def account(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        return render(request, "accounts/account.html", await _account_context(db, user.id))

    @post("/account/tokens")
    async def create_token(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        form = await request.form()
        name = form.get("name", "").strip() or "API"
        if problem := check_text(name, max_len=100):
            ctx = await _account_context(db, user.id)
            ctx["errors"] = translate_errors(lang_of(request), {"name": problem})
            ctx["values"] = {"name": name}
            return render(request, "accounts/account.html", ctx, status=400)
        _, token = await store.create_api_token(db, user.id, name)
        ctx = await _account_context(db, user.id)
        # Shown once: only its hash is kept.
        ctx["new_token"] = token
        return render(request, "accounts/account.html", ctx, status=201)

    @post("/account/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: Request, db: Db, token_id: FromPath[int]) -> Redirect:
        user = require_user(request)
        if not await store.revoke_api_token(db, user.id, token_id):
            raise ClientError(404, "not_found", "We could not find that token.")
        return redirect("/account", flash=("success", "The token has been revoked."))

    @post("/lang")
    async def switch_language(self, request: Request, db: Db) -> Redirect:
        form = await request.form()
        lang = normalise_lang(form.get("lang"))
        user = request.scope.get("user")
        if user is not None:
            await store.set_lang(db, user.id, lang)
        response = redirect(safe_next(form.get("next", "/")))
        response.cookies.append(_lang_cookie(lang))
        return response


async def _account_context(db: Db, user_id: int) -> dict[str, Any]:
    return {
        "tokens": await store.list_api_tokens(db, user_id),
        "session_count": await store.count_sessions(db, user_id),
        "errors": {},
        "values": {},
        "page_title_id": "Your account",
    }


def _me_out(user: CurrentUser, memberships: list) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        lang=user.lang,
        role=user.role,
        status=user.status,
        memberships=memberships,
    )


class AccountsApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @get("/me", summary="The logged-in user, with organisation memberships")
    async def me(self, request: Request) -> MeOut:
        user = require_user(request)
        return _me_out(user, list(user.memberships))

    @post("/accounts", summary="Register an account", status_code=201)
    async def register(self, request: Request, db: Db, data: JSONBody[RegisterIn]) -> MeOut:
        try:
            async with db.transaction():
                user_id = await _register(db, data.email, data.display_name, data.password, data.lang)
        except _FormErrors as exc:
            field, problem = next(iter(exc.errors.items()))
            duplicate = problem is DUPLICATE_EMAIL
            raise ClientError(
                409 if duplicate else 422,
                "duplicate_email" if duplicate else "invalid_input",
                problem.msgid,
                field=field,
                **problem.params,
            ) from None
        user = await store.user_by_id(db, user_id)
        assert user is not None
        return _me_out(user, [])
