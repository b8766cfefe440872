"""An account opened through OpenID Connect (against the real test provider) knows no password:
it erases itself by signing in again through the provider, which the erase form links to."""

from __future__ import annotations

from urllib.parse import quote

from tests.helpers import post_form, send_json
from tests.integration.test_identity import _authorise, _callback, _set_user, oidc_client, provider  # noqa: F401


async def test_a_provider_account_erases_itself_by_signing_in_again(oidc_client, provider, conn):  # noqa: F811
    await _set_user(
        provider, "sub-leaver", {"email": "leaver@example.com", "email_verified": True, "name": "ผู้จากไป"}
    )
    async with oidc_client() as browser:
        assert (
            await _callback(browser, await _authorise(browser, provider, "sub-leaver"))
        ).status_code == 303
        uid = await conn.fetchval("SELECT id FROM users WHERE email = 'leaver@example.com'")
        await conn.execute(
            "UPDATE sessions SET created_at = now() - interval '11 minutes' WHERE user_id = $1", uid
        )
        page = await browser.get("/account/erase")
        link = "/login/oidc?next=" + quote("/account/erase", safe="")
        assert f'href="{link}"' in page.text
        r = await send_json(browser, "DELETE", "/api/v1/me", {"confirm": True})
        assert r.status_code == 422 and r.json()["error"]["field"] == "password"
        # The link: the provider again, and back to the form.
        back = await _callback(browser, await _authorise(browser, provider, "sub-leaver", link))
        assert back.status_code == 303 and back.headers["location"] == "/account/erase"
        r = await post_form(browser, "/account/erase", {"confirm": "true"})
        assert r.status_code == 303, r.text[:500]
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", uid) == "erased"
