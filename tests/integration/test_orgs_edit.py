"""Editing an organisation: the HTML form and PATCH /api/v1/organisations/{slug}, per role."""

from __future__ import annotations

import pytest

from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_partner, make_user, parse, post_form, send_json, text_of

GOOD = {
    "name_th": "มูลนิธิรักษ์น้ำเชียงใหม่",
    "name_en": "Save Water Chiang Mai",
    "description": "ดูแลแหล่งน้ำชุมชน",
    "province": "CMI",
    "website": "https://water.example.org",
    "contact_email": "hello@water.example.org",
}


@pytest.fixture
async def roles(conn):
    """A partner with an admin and a member, another partner's admin, and a platform admin."""
    org = await make_partner(conn, "water-fdn", name_th="มูลนิธิรักษ์น้ำ")
    other = await make_partner(conn, "other-ngo")
    ids = {
        "org_admin": await make_user(conn, "admin@water.example"),
        "member": await make_user(conn, "member@water.example"),
        "other_admin": await make_user(conn, "admin@other.example"),
        "platform_admin": await make_user(conn, "root@example.com", role="admin"),
    }
    await orgs.add_member(conn, org, ids["org_admin"], "admin")
    await orgs.add_member(conn, org, ids["member"], "member")
    await orgs.add_member(conn, other, ids["other_admin"], "admin")
    return {"org": org, **ids}


EMAILS = {
    "org_admin": "admin@water.example",
    "member": "member@water.example",
    "other_admin": "admin@other.example",
    "platform_admin": "root@example.com",
}


async def _edits(conn) -> list:
    return await conn.fetch("SELECT * FROM audit_log WHERE action = 'org.edit' ORDER BY id")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("member", False), ("other_admin", False), ("org_admin", True), ("platform_admin", True)],
)
async def test_edit_html_per_role(client, conn, roles, role, allowed):
    await login(client, EMAILS[role])
    page = await client.get("/organisations/water-fdn/edit")
    profile = await client.get("/organisations/water-fdn")
    r = await post_form(client, "/organisations/water-fdn/edit", GOOD)
    org = await orgs.get_organisation(conn, roles["org"])
    if not allowed:
        assert page.status_code == 403
        assert r.status_code == 403
        assert 'href="/organisations/water-fdn/edit"' not in profile.text
        assert org.name_th == "มูลนิธิรักษ์น้ำ"
        assert await _edits(conn) == []
        return
    assert page.status_code == 200
    assert 'href="/organisations/water-fdn/edit"' in profile.text
    form = parse(page.text)
    assert form.ids["field-name_th"]["value"] == "มูลนิธิรักษ์น้ำ"
    assert r.status_code == 303
    assert r.headers["location"] == "/organisations/water-fdn"
    assert (org.name_th, org.name_en, org.province, org.website, org.contact_email, org.description) == (
        GOOD["name_th"],
        GOOD["name_en"],
        "CMI",
        GOOD["website"],
        GOOD["contact_email"],
        GOOD["description"],
    )
    [entry] = await _edits(conn)
    assert entry["actor_id"] == roles[role]
    assert entry["subject_id"] == roles["org"]
    assert set(entry["detail"]["changed"]) == set(GOOD)
    assert entry["detail"]["before"]["name_th"] == "มูลนิธิรักษ์น้ำ"
    shown = await client.get("/organisations/water-fdn")
    assert "มูลนิธิรักษ์น้ำเชียงใหม่" in text_of(shown.text)


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("other_admin", 403), ("org_admin", 200), ("platform_admin", 200)],
)
async def test_edit_api_per_role(client, conn, roles, role, status):
    await login(client, EMAILS[role])
    r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", {"name_en": "Save Water"})
    assert r.status_code == status, r.text
    org = await orgs.get_organisation(conn, roles["org"])
    if status == 200:
        assert r.json()["name_en"] == "Save Water"
        assert r.json()["name_th"] == "มูลนิธิรักษ์น้ำ"  # fields not sent stay as they were
        assert org.name_en == "Save Water"
        assert len(await _edits(conn)) == 1
    else:
        assert r.json()["error"]["code"] == "forbidden"
        assert org.name_en == ""
        assert await _edits(conn) == []


async def test_edit_needs_login(client, conn, roles):
    r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", {"name_en": "x"})
    assert r.status_code == 401
    r = await client.get("/organisations/water-fdn/edit")
    assert r.status_code in (303, 401)


async def test_edit_bad_input_rerenders_typed_values(client, conn, roles):
    await login(client, "admin@water.example")
    bad = GOOD | {"name_th": "  ", "website": "water.example", "name_en": "ชื่อที่พิมพ์ไว้"}
    r = await post_form(client, "/organisations/water-fdn/edit", bad)
    assert r.status_code == 400
    form = parse(r.text)
    assert form.ids["field-name_en"]["value"] == "ชื่อที่พิมพ์ไว้"
    assert form.ids["field-website"]["value"] == "water.example"
    text = text_of(r.text)
    assert "จำเป็นต้องกรอก" in text or "กรุณากรอก" in text or "ต้องกรอก" in text
    assert "https://" in text
    org = await orgs.get_organisation(conn, roles["org"])
    assert (org.name_th, org.name_en, org.website) == ("มูลนิธิรักษ์น้ำ", "", "")
    assert await _edits(conn) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name_th": ""}, "name_th"),
        ({"province": "XXX"}, "province"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"name_th": "ก" * 201}, "name_th"),
        ({"description": "bad\x00byte"}, "description"),
    ],
)
async def test_edit_api_errors(client, conn, roles, body, field):
    await login(client, "admin@water.example")
    r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", body)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["field"] == field
    assert error["code"] == "invalid_input"
    assert await _edits(conn) == []


