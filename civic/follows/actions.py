"""Following and unfollowing, by hand. Automatic follows come from events (civic/follows/consumer.py).

Both verbs are idempotent: following twice leaves one row and records one event; unfollowing
what is not followed changes nothing but still remembers the choice (see store.UNFOLLOW).
"""

from __future__ import annotations

import asyncpg

from civic import events
from civic.accounts.schemas import CurrentUser
from civic.events import FollowChanged
from civic.follows import queries, rules, store
from civic.follows.rules import N_
from civic.follows.schemas import FollowIn, FollowState
from civic.validation import Forbidden, raise_if

CANNOT_FOLLOW = N_("Your account cannot follow things.")
HIDDEN = N_("This has been hidden by a moderator and cannot be followed.")


async def _record(
    conn: asyncpg.Connection, kind: str, actor: CurrentUser, target_kind: str, target_id: str
) -> None:
    await events.record(
        conn, kind, FollowChanged(target_kind, target_id), subject=("user", actor.id), actor_id=actor.id
    )


async def follow(conn: asyncpg.Connection, actor: CurrentUser, data: FollowIn) -> FollowState:
    """NotFound for what does not exist or this person may not see; Forbidden for hidden content."""
    if not rules.can_follow(actor):
        raise Forbidden(CANNOT_FOLLOW)
    target_id, errors = rules.parse_target(data.target_kind, data.target_id)
    raise_if(errors)
    found = await queries.target(conn, actor, data.target_kind, target_id, actor.lang)
    if not rules.is_followable(found.hidden):
        raise Forbidden(HIDDEN)
    async with conn.transaction():
        if await store.follow(conn, actor.id, data.target_kind, target_id):
            await _record(conn, "follow.started", actor, data.target_kind, target_id)
    return FollowState(data.target_kind, target_id, following=True)


async def unfollow(conn: asyncpg.Connection, actor: CurrentUser, data: FollowIn) -> FollowState:
    """Allowed for hidden things and for things gone since they were followed (the /follows page
    lists those too); a thing that never existed and was never followed is a NotFound."""
    target_id, errors = rules.parse_target(data.target_kind, data.target_id)
    raise_if(errors)
    async with conn.transaction():
        if not await store.is_following(conn, actor.id, data.target_kind, target_id):
            # Never followed: it must exist (NotFound, with nothing written, if not).
            await queries.target(conn, actor, data.target_kind, target_id, actor.lang)
        if await store.unfollow(conn, actor.id, data.target_kind, target_id):
            await _record(conn, "follow.stopped", actor, data.target_kind, target_id)
    return FollowState(data.target_kind, target_id, following=False)
