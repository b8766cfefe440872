"""Meilisearch backend (when MEILI_URL is set), through the official `meilisearch` client.

Meilisearch never sees Thai as Thai. Measured on 1.50.0 (tests/integration/test_meili_live*.py):
its normaliser strips Thai vowel and tone marks (charabia#371: พึ่ง matched พัง), its segmenter
cuts our words again with its own dictionary (and unknown words into single letters: เว็ปไซด์),
and its stop words are left out of the index altogether (pythainlp's list holds จำเป็น, เชื่อถือ,
พึ่ง, so those words could not be found). So every token (civic.thai.tokenise: repaired,
normalised, segmented; the same for documents and queries) is sent as one Latin word,
`meili_word`: "xq" and then two letters per Thai character (ASCII words pass unchanged). Meilisearch
then matches our words exactly, as PostgreSQL's tsvector does, with typo tolerance and a prefix
match on the last query word working on them unchanged (the code is per character).
Searchable, in this order (the `attribute` rule): title_words, body_words, part_words (the
dictionary words inside a longer token, so รถเมล์ finds ป้ายรถเมล์ as PostgreSQL's lexicon
search does), place_words (the names of the document's province and agency,
civic.search.text.place_text). The originals (`title`, `body`) and their plain tokens are stored
for display, and hits are highlighted by civic.search.text onto the originals, exactly as the
PostgreSQL backend does.

Settings: filterable kind/province/agency/status/key; sortable created_at/popularity; no stop words
(the query drops them, as civic.search.text.analyse does for PostgreSQL, unless nothing else is
left); synonyms = every group of civic.search.text.synonym_groups() (civic/data/synonyms_th.txt
and the provinces' names), each term coded as a query is and mapped to all the others; typos
from 4 Thai characters (one) and 7 (two); ranking rules are Meilisearch's defaults followed by
popularity:desc and created_at:desc as tie-breakers.

A query typed as one run of Thai (no space) that tokenises into several words is also searched as
that one word, merged by ranking score (a federated multi-search): a typo such as ไข้เลือกออก or
a word cut short (ประชาพิ) matches the document's one token that way, where its pieces cannot.

Versions: Meilisearch has no conditional write, so `version` is stored but not enforced. The
relay always sends the entity's CURRENT database state, so a replay re-sends the same truth;
only two relays racing on one entity in the same second could leave the older state, until
that entity's next write or `python -m civic reindex`. A delete removes the document (there is
no tombstone); a write after it brings the document back, as the database says.

Every write waits for its task; a failed or timed-out task raises SearchUnavailable with
Meilisearch's own message, so the relay keeps the outbox row and retries.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
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


_PAIRS = [a + b for a in "abcdefgh" for b in "abcdefghijklmnop"]  # 128 codes: U+0E00-U+0E7F
_THAI_CHAR = re.compile("[\u0e00-\u0e7f]")
WORD_MARK = "xq"  # starts every coded word: no English word does, so a typed prefix never meets one


def meili_word(token: str) -> str:
    """One token as Meilisearch should see it: a token with Thai in it as WORD_MARK and two
    letters per Thai character (other characters kept), anything else unchanged."""
    if not _THAI_CHAR.search(token):
        return token
    return WORD_MARK + "".join(_PAIRS[ord(c) - 0x0E00] if 0x0E00 <= ord(c) < 0x0E80 else c for c in token)


def meili_text(tokens: list[str]) -> str:
    return " ".join(meili_word(t) for t in tokens)


@functools.lru_cache(maxsize=65536)
def parts_of(token: str) -> tuple[str, ...]:
    """The dictionary words inside a Thai token, other than itself: ป้ายรถเมล์ -> ป้าย, รถเมล์.
    Words too short to mean much inside another (text.substring_worthy) are left out."""
    if len(token) < 4 or not _THAI_CHAR.search(token):
        return ()
    words = thai.dictionary()
    found = {
        word
        for i in range(len(token))
        for word in words.prefixes(token, i)
        if 2 <= len(word) < len(token)
    }
    return tuple(sorted(w for w in found if text.substring_worthy(w)))


def synonyms_setting() -> dict[str, list[str]]:
    """Every group of text.synonym_groups() (the synonym file and the provinces' names), each
    term segmented as queries are and mapped to all the others; and the prefixed forms of the
    provinces (จ.เชียงใหม่, จังหวัดเชียงใหม่) mapped one way to their province's names."""
    out: dict[str, list[str]] = {}
    for group in text.synonym_groups():
        terms = sorted({meili_text(thai.tokenise(t)) for t in group} - {""})
        for term in terms:
            others = [t for t in terms if t != term]
            if others:
                out[term] = sorted(set(out.get(term, [])) | set(others))
    for prefixed, names in text.prefixed_names().items():
        key = meili_text(thai.tokenise(prefixed))
        targets = {meili_text(thai.tokenise(n)) for n in names} - {"", key}
        if key and targets:
            out[key] = sorted(set(out.get(key, [])) | targets)
    return out


SEARCHABLE = ["title_words", "body_words", "part_words", "place_words"]


def index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE,
        "displayedAttributes": ["*"],
        # the key too: deletes select documents by a filter on it
        "filterableAttributes": [*FACET_FIELDS, PRIMARY_KEY],
        "sortableAttributes": ["created_at", "popularity"],
        "rankingRules": RANKING_RULES,
        "stopWords": [],
        "synonyms": synonyms_setting(),
        # in coded letters: 2 + 2 per Thai character
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 10, "twoTypos": 16}},
    }


def to_meili(doc: SearchDocument, version: int) -> dict[str, Any]:
    title_tokens = thai.tokenise(doc.title or "")
    body_tokens = thai.tokenise(doc.body or "")
    parts = sorted({p for t in set(title_tokens + body_tokens) for p in parts_of(t)})
    return {
        PRIMARY_KEY: doc_key(doc.kind, doc.id),
        "kind": doc.kind,
        "id": doc.id,
        "title": doc.title,
        "body": doc.body,
        "url": doc.url,
        "title_tokens": " ".join(title_tokens),
        "body_tokens": " ".join(body_tokens),
        "title_words": meili_text(title_tokens),
        "body_words": meili_text(body_tokens),
        "part_words": meili_text(parts),
        "place_words": meili_text(thai.tokenise(text.place_text(doc))),
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
        from meilisearch.errors import (
            MeilisearchCommunicationError,
            MeilisearchError,
            MeilisearchTimeoutError,
        )

        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except MeilisearchTimeoutError as exc:
            raise SearchUnavailable(f"Meilisearch at {self.client.config.url} timed out: {exc}") from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"Meilisearch unreachable at {self.client.config.url}: {exc}") from exc
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
        filters = [f"{field} = {filter_value(value)}" for field, value in query.filters().items()]
        one = {
            "indexUid": self.index_uid,
            "attributesToRetrieve": ["kind", "id", "url", "title", "body", "title_tokens", "body_tokens"],
        }
        if filters:
            one["filter"] = filters
        queries = [one | {"q": meili_text(aq.tokens)}]
        if aq.one_run and len(aq.tokens) > 1:
            queries.append(one | {"q": meili_word(aq.phrase)})
        federation = {
            "page": query.page,
            "hitsPerPage": query.per_page,
            "facetsByIndex": {self.index_uid: list(FACET_FIELDS)},
            "mergeFacets": {},
        }
        raw = await self._call(self.client.multi_search, queries, federation)
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
