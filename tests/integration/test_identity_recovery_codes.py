"""New recovery codes: asked with the password or a current code, shown once, the old ones dead at
once, and a private event; refusals change nothing."""

from __future__ import annotations

from tests.helpers import PASSWORD, login, make_user, parse, post_form, send_json
from tests.integration.test_identity import _code_for_next_step, _enrol


async def _hashes(conn, uid: int) -> list[bytes]:
    return [
        r["code_hash"]
        for r in await conn.fetch(
            "SELECT code_hash FROM totp_recovery_codes WHERE user_id = $1 ORDER BY code_hash", uid
        )
    ]


async def test_new_codes_with_the_password_replace_the_old_at_once(client, make_client, conn):
    uid = await make_user(conn, "renew@example.org")
    await login(client, "renew@example.org")
    secret, old = await _enrol(client)
    identity = await client.get("/account/identity")
    assert parse(identity.text).ids["renew-codes"]["href"] == "/account/2fa/recovery-codes"
    form = await client.get("/account/2fa/recovery-codes")
    assert form.status_code == 200 and {"field-password", "field-code"} <= set(parse(form.text).ids)
    r = await post_form(client, "/account/2fa/recovery-codes", {"password": PASSWORD})
    assert r.status_code == 201
    page = parse(r.text)
    new = [c.strip() for c in r.text.split('id="recovery-codes">')[1].split("</ul>")[0].split("<code>")[1:]]
    new = [c.split("</code>")[0] for c in new]
    assert "recovery-codes" in page.ids and len(new) == 10 and not set(new) & set(old)
    assert await conn.fetchval("SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1", uid) == 10
    kinds = [
        r["kind"] for r in await conn.fetch("SELECT kind, visibility FROM events WHERE actor_id = $1", uid)
    ]
    assert "identity.recovery_codes_renewed" in kinds
    assert (
        await conn.fetchval("SELECT visibility FROM events WHERE kind = 'identity.recovery_codes_renewed'")
        == "private"
    )
    # An old code no longer opens the login's code step; a new one does.
    browser = await make_client()
    await post_form(browser, "/login", {"email": "renew@example.org", "password": PASSWORD})
    assert (await post_form(browser, "/login/code", {"code": old[0]})).status_code == 400
    assert (await post_form(browser, "/login/code", {"code": new[0]})).status_code == 303


async def test_new_codes_with_a_code_from_the_app_over_the_api(client, conn):
    uid = await make_user(conn, "api-renew@example.org")
    await login(client, "api-renew@example.org")
    secret, old = await _enrol(client)
    r = await send_json(
        client, "POST", "/api/v1/me/totp/recovery-codes", {"code": _code_for_next_step(secret)}
    )
    assert r.status_code == 201, r.text
    assert len(r.json()["recovery_codes"]) == 10
    assert await conn.fetchval("SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1", uid) == 10


async def test_refusals_name_the_field_and_change_nothing(client, conn):
    uid = await make_user(conn, "no-renew@example.org")
    await login(client, "no-renew@example.org")
    # Two-step login off: nothing to renew.
    r = await send_json(client, "POST", "/api/v1/me/totp/recovery-codes", {"password": PASSWORD})
    assert r.status_code == 409
    secret, old = await _enrol(client)
    before = await _hashes(conn, uid)
    r = await send_json(client, "POST", "/api/v1/me/totp/recovery-codes", {})
    assert r.status_code == 422 and r.json()["error"]["field"] == "code"
    r = await post_form(client, "/account/2fa/recovery-codes", {"password": "wrong password"})
    assert r.status_code == 400 and "field-password-error" in r.text
    r = await post_form(client, "/account/2fa/recovery-codes", {"code": "000000"})
    assert r.status_code == 400 and "field-code-error" in r.text
    # A recovery code is what is being replaced: it does not stand in for the app.
    r = await send_json(client, "POST", "/api/v1/me/totp/recovery-codes", {"code": old[0]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "code"
    assert await _hashes(conn, uid) == before
    assert not await conn.fetchval(
        "SELECT count(*) FROM events WHERE kind = 'identity.recovery_codes_renewed'"
    )
