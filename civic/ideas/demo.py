"""Demo idea boards: realistic Thai ideas, supports, comments, one answered and accepted idea,
and one idea past its response clock. Idempotent: does nothing when the boards exist."""

from __future__ import annotations

import asyncpg

from civic.accounts import actions as accounts
from civic.accounts.schemas import CurrentUser
from civic.ideas import actions
from civic.ideas.schemas import AnswerIn, BoardIn, CommentIn, IdeaIn, StatusIn

BOARDS = [
    # slug, owner, co-owners, title, description, scope, categories, threshold, days
    (
        "hatyai-clean-city",
        "hdy-city",
        ["moi-dla"],
        "ขยะและความสะอาดเมืองหาดใหญ่",
        "ร่วมเสนอไอเดียเรื่องการจัดการขยะ การคัดแยก และความสะอาดของตลาดและชุมชนในเขตเทศบาลนครหาดใหญ่\n\n"
        "เมื่อไอเดียมีผู้สนับสนุนครบเกณฑ์ เทศบาลจะตอบอย่างเป็นทางการภายในเวลาที่กำหนด",
        "SKA",
        ["ขยะ", "ตลาด", "ชุมชน"],
        5,
        14,
    ),
    (
        "community-internet",
        "mdes",
        [],
        "อินเทอร์เน็ตชุมชนและบริการรัฐออนไลน์",
        "ไอเดียเพื่อให้ทุกคนเข้าถึงอินเทอร์เน็ตและใช้บริการภาครัฐออนไลน์ได้ง่ายขึ้น ทั้งในเมืองและชนบท",
        None,
        ["อินเทอร์เน็ต", "บริการออนไลน์"],
        3,
        30,
    ),
    (
        "ban-klang-village",
        "ban-klang-sao",
        ["moi-dla"],
        "พัฒนาตำบลบ้านกลาง",
        "อบต.บ้านกลางเปิดรับความคิดเห็นเรื่องน้ำประปา ไฟฟ้าส่องสว่าง และการดูแลผู้สูงอายุในตำบล",
        "LPN",
        [],
        3,
        30,
    ),
]

# board, author, title, body, category, province, supporters
IDEAS = [
    (
        "hatyai-clean-city",
        "pim@citizen.example",
        "ถังขยะแยกประเภทหน้าตลาดกิมหยง",
        "หน้าตลาดกิมหยงมีถังขยะใบเดียว ขวดพลาสติก เศษอาหาร และกล่องโฟมปนกันหมด\n\n"
        "อยากให้ตั้งถังแยกสี่ประเภท (ทั่วไป รีไซเคิล อินทรีย์ อันตราย) พร้อมป้ายภาษาไทยและอังกฤษ "
        "เพราะนักท่องเที่ยวมาเลเซียเยอะ ตัวอย่างป้ายจากกรมควบคุมมลพิษ https://www.pcd.go.th",
        "ตลาด",
        "SKA",
        [
            "krit@citizen.example",
            "jane@citizen.example",
            "dao@elderlycare.example",
            "ton@greenhatyai.example",
            "nok@raknam.example",
        ],
    ),
    (
        "hatyai-clean-city",
        "krit@citizen.example",
        "เพิ่มรอบเก็บขยะช่วงเทศกาลสงกรานต์และตรุษจีน",
        "ช่วงเทศกาลขยะล้นถังตั้งแต่เช้า ถนนนิพัทธ์อุทิศมีกลิ่นเหม็นทั้งวัน ขอให้เพิ่มรอบเก็บขยะเป็นวันละสองรอบในช่วงเทศกาล",
        "ขยะ",
        "SKA",
        [
            "pim@citizen.example",
            "jane@citizen.example",
            "dao@elderlycare.example",
            "ton@greenhatyai.example",
            "nok@raknam.example",
        ],
    ),
    (
        "hatyai-clean-city",
        "ton@greenhatyai.example",
        "จุดรับขยะอันตรายในชุมชน",
        "ถ่านไฟฉาย หลอดไฟ และกระป๋องสเปรย์ยังถูกทิ้งรวมกับขยะทั่วไป "
        "เสนอให้มีจุดรับขยะอันตรายที่ศูนย์บริการสาธารณสุขทุกแห่ง เดือนละครั้ง",
        "ชุมชน",
        "SKA",
        ["pim@citizen.example"],
    ),
    (
        "community-internet",
        "dao@elderlycare.example",
        "ไวไฟสาธารณะในตลาดสดทุกอำเภอ",
        "แม่ค้าในตลาดสดรับเงินผ่านพร้อมเพย์ แต่สัญญาณมือถือในอาคารตลาดอ่อนมาก อยากให้มีไวไฟสาธารณะฟรีในตลาดสดของทุกอำเภอ",
        "อินเทอร์เน็ต",
        None,
        ["pim@citizen.example", "krit@citizen.example"],
    ),
    (
        "community-internet",
        "jane@citizen.example",
        "ยื่นขอใบอนุญาตออนไลน์ได้ในแอปเดียว",
        "ตอนนี้ต้องสมัครบัญชีหลายเว็บไซต์เพื่อยื่นเรื่องกับแต่ละหน่วยงาน ถ้ามีแอปเดียวที่ยืนยันตัวตนครั้งเดียวแล้วยื่นได้ทุกเรื่องจะสะดวกมาก",
        "บริการออนไลน์",
        None,
        ["krit@citizen.example"],
    ),
    (
        "ban-klang-village",
        "krit@citizen.example",
        "ไฟส่องสว่างถนนเข้าหมู่ 4",
        "ถนนจากปากทางเข้าหมู่ 4 ยาวประมาณ 800 เมตรไม่มีไฟเลย นักเรียนกลับบ้านค่ำลำบาก ขอเสาไฟโซลาร์เซลล์ทุก 50 เมตร",
        "",
        "LPN",
        ["pim@citizen.example"],
    ),
    (
        "ban-klang-village",
        "pim@citizen.example",
        "รถรับส่งผู้สูงอายุไปโรงพยาบาลลำพูน",
        "ผู้สูงอายุหลายคนไม่มีคนพาไปตามนัดหมอ เสนอให้ อบต. จัดรถรับส่งสัปดาห์ละสองวัน",
        "",
        "LPN",
        ["krit@citizen.example", "dao@elderlycare.example"],
    ),
]


