"""The template helpers that write markup or addresses themselves."""

from __future__ import annotations

from markupsafe import Markup

from civic.web.templating import page_links, percent


def test_a_share_is_written_with_an_unbroken_per_cent_sign():
    assert percent(12.5) == Markup("12.5&nbsp;%")
    assert percent(0) == Markup("0&nbsp;%")


def test_no_share_is_a_muted_dash():
    assert percent(None) == Markup('<span class="muted">–</span>')


def test_what_is_not_a_number_is_escaped():
    assert percent("<b>") == Markup("&lt;b&gt;&nbsp;%")


def test_a_page_link_keeps_the_list_s_parameters_encoded_and_leaves_out_empty_ones():
    url = page_links("/ideas", {"sort": "new", "status": None, "category": "ถนน & ทางเท้า", "province": ""})
    assert url(2) == "/ideas?sort=new&category=%E0%B8%96%E0%B8%99%E0%B8%99+%26+%E0%B8%97%E0%B8%B2%E0%B8%87%E0%B9%80%E0%B8%97%E0%B9%89%E0%B8%B2&page=2"
    assert page_links("/consultations", {"tab": None})(1) == "/consultations?page=1"


def test_a_page_link_carries_its_anchor_token_when_the_page_has_one():
    url = page_links("/handovers", {"order": "deadline"}, lambda n: "a0_1e+20_64" if n == 4 else None)
    assert url(4) == "/handovers?order=deadline&page=4&at=a0_1e%2B20_64"
    assert url(3) == "/handovers?order=deadline&page=3"
