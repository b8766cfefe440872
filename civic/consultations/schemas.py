"""Consultation Structs: API input (validated by msgspec, then by rules) and output."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from civic import keyset
from civic.consultations.rules import MAX_DRAFT_CHARS, MAX_OPTION_CHARS, MAX_PROMPT_CHARS, MAX_TITLE_CHARS

Kind = Literal["general", "s77"]
Status = Literal["draft", "scheduled", "open", "closed", "outcome_published"]
QuestionKind = Literal["single", "multi", "scale", "text"]
Consent = Literal["named", "anonymous", "none"]
Disposition = Literal["adopted", "partly", "not_adopted"]
Text = Annotated[str, msgspec.Meta(max_length=20000)]


class Section(msgspec.Struct):
    id: int
    position: int
    heading: str
    body: str
    body_original: str


class Document(msgspec.Struct):
    id: int
    title: str
    filename: str
    kind: str
    size_bytes: int
    created_at: datetime
    url: str = ""


class Question(msgspec.Struct):
    id: int
    position: int
    kind: QuestionKind
    prompt: str
    required: bool
    options: list[str]


class Change(msgspec.Struct):
    version: int
    note: str
    at: datetime


class Consultation(msgspec.Struct):
    id: int
    owner_org_id: int
    owner_slug: str
    owner_name_th: str
    coowner_ids: list[int]
    kind: Kind
    province: str | None
    title: str
    summary: str
    opens_at: datetime
    closes_at: datetime
    status: Status
    early_close_reason: str
    opened_at: datetime | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    response_count: int
    comment_count: int
    # Only people who verified a Thai national ID may respond and comment (civic/identity).
    requires_national_id: bool = False
    owner_name_en: str | None = None


class ConsultationDetail(msgspec.Struct):
    consultation: Consultation
    sections: list[Section]
    questions: list[Question]
    documents: list[Document]
    changes: list[Change]


class Comment(msgspec.Struct):
    id: int
    section_id: int
    parent_id: int | None
    author_name: str
    body: str
    status: str
    hidden_reason: str
    created_at: datetime
    replies: list[Comment] = []


class MyResponse(msgspec.Struct):
    id: int
    consent: Consent
    province: str | None
    answers: dict[str, object]
    created_at: datetime
    updated_at: datetime


class Theme(msgspec.Struct):
    title: Annotated[str, msgspec.Meta(max_length=300)]
    disposition: Disposition
    reason: Annotated[str, msgspec.Meta(max_length=3000)]
    comment_ids: list[int] = []


class Outcome(msgspec.Struct):
    version: int
    summary: str
    themes: list[Theme]
    correction_note: str
    published_at: datetime


class OptionCount(msgspec.Struct):
    label: str
    count: int
    percent: float


class QuestionStats(msgspec.Struct):
    question_id: int
    prompt: str
    kind: QuestionKind
    answered: int
    options: list[OptionCount]
    mean: float | None = None
    # A scale's meaning of 1 and of 5 as its author wrote them; empty: the platform's own words.
    scale_ends: list[str] = []


class Stats(msgspec.Struct):
    consultation_id: int
    responses: int
    comments: int
    questions: list[QuestionStats]
    # Responses from accounts with a verified national ID, among `responses`. Frozen with the rest
    # when the outcome is published (outcomes frozen before this field read 0).
    verified_responses: int = 0


# ---------------------------------------------------------------- API input


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: QuestionKind
    prompt: Annotated[str, msgspec.Meta(max_length=MAX_PROMPT_CHARS)]
    required: bool = False
    options: list[Annotated[str, msgspec.Meta(max_length=MAX_OPTION_CHARS)]] = []


# Inputs are decoded from JSON by msgspec, or built from a form by the page handler; either way
# the action checks every value with rules, so a form's blank date arrives as None and is refused
# with the same message on both.


class ConsultationIn(msgspec.Struct, forbid_unknown_fields=True):
    owner_org_id: int
    title: Annotated[str, msgspec.Meta(max_length=MAX_TITLE_CHARS)]
    summary: Text
    kind: Kind
    opens_at: datetime | None
    closes_at: datetime | None
    province: str | None = None
    coowner_ids: list[int] = []
    draft_text: Annotated[str, msgspec.Meta(max_length=MAX_DRAFT_CHARS)] = ""
    questions: list[QuestionIn] = []
    requires_national_id: bool = False


class ConsultationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=MAX_TITLE_CHARS)] | None = None
    summary: Text | None = None
    kind: Kind | None = None
    province: str | None = None  # None leaves it as it is; "" makes it national
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    draft_text: Annotated[str, msgspec.Meta(max_length=MAX_DRAFT_CHARS)] | None = None
    # The whole list, in order (as on the form); only while the consultation is a draft or scheduled.
    questions: list[QuestionIn] | None = None
    # Only while a draft or scheduled: answers already given were given under the old level.
    requires_national_id: bool | None = None
    change_note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class TransitionIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Literal["schedule", "unschedule", "open", "close"]
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ResponseIn(msgspec.Struct, forbid_unknown_fields=True):
    consent: Consent
    answers: dict[str, str | int | list[str]]
    province: str | None = None


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    section_id: int
    body: Annotated[str, msgspec.Meta(max_length=3000)]
    parent_id: int | None = None


class ThemeIn(msgspec.Struct, forbid_unknown_fields=True):
    """A theme as given: checked by rules.validate_outcome, so a form and the API get the same
    messages. comment_ids is null when a form's list of numbers could not be read."""

    title: Annotated[str, msgspec.Meta(max_length=300)]
    disposition: str
    reason: Annotated[str, msgspec.Meta(max_length=3000)]
    comment_ids: list[int] | None = []


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    summary: Annotated[str, msgspec.Meta(max_length=10000)]
    themes: list[ThemeIn] = []
    correction_note: Annotated[str, msgspec.Meta(max_length=2000)] = ""


