"""Accounts SQL: users, sessions, API tokens, login failures."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
import msgspec

from civic.accounts.schemas import CurrentUser, LinkUse, Membership, TokenOut

SESSION_LIFETIME = timedelta(days=30)
# Writing last_seen/last_used on every request would turn every request into a write.
TOUCH_AFTER = timedelta(minutes=5)


class DuplicateEmail(Exception):
    pass


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


# Loads the user and every membership in one round trip: this runs on every request.
USER_WITH_MEMBERSHIPS = """
SELECT u.id, u.email, u.display_name, u.lang, u.role, u.status,
       u.email_verified_at IS NOT NULL AS email_verified,
       (SELECT COALESCE(max(a.version), 0) FROM privacy_acceptances a WHERE a.user_id = u.id) AS notice_version,
       u.id_verified_at IS NOT NULL AS id_verified,
       EXISTS (SELECT 1 FROM totp_credentials t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
           AS totp_enabled,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'org_id', o.id, 'role', m.role, 'kind', o.kind,
                      'verified', o.verification = 'verified', 'slug', o.slug, 'name_th', o.name_th,
                      'name_en', o.name_en)
                  ORDER BY o.id)
           FROM memberships m JOIN organisations o ON o.id = m.org_id
           WHERE m.user_id = u.id AND m.status = 'active'
       ), '[]'::json) AS memberships
FROM users u
"""

# One round trip for a whole batch of credentials (civic.web.security batches the requests that
# arrive together); n is each credential's place in the batch, so a row finds its request again.
# The touch runs in the same statement and writes only when the stored time is older than
# TOUCH_AFTER: most requests are pure reads (no WAL flush at commit), and clients sharing a token
# or a session do not queue on its row lock more than once per TOUCH_AFTER. The touch re-checks its
# own row, so concurrent requests that all found it stale write it once.
SESSION_USERS = (
    "WITH k AS (SELECT * FROM unnest($1::bytea[]) WITH ORDINALITY AS k(token_hash, n)), "
    "s AS (SELECT k.n, s.user_id FROM k JOIN sessions s USING (token_hash) WHERE s.expires_at > now()), "
    "touch AS (UPDATE sessions SET last_seen_at = now(), expires_at = now() + $2::interval "
    "WHERE token_hash = ANY($1) AND expires_at > now() AND last_seen_at < now() - $3::interval) "
    "SELECT s.n, x.* FROM s CROSS JOIN LATERAL (" + USER_WITH_MEMBERSHIPS + " WHERE u.id = s.user_id) x"
)
TOKEN_USERS = (
    "WITH k AS (SELECT * FROM unnest($1::bytea[]) WITH ORDINALITY AS k(token_hash, n)), "
    "t AS (SELECT k.n, t.user_id FROM k JOIN api_tokens t USING (token_hash) WHERE t.revoked_at IS NULL), "
    "touch AS (UPDATE api_tokens SET last_used_at = now() WHERE token_hash = ANY($1) AND revoked_at IS NULL "
    "AND (last_used_at IS NULL OR last_used_at < now() - $2::interval)) "
    "SELECT t.n, x.* FROM t CROSS JOIN LATERAL (" + USER_WITH_MEMBERSHIPS + " WHERE u.id = t.user_id) x"
)
USER_BY_ID = USER_WITH_MEMBERSHIPS + " WHERE u.id = $1"


def _user(row: asyncpg.Record | None) -> CurrentUser | None:
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        lang=row["lang"],
        role=row["role"],
        status=row["status"],
        memberships=tuple(msgspec.convert(m, Membership) for m in row["memberships"]),
        email_verified=row["email_verified"],
        notice_version=row["notice_version"],
        id_verified=row["id_verified"],
        totp_enabled=row["totp_enabled"],
    )


async def user_by_id(conn: asyncpg.Connection, user_id: int) -> CurrentUser | None:
    return _user(await conn.fetchrow(USER_BY_ID, user_id))


def _in_order(rows: list[asyncpg.Record], count: int) -> list[CurrentUser | None]:
    users: list[CurrentUser | None] = [None] * count
    for row in rows:
        users[row["n"] - 1] = _user(row)
    return users


async def users_for_sessions(conn: asyncpg.Connection, tokens: list[str]) -> list[CurrentUser | None]:
    """The user of each session token, in the tokens' order (None: unknown or expired)."""
    rows = await conn.fetch(SESSION_USERS, [hash_token(t) for t in tokens], SESSION_LIFETIME, TOUCH_AFTER)
    return _in_order(rows, len(tokens))


