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
