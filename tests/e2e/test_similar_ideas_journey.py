"""Similar ideas show as a new idea's title is typed (issue 21, item 11): the walk posted a
duplicate of idea 1 because the form never asked /search/similar."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.journey import login


def test_typing_a_title_shows_similar_ideas_above_the_fold(page, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "krit@citizen.example")
    page.goto("/ideas/new?board=hatyai-clean-city")
    page.get_by_label("หัวข้อ").press_sequentially("ถังขยะแยกประเภท ตลาดกิมหยง", delay=30)
    suggestion = page.locator("#similar-ideas").get_by_role("link", name="ถังขยะแยกประเภทหน้าตลาดกิมหยง")
    expect(suggestion).to_be_visible()
    box = suggestion.bounding_box()
    assert box and box["y"] + box["height"] <= 844, box  # seen without scrolling on a phone
    shot(page, "similar-ideas-phone", full_page=False)
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "similar-ideas-desktop", full_page=False)
