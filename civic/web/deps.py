"""Type aliases for handler parameters, so every route declares its dependencies the same way."""

from __future__ import annotations

import asyncpg
from litestar.di import NamedDependency

# The per-request pooled connection provided as `db` in app.py.
Db = NamedDependency[asyncpg.Connection]
