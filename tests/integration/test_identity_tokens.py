"""An API token skips the second factor at every use, so with two-step login on it is made only
with a current code: on the account page and at POST /api/v1/me/tokens alike (one action)."""

from __future__ import annotations

from tests.helpers import login, make_user, parse, post_form, send_json
from tests.integration.test_identity import _code_for_next_step, _enrol


async def _tokens(conn, uid: int) -> int:
    return await conn.fetchval("SELECT count(*) FROM api_tokens WHERE user_id = $1", uid)


async def test_without_two_step_login_a_token_needs_no_code(client, conn):
    uid = await make_user(conn, "plain@example.org")
    await login(client, "plain@example.org")
    assert "field-code" not in parse((await client.get("/account")).text).ids
    r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "script"})
    assert r.status_code == 201 and r.json()["name"] == "script" and r.json()["token"]
    assert await _tokens(conn, uid) == 1


async def test_with_two_step_login_the_code_is_asked_and_a_wrong_one_makes_no_token(client, conn):
    uid = await make_user(conn, "careful@example.org")
    await login(client, "careful@example.org")
    secret, recovery = await _enrol(client)
    assert "field-code" in parse((await client.get("/account")).text).ids
    # No code, and a name too long: both said at once.
    r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "n" * 101})
    assert r.status_code == 422 and {f["key"] for f in r.json()["error"]["fields"]} == {"name", "code"}
    r = await post_form(client, "/account/tokens", {"name": "bot", "code": "000000"})
    assert r.status_code == 400 and "field-code-error" in r.text and 'value="bot"' in r.text
    r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "bot", "code": "111111"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "code"
    assert await _tokens(conn, uid) == 0
    assert await conn.fetchval("SELECT count(*) FROM totp_failures WHERE user_id = $1", uid) == 2
    r = await post_form(client, "/account/tokens", {"name": "bot", "code": _code_for_next_step(secret)})
    assert r.status_code == 201 and "new-token" in parse(r.text).ids
    r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "other", "code": recovery[0]})
    assert r.status_code == 201, r.text
    assert await _tokens(conn, uid) == 2


async def test_wrong_token_codes_are_throttled(client, conn):
    uid = await make_user(conn, "guess@example.org")
    await login(client, "guess@example.org")
    secret, _ = await _enrol(client)
    for _ in range(5):
        r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "x", "code": "000000"})
        assert r.status_code == 400
    r = await send_json(client, "POST", "/api/v1/me/tokens", {"name": "x", "code": _code_for_next_step(secret)})
    assert r.status_code == 429
    r = await post_form(client, "/account/tokens", {"name": "x", "code": _code_for_next_step(secret)})
    assert r.status_code == 429 and "field-code-error" in r.text
    assert await _tokens(conn, uid) == 0
