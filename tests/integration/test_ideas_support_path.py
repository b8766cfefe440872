"""The hot path of POST /api/v1/ideas/{id}/support: what it costs in statements and writes.

Correctness of supports (race, counts, hidden/closed, threshold) is in test_ideas.py; these
tests pin the cost so that a regression shows up as a failing test, not only in `make bench`.
"""

from __future__ import annotations

from civic.accounts import store as accounts
from tests.helpers import login, make_user


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
