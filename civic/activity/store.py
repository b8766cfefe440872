"""SQL for a person's own activity, newest first, each list bounded."""

from __future__ import annotations

import asyncpg

from civic.activity import rules
from civic.activity.schemas import Activity, MyAnswer, MyClaim, MyComment, MyIdea, MySupport

LIMIT = 200
MY_IDEAS = """
SELECT i.id, i.title, i.status, i.support_count, i.created_at, a.body AS answer, a.created_at AS answered_at
FROM ideas i LEFT JOIN idea_answers a ON a.idea_id = i.id
WHERE i.author_id = $1 ORDER BY i.created_at DESC LIMIT $2
"""
MY_SUPPORTS = """
SELECT s.idea_id, i.title, i.status, s.created_at AS supported_at
FROM idea_supports s JOIN ideas i ON i.id = s.idea_id
WHERE s.user_id = $1 AND i.hidden_at IS NULL ORDER BY s.created_at DESC LIMIT $2
"""
MY_COMMENTS = """
(SELECT 'idea' AS kind, c.idea_id AS subject_id, i.title AS subject_title, c.body, c.created_at,
        '/ideas/' || c.idea_id || '#comment-' || c.id AS url
 FROM idea_comments c JOIN ideas i ON i.id = c.idea_id
 WHERE c.author_id = $1 AND c.deleted_at IS NULL)
UNION ALL
(SELECT 'consultation', m.consultation_id, k.title, m.body, m.created_at,
        '/consultations/' || m.consultation_id || '#comment-' || m.id
 FROM consultation_comments m JOIN consultations k ON k.id = m.consultation_id
 WHERE m.user_id = $1)
ORDER BY created_at DESC LIMIT $2
"""
MY_ANSWERS = """
SELECT r.id, r.consultation_id, k.title, k.status, r.created_at AS answered_at, r.updated_at
FROM consultation_responses r JOIN consultations k ON k.id = r.consultation_id
WHERE r.user_id = $1 ORDER BY r.created_at DESC LIMIT $2
"""
MY_CLAIMS = """
SELECT c.task_id, t.title, t.status AS task_status, c.status AS claim_status, o.name_th AS partner_name,
       NULLIF(o.name_en, '') AS partner_name_en,
       c.created_at AS claimed_at
FROM handover_claims c
JOIN handover_tasks t ON t.id = c.task_id
JOIN organisations o ON o.id = c.partner_id
WHERE c.partner_id IN (SELECT org_id FROM memberships WHERE user_id = $1 AND status = 'active')
   OR c.claimed_by = $1
ORDER BY c.created_at DESC LIMIT $2
"""


async def activity(conn: asyncpg.Connection, user_id: int) -> Activity:
    answers = [
        MyAnswer(
            consultation_id=r["consultation_id"],
            title=r["title"],
            status=r["status"],
            answered_at=r["answered_at"],
            updated_at=r["updated_at"],
            reference=rules.receipt_reference(r["consultation_id"], r["id"]),
            edit_url=rules.answer_edit_url(r["consultation_id"], r["status"]),
        )
        for r in await conn.fetch(MY_ANSWERS, user_id, LIMIT)
    ]
    return Activity(
        ideas=[MyIdea(**dict(r)) for r in await conn.fetch(MY_IDEAS, user_id, LIMIT)],
        supports=[MySupport(**dict(r)) for r in await conn.fetch(MY_SUPPORTS, user_id, LIMIT)],
        comments=[MyComment(**dict(r)) for r in await conn.fetch(MY_COMMENTS, user_id, LIMIT)],
        answers=answers,
        claims=[MyClaim(**dict(r)) for r in await conn.fetch(MY_CLAIMS, user_id, LIMIT)],
    )
