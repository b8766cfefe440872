from datetime import timedelta

import msgspec
import pytest

from civic.accounts.store import user_by_id
from civic.consultations import actions, store
from civic.consultations.schemas import ConsultationIn, Theme
from tests.helpers import index_events, make_agency, make_user
from tests.integration.consultation_data import create_draft_policy
from tests.integration.race import Gate, race


async def _now(conn):
    return await conn.fetchval("SELECT now()")


async def make_consultation(
    conn, owner, actor, *, kind="general", opens=-1, closes=20, status=None, questions=None
):
    return await create_draft_policy(
        conn, actor_id=actor, owner_org_id=owner, status=status, opens_in_days=opens, closes_in_days=closes,
        kind=kind, summary="ขอรับฟังความคิดเห็นต่อร่างนโยบายอินเทอร์เน็ตชุมชนทั่วประเทศ",
        sections_text="มาตรา ๑ ข้อความที ่ด ี\n\nมาตรา ๒ ให้ใช้บังคับ",
        questions=questions or [
            {"kind": "single", "prompt": "เห็นด้วยหรือไม่", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
            {"kind": "scale", "prompt": "ความสำคัญ", "required": False},
            {"kind": "text", "prompt": "ข้อเสนอแนะ", "required": False},
        ],
    )  # fmt: skip


async def test_sections_keep_original_and_repair(conn):
    org = await make_agency(conn, "mdes")
    u = await make_user(conn, "staff@x.example", role="admin")
    # Drafted through the action: its event is what queues the document (civic.search.consumer).
    now = await _now(conn)
    drafted = msgspec.convert(
        {"owner_org_id": org, "title": "ร่างนโยบายอินเทอร์เน็ตชุมชน", "kind": "general",
         "summary": "ขอรับฟังความคิดเห็นต่อร่างนโยบายอินเทอร์เน็ตชุมชนทั่วประเทศ",
         "opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=20),
         "draft_text": "มาตรา ๑ ข้อความที ่ด ี\n\nมาตรา ๒ ให้ใช้บังคับ",
         "questions": [{"kind": "single", "prompt": "เห็นด้วยหรือไม่", "required": True,
                        "options": ["เห็นด้วย", "ไม่เห็นด้วย"]}]},
        ConsultationIn,
    )  # fmt: skip
    cid = (await actions.draft(conn, await user_by_id(conn, u), drafted)).consultation.id
    secs = await store.list_sections(conn, cid)
    assert [s.position for s in secs] == [1, 2]
    assert secs[0].body_original == "มาตรา ๑ ข้อความที ่ด ี"
    assert secs[0].body == "มาตรา ๑ ข้อความที่ดี"
    await index_events(conn)
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM search_outbox WHERE kind='consultation' AND entity_id=$1", cid
        )
        == 1
    )


async def test_advance_lifecycle_opens_and_closes_idempotently(conn):
    org = await make_agency(conn, "mdes")
    u = await make_user(conn, "staff@x.example")
    due = await make_consultation(conn, org, u, opens=-1, closes=5, status="scheduled")
    later = await make_consultation(conn, org, u, opens=2, closes=20, status="scheduled")
    ending = await make_consultation(conn, org, u, opens=-10, closes=-1, status="open")
    missed = await make_consultation(conn, org, u, opens=-10, closes=-1, status="scheduled")
    draft = await make_consultation(conn, org, u, opens=-10, closes=-1)
    assert await actions.advance_lifecycle(conn) == 3
    status = {r["id"]: r["status"] for r in await conn.fetch("SELECT id, status FROM consultations")}
    assert status == {due: "open", later: "scheduled", ending: "closed", missed: "closed", draft: "draft"}
    assert await actions.advance_lifecycle(conn) == 0


async def test_response_race_leaves_one(pool, conn, db_url):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    citizen = await make_user(conn, "pim@x.example")
    cid = await make_consultation(conn, org, staff, status="open")
    async with pool.acquire() as a, pool.acquire() as b:
        # Both responses wait inside PostgreSQL at their first statement, then go at once.
        results = await race(
            [
                lambda: store.submit_response(
                    a, cid, citizen, consent="anonymous", province=None, answers={"x": 1}
                ),
                lambda: store.submit_response(
                    b, cid, citizen, consent="named", province=None, answers={"x": 2}
                ),
            ],
            gate=Gate(db_url, ["consultations"], expect=2),
            return_exceptions=True,
        )
    assert sum(isinstance(r, int) for r in results) == 1
    assert sum(isinstance(r, store.AlreadyResponded) for r in results) == 1
    assert (
        await conn.fetchval("SELECT count(*) FROM consultation_responses WHERE consultation_id=$1", cid) == 1
    )


