"""Which domain events become entries of which feed, and how an entry reads. Pure.

A feed follows things (an idea board, an agency, a consultation, a task...), not conversations:
comments and moderation acts are left out, because they carry other people's words that can
be hidden later, and a feed reader keeps what it once fetched. Only public kinds are listed
(tests/unit/test_feeds_rules.py checks them against the catalogue); whether an event's subject
is still public *now* is the store's join.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urlencode, urlparse

from civic.ideas.rules import STATUS_LABELS as IDEA_STATUS_LABELS
from civic.validation import N_

ENTRIES = 50  # newest entries per feed: what a reader needs between two polls, and an index range
TAG_YEAR = 2026  # the year in every tag: URI (RFC 4151); it must never change, or every id would


# kind -> the entry's title; %(title)s is the subject's title (an idea, a board, a task...).
ENTRY_TITLES: dict[str, str] = {
    "board.created": N_("New idea board: %(title)s"),
    "board.settings_changed": N_("Idea board settings changed: %(title)s"),
    "board.coowner_added": N_("Another agency now runs the idea board: %(title)s"),
    "idea.submitted": N_("New idea: %(title)s"),
    "idea.edited": N_("Idea edited by its author: %(title)s"),
    "idea.threshold_reached": N_("Idea reached its support threshold: %(title)s"),
    "idea.answered": N_("Agency answered the idea: %(title)s"),
    "idea.status_changed": N_("Idea status changed: %(title)s"),
    "org.registered": N_("New organisation: %(title)s"),
    "org.edited": N_("Organisation details changed: %(title)s"),
    "org.verified": N_("Partner organisation verified: %(title)s"),
    "consultation.edited": N_("Consultation changed: %(title)s"),
    "consultation.document_added": N_("Document added to the consultation: %(title)s"),
    "consultation.scheduled": N_("Consultation scheduled: %(title)s"),
    "consultation.opened": N_("Consultation open for responses: %(title)s"),
    "consultation.closed": N_("Consultation closed: %(title)s"),
    "outcome.published": N_("Outcome published: %(title)s"),
    "outcome.corrected": N_("Outcome corrected: %(title)s"),
    "handover.posted": N_("New task for partners: %(title)s"),
    "handover.edited": N_("Task changed: %(title)s"),
    "handover.cancelled": N_("Task cancelled: %(title)s"),
    "handover.expired": N_("Task closed without a claim: %(title)s"),
    "handover.claim_confirmed": N_("Partner confirmed for the task: %(title)s"),
    "handover.progress_reported": N_("Progress reported on the task: %(title)s"),
    "handover.milestone_reviewed": N_("Milestone reviewed: %(title)s"),
    "handover.completion_requested": N_("Completion requested for the task: %(title)s"),
    "handover.completion_rejected": N_("Completion sent back: %(title)s"),
    "handover.signed_off": N_("Task completed and signed off: %(title)s"),
}
ALL_KINDS: tuple[str, ...] = tuple(sorted(ENTRY_TITLES))
# The hub lists consultations, so its reader wants to hear when one is scheduled, opens, closes or
# reports back; the edits of each are in that consultation's own feed.
HUB_KINDS: tuple[str, ...] = (
    "consultation.closed", "consultation.opened", "consultation.scheduled", "outcome.corrected", "outcome.published",
)  # fmt: skip
TASK_KINDS: tuple[str, ...] = tuple(k for k in ALL_KINDS if k.startswith("handover."))
CONSULTATION_KINDS: tuple[str, ...] = tuple(
    k for k in ALL_KINDS if k.split(".")[0] in ("consultation", "outcome")
)

# feed -> the kinds it carries. Every other feed (site, board, agency, province, search) carries all.
SCOPE_KINDS: dict[str, tuple[str, ...]] = {
    "consultations": HUB_KINDS,
    "consultation": CONSULTATION_KINDS,
    "tasks": TASK_KINDS,
}
VERDICT_LABELS = {"met": N_("Met"), "partly_met": N_("Partly met"), "not_met": N_("Not met")}


def kinds_for(scope: str) -> tuple[str, ...]:
    return SCOPE_KINDS.get(scope, ALL_KINDS)


class Line(NamedTuple):
    """One line of an entry's content: a msgid with its parameters. The parameters named in
    `labels` are msgids themselves (a status), translated before they are put in."""

    msgid: str
    params: dict
    labels: tuple[str, ...] = ()


def details(kind: str, payload: dict) -> list[Line]:
    """What the payload adds to the catalogue's summary of the kind, for a reader. Only the
    public fields of public kinds: reasons and notes typed for the public record."""
    lines: list[Line] = []
    if kind == "idea.status_changed":
        statuses = {"from_status": IDEA_STATUS_LABELS.get(payload.get("from_status", ""), ""),
                    "to_status": IDEA_STATUS_LABELS.get(payload.get("to_status", ""), "")}  # fmt: skip
        if all(statuses.values()):
            lines.append(
                Line(N_("Status: %(from_status)s → %(to_status)s"), statuses, ("from_status", "to_status"))
            )
    elif kind == "idea.threshold_reached":
        counts = {"supports": payload.get("support_count", 0), "threshold": payload.get("threshold", 0)}
        lines.append(Line(N_("%(supports)s supports (threshold %(threshold)s)"), counts))
    elif kind == "handover.progress_reported":
        progress = {"milestone": payload.get("milestone_title", ""), "percent": payload.get("percent", 0)}
        lines.append(Line(N_("Milestone %(milestone)s: %(percent)s%% done"), progress))
    elif kind == "handover.milestone_reviewed" and payload.get("verdict") in VERDICT_LABELS:
        verdict = {
            "milestone": payload.get("milestone_title", ""),
            "verdict": VERDICT_LABELS[payload["verdict"]],
        }
        lines.append(Line(N_("Milestone %(milestone)s: %(verdict)s"), verdict, ("verdict",)))
    elif kind in ("outcome.published", "outcome.corrected"):
        lines.append(Line(N_("Themes answered: %(n)s"), {"n": payload.get("themes", 0)}))
    # The typed public words: a status or closing reason, a change note, a correction, a task note.
    for field in ("reason", "change_note", "correction_note", "note"):
        if text := (payload.get(field) or "").strip():
            lines.append(Line(N_("Note: %(text)s"), {"text": text}))
    return lines


def entry_path(kind: str, subject_kind: str, subject_id: int, slug: str | None) -> str:
    """The page an entry links to: the subject's own page (an outcome's page for its outcome)."""
    if subject_kind == "consultation" and kind.startswith("outcome."):
        return f"/consultations/{subject_id}/outcome"
    if subject_kind == "board":
        return f"/boards/{slug}"
    if subject_kind == "organisation":
        return f"/organisations/{slug}"
    return {"idea": "/ideas", "consultation": "/consultations", "handover": "/handovers"}[subject_kind] + (
        f"/{subject_id}"
    )


def tag(base_url: str, specific: str) -> str:
    """A tag: URI (RFC 4151) under the site's host: stable across restarts, languages and moves
    of the feed's URL, as an Atom id must be."""
    return f"tag:{urlparse(base_url).hostname or 'localhost'},{TAG_YEAR}:{specific}"


def entry_id(base_url: str, event_id: int) -> str:
    return tag(base_url, f"event/{event_id}")


def feed_updated(entry_times: list[datetime], fallback: datetime) -> datetime:
    """A feed changes when its newest entry does; an empty feed says when it was read."""
    return max(entry_times, default=fallback)


def url(path: str, params: dict[str, str], lang: str = "th") -> str:
    """A path with its query; the language only when it is not the default (Thai)."""
    query = {k: v for k, v in params.items() if v} | ({"lang": lang} if lang != "th" else {})
    return f"{path}?{urlencode(query)}" if query else path


SEARCH_FILTERS = ("q", "kind", "province", "agency", "status")


# What XML 1.0 cannot carry: a query is echoed into the feed's title, and stored text is checked
# on the way in, but a URL can hold anything.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def search_params(values: dict[str, str | None]) -> dict[str, str]:
    """The search a feed saves: the query and its filters, without paging (a feed is the newest)."""
    cleaned = {k: XML_INVALID.sub("", v).strip() for k in SEARCH_FILTERS if (v := values.get(k))}
    return {k: v for k, v in cleaned.items() if v}