async def test_edit_api_unknown_field_and_slug_not_editable(client, conn, roles):
    await login(client, "root@example.com")
    for body in ({"slug": "new-slug"}, {"kind": "agency"}, {"verification": "verified"}):
        r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", body)
        assert r.status_code == 400, (body, r.text)
    org = await orgs.get_organisation(conn, roles["org"])
    assert (org.slug, org.kind) == ("water-fdn", "partner")


async def test_nothing_changed_writes_no_audit(client, conn, roles):
    await login(client, "admin@water.example")
    r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", {"name_th": "มูลนิธิรักษ์น้ำ"})
    assert r.status_code == 200
    assert await _edits(conn) == []


@pytest.fixture
async def agencies(conn):
    ministry = await make_agency(conn, "ministry", level="central", name_th="กระทรวงทดสอบ")
    region = await make_agency(conn, "region", level="regional", province="CMI", name_th="สำนักงานภาค")
    city = await make_agency(conn, "city", level="local", province="CMI", name_th="เทศบาลเมือง")
    await conn.execute("UPDATE organisations SET parent_id = $1 WHERE id = $2", ministry, region)
    await conn.execute("UPDATE organisations SET parent_id = $1 WHERE id = $2", region, city)
    city_admin = await make_user(conn, "admin@city.example")
    await orgs.add_member(conn, city, city_admin, "admin")
    await make_user(conn, "root@example.com", role="admin")
    return {"ministry": ministry, "region": region, "city": city}


async def test_agency_admin_edits_names_but_not_level_or_parent(client, conn, agencies):
    await login(client, "admin@city.example")
    page = await client.get("/organisations/city/edit")
    assert page.status_code == 200
    assert "field-level" not in parse(page.text).ids
    assert "field-parent_id" not in parse(page.text).ids
    r = await send_json(client, "PATCH", "/api/v1/organisations/city", {"level": "central"})
    assert r.status_code == 403
    r = await send_json(client, "PATCH", "/api/v1/organisations/city", {"parent_id": None})
    assert r.status_code == 403
    r = await post_form(client, "/organisations/city/edit", {"name_th": "เทศบาลนคร", "level": "central"})
    assert r.status_code == 403
    # Sending the current values unchanged is fine.
    r = await send_json(
        client, "PATCH", "/api/v1/organisations/city", {"name_th": "เทศบาลนคร", "level": "local"}
    )
    assert r.status_code == 200, r.text
    org = await orgs.get_organisation(conn, agencies["city"])
    assert (org.name_th, org.level, org.parent_id) == ("เทศบาลนคร", "local", agencies["region"])


async def test_platform_admin_moves_agency_and_loops_are_refused(client, conn, agencies):
    await login(client, "root@example.com")
    page = await client.get("/organisations/region/edit")
    assert "field-parent_id" in parse(page.text).ids
    r = await send_json(
        client, "PATCH", "/api/v1/organisations/region", {"level": "central", "parent_id": None}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["level"], r.json()["parent_id"]) == ("central", None)
    # The ministry cannot go under the city below the region, nor under itself.
    await conn.execute(
        "UPDATE organisations SET parent_id = $1 WHERE id = $2", agencies["ministry"], agencies["region"]
    )
    r = await send_json(client, "PATCH", "/api/v1/organisations/ministry", {"parent_id": agencies["city"]})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "parent_id"
    r = await post_form(
        client,
        "/organisations/ministry/edit",
        {"name_th": "กระทรวงทดสอบ", "level": "central", "parent_id": str(agencies["ministry"])},
    )
    assert r.status_code == 400
    assert parse(r.text).ids["field-name_th"]["value"] == "กระทรวงทดสอบ"
    assert (await orgs.get_organisation(conn, agencies["ministry"])).parent_id is None
    r = await post_form(
        client,
        "/organisations/city/edit",
        {"name_th": "เทศบาลเมือง", "level": "local", "parent_id": str(agencies["ministry"])},
    )
    assert r.status_code == 303
    assert (await orgs.get_organisation(conn, agencies["city"])).parent_id == agencies["ministry"]


async def test_rejected_partner_admin_can_still_edit(client, conn, roles):
    await conn.execute(
        "UPDATE organisations SET verification = 'rejected', rejection_reason = 'ไม่มีเว็บไซต์' WHERE id = $1",
        roles["org"],
    )
    await login(client, "admin@water.example")
    r = await send_json(
        client, "PATCH", "/api/v1/organisations/water-fdn", {"website": "https://water.example"}
    )
    assert r.status_code == 200
    assert r.json()["rejection_reason"] == "ไม่มีเว็บไซต์"


async def test_english_error_message(client, conn, roles):
    await conn.execute("UPDATE users SET lang = 'en' WHERE email = 'admin@water.example'")
    await login(client, "admin@water.example")
    r = await send_json(client, "PATCH", "/api/v1/organisations/water-fdn", {"website": "ftp://x"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Enter a web address starting with http:// or https://."
