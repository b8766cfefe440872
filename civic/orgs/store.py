"""Organisations SQL: agencies, partners, memberships."""

from __future__ import annotations

import re

import asyncpg

from civic.accounts.store import audit
from civic.orgs.schemas import Member, Organisation, OrgRef

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class SlugTaken(Exception):
    """The chosen web address belongs to another organisation."""


class AlreadyMember(Exception):
    """A membership or a join request already exists."""


class NotPending(Exception):
    """There is no waiting join request for this person."""


class InvalidTransition(Exception):
    """The verification decision does not apply to the organisation's current status."""

    def __init__(self, current: str) -> None:
        super().__init__(current)
        self.current = current


ORG_COLUMNS = """
o.id, o.slug, o.kind, o.name_th, o.name_en, o.description, o.province, o.website, o.contact_email,
o.level, o.parent_id, o.partner_type, o.verification, o.rejection_reason, o.created_at,
(SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.status = 'active') AS member_count,
(SELECT p.name_th FROM organisations p WHERE p.id = o.parent_id) AS parent_name_th
"""

# Rejected partners leave the public directory ($7 = false) but stay listable for admins.
# $6 is a LIKE pattern built by _like_pattern(), with %, _ and \\ escaped.
ORG_FILTERS = """
WHERE ($1::text IS NULL OR o.kind = $1)
  AND ($2::text IS NULL OR o.verification = $2)
  AND ($3::text IS NULL OR o.level = $3)
  AND ($4::text IS NULL OR o.province = $4)
  AND ($5::text IS NULL OR o.partner_type = $5)
  AND ($6::text IS NULL OR o.name_th ILIKE $6 OR o.name_en ILIKE $6 OR o.slug ILIKE $6)
  AND ($7::bool OR o.kind = 'agency' OR o.verification <> 'rejected')
"""

LIST_ORGS = f"""
SELECT {ORG_COLUMNS}
FROM organisations o
{ORG_FILTERS}
ORDER BY o.kind, CASE o.level WHEN 'central' THEN 0 WHEN 'regional' THEN 1 WHEN 'local' THEN 2 ELSE 3 END,
         o.name_th, o.id
LIMIT $8 OFFSET $9
"""

COUNT_ORGS = f"SELECT count(*) FROM organisations o {ORG_FILTERS}"


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
    include_rejected: bool = False,
) -> list[Organisation]:
    rows = await conn.fetch(
        LIST_ORGS,
        kind,
        verification,
        level,
        province,
        partner_type,
        _like_pattern(q),
        include_rejected,
        limit,
        offset,
    )
    return [_org(r) for r in rows]


async def count_organisations(
    conn: asyncpg.Connection,
    *,
    kind: str | None = None,
    verification: str | None = None,
    level: str | None = None,
    province: str | None = None,
    partner_type: str | None = None,
    q: str | None = None,
    include_rejected: bool = False,
) -> int:
    return await conn.fetchval(
        COUNT_ORGS, kind, verification, level, province, partner_type, _like_pattern(q), include_rejected
    )


def _like_pattern(q: str | None) -> str | None:
    q = (q or "").strip()
    if not q:
        return None
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def get_organisation(conn: asyncpg.Connection, slug_or_id: str | int) -> Organisation | None:
    if isinstance(slug_or_id, str) and not _SLUG_RE.match(slug_or_id):
        return None  # never send odd bytes (NUL...) to the database
    if isinstance(slug_or_id, int) and not 0 < slug_or_id < 2**63:
        return None  # out of bigint range: asyncpg would raise
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


CHILDREN = """
SELECT id, slug, name_th, name_en, level, province FROM organisations
WHERE parent_id = $1 ORDER BY CASE level WHEN 'central' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END, name_th
"""


async def child_agencies(conn: asyncpg.Connection, org_id: int) -> list[OrgRef]:
    return [OrgRef(**dict(r)) for r in await conn.fetch(CHILDREN, org_id)]


AGENCY_CHOICES = "SELECT id, slug, name_th, name_en, level, province FROM organisations WHERE kind = 'agency' ORDER BY name_th"


async def agency_choices(conn: asyncpg.Connection) -> list[OrgRef]:
    return [OrgRef(**dict(r)) for r in await conn.fetch(AGENCY_CHOICES)]


# Taken slugs that share the base, so the next free "-N" is found in one query.
SLUGS_LIKE = "SELECT slug FROM organisations WHERE slug = $1 OR slug LIKE $1 || '-%'"


