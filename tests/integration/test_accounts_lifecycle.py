"""The account lifecycle through the pages and /api/v1, with the mail read from a real SMTP
server (aiosmtpd, tests/mailserver.py): verification, reset, change of password and of address;
expired, reused and forged links; the same answer for unknown addresses; the reset throttle."""

from __future__ import annotations

import re

from civic.accounts import store as accounts
from civic.mail import actions as mail
from civic.web.i18n import gettext
from tests.helpers import PASSWORD, login, make_user, post_form, send_json, text_of

LINK = re.compile(r"https?://[^/\s]+(/(?:account/verify|password/reset|account/email/confirm)/[\w.\-]+)")
NEW_PASSWORD = "ฝนตกหนักที่หาดใหญ่ทั้งคืน"


def th(msgid: str, **params) -> str:
    return gettext("th", msgid, **params)


async def delivered(pool, mail_settings, mailserver, count: int):
    """Sends what is queued, and the messages that have arrived (exactly `count` of them)."""
    await mail.send_due(pool, mail_settings)
    messages = await mailserver.wait_for(count)
    assert len(messages) == count, [m["To"] for m in messages]
    return messages


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    found = LINK.search(text(message))
    assert found, text(message)
    return found.group(1)


async def user_row(conn, email: str):
    return await conn.fetchrow(
        "SELECT id, email, email_verified_at, password_hash FROM users WHERE lower(email) = lower($1)", email
    )


async def events_of(conn, kind: str) -> list:
    return await conn.fetch("SELECT actor_id, visibility, payload FROM events WHERE kind = $1", kind)


# ------------------------------------------------------------------ verification


async def test_register_mails_a_link_that_verifies_once(client, conn, pool, mailserver, mail_settings):
    r = await post_form(
        client,
        "/register",
        {"email": "Malee@Example.com", "display_name": "มาลี", "password": PASSWORD, "lang": "th"},
    )
    assert r.status_code == 303
    assert (await user_row(conn, "malee@example.com"))["email_verified_at"] is None
    me = (await client.get("/api/v1/me")).json()
    assert me["email_verified"] is False

    [message] = await delivered(pool, mail_settings, mailserver, 1)
    assert message["To"] == "Malee@Example.com"
    assert message["Subject"] == th("Verify your email address")
    assert message.get_body(preferencelist=("html",)) is not None
    path = link_in(message)

    # The link opens a page with one button; opening it changes nothing.
    page = await client.get(path)
    assert page.status_code == 200 and th("Verify my email address") in text_of(page.text)
    assert (await user_row(conn, "malee@example.com"))["email_verified_at"] is None

    done = await post_form(client, path)
    assert done.status_code == 303
    assert (await user_row(conn, "malee@example.com"))["email_verified_at"] is not None
    assert (await client.get("/api/v1/me")).json()["email_verified"] is True
    [event] = await events_of(conn, "account.email_verified")
    assert event["visibility"] == "private"
    assert "malee" not in str(event["payload"]).lower() and path.rsplit("/", 1)[1] not in str(
        event["payload"]
    )

    # Reused: said so, in Thai, and nothing changes.
    again = await post_form(client, path)
    assert again.status_code == 400
    assert th("This link has already been used. Ask for a new one if you still need it.") in text_of(
        again.text
    )
    assert len(await events_of(conn, "account.email_verified")) == 1


async def test_resend_is_throttled_and_an_old_link_still_verifies(
    client, conn, pool, mailserver, mail_settings
):
    await make_user(conn, "new@example.com", verified=False)
    await login(client, "new@example.com")
    for _ in range(5):
        r = await post_form(client, "/account/verify/resend")
        assert r.status_code == 303
    refused = await send_json(client, "POST", "/api/v1/account/verify/resend")
    assert refused.status_code == 429
    assert refused.json()["error"]["message"] == th(
        "We have sent you several links in the last hour. Please use one of those, or wait an hour."
    )
    messages = await delivered(pool, mail_settings, mailserver, 5)
    # Any one of them works; using it retires the others.
    first, last = link_in(messages[0]), link_in(messages[-1])
    ok = await send_json(client, "POST", "/api/v1/account/verify", {"token": first.rsplit("/", 1)[1]})
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    used = await send_json(client, "POST", "/api/v1/account/verify", {"token": last.rsplit("/", 1)[1]})
    assert used.status_code == 400 and used.json()["error"]["code"] == "link_used"
    already = await send_json(client, "POST", "/api/v1/account/verify/resend")
    assert already.status_code == 409 and already.json()["error"]["code"] == "already_verified"