async def test_closed_refuses_response(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    citizen = await make_user(conn, "pim@x.example")
    cid = await make_consultation(conn, org, staff, status="closed")
    with pytest.raises(store.NotOpen):
        await store.submit_response(conn, cid, citizen, consent="none", province=None, answers={})
    assert await conn.fetchval("SELECT count(*) FROM consultation_responses") == 0


async def test_stats_one_pass(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, staff, status="open")
    qs = await store.list_questions(conn, cid)
    q1, q2, q3 = (str(q.id) for q in qs)
    answers = [
        ({q1: "เห็นด้วย", q2: 5, q3: "ดี"}, "BKK"),
        ({q1: "เห็นด้วย", q2: 3}, "CMI"),
        ({q1: "ไม่เห็นด้วย"}, "CMI"),
        ({}, None),
    ]
    for i, (ans, prov) in enumerate(answers):
        u = await make_user(conn, f"c{i}@x.example")
        await store.submit_response(conn, cid, u, consent="anonymous", province=prov, answers=ans)
    s = await store.stats(conn, cid)
    assert s.responses == 4
    by = {q.prompt: q for q in s.questions}
    assert by["เห็นด้วยหรือไม่"].answered == 3
    assert [(o.label, o.count) for o in by["เห็นด้วยหรือไม่"].options] == [("เห็นด้วย", 2), ("ไม่เห็นด้วย", 1)]
    assert by["ความสำคัญ"].mean == 4.0
    assert by["ข้อเสนอแนะ"].answered == 1 and by["ข้อเสนอแนะ"].options == []
    cmi = await store.stats(conn, cid, province="CMI")
    assert cmi.responses == 2


async def test_outcome_versions_and_search_documents(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, staff, status="closed")
    draft = await make_consultation(conn, org, staff)
    theme = Theme(title="ค่าบริการ", disposition="adopted", reason="ลดค่าบริการ")
    assert await store.publish_outcome(conn, cid, actor_id=staff, summary="สรุปผลการรับฟัง", themes=[theme]) == 1
    with pytest.raises(store.Invalid):
        await store.publish_outcome(conn, cid, actor_id=staff, summary="สรุปผลแก้ไข", themes=[theme])
    assert (
        await store.publish_outcome(
            conn, cid, actor_id=staff, summary="สรุปผลแก้ไข", themes=[theme], correction_note="แก้ตัวเลข"
        )
        == 2
    )
    assert (await store.get_outcome(conn, cid)).summary == "สรุปผลแก้ไข"
    assert (await store.get_outcome(conn, cid, 1)).summary == "สรุปผลการรับฟัง"
    docs = await store.search_documents(conn, [cid, draft])
    assert [d["id"] for d in docs] == [cid]
    d = docs[0]
    assert d["kind"] == "consultation" and d["agency"] == "mdes" and d["status"] == "outcome_published"
    assert "ข้อความที่ดี" in d["body"] and d["url"] == f"/consultations/{cid}"


async def test_outcome_statistics_are_frozen_at_publication(conn):
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    cid = await make_consultation(conn, org, staff, status="open")
    questions = await store.list_questions(conn, cid)
    for i in range(3):
        voter = await make_user(conn, f"v{i}@x.example")
        await store.submit_response(
            conn, cid, voter, consent="anonymous", province="BKK", answers={str(questions[0].id): "เห็นด้วย"}
        )
    await conn.execute("UPDATE consultations SET status = 'closed' WHERE id = $1", cid)
    theme = Theme(title="ค่าบริการ", disposition="adopted", reason="ลดค่าบริการ")
    await store.publish_outcome(conn, cid, actor_id=staff, summary="สรุปผลการรับฟัง", themes=[theme])
    # What the page shows is what was published, not a recount: a row removed later (which the
    # platform never does after closing) leaves the outcome's numbers as they were.
    await conn.execute(
        "DELETE FROM consultation_responses WHERE id = (SELECT min(id) FROM consultation_responses)"
    )
    frozen = await store.outcome_stats(conn, cid, 1)
    assert frozen.responses == 3 and (await store.stats(conn, cid)).responses == 2
    agree = frozen.questions[0].options[0]
    assert (agree.label, agree.count, agree.percent) == ("เห็นด้วย", 3, 100.0)
    # An outcome published before statistics were frozen gets them on its first read, once.
    await conn.execute("UPDATE consultation_outcomes SET stats = NULL WHERE consultation_id = $1", cid)
    assert (await store.outcome_stats(conn, cid, 1)).responses == 2
    assert await conn.fetchval("SELECT stats->>'responses' FROM consultation_outcomes") == "2"


async def test_demo_seeds_open_hearing_and_outcome(conn, client):
    from civic import demo

    report = await demo.seed(conn)
    assert "consultations" in report
    await demo.seed(conn)  # idempotent
    rows = await conn.fetch("SELECT id, kind, status FROM consultations ORDER BY id")
    assert [(r["kind"], r["status"]) for r in rows] == [("s77", "open"), ("s77", "outcome_published")]
    secs = await store.list_sections(conn, rows[0]["id"])
    fixture = [s for s in secs if "ที ่ด ี" in s.body_original]
    assert fixture and "ที่ดี" in fixture[0].body
    page = await client.get(f"/consultations/{rows[1]['id']}/outcome")
    assert page.status_code == 200 and "<svg" in page.text and "<title" in page.text
    assert "ศาลาประชาคม" in page.text
    assert f'href="/consultations/{rows[1]["id"]}/report"' in page.text  # a section 77 hearing
    report_page = await client.get(f"/consultations/{rows[1]['id']}/report")
    assert report_page.status_code == 200 and "งบประมาณดูแลอุปกรณ์ของท้องถิ่น" in report_page.text


def _reference_stats(questions, responses):
    """The outcome statistics computed the obvious way, one response at a time."""
    out = {}
    for q in questions:
        qid = str(q.id)
        answered = 0
        counts: dict[str, int] = {}
        for answers, _prov, _days in responses:
            if qid not in answers:
                continue
            value = answers[qid]
            values = value if isinstance(value, list) else [value]
            if not values:
                continue
            answered += 1
            if q.kind != "text":
                for v in {str(v) for v in values}:
                    counts[v] = counts.get(v, 0) + 1
        out[q.prompt] = (answered, counts)
    return out


async def test_stats_match_python_on_random_responses(conn):
    import random

    rng = random.Random(20240519)
    org = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@x.example")
    multi = ["ภาษี", "ทะเบียน", "สวัสดิการ", "ใบอนุญาต"]
    cid = await make_consultation(
        conn,
        org,
        staff,
        status="open",
        questions=[
            {
                "kind": "single",
                "prompt": "เห็นด้วยหรือไม่",
                "required": True,
                "options": ["เห็นด้วย", "ไม่เห็นด้วย", "ไม่แน่ใจ"],
            },
            {"kind": "multi", "prompt": "เรื่องที่สนใจ", "options": multi},
            {"kind": "scale", "prompt": "ความสำคัญ"},
            {"kind": "text", "prompt": "ข้อเสนอแนะ"},
            {"kind": "text", "prompt": "อื่น ๆ"},
        ],
    )
    qs = await store.list_questions(conn, cid)
    q1, q2, q3, q4, q5 = (str(q.id) for q in qs)
    responses = []
    for i in range(300):
        a: dict = {}
        if rng.random() < 0.9:
            a[q1] = rng.choice(["เห็นด้วย", "ไม่เห็นด้วย", "ไม่แน่ใจ"])
        if rng.random() < 0.8:
            # occasionally a raw row with a repeated value or an empty list: counted once / not at all
            a[q2] = rng.sample(multi, rng.randint(0, 4)) + (["ภาษี"] if rng.random() < 0.05 else [])
        if rng.random() < 0.7:
            a[q3] = rng.randint(1, 5)
        if rng.random() < 0.5:
            a[q4] = f"ความเห็นที่ {i} " + rng.choice(["ค่าบริการแพง", "สัญญาณไม่ดี", "ดีมาก"])
        if rng.random() < 0.1:
            a[q5] = [] if rng.random() < 0.3 else "เพิ่มเติม"
        if rng.random() < 0.03:
            a["999999"] = "ไม่ใช่คำถามในแบบนี้"
        responses.append((a, rng.choice(["BKK", "CMI", "KKN", None]), rng.randint(0, 9)))
    users = await conn.fetch(
        "INSERT INTO users (email, display_name, password_hash) "
        "SELECT 'r' || g || '@x.example', 'r' || g, 'x' FROM generate_series(1, $1) g RETURNING id",
        len(responses),
    )
    await conn.executemany(
        "INSERT INTO consultation_responses (consultation_id, user_id, consent, province, answers, created_at) "
        "VALUES ($1, $2, 'anonymous', $3, $4::jsonb, now() - make_interval(days => $5))",
        [(cid, u["id"], prov, ans, days) for u, (ans, prov, days) in zip(users, responses, strict=True)],
    )
    now = await _now(conn)
    cases = [
        ({}, responses),
        ({"province": "CMI"}, [r for r in responses if r[1] == "CMI"]),
        ({"since": now - timedelta(days=4, hours=12)}, [r for r in responses if r[2] <= 4]),
        (
            {"province": "BKK", "until": now - timedelta(days=2, hours=12)},
            [r for r in responses if r[1] == "BKK" and r[2] >= 3],
        ),
    ]
    for filters, subset in cases:
        s = await store.stats(conn, cid, **filters)
        assert s.responses == len(subset), filters
        ref = _reference_stats(qs, subset)
        got = {q.prompt: (q.answered, {o.label: o.count for o in q.options if o.count}) for q in s.questions}
        assert got == ref, filters
        scale = next(q for q in s.questions if q.kind == "scale")
        scores = [r[0][q3] for r in subset if q3 in r[0]]
        assert scale.mean == round(sum(scores) / len(scores), 2)
    # every filter really narrowed the set, and none of them emptied it
    assert all(0 < len(subset) < len(responses) for _, subset in cases[1:])


async def test_an_unfiltered_tab_reads_what_the_filtered_query_reads(conn):
    """A tab with no filter is written out (store.unfiltered_list_query); the general query with
    every filter empty must give the same rows."""
    from civic import demo

    await demo.seed(conn)
    for tab, (statuses, order) in store.HUB_TABS.items():
        for offset in (0, 1):
            written = await store.list_consultations(conn, tab=tab, limit=2, offset=offset)
            general = await conn.fetch(
                store.LIST_CONSULTATIONS.format(cols=store.CONSULTATION_COLUMNS, order=order),
                list(statuses), None, None, None, None, 2, offset,
            )  # fmt: skip
            assert [c.id for c in written] == [r["id"] for r in general], (tab, offset)
    assert len(await store.list_consultations(conn, tab="all", limit=100)) == await conn.fetchval(
        "SELECT count(*) FROM consultations WHERE status IN ('scheduled', 'open', 'closed', 'outcome_published')"
    )


async def test_the_kept_counts_follow_responses_and_comments(conn):
    """migration 0196: each consultation's kept counts equal a count of its responses and visible
    comments after each kind of write."""
    from civic import demo

    async def assert_counts_hold():
        kept = {r["consultation_id"]: (r["responses"], r["visible_comments"])
                for r in await conn.fetch("SELECT * FROM consultation_counts") if r["responses"] or r["visible_comments"]}
        counted = {r["id"]: (r["r"], r["m"]) for r in await conn.fetch(
            """SELECT c.id, (SELECT count(*) FROM consultation_responses x WHERE x.consultation_id = c.id) AS r,
                      (SELECT count(*) FROM consultation_comments x WHERE x.consultation_id = c.id
                                                                    AND x.status = 'visible') AS m
               FROM consultations c""") if r["r"] or r["m"]}  # fmt: skip
        assert kept == counted
        return counted

    await demo.seed(conn)
    await assert_counts_hold()
    c = await conn.fetchrow(
        "SELECT c.id, min(s.id) AS section_id FROM consultations c JOIN consultation_sections s ON s.consultation_id = c.id "
        "WHERE c.status = 'open' GROUP BY c.id ORDER BY c.id LIMIT 1"
    )
    users = [r["id"] for r in await conn.fetch(
        "SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM consultation_responses r WHERE r.user_id = u.id "
        "AND r.consultation_id = $1) ORDER BY id LIMIT 3", c["id"])]  # fmt: skip
    assert len(users) == 3
    await conn.execute(
        "INSERT INTO consultation_responses (consultation_id, user_id, consent) SELECT $1, u, 'anonymous' FROM unnest($2::bigint[]) u",
        c["id"], users,
    )  # fmt: skip
    comments = [await conn.fetchval(
        "INSERT INTO consultation_comments (consultation_id, section_id, user_id, body) VALUES ($1, $2, $3, 'ความเห็น') RETURNING id",
        c["id"], c["section_id"], u) for u in users]  # fmt: skip
    counted = await assert_counts_hold()
    assert counted[c["id"]][1] >= 3
    hide = "UPDATE consultation_comments SET status = 'hidden', hidden_reason = 'spam' WHERE id = $1"
    await conn.execute(hide, comments[0])
    await conn.execute(hide, comments[1])
    await conn.execute("UPDATE consultation_comments SET status = 'visible', hidden_reason = '' WHERE id = $1", comments[1])
    await conn.execute("UPDATE consultation_comments SET body = 'แก้ไข' WHERE id = $1", comments[2])  # no status change
    await assert_counts_hold()
    await conn.execute("DELETE FROM consultation_comments WHERE id = ANY($1::bigint[])", comments[:2])  # hidden, visible
    await conn.execute("DELETE FROM consultation_responses WHERE consultation_id = $1 AND user_id = $2", c["id"], users[0])
    counted = await assert_counts_hold()
    shown = await store.get_consultation(conn, c["id"])
    assert (shown.response_count, shown.comment_count) == counted[c["id"]]
    # a consultation deleted with its responses and comments (ON DELETE CASCADE) leaves no count
    await conn.execute("DELETE FROM consultations WHERE id = $1", c["id"])
    await assert_counts_hold()
