"""Organisations SQL: agencies, partners, memberships."""

from __future__ import annotations

import asyncpg

from civic.orgs.schemas import Organisation

ORG_COLUMNS = """
o.id, o.slug, o.kind, o.name_th, o.name_en, o.description, o.province, o.website, o.contact_email,
o.level, o.parent_id, o.partner_type, o.verification, o.rejection_reason, o.created_at,
(SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.status = 'active') AS member_count,
(SELECT p.name_th FROM organisations p WHERE p.id = o.parent_id) AS parent_name_th
"""

LIST_ORGS = f"""
SELECT {ORG_COLUMNS}
FROM organisations o
WHERE ($1::text IS NULL OR o.kind = $1)
  AND ($2::text IS NULL OR o.verification = $2)
  AND ($3::text IS NULL OR o.level = $3)
  AND ($4::text IS NULL OR o.province = $4)
  AND ($5::text IS NULL OR o.partner_type = $5)
  AND ($6::text IS NULL OR o.name_th ILIKE '%' || $6 || '%' OR o.name_en ILIKE '%' || $6 || '%')
ORDER BY o.kind, CASE o.level WHEN 'central' THEN 0 WHEN 'regional' THEN 1 WHEN 'local' THEN 2 ELSE 3 END, o.name_th
LIMIT $7 OFFSET $8
"""


def _org(row: asyncpg.Record) -> Organisation:
    return Organisation(**dict(row))


async def list_organisations(
    conn: asyncpg.Connection,
    *,
    kind: str | None = None,
    verification: str | None = None,
    level: str | None = None,
    province: str | None = None,
    partner_type: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Organisation]:
    rows = await conn.fetch(
        LIST_ORGS, kind, verification, level, province, partner_type, q or None, limit, offset
    )
    return [_org(r) for r in rows]


async def get_organisation(conn: asyncpg.Connection, slug_or_id: str | int) -> Organisation | None:
    if isinstance(slug_or_id, int):
        row = await conn.fetchrow(f"SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1", slug_or_id)
    else:
        row = await conn.fetchrow(f"SELECT {ORG_COLUMNS} FROM organisations o WHERE o.slug = $1", slug_or_id)
    return _org(row) if row else None


async def create_organisation(
    conn: asyncpg.Connection,
    *,
    slug: str,
    kind: str,
    name_th: str,
    name_en: str = "",
    description: str = "",
    province: str | None = None,
    level: str | None = None,
    parent_id: int | None = None,
    partner_type: str | None = None,
    verification: str = "pending",
    website: str = "",
    contact_email: str = "",
    created_by: int | None = None,
) -> int:
    return await conn.fetchval(
        """INSERT INTO organisations (slug, kind, name_th, name_en, description, province, level, parent_id,
                                      partner_type, verification, website, contact_email, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id""",
        slug,
        kind,
        name_th,
        name_en,
        description,
        province,
        level,
        parent_id,
        partner_type,
        "verified" if kind == "agency" else verification,
        website,
        contact_email,
        created_by,
    )


async def add_member(
    conn: asyncpg.Connection, org_id: int, user_id: int, role: str = "member", status: str = "active"
) -> None:
    await conn.execute(
        "INSERT INTO memberships (org_id, user_id, role, status) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (org_id, user_id) DO UPDATE SET role = EXCLUDED.role, status = EXCLUDED.status",
        org_id,
        user_id,
        role,
        status,
    )
