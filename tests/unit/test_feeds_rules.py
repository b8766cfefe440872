"""The feeds' pure rules: which events make entries of which feed, and how an entry reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civic.events import CATALOGUE, Visibility
from civic.feeds import rules
from civic.web.i18n import gettext


def test_feeds_carry_public_kinds_only():
    assert set(rules.ALL_KINDS) <= set(CATALOGUE)
    assert {k for k in rules.ALL_KINDS if CATALOGUE[k].visibility is not Visibility.PUBLIC} == set()
    for scope in ("site", "board", "agency", "province", "consultations", "consultation", "tasks", "search"):
        assert set(rules.kinds_for(scope)) <= set(rules.ALL_KINDS)


def test_conversations_and_moderation_stay_out_of_feeds():
    for kind in ("idea.commented", "section.commented", "comment.edited", "comment.deleted", "content.hidden",
                 "content.restored", "comment.hidden", "idea.supported", "handover.claimed", "consultation.drafted"):  # fmt: skip
        assert kind not in rules.ALL_KINDS


def test_each_feed_carries_what_its_page_shows():
    assert rules.kinds_for("site") == rules.kinds_for("board") == rules.kinds_for("search") == rules.ALL_KINDS
    assert set(rules.kinds_for("consultations")) == {
        "consultation.scheduled", "consultation.opened", "consultation.closed", "outcome.published",
        "outcome.corrected",
    }  # fmt: skip
    assert set(rules.kinds_for("consultation")) == set(rules.kinds_for("consultations")) | {
        "consultation.edited", "consultation.document_added"
    }
    assert set(rules.kinds_for("tasks")) == {k for k in rules.ALL_KINDS if k.startswith("handover.")}
    assert "handover.posted" in rules.kinds_for("tasks") and "idea.submitted" not in rules.kinds_for("tasks")


def test_every_entry_reads_in_thai():
    for kind in rules.ALL_KINDS:
        for msgid in (rules.ENTRY_TITLES[kind], CATALOGUE[kind].summary):
            assert gettext("th", msgid) != msgid, msgid
        assert "%(title)s" in rules.ENTRY_TITLES[kind]


def test_details_of_a_status_change_name_both_statuses():
    lines = rules.details("idea.status_changed", {"from_status": "published", "to_status": "accepted", "reason": ""})
    assert lines == [
        rules.Line("Status: %(from_status)s → %(to_status)s",
                   {"from_status": "Published", "to_status": "Accepted"}, ("from_status", "to_status")),
    ]  # fmt: skip
    # an unknown status is left out rather than shown as a code
    assert rules.details("idea.status_changed", {"from_status": "published", "to_status": "nope"}) == []


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        ("idea.threshold_reached", {"support_count": 120, "threshold": 100},
         [rules.Line("%(supports)s supports (threshold %(threshold)s)", {"supports": 120, "threshold": 100})]),
        ("handover.progress_reported", {"milestone_title": "อบรม", "percent": 40},
         [rules.Line("Milestone %(milestone)s: %(percent)s%% done", {"milestone": "อบรม", "percent": 40})]),
        ("handover.milestone_reviewed", {"milestone_title": "อบรม", "verdict": "partly_met"},
         [rules.Line("Milestone %(milestone)s: %(verdict)s", {"milestone": "อบรม", "verdict": "Partly met"},
                     ("verdict",))]),
        ("handover.milestone_reviewed", {"milestone_title": "อบรม", "verdict": "other"}, []),
        ("outcome.published", {"themes": 3, "correction_note": ""},
         [rules.Line("Themes answered: %(n)s", {"n": 3})]),
        ("outcome.corrected", {"themes": 2, "correction_note": " แก้ตัวเลข "},
         [rules.Line("Themes answered: %(n)s", {"n": 2}), rules.Line("Note: %(text)s", {"text": "แก้ตัวเลข"})]),
        ("consultation.closed", {"reason": "ถอนร่าง", "early": True}, [rules.Line("Note: %(text)s", {"text": "ถอนร่าง"})]),
        ("consultation.edited", {"change_note": "แก้มาตรา ๒"}, [rules.Line("Note: %(text)s", {"text": "แก้มาตรา ๒"})]),
        ("handover.cancelled", {"note": "งบประมาณถูกตัด"}, [rules.Line("Note: %(text)s", {"text": "งบประมาณถูกตัด"})]),
        ("handover.signed_off", {"note": "   "}, []),
        ("idea.submitted", {"title": "x", "board_id": 1}, []),
    ],
)  # fmt: skip
def test_details_add_what_the_payload_tells_the_public(kind, payload, expected):
    assert rules.details(kind, payload) == expected


@pytest.mark.parametrize(
    ("kind", "subject_kind", "subject_id", "slug", "path"),
    [
        ("idea.answered", "idea", 7, None, "/ideas/7"),
        ("board.created", "board", 2, "hatyai-waste", "/boards/hatyai-waste"),
        ("org.verified", "organisation", 4, "rak-nam", "/organisations/rak-nam"),
        ("consultation.opened", "consultation", 5, None, "/consultations/5"),
        ("outcome.published", "consultation", 5, None, "/consultations/5/outcome"),
        ("outcome.corrected", "consultation", 5, None, "/consultations/5/outcome"),
        ("handover.posted", "handover", 9, None, "/handovers/9"),
    ],
)
def test_an_entry_links_to_its_subjects_page(kind, subject_kind, subject_id, slug, path):
    assert rules.entry_path(kind, subject_kind, subject_id, slug) == path


def test_ids_are_tag_uris_on_the_sites_host():
    assert rules.entry_id("https://civic.example.go.th", 42) == "tag:civic.example.go.th,2026:event/42"
    assert rules.entry_id("http://127.0.0.1:8000/", 1) == "tag:127.0.0.1,2026:event/1"
    assert rules.tag("", "feed/site") == "tag:localhost,2026:feed/site"


def test_a_feed_is_as_new_as_its_newest_entry():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    older, newer = now - timedelta(days=2), now - timedelta(days=1)
    assert rules.feed_updated([older, newer], now) == newer
    assert rules.feed_updated([], now) is now


def test_urls_name_the_language_only_when_it_is_not_thai():
    assert rules.url("/feed", {}, "th") == "/feed"
    assert rules.url("/feed", {}, "en") == "/feed?lang=en"
    assert rules.url("/feed/search", {"q": "ไฟ ถนน", "province": "", "kind": "idea"}, "en") == (
        "/feed/search?q=%E0%B9%84%E0%B8%9F+%E0%B8%96%E0%B8%99%E0%B8%99&kind=idea&lang=en"
    )


def test_a_saved_search_keeps_its_query_and_filters_only():
    raw = {"q": "  ไฟถนน ", "province": "KKN", "kind": "", "page": "3", "lang": "en", "agency": None, "status": "open"}
    assert rules.search_params(raw) == {"q": "ไฟถนน", "province": "KKN", "status": "open"}
    assert list(rules.search_params({"status": "open", "q": "x"})) == ["q", "status"]


def test_a_saved_search_drops_what_xml_cannot_carry():
    assert rules.search_params({"q": "ไฟ\x00ถนน\x1f", "province": "\x0b"}) == {"q": "ไฟถนน"}
    assert rules.search_params({"q": "บรรทัด\tแท็บ"}) == {"q": "บรรทัด\tแท็บ"}


@pytest.mark.parametrize(
    "payload",
    [
        {"from_status": "nope", "to_status": "accepted"},
        {"to_status": "accepted"},
        {"from_status": "published"},
        {"from_status": "", "to_status": ""},
        {},
    ],
)
def test_a_status_change_with_an_unknown_or_missing_status_has_no_status_line(payload):
    # either side unknown or missing: no "Status:" line at all, rather than one with a blank or a code
    assert rules.details("idea.status_changed", payload) == []
    assert rules.details("idea.status_changed", payload | {"reason": " ซ้ำ "}) == [
        rules.Line("Note: %(text)s", {"text": "ซ้ำ"})
    ]


@pytest.mark.parametrize(
    ("kind", "payload", "expected"),
    [
        # a number the payload does not carry reads as 0, a title it does not carry as empty
        ("idea.threshold_reached", {},
         [rules.Line("%(supports)s supports (threshold %(threshold)s)", {"supports": 0, "threshold": 0})]),
        ("idea.threshold_reached", {"threshold": 100},
         [rules.Line("%(supports)s supports (threshold %(threshold)s)", {"supports": 0, "threshold": 100})]),
        ("idea.threshold_reached", {"support_count": 5},
         [rules.Line("%(supports)s supports (threshold %(threshold)s)", {"supports": 5, "threshold": 0})]),
        ("handover.progress_reported", {},
         [rules.Line("Milestone %(milestone)s: %(percent)s%% done", {"milestone": "", "percent": 0})]),
        ("handover.progress_reported", {"percent": 100},
         [rules.Line("Milestone %(milestone)s: %(percent)s%% done", {"milestone": "", "percent": 100})]),
        ("handover.progress_reported", {"milestone_title": "อบรม"},
         [rules.Line("Milestone %(milestone)s: %(percent)s%% done", {"milestone": "อบรม", "percent": 0})]),
        ("handover.milestone_reviewed", {"verdict": "met"},
         [rules.Line("Milestone %(milestone)s: %(verdict)s", {"milestone": "", "verdict": "Met"}, ("verdict",))]),
        ("handover.milestone_reviewed", {"milestone_title": "อบรม", "verdict": "not_met"},
         [rules.Line("Milestone %(milestone)s: %(verdict)s", {"milestone": "อบรม", "verdict": "Not met"},
                     ("verdict",))]),
        ("handover.milestone_reviewed", {"milestone_title": "อบรม"}, []),
        ("outcome.published", {}, [rules.Line("Themes answered: %(n)s", {"n": 0})]),
        ("outcome.corrected", {}, [rules.Line("Themes answered: %(n)s", {"n": 0})]),
        ("outcome.published", {"themes": 1}, [rules.Line("Themes answered: %(n)s", {"n": 1})]),
    ],
)  # fmt: skip
def test_details_fill_what_the_payload_leaves_out(kind, payload, expected):
    assert rules.details(kind, payload) == expected


def test_a_url_without_a_language_is_the_thai_one():
    assert rules.url("/feed", {}) == "/feed"
    assert rules.url("/feed/search", {"q": "x"}) == "/feed/search?q=x"
