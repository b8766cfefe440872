"""Notification actions: the inbox and its read marks, email preferences, and unsubscribing.
Read by the pages and their /api/v1 twins alike."""

from __future__ import annotations

import asyncpg

from civic.accounts.schemas import CurrentUser
from civic.mail.unsubscribe import BadToken, read_token
from civic.notifications import rules, store
from civic.notifications.schemas import (
    Inbox,
    NotificationOut,
    Preference,
    Preferences,
    PreferencesIn,
    ReadIn,
    ReadOut,
    UnreadCount,
    Unsubscribe,
)
from civic.validation import Forbidden, Invalid, Problem, raise_if
from civic.web.i18n import gettext

N_ = rules.N_
PAGE_SIZE = 20
BAD_LINK = N_("This unsubscribe link is not valid. Use the link in your latest email, or change your choices on the notifications settings page.")
OTHER_ACCOUNT = N_("This unsubscribe link belongs to another account. Log out to use it, or change your own choices on the notifications settings page.")


async def inbox(conn: asyncpg.Connection, actor: CurrentUser, *, page: int = 1, unread_only: bool = False) -> Inbox:
    total, unread = await store.counts(conn, actor.id)
    pages = max(1, -(-(unread if unread_only else total) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await store.inbox(
        conn, actor.id, unread_only=unread_only, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    items = [
        NotificationOut(
            id=r["id"],
            notice=r["notice"],
            headline=gettext(actor.lang, rules.NOTICES[r["notice"]].headline),
            title=r["title"],
            url=rules.subject_path(r["subject_kind"], r["subject_id"], r["payload"], r["kind"]),
            reason=str(r["payload"].get("reason") or ""),
            created_at=r["created_at"],
            read=r["read"],
        )
        for r in rows
        if r["notice"] in rules.NOTICES
    ]
    return Inbox(items=items, total=total, unread=unread, page=page, pages=pages)


async def unread_count(conn: asyncpg.Connection, actor: CurrentUser) -> UnreadCount:
    return UnreadCount(unread=await store.unread(conn, actor.id))


async def mark_read(conn: asyncpg.Connection, actor: CurrentUser, data: ReadIn) -> ReadOut:
    """Marks the actor's own notifications only: another person's ids change nothing."""
    if not data.all and not data.ids:
        raise Invalid({"ids": Problem(N_("Choose which notifications to mark as read."))})
    marked = await store.mark_read(conn, actor.id, None if data.all else data.ids)
    return ReadOut(marked=marked, unread=await store.unread(conn, actor.id))


def _preferences(lang: str, chosen: dict[str, str]) -> Preferences:
    return Preferences(
        items=[
            Preference(
                notice=notice,
                label=gettext(lang, n.headline),
                group=gettext(lang, n.group),
                email=rules.email_choice(notice, chosen.get(notice)),
                default=n.email,
            )
            for notice, n in rules.NOTICES.items()
        ]
    )


async def preferences(conn: asyncpg.Connection, actor: CurrentUser) -> Preferences:
    return _preferences(actor.lang, await store.preferences(conn, actor.id))


async def set_preferences(conn: asyncpg.Connection, actor: CurrentUser, data: PreferencesIn) -> Preferences:
    raise_if(rules.validate_preferences(data.email))
    await store.set_preferences(conn, actor.id, data.email)
    return await preferences(conn, actor)


async def unsubscribe_link(
    conn: asyncpg.Connection, secret: str, token: str, viewer: CurrentUser | None
) -> Unsubscribe:
    """What a link would turn off; refuses a forged link or another account's."""
    try:
        user_id, kind = read_token(secret, token)
    except BadToken:
        raise Invalid({"token": Problem(BAD_LINK)}, status=400) from None
    notices = rules.unsubscribe_notices(kind)
    if notices is None or not await store.user_exists(conn, user_id):
        raise Invalid({"token": Problem(BAD_LINK)}, status=400)
    if not rules.can_unsubscribe(user_id, viewer.id if viewer else None):
        raise Forbidden(OTHER_ACCOUNT)
    return Unsubscribe(user_id=user_id, kind=kind, notices=list(notices))


async def unsubscribe(conn: asyncpg.Connection, secret: str, token: str, viewer: CurrentUser | None) -> Unsubscribe:
    """RFC 8058 one-click: the link's own kind (or every kind) is mailed no more."""
    link = await unsubscribe_link(conn, secret, token, viewer)
    await store.set_preferences(conn, link.user_id, dict.fromkeys(link.notices, rules.OFF))
    return link
