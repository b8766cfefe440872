"""Consultations SQL. Every verb opens its own transaction and locks what it must; the UNIQUE
(consultation_id, user_id) constraint keeps one response per person under any race."""

from __future__ import annotations

import functools
import json
from datetime import datetime

import asyncpg
import msgspec

from civic import db, thai, validation
from civic.accounts.store import set_status
from civic.audit import audit
from civic.consultations import rules
from civic.consultations.rules import N_
from civic.consultations.schemas import (
    Change,
    Comment,
    Consultation,
    ConsultationDetail,
    Document,
    FlaggedComment,
    FlagReport,
    HiddenComment,
    ModerationQueue,
    MyResponse,
    OptionCount,
    Outcome,
    Question,
    QuestionStats,
    Section,
    Stats,
    Theme,
)
from civic.validation import DomainError, Problem


class ConsultationError(DomainError):
    """Any refusal of this store, so routes can catch them all in one clause."""


class NotFound(ConsultationError):
    status = 404
    code = "not_found"


class NotOpen(ConsultationError):
    code = "not_open"


class AlreadyResponded(ConsultationError):
    code = "already_responded"


class NoResponse(ConsultationError):
    status = 404
    code = "no_response"


class NotEditable(ConsultationError):
    code = "not_editable"


class InvalidTransition(ConsultationError):
    code = "invalid_transition"


class Invalid(validation.Invalid, ConsultationError):
    """Rule problems found only under the lock (e.g. the period as of now)."""


CONSULTATION_COLUMNS = """
c.id, c.owner_org_id, o.slug AS owner_slug, o.name_th AS owner_name_th,
NULLIF(o.name_en, '') AS owner_name_en,
COALESCE((SELECT array_agg(co.org_id ORDER BY co.org_id) FROM consultation_coowners co
          WHERE co.consultation_id = c.id AND co.status = 'accepted'), '{}'::bigint[]) AS coowner_ids,
c.kind, c.province, c.title, c.summary, c.opens_at, c.closes_at, c.status, c.early_close_reason,
c.opened_at, c.closed_at, c.version, c.created_at, c.updated_at, c.requires_national_id,
COALESCE((SELECT k.responses FROM consultation_counts k WHERE k.consultation_id = c.id), 0) AS response_count,
COALESCE((SELECT k.visible_comments FROM consultation_counts k WHERE k.consultation_id = c.id), 0) AS comment_count
"""

GET_CONSULTATION = f"""
SELECT {CONSULTATION_COLUMNS} FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.id = $1
"""

# Tabs on the hub map to statuses; ORDER BY comes from this allow-list, never from input.
HUB_TABS = {
    "open": (("open",), "c.closes_at ASC, c.id"),
    "upcoming": (("scheduled",), "c.opens_at ASC, c.id"),
    "closed": (("closed",), "c.closed_at DESC NULLS LAST, c.id DESC"),
    "outcome": (("outcome_published",), "c.updated_at DESC, c.id DESC"),
    "all": (("scheduled", "open", "closed", "outcome_published"), "c.created_at DESC, c.id DESC"),
    "mine": (("draft", "scheduled", "open", "closed", "outcome_published"), "c.updated_at DESC, c.id DESC"),
}

CONSULTATION_FILTER = """
WHERE c.status = ANY($1::text[])
  AND ($2::text IS NULL OR o.slug = $2 OR EXISTS (
        SELECT 1 FROM consultation_coowners co JOIN organisations oo ON oo.id = co.org_id
        WHERE co.consultation_id = c.id AND co.status = 'accepted' AND oo.slug = $2))
  AND ($3::text IS NULL OR c.province = $3 OR ($3 = 'national' AND c.province IS NULL))
  AND ($4::text IS NULL OR c.kind = $4)
  AND ($5::bigint[] IS NULL OR c.owner_org_id = ANY($5) OR EXISTS (
        SELECT 1 FROM consultation_coowners co
        WHERE co.consultation_id = c.id AND co.status = 'accepted' AND co.org_id = ANY($5)))
"""
LIST_CONSULTATIONS = f"""
SELECT {{cols}} FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
{CONSULTATION_FILTER}
ORDER BY {{order}}
LIMIT $6 OFFSET $7
"""
# A tab's total: consultations are counted (thousands, over the years), through the status index.
COUNT_CONSULTATIONS = f"""
SELECT count(*) FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
{CONSULTATION_FILTER}
"""

INSERT_CONSULTATION = """
INSERT INTO consultations (owner_org_id, kind, province, title, summary, opens_at, closes_at, created_by,
                           requires_national_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
"""
# An invitation: the agency becomes a co-owner only when its staff accept.
INSERT_COOWNER = """
INSERT INTO consultation_coowners (consultation_id, org_id, added_by) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING
"""
RESPOND_COOWNER = """
UPDATE consultation_coowners SET status = $3, responded_by = $4, responded_at = now()
WHERE consultation_id = $1 AND org_id = $2 AND status = 'pending'
"""
INVITATIONS = """
SELECT 'consultation' AS kind, c.title, '/consultations/' || c.id AS href,
       '/consultations/' || c.id || '/coowners/' || o.slug AS action, o.slug AS agency_slug,
       o.name_th AS agency_name_th, NULLIF(o.name_en, '') AS agency_name_en,
       ow.name_th AS owner_name_th, NULLIF(ow.name_en, '') AS owner_name_en, co.added_at AS invited_at
FROM consultation_coowners co
JOIN consultations c ON c.id = co.consultation_id
JOIN organisations o ON o.id = co.org_id
JOIN organisations ow ON ow.id = c.owner_org_id
WHERE co.org_id = ANY($1::bigint[]) AND co.status = 'pending'
ORDER BY co.added_at, c.id
"""
INSERT_SECTION = """
INSERT INTO consultation_sections (consultation_id, position, heading, body, body_original)
VALUES ($1, $2, $3, $4, $5)
"""
INSERT_QUESTION = """
INSERT INTO consultation_questions (consultation_id, position, kind, prompt, required, options)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)
"""
LOCK_CONSULTATION = "SELECT id, status, kind, opens_at, closes_at, owner_org_id, version, now() AS now FROM consultations WHERE id = $1 FOR UPDATE"
SHARE_CONSULTATION = "SELECT id, status, closes_at, now() AS now FROM consultations WHERE id = $1 FOR SHARE"

