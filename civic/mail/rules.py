"""Mail rules: pure (no I/O): the SMTP_URL format, which SMTP replies are final, template names."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from civic.mail.schemas import SmtpTarget

_STARTTLS = {"auto": None, "always": True, "never": False}
# A template is a path below templates/mail/: lower-case words and slashes, never "..".
_TEMPLATE = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)*")
_URL = re.compile(r"(https?://[^\s<>\"]+)")
_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")


class SmtpUrlError(ValueError):
    pass


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://user:pass@host:port (port 25 by default; STARTTLS when offered, or as
    ?starttls=always|never says) or smtps://... (implicit TLS, port 465 by default).
    User and password are percent-encoded, as in any URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme or url!r}")
    if not parts.hostname:
        raise SmtpUrlError("SMTP_URL has no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise SmtpUrlError(f"SMTP_URL has a bad port: {exc}") from exc
    implicit = parts.scheme == "smtps"
    options = parse_qs(parts.query)
    unknown = set(options) - {"starttls"}
    if unknown:
        raise SmtpUrlError(f"SMTP_URL has unknown options: {sorted(unknown)}")
    starttls = options.get("starttls", ["never" if implicit else "auto"])[-1]
    if starttls not in _STARTTLS:
        raise SmtpUrlError("SMTP_URL's starttls must be auto, always or never")
    if implicit and starttls != "never":
        raise SmtpUrlError("SMTP_URL: smtps:// is TLS from the first byte, so it takes no starttls option")
    return SmtpTarget(
        hostname=parts.hostname,
        port=port or (465 if implicit else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        use_tls=implicit,
        start_tls=_STARTTLS[starttls],
    )


def is_permanent(code: int | None) -> bool:
    """A 5xx reply is final (RFC 5321 4.2.1): retrying cannot help. A 4xx or a lost connection
    (no code) may pass later."""
    return code is not None and 500 <= code <= 599


def valid_template(name: str) -> bool:
    return bool(_TEMPLATE.fullmatch(name))


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address))


def message_id(mail_id: int, key_digest: str, domain: str) -> str:
    """The same for every attempt at one message, so a receiver can tell a resend from a new one."""
    return f"<civic.{mail_id}.{key_digest}@{domain}>"


def link_spans(text: str) -> list[tuple[str, bool]]:
    """Plain text cut into (piece, is_link), so a page can show a mail's links as links."""
    return [(piece, i % 2 == 1) for i, piece in enumerate(_URL.split(text)) if piece]
