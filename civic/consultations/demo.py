"""Demo: an open section 77 hearing on a digital-government draft law (with the gov40 PDF
extract as a document and as repaired sections), and a closed section 77 hearing on a draft
ministry regulation with a published outcome (so its printable summary report exists too)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import asyncpg

from civic.accounts import actions as accounts
from civic.consultations import actions, store
from civic.consultations.schemas import OutcomeIn, ThemeIn
from civic.settings import get_settings

# A real government text extracted from a PDF, broken marks and all (copied from ../shared/fixtures).
FIXTURE = Path(__file__).resolve().parent.parent / "data" / "gov40_pdf_extract_th.txt"
OPEN_TITLE = "ร่างพระราชบัญญัติการบริหารงานและการให้บริการภาครัฐผ่านระบบดิจิทัล (ฉบับปรับปรุง) พ.ศ. ...."
CLOSED_TITLE = "ร่างระเบียบกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ว่าด้วยอินเทอร์เน็ตชุมชนฟรีในพื้นที่สาธารณะ พ.ศ. ...."

DRAFT = """หลักการ
ปรับปรุงกฎหมายว่าด้วยการบริหารงานและการให้บริการภาครัฐผ่านระบบดิจิทัล เพื่อให้ประชาชนติดต่อราชการได้ทางออนไลน์ทุกขั้นตอน

มาตรา ๑ พระราชบัญญัตินี้เรียกว่า "พระราชบัญญัติการบริหารงานและการให้บริการภาครัฐผ่านระบบดิจิทัล (ฉบับที่ ..) พ.ศ. ...."

มาตรา ๒ พระราชบัญญัตินี้ให้ใช้บังคับเมื่อพ้นกำหนดหนึ่งร้อยแปดสิบวันนับแต่วันประกาศในราชกิจจานุเบกษาเป็นต้นไป

มาตรา ๓ หน่วยงานของรัฐต้องจัดให้มีช่องทางดิจิทัลสำหรับการยื่นคำขอ การชำระค่าธรรมเนียม และการรับใบอนุญาต โดยประชาชนไม่ต้องยื่นสำเนาเอกสารที่ทางราชการออกให้เอง

มาตรา ๔ หน่วยงานของรัฐต้องเปิดเผยข้อมูลที่อยู่ในความครอบครองในรูปแบบข้อมูลเปิดที่เครื่องอ่านได้ เว้นแต่ข้อมูลส่วนบุคคลหรือข้อมูลที่กฎหมายห้ามเปิดเผย

