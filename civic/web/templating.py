"""Rendering: one helper builds every page's context, so layouts never go without it."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, urlencode

import msgspec
from litestar import MediaType, Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from civic import provinces, thai
from civic.validation import DomainError, Invalid, Problem
from civic.web.i18n import (
    N_,
    Translator,
    gettext,
    normalise_lang,
    page_language,
    translate,
    use_page_language,
)
from civic.web.labels import field_label

LANG_COOKIE = "lang"
FLASH_COOKIE = "civic_flash"


class Flash(msgspec.Struct, array_like=True):
    level: str
    msgid: str
    params: dict[str, Any] = {}


class ShownFlash(msgspec.Struct):
    level: str
    message: str


def lang_of(request: Request) -> str:
    user = request.scope.get("user")
    if user is not None:
        return user.lang
    return normalise_lang(request.cookies.get(LANG_COOKIE))


def translate_errors(lang: str, errors: dict[str, Problem]) -> dict[str, str]:
    return {field: gettext(lang, p.msgid, **p.params) for field, p in errors.items()}


def form_errors(request: Request, exc: DomainError, field: str = "form") -> dict[str, str]:
    """A refusal shown on its form: every field's problem at once, or the one field the refusal
    names (else `field`), in the reader's language."""
    errors = exc.errors if isinstance(exc, Invalid) else {exc.field or field: Problem(exc.msgid, exc.params)}
    return translate_errors(lang_of(request), errors)


def _read_flashes(request: Request, lang: str) -> list[ShownFlash]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = msgspec.json.decode(base64.urlsafe_b64decode(raw.encode()), type=list[Flash])
    except (ValueError, msgspec.DecodeError):
        return []
    shown = []
    for f in items[:5]:
        try:  # the cookie is the browser's to change: a message that will not format is dropped
            shown.append(ShownFlash(f.level, gettext(lang, f.msgid, **f.params)))
        except (KeyError, ValueError, TypeError):
            continue
    return shown


def flash_cookie(level: str, msgid: str, **params: Any) -> Cookie:
    """Carries a message to the next page; the message is translated when shown."""
    value = base64.urlsafe_b64encode(msgspec.json.encode([Flash(level, msgid, params)])).decode()
    return Cookie(key=FLASH_COOKIE, value=value, path="/", httponly=True, samesite="lax", max_age=60)


def redirect(
    path: str, *, flash: tuple[str, str] | None = None, status_code: int = 303, **params: Any
) -> Redirect:
    """Redirect to a local path only: anything else goes home (no open redirects)."""
    target = safe_next(path)
    cookies = [flash_cookie(flash[0], flash[1], **params)] if flash else []
    return Redirect(path=target, status_code=status_code, cookies=cookies)


def safe_next(path: str | None, default: str = "/") -> str:
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    return path


def csrf_token_of(request: Request) -> str:
    # Unset (Empty) when the router answered before the CSRF middleware ran, e.g. a 404.
    return value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")


def wants_partial(request: Request, *targets: str) -> bool:
    """True only when HTMX asks for one of these targets; hx-boost sets HX-Request on every
    navigation, so that header alone must never mean "send a fragment"."""
    target = request.headers.get("hx-target")
    return bool(target) and target in targets


def org_name(lang: str, org: Any, prefix: str = "") -> str:
    """An organisation's name in the reader's language, else in the other one. `org` is a Struct,
    a dict or a database row carrying `<prefix>name_th` (or plain `<prefix>name`, as handovers
    call the Thai name) and `<prefix>name_en`, e.g. prefix "agency_" on an idea or a task."""

    def get(key: str) -> str:
        # a dict or a database row (both have get), else a Struct
        value = org.get(key) if hasattr(org, "get") else getattr(org, key, None)
        return value or ""

    th, en = get(f"{prefix}name_th") or get(f"{prefix}name"), get(f"{prefix}name_en")
    return (en or th) if lang == "en" else (th or en)


@lru_cache(maxsize=2 * 78)
def province_options(lang: str, chosen: str | None) -> Markup:
    """The 77 <option>s of a province select, each with every name it answers to (for
    static/js/filter-select.js). Many pages carry one (a board's filters among them), and building
    77 options with their names on every view cost a board page a third of its rendering; they
    never change, so they are built once per language and choice (`chosen`: a province code, else
    nothing is selected, which keeps this cache at 2 x 78 entries whatever a query string says)."""
    chosen = chosen if provinces.is_valid(chosen) else None
    return Markup("").join(
        Markup('\n    <option value="{}"{} data-names="{}">{}</option>').format(
            code, Markup(" selected") if code == chosen else "", " ".join(provinces.names(code)), label
        )
        for code, label in provinces.choices(lang)
    )


