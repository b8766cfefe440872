"""Accounts over HTTP on a real database: register, log in and out, sessions, throttling,
blocking, API tokens and the CLI."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest

from civic.accounts import store as accounts
from civic.web.i18n import gettext
from civic.web.security import SESSION_COOKIE
from tests.helpers import PASSWORD, csrf_token, login, make_user, parse, post_form, send_json, text_of

GOOD = {
    "email": "somchai@example.com",
    "display_name": "สมชาย ใจดี",
    "password": "ทุ่งนาเขียวขจี 2569",
    "lang": "th",
}


def th(msgid: str, **params) -> str:
    return gettext("th", msgid, **params)


async def count_users(conn) -> int:
    return await conn.fetchval("SELECT count(*) FROM users")


def input_value(html: str, name: str) -> str | None:
    return parse(html).ids.get(f"field-{name}", {}).get("value")


def client_at(app, address: str) -> httpx.AsyncClient:
    """A browser whose connection comes from `address`."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)),
        base_url="http://testserver.local",
        follow_redirects=False,
    )


# ---------------------------------------------------------------- register


async def test_register_logs_in_and_me_returns_the_user(client, conn):
    r = await post_form(client, "/register", GOOD)
    assert r.status_code == 303, r.text[:300]
    assert r.headers["location"] == "/"
    assert client.cookies.get(SESSION_COOKIE)
    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == GOOD["email"]
    assert body["display_name"] == GOOD["display_name"]
    assert body["lang"] == "th"
    assert body["role"] == "citizen"
    # The password is stored as an argon2id hash, never as typed.
    stored = await conn.fetchval("SELECT password_hash FROM users WHERE email = $1", GOOD["email"])
    assert stored.startswith("$argon2id$") and GOOD["password"] not in stored
    # The welcome flash is shown (in Thai) on the next page.
    home = await client.get("/")
    assert th("Welcome! Your account is ready. We sent you an email: open its link to verify your address.") in text_of(
        home.text
    )


async def test_register_in_english_remembers_the_language(client, conn):
    r = await post_form(client, "/register", {**GOOD, "lang": "en"})
    assert r.status_code == 303
    assert client.cookies.get("lang") == "en"
    home = await client.get("/")
    assert '<html lang="en"' in home.text
    assert await conn.fetchval("SELECT lang FROM users") == "en"


async def test_duplicate_email_differs_only_in_case(client, conn):
    await make_user(conn, "Somchai@Example.COM")
    r = await post_form(client, "/register", GOOD)
    assert r.status_code == 400
    assert th("An account with this email already exists. Log in instead.") in text_of(r.text)
    assert '<html lang="th"' in r.text
    # What they typed comes back, except the password.
    assert input_value(r.text, "email") == GOOD["email"]
    assert input_value(r.text, "display_name") == GOOD["display_name"]
    assert GOOD["password"] not in r.text
    assert await count_users(conn) == 1
    assert not client.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize(
    ("field", "value", "msgid"),
    [
        ("email", "", "This field is required."),
        ("email", "   ", "This field is required."),
        ("email", "not-an-email", "Enter an email address like name@example.com."),
        ("email", "two@@example.com", "Enter an email address like name@example.com."),
        ("email", "no spaces@example.com", "Enter an email address like name@example.com."),
        ("email", "a" * 250 + "@example.com", "This is too long (at most %(max)s characters)."),
        ("email", "nul\x00@example.com", "This field contains characters that are not allowed."),
        ("display_name", "", "This field is required."),
        ("display_name", "ก" * 101, "This is too long (at most %(max)s characters)."),
        ("display_name", "สมชาย\x00", "This field contains characters that are not allowed."),
        ("display_name", "bell\x07", "This field contains characters that are not allowed."),
        ("display_name", "two\nlines", "This field contains characters that are not allowed."),
        ("password", "", "Use at least %(min)s characters for your password."),
        ("password", "1234567", "Use at least %(min)s characters for your password."),
        ("password", "x" * 129, "Use at most %(max)s characters for your password."),
        ("password", "pass\x00word-long", "This field contains characters that are not allowed."),
        ("lang", "fr", "Choose Thai or English."),
    ],
)
async def test_bad_registration_is_refused_in_thai_and_stores_nothing(client, conn, field, value, msgid):
    r = await post_form(client, "/register", {**GOOD, field: value})
    assert r.status_code == 400, r.text[:300]
    expected = th(msgid, min=8, max=254 if field == "email" else 100 if field == "display_name" else 128)
    assert expected in text_of(r.text)
    # The field is marked invalid for assistive technology.
    if field != "lang":
        assert parse(r.text).ids[f"field-{field}"].get("aria-invalid") == "true"
    if field != "email":
        assert input_value(r.text, "email") == GOOD["email"]
    assert await count_users(conn) == 0
    assert await conn.fetchval("SELECT count(*) FROM sessions") == 0


