"""Organisations through HTTP: directory, profile, registration, join requests, verification."""

from __future__ import annotations

import pytest

from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_partner, make_user, post_form, send_json, text_of


async def _org_count(conn) -> int:
    return await conn.fetchval("SELECT count(*) FROM organisations")


async def _audit(conn, action: str):
    return await conn.fetch("SELECT * FROM audit_log WHERE action = $1 ORDER BY id", action)


# ------------------------------------------------------------------ directory


@pytest.fixture
async def directory_data(conn):
    ministry = await make_agency(conn, "ministry", level="central", name_th="กระทรวงทดสอบ")
    await make_agency(conn, "cmi-office", level="regional", province="CMI", name_th="สำนักงานจังหวัดเชียงใหม่")
    hdy = await make_agency(conn, "hdy-city", level="local", province="SKA", name_th="เทศบาลนครหาดใหญ่")
    await conn.execute("UPDATE organisations SET parent_id = $1 WHERE id = $2", ministry, hdy)
    await make_partner(conn, "water-fdn", partner_type="foundation", name_th="มูลนิธิรักษ์น้ำ")
    await make_partner(conn, "new-ngo", verification="pending", name_th="เครือข่ายใหม่")
    rejected = await make_partner(
        conn, "bad-co", verification="pending", partner_type="company", name_th="บริษัทปฏิเสธ"
    )
    await conn.execute(
        "UPDATE organisations SET verification = 'rejected', rejection_reason = 'ข้อมูลไม่ครบ' WHERE id = $1",
        rejected,
    )
    return {"ministry": ministry, "hdy": hdy, "rejected": rejected}