มาตรา ๕ ในกรณีที่ประชาชนไม่สามารถใช้ช่องทางดิจิทัลได้ หน่วยงานของรัฐต้องจัดให้มีช่องทางอื่นและเจ้าหน้าที่ช่วยเหลือโดยไม่เสียค่าใช้จ่าย"""

CITIZEN_TEXTS = [
    "อยากให้ลดค่าบริการอินเทอร์เน็ตในหมู่บ้าน และเพิ่มจุดกระจายสัญญาณที่ศาลาประชาคม",
    "สัญญาณอินเทอร์เน็ตในหมู่บ้านไม่เสถียร ควรติดตั้งเสาสัญญาณเพิ่ม",
    "ผู้สูงอายุใช้อินเทอร์เน็ตไม่เป็น ควรมีอาสาสมัครสอนการใช้งาน",
    "ควรมีอินเทอร์เน็ตฟรีที่โรงเรียนและโรงพยาบาลส่งเสริมสุขภาพตำบล",
    "ค่าบริการอินเทอร์เน็ตแพงเกินไปสำหรับครอบครัวรายได้น้อย",
]


def _store_text_document(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    rel = f"{digest[:2]}/{digest}.txt"
    target = Path(get_settings().upload_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(data)
    return rel


async def seed(conn: asyncpg.Connection, ctx) -> str:
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM consultations WHERE title = $1)", OPEN_TITLE):
        return ""
    now = await conn.fetchval("SELECT now()")
    staff = ctx.users["somchai@mdes.example"]
    mdes = ctx.orgs["mdes"]
    fixture = FIXTURE.read_text(encoding="utf-8") if FIXTURE.exists() else ""

    open_id = await store.create_consultation(
        conn,
        actor_id=staff,
        owner_org_id=mdes,
        kind="s77",
        title=OPEN_TITLE,
        summary=(
            "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมขอรับฟังความคิดเห็นต่อร่างพระราชบัญญัติฉบับนี้ตามมาตรา 77 "
            "ของรัฐธรรมนูญ เพื่อให้บริการภาครัฐเปิดกว้าง เชื่อมโยงกัน และยึดประชาชนเป็นศูนย์กลาง"
        ),
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=27),
        coowner_ids=[ctx.orgs["moi-dla"]],
        sections=store.sections_from_text(DRAFT + ("\n\n" + fixture if fixture else "")),
        questions=[
            {
                "kind": "single",
                "prompt": "ท่านเห็นด้วยกับหลักการของร่างพระราชบัญญัตินี้หรือไม่",
                "required": True,
                "options": ["เห็นด้วย", "เห็นด้วยบางส่วน", "ไม่เห็นด้วย"],
            },
            {
                "kind": "multi",
                "prompt": "บริการใดที่ท่านอยากให้ทำผ่านระบบดิจิทัลได้ก่อน",
                "required": False,
                "options": ["ทะเบียนราษฎร", "ภาษี", "ใบอนุญาตประกอบกิจการ", "สวัสดิการผู้สูงอายุ"],
            },
            {"kind": "scale", "prompt": "มาตรา ๕ (ช่องทางอื่นสำหรับผู้ใช้ดิจิทัลไม่ได้) สำคัญเพียงใด", "required": True},
            {"kind": "text", "prompt": "ข้อเสนอแนะเพิ่มเติม", "required": False},
        ],
    )
    await conn.execute(
        "UPDATE consultations SET status = 'open', opened_at = opens_at WHERE id = $1", open_id
    )
    if fixture:
        data = fixture.encode("utf-8")
        await store.add_document(
            conn,
            open_id,
            actor_id=staff,
            title="เอกสารประกอบ: ระบบราชการ 4.0 (ข้อความจาก PDF)",
            filename="gov40_pdf_extract_th.txt",
            kind="txt",
            path=_store_text_document(data),
            size_bytes=len(data),
        )
    qs = await store.list_questions(conn, open_id)
    pim = ctx.users["pim@citizen.example"]
    await store.submit_response(
        conn,
        open_id,
        pim,
        consent="named",
        province="LPN",
        answers={
            str(qs[0].id): "เห็นด้วย",
            str(qs[1].id): ["ทะเบียนราษฎร", "สวัสดิการผู้สูงอายุ"],
            str(qs[2].id): 5,
            str(qs[3].id): "ควรมีเจ้าหน้าที่ช่วยผู้สูงอายุที่ อบต.",
        },
    )
    sections = await store.list_sections(conn, open_id)
    await store.add_comment(
        conn,
        open_id,
        ctx.users["krit@citizen.example"],
        section_id=sections[-1].id,
        body="ขอให้ระบุด้วยว่าช่องทางอื่นต้องมีในทุกอำเภอ",
    )

    closed_id = await store.create_consultation(
        conn,
        actor_id=staff,
        owner_org_id=mdes,
        kind="s77",
        title=CLOSED_TITLE,
        summary="ขอความคิดเห็นว่าควรจัดอินเทอร์เน็ตฟรีในพื้นที่สาธารณะของชุมชนอย่างไร ที่ไหนก่อน และใครควรดูแล",
        opens_at=now - timedelta(days=45),
        closes_at=now + timedelta(days=1),
        sections=store.sections_from_text(
            "ข้อ 1 จัดจุดอินเทอร์เน็ตฟรีในศาลาประชาคม โรงเรียน และโรงพยาบาลส่งเสริมสุขภาพตำบล\n\n"
            "ข้อ 2 องค์กรปกครองส่วนท้องถิ่นเป็นผู้ดูแลอุปกรณ์ โดยกระทรวงสนับสนุนงบประมาณค่าบริการ\n\n"
            "ข้อ 3 จัดอาสาสมัครดิจิทัลชุมชนสอนการใช้งานให้ผู้สูงอายุ"
        ),
        questions=[
            {
                "kind": "single",
                "prompt": "ควรเริ่มติดตั้งที่ใดก่อน",
                "required": True,
                "options": ["ศาลาประชาคม", "โรงเรียน", "โรงพยาบาลส่งเสริมสุขภาพตำบล"],
            },
            {"kind": "scale", "prompt": "นโยบายนี้สำคัญต่อชุมชนของท่านเพียงใด", "required": True},
            {"kind": "text", "prompt": "ข้อเสนอแนะ", "required": False},
        ],
    )
    await conn.execute(
        "UPDATE consultations SET status = 'open', opened_at = opens_at WHERE id = $1", closed_id
    )
    qs = await store.list_questions(conn, closed_id)
    people = [e for e in ctx.users if e != "admin@civic.example"]
    places = ["ศาลาประชาคม", "โรงเรียน", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "ศาลาประชาคม"]
    consents = ["named", "anonymous", "anonymous", "none"]
    for i, email in enumerate(people):
        await store.submit_response(
            conn,
            closed_id,
            ctx.users[email],
            consent=consents[i % 4],
            province=["KKN", "CMI", "SKA", "LPN"][i % 4],
            answers={
                str(qs[0].id): places[i % 4],
                str(qs[1].id): [5, 4, 5, 3, 4][i % 5],
                str(qs[2].id): CITIZEN_TEXTS[i % len(CITIZEN_TEXTS)],
            },
        )
    sec = await store.list_sections(conn, closed_id)
    c1 = await store.add_comment(
        conn,
        closed_id,
        ctx.users["nok@raknam.example"],
        section_id=sec[1].id,
        body="อบต. เล็ก ๆ ไม่มีช่างดูแลอุปกรณ์ ควรมีงบจ้างช่างด้วย",
    )
    c2 = await store.add_comment(
        conn,
        closed_id,
        ctx.users["dao@elderlycare.example"],
        section_id=sec[2].id,
        body="เครือข่ายอาสาของเรายินดีช่วยสอนผู้สูงอายุ",
    )
    await conn.execute(
        "UPDATE consultations SET closes_at = $2, closed_at = $2, status = 'closed' WHERE id = $1",
        closed_id,
        now - timedelta(days=10),
    )
    # Through the action, so its outcome.published event tells the respondents ("you said, we did").
    staff_user = await accounts.user_by_email(conn, "somchai@mdes.example")
    assert staff_user is not None
    await actions.publish_outcome(
        conn,
        staff_user,
        closed_id,
        OutcomeIn(
            summary=(
                "ประชาชนส่วนใหญ่อยากให้เริ่มที่ศาลาประชาคม และกังวลเรื่องค่าบริการกับการดูแลอุปกรณ์\n"
                "กระทรวงจะเริ่มโครงการนำร่องใน 4 จังหวัด และจัดงบดูแลอุปกรณ์ให้ท้องถิ่น"
            ),
            themes=[
                ThemeIn(
                    title="งบประมาณดูแลอุปกรณ์ของท้องถิ่น",
                    disposition="adopted",
                    reason="เพิ่มงบค่าจ้างช่างดูแลระบบ 3 ปีแรกให้ อบต. ทุกแห่งที่เข้าร่วม",
                    comment_ids=[c1],
                ),
                ThemeIn(
                    title="อาสาสมัครดิจิทัลชุมชน",
                    disposition="partly",
                    reason="ร่วมมือกับเครือข่ายอาสาในจังหวัดนำร่องก่อน แล้วจึงขยายทั่วประเทศ",
                    comment_ids=[c2],
                ),
                ThemeIn(
                    title="อินเทอร์เน็ตฟรีถึงบ้านทุกหลัง",
                    disposition="not_adopted",
                    reason="เกินกรอบงบประมาณ นโยบายนี้ครอบคลุมเฉพาะพื้นที่สาธารณะ",
                ),
            ],
        ),
    )
    return f"  consultations: open s77 hearing /consultations/{open_id}, outcome /consultations/{closed_id}/outcome"
