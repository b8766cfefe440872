"""Paragraph comments are moderated like idea comments: reports (one open per person), a
moderators' queue, hide (public tombstone in the reader's language), restore, dismiss, block."""

import asyncpg

from civic.consultations import store
from tests.helpers import login, make_user, post_form, send_json, text_of
from tests.integration.race import Gate, race
from tests.integration.test_consultations_http import setup

BODY = "ข้อความนี้ดูหมิ่นผู้อื่นอย่างรุนแรง"
REPLY = "ตอบกลับที่ไม่เกี่ยวข้องกับมาตรานี้"


async def scene(conn):
    s = await setup(conn)
    author = await make_user(conn, "author@x.example", name="ผู้เขียนความเห็น")
    await make_user(conn, "pim@x.example", name="พิมพ์")
    await make_user(conn, "ann@x.example", name="แอน")
    await make_user(conn, "mod@x.example", role="moderator", name="ผู้ดูแลเนื้อหา")
    sec = (await store.list_sections(conn, s["cid"]))[1]
    cm = await store.add_comment(conn, s["cid"], author, section_id=sec.id, body=BODY)
    reply = await store.add_comment(conn, s["cid"], author, section_id=sec.id, body=REPLY, parent_id=cm)
    return s | {"author": author, "sec": sec, "cm": cm, "reply": reply}


async def open_flags(conn, comment_id=None):
    if comment_id is None:
        return await conn.fetchval(
            "SELECT count(*) FROM consultation_comment_flags WHERE resolved_at IS NULL"
        )
    return await conn.fetchval(
        "SELECT count(*) FROM consultation_comment_flags WHERE comment_id = $1 AND resolved_at IS NULL",
        comment_id,
    )


async def audits(conn, action):
    return await conn.fetch(
        "SELECT actor_id, subject_id, detail FROM audit_log WHERE action = $1 ORDER BY id", action
    )


async def test_flag_twice_gives_one_flag(client, conn):
    s = await scene(conn)
    await login(client, "pim@x.example")
    page = await client.get(f"/consultations/{s['cid']}")
    assert f'action="/consultations/{s["cid"]}/comments/{s["cm"]}/flags"' in page.text
    url = f"/consultations/{s['cid']}/comments/{s['cm']}/flags"
    r = await post_form(client, url, {"reason": "ใช้ถ้อยคำหยาบคาย"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#comment-{s['cm']}")
    r = await post_form(client, url, {"reason": "ส่งซ้ำอีกครั้ง"})
    assert r.status_code == 303
    api = f"/api/v1/consultations/comments/{s['cm']}/flags"
    r = await send_json(client, "POST", api, {"reason": "ส่งซ้ำทาง API"})
    assert r.status_code == 200 and r.json()["created"] is False
    rows = await conn.fetch("SELECT reason, flagger_id FROM consultation_comment_flags")
    assert [r["reason"] for r in rows] == ["ใช้ถ้อยคำหยาบคาย"]
    # the page now says it was reported instead of offering the form again
    page = await client.get(f"/consultations/{s['cid']}")
    assert url not in page.text and "คุณรายงานความคิดเห็นนี้แล้ว" in text_of(page.text)
    # another person's report is a second flag
    other = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['reply']}/flags", {"reason": "นอกเรื่อง"}
    )
    assert other.status_code == 201 and other.json()["created"] is True
    assert await open_flags(conn) == 2


async def test_two_reports_at_once_store_one(pool, conn, db_url):
    s = await scene(conn)
    pim = await conn.fetchval("SELECT id FROM users WHERE email = 'pim@x.example'")

    async def report(reason):
        async with pool.acquire() as c:
            return await store.flag_comment(c, s["cm"], pim, reason)

    # All six reports wait inside PostgreSQL at their first statement, then go at once.
    results = await race(
        [lambda i=i: report(f"เหตุผลที่ {i}") for i in range(6)],
        gate=Gate(db_url, ["consultation_comments"], expect=6),
    )
    assert sum(created for _, created in results) == 1
    assert len({flag_id for flag_id, _ in results}) == 1
    assert await open_flags(conn, s["cm"]) == 1


