"""HEAD is answered as GET without the body (RFC 9110 section 9.3.2).

Litestar routes HEAD only to handlers declared for it, and refuses a HEAD handler that returns a
body, so `HEAD /` was a 405 though `GET /` is a page. Link checkers, monitors and crawlers ask HEAD
first. This wraps the application's handler, outside routing, so every GET route answers it with the
same status and headers (Content-Length included) as the GET would."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)  # type: ignore[arg-type]
