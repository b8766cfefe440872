"""Organisation names follow the reader's language (issue 21, item 15): the English UI showed Thai
names wherever a page read only name_th, although the demo's agencies all have English names."""

import pytest

from civic import demo
from tests.helpers import make_agency

pytestmark = pytest.mark.asyncio

IDEA = """
SELECT i.id, b.slug AS board, o.slug, o.name_th, o.name_en FROM ideas i
JOIN idea_boards b ON b.id = i.board_id JOIN organisations o ON o.id = b.agency_id
WHERE i.hidden_at IS NULL AND i.status <> 'pending' AND o.name_en <> '' ORDER BY i.id LIMIT 1
"""
CONSULTATION = """
SELECT c.id, o.slug, o.name_th, o.name_en FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.status = 'open' AND o.name_en <> '' ORDER BY c.id LIMIT 1
"""
TASK = """
SELECT t.id, a.slug, a.name_th, a.name_en, p.name_th AS partner_th, p.name_en AS partner_en
FROM handover_tasks t JOIN organisations a ON a.id = t.agency_id
JOIN handover_claims c ON c.task_id = t.id AND c.status = 'confirmed' JOIN organisations p ON p.id = c.partner_id
WHERE t.status <> 'draft' AND a.name_en <> '' AND p.name_en <> '' ORDER BY t.id LIMIT 1
"""
PARENT = """
SELECT o.slug, c.name_th, c.name_en FROM organisations o JOIN organisations c ON c.parent_id = o.id
WHERE c.name_en <> '' ORDER BY o.id LIMIT 1
"""

OVERDUE = """
SELECT o.name_th, o.name_en FROM ideas i JOIN idea_boards b ON b.id = i.board_id
JOIN organisations o ON o.id = b.agency_id
WHERE i.answer_due_at < now() AND i.hidden_at IS NULL AND o.name_en <> ''
  AND NOT EXISTS (SELECT 1 FROM idea_answers a WHERE a.idea_id = i.id) LIMIT 1
"""


async def _reader(make_client, lang: str):
    browser = await make_client()
    browser.cookies.set("lang", lang)

    async def get(path: str) -> str:
        response = await browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.text

    return get


async def test_org_names_in_the_readers_language(conn, make_client):
    await demo.seed(conn)
    rows = [await conn.fetchrow(q) for q in (IDEA, CONSULTATION, TASK, PARENT, OVERDUE)]
    assert all(rows), "the demo lacks an agency with an English name"
    idea, cons, task, parent, overdue = rows
    english, thai = await _reader(make_client, "en"), await _reader(make_client, "th")
    # (path, the Thai name, the English name): each page names that organisation somewhere.
    pages = [
        ("/", cons["name_th"], cons["name_en"]),
        (f"/ideas/{idea['id']}", idea["name_th"], idea["name_en"]),
        ("/ideas", idea["name_th"], idea["name_en"]),
        ("/ideas/overdue", overdue["name_th"], overdue["name_en"]),
        ("/boards", idea["name_th"], idea["name_en"]),
        (f"/boards/{idea['board']}", idea["name_th"], idea["name_en"]),
        ("/consultations", cons["name_th"], cons["name_en"]),
        (f"/consultations/{cons['id']}", cons["name_th"], cons["name_en"]),
        ("/handovers", task["name_th"], task["name_en"]),
        (f"/handovers/{task['id']}", task["name_th"], task["name_en"]),
        (f"/handovers/{task['id']}", task["partner_th"], task["partner_en"]),
        ("/organisations", parent["name_th"], parent["name_en"]),
        (f"/organisations/{parent['slug']}", parent["name_th"], parent["name_en"]),
        (f"/feed/organisations/{idea['slug']}", idea["name_th"], idea["name_en"]),
    ]
    for path, th, en in pages:
        assert en in await english(path), (path, en)
        assert th in await thai(path), (path, th)
    # Lists name an agency only on their cards and in their filters, so the other language's name
    # is not there (detail pages and summaries may quote it: a display name, an answer).
    for path, th, en in (("/handovers", task["name_th"], task["name_en"]), *pages[2:5]):
        assert th not in await english(path), (path, th)
        assert en not in await thai(path), (path, en)


