"""Notifications from real events: who is told (visibility, self-exclusion), idempotency when the
notifier runs again or dies mid-batch, the inbox and bell (form and API), preferences, the daily
digest and one-click unsubscribe through a real aiosmtpd server, and the reminder sweeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from civic import consumers, events
from civic.accounts.store import user_by_id
from civic.consumers import Consumer
from civic.implementation import actions as implementation
from civic.implementation.schemas import PlanIn
from civic.mail import actions as mail
from civic.mail.unsubscribe import make_token
from civic.notifications import jobs
from civic.notifications.consumer import NOTIFIER, notify
from tests.helpers import login, parse, post_form, send_json, text_of
from tests.integration.test_ideas import _idea, _world
from tests.integration.test_implementation import STAFF, plan_body


async def _follow(conn, user_id: int, kind: str, target: int | str) -> None:
    await conn.execute(
        "INSERT INTO follows (user_id, target_kind, target_id) VALUES ($1, $2, $3)", user_id, kind, str(target)
    )


async def _told(conn, event_kind: str) -> dict[int, tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT n.user_id, n.notice, n.email FROM notifications n JOIN events e ON e.id = n.event_id"
        " WHERE e.kind = $1",
        event_kind,
    )
    return {r["user_id"]: (r["notice"], r["email"]) for r in rows}


async def _answered(client, conn, pool):
    """A citizen's idea, followed by citizen2, answered by the owner agency's staff over HTTP."""
    world = await _world(conn)
    u = world["users"]
    idea_id = await _idea(conn, world)
    await _follow(conn, u["citizen2@example.com"], "idea", idea_id)
    await _follow(conn, u["staff@owner.example"], "idea", idea_id)  # the actor follows too
    await login(client, "staff@owner.example")
    r = await post_form(client, f"/ideas/{idea_id}/answer", {"body": "เทศบาลจะติดตั้งไวไฟภายในเดือนหน้า"})
    assert r.status_code in (200, 303), r.text[:300]
    return world, idea_id


async def test_an_answer_reaches_followers_but_not_the_one_who_answered(client, conn, pool):
    world, idea_id = await _answered(client, conn, pool)
    u = world["users"]
    assert await _told(conn, "idea.answered") == {}, "the request itself tells nobody"
    await consumers.drain(pool, [NOTIFIER])
    assert await _told(conn, "idea.answered") == {u["citizen2@example.com"]: ("idea.answered", "immediate")}
    queued = await conn.fetch("SELECT key, to_address, template, kind FROM mail_messages")
    assert [(r["to_address"], r["template"], r["kind"]) for r in queued] == [
        ("citizen2@example.com", "notifications/notice", "idea.answered")
    ]


async def test_running_again_or_dying_mid_batch_tells_nobody_twice(client, conn, pool):
    world, idea_id = await _answered(client, conn, pool)
    await conn.execute("INSERT INTO follows (user_id, target_kind, target_id) SELECT id, 'idea', $1 FROM users"
                       " ON CONFLICT DO NOTHING", str(idea_id))

    async def dies_after_fanning_out(conn_, batch):
        await notify(conn_, batch)
        raise RuntimeError("killed mid-batch")

    with pytest.raises(RuntimeError):
        await consumers.run_once(pool, Consumer(NOTIFIER.name, dies_after_fanning_out, kinds=NOTIFIER.kinds))
    assert await conn.fetchval("SELECT count(*) FROM notifications") == 0
    assert await conn.fetchval("SELECT count(*) FROM mail_messages") == 0

    await consumers.drain(pool, [NOTIFIER])
    told = await conn.fetchval("SELECT count(*) FROM notifications")
    mails = await conn.fetchval("SELECT count(*) FROM mail_messages")
    assert told == len(world["users"]) - 1 and mails == told
    # The cursor put back: every event offered again adds nothing.
    await conn.execute("UPDATE event_cursors SET last_xid = '0', last_id = 0 WHERE name = $1", NOTIFIER.name)
    await consumers.drain(pool, [NOTIFIER])
    assert await conn.fetchval("SELECT count(*) FROM notifications") == told
    assert await conn.fetchval("SELECT count(*) FROM mail_messages") == mails


async def test_hidden_content_reaches_only_its_author_and_staff_events_no_citizen(conn, pool):
    world = await _world(conn)
    u = world["users"]
    idea_id = await _idea(conn, world)
    for who in ("citizen2@example.com", "staff@owner.example"):
        await _follow(conn, u[who], "idea", idea_id)
    async with conn.transaction():
        # A status change of an idea that is hidden: its followers must not hear of it.
        await events.record(
            conn, "idea.status_changed",
            events.IdeaStatusChanged("published", "under_review", "", None, world["owner"]),
            subject=("idea", idea_id), actor_id=u["staff@owner.example"], agency_id=world["owner"], hidden=True,
        )  # fmt: skip
        # A report is staff-only: moderators hear of it, the follower does not.
        await events.record(
            conn, "content.flagged", events.ContentFlagged(flag_id=1, idea_id=idea_id),
            subject=("idea", idea_id), actor_id=u["citizen3@example.com"], agency_id=world["owner"],
        )  # fmt: skip
        # The moderator's own act: the author is told, with the reason; the moderator is not.
        await events.record(
            conn, "content.hidden", events.ContentModerated(idea_id=idea_id, reason="ข้อมูลส่วนบุคคล"),
            subject=("idea", idea_id), actor_id=u["mod@example.com"], agency_id=world["owner"],
        )  # fmt: skip
    await consumers.drain(pool, [NOTIFIER])
    author = u["citizen@example.com"]
    assert await _told(conn, "idea.status_changed") == {author: ("idea.status", "digest")}
    assert await _told(conn, "content.flagged") == {u["mod@example.com"]: ("moderation.flagged", "immediate")}
    assert await _told(conn, "content.hidden") == {author: ("content.hidden", "immediate")}


async def test_inbox_bell_and_mark_read_by_form_and_api(client, make_client, conn, pool):
    world, idea_id = await _answered(client, conn, pool)
    await consumers.drain(pool, [NOTIFIER])
    reader = await make_client()
    await login(reader, "citizen2@example.com")
    bell = await reader.get("/notifications/bell")
    assert parse(bell.text).ids["bell"]["hx-trigger"].startswith("every ")
    assert "1" in text_of(bell.text)
    page = await reader.get("/notifications")
    assert page.status_code == 200 and "ไวไฟสาธารณะในตลาดกิมหยง" in text_of(page.text)
    listing = (await reader.get("/api/v1/notifications")).json()
    assert listing["unread"] == 1 and listing["items"][0]["url"] == f"/ideas/{idea_id}#official-answer"
    (nid,) = [i["id"] for i in listing["items"]]

    # Someone else's ids change nothing.
    other = await make_client()
    await login(other, "citizen3@example.com")
    r = await send_json(other, "POST", "/api/v1/notifications/read", {"ids": [nid]})
    assert r.status_code == 200 and r.json()["marked"] == 0
    r = await send_json(reader, "POST", "/api/v1/notifications/read", {})
    assert r.status_code == 422 and r.json()["error"]["field"] == "ids"

    r = await post_form(reader, "/notifications/read", {"ids": str(nid)})
    assert r.status_code == 303
    assert (await reader.get("/api/v1/notifications/unread")).json() == {"unread": 0}
    assert "bell__count" not in (await reader.get("/notifications/bell")).text
    await conn.execute("UPDATE notifications SET read_at = NULL")
    r = await post_form(reader, "/notifications/read", {"all": "true"})
    assert r.status_code == 303 and (await reader.get("/api/v1/notifications/unread")).json() == {"unread": 0}


async def test_preferences_form_and_api_and_bad_input(client, conn):
    await _world(conn)
    await login(client, "citizen@example.com")
    page = await client.get("/account/notifications")
    assert page.status_code == 200 and 'name="idea.answered"' in page.text
    r = await post_form(client, "/account/notifications", {"idea.answered": "off", "idea.status": "immediate"})
    assert r.status_code == 303
    prefs = {p["notice"]: p["email"] for p in (await client.get("/api/v1/notifications/preferences")).json()["items"]}
    assert prefs["idea.answered"] == "off" and prefs["idea.status"] == "immediate" and prefs["comment.reply"] == "digest"

    r = await post_form(client, "/account/notifications", {"idea.answered": "sometimes"})
    assert r.status_code == 400 and "เลือก" in text_of(r.text)
    r = await send_json(client, "POST", "/api/v1/notifications/preferences", {"email": {"nope": "off", "idea.answered": "x"}})
    assert r.status_code == 422 and {f["key"] for f in r.json()["error"]["fields"]} == {"nope", "idea.answered"}
    stored = await conn.fetch("SELECT notice, email FROM notification_preferences ORDER BY notice")
    assert [tuple(s) for s in stored] == [("idea.answered", "off"), ("idea.status", "immediate")]


async def test_digest_groups_everything_since_the_last_once_a_day(conn, pool, mailserver, mail_settings):
    world = await _world(conn)
    u = world["users"]
    first, second = await _idea(conn, world), await _idea(conn, world, title="ถังขยะแยกประเภทหน้าตลาด")
    for idea_id in (first, second):
        await _follow(conn, u["citizen2@example.com"], "idea", idea_id)
        async with conn.transaction():
            await events.record(
                conn, "idea.status_changed",
                events.IdeaStatusChanged("published", "under_review", "", None, world["owner"]),
                subject=("idea", idea_id), actor_id=u["staff@owner.example"], agency_id=world["owner"],
            )  # fmt: skip
    await consumers.drain(pool, [NOTIFIER])
    six_am = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 06:00 in Bangkok
    async with conn.transaction():
        assert await jobs.send_digests(conn, six_am) == 0
        seven = six_am + timedelta(hours=1, minutes=5)
        assert await jobs.send_digests(conn, seven) == 1  # citizen2, the one follower
        assert await jobs.send_digests(conn, seven + timedelta(hours=3)) == 0
    await mail.send_due(pool, mail_settings)
    got = {m["To"]: m for m in await mailserver.wait_for(1)}
    digest = got["citizen2@example.com"]
    text = digest.get_body(("plain",)).get_content()
    assert "ไวไฟสาธารณะในตลาดกิมหยง" in text and "ถังขยะแยกประเภทหน้าตลาด" in text
    assert text.count("/ideas/") == 2 and digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The next morning: nothing new, nothing sent.
    async with conn.transaction():
        assert await jobs.send_digests(conn, seven + timedelta(days=1)) == 0


async def test_a_digest_lists_one_idea_changed_twice_once(conn, pool, mailserver, mail_settings):
    world = await _world(conn)
    u = world["users"]
    idea_id = await _idea(conn, world)
    await _follow(conn, u["citizen2@example.com"], "idea", idea_id)
    for before, after in (("published", "under_review"), ("under_review", "accepted")):
        async with conn.transaction():
            await events.record(
                conn, "idea.status_changed",
                events.IdeaStatusChanged(before, after, "", None, world["owner"]),
                subject=("idea", idea_id), actor_id=u["staff@owner.example"], agency_id=world["owner"],
            )  # fmt: skip
    await consumers.drain(pool, [NOTIFIER])
    # `only` sends it now, before 07:00 Bangkok.
    six_am = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    assert await jobs.send_digests(conn, six_am, only=[u["citizen2@example.com"]]) == 1
    await mail.send_due(pool, mail_settings)
    (digest,) = await mailserver.wait_for(1)
    text = digest.get_body(("plain",)).get_content()
    assert text.count(f"/ideas/{idea_id}") == 1 and "1 เรื่อง" in digest["Subject"]


async def test_one_click_unsubscribe_from_the_mail(client, make_client, conn, pool, mailserver, mail_settings, app):
    world, idea_id = await _answered(client, conn, pool)
    await consumers.drain(pool, [NOTIFIER])
    await mail.send_due(pool, mail_settings)
    (message,) = await mailserver.wait_for(1)
    url = message["List-Unsubscribe"].strip("<>")
    path = url.removeprefix(mail_settings.base_url)
    uid = world["users"]["citizen2@example.com"]
    secret = app.state.settings.secret_key
    assert path == f"/unsubscribe/{make_token(mail_settings.secret_key, uid, 'idea.answered')}"
    path = f"/unsubscribe/{make_token(secret, uid, 'idea.answered')}"

    # Forged, and another account's link while logged in: a clear refusal, nothing changed.
    forged = await client.post("/unsubscribe/" + "x" * 40, data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 400 and "ลิงก์" in text_of(forged.text)
    someone = await make_client()
    await login(someone, "citizen3@example.com")
    r = await post_form(someone, path)
    assert r.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM notification_preferences") == 0

    # The mail client's one-click POST: no cookie, no CSRF token.
    mail_client = await make_client()
    mail_client.cookies.clear()
    confirm = await mail_client.get(path)
    assert confirm.status_code == 200 and "<form" in confirm.text
    r = await mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert await conn.fetchval(
        "SELECT email FROM notification_preferences WHERE user_id = $1 AND notice = 'idea.answered'", uid
    ) == "off"


async def test_reminders_are_recorded_once_per_subject_and_threshold(conn, pool):
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    now = datetime.now(UTC)
    await conn.execute("UPDATE ideas SET answer_due_at = $2 WHERE id = $1", idea_id, now + timedelta(days=2))
    async with conn.transaction():
        assert await jobs.remind(conn, now) == 1
        assert await jobs.remind(conn, now) == 0
        assert await jobs.remind(conn, now + timedelta(days=3)) == 1  # now overdue
    await consumers.drain(pool, [NOTIFIER])
    staff = {world["users"]["staff@owner.example"], world["users"]["staff@coowner.example"]}
    assert set(await _told(conn, "reminder.answer_due")) == staff
    assert {v[0] for v in (await _told(conn, "reminder.answer_overdue")).values()} == {"staff.answer_overdue"}


async def test_the_planning_agencys_staff_are_reminded_of_a_promises_milestones(conn, pool):
    """A week before a milestone of an implementation plan is due, and once it is overdue, the
    staff of the agency that planned it are told (each once), leading to the plan; a milestone
    marked done reminds nobody."""
    world = await _world(conn)
    idea_id = await _idea(conn, world)
    await conn.execute("UPDATE ideas SET status = 'accepted' WHERE id = $1", idea_id)
    actor = await user_by_id(conn, world["users"][STAFF])
    plan = await implementation.create_plan(
        conn, actor, msgspec.convert(plan_body(idea_id, dues=(5, 30)), PlanIn)
    )
    now = datetime.now(UTC)
    async with conn.transaction():
        assert await jobs.remind(conn, now) == 1  # the first milestone, due in 5 days
        assert await jobs.remind(conn, now) == 0
        assert await jobs.remind(conn, now + timedelta(days=7)) == 1  # the first is overdue now
        # The second is done before its week comes: no reminder for it, ever.
        await conn.execute(
            "UPDATE implementation_milestones SET done_at = now() WHERE plan_id = $1 AND position = 2",
            plan.id,
        )
        assert await jobs.remind(conn, now + timedelta(days=29)) == 0
    await consumers.drain(pool, [NOTIFIER])
    staff_ids = {world["users"]["staff@owner.example"], world["users"]["staff@coowner.example"]}
    due = await _told(conn, "reminder.implementation_due")
    assert set(due) <= staff_ids and world["users"]["staff@owner.example"] in due
    assert {v[0] for v in due.values()} == {"staff.implementation_due"}
    overdue = await _told(conn, "reminder.implementation_overdue")
    assert {v[0] for v in overdue.values()} == {"staff.implementation_overdue"}
    event = await conn.fetchrow("SELECT * FROM events WHERE kind = 'reminder.implementation_overdue'")
    assert (event["subject_kind"], event["subject_id"], event["agency_id"]) == (
        "idea",
        idea_id,
        world["owner"],
    )
    assert event["payload"]["title"].endswith(": ขั้นที่ 1")
