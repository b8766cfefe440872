"""Every state change of accounts, organisations, memberships and search administration records
its domain event in the change's own transaction, with the catalogue's payload, its actor, and
the organisation as agency where it is one; a refused change records nothing, and logging in
records nothing at all."""

from __future__ import annotations

import msgspec

from civic.events import CATALOGUE
from civic.orgs import store as orgs
from tests.helpers import PASSWORD, login, make_agency, make_partner, make_user, post_form, send_json


async def _events(conn, since: int = 0) -> list[dict]:
    # The privacy notice's acceptance, recorded with every registration (and by make_user), is
    # civic/privacy's and tested there (tests/integration/test_privacy.py).
    rows = await conn.fetch(
        "SELECT kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload"
        " FROM events WHERE id > $1 AND kind <> 'privacy.notice_accepted' ORDER BY id",
        since,
    )
    for row in rows:
        msgspec.convert(row["payload"], CATALOGUE[row["kind"]].payload)
    return [dict(r) for r in rows]


async def _last_id(conn) -> int:
    return await conn.fetchval("SELECT COALESCE(max(id), 0) FROM events")


async def test_account_verbs_record_private_events_and_login_records_none(client, conn):
    r = await post_form(
        client,
        "/register",
        {"email": "new@example.com", "display_name": "สมหญิง", "password": PASSWORD, "lang": "th"},
    )
    assert r.status_code == 303
    user_id = await conn.fetchval("SELECT id FROM users WHERE email = 'new@example.com'")
    [registered] = await _events(conn)
    assert (registered["kind"], registered["actor_id"], registered["subject_id"]) == (
        "account.registered",
        user_id,
        user_id,
    )
    assert registered["visibility"] == "private"
    assert "new@example.com" not in str(registered["payload"])

    start = await _last_id(conn)
    await post_form(client, "/logout")
    await login(client, "new@example.com")
    await post_form(client, "/lang", {"lang": "en", "next": "/"})
    assert await _events(conn, start) == []

    assert (await post_form(client, "/account/tokens", {"name": "n" * 101})).status_code == 400
    assert (await post_form(client, "/account/tokens", {"name": "my app"})).status_code == 201
    token_id = await conn.fetchval("SELECT id FROM api_tokens")
    assert (await post_form(client, f"/account/tokens/{token_id}/revoke")).status_code == 303
    assert (await post_form(client, f"/account/tokens/{token_id}/revoke")).status_code == 404
    events = await _events(conn, start)
    assert [(e["kind"], e["subject_kind"], e["subject_id"], e["visibility"]) for e in events] == [
        ("account.token_created", "api_token", token_id, "private"),
        ("account.token_revoked", "api_token", token_id, "private"),
    ]
    assert events[0]["payload"] == {"token_id": token_id, "name": "my app"}


async def test_api_registration_and_duplicate(client, conn):
    body = {"email": "api@example.com", "display_name": "API", "password": PASSWORD}
    assert (await send_json(client, "POST", "/api/v1/accounts", body)).status_code == 201
    assert (await send_json(client, "POST", "/api/v1/accounts", body)).status_code == 409
    assert [e["kind"] for e in await _events(conn)] == ["account.registered"]


async def test_partner_lifecycle_records_its_events(client, make_client, conn):
    lead = await make_user(conn, "lead@example.com")
    root = await make_user(conn, "root@example.com", role="admin")
    await login(client, "lead@example.com")
    r = await send_json(
        client, "POST", "/api/v1/organisations", {"name_th": "ชื่อ", "partner_type": "ngo", "province": "XX"}
    )
    assert r.status_code == 400
    assert await _events(conn) == []
    r = await send_json(
        client,
        "POST",
        "/api/v1/organisations",
        {"name_th": "เครือข่ายน้ำ", "name_en": "Water Network", "partner_type": "ngo", "province": "CMI"},
    )
    org = r.json()["id"]
    # Nothing changed: no event; a change: one, naming the fields.
    await send_json(client, "PATCH", "/api/v1/organisations/water-network", {"name_th": "เครือข่ายน้ำ"})
    await send_json(client, "PATCH", "/api/v1/organisations/water-network", {"website": "https://w.example"})

    admin = await make_client()
    await login(admin, "root@example.com")
    r = await send_json(
        admin,
        "POST",
        "/api/v1/organisations/water-network/verify",
        {"decision": "rejected", "reason": "ไม่มีที่อยู่"},
    )
    assert r.status_code == 200
    assert (
        await send_json(client, "POST", "/api/v1/organisations/water-network/resubmit")
    ).status_code == 200
    assert (await post_form(admin, f"/admin/partners/{org}", {"decision": "verified"})).status_code == 303

    events = await _events(conn)
    assert [(e["kind"], e["actor_id"], e["visibility"]) for e in events] == [
        ("org.registered", lead, "public"),
        ("org.edited", lead, "public"),
        ("org.rejected", root, "staff"),
        ("org.resubmitted", lead, "staff"),
        ("org.verified", root, "public"),
    ]
    assert all(
        (e["subject_kind"], e["subject_id"], e["agency_id"]) == ("organisation", org, None) for e in events
    )
    assert all(e["province"] == "CMI" for e in events)
    assert events[0]["payload"]["verification"] == "pending"
    assert events[1]["payload"]["changed"] == ["website"]
    assert events[2]["payload"] == {
        "slug": "water-network",
        "name_th": "เครือข่ายน้ำ",
        "previous": "pending",
        "verification": "rejected",
        "reason": "ไม่มีที่อยู่",
    }
    assert (events[4]["payload"]["previous"], events[4]["payload"]["reason"]) == ("pending", "")
    assert CATALOGUE["org.verified"].official and CATALOGUE["org.rejected"].official


