"""Section labels (issue 21, item 12): the card "มาตรา 3" held the text "มาตรา ๒…", and a draft
written as ข้อ 1 / ข้อ 2 was labelled มาตรา. Each section keeps its own heading everywhere."""

from __future__ import annotations

import re

from civic.consultations import store
from tests.helpers import login, make_agency, make_user, post_form, text_of
from tests.integration.consultation_data import create_draft_policy


def card_titles(html: str) -> list[str]:
    return [text_of(t) for t in re.findall(r'<h3 class="card__title">(.*?)</h3>', html, re.S)]


async def test_each_section_is_named_as_its_draft_names_it(client, make_client, conn):
    agency = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@mdes.example")
    rules_draft = await create_draft_policy(
        conn, actor_id=staff, owner_org_id=agency, status="open",
        sections_text="คำปรารภของร่าง\n\nข้อ 1 ผู้สมัครต้องมีสัญชาติไทย\n\nหมวด 1 ส่วนที่ 2 การประชุม\n\nมาตรา ๒ ให้ใช้บังคับ",
    )  # fmt: skip
    page = await client.get(f"/consultations/{rules_draft}")
    assert card_titles(page.text)[:4] == ["ย่อหน้าที่ 1", "ข้อ 1", "หมวด 1 ส่วนที่ 2", "มาตรา ๒"]
    api = (await client.get(f"/api/v1/consultations/{rules_draft}")).json()
    assert "ข้อ 1" in str(api)

    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    section = await conn.fetchval(
        "SELECT id FROM consultation_sections WHERE consultation_id = $1 AND heading = 'ข้อ 1'", rules_draft
    )
    body = {"section_id": str(section), "body": "ควรรวมผู้มีถิ่นที่อยู่"}
    r = await post_form(client, f"/consultations/{rules_draft}/comments", body)
    assert r.status_code == 303
    comment = await conn.fetchval("SELECT id FROM consultation_comments")
    reporter = await make_client()
    await make_user(conn, "nok@x.example")
    await login(reporter, "nok@x.example")
    await post_form(reporter, f"/consultations/{rules_draft}/comments/{comment}/flags", {"reason": "ไม่เกี่ยวข้อง"})
    queue = await store.moderation_queue(conn)  # what the moderation inbox lists
    assert [f.section_heading for f in queue.flagged] == ["ข้อ 1"]
