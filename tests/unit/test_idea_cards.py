"""What an idea's card and support widget say (civic/ideas/cards.py), decided in Python: the offer
each reader meets, the threshold's promise, the badges and the words, in Thai and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civic.accounts.schemas import CurrentUser
from civic.ideas import cards
from civic.ideas.schemas import Idea

CREATED = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _idea(**changes) -> Idea:
    fields = dict(
        id=12, board_id=1, board_slug="b", board_title="B", agency_id=3, agency_slug="a",
        agency_name_th="เทศบาลนครหาดใหญ่", agency_name_en="Hat Yai City", author_id=9, author_name="ก",
        title="ไวไฟ", body="", category="", province="SKA", links=[], status="published",
        status_reason="", duplicate_of=None, hidden=False, hidden_reason="", support_count=8,
        comment_count=4, threshold_reached_at=None, answer_due_at=None, created_at=CREATED,
        updated_at=CREATED, board_open=True, support_threshold=10, board_response_days=30,
        board_requires_national_id=False, answered=False, overdue=False,
    )  # fmt: skip
    return Idea(**(fields | changes))


def _user(*, email_verified: bool = True, id_verified: bool = False, status: str = "active") -> CurrentUser:
    return CurrentUser(
        id=7, email="p@example.com", display_name="P", lang="th", role="citizen", status=status,
        email_verified=email_verified, id_verified=id_verified,
    )  # fmt: skip


# (who, idea changes, supported) -> the offer, in the order the widget decides it.
OFFERS = [
    ("anonymous", {}, False, "login"),
    ("anonymous", {"board_open": False}, False, "closed"),
    ("anonymous", {"status": "declined"}, False, "closed"),
    ("anonymous", {"hidden": True}, False, "closed"),
    ("verified", {}, False, "support"),
    ("verified", {}, True, "withdraw"),
    ("verified", {"board_open": False}, True, "closed"),
    ("unverified address", {}, False, "verify_email"),
    ("verified", {"board_requires_national_id": True}, False, "verify_id"),
    ("id verified", {"board_requires_national_id": True}, False, "support"),
    ("blocked", {}, False, ""),
]
PEOPLE = {
    "anonymous": None,
    "verified": _user(),
    "unverified address": _user(email_verified=False),
    "id verified": _user(id_verified=True),
    "blocked": _user(status="blocked"),
}


@pytest.mark.parametrize(("who", "changes", "supported", "offer"), OFFERS)
def test_the_widget_offers_each_reader_what_they_may_do(who, changes, supported, offer):
    assert cards.support(_idea(**changes), PEOPLE[who], supported, "en").offer == offer


def test_the_offer_is_named_in_the_readers_language():
    words = {
        (lang, offer): cards.support(_idea(**changes), PEOPLE[who], supported, lang).label
        for who, changes, supported, offer in OFFERS
        for lang in ("th", "en")
    }
    assert words[("en", "login")] == "Log in to support"
    assert words[("th", "login")] == "เข้าสู่ระบบเพื่อสนับสนุน"
    assert words[("en", "support")] == "Support this idea"
    assert words[("en", "withdraw")] == "Withdraw my support"
    assert words[("en", "closed")] == "Closed to supports"
    # the verify notices carry their own words
    assert words[("en", "verify_email")] == words[("en", "verify_id")] == words[("en", "")] == ""


def test_the_threshold_promises_an_answer_until_it_is_met():
    assert (
        cards.support(_idea(), None, False, "en").note == "2 more and the agency must answer within 30 days"
    )
    met = cards.support(_idea(support_count=10), None, False, "en")
    assert met.note == "Enough support: the agency must answer"
    assert cards.support(_idea(support_threshold=0), None, False, "en").note == ""
    widget = cards.support(_idea(), None, False, "en")
    assert (widget.idea_id, widget.count, widget.unit, widget.verified) == (12, 8, "supports", "")
    assert cards.support(_idea(), None, False, "en", verified=3).verified == "verified: 3"


def test_a_card_shows_its_status_then_the_answer_badges():
    idea = _idea()
    assert cards.card(idea, None, False, "en").idea is idea
    assert cards.card(idea, None, False, "en").badges == [("neutral", "Published")]
    late = cards.card(_idea(status="under_review", overdue=True), None, False, "en")
    assert late.badges == [("info", "Under review"), ("danger", "Answer overdue")]
    answered = cards.card(_idea(status="accepted", answered=True), None, False, "en")
    assert answered.badges == [("success", "Accepted"), ("success", "Answered")]


def test_a_card_names_its_agency_place_and_date_in_the_readers_language():
    th, en = (cards.card(_idea(), None, False, lang) for lang in ("th", "en"))
    assert (th.agency, en.agency) == ("เทศบาลนครหาดใหญ่", "Hat Yai City")
    assert (th.place, en.place) == ("สงขลา", "Songkhla")
    assert "2569" in th.date and "2026" in en.date  # the Buddhist era in Thai
    assert en.comments == "4 comments"
    assert cards.card(_idea(province=None), None, False, "en").place == ""


def test_a_card_carries_the_widget_in_the_readers_language():
    widget = cards.card(_idea(), None, False, "en", verified=3).support
    assert (widget.label, widget.verified) == ("Log in to support", "verified: 3")
    assert cards.card(_idea(), None, False, "en").support.verified == ""


def test_cards_mark_the_ideas_the_reader_supported():
    ideas = [_idea(id=1), _idea(id=2)]
    offers = [c.support.offer for c in cards.cards(ideas, PEOPLE["verified"], {2}, "en")]
    assert offers == ["support", "withdraw"]
