"""Follows: SQL only. A follow is one row per person and target (the primary key keeps it
single however many requests race); an explicit unfollow leaves a row in `unfollows` that the
automatic follows respect."""

from __future__ import annotations

import asyncpg

from civic.follows.schemas import Followed

# By hand: the person means it, so an automatic follow becomes theirs (auto = false) and an
# earlier unfollow is forgotten. Returns whether anything changed (for the event).
FOLLOW = """
WITH forget AS (
    DELETE FROM unfollows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3
)
INSERT INTO follows AS f (user_id, target_kind, target_id, auto) VALUES ($1, $2, $3, false)
ON CONFLICT (user_id, target_kind, target_id) DO UPDATE SET auto = false WHERE f.auto
RETURNING 1
"""
# The tombstone is written even when no follow row exists yet: the automatic follow of an idea
# just supported may still be waiting in the consumer, and must not arrive after this.
UNFOLLOW = """
WITH gone AS (
    DELETE FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3 RETURNING 1
), remember AS (
    INSERT INTO unfollows (user_id, target_kind, target_id) VALUES ($1, $2, $3)
    ON CONFLICT (user_id, target_kind, target_id) DO UPDATE SET unfollowed_at = now()
)
SELECT count(*) FROM gone
"""
# Set-based, for a whole batch of events: never over an explicit unfollow, never twice, and
# never for an account deleted since the event.
AUTO_FOLLOW = """
INSERT INTO follows (user_id, target_kind, target_id, auto)
SELECT DISTINCT t.user_id, t.target_kind, t.target_id, true
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(user_id, target_kind, target_id)
JOIN users u ON u.id = t.user_id
WHERE NOT EXISTS (
    SELECT 1 FROM unfollows x
    WHERE x.user_id = t.user_id AND x.target_kind = t.target_kind AND x.target_id = t.target_id
)
ON CONFLICT (user_id, target_kind, target_id) DO NOTHING
"""
IS_FOLLOWING = (
    "SELECT EXISTS (SELECT 1 FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3)"
)
# At most LIST_MAX rows: the page is a person's own list, and a bound keeps it a page.
LIST = """
SELECT target_kind, target_id, auto, created_at FROM follows WHERE user_id = $1
ORDER BY created_at DESC, target_kind, target_id
LIMIT $2
"""
LIST_MAX = 1000


async def follow(conn: asyncpg.Connection, user_id: int, kind: str, target_id: str) -> bool:
    return await conn.fetchval(FOLLOW, user_id, kind, target_id) is not None


async def unfollow(conn: asyncpg.Connection, user_id: int, kind: str, target_id: str) -> bool:
    return await conn.fetchval(UNFOLLOW, user_id, kind, target_id) > 0


async def auto_follow(conn: asyncpg.Connection, rows: list[tuple[int, str, str]]) -> None:
    """rows: (user_id, target_kind, target_id)."""
    if rows:
        users, kinds, ids = zip(*rows, strict=True)
        await conn.execute(AUTO_FOLLOW, list(users), list(kinds), list(ids))


async def is_following(conn: asyncpg.Connection, user_id: int, kind: str, target_id: str) -> bool:
    return await conn.fetchval(IS_FOLLOWING, user_id, kind, target_id)


async def list_follows(conn: asyncpg.Connection, user_id: int) -> list[Followed]:
    rows = await conn.fetch(LIST, user_id, LIST_MAX)
    return [Followed(**dict(r), title=None, url=None) for r in rows]
