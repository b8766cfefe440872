"""Counter staff submit an idea for a walk-in person (issue 22, item 5): the form refuses it
without the person's consent and keeps what was typed, then gives the one-time take-over code;
the public idea says it came through the municipality's counter, naming nobody; a verified
citizen types the code at /claim and the idea is theirs to edit. Phone and desktop screenshots."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.journey import login, logout

STAFF = "malee@hatyai.example"  # admin of เทศบาลนครหาดใหญ่ in the demo
CITIZEN = "pim@citizen.example"
COUNTER_LINE = "ส่งผ่านช่องทางเคาน์เตอร์ เทศบาลนครหาดใหญ่"


def _both(pg, shot, name: str) -> None:
    pg.set_viewport_size({"width": 390, "height": 844})
    shot(pg, f"{name}-phone")
    pg.set_viewport_size({"width": 1366, "height": 900})
    shot(pg, f"{name}-desktop")
    pg.set_viewport_size({"width": 390, "height": 844})


def test_counter_staff_submit_an_idea_for_a_walk_in_person(page, live_server, shot):
    title = f"ไฟถนนหน้าตลาดกิมหยงดับ {uuid.uuid4().hex[:4]}"
    login(page, STAFF)
    page.goto("/counter")
    expect(page.get_by_role("heading", name="ส่งไอเดียแทนผู้มาติดต่อที่เคาน์เตอร์")).to_be_visible()
    _both(page, shot, "1-counter-form")

    # Without the person's consent nothing is written; what was typed stays.
    page.get_by_label("ที่เคาน์เตอร์").check()
    page.get_by_label("ชื่อผู้มาติดต่อ").fill("ป้าสมศรี มีสุข")
    page.get_by_label("เบอร์โทรศัพท์หรือที่อยู่").fill("081-234-5678")
    page.get_by_label("บอร์ด").select_option("hatyai-clean-city")
    page.get_by_label("หัวข้อ").fill(title)
    page.get_by_label("รายละเอียดไอเดีย").fill("ไฟถนนหน้าตลาดดับมาสามคืนแล้ว แม่ค้ากลับบ้านมืดมาก")
    page.get_by_role("button", name="ส่งแทน").click()
    # The summary names the field as the form does (not a consultation's "publish your answers?").
    expect(page.locator(".error-summary")).to_contain_text("ความยินยอมของผู้มาติดต่อ: ผู้มาติดต่อต้องให้ความยินยอม")
    expect(page.get_by_label("ชื่อผู้มาติดต่อ")).to_have_value("ป้าสมศรี มีสุข")
    _both(page, shot, "2-counter-no-consent")

    page.get_by_label("ผู้มาติดต่อยินยอมให้แพลตฟอร์มเก็บชื่อและช่องทางติดต่อไว้กับรายการนี้ (PDPA)").check()
    page.get_by_role("button", name="ส่งแทน").click()
    expect(page.get_by_role("heading", name="ส่งแทนแล้ว")).to_be_visible()
    code = page.locator("#claim-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4} [A-Z0-9]{4}", code), code
    expect(page.locator("#claim-code-title + p")).to_contain_text(f"{live_server}/claim")
    _both(page, shot, "3-code-for-the-person")

    # The public idea names the counter, not the person (nor the staff member).
    page.get_by_role("link", name="ดูไอเดีย").click()
    expect(page).to_have_url(re.compile(r"/ideas/\d+$"))
    idea_url = page.url
    logout(page)
    page.goto(idea_url)
    expect(page.locator("#idea-assisted")).to_have_text(COUNTER_LINE)
    expect(page.get_by_text("ป้าสมศรี")).to_have_count(0)
    expect(page.get_by_text("มาลี ศรีสุข")).to_have_count(0)
    _both(page, shot, "4-public-idea")

    # The person, with a verified account, takes it over with the code from the slip.
    login(page, CITIZEN)
    page.goto("/claim")
    _both(page, shot, "5-claim-form")
    page.get_by_label("รหัสบนใบรับ").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="รับโอน").click()
    expect(page.get_by_text("ไม่พบรหัสนี้").first).to_be_visible()
    page.get_by_label("รหัสบนใบรับ").fill(code.lower())
    page.get_by_role("button", name="รับโอน").click()
    expect(page).to_have_url(idea_url)
    expect(page.get_by_text("รับโอนเข้าบัญชีของคุณแล้ว")).to_be_visible()
    expect(page.get_by_role("link", name="แก้ไขไอเดียของคุณ")).to_be_visible()
    _both(page, shot, "6-claimed-idea")
    page.goto("/activity")
    expect(page.get_by_role("link", name=title)).to_be_visible()

    # The code worked once.
    page.goto("/claim")
    page.get_by_label("รหัสบนใบรับ").fill(code)
    page.get_by_role("button", name="รับโอน").click()
    expect(page.get_by_text("รหัสนี้ถูกใช้ไปแล้ว").first).to_be_visible()
