"""The pages issue 21 added or changed, as people see them on a phone and a desktop: the error
summary that names and links every field, the staff menu and the one moderation inbox, my
activity, and the confirmation step of an irreversible act (axe-core audits each, see shot)."""

from __future__ import annotations

from playwright.sync_api import expect

from civic.demo import DEMO_PASSWORD
from tests.e2e.journey import login, logout

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def both(page, shot, name: str) -> None:
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        shot(page, f"{name}-{size}", full_page=False)
    page.set_viewport_size(SIZES["phone"])


def test_issue21_pages(page, shot):
    login(page, "krit@citizen.example")
    page.goto("/ideas/new")
    page.get_by_role("button", name="ส่งไอเดีย").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="บอร์ด: โปรดเลือกบอร์ด")).to_have_attribute("href", "#field-board")
    expect(summary.get_by_role("link")).to_have_count(3)  # board, title and text, all at once
    both(page, shot, "1-idea-errors")
    page.goto("/activity")
    expect(page.get_by_role("heading", name="กิจกรรมของฉัน")).to_be_visible()
    both(page, shot, "2-my-activity")
    logout(page)

    login(page, "moderator@civic.example")
    page.get_by_role("link", name="เครื่องมือเจ้าหน้าที่").click()
    expect(page.get_by_role("heading", name="เครื่องมือเจ้าหน้าที่")).to_be_visible()
    both(page, shot, "3-staff-tools")
    page.get_by_role("link", name="กล่องงานตรวจสอบเนื้อหา").click()
    expect(page.get_by_role("heading", name="กล่องงานตรวจสอบเนื้อหา")).to_be_visible()
    expect(page.get_by_role("heading", name="ความคิดเห็นรายมาตราที่ถูกรายงาน")).to_be_visible()
    both(page, shot, "4-moderation-inbox")
    logout(page)

    login(page, "anan@kknpao.example")
    page.goto("/handovers?status=open&agency=kkn-pao")
    page.locator(".card__title a").first.click()
    page.get_by_label("เหตุผลที่ยกเลิก (เปิดเผยต่อสาธารณะ)").fill("งบประมาณถูกตัดกลางปี")
    page.get_by_role("button", name="ยกเลิกงาน").click()
    expect(page.get_by_text("การกระทำนี้ยกเลิกไม่ได้")).to_be_visible()
    both(page, shot, "5-confirm-cancel")
    page.get_by_role("link", name="ย้อนกลับ").click()


def test_a_confirmation_is_seen_where_the_page_opens(page, shot):
    """Item 21: after a step the page opens at #respond or #section-N while the thank-you sat
    at the top, off-screen. Logging in to answer a consultation lands at #respond the same way."""
    page.goto("/consultations")
    page.locator(".card__title a").first.click()
    path = page.evaluate("location.pathname")
    page.goto(f"/login?next={path}%23respond")
    page.get_by_label("อีเมล").fill("krit@citizen.example")
    page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    flash = page.get_by_text("เข้าสู่ระบบเรียบร้อยแล้ว")
    expect(flash).to_be_in_viewport()
    expect(page.locator("#respond")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # the page did open further down, at #respond
    shot(page, "6-confirmation-in-view", full_page=False)


def test_desktop_layout(page, shot):
    """Item 16: on a desktop the filters took the wide column and squeezed the results into
    about 270 px; a consultation's dates broke one word per line; a task's short H1 sat
    right-aligned on the badge row."""
    page.set_viewport_size(SIZES["desktop"])
    for path in ("/consultations", "/handovers"):
        page.goto(path)
        results = page.locator(".card").first.bounding_box()
        assert results and results["width"] > 550, (path, results)
        shot(page, f"7-desktop-{path.strip('/')}", full_page=False)
    page.goto("/consultations")
    page.locator(".card__title a").first.click()
    shot(page, "7-desktop-consultation", full_page=False)
    closes = page.locator("aside dd").nth(1)
    assert closes.bounding_box()["height"] < 60, closes.inner_text()  # not a word per line
    page.goto("/handovers")
    page.locator(".card__title a").first.click()
    title, header = page.locator("h1").bounding_box(), page.locator(".page-header").bounding_box()
    assert title["x"] - header["x"] < 5  # the title starts at the left edge, on its own line
    shot(page, "8-desktop-task", full_page=False)
