from datetime import UTC, datetime, timedelta

from civic.accounts.schemas import CurrentUser, Membership
from civic.assisted import rules
from civic.validation import Problem


def _staff(org_id=7, status="active"):
    m = Membership(org_id=org_id, role="member", kind="agency", verified=True, slug="x", name_th="เทศบาล")
    return CurrentUser(1, "a@x", "a", "th", "citizen", status, memberships=(m,))


def test_only_the_agencys_active_staff_assist():
    assert rules.can_assist(_staff(), 7)
    assert not rules.can_assist(_staff(), 8)
    assert not rules.can_assist(_staff(status="blocked"), 7)
    assert not rules.can_assist(None, 7)


def test_consent_is_required_and_every_problem_is_reported():
    errors = rules.validate_person("fax", "", "", False, "1234567890123")
    assert set(errors) == {"channel", "person_name", "person_contact", "consent", "national_id"}
    assert errors["consent"].msgid == rules.NO_CONSENT
    assert rules.validate_person("phone", "ป้าสมศรี", "081", True, "") == {}
    assert rules.validate_person("paper", "ป้าสมศรี", "081", True, "๑-๑๐๑๗-๐๐๒๐๗-๐๓-๐") == {}


def test_codes_are_readable_and_compared_as_typed():
    code = rules.new_code()
    assert len(code) == 8 and not set(code) & set("01OI")
    assert rules.code_hash(code.lower()) == rules.code_hash(f" {code[:4]}-{code[4:]} ")
    assert rules.code_hash(code) != rules.code_hash(rules.new_code())


def test_a_code_works_once_and_until_it_expires():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.code_problem(None, now + timedelta(seconds=1), now) is None
    assert rules.code_problem(None, now, now) is not None
    assert rules.code_problem(now, now + timedelta(days=1), now) == "This code has already been used."


# Exact answers (issue 18): each refusal's msgid and parameters, both sides of each limit.

READABLE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
REQUIRED = Problem("This field is required.")
BAD_ID = Problem(
    "This is not a valid national ID number: check the 13 digits (the last one is a check digit)."
)


def _too_long(n):
    return Problem("This is too long (at most %(max)s characters).", {"max": n})


def test_every_problem_of_the_counter_form_is_named_exactly():
    assert rules.validate_person("fax", "", "", False, "1234567890123") == {
        "channel": Problem("Choose one of the options."),
        "person_name": REQUIRED,
        "person_contact": REQUIRED,
        "national_id": BAD_ID,
        "consent": Problem(rules.NO_CONSENT),
    }
    assert rules.validate_person("", "ป้าสมศรี", "081", True, "12345") == {
        "channel": Problem("Choose an option."),
        "national_id": BAD_ID,
    }
    assert rules.validate_person("counter", "ป้าสมศรี", "081", True, "   ") == {}


def test_a_name_holds_200_characters_and_a_contact_300():
    assert rules.validate_person("counter", "ก" * 200, "0" * 300, True, "") == {}
    assert rules.validate_person("counter", "ก" * 201, "0" * 301, True, "") == {
        "person_name": _too_long(200),
        "person_contact": _too_long(300),
    }


def test_a_code_is_typed_back_in_capitals_without_separators():
    assert rules.code_form(" abcd-23ef ") == "ABCD23EF"
    assert rules.code_form("AB CD.EF/GH") == "ABCDEFGH"
    assert rules.code_form("") == ""


def test_a_code_draws_each_of_its_8_characters_evenly_from_32_readable_ones(monkeypatch):
    # 8 characters of 5 bits each: the 40 bits code_hash relies on. A repeated or extra
    # character in the alphabet would make some codes likelier than others.
    drawn_from = []
    choice = rules.secrets.choice

    def recording_choice(seq):
        drawn_from.append(seq)
        return choice(seq)

    monkeypatch.setattr(rules.secrets, "choice", recording_choice)
    code = rules.new_code()
    assert len(drawn_from) == 8
    assert all(sorted(seq) == sorted(READABLE) for seq in drawn_from)
    assert set(code) <= set(READABLE)


def test_an_expired_code_says_what_to_do():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    expired = "This code has expired. Ask the counter for the contribution to be submitted again."
    assert rules.code_problem(None, now, now) == expired
    assert rules.code_problem(None, now - timedelta(seconds=1), now) == expired
    assert rules.code_problem(now, now - timedelta(days=1), now) == "This code has already been used."


def _person(status="active", email_verified=True):
    return CurrentUser(1, "a@x", "a", "th", "citizen", status, email_verified=email_verified)


def test_only_an_active_verified_account_takes_over_a_counter_submission():
    assert rules.can_take_over(_person())
    assert not rules.can_take_over(_person(email_verified=False))
    assert not rules.can_take_over(_person(status="blocked"))
    assert not rules.can_take_over(_person(status="erased"))
    assert not rules.can_take_over(_person(status="blocked", email_verified=False))
    assert not rules.can_take_over(None)
