"""The identity level a board or a consultation asks for, as a table: who may act (anonymous,
unverified address, verified address, verified ID, blocked) in a space that requires a verified
national ID or not, and which refusal each one hears."""

from __future__ import annotations

import pytest

from civic.accounts.rules import EmailNotVerified
from civic.accounts.schemas import CurrentUser
from civic.consultations import rules as consultations
from civic.ideas import rules as ideas
from civic.identity import rules
from civic.validation import Forbidden


def _user(*, email_verified: bool = True, id_verified: bool = False, status: str = "active") -> CurrentUser:
    return CurrentUser(
        id=7, email="p@example.com", display_name="P", lang="th", role="citizen", status=status,
        email_verified=email_verified, id_verified=id_verified,
    )  # fmt: skip


PEOPLE = {
    "anonymous": None,
    "address unverified": _user(email_verified=False),
    "address verified": _user(),
    "id verified": _user(id_verified=True),
    "id verified, address not": _user(email_verified=False, id_verified=True),
    "blocked, id verified": _user(id_verified=True, status="blocked"),
}
# Who may act: (without the requirement, with it).
MAY = {
    "anonymous": (False, False),
    "address unverified": (False, False),
    "address verified": (True, False),
    "id verified": (True, True),
    "id verified, address not": (False, False),
    "blocked, id verified": (False, False),
}
VERBS = {
    "idea submit": lambda u, req: ideas.can_submit_idea(u, True, requires_national_id=req),
    "idea support": lambda u, req: ideas.can_support(u, "published", False, True, requires_national_id=req),
    "idea comment": lambda u, req: ideas.can_comment(u, "published", False, requires_national_id=req),
    "consultation respond": lambda u, req: consultations.can_respond(u, "open", requires_national_id=req),
    "consultation comment": lambda u, req: consultations.can_comment(u, "open", requires_national_id=req),
}


# Consultations leave blocked accounts to the login gate (a blocked account has no session), so
# that row is asked of the ideas verbs only.
CELLS = [
    (verb, who) for verb in VERBS for who in PEOPLE
    if not (who.startswith("blocked") and verb.startswith("consultation"))
]  # fmt: skip


@pytest.mark.parametrize(("verb", "who"), CELLS)
def test_who_may_act_with_and_without_the_requirement(verb, who):
    got = (VERBS[verb](PEOPLE[who], False), VERBS[verb](PEOPLE[who], True))
    assert got == MAY[who]


def test_the_requirement_never_opens_what_is_closed():
    someone = PEOPLE["id verified"]
    assert not ideas.can_submit_idea(someone, False, requires_national_id=True)
    assert not ideas.can_support(someone, "closed", False, True, requires_national_id=True)
    assert not consultations.can_respond(someone, "closed", requires_national_id=True)


@pytest.mark.parametrize(
    ("who", "requires", "expected"),
    [
        ("address unverified", True, EmailNotVerified),  # the first thing they can fix
        ("id verified, address not", True, EmailNotVerified),
        ("address verified", True, rules.NationalIdRequired),
        ("address verified", False, Forbidden),  # the verb's own reason
        ("id verified", True, Forbidden),
        ("anonymous", True, Forbidden),
    ],
)
def test_refusal_names_what_to_fix_first(who, requires, expected):
    class Closed(Forbidden):
        pass

    got = rules.refusal(PEOPLE[who], requires, Closed())
    assert type(got) is (Closed if expected is Forbidden else expected)


def test_needs_national_id_is_what_the_templates_ask():
    assert rules.needs_national_id(PEOPLE["address verified"], True)
    assert not rules.needs_national_id(PEOPLE["address verified"], False)
    assert not rules.needs_national_id(PEOPLE["id verified"], True)
    assert not rules.needs_national_id(None, True)  # anonymous people are asked to log in instead
    assert rules.NationalIdRequired().status == 403
    assert rules.VERIFY_ID_PATH in rules.NationalIdRequired.default_msgid


def test_only_drafts_and_scheduled_consultations_change_their_level():
    for status, editable in (("draft", True), ("scheduled", True), ("open", False), ("closed", False)):
        assert ("requires_national_id" in consultations.editable_fields(status)) is editable
