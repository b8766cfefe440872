"""The 77-province select filters as one types (issue 21, item 14), Thai-aware and in English too,
by keyboard; without JavaScript it is the plain select and still submits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.journey import pick_by_keyboard, type_slowly

FILTER = "form.facets button[type=submit]"


def _provinces(page) -> list[str]:
    """The province options shown, without the "all provinces" one."""
    return page.locator("#field-province option[value]:not([value=''])").evaluate_all(
        "os => os.map(o => o.textContent.trim())"
    )


def test_typing_filters_the_province_select(page, shot):
    for size, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1366, "height": 900}),
    ):
        page.set_viewport_size(viewport)
        page.goto("/handovers")
        assert len(_provinces(page)) == 77
        box = page.get_by_role("searchbox", name="พิมพ์เพื่อค้นหาจังหวัด")
        type_slowly(box, "เชียง")
        assert _provinces(page) == ["เชียงราย", "เชียงใหม่"]  # Thai dictionary order kept
        shot(page, f"thai-{size}", full_page=False)
        type_slowly(box, "chiang")  # English names match in the Thai UI
        assert _provinces(page) == ["เชียงราย", "เชียงใหม่"]
        type_slowly(box, "กทม")  # a short form people write
        assert _provinces(page) == ["กรุงเทพมหานคร"]
        type_slowly(box, "")
        assert len(_provinces(page)) == 77
    # Keyboard only: Enter takes the first match and moves to the select, which the form submits.
    pick_by_keyboard(page, box, "ภูเก็ต", "province", "PKT")


def test_english_ui_finds_thai_names_too(page, shot):
    page.goto("/handovers")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": page.url}])
    page.goto("/handovers")
    box = page.get_by_role("searchbox", name="Type to filter provinces")
    type_slowly(box, "chiang")
    assert _provinces(page) == ["Chiang Mai", "Chiang Rai"]
    type_slowly(box, "เชียง")
    assert sorted(_provinces(page)) == ["Chiang Mai", "Chiang Rai"]
    shot(page, "english-phone", full_page=False)


def test_without_javascript_the_plain_select_submits(browser, live_server):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto("/handovers")
    expect(page.get_by_role("searchbox")).to_have_count(0)
    page.locator("#field-province").select_option("CMI")
    page.locator(FILTER).click()
    page.wait_for_url("**/handovers?*")
    assert parse_qs(urlparse(page.url).query)["province"] == ["CMI"]
    # Not shot(): its axe-core audit runs a script, which this context refuses.
    page.screenshot(path=str(ARTIFACTS / "test_province_filter-no-js-phone.png"))
    context.close()
