"""Consultation verbs: one function each, shared by the pages, the API and the scheduled sweep.

Each one asks rules whether this actor may (the same can_* the templates ask), validates with
rules and reports every problem at once, then changes the store and records its event in one
transaction, so an event exists if and only if its change committed. The store still locks and
re-checks what can only be known under the lock (one response per person, the period as of now);
its own transactions become savepoints inside the action's.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import msgspec

from civic import coownership, events
from civic.accounts.schemas import CurrentUser
from civic.consultations import queries, rules, store
from civic.consultations.rules import N_
from civic.consultations.schemas import (
    BlockOut,
    CommentIn,
    Consultation,
    ConsultationDetail,
    ConsultationIn,
    ConsultationUpdate,
    Files,
    FlagOut,
    ModerationOut,
    Outcome,
    OutcomeIn,
    ReasonIn,
    ResponseIn,
    ResponseOut,
    SystemActor,
    Theme,
    TransitionIn,
    TransitionOut,
    Upload,
)
from civic.events import (
    ConsultationClosed,
    ConsultationDrafted,
    ConsultationEdited,
    ConsultationOpened,
    ConsultationResponded,
    ConsultationScheduled,
    ConsultationUnscheduled,
    Coownership,
    OutcomePublished,
    SectionCommented,
    SectionCommentFlagged,
    SectionCommentModerated,
    UserBlocked,
)
from civic.identity.rules import refusal
from civic.uploads import UploadRejected, check_upload, inspect, store_upload
from civic.validation import Conflict, Errors, Forbidden, Invalid, NotFound, Problem, raise_if

SYSTEM = SystemActor("consultations.advance_lifecycle")
NOT_OPEN = "This consultation is not open for responses."
UPDATABLE = ("title", "summary", "kind", "province", "opens_at", "closes_at")


class UploadRefused(Invalid):
    """A file that is not what it says, too large, empty, too complex to read or carrying active
    content: 415, 413, 400 or 422, naming the field, so a form shows it with everything typed."""

    code = "upload_rejected"


async def _document(
    files: Files, upload: Upload, allowed: tuple[str, ...], *, field: str = "file", want_text: bool = False
) -> tuple[dict, str]:
    """Check the bytes (parsed in a child process with limits: civic.uploads.inspect) and return
    the row for the store to insert in its transaction, with the file as it will be stored (an
    image re-encoded) under "data", and a PDF's text when want_text."""
    try:
        kind = check_upload(upload.data, upload.filename, allowed=allowed, max_bytes=files.max_bytes)
        clean = await inspect(upload.data, kind, want_text=want_text)
    except UploadRejected as exc:
        raise UploadRefused({field: Problem(exc.msgid, exc.params)}, status=exc.status) from None
    row = {
        "title": (upload.title.strip() or upload.filename)[:200],
        "filename": upload.filename[:200],
        "kind": kind,
        "size_bytes": len(clean.data),
    }
    return row | {"data": clean.data}, clean.text


def _write(files: Files, document: dict) -> dict:
    """The file goes first: if the transaction rolls back, an orphan is harmless (the same bytes
    always land on the same name)."""
    data = document.pop("data")
    return document | {"path": store_upload(files.dir, data, document["kind"])}


def _where(c: Consultation) -> dict:
    return {"agency_id": c.owner_org_id, "province": c.province}


def _questions(questions) -> list[dict]:
    return [msgspec.to_builtins(q) for q in questions]


# ---------------------------------------------------------------- authoring


