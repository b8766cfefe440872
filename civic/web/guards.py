"""Small helpers every domain's routes use to ask "who is this, and may they?"."""

from __future__ import annotations

from litestar import Request

from civic.accounts.schemas import CurrentUser
from civic.web.errors import ClientError


def current_user(request: Request) -> CurrentUser | None:
    return request.scope.get("user")


def require_user(request: Request) -> CurrentUser:
    """A 401: browsers are sent to the login page and come back afterwards."""
    user = request.scope.get("user")
    if user is None:
        raise ClientError(401, "login_required", "Please log in to continue.")
    return user


def forbid(
    message: str = "You do not have permission to do this.", code: str = "forbidden", **params
) -> ClientError:
    return ClientError(403, code, message, **params)


def not_found(message: str = "We could not find that page.", **params) -> ClientError:
    return ClientError(404, "not_found", message, **params)