# Idempotent: each row moves only from the status its condition names, and both updates see the
# same snapshot, so running it twice (or on two workers at once) changes nothing the second time.
# A scheduled consultation whose whole window has passed goes straight to closed.
ADVANCE_LIFECYCLE = """
WITH opened AS (
    UPDATE consultations
       SET status = CASE WHEN closes_at <= now() THEN 'closed' ELSE 'open' END,
           opened_at = COALESCE(opened_at, opens_at),
           closed_at = CASE WHEN closes_at <= now() THEN closes_at ELSE closed_at END,
           updated_at = now()
     WHERE status = 'scheduled' AND opens_at <= now()
    RETURNING id, owner_org_id, province, title, kind, closes_at, status, 'opened' AS step
), closed AS (
    UPDATE consultations
       SET status = 'closed', closed_at = closes_at, updated_at = now()
     WHERE status = 'open' AND closes_at <= now()
    RETURNING id, owner_org_id, province, title, kind, closes_at, status, 'closed' AS step
)
SELECT * FROM opened UNION ALL SELECT * FROM closed
"""

INSERT_RESPONSE = """
INSERT INTO consultation_responses (consultation_id, user_id, consent, province, answers)
VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id
"""
UPDATE_RESPONSE = """
UPDATE consultation_responses SET consent = $3, province = $4, answers = $5::jsonb, updated_at = now()
WHERE consultation_id = $1 AND user_id = $2 RETURNING id
"""
GET_MY_RESPONSE = """
SELECT id, consent, province, answers, created_at, updated_at FROM consultation_responses
WHERE consultation_id = $1 AND user_id = $2
"""

LIST_COMMENTS = """
SELECT m.id, m.section_id, m.parent_id, u.display_name AS author_name, m.body, m.status, m.hidden_reason,
       m.created_at
FROM consultation_comments m JOIN users u ON u.id = m.user_id
WHERE m.consultation_id = $1
ORDER BY m.created_at, m.id
"""

# Outcome statistics in one grouping pass over the responses. Free text is cut out of each answers
# object (`answers - text keys`), so responses that chose the same options collapse into one
# pre-grouped row (a handful of groups, not one per response: a hash aggregate, no sort, no
# count(DISTINCT)). Only those few groups are then expanded: multi-choice arrays unnested, each
# value counted once per response (DISTINCT inside a group), weighted by the group's size.
# Free-text questions are only counted as answered (never grouped by their content): a cheap
# `answers ? key` count (a light extra scan per free-text question, ~50 ms at 100k). Rows: g=3 total, g=1 answered per question, g=0 per (question, value).
# A question is answered when its value holds at least one element (an empty list is not).
STATS = """
WITH q AS (
    SELECT id::text AS qid, kind FROM consultation_questions WHERE consultation_id = $1
), r AS NOT MATERIALIZED (
    SELECT answers FROM consultation_responses
    WHERE consultation_id = $1
      AND ($2::text IS NULL OR province = $2)
      AND ($3::timestamptz IS NULL OR created_at >= $3)
      AND ($4::timestamptz IS NULL OR created_at < $4)
), g AS (
    SELECT row_number() OVER () AS gid, choices, n FROM (
        SELECT r.answers - (SELECT COALESCE(array_agg(qid), '{}') FROM q WHERE kind = 'text') AS choices,
               count(*) AS n
        FROM r GROUP BY 1
    ) s
), cv AS (
    SELECT DISTINCT g.gid, e.key AS qid, x AS val, g.n
    FROM g
    CROSS JOIN LATERAL jsonb_each(g.choices) e
    JOIN q ON q.qid = e.key AND q.kind <> 'text'
    CROSS JOIN LATERAL jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(e.value) = 'array' THEN e.value ELSE jsonb_build_array(e.value) END) x
)
SELECT NULL::text AS qid, NULL::text AS val, (SELECT COALESCE(sum(n), 0) FROM g)::bigint AS n, 3 AS g
UNION ALL
SELECT qid, val, sum(n)::bigint, 0 FROM cv WHERE val IS NOT NULL GROUP BY qid, val
UNION ALL
SELECT qid, NULL, sum(n)::bigint, 1 FROM (SELECT DISTINCT gid, qid, n FROM cv) a GROUP BY qid
UNION ALL
SELECT q.qid, NULL, (SELECT count(*) FROM r WHERE r.answers ? q.qid AND r.answers -> q.qid <> '[]'::jsonb), 1
FROM q WHERE q.kind = 'text'
"""

EXPORT_RESPONSES = """
SELECT r.public_id, r.consent, CASE WHEN r.consent = 'named' THEN u.display_name END AS name,
       r.province, r.answers, r.created_at
FROM consultation_responses r JOIN users u ON u.id = r.user_id
WHERE r.consultation_id = $1 AND r.consent IN ('named', 'anonymous')
ORDER BY r.public_id
"""

FREE_TEXT = """
SELECT r.answers ->> $2 AS text, r.created_at
FROM consultation_responses r
WHERE r.consultation_id = $1 AND r.answers ? $2
  AND ($3::text IS NULL OR r.province = $3)
  AND ($4::timestamptz IS NULL OR r.created_at >= $4)
  AND ($5::timestamptz IS NULL OR r.created_at < $5)
ORDER BY r.id
"""


def _consultation(row: asyncpg.Record) -> Consultation:
    d = dict(row)
    d["coowner_ids"] = list(d["coowner_ids"] or [])
    return Consultation(**d)


def _options(value) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _answers(value) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


# ---------------------------------------------------------------- reading


async def agency_id(conn: asyncpg.Connection, slug: str) -> int | None:
    return await conn.fetchval("SELECT id FROM organisations WHERE slug = $1 AND kind = 'agency'", slug)


async def invited_ids(conn: asyncpg.Connection, consultation_id: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT org_id FROM consultation_coowners WHERE consultation_id = $1 AND status = 'pending' ORDER BY org_id",
        consultation_id,
    )
    return [r["org_id"] for r in rows]


async def invitations(conn: asyncpg.Connection, org_ids: list[int]) -> list[dict]:
    return [dict(r) for r in await conn.fetch(INVITATIONS, org_ids)]


