"""civic.keyset: the tokens a page's links carry, read back exactly, and only those."""

from datetime import UTC, datetime

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
        ("a10_12_4", int),  # not a whole page
        ("a40_12_4", int),  # further than a page links
        ("a0_12_4 ", int),
        ("a0_๑๒_4", int),
    ],
)
def test_anything_a_link_never_writes_is_no_anchor(token, kind):
    assert keyset.parse(token, kind, 20) is None


def test_a_page_anchors_its_neighbours_on_its_own_ends():
    def link(target, page=5):
        return keyset.link(page, 9, target, 20, "70_11", "40_31")

    assert link(6) == "a0_40_31"
    assert link(7) == "a20_40_31"
    assert link(4) == "b0_70_11"
    assert link(3) == "b20_70_11"
    # The ends of the list, the page itself and pages out of reach are opened by number.
    assert [link(n) for n in (1, 9, 5, 2, 8, 0, 10)] == [None] * 7
    assert keyset.link(2, 9, 3, 20, None, None) is None
    # Every token a page writes, the list reads back.
    for target in (3, 4, 6, 7):
        anchor = keyset.parse(link(target), int, 20)
        assert anchor is not None and anchor.forward is (target > 5)
