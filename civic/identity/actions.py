"""Identity levels, one function per verb: verify a national ID; enrol, use and switch off a TOTP
second factor (with recovery codes); log in with a password and then the code; log in or link an
account through an OpenID Connect provider.

Sessions are started by civic.accounts.actions.start_session, the one place that makes them.
Secrets and codes never reach an event payload, a log or the database in the clear: the ID and
recovery codes as HMACs (civic.identity.rules), the TOTP secret encrypted (Fernet) under a key
derived from SECRET_KEY, so a copy of the database alone cannot mint codes."""

from __future__ import annotations

import base64
import secrets as pysecrets
import time

import asyncpg
import msgspec
import segno
from cryptography.fernet import Fernet

from civic import events
from civic.accounts import actions as accounts
from civic.accounts import rules as token_rules
from civic.accounts.rules import can_log_in
from civic.accounts.schemas import ClientInfo, CurrentUser, LoginIn, NewTokenOut, RegisterIn, TokenIn
from civic.events import IdentityChanged
from civic.identity import oidc, rules, store
from civic.identity.schemas import (
    CodeIn,
    IdentityOut,
    LoginStep,
    NationalIdIn,
    OidcResult,
    RecoveryCodesOut,
    RenewCodesIn,
    TotpSetupOut,
)
from civic.validation import Conflict, DomainError, Forbidden, Invalid, NotFound, Problem, TooMany, raise_if

ID_TAKEN = Problem(
    "This national ID number is already verified on another account. If it is yours, contact us and we will help."
)
CODE_NEEDED = Problem("Enter the 6-digit code from your authenticator app, or a recovery code.")
WRONG_CODE = Problem("This code is not correct. Check the time on your phone and try the newest code.")


class IdAlreadyVerified(Conflict):
    code = "id_already_verified"
    default_msgid = "Your national ID is already verified."


class CodeThrottled(TooMany):
    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many wrong codes. Please wait %(seconds)s seconds and try again.", {"seconds": retry_after}
        )
        self.retry_after = retry_after


class ChallengeExpired(DomainError):
    status = 400
    code = "login_step_expired"
    default_msgid = "This login has expired. Please log in again."


class OidcStateProblem(DomainError):
    """A callback whose state is unknown, already used, or too old: nothing is changed."""

    status = 400
    code = "oidc_state_invalid"
    default_msgid = "This sign-in could not be finished. Nothing was changed. Please start again."


class OidcStateUsed(OidcStateProblem):
    code = "oidc_state_used"
    default_msgid = "This sign-in has already been used. Nothing was changed. Please start again."


class OidcStateExpired(OidcStateProblem):
    code = "oidc_state_expired"
    default_msgid = "This sign-in took too long and has expired. Nothing was changed. Please start again."


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(rules.derive_key(secret, "totp-secret")))


# ------------------------------------------------------------------ the national ID


async def verify_national_id(
    conn: asyncpg.Connection, actor: CurrentUser, data: NationalIdIn, *, secret: str
) -> IdentityOut:
    """One account per ID: the unique index on the hash refuses a second, and the message names
    no other account. Only the HMAC is stored."""
    if actor.id_verified:
        raise IdAlreadyVerified()
    if not rules.can_verify_id(actor):
        raise Forbidden()
    raise_if(rules.validate_national_id(data.national_id))
    digits = rules.national_id_digits(data.national_id)
    assert digits is not None
    async with conn.transaction():
        try:
            await store.set_national_id(conn, actor.id, rules.national_id_hash(secret, digits))
        except store.IdTaken:
            raise Invalid({"national_id": ID_TAKEN}, status=409) from None
        await events.record(
            conn, "identity.id_verified", IdentityChanged(), subject=("user", actor.id), actor_id=actor.id
        )
    return await identity(conn, actor.id, required=False)


async def identity(conn: asyncpg.Connection, user_id: int, *, required: bool) -> IdentityOut:
    user = await accounts.user_by_id(conn, user_id)
    assert user is not None
    return IdentityOut(
        id_verified=user.id_verified,
        totp_enabled=user.totp_enabled,
        totp_required=rules.staff_role_requires_totp(user, required),
        recovery_codes_left=await store.recovery_codes_left(conn, user_id),
        oidc_issuers=await store.linked_issuers(conn, user_id),
    )


# ------------------------------------------------------------------ TOTP


