"""The rules added when accounts, organisations and search administration moved into actions:
what a login looks up, a token's name, the language switch, a join decision, who administers
search. Pure: no database."""

from __future__ import annotations

import pytest

from civic.accounts import rules as accounts
from civic.accounts.schemas import CurrentUser
from civic.orgs import rules as orgs
from civic.search import rules as search
from civic.validation import Problem


def _user(role: str) -> CurrentUser:
    return CurrentUser(id=1, email="a@example.com", display_name="a", lang="th", role=role, status="active")


@pytest.mark.parametrize(
    ("typed", "looked_up"),
    [
        ("a@example.com", "a@example.com"),
        ("  A@Example.com ", "  A@Example.com "),  # the store trims and folds case
        ("a\x00@example.com", ""),
        ("line\nbreak@example.com", "line\nbreak@example.com"),  # harmless: it matches no one
        ("a" * 988 + "@example.com", "a" * 988 + "@example.com"),  # exactly 1000
        ("a" * 989 + "@example.com", ""),
    ],
)
def test_login_email_drops_what_cannot_be_an_address(typed, looked_up):
    assert accounts.login_email(typed) == looked_up


def test_token_name_defaults_and_limits():
    assert accounts.token_name("  my app ") == "my app"
    assert accounts.token_name("   ") == "API"
    assert accounts.validate_token_name("n" * 100) == {}
    assert accounts.validate_token_name("n" * 101) == {
        "name": Problem("This is too long (at most %(max)s characters).", {"max": 100})
    }
    assert accounts.validate_token_name("bell\x07")["name"].msgid == (
        "This field contains characters that are not allowed."
    )


@pytest.mark.parametrize(
    ("asked", "chosen"), [("th", "th"), ("en", "en"), ("fr", "th"), ("", "th"), (None, "th")]
)
def test_chosen_lang(asked, chosen):
    assert accounts.chosen_lang(asked) == chosen


@pytest.mark.parametrize(
    ("decision", "errors"),
    [
        ("accept", {}),
        ("decline", {}),
        ("", {"decision": Problem("Choose an option.")}),
        ("maybe", {"decision": Problem("Choose one of the options.")}),
    ],
)
def test_join_decision(decision, errors):
    assert orgs.validate_join_decision(decision) == errors


def test_only_platform_admins_administer_search():
    assert search.can_administer(_user("admin"))
    assert not search.can_administer(_user("moderator"))
    assert not search.can_administer(_user("citizen"))
    assert not search.can_administer(None)
