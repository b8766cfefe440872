"""A partner says which kinds of task it takes on (the categories tasks use), on its edit form and
over the API, and the notifier tells it of a new task only when the task's category, partner type
and province fit."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from civic import consumers
from civic.accounts import actions as accounts
from civic.handovers import actions as handovers
from civic.handovers.schemas import TaskIn
from civic.notifications.consumer import NOTIFIER
from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_partner, make_user, post_form, send_json, text_of
from tests.integration.handover_data import task_raw


async def _partner(conn, slug: str, admin: str, province: str | None = "KKN") -> int:
    org = await make_partner(conn, slug)
    await orgs.add_member(conn, org, await make_user(conn, admin), "admin")
    await conn.execute("UPDATE organisations SET province = $2 WHERE id = $1", org, province)
    return org


async def _skills(conn, org: int) -> list[str]:
    return await conn.fetchval("SELECT skills FROM organisations WHERE id = $1", org)


async def test_skills_are_edited_on_the_form_and_the_api_and_bad_ones_change_nothing(client, conn):
    org = await _partner(conn, "rak-nam", "nok@raknam.example")
    await login(client, "nok@raknam.example")
    form = await client.get("/organisations/rak-nam/edit")
    assert 'name="skills"' in form.text and 'value="disaster"' in form.text

    base = {"name_th": "องค์กร rak-nam", "skills_shown": "1"}
    r = await post_form(client, "/organisations/rak-nam/edit", base | {"skills": ["health", "disaster"]})
    assert r.status_code == 303, text_of(r.text)[:400]
    assert await _skills(conn, org) == ["disaster", "health"]  # stored in the categories' order
    profile = text_of((await client.get("/organisations/rak-nam")).text)
    assert "ประเภทงานที่รับทำ" in profile and "สุขภาพ" in profile

    r = await post_form(client, "/organisations/rak-nam/edit", base | {"skills": ["juggling"]})
    assert r.status_code == 400 and "กรุณาเลือกประเภทงานจากรายการ" in text_of(r.text)
    assert await _skills(conn, org) == ["disaster", "health"]

    r = await send_json(client, "PATCH", "/api/v1/organisations/rak-nam", {"skills": ["elderly", "nope"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "skills"
    r = await send_json(client, "PATCH", "/api/v1/organisations/rak-nam", {"skills": ["elderly"]})
    assert r.status_code == 200 and r.json()["skills"] == ["elderly"]

    # No box ticked on the form clears them.
    r = await post_form(client, "/organisations/rak-nam/edit", base)
    assert r.status_code == 303 and await _skills(conn, org) == []


async def test_an_agency_lists_no_skills(client, conn):
    agency = await make_agency(conn, "kkn-pao", level="local", province="KKN")
    await orgs.add_member(conn, agency, await make_user(conn, "staff@kkn.example"), "admin")
    await login(client, "staff@kkn.example")
    assert 'name="skills"' not in (await client.get("/organisations/kkn-pao/edit")).text
    r = await send_json(client, "PATCH", "/api/v1/organisations/kkn-pao", {"skills": ["disaster"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "skills"
    assert await _skills(conn, agency) == []


async def test_a_new_task_is_told_to_partners_whose_skills_and_province_fit(conn, pool):
    agency = await make_agency(conn, "kkn-pao", level="local", province="KKN")
    await orgs.add_member(conn, agency, await make_user(conn, "staff@kkn.example"), "admin")
    fits = await _partner(conn, "rak-nam", "nok@raknam.example")
    other_skill = await _partner(conn, "health-kkn", "mai@health.example")
    other_place = await _partner(conn, "rak-nam-cmi", "dao@cmi.example", province="CMI")
    await _partner(conn, "anything", "any@any.example", province=None)  # no skills, nationwide
    for org, skills in ((fits, ["disaster", "health"]), (other_skill, ["health"]), (other_place, ["disaster"])):
        await conn.execute("UPDATE organisations SET skills = $2 WHERE id = $1", org, skills)

    staff = await accounts.user_by_email(conn, "staff@kkn.example")
    today = date.today()
    milestones = [{"title": "อบรม", "due": (today + timedelta(days=30)).isoformat(), "share": "100"}]
    task = msgspec.convert(task_raw(milestones=milestones, publish=True), TaskIn, strict=False)
    assert task.category == "disaster" and task.province == "KKN"
    await handovers.post_task(conn, staff, task)
    await consumers.drain(pool, [NOTIFIER])

    told = await conn.fetch(
        "SELECT u.email, n.notice FROM notifications n JOIN users u ON u.id = n.user_id"
        " JOIN events e ON e.id = n.event_id WHERE e.kind = 'handover.posted'"
    )
    assert {(r["email"], r["notice"]) for r in told} == {
        ("nok@raknam.example", "partner.task_match"),
        ("any@any.example", "partner.task_match"),  # no skills listed, nationwide: every task
    }
