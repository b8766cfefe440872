"""The record's pure parts: the public payload of an act, the canonical form and hash of an
entry, the walk that verifies a chain, and the /record filters. No database, no web.

An entry's hash is SHA-256 over the RFC 8785 (JSON Canonicalization Scheme) form of the entry,
previous hash included; an outsider recomputes it from the JSON twin with any JCS library:

    {"act", "actor": {"name", "role"}, "agency", "at", "payload", "prev", "seq",
     "subject": {"id", "kind"}}

`at` is UTC with microseconds ("2026-05-01T03:04:05.123456Z"), `agency` an organisation id or
null, `prev` the previous entry's hash (64 zeros before the first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import NamedTuple
from urllib.parse import urlencode

import msgspec
import rfc8785

from civic.record.schemas import Entry, Filters, RecordQuery
from civic.validation import N_, Errors, Problem

GENESIS = "0" * 64
PER_PAGE = 50


# How the actor acted (store._EVENTS): a role, never a person.
ROLE_LABELS = {
    "system": N_("The platform (automatic)"),
    "agency_member": N_("Agency staff"),
    "agency_admin": N_("Agency administrator"),
    "moderator": N_("Moderator"),
    "admin": N_("Platform administrator"),
    "citizen": N_("Member of the public"),
}


# --- the public payload ---------------------------------------------------------------------
# An act's payload is copied into the record field by field from an allow-list: a field not
# classified here is left out (tests/unit/test_record_rules.py fails until it is classified), so
# a new kind can never carry a person's data into a record that cannot be corrected.

# Codes, counts, dates, ids of public things: always public.
STRUCTURED = frozenset({
    "answer_due_at", "by", "category", "changed", "claim_closes", "claim_id", "closes_at", "consultation_id",
    "coowner_ids", "coowners_added", "coowners_removed", "deadline", "duplicate_of", "early", "fields",
    "from_status", "idea_id", "is_open", "kind", "milestone_id", "moderate_first", "opens_at", "org_id",
    "partner_id", "previous", "reason_code", "resolved_flags", "response_days", "revised", "role", "slug",
    "subject", "support_count", "support_threshold", "themes", "threshold", "to_status", "verdict", "verification",
    "version",
    # implementation plans (civic/implementation)
    "evidence", "kept", "milestones", "percent", "plan_id", "promised_on", "starts_on", "theme", "update_id",
    "by_plan",
})  # fmt: skip
# Words typed for the public (a reason, a note, a title): public when the event was; an act shown
# to staff only (a rejection's reason for the partner's admins, anything about hidden content)
# keeps its codes and loses its words.
FREE_TEXT = frozenset({"change_note", "correction_note", "milestone_title", "name_th", "note", "reason", "title"})
# Never in the record: who a person is (the subject and actor role say what was acted on and as what).
PERSONAL = frozenset({"display_name", "email", "national_id_hash", "user_id"})


def public_payload(payload: Mapping, visibility: str) -> dict:
    keep = STRUCTURED | FREE_TEXT if visibility == "public" else STRUCTURED
    return {k: v for k, v in payload.items() if k in keep}


# --- canonical form and hash ----------------------------------------------------------------


def utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hashed_fields(entry: Entry) -> dict:
    """The entry as hashed: every field but the hash itself."""
    return {
        "seq": entry.seq,
        "at": utc(entry.at),
        "agency": entry.agency_id,
        "actor": {"role": entry.actor_role, "name": entry.actor_name},
        "act": entry.act,
        "subject": {"kind": entry.subject_kind, "id": entry.subject_id},
        "payload": entry.payload,
        "prev": entry.prev_hash,
    }


def canonical(entry: Entry) -> bytes:
    return rfc8785.dumps(hashed_fields(entry))


def entry_hash(entry: Entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def sealed(entry: Entry) -> Entry:
    """The entry with its hash."""
    return msgspec.structs.replace(entry, hash=entry_hash(entry))


# --- verification ---------------------------------------------------------------------------

PROBLEMS: dict[str, str] = {
    "missing": N_("Entry %(seq)s is missing: the record jumps from %(before)s to %(after)s."),
    "out_of_order": N_("Entry %(seq)s comes where entry %(expected)s belongs."),
    "broken_link": N_(
        "Entry %(seq)s does not follow entry %(previous)s: its previous hash differs "
        "(one of the two was rewritten, or an entry was inserted)."
    ),
    "altered": N_("Entry %(seq)s was changed after it was written: its hash does not match its content."),
    "missing_tail": N_("Entries after %(last)s are missing: the head is at %(seq)s."),
    "beyond_head": N_("Entry %(seq)s is beyond the head (%(head)s): it was not appended by an act."),
    "head_mismatch": N_("The head's hash does not match entry %(seq)s."),
    "published_mismatch": N_("Entry %(seq)s differs from the head published for %(day)s."),
    "no_start": N_("There is no entry %(seq)s to start after."),
    "unrecorded": N_("The official act of event %(event)s has no entry."),
}


class Finding(NamedTuple):
    seq: int | None
    problem: str
    params: dict


class Walk:
    """Checks entries one by one, in sequence order, from `start_seq` (whose previous hash is
    `prev_hash`), and keeps the first problem. Feed it every entry, then `finish` with the head."""

    def __init__(self, start_seq: int = 1, prev_hash: str = GENESIS, published: Mapping[int, tuple] = {}) -> None:
        self.expected = start_seq
        self.prev_hash = prev_hash
        self.published = published  # seq -> (hash, day) of the published heads
        self.checked = 0
        self.finding: Finding | None = None

    def feed(self, entry: Entry) -> bool:
        """False once a problem is found (the walk stops at the first)."""
        if self.finding is not None:
            return False
        self.finding = self._check(entry)
        if self.finding is None:
            self.checked += 1
            self.expected = entry.seq + 1
            self.prev_hash = entry.hash
        return self.finding is None

    def _check(self, entry: Entry) -> Finding | None:
        if entry.seq > self.expected:
            return Finding(self.expected, "missing", {"seq": self.expected, "before": self.expected - 1, "after": entry.seq})
        if entry.seq < self.expected:
            return Finding(entry.seq, "out_of_order", {"seq": entry.seq, "expected": self.expected})
        if entry.prev_hash != self.prev_hash:
            return Finding(entry.seq, "broken_link", {"seq": entry.seq, "previous": entry.seq - 1})
        if entry_hash(entry) != entry.hash:
            return Finding(entry.seq, "altered", {"seq": entry.seq})
        if (published := self.published.get(entry.seq)) and published[0] != entry.hash:
            return Finding(entry.seq, "published_mismatch", {"seq": entry.seq, "day": published[1]})
        return None

    def finish(self, head_seq: int, head_hash: str) -> Finding | None:
        """The head (kept by every append) must name the last entry: a deleted or an added tail
        leaves no break in the links, only a head that disagrees."""
        if self.finding is None:
            last = self.expected - 1
            if head_seq > last:
                self.finding = Finding(last + 1, "missing_tail", {"seq": head_seq, "last": last})
            elif head_seq < last:
                self.finding = Finding(head_seq + 1, "beyond_head", {"seq": head_seq + 1, "head": head_seq})
            elif head_seq and head_hash != self.prev_hash:
                self.finding = Finding(head_seq, "head_mismatch", {"seq": head_seq})
        return self.finding


def verify(entries: Iterable[Entry], head: tuple[int, str] | None = None, **walk) -> Finding | None:
    """The first problem of a whole chain (the unit tests' entry point; the store streams)."""
    w = Walk(**walk)
    for entry in entries:
        if not w.feed(entry):
            break
    return w.finish(*head) if head is not None else w.finding


def message(finding: Finding) -> str:
    """The English wording (the CLI's and the job's); pages translate PROBLEMS themselves."""
    return PROBLEMS[finding.problem] % finding.params


# --- the public list's filters --------------------------------------------------------------

BAD_DATE = N_("Enter a date as YYYY-MM-DD.")
BAD_RANGE = N_("The start date must not be after the end date.")
BAD_ACT = N_("Choose an act from the list.")
BAD_SUBJECT = N_("A subject is a kind and a number, such as idea:12.")
SUBJECT_KINDS = ("idea", "board", "consultation", "handover", "organisation", "user")


def _day(value: str | None, field: str, errors: Errors) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[field] = Problem(BAD_DATE)
        return None


def filters(query: RecordQuery, acts: Iterable[str]) -> tuple[Filters, Errors]:
    """The query checked: every problem at once, by field."""
    errors: Errors = {}
    since, until = _day(query.since, "since", errors), _day(query.until, "until", errors)
    if since and until and since > until:
        errors["until"] = Problem(BAD_RANGE)
    if query.act and query.act not in set(acts):
        errors["act"] = Problem(BAD_ACT)
    subject_kind = subject_id = None
    if query.subject:
        kind, _, number = query.subject.partition(":")
        if kind in SUBJECT_KINDS and number.isascii() and number.isdigit() and len(number) < 19:
            subject_kind, subject_id = kind, int(number)
        else:
            errors["subject"] = Problem(BAD_SUBJECT)
    before = query.before if query.before and query.before > 0 else None
    agency = (query.agency or "").strip() or None
    return Filters(agency=agency, act=query.act or None, since=since, until=until,
                   subject_kind=subject_kind, subject_id=subject_id, before=before), errors  # fmt: skip


def next_before(seqs: list[int], per_page: int = PER_PAGE) -> int | None:
    """Newest first: a full page has older entries below its last, unless it reached entry 1."""
    return seqs[-1] if len(seqs) == per_page and seqs[-1] > 1 else None


SUBJECT_PAGES = {"idea": "/ideas", "consultation": "/consultations", "handover": "/handovers"}


def subject_path(kind: str, subject_id: int) -> str:
    """The subject's own page where it has one by number; else its entries in the record."""
    if kind in SUBJECT_PAGES:
        return f"{SUBJECT_PAGES[kind]}/{subject_id}"
    return url_with({}, subject=f"{kind}:{subject_id}")


def url_with(values: Mapping[str, str], **changes) -> str:
    """/record with the filters as typed and `changes` on top (the next page's `before`)."""
    query = {k: v for k, v in {**values, **changes}.items() if v not in (None, "")}
    return "/record" + (f"?{urlencode(query)}" if query else "")


def heads_txt(heads: Iterable[tuple[date, int, str]]) -> str:
    """/record/heads.txt: a comment saying how to read it, then `date seq hash`, oldest first."""
    lines = [
        "# civic: the public record's head at the end of each day (Asia/Bangkok)",
        "# date sequence sha256-of-the-entry (RFC 8785 canonical JSON, see /record)",
    ]
    lines += [f"{day.isoformat()} {seq} {digest}" for day, seq, digest in heads]
    return "\n".join(lines) + "\n"