async def test_the_database_refuses_a_second_open_flag(conn):
    s = await scene(conn)
    pim = await conn.fetchval("SELECT id FROM users WHERE email = 'pim@x.example'")
    sql = "INSERT INTO consultation_comment_flags (comment_id, flagger_id, reason) VALUES ($1, $2, $3)"
    await conn.execute(sql, s["cm"], pim, "ครั้งแรก")
    try:
        await conn.execute(sql, s["cm"], pim, "ครั้งที่สอง")
    except asyncpg.UniqueViolationError:
        pass
    else:
        raise AssertionError("a second open flag by the same person was stored")
    # once resolved, the same person may report again
    await conn.execute("UPDATE consultation_comment_flags SET resolved_at = now(), resolution = 'dismissed'")
    await conn.execute(sql, s["cm"], pim, "ครั้งที่สาม")


async def test_own_and_hidden_comments_cannot_be_reported(client, conn):
    s = await scene(conn)
    await login(client, "author@x.example")
    page = await client.get(f"/consultations/{s['cid']}")
    assert f"/comments/{s['cm']}/flags" not in page.text
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "cannot_flag"
    await store.hide_comment(conn, None, s["reply"], actor_id=s["author"], reason="นอกประเด็น")
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['reply']}/flags", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 409
    r = await send_json(client, "POST", "/api/v1/consultations/comments/999999/flags", {"reason": "ทดสอบ"})
    assert r.status_code == 404
    assert await open_flags(conn) == 0


async def test_anonymous_cannot_report(client, conn):
    s = await scene(conn)
    page = await client.get(f"/consultations/{s['cid']}")
    assert "/flags" not in page.text
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 401
    assert await open_flags(conn) == 0


async def test_queue_is_for_moderators_only(client, make_client, conn):
    s = await scene(conn)
    await store.flag_comment(conn, s["cm"], await _uid(conn, "pim@x.example"), "ใช้ถ้อยคำหยาบคาย")
    r = await client.get("/api/v1/consultations/moderation")
    assert r.status_code == 401
    for email in ("pim@x.example", "staff@mdes.example"):  # a citizen, the running agency's staff
        who = await make_client()
        await login(who, email)
        assert (await who.get("/consultations/moderation")).status_code == 403
        r = await who.get("/api/v1/consultations/moderation")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = await post_form(who, f"/consultations/moderation/comments/{s['cm']}/dismiss")
        assert r.status_code == 403
        r = await send_json(who, "POST", f"/api/v1/consultations/comments/{s['cm']}/block-author")
        assert r.status_code == 403
    assert await open_flags(conn) == 1
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", s["author"]) == "active"

    mod = await make_client()
    await login(mod, "mod@x.example")
    page = await mod.get("/consultations/moderation")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "ร่างนโยบายอินเทอร์เน็ตชุมชน" in text and BODY in text and "ใช้ถ้อยคำหยาบคาย" in text
    assert s["sec"].heading and s["sec"].heading in text  # the section as its draft names it
    data = (await mod.get("/api/v1/consultations/moderation")).json()
    [item] = data["flagged"]
    assert item["comment_id"] == s["cm"] and item["consultation_id"] == s["cid"]
    assert item["section_position"] == s["sec"].position and item["flag_count"] == 1
    assert item["reports"][0]["reason"] == "ใช้ถ้อยคำหยาบคาย" and item["reports"][0]["by"] == "พิมพ์"


async def test_hide_shows_a_tombstone_in_thai_and_english_then_restore(client, make_client, conn):
    s = await scene(conn)
    await store.flag_comment(conn, s["cm"], await _uid(conn, "pim@x.example"), "ใช้ถ้อยคำหยาบคาย")
    await store.flag_comment(conn, s["cm"], await _uid(conn, "ann@x.example"), "ดูหมิ่น")
    mod = await make_client()
    await login(mod, "mod@x.example")
    r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/hide", {"reason": "ถ้อยคำดูหมิ่น"})
    assert r.status_code == 303 and r.headers["location"] == "/consultations/moderation"
    assert await open_flags(conn, s["cm"]) == 0
    assert {
        r["resolution"] for r in await conn.fetch("SELECT resolution FROM consultation_comment_flags")
    } == {"hidden"}

    th = text_of((await client.get(f"/consultations/{s['cid']}")).text)
    assert "ความคิดเห็นนี้ถูกซ่อนโดยผู้ดูแล: ถ้อยคำดูหมิ่น" in th and BODY not in th
    assert REPLY in th  # the reply still reads under the tombstone
    english = await make_client()
    english.cookies.set("lang", "en")
    en = text_of((await english.get(f"/consultations/{s['cid']}")).text)
    assert "This comment was hidden by a moderator: ถ้อยคำดูหมิ่น" in en and BODY not in en
    api = (await client.get(f"/api/v1/consultations/{s['cid']}/comments")).json()
    top = api[str(s["sec"].id)][0]
    assert top["status"] == "hidden" and top["body"] == "" and top["hidden_reason"] == "ถ้อยคำดูหมิ่น"
    [hide] = await audits(conn, "consultation.comment.hide")
    assert hide["subject_id"] == s["cm"] and hide["detail"]["reason"] == "ถ้อยคำดูหมิ่น"
    assert hide["detail"]["resolved_flags"] == 2

    # the queue keeps it under "recently hidden", with the text, for a restore
    queue = (await mod.get("/api/v1/consultations/moderation")).json()
    assert queue["flagged"] == [] and queue["hidden"][0]["comment_id"] == s["cm"]
    assert queue["hidden"][0]["body"] == BODY
    r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/restore")
    assert r.status_code == 303
    th = text_of((await client.get(f"/consultations/{s['cid']}")).text)
    assert BODY in th and "ถ้อยคำดูหมิ่น" not in th
    [restore] = await audits(conn, "consultation.comment.restore")
    assert restore["subject_id"] == s["cm"] and restore["detail"]["previous_reason"] == "ถ้อยคำดูหมิ่น"
    r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/restore")
    assert r.status_code == 409  # not hidden any more


