"""Inputs that used to reach the 500 handler (found by schemathesis) are answered as the client's
mistake, in the client's language."""

from __future__ import annotations

import base64

import msgspec

from tests.helpers import login, make_user


async def test_json_nested_a_thousand_deep_is_a_400(client, conn):
    await make_user(conn, "deep@example.org")
    await login(client, "deep@example.org")
    body = "[" * 1000 + "]" * 1000
    response = await client.post(
        "/api/v1/ideas",
        content=body,
        headers={"content-type": "application/json", "x-csrftoken": client.cookies.get("civic_csrf")},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "bad_request"


def _flash(items) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(items)).decode()


async def test_a_malformed_flash_cookie_is_ignored(client):
    # A message id with a placeholder and no parameter for it, a wrong shape, and not base64 at all.
    for value in (_flash([["info", "%(x)s", {"y": 1}]]), _flash([["info", 5]]), _flash({"a": 1}), "%%%"):
        client.cookies.set("civic_flash", value)
        response = await client.get("/")
        assert response.status_code == 200, value
    client.cookies.set("civic_flash", _flash([["info", "Your idea has been published.", {}]]))
    assert "เผยแพร่" in (await client.get("/")).text


async def test_the_schema_documents_our_error_body_on_every_operation(client):
    schema = (await client.get("/schema/openapi.json")).json()
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "404", "409", "422"):
                assert responses[status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, status)
            assert ("413" in responses) == ("requestBody" in operation), (method, path)
    assert schema["components"]["schemas"]["IdeaIn"]["additionalProperties"] is False


async def test_the_schema_page_links_the_document_without_javascript(client):
    page = (await client.get("/schema")).text
    assert '<a href="/schema/openapi.json">' in page
    assert "<noscript>" in page
