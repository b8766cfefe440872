"""Task handover in Chromium on a phone-sized page: agency staff post a task, a verified NGO claims
it, the agency confirms, the NGO posts milestone evidence, the agency marks it met and signs off,
and a visitor who is not logged in sees the whole public timeline."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date, timedelta

from PIL import Image
from playwright.sync_api import expect

from civic import thai
from tests.e2e.journey import login, logout


def _png() -> bytes:
    """A real image: uploads are decoded and re-encoded now, so a hand-made stub is refused."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def _post_task(page, title: str, shot=None) -> None:
    today = date.today()
    page.goto("/handovers/new")
    page.locator("#field-title").fill(title)
    page.locator("#field-description").fill("จัดอบรมอาสาสมัครในชุมชนริมแม่น้ำพองเรื่องการเฝ้าระวังระดับน้ำและการอพยพ")
    page.locator("#field-deliverables").fill("อบรม 2 ครั้ง ผู้เข้าร่วม 80 คน")
    page.locator("#field-province").select_option("KKN")
    page.locator("#field-category").select_option("disaster")
    page.locator("#field-budget").fill("30,000")
    page.locator("#field-claim_opens").fill(today.isoformat())
    page.locator("#field-claim_closes").fill((today + timedelta(days=14)).isoformat())
    page.locator("#field-deadline").fill((today + timedelta(days=60)).isoformat())
    page.locator("#field-contact").fill("ฝ่ายป้องกันภัย อบจ.ขอนแก่น โทร 043-236-290")
    page.locator("#m-title-1").fill("อบรมครั้งที่ 1")
    page.locator("#m-due-1").fill((today + timedelta(days=30)).isoformat())
    page.locator("#m-share-1").fill("50")
    page.locator("#field-publish").check()
    if shot:
        shot(page, "1-post-form")
    page.get_by_role("button", name="บันทึกงาน").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def test_post_claim_confirm_deliver_sign_off(page, live_server, shot):
    title = f"อบรมอาสาสมัครรับมือน้ำท่วม บ้านท่าพระ {uuid.uuid4().hex[:4]}"

    # Agency staff post a task with one milestone.
    login(page, "anan@kknpao.example")
    _post_task(page, title, shot)
    task_url = page.url
    logout(page)

    # A verified NGO claims it.
    login(page, "nok@raknam.example")
    page.goto(task_url)
    page.locator("#field-plan").fill("แบ่งทีมอบรมสองรอบ ร่วมกับ อปพร. และ รพ.สต. ในพื้นที่")
    page.locator("#field-team").fill("นก รักษ์น้ำ และอาสาสมัคร 5 คน")
    page.get_by_role("button", name="รับงาน", exact=True).click()
    expect(page.get_by_text("คุณรับงานนี้แล้ว รอหน่วยงานยืนยัน")).to_be_visible()
    logout(page)

    # The agency confirms.
    login(page, "anan@kknpao.example")
    page.goto(task_url)
    page.get_by_role("button", name="ยืนยันการรับงาน").click()
    expect(page.get_by_text("กำลังดำเนินการ").first).to_be_visible()
    logout(page)

    # The NGO posts milestone evidence (a real PNG).
    login(page, "nok@raknam.example")
    page.goto(task_url)
    page.locator("#field-body").fill("อบรมครั้งที่ 1 แล้ว มีผู้เข้าร่วม 45 คน")
    page.locator("#field-percent").fill("100")
    page.locator("#field-evidence").set_input_files(
        files=[{"name": "training.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="เผยแพร่ความคืบหน้า").click()
    expect(page.get_by_text("เผยแพร่ความคืบหน้าแล้ว")).to_be_visible()
    expect(page.get_by_role("link", name="หลักฐาน: training.png")).to_be_visible()
    page.get_by_role("button", name="ขอส่งมอบงาน").click()
    expect(page.get_by_text("ขอส่งมอบงานแล้ว").first).to_be_visible()
    shot(page, "2-partner-delivered")
    logout(page)

    # The agency marks the milestone met and signs off.
    login(page, "anan@kknpao.example")
    page.goto(task_url)
    page.locator("#field-verdict").check()
    page.locator("textarea[name=comment]").first.fill("ครบถ้วนตามข้อกำหนด")
    page.get_by_role("button", name="เผยแพร่ผลการตรวจ").click()
    expect(page.get_by_text("เผยแพร่ผลการตรวจงานระยะแล้ว")).to_be_visible()
    page.locator("#field-comment").fill("ทำงานรวดเร็ว ประสานชุมชนได้ดีมาก")
    page.get_by_role("button", name="ลงนามรับมอบงาน").click()
    # Sign-off cannot be undone: a page of its own asks to confirm, with the comment shown.
    expect(page.locator(".confirm")).to_contain_text("ทำงานรวดเร็ว ประสานชุมชนได้ดีมาก")
    page.locator(".confirm button[type=submit]").click()
    expect(page.get_by_text("หน่วยงานลงนามรับรองแล้ว")).to_be_visible()
    logout(page)

    # A visitor sees the full public timeline.
    page.goto(task_url)
    timeline = page.locator("#timeline")
    for step in ("ร่างงานแล้ว", "เผยแพร่งานแล้ว", "รับงาน", "ยืนยันการรับงานแล้ว", "รายงานความคืบหน้า",
                 "ตรวจงานระยะ: บรรลุ", "ขอส่งมอบงานแล้ว", "หน่วยงานลงนามรับรองการส่งมอบงานแล้ว"):  # fmt: skip
        expect(timeline.get_by_text(step, exact=True).first).to_be_visible()
    expect(timeline.get_by_text("มูลนิธิรักษ์น้ำชุมชน").first).to_be_visible()
    expect(page.locator("progress.progress").first).to_have_attribute("value", "100")
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "3-public-timeline")
    page.goto("/handovers")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    shot(page, "4-board")


def test_edit_then_claim_and_give_back(page, live_server, shot):
    """Staff correct a posted task (a typo in the budget is caught, with what they typed kept);
    the NGO claims it, then gives it back with a reason; the agency sees why on the timeline."""
    title = f"เยี่ยมบ้านผู้สูงอายุติดเตียง ตำบลศิลา {uuid.uuid4().hex[:4]}"
    login(page, "anan@kknpao.example")
    _post_task(page, title)
    task_url = page.url
    page.get_by_role("link", name="แก้ไขงาน").click()
    page.locator("#field-title").fill(title + " (แก้ไข)")
    page.locator("#field-budget").fill("-30000")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.get_by_text("งบประมาณติดลบไม่ได้").first).to_be_visible()
    expect(page.locator("#field-title")).to_have_value(title + " (แก้ไข)")
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "5-edit-form-error")
    page.locator("#field-budget").fill("35,000")
    # Nobody has claimed it yet, so the plan can still grow: a second milestone and more time.
    page.locator("#add-milestone").click()
    expect(page.locator("#m-title-2")).to_be_visible()
    expect(page.locator("#field-budget")).to_have_value("35,000")  # what was typed is kept
    page.locator("#m-title-2").fill("เยี่ยมบ้านรอบที่ 2")
    page.locator("#m-due-2").fill((date.today() + timedelta(days=45)).isoformat())
    page.locator("#field-deadline").fill((date.today() + timedelta(days=90)).isoformat())
    page.locator("#field-milestones").scroll_into_view_if_needed()
    shot(page, "5b-edit-plan")
    page.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(page.get_by_role("heading", name=title + " (แก้ไข)", level=1)).to_be_visible()
    expect(page.get_by_text("เยี่ยมบ้านรอบที่ 2").first).to_be_visible()
    edit = page.locator("#timeline li").filter(has_text="แก้ไขรายละเอียดงาน")
    for name in ("งบประมาณ", "หัวข้อ", "กำหนดส่งมอบงาน", "งานระยะที่วางแผนไว้"):  # in the reader's language
        expect(edit).to_contain_text(name)
    # what the plan was and became, for anyone to audit
    expect(edit).to_contain_text(f"→ {thai.format_date(date.today() + timedelta(days=90), 'th')}")
    expect(edit).to_contain_text("เพิ่ม “เยี่ยมบ้านรอบที่ 2”")
    expect(edit).to_contain_text("→ 35,000.00 บาท")
    edit.scroll_into_view_if_needed()
    shot(page, "5c-timeline-shows-the-edit")
    logout(page)

    login(page, "nok@raknam.example")
    page.goto(task_url)
    page.locator("#field-plan").fill("จัดอาสาสมัครเยี่ยมบ้านสัปดาห์ละสองวัน ร่วมกับ อสม. ในตำบล")
    page.locator("#field-team").fill("นก รักษ์น้ำ และอาสาสมัคร 4 คน")
    page.get_by_role("button", name="รับงาน", exact=True).click()
    expect(page.get_by_text("คุณรับงานนี้แล้ว รอหน่วยงานยืนยัน")).to_be_visible()
    page.locator("#withdraw textarea[name=reason]").fill("อาสาสมัครของเราต้องไปช่วยพื้นที่น้ำท่วมเดือนนี้")
    page.get_by_role("button", name="คืนงาน", exact=True).click()
    expect(page.get_by_text("คุณคืนงานแล้ว งานนี้กลับมาเปิดรับอีกครั้ง")).to_be_visible()
    logout(page)

    login(page, "anan@kknpao.example")
    page.goto(task_url)
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("องค์กรภาคีคืนงาน", exact=True)).to_be_visible()
    expect(timeline.get_by_text("อาสาสมัครของเราต้องไปช่วยพื้นที่น้ำท่วมเดือนนี้")).to_be_visible()
    expect(page.locator("#claims").get_by_text("องค์กรภาคีคืนงานแล้ว")).to_be_visible()
    page.locator("#claims").scroll_into_view_if_needed()
    page.wait_for_function("document.fonts.status === 'loaded'")
    shot(page, "6-agency-sees-give-back")


