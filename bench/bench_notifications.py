"""Notifications: an action is not slowed by its subject's followers, and the fan-out is set-based.

    python bench/bench_notifications.py [--followers 100000] [--rounds 200] [--smoke]

1. The p95 of ideas.actions.answer_idea (an agency's answer, recording idea.answered) on an idea
   with N followers, over its p95 on an idea with none: the goal is <= 1.2x, as the fan-out runs
   in the notifier, never in the request.
2. The notifier's fan-out of one event to N followers (idea.status_changed: in-app rows, digest
   channel), as in-app notifications a second: the goal is >= 20k/s.
3. The same with an immediate mail to each of them (idea.answered): in-app rows plus mail rows
   and their pgqueuer send jobs, queued set-based (civic.mail.actions.queue_many), a second.

Uses DATABASE_URL if set (a scratch database it may write to), otherwise starts an embedded
PostgreSQL in a temporary directory. Prints the ratio and the rate; asserts neither (timings on a
shared machine are for reading, not for failing a build).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch import run_on_scratch_database  # noqa: E402

from civic import db as dbmod  # noqa: E402
from civic import events  # noqa: E402
from civic.accounts.schemas import CurrentUser, Membership  # noqa: E402
from civic.events import Event  # noqa: E402
from civic.ideas import actions as ideas  # noqa: E402
from civic.ideas.schemas import AnswerIn  # noqa: E402
from civic.notifications.consumer import fan_out  # noqa: E402

SETUP = """
WITH agency AS (
    INSERT INTO organisations (slug, kind, name_th, level) VALUES ('bench-agency', 'agency', 'หน่วยงานทดสอบ', 'central')
    RETURNING id
), staff AS (
    INSERT INTO users (email, display_name, password_hash) VALUES ('staff@bench.example', 'เจ้าหน้าที่', 'x') RETURNING id
), member AS (
    INSERT INTO memberships (org_id, user_id, role) SELECT agency.id, staff.id, 'member' FROM agency, staff
), board AS (
    INSERT INTO idea_boards (slug, agency_id, title, support_threshold) SELECT 'bench-board', id, 'กระดานทดสอบ', 1 FROM agency
    RETURNING id, agency_id
)
SELECT board.id AS board_id, board.agency_id, staff.id AS staff_id FROM board, staff
"""
IDEA = """
INSERT INTO ideas (board_id, author_id, title, body, status)
VALUES ($1, $2, $3, 'รายละเอียดของไอเดียสำหรับการทดสอบ', 'published') RETURNING id
"""
FOLLOWERS = """
WITH u AS (
    INSERT INTO users (email, display_name, password_hash)
    SELECT 'follower' || g || '@bench.example', 'f' || g, 'x' FROM generate_series(1, $2) g
    RETURNING id
)
INSERT INTO follows (user_id, target_kind, target_id) SELECT id, 'idea', $1::text FROM u
"""
EVENT = """
SELECT id, occurred_at, kind, actor_id, subject_kind, subject_id, agency_id, province, visibility, payload
FROM events WHERE id = $1
"""


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


async def answer_times(conn, actor: CurrentUser, idea_id: int, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        t = time.perf_counter()
        await ideas.answer_idea(conn, actor, idea_id, AnswerIn(body=f"คำตอบจากหน่วยงาน ฉบับที่ {i + 1}"))
        times.append(time.perf_counter() - t)
    return times


async def fan_out_rate(conn, actor: CurrentUser, idea_id: int, kind: str, payload, followers: int) -> float:
    """Fans one `kind` event about idea_id out to its followers; returns notifications a second."""
    agency_id = actor.memberships[0].org_id
    async with conn.transaction():
        event_id = await events.record(
            conn, kind, payload, subject=("idea", idea_id), actor_id=actor.id, agency_id=agency_id
        )
    event = Event(**dict(await conn.fetchrow(EVENT, event_id)))
    async with conn.transaction():
        t = time.perf_counter()
        told = await fan_out(conn, event)
        seconds = time.perf_counter() - t
    assert told == followers, (told, followers)
    return told / seconds


async def run(dsn: str, followers: int, rounds: int) -> None:
    pool = await dbmod.create_pool(dsn, max_size=2)
    async with pool.acquire() as conn:
        await dbmod.migrate(conn)
        setup = await conn.fetchrow(SETUP)
        actor = CurrentUser(
            id=setup["staff_id"], email="staff@bench.example", display_name="เจ้าหน้าที่", lang="th",
            role="citizen", status="active",
            memberships=(Membership(setup["agency_id"], "member", "agency", True, "bench-agency", "หน่วยงานทดสอบ"),),
        )  # fmt: skip
        lonely = await conn.fetchval(IDEA, setup["board_id"], setup["staff_id"], "ไอเดียที่ไม่มีผู้ติดตาม")
        popular = await conn.fetchval(IDEA, setup["board_id"], setup["staff_id"], "ไอเดียที่มีผู้ติดตามมาก")
        t = time.perf_counter()
        await conn.execute(FOLLOWERS, str(popular), followers)
        await conn.execute("ANALYZE")
        print(f"{followers} followers made in {time.perf_counter() - t:.1f}s")

        # 1. The action's latency does not depend on the followers (both ideas warmed up first).
        await answer_times(conn, actor, lonely, 5)
        await answer_times(conn, actor, popular, 5)
        none_p95 = p95(await answer_times(conn, actor, lonely, rounds)) * 1000
        many_p95 = p95(await answer_times(conn, actor, popular, rounds)) * 1000
        print(
            f"notifications: answer_idea p95 with {followers} followers {many_p95:.2f} ms, with none "
            f"{none_p95:.2f} ms; ratio {many_p95 / none_p95:.2f}x (goal <= 1.2x)"
        )

        # 2. One event to every follower, set-based; 3. the same with an immediate mail each.
        agency_id = setup["agency_id"]
        status = events.IdeaStatusChanged("published", "under_review", "", None, agency_id)
        rate = await fan_out_rate(conn, actor, popular, "idea.status_changed", status, followers)
        print(
            f"notifications: fan-out of one event to {followers} followers: "
            f"{rate:,.0f} in-app notifications/s (goal >= 20,000/s)"
        )
        answered = events.IdeaAnswered(agency_id, False)
        rate = await fan_out_rate(conn, actor, popular, "idea.answered", answered, followers)
        mails = await conn.fetchval("SELECT count(*) FROM mail_messages")
        jobs = await conn.fetchval("SELECT count(*) FROM pgqueuer WHERE entrypoint = 'mail.send'")
        assert mails == jobs == followers, (mails, jobs, followers)
        print(
            f"notifications: fan-out of one event to {followers} followers with an immediate mail each: "
            f"{rate:,.0f} notifications (in-app row + mail row + send job)/s"
        )
    await pool.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--followers", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--smoke", action="store_true", help="a tiny run that only checks the bench works")
    args = ap.parse_args()
    if args.smoke:
        args.followers, args.rounds = 300, 5
    run_on_scratch_database(run, args.followers, args.rounds)


if __name__ == "__main__":
    main()