async def seed(conn: asyncpg.Connection, ctx) -> str:
    """Through the same actions as the pages, as the demo's people, so the demo records the events
    a real day would."""
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM idea_boards WHERE slug = $1)", BOARDS[0][0]):
        return ""
    people: dict[str, CurrentUser] = {}

    async def person(email: str) -> CurrentUser:
        if email not in people:
            user = await accounts.user_by_email(conn, email)
            assert user is not None, email
            people[email] = user
        return people[email]

    staff = {
        "hdy-city": "malee@hatyai.example",
        "mdes": "somchai@mdes.example",
        "ban-klang-sao": "wipa@banklang.example",
    }
    for slug, owner, coowners, title, description, scope, categories, threshold, days in BOARDS:
        board = BoardIn(
            slug=slug,
            agency=owner,
            title=title,
            description_th=description,
            scope=scope,
            categories=categories,
            support_threshold=threshold,
            response_days=days,
            coowners=coowners,
        )
        await actions.create_board(conn, await person(staff[owner]), board)
    ideas: list[int] = []
    for board_slug, author, title, body, category, province, supporters in IDEAS:
        idea = IdeaIn(board=board_slug, title=title, body=body, category=category, province=province)
        idea_id = (await actions.submit_idea(conn, await person(author), idea)).id
        ideas.append(idea_id)
        for email in supporters:
            await actions.support_idea(conn, await person(email), idea_id)

    bins, festival, _hazard, wifi, one_app, _lights, _bus = ideas
    malee, somchai = await person("malee@hatyai.example"), await person("somchai@mdes.example")
    # Answered and accepted.
    answer = AnswerIn(
        body="เทศบาลนครหาดใหญ่ขอบคุณสำหรับข้อเสนอ กองสาธารณสุขและสิ่งแวดล้อมจะติดตั้งถังขยะแยกประเภท "
        "พร้อมป้ายสองภาษาหน้าตลาดกิมหยงภายในไตรมาสหน้า และจะขยายไปยังตลาดสดอื่นในปีงบประมาณถัดไป"
    )
    await actions.answer_idea(conn, malee, bins, answer)
    for to in ("under_review", "accepted"):
        await actions.change_status(conn, malee, bins, StatusIn(status=to))
    await actions.change_status(conn, somchai, one_app, StatusIn(status="under_review"))
    # Over the threshold and past its response clock, with no answer: shows on /ideas/overdue.
    # (Time travel, not a verb: no action moves a clock back.)
    await conn.execute(
        "UPDATE ideas SET created_at = now() - interval '30 days', threshold_reached_at = now() - interval '20 days', "
        "answer_due_at = now() - interval '6 days' WHERE id = $1",
        festival,
    )
    # Comments with a reply.
    krit, pim = await person("krit@citizen.example"), await person("pim@citizen.example")
    first = await actions.add_comment(conn, krit, bins, CommentIn(body="เห็นด้วยครับ ขอให้มีถังแยกที่ตลาดสันติสุขด้วย"))
    await actions.add_comment(
        conn, pim, bins, CommentIn(body="ใช่ค่ะ ตลาดสันติสุขก็ขยะปนกันมาก", parent_id=first.id)
    )
    jane = await person("jane@citizen.example")
    await actions.add_comment(conn, jane, wifi, CommentIn(body="Good idea. ตลาดที่ลำพูนก็สัญญาณอ่อนเหมือนกันค่ะ"))
    return f"  idea boards: {len(BOARDS)} boards, {len(IDEAS)} ideas (see /ideas and /ideas/overdue)"
