"""The Meilisearch adapter against a real server, beyond relevance (test_meili_live.py): settings
as the server keeps them, pre-segmented documents, facets and their counts, every filter,
deletes, the errors a caller sees, and highlights mapped back onto the author's Thai.

Runs only when MEILI_URL is set (MEILI_KEY: the master key); skipped with the reason otherwise.
Each test uses a throw-away index (civic_test_<random>) and deletes it.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter

import pytest

from civic import thai
from civic.search import text
from civic.search.meili import MeiliBackend, index_settings, meili_text, meili_word
from civic.search.port import FACET_FIELDS, SearchQuery, SearchUnavailable
from tests.integration.search_corpus import CASES, DOCS

MEILI_URL = os.environ.get("MEILI_URL")
MEILI_KEY = os.environ.get("MEILI_KEY")

pytestmark = pytest.mark.skipif(
    not MEILI_URL, reason="MEILI_URL is not set: no Meilisearch server to test against (README: live suite)"
)
BY_ID = {d.id: d for d in DOCS}


def _uid() -> str:
    return f"civic_test_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def backend():
    b = MeiliBackend(MEILI_URL, MEILI_KEY, _uid())
    await b.ensure_index()
    yield b
    b.client.delete_index(b.index_uid)


@pytest.fixture
async def loaded(backend):
    await backend.upsert(DOCS, version=1)
    return backend


async def all_hits(backend: MeiliBackend, **kw) -> tuple[list[int], object]:
    result = await backend.search(SearchQuery(per_page=50, **kw))
    assert result.total <= 50
    return [h.id for h in result.hits], result


async def test_settings_are_kept_as_sent(backend):
    want = index_settings()
    got = backend.index.get_settings()
    assert got["searchableAttributes"] == want["searchableAttributes"]
    filterable = [a if isinstance(a, str) else a["attributePatterns"][0] for a in got["filterableAttributes"]]
    assert sorted(filterable) == sorted(want["filterableAttributes"])
    assert sorted(got["sortableAttributes"]) == sorted(want["sortableAttributes"])
    assert got["rankingRules"] == want["rankingRules"]
    assert set(got["stopWords"]) == set(want["stopWords"])
    assert {k: sorted(v) for k, v in got["synonyms"].items()} == {
        k: sorted(v) for k, v in want["synonyms"].items()
    }
    assert got["typoTolerance"]["enabled"] is True
    await backend.ensure_index()  # again: the index exists, nothing fails


async def test_documents_are_stored_pre_segmented_with_the_originals(loaded):
    doc = loaded.index.get_document("consultation-15")
    original = BY_ID[15]
    assert doc.body == original.body and "ที ่ด ี" in doc.body  # the author's text, damage and all
    assert doc.body_tokens == thai.tokens_for_index(original.body)
    assert "ที่ดี" in doc.body_tokens.replace(" ", "")  # repaired for the index
    # what Meilisearch searches: the same tokens, one coded word each, nothing left for it to cut
    assert doc.body_words == meili_text(thai.tokenise(original.body))
    assert not re.search(
        "[\u0e00-\u0e7f]", doc.title_words + doc.body_words + doc.part_words + doc.place_words
    )
    assert doc.place_words == meili_text(thai.tokenise(text.place_text(original)))
    assert (
        meili_word("สำนักงาน") in loaded.index.get_document("idea-13").place_words.split()
    )  # the agency's name
    assert meili_word("รถเมล์") in loaded.index.get_document("handover-29").part_words.split()  # in ป้ายรถเมล์


async def test_facets_count_every_match(loaded):
    ids, result = await all_hits(loaded, q="ขยะ")
    assert result.total_exact and result.total == len(ids)
    for field in FACET_FIELDS:
        want = Counter(getattr(BY_ID[i], field) for i in ids if getattr(BY_ID[i], field))
        assert result.facets[field] == dict(want), field


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "handover"), ("province", "BKK"), ("agency", "bkk-district"), ("status", "done")],
)
async def test_each_filter_keeps_exactly_its_documents(loaded, field, value):
    everything, _ = await all_hits(loaded, q="ถนน")
    ids, result = await all_hits(loaded, q="ถนน", **{field: value})
    assert ids, "the filter case must match something"
    assert sorted(ids) == sorted(i for i in everything if getattr(BY_ID[i], field) == value)
    assert set(result.facets[field]) == {value}


async def test_filters_combine_and_a_quoted_value_stays_a_value(loaded):
    ids, _ = await all_hits(loaded, q="ขยะ", kind="idea", province="BKK", status="open")
    assert sorted(ids) == [1, 2]
    for hostile in ('BKK" OR kind = "idea', "BKK' OR 1=1", "\\", 'x"]'):
        assert (await loaded.search(SearchQuery(q="ขยะ", province=hostile))).total == 0


async def test_delete_removes_and_a_later_write_brings_back(loaded):
    assert 25 in (await all_hits(loaded, q="ขยะ"))[0]
    await loaded.delete([("consultation", 25), ("idea", 999_999)], version=2)  # an unknown id is no error
    ids, result = await all_hits(loaded, q="ขยะ")
    assert 25 not in ids and result.facets["kind"].get("consultation") is None
    await loaded.upsert([BY_ID[25]], version=3)
    assert 25 in (await all_hits(loaded, q="ขยะ"))[0]
    await loaded.delete([], version=4)  # nothing to do, no request


async def test_replayed_upsert_is_harmless(loaded):
    await loaded.upsert(DOCS[:5], version=1)
    await loaded.upsert(DOCS[:5], version=1)
    assert loaded.index.get_stats().number_of_documents == len(DOCS)


async def test_errors_are_search_unavailable_with_the_reason():
    # a missing index: searching it
    missing = MeiliBackend(MEILI_URL, MEILI_KEY, _uid())
    with pytest.raises(SearchUnavailable, match="index_not_found"):
        await missing.search(SearchQuery(q="ขยะ"))
    # ... and a task on it that fails (a delete), waited for and reported with Meilisearch's message
    with pytest.raises(SearchUnavailable, match=r"task \d+ .*failed.*index_not_found"):
        await missing.delete([("idea", 1)], version=1)
    # a wrong key
    with pytest.raises(SearchUnavailable, match="invalid_api_key"):
        await MeiliBackend(MEILI_URL, "not-the-key-" + "x" * 20, _uid()).search(SearchQuery(q="ขยะ"))
    with pytest.raises(SearchUnavailable, match="invalid_api_key"):
        await MeiliBackend(MEILI_URL, "not-the-key-" + "x" * 20, _uid()).ensure_index()
    # no key at all, on a server that has one
    if MEILI_KEY:
        with pytest.raises(SearchUnavailable, match="missing_authorization_header|invalid_api_key"):
            await MeiliBackend(MEILI_URL, None, _uid()).search(SearchQuery(q="ขยะ"))
    # nothing listening
    with pytest.raises(SearchUnavailable, match="unreachable"):
        await MeiliBackend("http://127.0.0.1:9", MEILI_KEY, _uid(), timeout_s=2).upsert(DOCS[:1], version=1)


_MARK = re.compile("<mark>(.*?)</mark>", re.S)


def _unmarked(html_text: str) -> str:
    return text.plain(html_text).replace("…", "")


async def test_highlights_land_on_the_authors_text(loaded):
    """Every title and snippet of every relevance query: the text outside the marks is the
    author's, character for character (the index held repaired, segmented tokens, and
    Meilisearch's own normaliser strips Thai marks; none of that may leak into what is shown)."""
    marked = 0
    for q, _, _ in CASES:
        for hit in (await loaded.search(SearchQuery(q=q, per_page=5))).hits:
            doc = BY_ID[hit.id]
            assert text.plain(hit.title) == doc.title, (q, hit.id)
            assert _unmarked(hit.snippet) in doc.body, (q, hit.id)
            for part in _MARK.findall(hit.title + hit.snippet):
                assert text.plain(part) in doc.title + doc.body
                marked += 1
    assert marked > len(CASES)


