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
    member_count: int = 0
    parent_name_th: str | None = None
