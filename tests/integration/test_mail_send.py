"""Sending through a real aiosmtpd server: what arrives, 5xx failures, 4xx and outage retries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from civic.mail import actions as mail
from civic.mail import rules, sender
from civic.mail.sender import Policy
from civic.mail.unsubscribe import read_token
from tests.helpers import make_user

# Short waits so retries happen within a test.
QUICK = Policy(
    initial_delay=timedelta(seconds=0.2),
    max_delay=timedelta(seconds=1),
    max_attempts=5,
    heartbeat_timeout=timedelta(seconds=2),
    poll=timedelta(seconds=0.2),
)


def notice(key: str, to: str, lang: str = "th", user_id: int | None = None, **kw) -> mail.Outgoing:
    heading = {"th": "ความคิดเห็นของคุณได้รับคำตอบ", "en": "Your idea was answered"}[lang]
    return mail.Outgoing(
        to=to,
        lang=lang,
        template="notice",
        context={
            "heading": heading,
            "paragraphs": ["<b>ไม่ใช่ HTML</b>"],
            "link_url": "http://x.example/i/1",
            "link_label": "ดูคำตอบ",
        },
        key=key,
        user_id=user_id,
        **kw,
    )


async def status_of(conn, key: str):
    return await conn.fetchrow(
        "SELECT status, attempts, last_error, sent_at FROM mail_messages WHERE key = $1", key
    )


async def test_a_queued_message_arrives_with_both_parts_headers_and_language(
    conn, pool, mailserver, mail_settings
):
    uid = await make_user(conn, "somchai@example.com", lang="th")
    eid = await make_user(conn, "jane@example.com", lang="en")
    async with conn.transaction():
        await mail.queue(conn, notice("t:1", "somchai@example.com", "th", uid, kind="idea.answered"))
        await mail.queue(conn, notice("t:2", "jane@example.com", "en", eid))
        await mail.queue(conn, notice("t:3", "new@example.com", "th"))
    await mail.send_due(pool, mail_settings, QUICK)
    got = {m["To"]: m for m in await mailserver.wait_for(3)}
    th = got["somchai@example.com"]
    assert th["Subject"] == "ความคิดเห็นของคุณได้รับคำตอบ"
    assert th["From"] == mail_settings.mail_from and th["Content-Language"] == "th"
    assert th["Message-ID"].startswith("<civic.") and th["Message-ID"].endswith("@localhost>")
    assert th["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = th["List-Unsubscribe"].strip("<>")
    assert url.startswith(mail_settings.base_url + "/unsubscribe/")
    assert read_token(mail_settings.secret_key, url.rsplit("/", 1)[1]) == (uid, "idea.answered")
    text = th.get_body(("plain",)).get_content()
    html = th.get_body(("html",)).get_content()
    assert "ความคิดเห็นของคุณได้รับคำตอบ" in text and "<b>ไม่ใช่ HTML</b>" in text
    assert "&lt;b&gt;ไม่ใช่ HTML&lt;/b&gt;" in html and "<b>ไม่ใช่" not in html
    assert "font-family:Sarabun" in html and "<img" not in html and "url(" not in html
    for part in (text, html):
        assert mail_settings.base_url + "/account/notifications" in part
        assert url in part
    assert "คุณได้รับข้อความนี้" in text
    en = got["jane@example.com"]
    assert en["Subject"] == "Your idea was answered" and en["Content-Language"] == "en"
    assert "You received this message" in en.get_body(("plain",)).get_content()
    # No account: no unsubscribe to offer, the preferences link still there.
    bare = got["new@example.com"]
    assert bare["List-Unsubscribe"] is None and bare["List-Unsubscribe-Post"] is None
    assert "/account/notifications" in bare.get_body(("plain",)).get_content()
    rows = await conn.fetch("SELECT status, attempts FROM mail_messages ORDER BY id")
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)] * 3
    # Sent once: draining again sends nothing more.
    await mail.send_due(pool, mail_settings, QUICK)
    await asyncio.sleep(0.3)
    assert len(mailserver.messages) == 3


async def test_a_5xx_is_recorded_as_failed_and_not_retried(conn, pool, mailserver, mail_settings):
    mailserver.reply = "550 5.1.1 mailbox unavailable"
    await mail.queue(conn, notice("t:5xx", "gone@example.com"))
    await mail.send_due(pool, mail_settings, QUICK)
    row = await status_of(conn, "t:5xx")
    assert (row["status"], row["attempts"], row["sent_at"]) == ("failed", 1, None)
    assert row["last_error"].startswith("550")
    assert await conn.fetchval("SELECT count(*) FROM pgqueuer") == 0
    mailserver.reply = None
    await mail.send_due(pool, mail_settings, QUICK)
    assert mailserver.messages == []


async def test_a_4xx_is_retried_with_backoff_then_arrives(conn, pool, mailserver, mail_settings):
    mailserver.fail_next(2, "451 4.3.0 try again later")
    await mail.queue(conn, notice("t:4xx", "later@example.com"))
    started = asyncio.get_running_loop().time()
    await mail.send_due(pool, mail_settings, QUICK)
    waited = asyncio.get_running_loop().time() - started
    assert len(await mailserver.wait_for(1)) == 1
    row = await status_of(conn, "t:4xx")
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)
    # Two retries, 0.2 s then 0.4 s apart.
    assert waited >= 0.6


async def test_a_refused_connection_is_retried_until_the_server_is_back(
    conn, pool, mailserver, mail_settings
):
    mailserver.stop()
    await mail.queue(conn, notice("t:down", "wait@example.com"))
    sending = asyncio.create_task(mail.send_due(pool, mail_settings, QUICK._replace(max_attempts=20)))
    await asyncio.sleep(2)
    row = await status_of(conn, "t:down")
    assert row["status"] == "queued" and row["attempts"] >= 2
    assert "Connect" in row["last_error"] or "refused" in row["last_error"].lower()
    mailserver.start()
    await asyncio.wait_for(sending, 30)
    assert len(mailserver.messages) == 1
    assert (await status_of(conn, "t:down"))["status"] == "sent"


async def test_retries_end_in_failure_after_max_attempts(conn, pool, mailserver, mail_settings):
    mailserver.reply = "421 4.7.0 closing"
    await mail.queue(conn, notice("t:spent", "never@example.com"))
    await mail.send_due(pool, mail_settings, QUICK._replace(max_attempts=2))
    row = await status_of(conn, "t:spent")
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert row["last_error"].startswith("421")


async def test_a_message_in_flight_holds_no_transaction_lock_and_no_second_sender(
    conn, pool, mailserver, mail_settings
):
    await mail.queue(conn, notice("t:flight", "flight@example.com"))
    mail_id = await conn.fetchval("SELECT id FROM mail_messages WHERE key = 't:flight'")
    mailserver.hold_after(0)
    sending = asyncio.create_task(mail.send_due(pool, mail_settings, QUICK))
    try:
        async with asyncio.timeout(10):
            while mailserver.holding < 1:  # noqa: ASYNC110 - set in the server's own thread
                await asyncio.sleep(0.02)
        # The relay has the message and has not answered: nothing waits in a transaction meanwhile.
        idle_in_transaction = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND query LIKE '%mail_messages%'"
        )
        assert idle_in_transaction == 0
        row = await conn.fetchrow("SELECT status, leased_until > now() AS leased FROM mail_messages WHERE id = $1", mail_id)
        assert (row["status"], row["leased"]) == ("queued", True)
        # An erasure or a withdrawn consent writes the row at once instead of waiting for the relay.
        async with conn.transaction():
            await conn.execute("SET LOCAL lock_timeout = '500ms'")
            await conn.execute("UPDATE mail_messages SET context = context WHERE id = $1", mail_id)
        # A second sender (a job re-picked while its first runner lives) leaves it alone.
        target = rules.parse_smtp_url(mail_settings.smtp_url)
        with pytest.raises(sender.Deferred, match="another sender"):
            await sender.deliver(pool, mail_settings, target, mail_id, last_try=False)
    finally:
        mailserver.release()
    await asyncio.wait_for(sending, 30)
    assert [m["To"] for m in mailserver.messages] == ["flight@example.com"]
    row = await conn.fetchrow("SELECT status, attempts, leased_until FROM mail_messages WHERE id = $1", mail_id)
    assert (row["status"], row["attempts"], row["leased_until"]) == ("sent", 1, None)


async def test_a_row_leased_to_a_sender_that_died_is_sent_once_the_lease_runs_out(
    conn, pool, mailserver, mail_settings
):
    await mail.queue(conn, notice("t:lease", "lease@example.com"))
    # As a sender killed mid-conversation leaves it.
    await conn.execute("UPDATE mail_messages SET leased_until = now() + interval '3 seconds' WHERE key = 't:lease'")
    sending = asyncio.create_task(mail.send_due(pool, mail_settings, QUICK._replace(max_attempts=12)))
    await asyncio.sleep(1.5)
    assert mailserver.messages == []
    await asyncio.wait_for(sending, 30)
    assert [m["To"] for m in mailserver.messages] == ["lease@example.com"]
    assert (await status_of(conn, "t:lease"))["status"] == "sent"


def test_the_lease_outlasts_the_whole_conversation():
    assert sender.lease_seconds(30.0) == 60.0
