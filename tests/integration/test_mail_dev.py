"""The development catcher and /dev/mail: what `civic run` catches is listed and shown to admins,
refused to others, and absent outside development."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from civic.app import create_app
from civic.mail import actions as mail
from civic.mail import catcher
from civic.mail.sender import Policy
from tests.helpers import login, make_user

QUICK = Policy(poll=timedelta(seconds=0.2))


@pytest.fixture
def caught_settings(settings):
    controller, url = catcher.start(settings.data_dir)
    yield msgspec.structs.replace(settings, smtp_url=url)
    controller.stop()


async def caught_message(conn, pool, caught_settings) -> str:
    uid = await make_user(conn, "somchai@example.com")
    await mail.queue(
        conn,
        mail.Outgoing(
            to="somchai@example.com",
            lang="th",
            template="notice",
            context={
                "heading": "ยืนยันอีเมล <script>",
                "paragraphs": ["เปิดลิงก์นี้"],
                "link_url": "http://127.0.0.1:8000/verify/abc",
                "link_label": "ยืนยัน",
            },
            key="dev:1",
            user_id=uid,
        ),
    )
    await mail.send_due(pool, caught_settings, QUICK)
    [message] = catcher.list_caught(caught_settings.data_dir)
    return message.name


async def test_the_catcher_writes_an_eml_that_admins_see_at_dev_mail(conn, pool, client, caught_settings):
    name = await caught_message(conn, pool, caught_settings)
    assert (
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
        in (caught_settings.data_dir / "mail" / name).read_bytes()
    )
    await make_user(conn, "admin@example.com", role="admin")
    await login(client, "admin@example.com")
    listing = await client.get("/dev/mail/")
    assert listing.status_code == 200
    assert f'href="/dev/mail/{name}"' in listing.text and "ยืนยันอีเมล &lt;script&gt;" in listing.text
    page = await client.get(f"/dev/mail/{name}")
    assert page.status_code == 200
    # The text part's links can be followed (a browser journey clicks the verification link).
    assert '<a href="http://127.0.0.1:8000/verify/abc">' in page.text
    assert f'sandbox src="/dev/mail/{name}/html"' in page.text
    assert "List-Unsubscribe-Post" in page.text and "<script>" not in page.text.split("<main", 1)[-1]
    html = await client.get(f"/dev/mail/{name}/html")
    assert html.status_code == 200 and "font-family:Sarabun" in html.text
    assert html.headers["content-security-policy"].startswith("sandbox;")
    assert "script-src" not in html.headers["content-security-policy"]
    api = await client.get("/api/v1/dev/mail/")
    assert [m["name"] for m in api.json()] == [name]
    assert (await client.get(f"/api/v1/dev/mail/{name}")).json()["lang"] == "th"
    # Only the catcher's own file names: no way out of its folder.
    assert (await client.get("/dev/mail/..%2Fsecret_key")).status_code == 404
    assert (await client.get("/dev/mail/20260101T000000000000-deadbeef.eml")).status_code == 404


async def test_dev_mail_is_refused_to_non_admins(conn, client, make_client):
    assert (await client.get("/dev/mail/")).status_code in (302, 303, 401)
    assert (await client.get("/api/v1/dev/mail/")).status_code == 401
    await make_user(conn, "mod@example.com", role="moderator")
    await login(client, "mod@example.com")
    assert (await client.get("/dev/mail/")).status_code == 403
    assert (await client.get("/api/v1/dev/mail/")).status_code == 403


async def test_dev_mail_is_absent_outside_development(conn, pool, search_pool, settings):
    import httpx

    app = create_app(msgspec.structs.replace(settings, env="production"), pool=pool, search_pool=search_pool)
    await make_user(conn, "admin@example.com", role="admin")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t.local") as c:
        await login(c, "admin@example.com")
        assert (await c.get("/account")).status_code == 200
        assert (await c.get("/dev/mail/")).status_code == 404
        assert (await c.get("/api/v1/dev/mail/")).status_code == 404
