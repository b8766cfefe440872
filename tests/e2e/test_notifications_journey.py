"""A citizen supports an idea; staff answer it; the citizen's bell count rises without a reload
(HTMX polling) and clicking through leads to the answer. Demo accounts (verified); phone and
desktop screenshots."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.journey import login


def _count(pg) -> int:
    badge = pg.locator("#bell .bell__count")
    return int(badge.inner_text()) if badge.count() else 0


def test_the_bell_rises_without_a_reload_and_leads_to_the_answer(page, browser, live_server, shot):
    title = f"ที่จอดรถจักรยานหน้าตลาด {uuid.uuid4().hex[:4]}"

    # Someone else's idea, on a board of Hat Yai City.
    author_ctx = browser.new_context(base_url=live_server, locale="th-TH")
    author = author_ctx.new_page()
    login(author, "pim@citizen.example")
    author.goto("/ideas/new?board=hatyai-clean-city")
    author.get_by_label("หัวข้อ").fill(title)
    author.get_by_label("ไอเดียของคุณ").fill("ขอที่จอดรถจักรยานมีหลังคาหน้าตลาด จะได้ไม่ต้องจอดขวางทางเท้า")
    author.get_by_role("button", name="ส่งไอเดีย").click()
    expect(author.get_by_role("heading", name=title)).to_be_visible()
    idea_url = author.url
    author_ctx.close()

    # The citizen supports it (and so follows it), then stays on the page.
    login(page, "krit@citizen.example")
    page.goto(idea_url)
    page.get_by_role("button", name="สนับสนุนไอเดียนี้").click()
    expect(page.get_by_role("button", name="ถอนการสนับสนุน")).to_be_visible()
    expect(page.locator("#bell")).to_be_visible()
    page.wait_for_timeout(1500)  # the bell's first fetch
    before = _count(page)
    page.evaluate("window.__noReload = true")

    staff_ctx = browser.new_context(base_url=live_server, locale="th-TH")
    staff = staff_ctx.new_page()
    login(staff, "malee@hatyai.example")
    staff.goto(idea_url)
    staff.get_by_label("ตอบในนามหน่วยงานของคุณ").fill("เทศบาลจะติดตั้งที่จอดจักรยานมีหลังคา 20 คันภายในเดือนหน้า")
    staff.get_by_role("button", name="เผยแพร่คำตอบ").click()
    expect(staff.get_by_text("เผยแพร่คำตอบอย่างเป็นทางการแล้ว")).to_be_visible()
    staff_ctx.close()

    # No reload: the bell polls and its count rises.
    badge = page.locator("#bell .bell__count")
    if before:
        expect(badge).not_to_have_text(str(before), timeout=30_000)
    else:
        expect(badge).to_be_visible(timeout=30_000)
    assert _count(page) > before
    assert page.evaluate("window.__noReload") is True
    shot(page, "phone-bell-rose", full_page=False)

    page.locator("#bell").click()
    expect(page.get_by_role("heading", name="การแจ้งเตือน")).to_be_visible()
    notice = page.locator("li.notification", has_text=title).first
    expect(notice).to_contain_text("หน่วยงานตอบไอเดียที่คุณติดตามแล้ว")
    shot(page, "phone-inbox")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "desktop-inbox")
    notice.get_by_role("link", name="หน่วยงานตอบไอเดียที่คุณติดตามแล้ว").click()
    expect(page).to_have_url(re.compile(r"/ideas/\d+#official-answer$"))
    expect(page.locator(".official")).to_contain_text("เทศบาลจะติดตั้งที่จอดจักรยานมีหลังคา")
    shot(page, "desktop-answer", full_page=False)
