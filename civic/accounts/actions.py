"""Accounts: one function per state change (register, log in, log out, API tokens, language),
and the reads the account page and /api/v1/me share.

Logging in records no event: it would be frequent, private and of no use to anyone else; the
sessions table already says who is logged in where."""

from __future__ import annotations

import asyncpg

from civic import events
from civic.accounts import rules, store
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.accounts.schemas import (
    AccountOut,
    ClientInfo,
    CurrentUser,
    LangIn,
    LoginIn,
    MeOut,
    NewTokenOut,
    RegisterIn,
    SignedIn,
    TokenIn,
)
from civic.events import AccountRegistered, ApiTokenCreated, ApiTokenRevoked
from civic.validation import DomainError, Forbidden, Invalid, NotFound, Problem, TooMany, raise_if

# The session cookie lives as long as the session it carries.
SESSION_LIFETIME = store.SESSION_LIFETIME
DUPLICATE_EMAIL = Problem("An account with this email already exists. Log in instead.")


class EmailTaken(Invalid):
    """Shown beside the email field on the form; the API answers 409 duplicate_email."""

    status = 409
    code = "duplicate_email"


class BadCredentials(DomainError):
    """The same answer for an unknown email and a wrong password, so neither can be probed."""

    status = 400
    code = "bad_credentials"
    default_msgid = "The email or password is not correct."


async def _start_session(conn: asyncpg.Connection, user_id: int, client: ClientInfo) -> str:
    return await store.start_session(
        conn, user_id, old_token=client.session_token, user_agent=client.user_agent, ip=client.ip
    )


async def register(
    conn: asyncpg.Connection, data: RegisterIn, client: ClientInfo | None = None, *, role: str = "citizen"
) -> SignedIn:
    """An account. With `client` (the web form) it is logged in too, in the same transaction: an
    account never exists without the session its form promised. The web and the API create
    citizens; `role` is for the operator at the console (`python -m civic create-user`)."""
    raise_if(rules.validate_registration(data.email, data.display_name, data.password, data.lang))
    password_hash = hash_password(data.password)
    async with conn.transaction():
        try:
            user_id = await store.create_user(
                conn,
                email=data.email,
                display_name=data.display_name,
                password_hash=password_hash,
                lang=data.lang,
                role=role,
            )
        except store.DuplicateEmail:
            raise EmailTaken({"email": DUPLICATE_EMAIL}) from None
        await events.record(
            conn,
            "account.registered",
            AccountRegistered(display_name=data.display_name.strip(), lang=data.lang),
            subject=("user", user_id),
            actor_id=user_id,
        )
        token = await _start_session(conn, user_id, client) if client else None
    user = await store.user_by_id(conn, user_id)
    assert user is not None
    return SignedIn(user=user, session_token=token)


async def log_in(conn: asyncpg.Connection, data: LoginIn, client: ClientInfo) -> SignedIn:
    """TooMany after MAX_FAILURES_PER_MINUTE failures for the account or the address (even with
    the right password), BadCredentials, or Forbidden for a blocked account."""
    email = rules.login_email(data.email)
    by_account, by_address = await store.recent_failures(conn, email, client.ip)
    if rules.is_throttled(by_account, by_address):
        raise TooMany()
    row = await store.credentials_by_email(conn, email)
    # Verified even for an unknown email, so the answer takes as long either way.
    ok = verify_password(row["password_hash"] if row else None, data.password)
    if not ok or row is None:
        # Outside any transaction: the refusal must not roll back the failure it counts.
        await store.record_failure(conn, email, client.ip)
        raise BadCredentials()
    if not rules.can_log_in(row["status"]):
        raise Forbidden("This account has been blocked.")
    async with conn.transaction():
        if needs_rehash(row["password_hash"]):
            await store.set_password_hash(conn, row["id"], hash_password(data.password))
        token = await _start_session(conn, row["id"], client)
    user = await store.user_by_id(conn, row["id"])
    assert user is not None
    return SignedIn(user=user, session_token=token)


async def log_out(conn: asyncpg.Connection, session_token: str | None) -> None:
    """Ends this session on the server, so a copied cookie stops working too."""
    if session_token:
        await store.end_session(conn, session_token)


async def log_out_everywhere(conn: asyncpg.Connection, actor: CurrentUser) -> int:
    return await store.end_all_sessions(conn, actor.id)


async def create_token(conn: asyncpg.Connection, actor: CurrentUser, data: TokenIn) -> NewTokenOut:
    """The token is in the result once; only its hash is kept."""
    name = rules.token_name(data.name)
    raise_if(rules.validate_token_name(name))
    async with conn.transaction():
        token_id, token = await store.create_api_token(conn, actor.id, name)
        await events.record(
            conn,
            "account.token_created",
            ApiTokenCreated(token_id=token_id, name=name),
            subject=("api_token", token_id),
            actor_id=actor.id,
        )
    return NewTokenOut(id=token_id, name=name, token=token)


async def revoke_token(conn: asyncpg.Connection, actor: CurrentUser, token_id: int) -> None:
    """NotFound for someone else's token as for a missing one: ids are not probed."""
    async with conn.transaction():
        if not await store.revoke_api_token(conn, actor.id, token_id):
            raise NotFound("We could not find that token.")
        await events.record(
            conn,
            "account.token_revoked",
            ApiTokenRevoked(token_id=token_id),
            subject=("api_token", token_id),
            actor_id=actor.id,
        )


async def set_language(conn: asyncpg.Connection, actor: CurrentUser | None, data: LangIn) -> str:
    """The language chosen; kept on the account when someone is logged in (the caller keeps it in
    a cookie for everyone)."""
    lang = rules.chosen_lang(data.lang)
    if actor is not None:
        await store.set_lang(conn, actor.id, lang)
    return lang


# ------------------------------------------------------------------ reads


async def user_by_email(conn: asyncpg.Connection, email: str) -> CurrentUser | None:
    user_id = await store.user_id_by_email(conn, email)
    return await store.user_by_id(conn, user_id) if user_id is not None else None


def me(user: CurrentUser) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        lang=user.lang,
        role=user.role,
        status=user.status,
        memberships=list(user.memberships),
    )


async def account(conn: asyncpg.Connection, actor: CurrentUser) -> AccountOut:
    return AccountOut(
        tokens=await store.list_api_tokens(conn, actor.id),
        session_count=await store.count_sessions(conn, actor.id),
    )
