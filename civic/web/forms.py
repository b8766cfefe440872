"""HTML forms decode into the same input Structs the JSON API takes, so a verb has one input.

A form sends strings; `msgspec.convert(..., strict=False)` turns "30" into 30 and "on" into
True the way the JSON API's typed fields expect. A value that cannot be converted is refused as
an Invalid naming its field, like any other validation problem, so the page re-renders.
A form whose bytes are not UTF-8 never reaches a handler (Utf8FormMiddleware).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import msgspec
from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from civic.validation import Invalid, Problem
from civic.web.errors import ClientError
from civic.web.i18n import N_

T = TypeVar("T", bound=msgspec.Struct)
_FIELD = re.compile(r"\$\.(\w+)")


async def form_values(request: Request, *lists: str) -> dict[str, Any]:
    """What was typed, as the form will be re-rendered with it. Fields named in `lists` keep
    every value (checkboxes, multi-selects); others keep the last."""
    form = await request.form()
    return {key: form.getall(key) if key in lists else form.get(key) for key in form}


def to_input(values: dict[str, Any], struct: type[T]) -> T:
    fields = set(struct.__struct_fields__)
    data = {key: value for key, value in values.items() if key in fields and value not in (None, "")}
    try:
        return msgspec.convert(data, struct, strict=False)
    except msgspec.ValidationError as exc:
        match = _FIELD.search(str(exc))
        raise Invalid({match.group(1) if match else "form": Problem("Some of the information is not valid.")}) from None


async def uploaded_files(form: FormMultiDict, name: str) -> list[tuple[str, bytes]]:
    """The files a multipart form sent under `name`, as (file name, bytes); a file input left
    empty sends a part with no file name, which is not a file."""
    files = form.getall(name) if name in form else []
    return [(f.filename, await f.read()) for f in files if isinstance(f, UploadFile) and f.filename]


async def form_input(request: Request, struct: type[T], *lists: str) -> tuple[T, dict[str, Any]]:
    """The form as the action's input, and the typed values for a re-render."""
    values = await form_values(request, *lists)
    return to_input(values, struct), values


def _first_non_utf8_field(body: bytes) -> str | None:
    for pair in body.split(b"&"):
        try:
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return unquote_to_bytes(pair.partition(b"=")[0]).decode("utf-8", "replace")
    return None


class Utf8FormMiddleware:
    """Answers 400 to a form whose text is not UTF-8. The framework decodes a URL-encoded form
    with replacement characters, which would store U+FFFD where the sender's bytes were, and
    fails on a multipart one with an error of ours (a 500). JSON bodies are refused by msgspec.
    Runs before the CSRF check, which reads the form too; the body and form are kept on the
    scope, so handlers read them again at no cost."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            request: Request = Request(scope, receive)
            content_type = request.content_type[0]
            field = None
            if content_type == RequestEncodingType.URL_ENCODED:
                field = _first_non_utf8_field(await request.body())
            elif content_type == RequestEncodingType.MULTI_PART:
                try:
                    await request.form()
                except UnicodeDecodeError:
                    field = "form"
            if field is not None:
                msgid = N_("This form contains text that is not valid UTF-8. Reload the page and try again.")
                raise ClientError(400, "invalid_encoding", msgid, field=field)
        await self.app(scope, receive, send)
