"""Pick the search backend from the settings: Meilisearch when MEILI_URL is set, else PostgreSQL."""

from __future__ import annotations

import asyncpg

from civic.search.port import SearchBackend
from civic.settings import Settings


def make_backend(settings: Settings, pool: asyncpg.Pool) -> SearchBackend:
    if settings.meili_url:
        from civic.search.meili import MeiliBackend

        return MeiliBackend(settings.meili_url, settings.meili_key, settings.meili_index)
    from civic.search.postgres import PostgresBackend

    return PostgresBackend(pool)


def backend_name(settings: Settings) -> str:
    return "meilisearch" if settings.meili_url else "postgres"
