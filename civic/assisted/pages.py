"""/counter: staff submit an idea for a walk-in person; /claim: the person takes it over."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from civic.assisted import actions, rules
from civic.assisted.schemas import AssistedIdeaIn, PersonIn, TakeOverIn
from civic.ideas import actions as ideas
from civic.ideas.schemas import IdeaIn
from civic.validation import Invalid
from civic.web.deps import Db
from civic.web.forms import form_input, form_values, to_input
from civic.web.guards import require_user
from civic.web.templating import lang_of, org_name, redirect, render, translate_errors


async def _form(request: Request, db: Db, values: dict, errors: dict, status: int = 200) -> Template:
    user = require_user(request)
    ctx = {
        "agencies": [
            (m.org_id, org_name(lang_of(request), m)) for m in user.memberships if m.kind == "agency"
        ],
        "boards": [(b.slug, b.title) for b in await ideas.open_boards(db)],
        "channels": rules.CHANNELS,
        "values": values,
        "errors": errors,
    }
    return render(request, "assisted/idea.html", ctx, status=status)


class AssistedPages(Controller):
    include_in_schema = False

    @get("/counter")
    async def counter(self, request: Request, db: Db) -> Template:
        return await _form(request, db, {}, {})

    @post("/counter/ideas")
    async def submit_idea(self, request: Request, db: Db) -> Template:
        user = require_user(request)
        values = await form_values(request)
        try:
            # Blank idea fields stay blank (to_input would drop them and refuse the missing
            # field alone), so the idea's action reports them with the person's problems.
            idea = IdeaIn(**{k: values.get(k, "") for k in ("board", "title", "body", "category")})
            data = AssistedIdeaIn(person=to_input(values, PersonIn), idea=idea)
            out = await actions.submit_idea(db, user, data, secret=request.app.state.settings.secret_key)
        except Invalid as exc:
            return await _form(request, db, values, translate_errors(lang_of(request), exc.errors), 400)
        claim_url = request.app.state.settings.base_url + "/claim"
        return render(request, "assisted/done.html", {"out": out, "claim_url": claim_url})

    @get("/claim")
    async def claim_form(self, request: Request) -> Template:
        require_user(request)
        return render(request, "assisted/claim.html", {"values": {}, "errors": {}})

    @post("/claim")
    async def claim(self, request: Request, db: Db) -> Template | Redirect:
        data, typed = await form_input(request, TakeOverIn)
        try:
            taken = await actions.take_over(db, require_user(request), data)
        except Invalid as exc:
            errors = translate_errors(lang_of(request), exc.errors)
            return render(request, "assisted/claim.html", {"values": typed, "errors": errors}, status=400)
        return redirect(f"/ideas/{taken.target_id}", flash=("success", "It is yours now."))
