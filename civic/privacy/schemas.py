"""PDPA inputs and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Channel = Literal["web", "api", "counter"]


class NoticeOut(msgspec.Struct):
    version: int
    effective: str
    accepted_version: int | None = None
    needs_acceptance: bool = False


class AcceptIn(msgspec.Struct, forbid_unknown_fields=True):
    """The version the person read: accepting an older one than the current does not pass the gate."""

    version: int


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    purpose: Annotated[str, msgspec.Meta(max_length=40)]
    granted: bool


class ConsentOut(msgspec.Struct):
    purpose: str
    granted: bool
    channel: str
    detail: dict
    recorded_at: datetime


class ConsentLogRow(msgspec.Struct):
    """One consent record across everyone, for the admin console (civic/admin)."""

    id: int
    user_id: int
    display_name: str
    purpose: str
    granted: bool
    channel: str
    detail: dict
    recorded_at: datetime


class PurposeOut(msgspec.Struct):
    purpose: str
    label: str
    granted: bool


class ConsentsOut(msgspec.Struct):
    purposes: list[PurposeOut]
    history: list[ConsentOut]


class EraseIn(msgspec.Struct, forbid_unknown_fields=True):
    """`password` proves it is the person (left empty, a sign-in in the last ten minutes does);
    `code` is the two-step login code or a recovery code, needed when two-step login is on;
    `remove_content` also removes the words of their ideas, comments and published answers (the
    rows stay, so replies and counts stay whole)."""

    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    code: Annotated[str, msgspec.Meta(max_length=100)] = ""
    confirm: bool = False
    remove_content: bool = False


class EraseFormOut(msgspec.Struct):
    """What the erase form asks for: whether a recent sign-in stands in for the password, whether
    a code is needed, and whether the person signs in through an identity provider."""

    fresh_login: bool
    code_needed: bool
    provider_login: bool


class ErasedOut(msgspec.Struct):
    status: str
    content_removed: bool


class ExportFile(msgspec.Struct):
    name: str
    columns: list[str]
    rows: list[dict]
