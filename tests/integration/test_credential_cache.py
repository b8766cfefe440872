"""The credential cache on a real PostgreSQL: every change that alters what a credential resolves
to reaches the listener (migration 0044), the touches do not, and the app started with its
lifespan serves known credentials from memory and stops doing so once told."""

from __future__ import annotations

import asyncio
import time

import pytest

from civic.accounts import store as accounts
from civic.accounts.cache import LISTENER_NAME, CredentialCache
from civic.orgs import store as orgs
from tests.helpers import make_agency, make_user, record_batch_sizes

WAIT = 10.0  # seconds: a notice normally arrives in well under one


async def until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
async def listening_cache(db_url):
    cache = CredentialCache(60)
    task = asyncio.create_task(cache.listen(db_url))
    await until(lambda: cache.listening, "the listener to connect")
    yield cache
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_each_change_to_who_a_credential_is_reaches_the_listener(listening_cache, conn):
    cache = listening_cache
    user_id = await make_user(conn, "notice@example.org")
    other = await make_user(conn, "other@example.org")
    agency = await make_agency(conn, "notice-agency")
    token_id, token = await accounts.create_api_token(conn, user_id, "cli")
    session = await accounts.start_session(conn, user_id, old_token=None, user_agent="test", ip="127.0.0.1")

    async def one_notice(change, what: str) -> None:
        before = cache.generation
        await change()
        await until(lambda: cache.generation > before, what)

    await one_notice(lambda: accounts.revoke_api_token(conn, user_id, token_id), "a revoked token")
    await one_notice(lambda: accounts.end_session(conn, session), "an ended session")
    await one_notice(lambda: accounts.set_lang(conn, user_id, "en"), "a changed language")
    await one_notice(lambda: orgs.add_member(conn, agency, user_id), "a new membership")
    await one_notice(
        lambda: conn.execute("UPDATE organisations SET name_th = 'กรมใหม่' WHERE id = $1", agency),
        "a renamed organisation",
    )
    await one_notice(lambda: accounts.set_status(conn, other, "blocked"), "a blocked person")
    await one_notice(lambda: conn.execute("DELETE FROM users WHERE id = $1", other), "a deleted person")


async def test_touching_a_credential_sends_no_notice(listening_cache, conn):
    cache = listening_cache
    user_id = await make_user(conn, "touch@example.org")
    _, token = await accounts.create_api_token(conn, user_id, "cli")
    session = await accounts.start_session(conn, user_id, old_token=None, user_agent="test", ip="127.0.0.1")
    await conn.execute("UPDATE api_tokens SET last_used_at = now() - interval '1 hour'")
    await conn.execute("UPDATE sessions SET last_seen_at = now() - interval '1 hour'")
    before = cache.generation
    # Both lookups find their stored time stale, so both write it (the touch).
    assert (await accounts.user_for_api_token(conn, token)).id == user_id
    assert (await accounts.user_for_session(conn, session)).id == user_id
    assert await conn.fetchval("SELECT last_used_at > now() - interval '1 minute' FROM api_tokens")
    assert await conn.fetchval("SELECT last_seen_at > now() - interval '1 minute' FROM sessions")
    # Then a change that does notify: by the time its notice is in, any earlier one would be too.
    await accounts.set_lang(conn, user_id, "en")
    await until(lambda: cache.generation > before, "the language change's notice")
    await asyncio.sleep(0.1)
    assert cache.generation == before + 1


async def test_a_lost_listener_stops_the_cache_until_it_is_back(listening_cache, conn):
    cache = listening_cache
    before = cache.generation
    killed = await conn.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name = $1",
        LISTENER_NAME,
    )
    assert killed == 1
    await until(lambda: not cache.listening, "the cache to notice the lost listener")
    assert cache.generation > before  # and it forgot what it knew
    await until(lambda: cache.listening, "the listener to reconnect")


async def test_the_started_app_serves_a_known_token_from_memory_until_it_is_revoked(
    app, client, conn, monkeypatch
):
    user_id = await make_user(conn, "cached@example.org")
    token_id, token = await accounts.create_api_token(conn, user_id, "cli")
    loads = record_batch_sizes(monkeypatch, accounts, "users_for_api_tokens")
    headers = {"authorization": f"Bearer {token}"}
    cache = app.state.credentials
    async with app.lifespan():  # what the server runs at start: the listener starts
        await until(lambda: cache.listening, "the app's listener")
        for _ in range(3):
            response = await client.get("/api/v1/me", headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["id"] == user_id
        assert loads == [1]

        before = cache.generation
        assert await accounts.revoke_api_token(conn, user_id, token_id)
        await until(lambda: cache.generation > before, "the revocation's notice")
        response = await client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert loads == [1, 1]
