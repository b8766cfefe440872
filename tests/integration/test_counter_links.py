"""The counter and the take-over are found where people look (issue 21): agency staff reach
/counter from their staff menu; anyone signed in reaches /claim from their account and their
activity. Others are not offered the counter."""

from __future__ import annotations

from civic.orgs import store as orgs
from tests.helpers import login, make_agency, make_partner, make_user, parse


def links(html: str) -> set[str]:
    from lxml import html as lxml_html

    return set(lxml_html.fromstring(html).xpath("//main//a/@href"))


async def test_counter_in_the_staff_menu_for_agency_staff_only(conn, make_client):
    agency = await make_agency(conn, "hdy-city")
    partner = await make_partner(conn, "rak-nam")
    for email, org in (("staff@hdy.example", agency), ("ngo@raknam.example", partner)):
        await orgs.add_member(conn, org, await make_user(conn, email), "member")
    await make_user(conn, "mod@example.com", role="moderator")

    staff = await make_client()
    await login(staff, "staff@hdy.example")
    tools = (await staff.get("/api/v1/staff")).json()["tools"]
    assert "/counter" in [t["href"] for t in tools]
    assert "/counter" in links((await staff.get("/staff")).text)
    assert (await staff.get("/counter")).status_code == 200

    moderator = await make_client()
    await login(moderator, "mod@example.com")
    assert "/counter" not in [t["href"] for t in (await moderator.get("/api/v1/staff")).json()["tools"]]
    assert "/counter" not in links((await moderator.get("/staff")).text)
    ngo = await make_client()
    await login(ngo, "ngo@raknam.example")  # a partner's member has no staff menu at all
    assert (await ngo.get("/api/v1/staff")).status_code == 403
    assert "/counter" not in links((await ngo.get("/")).text)


async def test_claim_from_the_account_and_my_activity(conn, client, make_client):
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    for path in ("/account", "/activity"):
        page = await client.get(path)
        assert page.status_code == 200 and "/claim" in links(page.text), path
        assert "claim-link-title" in parse(page.text).ids
    visitor = await make_client()
    assert "/claim" not in links((await visitor.get("/")).text)  # only someone signed in can take over
