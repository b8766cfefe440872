"""Board lists read one page from an index and take their totals from counts the database keeps
(migration 0060): those counts must always equal a count of the visible ideas."""

from __future__ import annotations

import asyncio
import re

import lxml.html

from civic import db
from civic.ideas import store
from tests.helpers import make_agency, make_board, rows_read
from tests.integration.test_ideas import _idea, _world

VISIBLE = (
    "SELECT count(*) FROM ideas WHERE board_id = $1 AND hidden_at IS NULL AND status <> 'pending_moderation'"
)


async def _counts(conn, board_id: int) -> tuple[int, int, int]:
    kept = await conn.fetchval("SELECT visible_ideas FROM idea_boards WHERE id = $1", board_id)
    listed = (await store.list_ideas(conn, board_id=board_id)).total
    return kept, listed, await conn.fetchval(VISIBLE, board_id)


async def test_kept_counts_follow_every_change_of_visibility(conn):
    world = await _world(conn)
    board = world["board"]
    ids = [await _idea(conn, world, f"ไอเดีย {n}") for n in range(4)]
    assert await _counts(conn, board) == (4, 4, 4)
    await conn.execute("UPDATE ideas SET hidden_at = now() WHERE id = $1", ids[0])
    await conn.execute("UPDATE ideas SET status = 'pending_moderation' WHERE id = $1", ids[1])
    assert await _counts(conn, board) == (2, 2, 2)
    await conn.execute("UPDATE ideas SET hidden_at = NULL WHERE id = $1", ids[0])
    assert await _counts(conn, board) == (3, 3, 3)
    # Supports change no counted column and leave the count alone.
    await store.support_idea(conn, ids[2], world["users"]["citizen2@example.com"])
    assert await _counts(conn, board) == (3, 3, 3)
    await conn.execute("DELETE FROM idea_status_history WHERE idea_id = ANY($1)", ids)
    await conn.execute("DELETE FROM search_outbox WHERE entity_id = ANY($1)", ids)
    await conn.execute("DELETE FROM idea_supports WHERE idea_id = ANY($1)", ids)
    await conn.execute("DELETE FROM ideas WHERE id = ANY($1)", ids[:3])
    assert await _counts(conn, board) == (1, 1, 1)
    assert (await store.list_ideas(conn)).total == 1
    assert (await store.get_board(conn, "hatyai-waste")).idea_count == 1


KEPT_BY_FILTER = "SELECT board_id, status, category, province, ideas FROM idea_list_counts WHERE ideas <> 0"
COUNTED_BY_FILTER = (
    "SELECT board_id, status, category, COALESCE(province, ''), count(*) FROM ideas"
    " WHERE hidden_at IS NULL AND status <> 'pending_moderation' GROUP BY 1, 2, 3, 4"
)


