"""PDPA rules: the notice gate, consent state, erasure refusals and tombstones, retention periods
and the export's documentation."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from civic.accounts.schemas import CurrentUser
from civic.privacy import rules
from civic.validation import Problem

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_gate_asks_for_anything_older_than_the_current_notice():
    assert rules.needs_notice(0)
    assert rules.needs_notice(rules.CURRENT_NOTICE - 1)
    assert not rules.needs_notice(rules.CURRENT_NOTICE)
    assert not rules.needs_notice(rules.CURRENT_NOTICE + 1)


@pytest.mark.parametrize(
    ("path", "gated"),
    [
        ("/", True),
        ("/ideas/1", True),
        ("/api/v1/follows", True),
        ("/account", True),
        ("/privacyx", False),  # prefix match keeps the notice's own pages open
        ("/privacy", False),
        ("/privacy/accept", False),
        ("/api/v1/privacy/notice/accept", False),
        ("/api/v1/me/export", False),
        ("/api/v1/me", False),
        ("/account/export", False),
        ("/account/erase", False),
        ("/account/privacy/consents", False),
        ("/logout", False),
        ("/static/css/civic.css", False),
    ],
)
def test_the_gate_leaves_the_notice_and_the_rights_open(path, gated):
    assert rules.gate_applies(path) is gated


def test_every_notice_version_has_both_languages():
    templates = Path(__file__).resolve().parents[2] / "templates"
    for version in rules.NOTICE_VERSIONS:
        for lang in ("th", "en"):
            assert (templates / rules.notice_template(version, lang)).is_file()
    assert rules.notice_template(1, "fr") == "privacy/notice_v1_th.html"


def test_consent_state_is_the_newest_record_per_purpose_else_the_default():
    assert rules.current_consents([]) == rules.DEFAULTS
    newest_first = [("notification_email", False), ("notification_email", True), ("assisted", True)]
    assert rules.current_consents(newest_first) == {
        "publication": True,
        "notification_email": False,
        "assisted": True,
    }


def test_consent_validation_names_each_bad_field():
    assert rules.validate_consent("publication", "web") == {}
    errors = rules.validate_consent("marketing", "fax")
    assert set(errors) == {"purpose", "channel"}
    assert set(rules.validate_consent("assisted", "counter")) == set()


def test_publication_and_channels():
    assert rules.publication_granted("named") and rules.publication_granted("anonymous")
    assert not rules.publication_granted("none")
    assert rules.channel_of("token") == "api"
    assert rules.channel_of("session") == "web" and rules.channel_of(None) == "web"


def _user(status="active"):
    return CurrentUser(id=7, email="a@b.org", display_name="A", lang="th", role="citizen", status=status)


def test_only_an_active_person_erases_and_never_an_organisations_last_admin():
    assert rules.can_erase(_user())
    assert not rules.can_erase(_user("blocked")) and not rules.can_erase(None)
    assert rules.erase_refusal([]) is None
    refusal = rules.erase_refusal(["เทศบาลตำบลหนึ่ง", "มูลนิธิสอง"])
    assert refusal.status == 409 and refusal.code == "sole_admin"
    assert refusal.params == {"orgs": "เทศบาลตำบลหนึ่ง, มูลนิธิสอง"}
    assert "%(orgs)s" in refusal.msgid


@pytest.mark.parametrize(
    ("password", "password_ok", "fresh", "confirmed", "code_needed", "code", "refused"),
    [
        ("secret", True, False, True, False, "", set()),  # the password
        ("", False, True, True, False, "", set()),  # a fresh login instead of it
        ("secret", True, True, True, False, "", set()),
        ("wrong", False, True, True, False, "", {"password"}),  # a password typed must be right
        ("", False, False, True, False, "", {"password"}),  # neither: sign in again
        ("", False, True, False, False, "", {"confirm"}),
        ("", False, True, True, True, "", {"code"}),  # two-step login on: the code too
        ("", False, True, True, True, "  ", {"code"}),
        ("", False, True, True, True, "123456", set()),
        ("wrong", False, False, False, True, "", {"password", "code", "confirm"}),  # all at once
    ],
)
def test_erase_needs_the_password_or_a_fresh_login_the_code_and_the_tick(
    password, password_ok, fresh, confirmed, code_needed, code, refused
):
    assert set(rules.validate_erase(password, password_ok, fresh, confirmed, code_needed, code)) == refused


def test_a_login_is_fresh_for_ten_minutes_and_only_with_a_session():
    assert rules.FRESH_LOGIN == timedelta(minutes=10)
    assert rules.fresh_login(timedelta(0)) and rules.fresh_login(timedelta(minutes=10))
    assert not rules.fresh_login(timedelta(minutes=10, seconds=1))
    assert not rules.fresh_login(None)


def test_sign_in_again_message_names_the_minutes():
    problem = rules.validate_erase("", False, False, True, False, "")["password"]
    assert problem.params == {"minutes": 10}


def test_the_tombstone_is_bilingual_unique_and_undeliverable():
    assert "ผู้ใช้ที่ลบบัญชีแล้ว" in rules.TOMBSTONE_NAME and "deleted account" in rules.TOMBSTONE_NAME
    assert rules.tombstone_email(1) != rules.tombstone_email(2)
    assert rules.tombstone_email(42).endswith(".invalid") and "42" in rules.tombstone_email(42)


def test_every_retention_period_is_in_the_readme():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Personal data") :]
    for name, period in rules.RETENTION.items():
        days = period.days
        assert re.search(rf"`{name}`[^\n]*\b{days} day", section), (name, days)


def test_every_export_file_documents_each_column():
    for name, (description, columns) in rules.EXPORT_FILES.items():
        assert description.strip(), name
        assert columns and all(meaning.strip() for meaning in columns.values()), name


# ------------------------------------------------------------------ exact answers (mutation testing)


def test_the_notice_template_is_named_by_version_and_language():
    assert rules.notice_template(2, "en") == "privacy/notice_v2_en.html"
    assert rules.notice_template(2, "th") == "privacy/notice_v2_th.html"


def test_consent_problems_are_the_choice_problems():
    assert rules.validate_consent("marketing", "") == {
        "purpose": Problem("Choose one of the options."),
        "channel": Problem("Choose an option."),
    }


WRONG = Problem("Your current password is not correct.")
SIGN_IN = Problem(
    "Enter your current password, or sign in again: a sign-in in the last %(minutes)s minutes confirms it is you.",
    {"minutes": 10},
)
CODE = Problem("Enter the 6-digit code from your authenticator app, or a recovery code.")
TICK = Problem("Tick the box to confirm that you want your account erased.")


@pytest.mark.parametrize(
    ("password", "password_ok", "fresh", "confirmed", "code_needed", "code", "errors"),
    [
        ("secret", True, False, True, False, "", {}),
        ("", False, True, True, False, "", {}),
        ("secret", False, True, True, False, "", {"password": WRONG}),  # a wrong password typed counts
        ("", False, False, True, False, "", {"password": SIGN_IN}),
        ("secret", True, False, True, True, "  ", {"code": CODE}),
        ("secret", True, False, True, True, "123456", {}),
        ("", False, False, False, True, "", {"password": SIGN_IN, "code": CODE, "confirm": TICK}),
    ],
)
def test_erasure_problems_exactly(password, password_ok, fresh, confirmed, code_needed, code, errors):
    assert rules.validate_erase(password, password_ok, fresh, confirmed, code_needed, code) == errors
