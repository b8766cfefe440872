"""Per-request security: who is asking, CSRF, headers, and which client address to trust."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from civic.accounts import store as accounts
from civic.web.errors import ClientError
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


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser writes it in Origin (default ports left out)."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        return ""
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF for cookie-authenticated and anonymous unsafe requests, in depth:

    * Origin (or, without it, Referer) must name BASE_URL; `Origin: null` (a sandboxed frame, a
      data: URL) is refused too. A request with neither header (a non-browser client) still
      needs the token.
    * The token is bound to the session: it is a nonce signed together with the session cookie,
      so a cookie-and-token pair planted from another browser (or from before login) fails. A
      response that sets or clears the session cookie (login, register, logout, a new password)
      carries a new token for the new session.

    Browsers never attach an Authorization header on their own, so a request carrying a bearer
    token cannot be a cross-site forgery and skips all of this. Routes marked
    exclude_from_csrf (the RFC 8058 one-click unsubscribe, whose signed URL is the credential)
    skip it too."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            # Static files are served without looking up the session (AuthMiddleware), so a token
            # minted here would be bound to no session and replace the page's good one: every form
            # on a page whose stylesheet loaded after it would then be refused as expired.
            or scope["path"].startswith("/static/")
            or scope.get("auth_method") == "token"
            or should_bypass_middleware(
                scope=scope,
                scopes=self.scopes,
                exclude_opt_key=self.config.exclude_from_csrf_key,
                exclude_path_pattern=self.exclude,
            )
        ):
            await self.app(scope, receive, send)
            return
        request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        binding = _cookie(scope, SESSION_COOKIE) if scope.get("auth_method") == "session" else ""
        cookie = request.cookies.get(self.config.cookie_name)
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            token = cookie if cookie and self._bound(cookie, binding) else self._new_token(binding)
            state.csrf_token = token
            await self.app(scope, receive, self._rebinding(send, None if token == cookie else token))
            return
        base = request.app.state.settings.base_url
        if not self._same_origin(request, origin_of(base)):
            raise ClientError(
                403,
                "cross_origin",
                "This request came from another site, so it was refused. Open %(site)s, reload the page "
                "and try again.",
                site=base,
            )
        submitted = request.headers.get(self.config.header_name)
        if not submitted and request.content_type[0] in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            submitted = (await request.form()).get("_csrf_token")
        if not (
            isinstance(submitted, str)
            and cookie
            and secrets.compare_digest(submitted, cookie)
            and self._bound(cookie, binding)
        ):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = submitted
        await self.app(scope, receive, self._rebinding(send, None))

    @staticmethod
    def _same_origin(request: Request, expected: str) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            return referer is None or origin_of(referer) == expected
        return origin == expected

    def _sign(self, nonce: str, binding: str) -> str:
        message = f"{nonce}|{binding}".encode()
        return hmac.new(self.config.secret.encode(), message, hashlib.sha256).hexdigest()

    def _new_token(self, binding: str) -> str:
        nonce = secrets.token_hex(32)
        return nonce + self._sign(nonce, binding)

    def _bound(self, token: str, binding: str) -> bool:
        nonce, signature = token[:64], token[64:]
        return len(nonce) == 64 and secrets.compare_digest(signature, self._sign(nonce, binding))

    def _rebinding(self, send: Send, token: str | None) -> Send:
        """Set the CSRF cookie to `token` (a new one for this request's binding), or to a token
        for the new session when the response sets or clears the session cookie."""

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                session = _session_set_by(headers.getall("set-cookie", []))
                new = self._new_token(session) if session is not None else token
                if new is not None:
                    self._set_cookie_if_needed(message=message, token=new)
            await send(message)

        return wrapped


def _session_set_by(set_cookies: list[str]) -> str | None:
    """The session value a response sets ("" when it clears it), or None if it leaves it."""
    for header in set_cookies:
        jar = SimpleCookie()
        jar.load(header)
        if SESSION_COOKIE in jar:
            morsel = jar[SESSION_COOKIE]
            return "" if morsel["max-age"] in ("0", 0) or not morsel.value else morsel.value
    return None


def current_ip(request: Request) -> str:
    settings = request.app.state.settings
    return client_ip(request.scope, settings.trusted_proxies)
