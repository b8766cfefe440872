"""Atom feeds, read as a feed reader reads them (feedparser): each is well-formed Atom 1.0 with an
id, a title in Thai, updated, self and alternate links; its entries have ids, updated, a link and
a Thai title; only public events about subjects still public appear; each mirrored page names its
feed in <head>."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import feedparser

from civic import registry
from civic.accounts.store import user_by_id
from civic.consultations import actions as consultations
from civic.ideas import actions as ideas
from civic.ideas.schemas import ModerationIn
from civic.search import relay
from civic.search.backend import shared_backend
from tests.helpers import index_events, make_user, send_json
from tests.integration.consultation_data import create_draft_policy
from tests.integration.test_handovers_http import _post_task, world  # noqa: F401 (world is a fixture)

THAI = re.compile("[\u0e00-\u0e7f]")
ATOM = "{http://www.w3.org/2005/Atom}"
BODY = "ขอให้เทศบาลติดตั้งไฟส่องสว่างริมถนนมิตรภาพช่วงหน้าโรงเรียน เพื่อความปลอดภัยของนักเรียนตอนเย็น"
SECRET = "ไอเดียที่ผู้ดูแลซ่อนไว้แล้ว"


def atom(response, lang: str = "th") -> feedparser.FeedParserDict:
    """The feed, after every check a valid Atom feed passes here."""
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    # RFC 4287 4.1.1: a feed has exactly one id, title and updated; here also a self and an
    # alternate link, an author, and each entry exactly one id, title, updated and a link.
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    for element in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(element.findall(f"{ATOM}{name}")) == 1, name
    head = feed.feed
    assert head.id.startswith("tag:127.0.0.1,2026:feed/")
    assert head.updated_parsed and head.author
    if lang == "th":
        assert THAI.search(head.title), head.title
    links = {link.rel: link for link in head.links}
    assert links["self"].type == "application/atom+xml" and links["alternate"].type == "text/html"
    assert links["self"].href.split("?")[0] == "http://127.0.0.1:8000" + response.url.path
    ids = [e.id for e in feed.entries]
    assert len(ids) == len(set(ids))
    for entry in feed.entries:
        assert re.fullmatch(r"tag:127\.0\.0\.1,2026:event/\d+", entry.id)
        assert entry.updated_parsed and entry.link.startswith("http://127.0.0.1:8000/")
        if lang == "th":
            assert THAI.search(entry.title), entry.title
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    return feed


class _HeadLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        self.in_head = self.in_head or tag == "head"
        if tag == "link" and self.in_head and dict(attrs).get("type") == "application/atom+xml":
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        self.in_head = self.in_head and tag != "head"


def feed_links(html: str) -> list[dict]:
    """The <link rel="alternate" type="application/atom+xml"> elements of a page's <head>."""
    parser = _HeadLinks()
    parser.feed(html)
    assert all(link.get("rel") == "alternate" for link in parser.links)
    return parser.links


def titles(feed) -> list[str]:
    return [e.title for e in feed.entries]


