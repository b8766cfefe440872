"""The hot path of POST /api/v1/ideas/{id}/support: what it costs in statements and writes.

Correctness of supports (race, counts, hidden/closed, threshold) is in test_ideas.py; these
tests pin the cost so that a regression shows up as a failing test, not only in `make bench`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import asyncpg
import pytest

from civic.accounts import store as accounts
from civic.db import _init_connection
from civic.ideas import store
from tests.helpers import index_events, login, make_user, record_batch_sizes, send_json
from tests.integration.race import Gate, race
from tests.integration.test_ideas import _idea, _world


async def test_bearer_token_is_touched_once_per_interval_not_on_every_request(client, make_client, conn):
    uid = await make_user(conn, "a@example.com")
    token_id, token = await accounts.create_api_token(conn, uid, "app")
    app_client = await make_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 200
    first = await conn.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1", token_id)
    assert first is not None
    # Within TOUCH_AFTER: reads only, the row keeps its time (and no row version is written).
    xmin = await conn.fetchval("SELECT xmin::text FROM api_tokens WHERE id = $1", token_id)
    for _ in range(3):
        assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 200
    assert await conn.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1", token_id) == first
    assert await conn.fetchval("SELECT xmin::text FROM api_tokens WHERE id = $1", token_id) == xmin
    # Once it is older than TOUCH_AFTER, the next request moves it forward.
    await conn.execute(
        "UPDATE api_tokens SET last_used_at = now() - $2::interval - interval '1 second' WHERE id = $1",
        token_id,
        accounts.TOUCH_AFTER,
    )
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 200
    assert await conn.fetchval(
        "SELECT now() - last_used_at < interval '1 minute' FROM api_tokens WHERE id = $1", token_id
    )
    # A revoked token is neither accepted nor touched.
    await conn.execute(
        "UPDATE api_tokens SET revoked_at = now(), last_used_at = NULL WHERE id = $1", token_id
    )
    assert (await app_client.get("/api/v1/me", headers=headers)).status_code == 401
    assert await conn.fetchval("SELECT last_used_at FROM api_tokens WHERE id = $1", token_id) is None


async def test_session_is_touched_once_per_interval_and_extended(client, conn):
    await make_user(conn, "a@example.com")
    await login(client, "a@example.com")
    row = await conn.fetchrow("SELECT token_hash, last_seen_at, expires_at, xmin::text AS x FROM sessions")
    assert (await client.get("/api/v1/me")).status_code == 200
    same = await conn.fetchrow("SELECT last_seen_at, expires_at, xmin::text AS x FROM sessions")
    assert (same["last_seen_at"], same["expires_at"], same["x"]) == (
        row["last_seen_at"],
        row["expires_at"],
        row["x"],
    )
    await conn.execute(
        "UPDATE sessions SET last_seen_at = now() - interval '1 hour', expires_at = now() + interval '1 day'"
    )
    assert (await client.get("/api/v1/me")).status_code == 200
    touched = await conn.fetchrow(
        "SELECT now() - last_seen_at < interval '1 minute' AS recent, "
        "expires_at > now() + $1::interval - interval '1 minute' AS extended FROM sessions",
        accounts.SESSION_LIFETIME,
    )
    assert touched["recent"] and touched["extended"]
    # An expired session is not brought back to life by the touch.
    await conn.execute("UPDATE sessions SET last_seen_at = now() - interval '1 hour', expires_at = now()")
    assert (await client.get("/api/v1/me")).status_code == 401
    assert await conn.fetchval("SELECT expires_at <= now() FROM sessions")


async def test_support_queues_the_search_document_when_popularity_doubles_and_records_the_threshold(
    client, conn
):
    world = await _world(conn, threshold=2, days=10)
    idea_id = await _idea(conn, world)
    outbox_rows = "SELECT count(*) FROM search_outbox WHERE kind = 'idea' AND entity_id = $1"
    await index_events(conn)
    before = await conn.fetchval(outbox_rows, idea_id)
    await login(client, "citizen2@example.com")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.json() == {
        "idea_id": idea_id,
        "supported": True,
        "support_count": 1,
        "changed": True,
        "threshold_reached": False,
    }
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before + 1
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert (r.json()["changed"], r.json()["support_count"]) == (False, 1)
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before + 1  # a repeat writes nothing
    state = await store.support_idea(conn, idea_id, world["users"]["citizen3@example.com"])
    assert (state.changed, state.support_count, state.threshold_reached) == (True, 2, True)
    # 1 -> 2 stays in the same doubling: the document would not change, so nothing is queued.
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before + 1
    idea = await store.get_idea(conn, idea_id)
    event = await conn.fetchrow(
        "SELECT kind, payload FROM events WHERE subject_id = $1 AND kind = 'idea.threshold_reached'", idea_id
    )
    assert event["kind"] == "idea.threshold_reached"
    assert event["payload"]["support_count"] == 2 and event["payload"]["threshold"] == 2
    assert datetime.fromisoformat(event["payload"]["answer_due_at"]) == idea.answer_due_at
    assert (idea.answer_due_at - idea.threshold_reached_at).days == 10
    await store.support_idea(conn, idea_id, world["users"]["staff@other.example"])
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before + 2  # 3: the next doubling


async def test_the_search_document_changes_exactly_when_a_support_queues_it(conn):
    """Popularity in a document is the count rounded down to its doubling, so the rows that
    SUPPORT and WITHDRAW queue are the changes of search_documents, no more and no fewer."""
    world = await _world(conn, threshold=100)
    idea_id = await _idea(conn, world)
    outbox_rows = "SELECT count(*) FROM search_outbox WHERE kind = 'idea' AND entity_id = $1"
    users = [await make_user(conn, f"fan{i}@example.com") for i in range(8)]

    async def observe():
        (doc,) = await store.search_documents(conn, [idea_id])
        await index_events(conn)
        return doc["popularity"], await conn.fetchval(outbox_rows, idea_id)

    seen = [await observe()]
    for uid in users:
        await store.support_idea(conn, idea_id, uid)
        seen.append(await observe())
    for uid in reversed(users):
        await store.withdraw_support(conn, idea_id, uid)
        seen.append(await observe())
    popularity = [p for p, _ in seen]
    assert popularity[:9] == [0, 1, 1, 3, 3, 3, 3, 7, 7]
    assert popularity[8:] == popularity[8::-1]
    for (p0, queued0), (p1, queued1) in zip(seen, seen[1:]):
        assert queued1 - queued0 == (p1 != p0), seen


async def test_pending_idea_support_is_404_to_strangers_and_409_to_its_author(client, make_client, conn):
    world = await _world(conn, moderate_first=True)
    idea_id = await _idea(conn, world)
    assert (await store.get_idea(conn, idea_id)).status == "pending_moderation"
    await login(client, "citizen2@example.com")
    r = await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code == 404
    author = await make_client()
    await login(author, "citizen@example.com")
    r = await send_json(author, "POST", f"/api/v1/ideas/{idea_id}/support")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_supportable"
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 0
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 0


async def test_support_waiting_behind_a_hide_is_refused_and_writes_nothing(conn, db_url):
    """SUPPORT's gate runs under the idea's row lock: a support that queued behind a moderator's
    hide sees the hidden idea once the hide commits, and neither inserts nor counts."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    outbox_rows = "SELECT count(*) FROM search_outbox WHERE kind = 'idea' AND entity_id = $1"
    moderator, supporter = await asyncpg.connect(db_url), await asyncpg.connect(db_url)
    try:
        await _init_connection(supporter)
        hide = moderator.transaction()
        await hide.start()
        await moderator.execute(
            "UPDATE ideas SET hidden_at = now(), hidden_reason = 'สแปม' WHERE id = $1", idea_id
        )
        await index_events(conn)
        before = await conn.fetchval(outbox_rows, idea_id)
        pending = asyncio.create_task(
            store.support_idea(supporter, idea_id, world["users"]["citizen2@example.com"])
        )
        await asyncio.sleep(0.3)
        assert not pending.done()  # queued on the idea's row lock
        await hide.commit()
        with pytest.raises(store.NotAllowed):
            await pending
    finally:
        await moderator.close()
        await supporter.close()
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 0
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 0
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before