async def test_long_password_accepted_seven_refused(client, make_client, conn):
    long_password = "ฝนตกที่หาดใหญ่ " * 5  # 75 characters, Thai, spaces
    assert len(long_password) >= 64
    r = await post_form(client, "/register", {**GOOD, "password": long_password})
    assert r.status_code == 303
    other = await make_client()
    r = await post_form(other, "/login", {"email": GOOD["email"], "password": long_password})
    assert r.status_code == 303
    third = await make_client()
    r = await post_form(third, "/register", {**GOOD, "email": "b@example.com", "password": "7chars!"})
    assert r.status_code == 400
    assert await count_users(conn) == 1


async def test_json_registration_errors_have_codes(client, conn):
    r = await send_json(client, "POST", "/api/v1/accounts", {**GOOD, "email": "nope"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["field"] == "email"
    assert err["message"] == th("Enter an email address like name@example.com.")
    r = await send_json(client, "POST", "/api/v1/accounts", GOOD)
    assert r.status_code == 201
    assert r.json()["email"] == GOOD["email"]
    r = await send_json(client, "POST", "/api/v1/accounts", {**GOOD, "email": GOOD["email"].upper()})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate_email"
    r = await send_json(client, "POST", "/api/v1/accounts", {**GOOD, "email": "c@example.com", "extra": 1})
    assert 400 <= r.status_code < 500
    assert "code" in r.json()["error"]
    assert await count_users(conn) == 1


# ---------------------------------------------------------------- log in


async def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, conn):
    await make_user(conn, "a@example.com")
    wrong = await post_form(client, "/login", {"email": "a@example.com", "password": "wrong password"})
    unknown = await post_form(client, "/login", {"email": "zz@example.com", "password": "wrong password"})
    for r, email in ((wrong, "a@example.com"), (unknown, "zz@example.com")):
        assert r.status_code == 400
        assert th("The email or password is not correct.") in text_of(r.text)
        assert input_value(r.text, "email") == email
        assert "wrong password" not in r.text
    assert not client.cookies.get(SESSION_COOKIE)


@pytest.mark.parametrize(
    "email",
    ["a\x00@example.com", "a\x07@example.com", "line\nbreak@example.com", "a" * 5000 + "@example.com"],
)
async def test_login_with_unusable_email_is_a_generic_400_not_a_500(client, conn, email):
    await make_user(conn, "a@example.com")
    r = await post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert r.status_code == 400
    assert th("The email or password is not correct.") in text_of(r.text)
    assert "\x00" not in r.text
    # It still counts towards the per-address throttle.
    assert await conn.fetchval("SELECT count(*) FROM login_failures") == 1


async def test_login_is_case_insensitive_and_goes_to_next(client, conn):
    await make_user(conn, "Case@Example.com")
    r = await post_form(
        client, "/login", {"email": "case@example.COM", "password": PASSWORD, "next": "/organisations"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/organisations"
    assert (await client.get("/api/v1/me")).json()["email"] == "Case@Example.com"


async def test_session_id_rotates_at_login_planted_value_is_dropped(app, client, make_client, conn):
    await make_user(conn, "attacker@example.com")
    await make_user(conn, "victim@example.com")
    # The attacker gets a real session id of their own ...
    await login(client, "attacker@example.com")
    planted = client.cookies.get(SESSION_COOKIE)
    assert planted
    # ... and plants it in the victim's browser before the victim logs in.
    victim = await make_client()
    victim.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    assert (await victim.get("/api/v1/me")).json()["email"] == "attacker@example.com"
    await login(victim, "victim@example.com")
    after = victim.cookies.get(SESSION_COOKIE)
    assert after and after != planted
    assert (await victim.get("/api/v1/me")).json()["email"] == "victim@example.com"
    # The planted id no longer authenticates anyone.
    replay = await make_client()
    replay.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    assert (await replay.get("/api/v1/me")).status_code == 401
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM sessions WHERE token_hash = $1", accounts.hash_token(planted)
        )
        == 0
    )


async def test_an_invented_session_value_is_replaced_at_login(client, conn):
    await make_user(conn, "a@example.com")
    client.cookies.set(SESSION_COOKIE, "chosen-by-attacker", domain="testserver.local")
    assert (await client.get("/api/v1/me")).status_code == 401
    await login(client, "a@example.com")
    assert client.cookies.get(SESSION_COOKIE) not in (None, "", "chosen-by-attacker")


async def test_sessions_are_stored_hashed(client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    token = client.cookies.get(SESSION_COOKIE)
    row = await conn.fetchrow("SELECT * FROM sessions")
    assert row["token_hash"] == hashlib.sha256(token.encode()).digest()
    assert token not in str(dict(row))


async def test_logout_deletes_the_session_server_side(client, make_client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    old = client.cookies.get(SESSION_COOKIE)
    r = await post_form(client, "/logout")
    assert r.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM sessions") == 0
    replay = await make_client()
    replay.cookies.set(SESSION_COOKIE, old, domain="testserver.local")
    assert (await replay.get("/api/v1/me")).status_code == 401
    page = await replay.get("/account")
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=%2Faccount")


async def test_log_out_everywhere_ends_other_clients_sessions(client, make_client, conn):
    uid = await make_user(conn, "a@example.com")
    other_uid = await make_user(conn, "b@example.com")
    phone = await make_client()
    bystander = await make_client()
    await login(client, "a@example.com")
    await login(phone, "a@example.com")
    await login(bystander, "b@example.com")
    assert await accounts.count_sessions(conn, uid) == 2
    account = await client.get("/account")
    assert th("Devices where you are logged in: %(count)s", count=2) in text_of(account.text)
    r = await post_form(client, "/logout/everywhere")
    assert r.status_code == 303
    assert (await phone.get("/api/v1/me")).status_code == 401
    assert (await client.get("/api/v1/me")).status_code == 401
    assert await accounts.count_sessions(conn, uid) == 0
    # Someone else's session is untouched.
    assert (await bystander.get("/api/v1/me")).status_code == 200
    assert await accounts.count_sessions(conn, other_uid) == 1


# ---------------------------------------------------------------- throttling


async def test_sixth_try_for_one_account_from_one_address_is_throttled(app, conn):
    await make_user(conn, "a@example.com")
    async with client_at(app, "10.0.0.1") as c:
        for _ in range(5):
            r = await post_form(c, "/login", {"email": "a@example.com", "password": "wrong-guess"})
            assert r.status_code == 400
        # Even the right password waits: the pair (account, address) is over its limit.
        r = await post_form(c, "/login", {"email": "A@example.com", "password": PASSWORD})
        assert r.status_code == 429
        assert 0 < int(r.headers["retry-after"]) <= 60
        assert th("Too many attempts. Please wait a minute and try again.") in text_of(r.text)
        assert not c.cookies.get(SESSION_COOKIE)
        # Another account from the same address is not affected.
        await make_user(conn, "b@example.com")
        assert (await login(c, "b@example.com")).status_code == 303
    # A minute later it works again.
    await conn.execute(
        "UPDATE login_throttle SET window_start = window_start - interval '61 seconds', next_at = now()"
    )
    async with client_at(app, "10.0.0.1") as c:
        assert (await login(c, "a@example.com")).status_code == 303


async def test_twenty_first_try_from_one_address_is_throttled_for_any_account(app, conn):
    await make_user(conn, "real@example.com")
    async with client_at(app, "192.0.2.7") as c:
        for i in range(20):
            r = await post_form(c, "/login", {"email": f"guess{i}@example.com", "password": "wrong-guess"})
            assert r.status_code == 400
        r = await post_form(c, "/login", {"email": "real@example.com", "password": PASSWORD})
        assert r.status_code == 429
        assert th("Too many attempts. Please wait a minute and try again.") in text_of(r.text)
    async with client_at(app, "192.0.2.8") as c:
        assert (await login(c, "real@example.com")).status_code == 303


async def test_five_failures_are_not_yet_throttled(app, conn):
    await make_user(conn, "a@example.com")
    async with client_at(app, "198.51.100.1") as c:
        for _ in range(4):
            await post_form(c, "/login", {"email": "a@example.com", "password": "wrong-guess"})
        # The fifth try is still answered normally; the sixth, even with the right password, is not.
        r = await post_form(c, "/login", {"email": "a@example.com", "password": "wrong-guess"})
        assert r.status_code == 400
        r = await post_form(c, "/login", {"email": "a@example.com", "password": PASSWORD})
        assert r.status_code == 429


async def test_forwarded_for_is_ignored_without_trusted_proxies(app, conn):
    """Otherwise a client could dodge the per-address counter by inventing headers."""
    async with client_at(app, "203.0.113.5") as c:
        for i in range(5):
            await post_form(
                c,
                "/login",
                {"email": "x@example.com", "password": "wrong-guess"},
                headers={"x-forwarded-for": f"10.9.9.{i}"},
            )
        r = await post_form(
            c,
            "/login",
            {"email": "x@example.com", "password": "wrong-guess"},
            headers={"x-forwarded-for": "10.9.9.200"},
        )
        assert r.status_code == 429


# ---------------------------------------------------------------- blocked accounts


async def test_blocked_account_cannot_log_in_and_its_sessions_stop(client, make_client, conn):
    uid = await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    _, token = await accounts.create_api_token(conn, uid, "app")
    await accounts.set_status(conn, uid, "blocked")
    assert (await client.get("/api/v1/me")).status_code == 401
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    fresh = await make_client()
    r = await post_form(fresh, "/login", {"email": "a@example.com", "password": PASSWORD})
    assert r.status_code == 403
    assert th("This account has been blocked.") in text_of(r.text)
    assert not fresh.cookies.get(SESSION_COOKIE)


async def test_status_blocked_alone_stops_an_existing_session(client, conn):
    """Even if sessions were not deleted (e.g. a manual UPDATE), blocked means anonymous."""
    uid = await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    await conn.execute("UPDATE users SET status = 'blocked' WHERE id = $1", uid)
    assert (await client.get("/api/v1/me")).status_code == 401


# ---------------------------------------------------------------- API tokens


async def _create_token(client, name="my app") -> str:
    r = await post_form(client, "/account/tokens", {"name": name})
    assert r.status_code == 201, r.text[:300]
    token_el = parse(r.text).ids.get("new-token")
    assert token_el is not None
    token = text_of(r.text.split('id="new-token">', 1)[1].split("</code>", 1)[0])
    assert token.startswith("civ_") and len(token) > 30
    return token


async def test_api_token_shown_once_stored_hashed_and_works_as_bearer(client, make_client, conn):
    uid = await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    token = await _create_token(client)
    row = await conn.fetchrow("SELECT * FROM api_tokens WHERE user_id = $1", uid)
    assert row["token_hash"] == hashlib.sha256(token.encode()).digest()
    assert row["name"] == "my app"
    assert token not in str(dict(row))
    # Shown once: the account page does not show it again.
    again = await client.get("/account")
    assert token not in again.text and "my app" in again.text
    app_client = await make_client()
    r = await app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["email"] == "a@example.com"
    assert await conn.fetchval("SELECT last_used_at IS NOT NULL FROM api_tokens WHERE id = $1", row["id"])


async def test_revoked_token_gets_401_json(client, make_client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    token = await _create_token(client)
    token_id = await conn.fetchval("SELECT id FROM api_tokens")
    r = await post_form(client, f"/account/tokens/{token_id}/revoke")
    assert r.status_code == 303
    app_client = await make_client()
    r = await app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["code"] == "invalid_token"
    assert r.json()["error"]["message"] == th("The API token is not valid.")
    # A bad bearer token never falls back to the session cookie.
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_revoking_someone_elses_token_is_404(client, conn):
    other = await make_user(conn, "other@example.com")
    token_id, token = await accounts.create_api_token(conn, other, "theirs")
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    r = await post_form(client, f"/account/tokens/{token_id}/revoke")
    assert r.status_code == 404
    assert th("We could not find that token.") in text_of(r.text)
    assert await accounts.user_for_api_token(conn, token) is not None


async def test_over_long_token_name_is_refused(client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    r = await post_form(client, "/account/tokens", {"name": "n" * 101})
    assert r.status_code == 400
    assert th("This is too long (at most %(max)s characters).", max=100) in text_of(r.text)
    assert await conn.fetchval("SELECT count(*) FROM api_tokens") == 0


async def test_bearer_post_needs_no_csrf_but_cookie_post_does(client, make_client, conn):
    uid = await make_user(conn, "a@example.com")
    _, token = await accounts.create_api_token(conn, uid, "app")
    app_client = await make_client()
    r = await app_client.post(
        "/lang", data={"lang": "en", "next": "/"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 303
    assert await conn.fetchval("SELECT lang FROM users WHERE id = $1", uid) == "en"
    # The same POST carried by the session cookie without the token is refused.
    await login(client, "a@example.com")
    r = await client.post("/lang", data={"lang": "th", "next": "/"})
    assert r.status_code == 403
    assert await conn.fetchval("SELECT lang FROM users WHERE id = $1", uid) == "en"
    # A wrong token is refused too, a right one accepted.
    r = await client.post("/lang", data={"lang": "th", "_csrf_token": "forged"})
    assert r.status_code == 403
    r = await client.post("/lang", data={"lang": "th", "_csrf_token": await csrf_token(client)})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT lang FROM users WHERE id = $1", uid) == "th"


# ---------------------------------------------------------------- language


async def test_language_switch_is_remembered_by_cookie_and_account(client, conn):
    r = await post_form(client, "/lang", {"lang": "en", "next": "/login"})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = await client.get("/login")
    assert '<html lang="en"' in page.text and "Log in" in text_of(page.text)
    uid = await make_user(conn, "a@example.com", lang="en")
    await login(client, "a@example.com")
    await post_form(client, "/lang", {"lang": "th", "next": "/"})
    assert await conn.fetchval("SELECT lang FROM users WHERE id = $1", uid) == "th"
    # The account's choice wins over a stale cookie.
    client.cookies.set("lang", "en", domain="testserver.local")
    assert '<html lang="th"' in (await client.get("/")).text


async def test_language_switch_refuses_foreign_next(client):
    r = await post_form(client, "/lang", {"lang": "en", "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"


# ---------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(monkeypatch, db_url, tmp_path):
    from civic.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123456789-0123456789")
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def test_cli_create_user_and_create_token(cli_env, client, conn, capsys):
    from civic.__main__ import main

    code = await asyncio.to_thread(
        main,
        [
            "create-user",
            "--email",
            "admin@example.go.th",
            "--password",
            "a long admin phrase",
            "--role",
            "admin",
        ],
    )
    assert code == 0
    row = await conn.fetchrow("SELECT role, password_hash FROM users WHERE email = 'admin@example.go.th'")
    assert row["role"] == "admin" and row["password_hash"].startswith("$argon2id$")
    await login(client, "admin@example.go.th", "a long admin phrase")
    assert (await client.get("/api/v1/me")).json()["role"] == "admin"

    # Same email again (other case): refused, nothing added.
    code = await asyncio.to_thread(
        main, ["create-user", "--email", "ADMIN@example.go.th", "--password", "another long phrase"]
    )
    assert code == 1
    # A short password: refused by the same rules as the web form.
    code = await asyncio.to_thread(main, ["create-user", "--email", "x@example.com", "--password", "short"])
    assert code == 2
    assert await count_users(conn) == 1

    capsys.readouterr()
    code = await asyncio.to_thread(main, ["create-token", "admin@example.go.th"])
    assert code == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("civ_")
    fresh = httpx.AsyncClient(transport=client._transport, base_url="http://testserver.local")
    async with fresh:
        r = await fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["email"] == "admin@example.go.th"
    assert await conn.fetchval("SELECT count(*) FROM api_tokens WHERE name = 'cli'") == 1

    code = await asyncio.to_thread(main, ["create-token", "nobody@example.com"])
    assert code == 1


async def test_the_account_page_has_a_json_twin_listing_and_revoking_tokens(client, make_client, conn):
    other = await make_user(conn, "other@example.com")
    their_id, _ = await accounts.create_api_token(conn, other, "theirs")
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    token = await _create_token(client)
    listed = (await client.get("/api/v1/me/account")).json()
    assert [t["name"] for t in listed["tokens"]] == ["my app"] and listed["session_count"] == 1
    assert token not in str(listed)  # the secret is shown once, at creation only
    mine = listed["tokens"][0]["id"]
    # revoking over the API needs the CSRF token like any other unsafe request from a session
    assert (await send_json(client, "DELETE", f"/api/v1/me/tokens/{their_id}")).status_code == 404
    assert (await send_json(client, "DELETE", f"/api/v1/me/tokens/{mine}")).status_code == 204
    assert (await client.get("/api/v1/me/account")).json()["tokens"] == []
    r = await (await make_client()).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert (await (await make_client()).get("/api/v1/me/account")).status_code == 401