async def draft(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    data: ConsultationIn,
    *,
    pdf: Upload | None = None,
    files: Files | None = None,
) -> ConsultationDetail:
    """A new draft for one of the actor's agencies; a PDF's text becomes the draft when none was
    pasted, and the PDF is kept as a document."""
    if not rules.can_create(actor, data.owner_org_id):
        raise Forbidden(queries.MANAGERS_ONLY, field="owner_org_id")
    errors = rules.validate_consultation(
        title=data.title,
        summary=data.summary,
        kind=data.kind,
        province=data.province,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
    )
    errors.update(rules.check_questions(data.questions))
    sections, document = await _draft_sections(data.draft_text, pdf, files, errors)
    raise_if(errors)
    documents = [_write(files, document)] if document else []
    async with conn.transaction():
        cid = await store.create_consultation(
            conn,
            actor_id=actor.id,
            owner_org_id=data.owner_org_id,
            kind=data.kind,
            title=data.title,
            summary=data.summary,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            province=data.province or None,
            coowner_ids=data.coowner_ids,
            sections=sections,
            questions=_questions(data.questions),
            documents=documents,
            requires_national_id=data.requires_national_id,
        )
        await events.record(
            conn,
            "consultation.drafted",
            ConsultationDrafted(
                title=data.title.strip(),
                kind=data.kind,
                opens_at=data.opens_at,
                closes_at=data.closes_at,
                questions=len(data.questions),
                documents=len(documents),
            ),
            subject=("consultation", cid),
            actor_id=actor.id,
            agency_id=data.owner_org_id,
            province=data.province or None,
        )
        for org_id in await store.invited_ids(conn, cid):
            await events.record(
                conn,
                "coownership.invited",
                Coownership(subject="consultation", title=data.title.strip(), org_id=org_id),
                subject=("consultation", cid),
                actor_id=actor.id,
                agency_id=data.owner_org_id,
                province=data.province or None,
            )
    return await store.get_detail(conn, cid)


async def respond_coownership(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, agency: str, *, accept: bool
) -> coownership.Answer:
    """The invited agency's staff accept or decline co-owning the consultation."""
    org_id = await store.agency_id(conn, agency)
    if org_id is None or not coownership.can_answer(actor, org_id):
        raise Forbidden("Only staff of the invited agency can answer this invitation.")
    c = await store.get_consultation(conn, consultation_id)
    async with conn.transaction():
        if c is None or not await store.respond_coownership(
            conn, c.id, org_id, accept=accept, actor_id=actor.id
        ):
            raise NotFound(coownership.INVITATION_NOT_FOUND)
        await events.record(
            conn,
            "coownership.accepted" if accept else "coownership.declined",
            Coownership(subject="consultation", title=c.title, org_id=org_id),
            subject=("consultation", c.id),
            actor_id=actor.id,
            agency_id=org_id,
            province=c.province,
        )
    href = f"/consultations/{c.id}"
    return coownership.Answer("consultation", href, agency, "accepted" if accept else "declined")


async def coownership_invitations(
    conn: asyncpg.Connection, actor: CurrentUser
) -> list[coownership.Invitation]:
    """The consultation invitations waiting for the actor's agencies."""
    rows = await store.invitations(conn, sorted(actor.agency_ids))
    return [msgspec.convert(r, coownership.Invitation) for r in rows]


async def _draft_sections(
    draft_text: str | None, pdf: Upload | None, files: Files | None, errors: Errors
) -> tuple[list[tuple[str, str]] | None, dict | None]:
    """The draft's sections (from the PDF's text when none was pasted; None leaves them as they
    are) and the PDF's document row, if any. A draft past the limits adds its problem to errors,
    on the field it came from."""
    field, document = "draft_text", None
    if pdf is not None and files is not None:
        try:
            document, extracted = await _document(files, pdf, ("pdf",), field="draft_pdf", want_text=True)
        except UploadRefused as exc:  # with the form's other problems, all shown at once
            raise UploadRefused(errors | exc.errors, status=exc.status) from None
        if not extracted.strip():
            errors["draft_pdf"] = Problem(
                "No text could be read from this PDF (it may be a scan). Paste the text instead."
            )
        elif not (draft_text or "").strip():
            draft_text, field = extracted, "draft_pdf"
    if draft_text is None:
        return None, document
    if problems := rules.check_draft(draft_text, field):
        errors.update(problems)
        return None, document
    return store.sections_from_text(draft_text), document


