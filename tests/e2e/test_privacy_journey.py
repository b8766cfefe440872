"""A citizen submits an idea, downloads their data from the account page, then erases their
account; the public idea stays and shows "deleted account". Phone and desktop screenshots."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from playwright.sync_api import expect

from tests.e2e.journey import register_and_verify

PASSWORD = "ทะเลสาบสงขลา สวยมาก"


def test_export_then_erase(page, browser, live_server, shot):
    name = f"สมชาย ลบบัญชี {uuid.uuid4().hex[:4]}"
    email = f"erase-{uuid.uuid4().hex[:8]}@example.com"
    register_and_verify(page, browser, live_server, name, email, PASSWORD)
    page.goto("/ideas/new?board=hatyai-clean-city")
    page.get_by_label("หัวข้อ").fill(f"ม้านั่งริมทะเลสาบ {uuid.uuid4().hex[:4]}")
    page.get_by_label("ไอเดียของคุณ").fill("ขอม้านั่งริมทะเลสาบให้ผู้สูงอายุได้พัก")
    page.get_by_role("button", name="ส่งไอเดีย").click()
    expect(page.get_by_text(name).first).to_be_visible()
    idea_url = page.url

    # Export from the account page: a zip with the idea and its documentation.
    page.goto("/account/privacy")
    expect(page.get_by_role("heading", name="ข้อมูลและความเป็นส่วนตัว")).to_be_visible()
    shot(page, "1-privacy-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "1-privacy-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    with page.expect_download() as info:
        page.get_by_role("link", name="ดาวน์โหลดข้อมูลของฉัน").click()
    z = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    assert {"README.txt", "manifest.json", "ideas.json", "ideas.csv"} <= set(z.namelist())
    assert json.loads(z.read("profile.json"))[0]["email"] == email
    assert len(json.loads(z.read("ideas.json"))) == 1

    # Erase: the form refuses without the tick, then erases with it.
    page.get_by_role("link", name="ลบบัญชีของฉัน…").click()
    page.get_by_label("รหัสผ่านปัจจุบัน").fill(PASSWORD)
    page.get_by_role("button", name="ลบบัญชีของฉัน").click()
    expect(page.get_by_text("โปรดทำเครื่องหมายเพื่อยืนยันว่าต้องการลบบัญชี").first).to_be_visible()
    shot(page, "2-erase-refused-phone")
    page.get_by_label("ฉันเข้าใจว่าบัญชีของฉันจะถูกลบ").check()
    page.get_by_label("รหัสผ่านปัจจุบัน").fill(PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "2-erase-form-desktop")
    page.get_by_role("button", name="ลบบัญชีของฉัน").click()
    expect(page.get_by_text("ลบบัญชีของท่านแล้ว")).to_be_visible()

    # The public idea stays, now by "deleted account"; the name is gone.
    page.goto(idea_url)
    expect(page.get_by_text("deleted account").first).to_be_visible()
    expect(page.get_by_text(name)).to_have_count(0)
    shot(page, "3-idea-after-erase-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "3-idea-after-erase-phone")
