"""The question editor: add, remove and move rows as plain form posts (no JavaScript), everything
typed kept, the maximum enforced the same way by the form and the JSON API, and the edit path."""

from html.parser import HTMLParser
from urllib.parse import urlencode

from civic.consultations import rules, store
from civic.orgs import store as orgs
from tests.helpers import csrf_token, login, make_agency, make_user, send_json, text_of
from tests.integration.consultation_data import create_draft_policy

MAX = rules.MAX_QUESTIONS
TOO_MANY_TH = f"มีคำถามได้ไม่เกิน {MAX} ข้อ"


class _FormReader(HTMLParser):
    """What a browser would send for the authoring form: inputs, checked boxes, selected options and
    textareas, in document order; plus the submit buttons (name, value, text) it offers."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[dict] = []
        self.autofocus: list[str] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._button: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("enctype") == "multipart/form-data":
            self._in_form = True
        if not self._in_form:
            return
        if "autofocus" in a:
            self.autofocus.append(a.get("name") or "")
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "submit"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "button":
            self._button = {"name": a.get("name"), "value": a.get("value"), "text": "", "attrs": a}

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "button" and self._button is not None:
            self.buttons.append(self._button)
            self._button = None

    def handle_data(self, data):
        if self._textarea is not None:
            name, value = self.fields[-1]
            # A browser drops one newline right after <textarea>.
            self.fields[-1] = (name, value + (data[1:] if not value and data.startswith("\n") else data))
        if self._button is not None:
            self._button["text"] += data.strip()


async def post_form(client, url: str, pairs: list[tuple[str, str]], headers: dict | None = None):
    """A browser form post: repeated and ordered fields, as pairs (the row order is the point)."""
    body = urlencode(
        [(k, v) for k, v in pairs if k != "_csrf_token"] + [("_csrf_token", await csrf_token(client))]
    )
    headers = {"content-type": "application/x-www-form-urlencoded", **(headers or {})}
    return await client.post(url, content=body, headers=headers)


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def field(reader: _FormReader, name: str) -> str | None:
    values = [v for k, v in reader.fields if k == name]
    return values[0] if values else None


def prompts(reader: _FormReader) -> list[str]:
    return [v for k, v in reader.fields if k.startswith("q") and k.endswith("_prompt")]


def replace(fields: list[tuple[str, str]], updates: dict[str, str]) -> list[tuple[str, str]]:
    """Type into fields (replacing what is there), as a person would, then submit."""
    out = [(k, updates.pop(k) if k in updates else v) for k, v in fields if k != "_csrf_token"]
    return out + list(updates.items())


async def setup(conn, status="draft"):
    mdes = await make_agency(conn, "mdes")
    staff = await make_user(conn, "staff@mdes.example", name="เจ้าหน้าที่ ดีอี")
    await orgs.add_member(conn, mdes, staff, "admin")
    cid = await create_draft_policy(conn, actor_id=staff, owner_org_id=mdes, status=status, opens_in_days=1)
    return {"cid": cid, "mdes": mdes}


NEW = {
    "title": "ร่างแนวทางศูนย์บริการดิจิทัลชุมชน",
    "summary": "ขอรับฟังความคิดเห็นต่อแนวทางจัดตั้งศูนย์บริการดิจิทัลในทุกตำบล",
    "kind": "general",
    "opens_at": "2030-01-01T09:00",
    "closes_at": "2030-02-01T09:00",
}


async def count(conn, table="consultations"):
    return await conn.fetchval(f"SELECT count(*) FROM {table}")


async def questions_of(conn, cid):
    return [(q.kind, q.prompt, q.required, q.options) for q in await store.list_questions(conn, cid)]


async def test_new_form_shows_one_empty_row_and_an_add_button(client, conn):
    await setup(conn)
    await login(client, "staff@mdes.example")
    r = await client.get("/consultations/new")
    assert r.status_code == 200
    form = read_form(r.text)
    assert prompts(form) == [""]
    assert {"name": "action", "value": "add_question"} in [
        {"name": b["name"], "value": b["value"]} for b in form.buttons
    ]
    assert "เพิ่มคำถาม" in text_of(r.text)
    # Enter in a text field presses the first submit button: it must be Save, not "Remove".
    assert form.buttons[0]["value"] == "save"


async def test_add_question_without_js_keeps_everything_typed(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    form = read_form((await client.get("/consultations/new")).text)
    typed = replace(
        form.fields,
        {
            **NEW,
            "owner_org_id": str(s["mdes"]),
            "draft_text": "ข้อ 1 จัดตั้งศูนย์\n\nข้อ 2 ให้ท้องถิ่นดูแล",
            "q1_prompt": "ควรเปิดศูนย์วันใดบ้าง",
            "q1_kind": "multi",
            "q1_options": "วันเสาร์\nวันอาทิตย์",
            "q1_required": "on",
        },
    )
    before = await count(conn)
    r = await post_form(client, "/consultations/new", [*typed, ("action", "add_question")])
    assert r.status_code == 200, text_of(r.text)[:500]
    again = read_form(r.text)
    assert field(again, "title") == NEW["title"]
    assert field(again, "summary") == NEW["summary"]
    assert field(again, "draft_text") == "ข้อ 1 จัดตั้งศูนย์\n\nข้อ 2 ให้ท้องถิ่นดูแล"
    assert field(again, "owner_org_id") == str(s["mdes"])
    assert field(again, "q1_prompt") == "ควรเปิดศูนย์วันใดบ้าง"
    assert field(again, "q1_kind") == "multi"
    assert field(again, "q1_options") == "วันเสาร์\nวันอาทิตย์"
    assert field(again, "q1_required") == "on"
    assert prompts(again) == ["ควรเปิดศูนย์วันใดบ้าง", ""]
    assert again.autofocus == ["q2_prompt"]  # the new row, so keyboard users land in it
    assert await count(conn) == before  # only Save writes


async def test_remove_and_move_rows_without_js(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    rows = {
        "q1_prompt": "คำถามแรก",
        "q1_kind": "text",
        "q2_prompt": "คำถามที่สอง",
        "q2_kind": "scale",
        "q3_prompt": "คำถามที่สาม",
        "q3_kind": "single",
        "q3_options": "ใช่\nไม่ใช่",
        "q3_required": "on",
    }
    base = [*{**NEW, "owner_org_id": str(s["mdes"])}.items(), *rows.items()]
    before = await count(conn)
    r = await post_form(client, "/consultations/new", [*base, ("action", "remove_question:2")])
    assert r.status_code == 200
    form = read_form(r.text)
    assert prompts(form) == ["คำถามแรก", "คำถามที่สาม"]
    # the third row moved up into place 2 with all its details
    assert field(form, "q2_kind") == "single"
    assert field(form, "q2_options") == "ใช่\nไม่ใช่"
    assert field(form, "q2_required") == "on"
    assert field(form, "q1_required") is None

    r = await post_form(client, "/consultations/new", [*form.fields, ("action", "move_up:2")])
    assert r.status_code == 200
    form = read_form(r.text)
    assert prompts(form) == ["คำถามที่สาม", "คำถามแรก"]
    assert field(form, "q1_kind") == "single" and field(form, "q1_required") == "on"
    assert field(form, "q2_kind") == "text"
    assert field(form, "title") == NEW["title"]

    r = await post_form(client, "/consultations/new", [*form.fields, ("action", "move_down:1")])
    assert prompts(read_form(r.text)) == ["คำถามแรก", "คำถามที่สาม"]

    # removing the only row leaves one empty row to type into, never an editor with none
    one = [(k, v) for k, v in form.fields if not k.startswith("q2_")]
    r = await post_form(client, "/consultations/new", [*one, ("action", "remove_question:1")])
    assert prompts(read_form(r.text)) == [""]
    assert await count(conn) == before


async def test_eight_questions_built_with_the_editor_are_saved_in_order(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    form = read_form((await client.get("/consultations/new")).text)
    fields = replace(form.fields, {**NEW, "owner_org_id": str(s["mdes"])})
    for n in range(1, 9):
        fields = replace(fields, {f"q{n}_prompt": f"คำถามข้อที่ {n}", f"q{n}_kind": "scale"})
        if n < 8:
            r = await post_form(client, "/consultations/new", [*fields, ("action", "add_question")])
            assert r.status_code == 200
            fields = [(k, v) for k, v in read_form(r.text).fields if k != "_csrf_token"]
    fields = replace(fields, {"q8_kind": "single", "q8_options": "ก\nข\nค", "q8_required": "on"})
    before = await count(conn)
    r = await post_form(client, "/consultations/new", [*fields, ("action", "save")])
    assert r.status_code == 303, text_of(r.text)[:800]
    assert await count(conn) == before + 1
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    saved = await questions_of(conn, cid)
    assert [p for _, p, _, _ in saved] == [f"คำถามข้อที่ {n}" for n in range(1, 9)]
    assert saved[-1] == ("single", "คำถามข้อที่ 8", True, ["ก", "ข", "ค"])
    assert saved[0] == ("scale", "คำถามข้อที่ 1", False, [])


async def test_blank_rows_are_skipped_on_save_and_row_errors_stay_on_their_row(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    data = [
        *{**NEW, "owner_org_id": str(s["mdes"])}.items(),
        ("q1_prompt", ""),
        ("q1_kind", "single"),
        ("q2_prompt", "เลือกหนึ่งข้อ"),
        ("q2_kind", "single"),
        ("q2_options", "มีตัวเลือกเดียว"),
        ("action", "save"),
    ]
    before = await count(conn)
    r = await post_form(client, "/consultations/new", data)
    assert r.status_code == 400
    assert 'id="field-q2_options-error"' in r.text
    form = read_form(r.text)
    assert prompts(form) == ["", "เลือกหนึ่งข้อ"] and field(form, "q2_options") == "มีตัวเลือกเดียว"
    assert await count(conn) == before
    data = replace(data, {"q2_options": "ใช่\nไม่ใช่"})
    r = await post_form(client, "/consultations/new", data)
    assert r.status_code == 303
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    assert await questions_of(conn, cid) == [("single", "เลือกหนึ่งข้อ", False, ["ใช่", "ไม่ใช่"])]


def many_rows(n: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for i in range(1, n + 1):
        out += [(f"q{i}_prompt", f"คำถามที่ {i} ของแบบสอบถาม"), (f"q{i}_kind", "text")]
    return out


async def test_the_maximum_on_the_form(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    head = list({**NEW, "owner_org_id": str(s["mdes"])}.items())
    before = await count(conn)
    r = await post_form(client, "/consultations/new", [*head, *many_rows(MAX + 1), ("action", "save")])
    assert r.status_code == 400
    assert TOO_MANY_TH in text_of(r.text)
    assert field(read_form(r.text), "title") == NEW["title"]
    assert 'href="#field-questions"' in r.text and 'id="field-questions"' in r.text
    form = read_form(r.text)
    assert (
        len(prompts(form)) == MAX + 1
        and field(form, f"q{MAX + 1}_prompt") == f"คำถามที่ {MAX + 1} ของแบบสอบถาม"
    )
    assert await count(conn) == before and await count(conn, "consultation_questions") == 3

    # at the maximum the form stops offering "Add a question", and a stale page asking is refused
    r = await post_form(
        client, "/consultations/new", [*head, *many_rows(MAX - 1), ("action", "add_question")]
    )
    assert r.status_code == 200
    form = read_form(r.text)
    assert len(prompts(form)) == MAX
    assert "add_question" not in [b["value"] for b in form.buttons]
    assert f"({MAX} ข้อ)" in text_of(r.text)
    r = await post_form(client, "/consultations/new", [*head, *many_rows(MAX), ("action", "add_question")])
    assert r.status_code == 400 and TOO_MANY_TH in text_of(r.text)
    assert len(prompts(read_form(r.text))) == MAX

    # exactly the maximum is saved
    r = await post_form(client, "/consultations/new", [*head, *many_rows(MAX), ("action", "save")])
    assert r.status_code == 303
    cid = int(r.headers["location"].rsplit("/", 1)[1])
    assert len(await questions_of(conn, cid)) == MAX


async def test_unknown_editor_action_is_a_clear_400(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    before = await count(conn)
    for action in ("drop_table", "remove_question:abc", "remove_question:-1"):
        r = await post_form(
            client, "/consultations/new", [*NEW.items(), ("owner_org_id", str(s["mdes"])), ("action", action)]
        )
        assert r.status_code == 400, action
        assert "ปุ่มนี้ใช้กับแบบฟอร์มนี้ไม่ได้" in text_of(r.text)
    # a row number past the end (a stale page) changes nothing and loses nothing
    r = await post_form(
        client,
        "/consultations/new",
        [*NEW.items(), ("q1_prompt", "คำถามเดิม"), ("action", "remove_question:9")],
    )
    assert r.status_code == 200 and prompts(read_form(r.text)) == ["คำถามเดิม"]
    assert await count(conn) == before


async def test_htmx_swaps_only_the_question_editor(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    headers = {"HX-Request": "true", "HX-Target": "question-editor"}
    data = [
        *NEW.items(),
        ("owner_org_id", str(s["mdes"])),
        ("q1_prompt", "คำถามแรก"),
        ("action", "add_question"),
    ]
    r = await post_form(client, "/consultations/new", data, headers=headers)
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<fieldset class="stack question-editor" id="question-editor"')
    assert "<html" not in r.text and "<form" not in r.text
    assert "HX-Target" in r.headers.get("vary", "")
    form = _FormReader()
    form._in_form = True  # a fragment: no <form> around it
    form.feed(r.text)
    assert prompts(form) == ["คำถามแรก", ""]
    # HX-Request alone (hx-boost) still gets the whole page
    r = await post_form(client, "/consultations/new", data, headers={"HX-Request": "true"})
    assert "<form" in r.text and 'name="title"' in r.text


async def test_edit_a_draft_with_the_editor(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    url = f"/consultations/{s['cid']}/edit"
    form = read_form((await client.get(url)).text)
    assert prompts(form) == ["เห็นด้วยหรือไม่", "ความสำคัญ", "ข้อเสนอแนะ"]  # no padding rows
    assert field(form, "q1_options") == "เห็นด้วย\nไม่เห็นด้วย" and field(form, "q1_required") == "on"
    r = await post_form(client, url, [*form.fields, ("action", "remove_question:1")])
    assert r.status_code == 200
    form = read_form(r.text)
    assert prompts(form) == ["ความสำคัญ", "ข้อเสนอแนะ"]
    assert len(await questions_of(conn, s["cid"])) == 3  # nothing saved yet
    fields = [(k, v) for k, v in form.fields if k != "_csrf_token"]
    for n in range(3, 10):
        r = await post_form(client, url, [*fields, ("action", "add_question")])
        fields = replace(
            [(k, v) for k, v in read_form(r.text).fields if k != "_csrf_token"],
            {f"q{n}_prompt": f"คำถามเพิ่มข้อ {n}", f"q{n}_kind": "text"},
        )
    r = await post_form(client, url, [*fields, ("action", "save")])
    assert r.status_code == 303, text_of(r.text)[:600]
    saved = await questions_of(conn, s["cid"])
    assert [p for _, p, _, _ in saved] == ["ความสำคัญ", "ข้อเสนอแนะ"] + [
        f"คำถามเพิ่มข้อ {n}" for n in range(3, 10)
    ]
    assert saved[0] == ("scale", "ความสำคัญ", True, [])


async def test_questions_stay_frozen_once_open(client, conn):
    s = await setup(conn, status="open")
    await login(client, "staff@mdes.example")
    url = f"/consultations/{s['cid']}/edit"
    page = await client.get(url)
    assert page.status_code == 200 and 'id="question-editor"' not in page.text
    form = read_form(page.text)
    r = await post_form(client, url, [*form.fields, ("q1_prompt", "คำถามแอบเพิ่ม"), ("action", "add_question")])
    assert r.status_code == 409 and "ไม่สามารถแก้ไขส่วนนี้ได้" in text_of(r.text)
    r = await post_form(
        client,
        url,
        [*replace(form.fields, {"change_note": "แก้ไขสรุป"}), *many_rows(MAX + 5), ("action", "save")],
    )
    # the other edits go through (the kind the page no longer shows is taken as stored);
    # the posted rows are ignored, as the questions are frozen
    assert r.status_code == 303, text_of(r.text)[-900:]
    assert await conn.fetchval("SELECT version FROM consultations WHERE id = $1", s["cid"]) == 2
    assert [p for _, p, _, _ in await questions_of(conn, s["cid"])] == [
        "เห็นด้วยหรือไม่",
        "ความสำคัญ",
        "ข้อเสนอแนะ",
    ]


def api_questions(n: int) -> list[dict]:
    return [{"kind": "text", "prompt": f"คำถามที่ {i}"} for i in range(1, n + 1)]


async def test_api_has_the_same_maximum(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    body = {
        "owner_org_id": s["mdes"],
        "title": NEW["title"],
        "summary": NEW["summary"],
        "kind": "general",
        "opens_at": "2030-01-01T09:00:00+07:00",
        "closes_at": "2030-02-01T09:00:00+07:00",
    }
    before = await count(conn)
    r = await send_json(
        client, "POST", "/api/v1/consultations/", body | {"questions": api_questions(MAX + 1)}
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == "questions" and err["code"] == "invalid_input" and TOO_MANY_TH in err["message"]
    assert await count(conn) == before
    r = await send_json(client, "POST", "/api/v1/consultations/", body | {"questions": api_questions(MAX)})
    assert r.status_code == 201, r.text
    assert len(r.json()["questions"]) == MAX


async def test_api_patch_replaces_questions_before_opening_only(client, conn):
    s = await setup(conn)
    await login(client, "staff@mdes.example")
    url = f"/api/v1/consultations/{s['cid']}"
    r = await send_json(client, "PATCH", url, {"questions": api_questions(MAX + 1)})
    assert r.status_code == 422 and r.json()["error"]["field"] == "questions"
    r = await send_json(
        client, "PATCH", url, {"questions": [{"kind": "single", "prompt": "เลือก", "options": ["ก"]}]}
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "questions[0].options"
    assert len(await questions_of(conn, s["cid"])) == 3
    r = await send_json(client, "PATCH", url, {"questions": api_questions(9)})
    assert r.status_code == 200, r.text
    assert [q["prompt"] for q in r.json()["questions"]] == [f"คำถามที่ {i}" for i in range(1, 10)]
    await conn.execute("UPDATE consultations SET status = 'open' WHERE id = $1", s["cid"])
    r = await send_json(client, "PATCH", url, {"questions": api_questions(2), "change_note": "เปลี่ยนคำถาม"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_editable"
    assert len(await questions_of(conn, s["cid"])) == 9


async def test_store_refuses_more_than_the_maximum(conn):
    s = await setup(conn)
    try:
        await store.update_consultation(
            conn,
            s["cid"],
            actor_id=await conn.fetchval("SELECT id FROM users LIMIT 1"),
            fields={},
            questions=api_questions(MAX + 1),
        )
    except store.Invalid as exc:
        assert "questions" in exc.errors
    else:
        raise AssertionError("the store wrote more questions than the maximum")
    assert len(await questions_of(conn, s["cid"])) == 3
