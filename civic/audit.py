"""The audit log: who did what to which subject. Every domain's store writes it in the same
transaction as the act, so it lives outside any one domain."""

from __future__ import annotations

import asyncpg


async def audit(
    conn: asyncpg.Connection,
    *,
    actor_id: int | None,
    action: str,
    subject_kind: str,
    subject_id: int | None,
    org_id: int | None = None,
    detail: dict | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor_id, org_id, action, subject_kind, subject_id, detail) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        actor_id,
        org_id,
        action,
        subject_kind,
        subject_id,
        detail or {},
    )
