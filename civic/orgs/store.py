"""Organisations SQL: agencies, partners, memberships."""

from __future__ import annotations

import re

import asyncpg

from civic import thai
from civic.audit import audit
from civic.orgs.schemas import Member, MemberDetail, Organisation, OrgRef
from civic.thai import normalise

_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


class SlugTaken(Exception):
    """The chosen web address belongs to another organisation."""


class AlreadyMember(Exception):
    """A membership or a join request already exists."""


class NotPending(Exception):
    """There is no waiting join request for this person."""


class NotMember(Exception):
    """The person has no active membership (or, when leaving, no membership at all)."""


class NotAnAdmin(Exception):
    """The person acting is no longer an admin of the organisation."""


class LastAdmin(Exception):
    """The change would leave the organisation without an admin."""


class NotRejected(Exception):
    """Only a rejected partner can be resubmitted."""


class InvalidParent(Exception):
    """The chosen parent agency is the organisation itself or one of the agencies under it."""


class InvalidTransition(Exception):
    """The verification decision does not apply to the organisation's current status."""

    def __init__(self, current: str) -> None:
        super().__init__(current)
        self.current = current


ORG_COLUMNS = """
o.id, o.slug, o.kind, o.name_th, o.name_en, o.description, o.province, o.website, o.contact_email,
o.level, o.parent_id, o.partner_type, o.verification, o.rejection_reason, o.created_at, o.resubmitted_at,
o.skills,
(SELECT count(*) FROM memberships m WHERE m.org_id = o.id AND m.status = 'active') AS member_count,
(SELECT p.name_th FROM organisations p WHERE p.id = o.parent_id) AS parent_name_th
"""

# Rejected partners leave the public directory ($7 = false) but stay listable for admins.
# Name search ($6, $8, $9 from name_query()): the normalised query as a substring of the
# normalised names or of the slug, the folded query as a substring of the folded names (so
# "เชียงไหม่" finds "เชียงใหม่"), or, for other typos, a word similarity of the folded query to
# some stretch of the folded names of at least $10. LIKE patterns have %, _ and \\ escaped.
ORG_FILTERS = """
WHERE ($1::text IS NULL OR o.kind = $1)
  AND ($2::text IS NULL OR o.verification = $2)
  AND ($3::text IS NULL OR o.level = $3)
  AND ($4::text IS NULL OR o.province = $4)
  AND ($5::text IS NULL OR o.partner_type = $5)
  AND ($6::text IS NULL OR o.search_name LIKE $6 OR o.slug LIKE $6 OR o.search_fold LIKE $8
       OR word_similarity(org_name_fold($9), o.search_fold) >= $10)
  AND ($7::bool OR o.kind = 'agency' OR o.verification <> 'rejected')
"""

_LEVEL_RANK = "CASE o.level WHEN 'central' THEN 0 WHEN 'regional' THEN 1 WHEN 'local' THEN 2 ELSE 3 END"

# With a query, exact (normalised) substring matches first, then the closest typo matches.
LIST_ORGS = f"""
SELECT {ORG_COLUMNS}
FROM organisations o
{ORG_FILTERS}
ORDER BY ($6::text IS NULL OR o.search_name LIKE $6 OR o.slug LIKE $6) DESC,
         ($6::text IS NULL OR o.search_fold LIKE $8) DESC,
         word_similarity(org_name_fold($9), o.search_fold) DESC NULLS LAST,
         o.kind, {_LEVEL_RANK}, o.name_th, o.id
LIMIT $11 OFFSET $12
"""

COUNT_ORGS = f"SELECT count(*) FROM organisations o {ORG_FILTERS}"

# A query's folded trigrams must cover at least half of some stretch of a name: "เชียงใม่" or
# "เขียงใหม่" still find เชียงใหม่ (0.5, 0.56), "เชียงราย" does not (0.33).
TYPO_SIMILARITY = 0.5


def name_query(q: str | None) -> tuple[str | None, str | None, str | None]:
    """(normalised LIKE pattern, folded LIKE pattern, normalised query) for ORG_FILTERS."""
    normal = normalise(q or "")
    if not normal:
        return None, None, None
    folded = fold(normal)
    return _like(normal), _like(folded), normal


def search_name(name_th: str, name_en: str) -> str:
    """What the directory matches queries against (the trigger in migration 0005 folds it)."""
    return normalise(f"{name_th} {name_en}")


