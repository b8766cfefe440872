"""One valid handover task, as the store, HTTP and state-machine tests all post it."""

from __future__ import annotations

from datetime import date, timedelta


def task_raw(**over) -> dict:
    """Raw input for a Khon Kaen flood-training task whose claim window is open today.
    Each test adds the fields its channel needs (milestones, form-only fields)."""
    today = date.today()
    raw = {
        "title": "อบรมเตรียมความพร้อมรับน้ำท่วมชุมชน",
        "description": "จัดอบรมอาสาสมัครชุมชนริมน้ำพองเรื่องการเตรียมความพร้อมรับมืออุทกภัย",
        "deliverables": "อบรม 3 ครั้ง ผู้เข้าร่วมรวม 120 คน",
        "province": "KKN",
        "category": "disaster",
        "contact": "กองสาธารณภัย โทร 043-000-000",
        "budget": "45000",
        "claim_opens": (today - timedelta(days=1)).isoformat(),
        "claim_closes": (today + timedelta(days=14)).isoformat(),
        "deadline": (today + timedelta(days=60)).isoformat(),
    }
    raw.update(over)
    return raw
