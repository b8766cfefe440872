"""PDPA against the real database: the export answers for every table that links to a person
(checked against the schema, so a new table cannot be forgotten), erasure leaves the address and
the name nowhere (every text column of every table is searched), the only-admin refusal, the
notice gate, consents taking effect at once, and the retention sweeps."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pyotp

from civic import consumers
from civic.accounts import store as accounts
from civic.ideas import store as ideas_store
from civic.identity import store as identity_store
from civic.orgs import store as orgs
from civic.privacy import actions, rules, store
from tests.helpers import PASSWORD, login, make_agency, make_user, parse, post_form, send_json, text_of
from tests.integration.test_consultations_http import answers, setup
from tests.integration.test_ideas import _idea
from tests.integration.test_identity import _code_for_next_step

# Every column that names a person, by foreign key to users(id) or by name.
LINKS = """
SELECT DISTINCT c.table_name, c.column_name
FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'users'
  AND (c.column_name ~ '(^|_)(user_id|author_id|actor_id|created_by)$'
       OR EXISTS (
           SELECT 1 FROM information_schema.key_column_usage k
           JOIN information_schema.referential_constraints r USING (constraint_schema, constraint_name)
           JOIN information_schema.key_column_usage p
             ON p.constraint_schema = r.unique_constraint_schema AND p.constraint_name = r.unique_constraint_name
           WHERE k.table_schema = 'public' AND k.table_name = c.table_name AND k.column_name = c.column_name
             AND p.table_name = 'users'))
ORDER BY 1, 2
"""
TEXT_COLUMNS = """
SELECT c.table_name, c.column_name FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
  AND (c.data_type IN ('text', 'character varying', 'jsonb', 'json') OR c.udt_name IN ('_text', '_varchar'))
ORDER BY 1, 2
"""

NAME = "สมหญิง ลบได้ Erasable"
EMAIL = "Somying.Erase@Example.org"


async def test_export_answers_for_every_table_that_links_to_a_person(conn):
    covered = {link for e in store.EXPORTS for link in e.covers}
    links = {(r["table_name"], r["column_name"]) for r in await conn.fetch(LINKS)}
    forgotten = links - covered - set(store.NOT_EXPORTED)
    assert not forgotten, (
        f"export these or list them in store.NOT_EXPORTED with a reason: {sorted(forgotten)}"
    )
    # No stale entries either: each listed link still exists.
    assert covered | set(store.NOT_EXPORTED) <= links
    assert all(reason.strip() for reason in store.NOT_EXPORTED.values())


async def test_every_exported_file_and_column_is_documented(conn):
    uid = await make_user(conn, "doc@example.org")
    for e in store.EXPORTS:
        columns, _ = await store.export_rows(conn, e, uid)
        assert e.name in rules.EXPORT_FILES, e.name
        assert set(columns) == set(rules.EXPORT_FILES[e.name][1]), e.name


async def _board(conn, agency: int) -> dict:
    """An open board of the consultation's agency, and an idea on it by someone else."""
    citizen = await make_user(conn, "citizen@example.com")
    board = await ideas_store.create_board(
        conn, slug="hatyai-waste", agency_id=agency, title="ขยะและความสะอาด", description_th="เสนอไอเดีย",
        description_en="", scope="SKA", categories=["ขยะ", "ตลาด"], is_open=True, moderate_first=False,
        support_threshold=3, response_days=30, coowner_ids=[], actor_id=None,
    )  # fmt: skip
    return {"board": board, "users": {"citizen@example.com": citizen}}


