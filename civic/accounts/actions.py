"""Accounts: one function per state change (register, log in, log out, API tokens, language,
and the lifecycle: verify an address, reset or change a password, change the address), and the
reads the account page and /api/v1/me share.

Mailed links are signed (civic.accounts.tokens) and single-use (an account_tokens row, used up in
the statement that checks it). Every verb that uses one checks the signature before anything else
and raises inside its transaction, so a bad, expired or reused link changes nothing.

Logging in records no event: it would be frequent, private and of no use to anyone else; the
sessions table already says who is logged in where."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Literal

import asyncpg

from civic import events
from civic.accounts import rules, store, tokens
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.accounts.schemas import (
    AccountOut,
    ClientInfo,
    CurrentUser,
    EmailChangeIn,
    LangIn,
    LinkIn,
    LinkUse,
    LoginIn,
    MeOut,
    NewTokenOut,
    PasswordChangeIn,
    RegisterIn,
    ResetIn,
    ResetRequestIn,
    SignedIn,
    StatusOut,
    TokenIn,
)
from civic.events import AccountRegistered, AccountSecured, ApiTokenCreated, ApiTokenRevoked
from civic.mail import actions as mail
from civic.privacy import records as privacy
from civic.validation import Conflict, DomainError, Forbidden, Invalid, NotFound, Problem, TooMany, raise_if

# The session cookie lives as long as the session it carries.
SESSION_LIFETIME = store.SESSION_LIFETIME
DUPLICATE_EMAIL = Problem("An account with this email already exists. Log in instead.")


class EmailTaken(Invalid):
    """Shown beside the email field on the form; the API answers 409 duplicate_email."""

    status = 409
    code = "duplicate_email"


class LoginThrottled(TooMany):
    """A password that will not be checked now; retry_after is the seconds to wait."""

    def __init__(self, retry_after: int, *, account: bool = False) -> None:
        if account:
            super().__init__(
                "This account has had many failed logins. Please wait %(seconds)s seconds and try again.",
                {"seconds": retry_after},
            )
        else:
            super().__init__()
        self.retry_after = retry_after


async def _admit(conn: asyncpg.Connection, email: str, ip: str) -> None:
    """Count this password attempt, or refuse it before argon2 runs. Outside any transaction, so
    each count commits at once and a refusal cannot roll back the attempt it counts."""
    pair, address, wait = await store.count_attempt(conn, email, ip)
    if rules.over_login_limit(pair, address):
        raise LoginThrottled(wait)
    if wait := await store.account_turn(
        conn, email, ip,
        free=rules.ACCOUNT_FREE_ATTEMPTS, memory=rules.ACCOUNT_MEMORY, delays=rules.ACCOUNT_DELAYS,
    ):  # fmt: skip
        raise LoginThrottled(wait, account=True)


class BadCredentials(DomainError):
    """The same answer for an unknown email and a wrong password, so neither can be probed."""

    status = 400
    code = "bad_credentials"
    default_msgid = "The email or password is not correct."


async def start_session(conn: asyncpg.Connection, user_id: int, client: ClientInfo) -> str:
    """A fresh session for a person who has proved who they are (here, or by a second factor or
    an identity provider in civic/identity)."""
    return await store.start_session(
        conn, user_id, old_token=client.session_token, user_agent=client.user_agent, ip=client.ip
    )


async def register(
    conn: asyncpg.Connection,
    data: RegisterIn,
    client: ClientInfo | None = None,
    *,
    secret: str,
    role: str = "citizen",
) -> SignedIn:
    """An account, and the mail with the link that verifies its address (queued in the same
    transaction). With `client` (the web form) it is logged in too, in the same transaction: an
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
        # Registering is accepting the privacy notice the form shows (PDPA: the notice and its version).
        await privacy.record_acceptance(conn, user_id, "web" if client else "api")
        await _mail_link(
            conn,
            secret,
            "verify",
            user_id,
            data.email.strip(),
            data.lang,
            {"display_name": data.display_name.strip()},
        )
        token = await start_session(conn, user_id, client) if client else None
    user = await store.user_by_id(conn, user_id)
    assert user is not None
    return SignedIn(user=user, session_token=token)