async def respond_coownership(
    conn: asyncpg.Connection, consultation_id: int, org_id: int, *, accept: bool, actor_id: int
) -> bool:
    """The invited agency's answer; False when no invitation waits for it."""
    status = "accepted" if accept else "declined"
    async with conn.transaction():
        answered = (await conn.execute(RESPOND_COOWNER, consultation_id, org_id, status, actor_id)).endswith(
            " 1"
        )
        if answered:
            await audit(
                conn,
                actor_id=actor_id,
                action="consultation.accept_coownership" if accept else "consultation.decline_coownership",
                subject_kind="consultation",
                subject_id=consultation_id,
                org_id=org_id,
            )
    return answered


async def get_consultation(conn: asyncpg.Connection, consultation_id: int) -> Consultation | None:
    row = await conn.fetchrow(GET_CONSULTATION, consultation_id)
    return _consultation(row) if row else None


async def list_consultations(
    conn: asyncpg.Connection,
    *,
    tab: str = "open",
    agency: str | None = None,
    province: str | None = None,
    kind: str | None = None,
    org_ids: list[int] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Consultation]:
    tab = tab if tab in HUB_TABS else "open"
    if agency is None and province is None and kind is None and org_ids is None:
        rows = await db.fetch_page(conn, unfiltered_list_query(tab, limit, offset), offset, limit)
    else:
        statuses, order = HUB_TABS[tab]
        sql = LIST_CONSULTATIONS.format(cols=CONSULTATION_COLUMNS, order=order)
        rows = await conn.fetch(sql, list(statuses), agency, province, kind, org_ids, limit, offset)
    return [_consultation(r) for r in rows]


async def count_consultations(
    conn: asyncpg.Connection,
    *,
    tab: str = "open",
    agency: str | None = None,
    province: str | None = None,
    kind: str | None = None,
    org_ids: list[int] | None = None,
) -> int:
    statuses, _ = HUB_TABS[tab if tab in HUB_TABS else "open"]
    return await conn.fetchval(COUNT_CONSULTATIONS, list(statuses), agency, province, kind, org_ids)


@functools.lru_cache(maxsize=64)
def unfiltered_list_query(tab: str, limit: int, offset: int) -> str:
    """A tab with no filter (the hub's first page, the home page's three), written out: with its
    optional filters as parameters PostgreSQL planned it afresh on every execution (0.3 ms of the
    0.7); written out it is planned once per connection, as civic.ideas.store's lists are. Only
    the tab's own status words and two integers are written in."""
    statuses, order = HUB_TABS[tab]
    words = ", ".join(f"'{s}'" for s in statuses)
    return (
        f"SELECT {CONSULTATION_COLUMNS} FROM consultations c JOIN organisations o ON o.id = c.owner_org_id "
        f"WHERE c.status IN ({words}) ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}"
    )


async def list_sections(conn: asyncpg.Connection, consultation_id: int) -> list[Section]:
    rows = await conn.fetch(
        "SELECT id, position, heading, body, body_original FROM consultation_sections "
        "WHERE consultation_id = $1 ORDER BY position",
        consultation_id,
    )
    return [Section(**dict(r)) for r in rows]


async def list_questions(conn: asyncpg.Connection, consultation_id: int) -> list[Question]:
    rows = await conn.fetch(
        "SELECT id, position, kind, prompt, required, options FROM consultation_questions "
        "WHERE consultation_id = $1 ORDER BY position",
        consultation_id,
    )
    return [Question(**(dict(r) | {"options": _options(r["options"])})) for r in rows]


async def list_documents(conn: asyncpg.Connection, consultation_id: int) -> list[Document]:
    rows = await conn.fetch(
        "SELECT id, title, filename, kind, size_bytes, created_at FROM consultation_documents "
        "WHERE consultation_id = $1 ORDER BY id",
        consultation_id,
    )
    return [Document(**dict(r), url=f"/consultations/{consultation_id}/documents/{r['id']}") for r in rows]


async def get_document(
    conn: asyncpg.Connection, consultation_id: int, document_id: int
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, title, filename, kind, path FROM consultation_documents WHERE consultation_id = $1 AND id = $2",
        consultation_id,
        document_id,
    )


async def list_changes(conn: asyncpg.Connection, consultation_id: int) -> list[Change]:
    rows = await conn.fetch(
        "SELECT version, note, at FROM consultation_changes WHERE consultation_id = $1 ORDER BY version DESC",
        consultation_id,
    )
    return [Change(**dict(r)) for r in rows]


async def get_detail(conn: asyncpg.Connection, consultation_id: int) -> ConsultationDetail | None:
    c = await get_consultation(conn, consultation_id)
    return await detail_of(conn, c) if c else None


async def detail_of(conn: asyncpg.Connection, c: Consultation) -> ConsultationDetail:
    """The parts of a consultation its caller has read already."""
    return ConsultationDetail(
        consultation=c,
        sections=await list_sections(conn, c.id),
        questions=await list_questions(conn, c.id),
        documents=await list_documents(conn, c.id),
        changes=await list_changes(conn, c.id),
    )


# ---------------------------------------------------------------- authoring


def sections_from_text(text: str) -> list[tuple[str, str]]:
    """(repaired body, original) for each paragraph of a pasted or extracted draft."""
    return [(thai.repair(p), p) for p in rules.split_sections(text)]


async def _write_sections(conn, consultation_id: int, sections: list[tuple[str, str]]) -> None:
    # As for questions: the actions check the draft first; this stops any other caller.
    if problems := rules.check_section_count(len(sections)):
        raise Invalid(problems)
    await conn.execute("DELETE FROM consultation_sections WHERE consultation_id = $1", consultation_id)
    for i, (body, original) in enumerate(sections, start=1):
        await conn.execute(INSERT_SECTION, consultation_id, i, rules.section_heading(body), body, original)


async def _write_questions(conn, consultation_id: int, questions: list[dict]) -> None:
    # The routes check the maximum first; this catches any other caller (imports, scripts)
    # before it writes a question list the pages and analysis were never meant to carry.
    if problems := rules.check_question_count(len(questions)):
        raise Invalid(problems)
    await conn.execute("DELETE FROM consultation_questions WHERE consultation_id = $1", consultation_id)
    for i, q in enumerate(questions, start=1):
        # A scale's options are the meanings of its two ends, when the author gave them.
        options = (
            [o.strip() for o in q.get("options", []) if o.strip()]
            if q["kind"] in ("single", "multi", "scale")
            else []
        )
        await conn.execute(
            INSERT_QUESTION,
            consultation_id,
            i,
            q["kind"],
            q["prompt"].strip(),
            bool(q.get("required")),
            options,
        )