def fold(text: str) -> str:
    """The same fold as the SQL function org_name_fold (migration 0005)."""
    return text.translate(_FOLD)


_FOLD = str.maketrans({"ใ": "ไ", "ศ": "ส", "ษ": "ส", "ณ": "น", "ฬ": "ล"} | dict.fromkeys("่้๊๋์็"))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _org(row: asyncpg.Record) -> Organisation:
    return Organisation(**dict(row))


def _filter_args(kind, verification, level, province, partner_type, q, include_rejected) -> tuple:
    """$1..$10 of ORG_FILTERS, in order."""
    normal_like, fold_like, normal = name_query(q)
    return (
        kind,
        verification,
        level,
        province,
        partner_type,
        normal_like,
        include_rejected,
        fold_like,
        normal,
        TYPO_SIMILARITY,
    )


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
    args = _filter_args(kind, verification, level, province, partner_type, q, include_rejected)
    rows = await conn.fetch(LIST_ORGS, *args, limit, offset)
    return [_org(r) for r in rows]


# The directory's first agencies and verified partners, in its order, each read from its own index
# (migration 0201): the general statement sorted every organisation first.
DIRECTORY_HEADS = f"""
(SELECT {ORG_COLUMNS} FROM organisations o WHERE o.kind = 'agency' ORDER BY {_LEVEL_RANK}, o.name_th, o.id LIMIT {{n}})
UNION ALL
(SELECT {ORG_COLUMNS} FROM organisations o WHERE o.kind = 'partner' AND o.verification = 'verified'
 ORDER BY o.name_th, o.id LIMIT {{n}})
"""


async def directory_heads(conn: asyncpg.Connection, n: int) -> tuple[list[Organisation], list[Organisation]]:
    """The first `n` agencies and the first `n` verified partners, as list_organisations orders them."""
    orgs = [_org(r) for r in await conn.fetch(DIRECTORY_HEADS.format(n=int(n)))]
    return [o for o in orgs if o.kind == "agency"], [o for o in orgs if o.kind == "partner"]


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
    args = _filter_args(kind, verification, level, province, partner_type, q, include_rejected)
    return await conn.fetchval(COUNT_ORGS, *args)


async def get_organisation(conn: asyncpg.Connection, slug_or_id: str | int) -> Organisation | None:
    if isinstance(slug_or_id, str) and not _SLUG_RE.fullmatch(slug_or_id):
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
                                      partner_type, verification, website, contact_email, created_by,
                                      search_name)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id""",
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
        search_name(name_th, name_en),
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


CHILDREN = "SELECT id, slug, name_th, name_en, level, province FROM organisations WHERE parent_id = $1"
# Higher levels of government first; within a level, Thai dictionary order (the database's
# collation sorts Thai by code point).
LEVEL_RANK = {"central": 0, "regional": 1}


async def child_agencies(conn: asyncpg.Connection, org_id: int) -> list[OrgRef]:
    rows = thai.thai_sorted(await conn.fetch(CHILDREN, org_id), key=lambda r: r["name_th"])
    return [OrgRef(**dict(r)) for r in sorted(rows, key=lambda r: LEVEL_RANK.get(r["level"], 2))]


AGENCY_CHOICES = "SELECT id, slug, name_th, name_en, level, province FROM organisations WHERE kind = 'agency' ORDER BY name_th"


async def agency_choices(conn: asyncpg.Connection) -> list[OrgRef]:
    rows = thai.thai_sorted(await conn.fetch(AGENCY_CHOICES), key=lambda r: r["name_th"])
    return [OrgRef(**dict(r)) for r in rows]


NAMES_BY_SLUG = "SELECT slug, name_th, name_en FROM organisations WHERE slug = ANY($1::text[])"


async def names_by_slug(conn: asyncpg.Connection, slugs: list[str], lang: str) -> dict[str, str]:
    """Display names in `lang` (Thai when there is no English one) for the slugs that exist."""
    rows = await conn.fetch(NAMES_BY_SLUG, slugs) if slugs else []
    return {r["slug"]: (r["name_en"] if lang == "en" and r["name_en"] else r["name_th"]) for r in rows}


# Taken slugs that share the base, so the next free "-N" is found in one query.
SLUGS_LIKE = "SELECT slug FROM organisations WHERE slug = $1 OR slug LIKE $1 || '-%'"


async def free_slug(conn: asyncpg.Connection, base: str, *, numbered: bool = False) -> str:
    """base, else base-2, base-3...; numbered: always a number, from base-1."""
    taken = {r["slug"] for r in await conn.fetch(SLUGS_LIKE, base)}
    if not numbered and base not in taken:
        return base
    n = 1 if numbered else 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


async def register_organisation(
    conn: asyncpg.Connection,
    *,
    user_id: int,
    slug: str | None,
    slug_base: str,
    slug_numbered: bool = False,
    **fields,
) -> int:
    """Create the organisation and make the registering user its admin, in one transaction.

    slug: chosen by the user (SlugTaken when it is in use); None to derive one from slug_base.
    Partners start pending whatever the caller says; the UNIQUE constraint settles races."""
    async with conn.transaction():
        if slug is None:
            slug = await free_slug(conn, slug_base, numbered=slug_numbered)
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
) -> str:
    """allowed: rules.TRANSITIONS (passed in, so policy stays in rules). Returns the status it had."""
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
    return row["verification"]


# ------------------------------------------------------------------ editing

EDITABLE = (
    "name_th", "name_en", "description", "province", "website", "contact_email", "level", "parent_id", "skills"
)
LOCK_FOR_EDIT = f"SELECT kind, {', '.join(EDITABLE)} FROM organisations WHERE id = $1 FOR UPDATE"
# Walks up from the proposed parent: if it reaches the organisation, the tree would loop.
PARENT_WOULD_LOOP = """
WITH RECURSIVE up(id, parent_id) AS (
    SELECT id, parent_id FROM organisations WHERE id = $2
    UNION
    SELECT o.id, o.parent_id FROM organisations o JOIN up ON o.id = up.parent_id
)
SELECT EXISTS (SELECT 1 FROM up WHERE id = $1)
"""
UPDATE_ORG = """
UPDATE organisations
SET name_th = $2, name_en = $3, description = $4, province = $5, website = $6, contact_email = $7,
    level = $8, parent_id = $9, skills = $10, search_name = $11
