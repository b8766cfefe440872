"""Staff analysis page and API: counts, per-question breakdown, TF-IDF keywords with the answers
containing each, province and date filters, and who may see it."""

from civic import thai
from civic.consultations import store
from tests.helpers import login, make_user, text_of
from tests.integration.test_consultations_http import setup

# (province, Bangkok date, single choice, scale, free text or None)
ROWS = [
    ("BKK", "2024-03-01", "เห็นด้วย", 5, "ค่าบริการแพงเกินไปสำหรับชาวบ้าน"),
    ("BKK", "2024-03-01", "เห็นด้วย", 4, "อยากให้ลดค่าบริการอินเทอร์เน็ต"),
    ("CMI", "2024-03-05", "ไม่เห็นด้วย", 2, "ค่าบริการควรถูกลง"),
    ("CMI", "2024-03-05", "เห็นด้วย", 3, "สัญญาณในหมู่บ้านไม่ดี ค่าบริการก็แพง"),
    ("CMI", "2024-03-10", "ไม่เห็นด้วย", 1, "ขอให้ติดตั้งดาวเทียมบนดอย"),
    ("KKN", "2024-03-10", "เห็นด้วย", 5, "ค่าบริการรายเดือนสูง"),
    ("KKN", "2024-03-10", "เห็นด้วย", 4, None),
]
# Stop words that occur in the answers above (checked to be in PyThaiNLP's list)
STOPWORDS_USED = {"ใน", "ก็", "ให้", "ไม่", "ควร", "อยาก", "ลง", "บน"}


async def seed(conn):
    s = await setup(conn)
    q1, q2, q3 = s["q"]
    for i, (prov, day, single, scale, text) in enumerate(ROWS):
        uid = await conn.fetchval(
            "INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, 'x') RETURNING id",
            f"r{i}@x.example",
            f"r{i}",
        )
        answers = {q1: single, q2: scale} | ({q3: text} if text else {})
        await conn.execute(
            "INSERT INTO consultation_responses (consultation_id, user_id, consent, province, answers, created_at) "
            "VALUES ($1, $2, 'anonymous', $3, $4::jsonb, ($5 || ' 10:00:00+07')::timestamptz)",
            s["cid"],
            uid,
            prov,
            answers,
            day,
        )
    section = (await store.list_sections(conn, s["cid"]))[0]
    await store.add_comment(conn, s["cid"], uid, section_id=section.id, body="ควรลดค่าบริการ")
    return s


def by_kind(stats):
    return {q["kind"]: q for q in stats["questions"]}


async def test_api_counts_breakdown_and_keywords(client, conn):
    s = await seed(conn)
    await login(client, "staff@mdes.example")
    r = await client.get(f"/api/v1/consultations/{s['cid']}/analysis")
    assert r.status_code == 200, r.text
    data = r.json()
    st = data["stats"]
    assert st["responses"] == 7 and st["comments"] == 1
    q = by_kind(st)
    assert q["single"]["answered"] == 7
    assert [(o["label"], o["count"], o["percent"]) for o in q["single"]["options"]] == [
        ("เห็นด้วย", 5, 71.4),
        ("ไม่เห็นด้วย", 2, 28.6),
    ]
    assert q["scale"]["answered"] == 7 and q["scale"]["mean"] == round(24 / 7, 2)
    assert [o["count"] for o in q["scale"]["options"]] == [1, 1, 1, 2, 2]
    assert q["text"]["answered"] == 6 and q["text"]["options"] == []

    kws = data["keywords"][s["q"][2]]
    terms = [k["term"] for k in kws]
    # the word in five answers ranks first; a word in one answer ranks below it; no stop words
    assert terms[0] == "ค่าบริการ"
    top = kws[0]
    assert top["count"] == 5 and len(top["answers"]) == 3
    assert all("ค่าบริการ" in a for a in top["answers"])
    assert "ดาวเทียม" in terms and terms.index("ดาวเทียม") > 0
    rare = kws[terms.index("ดาวเทียม")]
    assert rare["count"] == 1 and rare["answers"] == ["ขอให้ติดตั้งดาวเทียมบนดอย"]
    assert rare["score"] < top["score"]
    assert STOPWORDS_USED <= thai.stopwords()
    assert not STOPWORDS_USED & set(terms)
    # a word in two answers ranks above the word that appears in only one
    assert kws[terms.index("แพง")]["count"] == 2 and terms.index("แพง") < terms.index("ดาวเทียม")