def page_links(
    path: str, params: Mapping[str, object], at: Callable[[int], str | None] | None = None
) -> Callable[[int], str]:
    """n -> the address of page n of the list at `path` with these query parameters (empty ones
    left out), and the anchor token (`at(n)`, civic.keyset) that page n's link carries, if any. For
    the pagination macro: the parameters are encoded once per page, not once for each of its links
    (urlencode was a tenth of a list page's rendering)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    prefix = f"{path}?{query}&page=" if query else f"{path}?page="

    def url(n: int) -> str:
        token = at(n) if at else None
        return f"{prefix}{n}&at={quote_plus(token)}" if token else f"{prefix}{n}"

    return url


def percent(share: float | None) -> Markup:
    """A share as a table shows it, "–" when there is nothing to divide. A filter, not a macro:
    the dashboard writes three per agency, and a macro call costs Jinja several times more."""
    if share is None:
        return Markup('<span class="muted">–</span>')
    return Markup("{}&nbsp;%").format(share)


def _unbroken_date(text: str) -> str:
    """A date's day, month and year kept on one line ("6 ธันวาคม 2569" with no-break spaces);
    the time after it may still wrap."""
    return text.replace(" ", "\u00a0", 2)


def fmt_date(lang: str, d: date | datetime | str | None, with_time: bool = False) -> str:
    """A date (or an ISO date string) as the reader reads it, kept on one line; "" for none."""
    if not d:
        return ""
    return _unbroken_date(thai.format_date(date.fromisoformat(d) if isinstance(d, str) else d, lang, with_time=with_time))


def template_globals() -> dict[str, Any]:
    """What templates call, in the language of the page being built (render sets it). Globals
    rather than values of each page's context, so the shared macro libraries reach them too: they
    are imported without context (`{% import "_macros.html" as m %}`), one module per process. An
    import with context built a module per page whose macros and context pointed at each other,
    garbage (~500 objects a page) that only the cycle collector could free."""
    return {
        "_": translate,
        # A msgid kept in a template's module-level list, built once per process; shown with
        # _(label), or translated(pairs) for a select's options.
        "N_": N_,
        "translated": lambda pairs: [(value, translate(label)) for value, label in pairs],
        "fmt_date": lambda d, with_time=False: fmt_date(page_language(), d, with_time),
        "province_name": lambda code: provinces.name(code, page_language()),
        "org_name": lambda org, prefix="": org_name(page_language(), org, prefix),
        "province_choices": lambda: provinces.choices(page_language()),
        "province_options": lambda chosen: province_options(page_language(), chosen),
        "field_label": lambda name: field_label(page_language(), name),
        "query_string": lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")}),
        "page_links": page_links,
    }


def base_context(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "lang": lang,
        "user": request.scope.get("user"),
        "csrf_token": csrf_token_of(request),
        "flashes": _read_flashes(request, lang),
        "provinces": provinces.choices(lang),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    cookies: list[Cookie] | None = None,
) -> Template:
    ctx = base_context(request) | (context or {})
    use_page_language(ctx["lang"])
    all_cookies = list(cookies or [])
    if request.cookies.get(FLASH_COOKIE):
        all_cookies.append(Cookie(key=FLASH_COOKIE, value="", path="/", max_age=0))
    # One URL may answer with a page or a fragment, so caches must key on the HTMX headers.
    all_headers = {"Vary": "HX-Request, HX-Target"} | (headers or {})
    return Template(
        template_name=template,
        context=ctx,
        status_code=status,
        headers=all_headers,
        cookies=all_cookies,
        # Named, not inferred from the handler's return annotation: a handler typed `Any` would
        # otherwise label an HTML page application/json, and a browser would show its source.
        # Every template rendered here is a page or a fragment of one.
        media_type=MediaType.HTML,
    )


def is_confirmed(form: Any) -> bool:
    """The second step of an irreversible act: the confirmation page posts confirmed=yes."""
    return form.get("confirmed") == "yes"


class Confirm(msgspec.Struct):
    """The confirmation step of an irreversible act: its words (msgids) and the typed fields it
    carries to the second post."""

    title: str
    message: str
    button: str
    fields: tuple[str, ...] = ()


def confirm_page(
    request: Request, confirm: Confirm, values: dict[str, Any], *, back: str, fixed: dict[str, str] | None = None
) -> Template:
    """Asks once more before an act that cannot be undone, on a page of its own (no JavaScript
    needed), posting to the same address with what was typed (shown, and in hidden fields) and
    the form's `fixed` fields (hidden only)."""
    _ = Translator(lang_of(request))
    ctx = {"title": _(confirm.title), "message": _(confirm.message), "button": _(confirm.button)}
    fields = {name: str(values.get(name) or "") for name in confirm.fields}
    ctx |= {"page_title": ctx["title"], "action": request.url.path, "fields": fields, "back": back}
    ctx["fixed"] = fixed or {}
    return render(request, "confirm.html", ctx)
