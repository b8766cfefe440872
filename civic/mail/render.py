"""Turns a queued mail row into a MIME message: the templates rendered in the recipient's language
(HTML and plain text), the footer links and the headers every message carries."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses
from typing import Any, NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from civic import thai
from civic.mail import rules, unsubscribe
from civic.settings import PROJECT_ROOT, Settings
from civic.web.i18n import Translator

TEMPLATES = PROJECT_ROOT / "templates"

# Autoescape in .html only: the .txt part is plain text and must not show &amp;. A template that
# reads a value nobody passed fails (StrictUndefined) rather than mailing a blank.
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


class Links(NamedTuple):
    base_url: str
    preferences_url: str
    unsubscribe_url: str | None


def has_template(name: str) -> bool:
    return rules.valid_template(name) and all(
        (TEMPLATES / "mail" / f"{name}.{ext}").is_file() for ext in ("html", "txt")
    )


def links(settings: Settings, user_id: int | None, kind: str) -> Links:
    return Links(
        base_url=settings.base_url,
        preferences_url=unsubscribe.preferences_url(settings.base_url),
        unsubscribe_url=unsubscribe.unsubscribe_url(settings.base_url, settings.secret_key, user_id, kind)
        if user_id is not None
        else None,
    )


def _fmt_date(value: str | date | datetime | None, lang: str, with_time: bool = False) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if with_time else date.fromisoformat(value[:10])
    return thai.format_date(value, lang, with_time=with_time)


def render(template: str, lang: str, context: dict[str, Any], found: Links) -> Rendered:
    values = (
        dict(context)
        | found._asdict()
        | {
            "lang": lang,
            "_": Translator(lang),
            "fmt_date": lambda d, with_time=False: _fmt_date(d, lang, with_time),
        }
    )
    text_t = _env.get_template(f"mail/{template}.txt")
    subject = "".join(text_t.blocks["subject"](text_t.new_context(values)))
    return Rendered(
        # One line, whatever the template's whitespace: a header cannot hold a newline.
        subject=" ".join(subject.split()),
        text=text_t.render(values),
        html=_env.get_template(f"mail/{template}.html").render(values),
    )


def sender_domain(mail_from: str) -> str:
    address = getaddresses([mail_from])[0][1]
    return address.rpartition("@")[2] or "localhost"


def build(row: Any, settings: Settings) -> EmailMessage:
    """row: a mail_messages row (id, key, user_id, to_address, lang, template, kind, context)."""
    found = links(settings, row["user_id"], row["kind"])
    rendered = render(row["template"], row["lang"], row["context"], found)
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = Address(addr_spec=row["to_address"])
    if settings.mail_reply_to:
        msg["Reply-To"] = settings.mail_reply_to
    msg["Date"] = format_datetime(datetime.now(UTC))
    digest = hashlib.sha256(row["key"].encode()).hexdigest()[:16]
    msg["Message-ID"] = rules.message_id(row["id"], digest, sender_domain(settings.mail_from))
    # Tells auto-responders not to answer (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
    if found.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{found.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    # After the parts: add_alternative moves every Content-* header into the first part.
    msg["Content-Language"] = row["lang"]
    return msg
