"""The Meilisearch adapter at the HTTP level: a recording server on 127.0.0.1 answers like
Meilisearch (task objects, search results), and the requests must match the documented API:
https://www.meilisearch.com/docs/reference/api (indexes, settings, documents, multi-search, tasks).
The answers were checked against a real Meilisearch 1.50.0 (tests/integration/test_meili_live*.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civic import thai
from civic.search.meili import WORD_MARK, MeiliBackend, index_settings, meili_text, meili_word
from civic.search.port import SearchQuery, SearchUnavailable
from tests.integration.search_corpus import DOCS


class FakeMeili:
    """Records (method, path, json body); every write is an enqueued task that later reports
    `task_status` (and `task_error` if failed)."""

    def __init__(self):
        self.requests: list[tuple[str, str, object]] = []
        self.tasks: dict[int, dict] = {}
        self.fail_tasks: dict[str, dict] = {}  # task type -> error object
        # a federated multi-search answer, as Meilisearch 1.50.0 gives it
        self.search_answer: dict = {
            "hits": [], "processingTimeMs": 0, "hitsPerPage": 10, "page": 1, "totalPages": 0, "totalHits": 0,
            "facetDistribution": {}, "facetStats": {}, "requestUid": "01a248d8-31a0-7bb2-86bf-537d2268e1f8",
        }  # fmt: skip
        self.down = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests.append((self.command, self.path, body))
                if fake.down:
                    return self._reply(
                        503, {"message": "down", "code": "internal", "type": "internal", "link": ""}
                    )
                status, answer = fake.route(self.command, self.path, body)
                self._reply(status, answer)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _task(self, kind: str, index_uid: str | None):
        uid = len(self.tasks)
        error = self.fail_tasks.get(kind)
        self.tasks[uid] = {
            "uid": uid, "indexUid": index_uid, "status": "failed" if error else "succeeded", "type": kind,
            "error": error, "enqueuedAt": "2026-01-01T00:00:00.000000Z", "details": {},
        }  # fmt: skip
        return 202, {"taskUid": uid, "indexUid": index_uid, "status": "enqueued", "type": kind,
                     "enqueuedAt": "2026-01-01T00:00:00.000000Z"}  # fmt: skip

    def route(self, method, path, body):
        parts = path.split("?")[0].strip("/").split("/")
        if method == "POST" and parts == ["indexes"]:
            return self._task("indexCreation", body["uid"])
        if method == "POST" and parts == ["multi-search"]:
            return 200, self.search_answer
        if parts[0] == "tasks" and method == "GET":
            return 200, self.tasks[int(parts[1])]
        if parts[0] == "indexes" and len(parts) >= 3:
            uid, rest = parts[1], parts[2:]
            if rest == ["settings"] and method == "PATCH":
                return self._task("settingsUpdate", uid)
            if rest == ["documents"] and method == "POST":
                return self._task("documentAdditionOrUpdate", uid)
            if rest == ["documents", "delete"] and method == "POST":
                return self._task("documentDeletion", uid)
            if rest == ["search"] and method == "POST":
                return 200, self.search_answer
        return 404, {
            "message": f"no route {method} {path}",
            "code": "not_found",
            "type": "invalid_request",
            "link": "",
        }

    def writes(self):
        return [(m, p, b) for m, p, b in self.requests if not p.startswith("/tasks/")]


@pytest.fixture
def fake():
    server = FakeMeili()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


async def test_ensure_index_creates_index_and_sends_settings(fake):
    backend = MeiliBackend(fake.url, "master-key", "civic_test")
    await backend.ensure_index()
    (m1, p1, b1), (m2, p2, b2) = fake.writes()
    assert (m1, p1, b1) == ("POST", "/indexes", {"uid": "civic_test", "primaryKey": "key"})
    assert (m2, p2) == ("PATCH", "/indexes/civic_test/settings")
    assert b2["searchableAttributes"] == ["title_words", "body_words", "part_words", "place_words"]
    assert b2["filterableAttributes"] == ["kind", "province", "agency", "status", "key"]
    assert b2["sortableAttributes"] == ["created_at", "popularity"]
    # none: a stop word is left out of Meilisearch's index (so จำเป็น could never be found); queries drop them
    assert b2["stopWords"] == []
    khaya, munfoi = meili_word("ขยะ"), meili_word("มูลฝอย")
    assert (
        munfoi in b2["synonyms"][khaya]
        and khaya in b2["synonyms"][munfoi]
        and "garbage" in b2["synonyms"][khaya]
    )
    assert meili_word("เชียงใหม่") in b2["synonyms"][meili_text(thai.tokenise("จ.เชียงใหม่"))]
    assert b2["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 10, "twoTypos": 16}
    assert b2["rankingRules"][:2] == ["words", "typo"] and "popularity:desc" in b2["rankingRules"]
    # both tasks were waited for
    assert [p for m, p, _ in fake.requests if p.startswith("/tasks/")] == ["/tasks/0", "/tasks/1"]


async def test_ensure_index_tolerates_existing_index(fake):
    fake.fail_tasks["indexCreation"] = {
        "message": "Index `civic` already exists.",
        "code": "index_already_exists",
    }
    await MeiliBackend(fake.url, None, "civic").ensure_index()  # no error


async def test_documents_are_sent_pre_segmented_with_originals(fake):
    backend = MeiliBackend(fake.url, None, "civic")
    damaged = next(d for d in DOCS if d.id == 15)
    await backend.upsert([DOCS[0], damaged], version=123)
    method, path, body = fake.writes()[0]
    assert (method, path) == ("POST", "/indexes/civic/documents?primaryKey=key")
    first, second = body
    assert first["key"] == "idea-1" and first["id"] == 1 and first["version"] == 123
    assert first["title"] == DOCS[0].title  # original kept for display
    assert first["title_tokens"] == thai.tokens_for_index(DOCS[0].title)
    assert " " in first["title_tokens"] and "ถังขยะ" not in first["title_tokens"].split()[0:1]
    assert "ที่ดี" in second["body_tokens"].replace(" ", "") and "ที ่ด ี" in second["body"]
    # what is searched: each token one coded word (Meilisearch would strip the marks and cut again)
    assert first["title_words"] == meili_text(thai.tokenise(DOCS[0].title))
    assert first["place_words"] == meili_text(
        thai.tokenise(
            "กรุงเทพมหานคร | Bangkok | กทม. | กรุงเทพฯ | กรุงเทพ | "
            "Krung Thep | สำนักงานเขตบางกะปิ | Bang Kapi District Office"
        )
    )
    assert meili_word("ขยะ") in first["part_words"].split()  # inside ถังขยะ
    assert isinstance(first["created_at"], int)


async def test_delete_selects_the_documents_by_a_filter_on_their_key(fake):
    await MeiliBackend(fake.url, None, "civic").delete([("idea", 3), ("handover", 9)], version=5)
    assert fake.writes() == [
        ("POST", "/indexes/civic/documents/delete", {"filter": 'key IN ["idea-3", "handover-9"]'})
    ]


async def test_failed_task_raises_with_meili_message(fake):
    fake.fail_tasks["documentAdditionOrUpdate"] = {
        "message": "Document identifier `bad id` is invalid.", "code": "invalid_document_id",
    }  # fmt: skip
    with pytest.raises(SearchUnavailable, match="invalid_document_id") as info:
        await MeiliBackend(fake.url, None, "civic").upsert(DOCS[:1], version=1)
    assert "Document identifier `bad id` is invalid." in str(info.value)


async def test_server_down_or_unreachable_is_search_unavailable(fake):
    fake.down = True
    with pytest.raises(SearchUnavailable):
        await MeiliBackend(fake.url, None, "civic").upsert(DOCS[:1], version=1)
    with pytest.raises(SearchUnavailable):
        await MeiliBackend("http://127.0.0.1:9", None, "civic", timeout_s=1).search(SearchQuery(q="ขยะ"))


async def test_search_request_and_result_mapping(fake):
    doc = DOCS[0]
    fake.search_answer |= {
        "hits": [{"key": "idea-1", "kind": "idea", "id": 1, "url": doc.url, "title": doc.title, "body": doc.body,
                  "title_tokens": thai.tokens_for_index(doc.title), "body_tokens": thai.tokens_for_index(doc.body),
                  "_federation": {"indexUid": "civic", "queriesPosition": 0, "weightedRankingScore": 0.98}}],
        "totalHits": 1, "totalPages": 1,
        "facetDistribution": {"kind": {"idea": 1}, "province": {"BKK": 1}},
    }  # fmt: skip
    backend = MeiliBackend(fake.url, None, "civic")
    result = await backend.search(SearchQuery(q="ถังขยะ", province='BKK" OR kind = "x', page=1))
    method, path, body = fake.requests[-1]
    assert (method, path) == ("POST", "/multi-search")
    (one,) = body["queries"]  # typed as one word that is one token: one query
    assert one["indexUid"] == "civic"
    assert one["q"] == meili_text(thai.tokenise("ถังขยะ"))  # segmented and coded like the documents
    assert one["filter"] == ['province = "BKK\\" OR kind = \\"x"']  # input stays one quoted value
    assert body["federation"] == {
        "page": 1, "hitsPerPage": 10, "facetsByIndex": {"civic": ["kind", "province", "agency", "status"]}, "mergeFacets": {}
    }  # fmt: skip
    assert result.total == 1 and result.total_exact and result.facets["province"] == {"BKK": 1}
    assert "<mark>ถังขยะ</mark>" in result.hits[0].title and result.hits[0].url == doc.url


async def test_a_thai_run_of_several_words_is_also_searched_whole(fake):
    await MeiliBackend(fake.url, None, "civic").search(SearchQuery(q="ไข้เลือกออก"))  # a typo: 3 tokens
    words, whole = fake.requests[-1][2]["queries"]
    # its words without the stop word ออก (Meilisearch keeps no stop words; the query drops them)
    assert words["q"] == meili_text(["ไข้", "เลือก"])
    assert whole["q"] == meili_word("ไข้เลือกออก")
    await MeiliBackend(fake.url, None, "civic").search(SearchQuery(q="จำเป็น ที่ดี"))  # typed with a space
    assert len(fake.requests[-1][2]["queries"]) == 1


def test_coded_words_keep_prefixes_and_pass_ascii():
    assert meili_word("ประชาพิจารณ์").startswith(meili_word("ประชาพิ"))
    assert meili_word("pm2.5") == "pm2.5" and meili_word("พึ่ง") != meili_word("พัง")
    assert meili_word("ขยะ").isascii() and meili_word("ขยะ").startswith(WORD_MARK)


async def test_bad_query_never_reaches_meili(fake):
    result = await MeiliBackend(fake.url, None, "civic").search(SearchQuery(q="\u0e48\u0e49"))
    assert result.total == 0 and fake.requests == []


def test_settings_document_is_json():
    settings = index_settings()
    json.dumps(settings, ensure_ascii=False)
    assert all(isinstance(v, list) for v in settings["synonyms"].values())
