"""A citizen submits an idea; a second citizen supports and comments (HTMX, in place); agency staff
answer and accept it; a visitor who is not logged in sees the answer and the status history."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.journey import register_and_verify

DEMO_PASSWORD = "civic-demo-2569"


def _new_page(browser, live_server, errors: list[str]):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="th-TH", device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, pg


def _register(pg, browser, live_server, name: str) -> None:
    # Submitting and supporting need a verified address: the link comes from the mail catcher.
    email = f"idea-{uuid.uuid4().hex[:8]}@example.com"
    register_and_verify(pg, browser, live_server, name, email, "ทะเลสาบสงขลา สวยมาก")
    expect(pg.get_by_role("link", name=name)).to_be_visible()


def test_idea_journey(page, browser, live_server, shot):
    errors: list[str] = []
    title = f"ไวไฟสาธารณะในตลาดเกาะเสือ {uuid.uuid4().hex[:4]}"

    # 1. A citizen registers and submits an idea.
    _register(page, browser, live_server, "สมศรี ตลาดเกาะเสือ")
    page.goto("/ideas/new?board=hatyai-clean-city")
    expect(page.get_by_role("heading", name="เสนอไอเดีย")).to_be_visible()
    page.get_by_label("หัวข้อ").fill(title)
    page.get_by_label("ไอเดียของคุณ").fill(
        "แม่ค้าในตลาดรับเงินผ่านพร้อมเพย์ แต่สัญญาณมือถือในอาคารอ่อนมาก\n\nขอไวไฟฟรีในตลาด ดู https://example.org/wifi"
    )
    shot(page, "1-submit-form")
    page.get_by_role("button", name="ส่งไอเดีย").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("เผยแพร่ไอเดียของคุณแล้ว")).to_be_visible()
    idea_url = page.url
    assert re.search(r"/ideas/\d+$", idea_url)
    shot(page, "2-idea-published")

    # 2. A second citizen supports (toggles in place, no reload) and comments.
    ctx2, second = _new_page(browser, live_server, errors)
    try:
        _register(second, browser, live_server, "ประยุทธ์ หาดใหญ่")
        second.goto(idea_url)
        second.evaluate("window.__noReload = true")
        second.get_by_role("button", name="สนับสนุนไอเดียนี้").click()
        expect(second.get_by_role("button", name="ถอนการสนับสนุน")).to_be_visible()
        expect(second.locator("[id^=support-] .num")).to_have_text("1")
        second.get_by_label("แสดงความคิดเห็น").fill("เห็นด้วยครับ ตลาดนี้คนเยอะมาก")
        second.get_by_role("button", name="ส่งความคิดเห็น").click()
        expect(second.locator("#comment-list").get_by_text("เห็นด้วยครับ ตลาดนี้คนเยอะมาก")).to_be_visible()
        assert second.evaluate("window.__noReload") is True  # HTMX: the page never reloaded
        shot(second, "3-supported-and-commented")
    finally:
        ctx2.close()

    # 3. Agency staff answer officially and accept the idea.
    ctx3, staff = _new_page(browser, live_server, errors)
    try:
        staff.goto("/login")
        staff.get_by_label("อีเมล").fill("malee@hatyai.example")
        staff.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORD)
        staff.get_by_role("button", name="เข้าสู่ระบบ").click()
        expect(staff.get_by_text("เข้าสู่ระบบเรียบร้อยแล้ว")).to_be_visible()
        staff.goto(idea_url)
        staff.get_by_label("ตอบในนามหน่วยงานของคุณ").fill(
            "เทศบาลนครหาดใหญ่รับข้อเสนอนี้ และจะติดตั้งไวไฟฟรีในตลาดเกาะเสือภายในสามเดือน"
        )
        staff.get_by_role("button", name="เผยแพร่คำตอบ").click()
        expect(staff.get_by_text("เผยแพร่คำตอบอย่างเป็นทางการแล้ว")).to_be_visible()
        staff.get_by_label("สถานะใหม่").select_option("accepted")
        staff.get_by_role("button", name="เปลี่ยนสถานะ").click()
        expect(staff.get_by_text("เปลี่ยนสถานะแล้ว")).to_be_visible()
        shot(staff, "4-staff-answered")
    finally:
        ctx3.close()

    # 4. A visitor who is not logged in sees the answer and the status history.
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.goto(idea_url)
    official = page.locator(".official")
    expect(official).to_contain_text("คำตอบอย่างเป็นทางการ")
    expect(official).to_contain_text("เทศบาลนครหาดใหญ่รับข้อเสนอนี้")
    history = page.locator(".timeline")
    expect(history).to_contain_text("เผยแพร่แล้ว")
    expect(history).to_contain_text("รับไว้ดำเนินการ")
    expect(history).to_contain_text("เทศบาลนครหาดใหญ่")
    expect(page.get_by_text("เห็นด้วยครับ ตลาดนี้คนเยอะมาก")).to_be_visible()
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "5-visitor-sees-answer-and-history")
    assert not errors, f"browser console errors: {errors}"
