from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Level = Literal["central", "regional", "local"]
PartnerType = Literal["ngo", "community", "foundation", "social_enterprise", "company"]
Verification = Literal["pending", "verified", "rejected"]


class Organisation(msgspec.Struct):
    id: int
    slug: str
    kind: Literal["agency", "partner"]
    name_th: str
    name_en: str
    description: str
    province: str | None
    website: str
    contact_email: str
    level: Level | None
    parent_id: int | None
    partner_type: PartnerType | None
    verification: Verification
    rejection_reason: str
    created_at: datetime
    # A partner's task categories (civic/handovers/rules.py CATEGORIES): which new tasks it hears of.
    skills: list[str] = []
    member_count: int = 0
    parent_name_th: str | None = None
    # Set when a rejected partner's admins asked for another check; the admin queue shows it.
    resubmitted_at: datetime | None = None


class OrgRef(msgspec.Struct):
    id: int
    slug: str
    name_th: str
    name_en: str
    level: Level | None = None
    province: str | None = None


class OrganisationDetail(Organisation):
    children: list[OrgRef] = []


class OrganisationList(msgspec.Struct):
    items: list[Organisation]
    total: int
    page: int
    pages: int
    per_page: int


class Member(msgspec.Struct):
    user_id: int
    display_name: str
    role: Literal["member", "admin"]
    status: Literal["pending", "active"]
    created_at: datetime


class MemberDetail(Member):
    """A member as their organisation's admins and platform admins see it (with the email)."""

    email: str = ""


class MemberList(msgspec.Struct):
    org_id: int
    slug: str
    items: list[MemberDetail]


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: str


class RegisterOrgIn(msgspec.Struct, forbid_unknown_fields=True):
    """POST /api/v1/organisations. Lengths and choices are checked by rules.validate_organisation,
    so the answer is the same translated message as the HTML form gives."""

    name_th: str
    kind: Literal["agency", "partner"] = "partner"
    name_en: str = ""
    slug: str = ""
    description: str = ""
    province: str | None = None
    level: str | None = None
    parent_id: int | None = None
    partner_type: str | None = None
    website: str = ""
    contact_email: str = ""


class UpdateOrgIn(msgspec.Struct, forbid_unknown_fields=True):
    """PATCH /api/v1/organisations/{slug}: only the fields sent change. level and parent_id
    (agencies) only by platform admins; the web address and the kind never change."""

    name_th: str | msgspec.UnsetType = msgspec.UNSET
    name_en: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    province: str | None | msgspec.UnsetType = msgspec.UNSET
    website: str | msgspec.UnsetType = msgspec.UNSET
    contact_email: str | msgspec.UnsetType = msgspec.UNSET
    level: str | msgspec.UnsetType = msgspec.UNSET
    parent_id: int | None | msgspec.UnsetType = msgspec.UNSET
    # Partners only: the task categories it takes on (the whole list; [] clears it).
    skills: list[str] | msgspec.UnsetType = msgspec.UNSET


class VerifyIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: str
    reason: str = ""


class JoinOut(msgspec.Struct):
    org_id: int
    slug: str
    status: Literal["pending", "active"]


class JoinDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: str  # accept | decline


class OrgProfile(msgspec.Struct):
    """The profile page: the organisation, where it sits, and the reader's membership."""

    org: Organisation
    parent: Organisation | None
    children: list[OrgRef]
    membership: Literal["pending", "active"] | None