async def _scene(conn, world):  # noqa: F811
    """A board with an answered idea and a hidden one, a task claimed and confirmed, a consultation
    opened by the sweep and a draft; returns the ids the tests look at."""
    staff = await user_by_id(conn, await conn.fetchval("SELECT id FROM users WHERE email = 'staff@kkn.example'"))
    board = {"slug": "kkn-light", "agency": "kkn-pao", "title": "ไฟส่องสว่างขอนแก่น", "scope": "KKN",
             "description_th": "เสนอจุดที่ควรติดตั้งไฟส่องสว่างริมถนนในจังหวัดขอนแก่น", "categories": ["ไฟฟ้า"]}  # fmt: skip
    r = await send_json(world["staff"], "POST", "/api/v1/boards", board)
    assert r.status_code == 201, r.text
    idea = {"board": "kkn-light", "title": "ไฟถนนหน้าโรงเรียน", "body": BODY, "category": "ไฟฟ้า", "province": "KKN"}
    r = await send_json(world["nok"], "POST", "/api/v1/ideas", idea)
    assert r.status_code == 201, r.text
    answered = r.json()["id"]
    answer = {"body": "อบจ. จะติดตั้งไฟภายในสามเดือน"}
    assert (await send_json(world["staff"], "POST", f"/api/v1/ideas/{answered}/answer", answer)).status_code == 200
    r = await send_json(world["ton"], "POST", "/api/v1/ideas", idea | {"title": SECRET})
    hidden = r.json()["id"]
    moderator = await user_by_id(conn, await make_user(conn, "mod@example.com", role="moderator"))
    await ideas.hide(conn, moderator, ModerationIn(subject_kind="idea", subject_id=hidden, reason="ข้อมูลส่วนบุคคล"))
    task = await _post_task(world["staff"])
    claim = {"plan": "แผนงานอบรมอาสาสมัคร " * 3, "team": "ทีมรักษ์น้ำ"}
    assert (await send_json(world["nok"], "POST", f"/api/v1/handovers/{task}/claim", claim)).status_code in (200, 201)
    assert (await send_json(world["staff"], "POST", f"/api/v1/handovers/{task}/confirm")).status_code in (200, 201)
    agency = await conn.fetchval("SELECT id FROM organisations WHERE slug = 'kkn-pao'")
    opened = await create_draft_policy(conn, actor_id=staff.id, owner_org_id=agency, status="scheduled")
    draft = await create_draft_policy(conn, actor_id=staff.id, owner_org_id=agency, status="draft")
    assert await consultations.advance_lifecycle(conn) == 1
    return {"answered": answered, "hidden": hidden, "task": task, "opened": opened, "draft": draft}


async def test_every_feed_is_atom_with_thai_titles_and_public_events_only(world, conn, make_client):  # noqa: F811
    s = await _scene(conn, world)
    reader = await make_client()  # signed out, as a feed reader is
    site = atom(await reader.get("/feed"))
    board = atom(await reader.get("/feed/boards/kkn-light"))
    agency = atom(await reader.get("/feed/organisations/kkn-pao"))
    province = atom(await reader.get("/feed/provinces/KKN"))
    hub = atom(await reader.get("/feed/consultations"))
    one = atom(await reader.get(f"/feed/consultations/{s['opened']}"))
    tasks = atom(await reader.get("/feed/handovers"))
    for feed in (site, board, agency, province):
        shown = " ".join(titles(feed))
        assert "ความคิดเห็นใหม่" not in shown
        assert "ไอเดียใหม่: ไฟถนนหน้าโรงเรียน" in shown and "หน่วยงานตอบไอเดีย: ไฟถนนหน้าโรงเรียน" in shown
        # The hidden idea's events were public when they happened; it is hidden now, so never here.
        assert SECRET not in shown and SECRET not in str(feed.entries)
    assert board.feed.title == "บอร์ดไอเดีย: ไฟส่องสว่างขอนแก่น"
    assert {link.href for link in board.feed.links if link.rel == "alternate"} == {
        "http://127.0.0.1:8000/boards/kkn-light"
    }
    # The board's feed holds the board's own events and its ideas' only.
    assert all(e.link.endswith(("/boards/kkn-light", f"/ideas/{s['answered']}")) for e in board.entries)
    answer = next(e for e in board.entries if e.title.startswith("หน่วยงานตอบไอเดีย"))
    assert answer.author == "หน่วยงาน kkn-pao"  # an official act names its agency
    kinds_of = {e.link.rsplit("/", 2)[-2] for e in tasks.entries}
    assert kinds_of == {"handovers"}
    task_titles = titles(tasks)
    assert any(t.startswith("งานใหม่สำหรับภาคี") for t in task_titles)
    assert any(t.startswith("ยืนยันภาคีผู้รับงาน") for t in task_titles)
    # A claim waiting for the agency is staff-only: not in any feed.
    claimed = await conn.fetchval("SELECT id FROM events WHERE kind = 'handover.claimed'")
    staff_only = await conn.fetch("SELECT id FROM events WHERE visibility <> 'public'")
    assert claimed and staff_only
    everything = [e.id for f in (site, board, agency, province, hub, one, tasks) for e in f.entries]
    assert not {f"tag:127.0.0.1,2026:event/{r['id']}" for r in staff_only} & set(everything)
    assert [e.link for e in hub.entries] == [f"http://127.0.0.1:8000/consultations/{s['opened']}"]
    assert titles(one)[0].startswith("เปิดรับฟังความคิดเห็น")
    assert set(everything) >= {e.id for e in site.entries}  # the site feed is the union's newest
    # A draft consultation has no feed for the public; an unknown board, agency or province neither.
    for url in (f"/feed/consultations/{s['draft']}", "/feed/boards/nope", "/feed/organisations/rak-nam",
                "/feed/provinces/XXX"):  # fmt: skip
        assert (await reader.get(url)).status_code == 404, url