WHERE id = $1
"""


async def update_organisation(conn: asyncpg.Connection, org_id: int, *, actor_id: int, **fields) -> list[str]:
    """Change the given EDITABLE fields; returns the names of those that really changed
    (audited as org.edit with before and after). InvalidParent when the parent would loop."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    async with conn.transaction():
        row = await conn.fetchrow(LOCK_FOR_EDIT, org_id)
        if row is None:
            raise InvalidParent()
        before = {k: row[k] for k in EDITABLE}
        after = before | fields
        if row["kind"] != "agency":
            after["level"], after["parent_id"] = None, None
        else:
            after["skills"] = []
        changed = [k for k in EDITABLE if after[k] != before[k]]
        if not changed:
            return []
        if "parent_id" in changed and after["parent_id"] is not None:
            if await conn.fetchval(PARENT_WOULD_LOOP, org_id, after["parent_id"]):
                raise InvalidParent()
        await conn.execute(
            UPDATE_ORG, org_id, *(after[k] for k in EDITABLE), search_name(after["name_th"], after["name_en"])
        )
        await audit(
            conn,
            actor_id=actor_id,
            action="org.edit",
            subject_kind="organisation",
            subject_id=org_id,
            org_id=org_id,
            detail={
                "changed": changed,
                "before": {k: before[k] for k in changed},
                "after": {k: after[k] for k in changed},
            },
        )
    return changed


# ------------------------------------------------------------------ members: roles, removal, leaving

# Every change that can remove an admin first takes this lock on the organisation's row, so two
# admins demoting each other (or both leaving) at once run one after the other, and the second
# one sees the first one's result. NO KEY UPDATE, not UPDATE: join requests insert memberships
# whose foreign key takes KEY SHARE on the same row, and they must not wait for us.
LOCK_ORG_MEMBERS = "SELECT id FROM organisations WHERE id = $1 FOR NO KEY UPDATE"
ACTIVE_ADMINS = "SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'admin' AND status = 'active'"
LOCK_MEMBERSHIP = "SELECT role, status FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE"
SET_ROLE = "UPDATE memberships SET role = $3 WHERE org_id = $1 AND user_id = $2"
REMOVE = "DELETE FROM memberships WHERE org_id = $1 AND user_id = $2"


async def _lock_admins(conn: asyncpg.Connection, org_id: int) -> set[int]:
    if await conn.fetchval(LOCK_ORG_MEMBERS, org_id) is None:
        raise NotMember()
    return {r["user_id"] for r in await conn.fetch(ACTIVE_ADMINS, org_id)}


