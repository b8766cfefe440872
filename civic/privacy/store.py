"""PDPA SQL: notice acceptances, consent records, the export's reads, erasure and retention.

Export and erasure read and write other domains' tables directly, on purpose: they are about
one person across the whole schema, and keeping every statement that touches personal data in
one file is what lets tests/integration/test_privacy.py check them against the schema
(a table added later that links to users fails that test until it is listed here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from civic.privacy.schemas import ConsentLogRow, ConsentOut

# ------------------------------------------------------------------ the notice and consents

ACCEPT = "INSERT INTO privacy_acceptances (user_id, version, channel) VALUES ($1, $2, $3)"
ACCEPTED_USERS = "SELECT DISTINCT user_id FROM privacy_acceptances WHERE version >= $1"
ACCEPTED_VERSION = "SELECT COALESCE(max(version), 0) FROM privacy_acceptances WHERE user_id = $1"
RECORD_CONSENT = """
INSERT INTO consent_records (user_id, purpose, granted, channel, detail)
VALUES ($1, $2, $3, $4, $5) RETURNING id
"""
CONSENTS = """
SELECT purpose, granted, channel, detail, recorded_at FROM consent_records
WHERE user_id = $1 ORDER BY recorded_at DESC, id DESC
"""
# Every consent record, newest first, for the admin console; a purpose narrows it.
CONSENT_LOG = """
SELECT c.id, c.user_id, u.display_name, c.purpose, c.granted, c.channel, c.detail, c.recorded_at
FROM consent_records c JOIN users u ON u.id = c.user_id
WHERE ($1::text IS NULL OR c.purpose = $1)
ORDER BY c.recorded_at DESC, c.id DESC LIMIT $2 OFFSET $3
"""
# The publication consent a response carried, copied from its event once (event_id is UNIQUE),
# dated when the person answered, so a later withdrawal stays the newest record.
PUBLICATION_FROM_RESPONSE = """
INSERT INTO consent_records (user_id, purpose, granted, channel, detail, event_id, recorded_at)
SELECT r.user_id, 'publication', r.consent <> 'none', 'web',
       jsonb_build_object('response_id', r.id, 'consultation_id', r.consultation_id, 'choice', r.consent),
       $2, $3
