from __future__ import annotations

from types import SimpleNamespace

import pytest

from civic import provinces
from civic.dashboard import rules


def test_the_tile_grid_places_every_province_once():
    assert set(rules.TILES) == provinces.codes()
    assert len(set(rules.TILES.values())) == 77


@pytest.mark.parametrize(
    ("value", "top", "shade"),
    [
        (0, 10, 0),
        (1, 0, 0),
        (1, 100, 1),
        (25, 100, 1),
        (26, 100, 2),
        (50, 100, 2),
        (75, 100, 3),
        (76, 100, 4),
        (100, 100, 4),
    ],
)
def test_shades_split_the_range_into_equal_steps_and_keep_zero_apart(value, top, shade):
    assert rules.shade(value, top) == shade


def test_tiles_are_placed_on_the_grid_and_shaded_against_the_largest():
    tiles = {t.code: t for t in rules.tiles({"BKK": 10, "CMI": 5})}
    assert (tiles["BKK"].x, tiles["BKK"].y) == (3 * (rules.TILE + rules.GAP), 9 * (rules.TILE + rules.GAP))
    assert (tiles["BKK"].shade, tiles["CMI"].shade, tiles["YLA"].shade) == (4, 2, 0)
    w, h = rules.map_size()
    assert all(t.x + rules.TILE <= w and t.y + rules.TILE <= h for t in tiles.values())


def test_bars_fill_the_box_and_scale_to_the_largest():
    bars = rules.bars([0, 5, 10], 300, 100)
    assert [b.height for b in bars] == [0, 50, 100]
    assert [b.y for b in bars] == [100, 50, 0]
    assert bars[1].x == 110 and bars[1].width == 80
    assert rules.bars([], 300, 100) == []
    assert [b.height for b in rules.bars([0, 0], 10, 10)] == [0, 0]


def test_share_is_none_without_a_denominator():
    assert rules.share(1, 3) == 33.3
    assert rules.share(0, 0) is None


def test_unknown_filters_are_named_and_dropped():
    assert rules.check_filters("local", "BKK", "-overdue_now", provinces.is_valid) == {}
    assert rules.check_filters("galactic", "XXX", "id; drop", provinces.is_valid) == {
        "level": "galactic",
        "province": "XXX",
        "sort": "id; drop",
    }


def test_sorting_puts_missing_figures_last_either_way():
    rows = [SimpleNamespace(name_th=n, median_days=d) for n, d in (("ข", 3.0), ("ก", None), ("ค", 1.0))]
    collate = lambda rs: sorted(rs, key=lambda r: r.name_th)  # noqa: E731
    assert [r.median_days for r in rules.sorted_rows(rows, "median_days", collate)] == [1.0, 3.0, None]
    assert [r.median_days for r in rules.sorted_rows(rows, "-median_days", collate)] == [3.0, 1.0, None]
    assert [r.name_th for r in rules.sorted_rows(rows, "-name", collate)] == ["ค", "ข", "ก"]


def test_only_agency_staff_have_a_queue():
    member = SimpleNamespace(org_id=7, kind="agency")
    partner = SimpleNamespace(org_id=8, kind="partner")
    assert rules.agency_ids(SimpleNamespace(memberships=(member, partner))) == [7]
    assert rules.can_see_queue(SimpleNamespace(memberships=(member,)))
    assert not rules.can_see_queue(SimpleNamespace(memberships=(partner,)))
    assert not rules.can_see_queue(None)


# ------------------------------------------------------------------ exact answers (mutation testing)


@pytest.mark.parametrize(
    ("value", "top", "shade"),
    [
        (1, 1, 4),  # the only value there is: the darkest class
        (1, 3, 2),  # a third of the way (1.33 of 4 steps) is in the second class
        (10, 1, 4),  # above the top (a stale top): still the darkest class, never beyond
    ],
)
def test_shade_edges(value, top, shade):
    assert rules.shade(value, top) == shade


def test_an_empty_map_is_all_none_yet():
    assert {t.shade for t in rules.tiles({})} == {0} and len(rules.tiles({})) == 77


def test_the_map_is_ten_tiles_wide_and_seventeen_tall():
    # columns 0..9 and rows 0..16, each tile 36 px with a 3 px gap
    assert rules.map_size() == (10 * 39, 17 * 39)


