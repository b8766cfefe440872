"""What a feed is made of, before it is written as Atom (civic/feeds/atom.py)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Entry(msgspec.Struct, kw_only=True):
    """One public event, with what the reader needs to see it without opening the page."""

    event_id: int
    occurred_at: datetime
    kind: str
    subject_kind: str
    subject_id: int
    subject_title: str
    payload: dict
    slug: str | None = None  # a board's or an organisation's, for its link
    agency_th: str | None = None
    agency_en: str | None = None
    official: bool = False


class Feed(msgspec.Struct, kw_only=True):
    """A feed's identity and its newest entries. `title_msgid` takes `title_params`; `path` and
    `params` make its self link; `page` is the page it mirrors, with its query."""

    key: str  # what the feed is about, for its tag: id ("boards/hatyai-waste")
    title_msgid: str
    title_params: dict[str, str] = {}
    path: str
    page: str
    params: dict[str, str] = {}
    entries: list[Entry] = []
