"""Security basics on every route: CSRF from the route table, headers, redirects, body size,
autoescaping."""

from __future__ import annotations

import re

import httpx
import pytest

from civic.settings import load_settings
from civic.web.i18n import gettext
from civic.web.security import SESSION_COOKIE
from tests.helpers import login, make_user, post_form, send_json, text_of

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PATH_PARAM = re.compile(r"\{[^}]+\}")


def unsafe_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) for every unsafe method on every HTTP route, path params filled with 1."""
    found = set()
    for route in app.routes:
        for method in getattr(route, "methods", ()):
            if method in UNSAFE:
                found.add((method, PATH_PARAM.sub("1", route.path)))
    return sorted(found)


def test_route_table_is_read(app):
    routes = unsafe_routes(app)
    # The foundation's own unsafe routes must be among them, so the CSRF test cannot pass empty.
    for expected in [
        ("POST", "/login"),
        ("POST", "/register"),
        ("POST", "/logout"),
        ("POST", "/logout/everywhere"),
        ("POST", "/lang"),
        ("POST", "/account/tokens"),
        ("POST", "/account/tokens/1/revoke"),
        ("POST", "/api/v1/accounts"),
    ]:
        assert expected in routes
    # Every controller civic/registry.py lists is served.
    from civic.registry import CONTROLLERS

    owners = {
        type(h.fn.__self__)
        for route in app.routes
        for h in getattr(route, "route_handlers", ())
        if hasattr(h.fn, "__self__")
    }
    assert set(CONTROLLERS) <= owners


# RFC 8058 one-click unsubscribe: a mail client POSTs with no cookie and no CSRF token, so the
# signed token in the path is the credential (test_notifications.py: forged and other accounts'
# links are refused and change nothing).
CSRF_EXEMPT = {("POST", "/unsubscribe/1")}


async def test_every_unsafe_route_refuses_a_cookie_request_without_csrf_token(app, client, conn):
    await make_user(conn, "csrf@example.com", role="admin")
    await login(client, "csrf@example.com")
    assert client.cookies.get(SESSION_COOKIE)
    assert client.cookies.get("civic_csrf"), "the browser holds the CSRF cookie, just not the token"
    failures = []
    for method, path in unsafe_routes(app):
        if (method, path) in CSRF_EXEMPT:
            continue
        for kind, kwargs in (
            ("form", {"data": {"x": "1"}}),
            ("json", {"json": {"x": "1"}}),
            ("form+wrong", {"data": {"x": "1", "_csrf_token": "forged"}}),
            ("json+wrong", {"json": {"x": 1}, "headers": {"x-csrftoken": "forged"}}),
        ):
            r = await client.request(method, path, **kwargs)
            if r.status_code != 403:
                failures.append(f"{method} {path} ({kind}) -> {r.status_code}")
            elif path.startswith("/api/"):
                if r.json()["error"]["code"] != "csrf_failed":
                    failures.append(f"{method} {path} ({kind}) -> {r.json()}")
    assert not failures, "unsafe routes without CSRF protection:\n" + "\n".join(failures)
    # Still logged in: none of those requests changed anything about the session.
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_csrf_refusal_is_a_localized_page(client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    r = await client.post("/logout/everywhere", data={})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert gettext("th", "This form has expired. Go back, reload the page and try again.") in text_of(r.text)
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_anonymous_post_without_token_is_refused_too(client, conn):
    r = await client.post(
        "/register", data={"email": "a@example.com", "display_name": "a", "password": "x" * 10}
    )
    assert r.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM users") == 0


# ---------------------------------------------------------------- headers


def assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers.get("content-security-policy", "")
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src") or directives.get("default-src", "")
    assert script_src, csp
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, csp
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", csp
    assert directives.get("object-src") == "object-src 'none'", csp
    assert r.headers.get("x-content-type-options") == "nosniff"
    assert r.headers.get("referrer-policy") in (
        "strict-origin-when-cross-origin",
        "no-referrer",
        "same-origin",
    )
    # One copy of each, even when a handler set its own.
    assert len(r.headers.get_list("content-security-policy")) == 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/login", 200),
        ("GET", "/static/css/civic.css", 200),
        ("GET", "/api/v1/health", 200),
        ("GET", "/schema/openapi.json", 200),
        ("GET", "/no-such-page", 404),
        ("GET", "/api/v1/nope", 404),
        ("GET", "/static/nope.css", 404),
        ("GET", "/api/v1/me", 401),
        ("GET", "/account", 303),
        ("PUT", "/login", 405),
        ("POST", "/logout", 403),
    ],
)
async def test_security_headers_everywhere(client, method, path, status):
    r = await client.request(method, path)
    assert r.status_code == status
    assert_security_headers(r)


async def test_security_headers_on_bearer_401_and_413(app, client, pool, tmp_path):
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer civ_not-a-token"})
    assert r.status_code == 401
    assert_security_headers(r)
    async with _small_body_client(pool, tmp_path) as small:
        r = await send_json(small, "POST", "/api/v1/accounts", {"email": "x" * 5000})
        assert r.status_code == 413
        assert_security_headers(r)


async def test_no_inline_script_in_pages(client):
    for path in ("/", "/login", "/register", "/no-such-page"):
        html = (await client.get(path)).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script on {path}: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline handler on {path}"
        assert "style=" not in html


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    "next_",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
async def test_login_redirects_only_to_local_paths(client, conn, next_):
    await make_user(conn, "a@example.com")
    page = await client.get("/login", params={"next": next_})
    assert page.status_code == 200
    assert "evil.example" not in page.text and "javascript:" not in page.text
    r = await post_form(
        client, "/login", {"email": "a@example.com", "password": "correct horse battery", "next": next_}
    )
    assert r.status_code == 303
    location = r.headers["location"]
    assert location == "/start", location  # where /start sends a citizen: the home page


async def test_login_keeps_a_local_next(client, conn):
    await make_user(conn, "a@example.com")
    page = await client.get("/login", params={"next": "/account?tab=tokens"})
    assert 'value="/account?tab=tokens"' in page.text
    r = await post_form(
        client,
        "/login",
        {"email": "a@example.com", "password": "correct horse battery", "next": "/account?tab=tokens"},
    )
    assert r.headers["location"] == "/account?tab=tokens"


# ---------------------------------------------------------------- body size


class _small_body_client:
    """A client on an app whose MAX_BODY_BYTES is 2000, sharing the test's pool."""

    def __init__(self, pool, tmp_path) -> None:
        from civic.app import create_app

        settings = load_settings(
            {
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "CIVIC_DATA_DIR": str(tmp_path),
                "MAX_BODY_BYTES": "2000",
                "RUN_RELAY": "false",
                "RUN_SCHEDULER": "false",
            }
        )
        assert settings.max_body_bytes == 2000
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, pool=pool)),
            base_url="http://testserver.local",
        )

    async def __aenter__(self) -> httpx.AsyncClient:
        return await self.client.__aenter__()

    async def __aexit__(self, *exc) -> None:
        await self.client.__aexit__(*exc)


