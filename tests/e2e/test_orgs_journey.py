"""Organisations in Chromium on a phone-sized page: browse and filter the directory, register a
partner, ask to join another, the platform admin verifies, the partner's admin accepts."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from civic.demo import ADMIN_EMAIL
from tests.e2e.journey import login, logout


def test_directory_register_join_verify_accept(page, live_server, shot):
    suffix = uuid.uuid4().hex[:6]
    name_th = f"กลุ่มอาสาปั่นจักรยานลำปาง {suffix}"

    # Directory: Thai labels, filter to local government with htmx (and the URL follows).
    page.goto("/organisations")
    expect(page.get_by_role("heading", name="หน่วยงานและองค์กร", level=1)).to_be_visible()
    # On a phone the filters start folded away.
    level = page.get_by_label("ระดับการบริหารราชการ")
    expect(level).to_be_hidden()
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "directory-filters-folded")
    page.locator("#org-filters > summary").click()
    level.select_option("local")
    page.get_by_role("button", name="แสดงผล").click()
    expect(page).to_have_url(re.compile(r"level=local"))
    results = page.locator("#org-results")
    expect(results.get_by_role("link", name="เทศบาลนครหาดใหญ่")).to_be_visible()
    expect(results.get_by_role("link", name="กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม")).to_have_count(0)
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "directory-local")
    # Coming back with a filter in the address: the filters are open.
    page.reload()
    expect(page.get_by_label("ระดับการบริหารราชการ")).to_be_visible()
    # On a wide screen they are shown without opening anything, and the summary is gone.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/organisations")
    expect(page.locator("#org-filters")).not_to_have_attribute("open", "")
    expect(page.get_by_label("ระดับการบริหารราชการ")).to_be_visible()
    expect(page.locator("#org-filters > summary")).to_be_hidden()
    shot(page, "directory-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/organisations?level=local")
    results = page.locator("#org-results")

    # Profile: level, province and parent agency.
    results.get_by_role("link", name="เทศบาลนครหาดใหญ่").click()
    expect(page.get_by_role("heading", name="เทศบาลนครหาดใหญ่")).to_be_visible()
    expect(page.get_by_text("ราชการส่วนท้องถิ่น").first).to_be_visible()
    expect(page.get_by_role("link", name="กรมส่งเสริมการปกครองท้องถิ่น")).to_be_visible()
    shot(page, "profile-agency")

    # A citizen registers a partner: it starts pending and they become its admin.
    login(page, "pim@citizen.example")
    page.goto("/organisations/new")
    page.get_by_label("ชื่อภาษาไทย").fill(name_th)
    page.get_by_label("ชื่อภาษาอังกฤษ (ไม่บังคับ)").fill(f"Lampang Cycling Volunteers {suffix}")
    page.get_by_label("ประเภทองค์กรภาคี").select_option("community")
    page.get_by_label("จังหวัด (ไม่บังคับ)").select_option("LPG")
    page.get_by_label("องค์กรทำอะไร (ไม่บังคับ)").fill("ชวนคนในเมืองใช้จักรยาน\nและดูแลเส้นทางปั่นร่วมกับเทศบาล")
    page.get_by_role("button", name="ลงทะเบียนองค์กร").click()
    expect(page.get_by_text("ลงทะเบียนองค์กรเรียบร้อยแล้ว")).to_be_visible()
    expect(page.get_by_role("heading", name=name_th)).to_be_visible()
    expect(page.get_by_text("องค์กรนี้กำลังรอการตรวจสอบจากทีมผู้ดูแลระบบ")).to_be_visible()
    new_url = page.url
    shot(page, "registered-partner")

    # ...and asks to join a verified foundation.
    page.goto("/organisations/rak-nam-foundation")
    page.get_by_role("button", name="ขอเข้าร่วมองค์กร").click()
    expect(page.get_by_text("ส่งคำขอเข้าร่วมแล้ว")).to_be_visible()
    expect(page.get_by_role("button", name="ขอเข้าร่วมองค์กร")).to_have_count(0)
    logout(page)

    # The platform admin verifies the new partner from the queue.
    login(page, ADMIN_EMAIL)
    page.goto("/admin/partners")
    expect(page.get_by_role("heading", name="ตรวจสอบองค์กรภาคี")).to_be_visible()
    shot(page, "admin-queue")
    page.get_by_role("link", name=re.compile("พิจารณา " + re.escape(name_th))).click()
    page.get_by_label("อนุมัติว่าผ่านการตรวจสอบ").check()
    page.get_by_role("button", name="บันทึกผลการพิจารณา").click()
    expect(page.get_by_text("องค์กรภาคีผ่านการตรวจสอบแล้ว")).to_be_visible()
    page.goto(new_url)
    expect(page.locator(".badge", has_text="ตรวจสอบแล้ว")).to_be_visible()
    logout(page)

    # The foundation's admin accepts the join request.
    login(page, "nok@raknam.example")
    page.goto("/organisations/rak-nam-foundation/members")
    row = page.get_by_role("row", name=re.compile("พิมพ์ชนก ประชาชน"))
    shot(page, "members-pending")
    row.get_by_role("button", name=re.compile("รับเข้าร่วม")).click()
    expect(page.get_by_text("รับคำขอเข้าร่วมแล้ว")).to_be_visible()
    expect(
        page.locator("section", has_text="สมาชิกปัจจุบัน").get_by_role("cell", name="พิมพ์ชนก ประชาชน", exact=True)
    ).to_be_visible()
    shot(page, "members-accepted")

    # The foundation's admin makes the new member an administrator and edits the description.
    row = page.get_by_role("row", name=re.compile("พิมพ์ชนก ประชาชน"))
    row.get_by_role("button", name=re.compile("แต่งตั้งเป็นผู้ดูแล")).click()
    expect(page.get_by_text("แต่งตั้งสมาชิกเป็นผู้ดูแลองค์กรแล้ว")).to_be_visible()
    shot(page, "members-promoted")
    page.goto("/organisations/rak-nam-foundation/edit")
    page.get_by_label("เว็บไซต์ (ไม่บังคับ)").fill("raknam.example")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("เว็บไซต์ (ไม่บังคับ)")).to_have_value("raknam.example")
    shot(page, "edit-error")
    page.get_by_label("เว็บไซต์ (ไม่บังคับ)").fill("https://raknam.example")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.get_by_text("บันทึกข้อมูลองค์กรเรียบร้อยแล้ว")).to_be_visible()
    expect(page.get_by_role("link", name="https://raknam.example")).to_be_visible()