def test_bars_fill_the_box_at_two_decimals():
    assert rules.bars([1, 2, 3], 100, 100) == [
        rules.Bar(3.33, 66.67, 26.67, 33.33, 1),
        rules.Bar(36.67, 33.33, 26.67, 66.67, 2),
        rules.Bar(70.0, 0.0, 26.67, 100.0, 3),
    ]
    # values of at most 1 are scaled to 1, so a single 1 fills the height
    assert rules.bars([1], 10, 10) == [rules.Bar(1.0, 0.0, 8.0, 10.0, 1)]
    assert rules.bars([0, 0], 10, 10)[0].height == 0.0


def test_a_share_of_more_than_one():
    assert rules.share(3, 4) == 75.0 and rules.share(2, 3) == 66.7


def test_only_a_leading_minus_reverses_a_column():
    assert rules.sort_key("Xname") == ("Xname", False)
    assert rules.check_filters(None, None, "Xname", provinces.is_valid) == {"sort": "Xname"}


def test_names_sort_ascending_unless_asked_otherwise():
    rows = [SimpleNamespace(name=n) for n in ("ข", "ก", "ค")]

    def collate(items):
        return sorted(items, key=lambda r: r.name)

    assert [r.name for r in rules.sorted_rows(rows, "name", collate)] == ["ก", "ข", "ค"]
    assert [r.name for r in rules.sorted_rows(rows, "-name", collate)] == ["ค", "ข", "ก"]


def _table(rows: list[tuple[str, str]], header: str = "province,population") -> str:
    return "\n".join([header, *(f'{a},"{b}"' for a, b in rows)]) + "\n"


ALL = [(code, str(1000 * (i + 1))) for i, code in enumerate(sorted(rules.TILES))]


def test_a_population_table_names_every_province_once_by_code_or_name():
    rows = [("กรุงเทพมหานคร" if code == "BKK" else code, n) for code, n in ALL]
    rows[1] = (rows[1][0], "1,234,567")  # thousands separators are read
    rows[2] = (rows[2][0], "7 654 321")
    rows[4] = (rows[4][0], "1")
    text = _table(rows, header="Province, Population ,name_en")  # more columns may follow
    text = text.replace("\n", "\n\n", 2)  # blank lines are skipped, not the end
    found, errors = rules.parse_population(text, provinces.code_for_name)
    assert errors == []
    assert len(found) == 77 and found["BKK"] == int(dict(ALL)["BKK"])
    assert (found[ALL[1][0]], found[ALL[2][0]], found[ALL[4][0]]) == (1_234_567, 7_654_321, 1)


def test_a_population_table_gets_every_error_at_once():
    rows = ALL[3:] + [("Atlantis", "5"), (ALL[3][0], "7"), (ALL[2][0], "-3"), (ALL[1][0], "many")]
    text = _table(rows) + f"{ALL[0][0]}\n"  # a province with no number at all
    found, errors = rules.parse_population(text, provinces.code_for_name)
    assert f"line 80: the population of {ALL[0][0]!r} must be a whole number above 0" in errors
    assert "line 76: 'Atlantis' is not a province" in errors
    assert f"line 77: {ALL[3][0]!r} is listed twice" in errors
    assert any("must be a whole number above 0" in e and ALL[2][0] in e for e in errors)
    assert any("must be a whole number above 0" in e and ALL[1][0] in e for e in errors)
    assert errors[-1] == f"no population for 3 provinces: {', '.join(code for code, _ in ALL[:3])}"
    assert rules.parse_population("province,population\nBKK,0\n", provinces.code_for_name)[1][0] == (
        "line 2: the population of 'BKK' must be a whole number above 0"
    )
    assert rules.parse_population("code,people\nBKK,5\n", provinces.code_for_name)[1] == [
        "the first line must be the header province,population"
    ]
    assert rules.parse_population("", provinces.code_for_name)[1]


def test_per_100k_and_fractional_shades():
    assert rules.per_100k(3, 600_000) == 0.5
    assert rules.per_100k(0, 10) == 0.0
    assert rules.per_100k(1, 3) == 33333.3  # one decimal, and exactly per 100,000
    assert rules.per_100k(1, 300_000) == 0.3
    assert rules.shade(0.5, 2.0) == 1 and rules.shade(2.0, 2.0) == 4 and rules.shade(1.01, 2.0) == 3
