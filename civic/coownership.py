"""Co-ownership of a board or a consultation is an invitation (issue 21, item 6): the owner's staff
invite another agency, and only that agency's staff can accept or decline. Until accepted the
agency has no rights over the subject and it is not listed under it. The ideas and consultations
domains each keep their own invitations; this module holds what they share (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from civic.accounts.schemas import CurrentUser
from civic.web.i18n import N_

INVITATION_NOT_FOUND = N_("There is no invitation waiting for this agency.")


class Invitation(msgspec.Struct, frozen=True):
    """An invitation waiting for the invited agency's answer."""

    kind: Literal["board", "consultation"]
    title: str
    href: str  # the board's or consultation's page
    action: str  # POST {action}/accept or {action}/decline (pages and, under /api/v1, the API)
    agency_slug: str  # the invited agency
    agency_name_th: str
    owner_name_th: str  # the agency that invites
    invited_at: datetime
    agency_name_en: str | None = None
    owner_name_en: str | None = None


class Answer(msgspec.Struct, frozen=True):
    """What an invited agency answered."""

    kind: Literal["board", "consultation"]
    href: str
    agency_slug: str
    status: Literal["accepted", "declined"]


def can_answer(user: CurrentUser | None, org_id: int) -> bool:
    """Consent is the invited agency's own: its active staff answer, not an admin on its behalf."""
    return user is not None and user.status == "active" and org_id in user.agency_ids
