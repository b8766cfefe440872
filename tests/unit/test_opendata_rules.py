"""Open data rules: the dictionary's shape, cells, periods, who regenerates, and the personal-data
checks (what the scan finds, what redaction leaves, and what neither may touch)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from civic.accounts.schemas import CurrentUser
from civic.opendata import rules


def test_the_dictionary_is_complete():
    assert len({d.name for d in rules.DATASETS}) == len(rules.DATASETS)
    for d in rules.DATASETS:
        assert len(set(d.header)) == len(d.header), d.name
        assert all(c.type in rules.TYPES and c.en and c.th for c in d.columns), d.name
        assert d.date_column is None or d.date_column in d.header, d.name
        assert d.title_th != d.title_en and d.description_th and d.description_en


def test_file_names():
    assert rules.parse_filename("ideas.csv") == (rules.BY_NAME["ideas"], "csv")
    assert rules.parse_filename("tasks.ocds.json") == (rules.BY_NAME["tasks"], "ocds")
    assert rules.parse_filename("tasks.json") == (rules.BY_NAME["tasks"], "json")
    for bad in ("ideas.ocds.json", "ideas.xlsx", "users.csv", "../ideas.csv", "ideas", ".csv"):
        assert rules.parse_filename(bad) is None, bad
    assert [rules.filename(d.name, f) for d in rules.DATASETS for f in rules.formats_of(d)].count(
        "tasks.ocds.json"
    ) == 1


def test_cells():
    row = {"a": 1, "b": True, "c": None, "d": ["x", 2], "e": Decimal("45000.50"), "f": date(2025, 3, 5),
           "g": datetime(2025, 3, 5, 1, 2, 3, tzinfo=UTC)}  # fmt: skip
    ds = rules.Dataset("t", "T", "ท", "", "", tuple(rules.Column(k, "string", k, k) for k in row), None)
    values = rules.json_row(ds, row | {"ignored": 1})
    assert values == {"a": 1, "b": True, "c": None, "d": ["x", 2], "e": 45000.5, "f": "2025-03-05",
                      "g": "2025-03-05T01:02:03Z"}  # fmt: skip
    assert rules.csv_row(values) == [1, "true", "", '["x", 2]', 45000.5, "2025-03-05", "2025-03-05T01:02:03Z"]
    assert rules.json_value({"k": ["โทร 0812345678"]}) == {"k": ["โทร [phone]"]}


def test_periods():
    whole, errors = rules.parse_period(None, "")
    assert whole.whole and not errors and whole.holds(None)
    p, errors = rules.parse_period("2025-03-01", "2025-03-05")
    assert not errors and not p.whole
    assert p.holds(date(2025, 3, 5)) and p.holds(date(2025, 3, 1))
    assert not p.holds(date(2025, 3, 6)) and not p.holds(date(2025, 2, 28)) and not p.holds(None)
    assert p.holds(datetime(2025, 3, 5, 16, 59, tzinfo=UTC))  # 23:59 in Bangkok
    assert not p.holds(datetime(2025, 3, 5, 17, 0, tzinfo=UTC))  # 00:00 on the 6th in Bangkok
    _, errors = rules.parse_period("5/3/2025", "2025-03-01")
    assert set(errors) == {"since"}
    _, errors = rules.parse_period("2025-03-05", "2025-03-01")
    assert set(errors) == {"until"}


def test_only_active_admins_regenerate():
    def user(role, status="active"):
        return CurrentUser(id=1, email="a@b.c", display_name="a", lang="th", role=role, status=status)

    assert rules.can_regenerate(user("admin"))
    assert not rules.can_regenerate(user("admin", "blocked"))
    assert not rules.can_regenerate(user("moderator")) and not rules.can_regenerate(user("citizen"))
    assert not rules.can_regenerate(None)


def test_licences_have_urls():
    assert rules.licence_url("CC-BY-4.0") == "https://creativecommons.org/licenses/by/4.0/"
    assert all(u.startswith("https://") for u in rules.LICENCES.values())


@pytest.mark.parametrize(
    "text, kind",
    [
        ("mail somchai.k@example.co.th now", "email"),
        ("โทร 081-234-5678", "phone"),
        ("โทร0812345678", "phone"),
        ("call +66 81 234 5678", "phone"),
        ("สำนักงาน 02-123-4567", "phone"),
        ("บ้าน ๐๘๑๒๓๔๕๖๗๘", "phone"),
        ("บัตร 1-1017-00203-45-0", "thai_id"),
        ("บัตร 1101700203450", "thai_id"),
    ],
)
def test_the_scan_finds_personal_data_and_redaction_removes_it(text, kind):
    assert [f.kind for f in rules.scan(text)] == [kind]
    assert rules.scan(rules.redact(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-05T01:02:03.123456Z",
        "งบประมาณ 45000.00 บาท ภายในปี 2568",
        "1101700203451",  # 13 digits with a wrong check digit: not an ID (nor a phone)
        "response 3f2a0812345678b1-0000",  # a random id is no phone number
        "ผู้เข้าร่วม 120 คน 3 ครั้ง",
        "เลขที่ 123/45 หมู่ 6",
    ],
)
def test_the_scan_leaves_ordinary_numbers_alone(text):
    assert rules.scan(text) == []
    assert rules.redact(text) == text


def test_names_are_found_only_when_given():
    assert rules.scan("ความเห็นของ สมชาย ใจดี") == []
    assert rules.scan("ความเห็นของ สมชาย ใจดี", ["สมชาย ใจดี", ""]) == [rules.Finding("name", "สมชาย ใจดี")]


def test_an_id_is_masked_as_the_site_masks_it():
    assert rules.redact("บัตร 1-1017-00203-45-0") == "บัตร x-xxxx-xxxxx-45-0"
    assert rules.redact("") == ""


def test_coverage_and_errors():
    first, last = rules.coverage(None, None, datetime(2025, 3, 5, 18, tzinfo=UTC))  # the 6th in Bangkok
    assert (first, last) == (date(2025, 3, 6), date(2025, 3, 6))
    assert rules.coverage(first, last, date(2025, 1, 1)) == (date(2025, 1, 1), date(2025, 3, 6))
    assert rules.coverage(first, last, None) == (first, last)
    assert rules.short_error(OSError("No space left\nmore")) == "OSError: No space left"
    assert rules.short_error(RuntimeError()) == "RuntimeError"


def test_ids_and_hashes_are_never_redacted():
    ds = rules.BY_NAME["record"]
    digits = "a0812345678b1101700203450c"
    values = rules.json_row(ds, {"hash": digits, "prev_hash": digits, "payload": {"note": "โทร 0812345678"}})
    assert values["hash"] == values["prev_hash"] == digits
    assert values["payload"] == {"note": "โทร [phone]"}
    assert rules.csv_row(values)[rules.BY_NAME["record"].header.index("payload")] == '{"note": "โทร [phone]"}'