async def edit(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    consultation_id: int,
    data: ConsultationUpdate,
    *,
    pdf: Upload | None = None,
    files: Files | None = None,
) -> ConsultationDetail:
    """Change what the status still allows; once open, every change goes into the public change
    log with a note. Questions are replaced as a whole, and only before opening."""
    c = await queries.managed(conn, actor, consultation_id)
    if not rules.can_edit(c.status):
        raise store.NotEditable("This can no longer be changed in this consultation's current state.")
    fields = {k: v for k in (*UPDATABLE, "requires_national_id") if (v := getattr(data, k)) is not None}
    merged = {k: fields.get(k, getattr(c, k)) for k in UPDATABLE}
    errors = rules.validate_consultation(**merged)
    if data.questions is not None:
        errors.update(rules.check_questions(data.questions))
    if rules.needs_change_note(c.status) and not data.change_note.strip():
        errors["change_note"] = Problem("Say what changed: the note is shown in the public change log.")
    sections, document = await _draft_sections(data.draft_text, pdf, files, errors)
    raise_if(errors)
    documents = [_write(files, document)] if document else []
    async with conn.transaction():
        version = await store.update_consultation(
            conn,
            consultation_id,
            actor_id=actor.id,
            fields={k: v.strip() if k in ("title", "summary") else v for k, v in fields.items()},
            sections=sections,
            questions=_questions(data.questions) if data.questions is not None else None,
            change_note=data.change_note,
            documents=documents,
        )
        changed = (
            sorted(fields)
            + ["sections"] * (sections is not None)
            + ["questions"] * (data.questions is not None)
        )
        await events.record(
            conn,
            "consultation.edited",
            ConsultationEdited(
                title=merged["title"].strip(),
                status=c.status,
                version=version,
                fields=changed,
                change_note=data.change_note.strip(),
                documents=len(documents),
            ),
            subject=("consultation", consultation_id),
            actor_id=actor.id,
            hidden=c.status == "draft",
            **_where(c),
        )
    return await store.get_detail(conn, consultation_id)


async def add_document(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, upload: Upload, files: Files
) -> int:
    c = await queries.managed(conn, actor, consultation_id)
    document, _ = await _document(files, upload, ("pdf", "png", "jpeg", "webp"))
    document = _write(files, document)
    async with conn.transaction():
        doc_id = await store.add_document(conn, consultation_id, actor_id=actor.id, **document)
        await events.record(
            conn,
            "consultation.document_added",
            ConsultationEdited(
                title=c.title, status=c.status, version=c.version, fields=["documents"], documents=1
            ),
            subject=("consultation", consultation_id),
            actor_id=actor.id,
            hidden=c.status == "draft",
            **_where(c),
        )
    return doc_id


# ---------------------------------------------------------------- the lifecycle


async def transition(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    consultation_id: int,
    data: TransitionIn,
    *,
    dry_run: bool = False,
) -> TransitionOut:
    """Schedule, back to draft, open now, or close now (early: a public reason). Whether the step
    is possible is decided under the consultation's lock. dry_run: a close's reason is checked,
    nothing written (the page asks for confirmation only of what would pass)."""
    c = await queries.managed(conn, actor, consultation_id)
    if dry_run:
        if data.action == "close":
            raise_if(rules.check_early_close(c.kind, c.closes_at, datetime.now(UTC), data.reason))
        return TransitionOut(id=consultation_id, status=c.status)
    async with conn.transaction():
        status = await store.transition(
            conn, consultation_id, data.action, actor_id=actor.id, reason=data.reason
        )
        c = await store.get_consultation(conn, consultation_id)
        await _record_step(conn, c, data.action, actor_id=actor.id, by="staff")
    return TransitionOut(id=consultation_id, status=status)


