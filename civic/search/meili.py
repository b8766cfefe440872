"""Meilisearch backend (when MEILI_URL is set), through the official `meilisearch` client.

Meilisearch's Thai handling strips vowel and tone marks (charabia#371) and matches word
prefixes only, so it never sees raw Thai: documents carry `title_tokens`/`body_tokens`,
the repaired, normalised, segmented text (civic.thai.tokens_for_index), and only those are
searchable; queries are segmented the same way. The originals (`title`, `body`) are stored
for display, and snippets are highlighted by civic.search.text onto the originals, exactly
as the PostgreSQL backend does.

Settings: searchable title_tokens > body_tokens > place_tokens (the names of the document's
province and agency, civic.search.text.place_text); filterable kind/province/agency/status/key;
sortable created_at/popularity; stopWords = pythainlp's Thai list; synonyms = every group of
civic.search.text.synonym_groups() (civic/data/synonyms_th.txt and the provinces' names), each
term (segmented) mapped to all the others; ranking rules are
Meilisearch's defaults followed by popularity:desc and created_at:desc as tie-breakers.

Versions: Meilisearch has no conditional write, so `version` is stored but not enforced. The
relay always sends the entity's CURRENT database state, so a replay re-sends the same truth;
only two relays racing on one entity in the same second could leave the older state, until
that entity's next write or `python -m civic reindex`.

Every write waits for its task; a failed or timed-out task raises SearchUnavailable with
Meilisearch's own message, so the relay keeps the outbox row and retries.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from civic import thai
from civic.search import text
from civic.search.port import (
    FACET_FIELDS,
    SearchDocument,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    doc_key,
    empty_result,
)

PRIMARY_KEY = "key"
TASK_TIMEOUT_MS = 30_000
RANKING_RULES = [
    "words",
    "typo",
    "proximity",
    "attribute",
    "sort",
    "exactness",
    "popularity:desc",
    "created_at:desc",
]


def synonyms_setting() -> dict[str, list[str]]:
    """Every group of text.synonym_groups() (the synonym file and the provinces' names), each
    term segmented as queries are and mapped to all the others; and the prefixed forms of the
    provinces (จ.เชียงใหม่, จังหวัดเชียงใหม่) mapped one way to their province's names."""
    out: dict[str, list[str]] = {}
    for group in text.synonym_groups():
        terms = sorted({" ".join(thai.tokenise(t)) for t in group} - {""})
        for term in terms:
            others = [t for t in terms if t != term]
            if others:
                out[term] = sorted(set(out.get(term, [])) | set(others))
    for prefixed, names in text.prefixed_names().items():
        key = " ".join(thai.tokenise(prefixed))
        targets = {" ".join(thai.tokenise(n)) for n in names} - {"", key}
        if key and targets:
            out[key] = sorted(set(out.get(key, [])) | targets)
    return out


def index_settings() -> dict[str, Any]:
    return {
        # the names of the document's province and agency count last (the `attribute` rule)
        "searchableAttributes": ["title_tokens", "body_tokens", "place_tokens"],
        "displayedAttributes": ["*"],
        # the key too: deletes select documents by a filter on it
        "filterableAttributes": [*FACET_FIELDS, PRIMARY_KEY],
        "sortableAttributes": ["created_at", "popularity"],
        "rankingRules": RANKING_RULES,
        "stopWords": sorted(thai.stopwords()),
        "synonyms": synonyms_setting(),
    }


def to_meili(doc: SearchDocument, version: int) -> dict[str, Any]:
    return {
        PRIMARY_KEY: doc_key(doc.kind, doc.id),
        "kind": doc.kind,
        "id": doc.id,
        "title": doc.title,
        "body": doc.body,
        "url": doc.url,
        "title_tokens": thai.tokens_for_index(doc.title or ""),
        "body_tokens": thai.tokens_for_index(doc.body or ""),
        "place_tokens": thai.tokens_for_index(text.place_text(doc)),
        "province": doc.province,
        "agency": doc.agency,
        "status": doc.status,
        "created_at": int(doc.created_at.timestamp()) if doc.created_at else 0,
        "popularity": int(doc.popularity or 0),
        "version": version,
    }


def filter_value(value: str) -> str:
    """A quoted Meilisearch filter value: quotes and backslashes escaped, so input stays a value."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MeiliBackend:
    name = "meilisearch"

    def __init__(
        self, url: str, api_key: str | None = None, index_uid: str = "civic", *, timeout_s: int = 10
    ) -> None:
        import meilisearch

        self.client = meilisearch.Client(url, api_key, timeout=timeout_s)
        self.index_uid = index_uid
        self.index = self.client.index(index_uid)

    async def _call(self, fn, *args, **kwargs):
        from meilisearch.errors import MeilisearchError

        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MeilisearchError as exc:
            raise SearchUnavailable(f"Meilisearch: {exc}") from exc
        except OSError as exc:
            raise SearchUnavailable(f"Meilisearch unreachable: {exc}") from exc
        except ValueError as exc:  # an answer the client could not parse (pydantic)
            raise SearchUnavailable(f"Meilisearch sent an unexpected answer: {exc}") from exc

    async def _wait(self, task_info, *, allow_codes: tuple[str, ...] = ()) -> None:
        task = await self._call(self.client.wait_for_task, task_info.task_uid, TASK_TIMEOUT_MS, 50)
        if task.status == "succeeded":
            return
        error = task.error or {}
        if task.status == "failed" and error.get("code") in allow_codes:
            return
        raise SearchUnavailable(
            f"Meilisearch task {task.uid} ({task.type}) {task.status}: "
            f"{error.get('message', 'no message')} [{error.get('code', '?')}]"
        )

    async def ensure_index(self) -> None:
        info = await self._call(self.client.create_index, self.index_uid, {"primaryKey": PRIMARY_KEY})
        await self._wait(info, allow_codes=("index_already_exists",))
        info = await self._call(self.index.update_settings, index_settings())
        await self._wait(info)

    async def upsert(self, docs: list[SearchDocument], version: int) -> None:
        if not docs:
            return
        payload = [to_meili(d, version) for d in docs]
        info = await self._call(self.index.add_documents, payload, PRIMARY_KEY)
        await self._wait(info)

    async def delete(self, keys: list[tuple[str, int]], version: int) -> None:
        if not keys:
            return
        # By filter: the client has deprecated deleting by a list of ids (POST .../delete-batch).
        keys_in = ", ".join(filter_value(doc_key(k, i)) for k, i in keys)
        info = await self._call(self.index.delete_documents, filter=f"{PRIMARY_KEY} IN [{keys_in}]")
        await self._wait(info)

    async def search(self, query: SearchQuery) -> SearchResult:
        query = query.clamped()
        aq = text.analyse(query.q)
        if aq.empty:
            return empty_result(query)
        segmented = " ".join(thai.tokenise(text.strip_control(query.q)))
        params: dict[str, Any] = {
            "page": query.page,
            "hitsPerPage": query.per_page,
            "facets": list(FACET_FIELDS),
            "attributesToRetrieve": ["kind", "id", "url", "title", "body", "title_tokens", "body_tokens"],
        }
        filters = [f"{field} = {filter_value(value)}" for field, value in query.filters().items()]
        if filters:
            params["filter"] = filters
        raw = await self._call(self.index.search, segmented, params)
        hits = []
        for h in raw.get("hits", []):
            tokens = f"{h.get('title_tokens', '')} {h.get('body_tokens', '')}".split()
            terms = text.terms_for_document(aq, tokens)
            hits.append(
                SearchHit(
                    kind=h["kind"],
                    id=int(h["id"]),
                    url=h.get("url", ""),
                    title=str(text.highlight_title(h.get("title", ""), terms)),
                    snippet=str(text.snippet(h.get("body", ""), terms)),
                )
            )
        facets = {f: dict(raw.get("facetDistribution", {}).get(f, {})) for f in FACET_FIELDS}
        total = raw.get("totalHits", raw.get("estimatedTotalHits", len(hits)))
        return SearchResult(
            query=query.q,
            total=int(total),
            total_exact="totalHits" in raw,
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
        )


def describe_settings() -> str:
    """For debugging: the settings document as JSON."""
    return json.dumps(index_settings(), ensure_ascii=False, indent=2)
