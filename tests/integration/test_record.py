"""The public record, on a real PostgreSQL: an official act appends its entry in its own
transaction (a rolled-back act leaves none), the table refuses UPDATE, DELETE and TRUNCATE,
concurrent acts make one gapless valid chain, and tampering done as a superuser would do it
(triggers switched off) is found and named by `python -m civic record verify`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest

from civic import demo, events
from civic.accounts.store import user_by_id
from civic.ideas import actions as ideas
from civic.ideas import store as ideas_store
from civic.ideas.schemas import ModerationIn
from civic.record import actions, rules
from civic.record import store as record_store
from civic.record.schemas import Entry
from civic.settings import PROJECT_ROOT
from tests.helpers import login, send_json
from tests.integration.race import Gate, race
from tests.integration.test_ideas import _idea, _world

ENTRY = "seq, at, agency_id, actor_role, actor_name, act, subject_kind, subject_id, payload, prev_hash, hash"


async def entries(conn) -> list[Entry]:
    return [Entry(**dict(r)) for r in await conn.fetch(f"SELECT {ENTRY} FROM record_entries ORDER BY seq")]


async def answered(client, conn) -> tuple[dict, int]:
    """A world with an idea answered by the owner agency's staff through the API."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await login(client, "staff@owner.example")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/answer", {"body": "เทศบาลจะติดตั้งภายในเดือนหน้า"})
    assert r.status_code == 200, r.text
    return world, idea_id


async def test_an_answer_appends_its_entry_with_the_right_fields(client, conn):
    world, idea_id = await answered(client, conn)
    chain = await entries(conn)
    # The world's board and idea were made by the stores directly; the answer is the one act.
    assert [e.act for e in chain] == ["idea.answered"]
    entry = chain[-1]
    assert (entry.seq, entry.agency_id, entry.subject_kind, entry.subject_id) == (1, world["owner"], "idea", idea_id)
    assert entry.actor_role == "agency_member" and entry.actor_name is None  # staff act as their agency
    assert entry.payload == {"org_id": world["owner"], "revised": False}
    assert entry.prev_hash == rules.GENESIS and entry.hash == rules.entry_hash(entry)
    event = await conn.fetchrow("SELECT id, occurred_at FROM events WHERE kind = 'idea.answered'")
    assert entry.at == event["occurred_at"]
    assert await conn.fetchval("SELECT event_id FROM record_entries WHERE seq = 1") == event["id"]
    assert await conn.fetchrow("SELECT seq, hash FROM record_head") == (1, entry.hash)
    assert (await actions.verify(conn)).ok


