"""Errors a user can act on, in their language: JSON for the API, a page for browsers."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from civic.validation import DomainError, Invalid
from civic.web.i18n import N_, gettext

log = logging.getLogger(__name__)

# Messages for statuses that come from the framework, not from our own code.
STATUS_MESSAGES = {
    400: ("bad_request", N_("The request could not be understood.")),
    401: ("unauthorised", N_("Please log in to continue.")),
    403: ("forbidden", N_("You do not have permission to do this.")),
    404: ("not_found", N_("We could not find that page.")),
    405: ("method_not_allowed", N_("This action is not available here.")),
    409: ("conflict", N_("This conflicts with the current state. Reload and try again.")),
    413: ("too_large", N_("The upload is too large.")),
    415: ("unsupported_media_type", N_("This kind of content is not accepted.")),
    422: ("invalid_input", N_("Some of the information is not valid.")),
    429: ("too_many_requests", N_("Too many attempts. Please wait a minute and try again.")),
    500: ("internal_error", N_("Something went wrong on our side. Please try again later.")),
}
ERROR_TITLES = {
    403: N_("Not allowed"),
    404: N_("Page not found"),
    413: N_("Too large"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}


class ClientError(HTTPException):
    """A 4xx whose message is a msgid, translated for whoever asked."""

    def __init__(
        self, status_code: int, code: str, message: str, *, field: str | None = None, **params: object
    ) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code
        self.message_id = message
        self.field = field
        self.params = params

    def message(self, lang: str) -> str:
        return gettext(lang, self.message_id, **self.params)

    @classmethod
    def from_domain(cls, exc: DomainError) -> ClientError:
        return cls(exc.status, exc.code, exc.msgid, field=exc.field, **exc.params)


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def request_lang(request: Request) -> str:
    from civic.web.templating import lang_of

    return lang_of(request)


def _security_headers() -> dict[str, str]:
    # Errors raised outside a route (404, 405) or by middleware (CSRF 403) are answered from
    # outside the middleware stack, so SecurityHeadersMiddleware never sees them: set them here.
    from civic.web.security import SECURITY_HEADERS

    return {key.decode(): value.decode() for key, value in SECURITY_HEADERS}


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    extra: dict | None = None,
    headers: dict[str, str] | None = None,
):
    headers = _security_headers() | (headers or {})
    if wants_json(request):
        body: dict = {"error": {"code": code, "message": message}}
        if extra:
            body["error"].update(extra)
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    from civic.web.templating import render

    lang = request_lang(request)
    title = gettext(lang, ERROR_TITLES.get(status, "Something went wrong"))
    return render(
        request,
        "errors/error.html",
        {"status_code": status, "title": title, "message": message, "page_title": title},
        status=status,
        headers=headers,
    )


def _page_above(request: Request) -> str | None:
    """The nearest address above this one that answers GET (/ideas/4/comments -> /ideas/4)."""
    parts = request.url.path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        path = "/".join(parts) or "/"
        try:
            request.app.asgi_router.handle_routing(path=path, method="GET")
        except HTTPException:
            continue
        return path
    return None


def http_exception_handler(request: Request, exc: HTTPException) -> Response | Template:
    lang = request_lang(request)
    status = exc.status_code
    if status == 401 and not wants_json(request) and request.method == "GET":
        from civic.web.templating import redirect

        query = f"?{request.url.query}" if request.url.query else ""
        if len(query) > 1000:  # a return address that long is not worth a broken redirect
            query = ""
        return redirect(
            f"/login?{urlencode({'next': request.url.path + query})}",
            flash=("info", "Please log in to continue."),
        )
    if status == 405 and request.method == "GET" and not wants_json(request):
        # A reload after a refused form asks with GET for the address it posted to: go to its page.
        if page := _page_above(request):
            from civic.web.templating import redirect

            return redirect(page)
    if status == 403 and exc.detail == "CSRF token verification failed":
        return error_response(
            request,
            403,
            "csrf_failed",
            gettext(lang, "This form has expired. Go back, reload the page and try again."),
        )
    if isinstance(exc, ClientError):
        return error_response(
            request, status, exc.code, exc.message(lang), {"field": exc.field} if exc.field else None
        )
    code, msgid = STATUS_MESSAGES.get(status, STATUS_MESSAGES[400] if status < 500 else STATUS_MESSAGES[500])
    extra = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        extra = {
            "fields": [
                {"key": e.get("key"), "message": e.get("message")} for e in exc.extra if isinstance(e, dict)
            ]
        }
    if status >= 500:
        log.exception("server error", exc_info=exc)
    # The framework's own headers belong to the answer: Allow on a 405, as RFC 9110 requires.
    return error_response(request, status, code, gettext(lang, msgid), extra, exc.headers)


def internal_error_handler(request: Request, exc: Exception) -> Response | Template:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    lang = request_lang(request)
    code, msgid = STATUS_MESSAGES[500]
    try:
        return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, code, gettext(lang, msgid))
    except Exception:  # the error page itself failed: fall back to plain JSON
        return Response(
            {"error": {"code": code, "message": gettext(lang, msgid)}},
            status_code=500,
            headers=_security_headers(),
        )


def domain_error_handler(request: Request, exc: DomainError) -> Response | Template:
    """An action's refusal that no page handler turned into a re-rendered form is answered as the
    4xx it carries; an Invalid lists every field's problem at once."""
    if isinstance(exc, Invalid):
        lang = request_lang(request)
        fields = [
            {"key": key, "message": gettext(lang, problem.msgid, **problem.params)}
            for key, problem in exc.errors.items()
        ]
        return error_response(
            request,
            exc.status,
            exc.code,
            gettext(lang, exc.msgid, **exc.params),
            {"field": exc.field, "fields": fields},
        )
    return http_exception_handler(request, ClientError.from_domain(exc))


def too_deep_handler(request: Request, exc: RecursionError) -> Response | Template:
    """msgspec refuses a JSON document nested deeper than it will decode by raising
    RecursionError from inside the framework's body parsing: the client's mistake, not ours."""
    log.info("bad input rejected on %s: %s", request.url.path, exc)
    code, msgid = STATUS_MESSAGES[400]
    return error_response(request, 400, code, gettext(request_lang(request), msgid))


def data_error_handler(request: Request, exc: Exception) -> Response | Template:
    """PostgreSQL's data exceptions (class 22: a NUL byte, a number out of range, a malformed
    value) are always caused by what the client sent, so they are a 400, not a 500. The
    transaction that raised it has already rolled back, so nothing is half-written."""
    log.info("bad input rejected by the database on %s: %s", request.url.path, exc)
    lang = request_lang(request)
    code, msgid = STATUS_MESSAGES[422]
    return error_response(request, 400, code, gettext(lang, msgid))
