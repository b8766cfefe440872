"""After the demo is committed and the event consumers have run over it: one demo citizen's daily
digest, sent now rather than at 07:00 through the digest job itself, and who has unread
notifications. The notifier has already queued the demo's immediate mails (the answer to an idea,
the published outcome); the running app's mail sender sends them all."""

from __future__ import annotations

import asyncpg

from civic.accounts import actions as accounts
from civic.notifications import actions, jobs

DIGEST_FOR = "pim@citizen.example"
# The demo accounts worth logging in as to see the bell and /notifications.
READERS = ["pim@citizen.example", "krit@citizen.example", "jane@citizen.example", "somchai@mdes.example"]


async def seed(conn: asyncpg.Connection, ctx) -> str:
    await jobs.send_digests(conn, only=[ctx.users[DIGEST_FOR]])
    unread = []
    for email in READERS:
        user = await accounts.user_by_email(conn, email)
        assert user is not None, email
        count = (await actions.unread_count(conn, user)).unread
        if count:
            unread.append(f"{email} ({count})")
    return (
        f"  notifications: unread for {', '.join(unread) or 'nobody yet'} (the bell, /notifications)\n"
        f"  mail: answer and outcome notices and {DIGEST_FOR}'s daily digest are queued with the account mail; "
        "the app sends them (without SMTP_URL, to its catcher: /dev/mail as the admin, .eml files in var/mail/)"
    )
