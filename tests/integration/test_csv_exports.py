"""Every CSV the platform writes (today: a consultation's responses.csv) is safe to open in a
spreadsheet: OWASP's six formula starts come out as text, and the header names the charset once."""

import csv
import io

from civic.consultations import store
from tests.helpers import make_agency, make_user
from tests.integration.consultation_data import create_draft_policy

PAYLOADS = [
    '=HYPERLINK("http://evil.example","ดูผล")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


async def test_responses_csv_escapes_every_formula_start(client, conn):
    mdes = await make_agency(conn, "mdes")
    cid = await create_draft_policy(conn, actor_id=None, owner_org_id=mdes, status="open")
    q = [str(x.id) for x in await store.list_questions(conn, cid)]
    for i, payload in enumerate(PAYLOADS):
        uid = await make_user(conn, f"p{i}@x.example", name=f"=ชื่อ{i}")
        answers = {q[0]: "เห็นด้วย", q[1]: 3, q[2]: payload}
        await store.submit_response(conn, cid, uid, consent="named", province="CMI", answers=answers)
    await conn.execute("UPDATE consultations SET status='closed' WHERE id=$1", cid)

    r = await client.get(f"/api/v1/consultations/{cid}/responses.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.text.removeprefix("\ufeff"), newline="")))
    assert rows[0][:5] == ["response", "consent", "name", "province", "submitted_on"]
    texts = sorted(row[-1] for row in rows[1:])
    assert texts == sorted("'" + p for p in PAYLOADS)
    assert {row[2] for row in rows[1:]} == {f"'=ชื่อ{i}" for i in range(len(PAYLOADS))}
    # nothing else a spreadsheet would evaluate: no cell anywhere starts with a formula character
    assert not [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # the quote is added, not substituted: ordinary text and the numbers are as they were
    assert all(row[1] == "named" and row[3] == "CMI" and row[-2] == "3" for row in rows[1:])