async def test_a_board_asking_for_an_id_since_the_rules_were_asked_refuses_and_writes_nothing(conn):
    """The rules are asked without the lock; SUPPORT writes only if the board asks no more
    identity than they were asked with."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await conn.execute(
        "UPDATE idea_boards SET requires_national_id = true WHERE id = (SELECT board_id FROM ideas WHERE id = $1)",
        idea_id,
    )
    supporter = world["users"]["citizen2@example.com"]
    with pytest.raises(store.NotAllowed):
        await store.support_idea(conn, idea_id, supporter, requires_national_id=False)
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 0
    assert await conn.fetchval("SELECT count(*) FROM events WHERE kind = 'idea.supported' AND subject_id = $1", idea_id) == 0
    # Asked at the board's level (the supporter's ID was checked), it is written.
    assert (await store.support_idea(conn, idea_id, supporter, requires_national_id=True)).changed
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 1


async def test_many_users_supporting_one_idea_at_once_keep_an_exact_count(conn, db_url):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    user_ids = [await make_user(conn, f"crowd{n}@example.com") for n in range(30)]
    conns = [await asyncpg.connect(db_url) for _ in user_ids]
    try:
        for c in conns:  # as the app's pool does: the threshold's record entry reads jsonb payloads
            await _init_connection(c)
        # All 30 supports wait inside PostgreSQL at their one statement, then go at once.
        results = await race(
            [
                lambda c=c, uid=uid: store.support_idea(c, idea_id, uid)
                for c, uid in zip(conns, user_ids, strict=True)
            ],
            gate=Gate(db_url, ["ideas", "idea_supports"], expect=30),
        )
    finally:
        await asyncio.gather(*(c.close() for c in conns))
    assert all(r.changed for r in results)
    assert sorted(r.support_count for r in results) == list(range(1, 31))
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 30
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 30


async def test_pooled_connection_comes_back_without_the_previous_transaction(pool):
    async with pool.acquire() as c:
        tx = c.transaction()
        await tx.start()
        await c.execute("SELECT set_config('application_name', 'leaked', true)")
        # released mid-transaction (a handler that raised): asyncpg rolls it back
    for _ in range(pool.get_max_size()):
        async with pool.acquire() as c:
            assert not c.is_in_transaction()
            assert await c.fetchval("SELECT current_setting('application_name')") != "leaked"


async def test_withdraw_in_one_statement_keeps_count_exact_and_refuses_on_a_hidden_idea(client, conn):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    outbox_rows = "SELECT count(*) FROM search_outbox WHERE kind = 'idea' AND entity_id = $1"
    await login(client, "citizen2@example.com")
    await send_json(client, "POST", f"/api/v1/ideas/{idea_id}/support")
    await store.support_idea(conn, idea_id, world["users"]["citizen3@example.com"])
    await index_events(conn)
    before = await conn.fetchval(outbox_rows, idea_id)
    r = await send_json(client, "DELETE", f"/api/v1/ideas/{idea_id}/support")
    assert r.json() == {
        "idea_id": idea_id,
        "supported": False,
        "support_count": 1,
        "changed": True,
        "threshold_reached": False,
    }
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before  # 2 -> 1: the same doubling
    r = await send_json(client, "DELETE", f"/api/v1/ideas/{idea_id}/support")
    assert (r.json()["changed"], r.json()["support_count"]) == (False, 1)
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before
    await store.withdraw_support(conn, idea_id, world["users"]["citizen3@example.com"])
    await index_events(conn)
    assert await conn.fetchval(outbox_rows, idea_id) == before + 1  # 1 -> 0
    await store.support_idea(conn, idea_id, world["users"]["citizen3@example.com"])
    assert (await send_json(client, "DELETE", "/api/v1/ideas/999999/support")).status_code == 404
    await store.set_hidden(
        conn, "idea", idea_id, hidden=True, reason="สแปม", actor_id=world["users"]["mod@example.com"]
    )
    with pytest.raises(store.NotAllowed):
        await store.withdraw_support(conn, idea_id, world["users"]["citizen3@example.com"])
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 1
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 1


async def test_one_statement_writes_a_batch_of_supports_exactly(conn):
    world = await _world(conn, threshold=3)
    u = world["users"]
    a, b, hidden = [await _idea(conn, world, title=t) for t in ("ไอเดียหนึ่ง", "ไอเดียสอง", "ไอเดียซ่อน")]
    await conn.execute("UPDATE ideas SET hidden_at = now(), hidden_reason = 'สแปม' WHERE id = $1", hidden)
    c1, c2, c3 = u["citizen@example.com"], u["citizen2@example.com"], u["citizen3@example.com"]
    await index_events(conn)
    outbox = await conn.fetchval("SELECT count(*) FROM search_outbox")
    results = await store.support_ideas(
        conn, [(a, c1), (a, c2), (a, c1), (b, c1), (hidden, c1), (10**12, c1), (a, c3)]
    )
    assert [type(r).__name__ for r in results] == [
        "SupportState", "SupportState", "SupportState", "SupportState", "NotAllowed", "NotFound", "SupportState",
    ]  # fmt: skip
    # The repeated pair is written once and reported as unchanged; the count is the same for the
    # whole batch because it is read after every insert of the statement.
    assert [r.changed for r in results if not isinstance(r, Exception)] == [True, True, False, True, True]
    assert {r.support_count for r in results if not isinstance(r, Exception) and r.idea_id == a} == {3}
    assert [r.threshold_reached for r in results if not isinstance(r, Exception)] == [
        True,
        True,
        False,
        False,
        True,
    ]
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", a) == 3
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", b) == 1
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", hidden) == 0
    events = await conn.fetch("SELECT subject_id FROM events WHERE kind = 'idea.threshold_reached'")
    assert [e["subject_id"] for e in events] == [a]
    await index_events(conn)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == outbox + 2  # a and b, once each


async def _idea_and_tokens(conn, n: int) -> tuple[int, list[str]]:
    """An idea, and API tokens of n citizens who have not supported it."""
    idea_id = await _idea(conn, await _world(conn))
    tokens = []
    for i in range(n):
        uid = await make_user(conn, f"api{i}@example.com")
        tokens.append((await accounts.create_api_token(conn, uid, "app"))[1])
    return idea_id, tokens


async def test_concurrent_api_supports_each_take_the_one_path(app, make_client, conn, monkeypatch):
    """The API and the form call the same action: one support, one row-locked statement (no
    batching across requests), and racing supports still leave count == rows."""
    idea_id, tokens = await _idea_and_tokens(conn, 20)
    batches = record_batch_sizes(monkeypatch, store, "support_ideas")
    client = await make_client()
    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/ideas/{idea_id}/support", headers={"Authorization": f"Bearer {t}"})
            for t in tokens
        )
    )
    assert [r.status_code for r in responses] == [200] * 20
    assert all(r.json()["changed"] for r in responses)
    assert batches == [1] * 20, batches
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 20
    assert await conn.fetchval("SELECT count(*) FROM idea_supports WHERE idea_id = $1", idea_id) == 20


async def test_a_support_rewrites_its_idea_once(conn):
    world = await _world(conn, threshold=100)  # reaching it would also update answer_due_at
    idea_id = await _idea(conn, world)
    hot = "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'ideas'"

    async def stats():
        # Counters reach the shared statistics shortly after a forced flush; a fresh snapshot
        # each time sees them.
        await conn.execute("SELECT pg_stat_force_next_flush()")
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        return await conn.fetchrow(hot)

    before = await stats()
    for email in ("citizen2@example.com", "citizen3@example.com", "staff@other.example"):
        assert (await store.support_idea(conn, idea_id, world["users"][email])).changed
    for _ in range(50):
        after = await stats()
        if after["n_tup_upd"] - before["n_tup_upd"] >= 3:
            break
        await asyncio.sleep(0.1)
    # One row update per support. Not in place (HOT) since migration 0060: the "top" and "hot"
    # lists read support_count and hot_score from indexes, which the update must extend.
    assert after["n_tup_upd"] - before["n_tup_upd"] == 3


async def test_a_bad_request_among_concurrent_ones_fails_alone(app, make_client, conn):
    idea_id, tokens = await _idea_and_tokens(conn, 3)
    client = await make_client()
    # An id beyond bigint cannot even be sent to PostgreSQL: it is a 400, and the supports sent
    # at the same moment are not touched by it.
    ids = [idea_id, 2**70, idea_id]
    responses = await asyncio.gather(
        *(
            client.post(f"/api/v1/ideas/{i}/support", headers={"Authorization": f"Bearer {t}"})
            for i, t in zip(ids, tokens, strict=True)
        )
    )
    assert [r.status_code for r in responses] == [200, 400, 200]
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", idea_id) == 2
