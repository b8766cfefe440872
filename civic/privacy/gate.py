"""The privacy notice gate: someone logged in who has not accepted the current notice version is
asked to before anything else. Browsers are sent to the interstitial page (a plain form, no
JavaScript needed) and come back where they were going; API clients get 403
privacy_notice_required until they accept through POST /api/v1/privacy/notice/accept.

It runs after the auth middleware, reading the accepted version the user was loaded with (one
subquery in the same statement), so it costs no extra round trip."""

from __future__ import annotations

from urllib.parse import quote

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from civic.privacy import rules
from civic.web.i18n import gettext
from civic.web.security import SECURITY_HEADERS

REQUIRED_MSGID = rules.N_(
    "A new privacy notice applies. Read and accept it to continue: GET /api/v1/privacy/notice, "
    "then POST /api/v1/privacy/notice/accept with its version."
)


class NoticeGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == ScopeType.HTTP else None
        if (
            user is None
            or not rules.needs_notice(user.notice_version)
            or not rules.gate_applies(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/"):
            await _refuse(send, gettext(user.lang, REQUIRED_MSGID))
            return
        target = scope["path"] + (
            "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
        )
        location = "/privacy/accept?next=" + quote(target, safe="")
        # htmx follows a 303 and swaps the page into its target; HX-Redirect makes it navigate.
        hx = any(k == b"hx-request" for k, _ in scope.get("headers", ()))
        headers = [(b"hx-redirect" if hx else b"location", location.encode()), (b"content-length", b"0")]
        await send(
            {
                "type": "http.response.start",
                "status": 200 if hx else 303,
                "headers": headers + SECURITY_HEADERS,
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def _refuse(send: Send, message: str) -> None:
    body = msgspec.json.encode({"error": {"code": "privacy_notice_required", "message": message}})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers + SECURITY_HEADERS})
    await send({"type": "http.response.body", "body": body})