async def create_consultation(
    conn: asyncpg.Connection,
    *,
    actor_id: int,
    owner_org_id: int,
    kind: str,
    title: str,
    summary: str,
    opens_at: datetime,
    closes_at: datetime,
    province: str | None = None,
    coowner_ids: list[int] = (),
    sections: list[tuple[str, str]] = (),
    questions: list[dict] = (),
    documents: list[dict] = (),
    requires_national_id: bool = False,
) -> int:
    """The consultation, its sections, questions and documents (dicts with title, filename, kind,
    path, size_bytes: files already written by civic.uploads.store_upload) in one transaction:
    if any part fails, no consultation row is left behind."""
    async with conn.transaction():
        cid = await conn.fetchval(
            INSERT_CONSULTATION,
            owner_org_id,
            kind,
            province or None,
            title.strip(),
            summary.strip(),
            opens_at,
            closes_at,
            actor_id,
            requires_national_id,
        )
        agencies = await conn.fetch(
            "SELECT id FROM organisations WHERE id = ANY($1::bigint[]) AND kind = 'agency'", list(coowner_ids)
        )
        for r in agencies:
            if r["id"] != owner_org_id:
                await conn.execute(INSERT_COOWNER, cid, r["id"], actor_id)
        await _write_sections(conn, cid, list(sections))
        await _write_questions(conn, cid, list(questions))
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.create",
            subject_kind="consultation",
            subject_id=cid,
            org_id=owner_org_id,
        )
        for doc in documents:
            await _insert_document(conn, cid, actor_id, doc)
    return cid


async def update_consultation(
    conn: asyncpg.Connection,
    consultation_id: int,
    *,
    actor_id: int,
    fields: dict,
    sections: list[tuple[str, str]] | None = None,
    questions: list[dict] | None = None,
    change_note: str = "",
    documents: list[dict] = (),
) -> int:
    """Apply an edit; after opening it is versioned in the public change log. Returns the version.
    `documents` (as for create_consultation) are added in the same transaction."""
    async with conn.transaction():
        row = await conn.fetchrow(LOCK_CONSULTATION, consultation_id)
        if row is None:
            raise NotFound(N_("We could not find that consultation."))
        allowed = rules.editable_fields(row["status"])
        asked = (
            set(fields)
            | ({"sections"} if sections is not None else set())
            | ({"questions"} if questions is not None else set())
        )
        refused = asked - allowed
        if refused:
            raise NotEditable(
                N_("This can no longer be changed in this consultation's current state."),
                field=sorted(refused)[0],
            )
        current = await conn.fetchrow(
            "SELECT title, summary, kind, province, opens_at, closes_at, requires_national_id FROM consultations "
            "WHERE id = $1",
            consultation_id,
        )
        merged = dict(current) | fields
        problems = rules.check_period(merged["kind"], merged["opens_at"], merged["closes_at"])
        if row["status"] == "open" and "closes_at" in fields and fields["closes_at"] <= row["now"]:
            problems["closes_at"] = Problem("The closing time has already passed.")
        if problems:
            raise Invalid(problems)
        version = row["version"]
        if rules.needs_change_note(row["status"]):
            if not change_note.strip():
                raise Invalid(
                    {"change_note": Problem("Say what changed: the note is shown in the public change log.")}
                )
            previous = {
                k: (v.isoformat() if isinstance(v, datetime) else v)
                for k, v in dict(current).items()
                if k in fields
            }
            if sections is not None:
                previous["sections"] = [s.body_original for s in await list_sections(conn, consultation_id)]
            version += 1
            await conn.execute(
                "INSERT INTO consultation_changes (consultation_id, version, note, previous, changed_by) "
                "VALUES ($1, $2, $3, $4::jsonb, $5)",
                consultation_id,
                version,
                change_note.strip(),
                previous,
                actor_id,
            )
        await conn.execute(
            "UPDATE consultations SET title = $2, summary = $3, kind = $4, province = $5, opens_at = $6, "
            "closes_at = $7, version = $8, requires_national_id = $9, updated_at = now() WHERE id = $1",
            consultation_id,
            merged["title"],
            merged["summary"],
            merged["kind"],
            merged["province"] or None,
            merged["opens_at"],
            merged["closes_at"],
            version,
            merged["requires_national_id"],
        )
        if sections is not None:
            await _write_sections(conn, consultation_id, sections)
        if questions is not None:
            await _write_questions(conn, consultation_id, questions)
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.update",
            subject_kind="consultation",
            subject_id=consultation_id,
            org_id=row["owner_org_id"],
            detail={"version": version},
        )
        for doc in documents:
            await _insert_document(conn, consultation_id, actor_id, doc)
    return version


INSERT_DOCUMENT = """
INSERT INTO consultation_documents (consultation_id, title, filename, kind, path, size_bytes, uploaded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
"""


async def _insert_document(conn: asyncpg.Connection, consultation_id: int, actor_id: int, doc: dict) -> int:
    """One document row + its audit line, inside the caller's transaction. The file itself is
    already on disk under its content-addressed path (harmless if this transaction rolls back)."""
    doc_id = await conn.fetchval(
        INSERT_DOCUMENT,
        consultation_id,
        doc["title"],
        doc["filename"],
        doc["kind"],
        doc["path"],
        doc["size_bytes"],
        actor_id,
    )
    await audit(
        conn,
        actor_id=actor_id,
        action="consultation.document",
        subject_kind="consultation",
        subject_id=consultation_id,
        detail={"document_id": doc_id},
    )
    return doc_id


async def add_document(
    conn: asyncpg.Connection,
    consultation_id: int,
    *,
    actor_id: int,
    title: str,
    filename: str,
    kind: str,
    path: str,
    size_bytes: int,
) -> int:
    async with conn.transaction():
        return await _insert_document(
            conn,
            consultation_id,
            actor_id,
            {"title": title, "filename": filename, "kind": kind, "path": path, "size_bytes": size_bytes},
        )


