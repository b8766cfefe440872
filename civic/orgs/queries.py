"""Organisation reads that feed both a page and its JSON twin: the directory, a profile, member
lists, the partner queue, and the choices a form offers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.orgs import rules, store
from civic.orgs.schemas import (
    Member,
    MemberList,
    Organisation,
    OrganisationDetail,
    OrganisationList,
    OrgProfile,
    OrgRef,
)
from civic.validation import DomainError, Forbidden, NotFound, has_control_chars

ORG_NOT_FOUND = "We could not find that organisation."
EDITORS_ONLY = "Only the organisation's administrators can edit it."


class BadFilter(DomainError):
    """A filter in the query string that is not one of its options; `field` names it."""

    status = 400
    code = "invalid_filter"
    default_msgid = "Choose one of the options."


def _choice(raw: Mapping[str, Any], key: str, allowed) -> str | None:
    value = raw.get(key) or ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if value and value not in allowed:
        raise BadFilter(field=key)
    return value or None


def _filters(raw: Mapping[str, Any]) -> tuple[dict[str, str | None], int]:
    filters = {
        "kind": _choice(raw, "kind", rules.KINDS),
        "level": _choice(raw, "level", rules.LEVELS),
        "partner_type": _choice(raw, "partner_type", rules.PARTNER_TYPES),
        "verification": _choice(raw, "verification", rules.VERIFICATIONS),
        "province": _choice(raw, "province", provinces.codes()),
    }
    q = raw.get("q") or ""
    # A query is not a name: a stray mark from pasted PDF text is repaired by the search and a
    # lone "%" simply finds nothing, so only what cannot be searched at all is refused.
    if has_control_chars(q):
        raise BadFilter("This field contains characters that are not allowed.", field="q")
    if len(q) > 200:
        raise BadFilter("This is too long (at most %(max)s characters).", {"max": 200}, field="q")
    filters["q"] = q.strip() or None
    page = rules.parse_page(raw.get("page"))
    if page is None:
        raise BadFilter("The page number is not valid.", field="page")
    return filters, page


def _per_page(value: str | None) -> int:
    size = rules.parse_page(value) if value else rules.PER_PAGE
    if size is None or size > rules.PER_PAGE_MAX:
        raise BadFilter("Ask for at most %(max)s per page.", {"max": rules.PER_PAGE_MAX}, field="per_page")
    return size


async def directory(
    conn: asyncpg.Connection, actor: CurrentUser | None, raw: Mapping[str, Any], per_page: str | None = None
) -> tuple[OrganisationList, dict[str, str | None]]:
    """One page of the directory, and the filters in force. Rejected partners are listed for
    platform staff only, and a rejection's reason only to whom rules.can_see_rejection_reason allows."""
    filters, page = _filters(raw)
    size = _per_page(per_page)
    staff = actor is not None and actor.is_moderator
    total = await store.count_organisations(conn, include_rejected=staff, **filters)
    pages = max(1, -(-total // size))
    items = await store.list_organisations(
        conn, include_rejected=staff, limit=size, offset=(page - 1) * size, **filters
    )
    for org in items:
        if not rules.can_see_rejection_reason(actor, org.id):
            org.rejection_reason = ""
    return OrganisationList(items=items, total=total, page=page, pages=pages, per_page=size), filters


async def organisation(conn: asyncpg.Connection, actor: CurrentUser | None, ref: str | int) -> Organisation:
    """By slug or id, as `actor` may see it: NotFound when it does not exist or is hidden from them."""
    org = await store.get_organisation(conn, ref)
    if org is None or not rules.can_view(actor, org.id, org.kind, org.verification):
        raise NotFound(ORG_NOT_FOUND)
    if not rules.can_see_rejection_reason(actor, org.id):
        org.rejection_reason = ""
    return org


async def for_editing(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> Organisation:
    org = await organisation(conn, actor, slug)
    if not rules.can_edit_org(actor, org.id):
        raise Forbidden(EDITORS_ONLY)
    return org


async def detail(conn: asyncpg.Connection, actor: CurrentUser | None, slug: str) -> OrganisationDetail:
    org = await organisation(conn, actor, slug)
    children = await store.child_agencies(conn, org.id)
    return OrganisationDetail(**{f: getattr(org, f) for f in org.__struct_fields__}, children=children)


async def profile(conn: asyncpg.Connection, actor: CurrentUser | None, slug: str) -> OrgProfile:
    org = await organisation(conn, actor, slug)
    return OrgProfile(
        org=org,
        parent=await store.get_organisation(conn, org.parent_id) if org.parent_id else None,
        children=await store.child_agencies(conn, org.id),
        membership=await store.membership_status(conn, org.id, actor.id) if actor else None,  # type: ignore[arg-type]
    )


async def members(
    conn: asyncpg.Connection, actor: CurrentUser, slug: str
) -> tuple[Organisation, list[Member]]:
    """Names and roles, for the organisation's members and platform admins."""
    org = await organisation(conn, actor, slug)
    if not rules.can_view_members(actor, org.id):
        raise Forbidden()
    return org, await store.list_members(conn, org.id)


async def member_details(conn: asyncpg.Connection, actor: CurrentUser, slug: str) -> MemberList:
    """With email addresses: the organisation's admins and platform admins only."""
    org = await organisation(conn, actor, slug)
    if not rules.can_list_member_details(actor, org.id):
        raise Forbidden("Only the organisation's administrators can see its member list.")
    return MemberList(org_id=org.id, slug=org.slug, items=await store.list_member_details(conn, org.id))


async def partner_queue(
    conn: asyncpg.Connection, actor: CurrentUser, status: str | None
) -> list[Organisation]:
    if not rules.can_verify_partner(actor):
        raise Forbidden()
    status = status or "pending"
    if status not in rules.VERIFICATIONS:
        raise BadFilter(field="status")
    return await store.list_organisations(
        conn, kind="partner", verification=status, include_rejected=True, limit=200
    )


async def partner_for_review(conn: asyncpg.Connection, actor: CurrentUser, org_id: int) -> Organisation:
    if not rules.can_verify_partner(actor):
        raise Forbidden("Only platform administrators can verify partner organisations.")
    org = await store.get_organisation(conn, org_id)
    if org is None or org.kind != "partner":
        raise NotFound(ORG_NOT_FOUND)
    return org


async def agency_choices(conn: asyncpg.Connection, kinds: tuple[str, ...]) -> list[OrgRef]:
    """The parent agencies a registration form offers (none when it cannot register agencies)."""
    return await store.agency_choices(conn) if "agency" in kinds else []


async def parent_choices(conn: asyncpg.Connection, org: Organisation) -> list[OrgRef]:
    """The agencies `org` may be placed under: any but itself (the store refuses loops)."""
    return [a for a in await store.agency_choices(conn) if a.id != org.id] if org.kind == "agency" else []


async def names_by_slug(conn: asyncpg.Connection, slugs: list[str], lang: str) -> dict[str, str]:
    """Display names in `lang` for the slugs that exist (search facets name agencies by slug)."""
    return await store.names_by_slug(conn, slugs, lang)


async def active_member_ids(conn: asyncpg.Connection, org_id: int) -> list[int]:
    """Who acts for the organisation now (pending requests are not members yet)."""
    return [m.user_id for m in await store.list_members(conn, org_id) if m.status == "active"]
