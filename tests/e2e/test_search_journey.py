"""A visitor searches in Thai: results appear as they type (HTMX), a synonym finds the demo idea,
a facet narrows the results, and the same search works as a plain GET form without JavaScript."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request

from playwright.sync_api import expect


def _wait_indexed(live_server: str, q: str, timeout: float = 30) -> None:
    """The in-app relay indexes the demo data shortly after start."""
    deadline = time.monotonic() + timeout
    url = f"{live_server}/api/v1/search?q={urllib.parse.quote(q)}"
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
            if b'"total":0' not in r.read():
                return
        time.sleep(0.5)
    raise AssertionError(f"nothing indexed for {q!r} after {timeout}s")


def test_search_journey(page, live_server, shot):
    _wait_indexed(live_server, "ขยะ")

    page.goto("/search")
    expect(page.get_by_role("heading", name="ค้นหา", exact=True)).to_be_visible()
    box = page.get_by_label("คำค้นหา")
    # typing updates the results in place: no submit, no page load
    box.press_sequentially("มูลฝอย", delay=30)
    results = page.locator("#search-results")
    expect(results.locator("mark").first).to_be_visible()
    expect(results.locator(".card__title").first).to_contain_text("ขยะ")  # synonym of มูลฝอย
    expect(page).to_have_url(re.compile(r"/search\?q="))  # the URL follows, so it can be shared
    shot(page, "live-results")

    # a facet narrows the results and keeps the query: before it, other kinds are shown too
    cards = results.locator("li.card")
    kinds = cards.locator(".card__meta").all_inner_texts()
    assert any(k != "ไอเดีย" for k in kinds), f"the query should find more than ideas, found {kinds}"
    results.locator("details.facets__toggle > summary").click()  # the panel starts closed (item 24)
    facet = results.locator(".facets a").filter(has_text="ไอเดีย").first
    facet.click()
    expect(page).to_have_url(re.compile(r"kind=idea"))
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)["q"] == ["มูลฝอย"]
    expect(results.locator(".facets a[aria-current=true]").filter(has_text="ไอเดีย")).to_have_count(1)
    # every card shown is an idea: its kind label, and a link to an idea
    expect(cards.first).to_be_visible()
    n = cards.count()
    expect(cards.locator(".card__meta")).to_have_text(["ไอเดีย"] * n)
    for i in range(n):
        expect(cards.nth(i).locator(".card__title a")).to_have_attribute("href", re.compile(r"^/ideas/\d+$"))
    shot(page, "facet")

    # two words: an item about both comes first, both marked in its title
    page.goto("/search?q=" + urllib.parse.quote("ขยะ ตลาด"))
    first = page.locator("#search-results li.card").first.locator(".card__title")
    expect(first.locator("mark").filter(has_text="ขยะ")).not_to_have_count(0)
    expect(first.locator("mark").filter(has_text="ตลาด")).not_to_have_count(0)
    shot(page, "two-words")
    page.set_viewport_size({"width": 1280, "height": 800})
    shot(page, "two-words-desktop")


def test_search_works_without_javascript(browser, live_server, shot):
    _wait_indexed(live_server, "ขยะ")
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        locale="th-TH",
        java_script_enabled=False,
    )
    pg = context.new_page()
    pg.goto("/search")
    pg.get_by_label("คำค้นหา").fill("ถังขยะ")
    pg.get_by_role("button", name="ค้นหา", exact=True).click()
    expect(pg).to_have_url(re.compile(r"/search\?q="))
    expect(pg.locator("#search-results mark").first).to_be_visible()
    shot(pg, "no-js")
    context.close()
