"""Board lists read one page from an index and take their totals from counts the database keeps
(migration 0060): those counts must always equal a count of the visible ideas."""

from __future__ import annotations

from civic import db
from civic.ideas import store
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


def _rows_read(plan: dict, relation: str) -> int:
    """Rows the executed plan read from `relation`, over every node and loop."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == relation else 0
    return own + sum(_rows_read(child, relation) for child in plan.get("Plans", ()))


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
        sql = store.unfiltered_list_query("new", by_board, 5, 0)
        args = [world["board"]] if by_board else []
        [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args)
        assert _rows_read(plan["Plan"], "idea_answers") <= 5
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
    assert await conn.fetchval(listed) == db.KEPT_PAGES
