"""Staff add an implementation plan to an accepted idea and post an update with a photo; a
citizen who supported the idea (and so follows it) is told, and reads the timeline on the idea
page. Demo accounts; phone 390x844 and desktop 1366x900 screenshots."""

from __future__ import annotations

import re
import time
import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.journey import login

NOTICE = "คำมั่นที่คุณติดตามมีความคืบหน้าในการดำเนินงาน"


def _photo(tmp_path) -> str:
    from PIL import Image

    path = tmp_path / "site-photo.png"
    Image.new("RGB", (320, 200), (60, 140, 90)).save(path, "PNG")
    return str(path)


def test_staff_plan_and_update_an_accepted_idea_and_a_follower_is_told(page, browser, live_server, shot, tmp_path):
    title = f"ไฟส่องสว่างซอยหลังตลาด {uuid.uuid4().hex[:4]}"
    today = date.today()

    # A citizen's idea on a board of Hat Yai City.
    author_ctx = browser.new_context(base_url=live_server, locale="th-TH")
    author = author_ctx.new_page()
    login(author, "pim@citizen.example")
    author.goto("/ideas/new?board=hatyai-clean-city")
    author.get_by_label("หัวข้อ").fill(title)
    author.get_by_label("ไอเดียของคุณ").fill("ซอยหลังตลาดมืดมากตอนกลางคืน ขอติดไฟส่องสว่างเพิ่มเพื่อความปลอดภัย")
    author.get_by_role("button", name="ส่งไอเดีย").click()
    expect(author.get_by_role("heading", name=title)).to_be_visible()
    idea_url = author.url.split("#")[0]
    author_ctx.close()

    # Another citizen supports it, and so follows it.
    login(page, "krit@citizen.example")
    page.goto(idea_url)
    page.get_by_role("button", name="สนับสนุนไอเดียนี้").click()
    expect(page.get_by_role("button", name="ถอนการสนับสนุน")).to_be_visible()

    # Staff of the agency accept it, attach a plan and post an update with a photo.
    staff_ctx = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, locale="th-TH", device_scale_factor=1
    )
    staff = staff_ctx.new_page()
    login(staff, "malee@hatyai.example")
    staff.goto(idea_url)
    staff.locator("#field-status").select_option("accepted")
    staff.get_by_role("button", name="เปลี่ยนสถานะ").click()
    staff.get_by_role("link", name="เพิ่มแผนการดำเนินงาน").click()
    expect(staff.get_by_role("heading", name="แผนการดำเนินงาน")).to_be_visible()
    staff.get_by_label("สิ่งที่หน่วยงานจะดำเนินการ").fill("สำรวจจุดมืดและติดตั้งไฟ LED 12 ต้นตลอดซอยหลังตลาด")
    staff.locator("#field-starts_on").fill(today.isoformat())
    # A milestone due before the start is refused, naming the field; what was typed stays.
    staff.locator("#m-title-1").fill("สำรวจจุดมืด")
    staff.locator("#m-due-1").fill((today - timedelta(days=1)).isoformat())
    staff.get_by_role("button", name="เผยแพร่แผน").click()
    expect(staff.locator("#field-milestones")).to_contain_text("ก่อนวันเริ่มแผน")
    expect(staff.get_by_label("สิ่งที่หน่วยงานจะดำเนินการ")).to_have_value("สำรวจจุดมืดและติดตั้งไฟ LED 12 ต้นตลอดซอยหลังตลาด")
    shot(staff, "phone-plan-form-error")
    staff.locator("#m-due-1").fill((today + timedelta(days=7)).isoformat())
    staff.locator("#m-title-2").fill("ติดตั้งไฟครบ 12 ต้น")
    staff.locator("#m-due-2").fill((today + timedelta(days=45)).isoformat())
    staff.get_by_role("button", name="เผยแพร่แผน").click()
    expect(staff.get_by_text("เผยแพร่แผนการดำเนินงานแล้ว")).to_be_visible()
    plan_url = staff.url

    update = staff.locator("#post-update")
    update.get_by_label("สิ่งที่ทำไปแล้ว").fill("สำรวจเสร็จแล้ว พบจุดมืด 12 จุด เริ่มติดตั้งเสาไฟ 4 ต้นแรก")
    staff.locator("#field-percent").fill("120")
    staff.get_by_role("button", name="เผยแพร่ความคืบหน้า").click()
    expect(staff.locator("#field-percent-error")).to_be_visible()
    staff.locator("#field-percent").fill("35")
    staff.locator("#field-milestone_id").select_option(label="สำรวจจุดมืด")
    staff.locator("#field-evidence").set_input_files(_photo(tmp_path))
    staff.get_by_role("button", name="เผยแพร่ความคืบหน้า").click()
    expect(staff.get_by_text("เผยแพร่ความคืบหน้าของคุณแล้ว")).to_be_visible()
    expect(staff.locator(".implementation")).to_contain_text("ความคืบหน้า: 35%")
    shot(staff, "phone-plan-staff")
    staff.set_viewport_size({"width": 1366, "height": 900})
    shot(staff, "desktop-plan-staff")
    staff_ctx.close()

    # The follower is told (the notifier runs in the background) and reads the timeline.
    deadline = time.monotonic() + 30
    while True:
        page.goto("/notifications")
        notice = page.locator("li.notification", has_text=title).filter(has_text=NOTICE)
        if notice.count() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(1000)
    expect(notice.first).to_be_visible()
    shot(page, "phone-follower-inbox")
    notice.first.get_by_role("link", name=NOTICE).click()
    expect(page).to_have_url(re.compile(r"/ideas/\d+#implementation$"))
    timeline = page.locator("#implementation")
    expect(timeline).to_contain_text("สำรวจเสร็จแล้ว พบจุดมืด 12 จุด")
    expect(timeline).to_contain_text("ความคืบหน้า: 35%")
    expect(timeline.get_by_role("link", name=re.compile("site-photo.png"))).to_be_visible()
    timeline.scroll_into_view_if_needed()
    shot(page, "phone-follower-timeline", full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "desktop-follower-timeline")
    page.goto(plan_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    assert page.locator("#post-update").count() == 0  # a citizen sees no staff forms
