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