async def authenticate(conn: asyncpg.Connection, data: LoginIn, client: ClientInfo) -> int:
    """The account id for a right password, without a session yet (civic.identity.actions.log_in
    starts one, or first asks for the second factor). LoginThrottled (even with the right
    password) past the pair's or the address's limit or inside the account's delay,
    BadCredentials, or Forbidden for a blocked account."""
    email = rules.login_email(data.email)
    await _admit(conn, email, client.ip)
    row = await store.credentials_by_email(conn, email)
    # Verified even for an unknown email, so the answer takes as long either way.
    ok = verify_password(row["password_hash"] if row else None, data.password)
    if not ok or row is None:
        # Outside any transaction: the refusal must not roll back the failure it counts.
        await store.record_failure(conn, email, client.ip)
        raise BadCredentials()
    if not rules.can_log_in(row["status"]):
        raise Forbidden("This account has been blocked.")
    await store.logged_in(conn, email, client.ip)
    if needs_rehash(row["password_hash"]):
        await store.set_password_hash(conn, row["id"], hash_password(data.password))
    return row["id"]


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


# ------------------------------------------------------------------ the account lifecycle

# Where each purpose's link lands (GET shows a page with a button; the POST there uses the link,
# so a mail scanner that fetches links cannot use one up).
LINK_PATHS = {
    "verify": "/account/verify/",
    "reset": "/password/reset/",
    "change_email": "/account/email/confirm/",
}
MAIL_TEMPLATES = {
    "verify": "account/verify",
    "reset": "account/reset",
    "change_email": "account/email_change",
}
CURRENT_PASSWORD_WRONG = Problem("Your current password is not correct.")


class AlreadyVerified(Conflict):
    code = "already_verified"
    default_msgid = "Your email address is already verified."


class TooManyLinks(TooMany):
    default_msgid = (
        "We have sent you several links in the last hour. Please use one of those, or wait an hour."
    )


class TooManyResets(TooMany):
    default_msgid = "Too many password reset requests. Please wait 15 minutes and try again."


async def _mail_link(
    conn: asyncpg.Connection,
    secret: str,
    purpose: str,
    user_id: int,
    to: str,
    lang: str,
    context: dict,
    *,
    account_mailbox: bool = True,
) -> str:
    """Stores a link's nonce, queues the mail that carries it signed, and returns the nonce.
    `account_mailbox` is False for an address that is not yet the account's (a new address)."""
    nonce = await store.create_link(conn, user_id, purpose, to, rules.LINK_LIFETIMES[purpose])
    path = LINK_PATHS[purpose] + tokens.sign(secret, purpose, nonce)
    await mail.queue(
        conn,
        mail.Outgoing(
            to=to,
            lang=lang,
            template=MAIL_TEMPLATES[purpose],
            context=context | {"link_path": path},
            key=f"{purpose}:{user_id}:{nonce}",
            user_id=user_id if account_mailbox else None,
        ),
    )
    return nonce


def _nonce(secret: str, purpose: str, token: str) -> str:
    return tokens.read(secret, purpose, token, rules.LINK_LIFETIMES[purpose])


async def _refuse_link(conn: asyncpg.Connection, nonce: str, purpose: str) -> DomainError:
    """Why a signed link cannot be used: reused or expired (said so), or unknown (not valid)."""
    row = await store.link_state(conn, nonce, purpose)
    if row is None:
        return tokens.BadLink()
    problem = rules.link_problem(row["used_at"], row["expires_at"], row["now"])
    return tokens.LinkUsed() if problem == "used" else tokens.LinkExpired()


async def check_link(conn: asyncpg.Connection, secret: str, purpose: str, token: str) -> None:
    """What the page a link lands on asks before showing its button or form: BadLink, LinkExpired
    or LinkUsed for a link that will not work. Uses nothing up."""
    nonce = _nonce(secret, purpose, token)
    row = await store.link_state(conn, nonce, purpose)
    if row is None or rules.link_problem(row["used_at"], row["expires_at"], row["now"]):
        raise await _refuse_link(conn, nonce, purpose)


async def _use_link(conn: asyncpg.Connection, secret: str, purpose: str, token: str) -> LinkUse:
    """Uses the link up, in the caller's transaction (rolled back with it if the verb fails)."""
    nonce = _nonce(secret, purpose, token)
    used = await store.use_link(conn, nonce, purpose)
    if used is None:
        raise await _refuse_link(conn, nonce, purpose)
    await store.retire_links(conn, used.user_id, purpose)
    return used


async def _record(
    conn: asyncpg.Connection, kind: str, user_id: int, payload: AccountSecured | None = None
) -> None:
    await events.record(conn, kind, payload or AccountSecured(), subject=("user", user_id), actor_id=user_id)


