"""The public record's chain: canonical form, hashing, and verification that names the first
entry of any single change (a payload changed, an entry deleted, two swapped, one inserted)."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from civic.events import CATALOGUE, OFFICIAL_KINDS
from civic.record import rules
from civic.record.schemas import Entry, Filters, RecordQuery
from civic.validation import Problem

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


# --- exact answers (issue 18: tests that bite) ----------------------------------------------

ITEM = {"act": "idea.answered", "agency_id": 1, "actor_role": "agency_admin", "actor_name": None,
        "subject_kind": "idea", "subject_id": 1, "payload": {}}  # fmt: skip


@pytest.fixture
def bangkok_local_time(monkeypatch):
    """The machine's own zone is Bangkok (as on a server set up in Thailand)."""
    monkeypatch.setenv("TZ", "Asia/Bangkok")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_time_is_utc_whatever_the_machines_zone(bangkok_local_time):
    assert rules.utc(T0) == "2026-05-01T03:04:05.123456Z"
    assert rules.utc(datetime(2026, 5, 1, 1, 0, tzinfo=UTC)) == "2026-05-01T01:00:00.000000Z"


def test_a_gap_names_the_missing_entry_and_both_sides():
    entries = chain([ITEM] * 4)
    finding = rules.verify([entries[0], entries[2], entries[3]])
    assert finding == (2, "missing", {"seq": 2, "before": 1, "after": 3})
    assert rules.message(finding) == "Entry 2 is missing: the record jumps from 1 to 3."
    # several missing: the first of them, and where the record resumes
    assert rules.verify([entries[0], entries[3]]) == (2, "missing", {"seq": 2, "before": 1, "after": 4})


def test_an_entry_repeated_comes_out_of_order():
    entries = chain([ITEM] * 3)
    finding = rules.verify([entries[0], entries[1], entries[0]])
    assert finding == (1, "out_of_order", {"seq": 1, "expected": 3})
    assert rules.message(finding) == "Entry 1 comes where entry 3 belongs."


def test_a_broken_link_names_the_entry_and_the_one_before():
    entries = chain([ITEM] * 4)
    forged = rules.sealed(msgspec.structs.replace(entries[2], prev_hash="b" * 64))
    finding = rules.verify([entries[0], entries[1], forged, entries[3]])
    assert finding == (3, "broken_link", {"seq": 3, "previous": 2})
    assert rules.message(finding).startswith("Entry 3 does not follow entry 2: its previous hash differs")


def test_a_missing_tail_names_the_last_entry_and_the_head():
    entries = chain([ITEM] * 5)
    finding = rules.verify(entries[:3], head(entries))
    assert finding == (4, "missing_tail", {"seq": 5, "last": 3})
    assert rules.message(finding) == "Entries after 3 are missing: the head is at 5."
    assert rules.verify([], head(entries)) == (1, "missing_tail", {"seq": 5, "last": 0})


def test_a_head_hash_that_disagrees_is_named_exactly():
    entries = chain([ITEM] * 2)
    finding = rules.verify(entries, (2, "e" * 64))
    assert finding == (2, "head_mismatch", {"seq": 2})
    assert rules.message(finding) == "The head's hash does not match entry 2."
    assert rules.verify(entries, head(entries)) is None


def test_a_head_behind_the_entries_names_the_first_entry_beyond():
    entries = chain([ITEM] * 3)
    assert rules.verify(entries, head(entries[:1])) == (2, "beyond_head", {"seq": 2, "head": 1})


def test_a_published_head_that_agrees_is_no_problem():
    entries = chain([ITEM] * 3)
    published = {2: (entries[1].hash, "2026-05-01"), 3: (entries[2].hash, "2026-05-02")}
    assert rules.verify(entries, head(entries), published=published) is None


def test_verify_without_a_head_gives_the_walks_own_finding():
    entries = chain([ITEM] * 3)
    assert rules.verify(entries) is None
    assert rules.verify([]) is None
    assert rules.verify([entries[0], entries[2]]) == (2, "missing", {"seq": 2, "before": 1, "after": 3})


