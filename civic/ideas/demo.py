"""Demo idea boards: realistic Thai ideas, supports, comments, one answered and accepted idea,
and one idea past its response clock. Idempotent: does nothing when the boards exist."""

from __future__ import annotations

import asyncpg

from civic.ideas import store

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
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM idea_boards WHERE slug = $1)", BOARDS[0][0]):
        return ""
    users, orgs = ctx.users, ctx.orgs
    staff = {
        "hdy-city": "malee@hatyai.example",
        "mdes": "somchai@mdes.example",
        "ban-klang-sao": "wipa@banklang.example",
    }
    boards: dict[str, int] = {}
    for slug, owner, coowners, title, description, scope, categories, threshold, days in BOARDS:
        boards[slug] = await store.create_board(
            conn,
            slug=slug,
            agency_id=orgs[owner],
            title=title,
            description_th=description,
            description_en="",
            scope=scope,
            categories=categories,
            is_open=True,
            moderate_first=False,
            support_threshold=threshold,
            response_days=days,
            coowner_ids=[orgs[c] for c in coowners],
            actor_id=users[staff[owner]],
        )
    ideas: list[int] = []
    for board, author, title, body, category, province, supporters in IDEAS:
        idea_id = await store.create_idea(
            conn,
            board_id=boards[board],
            author_id=users[author],
            title=title,
            body=body,
            category=category,
            province=province,
            links=[],
        )
        ideas.append(idea_id)
        for email in supporters:
            await store.support_idea(conn, idea_id, users[email])

    bins, festival, _hazard, wifi, one_app, _lights, _bus = ideas
    malee, somchai = users["malee@hatyai.example"], users["somchai@mdes.example"]
    # Answered and accepted.
    await store.answer_idea(
        conn,
        bins,
        org_id=orgs["hdy-city"],
        author_id=malee,
        body="เทศบาลนครหาดใหญ่ขอบคุณสำหรับข้อเสนอ กองสาธารณสุขและสิ่งแวดล้อมจะติดตั้งถังขยะแยกประเภท "
        "พร้อมป้ายสองภาษาหน้าตลาดกิมหยงภายในไตรมาสหน้า และจะขยายไปยังตลาดสดอื่นในปีงบประมาณถัดไป",
    )
    for to in ("under_review", "accepted"):
        await store.change_status(
            conn,
            bins,
            expected_from="published" if to == "under_review" else "under_review",
            to_status=to,
            reason="",
            duplicate_of=None,
            actor_id=malee,
            org_id=orgs["hdy-city"],
        )
    await store.change_status(
        conn,
        one_app,
        expected_from="published",
        to_status="under_review",
        reason="",
        duplicate_of=None,
        actor_id=somchai,
        org_id=orgs["mdes"],
    )
    # Over the threshold and past its response clock, with no answer: shows on /ideas/overdue.
    await conn.execute(
        "UPDATE ideas SET created_at = now() - interval '30 days', threshold_reached_at = now() - interval '20 days', "
        "answer_due_at = now() - interval '6 days' WHERE id = $1",
        festival,
    )
    # Comments with a reply.
    first = await store.add_comment(
        conn,
        bins,
        author_id=users["krit@citizen.example"],
        body="เห็นด้วยครับ ขอให้มีถังแยกที่ตลาดสันติสุขด้วย",
        parent_id=None,
    )
    await store.add_comment(
        conn, bins, author_id=users["pim@citizen.example"], body="ใช่ค่ะ ตลาดสันติสุขก็ขยะปนกันมาก", parent_id=first
    )
    await store.add_comment(
        conn,
        wifi,
        author_id=users["jane@citizen.example"],
        body="Good idea. ตลาดที่ลำพูนก็สัญญาณอ่อนเหมือนกันค่ะ",
        parent_id=None,
    )
    return f"  idea boards: {len(BOARDS)} boards, {len(IDEAS)} ideas (see /ideas and /ideas/overdue)"
