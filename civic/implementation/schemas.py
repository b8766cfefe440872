"""Implementation plans: the inputs the pages and the API decode into, and what they answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Text = Annotated[str, msgspec.Meta(max_length=20000)]


class MilestoneIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Text = ""
    due: str = ""  # 2026-05-31


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    """A plan for an idea (idea_id) or for a consultation's theme (consultation_id and theme, the
    theme's number as the outcome page shows it, from 1)."""

    idea_id: int | None = None
    consultation_id: int | None = None
    theme: int | None = None
    summary: Text = ""
    starts_on: str = ""
    milestones: list[MilestoneIn] = []


class UpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    """`percent` is the plan's progress after this update. Evidence files come with the HTML
    form only, as the action's `evidence` argument (as for handovers)."""

    body: Text = ""
    percent: int | str = ""
    links: list[str] | Text = []
    milestone_id: int = 0  # a milestone reached with this update; 0 for none


class ImplementedIn(msgspec.Struct, forbid_unknown_fields=True):
    report: Text = ""


class Milestone(msgspec.Struct):
    id: int
    title: str
    due_on: date
    done_at: datetime | None
    overdue: bool = False


class Evidence(msgspec.Struct):
    id: int
    name: str
    kind: str
    bytes: int


class Update(msgspec.Struct):
    id: int
    body: str
    percent: int
    links: list[str]
    milestone_id: int | None
    milestone_title: str | None
    created_at: datetime
    evidence: list[Evidence] = []


class Plan(msgspec.Struct):
    id: int
    subject: Literal["idea", "theme"]
    idea_id: int | None
    consultation_id: int | None
    # From 1, as the outcome page numbers its themes: the theme's place in the latest outcome,
    # None once a correction reworded or dropped it (theme_title is what was planned for).
    theme: int | None
    theme_title: str | None
    subject_title: str
    agency_id: int
    agency_slug: str
    agency_name_th: str
    agency_name_en: str | None
    summary: str
    starts_on: date
    promised_on: date | None
    progress: int
    status: str
    report: str | None
    implemented_at: datetime | None
    kept: bool | None  # None while in progress
    created_at: datetime
    milestones: list[Milestone] = []
    updates: list[Update] = []


class OverdueMilestone(msgspec.Struct):
    plan_id: int
    milestone_id: int
    title: str
    due_on: date
    days_late: int
    subject: str
    idea_id: int | None
    consultation_id: int | None
    subject_title: str
    agency_slug: str
    agency_name_th: str
    agency_name_en: str | None


class Target(msgspec.Struct):
    """What a new plan is for, as the form shows it."""

    subject: Literal["idea", "theme"]
    idea_id: int | None
    consultation_id: int | None
    theme: int | None
    title: str
    agency_id: int
    province: str | None
    owner_ids: list[int]
