"""The questions most consultation tests ask: one of each kind."""

QUESTIONS = [
    {"kind": "single", "prompt": "เห็นด้วยหรือไม่", "required": True, "options": ["เห็นด้วย", "ไม่เห็นด้วย"]},
    {"kind": "scale", "prompt": "ความสำคัญ", "required": True},
    {"kind": "text", "prompt": "ข้อเสนอแนะ", "required": False},
]


async def create_draft_policy(
    conn,
    *,
    actor_id: int | None,
    owner_org_id: int,
    status: str | None = None,
    opens_in_days: int = -1,
    closes_in_days: int = 20,
    kind: str = "general",
    summary: str = "ขอรับฟังความคิดเห็นต่อร่างนโยบายอินเทอร์เน็ตชุมชน",
    sections_text: str | None = None,
    questions: list[dict] | None = None,
) -> int:
    """The community-internet draft most consultation tests work on, moved to `status` if given."""
    from datetime import timedelta

    from civic.consultations import store

    now = await conn.fetchval("SELECT now()")
    cid = await store.create_consultation(
        conn,
        actor_id=actor_id,
        owner_org_id=owner_org_id,
        kind=kind,
        title="ร่างนโยบายอินเทอร์เน็ตชุมชน",
        summary=summary,
        opens_at=now + timedelta(days=opens_in_days),
        closes_at=now + timedelta(days=closes_in_days),
        sections=store.sections_from_text(sections_text) if sections_text else (),
        questions=questions or QUESTIONS,
    )
    if status and status != "draft":
        await conn.execute("UPDATE consultations SET status = $2 WHERE id = $1", cid, status)
    return cid
