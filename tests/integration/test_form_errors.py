"""What a person sees when a form is refused (issue 21, item 20): every error at once, each
named and linked to its field, choices asked for with "เลือก", pages labelled as HTML, and a
reload of a refused POST's address landing on its page instead of a 405."""

from __future__ import annotations

import re

from tests.helpers import login, make_user, post_form, text_of
from tests.integration.test_consultations_http import setup as consultation_setup
from tests.integration.test_handovers_http import _post_task, world  # noqa: F401 (a fixture)
from tests.integration.test_ideas import _idea
from tests.integration.test_ideas import _world as idea_world


def summary_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    start = html.index('class="error-summary"')
    block = html[start : html.index("</ul>", start)]
    return [(href, text_of(inner)) for href, inner in re.findall(r'<a href="([^"]+)">(.*?)</a>', block, re.S)]


async def test_idea_form_names_every_missing_field_at_once(client, conn):
    await idea_world(conn)
    await login(client, "citizen@example.com")
    r = await post_form(client, "/ideas", {"board": "", "title": "", "body": ""})
    assert r.status_code == 400
    links = summary_links(r.text)
    assert [href for href, _ in links] == ["#field-board", "#field-title", "#field-body"]
    texts = [text for _, text in links]
    assert texts[0].startswith("บอร์ด:") and texts[1].startswith("หัวข้อ:")
    assert all(":" in text for text in texts)


async def test_empty_comment_with_htmx_gets_its_form_back(client, conn):
    ideas = await idea_world(conn)
    idea_id = await _idea(conn, ideas)
    await login(client, "citizen2@example.com")
    hx = {"HX-Request": "true", "HX-Target": "comment-form"}
    r = await post_form(client, f"/ideas/{idea_id}/comments", {"body": ""}, headers=hx)
    assert r.status_code == 400
    assert 'id="comment-form"' in r.text and "<textarea" in r.text
    assert "ปิดรับความคิดเห็น" not in r.text
    assert 'id="field-comment-body-error"' in r.text


async def test_refused_answer_is_an_html_page_asking_to_choose(client, conn):
    s = await consultation_setup(conn)
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    r = await post_form(client, f"/consultations/{s['cid']}/respond", {"mode": "new", "consent": "none"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/html")
    text = text_of(r.text)
    assert "กรุณาเลือกคำตอบ" in text  # the radio groups ask to choose, not to fill in
    hrefs = [href for href, _ in summary_links(r.text)]
    assert f"#field-q{s['q'][0]}" in hrefs


async def test_claim_form_summary_names_plan_and_team(world):  # noqa: F811
    task_id = await _post_task(world["staff"])
    r = await post_form(world["nok"], f"/handovers/{task_id}/claim", {"plan": "", "team": ""})
    assert r.status_code == 400, r.status_code
    texts = [text for _, text in summary_links(r.text)]
    assert any(t.startswith("แผนการทำงาน:") for t in texts) and any(t.startswith("ทีมงาน:") for t in texts)


async def test_reloading_a_refused_post_goes_to_its_page(client, conn):
    ideas = await idea_world(conn)
    idea_id = await _idea(conn, ideas)
    await login(client, "citizen@example.com")
    for url, page in (
        (f"/ideas/{idea_id}/comments", f"/ideas/{idea_id}"),
        ("/handovers/10/claim", "/handovers/10"),
        ("/handovers/2/updates", "/handovers/2"),
        ("/consultations/3/respond", "/consultations/3"),
    ):
        r = await client.get(url)
        assert r.status_code == 303, (url, r.status_code)
        assert r.headers["location"] == page
    r = await client.get(f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code in (404, 405)  # the API is answered, never redirected
