"""Board lists read one page from an index and take their totals from counts the database keeps
(migration 0060): those counts must always equal a count of the visible ideas."""

from __future__ import annotations

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
