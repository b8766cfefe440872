"""Per-request security: who is asking, CSRF, headers, and which client address to trust."""

from __future__ import annotations

import ipaddress

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from civic.accounts import store as accounts
from civic.web.i18n import gettext, normalise_lang

SESSION_COOKIE = "civic_session"

# htmx is served from /static and there is no inline script anywhere, so 'self' suffices.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def bearer_token(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                return token.strip()
    return None


def client_ip(scope: Scope, trusted_proxies: tuple[str, ...]) -> str:
    """The peer address, or the nearest untrusted X-Forwarded-For hop when the peer is a proxy
    we were told to trust. Trusting the header from anyone would let clients dodge throttling."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    if not trusted_proxies or not _in_networks(peer, trusted_proxies):
        return peer
    for key, value in scope.get("headers", ()):
        if key == b"x-forwarded-for":
            hops = [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
            for hop in reversed(hops):
                if not _in_networks(hop, trusted_proxies):
                    return hop
    return peer


def _in_networks(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


class SecurityHeadersMiddleware:
    """Raw ASGI so that static files and error pages get the headers too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Raw byte pairs: this runs on every response, and a header-object view would
                # decode every header once per security header looked up.
                headers = list(message.get("headers", ()))
                present = {key.lower() for key, _ in headers}
                headers.extend(pair for pair in SECURITY_HEADERS if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AuthMiddleware:
    """Puts the current user (or None) in scope["user"].

    A bearer token, when sent, is the only credential considered: an invalid one is a 401,
    never a fall-back to the cookie, which is what lets bearer calls skip CSRF safely.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            scope["user"] = None
            await self.app(scope, receive, send)
            return
        state = scope["litestar_app"].state
        token = bearer_token(scope)
        scope["auth_method"] = None
        user = None
        if token is not None:
            async with state.pool.acquire() as conn:
                user = await accounts.user_for_api_token(conn, token)
            if user is None or user.status != "active":
                await _unauthorised(scope, send)
                return
            scope["auth_method"] = "token"
        else:
            cookie = _cookie(scope, SESSION_COOKIE)
            if cookie:
                async with state.pool.acquire() as conn:
                    user = await accounts.user_for_session(conn, cookie)
                if user is not None and user.status != "active":
                    user = None
                if user is not None:
                    scope["auth_method"] = "session"
        scope["user"] = user
        await self.app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


async def _unauthorised(scope: Scope, send: Send) -> None:
    import msgspec

    lang = normalise_lang(_cookie(scope, "lang"))
    body = msgspec.json.encode(
        {"error": {"code": "invalid_token", "message": gettext(lang, "The API token is not valid.")}}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="civic"'),
                (b"content-length", str(len(body)).encode()),
            ]
            + SECURITY_HEADERS,
        }
    )
    await send({"type": "http.response.body", "body": body})


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """Browsers never attach an Authorization header on their own, so a request carrying a
    bearer token cannot be a cross-site forgery. Cookie-authenticated requests always need
    the CSRF token."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope.get("auth_method") == "token":
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def current_ip(request: Request) -> str:
    settings = request.app.state.settings
    return client_ip(request.scope, settings.trusted_proxies)
