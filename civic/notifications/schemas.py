"""Notification Structs: the inbox, read marks, preferences and unsubscribing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Channel = Literal["immediate", "digest", "off"]


class Recipient(msgspec.Struct, frozen=True):
    """Someone to mail about an event at once."""

    user_id: int
    email: str
    lang: str
    notice: str


class DigestItem(msgspec.Struct, frozen=True):
    user_id: int
    email: str
    lang: str
    notice: str
    created_at: datetime
    kind: str
    subject_kind: str
    subject_id: int
    payload: dict
    title: str


class NotificationOut(msgspec.Struct, frozen=True):
    id: int
    notice: str
    headline: str  # in the reader's language
    title: str  # what it is about
    url: str  # where it leads (a local path)
    reason: str  # why content was hidden, or a change's public note; often empty
    created_at: datetime
    read: bool


class Inbox(msgspec.Struct, frozen=True):
    items: list[NotificationOut]
    total: int
    unread: int
    page: int
    pages: int


class UnreadCount(msgspec.Struct, frozen=True):
    unread: int


class ReadIn(msgspec.Struct, forbid_unknown_fields=True):
    """Mark these notifications read, or all of them (all=true); ids of others are ignored."""

    ids: Annotated[list[int], msgspec.Meta(max_length=500)] = []
    all: bool = False


class ReadOut(msgspec.Struct, frozen=True):
    marked: int
    unread: int


class PreferencesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Notice kind -> immediate | digest | off; kinds not named keep their current choice."""

    email: Annotated[dict[str, str], msgspec.Meta(max_length=100)]


class Preference(msgspec.Struct, frozen=True):
    notice: str
    label: str  # in the reader's language
    group: str
    email: Channel
    default: Channel


class Preferences(msgspec.Struct, frozen=True):
    items: list[Preference]


class Unsubscribe(msgspec.Struct, frozen=True):
    """What a token turns off: the notices and their labels."""

    user_id: int
    kind: str  # a notice kind, or "all"
    notices: list[str]
