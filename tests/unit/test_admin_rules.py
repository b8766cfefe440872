from datetime import date

from civic.accounts.schemas import CurrentUser
from civic.admin import rules
from civic.validation import Problem


def _user(role="admin", status="active"):
    return CurrentUser(1, "a@x", "a", "th", role, status)


def test_only_active_admins_administer():
    assert rules.can_administer(_user())
    assert not rules.can_administer(_user("moderator"))
    assert not rules.can_administer(_user(status="blocked"))
    assert not rules.can_administer(None)


def test_a_role_change_needs_a_new_role_and_a_reason():
    assert set(rules.validate_role_change("", "", "citizen")) == {"role", "reason"}
    assert set(rules.validate_role_change("king", "x", "citizen")) == {"role"}
    assert set(rules.validate_role_change("admin", "ok", "admin")) == {"role"}
    assert rules.validate_role_change("moderator", "ดูแลบอร์ด", "citizen") == {}


def test_up_is_a_grant_and_down_a_revoke():
    assert rules.role_event("citizen", "moderator") == "role.granted"
    assert rules.role_event("moderator", "admin") == "role.granted"
    assert rules.role_event("admin", "moderator") == "role.revoked"
    assert rules.role_event("moderator", "citizen") == "role.revoked"


def test_the_last_active_admin_stays():
    assert rules.removes_last_admin(1, "admin", False, [1])
    assert not rules.removes_last_admin(1, "admin", False, [1, 2])
    assert not rules.removes_last_admin(1, "admin", True, [1])
    assert not rules.removes_last_admin(1, "moderator", False, [2])
    assert rules.removes_last_admin(1, "admin", False, [])


def test_blocking_needs_a_reason_and_never_oneself():
    assert set(rules.validate_standing_change("", 1, 1)) == {"reason", "user_id"}
    assert rules.validate_standing_change("สแปม", 1, 2) == {}


def test_audit_filter():
    assert rules.validate_audit_filter("", "", "", "", 1) == {}
    assert set(rules.validate_audit_filter("", "", "2026-02-30", "x", 0)) == {"since", "until", "page"}
    assert set(rules.validate_audit_filter("", "", "2026-02-02", "2026-02-01", 1)) == {"until"}
    assert rules.parse_day(" 2026-01-31 ") == (date(2026, 1, 31), None)
    assert rules.pages(0) == 1 and rules.pages(50) == 1 and rules.pages(51) == 2


# Exact answers (issue 18): each refusal's msgid and the field it is filed under, not only the field names.

REQUIRED = Problem("This field is required.")
ALREADY = Problem("This person already has this role.")
NOT_SELF = Problem("You cannot block or unblock your own account.")
BAD_DAY = Problem("Enter a date as YYYY-MM-DD, for example 2026-01-31.")
END_BEFORE_START = Problem("The end date must not be before the start date.")
BAD_PAGE = Problem("Choose a page from 1 on.")
TOO_LONG_ACTOR = Problem("This is too long (at most %(max)s characters).", {"max": 200})


def test_a_role_change_says_exactly_what_is_wrong():
    assert rules.validate_role_change("", "", "citizen") == {
        "role": Problem("Choose an option."),
        "reason": REQUIRED,
    }
    assert rules.validate_role_change("king", "x", "citizen") == {
        "role": Problem("Choose one of the options.")
    }
    assert rules.validate_role_change("admin", "ok", "admin") == {"role": ALREADY}
    assert rules.validate_role_change("citizen", "  ", "citizen") == {"role": ALREADY, "reason": REQUIRED}


def test_blocking_says_exactly_what_is_wrong():
    assert rules.validate_standing_change("", 1, 1) == {"user_id": NOT_SELF, "reason": REQUIRED}
    assert rules.validate_standing_change("สแปม", 7, 7) == {"user_id": NOT_SELF}
    assert rules.validate_standing_change("", 1, 2) == {"reason": REQUIRED}


def test_a_reason_may_run_over_several_lines():
    reason = "สแปมซ้ำหลายครั้ง\nดูรายงาน #12\r\nและ #13"
    assert rules.validate_role_change("moderator", reason, "citizen") == {}
    assert rules.validate_standing_change(reason, 1, 2) == {}


def test_a_reason_holds_at_most_500_characters():
    assert rules.validate_standing_change("ก" * 500, 1, 2) == {}
    assert rules.validate_standing_change("ก" * 501, 1, 2) == {
        "reason": Problem("This is too long (at most %(max)s characters).", {"max": 500})
    }


def test_a_day_is_typed_as_iso():
    assert rules.parse_day("") == (None, None)
    assert rules.parse_day("   ") == (None, None)
    assert rules.parse_day("2026-02-30") == (None, BAD_DAY)
    assert rules.parse_day("31/01/2026") == (None, BAD_DAY)


def test_the_audit_filter_files_each_problem_under_its_field():
    assert rules.validate_audit_filter("", "", "2026-02-30", "x", 0) == {
        "since": BAD_DAY,
        "until": BAD_DAY,
        "page": BAD_PAGE,
    }
    assert rules.validate_audit_filter("", "", "", "", -1) == {"page": BAD_PAGE}


def test_the_audit_filter_text_fields_are_optional_but_bounded():
    assert rules.validate_audit_filter("somchai@example.org", "role.granted", "", "", 1) == {}
    assert rules.validate_audit_filter("a" * 200, "b" * 200, "", "", 1) == {}
    assert rules.validate_audit_filter("a" * 201, "", "", "", 1) == {"actor": TOO_LONG_ACTOR}
    assert rules.validate_audit_filter("", "b" * 201, "", "", 1) == {"act": TOO_LONG_ACTOR}
    bad = Problem("This field contains characters that are not allowed.")
    assert rules.validate_audit_filter("a\x00", "b\nc", "", "", 1) == {"actor": bad, "act": bad}


def test_the_audit_period_may_be_one_day_or_open_on_either_side():
    assert rules.validate_audit_filter("", "", "2026-02-01", "2026-02-01", 1) == {}
    assert rules.validate_audit_filter("", "", "2026-02-01", "2026-02-02", 1) == {}
    assert rules.validate_audit_filter("", "", "2026-02-01", "", 1) == {}
    assert rules.validate_audit_filter("", "", "", "2026-02-01", 1) == {}
    assert rules.validate_audit_filter("", "", "2026-02-02", "2026-02-01", 1) == {"until": END_BEFORE_START}