async def _record_step(conn, c: Consultation, step: str, *, actor_id: int | None, by: str) -> None:
    if step == "schedule":
        kind, payload = "consultation.scheduled", ConsultationScheduled(c.title, c.opens_at, c.closes_at)
    elif step == "unschedule":
        kind, payload = "consultation.unscheduled", ConsultationUnscheduled(c.title)
    elif step == "open":
        kind, payload = "consultation.opened", ConsultationOpened(c.title, c.kind, c.closes_at, by=by)
    else:
        early = c.closed_at is not None and c.closed_at < c.closes_at
        kind, payload = (
            "consultation.closed",
            ConsultationClosed(c.title, c.kind, c.closes_at, early=early, reason=c.early_close_reason, by=by),
        )
    await events.record(conn, kind, payload, subject=("consultation", c.id), actor_id=actor_id, **_where(c))


async def advance_lifecycle(conn: asyncpg.Connection, actor: SystemActor = SYSTEM) -> int:
    """The scheduled sweep (civic.jobs, every minute): open what is due, close what has ended.
    Idempotent; returns how many consultations changed. A consultation whose whole window passed
    while scheduled is recorded as opened and closed, as its opened_at and closed_at say."""
    if not rules.can_advance_lifecycle(actor):
        raise Forbidden()
    async with conn.transaction():
        rows = await store.advance_lifecycle(conn)
        for r in rows:
            where = {"agency_id": r["owner_org_id"], "province": r["province"]}
            if r["step"] == "opened":
                await events.record(
                    conn,
                    "consultation.opened",
                    ConsultationOpened(r["title"], r["kind"], r["closes_at"], by="schedule"),
                    subject=("consultation", r["id"]),
                    actor_id=None,
                    **where,
                )
            if r["status"] == "closed":
                await events.record(
                    conn,
                    "consultation.closed",
                    ConsultationClosed(r["title"], r["kind"], r["closes_at"], by="schedule"),
                    subject=("consultation", r["id"]),
                    actor_id=None,
                    **where,
                )
    return len(rows)


# ---------------------------------------------------------------- responses


async def _answers(
    conn, actor: CurrentUser, consultation_id: int, data: ResponseIn
) -> tuple[Consultation, dict]:
    c = await queries.consultation(conn, actor, consultation_id)
    level = c.requires_national_id
    if not rules.can_respond(actor, c.status, requires_national_id=level):
        raise refusal(actor, level, store.NotOpen(NOT_OPEN))
    questions = await store.list_questions(conn, consultation_id)
    clean, errors = rules.check_answers(_questions(questions), data.answers)
    errors.update(rules.validate_response_meta(data.consent, data.province))
    raise_if(errors)
    return c, clean


async def respond(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, data: ResponseIn
) -> ResponseOut:
    """Answer a consultation, once: a second answer, even one racing on another connection, hits
    the UNIQUE (consultation, person) constraint and is AlreadyResponded."""
    c, clean = await _answers(conn, actor, consultation_id, data)
    async with conn.transaction():
        rid = await store.submit_response(
            conn, consultation_id, actor.id, consent=data.consent, province=data.province, answers=clean
        )
        await _record_response(conn, "consultation.responded", c, rid, actor.id)
    return ResponseOut(id=rid, consultation_id=consultation_id)


async def edit_response(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, data: ResponseIn
) -> ResponseOut:
    """Change one's own answers while the consultation is open."""
    c, clean = await _answers(conn, actor, consultation_id, data)
    async with conn.transaction():
        rid = await store.update_response(
            conn, consultation_id, actor.id, consent=data.consent, province=data.province, answers=clean
        )
        await _record_response(conn, "response.edited", c, rid, actor.id)
    return ResponseOut(id=rid, consultation_id=consultation_id)


