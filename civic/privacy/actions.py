"""PDPA verbs: accept the privacy notice, give or withdraw consent, export one's data, erase one's
account; the retention sweeps; and the reads the pages and their JSON twins share.

Erasure keeps the users row as a tombstone (status 'erased', the bilingual "deleted account"
name, an undeliverable unique address, no password), so everything public that points at it
stays whole and renders unchanged. Supports and consultation answers keep pointing at the
tombstone: they stay counted (and one-per-person still holds), while nothing links them to a
person any more."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import asyncpg
import msgspec

from civic import events
from civic.accounts import actions as accounts
from civic.accounts.schemas import ClientInfo, CurrentUser
from civic.consumers import Consumer
from civic.events import AccountErased
from civic.identity import actions as identity
from civic.mail import catcher
from civic.notifications import actions as notifications
from civic.notifications import rules as notification_rules
from civic.notifications.schemas import PreferencesIn
from civic.privacy import records, rules, store
from civic.privacy.schemas import (
    AcceptIn,
    ConsentIn,
    ConsentLogRow,
    ConsentsOut,
    ErasedOut,
    EraseFormOut,
    EraseIn,
    ExportFile,
    NoticeOut,
    PurposeOut,
)
from civic.settings import load_settings
from civic.validation import Forbidden, Invalid, Problem, raise_if
from civic.web.csvout import to_csv
from civic.web.i18n import gettext

# ------------------------------------------------------------------ the privacy notice


async def notice(conn: asyncpg.Connection, actor: CurrentUser | None) -> NoticeOut:
    accepted = await store.accepted_version(conn, actor.id) if actor else None
    return NoticeOut(
        version=rules.CURRENT_NOTICE,
        effective=rules.NOTICE_VERSIONS[rules.CURRENT_NOTICE].isoformat(),
        accepted_version=accepted,
        needs_acceptance=accepted is not None and rules.needs_notice(accepted),
    )


async def accept_notice(
    conn: asyncpg.Connection, actor: CurrentUser, data: AcceptIn, channel: str
) -> NoticeOut:
    if data.version != rules.CURRENT_NOTICE:
        raise Invalid(
            {
                "version": Problem(
                    rules.N_("The privacy notice has changed since you opened it. Read the current version.")
                )
            }
        )
    async with conn.transaction():
        await records.record_acceptance(conn, actor.id, channel)
    return await notice(conn, actor)


# ------------------------------------------------------------------ consent


async def consents(conn: asyncpg.Connection, actor: CurrentUser) -> ConsentsOut:
    history = await store.consents(conn, actor.id)
    state = rules.current_consents([(c.purpose, c.granted) for c in history])
    return ConsentsOut(
        purposes=[
            PurposeOut(purpose=p, label=gettext(actor.lang, rules.PURPOSE_LABELS[p]), granted=state[p])
            for p in rules.PURPOSES
        ],
        history=history,
    )


async def consent_log(
    conn: asyncpg.Connection, *, purpose: str | None, limit: int, offset: int
) -> list[ConsentLogRow]:
    """Everyone's consent records, newest first: a read for the admin console, which decides
    who may see it (civic.admin.rules)."""
    return await store.consent_log(conn, purpose if purpose in rules.PURPOSES else None, limit, offset)


async def set_consent(
    conn: asyncpg.Connection, actor: CurrentUser, data: ConsentIn, channel: str
) -> ConsentsOut:
    """Takes effect in the same transaction: withdrawn publication unpublishes every response;
    withdrawn notification email turns every notice's email off and cancels what is queued;
    notification email given again restores each notice's default."""
    raise_if(rules.validate_consent(data.purpose, channel))
    async with conn.transaction():
        await records.record_consent(conn, actor.id, data.purpose, data.granted, channel)
        if data.purpose == rules.PUBLICATION and not data.granted:
            await store.unpublish_responses(conn, actor.id)
        if data.purpose == rules.NOTIFICATION_EMAIL:
            choices = {
                notice: (n.email if data.granted else notification_rules.OFF)
                for notice, n in notification_rules.NOTICES.items()
            }
            await notifications.set_preferences(conn, actor, PreferencesIn(email=choices))
            if not data.granted:
                await store.cancel_notice_mail(conn, actor.id)
    return await consents(conn, actor)


async def _copy_publication_consents(conn: asyncpg.Connection, batch: list[events.Event]) -> None:
    for event in batch:
        await store.publication_from_response(conn, event.subject_id, event.id, event.occurred_at)


# Each response's publication choice (named, anonymous, none) also becomes a consent record, so
# the person's consents are in one place. From the start of history: earlier answers count too.
PUBLICATION_CONSENTS = Consumer(
    "privacy.publication_consents",
    _copy_publication_consents,
    kinds=frozenset({"consultation.responded", "response.edited"}),
)


# ------------------------------------------------------------------ export


async def export(conn: asyncpg.Connection, actor: CurrentUser) -> list[ExportFile]:
    files = []
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        for e in store.EXPORTS:
            columns, rows = await store.export_rows(conn, e, actor.id)
            files.append(ExportFile(name=e.name, columns=columns, rows=rows))
    return files


