"""The shell renders Thai with the bundled font, and htmx loads from /static (no CDN)."""


def test_home_page_uses_bundled_font_and_htmx(page, live_server, shot):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "th"
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.fonts.check('16px Sarabun', 'ทดสอบ')")
    assert page.evaluate("typeof window.htmx") == "object"
    assert all(u.startswith(live_server) for u in requests), [u for u in requests if not u.startswith(live_server)]
    assert "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม" in page.content()
    shot(page, "home")