async def transfer_response(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, from_user_id: int
) -> None:
    """An answer the counter gave for the actor becomes theirs (civic/assisted checks the code);
    Conflict if they have answered this consultation themselves."""
    if not rules.can_take_response(actor):
        raise refusal(actor, False, Forbidden())
    if not await store.transfer_response(conn, consultation_id, from_user_id, actor.id):
        raise Conflict(
            N_("You have already answered this consultation: the counter's answer cannot be added to yours.")
        )


async def _record_response(conn, kind: str, c: Consultation, response_id: int, actor_id: int) -> None:
    # A person's answers are their political opinion (PDPA sensitive data): the event says only
    # that they took part, and only they may see it.
    await events.record(
        conn,
        kind,
        ConsultationResponded(consultation_id=c.id, response_id=response_id),
        subject=("consultation_response", response_id),
        actor_id=actor_id,
        **_where(c),
    )


# ---------------------------------------------------------------- section comments


async def comment(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, data: CommentIn
) -> ResponseOut:
    """Comment on a section of the draft, or reply to a comment (threads are one level deep)."""
    c = await queries.consultation(conn, actor, consultation_id)
    level = c.requires_national_id
    if not rules.can_comment(actor, c.status, requires_national_id=level):
        raise refusal(actor, level, store.NotOpen(NOT_OPEN))
    raise_if(rules.validate_comment(data.body))
    async with conn.transaction():
        cid = await store.add_comment(
            conn,
            consultation_id,
            actor.id,
            section_id=data.section_id,
            body=data.body,
            parent_id=data.parent_id,
        )
        await events.record(
            conn,
            "section.commented",
            SectionCommented(
                consultation_id=c.id, section_id=data.section_id, comment_id=cid, parent_id=data.parent_id
            ),
            subject=("consultation_comment", cid),
            actor_id=actor.id,
            **_where(c),
        )
    return ResponseOut(id=cid, consultation_id=consultation_id)


# ---------------------------------------------------------------- comment moderation


def _reason(data: ReasonIn) -> None:
    # A reason's problems are a 400, as they always were for these forms and their API twins.
    if errors := rules.validate_reason(data.reason):
        raise Invalid(errors, status=400)


async def flag_comment(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    comment_id: int,
    data: ReasonIn,
    consultation_id: int | None = None,
) -> FlagOut:
    """Report a comment to the moderators, once per person while the report is open. Whether this
    comment can be reported (visible, not one's own) is decided under its lock."""
    _, c = await queries.comment_in(conn, actor, comment_id, consultation_id)
    if not rules.can_report(actor):
        raise Forbidden()
    _reason(data)
    async with conn.transaction():
        flag_id, created = await store.flag_comment(conn, comment_id, actor.id, data.reason)
        if created:
            await events.record(
                conn,
                "comment.flagged",
                SectionCommentFlagged(consultation_id=c.id, flag_id=flag_id, reason=data.reason.strip()),
                subject=("consultation_comment", comment_id),
                actor_id=actor.id,
                **_where(c),
            )
    return FlagOut(id=flag_id, comment_id=comment_id, created=created)


async def _moderated(conn, actor: CurrentUser, comment_id: int, consultation_id: int | None) -> Consultation:
    """Platform moderators, or staff of the agencies running this consultation."""
    _, c = await queries.comment_in(conn, actor, comment_id, consultation_id)
    if not rules.can_moderate(actor, c.owner_org_id, c.coowner_ids):
        raise Forbidden()
    return c


async def _record_moderation(
    conn, kind: str, c: Consultation, comment_id: int, actor_id: int, resolved: int, reason=""
) -> None:
    await events.record(
        conn,
        kind,
        SectionCommentModerated(consultation_id=c.id, resolved_flags=resolved, reason=reason),
        subject=("consultation_comment", comment_id),
        actor_id=actor_id,
        **_where(c),
    )


