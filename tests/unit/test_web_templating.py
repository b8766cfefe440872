"""The template helpers that write markup themselves."""

from __future__ import annotations

from markupsafe import Markup

from civic.web.templating import percent


def test_a_share_is_written_with_an_unbroken_per_cent_sign():
    assert percent(12.5) == Markup("12.5&nbsp;%")
    assert percent(0) == Markup("0&nbsp;%")


def test_no_share_is_a_muted_dash():
    assert percent(None) == Markup('<span class="muted">–</span>')


def test_what_is_not_a_number_is_escaped():
    assert percent("<b>") == Markup("&lt;b&gt;&nbsp;%")
