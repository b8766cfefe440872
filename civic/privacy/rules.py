"""PDPA rules: the privacy notice's versions, consent purposes, who may erase what, what an
erased account becomes, the retention periods, and the export's documentation. Pure: no
litestar, no asyncpg, no store."""

from __future__ import annotations

from datetime import date, timedelta

from civic.accounts.schemas import CurrentUser
from civic.validation import N_, Conflict, Errors, Problem, check_choice

# ------------------------------------------------------------------ the privacy notice

# version -> the day it took effect. Its text is templates/privacy/notice_v<N>_<lang>.html. A
# new version is a new entry and two new templates: everyone who accepted an older one is asked
# again on their next request (pages: an interstitial; API: 403 privacy_notice_required).
NOTICE_VERSIONS: dict[int, date] = {1: date(2026, 1, 15)}
CURRENT_NOTICE = max(NOTICE_VERSIONS)
CHANNELS = ("web", "api", "counter")


def needs_notice(accepted_version: int) -> bool:
    return accepted_version < CURRENT_NOTICE


def notice_template(version: int, lang: str) -> str:
    return f"privacy/notice_v{version}_{'en' if lang == 'en' else 'th'}.html"


# Paths a person who has not accepted the current notice may still use: reading the notice,
# accepting it, leaving, and exercising their rights (export and erasure must never be held
# behind consent to something else).
GATE_OPEN_PREFIXES = (
    "/privacy",
    "/api/v1/privacy",
    "/account/privacy",
    "/account/export",
    "/account/erase",
    "/api/v1/me",
    "/static/",
    "/logout",
    "/lang",
    "/schema",
)


def gate_applies(path: str) -> bool:
    return not any(path == p or path.startswith(p) for p in GATE_OPEN_PREFIXES)


# ------------------------------------------------------------------ consent

PUBLICATION = "publication"
NOTIFICATION_EMAIL = "notification_email"
ASSISTED = "assisted"
PURPOSES = (PUBLICATION, NOTIFICATION_EMAIL, ASSISTED)
PURPOSE_LABELS = {
    PUBLICATION: N_(
        "Publishing my consultation responses (with my name or anonymously, as I chose for each)"
    ),
    NOTIFICATION_EMAIL: N_("Email notifications about what I follow"),
    ASSISTED: N_("Staff at a counter or on the phone submitting on my behalf"),
}
# What a purpose is before the person said anything: notification email was on by default
# before consent was recorded (each notice's own default still applies); publication follows
# each response's own choice; nobody is assumed to want help at a counter.
DEFAULTS = {PUBLICATION: True, NOTIFICATION_EMAIL: True, ASSISTED: False}


def validate_consent(purpose: str, channel: str) -> Errors:
    errors: Errors = {}
    problem = check_choice(purpose, PURPOSES)
    if problem:
        errors["purpose"] = problem
    problem = check_choice(channel, CHANNELS)
    if problem:
        errors["channel"] = problem
    return errors


def current_consents(newest_first: list[tuple[str, bool]]) -> dict[str, bool]:
    """Each purpose's current choice from the log (newest record first): the newest record wins,
    a purpose never recorded has its default."""
    state = dict(DEFAULTS)
    seen: set[str] = set()
    for purpose, granted in newest_first:
        if purpose not in seen:
            seen.add(purpose)
            state[purpose] = granted
    return state


def publication_granted(choice: str) -> bool:
    """A response's own publication choice ('named', 'anonymous', 'none') as consent."""
    return choice != "none"


def channel_of(auth_method: str | None) -> str:
    return "api" if auth_method == "token" else "web"


# ------------------------------------------------------------------ erasure

# Shown wherever an erased person's name was: both languages, because the pages render the
# stored display name as it is (no page needs to know about erasure).
TOMBSTONE_NAME = "ผู้ใช้ที่ลบบัญชีแล้ว · deleted account"
REMOVED_TEXT = "[ลบตามคำขอของผู้เขียน · removed at the author's request]"


def tombstone_email(user_id: int) -> str:
    """Unique (users_email_key) and undeliverable: .invalid is reserved by RFC 2606."""
    return f"erased-{user_id}@erased.invalid"


class SoleAdmin(Conflict):
    code = "sole_admin"
    default_msgid = N_(
        "You are the only administrator of %(orgs)s. Make another member an administrator "
        "first, so the organisation is not left without one."
    )


def can_erase(actor: CurrentUser | None) -> bool:
    """Only the person themself erases their account (the admin console may add officers later)."""
    return actor is not None and actor.status == "active"


def erase_refusal(sole_admin_of: list[str]) -> SoleAdmin | None:
    if not sole_admin_of:
        return None
    return SoleAdmin(params={"orgs": ", ".join(sole_admin_of)})


# A login this recent stands in for the password (an account opened through an identity provider
# has none it knows): long enough to sign in again and fill in the form, short enough that a
# session left open on a shared computer cannot erase the account.
FRESH_LOGIN = timedelta(minutes=10)
ERASE_PATH = "/account/erase"


