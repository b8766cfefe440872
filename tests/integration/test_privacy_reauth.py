"""Erasure confirmed by a fresh sign-in instead of the password (an account opened through an
identity provider knows none), and by the two-step login code when that is on; every refusal
names its field and changes nothing."""

from __future__ import annotations

from urllib.parse import quote

from civic.accounts import store as accounts
from tests.helpers import PASSWORD, login, make_user, parse, post_form, send_json, text_of
from tests.integration.test_identity import _code_for_next_step, _enrol


async def _age_sessions(conn, uid: int, minutes: int) -> None:
    await conn.execute(
        "UPDATE sessions SET created_at = now() - make_interval(mins => $2) WHERE user_id = $1", uid, minutes
    )


async def _status(conn, uid: int) -> str:
    return await conn.fetchval("SELECT status FROM users WHERE id = $1", uid)


async def test_a_fresh_sign_in_stands_in_for_the_password(client, conn):
    uid = await make_user(conn, "fresh@example.org")
    await login(client, "fresh@example.org")
    page = await client.get("/account/erase")
    assert page.status_code == 200 and "fresh-login" in parse(page.text).ids
    twin = await client.get("/api/v1/me/erasure")
    assert twin.json() == {"fresh_login": True, "code_needed": False, "provider_login": False}
    r = await send_json(client, "DELETE", "/api/v1/me", {"confirm": True})
    assert r.status_code == 200, r.text
    assert await _status(conn, uid) == "erased"


async def test_an_old_sign_in_without_the_password_is_sent_to_sign_in_again(client, conn):
    uid = await make_user(conn, "stale@example.org")
    await login(client, "stale@example.org")
    await _age_sessions(conn, uid, 11)
    assert (await client.get("/api/v1/me/erasure")).json()["fresh_login"] is False
    before = await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid)
    r = await send_json(client, "DELETE", "/api/v1/me", {"confirm": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    assert "10" in r.json()["error"]["message"]
    r = await post_form(client, "/account/erase", {"confirm": "true"})
    assert r.status_code == 400
    assert "field-password-error" in r.text and "10" in text_of(r.text)
    link = f'href="/login?next={quote("/account/erase", safe="")}"'
    assert link in r.text, r.text
    assert await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid) == before
    # Signing in again (as that link does) makes the same request good.
    await login(client, "stale@example.org")
    r = await post_form(client, "/account/erase", {"confirm": "true"})
    assert r.status_code == 303 and await _status(conn, uid) == "erased"


async def test_an_api_token_is_no_sign_in(client, make_client, conn):
    uid = await make_user(conn, "token@example.org")
    await login(client, "token@example.org")  # a fresh session exists, but the call does not use it
    _, token = await accounts.create_api_token(conn, uid, "app")
    app_client = await make_client()
    r = await app_client.request(
        "DELETE", "/api/v1/me", json={"confirm": True}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "password"
    r = await app_client.request(
        "DELETE", "/api/v1/me", json={"confirm": True, "password": PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert r.status_code == 200, r.text


async def test_with_two_step_login_the_code_is_asked_too_and_a_wrong_one_changes_nothing(client, conn):
    uid = await make_user(conn, "twostep@example.org")
    await login(client, "twostep@example.org")
    secret, recovery = await _enrol(client)
    page = await client.get("/account/erase")
    assert "field-code" in parse(page.text).ids
    r = await send_json(client, "DELETE", "/api/v1/me", {"confirm": True})
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    before = await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid)
    r = await post_form(client, "/account/erase", {"confirm": "true", "code": "000000"})
    assert r.status_code == 400 and "field-code-error" in r.text
    assert await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid) == before
    assert await conn.fetchval("SELECT count(*) FROM totp_failures WHERE user_id = $1", uid) == 1
    # A right code with a refusal elsewhere (no tick) is not used up.
    code = _code_for_next_step(secret)
    r = await send_json(client, "DELETE", "/api/v1/me", {"code": code})
    assert r.status_code == 422 and r.json()["error"]["field"] == "confirm"
    r = await send_json(client, "DELETE", "/api/v1/me", {"confirm": True, "code": recovery[0]})
    assert r.status_code == 200, r.text
    assert await _status(conn, uid) == "erased"


async def test_wrong_codes_are_throttled_like_the_logins(client, conn):
    uid = await make_user(conn, "guesser@example.org")
    await login(client, "guesser@example.org")
    secret, _ = await _enrol(client)
    for _ in range(5):
        r = await send_json(client, "DELETE", "/api/v1/me", {"confirm": True, "code": "000000"})
        assert r.status_code == 400
    r = await post_form(client, "/account/erase", {"confirm": "true", "code": _code_for_next_step(secret)})
    assert r.status_code == 429 and "field-code-error" in r.text
    assert await _status(conn, uid) == "active"
