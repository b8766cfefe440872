"""Demo follows: the demo's citizens follow a board, an agency, a province and a topic by hand,
through the same action as the follow buttons. Their own ideas, supports, comments and answers
are followed automatically when the event consumers run (follows.auto_follow)."""

from __future__ import annotations

import asyncpg

from civic.accounts import actions as accounts
from civic.follows import actions
from civic.follows.schemas import FollowIn
from civic.ideas import actions as ideas

# email -> [(target_kind, target_id or the demo's org slug / board slug)]
FOLLOWS = {
    "pim@citizen.example": [("board", "hatyai-clean-city"), ("province", "SKA"), ("topic", "ขยะ")],
    "krit@citizen.example": [("province", "CMI"), ("agency", "cmi-province"), ("topic", "elderly")],
    "jane@citizen.example": [("agency", "mdes"), ("board", "community-internet")],
}


async def seed(conn: asyncpg.Connection, ctx) -> str:
    count = 0
    for email, targets in FOLLOWS.items():
        user = await accounts.user_by_email(conn, email)
        assert user is not None, email
        for kind, ref in targets:
            if kind == "board":
                ref = str((await ideas.load_board(conn, ref)).id)
            elif kind == "agency":
                ref = str(ctx.orgs[ref])
            await actions.follow(conn, user, FollowIn(kind, ref))
            count += 1
    return f"  follows: {count} by hand for pim, krit and jane (see /follows); the rest follow what they took part in"
