"""Reliability against a real aiosmtpd server: a 60 s relay outage with 500 messages due, and a
sender killed mid-batch. Every message arrives exactly once: 0 lost, 0 duplicated."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

from civic.mail import actions as mail
from civic.mail import sender
from civic.mail.sender import Policy
from civic.settings import PROJECT_ROOT


async def queue_many(pool, n: int, prefix: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for i in range(n):
            await mail.queue(
                conn,
                mail.Outgoing(
                    to=f"person{i}@example.com",
                    lang="th" if i % 2 else "en",
                    template="notice",
                    context={"heading": f"แจ้งเตือน {i}", "paragraphs": [str(i)]},
                    key=f"{prefix}:{i}",
                ),
            )


def assert_exactly_once(messages, n: int) -> None:
    ids = Counter(m["Message-ID"] for m in messages)
    assert len(ids) == n, f"{n - len(ids)} lost"
    assert [k for k, c in ids.items() if c > 1] == [], "duplicated"
    assert sorted(m["To"] for m in messages) == sorted(f"person{i}@example.com" for i in range(n))


async def test_a_60_second_outage_with_500_due_loses_and_duplicates_nothing(pool, mailserver, mail_settings):
    policy = Policy(
        initial_delay=timedelta(seconds=1),
        max_delay=timedelta(seconds=8),
        max_attempts=60,
        poll=timedelta(seconds=0.5),
        batch_size=4,
        max_in_flight=8,
    )
    mailserver.stop()
    worker = asyncio.create_task(sender.run_forever(pool, mail_settings, policy))
    try:
        await queue_many(pool, 500, "outage")
        await asyncio.sleep(60)
        async with pool.acquire() as conn:
            waiting = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE status = 'queued') AS queued, max(attempts) AS tried FROM mail_messages"
            )
        assert mailserver.messages == []
        # Nothing sent, nothing given up on, and retries under way.
        assert waiting["queued"] == 500 and waiting["tried"] >= 2
        mailserver.start()
        await mailserver.wait_for(500, within=90)
        await asyncio.sleep(3)  # a late duplicate would arrive by now
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
    assert_exactly_once(mailserver.messages, 500)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mail_messages WHERE status = 'sent'") == 500


async def test_a_sender_killed_mid_batch_loses_and_duplicates_nothing(
    pool, mailserver, mail_settings, db_url, tmp_path
):
    await queue_many(pool, 60, "kill")
    # The server accepts 20 and then holds every message unanswered: the worker is then
    # certainly mid-batch, with messages in flight and none of them delivered.
    mailserver.hold_after(20)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SMTP_URL": mailserver.url,
        "SECRET_KEY": mail_settings.secret_key,
        "CIVIC_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        # The rows it holds when killed are leased for twice this: the test waits that long.
        "SMTP_TIMEOUT": "3",
    }
    worker = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "civic", "worker", "--no-relay", "--no-consumers", "--no-scheduler"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (len(mailserver.messages) >= 20 and mailserver.holding >= 1):
            assert worker.returncode is None, "the worker stopped by itself"
            assert time.monotonic() < deadline, (
                f"{len(mailserver.messages)} arrived, {mailserver.holding} held"
            )
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the 20 accepted ones are recorded as sent by now
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    assert len(mailserver.messages) == 20
    mailserver.release()
    # Its picked jobs stop beating; after heartbeat_timeout another sender picks them again, and
    # sends the ones it had in flight once their lease (6 s) runs out.
    await asyncio.sleep(1.5)
    await mail.send_due(
        pool,
        mail_settings,
        Policy(heartbeat_timeout=timedelta(seconds=1), poll=timedelta(seconds=0.2), initial_delay=timedelta(seconds=1)),
    )
    await mailserver.wait_for(60, within=30)
    await asyncio.sleep(1)
    assert_exactly_once(mailserver.messages, 60)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mail_messages WHERE status = 'sent'") == 60