async def test_api_filters_change_counts(client, conn):
    s = await seed(conn)
    await login(client, "staff@mdes.example")
    url = f"/api/v1/consultations/{s['cid']}/analysis"

    cmi = (await client.get(url, params={"province": "CMI"})).json()
    assert cmi["stats"]["responses"] == 3
    single = by_kind(cmi["stats"])["single"]
    assert [(o["label"], o["count"]) for o in single["options"]] == [("เห็นด้วย", 1), ("ไม่เห็นด้วย", 2)]
    kw = {k["term"]: k for k in cmi["keywords"][s["q"][2]]}
    assert kw["ค่าบริการ"]["count"] == 2 and "รายเดือน" not in kw

    # a date from <input type=date> for "until" includes that whole day (Bangkok time)
    one_day = (await client.get(url, params={"since": "2024-03-05", "until": "2024-03-05"})).json()
    assert one_day["stats"]["responses"] == 2
    assert by_kind(one_day["stats"])["scale"]["mean"] == 2.5
    later = (await client.get(url, params={"since": "2024-03-06"})).json()
    assert later["stats"]["responses"] == 3
    assert by_kind(later["stats"])["text"]["answered"] == 2
    both = (await client.get(url, params={"province": "KKN", "until": "2024-03-09"})).json()
    assert both["stats"]["responses"] == 0 and both["keywords"][s["q"][2]] == []
    # an unknown province is ignored rather than matching nothing
    assert (await client.get(url, params={"province": "XXX"})).json()["stats"]["responses"] == 7


async def test_html_page_shows_counts_keywords_and_filters(client, conn):
    s = await seed(conn)
    await login(client, "staff@mdes.example")
    page = await client.get(f"/consultations/{s['cid']}/analysis")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "ผู้ตอบ 7 คน" in text
    assert "มีผู้ตอบคำถามนี้ 6 คน" in text  # the free-text question
    assert f"ค่าเฉลี่ย: {round(24 / 7, 2)}" in text
    assert "ค่าบริการ ใน 5 คำตอบ" in text
    assert "ขอให้ติดตั้งดาวเทียมบนดอย" in text
    assert "<svg" in page.text

    cmi = await client.get(f"/consultations/{s['cid']}/analysis", params={"province": "CMI"})
    text = text_of(cmi.text)
    assert "ผู้ตอบ 3 คน" in text and "ค่าบริการ ใน 2 คำตอบ" in text
    assert '<option value="CMI" selected' in cmi.text


async def test_only_running_agency_staff_see_analysis(client, make_client, conn):
    s = await seed(conn)
    html, api = f"/consultations/{s['cid']}/analysis", f"/api/v1/consultations/{s['cid']}/analysis"
    anon = await client.get(api)
    assert anon.status_code == 401 and anon.json()["error"]["code"] == "login_required"

    await make_user(conn, "pim@x.example", name="พิมพ์")
    await login(client, "pim@x.example")
    for url in (html, api):
        r = await client.get(url)
        assert r.status_code == 403, url
    assert "เฉพาะเจ้าหน้าที่" in text_of((await client.get(html)).text)
    assert (await client.get(api)).json()["error"]["code"] == "forbidden"

    rival = await make_client()
    await login(rival, "staff@other.example")
    for url in (html, api):
        assert (await rival.get(url)).status_code == 403, url
        # no counts leak in the refusal
        assert "ค่าบริการ" not in (await rival.get(url)).text


async def test_bad_filter_date_is_a_400_in_the_users_language(client, conn):
    s = await seed(conn)
    await login(client, "staff@mdes.example")
    html, api = f"/consultations/{s['cid']}/analysis", f"/api/v1/consultations/{s['cid']}/analysis"

    page = await client.get(html, params={"province": "CMI", "since": "5/3/2024", "until": "2024-03-09"})
    assert page.status_code == 400
    text = text_of(page.text)
    assert "กรอกวันที่เป็น ปี-เดือน-วัน เช่น 2025-03-05" in text
    # the form again, with what was typed (as text, which a browser keeps), and no misleading figures
    assert 'name="since" type="text" value="5/3/2024"' in page.text
    assert 'name="until" type="date" value="2024-03-09"' in page.text
    assert '<option value="CMI" selected' in page.text
    assert 'href="#field-since"' in page.text
    assert "ผู้ตอบ" not in text and "ค่าบริการ" not in text

    r = await client.get(api, params={"until": "2024-13-45"})
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "code": "invalid_input",
            "message": "กรอกวันที่เป็น ปี-เดือน-วัน เช่น 2025-03-05",
            "field": "until",
        }
    }
    # English for a reader who chose English
    await conn.execute("UPDATE users SET lang = 'en' WHERE email = 'staff@mdes.example'")
    r = await client.get(api, params={"since": "yesterday"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "Enter the date as year-month-day, for example 2025-03-05."

    # a period that ends before it starts is refused too, on the end field
    r = await client.get(api, params={"since": "2024-03-10", "until": "2024-03-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "until"
    # Thai digits and a Buddhist-era year are read, not refused
    r = await client.get(api, params={"since": "๒๕๖๗-๐๓-๐๕", "until": "2567-03-05"})
    assert r.status_code == 200 and r.json()["stats"]["responses"] == 2
