"""Outcome statistics over N responses (one pre-grouped pass), against a primary-key fetch, same run.

    python bench/bench_consultations.py [--responses 100000] [--rounds 5] [--smoke]

Uses DATABASE_URL if set (a scratch database it may write to), otherwise starts an embedded
PostgreSQL in a temporary directory. Prints one ratio line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from civic import db as dbmod  # noqa: E402
from civic import embedded_db  # noqa: E402
from civic.consultations import store  # noqa: E402

# 4 questions: single (3 options), multi (4 options, 1-3 chosen), scale 1-5, free text.
FILL = """
INSERT INTO consultation_responses (consultation_id, user_id, consent, province, answers, created_at)
SELECT $1, u.id, (ARRAY['named','anonymous','none'])[1 + u.id % 3], (ARRAY['BKK','CMI','KKN','SKA'])[1 + u.id % 4],
       jsonb_build_object(
         $2::text, (ARRAY['เห็นด้วย','เห็นด้วยบางส่วน','ไม่เห็นด้วย'])[1 + (u.id * 7) % 3],
         $3::text, (ARRAY['["ภาษี"]','["ภาษี","ทะเบียน"]','["สวัสดิการ","ใบอนุญาต","ภาษี"]'])[1 + u.id % 3]::jsonb,
         $4::text, 1 + (u.id * 13) % 5,
         $5::text, 'ความเห็นที่ ' || u.id),
       now() - (u.id % 30) * interval '1 day'
FROM users u WHERE u.email LIKE 'bench%'
"""


async def run(dsn: str, n: int, rounds: int) -> None:
    pool = await dbmod.create_pool(dsn, max_size=2)
    async with pool.acquire() as conn:
        await dbmod.migrate(conn)
        org = await conn.fetchval(
            "INSERT INTO organisations (slug, kind, name_th, level) VALUES ('bench-agency', 'agency', 'หน่วยงานทดสอบ', "
            "'central') ON CONFLICT (slug) DO UPDATE SET name_th = EXCLUDED.name_th RETURNING id"
        )
        await conn.execute(
            "INSERT INTO users (email, display_name, password_hash) SELECT 'bench' || g || '@x.example', 'b' || g, 'x' "
            "FROM generate_series(1, $1) g ON CONFLICT DO NOTHING",
            n,
        )
        now = await conn.fetchval("SELECT now()")
        from datetime import timedelta

        cid = await store.create_consultation(
            conn,
            actor_id=None,
            owner_org_id=org,
            kind="general",
            title="bench consultation",
            summary="bench summary text",
            opens_at=now - timedelta(days=40),
            closes_at=now + timedelta(days=1),
            questions=[
                {
                    "kind": "single",
                    "prompt": "q1",
                    "required": True,
                    "options": ["เห็นด้วย", "เห็นด้วยบางส่วน", "ไม่เห็นด้วย"],
                },
                {"kind": "multi", "prompt": "q2", "options": ["ภาษี", "ทะเบียน", "สวัสดิการ", "ใบอนุญาต"]},
                {"kind": "scale", "prompt": "q3"},
                {"kind": "text", "prompt": "q4"},
            ],
        )
        q = [str(x.id) for x in await store.list_questions(conn, cid)]
        t0 = time.perf_counter()
        await conn.execute(FILL, cid, *q)
        await conn.execute("ANALYZE consultation_responses")
        fill = time.perf_counter() - t0
        count = await conn.fetchval(
            "SELECT count(*) FROM consultation_responses WHERE consultation_id = $1", cid
        )
        rid = await conn.fetchval("SELECT max(id) FROM consultation_responses")

        stats_times, pk_times = [], []
        s = None
        for _ in range(rounds):
            t = time.perf_counter()
            s = await conn.fetch(store.STATS, cid, None, None, None)
            stats_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            for _ in range(100):
                await conn.fetchrow("SELECT * FROM consultation_responses WHERE id = $1", rid)
            pk_times.append((time.perf_counter() - t) / 100)
        full = await store.stats(conn, cid)
        assert full.responses == count, (full.responses, count)
        stats_ms = statistics.median(stats_times) * 1000
        pk_ms = statistics.median(pk_times) * 1000
        print(f"filled {count} responses in {fill:.1f}s; stats rows={len(s)}")
        print(
            f"consultations: outcome statistics over {count} responses (pre-grouped pass) {stats_ms:.1f} ms; "
            f"primary-key fetch {pk_ms:.3f} ms; ratio {stats_ms / pk_ms:.0f}x"
        )
    await pool.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--responses", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = ap.parse_args()
    if args.smoke:
        args.responses, args.rounds = 300, 1
    url = os.environ.get("DATABASE_URL")
    if url:
        asyncio.run(run(url, args.responses, args.rounds))
        return
    base = Path(tempfile.mkdtemp(prefix="civic-bench-pg-"))
    server = embedded_db.start(base, cleanup="delete")
    try:
        embedded_db.ensure_database(server, "bench")
        asyncio.run(run(embedded_db.dsn(server, "bench"), args.responses, args.rounds))
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
