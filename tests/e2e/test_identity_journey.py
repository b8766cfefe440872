"""Two-step login in Chromium: a citizen turns it on by reading the key off the page and
computing the code with pyotp (as an authenticator app would), keeps the recovery codes, logs
out, and logs in again with the password and then a code; makes new recovery codes; and erases
the account without the password, by signing in again (an old sign-in is sent to do so first).
Phone and desktop screenshots."""

from __future__ import annotations

import time
import uuid

import pyotp
from playwright.sync_api import expect


def test_enrol_totp_and_log_in_with_a_code(page, live_server, live_sql, shot):
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

    # New recovery codes: refused with nothing typed (the field is named), then made with the password.
    page.goto("/account/identity")
    page.get_by_role("link", name="สร้างรหัสกู้คืนชุดใหม่").click()
    page.get_by_role("button", name="สร้างรหัสกู้คืนชุดใหม่").click()
    expect(page.locator("#field-code-error")).to_be_visible()
    shot(page, "renew-refused-phone")
    page.get_by_label("รหัสผ่านปัจจุบัน").fill(password)
    page.get_by_role("button", name="สร้างรหัสกู้คืนชุดใหม่").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.get_by_text("รหัสกู้คืนเดิมของคุณใช้ไม่ได้แล้ว")).to_be_visible()
    codes = [c.strip() for c in page.locator("#recovery-codes li").all_inner_texts()]
    shot(page, "renew-codes-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "renew-codes-desktop")
    page.set_viewport_size({"width": 390, "height": 844})

    # Erase without the password. An hour-old sign-in does not count: the form says to sign in again.
    live_sql(
        "UPDATE sessions SET created_at = now() - interval '1 hour' "
        "WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        email,
    )
    page.goto("/account/erase")
    page.get_by_label("ฉันเข้าใจว่าบัญชีของฉันจะถูกลบ").check()
    page.get_by_label("รหัสเข้าสู่ระบบสองขั้นตอน").fill(codes[0])
    page.get_by_role("button", name="ลบบัญชีของฉัน").click()
    expect(page.locator("#field-password-error")).to_be_visible()
    shot(page, "erase-sign-in-again-phone")
    page.get_by_role("link", name="เข้าสู่ระบบอีกครั้งเพื่อยืนยันว่าเป็นคุณ").click()
    page.get_by_label("อีเมล").fill(email)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.get_by_label("รหัส", exact=True).fill(codes[1])
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    # Back on the form: the fresh sign-in stands in for the password; the code is still asked.
    expect(page.locator("#fresh-login")).to_be_visible()
    page.get_by_label("ฉันเข้าใจว่าบัญชีของฉันจะถูกลบ").check()
    page.get_by_label("รหัสเข้าสู่ระบบสองขั้นตอน").fill(codes[2])
    shot(page, "erase-fresh-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "erase-fresh-desktop")
    page.get_by_role("button", name="ลบบัญชีของฉัน").click()
    expect(page.get_by_text("ลบบัญชีของท่านแล้ว")).to_be_visible()
    shot(page, "erased-desktop")
