"""Every CSV the platform writes goes through here, so none of them can carry a spreadsheet formula.

A cell that starts with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`). OWASP's
"CSV Injection" advice: prefix such a cell with a single quote so it is shown as text, and quote
every field so a separator inside a cell cannot start a new one. Numbers the platform itself
writes (ints, floats) are not text anyone typed, and stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from litestar import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell as it may be written: text that a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer quoting every field, each cell through safe_cell."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])


def start_csv(out: TextIO, header: Iterable[object]) -> SafeWriter:
    """A BOM (so Excel opens Thai as UTF-8) and the header; the rows follow one by one, so a
    bulk file need not fit in memory."""
    out.write("\ufeff")
    writer = SafeWriter(out)
    writer.writerow(header)
    return writer


def to_csv(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The CSV text with a BOM."""
    buf = io.StringIO()
    writer = start_csv(buf, header)
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


def csv_response(header: Iterable[object], rows: Iterable[Iterable[object]], filename: str) -> Response:
    # Litestar adds "; charset=utf-8" to a text/* media type itself: naming it here doubled it.
    return Response(
        to_csv(header, rows),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
