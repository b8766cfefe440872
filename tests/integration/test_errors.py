"""Error pages and JSON errors: localized, never a traceback."""

from __future__ import annotations

import pytest

from civic.web.i18n import gettext
from tests.helpers import send_json, text_of


def set_lang(client, lang: str) -> None:
    client.cookies.set("lang", lang, domain="testserver.local")


@pytest.mark.parametrize("lang", ["th", "en"])
async def test_404_page_is_localized(client, lang):
    set_lang(client, lang)
    r = await client.get("/no-such-page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}"' in r.text
    text = text_of(r.text)
    assert gettext(lang, "Page not found") in text
    assert gettext(lang, "We could not find that page.") in text
    assert gettext(lang, "Go to the home page") in text
    if lang == "th":
        assert "ไม่พบหน้านี้" in text and "Page not found" not in text
    else:
        assert "Page not found" in text


@pytest.mark.parametrize("lang", ["th", "en"])
async def test_json_404_has_code_and_localized_message(client, lang):
    set_lang(client, lang)
    r = await client.get("/api/v1/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {
        "error": {"code": "not_found", "message": gettext(lang, "We could not find that page.")}
    }


async def test_json_is_chosen_by_accept_header_outside_api(client):
    r = await client.get("/no-such-page", headers={"accept": "application/json"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


async def test_405_page_and_json(client):
    r = await client.put("/login")
    assert r.status_code == 405
    assert gettext("th", "This action is not available here.") in text_of(r.text)
    r = await client.put("/api/v1/health")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert r.json()["error"]["message"] == gettext("th", "This action is not available here.")


async def test_401_json_for_anonymous_api(client):
    r = await client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["error"] == {
        "code": "login_required",
        "message": gettext("th", "Please log in to continue."),
    }


async def test_malformed_json_body_is_a_4xx_with_code(client, conn):
    r = await send_json(
        client,
        "POST",
        "/api/v1/accounts",
        None,
        content=b'{"email": ',
        headers={"content-type": "application/json"},
    )
    assert 400 <= r.status_code < 500
    assert r.json()["error"]["code"] in ("bad_request", "invalid_input")
    r = await send_json(
        client, "POST", "/api/v1/accounts", {"email": 5, "display_name": [], "password": None}
    )
    assert 400 <= r.status_code < 500
    assert "message" in r.json()["error"]
    assert await conn.fetchval("SELECT count(*) FROM users") == 0


def _boom(*args, **kwargs):
    raise RuntimeError("database exploded: SECRET-INTERNAL-DETAIL")


@pytest.mark.parametrize("lang", ["th", "en"])
async def test_forced_500_renders_the_localized_page_not_a_traceback(client, monkeypatch, lang):
    import civic.orgs.store

    monkeypatch.setattr(civic.orgs.store, "directory_heads", _boom)
    set_lang(client, lang)
    r = await client.get("/")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/html")
    text = text_of(r.text)
    assert gettext(lang, "Something went wrong") in text
    assert gettext(lang, "Something went wrong on our side. Please try again later.") in text
    for leak in ("Traceback", "RuntimeError", "SECRET-INTERNAL-DETAIL", "civic/"):
        assert leak not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


async def test_forced_500_on_the_api_is_json(client, monkeypatch):
    import civic.search.outbox

    async def boom(*args, **kwargs):
        _boom()

    monkeypatch.setattr(civic.search.outbox, "pending_stats", boom)
    r = await client.get("/api/v1/health")
    assert r.status_code == 500
    assert r.json() == {
        "error": {
            "code": "internal_error",
            "message": gettext("th", "Something went wrong on our side. Please try again later."),
        }
    }
    assert "SECRET-INTERNAL-DETAIL" not in r.text


async def test_403_page_is_localized(client, conn):
    from tests.helpers import login, make_user

    await make_user(conn, "citizen@example.com")
    await login(client, "citizen@example.com")
    # A citizen on the partner verification queue: a 403 from the app, not from CSRF.
    r = await client.get("/admin/partners")
    assert r.status_code == 403
    assert gettext("th", "Not allowed") in text_of(r.text)
