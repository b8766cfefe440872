"""The catalogue of domain events: every kind the platform records, with its payload Struct.

This list is the contract that everything "after a change" builds on: the search index,
notifications, feeds, the public record of official acts, dashboards and personal-data export.
An action records its events with `record()` inside its own transaction, so an event exists if
and only if its change committed. Consumers read them through civic.consumers.

Each kind says who may see it:
- public:  anyone (feeds, the public record, open data);
- staff:   the subject's agency staff and moderators only;
- private: the actor (and the person the event is about) only.
An event about hidden content is never public, whatever its kind says: `record()` is told.

`official` marks the acts of an agency or of the platform's officers that the public record
keeps (an answer, a status change, a sign-off...), as opposed to a citizen's participation.
Add a kind here, with its payload, before an action records it: `record()` refuses unknown
kinds and payloads of the wrong type, and a test checks every row in the table against this.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import asyncpg
import msgspec

from civic.record import chain as public_record


class Visibility(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"
    PRIVATE = "private"


class Kind(msgspec.Struct, frozen=True):
    payload: type[msgspec.Struct]
    visibility: Visibility
    summary: str
    official: bool = False


class Event(msgspec.Struct, frozen=True):
    """One row of the events table, as consumers receive it."""

    id: int
    occurred_at: datetime
    kind: str
    actor_id: int | None
    subject_kind: str
    subject_id: int
    agency_id: int | None
    province: str | None
    visibility: str
    payload: dict

    def decoded(self) -> msgspec.Struct:
        return msgspec.convert(self.payload, CATALOGUE[self.kind].payload)


# --- payloads -------------------------------------------------------------------------------
# One Struct per kind; fields are what a consumer needs without reading the subject again.
# Names are public-safe for public kinds: no email, no national ID, no internal user ids
# beyond actor_id (which stays in the row, never in a public rendering).


class ThresholdReached(msgspec.Struct, frozen=True):
    support_count: int
    threshold: int
    answer_due_at: datetime | None = None
    by: str = "support"  # support | threshold_lowered


class ClaimEnded(msgspec.Struct, frozen=True):
    claim_id: int
    partner_id: int
    reason: str = ""
    reason_code: str | None = None


# Each domain adds its payload Structs in its own section below, and its kinds in its own
# section of CATALOGUE.

# --- accounts and organisations (payloads) ---


class AccountRegistered(msgspec.Struct, frozen=True):
    display_name: str
    lang: str


class ApiTokenCreated(msgspec.Struct, frozen=True):
    token_id: int
    name: str


class IdentityChanged(msgspec.Struct, frozen=True):
    """An identity level changed (civic/identity). Never the ID number, a secret or a code;
    `method` names the provider's issuer for an OpenID Connect link."""

    method: str = ""


class ApiTokenRevoked(msgspec.Struct, frozen=True):
    token_id: int


class AccountSecured(msgspec.Struct, frozen=True):
    """The account lifecycle (verified, password reset or changed, address changed): no address
    and no token in the payload, only what was ended as a consequence."""

    sessions_ended: int = 0
    tokens_revoked: int = 0


class NoticeAccepted(msgspec.Struct, frozen=True):
    version: int
    channel: str


class ConsentChanged(msgspec.Struct, frozen=True):
    """A consent given or withdrawn (civic/privacy); which one is the kind."""

    purpose: str
    channel: str


class AccountErased(msgspec.Struct, frozen=True):
    """No name and no address: the event outlives the person it was about."""

    content_removed: bool


class OrgRegistered(msgspec.Struct, frozen=True):
    slug: str
    kind: str  # agency | partner
    name_th: str
    name_en: str
    verification: str  # agencies start verified, partners pending
    level: str | None = None
    parent_id: int | None = None
    partner_type: str | None = None


class OrgEdited(msgspec.Struct, frozen=True):
    slug: str
    name_th: str
    changed: list[str]  # the fields that changed; the audit log keeps before and after


