"""Task handover structs: the actions' inputs (the JSON API's bodies, and what the HTML forms are
decoded into), their results, and what the store returns.

Inputs take what a form sends as well as JSON: text fields default to "" so that a blank form is
answered by the rules with every field's problem at once, and numbers may come as text (Thai digits
too), which the rules parse."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from civic import keyset

Text = Annotated[str, msgspec.Meta(max_length=10000)]


class MilestoneIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=300)]
    due: str
    share: str | float | None = None


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    """Dates are ISO strings (2026-05-31); budget in THB as a number or string. `agency` is the
    slug of the poster's agency (their first one when blank); skills a list or one comma-separated
    text."""

    agency: str = ""
    title: Text = ""
    description: Text = ""
    deliverables: Text = ""
    province: str = ""
    category: str = ""
    claim_opens: str = ""
    claim_closes: str = ""
    deadline: str = ""
    contact: Text = ""
    district: str = ""
    location: str = ""
    partner_types: list[str] = []
    skills: list[str] | Text = []
    budget: str | float | int | None = None
    verified_only: bool = True
    confirm_days: int | str = 7
    review_days: int | str = 14
    milestones: list[MilestoneIn] = []
    publish: bool = False


class MilestonePatch(msgspec.Struct, forbid_unknown_fields=True):
    """A row of the new milestone plan: `id` keeps a stored milestone (and its progress), no id adds one."""

    title: Annotated[str, msgspec.Meta(max_length=300)]
    due: str
    share: str | float | None = None
    id: int | None = None


class TaskPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields given change. `milestones` is the whole new plan, in order: stored milestones
    left out are removed. What may change depends on the task's state (see rules.EDITABLE_BY_STATUS)."""

    title: Text | None = None
    description: Text | None = None
    deliverables: Text | None = None
    contact: Text | None = None
    district: str | None = None
    location: str | None = None
    budget: str | float | int | None = None
    category: str | None = None
    claim_opens: str | None = None
    claim_closes: str | None = None
    deadline: str | None = None
    milestones: list[MilestonePatch] | None = None


class ClaimIn(msgspec.Struct, forbid_unknown_fields=True):
    """`partner`: the slug of the claiming partner, when the member belongs to several."""

    plan: Text = ""
    team: Text = ""
    partner: str | None = None


class ReasonIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Text = ""


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    comment: Text = ""


class UpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    """`links` a list or one text with a link per line. Evidence files come with the HTML form
    only, as the action's `evidence` argument."""

    milestone_id: int = 0
    body: Text = ""
    percent: int | str = ""
    links: list[str] | Text = []


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    verdict: str = ""
    comment: Text = ""


class Posted(msgspec.Struct):
    task_id: int


class Edited(msgspec.Struct):
    task_id: int
    fields: list[str]  # the names of the fields that changed; none when nothing did


class Done(msgspec.Struct):
    """A step on a task: the task's new status."""

    task_id: int
    status: str


class BoardQuery(msgspec.Struct):
    """The task board's filters, as the page and the API read them from the query string."""

    province: str | None = None
    category: str | None = None
    status: str | None = None
    agency: str | None = None
    partner: str | None = None
    mine: bool = False
    order: str = "newest"
    page: int = 1
    at: str | None = None  # where the page starts, as the previous page's link says (civic.keyset)


class Evidence(msgspec.Struct):
    id: int
    filename: str
    kind: str
    size: int


class Update(msgspec.Struct):
    id: int
    milestone_id: int
    author_name: str
    partner_slug: str
    partner_name: str
    body: str
    percent: int
    links: list[str]
    created_at: datetime
    evidence: list[Evidence] = []
    partner_name_en: str | None = None


class Review(msgspec.Struct):
    id: int
    milestone_id: int
    verdict: str
    comment: str
    reviewer_name: str
    at: datetime


class Milestone(msgspec.Struct):
    id: int
    position: int
    title: str
    due: date
    budget_share: Decimal | None
    status: str
    percent: int
    reviewed_at: datetime | None
    overdue: bool = False