async def test_child_agencies_in_thai_dictionary_order(conn, client):
    """Code point order put อ่างทอง after อุบลราชธานี and เชียงใหม่ last (issue 21, item 14)."""
    parent = await make_agency(conn, "moi-test", name_th="กระทรวงทดสอบ")
    names = ["สำนักงานจังหวัดอุบลราชธานี", "สำนักงานจังหวัดอ่างทอง", "เทศบาลนครเชียงใหม่", "กรมทดสอบ"]
    for i, name in enumerate(names):
        child = await make_agency(conn, f"child-{i}", name_th=name, level="local" if i < 3 else "central")
        await conn.execute("UPDATE organisations SET parent_id = $1 WHERE id = $2", parent, child)
    page = (await client.get("/organisations/moi-test")).text
    shown = sorted(names, key=page.index)
    # The central department first, then the local offices: กร < เท < สำ(อ่าง) < สำ(อุบล).
    assert shown == ["กรมทดสอบ", "เทศบาลนครเชียงใหม่", "สำนักงานจังหวัดอ่างทอง", "สำนักงานจังหวัดอุบลราชธานี"]


def _text(page: str, xpath: str) -> str:
    from lxml import html as lxml_html

    found = lxml_html.fromstring(page).xpath(xpath)
    assert found, xpath
    return " ".join(" ".join(e.text_content().split()) for e in found)


async def _english_demo(conn):
    await demo.seed(conn)
    await conn.execute("UPDATE users SET lang = 'en'")
    mdes = await conn.fetchrow("SELECT name_th, name_en FROM organisations WHERE slug = 'mdes'")
    assert mdes["name_en"]
    return mdes


async def test_counter_activity_and_erasure_name_organisations_in_english(conn, make_client):
    """The counter's agency select, my activity's claims and the erasure refusal read name_th
    alone (item 15, the rest)."""
    from tests.helpers import login, post_form, text_of

    mdes = await _english_demo(conn)
    staff = await make_client()
    await login(staff, "somchai@mdes.example", demo.DEMO_PASSWORD)
    counter = _text((await staff.get("/counter")).text, "//select[@name='agency']")
    assert mdes["name_en"] in counter and mdes["name_th"] not in counter
    # The only admin of the ministry may not erase the account; the refusal names it in English.
    refused = await post_form(staff, "/account/erase", {"password": demo.DEMO_PASSWORD, "confirm": "true"})
    assert refused.status_code == 409
    assert mdes["name_en"] in text_of(refused.text) and mdes["name_th"] not in text_of(refused.text)

    claim = await conn.fetchrow(
        "SELECT u.email, o.name_th, o.name_en FROM handover_claims c JOIN organisations o ON o.id = c.partner_id "
        "JOIN memberships m ON m.org_id = o.id JOIN users u ON u.id = m.user_id WHERE o.name_en <> '' LIMIT 1"
    )
    assert claim, "the demo has no claim by a partner with an English name"
    partner = await make_client()
    await login(partner, claim["email"], demo.DEMO_PASSWORD)
    claims = _text((await partner.get("/activity")).text, "//*[@id='my-claims']/following-sibling::*[1]")
    assert claim["name_en"] in claims and claim["name_th"] not in claims


async def test_board_forms_name_agencies_in_english(conn, make_client):
    """The new-board owner select and co-owner boxes, and a board's settings, read name_th alone."""
    from tests.helpers import login

    mdes = await _english_demo(conn)
    others = await conn.fetch(
        "SELECT name_th, name_en FROM organisations WHERE kind = 'agency' AND slug <> 'mdes' AND name_en <> ''"
    )
    board = await conn.fetchval(
        "SELECT b.slug FROM idea_boards b JOIN organisations o ON o.id = b.agency_id WHERE o.slug = 'mdes' LIMIT 1"
    )
    assert others and board
    staff = await make_client()
    await login(staff, "somchai@mdes.example", demo.DEMO_PASSWORD)
    new_board = (await staff.get("/boards/new")).text
    owner = _text(new_board, "//select[@name='agency']")
    assert mdes["name_en"] in owner and mdes["name_th"] not in owner
    for page in (new_board, (await staff.get(f"/boards/{board}/settings")).text):
        coowners = _text(page, "//fieldset[.//input[@name='coowners']]")
        assert all(o["name_en"] in coowners for o in others)
        assert not any(o["name_th"] in coowners for o in others)
        assert mdes["name_en"] not in coowners  # the owner is never offered as its own co-owner
    # The public record's agency filter, too.
    reader = await make_client()
    reader.cookies.set("lang", "en")
    record = _text((await reader.get("/record")).text, "//select[@name='agency']")
    assert mdes["name_en"] in record and mdes["name_th"] not in record
