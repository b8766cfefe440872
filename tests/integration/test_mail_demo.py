"""The demo answers back: after the seed (which runs the event consumers) and the mail queue, a
real SMTP server holds a verification mail, a reset mail, an answer notice, an outcome notice and
a daily digest, each made by the code that makes them for real, and demo accounts have unread
notifications."""

from __future__ import annotations

import re
from datetime import timedelta

from civic import consumers, demo, registry
from civic.accounts import demo as accounts_demo
from civic.mail import actions as mail
from civic.mail.sender import Policy
from civic.notifications import demo as notifications_demo

QUICK = Policy(initial_delay=timedelta(seconds=0.2), max_delay=timedelta(seconds=1), poll=timedelta(seconds=0.2))

# What each kind of demo mail is, as the queue knows it: (template, kind), the address it goes
# to (None: any), and a link its text must carry.
KINDS = {
    "verification": (("account/verify", "all"), accounts_demo.NEWCOMER, "/account/verify/"),
    "reset": (("account/reset", "all"), accounts_demo.FORGETFUL, "/password/reset/"),
    "answer": (("notifications/notice", "idea.answered"), None, "#official-answer"),
    "outcome": (("notifications/outcome", "outcome.published"), None, "/outcome#will"),
    "digest": (("notifications/digest", "all"), notifications_demo.DIGEST_FOR, "/notifications"),
}


async def test_the_demo_mails_each_kind_of_message_through_the_real_paths(conn, pool, mailserver, mail_settings):
    report = await demo.seed(conn, secret_key=mail_settings.secret_key)
    assert await consumers.drain(pool, registry.CONSUMERS) == 0  # the seed has run them
    await mail.send_due(pool, mail_settings, QUICK)

    rows = await conn.fetch("SELECT id, template, kind, to_address, status FROM mail_messages")
    assert rows and {r["status"] for r in rows} == {"sent"}
    arrived = {int(re.search(r"<civic\.(\d+)\.", m["Message-ID"])[1]): m for m in mailserver.messages}
    assert sorted(arrived) == sorted(r["id"] for r in rows)  # each once
    for name, (what, to, link) in KINDS.items():
        found = [r for r in rows if (r["template"], r["kind"]) == what and to in (None, r["to_address"])]
        assert found, f"no {name} mail"
        message = arrived[found[0]["id"]]
        assert message["Subject"], name
        assert link in message.get_body(("plain",)).get_content(), name

    unread = await conn.fetchval(
        "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1 AND n.read_at IS NULL",
        notifications_demo.DIGEST_FOR,
    )
    assert unread > 0 and f"{notifications_demo.DIGEST_FOR} ({unread})" in report
    assert accounts_demo.NEWCOMER in report and "/dev/mail" in report

    # Seeding again mails nobody again.
    await demo.seed(conn, secret_key=mail_settings.secret_key)
    assert await conn.fetchval("SELECT count(*) FROM mail_messages") == len(rows)
