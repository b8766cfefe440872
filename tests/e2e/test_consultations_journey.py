"""Staff create and open a consultation; a citizen answers and comments on a paragraph; staff
close it and publish an outcome with themes; a visitor sees the outcome with its charts."""

from datetime import datetime, timedelta

from civic.thai import BANGKOK

PASSWORD = "civic-demo-2569"


def login(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def logout(page):
    page.context.clear_cookies()


def test_consultation_journey(page, live_server, shot):
    login(page, "somchai@mdes.example")
    page.goto("/consultations/new")
    now = datetime.now(BANGKOK)
    page.fill("#field-title", "ร่างแนวทางศูนย์บริการดิจิทัลชุมชน")
    page.fill("#field-summary", "ขอรับฟังความคิดเห็นต่อแนวทางจัดตั้งศูนย์บริการดิจิทัลในทุกตำบล")
    page.fill("#field-opens_at", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#field-closes_at", (now + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#field-draft_text", "ข้อ 1 จัดตั้งศูนย์บริการดิจิทัลในทุกตำบล\n\nข้อ 2 ให้ท้องถิ่นดูแลศูนย์")
    page.fill("#field-q1_prompt", "ท่านเห็นด้วยกับแนวทางนี้หรือไม่")
    page.select_option("#field-q1_kind", "single")
    page.fill("#field-q1_options", "เห็นด้วย\nไม่เห็นด้วย")
    page.check("#field-q1_required")
    shot(page, "consultations-01-staff-create")
    page.locator("form button[type=submit]", has_text="บันทึก").click()
    page.wait_for_load_state()
    assert "/consultations/" in page.url
    url = page.url.split("#")[0]
    page.locator("form button", has_text="เปิดรับฟังทันที").click()
    page.wait_for_load_state()
    assert "เปิดรับฟัง" in page.content()
    shot(page, "consultations-02-opened")
    logout(page)

    login(page, "pim@citizen.example")
    page.goto(url)
    page.locator("label", has_text="เห็นด้วย").first.click()
    page.locator("button", has_text="ส่งความคิดเห็น").last.click()
    page.wait_for_load_state()
    assert "ขอบคุณ" in page.content()
    page.goto(url)
    page.locator("details summary").first.click()
    page.locator("textarea[name=body]").first.fill("ควรเปิดศูนย์ในวันเสาร์ด้วย")
    page.locator("button", has_text="ส่งความคิดเห็น").first.click()
    page.wait_for_load_state()
    assert "ควรเปิดศูนย์ในวันเสาร์ด้วย" in page.content()
    shot(page, "consultations-03-citizen-commented")
    logout(page)

    login(page, "somchai@mdes.example")
    page.goto(url)
    page.locator("button", has_text="ปิดรับฟังทันที").click()
    page.wait_for_load_state()
    page.goto(url + "/outcome/edit")
    page.fill("#field-summary", "ประชาชนเห็นด้วยกับแนวทาง และขอให้เปิดศูนย์ในวันหยุด")
    page.fill("#field-theme0_title", "เปิดศูนย์ในวันหยุด")
    page.select_option("#field-theme0_disposition", "adopted")
    page.fill("#field-theme0_reason", "จะเปิดศูนย์วันเสาร์เว้นเสาร์")
    shot(page, "consultations-04-outcome-form")
    page.locator('form[action$="/outcome"] button[type=submit]').click()
    page.wait_for_load_state()
    logout(page)

    page.goto(url + "/outcome")
    html = page.content()
    assert "ท่านถาม เรารับฟัง เราจะดำเนินการ" in html
    assert page.locator("figure.chart svg[role=img]").count() >= 1
    assert "เปิดศูนย์ในวันหยุด" in html and "นำไปปรับใช้" in html
    shot(page, "consultations-05-public-outcome")
