"""The idea board's cards, as a visitor and as a citizen, on a phone and a desktop: each card
shows its status, agency, province and date, its support count and the one action this reader
has (log in, support or withdraw), and the filters' province list names every province. The
cards are written inline and the province options are built once (bench_mixed's board page),
so this is what a reader sees of that. Demo data; screenshots at both sizes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.journey import login

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _cards(pg):
    cards = pg.locator("#idea-list li.card")
    expect(cards.first).to_be_visible()
    return cards


def test_a_visitor_and_a_citizen_read_the_board(page, shot):
    page.goto("/ideas?sort=new")
    cards = _cards(page)
    first = cards.first
    expect(first.locator(".badge").first).to_be_visible()
    expect(first.locator(".support-widget__count")).to_contain_text("ผู้สนับสนุน")
    # A visitor is asked to log in, on every card whose idea still takes supports.
    expect(page.locator("#idea-list").get_by_role("link", name="เข้าสู่ระบบเพื่อสนับสนุน").first).to_be_visible()
    expect(page.locator("#idea-list button")).to_have_count(0)
    # The filters' province select: 77 provinces and every name each answers to.
    options = page.locator("#field-province option[data-names]")
    expect(options).to_have_count(77)
    expect(page.locator('#field-province option[value="BKK"]')).to_have_attribute("data-names", re.compile("กทม"))
    shot(page, "visitor-phone")
    page.set_viewport_size(DESKTOP)
    shot(page, "visitor-desktop")
    page.set_viewport_size(PHONE)

    login(page, "krit@citizen.example")
    page.goto("/ideas?sort=new&province=SKA")
    cards = _cards(page)
    expect(page.locator('#field-province option[value="SKA"]')).to_have_attribute("selected", "")
    support = cards.first.get_by_role("button", name=re.compile("สนับสนุนไอเดียนี้|ถอนการสนับสนุน"))
    expect(support).to_be_visible()
    before = support.inner_text()
    support.click()
    # HTMX swaps the widget in place: the other action is offered now.
    expect(cards.first.get_by_role("button", name=re.compile("สนับสนุนไอเดียนี้|ถอนการสนับสนุน"))).not_to_have_text(before)
    shot(page, "citizen-phone")
    page.set_viewport_size(DESKTOP)
    shot(page, "citizen-desktop")


def test_a_reader_pages_through_a_long_board_and_back(page, shot, live_sql):
    """A board of 150 ideas is eight pages. The first and last three open by their number; the
    pages between open from where the page before ends (an `at` in the link), and "Previous" comes
    back to the same ideas. The ideas are dated 2021, so the other journeys' lists, newest or
    hottest first, still open with the demo's own ideas."""
    live_sql(
        "INSERT INTO idea_boards (slug, agency_id, title, description_th, description_en, scope, categories,"
        " is_open, moderate_first, support_threshold, response_days, created_by, requires_national_id)"
        " SELECT 'paging-journey', agency_id, 'บอร์ดไอเดียยาว', description_th, description_en, scope, categories,"
        " is_open, moderate_first, support_threshold, response_days, created_by, requires_national_id"
        " FROM idea_boards WHERE slug = 'ban-klang-village'"
    )
    live_sql(
        "INSERT INTO ideas (board_id, author_id, title, body, category, province, status, created_at)"
        " SELECT (SELECT id FROM idea_boards WHERE slug = 'paging-journey'), author_id,"
        " 'ไอเดียลำดับที่ ' || n, body, category, province, 'published',"
        " timestamptz '2021-01-01 00:00+07' + n * interval '1 hour'"
        " FROM ideas, generate_series(1, 150) n WHERE id = (SELECT min(id) FROM ideas)"
    )
    titles = page.locator("#idea-list li.card h2")
    pages = page.locator("nav.pagination")
    page.goto("/boards/paging-journey?sort=new")
    expect(page.get_by_text("หน้า 1 จาก 8")).to_be_visible()
    expect(titles.first).to_have_text("ไอเดียลำดับที่ 150")
    expect(titles).to_have_count(20)
    page.get_by_role("link", name="ถัดไป").click()
    expect(page).to_have_url(re.compile(r"sort=new&page=2$"))
    expect(titles.first).to_have_text("ไอเดียลำดับที่ 130")

    pages.get_by_role("link", name="หน้า 4", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=4&at=a20_"))
    expect(page.get_by_text("หน้า 4 จาก 8")).to_be_visible()
    expect(titles.first).to_have_text("ไอเดียลำดับที่ 90")
    page.get_by_role("link", name="ถัดไป").click()
    expect(page).to_have_url(re.compile(r"page=5&at=a0_"))
    expect(titles.first).to_have_text("ไอเดียลำดับที่ 70")
    expect(titles.last).to_have_text("ไอเดียลำดับที่ 51")
    page.set_viewport_size(DESKTOP)
    shot(page, "page-5-desktop")
    page.get_by_role("link", name="ก่อนหน้า").click()
    expect(page).to_have_url(re.compile(r"page=4&at=b0_"))
    expect(titles.first).to_have_text("ไอเดียลำดับที่ 90")
    expect(titles.last).to_have_text("ไอเดียลำดับที่ 71")

    pages.get_by_role("link", name="หน้า 8", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=new&page=8$"))
    expect(titles).to_have_count(10)
    expect(titles.last).to_have_text("ไอเดียลำดับที่ 1")
    page.set_viewport_size(PHONE)
    pages.scroll_into_view_if_needed()
    shot(page, "last-page-phone", full_page=False)
