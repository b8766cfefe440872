"""`python -m civic import ideas FILE --board SLUG`: agencies moving existing ideas in.

JSON Lines (one object per line) or CSV with a header row. Fields: title, body, province
(code such as BKK), optional category and author_email. Each good row becomes an idea through
civic.ideas.store.create_idea and its search outbox row, in one transaction; each bad row is
reported with its line number and skipped, and good rows are kept.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import msgspec

from civic import provinces
from civic.search import outbox
from civic.web.i18n import gettext

FIELDS = ("title", "body", "province", "category", "author_email")


class ImportReport(msgspec.Struct):
    created: list[int] = []
    errors: list[tuple[int, str]] = []  # (line number, message)


def read_rows(path: Path) -> Iterator[tuple[int, dict | None, str]]:
    """(line, row or None, problem). CSV line numbers count the header as line 1."""
    raw = path.read_bytes().decode("utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw, newline=""))
        missing = {"title", "body"} - set(reader.fieldnames or [])
        if missing:
            yield (
                1,
                None,
                f"the header must name the columns title, body (missing: {', '.join(sorted(missing))})",
            )
            return
        start = 2
        for row in reader:
            yield start, {k: (v or "").strip() for k, v in row.items() if k}, ""
            start = reader.line_num + 1
        return
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"not valid JSON ({exc.msg})"
            continue
        if not isinstance(value, dict):
            yield number, None, "each line must be a JSON object"
            continue
        yield number, {k: ("" if v is None else str(v)).strip() for k, v in value.items()}, ""


async def import_ideas(
    conn: asyncpg.Connection,
    path: Path,
    board_slug: str,
    *,
    default_author_email: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    from civic.accounts import store as accounts
    from civic.ideas import rules
    from civic.ideas import store as ideas

    report = ImportReport(created=[], errors=[])
    board = await ideas.get_board(conn, board_slug)
    if board is None:
        report.errors.append((0, f"no board with slug {board_slug!r}"))
        return report
    default_author = None
    if default_author_email:
        default_author = await accounts.user_id_by_email(conn, default_author_email)
        if default_author is None:
            report.errors.append((0, f"no account with {default_author_email}"))
            return report
    for line, row, problem in read_rows(path):
        if progress:
            progress(1)
        if row is None:
            report.errors.append((line, problem))
            continue
        title, body = row.get("title", ""), row.get("body", "")
        written = row.get("province", "").strip()
        province = provinces.code_for_name(written) if written else ""
        if province is None:
            report.errors.append((line, f"province: no province is called {written!r}"))
            continue
        category = row.get("category", "")
        errors = rules.validate_idea(title, body, category, province, [], board.categories)
        if errors:
            message = "; ".join(f"{f}: {gettext('en', p.msgid, **p.params)}" for f, p in errors.items())
            report.errors.append((line, message))
            continue
        email = row.get("author_email", "")
        author = await accounts.user_id_by_email(conn, email) if email else default_author
        if author is None:
            report.errors.append(
                (
                    line,
                    f"author_email: no account with {email!r}"
                    if email
                    else "author_email is empty and no --author was given",
                )
            )
            continue
        try:
            # create_idea records no event, so the search consumer never hears of it: queue it here.
            async with conn.transaction():
                idea_id = await ideas.create_idea(
                    conn, board_id=board.id, author_id=author, title=title, body=body,
                    category=category, province=province or None, links=[],
                )  # fmt: skip
                await outbox.enqueue(conn, "idea", idea_id)
        except ideas.NotAllowed:
            report.errors.append((line, f"board {board_slug!r} is closed to new ideas"))
            continue
        except asyncpg.PostgresError as exc:
            report.errors.append((line, f"database refused the row: {exc.__class__.__name__}"))
            continue
        report.created.append(idea_id)
    return report