class OrgVerification(msgspec.Struct, frozen=True):
    """A partner's verification moved: resubmitted by its admins, verified or rejected by the platform."""

    slug: str
    name_th: str
    previous: str
    verification: str
    reason: str = ""  # why it was rejected; shown to the partner's admins only


class MembershipChanged(msgspec.Struct, frozen=True):
    slug: str
    user_id: int  # whose membership; the actor is in the row
    role: str  # the role held (after the change, or when it ended)
    previous_role: str | None = None  # role_changed only


class ReindexRequested(msgspec.Struct, frozen=True):
    queued: int


class OpendataRegenerated(msgspec.Struct, frozen=True):
    """A regeneration of the open datasets (civic/opendata) that succeeded: its run and file count."""

    run_id: int
    files: int


# --- ideas, boards and moderation (payloads) ---


class BoardCreated(msgspec.Struct, frozen=True):
    slug: str
    title: str
    coowner_ids: list[int]
    is_open: bool
    moderate_first: bool
    support_threshold: int
    response_days: int


class BoardSettingsChanged(msgspec.Struct, frozen=True):
    slug: str
    changed: list[str]  # the settings that changed, and "coowners" when the set did
    is_open: bool
    support_threshold: int
    response_days: int
    coowners_added: list[int] = []
    coowners_removed: list[int] = []


class BoardCoownerAdded(msgspec.Struct, frozen=True):
    slug: str
    org_id: int


class Coownership(msgspec.Struct, frozen=True):
    """An invitation to co-own a board or a consultation, and the invited agency's answer."""

    subject: str  # "board" or "consultation" (the event's subject_kind)
    title: str
    org_id: int  # the invited agency


class IdeaSubmitted(msgspec.Struct, frozen=True):
    board_id: int
    title: str
    category: str
    status: str  # published, or pending_moderation on a board that moderates first


class IdeaEdited(msgspec.Struct, frozen=True):
    title: str


class IdeaSupportChanged(msgspec.Struct, frozen=True):
    """A support given or withdrawn (written by store.SUPPORT / WITHDRAW): the count after it."""

    support_count: int


class IdeaCommented(msgspec.Struct, frozen=True):
    comment_id: int
    parent_id: int | None = None


class CommentChanged(msgspec.Struct, frozen=True):
    idea_id: int
    by_moderator: bool = False


class IdeaAnswered(msgspec.Struct, frozen=True):
    org_id: int
    revised: bool  # an earlier answer was replaced (every version is kept)


class IdeaStatusChanged(msgspec.Struct, frozen=True):
    from_status: str
    to_status: str
    reason: str
    duplicate_of: int | None
    org_id: int | None  # the agency spoken for; None for a platform moderator
    # Moved by its implementation plan (civic/implementation), whose own event tells followers.
    by_plan: bool = False


class ContentFlagged(msgspec.Struct, frozen=True):
    flag_id: int
    idea_id: int


class ContentModerated(msgspec.Struct, frozen=True):
    """A hide, a restore or a dismissal. Never the content's text: only why, and where it is."""

    idea_id: int
    reason: str = ""


class UserBlocked(msgspec.Struct, frozen=True):
    role: str


# --- admin console and the counter channel (payloads) ---


class RoleChanged(msgspec.Struct, frozen=True):
    """A platform role granted or revoked (civic/admin); the reason is public, as the act is."""

    role: str
    previous: str
    reason: str


class AssistedSubmitted(msgspec.Struct, frozen=True):
    """Staff submitted a contribution for a person (civic/assisted). Never the person's name,
    contact or ID: only the channel, the agency and what was submitted."""

    kind: str  # idea | support | answer
    channel: str  # counter | phone | paper
    target_id: int
    contribution_id: int


class AssistedTakenOver(msgspec.Struct, frozen=True):
    kind: str
    target_id: int
    contribution_id: int

# --- consultations (payloads) ---


class ConsultationDrafted(msgspec.Struct, frozen=True):
    title: str
    kind: str
    opens_at: datetime
    closes_at: datetime
    questions: int
    documents: int = 0