async def test_english_on_request_and_entries_keep_their_ids(world, conn, make_client):  # noqa: F811
    await _scene(conn, world)
    reader = await make_client()
    thai, english = await reader.get("/feed/boards/kkn-light"), await reader.get("/feed/boards/kkn-light?lang=en")
    th, en = atom(thai), atom(english, lang="en")
    assert en.feed.title == "Idea board: ไฟส่องสว่างขอนแก่น" and en.feed.language == "en"
    assert th.feed.language == "th"
    assert any(t == "New idea: ไฟถนนหน้าโรงเรียน" for t in titles(en))
    assert [e.id for e in en.entries] == [e.id for e in th.entries]
    self_link = next(link.href for link in en.feed.links if link.rel == "self")
    assert self_link == "http://127.0.0.1:8000/feed/boards/kkn-light?lang=en"
    # A reader who chose English on the site gets English without asking.
    assert atom(await world["rival"].get("/feed/handovers"), lang="en").feed.title == "Tasks for partners"


async def test_a_saved_search_feed_shows_news_about_its_matches(world, conn, pool, make_client, app):  # noqa: F811
    s = await _scene(conn, world)
    await index_events(pool)
    await relay.relay_all(pool, shared_backend(app.state), registry.SEARCH_LOADERS)
    reader = await make_client()
    found = atom(await reader.get("/feed/search", params={"q": "ไฟถนน", "province": "KKN", "page": "3"}))
    links = [e.link for e in found.entries]
    assert links and links[0] == f"http://127.0.0.1:8000/ideas/{s['answered']}"
    # the newest event about the idea is the answer; the hidden idea is in no search feed
    assert titles(found)[0] == "หน่วยงานตอบไอเดีย: ไฟถนนหน้าโรงเรียน"
    assert SECRET not in str(found.entries)
    assert found.feed.title == "ค้นหา: ไฟถนน"
    assert {link.rel: link.href for link in found.feed.links}["self"] == (
        "http://127.0.0.1:8000/feed/search?q=%E0%B9%84%E0%B8%9F%E0%B8%96%E0%B8%99%E0%B8%99&province=KKN"
    )
    nothing = atom(await reader.get("/feed/search", params={"q": "ไม่มีอะไรตรงกับคำนี้เลยแน่นอน"}))
    assert nothing.entries == [] and nothing.feed.updated_parsed


async def test_each_mirrored_page_names_its_feed(world, conn, make_client):  # noqa: F811
    s = await _scene(conn, world)
    reader = await make_client()
    pages = {
        "/": "/feed",
        "/boards/kkn-light": "/feed/boards/kkn-light",
        "/organisations/kkn-pao": "/feed/organisations/kkn-pao",
        "/consultations": "/feed/consultations",
        f"/consultations/{s['opened']}": f"/feed/consultations/{s['opened']}",
        "/handovers": "/feed/handovers",
        "/ideas?province=KKN": "/feed/provinces/KKN",
        "/search?q=%E0%B9%84%E0%B8%9F&province=KKN": "/feed/search?q=%E0%B9%84%E0%B8%9F&province=KKN",
    }
    for page, href in pages.items():
        r = await reader.get(page)
        assert r.status_code == 200, page
        links = feed_links(r.text)
        assert href in [link["href"] for link in links], (page, links)
        assert all(THAI.search(link["title"]) for link in links), links
        atom(await reader.get(href))  # and the feed it names is there

