"""Search's pure rules: who may administer it, and which search documents an event changes.
Pure: no litestar, no asyncpg."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from civic.accounts.schemas import CurrentUser


def can_administer(user: CurrentUser | None) -> bool:
    """The index status page and the reindex button: platform admins."""
    return user is not None and user.is_admin


class Change(NamedTuple):
    """One search_outbox row: a document to read again ('upsert') or that should be gone
    ('delete'). The relay reads every document fresh, so the op only says why it was queued."""

    kind: str  # 'idea' | 'consultation' | 'handover'
    id: int
    op: str = "upsert"


class EventFacts(NamedTuple):
    """What the mapping reads of an event (civic.events.Event)."""

    kind: str
    subject_kind: str
    subject_id: int
    payload: Mapping


# Events whose subject is a search document and which change what that document holds (text,
# status, agency, visibility). Comments, section comments, reviews, responses and follows change
# no document: an idea's document has no comments, a consultation's none of its comments, a task's
# none of its reviews; they are left out on purpose.
SUBJECT_CHANGES: dict[str, str] = {
    "idea.submitted": "idea",
    "idea.edited": "idea",
    "idea.status_changed": "idea",
    "idea.answered": "idea",
    "consultation.drafted": "consultation",
    "consultation.edited": "consultation",
    "consultation.scheduled": "consultation",
    "consultation.unscheduled": "consultation",
    "consultation.opened": "consultation",
    "consultation.closed": "consultation",
    "outcome.published": "consultation",
    "outcome.corrected": "consultation",
    "handover.drafted": "handover",
    "handover.posted": "handover",
    "handover.edited": "handover",
    "handover.cancelled": "handover",
    "handover.expired": "handover",
    "handover.claimed": "handover",
    "handover.claim_confirmed": "handover",
    "handover.claim_released": "handover",
    "handover.claim_withdrawn": "handover",
    "handover.claim_expired": "handover",
    "handover.progress_reported": "handover",  # a task's popularity counts its progress reports
    "handover.completion_requested": "handover",
    "handover.completion_rejected": "handover",
    "handover.signed_off": "handover",
}
# A moderator's hide or restore: of an idea only (a hidden comment is in no document).
MODERATION = {"content.hidden": "delete", "content.restored": "upsert"}
SUPPORTED, WITHDRAWN = "idea.supported", "idea.support_withdrawn"
THRESHOLD = "idea.threshold_reached"
ERASED = "account.erased"
# Every kind the search consumer needs to be shown.
KINDS: frozenset[str] = frozenset({*SUBJECT_CHANGES, *MODERATION, SUPPORTED, WITHDRAWN, THRESHOLD, ERASED})


def popularity_doublings(popularity: int) -> int:
    """floor(log2(1 + popularity)), as SQL search_popularity_doublings (migration 0024): an idea's
    document carries its supports only to this precision."""
    return (1 + max(popularity, 0)).bit_length() - 1


def changes(events: Iterable[EventFacts]) -> list[Change]:
    """The documents a batch of events changes (the consumer's handler, before its one lookup).

    A support changes its idea's document only when the count crosses into another doubling.
    The event carries the count after the statement that wrote it; store.SUPPORT may write several
    supports of one idea in one statement, each event then carrying the same count, so n such
    events of one idea and count are read as one step of n (at worst a document is queued that
    did not change). Only tests write several at once, far below the consumer's batch, which
    must hold a whole statement's events for this. A withdrawal removes one support per statement."""
    events = list(events)
    same_count = Counter((e.subject_id, e.payload["support_count"]) for e in events if e.kind == SUPPORTED)
    found: list[Change] = []
    for e in events:
        if (doc_kind := SUBJECT_CHANGES.get(e.kind)) and e.subject_kind == doc_kind:
            found.append(Change(doc_kind, e.subject_id))
        elif e.kind in MODERATION and e.subject_kind == "idea":
            found.append(Change("idea", e.subject_id, MODERATION[e.kind]))
        elif e.kind in (SUPPORTED, WITHDRAWN):
            after = e.payload["support_count"]
            before = after - same_count[(e.subject_id, after)] if e.kind == SUPPORTED else after + 1
            if popularity_doublings(before) != popularity_doublings(after):
                found.append(Change("idea", e.subject_id))
        elif e.kind == THRESHOLD and e.payload.get("by") == "threshold_lowered":
            # A lowered threshold starts the clocks of ideas that no support touched.
            found.append(Change("idea", e.subject_id))
    return found


def erased_author(event: EventFacts) -> int | None:
    """The person whose ideas an erasure emptied and hid (account.erased with its content
    removed): the event names the person, so the consumer looks their ideas up."""
    if event.kind == ERASED and event.subject_kind == "user" and event.payload.get("content_removed"):
        return event.subject_id
    return None


def unique(found: Iterable[Change]) -> list[Change]:
    """One row per document, in the order first seen, with the op of its last change."""
    ops: dict[tuple[str, int], str] = {}
    for change in found:
        ops[(change.kind, change.id)] = change.op  # a key seen before keeps its place
    return [Change(kind, doc_id, op) for (kind, doc_id), op in ops.items()]
