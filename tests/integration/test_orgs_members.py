"""Members: promote/demote, remove, leave, withdraw a request, the JSON member list, and the
rule that an organisation always keeps an admin, also when two admins act at the same moment."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from civic.db import _init_connection
from civic.orgs import store as orgs
from tests.helpers import login, make_partner, make_user, post_form, send_json, text_of
from tests.integration.race import Gate, race


async def _connect(db_url: str) -> asyncpg.Connection:
    c = await asyncpg.connect(db_url)
    await _init_connection(c)
    return c


async def _role(conn, org, uid):
    return await conn.fetchval("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2", org, uid)


async def _admins(conn, org) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM memberships WHERE org_id = $1 AND role = 'admin' AND status = 'active'", org
    )


@pytest.fixture
async def team(conn):
    org = await make_partner(conn, "water-fdn", name_th="มูลนิธิรักษ์น้ำ")
    other = await make_partner(conn, "other-ngo")
    ids = {
        "org": org,
        "admin": await make_user(conn, "admin@water.example", name="แอดมินน้ำ"),
        "member": await make_user(conn, "member@water.example", name="สมาชิกน้ำ"),
        "asker": await make_user(conn, "asker@example.com", name="ผู้ขอเข้าร่วม"),
        "other_admin": await make_user(conn, "admin@other.example"),
        "root": await make_user(conn, "root@example.com", role="admin"),
    }
    await orgs.add_member(conn, org, ids["admin"], "admin")
    await orgs.add_member(conn, org, ids["member"], "member")
    await orgs.add_member(conn, org, ids["asker"], "member", "pending")
    await orgs.add_member(conn, other, ids["other_admin"], "admin")
    return ids


async def test_admin_promotes_and_demotes_html(client, conn, team):
    await login(client, "admin@water.example")
    page = await client.get("/organisations/water-fdn/members")
    assert f'action="/organisations/water-fdn/members/{team["member"]}/role"' in page.text
    # The only admin gets no demote button for themself.
    assert f'action="/organisations/water-fdn/members/{team["admin"]}/role"' not in page.text
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/role", {"role": "admin"})
    assert r.status_code == 303
    assert await _role(conn, team["org"], team["member"]) == "admin"
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/role", {"role": "member"})
    assert r.status_code == 303
    assert await _role(conn, team["org"], team["member"]) == "member"
    audit = await conn.fetch("SELECT detail FROM audit_log WHERE action = 'org.member.role' ORDER BY id")
    assert [(a["detail"]["from"], a["detail"]["to"]) for a in audit] == [
        ("member", "admin"),
        ("admin", "member"),
    ]
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/role", {"role": "owner"})
    assert r.status_code == 400
    # A pending request is not a member yet.
    r = await post_form(client, f"/organisations/water-fdn/members/{team['asker']}/role", {"role": "admin"})
    assert r.status_code == 404
    assert await _role(conn, team["org"], team["asker"]) == "member"


async def test_last_admin_cannot_demote_leave_or_be_removed(client, conn, team):
    await login(client, "admin@water.example")
    r = await post_form(client, f"/organisations/water-fdn/members/{team['admin']}/role", {"role": "member"})
    assert r.status_code == 409
    assert "ผู้ดูแล" in text_of(r.text)
    r = await post_form(client, "/organisations/water-fdn/leave")
    assert r.status_code == 409
    r = await send_json(client, "DELETE", f"/api/v1/organisations/water-fdn/members/{team['admin']}")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "last_admin"
    assert await _admins(conn, team["org"]) == 1
    # With a second admin the first one may step down.
    await orgs.add_member(conn, team["org"], team["member"], "admin")
    r = await post_form(client, f"/organisations/water-fdn/members/{team['admin']}/role", {"role": "member"})
    assert r.status_code == 303
    assert await _role(conn, team["org"], team["admin"]) == "member"


@pytest.mark.parametrize("email", ["member@water.example", "admin@other.example", "root@example.com"])
async def test_only_org_admins_change_roles_or_remove(client, conn, team, email):
    await login(client, email)
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/role", {"role": "admin"})
    assert r.status_code == 403
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/remove")
    assert r.status_code == 403
    r = await send_json(
        client, "PATCH", f"/api/v1/organisations/water-fdn/members/{team['member']}", {"role": "admin"}
    )
    assert r.status_code == 403
    assert await _role(conn, team["org"], team["member"]) == "member"


async def test_admin_removes_member(client, conn, team):
    await login(client, "admin@water.example")
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/remove")
    assert r.status_code == 303
    assert await orgs.membership_status(conn, team["org"], team["member"]) is None
    [entry] = await conn.fetch("SELECT * FROM audit_log WHERE action = 'org.member.remove'")
    assert (entry["actor_id"], entry["subject_id"]) == (team["admin"], team["member"])
    r = await post_form(client, f"/organisations/water-fdn/members/{team['member']}/remove")
    assert r.status_code == 404
    r = await post_form(client, "/organisations/water-fdn/members/99999999999999999999/remove")
    assert r.status_code in (400, 404)


async def test_member_leaves_and_asker_withdraws(client, make_client, conn, team):
    await login(client, "member@water.example")
    profile = await client.get("/organisations/water-fdn")
    assert 'action="/organisations/water-fdn/leave"' in profile.text
    r = await post_form(client, "/organisations/water-fdn/leave")
    assert r.status_code == 303
    assert await orgs.membership_status(conn, team["org"], team["member"]) is None
    r = await post_form(client, "/organisations/water-fdn/leave")
    assert r.status_code == 409

    asker = await make_client()
    await login(asker, "asker@example.com")
    profile = await asker.get("/organisations/water-fdn")
    assert "ถอนคำขอ" in text_of(profile.text)
    r = await send_json(asker, "DELETE", f"/api/v1/organisations/water-fdn/members/{team['asker']}")
    assert r.status_code == 204
    assert await orgs.membership_status(conn, team["org"], team["asker"]) is None
    actions = [r["action"] for r in await conn.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["org.member.leave", "org.member.cancel"]
    # Having withdrawn, they can ask again.
    r = await post_form(asker, "/organisations/water-fdn/join")
    assert r.status_code == 303


async def test_member_list_json_per_role(client, make_client, conn, team):
    r = await client.get("/api/v1/organisations/water-fdn/members")
    assert r.status_code == 401
    for email, status in [
        ("member@water.example", 403),
        ("admin@other.example", 403),
        ("asker@example.com", 403),
        ("admin@water.example", 200),
        ("root@example.com", 200),
    ]:
        c = await make_client()
        await login(c, email)
        r = await c.get("/api/v1/organisations/water-fdn/members")
        assert r.status_code == status, (email, r.text)
        if status == 200:
            items = {m["user_id"]: m for m in r.json()["items"]}
            assert set(items) == {team["admin"], team["member"], team["asker"]}
            assert items[team["member"]]["email"] == "member@water.example"
            assert (items[team["asker"]]["status"], items[team["admin"]]["role"]) == ("pending", "admin")


async def test_emails_are_never_shown_to_members_or_the_public(client, conn, team):
    for page in ("/organisations/water-fdn", "/api/v1/organisations/water-fdn", "/organisations"):
        assert "@water.example" not in (await client.get(page)).text
    await login(client, "member@water.example")
    members = await client.get("/organisations/water-fdn/members")
    assert members.status_code == 200
    assert "แอดมินน้ำ" in text_of(members.text)
    assert "admin@water.example" not in members.text
    assert "/role" not in members.text  # no management buttons for members


async def test_api_role_change(client, conn, team):
    await login(client, "admin@water.example")
    url = f"/api/v1/organisations/water-fdn/members/{team['member']}"
    r = await send_json(client, "PATCH", url, {"role": "admin"})
    assert r.status_code == 200, r.text
    assert (r.json()["user_id"], r.json()["role"]) == (team["member"], "admin")
    r = await send_json(client, "PATCH", url, {"role": "boss"})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "role"


async def _demote_each_other(conn, db_url, team):
    await orgs.add_member(conn, team["org"], team["member"], "admin")
    a, b = team["admin"], team["member"]
    c1, c2 = await _connect(db_url), await _connect(db_url)
    try:
        return await race(
            [
                lambda: orgs.set_member_role(c1, team["org"], b, "member", actor_id=a),
                lambda: orgs.set_member_role(c2, team["org"], a, "member", actor_id=b),
            ],
            gate=Gate(db_url, ["organisations", "memberships"], expect=2),
            return_exceptions=True,
        )
    finally:
        await c1.close()
        await c2.close()


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(conn, db_url, team):
    for _ in range(5):
        await conn.execute(
            "UPDATE memberships SET role = 'admin' WHERE org_id = $1 AND user_id = $2",
            team["org"],
            team["admin"],
        )
        results = await _demote_each_other(conn, db_url, team)
        assert sum(r is True for r in results) == 1, results
        assert sum(isinstance(r, orgs.NotAnAdmin) for r in results) == 1, results
        assert await _admins(conn, team["org"]) == 1


async def test_two_admins_stepping_down_at_once_leave_one_admin(conn, db_url, team):
    await orgs.add_member(conn, team["org"], team["member"], "admin")
    c1, c2 = await _connect(db_url), await _connect(db_url)
    try:
        results = await race(
            [
                lambda: orgs.leave_organisation(c1, team["org"], team["admin"]),
                lambda: orgs.leave_organisation(c2, team["org"], team["member"]),
            ],
            gate=Gate(db_url, ["organisations", "memberships"], expect=2),
            return_exceptions=True,
        )
    finally:
        await c1.close()
        await c2.close()
    assert sorted(type(r).__name__ for r in results) == ["LastAdmin", "str"]
    assert await _admins(conn, team["org"]) == 1


async def test_join_request_is_not_blocked_by_the_member_lock(conn, db_url, team):
    """The lock is NO KEY UPDATE: a join request (its foreign key takes KEY SHARE) goes through
    while an admin change holds the organisation's row."""
    holder = await _connect(db_url)
    joiner_id = await make_user(conn, "late@example.com")
    other = await _connect(db_url)
    try:
        tx = holder.transaction()
        await tx.start()
        await holder.fetchval(orgs.LOCK_ORG_MEMBERS, team["org"])
        status = await asyncio.wait_for(orgs.request_join(other, team["org"], joiner_id), timeout=5)
        assert status == "pending"
        await tx.rollback()
    finally:
        await holder.close()
        await other.close()