class Claim(msgspec.Struct):
    id: int
    task_id: int
    partner_id: int
    partner_slug: str
    partner_name: str
    partner_verified: bool
    plan: str
    team: str
    status: str
    reason: str  # what a person typed when ending the claim
    reason_code: str  # or a system reason ('not_confirmed_in_time'), translated when shown
    created_at: datetime
    confirmed_at: datetime | None
    ended_at: datetime | None
    partner_name_en: str | None = None


class Renamed(msgspec.Struct):
    before: str
    after: str


class Redated(msgspec.Struct):
    title: str
    before: str  # ISO date
    after: str


class FieldChange(msgspec.Struct, omit_defaults=True):
    """One field an edit changed (rules.edit_changes). before/after: the old and new value (an ISO
    date, the category code, the title, the budget as a decimal string); longer texts are only
    named. Milestones list what moved."""

    field: str
    before: str | None = None
    after: str | None = None
    added: list[str] = []
    removed: list[str] = []
    renamed: list[Renamed] = []
    redated: list[Redated] = []
    reordered: bool = False


class Event(msgspec.Struct):
    id: int
    at: datetime
    action: str
    actor_role: str
    actor_name: str | None
    org_slug: str | None
    org_name: str | None
    from_status: str | None
    to_status: str | None
    note: str
    changes: list[FieldChange] = []
    org_name_en: str | None = None


class TaskSummary(msgspec.Struct):
    id: int
    title: str
    status: str
    province: str
    district: str
    category: str
    agency_id: int
    agency_slug: str
    agency_name: str
    agency_level: str | None
    budget: Decimal | None
    claim_opens: date
    claim_closes: date
    deadline: date
    verified_only: bool
    holder_slug: str | None
    holder_name: str | None
    progress: int
    created_at: datetime
    url: str = ""
    agency_name_en: str | None = None
    holder_name_en: str | None = None


class TaskPage(keyset.Paged, kw_only=True):
    items: list[TaskSummary]

    def public(self) -> TaskPageOut:
        return TaskPageOut(items=self.items, **self.described())


class TaskPageOut(keyset.PageOut, kw_only=True):
    items: list[TaskSummary]


class Task(msgspec.Struct):
    id: int
    agency_id: int
    agency_slug: str
    agency_name: str
    agency_level: str | None
    title: str
    description: str
    deliverables: str
    province: str
    district: str
    location: str
    category: str
    partner_types: list[str]
    skills: list[str]
    budget: Decimal | None
    claim_opens: date
    claim_closes: date
    deadline: date
    contact: str
    verified_only: bool
    confirm_days: int
    review_days: int
    status: str
    cancel_reason: str
    completion_requested_at: datetime | None
    signed_off_at: datetime | None
    signoff_comment: str
    created_at: datetime
    published_at: datetime | None
    updated_at: datetime
    milestones: list[Milestone] = []
    claim: Claim | None = None
    holder_partner_id: int | None = None
    agency_name_en: str | None = None


class TaskDetail(msgspec.Struct):
    """The JSON twin of the task page."""

    task: Task
    timeline: list[Event]
    updates: list[Update]
    reviews: list[Review]
    claims: list[Claim]


class OverdueItem(msgspec.Struct):
    task_id: int
    title: str
    kind: str  # claim_unconfirmed | milestone_overdue | completion_unreviewed
    detail: str
    since: date
    days_late: int
    agency_slug: str
    agency_name: str
    partner_slug: str | None
    partner_name: str | None
    agency_name_en: str | None = None
    partner_name_en: str | None = None


class TrackRecord(msgspec.Struct):
    partner_id: int
    slug: str
    name_th: str
    name_en: str
    verified: bool
    claimed: int
    completed: int
    on_time: int
    in_progress: int
    released_or_expired: int
    withdrawn: int
    signoffs: list[dict]
