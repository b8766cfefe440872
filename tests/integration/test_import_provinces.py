"""`import ideas` places provinces as agencies write them (issue 21, item 25): 16 of 16 rows
written in Thai were rejected because the importer upper-cased the field."""

from __future__ import annotations

import json

import pytest

from civic import provinces
from civic.search.importer import import_ideas
from tests.integration.test_search_commands import board  # noqa: F401 (a fixture)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("CMI", "CMI"), ("cmi", "CMI"), ("เชียงใหม่", "CMI"), ("Chiang Mai", "CMI"), ("chiang mai", "CMI"),
        ("จ.เชียงใหม่", "CMI"), ("จังหวัดเชียงใหม่", "CMI"), ("จังหวัด เชียงใหม่", "CMI"),
        ("กรุงเทพมหานคร", "BKK"), ("กทม.", "BKK"), ("กรุงเทพฯ", "BKK"), ("อยุธยา", "AYA"),
        ("  อุบลราชธานี ", "UBN"), ("เชียงใหม่จ้า", None), ("XXX", None), ("จ.", None),
    ],
)  # fmt: skip
def test_code_for_name(written, code):
    assert provinces.code_for_name(written) == code


async def test_thai_province_names_import_and_unplaceable_rows_are_reported(conn, board, tmp_path):  # noqa: F811
    rows = [
        {"title": f"ไอเดียเรื่องถนนที่ {n}", "body": "ถนนเป็นหลุมใหญ่ รถล้มบ่อยมาก", "province": written}
        for n, written in enumerate(["เชียงใหม่", "กรุงเทพมหานคร", "กทม.", "จ.เชียงใหม่", "อยุธยา", "เมืองลับแล"])
    ]
    path = tmp_path / "ideas.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    report = await import_ideas(conn, path, board, default_author_email="citizen@example.org")
    assert len(report.created) == 5
    assert report.errors == [(6, "province: no province is called 'เมืองลับแล'")]
    placed = [r["province"] for r in await conn.fetch("SELECT province FROM ideas ORDER BY id")]
    assert placed == ["CMI", "BKK", "BKK", "CMI", "AYA"]
