"""The notifier: an event consumer that tells people what happened (rules.py says who).

Fan-out happens here, never in the request that caused the event: the action only records its
event, and this consumer turns each event into notification rows with one set-based statement
per audience (store.FAN_OUT). Those rows, the immediate mails (queued through civic.mail in the
same transaction, keyed per event, recipient and channel) and the consumer's cursor commit
together, so a notifier killed mid-batch or run twice tells nobody twice.

Its cursor starts at the head of the event log when the notifier is installed (migration 0096,
as consumers.start_at_head would): it never mails anyone about history.
"""

from __future__ import annotations

import asyncpg

from civic.consumers import Consumer
from civic.events import CATALOGUE, Event
from civic.mail import actions as mail
from civic.notifications import rules, store

NAME = "notifications"


def template_for(notice: str) -> str:
    return "notifications/outcome" if notice == "outcome.published" else "notifications/notice"


async def context_for(conn: asyncpg.Connection, event: Event) -> dict:
    """What every mail about this event reads (the same for all its recipients)."""
    context = {
        "title": await store.event_title(conn, event.id),
        "path": rules.subject_path(event.subject_kind, event.subject_id, event.payload, event.kind),
        "reason": str(event.payload.get("reason") or ""),
        "themes": [],
    }
    if event.kind in ("outcome.published", "outcome.corrected"):
        context["themes"] = await store.outcome_themes(conn, event.subject_id)
    return context


async def fan_out(conn: asyncpg.Connection, event: Event) -> int:
    """Tell everyone this event concerns; returns how many notification rows were written."""
    if rules.told_elsewhere(event.kind, event.payload):
        return 0
    told = 0
    for delivery in rules.who_is_told(event.kind, CATALOGUE[event.kind].visibility, event.visibility):
        told += await store.fan_out(conn, event.id, delivery.audience, delivery.notice, delivery.email)
    recipients = await store.immediate_recipients(conn, event.id) if told else []
    if recipients:
        context = await context_for(conn, event)
        # One queue_many for the whole audience: two statements however many are mailed.
        await mail.queue_many(
            conn,
            [
                mail.Outgoing(
                    to=r.email,
                    lang="en" if r.lang == "en" else "th",
                    template=template_for(r.notice),
                    context={**context, "headline": rules.NOTICES[r.notice].headline},
                    key=f"notify:{event.id}:{r.user_id}:email",
                    user_id=r.user_id,
                    kind=r.notice,
                )
                for r in recipients
            ],
        )
    return told


async def notify(conn: asyncpg.Connection, batch: list[Event]) -> None:
    for event in batch:
        await fan_out(conn, event)


NOTIFIER = Consumer(NAME, notify, kinds=rules.KINDS, batch=200)
