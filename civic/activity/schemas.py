from __future__ import annotations

from datetime import datetime

import msgspec


class MyIdea(msgspec.Struct):
    id: int
    title: str
    status: str
    support_count: int
    created_at: datetime
    answer: str | None  # the agency's official answer, when there is one
    answered_at: datetime | None


class MySupport(msgspec.Struct):
    idea_id: int
    title: str
    status: str
    supported_at: datetime


class MyComment(msgspec.Struct):
    kind: str  # idea | consultation
    subject_id: int
    subject_title: str
    body: str
    created_at: datetime
    url: str


class MyAnswer(msgspec.Struct):
    consultation_id: int
    title: str
    status: str
    answered_at: datetime
    updated_at: datetime
    reference: str  # the receipt's number: C<consultation>-R<response>
    edit_url: str | None  # while the consultation is open


class MyClaim(msgspec.Struct):
    task_id: int
    title: str
    task_status: str
    claim_status: str
    partner_name: str  # in Thai; partner_name_en when it has an English one
    claimed_at: datetime
    partner_name_en: str | None = None


class Activity(msgspec.Struct):
    ideas: list[MyIdea]
    supports: list[MySupport]
    comments: list[MyComment]
    answers: list[MyAnswer]
    claims: list[MyClaim]