def test_a_partner_sorts_the_task_board_and_pages_through_it(page, shot, live_sql):
    """The board sorts newest first, by delivery deadline or by claim closing date, and keeps the
    order and the filters from page to page. 170 open tasks (nine pages) are copied from a demo task
    with deadlines a day apart, due in 2030 and later, so every other journey's newest-first board
    opens as before."""
    live_sql(
        "INSERT INTO handover_tasks (agency_id, title, description, deliverables, province, district, location,"
        " category, partner_types, skills, budget, claim_opens, claim_closes, deadline, contact, verified_only,"
        " status, created_by, published_at, created_at)"
        " SELECT agency_id, 'งานเรียงลำดับ ' || g, description, deliverables, province, district, location, category,"
        " partner_types, skills, budget, claim_opens, date '2029-12-31', date '2030-01-01' + g, contact,"
        " verified_only, 'open', created_by, published_at, timestamptz '2021-01-01' + g * interval '1 hour'"
        " FROM handover_tasks, generate_series(1, 170) g"
        " WHERE id = (SELECT min(id) FROM handover_tasks WHERE status = 'open')"
    )
    titles = page.locator("ul.item-list li.card h2")
    page.goto("/handovers?status=open")
    sorts = page.get_by_role("navigation", name="เรียงลำดับงาน")
    expect(sorts.get_by_role("link", name="ใหม่ล่าสุด")).to_have_attribute("aria-current", "page")
    sorts.get_by_role("link", name="กำหนดส่งมอบงาน").click()
    expect(page).to_have_url(re.compile(r"status=open&order=deadline$"))
    expect(sorts.get_by_role("link", name="กำหนดส่งมอบงาน")).to_have_attribute("aria-current", "page")
    # The demo's own open tasks are due before 2030: the copies follow them, a day apart.
    copies = page.locator("ul.item-list li.card h2", has_text="งานเรียงลำดับ")
    shot(page, "by-deadline-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "by-deadline-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    pages = page.locator("nav.pagination")
    pages.get_by_role("link", name="หน้า 3", exact=True).click()
    pages.get_by_role("link", name="หน้า 5", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=open&order=deadline&page=5&at=a20_"))
    expect(pages.get_by_role("link", name="หน้า 5", exact=True)).to_have_attribute("aria-current", "page")
    numbers = [int(t.split()[-1]) for t in copies.all_inner_texts()]
    assert numbers == sorted(numbers) and len(numbers) == 20, numbers
    page.get_by_role("link", name="ถัดไป").click()
    expect(page).to_have_url(re.compile(r"order=deadline&page=6&at=a0_"))
    following = [int(t.split()[-1]) for t in copies.all_inner_texts()]
    assert following[0] == numbers[-1] + 1, (numbers, following)
    expect(titles).to_have_count(20)
    pages.scroll_into_view_if_needed()
    shot(page, "page-6-phone", full_page=False)
