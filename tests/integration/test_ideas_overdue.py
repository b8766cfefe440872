"""The public clock, /ideas/overdue, on real PostgreSQL: every overdue answer counted, by agency,
paged the longest overdue first, and counted from what the boards keep (migration 0202)."""

from __future__ import annotations

import json

from civic.ideas import store
from tests.helpers import make_agency, make_board, make_user, rows_read, text_of

KEPT_AND_COUNTED = """
SELECT b.slug, b.awaiting_answer AS kept,
       (SELECT count(*) FROM ideas i LEFT JOIN idea_answers a ON a.idea_id = i.id
        WHERE i.board_id = b.id AND a.idea_id IS NULL AND i.hidden_at IS NULL AND i.answer_due_at IS NOT NULL) AS counted
FROM idea_boards b ORDER BY b.slug
"""


async def _awaiting(conn) -> dict[str, int]:
    """Each board's kept count of ideas awaiting an answer, checked against a count of the rows."""
    rows = await conn.fetch(KEPT_AND_COUNTED)
    assert [(r["slug"], r["kept"]) for r in rows] == [(r["slug"], r["counted"]) for r in rows]
    return {r["slug"]: r["kept"] for r in rows}


async def _ideas(conn, board_id: int, author: int, n: int, due: str | None, title: str = "ไอเดีย") -> list[int]:
    """n ideas on the board; their answer clock ran out `due` ago ("-…" for one still running)."""
    ids = [
        await store.create_idea(
            conn, board_id=board_id, author_id=author, title=f"{title} {k}", body="รายละเอียด",
            category="", province=None, links=[],
        )  # fmt: skip
        for k in range(n)
    ]
    if due:
        await conn.execute(
            "UPDATE ideas SET threshold_reached_at = now(), answer_due_at = now() - $2::text::interval - id * interval '1 second' "
            "WHERE id = ANY($1)",
            ids,
            due,
        )
    return ids


async def _world(conn) -> dict:
    hdy = await make_agency(conn, "hdy-city", name_th="เทศบาลนครหาดใหญ่")
    kkn = await make_agency(conn, "kkn-pao", name_th="อบจ.ขอนแก่น")
    staff = await make_user(conn, "staff@hdy.example")
    return {
        "hdy": hdy,
        "staff": staff,
        "author": await make_user(conn, "citizen@example.com"),
        "a": await make_board(conn, "hdy-board", hdy),
        "b": await make_board(conn, "kkn-board", kkn),
    }


async def test_a_board_keeps_count_of_its_ideas_awaiting_an_answer_through_every_change(conn):
    w = await _world(conn)
    late = await _ideas(conn, w["a"], w["author"], 2, "2 days")
    running = await _ideas(conn, w["a"], w["author"], 1, "-5 days")
    await _ideas(conn, w["a"], w["author"], 1, None)  # below its threshold: no clock
    assert await _awaiting(conn) == {"hdy-board": 3, "kkn-board": 0}
    # An answer stops the clock; a second answer replaces the first and changes nothing more.
    for body in ("รับเรื่องแล้ว", "แก้ไขคำตอบ"):
        await store.answer_idea(conn, late[0], org_id=w["hdy"], author_id=w["staff"], body=body)
        assert await _awaiting(conn) == {"hdy-board": 2, "kkn-board": 0}
    assert await conn.fetchval("SELECT answered_at IS NOT NULL FROM ideas WHERE id = $1", late[0])
    # Hidden, it awaits nothing; shown again, it does.
    for hidden, expected in ((True, 1), (False, 2)):
        await store.set_hidden(conn, "idea", late[1], hidden=hidden, reason="ทดสอบ", actor_id=w["staff"])
        assert (await _awaiting(conn))["hdy-board"] == expected
    # A clock moved (a threshold lowered) is still one idea awaiting; a board moved takes it along.
    await conn.execute("UPDATE ideas SET answer_due_at = now() WHERE id = $1", running[0])
    await conn.execute("UPDATE ideas SET board_id = $2 WHERE id = $1", late[1], w["b"])
    assert await _awaiting(conn) == {"hdy-board": 1, "kkn-board": 1}
    # Supports write answer_due_at on every support: unchanged, the count is too.
    await conn.execute("UPDATE ideas SET support_count = support_count + 1, answer_due_at = answer_due_at")
    # Many rows inserted or deleted in one statement.
    await conn.execute(
        """INSERT INTO ideas (board_id, author_id, title, body, category, status, answer_due_at)
           SELECT $1, $2, 'สำเนา ' || g, 'รายละเอียด', '', 'published', now() - interval '1 day'
           FROM generate_series(1, 3) g""",
        w["b"],
        w["author"],
    )
    assert await _awaiting(conn) == {"hdy-board": 1, "kkn-board": 4}
    await conn.execute("DELETE FROM ideas WHERE board_id = $1", w["b"])
    assert await _awaiting(conn) == {"hdy-board": 1, "kkn-board": 0}


