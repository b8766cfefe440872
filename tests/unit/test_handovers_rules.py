"""Handover rules: the transition table, permissions, validators, and a hypothesis state machine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from civic.accounts.schemas import CurrentUser, Membership
from civic.handovers import rules
from civic.validation import Problem

AGENCY, OTHER_AGENCY, PARTNER, OTHER_PARTNER, PENDING = 1, 2, 10, 11, 12


def user(*memberships: tuple[int, str, bool], uid: int = 1) -> CurrentUser:
    return CurrentUser(
        id=uid, email=f"u{uid}@x.org", display_name="u", lang="th", role="citizen", status="active",
        memberships=tuple(Membership(org_id=o, role="member", kind=k, verified=v, slug=f"o{o}", name_th="o")
                          for o, k, v in memberships),
    )  # fmt: skip


STAFF = user((AGENCY, "agency", True))
RIVAL = user((OTHER_AGENCY, "agency", True), uid=2)
NOK = user((PARTNER, "partner", True), uid=3)
TON = user((OTHER_PARTNER, "partner", True), uid=4)
NEWBIE = user((PENDING, "partner", False), uid=5)


def test_transition_table_lifecycle():
    status = "draft"
    for action in (
        "publish",
        "claim",
        "confirm",
        "request_completion",
        "reject",
        "request_completion",
        "sign_off",
    ):
        status = rules.next_status(action, status)
    assert status == "completed"
    assert rules.next_status("release", "claimed") == "open"
    assert rules.next_status("expire_claim", "claimed") == "open"
    assert rules.next_status("expire", "open") == "expired"


@pytest.mark.parametrize("status", ["completed", "cancelled", "expired"])
def test_terminal_states_allow_nothing(status):
    assert rules.actions_from(status) == []
    with pytest.raises(rules.InvalidTransition):
        rules.next_status("cancel", status)


def test_cancel_from_every_live_stage():
    for status in ("draft", "open", "claimed", "in_progress", "completion_requested"):
        assert rules.next_status("cancel", status) == "cancelled"


def test_permissions():
    assert (
        rules.can_manage(STAFF, AGENCY)
        and not rules.can_manage(RIVAL, AGENCY)
        and not rules.can_manage(None, AGENCY)
    )
    assert not rules.can_manage(NOK, AGENCY)
    assert rules.can_claim(NOK, PARTNER, verified_only=True)
    assert not rules.can_claim(NEWBIE, PENDING, verified_only=True)
    assert rules.can_claim(NEWBIE, PENDING, verified_only=False)
    assert not rules.can_claim(STAFF, AGENCY, verified_only=False)
    assert (
        rules.can_deliver(NOK, PARTNER)
        and not rules.can_deliver(TON, PARTNER)
        and not rules.can_deliver(NOK, None)
    )
    assert rules.can_view(None, AGENCY, "open") and not rules.can_view(None, AGENCY, "draft")
    assert rules.can_view(STAFF, AGENCY, "draft") and not rules.can_view(RIVAL, AGENCY, "draft")


def _raw(**over):
    today = date(2026, 5, 1)
    raw = {
        "title": "อบรมเตรียมความพร้อมรับน้ำท่วม", "description": "อบรมอาสาสมัครชุมชนเรื่องอุทกภัยและการอพยพ",
        "deliverables": "อบรม 3 ครั้ง", "province": "KKN", "category": "disaster", "contact": "โทร 043-000-000",
        "claim_opens": today.isoformat(), "claim_closes": (today + timedelta(days=10)).isoformat(),
        "deadline": (today + timedelta(days=40)).isoformat(),
    }  # fmt: skip
    raw.update(over)
    return raw


def test_validate_task_ok_with_thai_digits_and_commas():
    clean, errors = rules.validate_task(_raw(budget="๑๒,๕๐๐.๕๐", skills="ปฐมพยาบาล, แผนที่ชุมชน, ปฐมพยาบาล"))
    assert errors == {}
    assert clean["budget"] == Decimal("12500.50")
    assert clean["skills"] == ["ปฐมพยาบาล", "แผนที่ชุมชน"]
    assert clean["verified_only"] is True and clean["confirm_days"] == 7


def test_validate_task_bad_inputs():
    _, errors = rules.validate_task(_raw(budget="-1"))
    assert errors["budget"] == Problem("The budget cannot be negative.")
    _, errors = rules.validate_task(_raw(deadline="2026-05-11"))
    assert errors["deadline"].msgid == "The delivery deadline must come after the claim window closes."
    _, errors = rules.validate_task(_raw(claim_closes="2026-04-01"))
    assert "claim_closes" in errors
    _, errors = rules.validate_task(_raw(province="XXX", category="weather", confirm_days="0", budget="1e5"))
    assert set(errors) == {"province", "category", "confirm_days", "budget"}
    _, errors = rules.validate_task(
        _raw(milestones=[{"title": "ระยะแรก", "due": "2026-12-01", "share": "50"}])
    )
    assert errors["milestones"].msgid == "A milestone cannot be due after the delivery deadline."
    _, errors = rules.validate_task(_raw(milestones=[{"title": "ระยะแรก", "due": "2026-05-20", "share": "70"},
                                                     {"title": "ระยะสอง", "due": "2026-05-30", "share": "40"}]))  # fmt: skip
    assert errors["milestones"].msgid == "The budget shares add up to more than 100 percent."


def test_validate_update_and_review():
    clean, errors = rules.validate_update("อบรมแล้ว 45 คน", "๕๐", "https://a.example/x\nhttps://b.example/y")
    assert errors == {} and clean["percent"] == 50 and len(clean["links"]) == 2
    _, errors = rules.validate_update("ok", "101", "javascript:alert(1)")
    assert set(errors) == {"body", "percent", "links"}
    assert rules.validate_review("met", "ครบ") == {}
    assert set(rules.validate_review("done", "")) == {"verdict", "comment"}


# ------------------------------------------------------------------ state machine model

ROLES = {"staff": STAFF, "rival": RIVAL, "nok": NOK, "ton": TON, "newbie": NEWBIE, "visitor": None}


class HandoverModel(RuleBasedStateMachine):
    """Random actions by random roles, applied the way the store applies them: permission via
    rules.can_*, state via the transition table, a timeline row per transition."""

    def __init__(self):
        super().__init__()
        self.status = "draft"
        self.claims: list[dict] = []
        self.timeline: list[tuple[str, str, str]] = []
        self.signed_off = False

    def live(self):
        return [c for c in self.claims if c["status"] in rules.HOLDING_CLAIM]

    def _apply(self, action: str, actor, note: str = "") -> bool:
        if not rules.allowed(action, self.status):
            return False
        before = self.status
        self.status = rules.next_status(action, before)
        self.timeline.append((action, before, self.status))
        return True

    @rule(role=st.sampled_from(sorted(ROLES)), action=st.sampled_from(
        ["publish", "confirm", "release", "sign_off", "reject", "cancel"]))  # fmt: skip
    def agency_act(self, role, action):
        actor = ROLES[role]
        if not rules.can_manage(actor, AGENCY):
            return
        if action == "confirm" and not (self.live() and self.live()[0]["status"] == "active"):
            return
        if action == "sign_off" and self._apply("sign_off", actor):
            self.signed_off = True
            return
        if self._apply(action, actor) and action in ("release", "cancel"):
            for c in self.live():
                c["status"] = "released"
        if action == "confirm" and self.status == "in_progress":
            self.live()[0]["status"] = "confirmed"

    @rule(role=st.sampled_from(sorted(ROLES)), partner=st.sampled_from([PARTNER, OTHER_PARTNER, PENDING]))
    def claim(self, role, partner):
        actor = ROLES[role]
        if not rules.can_claim(actor, partner, verified_only=True):
            return
        if self.status != "open" or self.live():
            return
        self.claims.append({"partner": partner, "status": "active"})
        self._apply("claim", actor)

    @rule(role=st.sampled_from(sorted(ROLES)))
    def request_completion(self, role):
        actor = ROLES[role]
        holder = self.live()[0]["partner"] if self.live() else None
        if rules.can_deliver(actor, holder):
            self._apply("request_completion", actor)

    @rule(role=st.sampled_from(sorted(ROLES)))
    def withdraw(self, role):
        actor = ROLES[role]
        holder = self.live()[0]["partner"] if self.live() else None
        if rules.can_withdraw(actor, holder):
            live = self.live()[0]
            if self._apply("withdraw", actor):
                live["status"] = "withdrawn"

    @rule()
    def scheduler(self):
        if self.live() and self.live()[0]["status"] == "active" and self._apply("expire_claim", None):
            self.live()[0]["status"] = "expired"
        elif self.status == "open" and not self.live():
            pass  # the window is still open in this model

    @invariant()
    def never_two_live_claims(self):
        assert len(self.live()) <= 1

    @invariant()
    def completed_only_with_signoff(self):
        if self.status == "completed":
            assert self.signed_off and self.timeline[-1][0] == "sign_off"

    @invariant()
    def every_transition_on_the_timeline(self):
        status = "draft"
        for action, before, after in self.timeline:
            assert before == status and rules.next_status(action, before) == after
            status = after
        assert status == self.status

    @invariant()
    def live_claim_matches_status(self):
        if self.status in ("claimed", "in_progress", "completion_requested"):
            assert len(self.live()) == 1
        if self.status in ("open", "cancelled", "expired", "draft"):
            assert not self.live()


HandoverModel.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)
TestHandoverModel = HandoverModel.TestCase
