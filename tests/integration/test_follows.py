"""Follows: the buttons (plain form and HTMX), the API twin, refusals that write nothing, the
automatic follows from real events (and the unfollow they respect), and the /follows page."""

from __future__ import annotations

from civic import consumers
from civic.follows.consumer import AUTO_FOLLOW
from civic.ideas import store as ideas_store
from tests.helpers import login, make_partner, make_user, parse, post_form, send_json, text_of
from tests.integration import test_handovers_http as http
from tests.integration.test_consultations_http import answers, setup
from tests.integration.test_handovers_http import _post_task
from tests.integration.test_ideas import BODY, _idea, _world

world = http.world  # the handover tests' people, for the task follows
HX = {"HX-Request": "true"}


async def _follows(conn, user_id: int | None = None) -> list[tuple]:
    rows = await conn.fetch(
        "SELECT user_id, target_kind, target_id, auto FROM follows"
        " WHERE $1::bigint IS NULL OR user_id = $1 ORDER BY user_id, target_kind, target_id",
        user_id,
    )
    return [tuple(r) for r in rows]


async def _follow_events(conn) -> list[tuple]:
    rows = await conn.fetch(
        "SELECT kind, actor_id, visibility, payload FROM events WHERE kind LIKE 'follow.%' ORDER BY id"
    )
    return [(r["kind"], r["actor_id"], r["visibility"], r["payload"]) for r in rows]


