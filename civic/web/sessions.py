"""The cookies that carry a login: the session, and the short-lived step between a password and
its second factor. Set by the accounts and identity pages alike, so both set them the same way."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie

from civic.web.security import SESSION_COOKIE

LOGIN_STEP_COOKIE = "civic_login_step"
LOGIN_STEP_MAX_AGE = 300


def session_cookie(request: Request, token: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        max_age=max_age,
    )


def login_step_cookie(request: Request, token: str) -> Cookie:
    return Cookie(
        key=LOGIN_STEP_COOKIE,
        value=token,
        path="/login",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        max_age=LOGIN_STEP_MAX_AGE,
    )


def clear_login_step_cookie() -> Cookie:
    return Cookie(key=LOGIN_STEP_COOKIE, value="", path="/login", max_age=0, httponly=True, samesite="lax")
