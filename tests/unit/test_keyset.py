"""civic.keyset: the tokens a page's links carry, read back exactly, and only those."""

from datetime import UTC, date, datetime

import pytest

from civic import keyset


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        (2351.598007195408, float),
        (0.1 + 0.2, float),
        (-3.5, float),
        (1e-07, float),
        (0, int),
        (1234567, int),
        (datetime(2026, 12, 7, 13, 5, 21, 123456, tzinfo=UTC), datetime),
        (datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime),
        (date(2026, 12, 7), date),
    ],
)
def test_a_position_reads_back_as_the_same_key(key, kind):
    for forward, letter in ((True, "a"), (False, "b")):
        anchor = keyset.parse(f"{letter}20_{keyset.position(key, 4412)}", kind, 20)
        assert anchor == keyset.Anchor(forward, 20, key, 4412)
        assert type(anchor.key) is type(key)


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        (None, int),
        ("", int),
        ("a0_12", int),  # no id
        ("c0_12_4", int),  # neither after nor before
        ("a0_12_-4", int),
        ("a0_12.5_4", int),  # a float where the sort's key is whole
        ("a0_nan_4", float),
        ("a0_inf_4", float),
        ("a0_1e999_4", float),
        ("a0_99999999999999999999999_4", datetime),  # past any date
        ("a0_2026-13-01_4", date),
        ("a10_12_4", int),  # not a whole page
        ("a40_12_4", int),  # further than a page links
        ("a0_12_4 ", int),
        ("a0_๑๒_4", int),
    ],
)
def test_anything_a_link_never_writes_is_no_anchor(token, kind):
    assert keyset.parse(token, kind, 20) is None


def test_a_page_anchors_its_neighbours_on_its_own_ends():
    def link(target, page=10):
        return keyset.link(page, 20, target, 20, "70_11", "40_31")

    assert link(11) == "a0_40_31"
    assert link(12) == "a20_40_31"
    assert link(9) == "b0_70_11"
    assert link(8) == "b20_70_11"
    # The first and last three pages are opened by number, and so are the page itself and pages
    # out of reach.
    assert [link(n) for n in (1, 20, 10, 7, 13, 0, 21)] == [None] * 7
    assert [keyset.link(5, 20, n, 20, "7_1", "4_3") for n in (3, 4, 6, 7)] == [None, "b0_7_1", "a0_4_3", "a20_4_3"]
    assert [keyset.link(16, 20, n, 20, "7_1", "4_3") for n in (14, 15, 17, 18)] == ["b20_7_1", "b0_7_1", "a0_4_3", None]
    assert keyset.link(9, 20, 10, 20, None, None) is None
    assert keyset.link(9, 20, 10, 20, "7_1", None) is None and keyset.link(9, 20, 10, 20, None, "4_3") is None
    # Every token a page writes, the list reads back.
    for target in (8, 9, 11, 12):
        anchor = keyset.parse(link(target), int, 20)
        assert anchor is not None and anchor.forward is (target > 10)


def test_a_page_by_number_is_read_from_the_nearer_end():
    def read(page, total=95):
        r = keyset.reading(total, page, 20, None, int)
        return r.page, r.pages, r.backward, r.limit, r.offset, r.anchor

    # 95 rows, pages of 20: page 5 holds the last 15.
    assert read(1) == (1, 5, False, 20, 0, [])
    assert read(2) == (2, 5, False, 20, 20, [])
    assert read(3) == (3, 5, True, 20, 35, [])  # rows 40-59: 35 after them, 40 before
    assert read(4) == (4, 5, True, 20, 15, [])
    assert read(5) == (5, 5, True, 15, 0, [])
    # A page past the last is the last; before the first, the first; an empty list has one.
    assert read(99) == read(5) and read(0) == read(1) and read(-3) == read(1)
    assert read(1, total=0) == (1, 1, False, 0, 0, [])
    assert read(3, total=40) == (2, 2, True, 20, 0, [])


def test_only_the_first_pages_by_number_are_read_forward_without_the_total():
    assert [keyset.leading(n, 20, None) for n in range(1, keyset.BY_NUMBER + 1)] == [0, 20, 40][: keyset.BY_NUMBER]
    assert keyset.leading(2, 50, None) == 50
    # Past the first few, the nearer end (so the total) decides; an anchored page reads its anchor.
    assert keyset.leading(keyset.BY_NUMBER + 1, 20, None) is None
    assert keyset.leading(0, 20, None) is None and keyset.leading(-1, 20, None) is None
    assert keyset.leading(1, 20, "a0_2351.59_4412") is None
    # Where it reads forward, it reads what the page by number would, when the list is long enough.
    for n in range(1, keyset.BY_NUMBER + 1):
        r = keyset.reading(1000, n, 20, None, int)
        assert (r.backward, r.offset) == (False, keyset.leading(n, 20, None))


def test_an_anchored_page_reads_whole_pages_past_its_anchor_the_way_it_says():
    after = keyset.reading(300, 7, 20, "a20_5_1", int)
    assert (after.page, after.pages, after.backward, after.limit, after.offset, after.anchor) == (
        7, 15, False, 20, 20, [5, 1]
    )  # fmt: skip
    # The anchor's key is read as the list's key type.
    assert keyset.reading(300, 7, 20, "b0_2026-12-07_9", date).anchor == [date(2026, 12, 7), 9]
    before = keyset.reading(300, 7, 20, "b0_5_1", int)
    assert (before.backward, before.limit, before.offset, before.anchor) == (True, 20, 0, [5, 1])
    # A token the list never wrote is no anchor: the page is read by its number.
    assert keyset.reading(300, 7, 20, "a10_5_1", int) == keyset.reading(300, 7, 20, None, int)


def test_a_page_describes_itself_with_its_neighbours_tokens():
    page = keyset.Paged(total=400, page=10, pages=20, per_page=20, first="7_1", last="4_3")
    assert page.described() == {
        "total": 400, "page": 10, "pages": 20, "per_page": 20, "next_at": "a0_4_3", "previous_at": "b0_7_1",
    }  # fmt: skip
    assert keyset.Paged(total=40, page=2, pages=2, per_page=20).described()["next_at"] is None


def test_the_rows_past_an_anchor_follow_the_list_s_direction():
    assert keyset.beyond(descending=True, backward=False) == "<"
    assert keyset.beyond(descending=True, backward=True) == ">"
    assert keyset.beyond(descending=False, backward=False) == ">"
    assert keyset.beyond(descending=False, backward=True) == "<"


def test_a_page_number_is_read_as_typed_and_anything_else_is_page_1():
    assert [keyset.page_number(t) for t in ("3", "๑๒", "0", None, "", "-2", "2.5", "x", "١٢")] == [
        3, 12, 1, 1, 1, 1, 1, 1, 1,
    ]  # fmt: skip
