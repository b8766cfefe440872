"""The inbox (/notifications), the header bell, email preferences (/account/notifications) and
one-click unsubscribe (/unsubscribe/{token}). Every form works without JavaScript; the bell
refreshes itself with HTMX."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from civic.notifications import actions, rules
from civic.notifications.schemas import PreferencesIn, ReadIn
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import form_input, form_values
from civic.web.guards import current_user, require_user
from civic.web.templating import lang_of, redirect, render, translate_errors

BELL_SECONDS = 10


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key


class NotificationPages(Controller):
    path = "/notifications"
    include_in_schema = False

    @get("/")
    async def inbox(
        self, request: Request, db: Db, page: FromQuery[int] = 1, unread: FromQuery[bool] = False
    ) -> Template:
        box = await actions.inbox(db, require_user(request), page=page, unread_only=unread)
        return render(request, "notifications/inbox.html", {"inbox": box, "unread_only": unread})

    @get("/bell")
    async def bell(self, request: Request, db: Db) -> Template:
        """The header bell's fragment, polled by HTMX; nothing for a visitor whose session ended."""
        user = current_user(request)
        count = (await actions.unread_count(db, user)).unread if user else None
        return render(request, "notifications/_bell.html", {"unread": count, "bell_seconds": BELL_SECONDS})

    @post("/read")
    async def read(self, request: Request, db: Db) -> Redirect:
        data, _ = await form_input(request, ReadIn, "ids")
        await actions.mark_read(db, require_user(request), data)
        return redirect("/notifications", flash=("success", "Marked as read."))


class NotificationSettingsPages(Controller):
    path = "/account/notifications"
    include_in_schema = False

    @get("/")
    async def preferences(self, request: Request, db: Db) -> Template:
        prefs = await actions.preferences(db, require_user(request))
        return render(request, "notifications/preferences.html", {"prefs": prefs, "errors": {}})

    @post("/")
    async def save(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        typed = await form_values(request)
        choices = {k: str(v) for k, v in typed.items() if k in rules.NOTICES}
        try:
            await actions.set_preferences(db, user, PreferencesIn(email=choices))
        except Invalid as exc:
            prefs = await actions.preferences(db, user)
            errors = translate_errors(lang_of(request), exc.errors)
            return render(request, "notifications/preferences.html", {"prefs": prefs, "errors": errors}, status=400)
        return redirect("/account/notifications", flash=("success", "Your notification choices are saved."))


class UnsubscribePages(Controller):
    path = "/unsubscribe"
    include_in_schema = False

    @get("/{token:str}")
    async def confirm(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        link = await actions.unsubscribe_link(db, _secret(request), token, current_user(request))
        return render(request, "notifications/unsubscribe.html", {"link": link, "token": token, "done": False, "notices": rules.NOTICES})

    # RFC 8058: a mail client posts "List-Unsubscribe=One-Click" with no cookie and no CSRF token;
    # the signed token is the only credential, and all it can do is stop mail to its own account.
    @post("/{token:str}", exclude_from_csrf=True)
    async def unsubscribe(self, request: Request, db: Db, token: FromPath[str]) -> Template:
        link = await actions.unsubscribe(db, _secret(request), token, current_user(request))
        return render(request, "notifications/unsubscribe.html", {"link": link, "token": token, "done": True, "notices": rules.NOTICES})