async def resend_verification(conn: asyncpg.Connection, actor: CurrentUser, *, secret: str) -> StatusOut:
    if actor.email_verified:
        raise AlreadyVerified()
    async with conn.transaction():
        if rules.links_throttled(await store.recent_links(conn, actor.id, "verify", rules.LINK_WINDOW)):
            raise TooManyLinks()
        await _mail_link(
            conn, secret, "verify", actor.id, actor.email, actor.lang, {"display_name": actor.display_name}
        )
    return StatusOut("verification_sent")


async def verify_email(conn: asyncpg.Connection, data: LinkIn, *, secret: str) -> StatusOut:
    """Anyone holding the link may use it (it arrives on a phone, not where the person is logged in)."""
    async with conn.transaction():
        used = await _use_link(conn, secret, "verify", data.token)
        # The account has moved to another address since this link was sent: it proves nothing now.
        if not await store.set_email_verified(conn, used.user_id, used.email):
            raise tokens.BadLink()
        await _record(conn, "account.email_verified", used.user_id)
    return StatusOut("verified")


async def request_reset(
    conn: asyncpg.Connection, data: ResetRequestIn, client: ClientInfo, *, secret: str
) -> StatusOut:
    """The same answer whether or not the address has an account (and the throttle counts both
    alike), so this cannot be used to find out who is registered."""
    email = rules.login_email(data.email).strip()
    problem = rules.check_email(email)
    raise_if({"email": problem} if problem else {})
    async with conn.transaction():
        by_address, by_client = await store.recent_reset_requests(conn, email, client.ip, rules.RESET_WINDOW)
        if rules.resets_throttled(by_address, by_client):
            raise TooManyResets()
        await store.record_reset_request(conn, email, client.ip)
        row = await store.credentials_by_email(conn, email)
        if row is not None and rules.can_log_in(row["status"]):
            user = await store.user_by_id(conn, row["id"])
            assert user is not None
            await _mail_link(
                conn, secret, "reset", user.id, user.email, user.lang, {"display_name": user.display_name}
            )
    return StatusOut("reset_requested")


async def reset_password(conn: asyncpg.Connection, data: ResetIn, *, secret: str) -> StatusOut:
    """A new password from a reset link. Ends every session and revokes every API token: a reset
    is how an account is taken back, and whoever knew the old password may have opened those.
    The link reached the mailbox, so the address counts as verified too."""
    _nonce(secret, "reset", data.token)  # a bad link is said before a weak password
    problem = rules.validate_password(data.password)
    raise_if({"password": problem} if problem else {})
    password_hash = hash_password(data.password)
    async with conn.transaction():
        used = await _use_link(conn, secret, "reset", data.token)
        await store.set_password_hash(conn, used.user_id, password_hash)
        await store.set_email_verified(conn, used.user_id, used.email)
        ended = AccountSecured(
            sessions_ended=await store.end_all_sessions(conn, used.user_id),
            tokens_revoked=await store.revoke_all_api_tokens(conn, used.user_id),
        )
        await _record(conn, "account.password_reset", used.user_id, ended)
    return StatusOut("password_reset", sessions_ended=ended.sessions_ended)


async def _check_password(
    conn: asyncpg.Connection, actor: CurrentUser, password: str, client: ClientInfo
) -> bool:
    """The current password, throttled like a login: a stolen session must not become a way to
    guess the password."""
    await _admit(conn, actor.email, client.ip)
    row = await store.credentials_by_email(conn, actor.email)
    ok = verify_password(row["password_hash"] if row else None, password)
    if not ok:
        await store.record_failure(conn, actor.email, client.ip)
    return ok


async def confirm_password(
    conn: asyncpg.Connection, actor: CurrentUser, password: str, client: ClientInfo
) -> bool:
    """Whether `password` is the actor's, throttled like a login: for other domains' verbs that
    need the person to prove it is them (erasing an account)."""
    return await _check_password(conn, actor, password, client)


async def login_age(conn: asyncpg.Connection, actor: CurrentUser, session_token: str | None) -> timedelta | None:
    """How long ago the person proved who they are to open this session, or None without one of
    theirs (an API token is no login). A session is made only by start_session, right after a
    password, a second factor or an identity provider, and is never renewed in place (its
    expiry slides, its created_at does not), so its creation is the time of that proof."""
    return await store.session_age(conn, actor.id, session_token) if session_token else None


