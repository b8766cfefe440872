"""A real SMTP server for tests: aiosmtpd on a free loopback port, recording what arrives.

    async def test_x(mailserver, settings): ...   # settings' SMTP_URL points at it (mail_settings)

`mailserver.messages` are the parsed messages (email.message.EmailMessage), in arrival order.
It can be stopped and started again on the same port (`stop()`, `start()`), told to answer every
DATA with a reply (`reply = "550 5.1.1 no such user"`, or `fail_next(2, "451 4.3.0 later")`), and
told to hold every message after the first n without accepting it (`hold_after(n)`, `release()`):
a client that disconnects meanwhile has delivered nothing, as with a real server.
"""

from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import free_port


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply: str | None = None
        self._fail_left = 0
        self._fail_reply = ""
        self._hold_after: int | None = None
        self._released = threading.Event()
        self.holding = 0
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    # aiosmtpd calls this in its own thread's event loop.
    async def handle_DATA(self, server, session, envelope) -> str:
        if self.reply:
            return self.reply
        if self._fail_left > 0:
            self._fail_left -= 1
            return self._fail_reply
        if self._hold_after is not None and len(self.messages) >= self._hold_after:
            self.holding += 1
            try:
                # Cancelled by aiosmtpd when the client goes away: then nothing was delivered.
                # A threading.Event, polled: the test sets it from another thread and loop.
                while not self._released.is_set():  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
            finally:
                self.holding -= 1
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=default))
        return "250 2.0.0 OK"

    def fail_next(self, n: int, reply: str) -> None:
        self._fail_left, self._fail_reply = n, reply

    def hold_after(self, n: int) -> None:
        self._released.clear()
        self._hold_after = n

    def release(self) -> None:
        self._hold_after = None
        self._released.set()

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def wait_for(self, count: int, within: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + within
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived in {within}s")
            await asyncio.sleep(0.05)
        return self.messages


@pytest.fixture
def mailserver():
    server = MailServer()
    server.start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def mail_settings(settings, mailserver):
    """The test settings, sending to the mailserver."""
    import msgspec

    return msgspec.structs.replace(settings, smtp_url=mailserver.url)
