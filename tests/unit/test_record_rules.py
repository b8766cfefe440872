"""The public record's chain: canonical form, hashing, and verification that names the first
entry of any single change (a payload changed, an entry deleted, two swapped, one inserted)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import msgspec
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from civic.events import CATALOGUE, OFFICIAL_KINDS
from civic.record import rules
from civic.record.schemas import Entry, RecordQuery

T0 = datetime(2026, 5, 1, 3, 4, 5, 123456, tzinfo=UTC)
scalars = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=20)
payloads = st.dictionaries(st.text(min_size=1, max_size=8), scalars | st.lists(scalars, max_size=3), max_size=4)
facts = st.fixed_dictionaries({
    "act": st.sampled_from(sorted(OFFICIAL_KINDS)),
    "agency_id": st.none() | st.integers(1, 10**6),
    "actor_role": st.sampled_from(["system", "agency_member", "agency_admin", "moderator", "admin"]),
    "actor_name": st.none() | st.text(max_size=12),
    "subject_kind": st.sampled_from(["idea", "consultation", "handover", "organisation"]),
    "subject_id": st.integers(1, 10**9),
    "payload": payloads,
})  # fmt: skip


def chain(items: list[dict], start: int = 1, prev: str = rules.GENESIS) -> list[Entry]:
    out = []
    for i, item in enumerate(items):
        entry = rules.sealed(Entry(seq=start + i, at=T0 + timedelta(seconds=i), prev_hash=prev, **item))
        out.append(entry)
        prev = entry.hash
    return out


def head(entries: list[Entry]) -> tuple[int, str]:
    return (entries[-1].seq, entries[-1].hash) if entries else (0, rules.GENESIS)


def test_the_hash_is_sha256_of_the_jcs_form_an_outsider_can_rebuild():
    entry = chain([{"act": "idea.answered", "agency_id": 7, "actor_role": "agency_member", "actor_name": None,
                    "subject_kind": "idea", "subject_id": 12, "payload": {"org_id": 7, "revised": False, "b": 1.5}}])[0]  # fmt: skip
    outsider = {
        "seq": 1, "at": "2026-05-01T03:04:05.123456Z", "agency": 7, "actor": {"role": "agency_member", "name": None},
        "act": "idea.answered", "subject": {"kind": "idea", "id": 12},
        "payload": {"b": 1.5, "org_id": 7, "revised": False}, "prev": "0" * 64,
    }  # fmt: skip
    assert rules.canonical(entry) == rfc8785.dumps(outsider)
    assert entry.hash == hashlib.sha256(rfc8785.dumps(outsider)).hexdigest()
    # Keys sorted, no spaces, non-ASCII kept as UTF-8: the RFC 8785 form.
    assert rules.canonical(entry).startswith(b'{"act":"idea.answered","actor":{"name":null,"role":"agency_member"}')


def test_the_time_is_the_same_instant_whatever_its_zone():
    bangkok = T0.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Bangkok"))
    assert rules.utc(bangkok) == rules.utc(T0) == "2026-05-01T03:04:05.123456Z"


@given(st.lists(facts, max_size=12))
def test_any_chain_verifies(items):
    entries = chain(items)
    assert rules.verify(entries, head(entries)) is None
    # and from any entry on, trusting the one before
    for k in range(1, len(entries)):
        assert rules.verify(entries[k:], head(entries), start_seq=k + 1, prev_hash=entries[k - 1].hash) is None


@given(st.lists(facts, min_size=1, max_size=10), st.data())
def test_a_changed_payload_is_named(items, data):
    entries = chain(items)
    k = data.draw(st.integers(0, len(entries) - 1))
    changed = dict(entries[k].payload) | {"tampered": data.draw(scalars)}
    entries[k] = msgspec.structs.replace(entries[k], payload=changed)
    assert rules.verify(entries, head(entries)) == (k + 1, "altered", {"seq": k + 1})


@given(st.lists(facts, min_size=2, max_size=10), st.data())
def test_a_changed_payload_rehashed_breaks_the_next_link(items, data):
    entries = chain(items)
    k = data.draw(st.integers(0, len(entries) - 2))
    entries[k] = rules.sealed(msgspec.structs.replace(entries[k], payload={"rewritten": True}))
    finding = rules.verify(entries, head(entries))
    assert finding.seq == k + 2 and finding.problem == "broken_link"


@given(st.lists(facts, min_size=2, max_size=10), st.data())
def test_a_deleted_entry_is_named(items, data):
    entries = chain(items)
    k = data.draw(st.integers(0, len(entries) - 1))
    full_head = head(entries)
    del entries[k]
    finding = rules.verify(entries, full_head)
    assert finding.seq == k + 1
    assert finding.problem == ("missing_tail" if k == len(entries) else "missing")


@given(st.lists(facts, min_size=2, max_size=10), st.data())
def test_two_entries_swapped_are_named(items, data):
    """A reorder as SQL would do it: the rows keep their contents and trade sequence numbers."""
    entries = chain(items)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    a, b = entries[i], entries[j]
    entries[i], entries[j] = msgspec.structs.replace(b, seq=a.seq), msgspec.structs.replace(a, seq=b.seq)
    finding = rules.verify(entries, head(chain(items)))
    assert finding.seq == i + 1 and finding.problem in ("broken_link", "altered")


@given(st.lists(facts, min_size=1, max_size=10), facts, st.booleans(), st.data())
def test_an_inserted_entry_is_named(items, forged, rehash, data):
    """Insert an entry at position k and renumber the rest. A careless forger's entry fails
    itself; a careful one (linked and hashed right) is betrayed by the entry it displaced."""
    entries = chain(items)
    k = data.draw(st.integers(0, len(entries)))
    prev = entries[k - 1].hash if k else rules.GENESIS
    fake = Entry(seq=k + 1, at=T0, prev_hash=prev, hash="f" * 64, **forged)
    fake = rules.sealed(fake) if rehash else fake
    tail = [msgspec.structs.replace(e, seq=e.seq + 1) for e in entries[k:]]
    tampered = entries[:k] + [fake] + tail
    finding = rules.verify(tampered, head(chain(items)))
    if not rehash:
        assert finding == (k + 1, "altered", {"seq": k + 1})
    elif tail:
        assert finding.seq == k + 2 and finding.problem == "broken_link"
    else:  # appended at the end, hashed right: only the head knows it was no act
        assert finding == (k + 1, "beyond_head", {"seq": k + 1, "head": k})


def test_a_published_head_that_disagrees_is_named():
    items = [{"act": "idea.answered", "agency_id": 1, "actor_role": "agency_admin", "actor_name": None,
              "subject_kind": "idea", "subject_id": n, "payload": {}} for n in range(5)]  # fmt: skip
    entries = chain(items)
    # History rewritten consistently from entry 3 on, head included: only outsiders' copies differ.
    rewritten = entries[:2] + chain([items[2] | {"payload": {"revised": True}}, *items[3:]], 3, entries[1].hash)
    published = {4: (entries[3].hash, "2026-05-01")}
    assert rules.verify(rewritten, head(rewritten), published=published) == (
        4, "published_mismatch", {"seq": 4, "day": "2026-05-01"}
    )
    assert "Entry 4 differs" in rules.message(rules.verify(rewritten, head(rewritten), published=published))


def test_a_head_hash_that_disagrees_is_named():
    entries = chain([{"act": "idea.answered", "agency_id": None, "actor_role": "system", "actor_name": None,
                      "subject_kind": "idea", "subject_id": 1, "payload": {}}])  # fmt: skip
    assert rules.verify(entries, (1, "e" * 64)).problem == "head_mismatch"
    assert rules.verify([], (0, rules.GENESIS)) is None


# --- the public payload ---------------------------------------------------------------------


def test_every_official_kinds_payload_field_is_classified():
    """A field is copied into the record only from the allow-list; a new official kind's fields
    must be classified in civic/record/rules.py (STRUCTURED, FREE_TEXT or PERSONAL) first."""
    known = rules.STRUCTURED | rules.FREE_TEXT | rules.PERSONAL
    unclassified = {
        f"{kind}.{field}"
        for kind in OFFICIAL_KINDS
        for field in CATALOGUE[kind].payload.__struct_fields__
        if field not in known
    }
    assert not unclassified, f"classify these payload fields in civic/record/rules.py: {sorted(unclassified)}"
    assert not (rules.STRUCTURED & rules.FREE_TEXT) and not (rules.PERSONAL & (rules.STRUCTURED | rules.FREE_TEXT))


def test_the_public_payload_keeps_words_of_public_acts_only_and_never_a_person():
    payload = {"slug": "p", "verification": "rejected", "reason": "เอกสารไม่ครบ", "user_id": 9, "surprise": 1}
    assert rules.public_payload(payload, "public") == {"slug": "p", "verification": "rejected", "reason": "เอกสารไม่ครบ"}
    assert rules.public_payload(payload, "staff") == {"slug": "p", "verification": "rejected"}


def test_canonical_json_of_a_payload_survives_a_jsonb_round_trip():
    payload = {"closes_at": "2026-05-01T10:00:00+07:00", "n": 3, "t": "ไทย\u0000\n", "x": [1, None, True]}
    entry = chain([{"act": "consultation.closed", "agency_id": 1, "actor_role": "system", "actor_name": None,
                    "subject_kind": "consultation", "subject_id": 1, "payload": payload}])[0]  # fmt: skip
    back = msgspec.structs.replace(entry, payload=json.loads(json.dumps(payload)))
    assert rules.entry_hash(back) == entry.hash


# --- filters and the published list ---------------------------------------------------------


def test_filters_report_every_problem_at_once():
    f, errors = rules.filters(
        RecordQuery(since="2026-13-01", until="x", act="idea.supported", subject="idea:๑๒"), sorted(OFFICIAL_KINDS)
    )
    assert set(errors) == {"since", "until", "act", "subject"}
    f, errors = rules.filters(RecordQuery(since="2026-05-02", until="2026-05-01"), [])
    assert set(errors) == {"until"}
    f, errors = rules.filters(
        RecordQuery(agency=" hatyai ", act="idea.answered", subject="idea:12", before=40, since="2026-05-01"),
        ["idea.answered"],
    )
    assert not errors
    assert (f.agency, f.act, f.subject_kind, f.subject_id, f.before, f.since) == (
        "hatyai", "idea.answered", "idea", 12, 40, date(2026, 5, 1)
    )  # fmt: skip


def test_pages_go_down_by_sequence():
    assert rules.next_before(list(range(100, 50, -1))) == 51
    assert rules.next_before(list(range(50, 0, -1))) is None  # reached entry 1
    assert rules.next_before([3, 2]) is None


def test_heads_txt_is_one_line_per_day():
    text = rules.heads_txt([(date(2026, 5, 1), 4, "a" * 64), (date(2026, 5, 2), 4, "a" * 64)])
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == [f"2026-05-01 4 {'a' * 64}", f"2026-05-02 4 {'a' * 64}"]
