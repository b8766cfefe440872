"""`import ideas` (bad rows reported by line, good rows kept and indexed) and `reindex`."""

from __future__ import annotations

import json

import pytest

from civic.ideas import store as ideas
from civic.registry import SEARCH_LOADERS
from civic.search import relay
from civic.search.importer import import_ideas
from civic.search.port import SearchQuery
from civic.search.postgres import PostgresBackend
from civic.search.reindex import count_entities, enqueue_all, kinds, reindex
from tests.helpers import make_agency, make_user


@pytest.fixture
async def board(conn):
    agency = await make_agency(conn, "bkk")
    staff = await make_user(conn, "staff@example.org")
    await make_user(conn, "citizen@example.org")
    await ideas.create_board(
        conn, slug="city", agency_id=agency, title="ไอเดียเมือง", description_th="", description_en="",
        scope=None, categories=["waste", "roads"], is_open=True, moderate_first=False,
        support_threshold=10, response_days=30, coowner_ids=[], actor_id=staff,
    )  # fmt: skip
    return "city"


async def test_import_jsonl_keeps_good_rows_and_reports_bad_lines(pool, conn, board, tmp_path):
    rows = [
        {"title": "ขอถังขยะเพิ่มที่ตลาด", "body": "ขยะล้นทุกเช้า ส่งกลิ่นเหม็นมาก", "province": "BKK",
         "category": "waste", "author_email": "citizen@example.org"},
        {"title": "สั้น", "body": "สั้นเกินไป", "province": "BKK"},  # title too short
        "not an object",
        {"title": "ซ่อมถนนหน้าบ้าน", "body": "ถนนเป็นหลุมใหญ่ รถล้มบ่อยมาก", "province": "XXX"},  # bad province
        {"title": "ไฟถนนดับทั้งซอย", "body": "มืดมาก อันตรายตอนกลางคืน", "province": "bkk"},
        {"title": "ทางเท้าชำรุด", "body": "ฟุตบาทแตกเป็นหลุมใหญ่", "author_email": "nobody@example.org"},
    ]  # fmt: skip
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(3, "{broken json")
    path = tmp_path / "ideas.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = await import_ideas(conn, path, board, default_author_email="citizen@example.org")
    assert len(report.created) == 2
    assert [line for line, _ in report.errors] == [2, 3, 4, 5, 7]
    messages = dict(report.errors)
    assert messages[2].startswith("title:") and "JSON" in messages[4] and "province" in messages[5]
    assert "nobody@example.org" in messages[7]
    titles = {r["title"] for r in await conn.fetch("SELECT title FROM ideas")}
    assert titles == {"ขอถังขยะเพิ่มที่ตลาด", "ไฟถนนดับทั้งซอย"}
    # imported ideas are queued for search, and the relay indexes them through the ideas domain
    backend = PostgresBackend(pool)
    assert await relay.relay_all(pool, backend, SEARCH_LOADERS) == 2
    hits = (await backend.search(SearchQuery(q="มูลฝอย"))).hits
    assert [h.url for h in hits] == [f"/ideas/{min(report.created)}"]


async def test_import_csv_with_multiline_body(conn, board, tmp_path):
    path = tmp_path / "ideas.csv"
    path.write_text(
        "title,body,province,category,author_email\n"
        'ขอเพิ่มไฟส่องสว่าง,"บรรทัดแรกของรายละเอียด\nบรรทัดที่สอง",BKK,roads,citizen@example.org\n'
        ",ไม่มีหัวข้อเลยนะ,BKK,,citizen@example.org\n",
        encoding="utf-8",
    )
    report = await import_ideas(conn, path, board)
    assert len(report.created) == 1
    assert [line for line, _ in report.errors] == [4]  # the multi-line row took lines 2-3


async def test_import_unknown_board(conn, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n")
    report = await import_ideas(conn, path, "nope")
    assert report.created == [] and "nope" in report.errors[0][1]


async def test_reindex_rebuilds_from_the_database(pool, conn, board, tmp_path):
    path = tmp_path / "ideas.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"title": f"ไอเดียเรื่องถนนที่ {i}", "body": "รายละเอียดของไอเดียเรื่องถนน", "province": "BKK"},
                       ensure_ascii=False)
            for i in range(12)
        ),
        encoding="utf-8",
    )  # fmt: skip
    report = await import_ideas(conn, path, board, default_author_email="citizen@example.org")
    assert len(report.created) == 12
    backend = PostgresBackend(pool)
    assert await count_entities(conn, "idea") == 12
    seen = []
    assert await reindex(conn, backend, SEARCH_LOADERS, kind="idea", batch=5, progress=seen.append) == 12
    assert seen == [5, 5, 2]
    assert await backend.count() == 12
    await conn.execute("UPDATE ideas SET hidden_at = now() WHERE id = $1", report.created[0])
    await reindex(conn, backend, SEARCH_LOADERS)
    assert await backend.count() == 11
    # every domain's table and loader is found; the admin button queues them all for the relay
    assert kinds() == ["idea", "consultation", "handover"] and kinds("idea") == ["idea"]
    await conn.execute("DELETE FROM search_outbox")
    assert await enqueue_all(conn) == 12
    assert await relay.relay_all(pool, backend, SEARCH_LOADERS) == 12 and await backend.count() == 11


async def test_reindex_pauses_between_batches_to_leave_time_to_live_traffic(pool, conn, board, monkeypatch):
    from civic.search import reindex as reindex_module

    for i in range(7):
        await conn.execute(
            "INSERT INTO ideas (board_id, author_id, title, body, status) "
            "SELECT id, (SELECT min(id) FROM users), $2, 'รายละเอียด', 'published' FROM idea_boards WHERE slug = $1",
            board,
            f"ไอเดียที่ {i}",
        )
    pauses: list[float] = []

    async def record(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(reindex_module.asyncio, "sleep", record)
    backend = PostgresBackend(pool)
    assert await reindex(conn, backend, SEARCH_LOADERS, kind="idea", batch=3) == 7
    assert pauses == []  # full speed unless asked
    assert await reindex(conn, backend, SEARCH_LOADERS, kind="idea", batch=3, duty=0.5) == 7
    assert len(pauses) == 3 and all(p > 0 for p in pauses)
