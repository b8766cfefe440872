"""A visitor opens /dashboard on a phone and on a desktop, reads the map of the provinces (each
tile named by its title) and its table, and the agencies' responsiveness table, sorted by the
answers overdue. Screenshots of both sizes."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _read_the_dashboard(pg, shot, size: str) -> None:
    pg.goto("/dashboard")
    # The scheduler's first refresh runs as the server starts; until then the page says so.
    for _ in range(30):
        if pg.get_by_text(re.compile("^ตัวเลข ณ")).count():
            break
        pg.wait_for_timeout(1000)
        pg.reload()
    expect(pg.get_by_role("heading", name="แดชบอร์ด", exact=True)).to_be_visible()
    expect(pg.get_by_role("img", name="แผนที่ 77 จังหวัดของประเทศไทย")).to_be_visible()
    expect(pg.locator("svg.map g.tile")).to_have_count(77)
    expect(pg.locator("svg.map title", has_text=re.compile(r"^สงขลา: \d+$"))).to_have_count(1)
    pg.locator("summary", has_text="ตัวเลขในรูปตาราง").nth(1).click()
    expect(pg.locator("#provinces-table tbody tr")).to_have_count(77)
    table = pg.locator("#agencies-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() >= 2
    table.get_by_role("link", name="เกินกำหนดขณะนี้").click()
    table.get_by_role("link", name="เกินกำหนดขณะนี้").click()  # a second click: most overdue first
    expect(pg).to_have_url(re.compile(r"sort=-overdue_now"))
    overdue = [int(c) for c in pg.locator("#agencies-table tbody tr td:nth-child(5)").all_inner_texts()]
    assert overdue == sorted(overdue, reverse=True)
    pg.locator("#agencies-h").scroll_into_view_if_needed()
    shot(pg, f"{size}-dashboard")


def test_a_visitor_reads_the_dashboard_on_a_phone(page, shot):
    _read_the_dashboard(page, shot, "phone")


def test_a_visitor_reads_the_dashboard_on_a_desktop(browser, live_server, shot):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900}, locale="th-TH")
    context.set_default_timeout(15_000)
    try:
        _read_the_dashboard(context.new_page(), shot, "desktop")
    finally:
        context.close()
