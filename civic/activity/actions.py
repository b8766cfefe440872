from __future__ import annotations

import asyncpg

from civic.accounts.schemas import CurrentUser
from civic.activity import store
from civic.activity.schemas import Activity


async def my_activity(conn: asyncpg.Connection, actor: CurrentUser) -> Activity:
    """Only the actor's own rows: there is no one else's activity to ask for."""
    return await store.activity(conn, actor.id)
