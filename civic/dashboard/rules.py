"""What the dashboard's figures mean and how its pictures are drawn. Pure.

The definitions (each counted by store.REFRESH over the base tables):
- answers due: visible ideas whose response clock started (they reached their board's threshold);
- answered on time: of those, answered no later than the clock said; the share is over the ones
  already settled (answered, or past due), so a clock still running counts neither way;
- median days to answer: from the threshold to the first answer, over answered ideas;
- overdue now: unanswered and past due, the same rule as the public list /ideas/overdue;
- consultations held: closed, with or without an outcome; an outcome is on time when its first
  version was published by outcome_due_at (migration 0160, the OUTCOME_DUE_DAYS settings);
- tasks delegated: published handover tasks; completed: signed off; overdue: claimed or in
  progress past the end of their deadline day, Bangkok time;
- promises: visible ideas on the agency's boards that it accepted (accepted, in progress or
  implemented, or with an implementation plan), and the adopted themes of the latest outcome of
  its consultations; kept: of those, the ones whose implementation plan was reported implemented
  by the end of its last milestone's day, Bangkok time (civic/implementation). The share is over
  every promise: one with no plan, or still running, is not (yet) kept.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from civic.accounts.schemas import CurrentUser

LEVELS = ("central", "regional", "local")
WEEKS = 26
# The columns the responsiveness table sorts by (an allow-list: the query string picks one).
SORTS = (
    "name", "answers_due", "on_time_share", "median_days", "overdue_now", "consultations_held",
    "outcomes_on_time", "tasks_delegated", "tasks_completed", "tasks_overdue", "promises_kept_share",
)  # fmt: skip
SERIES = ("ideas", "supports", "responses", "claims")

# A tile-grid cartogram: each province a square at (column, row), placed by hand to keep its
# neighbours around it (north at the top, the north-east to the right, the south running down
# the peninsula). Geometry only, no boundary data: no boundary file with a usable licence ships
# in a package we use (checked in the registries' lists, see docs/ARCHITECTURE.md).
TILES: dict[str, tuple[int, int]] = {
    "CRI": (3, 0),
    "MSN": (1, 1), "CMI": (2, 1), "PYO": (3, 1), "NAN": (4, 1),
    "LPN": (1, 2), "LPG": (2, 2), "PRE": (3, 2), "UTT": (4, 2), "NKI": (7, 2), "BKN": (8, 2),
    "TAK": (1, 3), "STI": (2, 3), "PLK": (3, 3), "PNB": (4, 3), "LEI": (5, 3), "NBP": (6, 3),
    "UDN": (7, 3), "SNK": (8, 3), "NPM": (9, 3),
    "KPT": (2, 4), "PCK": (3, 4), "CPM": (5, 4), "KKN": (6, 4), "KSN": (7, 4), "MDH": (8, 4),
    "UTI": (2, 5), "NSN": (3, 5), "LRI": (4, 5), "NMA": (5, 5), "MKM": (6, 5), "RET": (7, 5),
    "YST": (8, 5), "ACR": (9, 5),
    "KRI": (1, 6), "SPB": (2, 6), "CNT": (3, 6), "SBR": (4, 6), "SRI": (5, 6), "BRM": (6, 6),
    "SRN": (7, 6), "SSK": (8, 6), "UBN": (9, 6),
    "NPT": (2, 7), "ATG": (3, 7), "AYA": (4, 7), "NYK": (5, 7), "PRI": (6, 7), "SKW": (7, 7),
    "RBR": (1, 8), "SKN": (2, 8), "NBI": (3, 8), "PTE": (4, 8), "CCO": (5, 8),
    "PBI": (1, 9), "SKM": (2, 9), "BKK": (3, 9), "SPK": (4, 9), "CBI": (5, 9), "RYG": (6, 9),
    "CTI": (7, 9), "TRT": (8, 9),
    "PKN": (1, 10),
    "CPN": (1, 11),
    "RNG": (0, 12), "SNI": (1, 12),
    "PNA": (0, 13), "KBI": (1, 13), "NRT": (2, 13),
    "PKT": (0, 14), "TRG": (1, 14), "PLG": (2, 14),
    "STN": (1, 15), "SKA": (2, 15), "PTN": (3, 15),
    "YLA": (2, 16), "NWT": (3, 16),
}  # fmt: skip
TILE = 36  # px, the square's side in the SVG's own units
GAP = 3
SHADES = 5  # classes of the map's colour scale (class 0 is "none yet")


class Tile(NamedTuple):
    code: str
    x: int
    y: int
    shade: int


class Bar(NamedTuple):
    x: float
    y: float
    width: float
    height: float
    value: int


def map_size() -> tuple[int, int]:
    cols = max(c for c, _ in TILES.values()) + 1
    rows = max(r for _, r in TILES.values()) + 1
    return cols * (TILE + GAP), rows * (TILE + GAP)


def shade(value: float, top: float) -> int:
    """The colour class of a value on a scale up to `top`: 0 for none, then 1..SHADES-1 by equal
    steps, so the lightest non-empty class still differs from a province with nothing."""
    if value <= 0 or top <= 0:
        return 0
    return min(SHADES - 1, math.ceil(value * (SHADES - 1) / top))


def per_100k(count: int, population: int) -> float:
    return round(count * 100_000 / population, 1)


def parse_population(text: str, resolve: Callable[[str], str | None]) -> tuple[dict[str, int], list[str]]:
    """An operator's population table (POPULATION_CSV): a `province,population` header, then one
    row per province, named by code or by name (`resolve`), with a whole number of people. Every
    one of the 77 exactly once, or the errors, all of them."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["province", "population"]:
        return {}, ["the first line must be the header province,population"]
    found: dict[str, int] = {}
    errors = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        name, number = (*row, "")[:2]
        number = number.replace(",", "").replace(" ", "")  # 1,234,567 and 1 234 567 as written
        code = resolve(name)
        if code is None:
            errors.append(f"line {line}: {name!r} is not a province")
        elif code in found:
            errors.append(f"line {line}: {name!r} is listed twice")
        elif not (number.isascii() and number.isdigit() and int(number) > 0):
            errors.append(f"line {line}: the population of {name!r} must be a whole number above 0")
        else:
            found[code] = int(number)
    missing = sorted(set(TILES) - set(found))
    if missing:
        errors.append(f"no population for {len(missing)} provinces: {', '.join(missing)}")
    return found, errors


