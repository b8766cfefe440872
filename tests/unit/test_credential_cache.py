"""The credential cache's own rules, with a stand-in loader: when it remembers, and when it must not."""

from __future__ import annotations

import asyncio

from civic.accounts.cache import CredentialCache
from civic.accounts.schemas import CurrentUser

ALICE = CurrentUser(id=1, email="a@example.org", display_name="อลิซ", lang="th", role="citizen", status="active")
BOB = CurrentUser(id=2, email="b@example.org", display_name="บ๊อบ", lang="th", role="citizen", status="active")


class Loader:
    def __init__(self, users: dict[str, CurrentUser | None]) -> None:
        self.users = users
        self.calls: list[str] = []

    async def __call__(self, credential: str) -> CurrentUser | None:
        self.calls.append(credential)
        return self.users.get(credential)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def listening(ttl: float = 60, timer=None) -> CredentialCache:
    cache = CredentialCache(ttl, timer=timer)
    cache.listening = True
    return cache


async def test_a_listening_cache_loads_a_credential_once():
    cache, load = listening(), Loader({"t1": ALICE})
    assert await cache.user("token", "t1", load) == ALICE
    assert await cache.user("token", "t1", load) == ALICE
    assert load.calls == ["t1"]


async def test_nothing_is_remembered_while_the_listener_is_down():
    cache, load = CredentialCache(60), Loader({"t1": ALICE})
    for _ in range(3):
        assert await cache.user("token", "t1", load) == ALICE
    assert load.calls == ["t1", "t1", "t1"]


async def test_an_unknown_credential_is_asked_again_every_time():
    cache, load = listening(), Loader({})
    assert await cache.user("token", "nope", load) is None
    load.users["nope"] = ALICE  # a token created since
    assert await cache.user("token", "nope", load) == ALICE


async def test_sessions_and_tokens_with_the_same_text_are_different_credentials():
    cache = listening()
    assert await cache.user("token", "same", Loader({"same": ALICE})) == ALICE
    assert await cache.user("session", "same", Loader({"same": BOB})) == BOB
    assert await cache.user("token", "same", Loader({})) == ALICE


async def test_a_notice_makes_it_forget_everything():
    cache, load = listening(), Loader({"t1": ALICE, "t2": BOB})
    await cache.user("token", "t1", load)
    await cache.user("session", "t2", load)
    before = cache.generation
    cache.forget_all()
    assert cache.generation == before + 1
    load.users["t1"] = None  # revoked
    assert await cache.user("token", "t1", load) is None
    assert await cache.user("session", "t2", load) == BOB
    assert load.calls == ["t1", "t2", "t1", "t2"]


async def test_an_answer_loaded_across_a_notice_is_not_kept():
    cache = listening()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(credential: str) -> CurrentUser | None:
        started.set()
        await release.wait()
        return ALICE

    task = asyncio.create_task(cache.user("token", "t1", slow))
    await started.wait()
    cache.forget_all()  # e.g. the token was revoked while the database was answering
    release.set()
    assert await task == ALICE  # this request began before the change
    load = Loader({"t1": None})
    assert await cache.user("token", "t1", load) is None
    assert load.calls == ["t1"]


async def test_an_answer_loaded_while_the_listener_dropped_is_not_kept():
    cache = listening()
    load = Loader({"t1": ALICE})

    async def dropping(credential: str) -> CurrentUser | None:
        cache.listening = False
        return await load(credential)

    await cache.user("token", "t1", dropping)
    cache.listening = True
    await cache.user("token", "t1", load)
    assert load.calls == ["t1", "t1"]


async def test_an_answer_loaded_before_the_listener_came_up_is_not_kept():
    cache = CredentialCache(60)
    load = Loader({"t1": ALICE})

    async def before_listening(credential: str) -> CurrentUser | None:
        user = await load(credential)  # read while no notice could arrive
        cache.listening = True
        return user

    await cache.user("token", "t1", before_listening)
    await cache.user("token", "t1", load)
    assert load.calls == ["t1", "t1"]
    await cache.user("token", "t1", load)
    assert load.calls == ["t1", "t1"]


async def test_entries_expire_after_their_time():
    clock = Clock()
    cache, load = listening(ttl=60, timer=clock), Loader({"t1": ALICE})
    await cache.user("token", "t1", load)
    clock.now = 59
    await cache.user("token", "t1", load)
    assert load.calls == ["t1"]
    clock.now = 61
    await cache.user("token", "t1", load)
    assert load.calls == ["t1", "t1"]
