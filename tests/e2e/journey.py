"""Steps every journey takes through the real login form (demo accounts, Thai interface)."""

from __future__ import annotations

from playwright.sync_api import expect

from civic.demo import DEMO_PASSWORD


def login(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_text("เข้าสู่ระบบเรียบร้อยแล้ว")).to_be_visible()


def logout(page) -> None:
    page.get_by_role("button", name="ออกจากระบบ").click()
    expect(page.get_by_role("link", name="เข้าสู่ระบบ")).to_be_visible()


def caught_link(browser, live_server: str, to: str, path_prefix: str, shot=None) -> str:
    """The path of the `path_prefix` link in the newest mail to `to` that the development catcher
    caught, read the way a developer reads it: on /dev/mail, logged in as the demo admin. The
    sender works in the background, so the list is reloaded until the mail is there."""
    import re
    import time

    from civic.demo import ADMIN_EMAIL

    context = browser.new_context(
        base_url=live_server, viewport={"width": 1366, "height": 900}, locale="th-TH"
    )
    try:
        admin = context.new_page()
        login(admin, ADMIN_EMAIL)
        deadline = time.monotonic() + 30
        while True:
            admin.goto("/dev/mail")
            row = admin.locator("tbody tr", has_text=to).first
            if row.count() or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        row.get_by_role("link").click()
        link = admin.locator(".mail-text a", has_text=path_prefix).first
        expect(link).to_be_visible()
        if shot:
            shot(admin, "caught-mail")
        href = link.get_attribute("href") or ""
        found = re.search(re.escape(path_prefix) + r"[\w.\-]+", href)
        assert found, href
        return found.group(0)
    finally:
        context.close()


def register_and_verify(page, browser, live_server: str, name: str, email: str, password: str) -> None:
    """Registers in Thai and opens the verification link from the caught mail: afterwards the
    person may support, comment, answer, submit and claim."""
    page.goto("/register")
    page.get_by_label("ชื่อที่แสดง").fill(name)
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="สร้างบัญชี").click()
    expect(page.get_by_text("ยินดีต้อนรับ บัญชีของคุณพร้อมใช้งานแล้ว")).to_be_visible()
    page.goto(caught_link(browser, live_server, email, "/account/verify/"))
    page.get_by_role("button", name="ยืนยันอีเมลของฉัน").click()
    expect(page.get_by_text("ขอบคุณ ที่อยู่อีเมลของคุณได้รับการยืนยันแล้ว")).to_be_visible()


def type_slowly(box, text: str) -> None:
    """Types into a type-to-filter box key by key, as a person does (each key filters)."""
    box.fill("")
    box.press_sequentially(text, delay=20)


def pick_by_keyboard(page, box, text: str, field: str, value: str) -> None:
    """Types `text` into the filter box above select `field`, takes the match with Enter (focus
    moves to the select), submits the filters and checks the board was asked for `value`."""
    from urllib.parse import parse_qs, urlparse

    type_slowly(box, text)
    box.press("Enter")
    select = page.locator(f"#field-{field}")
    expect(select).to_be_focused()
    expect(select).to_have_value(value)
    page.locator("form.facets button[type=submit]").click()
    page.wait_for_url("**/handovers?*")
    assert parse_qs(urlparse(page.url).query)[field] == [value]
