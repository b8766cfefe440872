"""A list of agencies longer than a phone's screen filters as one types, as the province list does:
by a Thai name, by an agency's slug (often its acronym), by keyboard; a short list stays a plain
select."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import pick_by_keyboard, type_slowly

# Ten more agencies, each with a draft task, so that the task board's filter lists sixteen (the
# demo's six posting agencies and these); a draft shows on no list, so no other journey sees them.
MORE = (
    ("pcd", "กรมควบคุมมลพิษ"),
    ("drr", "กรมทางหลวงชนบท"),
    ("disaster", "กรมป้องกันและบรรเทาสาธารณภัย"),
    ("anamai", "กรมอนามัย"),
    ("cdd", "กรมการพัฒนาชุมชน"),
    ("pwa", "การประปาส่วนภูมิภาค"),
    ("pea", "การไฟฟ้าส่วนภูมิภาค"),
    ("nso", "สำนักงานสถิติแห่งชาติ"),
    ("doae", "กรมส่งเสริมการเกษตร"),
    ("fisheries", "กรมประมง"),
)


@pytest.fixture
def many_posting_agencies(live_sql):
    slugs = [s for s, _ in MORE]
    live_sql(
        """WITH a AS (
               INSERT INTO organisations (slug, kind, name_th, level, search_name)
               SELECT s, 'agency', n, 'central', n FROM unnest($1::text[], $2::text[]) AS x(s, n)
               RETURNING id)
           INSERT INTO handover_tasks (agency_id, title, description, province, category, claim_opens,
                                       claim_closes, deadline, status)
           SELECT id, 'ร่างงาน', 'ร่าง', 'KKN', 'disaster', current_date, current_date + 14,
                  current_date + 60, 'draft' FROM a""",
        slugs,
        [n for _, n in MORE],
    )
    yield
    live_sql(
        "DELETE FROM handover_tasks WHERE agency_id IN (SELECT id FROM organisations WHERE slug = ANY($1))", slugs
    )
    live_sql("DELETE FROM organisations WHERE slug = ANY($1)", slugs)


def _agencies(page) -> list[str]:
    """The agency options shown, without the "all agencies" one."""
    return page.locator("#field-agency option:not([value=''])").evaluate_all("os => os.map(o => o.textContent.trim())")


def test_typing_filters_a_long_agency_select(page, shot, many_posting_agencies):
    for size, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1366, "height": 900}),
    ):
        page.set_viewport_size(viewport)
        page.goto("/handovers")
        assert len(_agencies(page)) == 16
        box = page.get_by_role("searchbox", name="พิมพ์เพื่อค้นหาหน่วยงาน")
        type_slowly(box, "ส่วนภูมิภาค")
        # Thai dictionary order kept: การประปา before การไฟฟ้า
        assert _agencies(page) == ["การประปาส่วนภูมิภาค", "การไฟฟ้าส่วนภูมิภาค"]
        page.locator("#field-agency").scroll_into_view_if_needed()
        shot(page, f"thai-{size}", full_page=False)
        type_slowly(box, "pea")  # an agency's slug, its acronym here
        assert _agencies(page) == ["การไฟฟ้าส่วนภูมิภาค"]
        type_slowly(box, "")
        assert len(_agencies(page)) == 16
    # Keyboard only: Enter takes the match and moves to the select, which the form submits.
    pick_by_keyboard(page, box, "moi", "agency", "moi-dla")
    expect(page.locator("#field-agency")).to_have_value("moi-dla")
    shot(page, "filtered-desktop")


def test_a_short_agency_list_stays_a_plain_select(page):
    page.goto("/ideas")  # the demo's few agencies with boards
    assert 0 < len(_agencies(page)) <= 12
    expect(page.locator("#field-agency")).not_to_have_attribute("data-filter-label", "พิมพ์เพื่อค้นหาหน่วยงาน")
    expect(page.get_by_role("searchbox", name="พิมพ์เพื่อค้นหาหน่วยงาน")).to_have_count(0)
