"""Organisation store verbs under concurrency, and odd identifiers that must not reach SQL."""

from __future__ import annotations

import asyncpg

from civic.db import _init_connection
from civic.orgs import rules
from civic.orgs import store as orgs
from tests.helpers import login, make_partner, make_user, post_form, rows_read
from tests.integration.race import Gate, race


async def _connect(db_url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(db_url)
    await _init_connection(conn)
    return conn


async def test_two_join_requests_at_once_make_one_row(conn, db_url):
    org = await make_partner(conn, "water-fdn")
    uid = await make_user(conn, "joiner@example.com")
    conns = [await _connect(db_url) for _ in range(8)]
    try:
        results = await race(
            [lambda c=c: orgs.request_join(c, org, uid) for c in conns],
            gate=Gate(db_url, ["organisations", "memberships"], expect=8),
            return_exceptions=True,
        )
    finally:
        for c in conns:
            await c.close()
    assert sum(r == "pending" for r in results) == 1
    assert sum(isinstance(r, orgs.AlreadyMember) for r in results) == 7
    assert await conn.fetchval("SELECT count(*) FROM memberships WHERE org_id = $1", org) == 1


async def test_two_admins_deciding_at_once_record_one_decision(conn, db_url):
    org = await make_partner(conn, "pending-one", verification="pending")
    a = await make_user(conn, "a@example.com", role="admin")
    b = await make_user(conn, "b@example.com", role="admin")
    c1, c2 = await _connect(db_url), await _connect(db_url)
    try:
        results = await race(
            [
                lambda: orgs.set_verification(
                    c1, org, decision="verified", reason="", actor_id=a, allowed=rules.TRANSITIONS
                ),
                lambda: orgs.set_verification(
                    c2, org, decision="verified", reason="", actor_id=b, allowed=rules.TRANSITIONS
                ),
            ],
            gate=Gate(db_url, ["organisations", "memberships"], expect=2),
            return_exceptions=True,
        )
    finally:
        await c1.close()
        await c2.close()
    assert sum(not isinstance(r, Exception) for r in results) == 1  # one decision went through
    assert sum(isinstance(r, orgs.InvalidTransition) for r in results) == 1
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'org.verify'") == 1


async def test_register_slug_race_is_409_not_500(conn, db_url):
    uid = await make_user(conn, "lead@example.com")
    conns = [await _connect(db_url) for _ in range(4)]
    try:
        results = await race(
            [
                lambda c=c: orgs.register_organisation(
                    c,
                    user_id=uid,
                    slug="same-slug",
                    slug_base="x",
                    kind="partner",
                    name_th="ชื่อ",
                    partner_type="ngo",
                )
                for c in conns
            ],
            gate=Gate(db_url, ["organisations", "memberships"], expect=4),
            return_exceptions=True,
        )
    finally:
        for c in conns:
            await c.close()
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, orgs.SlugTaken) for r in results) == 3
    # Nothing half-written: one organisation, one admin membership.
    assert await conn.fetchval("SELECT count(*) FROM organisations") == 1
    assert await conn.fetchval("SELECT count(*) FROM memberships") == 1


async def test_huge_ids_are_404_or_409_not_500(client, conn):
    org = await make_partner(conn, "water-fdn")
    admin = await make_user(conn, "admin@example.com", role="admin")
    await orgs.add_member(conn, org, admin, "admin")
    await login(client, "admin@example.com")
    huge = 10**20
    assert (await client.get(f"/admin/partners/{huge}")).status_code == 404
    assert (await post_form(client, f"/admin/partners/{huge}", {"decision": "verified"})).status_code == 404
    r = await post_form(client, f"/organisations/water-fdn/members/{huge}", {"decision": "accept"})
    assert r.status_code == 409


async def test_the_home_pages_agencies_and_partners_are_the_directorys_first_read_from_its_indexes(conn):
    # as many agencies as every local administration would make, and partners half verified
    await conn.execute("""
        INSERT INTO organisations (slug, kind, name_th, level)
        SELECT 'agency-' || g, 'agency', 'หน่วยงาน ' || g, (ARRAY['local', 'regional', 'central'])[1 + g % 3]
        FROM generate_series(1, 3000) g""")
    await conn.execute("""
        INSERT INTO organisations (slug, kind, name_th, partner_type, verification)
        SELECT 'partner-' || g, 'partner', 'มูลนิธิ ' || g, 'ngo', (ARRAY['pending', 'verified'])[1 + g % 2]
        FROM generate_series(1, 3000) g""")
    await conn.execute("ANALYZE organisations")
    agencies, partners = await orgs.directory_heads(conn, 6)
    assert agencies == await orgs.list_organisations(conn, kind="agency", limit=6)
    assert partners == await orgs.list_organisations(conn, kind="partner", verification="verified", limit=6)
    assert [a.level for a in agencies] == ["central"] * 6
    assert all(p.verification == "verified" for p in partners) and len(partners) == 6
    [[plan]] = await conn.fetchrow("EXPLAIN (ANALYZE, FORMAT JSON) " + orgs.DIRECTORY_HEADS.format(n=6))
    # the twelve shown (and each one's parent's name), not the six thousand sorted
    assert rows_read(plan["Plan"], "organisations") <= 24