async def set_member_role(
    conn: asyncpg.Connection, org_id: int, user_id: int, role: str, *, actor_id: int
) -> bool:
    """member <-> admin, by an admin of the organisation. False when the role was already that.
    NotAnAdmin (the actor lost the role meanwhile), NotMember, LastAdmin."""
    if not 0 < user_id < 2**63:
        raise NotMember()
    async with conn.transaction():
        admins = await _lock_admins(conn, org_id)
        if actor_id not in admins:
            raise NotAnAdmin()
        row = await conn.fetchrow(LOCK_MEMBERSHIP, org_id, user_id)
        if row is None or row["status"] != "active":
            raise NotMember()
        if row["role"] == role:
            return False
        if role != "admin" and not admins - {user_id}:
            raise LastAdmin()
        await conn.execute(SET_ROLE, org_id, user_id, role)
        await audit(
            conn,
            actor_id=actor_id,
            action="org.member.role",
            subject_kind="user",
            subject_id=user_id,
            org_id=org_id,
            detail={"from": row["role"], "to": role},
        )
    return True


async def remove_member(conn: asyncpg.Connection, org_id: int, user_id: int, *, actor_id: int) -> str:
    """An admin removes an active member (another admin too, while one admin stays); returns the
    role they had."""
    if not 0 < user_id < 2**63:
        raise NotMember()
    async with conn.transaction():
        admins = await _lock_admins(conn, org_id)
        if actor_id not in admins:
            raise NotAnAdmin()
        row = await conn.fetchrow(LOCK_MEMBERSHIP, org_id, user_id)
        if row is None or row["status"] != "active":
            raise NotMember()
        if row["role"] == "admin" and not admins - {user_id}:
            raise LastAdmin()
        await conn.execute(REMOVE, org_id, user_id)
        await audit(
            conn,
            actor_id=actor_id,
            action="org.member.remove",
            subject_kind="user",
            subject_id=user_id,
            org_id=org_id,
            detail={"role": row["role"]},
        )
    return row["role"]


async def leave_organisation(conn: asyncpg.Connection, org_id: int, user_id: int) -> str:
    """The person leaves, or withdraws a waiting request; returns the status they had.
    LastAdmin when they are its only admin."""
    async with conn.transaction():
        admins = await _lock_admins(conn, org_id)
        row = await conn.fetchrow(LOCK_MEMBERSHIP, org_id, user_id)
        if row is None:
            raise NotMember()
        if row["status"] == "active" and row["role"] == "admin" and not admins - {user_id}:
            raise LastAdmin()
        await conn.execute(REMOVE, org_id, user_id)
        await audit(
            conn,
            actor_id=user_id,
            action="org.member.leave" if row["status"] == "active" else "org.member.cancel",
            subject_kind="user",
            subject_id=user_id,
            org_id=org_id,
            detail={"role": row["role"]},
        )
    return row["status"]


LIST_MEMBER_DETAILS = """
SELECT m.user_id, u.display_name, u.email, m.role, m.status, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = $1
ORDER BY m.status DESC, m.role, u.display_name, m.user_id
"""


async def list_member_details(conn: asyncpg.Connection, org_id: int) -> list[MemberDetail]:
    return [MemberDetail(**dict(r)) for r in await conn.fetch(LIST_MEMBER_DETAILS, org_id)]


# ------------------------------------------------------------------ resubmission

RESUBMIT = """
UPDATE organisations SET verification = 'pending', resubmitted_at = now()
WHERE id = $1 AND kind = 'partner' AND verification = 'rejected'
RETURNING rejection_reason
"""


async def resubmit_partner(conn: asyncpg.Connection, org_id: int, *, actor_id: int) -> None:
    """rejected -> pending, asked by the partner's admin. The UPDATE's WHERE is the lock and
    the check at once: of two clicks at the same moment one finds the row no longer rejected."""
    async with conn.transaction():
        reason = await conn.fetchval(RESUBMIT, org_id)
        if reason is None:
            raise NotRejected()
        await audit(
            conn,
            actor_id=actor_id,
            action="org.resubmit",
            subject_kind="organisation",
            subject_id=org_id,
            org_id=org_id,
            detail={"from": "rejected", "to": "pending", "earlier_reason": reason},
        )
