"""Follow buttons and the /follows page. Each button is a plain form that redirects back, and
HTMX swaps it in place when the page asks for its fragment (HX-Target: follow-<kind>)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from civic.follows import actions, queries, rules
from civic.follows.schemas import FollowIn, FollowState
from civic.web.deps import Db
from civic.web.forms import form_input
from civic.web.guards import require_user
from civic.web.i18n import N_
from civic.web.templating import redirect, render, safe_next, wants_partial

BUTTONS = tuple(f"follow-{kind}" for kind in rules.KINDS)


class FollowPages(Controller):
    path = "/follows"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, db: Db) -> Template:
        listing = await queries.follows(db, require_user(request))
        return render(request, "follows/index.html", {"listing": listing})

    @post("/")
    async def follow(self, request: Request, db: Db) -> Template | Redirect:
        return await self._change(request, db, actions.follow, N_("You are following this now."))

    @post("/unfollow")
    async def unfollow(self, request: Request, db: Db) -> Template | Redirect:
        return await self._change(request, db, actions.unfollow, N_("You no longer follow this."))

    async def _change(self, request: Request, db: Db, verb, message: str) -> Template | Redirect:
        user = require_user(request)
        data, typed = await form_input(request, FollowIn)
        state: FollowState = await verb(db, user, data)
        back = safe_next(typed.get("next"), "/follows")
        if wants_partial(request, *BUTTONS):
            return render(request, "follows/_button.html", {"follow": state, "follow_next": back})
        return redirect(back, flash=("success", message))