async def test_oversize_json_is_413_with_a_json_message(pool, tmp_path, conn):
    async with _small_body_client(pool, tmp_path) as c:
        r = await send_json(
            c,
            "POST",
            "/api/v1/accounts",
            {"email": "a@example.com", "display_name": "ก" * 3000, "password": "x" * 10},
        )
        assert r.status_code == 413
        err = r.json()["error"]
        assert err["code"] == "too_large"
        assert err["message"] == gettext("th", "The upload is too large.")
        # Just under the limit goes through to validation as usual.
        r = await send_json(
            c,
            "POST",
            "/api/v1/accounts",
            {"email": "a@example.com", "display_name": "ok", "password": "x" * 10},
        )
        assert r.status_code == 201
    assert await conn.fetchval("SELECT count(*) FROM users") == 1


async def test_oversize_form_is_413_with_a_page(pool, tmp_path, conn):
    async with _small_body_client(pool, tmp_path) as c:
        r = await post_form(
            c, "/register", {"email": "a@example.com", "display_name": "x" * 5000, "password": "y" * 10}
        )
        assert r.status_code == 413
        assert r.headers["content-type"].startswith("text/html")
        text = text_of(r.text)
        assert gettext("th", "Too large") in text
        assert gettext("th", "The upload is too large.") in text
        # English readers get English.
        c.cookies.set("lang", "en", domain="testserver.local")
        r = await post_form(
            c, "/register", {"email": "a@example.com", "display_name": "x" * 5000, "password": "y" * 10}
        )
        assert r.status_code == 413 and "The upload is too large." in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_oversize_chunked_body_without_length_is_413(pool, tmp_path):
    async def chunks():
        for _ in range(10):
            yield b"x" * 1000

    async with _small_body_client(pool, tmp_path) as c:
        token = (await c.get("/login")).cookies.get("civic_csrf")
        r = await c.post(
            "/api/v1/accounts",
            content=chunks(),
            headers={"content-type": "application/json", "x-csrftoken": token},
        )
        assert r.status_code == 413


# ---------------------------------------------------------------- escaping


async def test_display_name_with_markup_is_escaped(client, conn):
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await make_user(conn, "xss@example.com", name=name)
    await login(client, "xss@example.com")
    for path in ("/", "/account"):
        html = (await client.get(path)).text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
            or "&lt;script&gt;alert(&quot;x&quot;)" in html
        )


async def test_register_echo_is_escaped(client, conn):
    r = await post_form(
        client,
        "/register",
        {
            "email": '"><script>alert(1)</script>',
            "display_name": "<b>bold</b>",
            "password": "x",
            "lang": "th",
        },
    )
    assert r.status_code == 400
    assert "<script>alert(1)" not in r.text and "<b>bold</b>" not in r.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in r.text