FROM consultation_responses r WHERE r.id = $1
ON CONFLICT (event_id) DO NOTHING
"""
# The counter's consent becomes the person's when they take its contribution over: their own
# account gets a copy of each record the counter account holds, dated when it was given at the
# counter (so a later choice of theirs stays the newest), saying which slip it came from. Copied,
# not moved: the consent log is never updated.
TAKE_OVER_CONSENTS = """
INSERT INTO consent_records (user_id, purpose, granted, channel, detail, recorded_at)
SELECT $2, purpose, granted, channel, detail || jsonb_build_object('assisted_id', $3::bigint), recorded_at
FROM consent_records WHERE user_id = $1 AND purpose = 'assisted'
ORDER BY recorded_at, id
RETURNING id
"""
# Withdrawing publication takes effect at once: every response stops being published.
UNPUBLISH_RESPONSES = """
UPDATE consultation_responses SET consent = 'none', updated_at = now()
WHERE user_id = $1 AND consent <> 'none'
"""
# Withdrawing notification email: mail already queued for a notice is not sent either.
# (Account mail, kind 'all', still goes: verifying an address or resetting a password is not
# a notification.)
CANCEL_NOTICE_MAIL = """
UPDATE mail_messages SET status = 'failed', last_error = 'consent withdrawn'
WHERE user_id = $1 AND status = 'queued' AND kind <> 'all'
"""


async def accept_notice(conn: asyncpg.Connection, user_id: int, version: int, channel: str) -> None:
    await conn.execute(ACCEPT, user_id, version, channel)


async def accepted_version(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(ACCEPTED_VERSION, user_id)


async def accepted_users(conn: asyncpg.Connection, version: int) -> set[int]:
    return {r["user_id"] for r in await conn.fetch(ACCEPTED_USERS, version)}


async def record_consent(
    conn: asyncpg.Connection, user_id: int, purpose: str, granted: bool, channel: str, detail: dict
) -> int:
    return await conn.fetchval(RECORD_CONSENT, user_id, purpose, granted, channel, detail)


async def take_over_consents(conn: asyncpg.Connection, holder_id: int, user_id: int, assisted_id: int) -> int:
    return len(await conn.fetch(TAKE_OVER_CONSENTS, holder_id, user_id, assisted_id))


async def consents(conn: asyncpg.Connection, user_id: int) -> list[ConsentOut]:
    return [ConsentOut(**dict(r)) for r in await conn.fetch(CONSENTS, user_id)]


async def consent_log(
    conn: asyncpg.Connection, purpose: str | None, limit: int, offset: int
) -> list[ConsentLogRow]:
    return [ConsentLogRow(**dict(r)) for r in await conn.fetch(CONSENT_LOG, purpose, limit, offset)]


async def publication_from_response(conn: asyncpg.Connection, response_id: int, event_id: int, at) -> None:
    await conn.execute(PUBLICATION_FROM_RESPONSE, response_id, event_id, at)


async def unpublish_responses(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(UNPUBLISH_RESPONSES, user_id)


async def cancel_notice_mail(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(CANCEL_NOTICE_MAIL, user_id)


# ------------------------------------------------------------------ export


@dataclass(frozen=True)
class Export:
    """One file of the export: its query ($1 = the person) and the (table, column) links to the
    person it answers for."""

    name: str
    sql: str
    covers: tuple[tuple[str, str], ...]


EXPORTS: tuple[Export, ...] = (
    Export(
        "profile",
        "SELECT id, email, display_name, lang, role, status, email_verified_at, id_verified_at, created_at "
        "FROM users WHERE id = $1",
        (),
    ),
    # Metadata only: whether two-step login is on and since when, never the (encrypted) secret or
    # the recovery codes' hashes; one row, or none for a person who never set it up.
    Export(
        "two_step_login",
        "SELECT t.created_at AS set_up_at, t.confirmed_at AS enabled_since, "
        "count(r.code_hash) FILTER (WHERE r.used_at IS NULL) AS recovery_codes_left, "
        "max(r.used_at) AS recovery_code_last_used_at "
        "FROM totp_credentials t LEFT JOIN totp_recovery_codes r ON r.user_id = t.user_id "
        "WHERE t.user_id = $1 GROUP BY t.user_id, t.created_at, t.confirmed_at",
        (("totp_credentials", "user_id"), ("totp_recovery_codes", "user_id")),
    ),
    Export(
        "linked_logins",
        "SELECT issuer, subject, linked_at FROM oidc_identities WHERE user_id = $1 ORDER BY linked_at",
        (("oidc_identities", "user_id"),),
    ),
    # What a counter took down for the person and they took over: their own name and contact as
    # staff wrote them, never the code's or the national ID's hash.
    Export(
        "counter_contributions",
        "SELECT a.kind, a.target_id, a.contribution_id, a.agency_id, o.name_th AS agency, a.channel, "
        "a.person_name, a.person_contact, a.created_at, a.taken_over_at FROM assisted_contributions a "
        "JOIN organisations o ON o.id = a.agency_id WHERE a.taken_over_by = $1 ORDER BY a.id",
        (("assisted_contributions", "taken_over_by"),),
    ),
    Export(
        "privacy_notices",
        "SELECT version, channel, accepted_at FROM privacy_acceptances WHERE user_id = $1 ORDER BY id",
        (("privacy_acceptances", "user_id"),),
    ),
    Export("consents", CONSENTS, (("consent_records", "user_id"),)),
    Export(
        "ideas",
        "SELECT id, board_id, title, body, category, province, links, status, hidden_at, support_count, "
        "created_at, updated_at FROM ideas WHERE author_id = $1 ORDER BY id",
        (("ideas", "author_id"),),
    ),
    Export(
        "idea_revisions",
        "SELECT idea_id, title, body, category, province, links, at AS edited_at FROM idea_revisions "
        "WHERE edited_by = $1 ORDER BY id",
        (("idea_revisions", "edited_by"),),
    ),
    Export(
        "supports",
        "SELECT idea_id, created_at FROM idea_supports WHERE user_id = $1 ORDER BY created_at",
        (("idea_supports", "user_id"),),
    ),
    Export(
        "idea_comments",
        "SELECT id, idea_id, parent_id, body, created_at, edited_at, deleted_at, hidden_at FROM idea_comments "
        "WHERE author_id = $1 ORDER BY id",
        (("idea_comments", "author_id"),),
    ),
    Export(
        "idea_flags",
        "SELECT subject_kind, subject_id, reason, created_at, resolved_at, resolution FROM idea_flags "
        "WHERE flagger_id = $1 ORDER BY id",
        (("idea_flags", "flagger_id"),),
    ),
    Export(
        "consultation_responses",
        "SELECT consultation_id, consent, province, answers, created_at, updated_at FROM consultation_responses "
        "WHERE user_id = $1 ORDER BY id",
        (("consultation_responses", "user_id"),),
    ),
    Export(
        "consultation_comments",
        "SELECT id, consultation_id, section_id, parent_id, body, status, created_at FROM consultation_comments "
        "WHERE user_id = $1 ORDER BY id",
        (("consultation_comments", "user_id"),),
    ),
    Export(
        "consultation_comment_flags",
        "SELECT comment_id, reason, created_at FROM consultation_comment_flags WHERE flagger_id = $1 ORDER BY id",
        (("consultation_comment_flags", "flagger_id"),),
    ),
    Export(
        "follows",
        "SELECT target_kind, target_id, auto, created_at FROM follows WHERE user_id = $1 ORDER BY created_at",
        (("follows", "user_id"),),
    ),
    Export(
        "unfollows",
        "SELECT target_kind, target_id, unfollowed_at FROM unfollows WHERE user_id = $1 ORDER BY unfollowed_at",
        (("unfollows", "user_id"),),
    ),
    Export(
        "notifications",
        "SELECT event_id, notice, email, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id",
        (("notifications", "user_id"),),
    ),
    Export(
        "notification_preferences",
        "SELECT notice, email, updated_at FROM notification_preferences WHERE user_id = $1 ORDER BY notice",
        (("notification_preferences", "user_id"),),
    ),
    Export(
        "notification_digests",
        "SELECT day, items, sent_at FROM notification_digests WHERE user_id = $1 ORDER BY day",
        (("notification_digests", "user_id"),),
    ),
    Export(
        "memberships",
        "SELECT m.org_id, o.name_th AS organisation, m.role, m.status, m.created_at FROM memberships m "
        "JOIN organisations o ON o.id = m.org_id WHERE m.user_id = $1 ORDER BY m.org_id",
        (("memberships", "user_id"),),
    ),
    Export(
        "sessions",
        "SELECT created_at, last_seen_at, expires_at, user_agent, ip FROM sessions WHERE user_id = $1 "
        "ORDER BY created_at",
        (("sessions", "user_id"),),
    ),
    Export(
        "api_tokens",
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        (("api_tokens", "user_id"),),
    ),
    Export(
        "account_links",
        "SELECT purpose, email, created_at, expires_at, used_at FROM account_tokens WHERE user_id = $1 "
        "ORDER BY created_at",
        (("account_tokens", "user_id"),),
    ),
    Export(
        "audit_log",
        "SELECT action, org_id, subject_kind, subject_id, detail, at FROM audit_log WHERE actor_id = $1 ORDER BY id",
        (("audit_log", "actor_id"),),
    ),
    Export(
        "activity",
        "SELECT kind, subject_kind, subject_id, visibility, payload, occurred_at FROM events WHERE actor_id = $1 "
        "ORDER BY id",
        (("events", "actor_id"),),
    ),
    Export(
        "mail",
        "SELECT to_address, template, kind, status, created_at, sent_at FROM mail_messages WHERE user_id = $1 "
        "ORDER BY id",
        (("mail_messages", "user_id"),),
    ),
)

# Links to a person that the export leaves out, each with its reason. An act done for an
# organisation or as a moderator belongs to that organisation's (or the platform's) public
# record, and the export's audit_log file lists every such act of the person already.
OFFICIAL_ACT = "an act done for an organisation or as a moderator; the audit_log file lists it"
NOT_EXPORTED: dict[tuple[str, str], str] = {
    ("consultation_changes", "changed_by"): OFFICIAL_ACT,
    ("consultation_comment_flags", "resolved_by"): OFFICIAL_ACT,
    ("consultation_coowners", "added_by"): OFFICIAL_ACT,
    ("consultation_coowners", "responded_by"): OFFICIAL_ACT,
    ("consultation_comments", "hidden_by"): OFFICIAL_ACT,
    ("consultation_documents", "uploaded_by"): OFFICIAL_ACT,
    ("consultation_outcomes", "published_by"): OFFICIAL_ACT,
    ("consultations", "created_by"): OFFICIAL_ACT,
    ("handover_claims", "claimed_by"): OFFICIAL_ACT,
    ("handover_events", "actor_id"): OFFICIAL_ACT,
    ("handover_reviews", "reviewer_id"): OFFICIAL_ACT,
    ("handover_tasks", "created_by"): OFFICIAL_ACT,
    ("handover_tasks", "signed_off_by"): OFFICIAL_ACT,
    ("handover_updates", "author_id"): OFFICIAL_ACT,
    ("idea_answer_revisions", "author_id"): OFFICIAL_ACT,
    ("idea_answers", "author_id"): OFFICIAL_ACT,
    ("idea_board_coowners", "added_by"): OFFICIAL_ACT,
    ("idea_board_coowners", "responded_by"): OFFICIAL_ACT,
    ("idea_boards", "created_by"): OFFICIAL_ACT,
    ("idea_comments", "hidden_by"): OFFICIAL_ACT,
    ("idea_flags", "resolved_by"): OFFICIAL_ACT,
    ("idea_status_history", "actor_id"): OFFICIAL_ACT,
    ("implementation_plans", "created_by"): OFFICIAL_ACT,
    ("implementation_updates", "author_id"): OFFICIAL_ACT,
    ("ideas", "hidden_by"): OFFICIAL_ACT,
    ("organisations", "created_by"): OFFICIAL_ACT,
    ("organisations", "verified_by"): OFFICIAL_ACT,
    (
        "opendata_runs",
        "actor_id",
    ): "an operator's run of the open data export: the platform's act, not the person's data",
    ("assisted_contributions", "staff_id"): OFFICIAL_ACT,
    (
        "assisted_contributions",
        "holder_id",
    ): "the counter account that held a contribution until its take-over; nobody logs in to it, and "
    "the counter_contributions file lists what the person took over",
    (
        "login_challenges",
        "user_id",
    ): "the step between password and code of a login in progress: a one-time token's hash, for minutes",
    (
        "oidc_flows",
        "link_user_id",
    ): "an OpenID Connect login in progress: one-time state, nonce and PKCE verifier, for minutes",
    (
        "oidc_pending_links",
        "user_id",
    ): "a provider login waiting for the person's confirmation, for minutes (a one-time token's hash); "
    "once confirmed the linked_logins file lists it",
    (
        "totp_failures",
        "user_id",
    ): "the throttle's count of wrong two-step codes, gone within a day",
}


async def export_rows(conn: asyncpg.Connection, export: Export, user_id: int) -> tuple[list[str], list[dict]]:
    """The file's column names (from the statement, so an empty file still has its header) and rows."""
    statement = await conn.prepare(export.sql)
    columns = [a.name for a in statement.get_attributes()]
    return columns, [dict(r) for r in await statement.fetch(user_id)]