async def users_for_api_tokens(conn: asyncpg.Connection, tokens: list[str]) -> list[CurrentUser | None]:
    """The user of each API token, in the tokens' order (None: unknown or revoked)."""
    rows = await conn.fetch(TOKEN_USERS, [hash_token(t) for t in tokens], TOUCH_AFTER)
    return _in_order(rows, len(tokens))


async def user_for_session(conn: asyncpg.Connection, token: str) -> CurrentUser | None:
    return (await users_for_sessions(conn, [token]))[0]


async def user_for_api_token(conn: asyncpg.Connection, token: str) -> CurrentUser | None:
    return (await users_for_api_tokens(conn, [token]))[0]


async def create_user(
    conn: asyncpg.Connection,
    *,
    email: str,
    display_name: str,
    password_hash: str,
    lang: str = "th",
    role: str = "citizen",
) -> int:
    try:
        return await conn.fetchval(
            "INSERT INTO users (email, display_name, password_hash, lang, role) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            email.strip(),
            display_name.strip(),
            password_hash,
            lang,
            role,
        )
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateEmail(email) from exc


async def credentials_by_email(conn: asyncpg.Connection, email: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, password_hash, status FROM users WHERE lower(email) = lower($1)", email.strip()
    )


async def set_password_hash(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, password_hash)


async def set_lang(conn: asyncpg.Connection, user_id: int, lang: str) -> None:
    await conn.execute("UPDATE users SET lang = $2 WHERE id = $1", user_id, lang)


async def set_status(conn: asyncpg.Connection, user_id: int, status: str) -> None:
    async with conn.transaction():
        await conn.execute("UPDATE users SET status = $2 WHERE id = $1", user_id, status)
        if status == "blocked":
            await end_all_sessions(conn, user_id)
            await revoke_all_api_tokens(conn, user_id)


async def start_session(
    conn: asyncpg.Connection, user_id: int, *, old_token: str | None, user_agent: str, ip: str
) -> str:
    """A fresh session id at every login: any id planted before login is dropped (no fixation)."""
    token = new_token()
    async with conn.transaction():
        if old_token:
            await conn.execute("DELETE FROM sessions WHERE token_hash = $1", hash_token(old_token))
        await conn.execute(
            "INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, ip) "
            "VALUES ($1, $2, now() + $3::interval, $4, $5)",
            hash_token(token),
            user_id,
            SESSION_LIFETIME,
            user_agent[:300],
            ip,
        )
    return token


async def session_age(conn: asyncpg.Connection, user_id: int, token: str) -> timedelta | None:
    """How long ago this user's live session was started (None: not theirs, unknown or expired)."""
    return await conn.fetchval(
        "SELECT now() - created_at FROM sessions WHERE token_hash = $1 AND user_id = $2 AND expires_at > now()",
        hash_token(token),
        user_id,
    )


async def end_session(conn: asyncpg.Connection, token: str) -> None:
    await conn.execute("DELETE FROM sessions WHERE token_hash = $1", hash_token(token))


async def end_all_sessions(conn: asyncpg.Connection, user_id: int) -> int:
    result = await conn.execute("DELETE FROM sessions WHERE user_id = $1", user_id)
    return int(result.split()[-1])


async def end_other_sessions(conn: asyncpg.Connection, user_id: int, keep_token: str | None) -> int:
    result = await conn.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
        user_id,
        hash_token(keep_token) if keep_token else None,
    )
    return int(result.split()[-1])


async def revoke_all_api_tokens(conn: asyncpg.Connection, user_id: int) -> int:
    result = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", user_id
    )
    return int(result.split()[-1])


async def count_sessions(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > now()", user_id
    )


# Each attempt is counted by the statement that records it: the upsert takes the row lock, so
# simultaneous attempts get 1, 2, 3... and never all read the same count (issue 21: a burst of
# wrong passwords got 10-12 argon2 checks a minute when the count was a separate SELECT).
COUNT_ATTEMPT = """
WITH pair AS (
    INSERT INTO login_throttle AS t (scope, key) VALUES ('pair', lower($1) || ' ' || $2)
    ON CONFLICT (scope, key) DO UPDATE SET
        attempts = CASE WHEN t.window_start > now() - interval '1 minute' THEN t.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN t.window_start > now() - interval '1 minute' THEN t.window_start ELSE now() END
    RETURNING attempts, window_start
), address AS (
    INSERT INTO login_throttle AS t (scope, key) VALUES ('address', $2)
    ON CONFLICT (scope, key) DO UPDATE SET
        attempts = CASE WHEN t.window_start > now() - interval '1 minute' THEN t.attempts + 1 ELSE 1 END,
        window_start = CASE WHEN t.window_start > now() - interval '1 minute' THEN t.window_start ELSE now() END
    RETURNING attempts, window_start
)
SELECT pair.attempts AS pair, address.attempts AS address,
       ceil(extract(epoch FROM least(pair.window_start, address.window_start) + interval '1 minute' - now()))::int
           AS wait
FROM pair, address
"""