async def transition(
    conn: asyncpg.Connection, consultation_id: int, action: str, *, actor_id: int, reason: str = ""
) -> str:
    async with conn.transaction():
        row = await conn.fetchrow(LOCK_CONSULTATION, consultation_id)
        if row is None:
            raise NotFound(N_("We could not find that consultation."))
        new = rules.next_status(row["status"], action)
        if new is None:
            raise InvalidTransition(N_("This step is not possible in the consultation's current state."))
        now = row["now"]
        if action in ("schedule", "open"):
            problems = rules.check_opening(
                row["kind"], row["opens_at"] if action == "schedule" else now, row["closes_at"], now
            )
            if action == "schedule" and row["opens_at"] <= now:
                problems = {"opens_at": Problem("The opening time must be in the future to schedule.")}
            if problems:
                raise Invalid(problems)
        if action == "open":
            await conn.execute(
                "UPDATE consultations SET status = 'open', opens_at = LEAST(opens_at, $2), opened_at = $2, "
                "updated_at = now() WHERE id = $1",
                consultation_id,
                now,
            )
        elif action == "close":
            problems = rules.check_early_close(row["kind"], row["closes_at"], now, reason)
            if problems:
                raise Invalid(problems)
            early = now < row["closes_at"]
            await conn.execute(
                "UPDATE consultations SET status = 'closed', closed_at = $2, early_close_reason = $3, "
                "updated_at = now() WHERE id = $1",
                consultation_id,
                now,
                reason.strip() if early else "",
            )
        else:
            await conn.execute(
                "UPDATE consultations SET status = $2, updated_at = now() WHERE id = $1", consultation_id, new
            )
        await audit(
            conn,
            actor_id=actor_id,
            action=f"consultation.{action}",
            subject_kind="consultation",
            subject_id=consultation_id,
            org_id=row["owner_org_id"],
            detail={"reason": reason} if reason else None,
        )
    return new


async def advance_lifecycle(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Open scheduled consultations whose time has come and close open ones whose time is up.
    Idempotent; returns the rows that changed, each with the step taken ('opened' rows may
    already be 'closed' when their whole window had passed)."""
    return await conn.fetch(ADVANCE_LIFECYCLE)


# ---------------------------------------------------------------- responses


async def _lock_open(conn, consultation_id: int) -> None:
    row = await conn.fetchrow(SHARE_CONSULTATION, consultation_id)
    if row is None:
        raise NotFound(N_("We could not find that consultation."))
    if row["status"] != "open" or row["closes_at"] <= row["now"]:
        raise NotOpen(N_("This consultation is not open for responses."))


async def submit_response(
    conn: asyncpg.Connection,
    consultation_id: int,
    user_id: int,
    *,
    consent: str,
    province: str | None,
    answers: dict,
) -> int:
    """The first response. A second one (even racing on another connection) hits the UNIQUE
    constraint and becomes AlreadyResponded: nothing is written."""
    try:
        async with conn.transaction():
            await _lock_open(conn, consultation_id)
            return await conn.fetchval(
                INSERT_RESPONSE,
                consultation_id,
                user_id,
                consent,
                province or None,
                answers,
            )
    except asyncpg.UniqueViolationError:
        raise AlreadyResponded(
            N_("You have already responded to this consultation. You can edit your response until it closes.")
        ) from None


async def update_response(
    conn: asyncpg.Connection,
    consultation_id: int,
    user_id: int,
    *,
    consent: str,
    province: str | None,
    answers: dict,
) -> int:
    async with conn.transaction():
        await _lock_open(conn, consultation_id)
        rid = await conn.fetchval(
            UPDATE_RESPONSE,
            consultation_id,
            user_id,
            consent,
            province or None,
            answers,
        )
        if rid is None:
            raise NoResponse(N_("You have not responded to this consultation yet."))
        return rid


async def get_my_response(conn: asyncpg.Connection, consultation_id: int, user_id: int) -> MyResponse | None:
    row = await conn.fetchrow(GET_MY_RESPONSE, consultation_id, user_id)
    if row is None:
        return None
    return MyResponse(**(dict(row) | {"answers": _answers(row["answers"])}))


# ---------------------------------------------------------------- paragraph comments


async def add_comment(
    conn: asyncpg.Connection,
    consultation_id: int,
    user_id: int,
    *,
    section_id: int,
    body: str,
    parent_id: int | None = None,
) -> int:
    async with conn.transaction():
        await _lock_open(conn, consultation_id)
        ok = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM consultation_sections WHERE id = $1 AND consultation_id = $2)",
            section_id,
            consultation_id,
        )
        if not ok:
            raise Invalid({"section_id": Problem("Choose one of the options.")})
        if parent_id is not None:
            parent = await conn.fetchrow(
                "SELECT section_id, parent_id FROM consultation_comments WHERE id = $1 AND consultation_id = $2",
                parent_id,
                consultation_id,
            )
            # Threads are one level deep: a reply to a reply attaches to the top comment.
            if parent is None or parent["section_id"] != section_id:
                raise Invalid({"parent_id": Problem("That comment cannot be replied to here.")})
            if parent["parent_id"] is not None:
                parent_id = parent["parent_id"]
        cid = await conn.fetchval(
            "INSERT INTO consultation_comments (consultation_id, section_id, parent_id, user_id, body) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            consultation_id,
            section_id,
            parent_id,
            user_id,
            body.strip(),
        )
    return cid


class AlreadyHidden(ConsultationError):
    code = "already_hidden"


class NotHidden(ConsultationError):
    code = "not_hidden"


class NoOpenFlags(ConsultationError):
    code = "no_open_flags"


class CannotFlag(ConsultationError):
    code = "cannot_flag"


COMMENT_NOT_FOUND = N_("We could not find that comment.")

GET_COMMENT_REF = """
SELECT m.id, m.consultation_id, m.section_id, m.status, m.user_id AS author_id,
       u.role AS author_role, u.status AS author_status
FROM consultation_comments m JOIN users u ON u.id = m.user_id
WHERE m.id = $1
"""

# ON CONFLICT names the partial unique index's columns and predicate: a second open report by
# the same person on the same comment inserts nothing, whatever the timing.
INSERT_FLAG = """
INSERT INTO consultation_comment_flags (comment_id, flagger_id, reason) VALUES ($1, $2, $3)
ON CONFLICT (comment_id, flagger_id) WHERE resolved_at IS NULL DO NOTHING
RETURNING id
"""
OPEN_FLAG_OF = """
SELECT id FROM consultation_comment_flags WHERE comment_id = $1 AND flagger_id = $2 AND resolved_at IS NULL
"""
RESOLVE_FLAGS = """
UPDATE consultation_comment_flags SET resolved_at = now(), resolved_by = $2, resolution = $3
WHERE comment_id = $1 AND resolved_at IS NULL
"""
HIDE_COMMENT = """
UPDATE consultation_comments SET status = 'hidden', hidden_reason = $2, hidden_by = $3, hidden_at = now()
WHERE id = $1 AND status = 'visible'
RETURNING id
"""
RESTORE_COMMENT = """
UPDATE consultation_comments SET status = 'visible', hidden_reason = '', hidden_by = NULL, hidden_at = NULL
WHERE id = $1 AND status = 'hidden'
RETURNING id
"""
# The queue: one row per reported comment (open reports only), oldest first report first, with
# every open report's reason and reporter. One grouped pass; LIMIT bounds the page.
MODERATION_QUEUE = """
SELECT m.id AS comment_id, m.consultation_id, c.title AS consultation_title, m.section_id,
       s.position AS section_position, s.heading AS section_heading, m.parent_id, m.body, m.status, m.hidden_reason, m.created_at,
       au.id AS author_id, au.display_name AS author_name, au.role AS author_role, au.status AS author_status,
       count(*) AS flag_count, min(f.created_at) AS first_flagged_at,
       jsonb_agg(jsonb_build_object('by', fu.display_name, 'reason', f.reason, 'at', f.created_at)
                 ORDER BY f.created_at, f.id) AS reports
FROM consultation_comment_flags f
JOIN consultation_comments m ON m.id = f.comment_id
JOIN consultations c ON c.id = m.consultation_id
JOIN consultation_sections s ON s.id = m.section_id
JOIN users au ON au.id = m.user_id
JOIN users fu ON fu.id = f.flagger_id
WHERE f.resolved_at IS NULL
GROUP BY m.id, c.id, s.id, au.id
ORDER BY min(f.created_at), m.id
LIMIT $1
"""
RECENTLY_HIDDEN = """
SELECT m.id AS comment_id, m.consultation_id, c.title AS consultation_title, s.position AS section_position,
       s.heading AS section_heading, m.body, m.hidden_reason, m.hidden_at, COALESCE(hu.display_name, '') AS hidden_by_name,
       au.display_name AS author_name
FROM consultation_comments m
JOIN consultations c ON c.id = m.consultation_id
JOIN consultation_sections s ON s.id = m.section_id
JOIN users au ON au.id = m.user_id
LEFT JOIN users hu ON hu.id = m.hidden_by
WHERE m.status = 'hidden'
ORDER BY m.hidden_at DESC NULLS LAST, m.id DESC
LIMIT $1
"""


async def get_comment_ref(conn: asyncpg.Connection, comment_id: int) -> asyncpg.Record | None:
    """Where a comment lives and who wrote it (for permission checks before a verb)."""
    return await conn.fetchrow(GET_COMMENT_REF, comment_id)


async def _lock_comment(conn, comment_id: int, consultation_id: int | None) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, consultation_id, status, user_id FROM consultation_comments WHERE id = $1 FOR UPDATE",
        comment_id,
    )
    if row is None or (consultation_id is not None and row["consultation_id"] != consultation_id):
        raise NotFound(COMMENT_NOT_FOUND)
    return row


async def flag_comment(
    conn: asyncpg.Connection, comment_id: int, flagger_id: int, reason: str
) -> tuple[int, bool]:
    """Report a comment: (flag id, created). A second open report by the same person returns the
    first one's id with created=False; nothing new is stored."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "SELECT status, user_id FROM consultation_comments WHERE id = $1 FOR SHARE", comment_id
        )
        if row is None:
            raise NotFound(COMMENT_NOT_FOUND)
        if row["status"] != "visible":
            raise CannotFlag(N_("This comment is already hidden."))
        if row["user_id"] == flagger_id:
            raise CannotFlag(N_("You cannot report your own comment."))
        flag_id = await conn.fetchval(INSERT_FLAG, comment_id, flagger_id, reason.strip())
        if flag_id is not None:
            return flag_id, True
        return await conn.fetchval(OPEN_FLAG_OF, comment_id, flagger_id), False


