"""Assisted contributions: who, how, for whom, and the take-over code (hashed)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from civic.audit import audit
from civic.validation import Conflict

INSERT = """
INSERT INTO assisted_contributions (kind, target_id, contribution_id, holder_id, agency_id, staff_id, channel,
    person_name, person_contact, national_id_hash, code_hash, code_expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id
"""
# Locked, so two people typing one code at once cannot both take it over.
BY_CODE = """
SELECT id, kind, target_id, contribution_id, holder_id, code_expires_at, taken_over_at
FROM assisted_contributions WHERE code_hash = $1 FOR UPDATE
"""
TAKEN = "UPDATE assisted_contributions SET taken_over_by = $2, taken_over_at = now() WHERE id = $1"


class CountedAlready(Conflict):
    code = "counted_already"
    default_msgid = "This person has already been counted here through a counter: one person counts once."


async def record(
    conn: asyncpg.Connection, *, kind: str, target_id: int, contribution_id: int, holder_id: int, agency_id: int,
    staff_id: int, channel: str, person_name: str, person_contact: str, national_id_hash: bytes | None,
    code_hash: bytes, code_expires_at: datetime,
) -> int:  # fmt: skip
    try:
        async with conn.transaction():
            row_id = await conn.fetchval(
                INSERT, kind, target_id, contribution_id, holder_id, agency_id, staff_id, channel,
                person_name, person_contact, national_id_hash, code_hash, code_expires_at,
            )  # fmt: skip
            await audit(
                conn, actor_id=staff_id, org_id=agency_id, action=f"assisted.{kind}", subject_kind="assisted",
                subject_id=row_id, detail={"channel": channel, "target_id": target_id},
            )  # fmt: skip
    except asyncpg.UniqueViolationError as exc:
        if "assisted_once_per_person" in str(exc):
            raise CountedAlready(field="national_id") from None
        raise
    return row_id


async def by_code(conn: asyncpg.Connection, code_hash: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(BY_CODE, code_hash)


async def mark_taken(conn: asyncpg.Connection, row_id: int, user_id: int) -> None:
    await conn.execute(TAKEN, row_id, user_id)