async def test_directory_lists_public_orgs_but_not_rejected(client, directory_data):
    r = await client.get("/organisations")
    assert r.status_code == 200
    text = text_of(r.text)
    for name in ("กระทรวงทดสอบ", "สำนักงานจังหวัดเชียงใหม่", "มูลนิธิรักษ์น้ำ", "เครือข่ายใหม่"):
        assert name in text
    assert "บริษัทปฏิเสธ" not in text
    assert "5 " in text  # "5 organisations found" (th: "พบ 5 องค์กร")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=agency", {"ministry", "cmi-office", "hdy-city"}),
        ("kind=partner", {"water-fdn", "new-ngo"}),
        ("level=local", {"hdy-city"}),
        ("province=CMI", {"cmi-office"}),
        ("partner_type=foundation", {"water-fdn"}),
        ("kind=partner&verification=pending", {"new-ngo"}),
        ("q=หาดใหญ่", {"hdy-city"}),
        ("q=%25", set()),  # a literal % matches nothing, not everything
    ],
)
async def test_directory_filters(client, directory_data, query, expected):
    r = await client.get(f"/api/v1/organisations?{query}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert {o["slug"] for o in body["items"]} == expected
    assert body["total"] == len(expected)
    html = await client.get(f"/organisations?{query}")
    assert html.status_code == 200
    for slug in expected:
        assert f'href="/organisations/{slug}"' in html.text


async def test_directory_pagination(client, conn):
    for i in range(25):
        await make_agency(conn, f"agency-{i:02d}", level="local", name_th=f"หน่วยงาน {i:02d}")
    r = await client.get("/api/v1/organisations?per_page=10&page=3")
    body = r.json()
    assert (body["total"], body["pages"], body["page"]) == (25, 3, 3)
    assert len(body["items"]) == 5
    page2 = await client.get("/organisations?page=2")
    assert page2.status_code == 200
    assert 'href="/organisations?page=2" aria-current="page"' in page2.text
    assert 'href="/organisations?page=1" rel="prev"' in page2.text
    assert page2.text.count('class="card"') == 5  # 20 per page: 25 - 20


@pytest.mark.parametrize(
    "query", ["kind=bogus", "province=XXX", "page=0", "page=abc", "page=๒", "q=a%00b", "per_page=1000"]
)
async def test_directory_bad_filters_are_400_json(client, query):
    r = await client.get(f"/api/v1/organisations?{query}")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid_filter"
    assert err["message"]


async def test_directory_bad_filter_html_is_400_page(client):
    r = await client.get("/organisations?level=galactic")
    assert r.status_code == 400
    assert "เลือก" in text_of(r.text)  # Thai message


async def test_directory_htmx_partial_only_for_target(client, directory_data):
    full = await client.get("/organisations", headers={"HX-Request": "true"})
    assert "<html" in full.text
    partial = await client.get(
        "/organisations?kind=agency", headers={"HX-Request": "true", "HX-Target": "org-results"}
    )
    assert "<html" not in partial.text
    assert 'id="org-results"' in partial.text
    assert "มูลนิธิรักษ์น้ำ" not in partial.text


# ------------------------------------------------------------------ profile


async def test_profile_shows_level_parent_children_province(client, directory_data):
    r = await client.get("/organisations/hdy-city")
    assert r.status_code == 200
    text = text_of(r.text)
    assert "เทศบาลนครหาดใหญ่" in text
    assert "สงขลา" in text  # province_name("SKA")
    assert "ราชการส่วนท้องถิ่น" in text
    assert 'href="/organisations/ministry"' in r.text
    parent = await client.get("/organisations/ministry")
    assert 'href="/organisations/hdy-city"' in parent.text
    api = await client.get("/api/v1/organisations/ministry")
    assert [c["slug"] for c in api.json()["children"]] == ["hdy-city"]


async def test_rejected_partner_hidden_from_public_and_reason_only_for_its_admins(
    client, make_client, conn, directory_data
):
    assert (await client.get("/organisations/bad-co")).status_code == 404
    assert (await client.get("/api/v1/organisations/bad-co")).status_code == 404
    owner = await make_user(conn, "owner@example.com")
    await orgs.add_member(conn, directory_data["rejected"], owner, "admin")
    await login(client, "owner@example.com")
    r = await client.get("/organisations/bad-co")
    assert r.status_code == 200
    assert "ข้อมูลไม่ครบ" in text_of(r.text)
    assert (await client.get("/api/v1/organisations/bad-co")).json()["rejection_reason"] == "ข้อมูลไม่ครบ"


async def test_unknown_and_odd_slugs_are_404(client):
    for slug in ("nope", "UPPER", "a%00b", "x" * 300):
        r = await client.get(f"/organisations/{slug}")
        assert r.status_code == 404, slug
    r = await client.get("/api/v1/organisations/nope")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


# ------------------------------------------------------------------ registering


async def test_register_partner_starts_pending_and_user_is_admin(client, conn):
    uid = await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    form = await client.get("/organisations/new")
    assert form.status_code == 200
    assert 'name="kind" value="partner"' in form.text  # citizens cannot pick "agency"
    r = await post_form(
        client,
        "/organisations/new",
        {
            "kind": "partner",
            "name_th": "กลุ่มอาสาพัฒนาชุมชน",
            "name_en": "Community Volunteers",
            "partner_type": "community",
            "province": "KKN",
            "description": "บรรทัดหนึ่ง\nบรรทัดสอง",
            "website": "https://volunteers.example.org",
            "contact_email": "hello@volunteers.example.org",
        },
    )
    assert r.status_code == 303, r.text[:2000]
    assert r.headers["location"] == "/organisations/community-volunteers"
    org = await orgs.get_organisation(conn, "community-volunteers")
    assert org is not None
    assert (org.kind, org.verification, org.partner_type, org.province) == (
        "partner",
        "pending",
        "community",
        "KKN",
    )
    assert org.description == "บรรทัดหนึ่ง\nบรรทัดสอง"
    assert await orgs.membership_status(conn, org.id, uid) == "active"
    role = await conn.fetchval("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2", org.id, uid)
    assert role == "admin"
    assert len(await _audit(conn, "org.register")) == 1
    # The new organisation shows in the pending admin queue.
    assert org.id in [
        o.id for o in await orgs.list_organisations(conn, kind="partner", verification="pending")
    ]


async def test_register_slug_from_thai_name_and_duplicates(client, conn):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    data = {"kind": "partner", "name_th": "มูลนิธิทดสอบ", "partner_type": "foundation"}
    r1 = await post_form(client, "/organisations/new", data)
    r2 = await post_form(client, "/organisations/new", data)
    assert r1.status_code == r2.status_code == 303
    slug1 = r1.headers["location"].rsplit("/", 1)[1]
    slug2 = r2.headers["location"].rsplit("/", 1)[1]
    assert slug1.isascii() and len(slug1) >= 2
    assert slug2 == f"{slug1}-2"
    # A chosen slug that is taken is a 409 with the form re-rendered.
    r3 = await post_form(client, "/organisations/new", data | {"slug": slug1})
    assert r3.status_code == 409
    assert 'value="มูลนิธิทดสอบ"' in r3.text
    assert await _org_count(conn) == 2


async def test_citizen_cannot_register_agency(client, conn):
    await make_user(conn, "c@example.com")
    await login(client, "c@example.com")
    r = await post_form(
        client, "/organisations/new", {"kind": "agency", "name_th": "กรมปลอม", "level": "central"}
    )
    assert r.status_code == 403
    r = await send_json(
        client, "POST", "/api/v1/organisations", {"kind": "agency", "name_th": "กรมปลอม", "level": "central"}
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert await _org_count(conn) == 0


async def test_admin_registers_agency_with_parent(client, conn):
    parent = await make_agency(conn, "moi", level="central")
    await make_user(conn, "admin@example.com", role="admin")
    await login(client, "admin@example.com")
    form = await client.get("/organisations/new")
    assert 'name="level"' in form.text and 'name="parent_id"' in form.text
    r = await post_form(
        client,
        "/organisations/new",
        {
            "kind": "agency",
            "name_th": "อบต.ทดสอบ",
            "name_en": "Test SAO",
            "level": "local",
            "parent_id": str(parent),
            "province": "LPN",
        },
    )
    assert r.status_code == 303, r.text[:2000]
    org = await orgs.get_organisation(conn, "test-sao")
    assert (org.kind, org.level, org.parent_id, org.verification) == ("agency", "local", parent, "verified")


async def test_anonymous_register_redirects_to_login(client):
    r = await client.get("/organisations/new")
    assert r.status_code in (302, 303)
    assert r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("field", "value", "message_th"),
    [
        ("name_th", "", "กรุณากรอก"),
        ("name_th", "ก" * 10_000, "ยาวเกินไป"),
        ("name_th", "ชื่อ\x00แอบ", "อักขระที่ไม่อนุญาต"),
        ("province", "ZZZ", "จังหวัด"),
        ("website", "javascript:alert(1)", "http"),
        ("contact_email", "not-an-email", "อีเมล"),
        ("slug", "Bad Slug!", "ตัวพิมพ์เล็ก"),
        ("partner_type", "cult", "เลือก"),
    ],
)
async def test_register_bad_input_rerenders_400_and_stores_nothing(client, conn, field, value, message_th):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    data = {
        "kind": "partner",
        "name_th": "ชื่อที่พิมพ์ไว้",
        "name_en": "Typed Name",
        "partner_type": "ngo",
        field: value,
    }
    r = await post_form(client, "/organisations/new", data)
    assert r.status_code == 400
    text = text_of(r.text)
    assert message_th in text
    assert 'aria-invalid="true"' in r.text
    if field != "name_th":
        assert 'value="ชื่อที่พิมพ์ไว้"' in r.text  # what they typed comes back
    assert 'value="Typed Name"' in r.text
    assert await _org_count(conn) == 0
    assert await conn.fetchval("SELECT count(*) FROM memberships") == 0


async def test_register_bad_input_english_messages(client, conn):
    await make_user(conn, "en@example.com", lang="en")
    await login(client, "en@example.com")
    r = await post_form(
        client, "/organisations/new", {"kind": "partner", "name_th": "", "partner_type": "ngo"}
    )
    assert r.status_code == 400
    assert "This field is required." in text_of(r.text)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name_th": "", "partner_type": "ngo"}, "name_th"),
        ({"name_th": "ก" * 10_000, "partner_type": "ngo"}, "name_th"),
        ({"name_th": "a\x00b", "partner_type": "ngo"}, "name_th"),
        ({"name_th": "ชื่อ", "partner_type": "ngo", "province": "XX"}, "province"),
        ({"name_th": "ชื่อ"}, "partner_type"),
    ],
)
async def test_api_register_errors_shape(client, conn, body, field):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    r = await send_json(client, "POST", "/api/v1/organisations", body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_input"
    assert err["field"] == field
    assert err["message"]
    assert await _org_count(conn) == 0


async def test_api_register_and_wrong_types(client, conn):
    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    r = await send_json(
        client,
        "POST",
        "/api/v1/organisations",
        {"name_th": "เครือข่ายเอพีไอ", "name_en": "API Network", "partner_type": "ngo"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["slug"], r.json()["verification"]) == ("api-network", "pending")
    r = await send_json(client, "POST", "/api/v1/organisations", {"name_th": 5})
    assert r.status_code == 400
    assert "error" in r.json()


async def test_api_register_requires_login(make_client):
    other = await make_client()
    r = await send_json(other, "POST", "/api/v1/organisations", {"name_th": "ชื่อ", "partner_type": "ngo"})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "login_required"


# ------------------------------------------------------------------ verification


async def test_admin_verifies_partner_html(client, conn):
    org = await make_partner(conn, "pending-one", verification="pending")
    admin = await make_user(conn, "admin@example.com", role="admin")
    await login(client, "admin@example.com")
    queue = await client.get("/admin/partners")
    assert queue.status_code == 200
    assert f'href="/admin/partners/{org}"' in queue.text
    review = await client.get(f"/admin/partners/{org}")
    assert review.status_code == 200
    r = await post_form(client, f"/admin/partners/{org}", {"decision": "verified"})
    assert r.status_code == 303
    saved = await orgs.get_organisation(conn, org)
    assert saved.verification == "verified"
    rows = await _audit(conn, "org.verify")
    assert [(a["actor_id"], a["subject_id"]) for a in rows] == [(admin, org)]
    queue = await client.get("/admin/partners")
    assert f'href="/admin/partners/{org}"' not in queue.text


async def test_reject_needs_reason_html(client, conn):
    org = await make_partner(conn, "pending-one", verification="pending")
    await make_user(conn, "admin@example.com", role="admin")
    await login(client, "admin@example.com")
    r = await post_form(client, f"/admin/partners/{org}", {"decision": "rejected", "reason": "   "})
    assert r.status_code == 400
    assert "เหตุผล" in text_of(r.text)
    assert (await orgs.get_organisation(conn, org)).verification == "pending"
    assert await _audit(conn, "org.reject") == []
    r = await post_form(
        client, f"/admin/partners/{org}", {"decision": "rejected", "reason": "เว็บไซต์ใช้งานไม่ได้"}
    )
    assert r.status_code == 303
    saved = await orgs.get_organisation(conn, org)
    assert (saved.verification, saved.rejection_reason) == ("rejected", "เว็บไซต์ใช้งานไม่ได้")
    assert len(await _audit(conn, "org.reject")) == 1


async def test_api_verify_and_reject(client, conn):
    a = await make_partner(conn, "p-a", verification="pending")
    b = await make_partner(conn, "p-b", verification="pending")
    await make_user(conn, "admin@example.com", role="admin")
    await login(client, "admin@example.com")
    r = await send_json(client, "POST", "/api/v1/organisations/p-a/verify", {"decision": "verified"})
    assert r.status_code == 200, r.text
    assert r.json()["verification"] == "verified"
    r = await send_json(client, "POST", "/api/v1/organisations/p-b/verify", {"decision": "rejected"})
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": "invalid_input",
        "message": r.json()["error"]["message"],
        "field": "reason",
    }
    assert (await orgs.get_organisation(conn, b)).verification == "pending"
    r = await send_json(
        client,
        "POST",
        "/api/v1/organisations/p-b/verify",
        {"decision": "rejected", "reason": "ไม่พบข้อมูลองค์กร"},
    )
    assert r.status_code == 200
    assert r.json()["rejection_reason"] == "ไม่พบข้อมูลองค์กร"
    r = await send_json(client, "POST", "/api/v1/organisations/p-a/verify", {"decision": "verified"})
    assert r.status_code == 409  # already verified
    r = await send_json(client, "POST", "/api/v1/organisations/p-a/verify", {"decision": "maybe"})
    assert r.status_code == 400
    assert (await orgs.get_organisation(conn, a)).verification == "verified"


@pytest.mark.parametrize("role", ["citizen", "moderator"])
async def test_non_admin_cannot_verify(client, conn, role):
    org = await make_partner(conn, "pending-one", verification="pending")
    uid = await make_user(conn, "someone@example.com", role=role)
    await orgs.add_member(conn, org, uid, "admin")  # even the partner's own admin
    await login(client, "someone@example.com")
    r = await send_json(client, "POST", "/api/v1/organisations/pending-one/verify", {"decision": "verified"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    r = await post_form(client, f"/admin/partners/{org}", {"decision": "verified"})
    assert r.status_code == 403
    assert (await client.get("/admin/partners")).status_code == 403
    assert (await orgs.get_organisation(conn, org)).verification == "pending"


# ------------------------------------------------------------------ joining


async def test_join_request_and_accept(client, make_client, conn):
    org = await make_partner(conn, "water-fdn", name_th="มูลนิธิรักษ์น้ำ")
    admin = await make_user(conn, "admin@water.example")
    await orgs.add_member(conn, org, admin, "admin")
    joiner = await make_user(conn, "joiner@example.com", name="ผู้ขอเข้าร่วม")
    await login(client, "joiner@example.com")
    page = await client.get("/organisations/water-fdn")
    assert 'action="/organisations/water-fdn/join"' in page.text
    r = await post_form(client, "/organisations/water-fdn/join")
    assert r.status_code == 303
    assert await orgs.membership_status(conn, org, joiner) == "pending"
    page = await client.get("/organisations/water-fdn")
    assert 'action="/organisations/water-fdn/join"' not in page.text
    again = await post_form(client, "/organisations/water-fdn/join")
    assert again.status_code == 409
    # The joiner cannot accept their own request.
    r = await post_form(client, f"/organisations/water-fdn/members/{joiner}", {"decision": "accept"})
    assert r.status_code == 403

    admin_client = await make_client()
    await login(admin_client, "admin@water.example")
    members = await admin_client.get("/organisations/water-fdn/members")
    assert members.status_code == 200
    assert "ผู้ขอเข้าร่วม" in text_of(members.text)
    r = await post_form(admin_client, f"/organisations/water-fdn/members/{joiner}", {"decision": "accept"})
    assert r.status_code == 303
    assert await orgs.membership_status(conn, org, joiner) == "active"
    assert len(await _audit(conn, "org.member.accept")) == 1
    r = await post_form(admin_client, f"/organisations/water-fdn/members/{joiner}", {"decision": "accept"})
    assert r.status_code == 409
    assert (await orgs.get_organisation(conn, org)).member_count == 2


async def test_join_decline_and_api_join(client, make_client, conn):
    org = await make_agency(conn, "city-hall", level="local", province="CMI")
    admin = await make_user(conn, "admin@city.example")
    await orgs.add_member(conn, org, admin, "admin")
    joiner = await make_user(conn, "joiner@example.com")
    await login(client, "joiner@example.com")
    r = await send_json(client, "POST", "/api/v1/organisations/city-hall/join")
    assert r.status_code == 201
    assert r.json() == {"org_id": org, "slug": "city-hall", "status": "pending"}
    r = await send_json(client, "POST", "/api/v1/organisations/city-hall/join")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "already_member"
    admin_client = await make_client()
    await login(admin_client, "admin@city.example")
    r = await post_form(admin_client, f"/organisations/city-hall/members/{joiner}", {"decision": "decline"})
    assert r.status_code == 303
    assert await orgs.membership_status(conn, org, joiner) is None
    r = await post_form(admin_client, f"/organisations/city-hall/members/{joiner}", {"decision": "whatever"})
    assert r.status_code == 400


async def test_join_needs_login(client, conn):
    await make_partner(conn, "water-fdn")
    r = await send_json(client, "POST", "/api/v1/organisations/water-fdn/join")
    assert r.status_code == 401


async def test_openapi_documents_the_organisation_api(client):
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path, method in [
        ("/api/v1/organisations", "get"),
        ("/api/v1/organisations", "post"),
        ("/api/v1/organisations/{slug}", "get"),
        ("/api/v1/organisations/{slug}/join", "post"),
        ("/api/v1/organisations/{slug}/verify", "post"),
    ]:
        assert paths[path][method]["tags"] == ["organisations"], (path, method)
    assert not any(p.startswith("/organisations") or p.startswith("/admin/partners") for p in paths)