async def my_flagged_comment_ids(conn: asyncpg.Connection, consultation_id: int, user_id: int) -> set[int]:
    rows = await conn.fetch(
        "SELECT f.comment_id FROM consultation_comment_flags f JOIN consultation_comments m ON m.id = f.comment_id "
        "WHERE m.consultation_id = $1 AND f.flagger_id = $2 AND f.resolved_at IS NULL",
        consultation_id,
        user_id,
    )
    return {r["comment_id"] for r in rows}


async def my_comment_ids(conn: asyncpg.Connection, consultation_id: int, user_id: int) -> set[int]:
    rows = await conn.fetch(
        "SELECT id FROM consultation_comments WHERE consultation_id = $1 AND user_id = $2",
        consultation_id,
        user_id,
    )
    return {r["id"] for r in rows}


async def moderation_queue(
    conn: asyncpg.Connection, *, limit: int = 200, hidden_limit: int = 50
) -> ModerationQueue:
    flagged = []
    for r in await conn.fetch(MODERATION_QUEUE, limit):
        d = dict(r)
        reports = d.pop("reports")
        d["reports"] = msgspec.convert(
            json.loads(reports) if isinstance(reports, str) else reports, list[FlagReport], strict=False
        )
        flagged.append(FlaggedComment(**d))
    hidden = [HiddenComment(**dict(r)) for r in await conn.fetch(RECENTLY_HIDDEN, hidden_limit)]
    return ModerationQueue(flagged=flagged, hidden=hidden)