ENSURE_ACCOUNT_ROW = """
INSERT INTO login_throttle (scope, key, attempts) VALUES ('account', lower($1), 0)
ON CONFLICT (scope, key) DO NOTHING
"""

# FOR UPDATE returns the row's latest version once its lock is free, so the verdict of each
# simultaneous attempt is taken on what the one before it left. An attempt is let through while
# the account has had fewer than $3 recent attempts, from the address it last logged in from, or
# once its delay is over; letting one through sets the delay before the next ($5[n], growing).
ACCOUNT_ATTEMPT = """
WITH cur AS (
    SELECT CASE WHEN window_start > now() - $4::interval THEN attempts ELSE 0 END AS seen,
           coalesce(trusted_ip = $2, false) AS trusted,
           next_at
    FROM login_throttle WHERE scope = 'account' AND key = lower($1)
    FOR UPDATE
), verdict AS (
    SELECT seen, trusted, next_at, (seen < $3 OR trusted OR next_at <= now()) AS admitted FROM cur
), counted AS (
    UPDATE login_throttle t SET
        attempts = v.seen + 1,
        window_start = now(),
        next_at = CASE WHEN v.seen + 1 >= $3 AND NOT v.trusted
                       THEN now() + make_interval(secs => ($5::int[])[least(v.seen + 2 - $3, cardinality($5::int[]))])
                       ELSE t.next_at END
    FROM verdict v
    WHERE t.scope = 'account' AND t.key = lower($1) AND v.admitted
    RETURNING 1
)
SELECT admitted, greatest(1, ceil(extract(epoch FROM next_at - now())))::int AS wait FROM verdict
"""

# A login that succeeds gives its address back the attempt it counted: the address limit is on
# guesses, and fifty colleagues behind one office address may all log in within a minute.
LOGGED_IN = """
WITH pair AS (DELETE FROM login_throttle WHERE scope = 'pair' AND key = lower($1) || ' ' || $2),
address AS (
    UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE scope = 'address' AND key = $2
)
UPDATE login_throttle SET attempts = 0, next_at = '-infinity', trusted_ip = $2
WHERE scope = 'account' AND key = lower($1)
"""

PRUNE_THROTTLE = "DELETE FROM login_throttle WHERE window_start < now() - interval '1 day'"


async def count_attempt(conn: asyncpg.Connection, email: str, ip: str) -> tuple[int, int, int]:
    """(attempts for this account from this address, attempts from this address, seconds to wait
    if refused), counting this one; then, if those are under their limits, the caller asks
    `account_turn`."""
    row = await conn.fetchrow(COUNT_ATTEMPT, email.strip()[:254], ip)
    return row["pair"], row["address"], row["wait"]


async def account_turn(
    conn: asyncpg.Connection, email: str, ip: str, *, free: int, memory: timedelta, delays: Sequence[int]
) -> int:
    """0 if this attempt may go ahead for the account (and it is counted), else seconds to wait."""
    email = email.strip()[:254]
    await conn.execute(ENSURE_ACCOUNT_ROW, email)
    row = await conn.fetchrow(ACCOUNT_ATTEMPT, email, ip, free, memory, list(delays))
    return 0 if row["admitted"] else row["wait"]


async def logged_in(conn: asyncpg.Connection, email: str, ip: str) -> None:
    """A right password: the pair starts afresh, and this address is the account's trusted one."""
    await conn.execute(LOGGED_IN, email.strip()[:254], ip)


async def record_failure(conn: asyncpg.Connection, email: str, ip: str) -> None:
    await conn.execute("INSERT INTO login_failures (email, ip) VALUES ($1, $2)", email.strip()[:254], ip)
    # Old rows only matter for minutes; pruning here keeps the tables small without a job.
    await conn.execute("DELETE FROM login_failures WHERE at < now() - interval '1 day'")
    await conn.execute(PRUNE_THROTTLE)


async def create_api_token(conn: asyncpg.Connection, user_id: int, name: str) -> tuple[int, str]:
    token = new_token("civ_")
    token_id = await conn.fetchval(
        "INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id",
        user_id,
        name,
        hash_token(token),
    )
    return token_id, token