async def test_agency_registration_names_the_agency(client, conn):
    await make_user(conn, "root@example.com", role="admin")
    await login(client, "root@example.com")
    r = await post_form(
        client,
        "/organisations/new",
        {"kind": "agency", "name_th": "อบต.ทดสอบ", "name_en": "Test SAO", "level": "local"},
    )
    assert r.status_code == 303
    org = await orgs.get_organisation(conn, "test-sao")
    [registered] = await _events(conn)
    assert (registered["kind"], registered["agency_id"]) == ("org.registered", org.id)
    assert registered["payload"]["verification"] == "verified"


async def test_membership_verbs_record_staff_events_with_the_agency(client, make_client, conn):
    org = await make_agency(conn, "city-hall", level="local", province="CMI")
    admin = await make_user(conn, "admin@city.example")
    await orgs.add_member(conn, org, admin, "admin")
    joiner = await make_user(conn, "joiner@example.com")
    asker = await make_user(conn, "asker@example.com")
    await login(client, "joiner@example.com")
    assert (await send_json(client, "POST", "/api/v1/organisations/city-hall/join")).status_code == 201
    assert (await send_json(client, "POST", "/api/v1/organisations/city-hall/join")).status_code == 409
    other = await make_client()
    await login(other, "asker@example.com")
    await post_form(other, "/organisations/city-hall/join")
    await post_form(other, "/organisations/city-hall/leave")  # withdraws the request
    await post_form(other, "/organisations/city-hall/join")

    boss = await make_client()
    await login(boss, "admin@city.example")
    await post_form(boss, f"/organisations/city-hall/members/{joiner}", {"decision": "accept"})
    await post_form(boss, f"/organisations/city-hall/members/{asker}", {"decision": "decline"})
    await post_form(boss, f"/organisations/city-hall/members/{joiner}/role", {"role": "admin"})
    # Already an admin: nothing changes, nothing is recorded.
    await send_json(boss, "PATCH", f"/api/v1/organisations/city-hall/members/{joiner}", {"role": "admin"})
    await post_form(boss, f"/organisations/city-hall/members/{joiner}/role", {"role": "member"})
    await post_form(boss, f"/organisations/city-hall/members/{joiner}/remove")
    assert (await post_form(boss, "/organisations/city-hall/leave")).status_code == 409

    await orgs.add_member(conn, org, joiner, "member")
    await login(client, "joiner@example.com")
    assert (
        await send_json(client, "DELETE", f"/api/v1/organisations/city-hall/members/{joiner}")
    ).status_code == 204

    events = await _events(conn)
    assert [(e["kind"], e["actor_id"], e["payload"]["user_id"], e["payload"]["role"]) for e in events] == [
        ("membership.requested", joiner, joiner, "member"),
        ("membership.requested", asker, asker, "member"),
        ("membership.request_withdrawn", asker, asker, "member"),
        ("membership.requested", asker, asker, "member"),
        ("membership.added", admin, joiner, "member"),
        ("membership.declined", admin, asker, "member"),
        ("membership.role_changed", admin, joiner, "admin"),
        ("membership.role_changed", admin, joiner, "member"),
        ("membership.removed", admin, joiner, "member"),
        ("membership.left", joiner, joiner, "member"),
    ]
    assert [e["payload"]["previous_role"] for e in events if e["kind"] == "membership.role_changed"] == [
        "member",
        "admin",
    ]
    assert all((e["agency_id"], e["province"], e["visibility"]) == (org, "CMI", "staff") for e in events)


async def test_reindex_request_is_recorded(client, conn):
    admin = await make_user(conn, "root@example.com", role="admin")
    await make_user(conn, "citizen@example.com")
    await login(client, "citizen@example.com")
    assert (await post_form(client, "/admin/search/reindex")).status_code == 403
    await login(client, "root@example.com")
    assert (await post_form(client, "/admin/search/reindex")).status_code == 303
    [requested] = await _events(conn)
    assert (requested["kind"], requested["actor_id"], requested["visibility"]) == (
        "search.reindex_requested",
        admin,
        "staff",
    )


async def test_partner_membership_has_no_agency(client, conn):
    org = await make_partner(conn, "water-fdn")
    await make_user(conn, "joiner@example.com")
    await login(client, "joiner@example.com")
    await post_form(client, "/organisations/water-fdn/join")
    [requested] = await _events(conn)
    assert (requested["subject_id"], requested["agency_id"]) == (org, None)