class ConsultationEdited(msgspec.Struct, frozen=True):
    title: str
    status: str
    version: int
    fields: list[str]
    change_note: str = ""  # public once the consultation is open (the change log)
    documents: int = 0


class ConsultationScheduled(msgspec.Struct, frozen=True):
    title: str
    opens_at: datetime
    closes_at: datetime


class ConsultationUnscheduled(msgspec.Struct, frozen=True):
    title: str


class ConsultationOpened(msgspec.Struct, frozen=True):
    title: str
    kind: str
    closes_at: datetime
    by: str = "staff"  # staff | schedule


class ConsultationClosed(msgspec.Struct, frozen=True):
    title: str
    kind: str
    closes_at: datetime
    early: bool = False
    reason: str = ""  # the public reason for closing early
    by: str = "staff"  # staff | schedule


class ConsultationResponded(msgspec.Struct, frozen=True):
    """A person's political opinion: the answers and the consent choice are never in the event."""

    consultation_id: int
    response_id: int


class SectionCommented(msgspec.Struct, frozen=True):
    consultation_id: int
    section_id: int
    comment_id: int
    parent_id: int | None = None


class SectionCommentFlagged(msgspec.Struct, frozen=True):
    consultation_id: int
    flag_id: int
    reason: str


class SectionCommentModerated(msgspec.Struct, frozen=True):
    consultation_id: int
    resolved_flags: int
    reason: str = ""  # the public reason shown on the tombstone (hidden)


class OutcomePublished(msgspec.Struct, frozen=True):
    title: str
    version: int
    themes: int
    correction_note: str = ""


# --- handovers (payloads) ---


class TaskPosted(msgspec.Struct, frozen=True):
    """A task drafted or published: what a feed or a partner's alert shows."""

    title: str
    category: str
    claim_closes: date
    deadline: date


class TaskEdited(msgspec.Struct, frozen=True):
    title: str
    fields: list[str]  # what changed; the old and new values are on the task's public timeline


class TaskStatusChanged(msgspec.Struct, frozen=True):
    """A step of a task's lifecycle; note is the public reason or comment typed with it."""

    title: str
    from_status: str
    to_status: str
    note: str = ""


class ClaimMade(msgspec.Struct, frozen=True):
    claim_id: int
    partner_id: int
    title: str


class ProgressReported(msgspec.Struct, frozen=True):
    update_id: int
    milestone_id: int
    milestone_title: str
    percent: int
    evidence: int  # how many files were attached


class MilestoneReviewed(msgspec.Struct, frozen=True):
    milestone_id: int
    milestone_title: str
    verdict: str  # met | partly_met | not_met


# --- implementation of promises (payloads) ---
# Each names the plan; the event's subject is the promise (the idea, or the theme's consultation),
# so the promise's followers are told and its page's timeline reads it.


class ImplementationPlanned(msgspec.Struct, frozen=True):
    plan_id: int
    theme: int | None  # the outcome's theme, from 1; None for an idea
    milestones: int
    starts_on: date
    promised_on: date


class ImplementationUpdated(msgspec.Struct, frozen=True):
    plan_id: int
    update_id: int
    percent: int
    evidence: int  # how many files were attached
    milestone_id: int | None = None  # reached with this update
    milestone_title: str = ""


class ImplementationCompleted(msgspec.Struct, frozen=True):
    plan_id: int
    promised_on: date
    kept: bool  # reported implemented by the end of the promised date


# --- notifications: reminder sweeps (payloads) ---


class ReminderDue(msgspec.Struct, frozen=True):
    """A deadline is near or has passed (civic.notifications.jobs); recorded once per subject,
    threshold and due date, so the notifier tells people the way it tells them anything else."""

    title: str
    due_at: datetime


# --- follows (payloads) ---


class FollowChanged(msgspec.Struct, frozen=True):
    """Someone followed or unfollowed a thing by hand (automatic follows record nothing: they
    follow from events already recorded). civic/follows/__init__.py says what target_id is."""

    target_kind: str
    target_id: str