async def test_the_counts_by_filter_follow_every_insert_change_and_delete(conn):
    """migration 0199: the kept counts equal a count of the visible ideas after each kind of write,
    and each filtered total is the number of ideas the list shows."""
    world = await _world(conn)

    async def assert_counts_hold():
        assert sorted(map(tuple, await conn.fetch(KEPT_BY_FILTER))) == sorted(
            map(tuple, await conn.fetch(COUNTED_BY_FILTER))
        )
        for where in ({"province": "SKA"}, {"province": "BKK"}, {"category": "ตลาด"}, {"status": "published"},
                      {"status": "accepted", "board_id": world["board"]}, {"agency": "ska-province"},
                      {"agency": "hdy-city", "province": "SKA", "category": "ขยะ"}):  # fmt: skip
            page = await store.list_ideas(conn, per_page=500, **where)
            assert page.total == len(page.items), where

    ids = [await _idea(conn, world, f"ไอเดีย {n}") for n in range(6)]
    await assert_counts_hold()
    await conn.execute("UPDATE ideas SET province = 'BKK', category = 'ตลาด' WHERE id = ANY($1)", ids[:2])
    await conn.execute("UPDATE ideas SET province = NULL WHERE id = $1", ids[2])
    await conn.execute("UPDATE ideas SET status = 'accepted' WHERE id = $1", ids[3])
    await conn.execute("UPDATE ideas SET hidden_at = now() WHERE id = $1", ids[4])
    await conn.execute("UPDATE ideas SET status = 'pending_moderation' WHERE id = $1", ids[5])
    await assert_counts_hold()
    await conn.execute("UPDATE ideas SET hidden_at = now() + interval '1 day' WHERE id = $1", ids[4])  # still hidden
    await conn.execute("UPDATE ideas SET hidden_at = NULL, province = 'CMI' WHERE id = $1", ids[4])
    await conn.execute("UPDATE ideas SET status = 'published' WHERE id = $1", ids[5])
    await store.support_idea(conn, ids[0], world["users"]["citizen2@example.com"])
    await assert_counts_hold()
    # Many at once, in one statement each way.
    await conn.execute(
        "INSERT INTO ideas (board_id, author_id, title, body, category, province, status)"
        " SELECT board_id, author_id, title || n, body, category, province, status"
        " FROM ideas, generate_series(1, 3) n WHERE id = ANY($1)",
        ids,
    )
    await assert_counts_hold()
    await conn.execute("DELETE FROM idea_status_history")
    await conn.execute("DELETE FROM search_outbox")
    await conn.execute("DELETE FROM idea_supports")
    await conn.execute("DELETE FROM ideas WHERE id <> ALL($1)", ids[:3])
    await assert_counts_hold()


async def test_a_filtered_total_reads_no_idea_and_a_rare_filter_only_its_own_ideas(conn):
    # A filtered total counted every visible idea. A small province's list walked the sort's index
    # past every other province's ideas, and a rare status's or category's, with no index of their
    # own, past every other idea (migration 0200).
    world = await _world(conn)
    await _many(conn, world, 3000)
    lone = await _idea(conn, world, "ไอเดียจากลำปาง")
    await conn.execute(
        "UPDATE ideas SET province = 'LPN', status = 'declined', status_reason = 'อยู่นอกอำนาจหน้าที่',"
        " category = 'ห้องสมุด' WHERE id = $1",
        lone,
    )
    await conn.execute("ANALYZE ideas")
    # (status, category, province, agency), one rare filter at a time
    for filters in (("declined", None, None, None), (None, "ห้องสมุด", None, None), (None, None, "LPN", None)):
        status, category, province, _ = filters
        for by_board in (False, True):
            board = [world["board"]] if by_board else []
            [[plan]] = await conn.fetchrow(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + store.COUNT_IDEAS[by_board], *filters, *board
            )
            assert rows_read(plan["Plan"], "ideas") == 0
            for sort in store.SORTS:
                sql = store.filtered_list_query(sort, by_board, False, False)
                [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *filters, *board, 20, 0)
                assert rows_read(plan["Plan"], "ideas") <= 2, (filters, sort, by_board)
                if category is None:  # the statement a status's or province's list is read with
                    sql = store.written_list_query(sort, by_board, 20, 0, status=status, province=province)
                    [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *board)
                    assert rows_read(plan["Plan"], "ideas") <= 2, (filters, sort, by_board)
        page = await store.list_ideas(conn, status=status, category=category, province=province)
        assert (page.total, [i.id for i in page.items]) == (1, [lone]), filters


async def test_every_sort_reads_the_same_page_with_or_without_a_filter(conn):
    world = await _world(conn)
    ids = [await _idea(conn, world, f"ไอเดีย {n}") for n in range(5)]
    await store.support_idea(conn, ids[1], world["users"]["citizen2@example.com"])
    for sort in store.SORTS:
        everything = await store.list_ideas(conn, sort=sort, per_page=2, page=2)
        on_board = await store.list_ideas(conn, sort=sort, per_page=2, page=2, board_id=world["board"])
        filtered = await store.list_ideas(conn, sort=sort, per_page=2, page=2, province="SKA")
        assert (
            [i.id for i in everything.items]
            == [i.id for i in on_board.items]
            == [i.id for i in filtered.items]
        )
        assert everything.total == on_board.total == filtered.total == 5
    top = await store.list_ideas(conn, sort="top")
    assert top.items[0].id == ids[1]
    assert [i.id for i in (await store.list_ideas(conn, sort="new")).items] == ids[::-1]


