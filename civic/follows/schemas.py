"""Inputs and results of the follows domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class FollowIn(msgspec.Struct, forbid_unknown_fields=True):
    """One thing to follow or unfollow; civic/follows/__init__.py says what target_id is per kind."""

    target_kind: Annotated[str, msgspec.Meta(max_length=20)] = ""
    target_id: Annotated[str, msgspec.Meta(max_length=200)] = ""


class FollowState(msgspec.Struct):
    """Whether the person follows the target after the request; a page's follow button too."""

    target_kind: str
    target_id: str
    following: bool


class Target(msgspec.Struct, frozen=True):
    """A followable thing as its owning domain shows it to this reader."""

    title: str
    url: str
    hidden: bool = False


class Followed(msgspec.Struct):
    target_kind: str
    target_id: str
    auto: bool
    created_at: datetime
    # None when the thing is gone or no longer visible to the person: listed, so it can be unfollowed.
    title: str | None
    url: str | None


class FollowGroup(msgspec.Struct):
    target_kind: str
    items: list[Followed]


class FollowList(msgspec.Struct):
    groups: list[FollowGroup]
    total: int
