from datetime import UTC, datetime, timedelta

from civic.accounts.schemas import CurrentUser, Membership
from civic.assisted import rules


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