async def test_json_twins_hide_restore_dismiss(client, make_client, conn):
    s = await scene(conn)
    await login(client, "pim@x.example")
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['reply']}/flags", {"reason": "นอกเรื่อง"}
    )
    assert r.status_code == 201 and r.json()["created"] is True
    # a citizen cannot hide
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['reply']}/hide", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 403
    mod = await make_client()
    await login(mod, "mod@x.example")
    r = await send_json(
        mod, "POST", f"/api/v1/consultations/comments/{s['reply']}/hide", {"reason": "นอกประเด็น"}
    )
    assert r.status_code == 200 and r.json() == {
        "comment_id": s["reply"],
        "status": "hidden",
        "resolved_flags": 1,
    }
    r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{s['reply']}/hide", {"reason": "อีกครั้ง"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_hidden"
    r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{s['reply']}/restore")
    assert r.status_code == 200 and r.json()["status"] == "visible"
    assert (
        await conn.fetchrow("SELECT status, hidden_reason FROM consultation_comments WHERE id=$1", s["reply"])
    )["status"] == "visible"
    # staff of the running agency may hide and restore on their own consultation
    staff = await make_client()
    await login(staff, "staff@mdes.example")
    r = await send_json(
        staff, "POST", f"/api/v1/consultations/comments/{s['cm']}/hide", {"reason": "ข้อความไม่สุภาพ"}
    )
    assert r.status_code == 200
    r = await post_form(staff, f"/consultations/{s['cid']}/comments/{s['cm']}/restore")
    assert r.status_code == 303
    # dismissing closes the reports and leaves the comment as it is
    await send_json(client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {"reason": "ไม่ชอบ"})
    r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{s['cm']}/dismiss")
    assert r.status_code == 200 and r.json()["resolved_flags"] == 1
    assert await open_flags(conn) == 0
    assert await conn.fetchval("SELECT status FROM consultation_comments WHERE id=$1", s["cm"]) == "visible"
    r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{s['cm']}/dismiss")
    assert r.status_code == 409
    assert len(await audits(conn, "consultation.comment.dismiss_flags")) == 1


async def test_block_author_kills_their_sessions(client, make_client, conn):
    s = await scene(conn)
    await store.flag_comment(conn, s["cm"], await _uid(conn, "pim@x.example"), "สแปม")
    await login(client, "author@x.example")
    assert (await client.get("/account")).status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", s["author"]) == 1
    mod = await make_client()
    await login(mod, "mod@x.example")
    page = await mod.get("/consultations/moderation")
    assert f"/consultations/moderation/comments/{s['cm']}/block" in page.text
    # Blocking is irreversible from here, so the form first asks to confirm, and blocks nobody.
    r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/block")
    assert r.status_code == 200 and 'name="confirmed"' in r.text
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", s["author"]) == "active"
    r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/block", {"confirmed": "yes"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", s["author"]) == "blocked"
    assert await conn.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", s["author"]) == 0
    r = await client.get("/account")
    assert r.status_code in (401, 303) and "ผู้เขียนความเห็น" not in r.text
    r = await send_json(
        client,
        "POST",
        f"/api/v1/consultations/{s['cid']}/comments",
        {"section_id": s["sec"].id, "body": "ยังโพสต์ได้ไหม"},
    )
    assert r.status_code == 401
    [block] = await audits(conn, "user.block")
    assert block["subject_id"] == s["author"] and block["detail"]["comment_id"] == s["cm"]


