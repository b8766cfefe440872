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