def test_the_walk_counts_the_entries_it_checked_and_stops_at_the_first_problem():
    entries = chain([ITEM] * 4)
    walk = rules.Walk()
    assert walk.checked == 0
    assert walk.feed(entries[0]) is True
    assert walk.feed(entries[1]) is True
    assert walk.checked == 2
    assert walk.feed(entries[3]) is False  # entry 3 is missing
    assert walk.checked == 2
    # after the first problem, nothing more is checked, however good
    assert walk.feed(entries[2]) is False
    assert walk.checked == 2
    assert walk.finding == (3, "missing", {"seq": 3, "before": 2, "after": 4})
    assert walk.finish(*head(entries)) == (3, "missing", {"seq": 3, "before": 2, "after": 4})


def test_a_walk_from_the_middle_counts_from_its_start():
    entries = chain([ITEM] * 4)
    walk = rules.Walk(start_seq=3, prev_hash=entries[1].hash)
    assert walk.feed(entries[2]) and walk.feed(entries[3])
    assert walk.checked == 2
    assert walk.finish(*head(entries)) is None


def test_a_bad_date_is_named_exactly():
    f, errors = rules.filters(RecordQuery(since="2026-02-30", until="tomorrow"), [])
    assert errors == {"since": Problem(rules.BAD_DATE), "until": Problem(rules.BAD_DATE)}
    assert errors["since"] == Problem("Enter a date as YYYY-MM-DD.")
    assert (f.since, f.until) == (None, None)


@pytest.mark.parametrize(
    ("since", "until", "errors"),
    [
        ("2026-05-02", "2026-05-01", {"until": Problem("The start date must not be after the end date.")}),
        ("2026-05-01", "2026-05-01", {}),  # one day
        ("2026-05-01", "2026-05-02", {}),
        (" 2026-05-01 ", "2026-05-03\n", {}),  # stripped
    ],
)
def test_the_date_range(since, until, errors):
    f, found = rules.filters(RecordQuery(since=since, until=until), [])
    assert found == errors
    assert f.since == date.fromisoformat(since.strip())
    assert f.until == date.fromisoformat(until.strip())


def test_an_unknown_act_is_named_exactly():
    f, errors = rules.filters(RecordQuery(act="idea.supported"), ["idea.answered"])
    assert errors == {"act": Problem("Choose an act from the list.")}
    f, errors = rules.filters(RecordQuery(act="idea.answered"), iter(["idea.answered"]))
    assert errors == {} and f.act == "idea.answered"


def test_no_filters_give_empty_filters():
    f, errors = rules.filters(RecordQuery(), [])
    assert errors == {}
    assert f == Filters()
    assert f.subject_kind is None and f.subject_id is None and f.agency is None and f.until is None


@pytest.mark.parametrize(
    ("subject", "kind", "number"),
    [
        ("idea:12", "idea", 12),
        ("board:1", "board", 1),
        ("consultation:0", "consultation", 0),
        ("handover:7", "handover", 7),
        ("organisation:3", "organisation", 3),
        ("user:5", "user", 5),
        ("idea:" + "9" * 18, "idea", 10**18 - 1),  # the longest number taken (fits a bigint)
    ],
)
def test_a_subject_is_a_kind_and_a_number(subject, kind, number):
    f, errors = rules.filters(RecordQuery(subject=subject), [])
    assert errors == {}
    assert (f.subject_kind, f.subject_id) == (kind, number)


@pytest.mark.parametrize(
    "subject",
    [
        "idea:" + "1" * 19,  # too long for a bigint
        "idea:" + "9" * 20,
        "idea",
        "12",
        ":12",
        "idea:",
        "idea:-1",
        "idea:1:2",
        "idea:12:idea",
        "x:idea:12",
        "ideas:12",
        "Idea:12",
        "idea:๑๒",  # Thai digits
        "idea: 12",
    ],
)
def test_a_bad_subject_is_named_exactly(subject):
    f, errors = rules.filters(RecordQuery(subject=subject), [])
    assert errors == {"subject": Problem("A subject is a kind and a number, such as idea:12.")}
    assert (f.subject_kind, f.subject_id) == (None, None)


