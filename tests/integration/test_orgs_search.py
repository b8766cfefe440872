"""Directory name search: normalised on both sides, Thai typo folds, pg_trgm word similarity."""

from __future__ import annotations

import pytest

from civic.orgs import store as orgs
from tests.helpers import make_agency, make_partner, send_json


@pytest.fixture
async def names(conn):
    await make_agency(conn, "cmi-office", level="regional", province="CMI", name_th="สำนักงานจังหวัดเชียงใหม่")
    await make_agency(conn, "cri-office", level="regional", province="CRI", name_th="สำนักงานจังหวัดเชียงราย")
    await make_agency(conn, "hdy-city", level="local", province="SKA", name_th="เทศบาลนครหาดใหญ่")
    await make_agency(conn, "zone-1", level="local", name_th="สำนักงานเขต ๑")
    await make_partner(conn, "green-cm", name_th="กลุ่มรักษ์สิ่งแวดล้อม")
    await conn.execute(
        "UPDATE organisations SET name_en = 'Chiang Mai Provincial Office' WHERE slug = 'cmi-office'"
    )


async def _found(client, q: str) -> list[str]:
    r = await client.get("/api/v1/organisations", params={"q": q})
    assert r.status_code == 200, r.text
    return [o["slug"] for o in r.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("เชียงใหม่", ["cmi-office"]),  # a word inside a longer Thai name
        ("เชียงไหม่", ["cmi-office"]),  # ใ/ไ mixed up
        ("เชียงใหม", ["cmi-office"]),  # tone mark left out
        ("เขียงใหม่", ["cmi-office"]),  # a wrong consonant
        ("เชียงใม่", ["cmi-office"]),  # a letter left out
        ("เชียงราย", ["cri-office"]),  # the near neighbour is not a typo match
        ("CHIANG MAI", ["cmi-office"]),  # case
        ("chang mai", ["cmi-office"]),  # English typo
        ("รักษสิ่งแวดล้อม", ["green-cm"]),  # karan left out
        ("เขต 1", ["zone-1"]),  # Arabic digit finds a Thai digit
        ("หาดใหญ่", ["hdy-city"]),
        ("ไม่มีชื่อนี้เลย", []),
        ("%", []),
        ("_", []),
    ],
)
async def test_name_search(client, names, query, expected):
    assert await _found(client, query) == expected


async def test_split_marks_in_the_query_are_repaired(client, names):
    # As copied from a PDF: the tone mark separated from its consonant.
    assert await _found(client, "หาดใหญ ่") == ["hdy-city"]


async def test_exact_matches_rank_before_typo_matches(client, conn, names):
    await make_agency(conn, "cm-land", level="regional", province="CMI", name_th="สำนักงานที่ดินเชียงใหม่")
    await make_agency(conn, "cm-typo", level="local", name_th="ชมรมเชียงใหม่ใหม่ เขียงใหม")
    found = await _found(client, "สำนักงานจังหวัดเชียงใหม่")
    assert found[0] == "cmi-office"


async def test_edited_names_are_searchable(client, conn, names):
    from tests.helpers import login, make_user

    root = await make_user(conn, "root@example.com", role="admin")
    assert root
    await login(client, "root@example.com")
    r = await send_json(client, "PATCH", "/api/v1/organisations/hdy-city", {"name_th": "เทศบาลนครสงขลา"})
    assert r.status_code == 200
    assert await _found(client, "สงขลา") == ["hdy-city"]
    assert await _found(client, "หาดใหญ่") == []


async def test_rows_written_by_raw_sql_get_search_names(client, conn):
    await conn.execute(
        "INSERT INTO organisations (slug, kind, name_th, level) VALUES ('raw-one', 'agency', 'องค์การบริหารส่วนตำบลแม่ริม', 'local')"
    )
    assert await _found(client, "แม่ริม") == ["raw-one"]
    await conn.execute("UPDATE organisations SET name_th = 'เทศบาลตำบลแม่แตง' WHERE slug = 'raw-one'")
    assert await _found(client, "แม่แตง") == ["raw-one"]
    row = await conn.fetchrow("SELECT search_name, search_fold FROM organisations WHERE slug = 'raw-one'")
    assert row["search_fold"] == orgs.fold(row["search_name"])


async def test_python_and_sql_folds_agree(conn):
    for text in (
        "สำนักงานจังหวัดเชียงใหม่",
        "ศาลากลางจังหวัดนครศรีธรรมราช",
        "กองทุนเพื่อความเสมอภาคทางการศึกษา",
        "จุฬาลงกรณ์",
    ):
        assert await conn.fetchval("SELECT org_name_fold($1)", text) == orgs.fold(text)


async def test_trigram_indexes_exist(conn):
    rows = await conn.fetch(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'organisations' AND indexdef LIKE '%gin_trgm_ops%'"
    )
    defs = " ".join(r["indexdef"] for r in rows)
    assert "search_name gin_trgm_ops" in defs and "search_fold gin_trgm_ops" in defs


async def test_html_directory_uses_the_same_search(client, names):
    r = await client.get("/organisations", params={"q": "เชียงไหม่"})
    assert r.status_code == 200
    assert 'href="/organisations/cmi-office"' in r.text
    assert 'href="/organisations/cri-office"' not in r.text


async def test_meaningless_thai_names_get_a_numbered_type_slug(client, conn):
    from tests.helpers import login, make_user, post_form

    await make_user(conn, "lead@example.com")
    await login(client, "lead@example.com")
    slugs = []
    for _ in range(2):
        r = await post_form(
            client, "/organisations/new", {"kind": "partner", "name_th": "โอ๋", "partner_type": "foundation"}
        )
        assert r.status_code == 303, r.text[:300]
        slugs.append(r.headers["location"].rsplit("/", 1)[1])
    assert slugs == ["foundation-1", "foundation-2"]
    r = await post_form(
        client,
        "/organisations/new",
        {"kind": "partner", "name_th": "มูลนิธิกระจกเงา", "partner_type": "foundation"},
    )
    assert r.headers["location"] == "/organisations/munnithi-krachokngao"


async def test_filter_form_folds_unless_filters_are_in_use(client, names):
    import re

    plain = await client.get("/organisations")
    tag = re.search(r"<details[^>]*id=\"org-filters\"[^>]*>", plain.text).group(0)
    assert " open" not in tag
    for query in ("q=เชียง", "level=local", "province=CMI&kind=agency"):
        r = await client.get(f"/organisations?{query}")
        tag = re.search(r"<details[^>]*id=\"org-filters\"[^>]*>", r.text).group(0)
        assert " open" in tag, query
    assert 'style="' not in plain.text
