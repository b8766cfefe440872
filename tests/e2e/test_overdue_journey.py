"""A visitor opens the public clock, /ideas/overdue, on a phone and on a desktop: the agencies with
overdue answers and how many, then one agency's overdue answers, the longest overdue first, and
back to every agency's. Screenshots of both sizes."""

from __future__ import annotations

from playwright.sync_api import expect

FESTIVAL = "เพิ่มรอบเก็บขยะช่วงเทศกาลสงกรานต์และตรุษจีน"  # the demo's overdue idea


def test_a_visitor_reads_the_overdue_answers_by_agency(page, shot):
    for size, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1366, "height": 900}),
    ):
        page.set_viewport_size(viewport)
        page.goto("/ideas/overdue")
        expect(page.get_by_role("heading", name="คำตอบที่เลยกำหนด", exact=True)).to_be_visible()
        agencies = page.get_by_role("region", name="แยกตามหน่วยงาน")
        row = agencies.get_by_role("row").filter(has_text="เทศบาลนครหาดใหญ่")
        expect(row.get_by_role("cell").nth(1)).to_have_text("1")
        expect(page.get_by_role("region", name="เลยกำหนดนานที่สุดก่อน").get_by_role("link", name=FESTIVAL)).to_be_visible()
        shot(page, f"all-{size}")
        row.get_by_role("link", name="เทศบาลนครหาดใหญ่").click()
        page.wait_for_url("**/ideas/overdue?agency=*")
        expect(page.get_by_text("เฉพาะคำตอบที่เลยกำหนดของเทศบาลนครหาดใหญ่")).to_be_visible()
        expect(page.get_by_role("link", name=FESTIVAL)).to_be_visible()
        shot(page, f"agency-{size}")
        page.get_by_role("link", name="แสดงของทุกหน่วยงาน").click()
        page.wait_for_url("**/ideas/overdue#overdue-list")
        expect(page.get_by_text("เฉพาะคำตอบที่เลยกำหนดของ")).to_have_count(0)