@pytest.mark.parametrize(
    ("before", "kept"), [(None, None), (0, None), (-1, None), (-50, None), (1, 1), (2, 2), (40, 40)]
)
def test_before_is_a_positive_sequence_number(before, kept):
    f, errors = rules.filters(RecordQuery(before=before), [])
    assert errors == {} and f.before == kept


@pytest.mark.parametrize(
    ("agency", "kept"), [(None, None), ("", None), ("   ", None), (" hatyai ", "hatyai")]
)
def test_the_agency_is_stripped_and_blank_is_none(agency, kept):
    f, errors = rules.filters(RecordQuery(agency=agency), [])
    assert errors == {} and f.agency == kept


def test_the_filters_in_full():
    f, errors = rules.filters(
        RecordQuery(agency="hatyai", act="idea.answered", since="2026-05-01", until="2026-05-31",
                    subject="handover:4", before=90),
        ["idea.answered"],
    )  # fmt: skip
    assert errors == {}
    assert f == Filters(agency="hatyai", act="idea.answered", since=date(2026, 5, 1), until=date(2026, 5, 31),
                        subject_kind="handover", subject_id=4, before=90)  # fmt: skip


@pytest.mark.parametrize(
    ("seqs", "per_page", "expected"),
    [
        ([3, 2], 2, 2),  # a full page ending at 2: entry 1 is below
        ([2, 1], 2, None),  # reached entry 1
        ([5, 4, 3], 3, 3),
        ([5, 4], 3, None),  # not a full page
        (list(range(52, 2, -1)), rules.PER_PAGE, 3),
    ],
)
def test_the_next_page_starts_below_the_last_entry(seqs, per_page, expected):
    assert rules.next_before(seqs, per_page) == expected


def test_heads_txt_in_full():
    assert rules.heads_txt([(date(2026, 5, 1), 4, "a" * 64), (date(2026, 5, 2), 9, "b" * 64)]) == (
        "# civic: the public record's head at the end of each day (Asia/Bangkok)\n"
        "# date sequence sha256-of-the-entry (RFC 8785 canonical JSON, see /record)\n"
        f"2026-05-01 4 {'a' * 64}\n"
        f"2026-05-02 9 {'b' * 64}\n"
    )
    assert rules.heads_txt([]) == (
        "# civic: the public record's head at the end of each day (Asia/Bangkok)\n"
        "# date sequence sha256-of-the-entry (RFC 8785 canonical JSON, see /record)\n"
    )


@pytest.mark.parametrize(
    ("kind", "subject_id", "path"),
    [
        ("idea", 12, "/ideas/12"),
        ("consultation", 3, "/consultations/3"),
        ("handover", 5, "/handovers/5"),
        ("organisation", 7, "/record?subject=organisation%3A7"),
        ("board", 2, "/record?subject=board%3A2"),
        ("user", 9, "/record?subject=user%3A9"),
    ],
)
def test_a_subjects_path(kind, subject_id, path):
    assert rules.subject_path(kind, subject_id) == path


@pytest.mark.parametrize(
    ("values", "changes", "url"),
    [
        ({}, {}, "/record"),
        ({"agency": "", "act": None}, {}, "/record"),
        ({"agency": "hatyai", "act": ""}, {}, "/record?agency=hatyai"),
        ({"agency": "hatyai"}, {"before": 51}, "/record?agency=hatyai&before=51"),
        ({"agency": "hatyai", "before": "101"}, {"before": 51}, "/record?agency=hatyai&before=51"),
        ({"agency": "hatyai", "before": "101"}, {"before": None}, "/record?agency=hatyai"),
        ({"act": "idea.answered", "subject": "idea:12"}, {}, "/record?act=idea.answered&subject=idea%3A12"),
        ({"agency": "XXXX"}, {}, "/record?agency=XXXX"),
    ],
)
def test_the_record_url_keeps_the_filters_as_typed(values, changes, url):
    assert rules.url_with(values, **changes) == url
