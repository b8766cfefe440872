"""Idea boards: msgspec Structs for input (validated in rules) and output."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from civic import keyset

Status = Literal[
    "pending_moderation",
    "published",
    "under_review",
    "accepted",
    "in_progress",
    "implemented",
    "declined",
    "duplicate",
]

# Generous structural caps; the real limits (and their translated messages) are in rules.py.
_Text = Annotated[str, msgspec.Meta(max_length=200_000)]


class Board(msgspec.Struct):
    id: int
    slug: str
    agency_id: int
    agency_slug: str
    agency_name_th: str
    title: str
    description_th: str
    description_en: str
    scope: str | None
    categories: list[str]
    is_open: bool
    moderate_first: bool
    support_threshold: int
    response_days: int
    created_at: datetime
    # Only people who verified a Thai national ID may submit, support and comment (civic/identity).
    requires_national_id: bool = False
    coowner_ids: list[int] = []
    coowners: list[dict] = []
    idea_count: int = 0
    agency_name_en: str | None = None

    @property
    def owner_ids(self) -> list[int]:
        return [self.agency_id, *self.coowner_ids]


class IdeaOut(msgspec.Struct):
    """An idea as anyone may read it over the API: its author by name, never by account id."""

    id: int
    board_id: int
    board_slug: str
    board_title: str
    agency_id: int
    agency_slug: str
    agency_name_th: str
    author_name: str
    title: str
    body: str
    category: str
    province: str | None
    links: list[str]
    status: Status
    status_reason: str
    duplicate_of: int | None
    hidden: bool
    hidden_reason: str
    support_count: int
    comment_count: int
    threshold_reached_at: datetime | None
    answer_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    board_open: bool
    support_threshold: int
    # Days the board gives its agency to answer once the threshold is reached: the promise the
    # idea page states ("2 more and the agency must answer within 30 days").
    board_response_days: int
    board_requires_national_id: bool
    answered: bool
    overdue: bool
    coowner_ids: list[int] = []
    # The agency whose counter submitted it for a person (civic/assisted), shown instead of a name.
    assisted_by_th: str | None = None
    assisted_by_en: str | None = None
    agency_name_en: str | None = None

    @property
    def owner_ids(self) -> list[int]:
        return [self.agency_id, *self.coowner_ids]


class Idea(IdeaOut, kw_only=True):
    """An idea as the rules and pages see it: the author's account decides who may edit it."""

    author_id: int
    # Supports from accounts with a verified national ID, among support_count (the idea page's
    # "verified: N"; migration 0189 keeps it).
    verified_support_count: int = 0

    def public(self) -> IdeaOut:
        return IdeaOut(**{f: getattr(self, f) for f in IdeaOut.__struct_fields__})


class StatusChange(msgspec.Struct):
    id: int
    # "status" (a change of status) or "edited" (the author edited the text; status unchanged).
    kind: Literal["status", "edited"]
    from_status: str | None
    to_status: str
    reason: str
    duplicate_of: int | None
    actor_name: str | None
    org_name_th: str | None
    at: datetime
    org_name_en: str | None = None


class Answer(msgspec.Struct):
    idea_id: int
    org_id: int
    org_slug: str
    org_name_th: str
    author_name: str
    body: str
    created_at: datetime
    updated_at: datetime
    revisions: int = 1
    org_name_en: str | None = None


class CommentOut(msgspec.Struct):
    """A comment as anyone may read it over the API: its author by name, never by account id."""

    id: int
    idea_id: int
    parent_id: int | None
    author_name: str
    body: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    hidden: bool
    hidden_reason: str
    replies: list[CommentOut] = []
    # Set on a top-level comment whose replies go on past those shown: the cursor for the rest.
    more_replies_after: int | None = None


class Comment(CommentOut, kw_only=True):
    """A comment as the rules and pages see it: the author's account decides who may edit it."""

    author_id: int
    replies: list[Comment] = []

    def public(self) -> CommentOut:
        fields = {f: getattr(self, f) for f in CommentOut.__struct_fields__}
        return CommentOut(**fields | {"replies": [r.public() for r in self.replies]})


class CommentPage(msgspec.Struct):
    comments: list[Comment]
    next_after: int | None
    total: int

    def public(self) -> CommentPageOut:
        return CommentPageOut([c.public() for c in self.comments], self.next_after, self.total)


class CommentPageOut(msgspec.Struct):
    comments: list[CommentOut]
    next_after: int | None
    total: int


class ReplyPage(msgspec.Struct):
    replies: list[Comment]
    next_after: int | None

    def public(self) -> ReplyPageOut:
        return ReplyPageOut([r.public() for r in self.replies], self.next_after)


class ReplyPageOut(msgspec.Struct):
    replies: list[CommentOut]
    next_after: int | None