async def list_api_tokens(conn: asyncpg.Connection, user_id: int) -> list[TokenOut]:
    rows = await conn.fetch(
        "SELECT id, name, created_at, last_used_at FROM api_tokens "
        "WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
        user_id,
    )
    return [TokenOut(**dict(r)) for r in rows]


async def revoke_api_token(conn: asyncpg.Connection, user_id: int, token_id: int) -> bool:
    result = await conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        token_id,
        user_id,
    )
    return result.endswith(" 1")


async def user_id_by_email(conn: asyncpg.Connection, email: str) -> int | None:
    return await conn.fetchval("SELECT id FROM users WHERE lower(email) = lower($1)", email.strip())


# ------------------------------------------------------------------ mailed links


async def create_link(
    conn: asyncpg.Connection, user_id: int, purpose: str, email: str, lifetime: timedelta
) -> str:
    """A fresh nonce for a link; only its hash is kept."""
    nonce = secrets.token_urlsafe(24)
    await conn.execute(
        "INSERT INTO account_tokens (nonce_hash, user_id, purpose, email, expires_at) "
        "VALUES ($1, $2, $3, $4, now() + $5::interval)",
        hash_token(nonce),
        user_id,
        purpose,
        email.strip(),
        lifetime,
    )
    return nonce


# Check and use in one statement: of two clicks racing on the same link, one updates the row and
# the other finds used_at already set.
USE_LINK = """
UPDATE account_tokens SET used_at = now()
WHERE nonce_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
RETURNING user_id, email
"""


async def use_link(conn: asyncpg.Connection, nonce: str, purpose: str) -> LinkUse | None:
    row = await conn.fetchrow(USE_LINK, hash_token(nonce), purpose)
    return LinkUse(user_id=row["user_id"], email=row["email"]) if row else None


async def link_state(conn: asyncpg.Connection, nonce: str, purpose: str) -> asyncpg.Record | None:
    """The stored link and the database's clock, to tell a used link from an expired one."""
    return await conn.fetchrow(
        "SELECT user_id, email, used_at, expires_at, now() AS now FROM account_tokens "
        "WHERE nonce_hash = $1 AND purpose = $2",
        hash_token(nonce),
        purpose,
    )


async def retire_links(conn: asyncpg.Connection, user_id: int, purpose: str) -> None:
    """Every other outstanding link of this purpose stops working once one has been used."""
    await conn.execute(
        "UPDATE account_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose,
    )


async def recent_links(conn: asyncpg.Connection, user_id: int, purpose: str, window: timedelta) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND created_at > now() - $3::interval",
        user_id,
        purpose,
        window,
    )


async def set_email_verified(conn: asyncpg.Connection, user_id: int, email: str) -> bool:
    """Marks the address verified if it is still the account's: a link sent to an address the
    account has since left proves nothing about the new one."""
    result = await conn.execute(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) "
        "WHERE id = $1 AND lower(email) = lower($2)",
        user_id,
        email.strip(),
    )
    return result.endswith(" 1")


async def change_email(conn: asyncpg.Connection, user_id: int, email: str) -> None:
    """The new address, verified by the link that carried it here."""
    try:
        await conn.execute(
            "UPDATE users SET email = $2, email_verified_at = now() WHERE id = $1", user_id, email.strip()
        )
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateEmail(email) from exc


# ------------------------------------------------------------------ reset throttle

# Serialises the requests for one address, so a burst cannot all count zero before any is recorded.
LOCK_RESET_ADDRESS = "SELECT pg_advisory_xact_lock(hashtextextended('reset:' || lower($1), 0))"


async def recent_reset_requests(
    conn: asyncpg.Connection, email: str, ip: str, window: timedelta
) -> tuple[int, int]:
    await conn.execute(LOCK_RESET_ADDRESS, email.strip())
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE lower(email) = lower($1)) AS by_address, "
        "       count(*) FILTER (WHERE ip = $2) AS by_client "
        "FROM reset_requests WHERE at > now() - $3::interval AND (lower(email) = lower($1) OR ip = $2)",
        email.strip(),
        ip,
        window,
    )
    return row["by_address"], row["by_client"]


async def record_reset_request(conn: asyncpg.Connection, email: str, ip: str) -> None:
    await conn.execute("INSERT INTO reset_requests (email, ip) VALUES ($1, $2)", email.strip()[:254], ip)
    # Old rows only matter for the window; pruning here keeps the table small without a job.
    await conn.execute("DELETE FROM reset_requests WHERE at < now() - interval '1 day'")