# ------------------------------------------------------------------ erasure

LOCK_USER = "SELECT email, display_name, status FROM users WHERE id = $1 FOR UPDATE"
# Organisations the person is the only active admin of: erasing would leave them headless.
SOLE_ADMIN_OF = """
SELECT o.name_th, NULLIF(o.name_en, '') AS name_en FROM memberships m JOIN organisations o ON o.id = m.org_id
WHERE m.user_id = $1 AND m.role = 'admin' AND m.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM memberships x
                  WHERE x.org_id = m.org_id AND x.user_id <> $1 AND x.role = 'admin' AND x.status = 'active')
ORDER BY o.name_th
"""
# What is the person's and nobody else's: deleted outright.
DELETE_PERSONAL = [
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM api_tokens WHERE user_id = $1",
    "DELETE FROM account_tokens WHERE user_id = $1",
    "DELETE FROM notifications WHERE user_id = $1",
    "DELETE FROM notification_preferences WHERE user_id = $1",
    "DELETE FROM notification_digests WHERE user_id = $1",
    "DELETE FROM follows WHERE user_id = $1",
    "DELETE FROM unfollows WHERE user_id = $1",
    "DELETE FROM memberships WHERE user_id = $1",
    "DELETE FROM privacy_acceptances WHERE user_id = $1",
    "DELETE FROM consent_records WHERE user_id = $1",
    "DELETE FROM totp_credentials WHERE user_id = $1",
    "DELETE FROM totp_recovery_codes WHERE user_id = $1",
    "DELETE FROM totp_failures WHERE user_id = $1",
    "DELETE FROM login_challenges WHERE user_id = $1",
    "DELETE FROM oidc_identities WHERE user_id = $1",
    "DELETE FROM oidc_pending_links WHERE user_id = $1",
    "DELETE FROM oidc_flows WHERE link_user_id = $1",
]
# What a counter took down for a person who then took it over stays (the staff member's act and
# the agency's count), pointing at the tombstone as a support does; the person's name, contact
# and ID hash go, as they go from the account.
SCRUB_COUNTER = """
UPDATE assisted_contributions SET person_name = $2, person_contact = '', national_id_hash = NULL
WHERE taken_over_by = $1
"""
# Throttle rows are keyed by the address typed, not the account (login_throttle's 'pair' key is
# "<address> <ip>"; compared by prefix, not LIKE, since an address may hold _ or %).
DELETE_BY_ADDRESS = [
    "DELETE FROM login_failures WHERE lower(email) = lower($1)",
    "DELETE FROM reset_requests WHERE lower(email) = lower($1)",
    "DELETE FROM login_throttle WHERE (scope = 'account' AND key = lower($1))"
    " OR (scope = 'pair' AND left(key, length($1) + 1) = lower($1) || ' ')",
]
# Mail keeps its row (the sender and the idempotency key rely on it) without address or content;
# what was still waiting is never sent.
SCRUB_MAIL = """
UPDATE mail_messages
SET to_address = $3, context = '{}'::jsonb,
    status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
    last_error = CASE WHEN status = 'queued' THEN 'account erased' ELSE last_error END
WHERE user_id = $1 OR lower(to_address) = lower($2)
"""
# Event payloads and audit details may quote the name or the address (account.registered does):
# every JSON string that is exactly one of them becomes the tombstone. jsonb's text form escapes
# a string exactly as to_jsonb(text)::text does, so the quoted forms match whole values only.
SCRUB_EVENTS = """
UPDATE events
SET payload = replace(replace(payload::text, to_jsonb($1::text)::text, to_jsonb($3::text)::text),
                      to_jsonb($2::text)::text, to_jsonb($4::text)::text)::jsonb
WHERE payload::text LIKE '%' || to_jsonb($1::text)::text || '%'
   OR payload::text LIKE '%' || to_jsonb($2::text)::text || '%'
"""
SCRUB_AUDIT = SCRUB_EVENTS.replace("UPDATE events", "UPDATE audit_log").replace("payload", "detail")
TOMBSTONE_USER = """
UPDATE users SET email = $2, display_name = $3, password_hash = '', status = 'erased', erased_at = now(),
                 role = 'citizen', email_verified_at = NULL, national_id_hash = NULL, id_verified_at = NULL
WHERE id = $1
"""
# Asked to remove their content too: the rows stay (replies, supports and the record point at
# them), their words go. Ideas are hidden and their earlier versions deleted.
REMOVE_IDEAS = """
UPDATE ideas SET title = $2, body = $2, links = '{}', hidden_at = COALESCE(hidden_at, now()),
                 hidden_reason = $2, updated_at = now()
WHERE author_id = $1 RETURNING id
"""
REMOVE_IDEA_REVISIONS = "DELETE FROM idea_revisions WHERE idea_id = ANY($1::bigint[])"
REMOVE_IDEA_COMMENTS = """
UPDATE idea_comments SET body = '', deleted_at = COALESCE(deleted_at, now()) WHERE author_id = $1
"""
REMOVE_CONSULTATION_COMMENTS = """
UPDATE consultation_comments SET body = '', status = 'hidden', hidden_reason = $2,
                                 hidden_at = COALESCE(hidden_at, now())
WHERE user_id = $1
"""
# Answers stay counted in the statistics; only their publication ends.
REMOVE_RESPONSES = "UPDATE consultation_responses SET consent = 'none', updated_at = now() WHERE user_id = $1"


