"""HTML forms decode into the same input Structs the JSON API takes, so a verb has one input.

A form sends strings; `msgspec.convert(..., strict=False)` turns "30" into 30 and "on" into
True the way the JSON API's typed fields expect. A value that cannot be converted is refused as
an Invalid naming its field, like any other validation problem, so the page re-renders.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec
from litestar import Request

from civic.validation import Invalid, Problem

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


async def form_input(request: Request, struct: type[T], *lists: str) -> tuple[T, dict[str, Any]]:
    """The form as the action's input, and the typed values for a re-render."""
    values = await form_values(request, *lists)
    return to_input(values, struct), values
