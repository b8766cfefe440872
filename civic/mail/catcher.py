"""The development mail catcher: an aiosmtpd server on loopback that accepts every message and
writes it, as it arrived, to <data_dir>/mail/<time>-<id>.eml. `civic run` starts it when SMTP_URL
is unset and points SMTP_URL at it; /dev/mail lists and shows what it caught."""

from __future__ import annotations

import logging
import os
import re
import socket
import uuid
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller

from civic.mail.schemas import CaughtMessage


def mail_dir(data_dir: Path) -> Path:
    return data_dir / "mail"


class EmlWriter:
    """aiosmtpd handler: one .eml file per message, written whole before it becomes visible."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server, session, envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        final = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = final.with_suffix(".part")
        partial.write_bytes(envelope.original_content)
        os.replace(partial, final)
        return "250 2.0.0 caught"


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start(data_dir: Path, host: str = "127.0.0.1") -> tuple[Controller, str]:
    """Starts the catcher in a thread of this process; returns it and its SMTP_URL."""
    directory = mail_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    # aiosmtpd logs every SMTP command at INFO; in `civic run`'s output that is noise.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = _free_port(host)
    controller = Controller(EmlWriter(directory), hostname=host, port=port)
    controller.start()
    return controller, f"smtp://{host}:{port}"


# What the writer names files; anything else in the folder (or in a URL) is not a caught message.
_NAME = re.compile(r"\d{8}T\d{12}-[0-9a-f]{8}\.eml")


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    return body.get_content() if body is not None else ""


def read_caught(data_dir: Path, name: str) -> CaughtMessage | None:
    path = mail_dir(data_dir) / name
    if not _NAME.fullmatch(name) or not path.is_file():
        return None
    message = message_from_bytes(path.read_bytes(), policy=default)
    date = message["Date"]
    return CaughtMessage(
        name=name,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=str(date or ""),
        sent_at=getattr(date, "datetime", None),
        lang=str(message["Content-Language"] or ""),
        headers=[(k, str(v)) for k, v in message.items()],
        text=_part(message, "plain"),
        html=_part(message, "html"),
    )


def list_caught(data_dir: Path, limit: int = 200) -> list[CaughtMessage]:
    """Newest first (the names start with the time they arrived)."""
    directory = mail_dir(data_dir)
    if not directory.is_dir():
        return []
    names = sorted((p.name for p in directory.iterdir() if _NAME.fullmatch(p.name)), reverse=True)
    return [m for m in (read_caught(data_dir, n) for n in names[:limit]) if m is not None]
