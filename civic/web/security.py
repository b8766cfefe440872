"""Per-request security: who is asking, CSRF, headers, and which client address to trust."""

from __future__ import annotations

import ipaddress

import asyncpg
from aiodataloader import DataLoader
from litestar import Request
from litestar.datastructures import MutableScopeHeaders, State
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from civic.accounts import store as accounts
from civic.accounts.schemas import CurrentUser
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
                headers = MutableScopeHeaders.from_message(message)
                for key, value in SECURITY_HEADERS:
                    if key.decode() not in headers:
                        headers.add(key.decode(), value.decode())
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Credentials:
    """Every request carrying a credential needs its user before anything else, so the lookups of
    the requests that arrive together (one event-loop turn) go to PostgreSQL as one statement on
    one pooled connection, instead of one round trip and one pool checkout each. Nothing is
    cached between batches: a revoked token or an ended session fails on the very next request."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        async def tokens(keys: list[str]) -> list[CurrentUser | None]:
            async with pool.acquire() as conn:
                return await accounts.users_for_api_tokens(conn, keys)

        async def sessions(keys: list[str]) -> list[CurrentUser | None]:
            async with pool.acquire() as conn:
                return await accounts.users_for_sessions(conn, keys)

        self.tokens = DataLoader(tokens, cache=False)
        self.sessions = DataLoader(sessions, cache=False)

    @classmethod
    def of(cls, state: State) -> Credentials:
        """Built on first use, so that the loaders belong to the event loop serving requests."""
        credentials = state.get("credentials")
        if credentials is None:
            credentials = state.credentials = cls(state.pool)
        return credentials


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
        credentials = Credentials.of(scope["litestar_app"].state)
        token = bearer_token(scope)
        scope["auth_method"] = None
        user = None
        if token is not None:
            user = await credentials.tokens.load(token)
            if user is None or user.status != "active":
                await _unauthorised(scope, send)
                return
            scope["auth_method"] = "token"
        else:
            cookie = _cookie(scope, SESSION_COOKIE)
            if cookie:
                user = await credentials.sessions.load(cookie)
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
