from __future__ import annotations

import msgspec


class Tool(msgspec.Struct):
    key: str
    href: str
    label: str  # a msgid; the page translates it
    pending: int


class Tools(msgspec.Struct):
    tools: list[Tool]
    pending: int  # the sum, shown next to the menu link
