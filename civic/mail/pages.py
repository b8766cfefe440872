"""/dev/mail: what the development catcher caught (admins, development only), and its JSON twin.

Absent (404) unless CIVIC_ENV is development, whoever asks; then admins only. A message's HTML is
served on its own URL with a CSP sandbox and shown in a sandboxed iframe, so nothing in a mail
runs or loads anything in the app's origin."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from civic.mail import catcher, rules
from civic.mail.schemas import CaughtMessage
from civic.settings import Settings
from civic.web.guards import forbid, not_found, require_user
from civic.web.templating import render

# The mail's own HTML: no script, no fetching, inline styles only; framed by /dev/mail alone.
HTML_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _data_dir(request: Request):
    settings: Settings = request.app.state.settings
    if not settings.is_development:
        raise not_found()
    if not require_user(request).is_admin:
        raise forbid()
    return settings.data_dir


def _message(request: Request, name: str) -> CaughtMessage:
    message = catcher.read_caught(_data_dir(request), name)
    if message is None:
        raise not_found()
    return message


class DevMailPages(Controller):
    path = "/dev/mail"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> Template:
        messages = catcher.list_caught(_data_dir(request))
        return render(request, "mail/dev/list.html", {"messages": messages})

    @get("/{name:str}")
    async def show(self, request: Request, name: FromPath[str]) -> Template:
        message = _message(request, name)
        return render(
            request, "mail/dev/message.html", {"m": message, "spans": rules.link_spans(message.text)}
        )

    @get("/{name:str}/html")
    async def html(self, request: Request, name: FromPath[str]) -> Response:
        return Response(
            _message(request, name).html,
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": HTML_CSP, "X-Frame-Options": "SAMEORIGIN"},
        )


class DevMailApi(Controller):
    path = "/api/v1/dev/mail"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request) -> list[CaughtMessage]:
        return catcher.list_caught(_data_dir(request))

    @get("/{name:str}")
    async def show(self, request: Request, name: FromPath[str]) -> CaughtMessage:
        return _message(request, name)
