"""50 language switches in a row for a logged-in person, with JavaScript and without (issue 21,
item 19: in the walk 1 switch in 12 did nothing with JavaScript, 3 in 12 without)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import login


@pytest.mark.parametrize("javascript", [True, False])
def test_fifty_switches(browser, live_server, javascript):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=javascript, viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        login(page, "pim@citizen.example" if javascript else "krit@citizen.example")
        page.goto("/consultations")
        for n in range(50):
            before = page.locator("html").get_attribute("lang")
            target = "en" if before == "th" else "th"
            page.locator(".lang-switch button").click()
            expect(page.locator("html"), f"switch {n + 1}").to_have_attribute("lang", target)
    finally:
        context.close()