async def lock_user(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(LOCK_USER, user_id)


async def sole_admin_of(conn: asyncpg.Connection, user_id: int, lang: str) -> list[str]:
    """Their names in `lang` (Thai when there is no English one): the refusal names them."""
    rows = await conn.fetch(SOLE_ADMIN_OF, user_id)
    return [r["name_en"] if lang == "en" and r["name_en"] else r["name_th"] for r in rows]


async def erase(
    conn: asyncpg.Connection, user_id: int, email: str, name: str, *, tomb_email: str, tomb_name: str
) -> None:
    """Deletes and scrubs the person's data; their public contributions stay, now under tomb_name.
    Runs in the caller's transaction."""
    for sql in DELETE_PERSONAL:
        await conn.execute(sql, user_id)
    for sql in DELETE_BY_ADDRESS:
        await conn.execute(sql, email)
    await conn.execute(SCRUB_COUNTER, user_id, tomb_name)
    await conn.execute(SCRUB_MAIL, user_id, email, tomb_email)
    await conn.execute(SCRUB_EVENTS, name, email, tomb_name, tomb_email)
    await conn.execute(SCRUB_AUDIT, name, email, tomb_name, tomb_email)
    await conn.execute(TOMBSTONE_USER, user_id, tomb_email, tomb_name)


async def remove_content(conn: asyncpg.Connection, user_id: int, removed: str) -> list[int]:
    """Returns the ideas whose words were removed (to be taken out of the search index)."""
    idea_ids = [r["id"] for r in await conn.fetch(REMOVE_IDEAS, user_id, removed)]
    await conn.execute(REMOVE_IDEA_REVISIONS, idea_ids)
    await conn.execute(REMOVE_IDEA_COMMENTS, user_id)
    await conn.execute(REMOVE_CONSULTATION_COMMENTS, user_id, removed)
    await conn.execute(REMOVE_RESPONSES, user_id)
    return idea_ids


# ------------------------------------------------------------------ retention

PURGE_SESSIONS = "DELETE FROM sessions WHERE expires_at < now() - $1::interval"
# login_throttle forgets attempts after minutes (civic/accounts/rules.py); a row whose window
# started before the retention period holds nothing the throttle still needs.
PURGE_LOGIN_ATTEMPTS = [
    "DELETE FROM login_failures WHERE at < now() - $1::interval",
    "DELETE FROM reset_requests WHERE at < now() - $1::interval",
    "DELETE FROM login_throttle WHERE window_start < now() - $1::interval AND next_at < now()",
]
PURGE_MAIL_ROWS = "DELETE FROM mail_messages WHERE status <> 'queued' AND created_at < now() - $1::interval"
UNVERIFIED = """
SELECT id, email, display_name FROM users
WHERE email_verified_at IS NULL AND status <> 'erased' AND created_at < now() - $1::interval
ORDER BY id LIMIT $2
"""
DELETE_USER = "DELETE FROM users WHERE id = $1"


def _count(status: str) -> int:
    return int(status.split()[-1])


async def purge_sessions(conn: asyncpg.Connection, after: timedelta) -> int:
    return _count(await conn.execute(PURGE_SESSIONS, after))


async def purge_login_attempts(conn: asyncpg.Connection, after: timedelta) -> int:
    return sum([_count(await conn.execute(sql, after)) for sql in PURGE_LOGIN_ATTEMPTS])


async def purge_mail_rows(conn: asyncpg.Connection, after: timedelta) -> int:
    return _count(await conn.execute(PURGE_MAIL_ROWS, after))


async def unverified_users(conn: asyncpg.Connection, after: timedelta, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(UNVERIFIED, after, limit)


async def delete_user(conn: asyncpg.Connection, user_id: int) -> bool:
    """False when something that must outlive the account still points at it (the caller then
    keeps the erased tombstone instead)."""
    try:
        async with conn.transaction():
            await conn.execute(DELETE_USER, user_id)
    except asyncpg.ForeignKeyViolationError:
        return False
    return True