async def change_password(
    conn: asyncpg.Connection, actor: CurrentUser, data: PasswordChangeIn, client: ClientInfo
) -> StatusOut:
    """Needs the current password; ends every other session (this one stays). API tokens stay:
    the person is here, knows the password, and may revoke them on the account page."""
    ok = await _check_password(conn, actor, data.current_password, client)
    raise_if(rules.validate_password_change(ok, data.new_password))
    password_hash = hash_password(data.new_password)
    async with conn.transaction():
        await store.set_password_hash(conn, actor.id, password_hash)
        ended = AccountSecured(
            sessions_ended=await store.end_other_sessions(conn, actor.id, client.session_token)
        )
        await _record(conn, "account.password_changed", actor.id, ended)
    return StatusOut("password_changed", sessions_ended=ended.sessions_ended)


async def request_email_change(
    conn: asyncpg.Connection, actor: CurrentUser, data: EmailChangeIn, client: ClientInfo, *, secret: str
) -> StatusOut:
    """Mails a link to the new address (it becomes the account's only when that link is used) and
    tells the old address, so the owner hears of a change they did not ask for."""
    ok = await _check_password(conn, actor, data.password, client)
    new_email = data.email.strip()
    errors = rules.validate_email_change(new_email, actor.email, ok)
    if "email" not in errors and await store.user_id_by_email(conn, new_email) is not None:
        errors["email"] = DUPLICATE_EMAIL
    raise_if(errors)
    async with conn.transaction():
        if rules.links_throttled(await store.recent_links(conn, actor.id, "change_email", rules.LINK_WINDOW)):
            raise TooManyLinks()
        context = {"display_name": actor.display_name}
        nonce = await _mail_link(
            conn, secret, "change_email", actor.id, new_email, actor.lang, context, account_mailbox=False
        )
        await mail.queue(
            conn,
            mail.Outgoing(
                to=actor.email,
                lang=actor.lang,
                template="account/email_change_notice",
                context=context | {"new_email": rules.mask_email(new_email)},
                key=f"email_change_notice:{actor.id}:{nonce}",
                user_id=actor.id,
            ),
        )
        await _record(conn, "account.email_change_requested", actor.id)
    return StatusOut("email_change_sent")


async def confirm_email_change(conn: asyncpg.Connection, data: LinkIn, *, secret: str) -> StatusOut:
    async with conn.transaction():
        used = await _use_link(conn, secret, "change_email", data.token)
        try:
            await store.change_email(conn, used.user_id, used.email)
        except store.DuplicateEmail:
            raise Conflict("Another account took this address in the meantime.") from None
        await _record(conn, "account.email_changed", used.user_id)
    return StatusOut("email_changed")


# ------------------------------------------------------------------ standing (block, unblock)


async def set_standing(
    conn: asyncpg.Connection, actor: CurrentUser, user_id: int, status: Literal["active", "blocked"]
) -> CurrentUser:
    """Block or unblock an account: the one path that changes it, whoever's console it is asked
    from (the caller records the event and the audit line in its transaction). Blocking ends
    every session and API token. Returns the person as they were before."""
    target = await store.user_by_id(conn, user_id)
    if target is None or target.status == "erased":
        raise NotFound("We could not find that person.")
    if not rules.can_block_user(actor.role, target.role):
        raise Forbidden()
    await store.set_status(conn, user_id, status)
    return target


# A counter account holds what agency staff submitted for a person at the counter, by phone or on
# paper (civic/assisted) until that person takes it over. Nobody can log in to it: its address
# is reserved (.invalid, RFC 2606) and its password hash is not one argon2 accepts.
COUNTER_PASSWORD_HASH = "!"  # noqa: S105 - deliberately not a hash: nothing verifies against it


async def create_counter_account(conn: asyncpg.Connection, display_name: str) -> CurrentUser:
    # The address is no one's to check; marking it verified lets the domain actions' verified gate
    # pass for what staff submit (the staff member stands in for the check).
    email = f"counter-{secrets.token_hex(12)}@counter.invalid"
    async with conn.transaction():
        user_id = await store.create_user(
            conn, email=email, display_name=display_name, password_hash=COUNTER_PASSWORD_HASH
        )
        await store.set_email_verified(conn, user_id, email)
    user = await store.user_by_id(conn, user_id)
    assert user is not None
    return user


# ------------------------------------------------------------------ reads


async def user_by_id(conn: asyncpg.Connection, user_id: int) -> CurrentUser | None:
    return await store.user_by_id(conn, user_id)


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
        email_verified=user.email_verified,
    )


async def account(conn: asyncpg.Connection, actor: CurrentUser) -> AccountOut:
    return AccountOut(
        tokens=await store.list_api_tokens(conn, actor.id),
        session_count=await store.count_sessions(conn, actor.id),
    )
