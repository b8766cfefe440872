"""/api/v1/notifications: the JSON twins of the inbox, the bell and the email preferences."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody

from civic.notifications import actions
from civic.notifications.schemas import Inbox, Preferences, PreferencesIn, ReadIn, ReadOut, UnreadCount
from civic.web.deps import Db
from civic.web.guards import require_user


class NotificationsApi(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/", summary="My notifications, newest first, with the unread count")
    async def inbox(
        self, request: Request, db: Db, page: FromQuery[int] = 1, unread: FromQuery[bool] = False
    ) -> Inbox:
        return await actions.inbox(db, require_user(request), page=page, unread_only=unread)

    @get("/unread", summary="How many of my notifications are unread (the header bell)")
    async def unread(self, request: Request, db: Db) -> UnreadCount:
        return await actions.unread_count(db, require_user(request))

    @post("/read", summary="Mark some of my notifications read (ids), or all of them (all: true)", status_code=200)
    async def read(self, request: Request, db: Db, data: JSONBody[ReadIn]) -> ReadOut:
        return await actions.mark_read(db, require_user(request), data)

    @get("/preferences", summary="My email choice for each kind of notification")
    async def preferences(self, request: Request, db: Db) -> Preferences:
        return await actions.preferences(db, require_user(request))

    @post(
        "/preferences",
        summary="Choose immediate, daily digest or off for some kinds of notification",
        status_code=200,
    )
    async def set_preferences(self, request: Request, db: Db, data: JSONBody[PreferencesIn]) -> Preferences:
        return await actions.set_preferences(db, require_user(request), data)
