"""Staff create and open a consultation; a citizen answers and comments on a paragraph; staff
close it and publish an outcome with themes; a visitor sees the outcome with its charts."""

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

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


def status_badge(page):
    """The consultation's status, as the badge under its title shows it."""
    return page.locator(".page-header .badge").first


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
    # The editor starts with one row; "Add a question" (htmx here) brings another without losing any.
    assert page.locator("input[name$=_prompt]").count() == 1
    with page.expect_response(lambda r: r.request.method == "POST") as added:
        page.locator("button", has_text="เพิ่มคำถาม").click()
    assert added.value.request.headers.get("hx-target") == "question-editor"  # only the fieldset swapped
    assert added.value.status == 200
    page.wait_for_selector("#field-q2_prompt")
    page.fill("#field-q2_prompt", "ข้อเสนอแนะเพิ่มเติม")
    page.select_option("#field-q2_kind", "text")
    page.locator("button", has_text="เพิ่มคำถาม").click()
    page.wait_for_selector("#field-q3_prompt")
    page.get_by_role("button", name="ลบคำถามนี้ (คำถามข้อ 3)").click()
    page.wait_for_selector("#field-q3_prompt", state="detached")
    assert page.input_value("#field-q1_prompt") == "ท่านเห็นด้วยกับแนวทางนี้หรือไม่"
    assert page.input_value("#field-q2_prompt") == "ข้อเสนอแนะเพิ่มเติม"
    assert page.input_value("#field-title") == "ร่างแนวทางศูนย์บริการดิจิทัลชุมชน"
    shot(page, "consultations-01-staff-create")
    page.locator("form .button-group button[value=save]").click()
    page.wait_for_load_state()
    assert "/consultations/" in page.url
    url = page.url.split("#")[0]
    expect(status_badge(page)).to_have_text("ฉบับร่าง")
    open_now = page.locator("form button", has_text="เปิดรับฟังทันที")
    open_now.click()
    page.wait_for_load_state()
    # The badge says open (exactly: the "open now" button's label also contains "เปิดรับ"),
    # and the button that opened it is gone.
    expect(status_badge(page)).to_have_text("เปิดรับ")
    expect(open_now).to_have_count(0)
    expect(page.get_by_role("button", name="ปิดรับฟังทันที")).to_be_visible()
    shot(page, "consultations-02-opened")
    logout(page)

    login(page, "pim@citizen.example")
    page.goto(url)
    page.locator("label", has_text="เห็นด้วย").first.click()
    page.locator("button", has_text="ส่งความคิดเห็น").last.click()
    page.wait_for_load_state()
    assert "ขอบคุณ" in page.content()
    page.goto(url)
    section = page.locator("article[id^=section-]").first
    section.locator("details summary").first.click()
    section.locator("textarea[name=body]").fill("ควรเปิดศูนย์ในวันเสาร์ด้วย")
    section.locator("button", has_text="ส่งความคิดเห็น").click()
    page.wait_for_load_state()
    # Posted: the comment is an item of the section's comment list (a refused comment would only
    # be kept in the textarea), and the textarea is empty again.
    section = page.locator("article[id^=section-]").first
    comment = section.locator("li[id^=comment-]", has_text="ควรเปิดศูนย์ในวันเสาร์ด้วย")
    expect(comment).to_have_count(1)
    expect(comment).to_be_visible()
    expect(comment.locator("p").nth(1)).to_have_text("ควรเปิดศูนย์ในวันเสาร์ด้วย")
    expect(section.locator("textarea[id^=comment-body-]")).to_have_value("")
    shot(page, "consultations-03-citizen-commented")
    logout(page)

    login(page, "somchai@mdes.example")
    page.goto(url)
    expect(status_badge(page)).to_have_text("เปิดรับ")
    close_now = page.locator("button", has_text="ปิดรับฟังทันที")
    # Closing early is public and cannot be undone: it needs a reason, then a confirmation step.
    page.fill("#field-reason", "ได้รับความเห็นครบถ้วนแล้ว จึงปิดรับฟังก่อนกำหนด")
    close_now.click()
    page.wait_for_load_state()
    expect(page.locator(".confirm")).to_contain_text("ได้รับความเห็นครบถ้วนแล้ว")
    page.locator(".confirm button[type=submit]").click()
    page.wait_for_load_state()
    expect(status_badge(page)).to_have_text("ปิดรับฟังแล้ว")
    expect(close_now).to_have_count(0)
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
    assert "คุณเสนอ เราทำ" in html
    assert page.locator("figure.bar-chart .bar-chart__value").count() >= 1
    # The theme is a card of its own: its title, the disposition badge and the reason.
    card = page.locator("li.card", has=page.locator(".card__title", has_text="เปิดศูนย์ในวันหยุด"))
    expect(card).to_have_count(1)
    expect(card.locator(".card__title")).to_have_text("เปิดศูนย์ในวันหยุด")
    expect(card.locator(".badge")).to_have_text("นำไปปรับใช้")
    expect(card.locator(".card__body")).to_have_text("จะเปิดศูนย์วันเสาร์เว้นเสาร์")
    shot(page, "consultations-05-public-outcome")
    page.goto(url)
    expect(status_badge(page)).to_have_text("ประกาศผลแล้ว")


