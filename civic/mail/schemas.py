"""Mail: the message a caller queues, and what /dev/mail shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    lang: Literal["th", "en"]
    # templates/mail/<template>.html and .txt
    template: str
    # Plain JSON-able values the templates read.
    context: dict[str, Any] = {}
    # Idempotency key: a message is queued once per key, ever.
    key: str
    # None for an address with no account (change-email's new address): no unsubscribe link then.
    user_id: int | None = None
    # What the one-click unsubscribe link turns off: a notification kind, or "all".
    kind: str = "all"


class SmtpTarget(msgspec.Struct, frozen=True, kw_only=True):
    """SMTP_URL, parsed: smtp://user:pass@host:port[?starttls=auto|always|never] or smtps://..."""

    hostname: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    # None: STARTTLS when the server offers it (aiosmtplib's own default); True: required; False: never.
    start_tls: bool | None = None


class CaughtMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One .eml in the development catcher's directory, as /dev/mail lists and shows it."""

    name: str
    subject: str
    to: str
    sender: str
    date: str
    lang: str
    # The Date header read as a time (None when missing or unreadable), for showing in Bangkok time.
    sent_at: datetime | None = None
    headers: list[tuple[str, str]] = []
    text: str = ""
    html: str = ""