async def test_a_page_reads_the_answers_of_its_own_ideas_only(conn):
    # As EXISTS in the select list, PostgreSQL hashed every answer for each page: a cost that grew
    # with the answers given, however few ideas the page shows.
    world = await _world(conn)
    first = await _idea(conn, world, "ไอเดีย")
    await conn.execute(
        "INSERT INTO ideas (board_id, author_id, title, body, category, status)"
        " SELECT board_id, author_id, title || n, body, category, status FROM ideas, generate_series(1, 1000) n"
        " WHERE id = $1",
        first,
    )
    await conn.execute(
        "INSERT INTO idea_answers (idea_id, org_id, author_id, body)"
        " SELECT i.id, b.agency_id, i.author_id, 'ตอบแล้ว' FROM ideas i JOIN idea_boards b ON b.id = i.board_id"
    )
    await conn.execute("ANALYZE idea_answers")
    for by_board in (False, True):
        sql = store.written_list_query("new", by_board, 5, 0)
        args = [world["board"]] if by_board else []
        [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args)
        assert rows_read(plan["Plan"], "idea_answers") <= 5
    page = await store.list_ideas(conn, sort="new", per_page=5)
    assert [i.answered for i in page.items] == [True] * 5 and not any(i.overdue for i in page.items)


async def test_deep_pages_keep_no_statement_each(conn):
    world = await _world(conn)
    for n in range(12):
        await _idea(conn, world, f"ไอเดีย {n}")
    listed = (
        "SELECT count(*) FROM pg_prepared_statements"
        " WHERE statement LIKE '%ORDER BY i.created_at DESC%' AND statement NOT LIKE '%pg_prepared_statements%'"
    )
    for page in range(1, 13):
        result = await store.list_ideas(conn, sort="new", per_page=1, page=page)
        assert result.page == page and len(result.items) == 1
    # Pages 7-12 are read from the list's other end: three kept there too.
    assert await conn.fetchval(listed) == 2 * db.KEPT_PAGES


async def _many(conn, world, n: int) -> None:
    """`n` more ideas cloned from one, with supports, comments and creation times that tie."""
    first = await _idea(conn, world, "ไอเดีย")
    await conn.execute(
        "INSERT INTO ideas (board_id, author_id, title, body, category, province, status,"
        " support_count, comment_count, created_at)"
        " SELECT board_id, author_id, title || n, body, category, province, status,"
        " n % 4, n % 3, created_at - (n % 5) * interval '1 hour' FROM ideas, generate_series(1, $2) n"
        " WHERE id = $1",
        first,
        n - 1,
    )


async def _walk(conn, step: int, start: int, **where) -> list[int]:
    """The ids met by following each page's own link `step` pages on, from page `start`."""
    page = await store.list_ideas(conn, per_page=5, page=start, **where)
    seen = [page.items]
    while 1 <= page.page + step <= page.pages:
        target = page.page + step
        at = page.at(target)
        assert (at is not None) == (3 < target <= page.pages - 3), (target, at)
        page = await store.list_ideas(conn, per_page=5, page=target, at=at, **where)
        assert page.page == target
        seen.append(page.items)
    return [i.id for items in (seen if step > 0 else seen[::-1]) for i in items]


