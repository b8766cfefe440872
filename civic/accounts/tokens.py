"""Signed links for the account lifecycle (itsdangerous, with SECRET_KEY and one salt per
purpose, so a reset link can never be replayed as a verification link). The signature proves we
issued the link and when; the account_tokens row it names makes it single-use. Pure: no I/O."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from civic.validation import DomainError


class BadLink(DomainError):
    """Forged, mangled, or meant for another purpose. Changes nothing."""

    status = 400
    code = "link_invalid"
    default_msgid = (
        "This link is not valid. Check that you opened the whole link from the email, or ask for a new one."
    )


class LinkExpired(BadLink):
    code = "link_expired"
    default_msgid = "This link has expired. Ask for a new one."


class LinkUsed(BadLink):
    code = "link_used"
    default_msgid = "This link has already been used. Ask for a new one if you still need it."


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"civic.account.{purpose}")


def sign(secret: str, purpose: str, nonce: str) -> str:
    return _serializer(secret, purpose).dumps(nonce)


def read(secret: str, purpose: str, token: str, lifetime: timedelta) -> str:
    """The nonce in a link of this purpose, or BadLink / LinkExpired."""
    try:
        nonce = _serializer(secret, purpose).loads(token, max_age=int(lifetime.total_seconds()))
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise BadLink() from None
    if not isinstance(nonce, str):
        raise BadLink()
    return nonce