async def _active_citizen(client, conn):
    """A person registered through the API (so the registration event and the verification mail
    carry the name and address), who then submits, supports, comments, answers and follows."""
    c = await setup(conn)
    w = await _board(conn, c["mdes"])
    r = await send_json(
        client, "POST", "/api/v1/accounts", {"email": EMAIL, "display_name": NAME, "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    await accounts.set_email_verified(conn, uid, EMAIL)
    await login(client, EMAIL)
    r = await send_json(
        client, "POST", "/api/v1/ideas",
        {"board": "hatyai-waste", "title": "ไฟส่องสว่างซอยวัด", "body": "ซอยมืดมาก ขอไฟ", "category": "ขยะ"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    mine = r.json()["id"]
    other = await _idea(conn, w)
    assert (await send_json(client, "POST", f"/api/v1/ideas/{other}/support")).status_code == 200
    r = await send_json(
        client, "POST", f"/api/v1/ideas/{other}/comments", {"body": f"=1+1 เห็นด้วยครับ ({NAME})"}
    )
    assert r.status_code == 201, r.text
    r = await send_json(
        client, "POST", f"/api/v1/consultations/{c['cid']}/response",
        {"consent": "named", "answers": answers(c["q"], text="ควรมีไฟ")},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    await send_json(client, "POST", "/api/v1/follows", {"target_kind": "idea", "target_id": str(other)})
    return uid, mine, other, c


ISSUER = "https://idp.example.go.th"
# The counter wrote the person's name and address as the person's contact; take-over links them.
COUNTER_SLIP = {"channel": "counter", "person_name": NAME, "person_contact": EMAIL, "consent": True,
                "national_id": "1101700207030"}  # fmt: skip


async def _identity_and_counter(client, make_client, conn, uid: int, c: dict) -> dict:
    """The person verifies their national ID, takes over an idea a counter submitted for them,
    turns two-step login on, links a provider login, and leaves one of each short-lived row
    (a login challenge, an OIDC flow and pending link, a wrong code). Returns the secrets."""
    r = await send_json(
        client, "POST", "/api/v1/me/national-id", {"national_id": COUNTER_SLIP["national_id"]}
    )
    assert r.status_code == 200, r.text
    staff = await make_user(conn, "clerk@mdes.example.org", name="เจ้าหน้าที่เคาน์เตอร์")
    await orgs.add_member(conn, c["mdes"], staff, "member")
    counter = await make_client()
    await login(counter, "clerk@mdes.example.org")
    r = await send_json(counter, "POST", "/api/v1/counter/ideas", {
        "person": {"agency": c["mdes"], **COUNTER_SLIP},
        "idea": {"board": "hatyai-waste", "title": "ถังขยะหน้าตลาด", "body": "ขอถังขยะเพิ่ม"},
    })  # fmt: skip
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    assert (await send_json(client, "POST", "/api/v1/claim", {"code": code})).status_code == 200
    r = await send_json(client, "POST", "/api/v1/me/totp")
    totp_secret = r.json()["secret"]
    r = await send_json(client, "POST", "/api/v1/me/totp/confirm", {"code": pyotp.TOTP(totp_secret).now()})
    assert r.status_code == 201, r.text
    await identity_store.link_identity(conn, ISSUER, "sub-somying-1", uid)
    await identity_store.create_pending_link(conn, ISSUER, "sub-somying-2", uid, timedelta(minutes=10))
    await identity_store.create_flow(
        conn, "state-1", "nonce-1", "verifier-1", "/account", uid, timedelta(minutes=10)
    )
    await identity_store.create_challenge(conn, uid, "/account", timedelta(minutes=5))
    await identity_store.record_failure(conn, uid)
    encrypted = await conn.fetchval("SELECT secret FROM totp_credentials WHERE user_id = $1", uid)
    return {"code": code, "totp_secret": totp_secret, "encrypted": encrypted,
            "recovery_codes": r.json()["recovery_codes"]}  # fmt: skip


async def test_export_zip_holds_everything_documented_and_escapes_formulas(client, make_client, conn, pool):
    uid, mine, other, c = await _active_citizen(client, conn)
    identity = await _identity_and_counter(client, make_client, conn, uid, c)
    await consumers.drain(pool, [actions.PUBLICATION_CONSENTS])
    # Two-step login is on, so making a token asks for a code (the next step's: this one is spent).
    code = _code_for_next_step(identity["totp_secret"])
    r = await post_form(client, "/account/tokens", {"name": "my app", "code": code})
    token = parse(r.text).ids["new-token"] and r.text.split('id="new-token">')[1].split("<")[0]
    r = await client.get("/api/v1/me/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    manifest = json.loads(z.read("manifest.json"))
    assert {"README.txt", "manifest.json"} <= names
    for f in manifest["files"]:
        assert {f["json"], f["csv"]} <= names
        assert f["columns"] and all(f["columns"].values())
    data = {n[:-5]: json.loads(z.read(n)) for n in names if n.endswith(".json") and n != "manifest.json"}
    assert data["profile"] == [data["profile"][0]] and data["profile"][0]["email"] == EMAIL
    taken = await conn.fetchval("SELECT contribution_id FROM assisted_contributions")
    assert [i["id"] for i in data["ideas"]] == [mine, taken]
    assert [s["idea_id"] for s in data["supports"]] == [other]
    assert len(data["idea_comments"]) == 1 and len(data["consultation_responses"]) == 1
    assert data["privacy_notices"][0]["channel"] == "api"
    # The counter's consent came with the idea they took over.
    assert {(x["purpose"], x["granted"]) for x in data["consents"]} == {("publication", True), ("assisted", True)}
    assert data["follows"] and data["sessions"] and data["mail"]
    # Metadata only: no session key, token or hash anywhere.
    raw = b"".join(z.read(n) for n in names)
    secrets = [b"$argon2", client.cookies["civic_session"].encode(), token.encode()]
    secrets += [identity["code"].encode(), identity["totp_secret"].encode(), identity["encrypted"].encode()]
    secrets += [code.encode() for code in identity["recovery_codes"]] + [b"1101700207030", b"verifier-1"]
    assert not [s for s in secrets if s in raw]
    # Identity levels and the counter, as metadata.
    assert data["profile"][0]["id_verified_at"]
    [two_step] = data["two_step_login"]
    assert two_step["enabled_since"] and two_step["recovery_codes_left"] == len(identity["recovery_codes"])
    assert [(x["issuer"], x["subject"]) for x in data["linked_logins"]] == [(ISSUER, "sub-somying-1")]
    [slip] = data["counter_contributions"]
    assert (slip["kind"], slip["contribution_id"], slip["channel"], slip["person_contact"]) == (
        "idea",
        taken,
        "counter",
        EMAIL,
    )
    assert slip["taken_over_at"] and "staff_id" not in slip
    assert data["api_tokens"][0]["name"] == "my app"
    # The CSV passed through csvout: the comment that starts like a formula is quoted as text.
    assert "\"'=1+1 เห็นด้วยครับ" in z.read("idea_comments.csv").decode("utf-8-sig")
    readme = z.read("README.txt").decode()
    assert "ideas.csv" in readme and "support_count" in readme
    # The page twin serves the same zip.
    r = await client.get("/account/export")
    assert r.status_code == 200 and zipfile.ZipFile(io.BytesIO(r.content)).namelist()


async def _occurrences(conn, *needles: str) -> list[str]:
    found = []
    for r in await conn.fetch(TEXT_COLUMNS):
        table, column = r["table_name"], r["column_name"]
        # Identifiers from information_schema, quoted: nothing here comes from input.
        sql = f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE ANY($1::text[])'  # noqa: S608
        if await conn.fetchval(sql, [f"%{n}%" for n in needles]):
            found.append(f"{table}.{column}")
    return found


async def test_erase_leaves_no_address_or_name_anywhere(client, make_client, conn, pool):
    uid, mine, other, c = await _active_citizen(client, conn)
    identity = await _identity_and_counter(client, make_client, conn, uid, c)
    # A wrong password leaves login throttle rows keyed by the address typed.
    stranger = await make_client()
    assert (
        await post_form(stranger, "/login", {"email": EMAIL.upper(), "password": "wrong"})
    ).status_code == 400
    assert (
        await conn.fetchval("SELECT count(*) FROM login_throttle WHERE key LIKE $1", f"{EMAIL.lower()}%") == 2
    )
    await consumers.drain(pool, consumers_list())
    assert await _occurrences(conn, EMAIL, NAME)  # the scan does find them before
    # Two-step login is on: the code is asked too (a recovery code here).
    erase = {"password": PASSWORD, "confirm": True, "code": identity["recovery_codes"][0]}
    r = await send_json(client, "DELETE", "/api/v1/me", erase)
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "erased", "content_removed": False}
    assert (
        await conn.fetchval("SELECT count(*) FROM login_throttle WHERE key LIKE $1", f"{EMAIL.lower()}%") == 0
    )
    assert await conn.fetchrow("SELECT national_id_hash, id_verified_at FROM users WHERE id = $1", uid) == (
        None,
        None,
    )
    for table, column in (
        ("totp_credentials", "user_id"), ("totp_recovery_codes", "user_id"), ("totp_failures", "user_id"),
        ("login_challenges", "user_id"), ("oidc_identities", "user_id"), ("oidc_pending_links", "user_id"),
        ("oidc_flows", "link_user_id"),
    ):  # fmt: skip
        assert not await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", uid), table  # noqa: S608
    # The counter's record stays, the staff member's act and the take-over's link to the tombstone
    # with it; the person's name, contact and ID hash do not.
    slip = await conn.fetchrow("SELECT * FROM assisted_contributions")
    assert (slip["taken_over_by"], slip["person_name"], slip["person_contact"], slip["national_id_hash"]) == (
        uid,
        rules.TOMBSTONE_NAME,
        "",
        None,
    )
    assert slip["staff_id"] is not None
    await consumers.drain(pool, consumers_list())
    # The comment's own words quoted the name: that is the person's content, kept unless they
    # ask for removal, so it is searched apart.
    found = await _occurrences(conn, EMAIL, NAME.split()[-1].lower(), "somying")
    assert found == ["idea_comments.body"], found
    row = await conn.fetchrow(
        "SELECT email, display_name, status, password_hash FROM users WHERE id = $1", uid
    )
    assert (row["email"], row["display_name"], row["status"], row["password_hash"]) == (
        rules.tombstone_email(uid),
        rules.TOMBSTONE_NAME,
        "erased",
        "",
    )
    # Public contributions stay, under the tombstone; supports and answers stay counted.
    html = (await client.get(f"/ideas/{mine}")).text
    assert "deleted account" in text_of(html) and "ผู้ใช้ที่ลบบัญชีแล้ว" in text_of(html)
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", other) == 1
    assert await conn.fetchval("SELECT count(*) FROM consultation_responses") == 1
    for table in (
        "sessions",
        "api_tokens",
        "follows",
        "notifications",
        "privacy_acceptances",
        "consent_records",
    ):
        assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", uid) == 0  # noqa: S608
    # The session is gone: the same client is nobody now, and the account cannot log in.
    assert (await client.get("/api/v1/me")).status_code == 401
    r = await post_form(client, "/login", {"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 400
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM events WHERE kind = 'account.erased' AND actor_id = $1", uid
        )
        == 1
    )


async def test_erase_with_content_removal_tombstones_the_words(client, conn, pool):
    uid, mine, other, c = await _active_citizen(client, conn)
    r = await send_json(
        client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": True, "remove_content": True}
    )
    assert r.status_code == 200, r.text
    assert await _occurrences(conn, EMAIL, "somying", "erasable", "ซอยมืดมาก", "เห็นด้วยครับ") == []
    idea = await conn.fetchrow("SELECT title, hidden_at FROM ideas WHERE id = $1", mine)
    assert idea["title"] == rules.REMOVED_TEXT and idea["hidden_at"] is not None
    assert await conn.fetchval("SELECT consent FROM consultation_responses") == "none"
    assert await conn.fetchval("SELECT support_count FROM ideas WHERE id = $1", other) == 1


def consumers_list():
    from civic.registry import CONSUMERS

    return CONSUMERS


async def test_erase_refuses_the_only_admin_of_an_organisation_and_changes_nothing(client, conn):
    agency = await make_agency(conn, "lonely-agency", name_th="เทศบาลตำบลเหงา")
    uid = await make_user(conn, "admin@lonely.example", name="ผู้ดูแลคนเดียว")
    await orgs.add_member(conn, agency, uid, "admin")
    await login(client, "admin@lonely.example")
    before = await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid)
    r = await send_json(client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": True})
    assert r.status_code == 409 and r.json()["error"]["code"] == "sole_admin"
    assert "เทศบาลตำบลเหงา" in r.json()["error"]["message"]
    # The form says the same, keeps what was ticked, and nothing changed.
    r = await post_form(client, "/account/erase", {"password": PASSWORD, "confirm": "true"})
    assert r.status_code == 409 and "เทศบาลตำบลเหงา" in text_of(r.text)
    assert await conn.fetchrow("SELECT * FROM users WHERE id = $1", uid) == before
    assert await conn.fetchval("SELECT count(*) FROM sessions WHERE user_id = $1", uid) >= 1
    # With a second admin, the first may go.
    second = await make_user(conn, "second@lonely.example")
    await orgs.add_member(conn, agency, second, "admin")
    r = await send_json(client, "DELETE", "/api/v1/me", {"password": PASSWORD, "confirm": True})
    assert r.status_code == 200, r.text


async def test_erase_form_needs_the_password_and_the_tick(client, conn):
    uid = await make_user(conn, "careful@example.org")
    await login(client, "careful@example.org")
    r = await post_form(client, "/account/erase", {"password": "wrong-password", "remove_content": "true"})
    assert r.status_code == 400
    page = text_of(r.text)
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in page or "not correct" in page
    assert 'value="true" checked' in r.text  # what was ticked stays ticked
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", uid) == "active"
    r = await post_form(client, "/account/erase", {"password": PASSWORD, "confirm": "true"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", uid) == "erased"


async def test_a_new_notice_version_is_asked_for_before_anything_else(client, conn, monkeypatch):
    await make_user(conn, "reader@example.org")
    await login(client, "reader@example.org")
    assert (await client.get("/account")).status_code == 200
    monkeypatch.setattr(rules, "CURRENT_NOTICE", rules.CURRENT_NOTICE + 1)
    monkeypatch.setitem(rules.NOTICE_VERSIONS, rules.CURRENT_NOTICE, rules.NOTICE_VERSIONS[1])
    monkeypatch.setattr(rules, "notice_template", lambda version, lang: "privacy/notice_v1_th.html")
    r = await client.get("/account?tab=1")
    assert r.status_code == 303 and r.headers["location"] == "/privacy/accept?next=%2Faccount%3Ftab%3D1"
    r = await client.get("/api/v1/follows")
    assert r.status_code == 403 and r.json()["error"]["code"] == "privacy_notice_required"
    # The rights stay reachable without accepting.
    assert (await client.get("/api/v1/me/export")).status_code == 200
    page = await client.get("/privacy/accept?next=/account")
    assert page.status_code == 200 and any(
        f.get("action") == "/privacy/accept" for f in parse(page.text).forms
    )
    # An old version does not pass; the current one does, and goes back where it was going.
    r = await send_json(client, "POST", "/api/v1/privacy/notice/accept", {"version": 1})
    assert r.status_code == 422
    r = await post_form(client, "/privacy/accept", {"version": str(rules.CURRENT_NOTICE), "next": "/account"})
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert (await client.get("/account")).status_code == 200
    rows = await conn.fetch("SELECT version, channel FROM privacy_acceptances ORDER BY id")
    assert [tuple(r) for r in rows] == [(1, "web"), (2, "web")]


async def test_registration_records_the_notice_with_its_channel(client, conn):
    r = await post_form(
        client,
        "/register",
        {"email": "web@example.org", "display_name": "เว็บ", "password": PASSWORD, "lang": "th"},
    )
    assert r.status_code == 303, r.text[:300]
    row = await conn.fetchrow("SELECT version, channel FROM privacy_acceptances")
    assert tuple(row) == (rules.CURRENT_NOTICE, "web")
    assert (await client.get("/account")).status_code == 200


async def test_withdrawing_consents_takes_effect_at_once(client, conn, pool):
    c = await setup(conn)
    uid = await make_user(conn, "voter@example.org")
    await login(client, "voter@example.org")
    r = await send_json(
        client, "POST", f"/api/v1/consultations/{c['cid']}/response",
        {"consent": "named", "answers": answers(c["q"])},
    )  # fmt: skip
    assert r.status_code == 201
    await conn.execute(
        "INSERT INTO mail_messages (key, user_id, to_address, lang, template, kind) "
        "VALUES ('n1', $1, 'voter@example.org', 'th', 'x', 'idea.answered'), "
        "('a1', $1, 'voter@example.org', 'th', 'x', 'all')",
        uid,
    )
    # Publication: every response stops being published, now.
    r = await post_form(client, "/account/privacy/consents", {"purpose": "publication", "granted": "false"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT consent FROM consultation_responses WHERE user_id = $1", uid) == "none"
    # Notification email: every notice off, queued notices cancelled, account mail untouched.
    r = await send_json(
        client, "POST", "/api/v1/me/consents", {"purpose": "notification_email", "granted": False}
    )
    assert r.status_code == 200
    state = {p["purpose"]: p["granted"] for p in r.json()["purposes"]}
    assert state == {"publication": False, "notification_email": False, "assisted": False}
    prefs = {
        r["email"]
        for r in await conn.fetch("SELECT email FROM notification_preferences WHERE user_id = $1", uid)
    }
    assert prefs == {"off"}
    mail = dict(await conn.fetch("SELECT key, status FROM mail_messages WHERE user_id = $1", uid))
    assert mail == {"n1": "failed", "a1": "queued"}
    # Given again: each notice's default comes back.
    await send_json(client, "POST", "/api/v1/me/consents", {"purpose": "notification_email", "granted": True})
    prefs = {
        r["email"]
        for r in await conn.fetch("SELECT email FROM notification_preferences WHERE user_id = $1", uid)
    }
    assert "off" not in prefs
    kinds = [
        r["kind"]
        for r in await conn.fetch("SELECT kind FROM events WHERE kind LIKE 'privacy.consent%' ORDER BY id")
    ]
    assert kinds == ["privacy.consent_withdrawn", "privacy.consent_withdrawn", "privacy.consent_granted"]
    # A purpose that does not exist is refused, naming the field, with nothing written.
    r = await send_json(client, "POST", "/api/v1/me/consents", {"purpose": "marketing", "granted": True})
    assert r.status_code == 422 and "purpose" in r.text
    assert await conn.fetchval("SELECT count(*) FROM consent_records") == 3
    page = await client.get("/account/privacy")
    assert page.status_code == 200 and "/account/export" in page.text


async def test_retention_sweeps(conn, tmp_path, monkeypatch):
    old = await make_user(conn, "old-unverified@example.org", verified=False)
    fresh = await make_user(conn, "new-unverified@example.org", verified=False)
    kept = await make_user(conn, "verified@example.org")
    await conn.execute(
        "UPDATE users SET created_at = now() - interval '31 days' WHERE id IN ($1, $2)", old, kept
    )
    await conn.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ('\\x01', $1, now() - interval '1 minute'),"
        " ('\\x02', $1, now() + interval '1 day')",
        kept,
    )
    await conn.execute(
        "INSERT INTO login_failures (email, ip, at) VALUES ('a@x.org', '1.2.3.4', now() - interval '8 days'),"
        " ('a@x.org', '1.2.3.4', now())"
    )
    await conn.execute(
        "INSERT INTO mail_messages (key, user_id, to_address, lang, template, status, sent_at, created_at) VALUES"
        " ('old', $1, 'verified@example.org', 'th', 'x', 'sent', now(), now() - interval '91 days'),"
        " ('new', $1, 'verified@example.org', 'th', 'x', 'sent', now(), now())",
        kept,
    )
    assert await actions.purge_expired_sessions(conn) == 1
    assert await actions.purge_login_attempts(conn) == 1
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVIC_ENV", "development")
    caught = tmp_path / "mail"
    caught.mkdir()
    (caught / "20200101T000000000000-0000abcd.eml").write_text("old")
    (caught / "29990101T000000000000-0000abcd.eml").write_text("new")
    import os

    os.utime(caught / "20200101T000000000000-0000abcd.eml", (0, 0))
    assert await actions.purge_mail(conn) == 2
    assert sorted(p.name for p in caught.iterdir()) == ["29990101T000000000000-0000abcd.eml"]
    assert await actions.purge_unverified_accounts(conn) == 1
    assert await conn.fetchval("SELECT array_agg(id ORDER BY id) FROM users") == [fresh, kept]