async def test_expired_and_forged_links_change_nothing(client, conn, pool, mailserver, mail_settings):
    uid = await make_user(conn, "late@example.com", verified=False)
    await login(client, "late@example.com")
    await post_form(client, "/account/verify/resend")
    [message] = await delivered(pool, mail_settings, mailserver, 1)
    path = link_in(message)
    token = path.rsplit("/", 1)[1]

    forged = [
        path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"),  # tampered signature
        "/account/verify/not-a-token",
        "/password/reset/" + token,  # a verification link is not a reset link
    ]
    for bad in forged:
        page = await client.get(bad)
        assert page.status_code == 400, bad
        assert th(
            "This link is not valid. Check that you opened the whole link from the email, or ask for a new one."
        ) in text_of(page.text)
    api = await send_json(client, "POST", "/api/v1/account/verify", {"token": token + "x"})
    assert api.status_code == 400 and api.json()["error"]["code"] == "link_invalid"

    await conn.execute(
        "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", uid
    )
    expired = await post_form(client, path)
    assert expired.status_code == 400
    assert th("This link has expired. Ask for a new one.") in text_of(expired.text)
    assert (await user_row(conn, "late@example.com"))["email_verified_at"] is None
    assert await conn.fetchval("SELECT count(*) FROM account_tokens WHERE used_at IS NOT NULL") == 0
    assert await events_of(conn, "account.email_verified") == []


# ------------------------------------------------------------------ password reset


