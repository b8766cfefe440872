"""Handover store against real PostgreSQL: verbs, constraints, the 20-way race, scheduled jobs."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import msgspec
import pytest

from civic.accounts.store import user_by_id
from civic.db import _init_connection
from civic.handovers import actions, rules, store
from civic.handovers.schemas import TaskIn
from civic.handovers.store import Actor
from civic.orgs import store as orgs
from tests.helpers import index_events, make_agency, make_partner, make_task, make_user, rows_read
from tests.integration.handover_data import task_raw
from tests.integration.race import Gate, Overlap, race


def task_fields(**over) -> dict:
    today = date.today()
    milestones = [
        {"title": "อบรมครั้งที่ 1", "due": (today + timedelta(days=20)).isoformat(), "share": "40"},
        {"title": "อบรมครั้งที่ 2", "due": (today + timedelta(days=40)).isoformat(), "share": "60"},
    ]
    raw = task_raw(milestones=milestones) | over
    clean, errors = rules.validate_task(raw)
    assert not errors, errors
    return clean


@pytest.fixture
async def world(conn):
    agency = await make_agency(conn, "kkn-pao", level="local", province="KKN")
    other_agency = await make_agency(conn, "hdy-city", level="local", province="SKA")
    staff = await make_user(conn, "staff@kkn.example")
    await orgs.add_member(conn, agency, staff)
    partner = await make_partner(conn, "rak-nam")
    member = await make_user(conn, "nok@raknam.example")
    await orgs.add_member(conn, partner, member)
    pending = await make_partner(conn, "newbies", verification="pending")
    return {
        "agency": agency,
        "other_agency": other_agency,
        "staff": Actor(staff, agency, "agency"),
        "partner": partner,
        "member": Actor(member, partner, "partner"),
        "pending": pending,
    }


async def _open_task(conn, world, **over) -> int:
    return await store.create_task(
        conn, task_fields(**over), agency_id=world["agency"], actor=world["staff"], publish=True
    )


async def test_full_lifecycle_writes_every_step_on_the_timeline(conn, world):
    task_id = await _open_task(conn, world)
    await store.claim_task(
        conn, task_id, partner_id=world["partner"], plan="แผนงานอบรมสามครั้งในสามตำบล" * 2, team="นก และทีม 5 คน",
        actor=world["member"],
    )  # fmt: skip
    await store.confirm_claim(conn, task_id, world["staff"])
    task = await store.get_task(conn, task_id)
    assert task.status == "in_progress" and task.claim.status == "confirmed"
    m1 = task.milestones[0].id
    await store.post_update(
        conn, task_id, milestone_id=m1, partner_ids={world["partner"]}, body="อบรมแล้ว 45 คน", percent=100,
        links=["https://example.org/photos"], files=[], actor=world["member"],
    )  # fmt: skip
    await store.review_milestone(
        conn, task_id, milestone_id=m1, verdict="met", comment="ครบถ้วน", actor=world["staff"]
    )
    await store.request_completion(
        conn, task_id, partner_ids={world["partner"]}, note="", actor=world["member"]
    )
    await store.reject_completion(conn, task_id, "ยังขาดรายงานสรุป", world["staff"])
    await store.request_completion(
        conn, task_id, partner_ids={world["partner"]}, note="", actor=world["member"]
    )
    await store.sign_off(conn, task_id, "ทำงานได้ดีมาก", world["staff"])
    task = await store.get_task(conn, task_id)
    assert task.status == "completed" and task.signed_off_at is not None
    actions = [e.action for e in await store.timeline(conn, task_id)]
    assert actions == [
        "create", "publish", "claim", "confirm", "update", "review_met", "request_completion", "reject",
        "request_completion", "sign_off",
    ]  # fmt: skip
    assert task.milestones[0].status == "met"
    record = await store.track_record(conn, "rak-nam")
    assert (record.completed, record.on_time) == (1, 1)
    assert record.signoffs[0]["comment"] == "ทำงานได้ดีมาก"


async def test_negative_budget_and_deadline_refused_by_database_too(conn, world):
    clean = task_fields()
    clean["budget"] = -1
    with pytest.raises(asyncpg.CheckViolationError):
        await store.create_task(conn, clean, agency_id=world["agency"], actor=world["staff"])
    clean = task_fields()
    clean["deadline"] = clean["claim_closes"]
    with pytest.raises(asyncpg.CheckViolationError):
        await store.create_task(conn, clean, agency_id=world["agency"], actor=world["staff"])
    assert await conn.fetchval("SELECT count(*) FROM handover_tasks") == 0


async def test_database_refuses_a_second_live_claim(conn, world):
    task_id = await _open_task(conn, world)
    await conn.execute(
        "INSERT INTO handover_claims (task_id, partner_id, plan, team) VALUES ($1, $2, 'p', 't')",
        task_id,
        world["partner"],
    )
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute(
            "INSERT INTO handover_claims (task_id, partner_id, plan, team) VALUES ($1, $2, 'p', 't')",
            task_id,
            world["pending"],
        )


async def test_completed_without_signoff_is_refused_by_database(conn, world):
    task_id = await _open_task(conn, world)
    with pytest.raises(asyncpg.CheckViolationError):
        await conn.execute("UPDATE handover_tasks SET status = 'completed' WHERE id = $1", task_id)


async def test_twenty_partners_race_on_separate_connections(conn, world, db_url):
    task_id = await _open_task(conn, world)
    actors = []
    for i in range(20):
        pid = await make_partner(conn, f"racer-{i:02d}")
        uid = await make_user(conn, f"racer{i}@example.org")
        await orgs.add_member(conn, pid, uid)
        actors.append(Actor(uid, pid, "partner"))
    conns = [await asyncpg.connect(db_url) for _ in range(20)]
    for c in conns:  # as the app's pool sets them up (jsonb codec)
        await _init_connection(c)

    async def attempt(c, actor):
        try:
            await store.claim_task(
                c, task_id, partner_id=actor.org_id, plan="x" * 30, team="team", actor=actor
            )
            return "won"
        except store.AlreadyClaimed:
            return "409"

    # All 20 claims wait inside PostgreSQL at their first statement (the task row lock), then go
    # at once: race() fails unless the database really had the 20 of them in flight together.
    observed: list[Overlap] = []
    try:
        results = await race(
            [lambda c=c, a=a: attempt(c, a) for c, a in zip(conns, actors, strict=True)],
            gate=Gate(db_url, ["handover_tasks"], expect=20),
            observed=observed,
        )
    finally:
        for c in conns:
            await c.close()
    assert observed[0].queued == 20
    assert results.count("won") == 1 and results.count("409") == 19
    assert await conn.fetchval("SELECT count(*) FROM handover_claims WHERE task_id = $1", task_id) == 1
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM handover_events WHERE task_id = $1 AND action = 'claim'", task_id
        )
        == 1
    )


async def test_claim_on_cancelled_task_and_unverified_partner(conn, world):
    task_id = await _open_task(conn, world)
    pending_user = await make_user(conn, "pending@example.org")
    with pytest.raises(store.NotHolder):
        await store.claim_task(conn, task_id, partner_id=world["pending"], plan="x" * 30, team="t" * 3,
                               actor=Actor(pending_user, world["pending"], "partner"))  # fmt: skip
    await store.cancel_task(conn, task_id, "งบประมาณถูกตัด", world["staff"])
    with pytest.raises(store.WrongState):
        await store.claim_task(conn, task_id, partner_id=world["partner"], plan="x" * 30, team="ttt",
                               actor=world["member"])  # fmt: skip
    assert await conn.fetchval("SELECT count(*) FROM handover_claims") == 0
    task = await store.get_task(conn, task_id)
    assert task.cancel_reason == "งบประมาณถูกตัด"


async def test_expire_stale_claims_reopens_task(conn, world):
    task_id = await _open_task(conn, world)
    await store.claim_task(
        conn, task_id, partner_id=world["partner"], plan="x" * 30, team="ttt", actor=world["member"]
    )
    assert await actions.expire_stale_claims(conn) == 0
    await conn.execute(
        "UPDATE handover_claims SET created_at = now() - interval '8 days' WHERE task_id = $1", task_id
    )
    assert await actions.expire_stale_claims(conn) == 1
    task = await store.get_task(conn, task_id)
    assert task.status == "open" and task.claim is None
    claims = await store.list_claims(conn, task_id)
    assert claims[0].status == "expired"
    # A system reason is a code (translated when shown), never English text in the database.
    assert (claims[0].reason, claims[0].reason_code) == ("", "not_confirmed_in_time")
    payload = await conn.fetchval("SELECT payload FROM events WHERE kind = 'handover.claim_expired'")
    assert payload["reason_code"] == "not_confirmed_in_time" and payload["reason"] == ""
    events = await store.timeline(conn, task_id)
    assert events[-1].action == "expire_claim" and events[-1].actor_role == "system"
    overdue = await store.overdue(conn, agency="kkn-pao")
    assert [o.kind for o in overdue] == ["claim_unconfirmed"]
    assert await actions.expire_stale_claims(conn) == 0


async def test_expire_tasks_when_window_closed_unclaimed(conn, world):
    task_id = await _open_task(conn, world)
    other = await _open_task(conn, world)
    await conn.execute(
        "UPDATE handover_tasks SET claim_opens = claim_opens - 30, claim_closes = current_date - 2 WHERE id = $1",
        task_id,
    )
    assert await actions.expire_tasks(conn) == 1
    assert (await store.get_task(conn, task_id)).status == "expired"
    assert (await store.get_task(conn, other)).status == "open"


async def test_search_documents_and_outbox(conn, world):
    draft = await store.create_task(conn, task_fields(), agency_id=world["agency"], actor=world["staff"])
    # Published through the action: its events are what queue the document (civic.search.consumer).
    staff = await user_by_id(conn, world["staff"].user_id)
    due = (date.today() + timedelta(days=20)).isoformat()
    raw = task_raw(title="เยี่ยมบ้านผู้สูงอายุติดเตียง", milestones=[{"title": "เยี่ยมบ้าน", "due": due}])
    published = msgspec.convert(raw | {"publish": True}, TaskIn)
    live = (await actions.post_task(conn, staff, published)).task_id
    docs = await store.search_documents(conn, [draft, live])
    assert [d["id"] for d in docs] == [live]
    doc = docs[0]
    assert doc["kind"] == "handover" and doc["url"] == f"/handovers/{live}" and doc["agency"] == "kkn-pao"
    assert doc["status"] == "open" and doc["province"] == "KKN" and "น้ำพอง" in doc["body"]
    await index_events(conn)
    queued = await conn.fetchval(
        "SELECT count(*) FROM search_outbox WHERE kind = 'handover' AND entity_id = $1", live
    )
    assert queued >= 1


async def test_overdue_milestone_and_unreviewed_completion(conn, world):
    task_id = await _open_task(conn, world)
    await store.claim_task(
        conn, task_id, partner_id=world["partner"], plan="x" * 30, team="ttt", actor=world["member"]
    )
    await store.confirm_claim(conn, task_id, world["staff"])
    await conn.execute(
        "UPDATE handover_milestones SET due = current_date - 3 WHERE task_id = $1 AND position = 1", task_id
    )
    items = await store.overdue(conn, partner="rak-nam")
    assert [i.kind for i in items] == ["milestone_overdue"] and items[0].days_late >= 2
    await store.request_completion(
        conn, task_id, partner_ids={world["partner"]}, note="", actor=world["member"]
    )
    await conn.execute(
        "UPDATE handover_tasks SET completion_requested_at = now() - interval '20 days' WHERE id = $1",
        task_id,
    )
    kinds = sorted(i.kind for i in await store.overdue(conn, agency="kkn-pao"))
    assert kinds == ["completion_unreviewed", "milestone_overdue"]


async def test_scheduler_round_runs_under_advisory_lock(conn, world, pool):
    from civic import jobs

    task_id = await _open_task(conn, world)
    await store.claim_task(
        conn, task_id, partner_id=world["partner"], plan="x" * 30, team="ttt", actor=world["member"]
    )
    await conn.execute(
        "UPDATE handover_claims SET created_at = now() - interval '30 days' WHERE task_id = $1", task_id
    )
    # The sweeps as civic/registry.py lists them: the actions, not a copy of them.
    from civic.registry import JOBS

    by_name = {job.name: job for job in JOBS}
    sweeps = [by_name["handovers.expire_stale_claims"], by_name["handovers.expire_tasks"]]
    assert [job.fn for job in sweeps] == [actions.expire_stale_claims, actions.expire_tasks]
    async with pool.acquire() as other:
        async with other.transaction():
            await other.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", jobs.LOCK_NAMESPACE, sweeps[0].name
            )
            assert await jobs.run_due(pool, sweeps[:1]) == {}  # another process holds the round
    assert await jobs.run_due(pool, sweeps) == {
        "handovers.expire_stale_claims": 1,
        "handovers.expire_tasks": 0,
    }
    assert (await store.get_task(conn, task_id)).status == "open"


async def test_demo_seeds_every_state_and_is_idempotent(conn):
    from civic import demo

    report = await demo.seed(conn)
    assert "handovers" in report
    states = {r["status"] for r in await conn.fetch("SELECT status FROM handover_tasks")}
    assert states == set(rules.STATUSES)
    levels = {r["level"] for r in await conn.fetch(
        "SELECT DISTINCT o.level FROM handover_tasks t JOIN organisations o ON o.id = t.agency_id")}  # fmt: skip
    assert levels == {"central", "regional", "local"}
    n = await conn.fetchval("SELECT count(*) FROM handover_tasks")
    await demo.seed(conn)
    assert await conn.fetchval("SELECT count(*) FROM handover_tasks") == n
    record = await store.track_record(conn, "rak-nam-foundation")
    assert record.completed == 1 and record.signoffs
    given_back = await conn.fetchrow(
        "SELECT t.status, c.reason FROM handover_claims c JOIN handover_tasks t ON t.id = c.task_id "
        "WHERE c.status = 'withdrawn'"
    )
    assert given_back["status"] == "open" and "ขอคืนงาน" in given_back["reason"]


MIGRATION_0042 = Path(__file__).resolve().parents[2] / "migrations" / "0042_add_claim_reason_code.sql"


async def test_migration_0042_turns_old_english_expiry_reasons_into_codes(conn, world):
    task_id = await _open_task(conn, world)
    old = await conn.fetchval(
        "INSERT INTO handover_claims (task_id, partner_id, plan, team, status, reason, ended_at) "
        "VALUES ($1, $2, 'p', 't', 'expired', 'not confirmed within 7 days', now()) RETURNING id",
        task_id,
        world["partner"],
    )
    typed = await conn.fetchval(
        "INSERT INTO handover_claims (task_id, partner_id, plan, team, status, reason, ended_at) "
        "VALUES ($1, $2, 'p', 't', 'released', 'ทีมไม่พร้อม', now()) RETURNING id",
        task_id,
        world["partner"],
    )
    sql = MIGRATION_0042.read_text()  # noqa: ASYNC240 - a small file, read once
    await conn.execute(sql[sql.index("UPDATE") :])  # the backfill half, on rows written the old way
    rows = {r["id"]: (r["reason"], r["reason_code"]) for r in await conn.fetch(
        "SELECT id, reason, reason_code FROM handover_claims")}  # fmt: skip
    assert rows[old] == ("", "not_confirmed_in_time")
    assert rows[typed] == ("ทีมไม่พร้อม", "")


async def test_the_unfiltered_board_reads_what_the_filtered_query_reads(conn):
    """The board with no filter is written out (store.unfiltered_list_query); the general query,
    reached here through a viewer whose agency owns nothing, must give the same page and total."""
    from civic import demo

    await demo.seed(conn)
    for status in (None, *rules.PUBLIC_STATUSES):
        for order in store.ORDERS:
            for page in (1, 2):
                written = await store.list_tasks(conn, status=status, order=order, per_page=2, page=page)
                general = await store.list_tasks(
                    conn, status=status, order=order, per_page=2, page=page, viewer_agencies=[-1]
                )
                assert written == general, (status, order, page)
                # The page after, from where this one ends: the same either way.
                after = {"status": status, "order": order, "per_page": 2, "page": page + 1, "at": written.at(page + 1)}
                assert await store.list_tasks(conn, **after) == await store.list_tasks(
                    conn, **after, viewer_agencies=[-1]
                ), (status, order, page)
    board = await store.list_tasks(conn, per_page=100)
    assert board.total == len(board.items)
    assert board.total == await conn.fetchval("SELECT count(*) FROM handover_tasks WHERE status <> 'draft'")


async def test_the_kept_counts_follow_every_insert_change_and_delete(conn):
    """migration 0194: the counts by status equal a count of the tasks after each kind of write."""
    from civic import demo

    async def assert_counts_hold():
        kept = {r["status"]: r["tasks"] for r in await conn.fetch("SELECT * FROM handover_task_counts WHERE tasks <> 0")}
        counted = {r["status"]: r["n"] for r in await conn.fetch(
            "SELECT status, count(*) AS n FROM handover_tasks GROUP BY status")}  # fmt: skip
        assert kept == counted

    await demo.seed(conn)
    await assert_counts_hold()
    open_ids = await conn.fetch("SELECT id FROM handover_tasks WHERE status = 'open' ORDER BY id LIMIT 2")
    assert len(open_ids) == 2
    await conn.execute(
        "UPDATE handover_tasks SET status = 'cancelled', cancel_reason = 'ยกเลิก' WHERE id = ANY($1::bigint[])",
        [r["id"] for r in open_ids],
    )
    await conn.execute("UPDATE handover_tasks SET title = title || ' ' WHERE status = 'open'")  # no status change
    await assert_counts_hold()
    columns = ", ".join(r["column_name"] for r in await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'handover_tasks' AND column_name <> 'id'"))  # fmt: skip
    copied = await conn.fetchval(  # every task again, in one statement
        f"WITH c AS (INSERT INTO handover_tasks ({columns}) SELECT {columns} FROM handover_tasks RETURNING id) "
        "SELECT count(*) FROM c"
    )
    assert copied > 2
    await assert_counts_hold()
    await conn.execute("DELETE FROM handover_tasks WHERE id = ANY($1::bigint[])", [r["id"] for r in open_ids])
    await assert_counts_hold()
    total = (await store.list_tasks(conn, status="open", per_page=1)).total
    assert total == await conn.fetchval("SELECT count(*) FROM handover_tasks WHERE status = 'open'")


async def test_an_unfiltered_page_near_the_start_brings_its_total_in_the_same_statement(conn):
    from civic import demo

    await demo.seed(conn)
    await store.list_tasks(conn)  # warm up: type introspection on first use
    public = await conn.fetchval("SELECT count(*) FROM handover_tasks WHERE status <> 'draft'")
    seen = []
    conn.add_query_logger(seen.append)  # called soon after each query, so let the loop run

    async def read(**kw) -> tuple[int, store.TaskPage]:
        await asyncio.sleep(0.05)
        seen.clear()
        page = await store.list_tasks(conn, **kw)
        await asyncio.sleep(0.05)
        return len(seen), page

    try:
        statements, first = await read(per_page=2)
        assert (statements, len(first.items), first.total) == (1, 2, public)
        statements, second = await read(per_page=2, page=2, status="open")
        assert (statements, second.page) == (1, 2)
        assert second.total == await conn.fetchval("SELECT count(*) FROM handover_tasks WHERE status = 'open'")
        # past the end (one page holds them all): nothing, then the total, then the last page
        statements, past = await read(per_page=100, page=2)
        assert (statements, past.page, past.pages, len(past.items)) == (3, 1, 1, public)
        # a filtered board counts first, as ever
        statements, _ = await read(per_page=2, province="SKA")
        assert statements == 2
    finally:
        conn.remove_query_logger(seen.append)


async def test_the_agency_filter_offers_the_agencies_that_have_posted_a_task(conn):
    kkn = await make_agency(conn, "kkn-city")
    drafts = await make_agency(conn, "drafts-only")
    await make_agency(conn, "no-tasks")
    await conn.execute("""
        INSERT INTO organisations (slug, kind, name_th, level)
        SELECT 'agency-' || g, 'agency', 'หน่วยงาน ' || g, 'local' FROM generate_series(1, 300) g""")
    for _ in range(100):
        await make_task(conn, kkn)
    await make_task(conn, drafts, status="draft")
    await conn.execute("UPDATE organisations SET name_en = 'Khon Kaen City' WHERE id = $1", kkn)
    await conn.execute("ANALYZE handover_tasks, organisations")
    assert dict(await store.agencies(conn, "en")) == {"kkn-city": "Khon Kaen City", "drafts-only": "หน่วยงาน drafts-only"}
    [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + store.POSTING_AGENCIES, "th")
    # one index entry per agency found (and one step past the last), not the 101 tasks; and those
    # agencies, not the 303 in the directory
    assert rows_read(plan["Plan"], "handover_tasks") <= 3
    assert rows_read(plan["Plan"], "organisations") == 2


async def test_open_to_my_organisation_is_what_one_of_them_may_claim(conn):
    """Every combination of what a task asks (verified or not, partner types or any) against every
    set of organisations a person may belong to, checked against the rule written out in Python."""
    agency = await make_agency(conn, "agency")
    orgs = {
        "verified-ngo": (await make_partner(conn, "verified-ngo", partner_type="ngo"), True, "ngo"),
        "pending-foundation": (
            await make_partner(conn, "pending-foundation", verification="pending", partner_type="foundation"),
            False,
            "foundation",
        ),
        "verified-community": (
            await make_partner(conn, "verified-community", partner_type="community"),
            True,
            "community",
        ),
    }
    asks = {}
    for verified_only in (True, False):
        for types in ([], ["ngo"], ["foundation"], ["foundation", "company"], ["company"]):
            task = await make_task(conn, agency, title=f"งาน {verified_only} {types}")
            await conn.execute(
                "UPDATE handover_tasks SET verified_only = $2, partner_types = $3 WHERE id = $1",
                task, verified_only, types,
            )  # fmt: skip
            asks[task] = (verified_only, types)
    closed = await make_task(conn, agency, status="claimed")
    for members in (["verified-ngo"], ["pending-foundation"], ["pending-foundation", "verified-community"], []):
        ids = [orgs[m][0] for m in members] or [-1]
        page = await store.list_tasks(conn, open_to=sorted(ids), per_page=50)
        expected = {
            task
            for task, (verified_only, types) in asks.items()
            if any((verified or not verified_only) and (not types or kind in types)
                   for m in members for _, verified, kind in [orgs[m]])
        }  # fmt: skip
        assert {t.id for t in page.items} == expected and page.total == len(expected), members
        assert closed not in expected
    assert len(expected) == 0 and any(asks)
