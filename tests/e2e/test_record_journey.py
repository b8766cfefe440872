"""A visitor checks the public record of an answered idea: from the record filtered to agency
answers, to the idea, and back through the idea's own link to its entries, each with its hash
and the hash before it; the record's feed and heads.txt are linked. Signed out, phone and desktop."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _check_an_answered_idea(pg, shot, size: str) -> None:
    pg.goto("/record")
    expect(pg.get_by_role("heading", name="บันทึกสาธารณะของการกระทำอย่างเป็นทางการ")).to_be_visible()
    pg.get_by_label("การกระทำ").select_option("idea.answered")
    pg.get_by_role("button", name="ใช้ตัวกรอง").click()
    expect(pg).to_have_url(re.compile(r"act=idea\.answered"))
    first = pg.locator("li.card").first
    expect(first).to_contain_text("หน่วยงานตอบไอเดียอย่างเป็นทางการ")
    first.get_by_role("link", name=re.compile(r"^idea \d+$")).click()
    expect(pg).to_have_url(re.compile(r"/ideas/\d+$"))
    idea_id = pg.url.rsplit("/", 1)[1]
    pg.get_by_role("link", name="การกระทำอย่างเป็นทางการในบันทึกสาธารณะ").click()
    expect(pg).to_have_url(re.compile(rf"/record\?subject=idea:{idea_id}$"))
    entry = pg.locator("li.card", has_text="หน่วยงานตอบไอเดียอย่างเป็นทางการ").first
    expect(entry).to_be_visible()
    expect(entry.locator("code.hash")).to_have_count(2)
    assert re.fullmatch(r"[0-9a-f]{64}", entry.locator("code.hash").first.inner_text())
    expect(pg.get_by_role("link", name="ค่าแฮชท้ายบันทึกรายวัน (heads.txt)")).to_be_visible()
    shot(pg, f"{size}-record-of-an-idea")


def test_a_visitor_checks_the_record_of_an_answered_idea_on_a_phone(page, shot):
    _check_an_answered_idea(page, shot, "phone")


def test_a_visitor_checks_the_record_of_an_answered_idea_without_javascript(browser, live_server, shot):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="th-TH",
                                  java_script_enabled=False)  # fmt: skip
    context.set_default_timeout(15_000)
    try:
        _check_an_answered_idea(context.new_page(), shot, "desktop")
    finally:
        context.close()
