"""Pick the search backend from the settings: Meilisearch when MEILI_URL is set, else PostgreSQL."""

from __future__ import annotations

import asyncpg

from civic.search.port import SearchBackend
from civic.settings import Settings


def make_backend(settings: Settings, pool: asyncpg.Pool, search_pool: asyncpg.Pool | None = None) -> SearchBackend:
    """search_pool: connections for PostgreSQL searches alone (civic.search.postgres.create_search_pool);
    without it, searches use `pool` and cost two more round trips."""
    if settings.meili_url:
        from civic.search.meili import MeiliBackend

        return MeiliBackend(settings.meili_url, settings.meili_key, settings.meili_index)
    from civic.search.postgres import PostgresBackend

    return PostgresBackend(pool, search_pool=search_pool)


def shared_backend(state) -> SearchBackend:
    """The app's one backend (`app.state`), made on first use: the search pages and the search
    feeds share it and its connections."""
    backend = getattr(state, "search_backend", None)
    if backend is None:
        backend = make_backend(state.settings, state.pool, state.search_pool)
        state.search_backend = backend
    return backend


def backend_name(settings: Settings) -> str:
    return "meilisearch" if settings.meili_url else "postgres"
