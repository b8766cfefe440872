"""The public clock, /ideas/overdue, on real PostgreSQL: every overdue answer counted, by agency,
paged the longest overdue first, from the partial index of the ideas awaiting an answer (migration
0202)."""

from __future__ import annotations

import json

from civic.ideas import store
from tests.helpers import make_agency, make_board, make_user, rows_read, text_of

# The ideas awaiting an answer, by board, as the index sees them and as the rows and the answers say.
INDEXED_AND_COUNTED = """
SELECT b.slug,
       (SELECT count(*) FROM ideas i WHERE i.board_id = b.id AND i.answered_at IS NULL AND i.hidden_at IS NULL
          AND i.answer_due_at IS NOT NULL) AS indexed,
       (SELECT count(*) FROM ideas i LEFT JOIN idea_answers a ON a.idea_id = i.id
        WHERE i.board_id = b.id AND a.idea_id IS NULL AND i.hidden_at IS NULL AND i.answer_due_at IS NOT NULL) AS counted
FROM idea_boards b ORDER BY b.slug
"""


async def _awaiting(conn) -> dict[str, int]:
    """Each board's ideas awaiting an answer, by ideas.answered_at (the trigger's), checked against
    the answers themselves."""
    rows = await conn.fetch(INDEXED_AND_COUNTED)
    assert [(r["slug"], r["indexed"]) for r in rows] == [(r["slug"], r["counted"]) for r in rows]
    return {r["slug"]: r["indexed"] for r in rows}


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


async def test_an_idea_awaits_an_answer_until_it_is_answered_or_hidden(conn):
    w = await _world(conn)
    late = await _ideas(conn, w["a"], w["author"], 2, "2 days")
    await _ideas(conn, w["a"], w["author"], 1, "-5 days")  # its clock still runs
    await _ideas(conn, w["a"], w["author"], 1, None)  # below its threshold: no clock

    async def overdue() -> list[tuple[str, int]]:
        return [(a.agency_slug, a.ideas) for a in await store.overdue_by_agency(conn)]

    assert await _awaiting(conn) == {"hdy-board": 3, "kkn-board": 0} and await overdue() == [("hdy-city", 2)]
    # An answer stops the clock; a second answer replaces the first and changes nothing more.
    for body in ("รับเรื่องแล้ว", "แก้ไขคำตอบ"):
        await store.answer_idea(conn, late[0], org_id=w["hdy"], author_id=w["staff"], body=body)
        assert await _awaiting(conn) == {"hdy-board": 2, "kkn-board": 0} and await overdue() == [("hdy-city", 1)]
    # Hidden, it awaits nothing; shown again, it does.
    for hidden, expected in ((True, []), (False, [("hdy-city", 1)])):
        await store.set_hidden(conn, "idea", late[1], hidden=hidden, reason="ทดสอบ", actor_id=w["staff"])
        assert await overdue() == expected
    # Many clocks started by one statement (a board's threshold lowered), and many answers at once.
    many = await _ideas(conn, w["b"], w["author"], 30, None)
    await conn.execute(
        "UPDATE ideas SET answer_due_at = now() - interval '1 day' WHERE id = ANY($1)", many
    )
    assert await overdue() == [("kkn-pao", 30), ("hdy-city", 1)]
    await conn.execute(
        "INSERT INTO idea_answers (idea_id, org_id, author_id, body) SELECT unnest($1::bigint[]), $2, $3, 'ตอบ'",
        many[:10], w["hdy"], w["staff"],
    )  # fmt: skip
    assert await _awaiting(conn) == {"hdy-board": 2, "kkn-board": 20}


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


async def test_the_counts_read_only_the_overdue_ideas_from_their_index(conn):
    w = await _world(conn)
    await conn.execute(
        """INSERT INTO ideas (board_id, author_id, title, body, category, status, answer_due_at, answered_at)
           SELECT $1, $2, 'ไอเดีย ' || g, 'รายละเอียด', '', 'published',
                  CASE WHEN g % 5 <> 0 THEN now() - g * interval '1 hour' END,
                  CASE WHEN g % 5 > 1 THEN now() END
           FROM generate_series(1, 5000) g""",
        w["a"],
        w["author"],
    )  # 1,000 overdue, 3,000 answered (as most ideas are, in time), 1,000 with no clock
    await _ideas(conn, w["a"], w["author"], 2, "-1 day")
    await conn.execute("VACUUM ANALYZE ideas")
    plan = (await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + store.OVERDUE_BY_AGENCY))[0]["Plan"]
    assert rows_read(plan, "ideas") == 1000  # not the 5,002 ideas, nor the answers
    assert [(a.agency_slug, a.ideas) for a in await store.overdue_by_agency(conn)] == [("hdy-city", 1000)]
    # A page of the longest overdue reads its own rows.
    plan = (await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + store.OVERDUE_PAGE[False], 50, 0))[0]["Plan"]
    assert rows_read(plan, "ideas") == 50
