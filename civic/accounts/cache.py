"""Who is behind a session cookie or an API token, remembered between requests, so that most
requests learn who is asking without a round trip to the database.

It is safe only because the database says when to forget. Migration 0044 makes PostgreSQL notify
`civic_credentials` on every committed change that could alter what a credential resolves to:
a token revoked, a session ended, a person blocked or renamed, a membership or an organisation
changed, whatever code, process or person made it. `listen` forgets everything on each notice.
- Nothing is remembered unless the listener is connected. While it is down, every request asks
  the database, as if there were no cache.
- An answer that was being loaded while a notice arrived is not kept: it may predate the change.
- What is left is the notice's own travel time, from the commit to this process, usually well
  under a millisecond. A request that arrives in that moment is served as one that started just
  before the change would have been.
- Entries also expire after `ttl` seconds. That bounds what a notice lost to a half-open
  connection could cost (the listener pings to find those), and it lets each person's
  last_used_at / session expiry keep being touched. It is also how late a session that runs out
  on its own (30 days unused) may still be honoured; ending one early sends a notice.
Unknown credentials are never remembered, so a new session or token needs no notice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from cachetools import TTLCache

from civic.accounts.schemas import CurrentUser
from civic.accounts.store import hash_token

log = logging.getLogger(__name__)

CHANNEL = "civic_credentials"
LISTENER_NAME = "civic credential listener"  # in pg_stat_activity
# How often an idle listener checks that its connection still answers, and how long it waits.
PING_SECONDS = 10.0
PING_TIMEOUT = 5.0
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


class CredentialCache:
    def __init__(self, ttl: float, maxsize: int = 10_000, timer: Callable[[], float] | None = None) -> None:
        extra = {"timer": timer} if timer is not None else {}
        self._users: TTLCache[tuple[str, bytes], CurrentUser] = TTLCache(maxsize, ttl, **extra)
        self._generation = 0
        self._listening = False

    @property
    def listening(self) -> bool:
        return self._listening

    @listening.setter
    def listening(self, value: bool) -> None:
        # Either way, an answer loaded before may have missed a notice: coming up, one sent while
        # nobody listened; going down, one that will not arrive.
        self.forget_all()
        self._listening = value

    @property
    def generation(self) -> int:
        """How many times everything was forgotten."""
        return self._generation

    def forget_all(self) -> None:
        self._generation += 1
        self._users.clear()

    async def user(
        self, kind: str, credential: str, load: Callable[[str], Awaitable[CurrentUser | None]]
    ) -> CurrentUser | None:
        """The person behind `credential` of `kind` ("session" or "token"), remembered or
        load(credential)."""
        key = (kind, hash_token(credential))
        if self.listening:
            user = self._users.get(key)
            if user is not None:
                return user
        generation = self._generation
        user = await load(credential)
        if user is not None and self.listening and generation == self._generation:
            self._users[key] = user
        return user

    async def listen(self, dsn: str) -> None:
        """Runs until cancelled: keeps a connection that LISTENs, reconnecting when it is lost."""
        failures = 0
        while True:
            try:
                await self._listen_once(dsn)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("credential cache: listener lost; every request asks the database", exc_info=True)
            delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            failures += 1
            await asyncio.sleep(delay)

    async def _listen_once(self, dsn: str) -> None:
        conn = await asyncpg.connect(dsn, server_settings={"application_name": LISTENER_NAME})
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, lambda *_notice: self.forget_all())
            self.listening = True
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), PING_SECONDS)
                except TimeoutError:
                    await conn.fetchval("SELECT 1", timeout=PING_TIMEOUT)
        finally:
            self.listening = False
            conn.terminate()