async def test_follow_an_idea_by_form_by_htmx_and_by_api(client, conn, make_client):
    w = await _world(conn)
    me = w["users"]["citizen2@example.com"]
    idea_id = await _idea(conn, w)
    # Nobody signed in: a login link that comes back, no button.
    page = parse((await client.get(f"/ideas/{idea_id}")).text)
    assert "follow-idea" in page.ids
    assert not any(f.get("action") == "/follows" for f in page.forms)
    assert (
        await send_json(client, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": str(idea_id)})
    ).status_code == 401

    await login(client, "citizen2@example.com")
    html = (await client.get(f"/ideas/{idea_id}")).text
    assert any(f.get("action") == "/follows" for f in parse(html).forms)
    assert "ติดตามไอเดียนี้" in text_of(html)
    # Without JavaScript: a form that redirects back; twice changes nothing more.
    for _ in range(2):
        r = await post_form(
            client,
            "/follows",
            {"target_kind": "idea", "target_id": str(idea_id), "next": f"/ideas/{idea_id}"},
        )
        assert (r.status_code, r.headers["location"]) == (303, f"/ideas/{idea_id}")
    assert await _follows(conn, me) == [(me, "idea", str(idea_id), False)]
    html = (await client.get(f"/ideas/{idea_id}")).text
    assert any(f.get("action") == "/follows/unfollow" for f in parse(html).forms)
    # With HTMX: the button comes back alone, swapped in place, and its form still returns to the idea.
    r = await post_form(
        client, "/follows/unfollow", {"target_kind": "idea", "target_id": str(idea_id), "next": f"/ideas/{idea_id}"},
        headers=HX | {"HX-Target": "follow-idea"},
    )  # fmt: skip
    assert r.status_code == 200 and "<html" not in r.text
    fragment = parse(r.text)
    assert fragment.forms[0]["action"] == "/follows" and f'value="/ideas/{idea_id}"' in r.text
    assert await _follows(conn, me) == []
    assert await conn.fetchval("SELECT count(*) FROM unfollows WHERE user_id = $1", me) == 1
    # The API: the same verbs; leading zeros name the same idea.
    body = {"target_kind": "idea", "target_id": f"00{idea_id}"}
    r = await send_json(client, "POST", "/api/v1/follows", body)
    assert r.json() == {"target_kind": "idea", "target_id": str(idea_id), "following": True}
    listing = (await client.get("/api/v1/follows")).json()
    assert listing["total"] == 1
    [group] = listing["groups"]
    assert group["target_kind"] == "idea"
    assert (group["items"][0]["title"], group["items"][0]["url"]) == (
        "ไวไฟสาธารณะในตลาดกิมหยง",
        f"/ideas/{idea_id}",
    )
    r = await send_json(client, "DELETE", f"/api/v1/follows?target_kind=idea&target_id={idea_id}")
    assert r.json()["following"] is False
    r = await send_json(client, "DELETE", f"/api/v1/follows?target_kind=idea&target_id={idea_id}")
    assert r.status_code == 200
    kinds = [(k, a, v) for k, a, v, _ in await _follow_events(conn)]
    assert kinds == [
        ("follow.started", me, "private"), ("follow.stopped", me, "private"),
        ("follow.started", me, "private"), ("follow.stopped", me, "private"),
    ]  # fmt: skip


async def test_hidden_nonexistent_and_malformed_targets_are_refused_and_nothing_is_written(client, conn):
    w = await _world(conn)
    idea_id = await _idea(conn, w)
    await conn.execute("UPDATE ideas SET hidden_at = now(), hidden_reason = 'สแปม' WHERE id = $1", idea_id)
    partner = await make_partner(conn, "rak-nam")
    await login(client, "citizen2@example.com")  # reads Thai

    async def follow(kind: str, target_id: str):
        return await send_json(
            client, "POST", "/api/v1/follows", {"target_kind": kind, "target_id": target_id}
        )

    r = await follow("idea", str(idea_id))
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "เนื้อหานี้ถูกผู้ดูแลซ่อนไว้ จึงติดตามไม่ได้"
    r = await follow("idea", "999999")
    assert (r.status_code, r.json()["error"]["message"]) == (404, "ไม่พบไอเดียนี้")
    for kind, target_id in (
        ("board", "999999"), ("agency", str(partner)), ("consultation", "5"), ("task", "7"), ("topic", "ไม่มีหมวดนี้"),
    ):  # fmt: skip
        assert (await follow(kind, target_id)).status_code == 404, kind
    for kind, target_id, field in (
        ("idea", "abc", "target_id"), ("idea", "0", "target_id"), ("province", "XXX", "target_id"),
        ("planet", "1", "target_kind"), ("topic", "", "target_id"),
    ):  # fmt: skip
        r = await follow(kind, target_id)
        assert r.status_code == 422 and field in {f["key"] for f in r.json()["error"]["fields"]}, (
            kind,
            r.text,
        )
    # Unfollowing what never existed is refused too, and remembers nothing.
    r = await send_json(client, "DELETE", "/api/v1/follows?target_kind=board&target_id=999999")
    assert r.status_code == 404
    # The form answers a localised error page, not a redirect.
    r = await post_form(client, "/follows", {"target_kind": "idea", "target_id": str(idea_id), "next": "/"})
    assert r.status_code == 403 and "ติดตามไม่ได้" in text_of(r.text)
    assert await _follows(conn) == []
    assert await conn.fetchval("SELECT count(*) FROM unfollows") == 0
    assert await _follow_events(conn) == []


async def test_a_pending_idea_of_someone_else_does_not_exist_for_the_follower(client, conn):
    w = await _world(conn, moderate_first=True)
    idea_id = await _idea(conn, w)
    await login(client, "citizen2@example.com")
    r = await send_json(client, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": str(idea_id)})
    assert r.status_code == 404
    # Its author sees it, and may follow it.
    author = await login(client, "citizen@example.com")
    assert author.status_code in (200, 303)
    r = await send_json(client, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": str(idea_id)})
    assert r.status_code == 200
    assert await _follows(conn) == [(w["users"]["citizen@example.com"], "idea", str(idea_id), False)]


async def test_ideas_events_follow_their_author_supporters_and_commenters_but_never_over_an_unfollow(
    client, make_client, conn, pool
):
    w = await _world(conn)
    u = w["users"]
    await login(client, "citizen@example.com")
    r = await send_json(
        client, "POST", "/api/v1/ideas",
        {"board": "hatyai-waste", "title": "ถังขยะแยกประเภท", "body": BODY, "category": "ขยะ", "province": "SKA"},
    )  # fmt: skip
    idea_id = r.json()["id"]
    supporter, commenter = await make_client(), await make_client()
    await login(supporter, "citizen2@example.com")
    await login(commenter, "citizen3@example.com")
    assert (await send_json(supporter, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    r = await send_json(commenter, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "เห็นด้วยครับ"})
    assert r.status_code == 201
    # The commenter unfollows before the consumer has run: the automatic follow must not win.
    r = await send_json(commenter, "DELETE", f"/api/v1/follows?target_kind=idea&target_id={idea_id}")
    assert r.status_code == 200
    await consumers.drain(pool, [AUTO_FOLLOW])
    idea = str(idea_id)
    assert await _follows(conn) == sorted(
        [(u["citizen@example.com"], "idea", idea, True), (u["citizen2@example.com"], "idea", idea, True)]
    )
    # A later comment by the one who unfollowed still follows nothing; replaying changes nothing.
    await send_json(commenter, "POST", f"/api/v1/ideas/{idea_id}/comments", {"body": "อีกความเห็นหนึ่ง"})
    await consumers.drain(pool, [AUTO_FOLLOW])
    await conn.execute(
        "UPDATE event_cursors SET last_xid = '0', last_id = 0 WHERE name = $1", AUTO_FOLLOW.name
    )
    await consumers.drain(pool, [AUTO_FOLLOW])
    assert len(await _follows(conn)) == 2
    assert await _follows(conn, u["citizen3@example.com"]) == []
    # Following by hand after all makes it theirs; an automatic follow followed by hand becomes explicit.
    await send_json(commenter, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": idea})
    await send_json(supporter, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": idea})
    assert await _follows(conn, u["citizen3@example.com"]) == [
        (u["citizen3@example.com"], "idea", idea, False)
    ]
    assert await _follows(conn, u["citizen2@example.com"]) == [
        (u["citizen2@example.com"], "idea", idea, False)
    ]
    assert await conn.fetchval("SELECT count(*) FROM unfollows") == 0


async def test_respondents_follow_their_consultation(client, conn, pool):
    s = await setup(conn)
    pim = await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{s['cid']}/response",
        {"consent": "none", "answers": answers(s["q"])},
    )
    assert r.status_code == 201
    await consumers.drain(pool, [AUTO_FOLLOW])
    assert await _follows(conn) == [(pim, "consultation", str(s["cid"]), True)]
    html = (await client.get(f"/consultations/{s['cid']}")).text
    assert any(f.get("action") == "/follows/unfollow" for f in parse(html).forms)


async def test_the_poster_and_the_claiming_partners_members_follow_the_task(world, conn, pool):
    staff, nok = world["staff"], world["nok"]
    task_id = await _post_task(staff)
    # A second member of the claiming partner follows too; a pending one does not.
    partner = await conn.fetchval("SELECT id FROM organisations WHERE slug = 'rak-nam'")
    colleague = await make_user(conn, "colleague@raknam.example")
    await conn.execute(
        "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'member')", partner, colleague
    )
    hopeful = await make_user(conn, "hopeful@raknam.example")
    await conn.execute(
        "INSERT INTO memberships (org_id, user_id, role, status) VALUES ($1, $2, 'member', 'pending')",
        partner,
        hopeful,
    )
    r = await send_json(nok, "POST", f"/api/v1/handovers/{task_id}/claim", {"plan": "x" * 30, "team": "ทีม"})
    assert r.status_code == 201, r.text
    await consumers.drain(pool, [AUTO_FOLLOW])
    ids = {
        email: await conn.fetchval("SELECT id FROM users WHERE email = $1", email)
        for email in ("staff@kkn.example", "nok@raknam.example")
    }
    task = str(task_id)
    assert await _follows(conn) == sorted(
        [(ids["staff@kkn.example"], "task", task, True), (ids["nok@raknam.example"], "task", task, True),
         (colleague, "task", task, True)]
    )  # fmt: skip
    html = (await staff.get(f"/handovers/{task_id}")).text
    assert any(f.get("action") == "/follows/unfollow" for f in parse(html).forms)


async def test_the_follows_page_groups_titles_links_and_unfollows(client, conn):
    w = await _world(conn)
    idea_id = await _idea(conn, w)
    hidden_id = await _idea(conn, w, title="ไอเดียที่จะถูกซ่อน")
    board = await ideas_store.get_board(conn, "hatyai-waste")
    agency = await conn.fetchval("SELECT id FROM organisations WHERE slug = 'hdy-city'")
    await login(client, "citizen2@example.com")
    assert "ยังไม่ได้ติดตาม" in text_of((await client.get("/follows")).text)
    for kind, target_id in (
        ("idea", idea_id), ("idea", hidden_id), ("board", board.id), ("agency", agency), ("province", "ska"),
        ("topic", "ขยะ"), ("topic", "environment"),
    ):  # fmt: skip
        r = await send_json(
            client, "POST", "/api/v1/follows", {"target_kind": kind, "target_id": str(target_id)}
        )
        assert r.status_code == 200, (kind, r.text)
    await conn.execute("UPDATE ideas SET hidden_at = now() WHERE id = $1", hidden_id)
    html = (await client.get("/follows")).text
    text = text_of(html)
    for heading in ("ไอเดีย", "บอร์ดไอเดีย", "หน่วยงาน", "จังหวัด", "หัวข้อ"):
        assert heading in text
    for shown in (
        "ไวไฟสาธารณะในตลาดกิมหยง",
        "ขยะและความสะอาดเมืองหาดใหญ่",
        "หน่วยงาน hdy-city",
        "สงขลา",
        "ขยะ",
        "สิ่งแวดล้อมและขยะ",
    ):
        assert shown in text, shown
    assert "ไอเดียที่จะถูกซ่อน" not in text
    for href in (f'href="/ideas/{idea_id}"', 'href="/boards/hatyai-waste"', 'href="/organisations/hdy-city"'):
        assert href in html
    unfollow_forms = [f for f in parse(html).forms if f.get("action") == "/follows/unfollow"]
    assert len(unfollow_forms) == 7
    # The hidden idea can still be unfollowed from here.
    r = await post_form(
        client, "/follows/unfollow", {"target_kind": "idea", "target_id": str(hidden_id), "next": "/follows"}
    )
    assert (r.status_code, r.headers["location"]) == (303, "/follows")
    assert len(await _follows(conn)) == 6


async def test_buttons_on_boards_agencies_and_filtered_lists(client, conn):
    w = await _world(conn)
    await _idea(conn, w)
    await login(client, "citizen2@example.com")
    board_html = (await client.get("/boards/hatyai-waste")).text
    assert "follow-board" in parse(board_html).ids
    assert "follow-agency" in parse((await client.get("/organisations/hdy-city")).text).ids
    listing_html = (await client.get("/ideas?province=SKA&category=%E0%B8%82%E0%B8%A2%E0%B8%B0")).text
    assert {"follow-province", "follow-topic"} <= set(parse(listing_html).ids)
    # Each button names what it follows: the province by its Thai name, the topic by itself.
    assert "ติดตามจังหวัดสงขลา" in text_of(listing_html) and "ติดตามหัวข้อ ขยะ" in text_of(listing_html)
    assert "ติดตามบอร์ดนี้" in text_of(board_html)
    r = await post_form(
        client, "/follows", {"target_kind": "province", "target_id": "SKA", "next": "/ideas?province=SKA"},
        headers=HX | {"HX-Target": "follow-province"},
    )  # fmt: skip
    assert r.status_code == 200 and "/follows/unfollow" in r.text and 'value="/ideas?province=SKA"' in r.text
    assert "คุณติดตามจังหวัดสงขลาอยู่" in text_of(r.text)
    assert await _follows(conn) == [(w["users"]["citizen2@example.com"], "province", "SKA", False)]


async def test_task_board_and_consultations_filtered_by_a_province_offer_to_follow_it(client, conn):
    await make_user(conn, "prov@follow.example")
    await login(client, "prov@follow.example")
    for path in ("/handovers?province=CMI", "/consultations?province=CMI"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert 'name="target_kind" value="province"' in page.text and 'value="CMI"' in page.text, path
        unfiltered = await client.get(path.split("?")[0] + "?province=XXX")
        assert 'name="target_kind" value="province"' not in unfiltered.text, path
    r = await post_form(client, "/follows", {"target_kind": "province", "target_id": "CMI", "next": "/handovers?province=CMI"})
    assert r.status_code == 303
    page = await client.get("/handovers?province=CMI")
    assert 'aria-pressed="true"' in page.text
