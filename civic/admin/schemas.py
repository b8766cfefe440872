from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from civic.privacy.schemas import ConsentLogRow

Reason = Annotated[str, msgspec.Meta(max_length=2000)]


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: str = ""
    reason: Reason = ""


class StandingIn(msgspec.Struct, forbid_unknown_fields=True):
    """Block or unblock: why, in words kept in the audit log."""

    reason: Reason = ""


class UserRow(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: str
    status: str
    created_at: datetime
    email_verified: bool
    id_verified: bool


class UserList(msgspec.Struct):
    q: str
    users: list[UserRow]


class AuditFilter(msgspec.Struct, forbid_unknown_fields=True):
    actor: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    act: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    since: Annotated[str, msgspec.Meta(max_length=100)] = ""
    until: Annotated[str, msgspec.Meta(max_length=100)] = ""
    page: int = 1


class AuditRow(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    org_id: int | None
    action: str
    subject_kind: str
    subject_id: int | None
    detail: dict


class AuditPage(msgspec.Struct):
    filter: AuditFilter
    total: int
    page: int
    pages: int
    entries: list[AuditRow]


class UserDetail(msgspec.Struct):
    user: UserRow
    audit: list[AuditRow]


class ConsentPage(msgspec.Struct):
    purpose: str
    page: int
    records: list[ConsentLogRow]
    has_more: bool


class JobRun(msgspec.Struct):
    name: str
    last_run_at: datetime | None
    last_result: int
    last_error: str
    runs: int


class CursorRow(msgspec.Struct):
    name: str
    handled: int
    updated_at: datetime
    last_error: str


class MailFailure(msgspec.Struct):
    id: int
    template: str
    attempts: int
    last_error: str | None
    created_at: datetime


class JobsOut(msgspec.Struct):
    jobs: list[JobRun]
    consumers: list[CursorRow]
    mail_failed: int
    mail_queued: int
    mail_failures: list[MailFailure]