async def _check_code(
    conn: asyncpg.Connection, user_id: int, typed: str, *, secret: str, recovery: bool, confirm: bool = False
) -> DomainError | None:
    """In the caller's transaction: None if `typed` is a right, unused code (now used up), else
    the refusal to raise once that transaction has committed the failure it counted."""
    if rules.totp_throttled(await store.recent_failures(conn, user_id, rules.TOTP_FAILURE_WINDOW)):
        return CodeThrottled(await store.retry_after(conn, user_id, rules.TOTP_FAILURE_WINDOW))
    cred = await store.totp_credential(conn, user_id, lock=True)
    if cred is not None:
        totp_secret = _fernet(secret).decrypt(cred["secret"].encode()).decode()
        step = rules.totp_step(totp_secret, typed, time.time(), cred["last_step"])
        if step is not None and await store.use_step(conn, user_id, step, confirm=confirm):
            return None
        code = rules.recovery_code_form(typed) if recovery else None
        if code and await store.use_recovery_code(conn, user_id, rules.recovery_code_hash(secret, code)):
            return None
    await store.record_failure(conn, user_id)
    return Invalid({"code": WRONG_CODE}, status=400)


async def check_second_factor(
    conn: asyncpg.Connection, actor: CurrentUser, typed: str, *, secret: str
) -> DomainError | None:
    """For verbs that ask for the code again (erasing the account, making an API token): None when
    two-step login is off or `typed` is a right, unused code or recovery code (used up now), else
    the refusal, counted and throttled like the login's, to raise once the caller's transaction
    has committed that count."""
    if not actor.totp_enabled:
        return None
    return await _check_code(conn, actor.id, typed, secret=secret, recovery=True)


async def create_token(conn: asyncpg.Connection, actor: CurrentUser, data: TokenIn, *, secret: str) -> NewTokenOut:
    """accounts.create_token behind the second factor: a token skips the code at every use, so with
    two-step login on it is made only with a current code (or a recovery code), wrong ones counted
    and throttled like the login's. The name and a missing code are said together."""
    errors = token_rules.validate_token_name(token_rules.token_name(data.name))
    if actor.totp_enabled and not data.code.strip():
        errors["code"] = CODE_NEEDED
    raise_if(errors)
    async with conn.transaction():
        refusal = await check_second_factor(conn, actor, data.code, secret=secret)
        if refusal is None:
            created = await accounts.create_token(conn, actor, data)
    if refusal is not None:
        raise refusal
    return created


async def start_totp(conn: asyncpg.Connection, actor: CurrentUser, *, secret: str) -> TotpSetupOut:
    """A new secret to scan; it counts only once confirmed by a first code."""
    if actor.totp_enabled:
        raise Conflict("Two-step login is already on.")
    totp_secret = rules.new_totp_secret()
    await store.start_totp(conn, actor.id, _fernet(secret).encrypt(totp_secret.encode()).decode())
    return _setup(totp_secret, actor.email)


async def pending_totp(conn: asyncpg.Connection, actor: CurrentUser, *, secret: str) -> TotpSetupOut | None:
    """The secret being enrolled (for the page that shows it again), or None."""
    cred = await store.totp_credential(conn, actor.id)
    if cred is None or cred["confirmed_at"] is not None:
        return None
    return _setup(_fernet(secret).decrypt(cred["secret"].encode()).decode(), actor.email)


def _setup(totp_secret: str, account: str) -> TotpSetupOut:
    uri = rules.provisioning_uri(totp_secret, account)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, title="QR code")
    return TotpSetupOut(secret=totp_secret, uri=uri, qr_svg=qr_svg)


async def confirm_totp(
    conn: asyncpg.Connection, actor: CurrentUser, data: CodeIn, *, secret: str
) -> RecoveryCodesOut:
    """The first right code turns two-step login on; the recovery codes are returned this once."""
    if actor.totp_enabled:
        raise Conflict("Two-step login is already on.")
    if await store.totp_credential(conn, actor.id) is None:
        raise NotFound("Start setting up two-step login first.")
    codes = rules.new_recovery_codes()
    async with conn.transaction():
        refusal = await _check_code(conn, actor.id, data.code, secret=secret, recovery=False, confirm=True)
        if refusal is None:
            await store.replace_recovery_codes(conn, actor.id, [rules.recovery_code_hash(secret, c) for c in codes])
            await store.clear_failures(conn, actor.id)
            await events.record(
                conn, "identity.totp_enabled", IdentityChanged(), subject=("user", actor.id), actor_id=actor.id
            )
    if refusal is not None:
        raise refusal
    return RecoveryCodesOut(recovery_codes=codes)