async def test_following_the_links_reads_every_idea_once_in_every_order(conn):
    # 53 ideas are 11 pages of 5: pages 1-3 and 9-11 are read by number, 4-8 from an anchor.
    world = await _world(conn)
    await _many(conn, world, 53)
    for sort in store.SORTS:
        # a status or a province is written into the statement, a category is its parameter
        for where in ({}, {"board_id": world["board"]}, {"province": "SKA"}, {"status": "published"}, {"category": "ตลาด"}):
            where = {"sort": sort, **where}
            expected = [i.id for i in (await store.list_ideas(conn, per_page=100, **where)).items]
            assert len(expected) == 53
            by_number = [
                i.id for n in range(1, 12) for i in (await store.list_ideas(conn, per_page=5, page=n, **where)).items
            ]
            assert by_number == expected, where
            assert await _walk(conn, 1, 1, **where) == expected, where
            assert await _walk(conn, -1, 11, **where) == expected, where
            # Two pages on, then two back: pages 1, 3, ..., 11 and 11, 9, ..., 1.
            odd = [i for n, i in enumerate(expected) if (n // 5) % 2 == 0]
            assert await _walk(conn, 2, 1, **where) == odd, where
            assert await _walk(conn, -2, 11, **where) == odd, where


async def test_a_deep_page_reads_no_more_of_the_index_than_its_links_skip(conn):
    # By page number alone, page 100 of 200 read and dropped the 1,980 ideas before it.
    world = await _world(conn)
    await _many(conn, world, 4000)
    await conn.execute("ANALYZE ideas")
    middle = await store.list_ideas(conn, sort="top", per_page=20, page=99)
    assert middle.pages == 200
    for target in (97, 98, 100, 101):
        token = middle.at(target)
        anchor = store.keyset.parse(token, int, 20)
        sql = store.written_list_query("top", False, 20, anchor.skip, not anchor.forward, True)
        [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, anchor.key, anchor.id)
        assert rows_read(plan["Plan"], "ideas") <= 2 * (20 + anchor.skip), target
        page = await store.list_ideas(conn, sort="top", per_page=20, page=target, at=token)
        by_number = await store.list_ideas(conn, sort="top", per_page=20, page=target)
        assert [i.id for i in page.items] == [i.id for i in by_number.items]
    # A token the list never wrote is ignored: the page is read by its number.
    odd = await store.list_ideas(conn, sort="top", per_page=20, page=100, at="a7_1_1")
    assert [i.id for i in odd.items] == [
        i.id for i in (await store.list_ideas(conn, sort="top", page=100)).items
    ]


async def test_the_board_pages_link_each_other_by_where_they_end(client, conn):
    """Following "next" on the page, or `next_at` in the API, shows every idea once; the links to
    pages near this one carry `at`, the first and last three pages are opened by number."""
    world = await _world(conn)
    await _many(conn, world, 205)  # 11 pages of 20
    expected = [i.id for i in (await store.list_ideas(conn, sort="new", per_page=300)).items]
    seen, url, links = [], "/ideas?sort=new", {}
    while url:
        doc = lxml.html.fromstring((await client.get(url)).text)
        seen += [int(li.get("id").removeprefix("idea-")) for li in doc.xpath("//ul[@class='item-list']/li")]
        nav = "//nav[@class='pagination']"
        current = doc.xpath(f"string({nav}//a[@aria-current='page'])").split()[-1]
        links[current] = {a.text_content().split()[-1]: a.get("href") for a in doc.xpath(f"{nav}//a")}
        url = doc.xpath(f"string({nav}//a[@rel='next']/@href)")
    assert seen == expected
    # On page 6: pages 4-5 anchored before its first idea, 7-8 after its last, 1 and 11 by number.
    on_6 = links["6"]
    assert on_6["1"] == "/ideas?sort=new&page=1" and on_6["11"] == "/ideas?sort=new&page=11"
    for n, token in (("4", "b20"), ("5", "b0"), ("7", "a0"), ("8", "a20")):
        assert re.fullmatch(rf"/ideas\?sort=new&page={n}&at={token}_\d+_\d+", on_6[n]), on_6[n]
    # On page 2, page 3 (and on page 10, page 9) is read by number.
    assert links["2"]["3"] == "/ideas?sort=new&page=3" and links["10"]["9"] == "/ideas?sort=new&page=9"
    seen, query = [], "sort=new&page=1"
    while query:
        body = (await client.get(f"/api/v1/ideas?{query}")).json()
        seen += [i["id"] for i in body["items"]]
        following = body["page"] + 1
        assert (body["next_at"] is not None) == (4 <= following <= 8), body["page"]
        query = following <= body["pages"] and f"sort=new&page={following}" + (
            f"&at={body['next_at']}" if body["next_at"] else ""
        )
    assert seen == expected


async def test_a_province_status_or_agency_list_is_planned_once_per_connection(conn):
    # Their filters as parameters, PostgreSQL planned these lists afresh on every view (0.56 ms of
    # a province's list at 100k ideas); written in, the connection prepares each statement once,
    # with no parameter left to plan for.
    world = await _world(conn)
    await _many(conn, world, 30)
    lists = (
        "SELECT statement, parameter_types::text AS params FROM pg_prepared_statements"
        " WHERE statement LIKE '%ORDER BY i.created_at DESC%' AND statement NOT LIKE '%pg_prepared_statements%'"
    )
    for where in ({"province": "SKA"}, {"status": "published"}, {"province": "SKA", "status": "published"},
                  {"agency": "hdy-city"}, {"agency": "hdy-city", "province": "SKA"}):  # fmt: skip
        before = await conn.fetch(lists)
        for _ in range(3):
            assert (await store.list_ideas(conn, sort="new", **where)).total == 30
        [new] = [r for r in await conn.fetch(lists) if r not in before]
        assert new["params"] == "{}", where
        assert all(f"'{value}'" in new["statement"] for value in where.values()), where
    # a category stays a parameter of the general statement
    before = await conn.fetch(lists)
    assert (await store.list_ideas(conn, sort="new", category="ตลาด")).total == 30
    [new] = [r for r in await conn.fetch(lists) if r not in before]
    assert "i.category = $2" in new["statement"] and "ตลาด" not in new["statement"]
    # a word that is no status or province, or no slug, is never written in
    for where in ({"province": "X'; DROP TABLE ideas; --"}, {"status": "nope"}, {"agency": "x'; DROP TABLE ideas; --"}):
        assert (await store.list_ideas(conn, sort="new", **where)).total == 0
        assert (await store.list_ideas(conn, sort="new", category="ตลาด", **where)).total == 0
    assert not any("DROP" in r["statement"] or "nope" in r["statement"] for r in await conn.fetch(lists))


async def test_an_unfiltered_page_near_the_start_brings_its_total_in_the_same_statement(conn):
    world = await _world(conn)
    ids = [await _idea(conn, world, f"ไอเดีย {n}") for n in range(5)]
    await store.list_ideas(conn)  # warm up: type introspection on first use
    seen = []
    conn.add_query_logger(seen.append)  # called soon after each query, so let the loop run

    async def read(per_page: int = 2, **kw) -> tuple[int, store.IdeaPage]:
        await asyncio.sleep(0.05)
        seen.clear()
        page = await store.list_ideas(conn, sort="new", per_page=per_page, **kw)
        await asyncio.sleep(0.05)
        return len(seen), page

    try:
        for board in ({}, {"board_id": world["board"]}):
            statements, first = await read(**board)
            assert statements == 1
            assert ([i.id for i in first.items], first.total, first.pages) == ([ids[4], ids[3]], 5, 3)
            statements, last = await read(page=3, **board)
            assert (statements, [i.id for i in last.items], last.page) == (1, [ids[0]], 3)
            # past the end (one page of five): nothing, then the total, then the last page
            statements, past = await read(per_page=5, page=2, **board)
            assert (statements, [i.id for i in past.items], past.page, past.pages) == (3, ids[::-1], 1, 1)
        # a filtered list counts first, as ever
        statements, filtered = await read(province="SKA")
        assert (statements, filtered.total) == (2, 5)
    finally:
        conn.remove_query_logger(seen.append)


async def test_the_agency_filter_offers_the_agencies_that_own_or_co_own_a_board(conn):
    world = await _world(conn)  # hdy-city's board, co-owned by ska-province; other-agency has none
    invited = await make_agency(conn, "invited-agency")
    await make_board(conn, "another-board", world["owner"], coowner_ids=(invited,))  # not accepted yet
    await conn.execute("UPDATE organisations SET name_en = 'Hat Yai City' WHERE id = $1", world["owner"])
    categories, agencies = await store.filter_options(conn, "en")
    assert categories == ["ขยะ", "ตลาด"]
    assert dict(agencies) == {"hdy-city": "Hat Yai City", "ska-province": "หน่วยงาน ska-province"}