class IdeaListQuery(msgspec.Struct, frozen=True):
    """A list's order, filters and page, as the query string asked for them (unknown values dropped)."""

    sort: str = "hot"
    status: str | None = None
    category: str | None = None
    province: str | None = None
    agency: str | None = None
    page: int = 1
    at: str | None = None  # where the page starts, as the previous page's link says (civic.keyset)

    def filters(self) -> dict[str, str | None]:
        return {
            "sort": self.sort,
            "status": self.status,
            "category": self.category,
            "province": self.province,
            "agency": self.agency,
        }


class IdeaPage(keyset.Paged, kw_only=True):
    items: list[Idea]

    def public(self) -> IdeaPageOut:
        return IdeaPageOut(items=[i.public() for i in self.items], **self.described())


class IdeaPageOut(keyset.PageOut, kw_only=True):
    items: list[IdeaOut]


class SupportState(msgspec.Struct):
    idea_id: int
    supported: bool
    support_count: int
    changed: bool = True
    threshold_reached: bool = False


class OverdueRow(msgspec.Struct):
    agency_slug: str
    agency_name_th: str
    idea_id: int
    title: str
    support_count: int
    answer_due_at: datetime
    days_late: int
    agency_name_en: str | None = None


class OverdueAgency(msgspec.Struct):
    """An agency with overdue answers, and how many."""

    agency_id: int
    agency_slug: str
    agency_name_th: str
    ideas: int
    agency_name_en: str | None = None


class OverdueList(msgspec.Struct, kw_only=True):
    """The public clock: every agency with overdue answers, and a page of the answers themselves,
    the longest overdue first (every agency's, or `agency`'s alone)."""

    agencies: list[OverdueAgency]
    agency: str | None  # the agency the page is narrowed to, if any
    items: list[OverdueRow]
    total: int  # overdue answers on the list, over all its pages
    page: int
    pages: int
    per_page: int


class Flag(msgspec.Struct):
    id: int
    subject_kind: str
    subject_id: int
    reason: str
    flagger_name: str
    created_at: datetime
    # What the flag points at, for the queue.
    idea_id: int | None
    excerpt: str
    author_id: int | None
    author_name: str | None
    author_role: str | None
    hidden: bool
    flag_count: int


# ------------------------------------------------------------------ API input


class BoardIn(msgspec.Struct, forbid_unknown_fields=True):
    slug: str
    agency: str
    title: _Text
    description_th: _Text
    description_en: _Text = ""
    scope: str | None = None
    categories: list[str] = []
    is_open: bool = True
    moderate_first: bool = False
    support_threshold: int = 100
    response_days: int = 30
    requires_national_id: bool = False
    coowners: list[str] = []


class BoardPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change. scope "" = national. coowners, when given, is the full set."""

    title: _Text | None = None
    description_th: _Text | None = None
    description_en: _Text | None = None
    scope: str | None = None
    categories: list[str] | None = None
    is_open: bool | None = None
    moderate_first: bool | None = None
    support_threshold: int | None = None
    response_days: int | None = None
    requires_national_id: bool | None = None
    coowners: list[str] | None = None


class IdeaIn(msgspec.Struct, forbid_unknown_fields=True):
    board: str
    title: _Text
    body: _Text
    category: str = ""
    province: str | None = None
    links: list[str] = []


class IdeaPatch(msgspec.Struct, forbid_unknown_fields=True):
    """The author's edit: only the fields given change."""

    title: _Text | None = None
    body: _Text | None = None
    category: str | None = None
    province: str | None = None
    links: list[str] | None = None


class StatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: str
    reason: _Text = ""
    duplicate_of: int | None = None


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    body: _Text


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    body: _Text
    parent_id: int | None = None


class FlagIn(msgspec.Struct, forbid_unknown_fields=True):
    subject_kind: Literal["idea", "comment"]
    subject_id: int
    reason: _Text


class FlagOut(msgspec.Struct):
    id: int | None
    created: bool


class IdeaDetail(msgspec.Struct):
    idea: Idea
    answer: Answer | None
    history: list[StatusChange]
    supported_by_me: bool
    # Supports from accounts with a verified national ID, among idea.support_count.
    verified_supports: int = 0

    def public(self) -> IdeaDetailOut:
        return IdeaDetailOut(**msgspec.structs.asdict(self) | {"idea": self.idea.public()})


class IdeaDetailOut(msgspec.Struct):
    idea: IdeaOut
    answer: Answer | None
    history: list[StatusChange]
    supported_by_me: bool
    verified_supports: int = 0


class CommentEditIn(msgspec.Struct, forbid_unknown_fields=True):
    body: _Text


class CoownerIn(msgspec.Struct, forbid_unknown_fields=True):
    agency: str


class ModerationIn(msgspec.Struct, forbid_unknown_fields=True):
    """What a moderator acts on; an unknown kind or id is a 404, like a missing subject."""

    subject_kind: str
    subject_id: int
    reason: _Text = ""


class BlockIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: int
