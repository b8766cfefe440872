"""Demo accounts are made directly in the store (civic/demo.py), not through registration: record
that they accepted the current privacy notice, as registering would, so logging in as one does not
stop at the notice."""

from __future__ import annotations

import asyncpg

from civic.privacy import records, rules, store


async def seed(conn: asyncpg.Connection, ctx) -> str:
    accepted = await store.accepted_users(conn, rules.CURRENT_NOTICE)
    for user_id in ctx.users.values():
        if user_id not in accepted:
            await records.record_acceptance(conn, user_id, "web")
    return ""