CATALOGUE: dict[str, Kind] = {
    # --- accounts and organisations ---
    "account.registered": Kind(AccountRegistered, Visibility.PRIVATE, "Someone created an account."),
    "account.token_created": Kind(ApiTokenCreated, Visibility.PRIVATE, "A user created an API token."),
    "account.token_revoked": Kind(ApiTokenRevoked, Visibility.PRIVATE, "A user revoked an API token."),
    "account.email_verified": Kind(AccountSecured, Visibility.PRIVATE, "A person verified their email address."),
    "account.password_reset": Kind(
        AccountSecured, Visibility.PRIVATE, "A person reset a forgotten password: every session ended."
    ),
    "account.password_changed": Kind(
        AccountSecured, Visibility.PRIVATE, "A person changed their password: their other sessions ended."
    ),
    "account.email_change_requested": Kind(
        AccountSecured, Visibility.PRIVATE, "A person asked to change their address: the new one must confirm."
    ),
    "account.email_changed": Kind(
        AccountSecured, Visibility.PRIVATE, "A person's new email address was confirmed and is now theirs."
    ),
    # --- identity levels ---
    "identity.id_verified": Kind(IdentityChanged, Visibility.PRIVATE, "A person verified their national ID."),
    "identity.totp_enabled": Kind(IdentityChanged, Visibility.PRIVATE, "A person turned on two-step login."),
    "identity.totp_disabled": Kind(IdentityChanged, Visibility.PRIVATE, "A person turned off two-step login."),
    "identity.recovery_codes_renewed": Kind(
        IdentityChanged, Visibility.PRIVATE, "A person made new recovery codes; the old ones stopped working."
    ),
    "identity.oidc_linked": Kind(
        IdentityChanged, Visibility.PRIVATE, "An identity provider's login was linked to an account."
    ),
    # --- privacy (PDPA): a person's own business ---
    "privacy.notice_accepted": Kind(NoticeAccepted, Visibility.PRIVATE, "A person accepted the privacy notice."),
    "privacy.consent_granted": Kind(ConsentChanged, Visibility.PRIVATE, "A person gave consent for a purpose."),
    "privacy.consent_withdrawn": Kind(ConsentChanged, Visibility.PRIVATE, "A person withdrew a consent."),
    "account.erased": Kind(AccountErased, Visibility.PRIVATE, "A person erased their account."),
    "org.registered": Kind(OrgRegistered, Visibility.PUBLIC, "An organisation was registered."),
    "org.edited": Kind(OrgEdited, Visibility.PUBLIC, "An organisation's details changed."),
    "org.resubmitted": Kind(
        OrgVerification, Visibility.STAFF, "A rejected partner's admins asked for another check."
    ),
    "org.verified": Kind(
        OrgVerification, Visibility.PUBLIC, "The platform verified a partner organisation.", official=True
    ),
    # Staff: the reason is for the partner's admins (rules.can_see_rejection_reason), not the public.
    "org.rejected": Kind(
        OrgVerification, Visibility.STAFF, "The platform rejected a partner organisation.", official=True
    ),
    "membership.requested": Kind(MembershipChanged, Visibility.STAFF, "Someone asked to join an organisation."),
    "membership.added": Kind(MembershipChanged, Visibility.STAFF, "An organisation accepted a join request."),
    "membership.declined": Kind(MembershipChanged, Visibility.STAFF, "An organisation declined a join request."),
    "membership.role_changed": Kind(
        MembershipChanged, Visibility.STAFF, "A member became an admin of the organisation, or stopped being one."
    ),
    "membership.removed": Kind(MembershipChanged, Visibility.STAFF, "An organisation's admin removed a member."),
    "membership.left": Kind(MembershipChanged, Visibility.STAFF, "A member left an organisation."),
    "membership.request_withdrawn": Kind(
        MembershipChanged, Visibility.STAFF, "Someone withdrew their request to join an organisation."
    ),
    # search administration
    "search.reindex_requested": Kind(
        ReindexRequested, Visibility.STAFF, "A platform admin queued every searchable item for reindexing."
    ),
    # open data: the files themselves are the public result; the act is for the platform's staff
    "opendata.regenerated": Kind(
        OpendataRegenerated, Visibility.STAFF, "The open datasets were regenerated (by an admin or on schedule)."
    ),
    # --- ideas, boards and moderation ---
    "idea.threshold_reached": Kind(
        ThresholdReached, Visibility.PUBLIC, "An idea reached its board's support threshold: the clock starts.",
        official=True,
    ),
    "board.created": Kind(BoardCreated, Visibility.PUBLIC, "An agency opened an idea board.", official=True),
    "board.settings_changed": Kind(
        BoardSettingsChanged, Visibility.PUBLIC, "A board's settings or co-owners changed.", official=True
    ),
    # Recorded before co-ownership became an invitation; kept so those events still decode.
    "board.coowner_added": Kind(
        BoardCoownerAdded, Visibility.PUBLIC, "Another agency became co-owner of a board.", official=True
    ),
    "coownership.invited": Kind(
        Coownership, Visibility.STAFF, "An agency invited another to co-own a board or a consultation."
    ),
    "coownership.accepted": Kind(
        Coownership, Visibility.PUBLIC, "An agency accepted co-ownership of a board or a consultation.", official=True
    ),
    "coownership.declined": Kind(
        Coownership, Visibility.STAFF, "An agency declined co-ownership of a board or a consultation."
    ),
    "idea.submitted": Kind(IdeaSubmitted, Visibility.PUBLIC, "A citizen submitted an idea."),
    "idea.edited": Kind(IdeaEdited, Visibility.PUBLIC, "The author edited their idea (the old version is kept)."),
    # Who supports what is a person's opinion: only they (and counts) may see it.
    "idea.supported": Kind(IdeaSupportChanged, Visibility.PRIVATE, "A person supported an idea."),
    "idea.support_withdrawn": Kind(IdeaSupportChanged, Visibility.PRIVATE, "A person withdrew their support."),
    "idea.commented": Kind(IdeaCommented, Visibility.PUBLIC, "A comment or reply was posted on an idea."),
    "comment.edited": Kind(CommentChanged, Visibility.PUBLIC, "The author edited their comment."),
    "comment.deleted": Kind(CommentChanged, Visibility.PUBLIC, "A comment was deleted (its author or a moderator)."),
    "idea.answered": Kind(IdeaAnswered, Visibility.PUBLIC, "An agency answered an idea officially.", official=True),
    "idea.status_changed": Kind(
        IdeaStatusChanged, Visibility.PUBLIC, "An idea's status changed.", official=True
    ),
    "content.flagged": Kind(ContentFlagged, Visibility.STAFF, "Someone reported an idea or a comment."),
    "content.hidden": Kind(
        ContentModerated, Visibility.PUBLIC, "A moderator hid an idea or a comment.", official=True
    ),
    "content.restored": Kind(
        ContentModerated, Visibility.PUBLIC, "A moderator restored hidden content.", official=True
    ),
    "flags.dismissed": Kind(
        ContentModerated, Visibility.STAFF, "A moderator dismissed the reports on content.", official=True
    ),
    "user.blocked": Kind(UserBlocked, Visibility.STAFF, "A moderator blocked an author.", official=True),
    # --- admin console and the counter channel ---
    "user.unblocked": Kind(UserBlocked, Visibility.STAFF, "An administrator unblocked a person.", official=True),
    "role.granted": Kind(RoleChanged, Visibility.PUBLIC, "An administrator granted a platform role.", official=True),
    "role.revoked": Kind(RoleChanged, Visibility.PUBLIC, "An administrator revoked a platform role.", official=True),
    "assisted.submitted": Kind(
        AssistedSubmitted, Visibility.STAFF, "Agency staff submitted a contribution for a person at the counter."
    ),
    "assisted.taken_over": Kind(
        AssistedTakenOver, Visibility.PRIVATE, "A person took over what the counter submitted for them."
    ),
    # --- consultations ---
    "consultation.drafted": Kind(ConsultationDrafted, Visibility.STAFF, "Agency staff drafted a consultation."),
    "consultation.edited": Kind(
        ConsultationEdited, Visibility.PUBLIC, "A consultation was edited (versioned in its change log once open)."
    ),
    "consultation.document_added": Kind(
        ConsultationEdited, Visibility.PUBLIC, "A document was added to a consultation."
    ),
    "consultation.scheduled": Kind(
        ConsultationScheduled, Visibility.PUBLIC, "A consultation was scheduled to open.", official=True
    ),
    "consultation.unscheduled": Kind(
        ConsultationUnscheduled, Visibility.STAFF, "A scheduled consultation went back to draft."
    ),
    "consultation.opened": Kind(
        ConsultationOpened, Visibility.PUBLIC, "A consultation opened for responses.", official=True
    ),
    "consultation.closed": Kind(
        ConsultationClosed, Visibility.PUBLIC, "A consultation closed (early, with a public reason).", official=True
    ),
    "consultation.responded": Kind(
        ConsultationResponded, Visibility.PRIVATE, "Someone answered a consultation (no answers kept here)."
    ),
    "response.edited": Kind(ConsultationResponded, Visibility.PRIVATE, "Someone edited their response."),
    "section.commented": Kind(SectionCommented, Visibility.PUBLIC, "Someone commented on a draft's section."),
    "comment.flagged": Kind(SectionCommentFlagged, Visibility.STAFF, "Someone reported a section comment."),
    "comment.hidden": Kind(
        SectionCommentModerated, Visibility.PUBLIC, "A section comment was hidden with a public reason.", official=True
    ),
    "comment.restored": Kind(
        SectionCommentModerated, Visibility.PUBLIC, "A hidden section comment was restored.", official=True
    ),
    "comment.flags_dismissed": Kind(
        SectionCommentModerated, Visibility.STAFF, "A moderator closed a section comment's reports without hiding it."
    ),
    "outcome.published": Kind(
        OutcomePublished, Visibility.PUBLIC, "An agency published what it did with a consultation.", official=True
    ),
    "outcome.corrected": Kind(
        OutcomePublished, Visibility.PUBLIC, "An agency corrected a published outcome, with a note.", official=True
    ),
    # --- handovers ---
    # A draft is the agency's own until published: its events are staff-only (record(hidden=True)).
    "handover.drafted": Kind(TaskPosted, Visibility.STAFF, "Agency staff saved a new task as a draft."),
    "handover.posted": Kind(TaskPosted, Visibility.PUBLIC, "An agency published a task for partners.", official=True),
    "handover.edited": Kind(TaskEdited, Visibility.PUBLIC, "The agency changed a posted task.", official=True),
    "handover.cancelled": Kind(
        TaskStatusChanged, Visibility.PUBLIC, "The agency cancelled a task with a public reason.", official=True
    ),
    "handover.expired": Kind(TaskStatusChanged, Visibility.PUBLIC, "A task's claim window closed unclaimed."),
    "handover.claimed": Kind(ClaimMade, Visibility.STAFF, "A partner claimed a task; the agency must confirm."),
    "handover.claim_confirmed": Kind(
        ClaimMade, Visibility.PUBLIC, "The agency confirmed a partner's claim: work starts.", official=True
    ),
    "handover.claim_released": Kind(
        ClaimEnded, Visibility.STAFF, "The agency released (declined) a partner's claim.", official=True
    ),
    "handover.claim_expired": Kind(ClaimEnded, Visibility.STAFF, "A claim lapsed unconfirmed."),
    "handover.claim_withdrawn": Kind(ClaimEnded, Visibility.STAFF, "A partner withdrew its claim."),
    "handover.progress_reported": Kind(
        ProgressReported, Visibility.PUBLIC, "The holding partner reported progress on a milestone."
    ),
    "handover.milestone_reviewed": Kind(
        MilestoneReviewed, Visibility.PUBLIC, "The agency reviewed a milestone.", official=True
    ),
    "handover.completion_requested": Kind(
        TaskStatusChanged, Visibility.PUBLIC, "The holding partner asked the agency to sign the task off."
    ),
    "handover.completion_rejected": Kind(
        TaskStatusChanged, Visibility.PUBLIC, "The agency sent a completion request back.", official=True
    ),
    "handover.signed_off": Kind(
        TaskStatusChanged, Visibility.PUBLIC, "The agency signed a task off as completed.", official=True
    ),
    # --- implementation of promises ---
    "implementation.planned": Kind(
        ImplementationPlanned, Visibility.PUBLIC, "An agency attached an implementation plan to a promise.",
        official=True,
    ),
    "implementation.updated": Kind(
        ImplementationUpdated, Visibility.PUBLIC, "An agency posted progress on implementing a promise.",
        official=True,
    ),
    "implementation.completed": Kind(
        ImplementationCompleted, Visibility.PUBLIC, "An agency reported a promise implemented, with a report.",
        official=True,
    ),
    # --- follows ---
    # What a person follows is theirs alone (it can reveal their interests and views).
    "follow.started": Kind(FollowChanged, Visibility.PRIVATE, "Someone followed a thing."),
    "follow.stopped": Kind(FollowChanged, Visibility.PRIVATE, "Someone stopped following a thing."),
    # --- notifications: reminder sweeps ---
    "reminder.answer_due": Kind(ReminderDue, Visibility.STAFF, "An idea's answer is due within 3 days."),
    "reminder.answer_overdue": Kind(ReminderDue, Visibility.STAFF, "An idea's answer is overdue."),
    "reminder.consultation_closing": Kind(ReminderDue, Visibility.PUBLIC, "A consultation closes within 3 days."),
    "reminder.outcome_due": Kind(ReminderDue, Visibility.STAFF, "A closed consultation's outcome is due."),
    "reminder.handover_deadline": Kind(ReminderDue, Visibility.STAFF, "A task's deadline is 7 days away."),
    "reminder.handover_overdue": Kind(ReminderDue, Visibility.STAFF, "A task's deadline has passed."),
    # Subject: the promise (the idea, or the consultation of an adopted theme).
    "reminder.implementation_due": Kind(
        ReminderDue, Visibility.STAFF, "A milestone of a promise's implementation is due within 7 days."
    ),
    "reminder.implementation_overdue": Kind(
        ReminderDue, Visibility.STAFF, "A milestone of a promise's implementation is overdue."
    ),
}