def _skeleton(text: str) -> str:
    """Thai consonants, Latin letters and digits only: PDF text extraction drops or splits some
    vowel and tone marks (and sara am), so compare what it always keeps."""
    return re.sub(r"[^\u0e01-\u0e2eA-Za-z0-9]", "", text)


def test_s77_summary_report_prints_clean(page, live_server, shot):
    """The §77 summary report, as a visitor who is not logged in prints it: with print media in
    Chromium the page keeps the dates, participation numbers, main points with their dispositions
    and the agency's explanation, and loses the site's navigation, forms and buttons. Saved as a
    screenshot and as a PDF under tests/e2e/artifacts/."""
    from pypdf import PdfReader

    from civic.consultations.demo import CLOSED_TITLE
    from civic.thai import format_date
    from tests.e2e.conftest import ARTIFACTS

    items = page.request.get("/api/v1/consultations?tab=outcome").json()["items"]
    c = next(i for i in items if i["title"] == CLOSED_TITLE)
    assert c["kind"] == "s77"
    outcome = page.request.get(f"/api/v1/consultations/{c['id']}/outcome").json()
    stats = page.request.get(f"/api/v1/consultations/{c['id']}/statistics.json").json()
    assert stats["responses"] >= 5 and stats["comments"] >= 2 and len(outcome["themes"]) == 3

    # reached the way a reader does: from the public outcome page
    page.goto(f"/consultations/{c['id']}/outcome")
    page.locator("a", has_text="รายงานสรุปผลสำหรับพิมพ์").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/consultations/{c['id']}/report")

    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    text = page.locator("main").inner_text()
    assert "รายงานสรุปผลการรับฟังความคิดเห็น" in text and CLOSED_TITLE in text

    def row(label):  # the value next to a label in the report's summary list
        return page.locator(
            ".report .summary-list div", has=page.locator("dt", has_text=re.compile(f"^{label}$"))
        ).locator("dd")

    def shown(label):  # dates are kept on one line with no-break spaces; compare the words
        return row(label).inner_text().replace("\xa0", " ")

    opened_at, closed_at = datetime.fromisoformat(c["opened_at"]), datetime.fromisoformat(c["closed_at"])
    assert shown("เปิดรับฟังเมื่อ") == format_date(opened_at, "th", with_time=True)
    assert shown("ปิดรับฟังแล้ว") == format_date(closed_at, "th", with_time=True)
    assert str(closed_at.astimezone(BANGKOK).year + 543) in row("ปิดรับฟังแล้ว").inner_text()  # Buddhist era
    assert row("ระยะเวลารับฟังความคิดเห็น").inner_text() == f"{(closed_at - opened_at).days} วัน"
    assert row("ผู้ตอบ").inner_text() == str(stats["responses"])
    assert row("ความคิดเห็น").inner_text() == str(stats["comments"])
    labels = {"adopted": "นำไปปรับใช้", "partly": "นำไปปรับใช้บางส่วน", "not_adopted": "ไม่นำไปปรับใช้"}
    for t in outcome["themes"]:
        assert f"{t['title']} ({labels[t['disposition']]}): {t['reason']}" in text
    for para in outcome["summary"].splitlines():
        assert para in text  # the agency's explanation
    for q in stats["questions"]:
        if q["kind"] != "text":
            assert q["prompt"] in text
    # nothing of the site around it is printed
    for selector in (
        ".site-header",
        ".site-nav",
        ".site-footer",
        ".skip-link",
        "form",
        ".button",
        ".no-print",
    ):
        loc = page.locator(selector)
        assert all(not loc.nth(i).is_visible() for i in range(loc.count())), selector
    shot(page, "s77-report-print")

    pdf_path = ARTIFACTS / "test_s77_summary_report_prints_clean-s77-report.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=False)
    reader = PdfReader(pdf_path)
    assert 1 <= len(reader.pages) <= 3
    pdf_text = _skeleton("".join(p.extract_text() for p in reader.pages))
    for needle in (CLOSED_TITLE, outcome["summary"], *(t["title"] for t in outcome["themes"])):
        assert _skeleton(needle) in pdf_text, needle
    assert _skeleton("เมนูหลัก") not in pdf_text and _skeleton("เข้าสู่ระบบ") not in pdf_text


