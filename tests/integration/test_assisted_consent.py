"""Taking a counter submission over brings the consent given at the counter into the person's own
consent records: their consents page and their export show it, dated when it was given, so a
choice they made since stays the one that counts."""

from __future__ import annotations

import io
import json
import zipfile

from tests.helpers import login, make_user, post_form, send_json, text_of
from tests.integration.test_assisted import _person, _setup

IDEA = {"board": "town", "title": "ไฟถนนดับ", "body": "ไฟถนนหน้าตลาดดับมาสามวันแล้ว"}


async def test_the_counter_consent_follows_the_contribution_to_the_persons_account(client, make_client, conn):
    agency, _, _ = await _setup(conn, client)
    r = await send_json(client, "POST", "/api/v1/counter/ideas", {"person": _person(agency), "idea": IDEA})
    assert r.status_code == 201, r.text
    slip = await conn.fetchrow("SELECT id, holder_id FROM assisted_contributions")
    given_at = await conn.fetchval("SELECT recorded_at FROM consent_records WHERE user_id = $1", slip["holder_id"])
    person = await make_client()
    uid = await make_user(conn, "somsri@example.com", name="สมศรี")
    await login(person, "somsri@example.com")
    before = (await send_json(person, "GET", "/api/v1/me/consents")).json()
    assert {p["purpose"]: p["granted"] for p in before["purposes"]}["assisted"] is False
    assert (await send_json(person, "POST", "/api/v1/claim", {"code": r.json()["code"]})).status_code == 200

    mine = (await send_json(person, "GET", "/api/v1/me/consents")).json()
    assert {p["purpose"]: p["granted"] for p in mine["purposes"]}["assisted"] is True
    [record] = [h for h in mine["history"] if h["purpose"] == "assisted"]
    assert (record["granted"], record["channel"], record["detail"]["assisted_id"]) == (True, "counter", slip["id"])
    assert record["detail"]["agency_id"] == agency and record["recorded_at"].startswith(given_at.isoformat()[:19])
    page = text_of((await person.get("/account/privacy")).text)
    assert "counter" in page or "เคาน์เตอร์" in page
    z = zipfile.ZipFile(io.BytesIO((await person.get("/api/v1/me/export")).content))
    consents = json.loads(z.read("consents.json"))
    assert [(c["purpose"], c["channel"]) for c in consents] == [("assisted", "counter")]
    assert await conn.fetchval(
        "SELECT count(*) FROM events WHERE kind = 'privacy.consent_granted' AND actor_id = $1", uid
    ) == 1
    # The counter account's own record stays (the log is never rewritten).
    assert await conn.fetchval("SELECT count(*) FROM consent_records WHERE user_id = $1", slip["holder_id"]) == 1


async def test_a_withdrawal_made_since_the_counter_still_counts(client, make_client, conn):
    agency, _, _ = await _setup(conn, client)
    r = await send_json(client, "POST", "/api/v1/counter/ideas", {"person": _person(agency), "idea": IDEA})
    assert r.status_code == 201, r.text
    person = await make_client()
    await make_user(conn, "later@example.com")
    await login(person, "later@example.com")
    r2 = await post_form(person, "/account/privacy/consents", {"purpose": "assisted", "granted": "false"})
    assert r2.status_code == 303
    assert (await send_json(person, "POST", "/api/v1/claim", {"code": r.json()["code"]})).status_code == 200
    mine = (await send_json(person, "GET", "/api/v1/me/consents")).json()
    assert {p["purpose"]: p["granted"] for p in mine["purposes"]}["assisted"] is False
    assert [h["granted"] for h in mine["history"] if h["purpose"] == "assisted"] == [False, True]