# Their events become entries of the public record (civic/record) in the act's transaction.
OFFICIAL_KINDS: frozenset[str] = frozenset(kind for kind, entry in CATALOGUE.items() if entry.official)

INSERT = """
INSERT INTO events (kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id
"""


class UnknownEvent(Exception):
    """A programming error: the kind is not in CATALOGUE, or its payload is of another type."""


async def record(
    conn: asyncpg.Connection,
    kind: str,
    payload: msgspec.Struct,
    *,
    subject: tuple[str, int],
    actor_id: int | None,
    agency_id: int | None = None,
    province: str | None = None,
    hidden: bool = False,
) -> int:
    """Append one event. Call it inside the action's transaction."""
    entry = CATALOGUE.get(kind)
    if entry is None or type(payload) is not entry.payload:
        raise UnknownEvent(f"{kind}: {type(payload).__name__}")
    visibility = Visibility.STAFF if hidden and entry.visibility is Visibility.PUBLIC else entry.visibility
    event_id = await conn.fetchval(
        INSERT,
        kind,
        actor_id,
        subject[0],
        subject[1],
        agency_id,
        province,
        visibility.value,
        msgspec.to_builtins(payload),
    )
    if entry.official:
        await public_record.append(conn, OFFICIAL_KINDS)
    return event_id


async def append_to_public_record(conn: asyncpg.Connection) -> None:
    """For a store that writes an official event in SQL, in the statement of its change (a
    support that starts an idea's clock): call it in the same transaction, after that statement."""
    await public_record.append(conn, OFFICIAL_KINDS)
