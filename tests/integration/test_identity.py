"""Identity levels against the real database: the national ID, TOTP (enrol, the login code step,
the throttle, recovery codes, staff forced to enrol), and OpenID Connect against a real provider
(oidc-provider-mock, started here on a free port): the whole code flow with PKCE and nonce."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
import pytest
from oidc_provider_mock import run_server_in_thread

from civic.settings import load_settings
from tests.helpers import PASSWORD, login, make_user, post_form, send_json

VALID_ID = "1-1012-00001-23-8"


def _valid(s: str) -> bool:
    from civic import thai

    return thai.valid_thai_id(s)


async def test_national_id_verify_duplicate_and_check_digit(client, make_client, conn):
    assert _valid(VALID_ID)
    await make_user(conn, "a@example.com")
    await make_user(conn, "b@example.com")
    await login(client, "a@example.com")
    bad = await post_form(client, "/account/identity/national-id", {"national_id": "1101200001230"})
    assert bad.status_code == 422 and "เลขตรวจสอบ" in bad.text  # "check digit", in Thai
    assert await conn.fetchval("SELECT national_id_hash FROM users WHERE email = 'a@example.com'") is None
    ok = await post_form(client, "/account/identity/national-id", {"national_id": VALID_ID})
    assert ok.status_code == 303
    row = await conn.fetchrow("SELECT national_id_hash, id_verified_at FROM users WHERE email = 'a@example.com'")
    assert row["id_verified_at"] is not None and len(row["national_id_hash"]) == 32
    assert b"1101200001238" not in row["national_id_hash"]
    other = await make_client()
    await login(other, "b@example.com")
    # The same ID with Thai digits and spaces: refused, naming no other account.
    thai_form = "๑ ๑๐๑๒ ๐๐๐๐๑ ๒๓ ๘"
    dup = await send_json(other, "POST", "/api/v1/me/national-id", {"national_id": thai_form})
    assert dup.status_code == 409
    message = dup.json()["error"]["message"]
    assert "a@example.com" not in message and "another account" in message.lower() or "บัญชีอื่น" in message
    assert await conn.fetchval("SELECT id_verified_at FROM users WHERE email = 'b@example.com'") is None
    me = await send_json(client, "GET", "/api/v1/me/identity")
    assert me.json()["id_verified"] is True


async def _enrol(client) -> tuple[str, list[str]]:
    setup = await send_json(client, "POST", "/api/v1/me/totp")
    assert setup.status_code == 201, setup.text
    secret = setup.json()["secret"]
    assert setup.json()["qr_svg"].startswith("<svg")
    confirmed = await send_json(client, "POST", "/api/v1/me/totp/confirm", {"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 201, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def _code_for_next_step(secret: str) -> str:
    """A code not yet used: the one of the next 30-second step (inside the accepted window)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