async def test_reset_answers_alike_and_ends_every_session_and_token(
    client, make_client, conn, pool, mailserver, mail_settings
):
    await make_user(conn, "somchai@example.com", lang="en", verified=False)
    elsewhere = await make_client()
    await login(elsewhere, "somchai@example.com")
    api_token = (await post_form(elsewhere, "/account/tokens", {"name": "bot"})).status_code
    assert api_token == 201
    [token_row] = await conn.fetch("SELECT id FROM api_tokens")

    known = await post_form(client, "/password/forgot", {"email": "SOMCHAI@example.com"})
    unknown = await post_form(client, "/password/forgot", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert text_of(known.text).replace("SOMCHAI@example.com", "X") == text_of(unknown.text).replace(
        "nobody@example.com", "X"
    )
    api_unknown = await send_json(
        client, "POST", "/api/v1/password/reset-request", {"email": "ghost@example.com"}
    )
    assert api_unknown.status_code == 202 and api_unknown.json() == {
        "status": "reset_requested",
        "sessions_ended": 0,
    }

    [message] = await delivered(pool, mail_settings, mailserver, 1)  # only the known address gets mail
    assert message["To"] == "somchai@example.com"
    assert message["Subject"] == "Choose a new password"  # in the account's language
    path = link_in(message)
    assert path.startswith("/password/reset/")

    weak = await post_form(client, path, {"password": "short"})
    assert weak.status_code == 400
    assert th("Use at least %(min)s characters for your password.", min=8) in text_of(weak.text)
    assert await conn.fetchval("SELECT count(*) FROM account_tokens WHERE used_at IS NOT NULL") == 0

    done = await post_form(client, path, {"password": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/login"
    # Every session and API token ended; the link proved the mailbox too.
    assert await conn.fetchval("SELECT count(*) FROM sessions") == 0
    assert (await elsewhere.get("/account")).status_code in (302, 303, 401)
    assert await conn.fetchval("SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = $1", token_row["id"])
    assert (await user_row(conn, "somchai@example.com"))["email_verified_at"] is not None
    [event] = await events_of(conn, "account.password_reset")
    assert event["visibility"] == "private"
    assert event["payload"] in (
        {"sessions_ended": 1, "tokens_revoked": 1},
        '{"sessions_ended": 1, "tokens_revoked": 1}',
    )

    await login(client, "somchai@example.com", NEW_PASSWORD)
    assert (await client.get("/api/v1/me")).status_code == 200
    reused = await post_form(client, path, {"password": "yet another long password"})
    # Logged in again as an English reader: the refusal is in English.
    assert reused.status_code == 400 and "This link has already been used." in text_of(reused.text)


async def test_100_reset_requests_a_minute_are_throttled_and_reveal_nothing(
    client, conn, pool, mailserver, mail_settings
):
    await make_user(conn, "target@example.com")
    statuses = {"target@example.com": [], "ghost@example.com": []}
    for i in range(100):
        email = "target@example.com" if i % 2 == 0 else "ghost@example.com"
        r = await post_form(client, "/password/forgot", {"email": email})
        statuses[email].append(r.status_code)
        if r.status_code == 429:
            assert r.headers["retry-after"] == "900"
            assert th("Too many password reset requests. Please wait 15 minutes and try again.") in text_of(
                r.text
            )
    # Per address: three, then refused; a known and an unknown address are refused alike.
    assert statuses["target@example.com"] == statuses["ghost@example.com"] == [200] * 3 + [429] * 47
    await delivered(pool, mail_settings, mailserver, 3)

    # Per client: one machine walking through many addresses is stopped too.
    walked = [
        (
            await send_json(client, "POST", "/api/v1/password/reset-request", {"email": f"p{i}@example.com"})
        ).status_code
        for i in range(20)
    ]
    assert walked == [202] * 14 + [429] * 6  # 6 counted above
    refused = await send_json(client, "POST", "/api/v1/password/reset-request", {"email": "q@example.com"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_requests"


async def test_reset_over_the_api(client, conn, pool, mailserver, mail_settings):
    await make_user(conn, "api@example.com")
    await send_json(client, "POST", "/api/v1/password/reset-request", {"email": "api@example.com"})
    [message] = await delivered(pool, mail_settings, mailserver, 1)
    token = link_in(message).rsplit("/", 1)[1]
    bad = await send_json(client, "POST", "/api/v1/password/reset", {"token": token, "password": "x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "password"
    ok = await send_json(client, "POST", "/api/v1/password/reset", {"token": token, "password": NEW_PASSWORD})
    assert ok.status_code == 200 and ok.json()["status"] == "password_reset"
    again = await send_json(
        client, "POST", "/api/v1/password/reset", {"token": token, "password": NEW_PASSWORD}
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "link_used"


# ------------------------------------------------------------------ change password and address


async def test_change_password_needs_the_current_one_and_ends_the_other_sessions(client, make_client, conn):
    await make_user(conn, "pim@example.com")
    await login(client, "pim@example.com")
    other = await make_client()
    await login(other, "pim@example.com")

    wrong = await post_form(
        client, "/account/password", {"current_password": "not it at all", "new_password": "short"}
    )
    assert wrong.status_code == 400
    page = text_of(wrong.text)
    assert th("Your current password is not correct.") in page
    assert th("Use at least %(min)s characters for your password.", min=8) in page
    assert await conn.fetchval("SELECT count(*) FROM sessions") == 2

    ok = await post_form(
        client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert ok.status_code == 303
    assert (await client.get("/account")).status_code == 200  # this session stays
    assert (await other.get("/api/v1/me")).status_code == 401  # the other one ended
    [event] = await events_of(conn, "account.password_changed")
    assert "sessions_ended" in str(event["payload"]) and "pim@" not in str(event["payload"])
    await login(other, "pim@example.com", NEW_PASSWORD)


async def test_change_email_verifies_the_new_address_and_tells_the_old(
    client, conn, pool, mailserver, mail_settings
):
    uid = await make_user(conn, "old@example.com")
    await make_user(conn, "taken@example.com")
    await login(client, "old@example.com")

    taken = await post_form(client, "/account/email", {"email": "taken@example.com", "password": PASSWORD})
    assert taken.status_code == 400
    assert th("An account with this email already exists. Log in instead.") in text_of(taken.text)
    wrong = await send_json(
        client, "POST", "/api/v1/account/email", {"email": "new@example.com", "password": "no"}
    )
    assert wrong.status_code == 422 and [f["key"] for f in wrong.json()["error"]["fields"]] == ["password"]

    r = await post_form(client, "/account/email", {"email": "new@example.com", "password": PASSWORD})
    assert r.status_code == 303
    assert (await user_row(conn, "old@example.com"))["id"] == uid  # not changed yet
    messages = await delivered(pool, mail_settings, mailserver, 2)
    by_to = {m["To"]: m for m in messages}
    notice = by_to["old@example.com"]
    assert notice["Subject"] == th("Someone asked to change your email address")
    assert "n***@example.com" in text(notice) and "new@example.com" not in text(notice)
    assert LINK.search(text(notice)) is None  # the old mailbox cannot complete the change
    path = link_in(by_to["new@example.com"])
    assert path.startswith("/account/email/confirm/")

    assert (await client.get(path)).status_code == 200
    done = await post_form(client, path)
    assert done.status_code == 303
    row = await user_row(conn, "new@example.com")
    assert row["id"] == uid and row["email_verified_at"] is not None
    assert await user_row(conn, "old@example.com") is None
    assert [e["actor_id"] for e in await events_of(conn, "account.email_changed")] == [uid]
    assert (await post_form(client, path)).status_code == 400
    await login(client, "new@example.com")


async def test_a_verification_link_to_a_former_address_proves_nothing(
    client, conn, pool, mailserver, mail_settings
):
    uid = await make_user(conn, "first@example.com", verified=False)
    await login(client, "first@example.com")
    await post_form(client, "/account/verify/resend")
    [message] = await delivered(pool, mail_settings, mailserver, 1)
    await accounts.change_email(conn, uid, "second@example.com")
    await conn.execute("UPDATE users SET email_verified_at = NULL WHERE id = $1", uid)
    r = await post_form(client, link_in(message))
    assert r.status_code == 400
    assert (await user_row(conn, "second@example.com"))["email_verified_at"] is None
