from datetime import date

from civic.accounts.schemas import CurrentUser
from civic.admin import rules


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
