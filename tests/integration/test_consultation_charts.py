"""The answer charts as rendered (issue 21 item 17): one bar colour, text that cannot scale with the
page's width, a scale's ends labelled with the words the answer form gave, and every count and share
as text beside its bar."""

import re
from pathlib import Path

from lxml import html as lxml_html

from tests.helpers import login, make_user, text_of
from tests.integration.test_consultations_analysis import seed

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "civic.css"


def charts(page: str):
    return lxml_html.fromstring(page).xpath("//figure[contains(@class, 'bar-chart')]")


def rows(figure) -> list[tuple[str, str]]:
    return [
        (r.xpath("string(.//dt)").strip(), r.xpath("string(.//*[@class='bar-chart__value'])").strip())
        for r in figure.xpath(".//div[@class='bar-chart__row']")
    ]


async def test_analysis_charts_markup(client, conn):
    s = await seed(conn)
    await login(client, "staff@mdes.example")
    page = await client.get(f"/consultations/{s['cid']}/analysis")
    assert page.status_code == 200
    figures = charts(page.text)
    assert len(figures) == 2  # the single-choice and the scale question; free text has keywords

    for fig in figures:
        # One colour: every bar carries the one bar class, nothing picks a colour per row.
        rects = fig.xpath(".//*[local-name()='rect']")
        assert rects and {r.get("class") for r in rects} == {"chart__bar"}
        assert not fig.xpath(".//*[@fill or @style]")
        # No text inside an SVG and no viewBox: nothing in the chart scales with the page's width.
        assert not fig.xpath(".//*[local-name()='text']")
        assert not fig.xpath(".//*[local-name()='svg'][@viewBox or @viewbox]")
        # The caption names the chart for screen readers; the drawing itself is hidden from them.
        assert fig.get("aria-labelledby") and all(
            svg.get("aria-hidden") == "true" for svg in fig.xpath(".//*[local-name()='svg']")
        )

    # How many answered is said once per question: by the chart's caption, not again above it.
    assert text_of(page.text).count("มีผู้ตอบคำถามนี้ 7 คน") == 2
    single, scale = (rows(f) for f in figures)
    # The numbers as text next to each bar, a share written as people write it (no "71.40%").
    assert single == [("เห็นด้วย", "5 (71.4%)"), ("ไม่เห็นด้วย", "2 (28.6%)")]
    assert scale == [
        ("1 = น้อยที่สุด", "1 (14.3%)"),
        ("2", "1 (14.3%)"),
        ("3", "1 (14.3%)"),
        ("4", "2 (28.6%)"),
        ("5 = มากที่สุด", "2 (28.6%)"),
    ]
    # Each bar's length is its share of the people who answered.
    widths = [r.get("width") for r in figures[0].xpath(".//*[local-name()='rect']")]
    assert widths == ["71.4%", "28.6%"]
    # The table beside the chart says the same, with the scale's ends labelled too.
    table = lxml_html.fromstring(page.text).xpath("//table//th[@scope='row']/text()")
    assert "1 = น้อยที่สุด" in table and "5 = มากที่สุด" in table

    await conn.execute("UPDATE users SET lang = 'en' WHERE email = 'staff@mdes.example'")
    en = await client.get(f"/consultations/{s['cid']}/analysis")
    labels = [label for label, _ in rows(charts(en.text)[1])]
    assert labels[0] == "1 = not at all" and labels[-1] == "5 = very much"


async def test_a_scale_labels_its_ends_with_the_questions_own_words(client, conn):
    from tests.integration.consultation_data import create_draft_policy
    from tests.integration.test_consultations_http import setup

    s = await setup(conn)
    staff = await conn.fetchval("SELECT id FROM users WHERE email = 'staff@mdes.example'")
    ends = ["ไม่เห็นด้วยอย่างยิ่ง", "เห็นด้วยอย่างยิ่ง"]
    cid = await create_draft_policy(
        conn, actor_id=staff, owner_org_id=s["mdes"], status="open",
        questions=[{"kind": "scale", "prompt": "เห็นด้วยเพียงใด", "required": True, "options": ends}],
    )  # fmt: skip
    await login(client, "staff@mdes.example")
    labels = [
        label for label, _ in rows(charts((await client.get(f"/consultations/{cid}/analysis")).text)[0])
    ]
    assert labels == ["1 = ไม่เห็นด้วยอย่างยิ่ง", "2", "3", "4", "5 = เห็นด้วยอย่างยิ่ง"]
    # The people answering were told the same.
    await make_user(conn, "pim@x.example")
    await login(client, "pim@x.example")
    form = text_of((await client.get(f"/consultations/{cid}")).text)
    assert "1 = ไม่เห็นด้วยอย่างยิ่ง, 5 = เห็นด้วยอย่างยิ่ง" in form


def test_chart_styles_fix_the_type_size_and_keep_one_colour():
    css = CSS.read_text(encoding="utf-8")
    chart_rules = re.findall(r"(\.(?:chart|bar-chart)[^{]*)\{([^}]*)\}", css)
    assert chart_rules
    # One fill for bars (and its print twin), never one colour per row.
    fills = {body.strip() for sel, body in chart_rules if "chart__bar" in sel and "fill" in body}
    assert fills <= {"fill: var(--c-chart-1);", "fill: #555555 !important;"}
    assert "chart__bar--" not in css
    # No type size tied to the viewport.
    assert not any(re.search(r"font-size:[^;]*v(w|h|min|max)", body) for _, body in chart_rules)
