"""Open data: regenerating every dataset costs a bounded multiple of reading its biggest tables.

    python bench/bench_opendata.py [--ideas 100000] [--supports 1000000] [--smoke]

Seeds N published ideas (some with an answer and a comment) and M supports spread over a year,
then, in the same run, times (a) reading the ideas and idea_supports tables once with COPY (to
nowhere: the floor of any export of them) and (b) a whole regeneration (civic.opendata.actions:
every dataset as CSV and JSON, redaction, files written and recorded). Goal: (b) <= 60x (a).

Uses DATABASE_URL if set (a scratch database it may write to), otherwise starts an embedded
PostgreSQL in a temporary directory. Prints the times and the ratio; asserts no timing (timings
on a shared machine are for reading, not for failing a build).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch import run_on_scratch_database  # noqa: E402

from civic import db as dbmod  # noqa: E402
from civic.accounts.schemas import CurrentUser  # noqa: E402
from civic.opendata import actions  # noqa: E402
from civic.settings import load_settings  # noqa: E402

SETUP = """
WITH agency AS (
    INSERT INTO organisations (slug, kind, name_th, level) VALUES ('bench-agency', 'agency', 'หน่วยงานทดสอบ', 'central')
    RETURNING id
), admin AS (
    INSERT INTO users (email, display_name, password_hash, role) VALUES ('admin@bench.example', 'ผู้ดูแล', 'x', 'admin')
    RETURNING id
), board AS (
    INSERT INTO idea_boards (slug, agency_id, title) SELECT 'bench-board', id, 'กระดานทดสอบ' FROM agency RETURNING id
)
SELECT board.id AS board_id, agency.id AS agency_id, admin.id AS admin_id FROM board, agency, admin
"""
# Supporters: each supports every idea once, so M supports need M / N of them.
USERS = """
INSERT INTO users (email, display_name, password_hash)
SELECT 'u' || g || '@bench.example', 'ผู้ใช้ ' || g, 'x' FROM generate_series(1, $1) g
"""
IDEAS = """
INSERT INTO ideas (board_id, author_id, title, body, category, province, status, status_reason, created_at)
SELECT $1, $2, 'ข้อเสนอที่ ' || g, 'รายละเอียดของข้อเสนอที่ ' || g || ' เพื่อปรับปรุงบริการสาธารณะในชุมชน ติดต่อ 081-234-5678',
       'transport', (ARRAY['BKK','CMI','KKN','PKT'])[1 + g % 4],
       (ARRAY['published','under_review','accepted','declined'])[1 + g % 4],
       CASE WHEN g % 4 = 3 THEN 'ไม่อยู่ในอำนาจหน้าที่' ELSE '' END,
       now() - make_interval(days => (g % 365)::int)
FROM generate_series(1, $3) g
"""
ANSWERS = """
INSERT INTO idea_answers (idea_id, org_id, author_id, body)
SELECT id, $1, $2, 'หน่วยงานรับไว้พิจารณาแล้ว' FROM ideas WHERE id % 10 = 0
"""
COMMENTS = """
INSERT INTO idea_comments (idea_id, author_id, body) SELECT id, $1, 'เห็นด้วยกับข้อเสนอนี้' FROM ideas WHERE id % 5 = 0
"""
SUPPORTS = """
INSERT INTO idea_supports (idea_id, user_id, created_at)
SELECT i.id, u.id, i.created_at + make_interval(hours => ((i.id + u.id) % 2000)::int)
FROM ideas i CROSS JOIN (SELECT id FROM users WHERE email LIKE 'u%@bench.example' ORDER BY id LIMIT $1) u
WHERE i.id <= $2
"""
COUNTS = "UPDATE ideas i SET support_count = s.n FROM (SELECT idea_id, count(*) n FROM idea_supports GROUP BY 1) s WHERE s.idea_id = i.id"


async def copy_seconds(conn, tables: tuple[str, ...]) -> float:
    """Each table read once with COPY, its bytes thrown away: the floor of exporting it."""

    async def discard(_chunk: bytes) -> None:
        return None

    t = time.perf_counter()
    for table in tables:
        await conn.copy_from_table(table, output=discard, format="csv")
    return time.perf_counter() - t


async def run(dsn: str, ideas: int, supports: int) -> None:
    pool = await dbmod.create_pool(dsn, max_size=2)
    data_dir = Path(tempfile.mkdtemp(prefix="civic-bench-opendata-"))
    try:
        async with pool.acquire() as conn:
            await dbmod.migrate(conn)
            t = time.perf_counter()
            setup = await conn.fetchrow(SETUP)
            per_idea = max(1, supports // ideas)
            await conn.execute(USERS, per_idea)
            await conn.execute(IDEAS, setup["board_id"], setup["admin_id"], ideas)
            await conn.execute(ANSWERS, setup["agency_id"], setup["admin_id"])
            await conn.execute(COMMENTS, setup["admin_id"])
            await conn.execute(SUPPORTS, per_idea, supports // per_idea)
            await conn.execute(COUNTS)
            await conn.execute("VACUUM ANALYZE")
            made = await conn.fetchval("SELECT count(*) FROM idea_supports")
            print(f"opendata: {ideas} ideas and {made} supports made in {time.perf_counter() - t:.1f}s")

            settings = load_settings(
                {"SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "DATABASE_URL": dsn,
                 "CIVIC_DATA_DIR": str(data_dir)}
            )  # fmt: skip
            admin = CurrentUser(
                id=setup["admin_id"], email="admin@bench.example", display_name="ผู้ดูแล", lang="th",
                role="admin", status="active",
            )  # fmt: skip
            await copy_seconds(conn, ("ideas", "idea_supports"))  # warm the cache for both sides alike
            floor = await copy_seconds(conn, ("ideas", "idea_supports"))
            t = time.perf_counter()
            out = await actions.regenerate(conn, admin, settings)
            regen = time.perf_counter() - t
            assert out.run.ok, out.run.error
            size = sum(p.stat().st_size for p in actions.root(settings).rglob("*") if p.is_file())
            print(
                f"opendata: COPY of ideas + idea_supports {floor:.2f}s; regenerating all datasets "
                f"({out.files} files, {size / 1e6:.1f} MB) {regen:.2f}s; ratio {regen / floor:.1f}x (goal <= 60x)"
            )
    finally:
        await pool.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ideas", type=int, default=100_000)
    ap.add_argument("--supports", type=int, default=1_000_000)
    ap.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = ap.parse_args()
    if args.smoke:
        args.ideas, args.supports = 500, 5_000
    run_on_scratch_database(run, args.ideas, args.supports)


if __name__ == "__main__":
    main()
