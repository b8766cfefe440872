"""What other domains call, inside their own transaction, to record that a person accepted the
privacy notice or gave or withdrew a consent: registration (web or api) and the counter, which
registers and helps people who come in person or call. Kept apart from actions.py so that
accounts can call it while privacy's actions use accounts' (no import cycle)."""

from __future__ import annotations

import asyncpg

from civic import events
from civic.events import ConsentChanged, NoticeAccepted
from civic.privacy import rules, store
from civic.validation import raise_if


async def record_acceptance(conn: asyncpg.Connection, user_id: int, channel: str) -> None:
    """The current notice accepted through `channel` (web, api or counter)."""
    await store.accept_notice(conn, user_id, rules.CURRENT_NOTICE, channel)
    await events.record(
        conn,
        "privacy.notice_accepted",
        NoticeAccepted(version=rules.CURRENT_NOTICE, channel=channel),
        subject=("user", user_id),
        actor_id=user_id,
    )


async def record_consent(
    conn: asyncpg.Connection,
    user_id: int,
    purpose: str,
    granted: bool,
    channel: str,
    detail: dict | None = None,
) -> None:
    """One consent given or withdrawn (rules.PURPOSES; the counter uses rules.ASSISTED)."""
    raise_if(rules.validate_consent(purpose, channel))
    await store.record_consent(conn, user_id, purpose, granted, channel, detail or {})
    await events.record(
        conn,
        "privacy.consent_granted" if granted else "privacy.consent_withdrawn",
        ConsentChanged(purpose=purpose, channel=channel),
        subject=("user", user_id),
        actor_id=user_id,
    )


async def take_over_consents(conn: asyncpg.Connection, holder_id: int, user_id: int, assisted_id: int) -> None:
    """The counter consent given for a contribution becomes the person's own record when they take
    it over (civic/assisted), so their consents page and export show it."""
    if await store.take_over_consents(conn, holder_id, user_id, assisted_id):
        await events.record(
            conn,
            "privacy.consent_granted",
            ConsentChanged(purpose=rules.ASSISTED, channel="counter"),
            subject=("user", user_id),
            actor_id=user_id,
        )
