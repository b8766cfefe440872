"""Privacy pages: the notice (/privacy), its interstitial (/privacy/accept), and the person's data
and rights (/account/privacy: consents, export, erase). Plain forms; no JavaScript needed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from civic.accounts.schemas import ClientInfo
from civic.privacy import actions, rules
from civic.privacy.schemas import AcceptIn, ConsentIn, EraseIn
from civic.validation import Invalid, TooMany
from civic.web.deps import Db
from civic.web.forms import form_input
from civic.web.guards import current_user, require_user
from civic.web.i18n import N_, gettext
from civic.web.security import SESSION_COOKIE, current_ip
from civic.web.templating import lang_of, redirect, render, safe_next, translate_errors

Next = Annotated[str, QueryParameter(name="next")]


def _notice_context(request: Request, notice, next_path: str = "/") -> dict:
    return {
        "notice": notice,
        "notice_template": rules.notice_template(notice.version, lang_of(request)),
        "next": safe_next(next_path),
    }


def zip_response(data: bytes) -> Response:
    return Response(
        data,
        media_type="application/zip",
        headers={
            "content-disposition": 'attachment; filename="civic-my-data.zip"',
            "cache-control": "no-store",
        },
    )


class PrivacyPages(Controller):
    include_in_schema = False

    @get("/privacy")
    async def notice(self, request: Request, db: Db) -> Template:
        notice = await actions.notice(db, current_user(request))
        return render(request, "privacy/notice.html", _notice_context(request, notice))

    @get("/privacy/accept")
    async def accept_form(self, request: Request, db: Db, next_: Next = "/") -> Template:
        notice = await actions.notice(db, require_user(request))
        return render(request, "privacy/accept.html", _notice_context(request, notice, next_))

    @post("/privacy/accept")
    async def accept(self, request: Request, db: Db) -> Redirect:
        data, typed = await form_input(request, AcceptIn)
        await actions.accept_notice(db, require_user(request), data, "web")
        return redirect(
            safe_next(typed.get("next")), flash=("success", N_("Thank you. You accepted the privacy notice."))
        )

    @get("/account/privacy")
    async def rights(self, request: Request, db: Db) -> Template:
        consents = await actions.consents(db, require_user(request))
        return render(request, "privacy/account.html", {"consents": consents})

    @post("/account/privacy/consents")
    async def consent(self, request: Request, db: Db) -> Redirect:
        data, _ = await form_input(request, ConsentIn)
        await actions.set_consent(db, require_user(request), data, "web")
        message = (
            N_("Your consent is recorded.")
            if data.granted
            else N_("Your consent is withdrawn. It applies now.")
        )
        return redirect("/account/privacy", flash=("success", message))

    @get("/account/export")
    async def export(self, request: Request, db: Db) -> Response:
        return zip_response(actions.export_zip(await actions.export(db, require_user(request))))

    @get("/account/erase")
    async def erase_form(self, request: Request, db: Db) -> Template:
        return await _erase_page(request, db, {}, {})

    @post("/account/erase")
    async def erase(self, request: Request, db: Db) -> Template | Redirect:
        user = require_user(request)
        data, typed = await form_input(request, EraseIn)
        secret = request.app.state.settings.secret_key
        try:
            await actions.erase(db, user, data, _client(request), secret=secret)
        except Invalid as exc:
            return await _erase_page(request, db, typed, translate_errors(lang_of(request), exc.errors), 400)
        except TooMany as exc:  # wrong codes, throttled: said beside the code field
            errors = {"code": gettext(lang_of(request), exc.msgid, **exc.params)}
            return await _erase_page(request, db, typed, errors, exc.status)
        except rules.SoleAdmin as exc:
            refusal = gettext(lang_of(request), exc.msgid, **exc.params)
            return await _erase_page(request, db, typed, {}, 409, refusal=refusal)
        response = redirect("/", flash=("info", N_("Your account has been erased.")))
        response.cookies.append(Cookie(key=SESSION_COOKIE, value="", path="/", max_age=0))
        return response


def _client(request: Request) -> ClientInfo:
    return ClientInfo(ip=current_ip(request), session_token=request.cookies.get(SESSION_COOKIE))


async def _erase_page(
    request: Request, db: Db, values: dict, errors: dict, status: int = 200, **extra
) -> Template:
    form = await actions.erase_form(db, require_user(request), _client(request))
    settings = request.app.state.settings
    # Signing in again comes back here; through the identity provider for an account that uses one.
    via_provider = form.provider_login and settings.oidc_issuer and settings.oidc_client_id
    sign_in = ("/login/oidc?" if via_provider else "/login?") + urlencode({"next": rules.ERASE_PATH})
    context = {"values": values, "errors": errors, "form": form, "sign_in": sign_in}
    context["fresh_minutes"] = int(rules.FRESH_LOGIN.total_seconds() // 60)
    return render(request, "privacy/erase.html", context | extra, status=status)
