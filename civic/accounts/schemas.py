from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Lang = Literal["th", "en"]


class Membership(msgspec.Struct, frozen=True):
    org_id: int
    role: Literal["member", "admin"]
    kind: Literal["agency", "partner"]
    verified: bool
    slug: str
    name_th: str
    name_en: str = ""


class CurrentUser(msgspec.Struct, frozen=True):
    """Who is asking: loaded once per request by the auth middleware."""

    id: int
    email: str
    display_name: str
    lang: Lang
    role: Literal["citizen", "moderator", "admin"]
    status: Literal["active", "blocked", "erased"]
    memberships: tuple[Membership, ...] = ()
    # The store always sets it from the row (users.email_verified_at); the default keeps the
    # actors built by hand (the system's sweeps, the rules' unit tables) as they were.
    email_verified: bool = True
    # The newest privacy notice version accepted (civic/privacy gates on it); 0 for none.
    notice_version: int = 0
    # Identity levels (civic/identity): a verified national ID, and a confirmed TOTP second factor
    # (staff without one are sent to enrol; hand-built actors count as enrolled).
    id_verified: bool = False
    totp_enabled: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")

    def org_role(self, org_id: int) -> str | None:
        for m in self.memberships:
            if m.org_id == org_id:
                return m.role
        return None

    @property
    def agency_ids(self) -> frozenset[int]:
        return frozenset(m.org_id for m in self.memberships if m.kind == "agency")

    @property
    def verified_partner_ids(self) -> frozenset[int]:
        return frozenset(m.org_id for m in self.memberships if m.kind == "partner" and m.verified)

    @property
    def partner_ids(self) -> frozenset[int]:
        return frozenset(m.org_id for m in self.memberships if m.kind == "partner")


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    display_name: Annotated[str, msgspec.Meta(max_length=200)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    lang: Lang = "th"


class MeOut(msgspec.Struct):
    id: int
    email: str
    display_name: str
    lang: Lang
    role: str
    status: str
    memberships: list[Membership]
    email_verified: bool


class TokenOut(msgspec.Struct):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


class NewTokenOut(msgspec.Struct):
    id: int
    name: str
    token: str


class LoginIn(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = ""


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    """`code`: the two-step login code (or a recovery code), asked when that is on, since a token
    is used without it (civic.identity.actions.create_token checks it)."""

    name: str = ""
    code: Annotated[str, msgspec.Meta(max_length=100)] = ""


class LangIn(msgspec.Struct):
    lang: str = ""
    next: str = "/"


class ClientInfo(msgspec.Struct, frozen=True):
    """Where a login comes from: the throttle counts by address, and the session the browser
    already had (session_token) is dropped, so an id planted before login never becomes valid."""

    ip: str
    user_agent: str = ""
    session_token: str | None = None


class SignedIn(msgspec.Struct):
    user: CurrentUser
    session_token: str | None  # None when the account was created over the API


class AccountOut(msgspec.Struct):
    tokens: list[TokenOut]
    session_count: int


# ------------------------------------------------------------------ the account lifecycle
# Links arrive by mail; a token is a few hundred characters at most (a signed nonce).
LinkToken = Annotated[str, msgspec.Meta(max_length=1000)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
Email = Annotated[str, msgspec.Meta(max_length=1000)]


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    """A link from a mail: verify an address, or confirm a new one."""

    token: LinkToken = ""


class ResetRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email = ""


class ResetIn(msgspec.Struct, forbid_unknown_fields=True):
    token: LinkToken = ""
    password: Password = ""


class PasswordChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Password = ""
    new_password: Password = ""


class EmailChangeIn(msgspec.Struct, forbid_unknown_fields=True):
    email: Email = ""
    password: Password = ""


class LinkUse(msgspec.Struct, frozen=True):
    """A link that was valid and is now used up: whose, and the address it was sent to."""

    user_id: int
    email: str


class StatusOut(msgspec.Struct):
    """What a lifecycle verb did, for API clients (the pages say it in a flash message)."""

    status: Literal[
        "verification_sent",
        "verified",
        "reset_requested",
        "password_reset",
        "password_changed",
        "email_change_sent",
        "email_changed",
    ]
    sessions_ended: int = 0
