"""The demo's mail in the development catcher, as a developer reads it after `make run`: /dev/mail
lists a verification mail, a reset mail, an answer notice, an outcome notice and a daily digest,
and a message shows rendered. Screenshots at phone and desktop sizes."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from civic.accounts.demo import FORGETFUL, NEWCOMER
from civic.demo import ADMIN_EMAIL
from civic.notifications.demo import DIGEST_FOR
from tests.e2e.journey import login

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Subject starts (Thai) and the address each demo mail is sent to (None: several people).
DEMO_MAIL = {
    "verification": ("ยืนยันที่อยู่อีเมลของคุณ", NEWCOMER),
    "reset": ("ตั้งรหัสผ่านใหม่", FORGETFUL),
    "answer": ("หน่วยงานตอบไอเดียที่คุณติดตามแล้ว", None),
    "outcome": ("คุณเสนอ เราทำ", None),
    "digest": ("สรุปประจำวันของคุณ", DIGEST_FOR),
}


def both_sizes(page, shot, name: str) -> None:
    shot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
    shot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)


def _row(page, subject: str, to: str | None):
    rows = page.locator("tbody tr", has_text=subject)
    return rows.filter(has_text=to) if to else rows


def test_dev_mail_shows_each_kind_of_demo_mail(page, shot):
    login(page, ADMIN_EMAIL)
    # The app's sender delivers the seed's queue in the background: reload until all is caught.
    deadline = time.monotonic() + 60
    while True:
        page.goto("/dev/mail")
        missing = [k for k, (subject, to) in DEMO_MAIL.items() if not _row(page, subject, to).count()]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert not missing, f"not caught: {missing}"
    expect(page.get_by_role("heading", name="อีเมลที่ดักไว้")).to_be_visible()
    both_sizes(page, shot, "list")

    subject, to = DEMO_MAIL["digest"]
    _row(page, subject, to).first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=subject, exact=False).first).to_be_visible()
    frame = page.frame_locator("iframe").first
    expect(frame.get_by_text("สรุปประจำวันของคุณ").first).to_be_visible()
    both_sizes(page, shot, "digest")

    page.go_back()
    subject, to = DEMO_MAIL["outcome"]
    _row(page, subject, to).first.get_by_role("link").click()
    expect(page.frame_locator("iframe").first.get_by_text("คุณเสนอ เราทำ").first).to_be_visible()
    both_sizes(page, shot, "outcome")
