"""Who may administer search. Pure: no litestar, no asyncpg."""

from __future__ import annotations

from civic.accounts.schemas import CurrentUser


def can_administer(user: CurrentUser | None) -> bool:
    """The index status page and the reindex button: platform admins."""
    return user is not None and user.is_admin