# ---------------------------------------------------------------- comment moderation


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    """A report's or a hiding's reason (checked by rules.validate_reason for the message)."""

    reason: Annotated[str, msgspec.Meta(max_length=20000)] = ""


class FlagOut(msgspec.Struct):
    id: int
    comment_id: int
    created: bool


class FlagReport(msgspec.Struct):
    by: str
    reason: str
    at: datetime


class FlaggedComment(msgspec.Struct):
    """One comment in the moderation queue, with its open reports."""

    comment_id: int
    consultation_id: int
    consultation_title: str
    section_id: int
    section_position: int
    section_heading: str
    parent_id: int | None
    body: str
    status: str
    hidden_reason: str
    created_at: datetime
    author_id: int
    author_name: str
    author_role: str
    author_status: str
    flag_count: int
    first_flagged_at: datetime
    reports: list[FlagReport]


class HiddenComment(msgspec.Struct):
    """A hidden comment (restorable), for the queue's 'recently hidden' list."""

    comment_id: int
    consultation_id: int
    consultation_title: str
    section_position: int
    section_heading: str
    body: str
    hidden_reason: str
    hidden_at: datetime | None
    hidden_by_name: str
    author_name: str


class ModerationQueue(msgspec.Struct):
    flagged: list[FlaggedComment]
    hidden: list[HiddenComment]


class ModerationOut(msgspec.Struct):
    comment_id: int
    status: str
    resolved_flags: int = 0


# ---------------------------------------------------------------- files and actors


class Upload(msgspec.Struct, frozen=True):
    """A file as received: what it really is is decided by the action (civic.uploads)."""

    filename: str
    data: bytes
    title: str = ""


class Files(msgspec.Struct, frozen=True):
    """Where uploads are written and how large they may be (from settings)."""

    dir: Path
    max_bytes: int


class SystemActor(msgspec.Struct, frozen=True):
    """The platform itself, for scheduled sweeps: it has no user id."""

    name: str
    id: None = None


# ---------------------------------------------------------------- API results


class HubPage(keyset.Paged, kw_only=True):
    """A page of a tab. Consultations number in the thousands, so a page is read by its number."""

    items: list[Consultation]

    def public(self) -> ConsultationList:
        return ConsultationList(items=self.items, **self.described())


class ConsultationList(keyset.PageOut, kw_only=True):
    items: list[Consultation]


class TransitionOut(msgspec.Struct):
    id: int
    status: str


class ResponseOut(msgspec.Struct):
    id: int
    consultation_id: int


class Keyword(msgspec.Struct):
    term: str
    score: float
    count: int
    answers: list[str]


class AnalysisOut(msgspec.Struct):
    stats: Stats
    keywords: dict[int, list[Keyword]]


class BlockOut(msgspec.Struct):
    comment_id: int
    author_id: int
    status: str


class ExportRow(msgspec.Struct):
    response: str
    consent: str
    name: str | None
    province: str | None
    submitted_on: str
    answers: dict[str, object]


class ExportOut(msgspec.Struct):
    consultation_id: int
    title: str
    licence: str
    questions: list[Question]
    responses: list[ExportRow]


class ConsultationPage(msgspec.Struct):
    """Everything the public page shows, for one reader."""

    detail: ConsultationDetail
    comments: dict[int, list[Comment]]
    mine: MyResponse | None
    outcome: Outcome | None
    my_comment_ids: set[int]
    reported: set[int]
