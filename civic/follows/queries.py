"""What the follow buttons and the /follows page read, and what the notifier may ask.

Whether a target exists, and whether this reader may see it, is answered by the domain that owns
it, through its own reads (never its store): the same NotFound a reader gets on that domain's
page is what following it answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import asyncpg

from civic import provinces
from civic.accounts.schemas import CurrentUser
from civic.consultations import queries as consultations
from civic.follows import rules, store
from civic.follows.rules import N_
from civic.follows.schemas import FollowGroup, FollowList, FollowState, Target
from civic.handovers import actions as handovers
from civic.handovers.rules import CATEGORIES as TASK_CATEGORIES
from civic.ideas import actions as ideas
from civic.orgs import queries as orgs
from civic.validation import DomainError, NotFound

AGENCY_NOT_FOUND = N_("We could not find that agency.")
TOPIC_NOT_FOUND = N_("We could not find that topic.")
PROVINCE_NOT_FOUND = N_("We could not find that province.")


async def _idea(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    idea = await ideas.load_idea(conn, actor, int(target_id))
    return Target(ideas.redact(idea, actor).title, f"/ideas/{idea.id}", hidden=idea.hidden)


async def _board(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    board = await ideas.load_board_by_id(conn, int(target_id))
    return Target(board.title, f"/boards/{board.slug}")


async def _consultation(
    conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str
) -> Target:
    c = await consultations.consultation(conn, actor, int(target_id))
    return Target(c.title, f"/consultations/{c.id}")


async def _task(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    task = await handovers.load_task(conn, actor, int(target_id))
    return Target(task.title, f"/handovers/{task.id}")


async def _agency(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    org = await orgs.organisation(conn, actor, int(target_id))
    if org.kind != "agency":
        raise NotFound(AGENCY_NOT_FOUND)
    return Target((lang == "en" and org.name_en) or org.name_th, f"/organisations/{org.slug}")


async def _province(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    if not provinces.is_valid(target_id):
        raise NotFound(PROVINCE_NOT_FOUND)
    return Target(provinces.name(target_id, lang), "/ideas?" + urlencode({"province": target_id}))


async def _topic(conn: asyncpg.Connection, actor: CurrentUser | None, target_id: str, lang: str) -> Target:
    """A topic is a task category (a code) or a category some idea board offers (its text)."""
    if target_id in TASK_CATEGORIES:
        return Target(target_id, "/handovers?" + urlencode({"category": target_id}))
    if target_id in await ideas.categories(conn):
        return Target(target_id, "/ideas?" + urlencode({"category": target_id}))
    raise NotFound(TOPIC_NOT_FOUND)


Resolver = Callable[[asyncpg.Connection, CurrentUser | None, str, str], Awaitable[Target]]
RESOLVERS: dict[str, Resolver] = {
    "idea": _idea,
    "board": _board,
    "consultation": _consultation,
    "task": _task,
    "agency": _agency,
    "province": _province,
    "topic": _topic,
}


async def target(
    conn: asyncpg.Connection, actor: CurrentUser | None, kind: str, target_id: str, lang: str
) -> Target:
    """The thing as `actor` may see it; NotFound when it does not exist or is not theirs to see.
    `kind` and `target_id` have passed rules.parse_target."""
    return await RESOLVERS[kind](conn, actor, target_id, lang)


async def button(
    conn: asyncpg.Connection, user: CurrentUser | None, kind: str, target_id: str | int
) -> FollowState:
    """What a page's follow button shows (for nobody signed in: not following, and a login link)."""
    following = user is not None and await store.is_following(conn, user.id, kind, str(target_id))
    return FollowState(kind, str(target_id), following)


async def follows(conn: asyncpg.Connection, user: CurrentUser) -> FollowList:
    """Everything the person follows, grouped by kind in rules.KINDS order, each with its title
    and link as its domain shows them to this person; a thing gone or hidden since keeps its row
    (title None) so it can still be unfollowed."""
    items = await store.list_follows(conn, user.id)
    for item in items:
        try:
            found = await target(conn, user, item.target_kind, item.target_id, user.lang)
        except DomainError:
            continue
        item.title, item.url = found.title, found.url
    groups = [FollowGroup(kind, [i for i in items if i.target_kind == kind]) for kind in rules.KINDS]
    return FollowList(groups=[g for g in groups if g.items], total=len(items))
