"""Replies post through htmx (inserted under their parent) and still work without JavaScript;
a thread longer than the cap gets a "more replies" cursor link instead of being cut silently."""

from __future__ import annotations

import asyncio

from civic.ideas import store
from tests.helpers import login, parse, post_form, text_of
from tests.integration.test_ideas import _idea, _world


async def _thread(conn, world, idea_id, n_replies: int) -> tuple[int, list[int]]:
    author = world["users"]["citizen2@example.com"]
    top = await store.add_comment(conn, idea_id, author_id=author, body="ความเห็นหลัก", parent_id=None)
    ids = [
        r["id"]
        for r in await conn.fetch(
            "INSERT INTO idea_comments (idea_id, parent_id, author_id, body) "
            "SELECT $1, $2, $3, 'คำตอบที่ ' || n FROM generate_series(1, $4) n RETURNING id",
            idea_id,
            top,
            author,
            n_replies,
        )
    ]
    await conn.execute(
        "UPDATE ideas SET comment_count = comment_count + $2 WHERE id = $1", idea_id, n_replies
    )
    return top, sorted(ids)


async def test_reply_through_htmx_is_inserted_under_its_parent(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    top, _ = await _thread(conn, world, idea_id, 2)
    await login(client, "citizen3@example.com")
    page = await client.get(f"/ideas/{idea_id}")
    ids = parse(page.text).ids
    form = ids[f"reply-form-{top}"]
    assert form["hx-post"] == f"/ideas/{idea_id}/comments" and form["hx-target"] == "this"
    assert f"replies-{top}" in ids
    hx = {"HX-Request": "true", "HX-Target": f"reply-form-{top}"}
    r = await post_form(
        client, f"/ideas/{idea_id}/comments", {"body": "ตอบผ่าน htmx", "parent_id": str(top)}, headers=hx
    )
    assert r.status_code == 201 and "<html" not in r.text
    assert f'hx-swap-oob="beforeend:#replies-{top}"' in r.text and "ตอบผ่าน htmx" in r.text
    assert f'id="reply-form-{top}"' in r.text  # a fresh, empty form comes back
    assert "ความคิดเห็น (4)" in text_of(r.text)  # the count in the heading, out of band
    new_id = await conn.fetchval("SELECT max(id) FROM idea_comments")
    assert await conn.fetchval("SELECT parent_id FROM idea_comments WHERE id = $1", new_id) == top
    assert f'id="comment-{new_id}"' in r.text
    # an empty reply: the form comes back with the error and what was typed, nothing stored
    r = await post_form(
        client, f"/ideas/{idea_id}/comments", {"body": "  ", "parent_id": str(top)}, headers=hx
    )
    assert r.status_code == 400 and "<html" not in r.text
    assert f'id="reply-form-{top}"' in r.text and "error-message" in r.text
    assert await conn.fetchval("SELECT count(*) FROM idea_comments") == 4


async def test_reply_without_javascript_redirects_and_errors_reopen_the_reply_form(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    top, _ = await _thread(conn, world, idea_id, 0)
    await login(client, "citizen3@example.com")
    r = await post_form(
        client, f"/ideas/{idea_id}/comments", {"body": "ตอบแบบฟอร์มธรรมดา", "parent_id": str(top)}
    )
    assert r.status_code == 303 and "#comment-" in r.headers["location"]
    assert await conn.fetchval("SELECT count(*) FROM idea_comments WHERE parent_id = $1", top) == 1
    too_long = "ก" * 4001
    r = await post_form(client, f"/ideas/{idea_id}/comments", {"body": too_long, "parent_id": str(top)})
    assert r.status_code == 400 and "<html" in r.text
    reply_form = r.text.split(f'id="reply-form-{top}"', 1)[1].split("</form>", 1)[0]
    assert too_long in reply_form and "error-message" in reply_form
    main_form = r.text.split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    assert too_long not in main_form  # the typed reply stays in the reply form only
    assert await conn.fetchval("SELECT count(*) FROM idea_comments WHERE parent_id = $1", top) == 1


async def test_long_thread_gets_a_more_replies_cursor_with_and_without_htmx(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    cap = store.REPLIES_PER_THREAD
    top, ids = await _thread(conn, world, idea_id, cap + 130)
    page = await client.get(f"/ideas/{idea_id}")
    assert page.text.count('class="comment comment--reply"') == cap
    more = parse(page.text).ids[f"replies-more-{top}"]
    assert more is not None
    link = f"/ideas/{idea_id}/comments/{top}/replies?after={ids[cap - 1]}"
    assert f'href="{link}"' in page.text
    # htmx: the next replies appended under the parent, and the next link
    r = await client.get(link, headers={"HX-Request": "true", "HX-Target": f"replies-more-{top}"})
    assert r.status_code == 200 and "<html" not in r.text
    assert f'hx-swap-oob="beforeend:#replies-{top}"' in r.text
    assert r.text.count('class="comment comment--reply"') == cap
    assert f"คำตอบที่ {cap + 1}<" in r.text and f"คำตอบที่ {cap}<" not in r.text
    assert f"?after={ids[2 * cap - 1]}" in r.text
    # the last page has no link
    last = f"/ideas/{idea_id}/comments/{top}/replies?after={ids[2 * cap - 1]}"
    r = await client.get(last, headers={"HX-Request": "true", "HX-Target": f"replies-more-{top}"})
    assert r.text.count('class="comment comment--reply"') == 30 and f"replies-more-{top}" not in r.text
    # without JavaScript: a page with the thread
    r = await client.get(link)
    assert r.status_code == 200 and "<html" in r.text and "ความเห็นหลัก" in r.text
    assert f"คำตอบที่ {cap + 1}<" in r.text and f"?after={ids[2 * cap - 1]}" in r.text
    # the JSON twin
    api = (
        await client.get(f"/api/v1/ideas/{idea_id}/comments/{top}/replies", params={"after": ids[cap - 1]})
    ).json()
    assert [c["id"] for c in api["replies"]] == ids[cap : 2 * cap] and api["next_after"] == ids[2 * cap - 1]
    threads = (await client.get(f"/api/v1/ideas/{idea_id}/comments")).json()["comments"]
    assert threads[0]["more_replies_after"] == ids[cap - 1] and len(threads[0]["replies"]) == cap
    # a reply of another idea, a reply as parent, junk cursors
    other = await _idea(conn, world, "ไอเดียอื่น")
    assert (await client.get(f"/ideas/{other}/comments/{top}/replies")).status_code == 404
    assert (await client.get(f"/ideas/{idea_id}/comments/{ids[0]}/replies")).status_code == 404
    assert (await client.get(f"/ideas/{idea_id}/comments/{top}/replies?after=abc")).status_code == 200


async def test_comment_page_query_count_does_not_grow_with_replies(conn):
    world = await _world(conn)
    small = await _idea(conn, world)
    big = await _idea(conn, world, "ไอเดียที่มีคนตอบเยอะ")
    await _thread(conn, world, small, 3)
    for _ in range(3):
        await _thread(conn, world, big, store.REPLIES_PER_THREAD + 50)
    seen = []
    conn.add_query_logger(seen.append)  # called soon after each query, so let the loop run
    counts = []
    await store.comment_page(conn, small, total=0)  # warm up: type introspection on first use
    try:
        for idea_id in (small, big):
            total = await conn.fetchval("SELECT comment_count FROM ideas WHERE id = $1", idea_id)
            await asyncio.sleep(0.05)
            seen.clear()
            page = await store.comment_page(conn, idea_id, total=total)
            await asyncio.sleep(0.05)
            counts.append(len(seen))
            assert all(len(c.replies) <= store.REPLIES_PER_THREAD for c in page.comments)
    finally:
        conn.remove_query_logger(seen.append)
    assert counts == [2, 2]
    assert [c.more_replies_after is not None for c in page.comments] == [True, True, True]