async def renew_recovery_codes(
    conn: asyncpg.Connection, actor: CurrentUser, data: RenewCodesIn, client: ClientInfo, *, secret: str
) -> RecoveryCodesOut:
    """Ten new recovery codes, returned this once; the old ones stop working in the same
    transaction. Needs the password (throttled like a login) or a current code from the app."""
    if not actor.totp_enabled:
        raise Conflict("Two-step login is not on.")
    password_ok = bool(data.password) and await accounts.confirm_password(conn, actor, data.password, client)
    raise_if(rules.validate_renewal(data.password, password_ok, data.code))
    codes = rules.new_recovery_codes()
    async with conn.transaction():
        refusal = (
            None if password_ok else await _check_code(conn, actor.id, data.code, secret=secret, recovery=False)
        )
        if refusal is None:
            await store.replace_recovery_codes(conn, actor.id, [rules.recovery_code_hash(secret, c) for c in codes])
            await events.record(
                conn, "identity.recovery_codes_renewed", IdentityChanged(), subject=("user", actor.id), actor_id=actor.id
            )
    if refusal is not None:
        raise refusal
    return RecoveryCodesOut(recovery_codes=codes)


async def disable_totp(conn: asyncpg.Connection, actor: CurrentUser, data: CodeIn, *, secret: str, required: bool) -> None:
    """Needs a current code (or a recovery code); staff whose role requires it cannot."""
    if not actor.totp_enabled:
        raise Conflict("Two-step login is not on.")
    if not rules.can_disable_totp(actor, required):
        raise Forbidden("Moderators and administrators must keep two-step login on.")
    async with conn.transaction():
        refusal = await _check_code(conn, actor.id, data.code, secret=secret, recovery=True)
        if refusal is None:
            await store.remove_totp(conn, actor.id)
            await events.record(
                conn, "identity.totp_disabled", IdentityChanged(), subject=("user", actor.id), actor_id=actor.id
            )
    if refusal is not None:
        raise refusal


# ------------------------------------------------------------------ logging in


async def log_in(conn: asyncpg.Connection, data: LoginIn, client: ClientInfo, next_path: str) -> LoginStep:
    """The password (accounts.authenticate, with its throttle); then a session, or, when two-step
    login is on, a challenge for the code step."""
    user_id = await accounts.authenticate(conn, data, client)
    return await _proved(conn, user_id, client, next_path)


async def _proved(conn: asyncpg.Connection, user_id: int, client: ClientInfo, next_path: str) -> LoginStep:
    user = await accounts.user_by_id(conn, user_id)
    assert user is not None
    step = LoginStep(user_id=user_id, lang=user.lang, next_path=next_path)
    if user.totp_enabled:
        token = await store.create_challenge(conn, user_id, next_path, rules.CHALLENGE_LIFETIME)
        return msgspec.structs.replace(step, challenge=token)
    return msgspec.structs.replace(step, session_token=await accounts.start_session(conn, user_id, client))


async def check_challenge(conn: asyncpg.Connection, challenge: str | None) -> None:
    if not challenge or await store.challenge(conn, challenge) is None:
        raise ChallengeExpired()


async def second_step(
    conn: asyncpg.Connection, challenge: str | None, data: CodeIn, client: ClientInfo, *, secret: str
) -> LoginStep:
    """The code (or a recovery code) after the password; a wrong one is counted and throttled."""
    row = await store.challenge(conn, challenge) if challenge else None
    if row is None:
        raise ChallengeExpired()
    async with conn.transaction():
        refusal = await _check_code(conn, row["user_id"], data.code, secret=secret, recovery=True)
        if refusal is None:
            await store.end_challenge(conn, challenge)
            await store.clear_failures(conn, row["user_id"])
            token = await accounts.start_session(conn, row["user_id"], client)
    if refusal is not None:
        raise refusal
    user = await accounts.user_by_id(conn, row["user_id"])
    lang = user.lang if user else "th"
    return LoginStep(user_id=row["user_id"], lang=lang, session_token=token, next_path=row["next_path"])


# ------------------------------------------------------------------ OpenID Connect


