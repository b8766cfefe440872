"""The search port: one document shape for every kind, and the Protocol every backend meets.

Backends: `civic.search.postgres.PostgresBackend` (the embedded default) and
`civic.search.meili.MeiliBackend` (when MEILI_URL is set). `civic.search.backend.make_backend`
picks one from the settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import msgspec
from markupsafe import Markup, escape

from civic import thai

KINDS = ("idea", "consultation", "handover")
FACET_FIELDS = ("kind", "province", "agency", "status")
MAX_QUERY_CHARS = 200  # longer queries are cut: no one types more, and it bounds the work
MAX_PER_PAGE = 50
MAX_PAGE = 100


class SearchUnavailable(RuntimeError):
    """The backend could not be reached or refused the request; the caller may retry later."""


class SearchDocument(msgspec.Struct, kw_only=True):
    kind: str
    id: int
    title: str
    body: str
    url: str
    province: str | None = None
    agency: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    popularity: int = 0
    # The agency's names (Thai, English), searchable with the province's names after the title
    # and body (civic.search.text.place_text); the relay fills them in from `organisations`.
    agency_names: list[str] = []

    @property
    def key(self) -> str:
        return doc_key(self.kind, self.id)


class SearchQuery(msgspec.Struct, kw_only=True):
    q: str = ""
    kind: str | None = None
    province: str | None = None
    agency: str | None = None
    status: str | None = None
    page: int = 1
    per_page: int = 10

    def clamped(self) -> SearchQuery:
        """Safe copy: query cut to MAX_QUERY_CHARS, page and per_page in range, empty filters None."""
        return SearchQuery(
            q=(self.q or "")[:MAX_QUERY_CHARS],
            kind=self.kind or None,
            province=self.province or None,
            agency=self.agency or None,
            status=self.status or None,
            page=min(max(int(self.page or 1), 1), MAX_PAGE),
            per_page=min(max(int(self.per_page or 10), 1), MAX_PER_PAGE),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def filters(self) -> dict[str, str]:
        return {f: v for f in FACET_FIELDS if (v := getattr(self, f))}


class SearchHit(msgspec.Struct, kw_only=True):
    kind: str
    id: int
    url: str
    title: str  # HTML: escaped text with <mark> around matches
    snippet: str  # HTML: escaped text with <mark> around matches


class SearchResult(msgspec.Struct, kw_only=True):
    query: str
    total: int = 0
    # False when `total` (and the facet counts) cover the best matches only: there are more
    total_exact: bool = True
    hits: list[SearchHit] = []
    facets: dict[str, dict[str, int]] = {}
    page: int = 1
    per_page: int = 10

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def as_document(value: SearchDocument | dict) -> SearchDocument:
    """Domains may return SearchDocument structs or plain dicts with the same fields. Every
    document passes here on its way into the index, so a Thai ID number typed into public text
    is masked once for all results and snippets, and cannot be searched for."""
    doc = value if isinstance(value, SearchDocument) else msgspec.convert(value, SearchDocument, strict=False)
    return msgspec.structs.replace(doc, title=thai.mask_thai_ids(doc.title), body=thai.mask_thai_ids(doc.body))


def doc_key(kind: str, entity_id: int) -> str:
    """Primary key shared by backends: "idea-12" (Meilisearch ids allow a-z, 0-9, - and _)."""
    return f"{kind}-{entity_id}"


def parse_key(key: str) -> tuple[str, int]:
    kind, _, num = key.rpartition("-")
    return kind, int(num)


def empty_result(query: SearchQuery) -> SearchResult:
    return SearchResult(
        query=query.q, page=query.page, per_page=query.per_page, facets={f: {} for f in FACET_FIELDS}
    )


def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape `text` and wrap each [start, end) span in <mark>. Markup only after escaping:
    every piece of `text` goes through escape(); the tags are the only markup added."""
    out: list[str] = []
    pos = 0
    for start, end in merge_spans(spans):
        if start < pos:
            continue
        out += (escape(text[pos:start]), "<mark>", escape(text[start:end]), "</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return Markup("".join(out))  # noqa: S704 - joined from escaped text and literal tags


def hit_html(value: str) -> Markup:
    """A hit's title/snippet for a template. Only for strings made by `highlight()` (every
    backend builds hits with it): escaped first, then marked."""
    return Markup(value)  # noqa: S704


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    async def ensure_index(self) -> None:
        """Create the index and apply its settings; safe to call repeatedly."""

    async def upsert(self, docs: list[SearchDocument], version: int) -> None:
        """Insert or replace; a stored document with a newer version is kept (replays are harmless)."""

    async def delete(self, keys: list[tuple[str, int]], version: int) -> None:
        """Remove (kind, id) documents; a stored document with a newer version is kept."""

    async def search(self, query: SearchQuery) -> SearchResult:
        """Never raises for bad input: an unusable query gives an empty result."""
