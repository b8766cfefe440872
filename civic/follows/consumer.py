"""Automatic follows: people follow what they took part in, from the events of their own acts.

- the author of a submitted idea, its supporters and its commenters follow the idea;
- a consultation's respondents follow the consultation;
- the agency staff who drafted or published a task, and every active member of the partner
  that claimed it, follow the task.

Everything a batch implies is written by one set-based statement (store.AUTO_FOLLOW), which
skips what is already followed and anything the person unfollowed by hand. It runs from the
start of history, not the head: following what one took part in before this existed is right.
"""

from __future__ import annotations

import asyncpg
import msgspec

from civic.consumers import Consumer
from civic.events import ClaimMade, ConsultationResponded, Event
from civic.follows import store
from civic.orgs import queries as orgs

# kind -> what the actor of that event follows: (target_kind, where the target's id is).
ACTOR_FOLLOWS = {
    "idea.submitted": "idea",
    "idea.supported": "idea",
    "idea.commented": "idea",
    "consultation.responded": "consultation",
    "handover.drafted": "task",
    "handover.posted": "task",
}
CLAIMS = "handover.claimed"


async def _rows(conn: asyncpg.Connection, event: Event) -> list[tuple[int, str, str]]:
    if event.kind == CLAIMS:
        claim = msgspec.convert(event.payload, ClaimMade)
        return [
            (u, "task", str(event.subject_id)) for u in await orgs.active_member_ids(conn, claim.partner_id)
        ]
    if event.actor_id is None:  # the account is gone, or a scheduled sweep acted
        return []
    target_kind = ACTOR_FOLLOWS[event.kind]
    if event.kind == "consultation.responded":
        response = msgspec.convert(event.payload, ConsultationResponded)
        return [(event.actor_id, target_kind, str(response.consultation_id))]
    return [(event.actor_id, target_kind, str(event.subject_id))]


async def handle(conn: asyncpg.Connection, batch: list[Event]) -> None:
    rows = [row for event in batch for row in await _rows(conn, event)]
    await store.auto_follow(conn, rows)


AUTO_FOLLOW = Consumer("follows.auto_follow", handle, kinds=frozenset({*ACTOR_FOLLOWS, CLAIMS}))
