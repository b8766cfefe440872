"""Shared by the rules tests: people in every role, boundary lengths taken from the rules' own
constants, and a check that a refusal can be shown to a Thai reader."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from civic.accounts.schemas import CurrentUser, Membership
from civic.validation import Problem
from civic.web.i18n import po_files

# A Thai letter: no whitespace, so the length check sees exactly n characters.
CH = "ก"


def user(
    uid: int,
    role: str = "citizen",
    *,
    agencies: tuple[int, ...] = (),
    partners: tuple[int, ...] = (),
    verified: bool = True,
    status: str = "active",
) -> CurrentUser:
    memberships = tuple(
        Membership(org_id=a, role="member", kind="agency", verified=True, slug=f"a{a}", name_th="x")
        for a in agencies
    ) + tuple(
        Membership(org_id=p, role="member", kind="partner", verified=verified, slug=f"p{p}", name_th="x")
        for p in partners
    )
    return CurrentUser(
        id=uid,
        email=f"u{uid}@example.com",
        display_name=f"u{uid}",
        lang="th",
        role=role,
        status=status,
        memberships=memberships,
    )


def lengths(min_len: int, max_len: int) -> list[tuple[int, bool]]:
    """(length, accepted) at both edges of a length rule: the limit is accepted, one past is not."""
    cases = [(max_len, True), (max_len + 1, False)]
    if min_len > 1:
        cases += [(min_len, True), (min_len - 1, False)]
    else:
        cases += [(1, True)]
    return cases


@cache
def thai_msgids() -> frozenset[str]:
    ids: set[str] = set()
    for path in po_files("th"):
        with path.open("rb") as fh:
            ids |= {m.id for m in read_po(fh, locale="th") if m.id and m.string}
    return frozenset(ids)


def shown_in_thai(problem: Problem) -> bool:
    """A refusal a Thai reader can read: its msgid is translated and its parameters fill it."""
    if problem.msgid not in thai_msgids():
        return False
    try:
        problem.msgid % problem.params if problem.params else problem.msgid
    except (KeyError, TypeError, ValueError):
        return False
    return True


def all_shown_in_thai(errors: dict[str, Problem]) -> bool:
    return all(shown_in_thai(p) for p in errors.values())