async def hide_comment(
    conn: asyncpg.Connection, consultation_id: int | None, comment_id: int, *, actor_id: int, reason: str
) -> int:
    """Hide a visible comment (it stays as a tombstone with the public reason) and close its open
    reports as 'hidden'. Returns how many reports were closed."""
    async with conn.transaction():
        row = await _lock_comment(conn, comment_id, consultation_id)
        if await conn.fetchval(HIDE_COMMENT, comment_id, reason.strip(), actor_id) is None:
            raise AlreadyHidden(N_("This comment is already hidden."))
        resolved = _count(await conn.execute(RESOLVE_FLAGS, comment_id, actor_id, "hidden"))
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.comment.hide",
            subject_kind="consultation_comment",
            subject_id=comment_id,
            detail={
                "reason": reason.strip(),
                "consultation_id": row["consultation_id"],
                "resolved_flags": resolved,
            },
        )
    return resolved


async def restore_comment(
    conn: asyncpg.Connection, consultation_id: int | None, comment_id: int, *, actor_id: int
) -> int:
    async with conn.transaction():
        row = await _lock_comment(conn, comment_id, consultation_id)
        previous = await conn.fetchval(
            "SELECT hidden_reason FROM consultation_comments WHERE id = $1", comment_id
        )
        if await conn.fetchval(RESTORE_COMMENT, comment_id) is None:
            raise NotHidden(N_("This comment is not hidden."))
        resolved = _count(await conn.execute(RESOLVE_FLAGS, comment_id, actor_id, "restored"))
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.comment.restore",
            subject_kind="consultation_comment",
            subject_id=comment_id,
            detail={
                "previous_reason": previous,
                "consultation_id": row["consultation_id"],
                "resolved_flags": resolved,
            },
        )
    return resolved


async def dismiss_flags(conn: asyncpg.Connection, comment_id: int, *, actor_id: int) -> int:
    """Close a comment's open reports without hiding it (the comment stays as it is)."""
    async with conn.transaction():
        row = await _lock_comment(conn, comment_id, None)
        resolved = _count(await conn.execute(RESOLVE_FLAGS, comment_id, actor_id, "dismissed"))
        if not resolved:
            raise NoOpenFlags(N_("There are no open reports on this comment."))
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.comment.dismiss_flags",
            subject_kind="consultation_comment",
            subject_id=comment_id,
            detail={"consultation_id": row["consultation_id"], "resolved_flags": resolved},
        )
    return resolved


async def block_comment_author(conn: asyncpg.Connection, comment_id: int, *, actor_id: int) -> int:
    """Block the comment's author: their sessions and API tokens end (accounts.set_status). The
    caller has checked rules.can_block_author against the author's role. Returns the author's id."""
    async with conn.transaction():
        row = await _lock_comment(conn, comment_id, None)
        author_id = row["user_id"]
        await set_status(conn, author_id, "blocked")
        await audit(
            conn,
            actor_id=actor_id,
            action="user.block",
            subject_kind="user",
            subject_id=author_id,
            detail={"via": "consultation_comment", "comment_id": comment_id},
        )
    return author_id


def _count(status: str) -> int:
    """Rows touched, from asyncpg's command tag ('UPDATE 3')."""
    return int(status.rsplit(" ", 1)[-1])


async def comments_by_section(conn: asyncpg.Connection, consultation_id: int) -> dict[int, list[Comment]]:
    """Top-level comments per section, each with its replies. Hidden comments keep their place
    as a tombstone (body removed) so threads still read."""
    rows = await conn.fetch(LIST_COMMENTS, consultation_id)
    by_id: dict[int, Comment] = {}
    out: dict[int, list[Comment]] = {}
    for r in rows:
        d = dict(r)
        if d["status"] == "hidden":
            d["body"] = ""
        c = Comment(**d, replies=[])
        by_id[c.id] = c
        if c.parent_id is None:
            out.setdefault(c.section_id, []).append(c)
        elif c.parent_id in by_id:
            by_id[c.parent_id].replies.append(c)
    return out


# ---------------------------------------------------------------- analysis & outcome


async def transfer_response(
    conn: asyncpg.Connection, consultation_id: int, from_user_id: int, to_user_id: int
) -> bool:
    """The counter's answer becomes its person's own (civic/assisted take-over); refused (False) if
    they answered already, so it stays one response per person."""
    result = await conn.execute(
        "UPDATE consultation_responses SET user_id = $3 WHERE consultation_id = $1 AND user_id = $2 "
        "AND NOT EXISTS (SELECT 1 FROM consultation_responses WHERE consultation_id = $1 AND user_id = $3)",
        consultation_id, from_user_id, to_user_id,
    )  # fmt: skip
    return result.endswith(" 1")


# Responses from accounts with a verified national ID, over the same filters as STATS.
VERIFIED_RESPONSES = """
SELECT count(*) FROM consultation_responses r JOIN users u ON u.id = r.user_id
WHERE r.consultation_id = $1 AND u.id_verified_at IS NOT NULL
  AND ($2::text IS NULL OR r.province = $2)
  AND ($3::timestamptz IS NULL OR r.created_at >= $3)
  AND ($4::timestamptz IS NULL OR r.created_at < $4)
"""