@pytest.mark.parametrize(
    ("q", "doc_id", "marked"),
    [
        ("ที่ดี", 15, "ที ่ด ี"),  # split marks in the PDF text: the whole damaged run is marked
        ("พึ่ง", 15, "พ่ึง"),  # misordered marks
        ("จำเป็น", 16, "จําเป็น"),  # nikhahit + sara aa
        ("ความเสี่ยง", 16, "ความเสี ่ยง"),
        ("๗๑", 3, "๗๑"),
        ("71", 3, "๗๑"),  # Arabic digits mark the Thai ones the author wrote
        ("wifi", 5, "WiFi"),
        ("ถังขยะ", 1, "ถังขยะ"),
    ],
)
async def test_marks_on_damaged_and_thai_digit_text(loaded, q, doc_id, marked):
    hit = next(h for h in (await loaded.search(SearchQuery(q=q, per_page=10))).hits if h.id == doc_id)
    marks = [text.plain(m) for m in _MARK.findall(hit.title + hit.snippet)]
    assert marked in marks, (q, marks)


async def test_a_hit_found_by_its_province_alone_marks_nothing(loaded):
    hit = next(h for h in (await loaded.search(SearchQuery(q="Ayutthaya"))).hits if h.id == 31)
    assert "<mark>" not in hit.title + hit.snippet
