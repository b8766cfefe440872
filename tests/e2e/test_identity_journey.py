"""Two-step login in Chromium: a citizen turns it on by reading the key off the page and
computing the code with pyotp (as an authenticator app would), keeps the recovery codes, logs
out, and logs in again with the password and then a code. Phone and desktop screenshots."""

from __future__ import annotations

import time
import uuid

import pyotp
from playwright.sync_api import expect


def test_enrol_totp_and_log_in_with_a_code(page, live_server, shot):
    email = f"totp-{uuid.uuid4().hex[:8]}@example.com"
    password = "ทะเลสาบสงขลา สวยมาก"
    page.goto("/register")
    page.get_by_label("ชื่อที่แสดง").fill("สมศรี สองขั้น")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="สร้างบัญชี").click()
    expect(page.get_by_text("ยินดีต้อนรับ บัญชีของคุณพร้อมใช้งานแล้ว")).to_be_visible()

    page.goto("/account/identity")
    expect(page.get_by_role("heading", name="การเข้าสู่ระบบสองขั้นตอน", exact=True)).to_be_visible()
    page.get_by_role("button", name="เปิดการเข้าสู่ระบบสองขั้นตอน").click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    shot(page, "enrol-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "enrol-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("รหัสจากแอป").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="เปิดใช้").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "recovery-codes")

    page.get_by_role("button", name="ออกจากระบบ").click()
    page.goto("/login")
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("heading", name="กรอกรหัสของคุณ")).to_be_visible()
    shot(page, "code-step")
    # The enrolment used this step's code: the next step's is inside the accepted window.
    page.get_by_label("รหัส", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page.get_by_role("link", name="สมศรี สองขั้น")).to_be_visible()
    shot(page, "logged-in")
