from __future__ import annotations

from typing import Annotated

import msgspec

Code = Annotated[str, msgspec.Meta(max_length=100)]


class NationalIdIn(msgspec.Struct, forbid_unknown_fields=True):
    national_id: Annotated[str, msgspec.Meta(max_length=100)] = ""


class CodeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A 6-digit TOTP code, or (at the login step) a recovery code."""

    code: Code = ""


class RenewCodesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Proof it is the person before new recovery codes: the password, or a current code from the
    app (not a recovery code: those are what is being replaced)."""

    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""
    code: Code = ""


class IdentityOut(msgspec.Struct):
    """What the identity page and GET /api/v1/me/identity show (never the ID or the secret)."""

    id_verified: bool
    totp_enabled: bool
    totp_required: bool
    recovery_codes_left: int
    oidc_issuers: list[str]


class TotpSetupOut(msgspec.Struct):
    """Shown while enrolling: the secret as text, as an otpauth URI, and as an SVG QR code."""

    secret: str
    uri: str
    qr_svg: str


class RecoveryCodesOut(msgspec.Struct):
    """Shown once; only their hashes are kept."""

    recovery_codes: list[str]


class LoginStep(msgspec.Struct):
    """A right password: either a session, or a challenge token for the code step."""

    user_id: int
    lang: str = "th"
    session_token: str | None = None
    challenge: str | None = None
    next_path: str = "/"


class OidcResult(msgspec.Struct):
    """What a provider's answer led to: a login (or its code step), or a link to confirm."""

    outcome: str  # "login", "confirm"
    step: LoginStep | None = None
    link_token: str | None = None
    next_path: str = "/"