async def oidc_start(
    conn: asyncpg.Connection, actor: CurrentUser | None, next_path: str, config: oidc.OidcConfig
) -> str:
    """The provider's URL to send the browser to; state, nonce and the PKCE verifier stay here."""
    auth = await oidc.authorisation(config)
    await store.create_flow(
        conn, auth.state, auth.nonce, auth.code_verifier, next_path, actor.id if actor else None, rules.OIDC_FLOW_LIFETIME
    )
    return auth.url


async def _take_flow(conn: asyncpg.Connection, state: str) -> asyncpg.Record:
    """Uses the state up at once (committed, whatever follows): a state works once."""
    row = await store.use_flow(conn, state) if state else None
    if row is not None:
        return row
    known = await store.flow_state(conn, state) if state else None
    if known is None:
        raise OidcStateProblem()
    problem = rules.flow_problem(known["used_at"], known["expires_at"], known["now"])
    raise OidcStateUsed() if problem == "used" else OidcStateExpired()


async def oidc_finish(
    conn: asyncpg.Connection,
    actor: CurrentUser | None,
    state: str,
    code: str,
    client: ClientInfo,
    config: oidc.OidcConfig,
    provider_name: str,
    *,
    secret: str,
) -> OidcResult:
    flow = await _take_flow(conn, state)
    claims = await oidc.claims(config, code, flow["code_verifier"], flow["nonce"])
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = str(claims.get("email") or "").strip()
    linked = await store.linked_user(conn, issuer, subject)
    linking = actor if actor is not None and flow["link_user_id"] == actor.id else None
    owner = await accounts.user_by_email(conn, email) if email else None
    outcome = rules.oidc_outcome(linked, linking, owner.id if owner else None)
    params = {"provider": provider_name}
    if outcome == "already_linked":
        raise Conflict("This %(provider)s login is already linked to an account.", params)
    if outcome == "unverified":
        raise Forbidden("Verify your email address first; then you can link %(provider)s to your account.", params)
    if outcome == "email_taken":
        raise Conflict(
            "An account with this email address already exists. Log in with your password first, "
            "then link %(provider)s from your account page.",
            params,
        )
    if outcome == "confirm":
        assert linking is not None
        token = await store.create_pending_link(conn, issuer, subject, linking.id, rules.OIDC_LINK_LIFETIME)
        return OidcResult(outcome="confirm", link_token=token, next_path=flow["next_path"])
    if outcome == "login":
        assert linked is not None
        user = await accounts.user_by_id(conn, linked)
        if user is None or not can_log_in(user.status):
            raise Forbidden("This account has been blocked.")
        return OidcResult(outcome="login", step=await _proved(conn, linked, client, flow["next_path"]))
    if not email:
        raise Invalid({"email": Problem("The identity provider did not give an email address.")})
    register = RegisterIn(
        email=email, display_name=rules.oidc_display_name(claims, email), password=pysecrets.token_urlsafe(32)
    )
    async with conn.transaction():
        signed_in = await accounts.register(conn, register, client, secret=secret)
        user_id = signed_in.user.id
        await store.link_identity(conn, issuer, subject, user_id)
        # Only the provider's word that it checked the address makes it verified here.
        if claims.get("email_verified") is True:
            await store.mark_email_verified(conn, user_id)
        await events.record(
            conn, "identity.oidc_linked", IdentityChanged(method=issuer), subject=("user", user_id), actor_id=user_id
        )
    step = LoginStep(user_id=user_id, session_token=signed_in.session_token, next_path=flow["next_path"])
    return OidcResult(outcome="login", step=step)


async def check_pending_link(conn: asyncpg.Connection, actor: CurrentUser, token: str) -> str:
    """The issuer a pending link would add (for its confirm page), or NotFound."""
    row = await store.pending_link(conn, token, actor.id)
    if row is None:
        raise NotFound("This link request has expired or was already used. Please start again.")
    return row["issuer"]


async def confirm_link(conn: asyncpg.Connection, actor: CurrentUser, token: str) -> IdentityOut:
    """The logged-in owner confirms: from now on the provider's login opens this account."""
    async with conn.transaction():
        row = await store.take_pending_link(conn, token, actor.id)
        if row is None:
            raise NotFound("This link request has expired or was already used. Please start again.")
        try:
            await store.link_identity(conn, row["issuer"], row["subject"], actor.id)
        except store.AlreadyLinked:
            raise Conflict("This login is already linked to an account.") from None
        await events.record(
            conn,
            "identity.oidc_linked",
            IdentityChanged(method=row["issuer"]),
            subject=("user", actor.id),
            actor_id=actor.id,
        )
    return await identity(conn, actor.id, required=False)