async def test_a_moderators_act_names_their_role_only_and_a_clock_started_in_sql_is_recorded(client, conn):
    world = await _world(conn, threshold=1)
    idea_id = await _idea(conn, world)
    await login(client, "citizen2@example.com")
    assert (await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")).status_code == 200
    moderator = await user_by_id(conn, world["users"]["mod@example.com"])
    await ideas.hide(conn, moderator, ModerationIn(subject_kind="idea", subject_id=idea_id, reason="สแปม"))
    chain = await entries(conn)
    assert [e.act for e in chain] == ["idea.threshold_reached", "content.hidden"]
    clock, hidden = chain
    assert clock.actor_role == "system" and clock.payload["support_count"] == 1
    # A role, never a name: the moderator may erase their account, and the entry can never change.
    assert (hidden.actor_role, hidden.actor_name, hidden.payload) == (
        "moderator", None, {"idea_id": idea_id, "reason": "สแปม"}
    )
    assert (await actions.verify(conn)).ok
    await conn.execute("UPDATE users SET display_name = 'ผู้ดูแล สมชาย' WHERE id = $1", moderator.id)
    moderator = await user_by_id(conn, moderator.id)
    await ideas.restore(conn, moderator, ModerationIn(subject_kind="idea", subject_id=idea_id, reason="ผิดพลาด"))
    page = (await client.get("/record")).text
    assert "สมชาย" not in page
    assert not await conn.fetchval("SELECT count(*) FROM record_entries WHERE actor_name IS NOT NULL")
    assert (await actions.verify(conn)).ok


async def test_a_clock_started_by_sql_outside_any_action_is_recorded_at_once(conn):
    """Imports, benches and seeds that support through the store (no action, no transaction of
    their own) still get the threshold's entry in the support's transaction, not from the job."""
    world = await _world(conn, threshold=2)
    idea_id = await _idea(conn, world)
    await ideas_store.support_idea(conn, idea_id, world["users"]["citizen2@example.com"])
    assert await entries(conn) == []
    await ideas_store.support_idea(conn, idea_id, world["users"]["citizen3@example.com"])
    [clock] = await entries(conn)
    assert (clock.act, clock.subject_id, clock.payload["support_count"]) == ("idea.threshold_reached", idea_id, 2)
    assert not await record_store.unrecorded(conn, sorted(events.OFFICIAL_KINDS), here_only=False)
    assert (await actions.verify(conn)).ok


async def test_the_demo_seed_leaves_no_official_act_for_the_hourly_job(conn):
    """Every official event the seed writes (clocks started by supports in SQL included) has its
    entry when the seed commits: the record's hourly catch-up finds nothing to append."""
    await demo.seed(conn, secret_key="test-secret-key-that-is-long-enough-0123456789")
    assert await conn.fetchval("SELECT count(*) FROM events WHERE kind = 'idea.threshold_reached'")
    assert not await record_store.unrecorded(conn, sorted(events.OFFICIAL_KINDS), here_only=False)
    assert (await actions.verify(conn)).ok


async def test_a_rolled_back_act_leaves_no_entry_and_no_gap(conn):
    before = await conn.fetchrow("SELECT seq, hash FROM record_head")
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await events.record(conn, "idea.answered", events.IdeaAnswered(org_id=1, revised=False),
                                subject=("idea", 1), actor_id=None)  # fmt: skip
            assert await conn.fetchval("SELECT count(*) FROM record_entries") == before["seq"] + 1
            raise RuntimeError("the act failed after its event")
    assert await conn.fetchrow("SELECT seq, hash FROM record_head") == before
    assert await conn.fetchval("SELECT count(*) FROM record_entries") == before["seq"]
    async with conn.transaction():
        await events.record(conn, "idea.answered", events.IdeaAnswered(org_id=1, revised=True),
                            subject=("idea", 1), actor_id=None)  # fmt: skip
    assert [e.seq for e in await entries(conn)] == list(range(1, before["seq"] + 2))


async def test_the_table_refuses_update_delete_and_truncate(client, conn):
    await answered(client, conn)
    for sql in (
        "UPDATE record_entries SET payload = '{}' WHERE seq = 1",
        "DELETE FROM record_entries WHERE seq = 1",
        "TRUNCATE record_entries",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(sql)
    # An insert must extend the chain.
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        await conn.execute(
            "INSERT INTO record_entries (seq, at, actor_role, act, subject_kind, subject_id, payload, prev_hash, hash)"
            " VALUES (9, now(), 'system', 'idea.answered', 'idea', 1, '{}', repeat('0', 64), repeat('0', 64))"
        )
    assert len(await entries(conn)) == 1 and (await actions.verify(conn)).ok


async def test_concurrent_acts_make_one_gapless_valid_chain(pool, db_url, conn):
    n = 8

    def act(i: int):
        async def attempt():
            async with pool.acquire() as c, c.transaction():
                await events.record(c, "idea.answered", events.IdeaAnswered(org_id=i, revised=False),
                                    subject=("idea", i), actor_id=None)  # fmt: skip
        return attempt

    # Every attempt's first statement inserts its event: the gate holds `events` until all wait.
    await race([act(i) for i in range(n)], gate=Gate(db_url, ["events"], expect=n))
    chain = await entries(conn)
    assert [e.seq for e in chain] == list(range(1, n + 1))
    assert sorted(e.subject_id for e in chain) == list(range(n))
    assert rules.verify(chain, (n, chain[-1].hash)) is None


async def record_answer(c, idea_id: int) -> None:
    await events.record(c, "idea.answered", events.IdeaAnswered(org_id=idea_id, revised=False),
                        subject=("idea", idea_id), actor_id=None)  # fmt: skip


async def test_an_act_alone_appends_without_waiting_for_the_lock_first(conn, monkeypatch):
    """The head is read unlocked and the append statement takes the lock: no FOR UPDATE round trip."""
    locked = []
    real_lock = record_store.lock_head
    monkeypatch.setattr(record_store, "lock_head", lambda c: locked.append(1) or real_lock(c))
    async with conn.transaction():
        await record_answer(conn, 1)  # the first append backfills the history under the lock
    async with conn.transaction():
        await record_answer(conn, 2)
        await record_answer(conn, 3)  # a second official event of the same act: its own head
    chain = await entries(conn)
    assert len(locked) == 1 and [e.subject_id for e in chain] == [1, 2, 3]
    assert rules.verify(chain, (3, chain[-1].hash)) is None


async def test_an_act_that_finds_the_head_moved_appends_after_the_act_that_moved_it(pool, conn, monkeypatch):
    """Between this act's read of the head and its append, another act appends and commits: this
    act's append writes nothing and locks the new head, and the act chains from there."""
    async with conn.transaction():
        await record_answer(conn, 1)
    real_read, real_after = record_store.unrecorded, record_store.append_after
    interleaved: list[bool] = []
    appended: list[bool] = []

    async def read_then_another_act(c, kinds, *, here_only):
        rows = await real_read(c, kinds, here_only=here_only)
        if not interleaved:
            interleaved.append(True)  # the other act reads the head as it is: no interleaving there
            async with pool.acquire() as other, other.transaction():
                await record_answer(other, 2)
        return rows

    async def append_after(*args):
        head = await real_after(*args)
        appended.append(head is None)
        return head

    monkeypatch.setattr(record_store, "unrecorded", read_then_another_act)
    monkeypatch.setattr(record_store, "append_after", append_after)
    async with conn.transaction():
        await record_answer(conn, 3)
    chain = await entries(conn)
    assert appended == [True, False]  # the other act's append, then this act's, refused
    assert [(e.seq, e.subject_id) for e in chain] == [(1, 1), (2, 2), (3, 3)]
    assert rules.verify(chain, (3, chain[-1].hash)) is None
    assert await conn.fetchval("SELECT seq FROM record_head") == 3


def cli_verify(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "civic", "record", "verify", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def five_entries(conn) -> list[Entry]:
    for i in range(1, 6):
        async with conn.transaction():
            await events.record(conn, "idea.answered", events.IdeaAnswered(org_id=i, revised=False),
                                subject=("idea", i), actor_id=None)  # fmt: skip
    return await entries(conn)


async def as_superuser(conn, *statements: str) -> None:
    """What an operator with the database's superuser can do: switch the triggers off."""
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        for sql in statements:
            await conn.execute(sql)


TAMPERING = {
    "changed payload": (
        ["UPDATE record_entries SET payload = '{\"org_id\": 99, \"revised\": false}' WHERE seq = 3"],
        "Entry 3 was changed after it was written",
    ),
    "deleted entry": (["DELETE FROM record_entries WHERE seq = 3"], "Entry 3 is missing"),
    "deleted last entry": (["DELETE FROM record_entries WHERE seq = 5"], "Entries after 4 are missing"),
    "reordered entries": (
        ["UPDATE record_entries SET seq = seq + 100 WHERE seq IN (2, 4)",
         "UPDATE record_entries SET seq = CASE seq WHEN 102 THEN 4 ELSE 2 END WHERE seq > 100"],
        "Entry 2 does not follow entry 1",
    ),  # fmt: skip
    "inserted entry": (
        ["UPDATE record_entries SET seq = seq + 100 WHERE seq >= 3",
         "UPDATE record_entries SET seq = seq - 99 WHERE seq > 100",
         "INSERT INTO record_entries (seq, at, actor_role, act, subject_kind, subject_id, payload, prev_hash, hash)"
         " SELECT 3, now(), 'system', 'idea.answered', 'idea', 77, '{}', hash, repeat('a', 64)"
         " FROM record_entries WHERE seq = 2"],
        "Entry 3 was changed after it was written",
    ),  # fmt: skip
}


@pytest.mark.parametrize("how", list(TAMPERING))
async def test_tampering_is_found_and_named_by_the_cli(conn, db_url, how):
    await five_entries(conn)
    ok = await asyncio.to_thread(cli_verify, db_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "verified" in ok.stdout
    statements, named = TAMPERING[how]
    await as_superuser(conn, *statements)
    bad = await asyncio.to_thread(cli_verify, db_url)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert named in bad.stdout, bad.stdout
    assert not (await actions.verify(conn)).ok


async def test_verify_from_a_later_entry_trusts_the_one_before(conn, db_url):
    await five_entries(conn)
    await as_superuser(conn, "UPDATE record_entries SET payload = '{}' WHERE seq = 2")
    assert (await actions.verify(conn, 3)).ok  # 3..5 still link to what entry 2 says now
    check = await actions.verify(conn, 2)
    assert (check.ok, check.first_bad, check.problem) == (False, 2, "altered")
    later = await asyncio.to_thread(cli_verify, db_url, "--from", "3")
    assert later.returncode == 0, later.stdout + later.stderr


async def test_the_job_publishes_finished_days_and_a_rewrite_disagrees_with_them(conn):
    chain = await five_entries(conn)
    # The entries were written two days ago (setting that up needs the triggers off).
    await as_superuser(conn, "UPDATE record_entries SET recorded_at = recorded_at - interval '2 days'")
    assert await actions.verify_and_publish(conn) == 5
    heads = await conn.fetch("SELECT day, seq, hash FROM record_published_heads ORDER BY day")
    assert [(h["seq"], h["hash"]) for h in heads] == [(5, chain[-1].hash)] * 2  # the day before too
    check = await conn.fetchrow("SELECT ok, checked FROM record_checks ORDER BY id DESC LIMIT 1")
    assert tuple(check) == (True, 5)
    # Rewrite entry 4 and everything after it consistently, head included: only the published
    # heads (and outsiders' copies of them) show it.
    forged = rules.sealed(chain[3].__class__(**{**{f: getattr(chain[3], f) for f in Entry.__struct_fields__},
                                               "payload": {"org_id": 4, "revised": True}}))  # fmt: skip
    last = rules.sealed(Entry(**{**{f: getattr(chain[4], f) for f in Entry.__struct_fields__}, "prev_hash": forged.hash}))
    await as_superuser(
        conn,
        f"UPDATE record_entries SET payload = '{{\"org_id\": 4, \"revised\": true}}', hash = '{forged.hash}' WHERE seq = 4",
        f"UPDATE record_entries SET prev_hash = '{forged.hash}', hash = '{last.hash}' WHERE seq = 5",
        f"UPDATE record_head SET hash = '{last.hash}'",
    )
    assert rules.verify(await entries(conn), (5, last.hash)) is None  # a consistent chain by itself
    check = await actions.verify(conn)
    assert (check.ok, check.first_bad, check.problem) == (False, 5, "published_mismatch")


async def test_history_from_before_the_record_is_backfilled_once_in_event_order(conn):
    await conn.execute("DELETE FROM record_head")  # a database from before: start again, unbackfilled
    await conn.execute("INSERT INTO record_head DEFAULT VALUES")
    # Official events written straight into the table, as history: interleaved with others.
    for kind, payload in (
        ("idea.answered", {"org_id": 1, "revised": False}),
        ("idea.submitted", {"board_id": 1, "title": "x", "category": "", "status": "published"}),
        ("idea.status_changed", {"from_status": "published", "to_status": "accepted", "reason": "ดี",
                                 "duplicate_of": None, "org_id": 1}),
    ):  # fmt: skip
        await conn.execute(
            "INSERT INTO events (kind, subject_kind, subject_id, visibility, payload) VALUES ($1, 'idea', 1, 'public', $2)",
            kind, payload,
        )  # fmt: skip
    async with conn.transaction():
        await events.record(conn, "idea.answered", events.IdeaAnswered(org_id=1, revised=True),
                            subject=("idea", 1), actor_id=None)  # fmt: skip
    chain = await entries(conn)
    assert [e.act for e in chain] == ["idea.answered", "idea.status_changed", "idea.answered"]
    assert chain[-1].payload == {"org_id": 1, "revised": True}
    assert (await actions.verify(conn)).ok


# --- public access ----------------------------------------------------------------------------


async def test_the_record_page_its_json_twin_and_the_subject_link(client, make_client, conn):
    world, idea_id = await answered(client, conn)
    visitor = await make_client()
    page = await visitor.get(f"/ideas/{idea_id}")
    assert f'href="/record?subject=idea:{idea_id}"' in page.text
    r = await visitor.get(f"/record?subject=idea:{idea_id}")
    assert r.status_code == 200
    chain = await entries(conn)
    assert f'id="entry-{chain[-1].seq}"' in r.text and chain[-1].hash in r.text
    await login(client, "staff@owner.example")  # another act, about another subject
    other = await _idea(conn, world, title="ทางเท้าหน้าตลาด")
    assert (await send_json(client, "POST", f"/api/v1/ideas/{other}/answer", {"body": "รับเรื่องแล้ว"})).status_code == 200
    r = await visitor.get(f"/record?subject=idea:{idea_id}")
    assert 'id="entry-1"' in r.text and 'id="entry-2"' not in r.text
    data = (await visitor.get(f"/api/v1/record?subject=idea:{idea_id}")).json()
    assert [e["entry"]["seq"] for e in data["entries"]] == [1]
    shown = data["entries"][0]
    assert shown["agency_slug"] == "hdy-city" and data["head_seq"] == 2
    # An outsider recomputes the hash from the JSON alone, with any RFC 8785 library.
    e = shown["entry"]
    import hashlib

    import rfc8785

    outsider = {"seq": e["seq"], "at": rules.utc(__import__("datetime").datetime.fromisoformat(e["at"])),
                "agency": e["agency_id"], "actor": {"role": e["actor_role"], "name": e["actor_name"]},
                "act": e["act"], "subject": {"kind": e["subject_kind"], "id": e["subject_id"]},
                "payload": e["payload"], "prev": e["prev_hash"]}  # fmt: skip
    assert hashlib.sha256(rfc8785.dumps(outsider)).hexdigest() == e["hash"]
    # Filters: by agency and act; a bad date and an unknown act are refused by field, at once.
    data = (await visitor.get("/api/v1/record?agency=hdy-city&act=idea.answered")).json()
    assert [x["entry"]["subject_id"] for x in data["entries"]] == [other, idea_id]
    assert (await visitor.get("/api/v1/record?agency=other-agency")).json()["entries"] == []
    bad = await visitor.get("/api/v1/record?since=2026-02-30&act=idea.supported")
    assert bad.status_code == 422 and {f["key"] for f in bad.json()["error"]["fields"]} == {"since", "act"}
    page = await visitor.get("/record?since=2026-02-30&act=idea.supported")
    assert page.status_code == 400 and "2026-02-30" in page.text and "ปปปป-ดด-วว" in page.text


async def test_pages_go_down_by_sequence(client, conn):
    for i in range(1, rules.PER_PAGE + 6):
        async with conn.transaction():
            await events.record(conn, "idea.answered", events.IdeaAnswered(org_id=1, revised=False),
                                subject=("idea", i), actor_id=None)  # fmt: skip
    first = (await client.get("/api/v1/record")).json()
    assert [x["entry"]["seq"] for x in first["entries"]] == list(range(55, 5, -1))
    assert first["next_before"] == 6
    second = (await client.get("/api/v1/record?before=6")).json()
    assert [x["entry"]["seq"] for x in second["entries"]] == [5, 4, 3, 2, 1] and second["next_before"] is None
    html = (await client.get("/record")).text
    assert 'href="/record?before=6"' in html


async def test_heads_txt_the_atom_feed_and_health(client, conn):
    import feedparser

    chain = await five_entries(conn)
    await as_superuser(conn, "UPDATE record_entries SET recorded_at = recorded_at - interval '1 day'")
    await actions.verify_and_publish(conn)
    text = (await client.get("/record/heads.txt")).text
    lines = [line.split() for line in text.splitlines() if not line.startswith("#")]
    assert len(lines) == 1 and lines[0][1:] == ["5", chain[-1].hash]
    assert (await client.get("/api/v1/record/heads")).json()[0]["hash"] == chain[-1].hash
    r = await client.get("/record/feed")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    ids = [e.id for e in feed.entries]
    assert any(i.endswith(f"record/head/{lines[0][0]}") for i in ids)
    assert sum(":record/" in i and "/head/" not in i for i in ids) == 5
    health = (await client.get("/api/v1/health")).json()
    assert health["record"]["ok"] is True and health["record"]["checked"] == 5