async def free_slug(conn: asyncpg.Connection, base: str) -> str:
    taken = {r["slug"] for r in await conn.fetch(SLUGS_LIKE, base)}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def register_organisation(
    conn: asyncpg.Connection, *, user_id: int, slug: str | None, slug_base: str, **fields
) -> int:
    """Create the organisation and make the registering user its admin, in one transaction.

    slug: chosen by the user (SlugTaken when it is in use); None to derive one from slug_base.
    Partners start pending whatever the caller says; the UNIQUE constraint settles races."""
    async with conn.transaction():
        if slug is None:
            slug = await free_slug(conn, slug_base)
        if fields.get("kind") == "partner":
            fields["verification"] = "pending"
        try:
            async with conn.transaction():
                org_id = await create_organisation(conn, slug=slug, created_by=user_id, **fields)
        except asyncpg.UniqueViolationError:
            raise SlugTaken(slug) from None
        await add_member(conn, org_id, user_id, "admin", "active")
        await audit(
            conn,
            actor_id=user_id,
            action="org.register",
            subject_kind="organisation",
            subject_id=org_id,
            org_id=org_id,
            detail={"kind": fields.get("kind"), "slug": slug},
        )
    return org_id


MEMBERSHIP_STATUS = "SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2"


async def membership_status(conn: asyncpg.Connection, org_id: int, user_id: int) -> str | None:
    return await conn.fetchval(MEMBERSHIP_STATUS, org_id, user_id)


# The primary key (org_id, user_id) keeps one request per person, even when two arrive at once.
REQUEST_JOIN = """
INSERT INTO memberships (org_id, user_id, role, status) VALUES ($1, $2, 'member', 'pending')
ON CONFLICT (org_id, user_id) DO NOTHING RETURNING status
"""


async def request_join(conn: asyncpg.Connection, org_id: int, user_id: int) -> str:
    async with conn.transaction():
        status = await conn.fetchval(REQUEST_JOIN, org_id, user_id)
        if status is None:
            raise AlreadyMember()
    return status


LIST_MEMBERS = """
SELECT m.user_id, u.display_name, m.role, m.status, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1
ORDER BY m.status DESC, m.role, u.display_name, m.user_id
"""


async def list_members(conn: asyncpg.Connection, org_id: int) -> list[Member]:
    return [Member(**dict(r)) for r in await conn.fetch(LIST_MEMBERS, org_id)]


LOCK_PENDING = "SELECT status FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE"
ACCEPT = "UPDATE memberships SET status = 'active' WHERE org_id = $1 AND user_id = $2"
DECLINE = "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2"


async def decide_join_request(
    conn: asyncpg.Connection, org_id: int, user_id: int, *, accept: bool, actor_id: int
) -> None:
    """Accept (the request becomes an active membership) or decline (it is removed)."""
    if not 0 < user_id < 2**63:
        raise NotPending()
    async with conn.transaction():
        status = await conn.fetchval(LOCK_PENDING, org_id, user_id)
        if status != "pending":
            raise NotPending()
        await conn.execute(ACCEPT if accept else DECLINE, org_id, user_id)
        await audit(
            conn,
            actor_id=actor_id,
            action="org.member.accept" if accept else "org.member.decline",
            subject_kind="user",
            subject_id=user_id,
            org_id=org_id,
        )


LOCK_ORG = "SELECT kind, verification FROM organisations WHERE id = $1 FOR UPDATE"
SET_VERIFICATION = """
UPDATE organisations
SET verification = $2, rejection_reason = $3, verified_at = now(), verified_by = $4
WHERE id = $1
"""


async def set_verification(
    conn: asyncpg.Connection, org_id: int, *, decision: str, reason: str, actor_id: int, allowed: dict
) -> None:
    """allowed: rules.TRANSITIONS (passed in, so policy stays in rules)."""
    async with conn.transaction():
        row = await conn.fetchrow(LOCK_ORG, org_id)
        if row is None or row["kind"] != "partner":
            raise InvalidTransition(row["verification"] if row else "")
        if decision not in allowed.get(row["verification"], ()):
            raise InvalidTransition(row["verification"])
        await conn.execute(
            SET_VERIFICATION, org_id, decision, reason if decision == "rejected" else "", actor_id
        )
        await audit(
            conn,
            actor_id=actor_id,
            action=f"org.{'verify' if decision == 'verified' else 'reject'}",
            subject_kind="organisation",
            subject_id=org_id,
            org_id=org_id,
            detail={"from": row["verification"], "to": decision, "reason": reason},
        )
