"""A request leaves nothing for the cycle collector: what it built is freed when it ends. Garbage
in reference cycles waits for a collection, and a full one walked every object of a worker
(about 100 ms at 150,000 objects), stalling every request on it meanwhile."""

from __future__ import annotations

import gc

from jinja2.environment import TemplateModule
from jinja2.runtime import Context, Macro
from litestar import Request
from litestar.utils.scope.state import ScopeState

from tests.helpers import post_form, text_of


async def _cyclic_garbage(client, paths: list[str]) -> list[object]:
    """The objects that only the cycle collector could free, after GETting `paths`."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in paths:
            assert (await client.get(path)).status_code == 200, path
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def test_an_api_request_leaves_no_cycles(client):
    garbage = await _cyclic_garbage(client, ["/api/v1/privacy/notice", "/api/v1/ideas?sort=new"] * 5)
    # HTMXRequest and its HTMXDetails pointed at each other, holding the request's scope and the
    # server's callbacks (the test client's own objects may be there: they are not the app's)
    held = [o for o in garbage if isinstance(o, Request | ScopeState)]
    assert held == []


async def test_the_pages_people_open_leave_no_cycles(client, conn, app):
    from civic import demo
    from civic.dashboard import actions as dashboard

    await demo.seed(conn)
    async with conn.transaction():
        await dashboard.refresh(conn, app.state.settings)
    idea = await conn.fetchval("SELECT min(id) FROM ideas")
    board = await conn.fetchval("SELECT slug FROM idea_boards ORDER BY id LIMIT 1")
    outcome = await conn.fetchval("SELECT min(consultation_id) FROM consultation_outcomes")
    consultation = await conn.fetchval("SELECT min(id) FROM consultations WHERE status = 'open'")
    task = await conn.fetchval("SELECT min(id) FROM handover_tasks WHERE status <> 'draft'")
    agency = await conn.fetchval("SELECT o.slug FROM organisations o JOIN idea_boards b ON b.agency_id = o.id LIMIT 1")
    partner = await conn.fetchval("SELECT slug FROM organisations WHERE kind = 'partner' ORDER BY id LIMIT 1")
    paths = [
        "/", "/ideas?sort=hot", "/ideas?sort=new&page=2", f"/boards/{board}", f"/ideas/{idea}",
        f"/consultations/{consultation}", f"/consultations/{outcome}/outcome", f"/handovers/{task}",
        "/handovers", "/search?q=ขยะ",
        # the organisation and dashboard pages, whose label libraries are imported without context too
        "/organisations", f"/organisations/{agency}", f"/organisations/{partner}", "/dashboard",
        f"/dashboard/agencies/{agency}",
    ]  # fmt: skip
    garbage = await _cyclic_garbage(client, paths)
    # A macro library imported "with context" was built again for each page, its macros and its
    # context pointing at each other, with the page's whole context behind them.
    held = [o for o in garbage if isinstance(o, Request | ScopeState | Context | Macro | TemplateModule)]
    assert held == []


async def test_the_shared_macros_speak_the_language_of_the_page(client, make_client):
    """They are imported without context, so they translate with the global `_`: in the language
    of the page being built, whichever page a worker built before it."""
    english = await make_client()
    english.cookies.set("lang", "en")
    for _ in range(2):  # alternately, on one worker
        thai = text_of((await client.get("/register")).text)
        assert "Email address" not in thai
        r = await post_form(client, "/register", {"email": "not an address"})
        assert r.status_code == 400 and "พบข้อผิดพลาด" in text_of(r.text)
        r = await post_form(english, "/register", {"email": "not an address"})
        assert r.status_code == 400 and "There is a problem" in text_of(r.text)


async def test_a_label_library_lists_in_the_language_of_the_page(client, make_client, conn):
    """orgs/_labels.html and handovers/_labels.html keep msgids, built once per process: each page
    shows them in its own language."""
    from civic import demo

    await demo.seed(conn)
    english = await make_client()
    english.cookies.set("lang", "en")
    for _ in range(2):  # alternately, on one worker
        thai = text_of((await client.get("/organisations")).text)
        assert "ราชการส่วนกลาง" in thai and "ตรวจสอบแล้ว" in thai and "Central government" not in thai
        page = text_of((await english.get("/organisations")).text)
        assert "Central government" in page and "Verified" in page and "ราชการส่วนกลาง" not in page
        thai = text_of((await client.get("/handovers?order=deadline")).text)
        assert "เปิดรับงาน" in thai and "กำหนดส่งมอบงาน" in thai and "Open for claims" not in thai
        page = text_of((await english.get("/handovers?order=deadline")).text)
        assert "Open for claims" in page and "Delivery deadline" in page and "เปิดรับงาน" not in page


async def test_the_app_freezes_what_start_up_built(db_url):
    """A full collection then walks only what requests built since start-up."""
    from litestar.testing import AsyncTestClient

    from civic.app import create_app
    from civic.settings import load_settings

    off = {f"RUN_{w}": "false" for w in ("RELAY", "CONSUMERS", "SCHEDULER", "MAIL")}
    settings = load_settings({"SECRET_KEY": "x" * 40, "CIVIC_DATA_DIR": "/tmp", "DATABASE_URL": db_url} | off)
    gc.unfreeze()
    try:
        async with AsyncTestClient(create_app(settings)) as client:
            assert gc.get_freeze_count() > 10_000
            assert (await client.get("/api/v1/privacy/notice")).status_code == 200
    finally:
        gc.unfreeze()  # the rest of the test session collects as before