async def test_totp_enrol_login_throttle_and_recovery(client, make_client, conn):
    await make_user(conn, "t@example.com")
    await login(client, "t@example.com")
    secret, recovery = await _enrol(client)
    assert len(recovery) == 10
    assert await conn.fetchval("SELECT count(*) FROM totp_recovery_codes") == 10
    stored = await conn.fetchval("SELECT secret FROM totp_credentials")
    assert secret not in stored  # encrypted at rest
    kinds = [r["kind"] for r in await conn.fetch("SELECT kind FROM events WHERE kind LIKE 'identity.%'")]
    assert kinds == ["identity.totp_enabled"]

    # The password alone now leads to the code step, with no session yet.
    browser = await make_client()
    step = await post_form(browser, "/login", {"email": "t@example.com", "password": PASSWORD})
    assert step.status_code == 303 and step.headers["location"] == "/login/code"
    assert (await send_json(browser, "GET", "/api/v1/me")).status_code == 401
    # Wrong codes are counted; the sixth is refused unchecked, even a right one.
    for _ in range(5):
        wrong = await post_form(browser, "/login/code", {"code": "000000"})
        assert wrong.status_code == 400
    throttled = await post_form(browser, "/login/code", {"code": _code_for_next_step(secret)})
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    assert (await send_json(browser, "GET", "/api/v1/me")).status_code == 401
    await conn.execute("DELETE FROM totp_failures")

    # A recovery code works once.
    ok = await post_form(browser, "/login/code", {"code": recovery[0].upper()})
    assert ok.status_code == 303
    assert (await send_json(browser, "GET", "/api/v1/me")).status_code == 200
    again = await make_client()
    await post_form(again, "/login", {"email": "t@example.com", "password": PASSWORD})
    reused = await post_form(again, "/login/code", {"code": recovery[0]})
    assert reused.status_code == 400
    good = await post_form(again, "/login/code", {"code": _code_for_next_step(secret)})
    assert good.status_code == 303
    assert (await send_json(again, "GET", "/api/v1/me")).status_code == 200
    # The same code a second time is spent.
    third = await make_client()
    await post_form(third, "/login", {"email": "t@example.com", "password": PASSWORD})
    assert (await post_form(third, "/login/code", {"code": _code_for_next_step(secret)})).status_code == 400

    # Turning it off needs a code.
    off = await send_json(client, "POST", "/api/v1/me/totp/disable", {"code": "123456"})
    assert off.status_code == 400
    off = await send_json(client, "POST", "/api/v1/me/totp/disable", {"code": recovery[1]})
    assert off.status_code == 201 and off.json()["totp_enabled"] is False


@pytest.fixture
def required_settings(tmp_path, db_url):
    return load_settings({
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": db_url, "CIVIC_DATA_DIR": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RUN_RELAY": "false", "RUN_SCHEDULER": "false", "STAFF_TOTP_REQUIRED": "true",
    })  # fmt: skip


async def test_admin_is_sent_to_enrol(required_settings, pool, search_pool, conn):
    from civic.app import create_app

    app = create_app(required_settings, pool=pool, search_pool=search_pool)
    await make_user(conn, "admin@example.com", role="admin")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        await login(browser, "admin@example.com")
        staff = await browser.get("/moderation")
        assert staff.status_code == 303 and staff.headers["location"] == "/account/identity"
        api = await browser.get("/api/v1/me")
        assert api.status_code == 403 and api.json()["error"]["code"] == "second_factor_required"
        page = await browser.get("/account/identity")
        assert page.status_code == 200 and "Moderators" in page.text or "ผู้ดูแล" in page.text
        await _enrol(browser)
        assert (await browser.get("/moderation")).status_code == 200
        # Required for staff: it cannot be switched off.
        secret = None
        off = await send_json(browser, "POST", "/api/v1/me/totp/disable", {"code": "000000"})
        assert off.status_code == 403 and secret is None


# ------------------------------------------------------------------ OpenID Connect


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
async def oidc_client(provider, tmp_path, db_url, pool, search_pool):
    from civic.app import create_app

    async with httpx.AsyncClient() as outside:
        registered = await outside.post(
            provider + "/oauth2/clients", json={"redirect_uris": ["http://testserver/login/oidc/callback"]}
        )
    registered.raise_for_status()
    client_info = registered.json()
    settings = load_settings({
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": db_url, "CIVIC_DATA_DIR": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RUN_RELAY": "false", "RUN_SCHEDULER": "false", "BASE_URL": "http://testserver",
        "OIDC_ISSUER": provider, "OIDC_CLIENT_ID": client_info["client_id"],
        "OIDC_CLIENT_SECRET": client_info["client_secret"], "OIDC_PROVIDER_NAME": "ThaiD test",
    })  # fmt: skip
    app = create_app(settings, pool=pool, search_pool=search_pool)

    def factory():
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    return factory


