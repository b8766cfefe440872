"""The dashboard's figures equal counts computed here in plain SQL over the base tables; the JSON
twin carries the same figures as the page; every chart is SVG with a title, a description and
a table; overdue outcomes follow the OUTCOME_DUE_DAYS settings on the public clock, in the
reminders and on the dashboard; staff see their agency's queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
from lxml import html as lxml_html

from civic.dashboard import actions, rules
from civic.dashboard import store as dashboard_store
from civic.notifications import jobs
from civic.notifications import store as notifications_store
from tests.helpers import login, text_of
from tests.integration.test_ideas import _idea, _world

NOW = datetime.now(UTC)


def days(n: float) -> datetime:
    return NOW + timedelta(days=n)


async def _consultation(
    conn, org: int, kind: str, closed_days_ago: int, *, published_days_ago: int | None = None
) -> int:
    status = "closed" if published_days_ago is None else "outcome_published"
    cid = await conn.fetchval(
        "INSERT INTO consultations (owner_org_id, kind, province, title, summary, opens_at, closes_at, status, closed_at)"
        " VALUES ($1, $2, 'SKA', $3, 'สรุป', $4, $5, $6, $5) RETURNING id",
        org, kind, f"การรับฟัง {kind} {closed_days_ago}", days(-closed_days_ago - 20), days(-closed_days_ago), status,
    )  # fmt: skip
    if published_days_ago is not None:
        await conn.execute(
            "INSERT INTO consultation_outcomes (consultation_id, version, summary, published_at) VALUES ($1, 1, 'ผล', $2)",
            cid, days(-published_days_ago),
        )  # fmt: skip
    return cid


async def _task(conn, org: int, status: str, deadline_days: int) -> None:
    await conn.execute(
        "INSERT INTO handover_tasks (agency_id, title, description, province, category, claim_opens, claim_closes,"
        " deadline, status, signed_off_at) VALUES ($1, 'งาน', 'รายละเอียด', 'SKA', 'cleanup', $2, $3, $4, $5, $6)",
        org, (NOW - timedelta(days=60)).date(), (NOW - timedelta(days=50)).date(),
        (NOW + timedelta(days=deadline_days)).date(), status, NOW if status == "completed" else None,
    )  # fmt: skip


async def _scene(conn):
    world = await _world(conn)
    owner, u = world["owner"], world["users"]
    a, b, c, d = [await _idea(conn, world, title=f"ไอเดีย {n}") for n in "ABCD"]
    clock = (
        "UPDATE ideas SET status = 'published', threshold_reached_at = $2, answer_due_at = $3 WHERE id = $1"
    )
    await conn.execute(clock, a, days(-20), days(-10))
    await conn.execute(clock, b, days(-20), days(-5))
    await conn.execute(clock, c, days(-2), days(28))
    await conn.execute(
        "INSERT INTO idea_answers (idea_id, org_id, author_id, body, created_at) VALUES ($1, $2, $3, 'ตอบ', $4)",
        a, owner, u["staff@owner.example"], days(-15),
    )  # fmt: skip
    for who in ("citizen2@example.com", "citizen3@example.com"):
        await conn.execute("INSERT INTO idea_supports (idea_id, user_id) VALUES ($1, $2)", a, u[who])
    await conn.execute("UPDATE ideas SET support_count = 2 WHERE id = $1", a)
    late = await _consultation(conn, owner, "general", 35, published_days_ago=2)  # due 5 days ago
    s77 = await _consultation(conn, owner, "s77", 40)  # no outcome, past due
    fresh = await _consultation(conn, owner, "general", 3)
    await _task(conn, owner, "in_progress", -3)
    await _task(conn, owner, "completed", 10)
    await _task(conn, owner, "draft", 10)
    return world, {"ideas": (a, b, c, d), "late": late, "s77": s77, "fresh": fresh}


EXPECTED_SQL = """
WITH i AS (
  SELECT i.answer_due_at, a.created_at AS answered_at FROM ideas i JOIN idea_boards b ON b.id = i.board_id
  LEFT JOIN idea_answers a ON a.idea_id = i.id WHERE b.agency_id = $1 AND i.answer_due_at IS NOT NULL
)
SELECT (SELECT count(*) FROM i) AS answers_due,
       (SELECT count(*) FROM i WHERE answered_at <= answer_due_at) AS answered_on_time,
       (SELECT count(*) FROM i WHERE answered_at IS NOT NULL OR answer_due_at <= now()) AS answers_settled,
       (SELECT count(*) FROM i WHERE answered_at IS NULL AND answer_due_at < now()) AS overdue_now,
       (SELECT count(*) FROM consultations WHERE owner_org_id = $1 AND status IN ('closed', 'outcome_published'))
         AS consultations_held,
       (SELECT count(*) FROM handover_tasks WHERE agency_id = $1 AND status <> 'draft') AS tasks_delegated,
       (SELECT count(*) FROM handover_tasks WHERE agency_id = $1 AND status = 'completed') AS tasks_completed,
       (SELECT count(*) FROM handover_tasks WHERE agency_id = $1 AND status = 'in_progress' AND deadline < current_date)
         AS tasks_overdue
