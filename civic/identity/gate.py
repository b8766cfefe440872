"""Staff without a second factor: moderators and admins who have not enrolled TOTP (while
STAFF_TOTP_REQUIRED is on) are sent to enrol before anything else, so no staff tool is reachable
without it. Browsers go to the identity page; API clients get 403 second_factor_required.
Runs after the auth middleware and reads the flag the user was loaded with (no extra query)."""

from __future__ import annotations

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from civic.identity import rules
from civic.web.i18n import N_, gettext
from civic.web.security import SECURITY_HEADERS

REQUIRED_MSGID = N_(
    "Moderators and administrators must turn on two-step login first: POST /api/v1/me/totp, "
    "then POST /api/v1/me/totp/confirm with a code."
)
# What an unenrolled staff member may still reach: enrolment itself, logging out, the notice.
OPEN_PREFIXES = ("/account/identity", "/account/2fa", "/api/v1/me/totp", "/api/v1/me/identity", "/logout",
                 "/login", "/lang", "/privacy", "/static/", "/api/v1/health", "/schema")  # fmt: skip


class StaffEnrolmentGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == ScopeType.HTTP else None
        required = user is not None and scope["litestar_app"].state.settings.staff_totp_required
        if not rules.staff_must_enrol(user, required) or scope["path"].startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            body = msgspec.json.encode(
                {"error": {"code": "second_factor_required", "message": gettext(user.lang, REQUIRED_MSGID)}}
            )
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 403, "headers": headers + SECURITY_HEADERS})
            await send({"type": "http.response.body", "body": body})
            return
        hx = any(k == b"hx-request" for k, _ in scope.get("headers", ()))
        headers = [(b"hx-redirect" if hx else b"location", b"/account/identity"), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 200 if hx else 303, "headers": headers + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": b""})
