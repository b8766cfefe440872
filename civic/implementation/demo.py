"""Demo: the accepted idea of the ideas demo gets an implementation plan started a month ago, one
milestone reached with an update, one overdue (so /ideas/overdue shows one) and one still ahead."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from civic.accounts import actions as accounts
from civic.implementation import actions
from civic.implementation.schemas import MilestoneIn, PlanIn, UpdateIn


async def seed(conn: asyncpg.Connection, ctx) -> str:
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM implementation_plans)"):
        return ""
    idea_id = await conn.fetchval("SELECT min(id) FROM ideas WHERE status = 'accepted'")
    if idea_id is None:
        return ""
    malee = await accounts.user_by_id(conn, ctx.users["malee@hatyai.example"])
    start = actions.today() - timedelta(days=30)
    steps = (("สำรวจจุดวางถังหน้าตลาดกิมหยง", 7), ("ติดตั้งถังแยกประเภท 10 จุดพร้อมป้ายสองภาษา", 25),
             ("ขยายไปตลาดสันติสุข", 120))  # fmt: skip
    plan = await actions.create_plan(conn, malee, PlanIn(
        idea_id=idea_id,
        summary="ติดตั้งถังขยะแยกประเภทพร้อมป้ายสองภาษาหน้าตลาดกิมหยง แล้วขยายไปยังตลาดสดอื่นของเทศบาล",
        starts_on=start.isoformat(),
        milestones=[MilestoneIn(title=t, due=(start + timedelta(days=d)).isoformat()) for t, d in steps],
    ))  # fmt: skip
    update = UpdateIn(body="สำรวจเสร็จแล้ว เลือกจุดวางถัง 10 จุดร่วมกับผู้ค้าในตลาด", percent=30,
                      milestone_id=plan.milestones[0].id)  # fmt: skip
    await actions.post_update(conn, malee, plan.id, update)
    return f"  implementation: a plan for idea {idea_id} (see /implementation/{plan.id} and /ideas/overdue)"
