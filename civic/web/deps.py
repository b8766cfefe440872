"""Type aliases for handler parameters, so every route declares its dependencies the same way,
and the batch loaders that hot paths share across concurrent requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from aiodataloader import DataLoader
from litestar.datastructures import State
from litestar.di import NamedDependency

# The per-request pooled connection provided as `db` in app.py.
Db = NamedDependency[asyncpg.Connection]

K = TypeVar("K")
V = TypeVar("V")


def batch_loader(
    state: State, load: Callable[[asyncpg.Connection, list[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    """The app's loader for `load`, a store function that answers a list of keys in order with one
    statement. Requests that arrive together (one event-loop turn) share that statement and one
    pooled connection instead of a round trip and a checkout each. Nothing is cached between
    batches: every request sees the database as it is when its batch runs. A result that is an
    exception instance is raised to its own request only, and so is an error of one key.

    Built on first use, so that the loader belongs to the event loop that serves requests."""
    loaders: dict[Any, DataLoader] | None = state.get("batch_loaders")
    if loaders is None:
        loaders = state.batch_loaders = {}
    loader = loaders.get(load)
    if loader is None:
        pool: asyncpg.Pool = state.pool

        async def batch(keys: list[K]) -> list[V | Exception]:
            async with pool.acquire() as conn:
                try:
                    return await load(conn, keys)
                except Exception:
                    if len(keys) == 1:
                        raise
                # One request's bad key (an id too large for bigint, say) must not fail the
                # requests that shared its statement: each is answered alone, and only the
                # culprit gets the error.
                results: list[V | Exception] = []
                for key in keys:
                    try:
                        results.extend(await load(conn, [key]))
                    except Exception as exc:  # handed to that key's request, which raises it
                        results.append(exc)
                return results

        loader = loaders[load] = DataLoader(batch, cache=False)
    return loader
