"""Issue 21 item 5: CSRF in depth. Cookie-authenticated unsafe requests were accepted with
`Origin: https://evil.example` and `Origin: null`, and a CSRF cookie-and-token pair made in one
browser worked in another. Origin (or Referer) must now name BASE_URL, and the token is bound to
the session. Bearer-token calls and the RFC 8058 one-click unsubscribe are unaffected."""

from __future__ import annotations

import pytest

from civic.accounts import actions as accounts
from civic.accounts.schemas import TokenIn
from civic.mail import unsubscribe
from civic.web.i18n import gettext
from tests.helpers import login, make_user, post_form, send_json, text_of


@pytest.fixture
async def alice(client, conn):
    await make_user(conn, "alice@example.com", name="Alice")
    await login(client, "alice@example.com")
    return client


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://testserver.local.evil.example"])
async def test_a_foreign_origin_is_refused_with_a_clear_403(alice, conn, settings, origin):
    r = await send_json(
        alice, "POST", "/api/v1/notifications/read", {"all": True}, headers={"origin": origin}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_origin"
    assert settings.base_url in r.json()["error"]["message"]
    r = await post_form(alice, "/logout/everywhere", headers={"origin": origin})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "ถูกปฏิเสธ" in text_of(r.text)
    assert (await alice.get("/api/v1/me")).status_code == 200  # still logged in: nothing happened


async def test_referer_is_checked_when_origin_is_absent(alice, settings):
    r = await post_form(alice, "/logout/everywhere", headers={"referer": "https://evil.example/page"})
    assert r.status_code == 403
    r = await post_form(alice, "/logout/everywhere", headers={"referer": settings.base_url + "/account"})
    assert r.status_code == 303


async def test_base_url_origin_is_accepted(alice, settings):
    r = await send_json(
        alice, "POST", "/api/v1/notifications/read", {"all": True}, headers={"origin": settings.base_url}
    )
    assert r.status_code == 200


async def test_a_token_pair_from_another_browser_fails(alice, make_client, conn):
    """The attacker's own browser (logged in as someone else, or not at all) has a valid
    cookie-and-token pair; planted into the victim's browser it does not match her session."""
    for logged_in in (False, True):
        mallory = await make_client()
        if logged_in:
            await make_user(conn, f"mallory{int(logged_in)}@example.com")
            await login(mallory, f"mallory{int(logged_in)}@example.com")
        else:
            await mallory.get("/login")
        planted = mallory.cookies.get("civic_csrf")
        alice.cookies.set("civic_csrf", planted, domain="testserver.local")
        r = await alice.post("/logout/everywhere", data={"_csrf_token": planted})
        assert r.status_code == 403
        assert gettext("th", "This form has expired. Go back, reload the page and try again.") in text_of(
            r.text
        )
        assert (await alice.get("/api/v1/me")).status_code == 200
    # Her own page gives her a token for her session again, and it works.
    await alice.get("/account")
    assert (await post_form(alice, "/logout/everywhere")).status_code == 303


async def test_the_token_from_before_login_stops_working_at_login(client, conn):
    await make_user(conn, "bob@example.com")
    await client.get("/login")
    before = client.cookies.get("civic_csrf")
    await login(client, "bob@example.com")
    after = client.cookies.get("civic_csrf")
    assert after and after != before
    client.cookies.set("civic_csrf", before, domain="testserver.local")
    assert (await client.post("/logout/everywhere", data={"_csrf_token": before})).status_code == 403


async def test_bearer_calls_need_neither_origin_nor_token(make_client, conn):
    uid = await make_user(conn, "dave@example.com")
    created = await accounts.create_token(conn, await accounts.user_by_id(conn, uid), TokenIn(name="cli"))
    cli = await make_client()
    cli.cookies.clear()
    r = await cli.post(
        "/api/v1/notifications/read",
        json={"all": True},
        headers={"authorization": f"Bearer {created.token}", "origin": "https://evil.example"},
    )
    assert r.status_code == 200


async def test_one_click_unsubscribe_still_works_from_anywhere(make_client, conn, settings):
    uid = await make_user(conn, "carol@example.com")
    url = unsubscribe.unsubscribe_url(settings.base_url, settings.secret_key, uid, "all")
    path = url.removeprefix(settings.base_url)
    mail_client = await make_client()
    mail_client.cookies.clear()
    r = await mail_client.post(path, data={"List-Unsubscribe": "One-Click"}, headers={"origin": "null"})
    assert r.status_code == 200, r.text[:300]
    assert await conn.fetchval("SELECT email FROM notification_preferences WHERE user_id = $1", uid) == "off"


async def test_loading_a_stylesheet_keeps_the_forms_token(alice):
    """A browser fetches /static/ files after the page: they are served without the session
    lookup, and a token minted for them replaced the session's, so every form failed as expired."""
    page = await alice.get("/account")
    token = alice.cookies.get("civic_csrf")
    assert token and token in page.text
    static = await alice.get("/static/css/civic.css")
    assert static.status_code == 200 and "civic_csrf" not in static.headers.get("set-cookie", "")
    assert alice.cookies.get("civic_csrf") == token
    r = await post_form(alice, "/logout/everywhere")
    assert r.status_code == 303
