"""One-click unsubscribe tokens (RFC 8058): signed, so a link names its own user and kind only.

NOTIFY serves {base_url}/unsubscribe/{token}; mail puts the link in every message's footer and its
List-Unsubscribe header. They do not expire: a link in an old message must still work.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

# Keeps these tokens apart from anything else signed with SECRET_KEY.
_SALT = "civic.mail.unsubscribe"


class BadToken(ValueError):
    """Forged, altered or malformed: the caller answers with its own message."""


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def make_token(secret: str, user_id: int, kind: str) -> str:
    """kind: a notification kind, or "all"."""
    return _serializer(secret).dumps([user_id, kind])


def read_token(secret: str, token: str) -> tuple[int, str]:
    try:
        value = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise BadToken(token) from exc
    match value:
        case [int() as user_id, str() as kind] if not isinstance(user_id, bool):
            return user_id, kind
    raise BadToken(token)


def unsubscribe_url(base_url: str, secret: str, user_id: int, kind: str) -> str:
    return f"{base_url}/unsubscribe/{make_token(secret, user_id, kind)}"


def preferences_url(base_url: str) -> str:
    return f"{base_url}/account/notifications"
