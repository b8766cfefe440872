"""Writing a dataset's CSV and JSON side by side from one pass over its rows, and the files of a
regeneration: each written as `<name>.part` and renamed when complete, inside a directory of
its own run that nothing serves until the run is recorded as good."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from datetime import date
from pathlib import Path
from typing import BinaryIO, TextIO

import msgspec

from civic.opendata import rules
from civic.opendata.schemas import FileOut
from civic.web.csvout import start_csv

_json = msgspec.json.Encoder()


class Output:
    """One dataset's CSV (UTF-8 with BOM, formula-safe) and JSON (an array of objects keyed by the
    dictionary's column names), and the temporal coverage of what was written."""

    def __init__(self, dataset: rules.Dataset, csv_out: TextIO, json_out: BinaryIO) -> None:
        self.dataset = dataset
        self.rows = 0
        self.first: date | None = None
        self.last: date | None = None
        self._csv = start_csv(csv_out, dataset.header)
        self._json = json_out
        self._json.write(b"[")

    def add(self, row: dict) -> None:
        values = rules.json_row(self.dataset, row)
        self._csv.writerow(rules.csv_row(values))
        self._json.write(b"\n" if self.rows == 0 else b",\n")
        self._json.write(_json.encode(values))
        self.rows += 1
        if self.dataset.date_column:
            self.first, self.last = rules.coverage(self.first, self.last, row.get(self.dataset.date_column))

    def close(self) -> None:
        self._json.write(b"\n]\n" if self.rows else b"]\n")


def in_memory(dataset: rules.Dataset) -> tuple[Output, io.StringIO, io.BytesIO]:
    csv_buf, json_buf = io.StringIO(newline=""), io.BytesIO()
    return Output(dataset, csv_buf, json_buf), csv_buf, json_buf


class RunDirectory:
    """The files of one regeneration, under <data dir>/opendata/<directory>."""

    def __init__(self, root: Path, directory: str) -> None:
        self.root = root
        self.name = directory
        self.path = root / directory
        self.path.mkdir(parents=True)

    def open_dataset(self, dataset: rules.Dataset) -> tuple[Output, list]:
        csv_part = self.path / (rules.filename(dataset.name, "csv") + ".part")
        json_part = self.path / (rules.filename(dataset.name, "json") + ".part")
        csv_fh = csv_part.open("w", encoding="utf-8", newline="")
        json_fh = json_part.open("wb")
        return Output(dataset, csv_fh, json_fh), [csv_fh, json_fh]

    def finish_dataset(self, out: Output, handles: list) -> list[FileOut]:
        out.close()
        for fh in handles:
            fh.close()
        return [
            self._publish(out.dataset.name, fmt, out.rows, out.first, out.last) for fmt in ("csv", "json")
        ]

    def write_bytes(self, dataset: str, fmt: str, data: bytes, rows: int) -> FileOut:
        (self.path / (rules.filename(dataset, fmt) + ".part")).write_bytes(data)
        return self._publish(dataset, fmt, rows, None, None)

    def _publish(self, dataset: str, fmt: str, rows: int, first: date | None, last: date | None) -> FileOut:
        final = self.path / rules.filename(dataset, fmt)
        part = final.with_name(final.name + ".part")
        with part.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        os.replace(part, final)
        return FileOut(dataset=dataset, format=fmt, bytes=final.stat().st_size, rows=rows, sha256=digest,
                       temporal_start=first, temporal_end=last)  # fmt: skip

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def prune(root: Path, keep: set[str]) -> None:
    """Directories of runs no longer served (and of runs that died half-way) are removed."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