def _cell(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def manifest(files: list[ExportFile]) -> dict:
    return {
        "format": "civic personal data export",
        "notice_version": rules.CURRENT_NOTICE,
        "files": [
            {
                "name": f.name,
                "json": f"{f.name}.json",
                "csv": f"{f.name}.csv",
                "description": rules.EXPORT_FILES[f.name][0],
                "rows": len(f.rows),
                "columns": {c: rules.EXPORT_FILES[f.name][1][c] for c in f.columns},
            }
            for f in files
        ],
    }


def _readme(doc: dict, generated: str) -> str:
    lines = [
        "Your data from civic, as the PDPA (sections 30-31) entitles you to it.",
        f"Made {generated}. Each file comes twice: as JSON (a list of objects) and as CSV",
        "(UTF-8; a cell starting with = + - @ has a ' in front so spreadsheets show it as text).",
        "manifest.json says the same as this file, for programs.",
        "",
    ]
    for f in doc["files"]:
        lines += [f"{f['json']} / {f['csv']} ({f['rows']} rows): {f['description']}"]
        lines += [f"  {c}: {meaning}" for c, meaning in f["columns"].items()]
        lines.append("")
    return "\n".join(lines)


def export_zip(files: list[ExportFile]) -> bytes:
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    doc = manifest(files) | {"generated_at": generated}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", _readme(doc, generated))
        z.writestr("manifest.json", json.dumps(doc, ensure_ascii=False, indent=2))
        for f in files:
            z.writestr(f"{f.name}.json", msgspec.json.format(msgspec.json.encode(f.rows), indent=2))
            z.writestr(f"{f.name}.csv", to_csv(f.columns, ([_cell(r[c]) for c in f.columns] for r in f.rows)))
    return buf.getvalue()


# ------------------------------------------------------------------ erasure


async def erase_form(conn: asyncpg.Connection, actor: CurrentUser, client: ClientInfo) -> EraseFormOut:
    linked = await identity.identity(conn, actor.id, required=False)
    return EraseFormOut(
        fresh_login=rules.fresh_login(await accounts.login_age(conn, actor, client.session_token)),
        code_needed=actor.totp_enabled,
        provider_login=bool(linked.oidc_issuers),
    )


async def erase(
    conn: asyncpg.Connection, actor: CurrentUser, data: EraseIn, client: ClientInfo, *, secret: str
) -> ErasedOut:
    """Confirmed by the password, or without it by a sign-in in the last rules.FRESH_LOGIN, and by
    a two-step login code when that is on. Refused (SoleAdmin, naming the organisations) while the
    person is the only admin of one; official acts done for an agency stay and stay the agency's.
    A refusal changes nothing but the throttles' counts."""
    if not rules.can_erase(actor):
        raise Forbidden()
    password_ok = bool(data.password) and await accounts.confirm_password(conn, actor, data.password, client)
    fresh = rules.fresh_login(await accounts.login_age(conn, actor, client.session_token))
    raise_if(
        rules.validate_erase(data.password, password_ok, fresh, data.confirm, actor.totp_enabled, data.code)
    )
    async with conn.transaction():
        row = await store.lock_user(conn, actor.id)
        if row is None or row["status"] == "erased":
            raise Forbidden()
        refusal = rules.erase_refusal(await store.sole_admin_of(conn, actor.id, actor.lang))
        if refusal:
            raise refusal
        # Last: checking the code uses it up, so only once nothing else can refuse.
        wrong_code = await identity.check_second_factor(conn, actor, data.code, secret=secret)
        if wrong_code is None:
            if data.remove_content:
                await store.remove_content(conn, actor.id, rules.REMOVED_TEXT)
            await _erase(conn, actor.id, row["email"], row["display_name"])
            await events.record(
                conn,
                "account.erased",
                AccountErased(content_removed=data.remove_content),
                subject=("user", actor.id),
                actor_id=actor.id,
            )
    if wrong_code is not None:
        raise wrong_code
    return ErasedOut(status="erased", content_removed=data.remove_content)


async def _erase(conn: asyncpg.Connection, user_id: int, email: str, name: str) -> None:
    await store.erase(
        conn,
        user_id,
        email,
        name,
        tomb_email=rules.tombstone_email(user_id),
        tomb_name=rules.TOMBSTONE_NAME,
    )


# ------------------------------------------------------------------ retention (JOBS)

UNVERIFIED_BATCH = 200


async def purge_expired_sessions(conn: asyncpg.Connection) -> int:
    return await store.purge_sessions(conn, rules.RETENTION["expired_sessions"])


async def purge_login_attempts(conn: asyncpg.Connection) -> int:
    return await store.purge_login_attempts(conn, rules.RETENTION["login_attempts"])


async def purge_mail(conn: asyncpg.Connection) -> int:
    """Sent and failed mail rows everywhere; in development also what the catcher wrote to
    var/mail (jobs get no settings, so the environment is read here, as at start-up)."""
    purged = await store.purge_mail_rows(conn, rules.RETENTION["mail_rows"])
    settings = load_settings()
    if settings.is_development:
        cutoff = datetime.now(UTC).timestamp() - rules.RETENTION["caught_mail"].total_seconds()
        directory = catcher.mail_dir(settings.data_dir)
        for path in directory.glob("*.eml") if directory.is_dir() else ():
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                purged += 1
    return purged


async def purge_unverified_accounts(conn: asyncpg.Connection) -> int:
    """Accounts never verified go with everything that cascades from them. One that something
    lasting points at (an audit entry) is erased instead, which removes the same personal data."""
    purged = 0
    for row in await store.unverified_users(conn, rules.RETENTION["unverified_accounts"], UNVERIFIED_BATCH):
        async with conn.transaction():
            await _erase(conn, row["id"], row["email"], row["display_name"])
            await store.delete_user(conn, row["id"])
        purged += 1
    return purged
