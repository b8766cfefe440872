"""Open data: what a regeneration records and what /data and its JSON twin show."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class FileOut(msgspec.Struct, frozen=True):
    dataset: str
    format: str
    bytes: int
    rows: int
    sha256: str
    temporal_start: date | None = None
    temporal_end: date | None = None


class RunOut(msgspec.Struct, frozen=True):
    id: int
    ok: bool
    error: str
    started_at: datetime
    finished_at: datetime


class ColumnOut(msgspec.Struct, frozen=True):
    name: str
    type: str
    description: str


class DistributionOut(msgspec.Struct, frozen=True):
    format: str
    url: str
    media_type: str
    bytes: int
    rows: int
    sha256: str


class DatasetOut(msgspec.Struct, frozen=True):
    name: str
    title: str
    description: str
    columns: list[ColumnOut]
    distributions: list[DistributionOut]
    temporal_start: date | None = None
    temporal_end: date | None = None


class Overview(msgspec.Struct, frozen=True):
    """/data: the current files, when they were made, and the last failure if it came after."""

    licence: str
    licence_url: str
    catalogue: list[str]
    regenerated: RunOut | None
    failed: RunOut | None
    datasets: list[DatasetOut]
    # Column type -> what it means, in the reader's language.
    types: dict[str, str]
    can_regenerate: bool = False


class RegenerateOut(msgspec.Struct, frozen=True):
    run: RunOut
    files: int