async def test_the_overdue_page_counts_every_overdue_answer_and_pages_them_longest_first(client, conn):
    w = await _world(conn)
    hdy_late = await _ideas(conn, w["a"], w["author"], 55, "3 days", "ถนนชำรุด")
    kkn_late = await _ideas(conn, w["b"], w["author"], 2, "10 days", "ไฟดับ")
    await _ideas(conn, w["a"], w["author"], 1, "-2 days", "ยังไม่ถึงกำหนด")
    await store.answer_idea(conn, hdy_late[0], org_id=w["hdy"], author_id=w["staff"], body="ตอบแล้ว")

    listing = json.loads((await client.get("/api/v1/ideas/overdue")).text)
    assert listing["total"] == 56 and (listing["page"], listing["pages"], listing["per_page"]) == (1, 2, 50)
    assert [(a["agency_slug"], a["ideas"]) for a in listing["agencies"]] == [("hdy-city", 54), ("kkn-pao", 2)]
    dues = [i["answer_due_at"] for i in listing["items"]]
    assert len(dues) == 50 and dues == sorted(dues)
    assert [i["idea_id"] for i in listing["items"][:2]] == sorted(kkn_late, reverse=True)  # 10 days late
    page2 = json.loads((await client.get("/api/v1/ideas/overdue", params={"page": "๒"})).text)
    assert page2["page"] == 2 and len(page2["items"]) == 6
    assert {i["idea_id"] for i in listing["items"] + page2["items"]} == set(hdy_late[1:] + kkn_late)

    kkn = json.loads((await client.get("/api/v1/ideas/overdue", params={"agency": "kkn-pao"})).text)
    assert kkn["total"] == 2 and {i["idea_id"] for i in kkn["items"]} == set(kkn_late)
    nobody = json.loads((await client.get("/api/v1/ideas/overdue", params={"agency": "no-such-agency"})).text)
    assert (nobody["total"], nobody["items"], len(nobody["agencies"])) == (0, [], 2)

    page = text_of((await client.get("/ideas/overdue")).text)
    assert "เทศบาลนครหาดใหญ่ 54" in page and "อบจ.ขอนแก่น 2" in page
    assert "คำตอบที่เลยกำหนด 56 รายการ" in page and "หน้า 1 จาก 2" in page
    assert "ยังไม่ถึงกำหนด" not in page and "ถนนชำรุด 0" not in page  # still running; answered
    narrowed = text_of((await client.get("/ideas/overdue", params={"agency": "kkn-pao"})).text)
    assert "เฉพาะคำตอบที่เลยกำหนดของอบจ.ขอนแก่น" in narrowed and "คำตอบที่เลยกำหนด 2 รายการ" in narrowed
    assert "ถนนชำรุด" not in narrowed


async def test_the_counts_read_only_the_ideas_whose_clock_still_runs(conn):
    w = await _world(conn)
    await conn.execute(
        """INSERT INTO ideas (board_id, author_id, title, body, category, status, answer_due_at)
           SELECT $1, $2, 'ไอเดีย ' || g, 'รายละเอียด', '', 'published', now() - g * interval '1 hour'
           FROM generate_series(1, 3000) g""",
        w["a"],
        w["author"],
    )
    await _ideas(conn, w["a"], w["author"], 2, "-1 day")
    await conn.execute("ANALYZE ideas")
    plan = (await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + store.OVERDUE_BY_AGENCY))[0]["Plan"]
    assert rows_read(plan, "ideas") == 2  # not the 3,000 overdue
    assert [(a.agency_slug, a.ideas) for a in await store.overdue_by_agency(conn)] == [("hdy-city", 3000)]
    # A page of the longest overdue reads its own rows.
    plan = (await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + store.OVERDUE_PAGE[False], 50, 0))[0]["Plan"]
    assert rows_read(plan, "ideas") == 50