def test_reported_comment_is_hidden_and_restored(page, live_server, shot):
    """A citizen reports a paragraph comment; a moderator sees it in the queue with its section and
    the reason, hides it (a visitor sees the tombstone with the reason), then restores it."""
    from civic.consultations.demo import OPEN_TITLE

    body = "ขอให้ระบุด้วยว่าช่องทางอื่นต้องมีในทุกอำเภอ"
    login(page, "pim@citizen.example")
    page.goto("/consultations/")
    page.locator("a", has_text=OPEN_TITLE[:30]).first.click()
    page.wait_for_load_state()
    url = page.url.split("#")[0]
    item = page.locator("li[id^=comment-]", has_text=body).first
    item.locator("summary", has_text="รายงานความคิดเห็นนี้").click()
    item.locator("textarea[name=reason]").fill("ข้อความนี้ไม่ตรงกับมาตราที่แสดงความคิดเห็น")
    item.scroll_into_view_if_needed()
    shot(page, "consultations-06-report-form", full_page=False)
    item.locator("button", has_text="ส่งรายงาน").click()
    page.wait_for_load_state()
    assert "ผู้ดูแลเนื้อหาจะตรวจสอบ" in page.content()
    logout(page)

    login(page, "moderator@civic.example")
    page.goto("/consultations/moderation")
    card = page.locator("li[id^=reported-]", has_text=body).first
    assert "ข้อความนี้ไม่ตรงกับมาตราที่แสดงความคิดเห็น" in card.inner_text()
    assert OPEN_TITLE[:30] in card.inner_text() and "มาตรา" in card.inner_text()
    shot(page, "consultations-07-moderation-queue")
    card.locator("input[name=reason]").fill("ผิดมาตรา ย้ายไปแสดงความเห็นที่มาตราที่เกี่ยวข้อง")
    card.locator('form[action$="/hide"] button').click()
    page.wait_for_load_state()
    logout(page)

    page.goto(url)
    html = page.content()
    assert "ความคิดเห็นนี้ถูกซ่อนโดยผู้ดูแล: ผิดมาตรา ย้ายไปแสดงความเห็นที่มาตราที่เกี่ยวข้อง" in html
    assert body not in html
    page.locator(".tombstone").first.scroll_into_view_if_needed()
    shot(page, "consultations-08-tombstone", full_page=False)

    login(page, "moderator@civic.example")
    page.goto("/consultations/moderation")
    page.locator("li[id^=hidden-]", has_text=body).first.locator("button", has_text="คืนการแสดงผล").click()
    page.wait_for_load_state()
    logout(page)
    page.goto(url)
    assert body in page.content()


def test_a_citizen_pages_through_the_open_consultations(page, shot, live_sql):
    """The hub showed a tab's first 50 consultations and no way to the rest. 45 more open ones,
    closing in 2031 (after the demo's, so every other journey's hub opens as before), make the
    open tab pages of 20; the count says where the reader is."""
    live_sql(
        "INSERT INTO consultations (owner_org_id, kind, title, summary, status, opens_at, closes_at, created_by)"
        " SELECT owner_org_id, kind, 'ร่างทดสอบการแบ่งหน้า ' || g, summary, 'open', opens_at,"
        " timestamptz '2031-01-01 00:00+07' + g * interval '1 day', created_by"
        " FROM consultations, generate_series(1, 45) g"
        " WHERE id = (SELECT min(id) FROM consultations WHERE status = 'open')"
    )
    page.goto("/consultations?tab=open")
    summary = page.locator("main p.muted").first
    expect(summary).to_contain_text("หน้า 1 จาก")
    pages = page.locator("nav.pagination")
    pages.get_by_role("link", name="ถัดไป").click()
    expect(page).to_have_url(re.compile(r"tab=open&page=2$"))
    expect(summary).to_contain_text("หน้า 2 จาก")
    last = pages.locator("a").nth(-2)  # the last page's number, before "next"
    last.click()
    expect(page.locator("ul.item-list li").last).to_contain_text("ร่างทดสอบการแบ่งหน้า 45")
    expect(pages.get_by_role("link", name="ถัดไป")).to_have_count(0)
    shot(page, "last-page-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "last-page-desktop")
