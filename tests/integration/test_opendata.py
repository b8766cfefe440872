"""Open data at /data: regenerated files, the DCAT catalogue, downloads, and the personal-data scan.

The DCAT-AP SHACL shapes are SEMIC's release 3.0.0, vendored with their licence and source in
tests/vendor/dcat-ap/.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import asyncpg
import msgspec
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from civic import events
from civic.accounts import store as accounts
from civic.consultations import store as consultations
from civic.consultations.schemas import Theme
from civic.opendata import actions, rules
from tests.helpers import login, make_agency, make_partner, make_user, post_form, send_json
from tests.integration.consultation_data import create_draft_policy

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "vendor" / "dcat-ap" / "dcat-ap-SHACL.jsonld"
IANA = "http://www.iana.org/assignments/media-types/"

# Personal data typed into public text, which must not reach a published file as written.
EMAIL = "somchai.private@example.co.th"
PHONE = "081-234-5678"
THAI_ID = "1-1017-00203-45-0"  # a valid check digit
assert rules.scan(THAI_ID)[0].kind == "thai_id"


async def seed(conn) -> dict:
    """Something of every dataset, with personal data where people type it, hidden things, and
    people whose names must not appear (an idea's author, a supporter, an anonymous respondent)."""
    agency = await make_agency(conn, "mdes", province="BKK")
    await make_partner(conn, "green-ngo")
    await make_partner(conn, "refused-ngo", verification="pending")
    await conn.execute(
        "UPDATE organisations SET verification = 'rejected', rejection_reason = 'ไม่ครบ' WHERE slug = 'refused-ngo'"
    )
    author = await make_user(conn, "author@example.org", name="Authorhidden Quietname")
    commenter = await make_user(conn, "commenter@example.org", name="Commenter Publicname")
    supporter = await make_user(conn, "supporter@example.org", name="Supporter Secretname")
    named = await make_user(conn, "named@example.org", name="Named Respondent")
    anonymous = await make_user(conn, "anon@example.org", name="Anonymous Hiddenperson")
    refuser = await make_user(conn, "refuser@example.org", name="Refuser Noconsent")
    hidden_commenter = await make_user(conn, "hc@example.org", name="Hiddencomment Writer")
    board = await conn.fetchval(
        "INSERT INTO idea_boards (slug, agency_id, title, categories) VALUES ('wifi', $1, 'Wi-Fi ชุมชน', '{net}') RETURNING id",
        agency,
    )
    # An official act, so the public record has an entry (its title carries a phone number).
    await events.record(
        conn, "board.created",
        events.BoardCreated(slug="wifi", title=f"Wi-Fi โทร {PHONE}", coowner_ids=[], is_open=True,
                            moderate_first=False, support_threshold=100, response_days=30),
        subject=("board", board), actor_id=None, agency_id=agency,
    )  # fmt: skip
    body = f"ติดต่อ {EMAIL} หรือโทร {PHONE} เลขบัตร {THAI_ID}"
    idea = await conn.fetchval(
        "INSERT INTO ideas (board_id, author_id, title, body, status, province, support_count, created_at) "
        "VALUES ($1, $2, 'ไวไฟฟรีในสวนสาธารณะ', $3, 'accepted', 'BKK', 2, now() - interval '3 days') RETURNING id",
        board, author, body,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO ideas (board_id, author_id, title, body, status, hidden_at) "
        "VALUES ($1, $2, 'Hiddenidea Title', 'x', 'published', now())", board, author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO ideas (board_id, author_id, title, body, status) VALUES ($1, $2, 'Pendingidea Title', 'x', "
        "'pending_moderation')", board, author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO idea_supports (idea_id, user_id, created_at) VALUES ($1, $2, now() - interval '2 days'), "
        "($1, $3, now() - interval '1 day')", idea, supporter, commenter,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO idea_answers (idea_id, org_id, author_id, body) VALUES ($1, $2, $3, 'รับไว้พิจารณา โทร 02-123-4567')",
        idea, agency, author,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO idea_comments (idea_id, author_id, body) VALUES ($1, $2, 'เห็นด้วย =SUM(1+1)')",
        idea,
        commenter,
    )
    await conn.execute(
        "INSERT INTO idea_comments (idea_id, author_id, body, hidden_at) VALUES ($1, $2, 'Hiddencomment Body', now())",
        idea, hidden_commenter,
    )  # fmt: skip

    cid = await create_draft_policy(
        conn, actor_id=None, owner_org_id=agency, status="open", sections_text="ข้อ 1\nเนื้อหา"
    )
    questions = await consultations.list_questions(conn, cid)
    q = [str(x.id) for x in questions]
    for uid, consent in ((named, "named"), (anonymous, "anonymous"), (refuser, "none")):
        answers = {q[0]: "เห็นด้วย", q[1]: 4, q[2]: f"ส่งมาที่ {EMAIL}"}
        await consultations.submit_response(conn, cid, uid, consent=consent, province="CMI", answers=answers)
    section = await conn.fetchval(
        "SELECT id FROM consultation_sections WHERE consultation_id = $1 LIMIT 1", cid
    )
    await consultations.add_comment(conn, cid, commenter, section_id=section, body="ควรขยายพื้นที่")
    await conn.execute("UPDATE consultations SET status = 'closed', closed_at = now() WHERE id = $1", cid)
    await consultations.publish_outcome(
        conn, cid, actor_id=author, summary="สรุปผล",
        themes=[Theme(title="ขยายพื้นที่", disposition="adopted", reason="งบประมาณพอ", comment_ids=[])],
    )  # fmt: skip
    draft = await create_draft_policy(conn, actor_id=None, owner_org_id=agency)

    task = await conn.fetchval(
        "INSERT INTO handover_tasks (agency_id, title, description, province, category, claim_opens, claim_closes, "
        "deadline, contact, status, published_at) VALUES ($1, 'อบรมอาสาสมัคร', 'รายละเอียด', 'KKN', 'disaster', "
        "current_date - 1, current_date + 14, current_date + 60, 'Contactperson 043-000-000', 'open', now()) "
        "RETURNING id", agency,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO handover_milestones (task_id, position, title, due) VALUES ($1, 1, 'อบรมครั้งที่ 1', current_date + 20)",
        task,
    )  # fmt: skip
    admin = await make_user(conn, "admin@example.org", role="admin", name="Platform Admin")
    return {"idea": idea, "consultation": cid, "draft": draft, "task": task, "admin": admin}


async def regenerate(client, conn) -> dict:
    """A regeneration by a platform admin, through the action the admin's button calls (the
    button and its API are tested in test_who_may_regenerate_and_one_at_a_time)."""
    uid = await conn.fetchval("SELECT id FROM users WHERE email = 'root@example.org'")
    uid = uid or await make_user(conn, "root@example.org", role="admin", name="Root Admin")
    admin = await accounts.user_by_id(conn, uid)
    out = await actions.regenerate(conn, admin, client._transport.app.state.settings)
    return msgspec.to_builtins(out)


def read_csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


async def fetch_all(client) -> dict[str, bytes]:
    """Every published file and both catalogues, by path."""
    out = {}
    for d in rules.DATASETS:
        for fmt in rules.formats_of(d):
            path = f"/data/{rules.filename(d.name, fmt)}"
            r = await client.get(path)
            assert r.status_code == 200, path
            out[path] = r.content
    for path in ("/data/catalog.jsonld", "/data/catalog.ttl"):
        out[path] = (await client.get(path)).content
    return out


async def test_every_file_matches_its_dictionary_and_leaves_out_hidden_content(client, conn):
    ids = await seed(conn)
    out = await regenerate(client, conn)
    assert out["run"]["ok"] and out["files"] == sum(len(rules.formats_of(d)) for d in rules.DATASETS)
    files = await fetch_all(client)
    for d in rules.DATASETS:
        rows = read_csv(files[f"/data/{d.name}.csv"])
        assert rows[0] == d.header, d.name
        objects = json.loads(files[f"/data/{d.name}.json"])
        assert all(list(o) == d.header for o in objects), d.name
        assert len(objects) == len(rows) - 1, d.name
        assert rows[1:], f"{d.name}: the seed gives every dataset a row"
    ideas = json.loads(files["/data/ideas.json"])
    assert [i["idea_id"] for i in ideas] == [ids["idea"]]
    assert (
        ideas[0]["support_count"] == 2 and ideas[0]["agency"] == "mdes" and ideas[0]["status"] == "accepted"
    )
    assert ideas[0]["answer"].startswith("รับไว้พิจารณา") and ideas[0]["answered_at"]
    daily = json.loads(files["/data/idea_supports_daily.json"])
    assert sorted(r["supports"] for r in daily) == [1, 1] and {r["idea_id"] for r in daily} == {ids["idea"]}
    everything = b"".join(files.values()).decode()
    for hidden in ("Hiddenidea Title", "Pendingidea Title", "Hiddencomment Body", "Contactperson"):
        assert hidden not in everything
    consultations_ = json.loads(files["/data/consultations.json"])
    assert [c["consultation_id"] for c in consultations_] == [ids["consultation"]]  # the draft is not public
    responses = json.loads(files["/data/consultation_responses.json"])
    assert {r["consent"] for r in responses} == {"named", "anonymous"}  # "none" stays out
    assert {r["name"] for r in responses} == {"Named Respondent", None}
    results = json.loads(files["/data/consultation_results.json"])
    agree = next(r for r in results if r["option"] == "เห็นด้วย")
    assert agree["count"] == 3 and agree["answered"] == 3  # aggregates count everyone
    assert [t["title"] for t in json.loads(files["/data/outcome_themes.json"])] == ["ขยายพื้นที่"]
    entries = json.loads(files["/data/record.json"])
    board = next(e for e in entries if e["act"] == "board.created")
    assert (
        board["agency"] == "mdes"
        and board["payload"]["title"] == "Wi-Fi โทร [phone]"
        and len(board["hash"]) == 64
    )
    assert [p["slug"] for p in json.loads(files["/data/partners.json"])] == ["green-ngo"]
    ocds = json.loads(files["/data/tasks.ocds.json"])
    assert ocds["version"] == "1.1" and ocds["license"] == rules.licence_url("CC-BY-4.0")
    assert [r["ocid"] for r in ocds["releases"]] == [f"ocds-civic-th-{ids['task']}"]
    # civic.web.csvout's formula escaping holds in the bulk files too
    comments = read_csv(files["/data/comments.csv"])
    assert any(cell == "'เห็นด้วย =SUM(1+1)" or cell.startswith("เห็นด้วย") for row in comments for cell in row)
    assert not [c for row in comments for c in row if c[:1] in ("=", "+", "@", "\t", "\r")]


async def test_personal_data_scan_over_every_file_and_the_catalogue(client, conn):
    await seed(conn)
    await regenerate(client, conn)
    files = await fetch_all(client)
    # Names that were published with consent: comment authors and named respondents.
    allowed = {"Commenter Publicname", "Named Respondent"}
    names = [r["display_name"] for r in await conn.fetch("SELECT display_name FROM users")]
    forbidden = [n for n in names if n not in allowed]
    assert "Anonymous Hiddenperson" in forbidden and "Supporter Secretname" in forbidden
    for d in rules.DATASETS:
        # Every cell but random ids and hashes, whose digits may happen to look like a number.
        text_columns = [c.name for c in d.columns if c.type != "identifier"]
        for row in json.loads(files[f"/data/{d.name}.json"]):
            for name in text_columns:
                assert rules.scan(json.dumps(row[name], ensure_ascii=False), forbidden) == [], (d.name, name)
        header, *rows = read_csv(files[f"/data/{d.name}.csv"])
        for row in rows:
            for name, cell in zip(header, row, strict=True):
                assert name not in text_columns or rules.scan(cell, forbidden) == [], (d.name, name)
    for path in ("/data/tasks.ocds.json", "/data/catalog.jsonld", "/data/catalog.ttl"):
        assert rules.scan(files[path].decode("utf-8"), forbidden) == [], path
    everything = b"".join(files.values()).decode()
    assert "Commenter Publicname" in everything and "Named Respondent" in everything
    # what was typed is marked, not dropped: the reader sees that something was there
    assert (
        rules.EMAIL_MARK in everything
        and rules.PHONE_MARK in everything
        and "x-xxxx-xxxxx-45-0" in everything
    )


async def test_the_catalogue_parses_and_each_distribution_answers_as_declared(client, conn, settings):
    await seed(conn)
    await regenerate(client, conn)
    ttl = await client.get("/data/catalog.ttl")
    jsonld = await client.get("/data/catalog.jsonld")
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    g_ttl = Graph().parse(data=ttl.text, format="turtle")
    g = Graph().parse(data=jsonld.text, format="json-ld")
    assert len(g) == len(g_ttl) > 0
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(rules.DATASETS)
    for ds in datasets:
        assert {t.language for t in g.objects(ds, DCTERMS.title)} == {"th", "en"}
        assert {t.language for t in g.objects(ds, DCTERMS.description)} == {"th", "en"}
        assert g.value(ds, DCTERMS.publisher) is not None and g.value(ds, DCTERMS.modified) is not None
    assert set(g.objects(None, DCTERMS.license)) == {URIRef("https://creativecommons.org/licenses/by/4.0/")}
    ideas = URIRef(f"{settings.base_url}/data/ideas")
    assert g.value(g.value(ideas, DCTERMS.temporal), DCAT.startDate) is not None
    distributions = list(g.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == sum(len(rules.formats_of(d)) for d in rules.DATASETS)
    for dist in distributions:
        url = str(g.value(dist, DCAT.downloadURL))
        r = await client.get(url.removeprefix(settings.base_url))
        assert r.status_code == 200, url
        declared = str(g.value(dist, DCAT.mediaType)).removeprefix(IANA)
        assert r.headers["content-type"].split(";")[0] == declared, url
        assert len(r.content) == int(g.value(dist, DCAT.byteSize)) == int(r.headers["content-length"]), url
        assert r.headers.get("last-modified"), url


async def test_the_catalogue_passes_the_dcat_ap_shapes(client, conn, settings):
    from pyshacl import validate

    await seed(conn)
    await regenerate(client, conn)
    shapes = Graph().parse(SHAPES, format="json-ld")
    # Under RDFS every IRI is an rdfs:Resource, which is what the 3.0.0 shapes ask of an access
    # or download URL (sh:class rdfs:Resource); without inference pySHACL would look for that
    # triple written out.
    for path, fmt in (("/data/catalog.jsonld", "json-ld"), ("/data/catalog.ttl", "turtle")):
        g = Graph().parse(data=(await client.get(path)).text, format=fmt)
        conforms, _, report = validate(g, shacl_graph=shapes, inference="rdfs")
        assert conforms, report
    # The shapes do check: a dataset without its title is refused.
    g.remove((URIRef(f"{settings.base_url}/data/ideas"), DCTERMS.title, None))
    conforms, _, report = validate(g, shacl_graph=shapes, inference="rdfs")
    assert not conforms and "title" in report


async def test_a_range_outside_the_data_gives_headers_only_and_a_bad_date_is_refused(client, conn):
    await seed(conn)
    await regenerate(client, conn)
    r = await client.get("/data/ideas.csv?since=2001-01-01&until=2001-12-31")
    assert r.status_code == 200
    assert read_csv(r.content) == [rules.BY_NAME["ideas"].header]
    r = await client.get("/data/consultation_responses.json?since=2001-01-01&until=2001-12-31")
    assert r.status_code == 200 and json.loads(r.content) == []
    r = await client.get("/data/milestones.csv?since=2001-01-01")  # due in the future: in range
    assert len(read_csv(r.content)) == 2
    today = (await conn.fetchval("SELECT (now() AT TIME ZONE 'Asia/Bangkok')::date")).isoformat()
    r = await client.get(f"/data/idea_supports_daily.json?since={today}&until={today}")
    assert [row["supports"] for row in json.loads(r.content)] in ([], [1])  # only what is dated today
    r = await client.get("/data/ideas.csv?since=31-12-2001", headers={"accept-language": "en"})
    assert r.status_code == 422 and "2025-03-05" in r.text
    r = await client.get("/data/ideas.csv?since=2025-02-01&until=2025-01-01")
    assert r.status_code == 422
    assert (await client.get("/data/passwords.csv")).status_code == 404
    assert (await client.get("/data/agencies.ocds.json")).status_code == 404


async def test_a_failed_regeneration_keeps_the_previous_files_and_data_says_so(
    client, conn, settings, monkeypatch
):
    await seed(conn)
    first = await regenerate(client, conn)
    before = (await client.get("/data/ideas.csv")).content
    await conn.execute("UPDATE ideas SET title = 'เปลี่ยนชื่อแล้ว'")

    async def disk_full(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(actions, "_ocds", disk_full)
    failed = await regenerate(client, conn)
    assert not failed["run"]["ok"] and failed["files"] == 0
    assert "No space left on device" in failed["run"]["error"]
    assert (await client.get("/data/ideas.csv")).content == before
    overview = (await client.get("/api/v1/data")).json()
    assert overview["regenerated"]["id"] == first["run"]["id"] and overview["failed"]["ok"] is False
    page = await client.get("/data")
    assert "ไม่สำเร็จ" in page.text and "สร้างใหม่ล่าสุด" in page.text
    # only the served run's directory is left on disk
    assert len(list(actions.root(settings).iterdir())) == 1


async def test_who_may_regenerate_and_one_at_a_time(client, conn, db_url):
    await seed(conn)
    assert (await send_json(client, "POST", "/api/v1/data/regenerate")).status_code == 401
    await make_user(conn, "citizen@example.org")
    await login(client, "citizen@example.org")
    assert (await send_json(client, "POST", "/api/v1/data/regenerate")).status_code == 403
    assert (await client.get("/data/ideas.csv")).status_code == 404  # nothing generated yet
    await make_user(conn, "boss@example.org", role="admin")
    await login(client, "boss@example.org")
    other = await asyncpg.connect(db_url)
    try:
        assert await other.fetchval("SELECT pg_try_advisory_lock(7_2026, hashtext('opendata.regenerate'))")
        r = await send_json(client, "POST", "/api/v1/data/regenerate")
        assert r.status_code == 409
    finally:
        await other.close()
    r = await post_form(client, "/data/regenerate")
    assert r.status_code == 303
    page = await client.get("/data")
    assert page.status_code == 200 and "ideas.csv" in page.text and "พจนานุกรมข้อมูล" in page.text


async def test_the_scheduled_job_regenerates(conn, settings, monkeypatch):
    from civic import registry
    from civic.settings import get_settings

    await seed(conn)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SECRET_KEY", settings.secret_key)
    get_settings.cache_clear()
    try:
        job = next(j for j in registry.JOBS if j.name == "opendata.regenerate")
        assert job.every_seconds <= 86400
        written = await job.fn(conn)
    finally:
        get_settings.cache_clear()
    assert written == sum(len(rules.formats_of(d)) for d in rules.DATASETS)
    assert (
        actions.root(settings) / (await conn.fetchval("SELECT directory FROM opendata_runs")) / "ideas.csv"
    ).is_file()


async def test_regeneration_is_recorded_as_an_event(client, conn):
    await seed(conn)
    out = await regenerate(client, conn)
    row = await conn.fetchrow(
        "SELECT kind, visibility, payload FROM events WHERE kind = 'opendata.regenerated'"
    )
    assert row["visibility"] == "staff" and row["payload"]["run_id"] == out["run"]["id"]
    assert timedelta(0) <= (await conn.fetchval("SELECT finished_at - started_at FROM opendata_runs"))