async def hide_comment(
    conn: asyncpg.Connection,
    actor: CurrentUser,
    comment_id: int,
    data: ReasonIn,
    consultation_id: int | None = None,
) -> ModerationOut:
    """Hide a comment behind a tombstone with a public reason; its open reports close as 'hidden'."""
    c = await _moderated(conn, actor, comment_id, consultation_id)
    _reason(data)
    async with conn.transaction():
        resolved = await store.hide_comment(conn, None, comment_id, actor_id=actor.id, reason=data.reason)
        await _record_moderation(
            conn, "comment.hidden", c, comment_id, actor.id, resolved, data.reason.strip()
        )
    return ModerationOut(comment_id=comment_id, status="hidden", resolved_flags=resolved)


async def restore_comment(
    conn: asyncpg.Connection, actor: CurrentUser, comment_id: int, consultation_id: int | None = None
) -> ModerationOut:
    c = await _moderated(conn, actor, comment_id, consultation_id)
    async with conn.transaction():
        resolved = await store.restore_comment(conn, None, comment_id, actor_id=actor.id)
        await _record_moderation(conn, "comment.restored", c, comment_id, actor.id, resolved)
    return ModerationOut(comment_id=comment_id, status="visible", resolved_flags=resolved)


async def dismiss_flags(conn: asyncpg.Connection, actor: CurrentUser, comment_id: int) -> ModerationOut:
    """Moderators: close a comment's open reports without hiding it."""
    queries.require_queue(actor)
    _, c = await queries.comment_in(conn, actor, comment_id)
    async with conn.transaction():
        resolved = await store.dismiss_flags(conn, comment_id, actor_id=actor.id)
        await _record_moderation(conn, "comment.flags_dismissed", c, comment_id, actor.id, resolved)
    return ModerationOut(comment_id=comment_id, status="visible", resolved_flags=resolved)


async def block_author(conn: asyncpg.Connection, actor: CurrentUser, comment_id: int) -> BlockOut:
    """Moderators: block a comment's author; their sessions and API tokens end."""
    queries.require_queue(actor)
    ref, _ = await queries.comment_in(conn, actor, comment_id)
    if not rules.can_block_author(actor, ref["author_id"], ref["author_role"]):
        raise Forbidden("You cannot block this person.")
    async with conn.transaction():
        author_id = await store.block_comment_author(conn, comment_id, actor_id=actor.id)
        # Blocking is a platform-wide act on the person, whichever page it was done from.
        await events.record(
            conn,
            "user.blocked",
            UserBlocked(role=ref["author_role"]),
            subject=("user", author_id),
            actor_id=actor.id,
        )
    return BlockOut(comment_id=comment_id, author_id=author_id, status="blocked")


# ---------------------------------------------------------------- outcomes


async def publish_outcome(
    conn: asyncpg.Connection, actor: CurrentUser, consultation_id: int, data: OutcomeIn
) -> Outcome:
    """ "You said, we did": version 1 publishes; later versions are corrections with a note, and
    earlier versions stay readable."""
    c, current = await queries.outcome_draft(conn, actor, consultation_id)
    themes = [msgspec.to_builtins(t) for t in data.themes]
    errors = rules.validate_outcome(
        data.summary,
        themes,
        version=(current.version + 1) if current else 1,
        correction_note=data.correction_note,
    )
    errors.update(rules.check_theme_links(themes))
    raise_if(errors)
    async with conn.transaction():
        version = await store.publish_outcome(
            conn,
            consultation_id,
            actor_id=actor.id,
            summary=data.summary,
            themes=[msgspec.convert(t, Theme) for t in themes],
            correction_note=data.correction_note,
        )
        await events.record(
            conn,
            "outcome.published" if version == 1 else "outcome.corrected",
            OutcomePublished(
                title=c.title,
                version=version,
                themes=len(themes),
                correction_note=data.correction_note.strip(),
            ),
            subject=("consultation", consultation_id),
            actor_id=actor.id,
            **_where(c),
        )
    return await store.get_outcome(conn, consultation_id)
