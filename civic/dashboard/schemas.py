from __future__ import annotations

from datetime import date, datetime

import msgspec

from civic.implementation.schemas import OverdueMilestone


class Week(msgspec.Struct):
    week: date  # Monday, Bangkok time
    ideas: int
    supports: int
    responses: int
    claims: int


class ProvinceFigures(msgspec.Struct):
    province: str
    ideas: int
    supports: int
    responses: int
    name: str = ""
    participation: int = 0  # ideas + supports + responses
    population: int | None = None  # from POPULATION_CSV, when the platform has one
    per_100k: float | None = None  # participation per 100,000 inhabitants: then what the map shades
    shade: int = 0


class AgencyFigures(msgspec.Struct):
    agency_id: int
    slug: str
    name_th: str
    name_en: str
    level: str | None
    province: str | None
    answers_due: int
    answers_settled: int
    answered_on_time: int
    median_days: float | None
    overdue_now: int
    consultations_held: int
    outcomes_settled: int
    outcomes_on_time: int
    outcomes_overdue: int
    tasks_delegated: int
    tasks_completed: int
    tasks_overdue: int
    promises: int  # accepted ideas and adopted themes (rules.py)
    promises_kept: int  # of those, implemented on time
    on_time_share: float | None = None  # per cent of settled answers given on time
    outcomes_on_time_share: float | None = None
    promises_kept_share: float | None = None  # per cent of promises kept


class OverdueOutcome(msgspec.Struct):
    consultation_id: int
    title: str
    kind: str
    agency_slug: str
    agency_name: str
    due_at: datetime
    days_late: int


class QueueItem(msgspec.Struct):
    kind: str  # answer | review | claim | outcome
    subject_id: int
    title: str
    due_at: datetime | None
    agency_slug: str


class Filters(msgspec.Struct):
    level: str | None = None
    province: str | None = None
    sort: str = "name"
    ignored: dict[str, str] = {}  # unknown values dropped from the query string


class Dashboard(msgspec.Struct):
    refreshed_at: datetime | None
    weeks: list[Week]
    provinces: list[ProvinceFigures]
    agencies: list[AgencyFigures]
    overdue_outcomes: list[OverdueOutcome]
    overdue_milestones: list[OverdueMilestone]  # of implementation plans (civic/implementation)
    filters: Filters
    outcome_due_days: int
    outcome_due_days_s77: int
    # The map shades participation per 100,000 inhabitants when the platform was given a
    # population table with its source (POPULATION_CSV, POPULATION_SOURCE), and raw counts
    # otherwise (see docs/ARCHITECTURE.md, "Dashboards").
    per_capita: bool = False
    population_source: str = ""


class AgencyPage(msgspec.Struct):
    refreshed_at: datetime | None
    agency: AgencyFigures


class Queue(msgspec.Struct):
    items: list[QueueItem]
    counts: dict[str, int]
