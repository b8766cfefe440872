"""The account lifecycle in Chromium, with the mail read from the development catcher (/dev/mail):
register and verify, and reset a forgotten password. Screenshots at phone and desktop sizes."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.e2e.journey import caught_link, register_and_verify

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def both_sizes(page, shot, name: str) -> None:
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)


def test_registers_and_verifies_through_the_mail_in_the_catcher(page, browser, live_server, shot):
    email = f"verify-{uuid.uuid4().hex[:8]}@example.com"
    page.goto("/register")
    page.get_by_label("ชื่อที่แสดง").fill("มานี มีนา")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill("ทะเลสาบสงขลา สวยมาก")
    page.get_by_role("button", name="สร้างบัญชี").click()
    expect(page.get_by_text("ยินดีต้อนรับ บัญชีของคุณพร้อมใช้งานแล้ว")).to_be_visible()

    # Not verified yet: an idea's support button is replaced by the reason and a resend button.
    page.goto("/ideas")
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    page.goto(next(h for h in hrefs if re.fullmatch(r"/ideas/\d+", h or "")))
    expect(page.get_by_text("กรุณายืนยันที่อยู่อีเมลของคุณก่อน โดยเปิดลิงก์ที่เราส่งให้").first).to_be_visible()
    expect(page.get_by_role("button", name="สนับสนุนไอเดียนี้")).to_have_count(0)
    both_sizes(page, shot, "verify-first")
    page.goto("/account")
    expect(page.get_by_text("ยังไม่ได้ยืนยัน")).to_be_visible()
    both_sizes(page, shot, "account-unverified")

    path = caught_link(browser, live_server, email, "/account/verify/", shot)
    page.goto(path)
    expect(page.get_by_role("heading", name="ยืนยันที่อยู่อีเมลของคุณ")).to_be_visible()
    both_sizes(page, shot, "verify-page")
    page.get_by_role("button", name="ยืนยันอีเมลของฉัน").click()
    expect(page.get_by_text("ขอบคุณ ที่อยู่อีเมลของคุณได้รับการยืนยันแล้ว")).to_be_visible()

    # The same link again: said plainly, nothing changes.
    page.goto(path)
    expect(page.get_by_text("ลิงก์นี้ถูกใช้ไปแล้ว หากยังต้องการ กรุณาขอลิงก์ใหม่")).to_be_visible()
    both_sizes(page, shot, "link-used")

    page.goto("/account")
    expect(page.get_by_text("ยืนยันแล้ว", exact=True)).to_be_visible()
    both_sizes(page, shot, "account-verified")


def test_a_forgotten_password_is_reset_through_the_catcher(page, browser, live_server, shot):
    email = f"reset-{uuid.uuid4().hex[:8]}@example.com"
    register_and_verify(page, browser, live_server, "สมปอง ลืมง่าย", email, "รหัสผ่านเดิมที่ลืมไปแล้ว")
    page.get_by_role("button", name="ออกจากระบบ").click()

    page.goto("/login")
    page.get_by_role("link", name="ลืมรหัสผ่าน?").click()
    expect(page.get_by_role("heading", name="ลืมรหัสผ่าน?")).to_be_visible()
    both_sizes(page, shot, "forgot")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_role("button", name="ส่งลิงก์ให้ฉัน").click()
    expect(page.get_by_role("heading", name="ตรวจสอบอีเมลของคุณ")).to_be_visible()
    both_sizes(page, shot, "forgot-sent")

    path = caught_link(browser, live_server, email, "/password/reset/")
    page.goto(path)
    expect(page.get_by_role("heading", name="ตั้งรหัสผ่านใหม่")).to_be_visible()
    page.get_by_label("รหัสผ่านใหม่").fill("สั้น")
    page.get_by_role("button", name="บันทึกรหัสผ่านใหม่").click()
    expect(page.get_by_text("รหัสผ่านต้องมีอย่างน้อย 8 ตัวอักษร").first).to_be_visible()
    both_sizes(page, shot, "reset-weak")
    page.get_by_label("รหัสผ่านใหม่").fill("รหัสผ่านใหม่ที่จำได้แน่นอน")
    page.get_by_role("button", name="บันทึกรหัสผ่านใหม่").click()
    expect(page.get_by_text("เปลี่ยนรหัสผ่านแล้ว กรุณาเข้าสู่ระบบด้วยรหัสผ่านใหม่")).to_be_visible()

    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill("รหัสผ่านใหม่ที่จำได้แน่นอน")
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_text("เข้าสู่ระบบเรียบร้อยแล้ว")).to_be_visible()
    both_sizes(page, shot, "logged-in-after-reset")
