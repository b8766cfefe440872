"""Scheduled sweeps (civic/registry.py JOBS): the daily digest and the reminders.

Reminders are recorded as events (civic/events.py, "reminder.*"), once per subject, threshold
and due date, so the notifier tells people about them like about anything else, with the same
visibility rules and preferences.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import asyncpg

from civic import events
from civic.events import ReminderDue
from civic.mail import actions as mail
from civic.notifications import rules, store
from civic.notifications.schemas import DigestItem
from civic.settings import Settings, get_settings

BANGKOK = ZoneInfo(rules.DIGEST_ZONE)


def reminder_days(settings: Settings) -> dict[str, tuple[int, ...]]:
    """Reminder kind -> the days that define its threshold (the window before a due date; for an
    outcome, how long after closing it is due, general and section 77); overdue kinds ignore it."""
    return {
        "reminder.answer_due": (rules.ANSWER_DUE_SOON_DAYS,),
        "reminder.answer_overdue": (0,),
        "reminder.consultation_closing": (rules.CONSULTATION_CLOSING_DAYS,),
        "reminder.outcome_due": (settings.outcome_due_days, settings.outcome_due_days_s77),
        "reminder.handover_deadline": (rules.HANDOVER_DEADLINE_DAYS,),
        "reminder.handover_overdue": (0,),
        "reminder.implementation_due": (rules.IMPLEMENTATION_DUE_DAYS,),
        "reminder.implementation_overdue": (0,),
    }


async def remind(conn: asyncpg.Connection, now: datetime | None = None) -> int:
    """Record a reminder event for every subject that crossed a threshold since the last sweep."""
    now = now or datetime.now(UTC)
    recorded = 0
    for kind, days in reminder_days(get_settings()).items():
        for r in await store.take_reminders(conn, kind, now, days):
            await events.record(
                conn,
                kind,
                ReminderDue(title=r["title"], due_at=r["due_at"]),
                subject=(r["subject_kind"], r["subject_id"]),
                actor_id=None,
                agency_id=r["agency_id"],
                province=r["province"],
            )
            recorded += 1
    return recorded


def digest_day(now: datetime):
    """The Bangkok day whose digest is due at `now`, or None before 07:00 Bangkok."""
    local = now.astimezone(BANGKOK)
    return local.date() if local.time() >= time(rules.DIGEST_HOUR) else None


async def send_digests(
    conn: asyncpg.Connection, now: datetime | None = None, *, only: list[int] | None = None
) -> int:
    """One message per person and day grouping every digest notice since their last digest.
    Safe to run every few minutes: before 07:00 it does nothing, and a person's digest for the
    day is taken once (notification_digests), with its mail keyed digest:<user>:<day>.

    `only` sends the digests of these people alone, and at once, whatever the hour (the demo's,
    so /dev/mail shows one without waiting for 07:00); it is still their one digest of the day."""
    now = now or datetime.now(UTC)
    day = digest_day(now) if only is None else now.astimezone(BANGKOK).date()
    if day is None:
        return 0
    user_ids = await store.take_digests(conn, day, only)
    if not user_ids:
        return 0
    by_user: dict[int, list[DigestItem]] = defaultdict(list)
    for item in await store.digest_items(conn, user_ids):
        by_user[item.user_id].append(item)
    for user_id, items in by_user.items():
        groups: dict[str, list[dict]] = defaultdict(list)
        for i in items:
            entry = {"title": i.title, "path": rules.subject_path(i.subject_kind, i.subject_id, i.payload, i.kind)}
            # Two status changes of one idea are one line to read: "it changed, look".
            if entry not in groups[i.notice]:
                groups[i.notice].append(entry)
        first = items[0]
        await mail.queue(
            conn,
            mail.Outgoing(
                to=first.email,
                lang="en" if first.lang == "en" else "th",
                template="notifications/digest",
                context={
                    "day": day.isoformat(),
                    "count": sum(len(entries) for entries in groups.values()),
                    "groups": [
                        {"headline": rules.NOTICES[notice].headline, "items": entries}
                        for notice, entries in groups.items()
                    ],
                },
                key=f"digest:{user_id}:{day.isoformat()}",
                user_id=user_id,
            ),
        )
        await store.set_digest_count(conn, user_id, day, len(items))
    return len(by_user)
