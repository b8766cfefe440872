"""The record's Structs: an entry as hashed and shown, the reads' inputs and results."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    """One entry, every field of which is hashed (rules.canonical) except `hash` itself."""

    seq: int
    at: datetime  # when the act happened
    agency_id: int | None
    actor_role: str  # system | agency_member | agency_admin | moderator | admin | citizen
    # Always None in new entries. Entries made before names were dropped keep the display name of
    # the platform officer who acted: it is hashed, so it stays (civic/record/__init__.py says why).
    actor_name: str | None
    act: str  # the event kind
    subject_kind: str
    subject_id: int
    payload: dict
    prev_hash: str
    hash: str = ""


class Shown(msgspec.Struct, frozen=True, kw_only=True):
    """An entry as the public page and the JSON twin show it: the hashed entry, and what makes it
    readable (the agency's names now; not hashed, since names change)."""

    entry: Entry
    agency_slug: str | None = None
    agency_th: str | None = None
    agency_en: str | None = None


class RecordQuery(msgspec.Struct, frozen=True, kw_only=True):
    """The /record filters, as typed: the page and the API decode the query into this."""

    agency: str | None = None  # an agency's slug
    act: str | None = None
    since: str | None = None  # YYYY-MM-DD, Bangkok days
    until: str | None = None
    subject: str | None = None  # kind:id, e.g. idea:12
    before: int | None = None  # show entries with a lower sequence number (the next page)


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """RecordQuery checked (rules.filters)."""

    agency: str | None = None
    act: str | None = None
    since: date | None = None
    until: date | None = None
    subject_kind: str | None = None
    subject_id: int | None = None
    before: int | None = None


class Page(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[Shown]
    next_before: int | None  # the `before` of the next (older) page; None on the last
    head_seq: int
    head_hash: str


class Head(msgspec.Struct, frozen=True, kw_only=True):
    """A day's published head: the last entry recorded before that Bangkok day ended."""

    day: date
    seq: int
    hash: str
    published_at: datetime


class Check(msgspec.Struct, frozen=True, kw_only=True):
    """One verification of the chain: what was checked and the first entry that failed."""

    ok: bool
    checked: int
    from_seq: int
    head_seq: int
    first_bad: int | None = None
    problem: str | None = None  # rules.PROBLEMS key
    detail: str = ""
    checked_at: datetime | None = None
