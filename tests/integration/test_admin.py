"""The admin console (issue 22, item 4): roles with a reason and never the last admin, blocking
and unblocking through the accounts action, the audit log's filters, consents and jobs; each page
and its JSON twin, administrators only."""

from __future__ import annotations

from tests.helpers import login, make_user, post_form, send_json, text_of


async def _admin(client, conn, email="root@example.com"):
    admin = await make_user(conn, email, role="admin", name="ผู้ดูแล")
    await login(client, email)
    return admin


async def test_only_admins_reach_the_console(client, make_client, conn):
    await make_user(conn, "mod@example.com", role="moderator")
    await login(client, "mod@example.com")
    for path in ("/admin", "/admin/audit", "/admin/consents", "/admin/jobs"):
        assert (await client.get(path)).status_code == 403, path
        api = "/api/v1/admin/users" if path == "/admin" else "/api/v1" + path
        assert (await client.get(api)).status_code == 403, api
    r = await send_json(client, "POST", "/api/v1/admin/users/1/role", {"role": "admin", "reason": "ขอเอง"})
    assert r.status_code == 403
    assert await conn.fetchval("SELECT role FROM users WHERE email = 'mod@example.com'") == "moderator"


async def test_grant_and_revoke_a_role_with_a_reason(client, conn):
    await _admin(client, conn)
    pim = await make_user(conn, "pim@example.com", name="พิม")
    # Without a reason or a role: every field's problem at once, nothing changed.
    r = await send_json(client, "POST", f"/api/v1/admin/users/{pim}/role", {"role": "", "reason": ""})
    assert r.status_code == 422 and {f["key"] for f in r.json()["error"]["fields"]} == {"role", "reason"}
    page = await post_form(client, f"/admin/users/{pim}/role", {"role": "moderator", "reason": ""})
    assert page.status_code == 400 and 'value="moderator" selected' in page.text.replace("\n", "")
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", pim) == "citizen"

    r = await post_form(client, f"/admin/users/{pim}/role", {"role": "moderator", "reason": "ดูแลบอร์ดภาคเหนือ"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", pim) == "moderator"
    r = await send_json(
        client, "POST", f"/api/v1/admin/users/{pim}/role", {"role": "citizen", "reason": "หมดวาระ"}
    )
    assert r.status_code == 200 and r.json()["user"]["role"] == "citizen"

    kinds = [
        r["kind"]
        for r in await conn.fetch(
            "SELECT kind FROM events WHERE subject_kind = 'user' AND subject_id = $1 AND kind LIKE 'role.%' ORDER BY id",
            pim,
        )
    ]
    assert kinds == ["role.granted", "role.revoked"]
    acts = await conn.fetch("SELECT act, payload FROM record_entries WHERE act LIKE 'role.%' ORDER BY seq")
    assert [a["act"] for a in acts] == ["role.granted", "role.revoked"]
    audit = await conn.fetch(
        "SELECT action, detail FROM audit_log WHERE subject_id = $1 AND action LIKE 'role.%' ORDER BY id", pim
    )
    assert [a["action"] for a in audit] == ["role.granted", "role.revoked"]
    assert audit[0]["detail"]["reason"] == "ดูแลบอร์ดภาคเหนือ"


async def test_the_last_admin_cannot_be_removed(client, conn):
    admin = await _admin(client, conn)
    r = await send_json(
        client, "POST", f"/api/v1/admin/users/{admin}/role", {"role": "moderator", "reason": "ลาออก"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_admin"
    assert "ผู้ดูแล" in r.json()["error"]["message"]
    assert await conn.fetchval("SELECT role FROM users WHERE id = $1", admin) == "admin"
    assert await conn.fetchval("SELECT count(*) FROM events WHERE kind LIKE 'role.%'") == 0
    # With a second administrator, stepping down is allowed.
    await make_user(conn, "second@example.com", role="admin")
    r = await send_json(
        client, "POST", f"/api/v1/admin/users/{admin}/role", {"role": "moderator", "reason": "ลาออก"}
    )
    assert r.status_code == 200


async def test_block_and_unblock_with_a_reason(client, make_client, conn):
    await _admin(client, conn)
    pim = await make_user(conn, "pim@example.com", name="พิม")
    pims = await make_client()
    await login(pims, "pim@example.com")
    assert (await pims.get("/api/v1/me")).status_code == 200

    r = await send_json(client, "POST", f"/api/v1/admin/users/{pim}/block", {"reason": ""})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = await post_form(client, f"/admin/users/{pim}/block", {"reason": "สแปมซ้ำ"})
    assert r.status_code == 303
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", pim) == "blocked"
    assert (await pims.get("/api/v1/me")).status_code == 401  # sessions ended by accounts.set_standing
    again = await send_json(client, "POST", f"/api/v1/admin/users/{pim}/block", {"reason": "อีกครั้ง"})
    assert again.status_code == 409

    r = await send_json(client, "POST", f"/api/v1/admin/users/{pim}/unblock", {"reason": "ชี้แจงแล้ว"})
    assert r.status_code == 200 and r.json()["user"]["status"] == "active"
    await login(pims, "pim@example.com")
    assert (await pims.get("/api/v1/me")).status_code == 200

    kinds = [
        r["act"]
        for r in await conn.fetch("SELECT act FROM record_entries WHERE act LIKE 'user.%' ORDER BY seq")
    ]
    assert kinds == ["user.blocked", "user.unblocked"]
    audit = await conn.fetch("SELECT action, detail FROM audit_log WHERE subject_id = $1 ORDER BY id", pim)
    assert [(a["action"], a["detail"]["reason"]) for a in audit] == [
        ("user.block", "สแปมซ้ำ"),
        ("user.unblock", "ชี้แจงแล้ว"),
    ]
    page = text_of((await client.get(f"/admin/users/{pim}")).text)
    assert "สแปมซ้ำ" in page and "ชี้แจงแล้ว" in page


async def test_an_admin_cannot_block_themselves(client, conn):
    admin = await _admin(client, conn)
    r = await send_json(client, "POST", f"/api/v1/admin/users/{admin}/block", {"reason": "ทดสอบ"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "user_id"
    assert await conn.fetchval("SELECT status FROM users WHERE id = $1", admin) == "active"


async def test_audit_log_filters_by_actor_act_and_date(client, conn):
    admin = await _admin(client, conn)
    other = await make_user(conn, "other@example.com", role="moderator", name="คนอื่น")
    pim = await make_user(conn, "pim@example.com")
    await conn.execute(
        "INSERT INTO audit_log (actor_id, action, subject_kind, subject_id, at) VALUES "
        "($1, 'idea.hide', 'idea', 1, '2026-01-10 12:00+07'), ($2, 'user.block', 'user', $3, '2026-01-11 00:30+07'),"
        "($2, 'idea.hide', 'idea', 2, '2026-01-12 23:59+07')",
        admin, other, pim,
    )  # fmt: skip
    get = lambda **q: client.get("/api/v1/admin/audit", params=q)  # noqa: E731
    assert (await get(actor="คนอื่น")).json()["total"] == 2
    assert (await get(actor=str(admin), act="idea.")).json()["total"] == 1
    assert (await get(act="user.")).json()["entries"][0]["subject_id"] == pim
    # Bangkok days: 00:30 on the 11th in Bangkok is still the 11th.
    assert [
        e["subject_kind"] for e in (await get(since="2026-01-11", until="2026-01-11")).json()["entries"]
    ] == ["user"]
    bad = await get(since="2026-02-30", until="x")
    assert bad.status_code == 422 and {f["key"] for f in bad.json()["error"]["fields"]} == {"since", "until"}
    page = await client.get("/admin/audit", params={"act": "idea.", "since": "2026-01-12"})
    assert page.status_code == 200 and "idea.hide" in page.text and "user.block" not in page.text
    bad_page = await client.get("/admin/audit", params={"since": "31/01/2026"})
    assert bad_page.status_code == 400 and 'value="31/01/2026"' in bad_page.text


async def test_consents_and_jobs_pages(client, conn):
    await _admin(client, conn)
    pim = await make_user(conn, "pim@example.com", name="พิม")
    await conn.execute(
        "INSERT INTO consent_records (user_id, purpose, granted, channel) VALUES ($1, 'notification_email', false, 'web')",
        pim,
    )
    await conn.execute(
        "INSERT INTO job_runs (name, last_run_at, last_result, runs) VALUES ('privacy.purge_mail', now(), 3, 1)"
    )
    consents = (await client.get("/api/v1/admin/consents", params={"purpose": "notification_email"})).json()
    assert [(c["display_name"], c["granted"]) for c in consents["records"]] == [("พิม", False)]
    assert "พิม" in text_of((await client.get("/admin/consents")).text)
    jobs = (await client.get("/api/v1/admin/jobs")).json()
    assert {"name": "privacy.purge_mail", "last_result": 3}.items() <= {**jobs["jobs"][0]}.items()
    assert "privacy.purge_mail" in (await client.get("/admin/jobs")).text
