"""The mail sender: pgqueuer `mail.send` jobs, each delivering one mail_messages row through
aiosmtplib. Runs in the app's background (RUN_MAIL), in `python -m civic worker`, and at once
through `actions.send_due` (tests, demo).

At least once, and once as far as SMTP allows. The sender claims the row with a lease and commits
before it talks to the relay, so no connection waits on a slow relay and nothing (an erasure, a
withdrawn consent) queues behind it; it records the result afterwards. A job run again (a retry,
or a job re-picked after its worker died) finds the row sent and does nothing, or finds it leased
to a sender still within its lease and tries later. A sender killed mid-send leaves the row queued
with a lease that runs out, and the message is sent again. The lease outlasts the whole SMTP
conversation, which is cut at SMTP_TIMEOUT. The one window SMTP leaves open is between the
server's 250 and our record of it: a kill exactly there sends twice, with the same Message-ID,
which receivers may use to drop the copy.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import timedelta
from email.message import EmailMessage
from typing import NamedTuple

import aiosmtplib
import asyncpg
from jinja2 import TemplateError
from pgqueuer.executors import DatabaseRetryEntrypointExecutor
from pgqueuer.models import Job
from pgqueuer.qm import QueueManager
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode

from civic.mail import render, rules, store
from civic.mail.schemas import SmtpTarget
from civic.settings import Settings

log = logging.getLogger(__name__)


class Policy(NamedTuple):
    """Retries: pgqueuer re-queues a failed job after initial_delay * 2**attempts, at most
    max_delay; after max_attempts the message is failed. The defaults ride out about four hours
    of relay outage. Tests pass shorter ones."""

    max_attempts: int = 20
    initial_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=15)
    # A job whose worker stopped beating for this long is picked again (a killed worker).
    heartbeat_timeout: timedelta = timedelta(seconds=30)
    # Jobs fetched at a time, and SMTP conversations in flight at most per worker.
    batch_size: int = 2
    max_in_flight: int = 4
    # A new job wakes the worker at once (pgqueuer's NOTIFY on insert), but a retry falling due
    # does not (its trigger ignores updates): the worker looks again this often at most.
    poll: timedelta = timedelta(seconds=5)


POLICY = Policy()


class Failure(NamedTuple):
    code: int | None
    text: str


class Deferred(Exception):
    """A failure worth retrying: pgqueuer's executor turns it into a later attempt."""


def lease_seconds(smtp_timeout: float) -> float:
    """How long a claimed row stays another sender's: the conversation's limit, twice over."""
    return 2 * smtp_timeout


async def smtp_send(
    message: EmailMessage, to: str, target: SmtpTarget, smtp_timeout: float
) -> Failure | None:
    try:
        # aiosmtplib's timeout is per command; the lease needs the whole conversation bounded.
        async with asyncio.timeout(smtp_timeout):
            await aiosmtplib.send(
                message,
                recipients=[to],
                hostname=target.hostname,
                port=target.port,
                username=target.username,
                password=target.password,
                use_tls=target.use_tls,
                start_tls=target.start_tls,
                timeout=smtp_timeout,
            )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients[0]
        return Failure(refused.code, f"{refused.code} {refused.message}")
    except aiosmtplib.SMTPResponseException as exc:
        return Failure(exc.code, f"{exc.code} {exc.message}")
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        # No reply at all (refused, reset, timed out): the relay may be back later.
        return Failure(None, f"{type(exc).__name__}: {exc}")
    return None


async def deliver(
    pool: asyncpg.Pool,
    settings: Settings,
    target: SmtpTarget,
    mail_id: int,
    *,
    last_try: bool,
) -> None:
    """Send one message unless it is already sent or failed. Raises Deferred to be retried."""
    async with pool.acquire() as conn:
        row = await store.claim_message(conn, mail_id, lease_seconds(settings.smtp_timeout))
        if row is None:
            if await store.status_of(conn, mail_id) == "queued":
                raise Deferred("being sent by another sender")
            return
        try:
            message = render.build(row, settings)
        except TemplateError as exc:
            # The same template fails the same way next time: final.
            await store.mark_attempt_failed(conn, mail_id, f"template: {exc}", final=True)
            log.error("mail %s not rendered: %s", mail_id, exc)
            return
    failure = await smtp_send(message, row["to_address"], target, settings.smtp_timeout)
    async with pool.acquire() as conn:
        if failure is None:
            await store.mark_sent(conn, mail_id)
            return
        final = rules.is_permanent(failure.code) or last_try
        await store.mark_attempt_failed(conn, mail_id, failure.text, final=final)
    if final:
        log.warning("mail %s to %s failed for good: %s", mail_id, row["to_address"], failure.text)
    else:
        raise Deferred(failure.text)


def queue_manager(pool: asyncpg.Pool, settings: Settings, policy: Policy = POLICY) -> QueueManager:
    if not settings.smtp_url:
        raise RuntimeError("SMTP_URL is not set: there is nowhere to send mail")
    target = rules.parse_smtp_url(settings.smtp_url)
    qm = QueueManager(Queries.from_asyncpg_pool(pool))

    @qm.entrypoint(
        store.SEND_ENTRYPOINT,
        executor_factory=functools.partial(
            DatabaseRetryEntrypointExecutor,
            max_attempts=policy.max_attempts,
            initial_delay=policy.initial_delay,
            max_delay=policy.max_delay,
        ),
    )
    async def send(job: Job) -> None:
        await deliver(
            pool,
            settings,
            target,
            int(job.payload or b"0"),
            # pgqueuer's executor gives up once attempts reach max_attempts; record it first.
            last_try=job.attempts >= policy.max_attempts,
        )

    return qm


async def run(pool: asyncpg.Pool, settings: Settings, policy: Policy, mode: QueueExecutionMode) -> None:
    await queue_manager(pool, settings, policy).run(
        batch_size=policy.batch_size,
        max_concurrent_tasks=policy.max_in_flight,
        heartbeat_timeout=policy.heartbeat_timeout,
        dequeue_timeout=policy.poll,
        mode=mode,
    )


async def run_forever(pool: asyncpg.Pool, settings: Settings, policy: Policy = POLICY) -> None:
    if not settings.smtp_url:
        # Production without a relay: nothing is lost, the rows wait for one.
        log.error("SMTP_URL is not set: mail is queued but not sent")
        return
    await run(pool, settings, policy, QueueExecutionMode.continuous)


async def drain(pool: asyncpg.Pool, settings: Settings, policy: Policy = POLICY) -> None:
    await run(pool, settings, policy, QueueExecutionMode.drain)
