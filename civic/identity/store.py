"""Identity SQL: the national ID hash and level on users, TOTP credentials and recovery codes,
second-step challenges, OpenID Connect flows and linked identities."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import asyncpg


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class IdTaken(Exception):
    """The hash is already on another account (the unique index said so)."""


# --- the national ID


async def set_national_id(conn: asyncpg.Connection, user_id: int, id_hash: bytes) -> None:
    try:
        await conn.execute(
            "UPDATE users SET national_id_hash = $2, id_verified_at = now() WHERE id = $1", user_id, id_hash
        )
    except asyncpg.UniqueViolationError as exc:
        raise IdTaken() from exc


# --- TOTP


async def totp_credential(conn: asyncpg.Connection, user_id: int, *, lock: bool = False) -> asyncpg.Record | None:
    sql = "SELECT secret, confirmed_at, last_step FROM totp_credentials WHERE user_id = $1"
    return await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), user_id)


async def start_totp(conn: asyncpg.Connection, user_id: int, encrypted_secret: str) -> None:
    """A new, unconfirmed secret; replaces an earlier unconfirmed one, never a confirmed one."""
    await conn.execute(
        "INSERT INTO totp_credentials (user_id, secret) VALUES ($1, $2) "
        "ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = now(), last_step = 0 "
        "WHERE totp_credentials.confirmed_at IS NULL",
        user_id,
        encrypted_secret,
    )


async def use_step(conn: asyncpg.Connection, user_id: int, step: int, *, confirm: bool = False) -> bool:
    """Marks a code's step used (and the credential confirmed); False if a newer step got there
    first (the same code sent twice at once)."""
    result = await conn.execute(
        "UPDATE totp_credentials SET last_step = $2, "
        "confirmed_at = CASE WHEN $3 THEN COALESCE(confirmed_at, now()) ELSE confirmed_at END "
        "WHERE user_id = $1 AND last_step < $2",
        user_id,
        step,
        confirm,
    )
    return result.endswith(" 1")


async def replace_recovery_codes(conn: asyncpg.Connection, user_id: int, hashes: list[bytes]) -> None:
    await conn.execute("DELETE FROM totp_recovery_codes WHERE user_id = $1", user_id)
    await conn.execute(
        "INSERT INTO totp_recovery_codes (code_hash, user_id) SELECT h, $1 FROM unnest($2::bytea[]) AS h",
        user_id,
        hashes,
    )


async def use_recovery_code(conn: asyncpg.Connection, user_id: int, code_hash: bytes) -> bool:
    """Check and use in one statement, so a code works once even when sent twice at once."""
    result = await conn.execute(
        "UPDATE totp_recovery_codes SET used_at = now() WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL",
        code_hash,
        user_id,
    )
    return result.endswith(" 1")


async def recovery_codes_left(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM totp_recovery_codes WHERE user_id = $1 AND used_at IS NULL", user_id
    )


async def remove_totp(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute("DELETE FROM totp_credentials WHERE user_id = $1", user_id)
    await conn.execute("DELETE FROM totp_recovery_codes WHERE user_id = $1", user_id)


# Serialises one account's code checks, so a burst cannot all count fewer failures than it makes.
LOCK_FAILURES = "SELECT pg_advisory_xact_lock(hashtextextended('totp:' || $1::bigint, 0))"


async def recent_failures(conn: asyncpg.Connection, user_id: int, window: timedelta) -> int:
    await conn.execute(LOCK_FAILURES, user_id)
    return await conn.fetchval(
        "SELECT count(*) FROM totp_failures WHERE user_id = $1 AND at > now() - $2::interval", user_id, window
    )


async def record_failure(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute("INSERT INTO totp_failures (user_id) VALUES ($1)", user_id)
    await conn.execute("DELETE FROM totp_failures WHERE at < now() - interval '1 day'")


async def retry_after(conn: asyncpg.Connection, user_id: int, window: timedelta) -> int:
    """Seconds until the oldest counted failure leaves the window."""
    return await conn.fetchval(
        "SELECT greatest(1, ceil(extract(epoch FROM min(at) + $2::interval - now())))::int "
        "FROM totp_failures WHERE user_id = $1 AND at > now() - $2::interval",
        user_id,
        window,
    ) or 1


async def clear_failures(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute("DELETE FROM totp_failures WHERE user_id = $1", user_id)


# --- the step between the password and the code


async def create_challenge(conn: asyncpg.Connection, user_id: int, next_path: str, lifetime: timedelta) -> str:
    token = new_token()
    await conn.execute(
        "INSERT INTO login_challenges (token_hash, user_id, next_path, expires_at) "
        "VALUES ($1, $2, $3, now() + $4::interval)",
        hash_token(token),
        user_id,
        next_path,
        lifetime,
    )
    await conn.execute("DELETE FROM login_challenges WHERE expires_at < now()")
    return token


async def challenge(conn: asyncpg.Connection, token: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT user_id, next_path FROM login_challenges WHERE token_hash = $1 AND expires_at > now()",
        hash_token(token),
    )


async def end_challenge(conn: asyncpg.Connection, token: str) -> None:
    await conn.execute("DELETE FROM login_challenges WHERE token_hash = $1", hash_token(token))


# --- OpenID Connect


async def create_flow(
    conn: asyncpg.Connection,
    state: str,
    nonce: str,
    code_verifier: str,
    next_path: str,
    link_user_id: int | None,
    lifetime: timedelta,
) -> None:
    await conn.execute(
        "INSERT INTO oidc_flows (state_hash, nonce, code_verifier, next_path, link_user_id, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, now() + $6::interval)",
        hash_token(state),
        nonce,
        code_verifier,
        next_path,
        link_user_id,
        lifetime,
    )
    # Abandoned flows only matter until they expire; pruning here keeps the table small.
    await conn.execute("DELETE FROM oidc_flows WHERE expires_at < now() - interval '1 day'")


# Check and use in one statement: of two callbacks racing with one state, one finishes.
USE_FLOW = """
UPDATE oidc_flows SET used_at = now()
WHERE state_hash = $1 AND used_at IS NULL AND expires_at > now()
RETURNING nonce, code_verifier, next_path, link_user_id
"""


async def use_flow(conn: asyncpg.Connection, state: str) -> asyncpg.Record | None:
    return await conn.fetchrow(USE_FLOW, hash_token(state))


async def flow_state(conn: asyncpg.Connection, state: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT used_at, expires_at, now() AS now FROM oidc_flows WHERE state_hash = $1", hash_token(state)
    )


async def linked_user(conn: asyncpg.Connection, issuer: str, subject: str) -> int | None:
    return await conn.fetchval(
        "SELECT user_id FROM oidc_identities WHERE issuer = $1 AND subject = $2", issuer, subject
    )


class AlreadyLinked(Exception):
    pass


async def link_identity(conn: asyncpg.Connection, issuer: str, subject: str, user_id: int) -> None:
    try:
        await conn.execute(
            "INSERT INTO oidc_identities (issuer, subject, user_id) VALUES ($1, $2, $3)", issuer, subject, user_id
        )
    except asyncpg.UniqueViolationError as exc:
        raise AlreadyLinked() from exc


async def linked_issuers(conn: asyncpg.Connection, user_id: int) -> list[str]:
    return [r["issuer"] for r in await conn.fetch(
        "SELECT issuer FROM oidc_identities WHERE user_id = $1 ORDER BY linked_at", user_id
    )]


async def mark_email_verified(conn: asyncpg.Connection, user_id: int) -> None:
    """The provider vouched for the address of an account it created (email_verified)."""
    await conn.execute(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE id = $1", user_id
    )


async def create_pending_link(
    conn: asyncpg.Connection, issuer: str, subject: str, user_id: int, lifetime: timedelta
) -> str:
    token = new_token()
    await conn.execute(
        "INSERT INTO oidc_pending_links (token_hash, issuer, subject, user_id, expires_at) "
        "VALUES ($1, $2, $3, $4, now() + $5::interval)",
        hash_token(token),
        issuer,
        subject,
        user_id,
        lifetime,
    )
    return token


async def take_pending_link(conn: asyncpg.Connection, token: str, user_id: int) -> asyncpg.Record | None:
    """Used once, and only by the account it was made for."""
    return await conn.fetchrow(
        "DELETE FROM oidc_pending_links WHERE token_hash = $1 AND user_id = $2 AND expires_at > now() "
        "RETURNING issuer, subject",
        hash_token(token),
        user_id,
    )


async def pending_link(conn: asyncpg.Connection, token: str, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT issuer, subject FROM oidc_pending_links WHERE token_hash = $1 AND user_id = $2 AND expires_at > now()",
        hash_token(token),
        user_id,
    )
