"""Demo mail of the account lifecycle, through the same actions as the forms: a newcomer registers
(the verification mail) and a demo citizen asks for a password reset (the reset mail). Both are
queued here and sent by the running app's mail sender (to the catcher in development: /dev/mail)."""

from __future__ import annotations

import asyncpg

from civic.accounts import actions
from civic.accounts.schemas import ClientInfo, RegisterIn, ResetRequestIn

# The one demo account left unverified: its mail shows verification as a newcomer meets it.
NEWCOMER = "newcomer@citizen.example"
FORGETFUL = "pim@citizen.example"


async def seed(conn: asyncpg.Connection, ctx) -> str:
    # Once: a second seed would only add reset mails (and soon meet the reset throttle).
    if await actions.user_by_email(conn, NEWCOMER) is not None:
        return ""
    await actions.register(
        conn,
        RegisterIn(email=NEWCOMER, display_name="มานี มาใหม่", password=ctx.password, lang="th"),
        secret=ctx.secret_key,
    )
    await actions.request_reset(
        conn, ResetRequestIn(email=FORGETFUL), ClientInfo(ip="127.0.0.1"), secret=ctx.secret_key
    )
    return (
        f"  account mail: a verification link for {NEWCOMER} (the one unverified demo account, same "
        f"password) and a password reset link for {FORGETFUL}"
    )