def fresh_login(login_age: timedelta | None) -> bool:
    return login_age is not None and login_age <= FRESH_LOGIN


def validate_erase(
    password: str, password_ok: bool, fresh: bool, confirmed: bool, code_needed: bool, code: str
) -> Errors:
    """A password typed must be right; none typed needs a fresh login. With two-step login on, a
    code is needed too (checked last, in the erasure's transaction, since checking uses it up)."""
    errors: Errors = {}
    if password and not password_ok:
        errors["password"] = Problem(N_("Your current password is not correct."))
    elif not password and not fresh:
        errors["password"] = Problem(
            N_(
                "Enter your current password, or sign in again: a sign-in in the last %(minutes)s minutes "
                "confirms it is you."
            ),
            {"minutes": int(FRESH_LOGIN.total_seconds() // 60)},
        )
    if code_needed and not code.strip():
        errors["code"] = Problem(N_("Enter the 6-digit code from your authenticator app, or a recovery code."))
    if not confirmed:
        errors["confirm"] = Problem(N_("Tick the box to confirm that you want your account erased."))
    return errors


# ------------------------------------------------------------------ retention

# Every period here is listed in the README's "Personal data" section; a test checks they agree.
RETENTION: dict[str, timedelta] = {
    # Sessions end at expires_at (30 days after the last request); the row goes at the next sweep.
    "expired_sessions": timedelta(0),
    # Failed logins and reset requests throttle within minutes; a week is kept to see an attack.
    "login_attempts": timedelta(days=7),
    # Sent or failed mail rows (address, template): long enough to answer "did you mail me?".
    "mail_rows": timedelta(days=90),
    # Development only: what the mail catcher wrote to var/mail.
    "caught_mail": timedelta(days=14),
    # An address never verified is likely a typo or someone else's: the account and all it holds go.
    "unverified_accounts": timedelta(days=30),
}


# ------------------------------------------------------------------ the export's documentation

# file -> (what it is, {column: meaning}). The manifest (README.txt and manifest.json in the
# zip) is built from this; a test fails if an exported file or column is not described here.
EXPORT_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "profile": (
        "Your account.",
        {
            "id": "Your account number.",
            "email": "Your email address.",
            "display_name": "The name shown with what you write.",
            "lang": "Your language (th or en).",
            "role": "citizen, moderator or admin.",
            "status": "active or blocked.",
            "email_verified_at": "When you proved your address.",
            "id_verified_at": "When you verified your Thai national ID (the number itself is never kept).",
            "created_at": "When you registered.",
        },
    ),
    "two_step_login": (
        "Two-step login (codes from an app), if you set it up. Never the secret or the recovery codes.",
        {
            "set_up_at": "When you started setting it up.",
            "enabled_since": "Since when it is on (empty: set up but never confirmed with a code).",
            "recovery_codes_left": "Recovery codes not yet used.",
            "recovery_code_last_used_at": "When you last logged in with a recovery code.",
        },
    ),
    "linked_logins": (
        "Accounts at other identity providers (OpenID Connect) that log in to yours.",
        {
            "issuer": "The provider.",
            "subject": "Your identifier at that provider.",
            "linked_at": "When you linked it.",
        },
    ),
    "counter_contributions": (
        "What agency staff submitted for you at a counter, by phone or on paper, and you took over.",
        {
            "kind": "idea, support or answer.",
            "target_id": "The idea (idea, support) or the consultation (answer).",
            "contribution_id": "The idea or the consultation response.",
            "agency_id": "The agency whose staff took it down.",
            "agency": "Its Thai name.",
            "channel": "counter, phone or paper.",
            "person_name": "Your name, as staff wrote it.",
            "person_contact": "Your contact, as staff wrote it.",
            "created_at": "When staff submitted it.",
            "taken_over_at": "When you took it over with the code.",
        },
    ),
    "privacy_notices": (
        "The privacy notice versions you accepted.",
        {"version": "Notice version.", "channel": "web, api or counter.", "accepted_at": "When."},
    ),
    "consents": (
        "Every consent you gave or withdrew, newest first.",
        {
            "purpose": "publication, notification_email or assisted.",
            "granted": "true: given; false: withdrawn.",
            "channel": "web, api or counter.",
            "detail": "For publication: the response and the choice made on it.",
            "recorded_at": "When.",
        },
    ),
    "ideas": (
        "Ideas you submitted.",
        {
            "id": "Idea number (its page is /ideas/<id>).",
            "board_id": "The board it was submitted to.",
            "title": "Title.",
            "body": "Text.",
            "category": "Category.",
            "province": "Province code.",
            "links": "Links you added.",
            "status": "Its current status.",
            "hidden_at": "When a moderator hid it, if they did.",
            "support_count": "Supports it has.",
            "created_at": "When you submitted it.",
            "updated_at": "When it last changed.",
        },
    ),
    "idea_revisions": (
        "Earlier versions of ideas you edited.",
        {
            "idea_id": "Idea number.",
            "title": "Title before the edit.",
            "body": "Text before the edit.",
            "category": "Category before the edit.",
            "province": "Province before the edit.",
            "links": "Links before the edit.",
            "edited_at": "When you edited it.",
        },
    ),
    "supports": (
        "Ideas you support.",
        {"idea_id": "Idea number.", "created_at": "When you supported it."},
    ),
    "idea_comments": (
        "Comments you wrote on ideas.",
        {
            "id": "Comment number.",
            "idea_id": "Idea number.",
            "parent_id": "The comment you replied to.",
            "body": "Text.",
            "created_at": "When.",
            "edited_at": "When you last edited it.",
            "deleted_at": "When you deleted it.",
            "hidden_at": "When a moderator hid it.",
        },
    ),
    "idea_flags": (
        "Ideas and comments you reported to the moderators.",
        {
            "subject_kind": "idea or comment.",
            "subject_id": "Its number.",
            "reason": "Your reason.",
            "created_at": "When.",
            "resolved_at": "When a moderator dealt with it.",
            "resolution": "What they decided.",
        },
    ),
    "consultation_responses": (
        "Your answers to consultations.",
        {
            "consultation_id": "Consultation number.",
            "consent": "Your publication choice: named, anonymous or none.",
            "province": "Province you gave.",
            "answers": "Your answers, by question number.",
            "created_at": "When you answered.",
            "updated_at": "When you last changed them.",
        },
    ),
    "consultation_comments": (
        "Comments you wrote on consultation sections.",
        {
            "id": "Comment number.",
            "consultation_id": "Consultation number.",
            "section_id": "Section number.",
            "parent_id": "The comment you replied to.",
            "body": "Text.",
            "status": "visible or hidden.",
            "created_at": "When.",
        },
    ),
    "consultation_comment_flags": (
        "Consultation comments you reported.",
        {"comment_id": "Comment number.", "reason": "Your reason.", "created_at": "When."},
    ),
    "follows": (
        "What you follow.",
        {
            "target_kind": "board, idea, consultation, task, agency, province or topic.",
            "target_id": "Its number or code.",
            "auto": "true when the platform followed it for you.",
            "created_at": "Since when.",
        },
    ),
    "unfollows": (
        "What you chose to stop following (so it is not followed again automatically).",
        {"target_kind": "Kind.", "target_id": "Its number or code.", "unfollowed_at": "When."},
    ),
    "notifications": (
        "Notifications sent to you.",
        {
            "event_id": "The event it was about.",
            "notice": "The kind of notice.",
            "email": "immediate, digest or off.",
            "created_at": "When.",
            "read_at": "When you read it.",
        },
    ),
    "notification_preferences": (
        "Your email choice per kind of notice.",
        {"notice": "Kind of notice.", "email": "immediate, digest or off.", "updated_at": "When."},
    ),
    "notification_digests": (
        "Daily digests mailed to you.",
        {"day": "Day.", "items": "How many notices.", "sent_at": "When."},
    ),
    "memberships": (
        "Organisations you belong to.",
        {
            "org_id": "Organisation number.",
            "organisation": "Its Thai name.",
            "role": "member or admin.",
            "status": "pending or active.",
            "created_at": "Since when.",
        },
    ),
    "sessions": (
        "Devices logged in to your account (no session keys).",
        {
            "created_at": "When the session started.",
            "last_seen_at": "Last request.",
            "expires_at": "When it ends.",
            "user_agent": "The browser's description.",
            "ip": "Address.",
        },
    ),
    "api_tokens": (
        "Your API tokens (names and dates, never the tokens).",
        {
            "id": "Token number.",
            "name": "Its name.",
            "created_at": "When.",
            "last_used_at": "Last use.",
            "revoked_at": "When revoked.",
        },
    ),
    "account_links": (
        "Links mailed to you to verify an address or reset a password (never the link itself).",
        {
            "purpose": "verify, reset or change_email.",
            "email": "The address it was sent to.",
            "created_at": "When.",
            "expires_at": "Until when it worked.",
            "used_at": "When it was used.",
        },
    ),
    "audit_log": (
        "Acts you did as moderator, administrator or organisation staff, as the audit log keeps them.",
        {
            "action": "What was done.",
            "org_id": "For which organisation.",
            "subject_kind": "On what.",
            "subject_id": "Its number.",
            "detail": "Details kept.",
            "at": "When.",
        },
    ),
    "activity": (
        "The events recorded for what you did.",
        {
            "kind": "What happened.",
            "subject_kind": "On what.",
            "subject_id": "Its number.",
            "visibility": "public, staff or private.",
            "payload": "What the event recorded.",
            "occurred_at": "When.",
        },
    ),
    "mail": (
        "Mail sent to you (addresses and dates; the contents held links that worked once).",
        {
            "to_address": "Address.",
            "template": "Which mail.",
            "kind": "Which notice.",
            "status": "queued, sent or failed.",
            "created_at": "When queued.",
            "sent_at": "When sent.",
        },
    ),
}