async def _authorise(browser, provider: str, sub: str, start: str = "/login/oidc", method: str = "GET") -> str:
    """Starts the flow in the app, consents at the real provider as `sub`; the callback URL."""
    if method == "POST":
        started = await post_form(browser, start, {})
    else:
        started = await browser.get(start)
    assert started.status_code == 303, started.text[:300]
    auth_url = started.headers["location"]
    query = parse_qs(urlparse(auth_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    async with httpx.AsyncClient() as outside:
        consent = await outside.post(auth_url, data={"sub": sub})
    assert consent.status_code == 302, consent.text[:300]
    return consent.headers["location"]


async def _set_user(provider: str, sub: str, claims: dict) -> None:
    async with httpx.AsyncClient() as outside:
        (await outside.put(f"{provider}/users/{sub}", json=claims)).raise_for_status()


async def _callback(browser, url: str):
    parts = urlparse(url)
    return await browser.get(parts.path + "?" + parts.query)


async def test_oidc_new_account_and_replayed_state(oidc_client, provider, conn):
    await _set_user(provider, "sub-new", {"email": "new@example.com", "email_verified": True, "name": "สมชาย"})
    async with oidc_client() as browser:
        assert "ThaiD test" in (await browser.get("/login")).text
        callback = await _authorise(browser, provider, "sub-new")
        done = await _callback(browser, callback)
        assert done.status_code == 303, done.text[:500]
        me = (await browser.get("/api/v1/me")).json()
        assert me["email"] == "new@example.com" and me["email_verified"] is True and me["display_name"] == "สมชาย"
        # The same state again: refused, nothing changed.
        users = await conn.fetchval("SELECT count(*) FROM users")
        replay = await _callback(browser, callback)
        assert replay.status_code == 400 and "already been used" in replay.text or "ใช้ไปแล้ว" in replay.text
        assert await conn.fetchval("SELECT count(*) FROM users") == users
    async with oidc_client() as again:  # the linked identity logs in
        await _callback(again, await _authorise(again, provider, "sub-new"))
        assert (await again.get("/api/v1/me")).json()["email"] == "new@example.com"


async def test_oidc_expired_state_and_wrong_nonce(oidc_client, provider, conn):
    async with oidc_client() as browser:
        callback = await _authorise(browser, provider, "sub-nonce")
        await conn.execute("UPDATE oidc_flows SET nonce = 'not-the-one-sent'")
        refused = await _callback(browser, callback)
        assert refused.status_code == 400 and "could not be verified" in refused.text or "ตรวจสอบ" in refused.text
        assert await conn.fetchval("SELECT count(*) FROM oidc_identities") == 0
        callback = await _authorise(browser, provider, "sub-nonce")
        await conn.execute("UPDATE oidc_flows SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        expired = await _callback(browser, callback)
        assert expired.status_code == 400 and "expired" in expired.text or "หมดอายุ" in expired.text
        assert await conn.fetchval("SELECT count(*) FROM oidc_identities") == 0


async def test_oidc_linking_needs_verified_email_and_confirmation(oidc_client, provider, conn):
    await make_user(conn, "owner@example.com", verified=False)
    await _set_user(provider, "sub-owner", {"email": "owner@example.com", "email_verified": True})
    async with oidc_client() as stranger:  # not logged in: never merged into the existing account
        refused = await _callback(stranger, await _authorise(stranger, provider, "sub-owner"))
        assert refused.status_code == 409
        assert (await stranger.get("/api/v1/me")).status_code == 401
    async with oidc_client() as owner:
        await login(owner, "owner@example.com")
        unverified = await _callback(owner, await _authorise(owner, provider, "sub-owner", "/account/oidc/link", "POST"))
        assert unverified.status_code == 403
        await conn.execute("UPDATE users SET email_verified_at = now() WHERE email = 'owner@example.com'")
        pending = await _callback(owner, await _authorise(owner, provider, "sub-owner", "/account/oidc/link", "POST"))
        assert pending.status_code == 303 and pending.headers["location"].startswith("/account/oidc/link/")
        assert await conn.fetchval("SELECT count(*) FROM oidc_identities") == 0  # not before confirming
        confirm_page = await owner.get(pending.headers["location"])
        assert confirm_page.status_code == 200
        confirmed = await post_form(owner, pending.headers["location"], {})
        assert confirmed.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM oidc_identities") == 1
    async with oidc_client() as later:
        await _callback(later, await _authorise(later, provider, "sub-owner"))
        assert (await later.get("/api/v1/me")).json()["email"] == "owner@example.com"
