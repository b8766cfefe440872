from __future__ import annotations

import msgspec

from civic.coownership import Invitation


class Tool(msgspec.Struct):
    key: str
    href: str
    label: str  # a msgid; the page translates it
    pending: int | None  # None: a place to go, whose waiting items are not counted here


class Tools(msgspec.Struct):
    tools: list[Tool]
    pending: int  # the sum, shown next to the menu link (invitations included)
    invitations: list[Invitation] = []  # co-ownership invitations waiting for the staff's agencies
