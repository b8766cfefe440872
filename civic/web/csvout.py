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

from litestar import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell as it may be written: text that a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The CSV text with a BOM, so Excel opens Thai as UTF-8."""
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL)
    for row in (header, *rows):
        w.writerow([safe_cell(v) for v in row])
    return "\ufeff" + buf.getvalue()


def csv_response(header: Iterable[object], rows: Iterable[Iterable[object]], filename: str) -> Response:
    # Litestar adds "; charset=utf-8" to a text/* media type itself: naming it here doubled it.
    return Response(
        to_csv(header, rows),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