async def stats(
    conn: asyncpg.Connection,
    consultation_id: int,
    *,
    province: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Stats:
    questions = await list_questions(conn, consultation_id)
    rows = await conn.fetch(STATS, consultation_id, province, since, until)
    total = 0
    answered: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        if r["g"] == 3:
            total = r["n"]
        elif r["g"] == 1 and r["qid"] is not None:
            answered[r["qid"]] = r["n"]
        elif r["g"] == 0 and r["qid"] is not None and r["val"] is not None:
            counts.setdefault(r["qid"], {})[r["val"]] = r["n"]
    out = []
    for q in questions:
        qid = str(q.id)
        n = answered.get(qid, 0)
        c = counts.get(qid, {})
        labels = (
            q.options
            if q.kind in ("single", "multi")
            else ([str(i) for i in range(rules.SCALE_MIN, rules.SCALE_MAX + 1)] if q.kind == "scale" else [])
        )
        options = [
            OptionCount(
                label=lab, count=c.get(lab, 0), percent=round(100 * c.get(lab, 0) / n, 1) if n else 0.0
            )
            for lab in labels
        ]
        mean = None
        if q.kind == "scale" and n:
            mean = round(sum(int(k) * v for k, v in c.items()) / max(1, sum(c.values())), 2)
        out.append(
            QuestionStats(
                question_id=q.id,
                prompt=q.prompt,
                kind=q.kind,
                answered=n,
                options=options,
                mean=mean,
                scale_ends=q.options if q.kind == "scale" else [],
            )
        )
    comments = await conn.fetchval(
        "SELECT count(*) FROM consultation_comments WHERE consultation_id = $1 AND status = 'visible'",
        consultation_id,
    )
    verified = await conn.fetchval(VERIFIED_RESPONSES, consultation_id, province, since, until)
    return Stats(
        consultation_id=consultation_id,
        responses=total,
        comments=comments,
        questions=out,
        verified_responses=verified,
    )


async def free_text_answers(
    conn: asyncpg.Connection,
    consultation_id: int,
    question_id: int,
    *,
    province: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[str]:
    rows = await conn.fetch(FREE_TEXT, consultation_id, str(question_id), province, since, until)
    return [r["text"] for r in rows if r["text"]]


async def publish_outcome(
    conn: asyncpg.Connection,
    consultation_id: int,
    *,
    actor_id: int,
    summary: str,
    themes: list[Theme],
    correction_note: str = "",
) -> int:
    """Version 1 publishes; later versions are corrections with a note. Earlier versions stay."""
    async with conn.transaction():
        row = await conn.fetchrow(LOCK_CONSULTATION, consultation_id)
        if row is None:
            raise NotFound(N_("We could not find that consultation."))
        if row["status"] not in ("closed", "outcome_published"):
            raise NotOpen(N_("The outcome can be published only after the consultation has closed."))
        version = 1 + await conn.fetchval(
            "SELECT COALESCE(max(version), 0) FROM consultation_outcomes WHERE consultation_id = $1",
            consultation_id,
        )
        if version > 1 and not correction_note.strip():
            raise Invalid(
                {
                    "correction_note": Problem(
                        "The outcome is already published. Say what this correction changes."
                    )
                }
            )
        linked = {cid for t in themes for cid in t.comment_ids}
        if linked:
            found = await conn.fetchval(
                "SELECT count(*) FROM consultation_comments WHERE consultation_id = $1 AND id = ANY($2::bigint[])",
                consultation_id,
                list(linked),
            )
            if found != len(linked):
                raise Invalid(
                    {"themes": Problem("A theme links to a comment that is not in this consultation.")}
                )
        await conn.execute(
            "INSERT INTO consultation_outcomes"
            " (consultation_id, version, summary, themes, correction_note, published_by, stats) "
            "VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb)",
            consultation_id,
            version,
            summary.strip(),
            msgspec.to_builtins(themes),
            correction_note.strip(),
            actor_id,
            msgspec.to_builtins(await stats(conn, consultation_id)),
        )
        await conn.execute(
            "UPDATE consultations SET status = 'outcome_published', updated_at = now() WHERE id = $1",
            consultation_id,
        )
        await audit(
            conn,
            actor_id=actor_id,
            action="consultation.outcome",
            subject_kind="consultation",
            subject_id=consultation_id,
            org_id=row["owner_org_id"],
            detail={"version": version},
        )
    return version


async def get_outcome(
    conn: asyncpg.Connection, consultation_id: int, version: int | None = None
) -> Outcome | None:
    row = await conn.fetchrow(
        "SELECT version, summary, themes, correction_note, published_at FROM consultation_outcomes "
        "WHERE consultation_id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1",
        consultation_id,
        version,
    )
    if row is None:
        return None
    themes = msgspec.convert(_options(row["themes"]), list[Theme])
    return Outcome(**(dict(row) | {"themes": themes}))


async def outcome_stats(conn: asyncpg.Connection, consultation_id: int, version: int) -> Stats:
    """The statistics frozen with that outcome version (computed and kept on first read for an
    outcome published before they were frozen)."""
    frozen = await conn.fetchval(
        "SELECT stats FROM consultation_outcomes WHERE consultation_id = $1 AND version = $2",
        consultation_id,
        version,
    )
    if frozen is not None:
        return msgspec.convert(frozen, Stats)
    computed = await stats(conn, consultation_id)
    await conn.execute(
        "UPDATE consultation_outcomes SET stats = $3::jsonb WHERE consultation_id = $1 AND version = $2",
        consultation_id,
        version,
        msgspec.to_builtins(computed),
    )
    return computed


async def outcome_versions(conn: asyncpg.Connection, consultation_id: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT version, correction_note, published_at FROM consultation_outcomes WHERE consultation_id = $1 "
        "ORDER BY version DESC",
        consultation_id,
    )


async def export_responses(
    conn: asyncpg.Connection, consultation_id: int
) -> tuple[list[Question], list[dict]]:
    """Consented responses only: no email, no user id; a name only with 'named' consent. The
    response's public_id is random (gen_random_uuid), so it links to nothing."""
    questions = await list_questions(conn, consultation_id)
    rows = await conn.fetch(EXPORT_RESPONSES, consultation_id)
    out = []
    for r in rows:
        out.append(
            {
                "response": str(r["public_id"]),
                "consent": r["consent"],
                "name": r["name"],
                "province": r["province"],
                "submitted_on": r["created_at"].astimezone(thai.BANGKOK).date().isoformat(),
                "answers": _answers(r["answers"]),
            }
        )
    return questions, out


# ---------------------------------------------------------------- search


SEARCH_DOCUMENTS = """
SELECT c.id, c.title, c.summary, c.province, o.slug AS agency, c.status, c.created_at,
       (SELECT count(*) FROM consultation_responses r WHERE r.consultation_id = c.id) AS popularity,
       COALESCE((SELECT string_agg(s.body, E'\n' ORDER BY s.position) FROM consultation_sections s
                 WHERE s.consultation_id = c.id), '') AS sections
FROM consultations c JOIN organisations o ON o.id = c.owner_org_id
WHERE c.id = ANY($1::bigint[]) AND c.status <> 'draft'
"""


async def search_documents(conn: asyncpg.Connection, ids: list[int]) -> list[dict]:
    """Documents for the search port. Drafts are never returned, so they are never public."""
    rows = await conn.fetch(SEARCH_DOCUMENTS, list(ids))
    return [
        {
            "kind": "consultation",
            "id": r["id"],
            "title": r["title"],
            "body": (r["summary"] + "\n" + r["sections"]).strip(),
            "province": r["province"],
            "agency": r["agency"],
            "status": r["status"],
            "created_at": r["created_at"],
            "popularity": r["popularity"],
            "url": f"/consultations/{r['id']}",
        }
        for r in rows
    ]
