"""Who is told what, and on which channel: a pure table from event kinds to audiences.

An event kind (civic/events.py) maps to (audience, notice) pairs, in order: a person in two
audiences of one event gets the first notice only (the notifier's insert keeps one row per event
and person). The store turns each audience into one set-based SELECT of user ids; this module
decides which audiences may be told at all:

- a private event reaches nobody (its actor knows already);
- a staff-only kind reaches only staff audiences (agency staff, partner members, moderators),
  never citizens;
- an event about hidden content (a public kind recorded hidden, so its row says "staff")
  reaches only the content's author and moderators: the subject's followers become its author;
- nobody is told about their own act (the store leaves out the event's actor).

Each notice has a default email channel: immediate for the few that ask someone to act (or that
answer what a citizen asked: an answer, an outcome), the daily digest for the rest; the in-app
inbox always gets a row. A person's preference per notice replaces the default.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from civic.validation import N_, Errors, Problem

IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
CHANNELS = (IMMEDIATE, DIGEST, OFF)
ANSWER_DUE_SOON_DAYS = 3
CONSULTATION_CLOSING_DAYS = 3
HANDOVER_DEADLINE_DAYS = 7
IMPLEMENTATION_DUE_DAYS = 7
# The daily digest goes out at this hour, Bangkok time.
DIGEST_HOUR = 7
DIGEST_ZONE = "Asia/Bangkok"


class Audience(StrEnum):
    FOLLOWERS = "followers"  # of the event's subject (idea, consultation, task...)
    PLACE_FOLLOWERS = "place_followers"  # of the event's agency, province or topic
    AUTHOR = "author"  # of the subject content (an idea, a comment)
    PARENT_AUTHOR = "parent_author"  # of the comment replied to
    RESPONDENTS = "respondents"  # everyone who answered or commented on a consultation
    AGENCY_STAFF = "agency_staff"  # the event's agency and the subject's co-owners
    CLAIM_PARTNER = "claim_partner"  # members of the partner named in a claim event
    HOLDER_PARTNER = "holder_partner"  # members of the partner holding the task (confirmed claim)
    MATCHING_PARTNERS = "matching_partners"  # members of partners a new task fits
    MODERATORS = "moderators"


# Audiences chosen by membership or role: the only ones a staff-only event may reach.
STAFF_AUDIENCES = frozenset(
    {
        Audience.AGENCY_STAFF,
        Audience.CLAIM_PARTNER,
        Audience.HOLDER_PARTNER,
        Audience.MATCHING_PARTNERS,
        Audience.MODERATORS,
    }
)
# Hidden content is still the business of these two.
HIDDEN_AUDIENCES = frozenset({Audience.AUTHOR, Audience.MODERATORS})


class Notice(NamedTuple):
    email: str  # the default email channel
    headline: str  # msgid, shown in the inbox and as the mail's subject
    group: str  # msgid of the preferences page's group


CITIZENS, STAFF, PARTNERS, MODERATION = (
    N_("As a citizen"),
    N_("As agency staff"),
    N_("As a partner organisation"),
    N_("As a moderator"),
)

NOTICES: dict[str, Notice] = {
    # citizens
    "idea.answered": Notice(IMMEDIATE, N_("An agency answered an idea you follow"), CITIZENS),
    "idea.status": Notice(DIGEST, N_("An idea you follow changed status"), CITIZENS),
    "idea.threshold": Notice(DIGEST, N_("An idea you follow reached its support threshold"), CITIZENS),
    "comment.reply": Notice(DIGEST, N_("Someone replied to your comment"), CITIZENS),
    "content.hidden": Notice(IMMEDIATE, N_("A moderator hid something you wrote"), CITIZENS),
    "consultation.opened": Notice(DIGEST, N_("A consultation you follow opened"), CITIZENS),
    "consultation.closing": Notice(DIGEST, N_("A consultation you follow closes within 3 days"), CITIZENS),
    "outcome.published": Notice(IMMEDIATE, N_("You said, we did: a consultation's outcome is published"), CITIZENS),
    "new.board": Notice(DIGEST, N_("A new idea board where you follow"), CITIZENS),
    "new.consultation": Notice(DIGEST, N_("A new consultation where you follow"), CITIZENS),
    "implementation.update": Notice(DIGEST, N_("A promise you follow has news of its implementation"), CITIZENS),
    "implementation.done": Notice(IMMEDIATE, N_("A promise you follow is reported implemented"), CITIZENS),
    # agency staff
    "staff.threshold": Notice(IMMEDIATE, N_("An idea reached its threshold: the answer clock started"), STAFF),
    "staff.answer_due": Notice(IMMEDIATE, N_("An answer is due within 3 days"), STAFF),
    "staff.answer_overdue": Notice(IMMEDIATE, N_("An answer is overdue"), STAFF),
    "staff.claim_waiting": Notice(IMMEDIATE, N_("A claim is waiting for your confirmation"), STAFF),
    "staff.milestone_waiting": Notice(IMMEDIATE, N_("A milestone report is waiting for your review"), STAFF),
    "staff.completion_requested": Notice(IMMEDIATE, N_("A partner asked you to sign a task off"), STAFF),
    "staff.consultation_closing": Notice(DIGEST, N_("Your consultation closes within 3 days"), STAFF),
    "staff.outcome_due": Notice(IMMEDIATE, N_("A closed consultation's outcome is due"), STAFF),
    "staff.implementation_due": Notice(IMMEDIATE, N_("A milestone of a promise is due within 7 days"), STAFF),
    "staff.implementation_overdue": Notice(IMMEDIATE, N_("A milestone of a promise is overdue"), STAFF),
    # partner organisations
    "partner.task_match": Notice(IMMEDIATE, N_("A new task matches your organisation"), PARTNERS),
    "partner.claim_confirmed": Notice(IMMEDIATE, N_("Your claim was confirmed"), PARTNERS),
    "partner.claim_declined": Notice(IMMEDIATE, N_("Your claim was declined"), PARTNERS),
    "partner.milestone_reviewed": Notice(DIGEST, N_("A milestone of your task was reviewed"), PARTNERS),
    "partner.signed_off": Notice(DIGEST, N_("Your task was signed off"), PARTNERS),
    "partner.deadline_soon": Notice(IMMEDIATE, N_("Your task's deadline is 7 days away"), PARTNERS),
    "partner.deadline_passed": Notice(IMMEDIATE, N_("Your task's deadline has passed"), PARTNERS),
    # moderators
    "moderation.flagged": Notice(IMMEDIATE, N_("Reported content is waiting for moderation"), MODERATION),
}

A = Audience
OUTCOME = ((A.RESPONDENTS, "outcome.published"), (A.FOLLOWERS, "outcome.published"))
RULES: dict[str, tuple[tuple[Audience, str], ...]] = {
    "idea.answered": ((A.FOLLOWERS, "idea.answered"),),
    "idea.status_changed": ((A.FOLLOWERS, "idea.status"),),
    "idea.threshold_reached": ((A.AGENCY_STAFF, "staff.threshold"), (A.FOLLOWERS, "idea.threshold")),
    "idea.commented": ((A.PARENT_AUTHOR, "comment.reply"),),
    "section.commented": ((A.PARENT_AUTHOR, "comment.reply"),),
    "content.hidden": ((A.AUTHOR, "content.hidden"),),
    "comment.hidden": ((A.AUTHOR, "content.hidden"),),
    "content.flagged": ((A.MODERATORS, "moderation.flagged"),),
    "comment.flagged": ((A.MODERATORS, "moderation.flagged"),),
    "board.created": ((A.PLACE_FOLLOWERS, "new.board"),),
    "consultation.opened": ((A.FOLLOWERS, "consultation.opened"), (A.PLACE_FOLLOWERS, "new.consultation")),
    "outcome.published": OUTCOME,
    "outcome.corrected": OUTCOME,
    # A plan's subject is its promise (the idea, or the theme's consultation): its followers are told.
    "implementation.planned": ((A.FOLLOWERS, "implementation.update"),),
    "implementation.updated": ((A.FOLLOWERS, "implementation.update"),),
    "implementation.completed": ((A.FOLLOWERS, "implementation.done"),),
    "handover.posted": ((A.MATCHING_PARTNERS, "partner.task_match"),),
    "handover.claimed": ((A.AGENCY_STAFF, "staff.claim_waiting"),),
    "handover.claim_confirmed": ((A.CLAIM_PARTNER, "partner.claim_confirmed"),),
    "handover.claim_released": ((A.CLAIM_PARTNER, "partner.claim_declined"),),
    "handover.progress_reported": ((A.AGENCY_STAFF, "staff.milestone_waiting"),),
    "handover.milestone_reviewed": ((A.HOLDER_PARTNER, "partner.milestone_reviewed"),),
    "handover.completion_requested": ((A.AGENCY_STAFF, "staff.completion_requested"),),
    "handover.signed_off": ((A.HOLDER_PARTNER, "partner.signed_off"),),
    "reminder.answer_due": ((A.AGENCY_STAFF, "staff.answer_due"),),
    "reminder.answer_overdue": ((A.AGENCY_STAFF, "staff.answer_overdue"),),
    "reminder.consultation_closing": (
        (A.AGENCY_STAFF, "staff.consultation_closing"),
        (A.FOLLOWERS, "consultation.closing"),
    ),
    "reminder.outcome_due": ((A.AGENCY_STAFF, "staff.outcome_due"),),
    "reminder.handover_deadline": ((A.HOLDER_PARTNER, "partner.deadline_soon"),),
    "reminder.handover_overdue": ((A.HOLDER_PARTNER, "partner.deadline_passed"),),
    "reminder.implementation_due": ((A.AGENCY_STAFF, "staff.implementation_due"),),
    "reminder.implementation_overdue": ((A.AGENCY_STAFF, "staff.implementation_overdue"),),
}
KINDS = frozenset(RULES)


class Delivery(NamedTuple):
    audience: Audience
    notice: str
    email: str  # the notice's default email channel


def told_elsewhere(kind: str, payload: dict) -> bool:
    """An idea's status moved by its implementation plan: the plan's own event (planned,
    implemented) tells the same followers, so this one would tell them twice."""
    return kind == "idea.status_changed" and bool(payload.get("by_plan"))


def who_is_told(kind: str, kind_visibility: str, row_visibility: str) -> tuple[Delivery, ...]:
    """The audiences an event reaches, in order. kind_visibility is the catalogue's, row_visibility
    the recorded one: a public kind recorded as staff is about hidden content."""
    if row_visibility == "private":
        return ()
    hidden = kind_visibility == "public" and row_visibility != "public"
    told: list[Delivery] = []
    for audience, notice in RULES.get(kind, ()):
        if hidden and audience is Audience.FOLLOWERS:
            audience = Audience.AUTHOR
        if hidden and audience not in HIDDEN_AUDIENCES:
            continue
        if row_visibility == "staff" and not hidden and audience not in STAFF_AUDIENCES:
            continue
        told.append(Delivery(audience, notice, NOTICES[notice].email))
    return tuple(told)


def email_choice(notice: str, preference: str | None) -> str:
    """The email channel for one person: their choice for the notice, else its default."""
    return preference if preference in CHANNELS else NOTICES[notice].email


def validate_preferences(choices: dict[str, str]) -> Errors:
    errors: Errors = {}
    for notice, choice in choices.items():
        if notice not in NOTICES:
            errors[notice] = Problem(N_("There is no such kind of notification."))
        elif choice not in CHANNELS:
            errors[notice] = Problem(N_("Choose immediately, in the daily digest, or off."))
    return errors


def unsubscribe_notices(kind: str) -> tuple[str, ...] | None:
    """What an unsubscribe token's kind turns off: one notice, every notice ("all"), or None
    for a kind that is not ours (a token made for something else)."""
    if kind == "all":
        return tuple(NOTICES)
    return (kind,) if kind in NOTICES else None


def can_unsubscribe(token_user_id: int, viewer_id: int | None) -> bool:
    """A link works for its own account, or with nobody logged in (a mail client's one-click
    POST carries no session); a logged-in person cannot use another account's link."""
    return viewer_id is None or viewer_id == token_user_id


def subject_path(subject_kind: str, subject_id: int, payload: dict, kind: str) -> str:
    """Where a notice leads: the page that answers it."""
    if kind.startswith(("implementation.", "reminder.implementation_")):
        if subject_kind == "idea":
            return f"/ideas/{subject_id}#implementation"
        return f"/consultations/{subject_id}/outcome#implementation"
    if subject_kind == "idea":
        return f"/ideas/{subject_id}" + ("#official-answer" if kind == "idea.answered" else "")
    if subject_kind == "comment":
        return f"/ideas/{payload.get('idea_id')}#comment-{subject_id}"
    if subject_kind == "consultation":
        if kind in ("outcome.published", "outcome.corrected"):
            return f"/consultations/{subject_id}/outcome#will"
        return f"/consultations/{subject_id}"
    if subject_kind == "consultation_comment":
        return f"/consultations/{payload.get('consultation_id')}#comment-{subject_id}"
    if subject_kind == "handover":
        return f"/handovers/{subject_id}"
    if subject_kind == "board":
        return f"/boards/{payload.get('slug', '')}"
    return "/notifications"
