"""Staff lists read their page from an index, not the whole table (migration 0204): the ideas
waiting for a moderator, and the administrator's list of people."""

from __future__ import annotations

from civic.admin import store as admin
from civic.ideas import store as ideas
from tests.helpers import make_agency, make_board, make_user, rows_read


async def _plan(conn, sql: str, *args) -> dict:
    return (await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args))[0]["Plan"]


async def test_the_moderation_inbox_reads_only_the_ideas_pending(conn):
    board = await make_board(conn, "board", await make_agency(conn, "agency"))
    author = await make_user(conn, "citizen@example.com")
    await conn.execute(
        """INSERT INTO ideas (board_id, author_id, title, body, category, status)
           SELECT $1, $2, 'ไอเดีย ' || g, 'รายละเอียด', '', CASE WHEN g % 1000 = 0 THEN 'pending_moderation'
                                                             ELSE 'published' END
           FROM generate_series(1, 3000) g""",
        board,
        author,
    )
    await conn.execute("ANALYZE ideas")
    assert len(await ideas.pending_ideas(conn)) == 3
    assert rows_read(await _plan(conn, ideas.PENDING_IDEAS), "ideas") == 3


async def test_the_list_of_people_reads_its_page_staff_first(conn):
    await conn.execute(
        """INSERT INTO users (email, display_name, password_hash, role)
           SELECT 'person' || g || '@example.com', 'คน ' || g, 'x', CASE WHEN g = 7 THEN 'moderator' ELSE 'citizen' END
           FROM generate_series(1, 3000) g"""
    )
    await conn.execute("ANALYZE users")
    rows = await admin.find_users(conn, "", 20)
    assert rows[0].email == "person7@example.com" and [r.email for r in rows[1:3]] == [
        "person3000@example.com",
        "person2999@example.com",
    ]
    assert rows_read(await _plan(conn, admin.FIND_USERS, "", 20), "users") == 20
