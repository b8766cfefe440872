"""Demo tasks in every state, from agencies on all three levels. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg

from civic.handovers import actions, rules, store
from civic.handovers.store import Actor


def _d(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


# (key, agency slug, staff email, fields, milestones [(title, due offset, share)], state, partner slug, partner email)
TASKS = [
    (
        "draft",
        "mdes",
        "somchai@mdes.example",
        {
            "title": "สอนผู้สูงอายุใช้แอปทางรัฐอย่างปลอดภัย",
            "description": "จัดกิจกรรมสอนผู้สูงอายุในชุมชนให้ใช้แอปพลิเคชันทางรัฐ ตรวจสอบสิทธิ และรู้เท่าทันมิจฉาชีพออนไลน์",
            "deliverables": "จัดอบรม 10 ครั้ง ผู้สูงอายุเข้าร่วมอย่างน้อย 300 คน พร้อมคู่มือฉบับพิมพ์ใหญ่",
            "province": "BKK",
            "category": "digital",
            "skills": "สอนผู้สูงอายุ, ความปลอดภัยไซเบอร์",
            "budget": "180000",
            "claim_opens": _d(10),
            "claim_closes": _d(40),
            "deadline": _d(160),
            "contact": "กองส่งเสริมเศรษฐกิจดิจิทัล โทร 02-141-6747",
        },
        [("อบรมรุ่นที่ 1-5", 100, "50"), ("อบรมรุ่นที่ 6-10 และส่งคู่มือ", 150, "50")],
        "draft",
        None,
        None,
    ),
    (
        "open-flood",
        "kkn-pao",
        "anan@kknpao.example",
        {
            "title": "อบรมเตรียมความพร้อมรับมือน้ำท่วมชุมชนริมน้ำพอง",
            "description": "จัดอบรมอาสาสมัครในชุมชนริมแม่น้ำพองเรื่องการเฝ้าระวังระดับน้ำ การอพยพ และการดูแลกลุ่มเปราะบางช่วงน้ำท่วม",
            "deliverables": "อบรม 3 ตำบล ตำบลละ 40 คน จัดทำแผนอพยพชุมชนและแผนที่จุดปลอดภัย",
            "province": "KKN",
            "district": "อำเภอน้ำพอง",
            "category": "disaster",
            "partner_types": ["foundation", "ngo", "community"],
            "skills": "การจัดการภัยพิบัติ, การทำแผนที่ชุมชน",
            "budget": "95000",
            "claim_opens": _d(-3),
            "claim_closes": _d(20),
            "deadline": _d(90),
            "contact": "ฝ่ายป้องกันและบรรเทาสาธารณภัย อบจ.ขอนแก่น โทร 043-236-290",
        },
        [("อบรมตำบลที่ 1", 35, "30"), ("อบรมตำบลที่ 2 และ 3", 60, "40"), ("ส่งแผนอพยพชุมชน", 85, "30")],
        "open",
        None,
        None,
    ),
    (
        "open-national",
        "moi-dla",
        "somchai@mdes.example",
        {
            "title": "สำรวจความต้องการไฟส่องสว่างในหมู่บ้านห่างไกล",
            "description": "สำรวจจุดมืดและจุดเสี่ยงในหมู่บ้านห่างไกลร่วมกับผู้นำชุมชน เพื่อใช้วางแผนติดตั้งไฟส่องสว่าง",
            "deliverables": "รายงานสำรวจพร้อมพิกัดจุดเสี่ยงอย่างน้อย 200 จุด",
            "province": "LPN",
            "category": "infrastructure",
            "budget": "",
            "claim_opens": _d(-1),
            "claim_closes": _d(30),
            "deadline": _d(120),
            "verified_only": "",
            "contact": "กรมส่งเสริมการปกครองท้องถิ่น โทร 02-241-9000",
        },
        [("สำรวจและส่งรายงาน", 110, "")],
        "open",
        None,
        None,
    ),
    (
        "claimed",
        "cmi-province",
        "somchai@mdes.example",
        {
            "title": "เยี่ยมบ้านผู้สูงอายุติดเตียงในอำเภอสันทราย",
            "description": "อาสาสมัครเยี่ยมบ้านผู้สูงอายุติดเตียง ตรวจความเป็นอยู่ ประสานส่งต่อหน่วยบริการสาธารณสุขเมื่อจำเป็น",
            "deliverables": "เยี่ยมบ้าน 120 ครัวเรือน บันทึกข้อมูลและส่งรายงานรายเดือน",
            "province": "CMI",
            "district": "อำเภอสันทราย",
            "category": "elderly",
            "budget": "60000",
            "claim_opens": _d(-10),
            "claim_closes": _d(10),
            "deadline": _d(100),
            "contact": "สำนักงานจังหวัดเชียงใหม่ โทร 053-112-000",
        },
        [("เยี่ยมบ้านเดือนที่ 1", 40, "35"), ("เยี่ยมบ้านเดือนที่ 2-3", 95, "65")],
        "claimed",
        "elderly-care-network",
        "dao@elderlycare.example",
    ),
    (
        "in-progress",
        "hdy-city",
        "malee@hatyai.example",
        {
            "title": "รณรงค์คัดแยกขยะในโรงเรียนสังกัดเทศบาล",
            "description": "จัดกิจกรรมให้ความรู้และตั้งธนาคารขยะในโรงเรียนสังกัดเทศบาลนครหาดใหญ่ ลดขยะที่ส่งไปฝังกลบ",
            "deliverables": "ธนาคารขยะ 6 โรงเรียน รายงานปริมาณขยะรีไซเคิลรายเดือน",
            "province": "SKA",
            "district": "อำเภอหาดใหญ่",
            "category": "environment",
            "budget": "150000",
            "claim_opens": _d(-60),
            "claim_closes": _d(-40),
            "deadline": _d(60),
            "contact": "กองสาธารณสุขและสิ่งแวดล้อม เทศบาลนครหาดใหญ่ โทร 074-200-000",
        },
        [("เปิดธนาคารขยะ 3 โรงเรียนแรก", -10, "40"), ("เปิดครบ 6 โรงเรียน", 30, "40"), ("รายงานสรุป", 55, "20")],
        "in_progress",
        "green-hatyai",
        "ton@greenhatyai.example",
    ),
    (
        "completion",
        "kkn-pao",
        "anan@kknpao.example",
        {
            "title": "ซ้อมแผนอพยพน้ำท่วมในชุมชนบ้านท่าพระ",
            "description": "ซ้อมแผนอพยพร่วมกับอาสาสมัครป้องกันภัยฝ่ายพลเรือนและโรงพยาบาลส่งเสริมสุขภาพตำบล",
            "deliverables": "ซ้อมแผน 1 ครั้ง ผู้เข้าร่วม 200 คน รายงานบทเรียน",
            "province": "KKN",
            "category": "disaster",
            "budget": "40000",
            "claim_opens": _d(-80),
            "claim_closes": _d(-60),
            "deadline": _d(10),
            "contact": "อบจ.ขอนแก่น โทร 043-236-290",
        },
        [("ซ้อมแผนอพยพ", -5, "70"), ("รายงานบทเรียน", 5, "30")],
        "completion_requested",
        "rak-nam-foundation",
        "nok@raknam.example",
    ),
    (
        "completed",
        "ban-klang-sao",
        "wipa@banklang.example",
        {
            "title": "ล้างและตรวจคุณภาพน้ำประปาหมู่บ้านหลังน้ำหลาก",
            "description": "ล้างถังกรองและตรวจคุณภาพน้ำประปาหมู่บ้านทั้ง 8 หมู่ หลังน้ำหลากต้นฤดูฝน",
            "deliverables": "ผลตรวจคุณภาพน้ำ 8 หมู่บ้าน และรายงานการซ่อมบำรุง",
            "province": "LPN",
            "category": "health",
            "budget": "25000",
            "claim_opens": _d(-120),
            "claim_closes": _d(-100),
            "deadline": _d(-20),
            "contact": "อบต.บ้านกลาง โทร 053-000-111",
        },
        [("ล้างถังกรองครบ 8 หมู่", -60, "50"), ("ส่งผลตรวจคุณภาพน้ำ", -30, "50")],
        "completed",
        "rak-nam-foundation",
        "nok@raknam.example",
    ),
    (
        "cancelled",
        "mdes",
        "somchai@mdes.example",
        {
            "title": "ติดตั้งจุดกระจายสัญญาณอินเทอร์เน็ตในศาลาหมู่บ้าน",
            "description": "ติดตั้งและดูแลจุดกระจายสัญญาณไวไฟสาธารณะในศาลาหมู่บ้านร่วมกับชุมชน",
            "deliverables": "จุดกระจายสัญญาณ 20 จุด พร้อมแผนดูแลรักษา",
            "province": "NAN",
            "category": "digital",
            "budget": "300000",
            "claim_opens": _d(-20),
            "claim_closes": _d(15),
            "deadline": _d(120),
            "contact": "กระทรวงดิจิทัลฯ โทร 02-141-6747",
        },
        [("ติดตั้ง 20 จุด", 100, "100")],
        "cancelled",
        None,
        None,
    ),
    (
        "expired",
        "ban-klang-sao",
        "wipa@banklang.example",
        {
            "title": "จัดทำทะเบียนผู้สูงอายุที่อยู่ลำพัง",
            "description": "สำรวจและจัดทำทะเบียนผู้สูงอายุที่อยู่ลำพังในตำบล เพื่อวางแผนการเยี่ยมบ้าน",
            "deliverables": "ทะเบียนผู้สูงอายุที่อยู่ลำพังพร้อมข้อมูลติดต่อญาติ",
            "province": "LPN",
            "category": "elderly",
            "budget": "8000",
            "claim_opens": _d(-40),
            "claim_closes": _d(-5),
            "deadline": _d(30),
            "contact": "อบต.บ้านกลาง โทร 053-000-111",
        },
        [("ส่งทะเบียน", 25, "")],
        "expired",
        None,
        None,
    ),
    (
        "given-back",
        "hdy-city",
        "malee@hatyai.example",
        {
            "title": "รณรงค์คัดแยกขยะในตลาดสด 3 แห่ง",
            "description": "ชวนแม่ค้าและผู้ซื้อในตลาดสดคัดแยกขยะอินทรีย์ ขยะรีไซเคิล และขยะทั่วไป พร้อมจุดทิ้งที่ชัดเจน",
            "deliverables": "จุดคัดแยกขยะ 3 ตลาด และรายงานปริมาณขยะก่อนและหลังรณรงค์",
            "province": "SKA",
            "category": "environment",
            "budget": "60000",
            "claim_opens": _d(-10),
            "claim_closes": _d(20),
            "deadline": _d(90),
            "contact": "กองสาธารณสุขและสิ่งแวดล้อม เทศบาลนครหาดใหญ่ โทร 074-200-000",
        },
        [("ตั้งจุดคัดแยกครบ 3 ตลาด", 45, "50"), ("รายงานผล", 85, "50")],
        "given_back",
        "elderly-care-network",
        "dao@elderlycare.example",
    ),
]

PLAN = "ลงพื้นที่ร่วมกับผู้นำชุมชน แบ่งทีมรับผิดชอบรายหมู่บ้าน และรายงานความคืบหน้าทุกสองสัปดาห์"
TEAM = "ผู้ประสานงาน 1 คน อาสาสมัคร 6 คน"


async def seed(conn: asyncpg.Connection, ctx) -> str:
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM handover_tasks)"):
        return ""
    made = 0
    for _key, agency, staff_email, fields, milestones, state, partner, partner_email in TASKS:
        raw = dict(fields)
        raw["milestones"] = [{"title": t, "due": _d(off), "share": s} for t, off, s in milestones]
        clean, errors = rules.validate_task(raw)
        # Past milestones and windows are on purpose here (overdue examples): validate the rest.
        errors.pop("milestones", None)
        if errors:
            raise ValueError(f"demo task {fields['title']}: {errors}")
        clean["milestones"] = raw["milestones"]
        for m in clean["milestones"]:
            m["due"] = date.fromisoformat(m["due"])
            m["share"] = m["share"] or None
        staff = Actor(ctx.users[staff_email], ctx.orgs[agency], "agency")
        task_id = await store.create_task(
            conn, clean, agency_id=ctx.orgs[agency], actor=staff, publish=state != "draft"
        )
        made += 1
        if state == "cancelled":
            await store.cancel_task(
                conn, task_id, "ได้รับงบประมาณจากโครงการเน็ตประชารัฐแล้ว จึงไม่ต้องจ้างซ้ำซ้อน", staff
            )
        if state == "expired":
            await actions.expire_tasks(conn)
        if partner is None:
            continue
        member = Actor(ctx.users[partner_email], ctx.orgs[partner], "partner")
        # Claims on tasks whose window has closed happened back when it was open.
        await conn.execute(
            "UPDATE handover_tasks SET claim_closes = greatest(claim_closes, current_date + 1), "
            "deadline = greatest(deadline, current_date + 2) WHERE id = $1",
            task_id,
        )
        await store.claim_task(
            conn, task_id, partner_id=ctx.orgs[partner], plan=PLAN, team=TEAM, actor=member
        )
        if state == "claimed":
            continue
        if state == "given_back":  # the partner found it could not do it, and said why
            await store.withdraw_claim(
                conn, task_id, partner_ids={ctx.orgs[partner]}, actor=member,
                reason="ทีมของเราถนัดงานดูแลผู้สูงอายุมากกว่า ขอคืนงานให้องค์กรด้านสิ่งแวดล้อมรับช่วงต่อ",
            )  # fmt: skip
            continue
        await store.confirm_claim(conn, task_id, staff)
        task = await store.get_task(conn, task_id)
        first = task.milestones[0].id
        await store.post_update(
            conn, task_id, milestone_id=first, partner_ids={ctx.orgs[partner]},
            body="ดำเนินการตามแผนแล้ว มีผู้เข้าร่วมมากกว่าที่ตั้งเป้าไว้ แนบภาพกิจกรรมในลิงก์",
            percent=100, links=["https://example.org/photos"], files=[], actor=member,
        )  # fmt: skip
        verdict = "partly_met" if state == "in_progress" else "met"
        comment = (
            "เปิดได้ 2 จาก 3 โรงเรียน ขอให้เร่งโรงเรียนที่เหลือ"
            if verdict == "partly_met"
            else "ตรวจแล้ว ครบถ้วนตามข้อกำหนด"
        )
        await store.review_milestone(
            conn, task_id, milestone_id=first, verdict=verdict, comment=comment, actor=staff
        )
        if state == "in_progress":
            continue
        for m in task.milestones[1:]:
            await store.post_update(
                conn, task_id, milestone_id=m.id, partner_ids={ctx.orgs[partner]},
                body="ส่งงานระยะนี้ครบแล้ว", percent=100, links=[], files=[], actor=member,
            )  # fmt: skip
        await store.request_completion(conn, task_id, partner_ids={ctx.orgs[partner]}, note="ส่งรายงานฉบับสมบูรณ์แล้ว",
                                       actor=member)  # fmt: skip
        if state == "completion_requested":
            continue
        for m in task.milestones[1:]:
            await store.review_milestone(conn, task_id, milestone_id=m.id, verdict="met", comment="เรียบร้อย",
                                         actor=staff)  # fmt: skip
        await store.sign_off(conn, task_id, "ทำงานรวดเร็ว ประสานงานกับชุมชนได้ดีมาก ขอบคุณมูลนิธิ", staff)
    return f"  handovers: {made} demo tasks in every state (see /handovers)"