"""


async def test_figures_equal_counts_over_the_base_tables_and_the_page_shows_the_json(client, conn, app):
    world, ids = await _scene(conn)
    settings = app.state.settings
    async with conn.transaction():
        await actions.refresh(conn, settings)
    expected = dict(await conn.fetchrow(EXPECTED_SQL, world["owner"]))
    assert expected == {
        "answers_due": 3, "answered_on_time": 1, "answers_settled": 2, "overdue_now": 1,
        "consultations_held": 3, "tasks_delegated": 2, "tasks_completed": 1, "tasks_overdue": 1,
    }  # fmt: skip

    body = (await client.get("/api/v1/dashboard")).json()
    mine = next(a for a in body["agencies"] if a["slug"] == "hdy-city")
    assert {k: mine[k] for k in expected} == expected
    assert mine["on_time_share"] == 50.0  # one of the two settled answers
    assert mine["median_days"] == 5.0  # threshold 20 days ago, answered 15 days ago
    # Outcomes: the general one published 2 days after its due date, the s77 one never.
    assert (mine["outcomes_settled"], mine["outcomes_on_time"], mine["outcomes_overdue"]) == (2, 0, 1)
    assert [o["consultation_id"] for o in body["overdue_outcomes"]] == [ids["s77"]]

    provinces = {p["province"]: p for p in body["provinces"]}
    assert len(provinces) == 77
    counted = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM ideas WHERE province = 'SKA' AND status <> 'pending_moderation') AS ideas,"
        " (SELECT count(*) FROM idea_supports s JOIN ideas i ON i.id = s.idea_id WHERE i.province = 'SKA') AS supports"
    )
    assert (provinces["SKA"]["ideas"], provinces["SKA"]["supports"]) == (
        counted["ideas"],
        counted["supports"],
    )
    assert provinces["SKA"]["shade"] == 4 and provinces["BKK"]["shade"] == 0
    supports_this_week = await conn.fetchval(
        "SELECT count(*) FROM idea_supports WHERE created_at >= date_trunc('week', now() AT TIME ZONE 'Asia/Bangkok')"
        " AT TIME ZONE 'Asia/Bangkok'"
    )
    assert len(body["weeks"]) == 26 and body["weeks"][-1]["supports"] == supports_this_week == 2

    page = await client.get("/dashboard")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.text)
    svgs = doc.xpath("//svg")
    assert len(svgs) == 5
    for svg in svgs:
        assert svg.xpath("./title") and svg.xpath("./desc") and svg.get("role") == "img"
    assert not doc.xpath("//main//script")
    assert len(doc.xpath("//svg[contains(@class, 'map')]//g[contains(@class, 'tile')]")) == 77
    row = doc.xpath("//table[@id='agencies-table']//tr[th/a[@href='/dashboard/agencies/hdy-city']]")[0]
    cells = [td.text_content().strip() for td in row.xpath("./td")]
    assert cells == [
        str(mine["answers_due"]), "50.0\xa0%", "5.0", str(mine["overdue_now"]), str(mine["consultations_held"]),
        "0.0\xa0%", str(mine["tasks_delegated"]), str(mine["tasks_completed"]), str(mine["tasks_overdue"]),
        "–",  # promises kept: this scene has none (tests/integration/test_implementation.py counts them)
    ]  # fmt: skip
    weeks = doc.xpath("//table[@id='weeks-table']/tbody/tr")
    assert [tr.xpath("./td")[1].text_content() for tr in weeks] == [str(w["supports"]) for w in body["weeks"]]
    ska = doc.xpath("//table[@id='provinces-table']//tr[th='สงขลา']/td")
    assert ska[-1].text_content() == str(provinces["SKA"]["participation"])


async def test_filters_and_sorting_keep_to_the_allow_list(client, conn, app):
    await _scene(conn)
    async with conn.transaction():
        await actions.refresh(conn, app.state.settings)
    local = (await client.get("/api/v1/dashboard?level=local")).json()
    assert [a["slug"] for a in local["agencies"]] == ["hdy-city"]
    by_overdue = (await client.get("/api/v1/dashboard?sort=-overdue_now")).json()
    assert by_overdue["agencies"][0]["slug"] == "hdy-city"
    odd = await client.get("/dashboard?level=galactic&sort=drop%20table")
    assert odd.status_code == 200 and "galactic" not in odd.text
    body = (await client.get("/api/v1/dashboard?level=galactic&province=XXX")).json()
    assert body["filters"]["ignored"] == {"level": "galactic", "province": "XXX"}
    assert len(body["agencies"]) == 3


async def test_outcome_deadline_is_a_setting_for_clocks_reminders_and_dashboard(client, conn, app):
    world, ids = await _scene(conn)
    settings = app.state.settings
    assert (settings.outcome_due_days, settings.outcome_due_days_s77) == (30, 30)
    public = await client.get("/ideas/overdue")
    late = lxml_html.fromstring(public.text).xpath("//table[@id='overdue-outcomes']//a/@href")
    assert f"/consultations/{ids['s77']}" in late and f"/consultations/{ids['fresh']}" not in late

    longer = msgspec.structs.replace(settings, outcome_due_days_s77=60)
    assert [o.consultation_id for o in await actions.overdue_outcomes(conn, settings)] == [ids["s77"]]
    assert await actions.overdue_outcomes(conn, longer) == []
    async with conn.transaction():
        taken = await notifications_store.take_reminders(
            conn, "reminder.outcome_due", NOW, jobs.reminder_days(longer)["reminder.outcome_due"]
        )
        assert taken == []
        taken = await notifications_store.take_reminders(
            conn, "reminder.outcome_due", NOW, jobs.reminder_days(settings)["reminder.outcome_due"]
        )
        assert [r["subject_id"] for r in taken] == [ids["s77"]]
        assert taken[0]["due_at"] == days(-40) + timedelta(days=30)
        await actions.refresh(conn, longer)
    figures = (await client.get("/api/v1/dashboard/agencies/hdy-city")).json()["agency"]
    assert figures["outcomes_overdue"] == 0


async def test_staff_see_their_agency_queue_and_others_do_not(client, conn, make_client):
    world, ids = await _scene(conn)
    assert (await client.get("/api/v1/dashboard/mine")).status_code == 401
    await login(client, "staff@owner.example")
    queue = (await client.get("/api/v1/dashboard/mine")).json()
    a, b, c, d = ids["ideas"]
    assert queue["counts"] == {"answer": 2, "review": 0, "claim": 0, "outcome": 2}
    assert {(i["kind"], i["subject_id"]) for i in queue["items"]} == {
        ("answer", b),
        ("answer", c),
        ("outcome", ids["s77"]),
        ("outcome", ids["fresh"]),
    }
    page = await client.get("/dashboard/mine")
    assert page.status_code == 200 and f"/consultations/{ids['s77']}" in page.text
    citizen = await make_client()
    await login(citizen, "citizen@example.com")
    assert (await citizen.get("/api/v1/dashboard/mine")).status_code == 403
    assert (await citizen.get("/dashboard/agencies/nope")).status_code == 404


async def test_the_queue_counts_every_answer_awaited_and_lists_the_soonest_due(client, conn):
    world, ids = await _scene(conn)
    await conn.execute(
        """INSERT INTO ideas (board_id, author_id, title, body, category, status, answer_due_at)
           SELECT $1, $2, 'รอคำตอบ ' || g, 'รายละเอียด', '', 'published', $3::timestamptz + g * interval '1 hour'
           FROM generate_series(1, 600) g""",
        world["board"], world["users"]["citizen@example.com"], days(1),
    )  # fmt: skip
    await login(client, "staff@owner.example")
    queue = (await client.get("/api/v1/dashboard/mine")).json()
    assert queue["counts"] == {"answer": 602, "review": 0, "claim": 0, "outcome": 2}
    assert len(queue["items"]) == dashboard_store.QUEUE_SHOWN
    dues = [i["due_at"] for i in queue["items"]]
    answers = [i["subject_id"] for i in queue["items"] if i["kind"] == "answer"]
    assert dues == sorted(dues) and answers[0] == ids["ideas"][1]  # 5 days late
    assert ids["ideas"][2] not in answers  # due in 28 days: after the 100 soonest
    page = text_of((await client.get("/dashboard/mine")).text)
    assert "แสดงเฉพาะ 100 รายการที่ใกล้ครบกำหนดที่สุด" in page


async def test_with_a_population_table_the_map_shades_participation_per_100k(client, conn, app):
    """POPULATION_CSV and POPULATION_SOURCE (tested in tests/unit/test_settings.py): these numbers
    are made up for the test, one per province."""
    await _scene(conn)
    population = {code: 100_000 * (i + 1) for i, code in enumerate(sorted(rules.TILES))}
    plain = app.state.settings
    app.state.settings = msgspec.structs.replace(
        plain, population=population, population_source="Test figures, not a census"
    )
    try:
        async with conn.transaction():
            await actions.refresh(conn, app.state.settings)
        body = (await client.get("/api/v1/dashboard")).json()
        page = await client.get("/dashboard")
    finally:
        app.state.settings = plain
    assert body["per_capita"] is True and body["population_source"] == "Test figures, not a census"
    ska = next(p for p in body["provinces"] if p["province"] == "SKA")
    assert ska["participation"] > 0 and ska["population"] == population["SKA"]
    assert ska["per_100k"] == round(ska["participation"] * 100_000 / population["SKA"], 1)
    top = max(p["per_100k"] for p in body["provinces"])
    assert ska["shade"] == rules.shade(ska["per_100k"], top)
    doc = lxml_html.fromstring(page.text)
    assert "Test figures, not a census" in doc.xpath("//p[@id='population-source']")[0].text_content()
    row = [td.text_content() for td in doc.xpath("//table[@id='provinces-table']//tr[th='สงขลา']/td")]
    assert row[-2:] == [str(population["SKA"]), str(ska["per_100k"])]
    # Without a table the page says it shades counts.
    assert (await client.get("/api/v1/dashboard")).json()["per_capita"] is False