async def test_a_moderator_cannot_block_an_admin_or_themselves(make_client, conn):
    s = await setup(conn)
    admin = await make_user(conn, "root@x.example", role="admin")
    mod_id = await make_user(conn, "mod@x.example", role="moderator")
    sec = (await store.list_sections(conn, s["cid"]))[0]
    by_admin = await store.add_comment(conn, s["cid"], admin, section_id=sec.id, body="ความเห็นของผู้ดูแลระบบ")
    by_mod = await store.add_comment(conn, s["cid"], mod_id, section_id=sec.id, body="ความเห็นของผู้ดูแลเนื้อหา")
    mod = await make_client()
    await login(mod, "mod@x.example")
    for cm in (by_admin, by_mod):
        r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{cm}/block-author")
        assert r.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM users WHERE status = 'blocked'") == 0


async def test_bad_reasons_are_400_and_store_nothing(client, make_client, conn):
    s = await scene(conn)
    await login(client, "pim@x.example")
    mod = await make_client()
    await login(mod, "mod@x.example")
    bad = ["", "   ", "ก" * 10_000, "สแปม\x00ซ่อน"]
    for reason in bad:
        r = await post_form(client, f"/consultations/{s['cid']}/comments/{s['cm']}/flags", {"reason": reason})
        assert r.status_code == 400, (reason[:10], r.status_code)
        assert f"flag-reason-{s['cm']}-error" in r.text  # the page again, the error by the field
        if reason.strip() and "\x00" not in reason:
            assert reason[:200] in r.text  # what they typed is kept
        r = await send_json(
            client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {"reason": reason}
        )
        assert r.status_code == 400 and r.json()["error"]["field"] == "reason", r.text[:200]
        assert r.json()["error"]["message"]
        r = await post_form(mod, f"/consultations/moderation/comments/{s['cm']}/hide", {"reason": reason})
        assert r.status_code == 400
        r = await send_json(mod, "POST", f"/api/v1/consultations/comments/{s['cm']}/hide", {"reason": reason})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
        r = await post_form(mod, f"/consultations/{s['cid']}/comments/{s['cm']}/hide", {"reason": reason})
        assert r.status_code == 400
    r = await send_json(client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {})
    assert r.status_code == 400
    empty = await post_form(client, f"/consultations/{s['cid']}/comments/{s['cm']}/flags", {"reason": ""})
    assert "จำเป็น" in text_of(empty.text) or "กรุณา" in text_of(empty.text)
    long = await send_json(
        mod, "POST", f"/api/v1/consultations/comments/{s['cm']}/hide", {"reason": "ก" * 10_000}
    )
    assert "1000" in long.json()["error"]["message"]
    assert await conn.fetchval("SELECT count(*) FROM consultation_comment_flags") == 0
    assert await conn.fetchval("SELECT count(*) FROM consultation_comments WHERE status = 'hidden'") == 0
    assert (
        await conn.fetchval("SELECT count(*) FROM audit_log WHERE action LIKE 'consultation.comment.%'") == 0
    )


async def test_comment_of_another_consultation_is_404(client, conn):
    s = await scene(conn)
    await login(client, "pim@x.example")
    r = await post_form(
        client, f"/consultations/{s['cid'] + 1}/comments/{s['cm']}/flags", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 404
    # a comment on a draft is invisible to the public, so it cannot be reported either
    await conn.execute("UPDATE consultations SET status = 'draft' WHERE id = $1", s["cid"])
    r = await send_json(
        client, "POST", f"/api/v1/consultations/comments/{s['cm']}/flags", {"reason": "ทดสอบ"}
    )
    assert r.status_code == 404
    assert await open_flags(conn) == 0


async def _uid(conn, email):
    return await conn.fetchval("SELECT id FROM users WHERE email = $1", email)


async def test_ideas_moderation_page_links_to_the_comment_queue(client, conn):
    await make_user(conn, "mod@x.example", role="moderator")
    await login(client, "mod@x.example")
    page = await client.get("/moderation")
    assert page.status_code == 200
    assert 'href="/consultations/moderation"' in page.text
    assert "ความคิดเห็นรายมาตราที่ถูกรายงาน" in text_of(page.text)
