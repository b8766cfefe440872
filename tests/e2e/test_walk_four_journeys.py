"""The final walk of issue 21: the visitor, the citizen, the partner (NGO) and the agency staff
journeys through the main pages, each step on a phone (390x844) and a desktop (1366x900), saved
as tests/e2e/artifacts/walk_<journey>_<step>_<size>.png to be looked at, and audited by axe-core.
Each step also checks what the walk found once: nothing on a page is wider than the screen (text
cut off or a sideways scroll on a phone)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import axe
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.journey import login, logout

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}

# Wider than the viewport: the page scrolls sideways. (An element inside a scrolling table-wrap
# is allowed to be wide, that is what the wrap is for.)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('.table-wrap, pre, .swagger-ui')) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) wide.push(el.tagName.toLowerCase() + '.' + el.className);
  }
  return {scroll: document.documentElement.scrollWidth > width + 1, wide: wide.slice(0, 5)};
}"""


def step(page, journey: str, name: str, path: str | None = None) -> None:
    if path:
        page.goto(path)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(ARTIFACTS / f"walk_{journey}_{name}_{size}.png"), full_page=True)
        overflow = page.evaluate(OVERFLOW)
        assert not overflow["scroll"], f"{page.url} at {size} scrolls sideways: {overflow['wide']}"
        axe.audit(page, f"walk {journey} {name} {size} ({page.url})")
    page.set_viewport_size(SIZES["phone"])


def leave(page) -> None:
    page.goto("/")  # the account page has a second, "everywhere" logout button
    logout(page)


def test_walk_four_journeys(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    open_id = page.request.get("/api/v1/consultations?status=open").json()["items"][0]["id"]
    closed_id = page.request.get("/api/v1/consultations?status=outcome_published").json()["items"][0]["id"]
    tasks = page.request.get("/api/v1/handovers").json()["items"]
    task_id = tasks[0]["id"]

    # The visitor reads what is going on, without an account.
    step(page, "visitor", "1-home", "/")
    step(page, "visitor", "2-ideas", "/ideas")
    page.locator(".card__title a").first.click()
    expect(page.locator("h1")).to_be_visible()
    step(page, "visitor", "3-idea", None)
    step(page, "visitor", "4-consultations", "/consultations")
    step(page, "visitor", "5-consultation", f"/consultations/{open_id}")
    step(page, "visitor", "6-outcome", f"/consultations/{closed_id}/outcome")
    bar = page.locator("figure.bar-chart .bar-chart__bar svg").first
    expect(bar).to_be_visible()
    # A bar is one line high, its number beside it (item 17); a height cap once made each 128 px.
    assert bar.bounding_box()["height"] < 24
    step(page, "visitor", "7-handovers", "/handovers")
    step(page, "visitor", "8-search", "/search?q=ขยะ")
    step(page, "visitor", "9-dashboard", "/dashboard")

    # The citizen takes part: an idea, an answer, their own activity and account.
    login(page, "pim@citizen.example")
    step(page, "citizen", "1-new-idea", "/ideas/new")
    step(page, "citizen", "2-respond", f"/consultations/{open_id}#respond")
    step(page, "citizen", "3-activity", "/activity")
    expect(page.get_by_role("link", name="รับโอนด้วยรหัสของฉัน")).to_be_visible()
    step(page, "citizen", "4-account", "/account")
    leave(page)

    # The partner (an NGO) looks for work to take on and reports on it.
    login(page, "nok@raknam.example")
    step(page, "partner", "1-handovers", "/handovers")
    step(page, "partner", "2-task", f"/handovers/{task_id}")
    step(page, "partner", "3-organisation", "/organisations/rak-nam-foundation")
    step(page, "partner", "4-activity", "/activity")
    leave(page)

    # The agency's staff: their menu, the counter, their queue and their consultations.
    login(page, "somchai@mdes.example")
    step(page, "staff", "1-tools", "/staff")
    page.get_by_role("link", name="เคาน์เตอร์: ส่งเรื่องแทนผู้มาติดต่อ").click()
    expect(page).to_have_url(f"{page.url.split('/counter')[0]}/counter")
    step(page, "staff", "2-counter", None)
    step(page, "staff", "3-queue", "/dashboard/mine")
    step(page, "staff", "4-my-consultations", "/consultations/mine")
    step(page, "staff", "5-analysis", f"/consultations/{open_id}/analysis")
    # The province filter's box says what it is for, not only to a screen reader.
    box = page.get_by_role("searchbox", name="พิมพ์เพื่อค้นหาจังหวัด")
    expect(box).to_have_attribute("placeholder", "พิมพ์เพื่อค้นหาจังหวัด")
    step(page, "staff", "6-new-board", "/boards/new")
    leave(page)
