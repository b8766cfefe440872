"""A rejected partner's admin sends it to be checked again; the admin queue shows it."""

from __future__ import annotations

import asyncpg
import pytest

from civic.db import _init_connection
from civic.orgs import store as orgs
from tests.helpers import login, make_partner, make_user, post_form, send_json, text_of
from tests.integration.race import Gate, race


@pytest.fixture
async def rejected(conn):
    org = await make_partner(conn, "bad-co", verification="pending", name_th="กลุ่มที่ถูกปฏิเสธ")
    await conn.execute(
        "UPDATE organisations SET verification = 'rejected', rejection_reason = 'ไม่มีช่องทางติดต่อ' WHERE id = $1",
        org,
    )
    admin = await make_user(conn, "admin@bad.example")
    member = await make_user(conn, "member@bad.example")
    await orgs.add_member(conn, org, admin, "admin")
    await orgs.add_member(conn, org, member, "member")
    await make_user(conn, "root@example.com", role="admin")
    return {"org": org, "admin": admin, "member": member}


async def test_admin_resubmits_and_queue_shows_it(client, make_client, conn, rejected):
    await login(client, "admin@bad.example")
    profile = await client.get("/organisations/bad-co")
    assert 'action="/organisations/bad-co/resubmit"' in profile.text
    r = await post_form(client, "/organisations/bad-co/resubmit")
    assert r.status_code == 303
    org = await orgs.get_organisation(conn, rejected["org"])
    assert org.verification == "pending"
    assert org.resubmitted_at is not None
    assert org.rejection_reason == "ไม่มีช่องทางติดต่อ"  # kept for the reviewer
    [entry] = await conn.fetch("SELECT * FROM audit_log WHERE action = 'org.resubmit'")
    assert entry["actor_id"] == rejected["admin"]
    assert entry["detail"] == {"from": "rejected", "to": "pending", "earlier_reason": "ไม่มีช่องทางติดต่อ"}
    # Public again (pending partners are listed), and it cannot be resubmitted twice.
    assert 'href="/organisations/bad-co"' in (await (await make_client()).get("/organisations")).text
    again = await post_form(client, "/organisations/bad-co/resubmit")
    assert again.status_code == 409

    root = await make_client()
    await login(root, "root@example.com")
    queue = await root.get("/admin/partners")
    assert queue.status_code == 200
    text = text_of(queue.text)
    assert "กลุ่มที่ถูกปฏิเสธ" in text
    assert "ส่งตรวจสอบอีกครั้ง" in text
    review = await root.get(f"/admin/partners/{rejected['org']}")
    assert "ไม่มีช่องทางติดต่อ" in text_of(review.text)
    r = await post_form(root, f"/admin/partners/{rejected['org']}", {"decision": "verified"})
    assert r.status_code == 303
    org = await orgs.get_organisation(conn, rejected["org"])
    assert (org.verification, org.rejection_reason) == ("verified", "")


async def test_first_registrations_are_not_marked_resubmitted(client, conn, rejected):
    await make_partner(conn, "fresh-ngo", verification="pending", name_th="กลุ่มใหม่เอี่ยม")
    await login(client, "root@example.com")
    queue = await client.get("/admin/partners")
    assert "กลุ่มใหม่เอี่ยม" in text_of(queue.text)
    assert "ส่งตรวจสอบอีกครั้ง" not in text_of(queue.text)


@pytest.mark.parametrize(("email", "status"), [("member@bad.example", 403), ("root@example.com", 403)])
async def test_only_the_partners_admin_resubmits(client, conn, rejected, email, status):
    await login(client, email)
    r = await send_json(client, "POST", "/api/v1/organisations/bad-co/resubmit")
    assert r.status_code == status
    assert (await orgs.get_organisation(conn, rejected["org"])).verification == "rejected"
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'org.resubmit'") == 0


async def test_api_resubmit_and_not_rejected_is_409(client, conn, rejected):
    r = await send_json(client, "POST", "/api/v1/organisations/bad-co/resubmit")
    assert r.status_code == 401
    await login(client, "admin@bad.example")
    r = await send_json(client, "POST", "/api/v1/organisations/bad-co/resubmit")
    assert r.status_code == 200, r.text
    assert r.json()["verification"] == "pending"
    assert r.json()["resubmitted_at"]
    r = await send_json(client, "POST", "/api/v1/organisations/bad-co/resubmit")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_rejected"


async def test_two_resubmits_at_once_make_one(conn, db_url, rejected):
    conns = []
    for _ in range(4):
        c = await asyncpg.connect(db_url)
        await _init_connection(c)
        conns.append(c)
    try:
        results = await race(
            [
                lambda c=c: orgs.resubmit_partner(c, rejected["org"], actor_id=rejected["admin"])
                for c in conns
            ],
            gate=Gate(db_url, ["organisations", "memberships"], expect=4),
            return_exceptions=True,
        )
    finally:
        for c in conns:
            await c.close()
    assert sum(r is None for r in results) == 1
    assert sum(isinstance(r, orgs.NotRejected) for r in results) == 3
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'org.resubmit'") == 1
