"""Words people read (issue 21, item 22)."""

from __future__ import annotations

from tests.helpers import login, make_user, text_of
from tests.integration.test_handovers_http import _post_task, world  # noqa: F401 (a fixture)


async def test_task_words(world, make_client):  # noqa: F811
    task_id = await _post_task(world["staff"])  # its milestone has 40 % of the budget
    visitor = await make_client()
    text = text_of((await visitor.get(f"/handovers/{task_id}")).text)
    assert "40%" in text and "40.00" not in text
    board = (await visitor.get("/handovers")).text
    assert 'value="draft"' not in board  # the public never sees drafts, so is not offered them
    assert "ใช้ตัวกรอง" in text_of(board)  # the button says what it does
    assert 'value="draft"' in (await world["staff"].get("/handovers")).text


async def test_citizens_are_not_offered_to_create_a_consultation(client, conn):
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    page = await client.get("/consultations/mine")
    assert 'href="/consultations/new"' not in page.text


async def test_a_phone_sees_a_consultations_dates_and_answer_button_first(client, conn):
    from tests.integration.test_consultations_http import setup as consultation_setup

    s = await consultation_setup(conn)
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    html = (await client.get(f"/consultations/{s['cid']}")).text
    top = html[: html.index('id="draft-title"')]  # before the draft
    assert 'class="key-facts only-narrow"' in top and 'href="#respond"' in top


async def test_search_filters_start_closed(client):
    assert "<details class=\"facets__toggle\">" in (await client.get("/search?q=ขยะ")).text
    assert "<details class=\"facets__toggle\" open>" in (await client.get("/search?q=ขยะ&kind=idea")).text


async def test_the_consultation_list_api_lists_everything_unless_a_status_is_given(client, conn):
    from tests.helpers import make_agency
    from tests.integration.consultation_data import create_draft_policy

    agency = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@mdes.example")
    ids = {}
    for status in ("open", "scheduled", "closed", "draft"):
        ids[status] = await create_draft_policy(conn, actor_id=staff, owner_org_id=agency, status=status)
    listed = {c["id"] for c in (await client.get("/api/v1/consultations")).json()["items"]}
    assert listed == {ids["open"], ids["scheduled"], ids["closed"]}  # a draft is never public
    closed = (await client.get("/api/v1/consultations?status=closed")).json()["items"]
    assert [c["id"] for c in closed] == [ids["closed"]]
    r = await client.get("/api/v1/consultations?status=bogus")
    assert r.status_code == 400 and r.json()["error"]["field"] == "status"
    assert [c["id"] for c in (await client.get("/api/v1/consultations?tab=open")).json()["items"]] == [ids["open"]]


async def test_an_idea_says_how_many_more_supporters_oblige_an_answer(client, conn):
    from tests.integration.test_ideas import _idea, _world

    ideas = await _world(conn, threshold=3)  # the author's support is not counted automatically
    idea_id = await _idea(conn, ideas)
    text = text_of((await client.get(f"/ideas/{idea_id}")).text)
    assert "อีก 3 คน หน่วยงานต้องตอบ" in text and "เกณฑ์" not in text