def tiles(values: dict[str, float]) -> list[Tile]:
    top = max(values.values(), default=0)
    return [
        Tile(code, col * (TILE + GAP), row * (TILE + GAP), shade(values.get(code, 0), top))
        for code, (col, row) in TILES.items()
    ]


def bars(values: Sequence[int], width: float, height: float) -> list[Bar]:
    """Vertical bars filling width x height, scaled to the largest value (a zero is a flat bar)."""
    if not values:
        return []
    top = max(max(values), 1)
    step = width / len(values)
    out = []
    for i, v in enumerate(values):
        h = height * v / top
        out.append(
            Bar(round(i * step + step * 0.1, 2), round(height - h, 2), round(step * 0.8, 2), round(h, 2), v)
        )
    return out


def share(part: int, whole: int) -> float | None:
    """A share in per cent with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def check_filters(
    level: str | None, province: str | None, sort: str | None, valid_province
) -> dict[str, str]:
    """Unknown filter values are dropped rather than refused: the page is public and a stale link
    should still show the table. Returns the names of the dropped ones, for the page to say so."""
    dropped = {}
    if level is not None and level not in LEVELS:
        dropped["level"] = level
    if province is not None and not valid_province(province):
        dropped["province"] = province
    if sort is not None and sort.lstrip("-") not in SORTS:
        dropped["sort"] = sort
    return dropped


def sort_key(sort: str) -> tuple[str, bool]:
    """'-overdue_now' sorts that column in descending order."""
    return sort.lstrip("-"), sort.startswith("-")


def sorted_rows(rows: Iterable, sort: str, collate) -> list:
    """Rows sorted by an allow-listed column; names in Thai dictionary order (`collate`), and a
    missing figure (no answers yet) always last whichever way the column sorts."""
    column, descending = sort_key(sort)
    rows = list(rows)
    if column == "name":
        ordered = collate(rows)
        return ordered[::-1] if descending else ordered
    known = [r for r in rows if getattr(r, column) is not None]
    unknown = [r for r in rows if getattr(r, column) is None]
    known.sort(key=lambda r: getattr(r, column), reverse=descending)
    return known + unknown


def agency_ids(user: CurrentUser | None) -> list[int]:
    return [m.org_id for m in (user.memberships if user else ()) if m.kind == "agency"]


def can_see_queue(user: CurrentUser | None) -> bool:
    """The queue is for agency staff; everyone else has nothing waiting there."""
    return bool(agency_ids(user))
