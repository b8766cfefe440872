"""create_app(settings) -> Litestar: wiring only."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import asyncpg
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXConfig, HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from civic import background as bg
from civic import db as dbmod
from civic.handovers import cards as handover_cards
from civic.handovers import rules as handover_rules
from civic.identity.gate import StaffEnrolmentGate
from civic.privacy.gate import NoticeGate
from civic.registry import CONTROLLERS
from civic.settings import PROJECT_ROOT, Settings, get_settings
from civic.validation import DomainError
from civic.web import templating
from civic.web.errors import (
    data_error_handler,
    domain_error_handler,
    http_exception_handler,
    internal_error_handler,
    too_deep_handler,
)
from civic.web.forms import Utf8FormMiddleware
from civic.web.head import HeadAsGet
from civic.web.i18n import page_language
from civic.web.openapi import DocumentedJsonPlugin, LocalSwaggerPlugin, StrictStructSchemaPlugin
from civic.web.security import AuthMiddleware, BearerAwareCSRFMiddleware, SecurityHeadersMiddleware

log = logging.getLogger(__name__)


async def provide_db(state: State) -> AsyncGenerator[asyncpg.Connection, None]:
    """A pooled connection for one request. Store verbs open their own transactions, so a
    failed verb never leaves half its rows behind."""
    async with state.pool.acquire() as conn:
        yield conn


def _jinja() -> JinjaTemplateEngine:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are compiled once per process: checking every included file's mtime on every
        # render (a card per idea) cost a stat each. A changed template needs a restart.
        auto_reload=False,
    )
    env.filters["percent"] = templating.percent
    env.globals.update(templating.template_globals())
    # The task labels that civic/handovers/cards.py builds the board's cards from, for the
    # templates that show a task's status or category and its budget: one copy of each.
    env.globals["handover_labels"] = handover_rules.LABELS
    env.filters["baht"] = lambda value: handover_cards.baht(value, page_language())
    return JinjaTemplateEngine.from_environment(env)


def create_app(
    settings: Settings | None = None,
    *,
    pool: asyncpg.Pool | None = None,
    search_pool: asyncpg.Pool | None = None,
) -> Litestar:
    """pool, search_pool: the caller's (tests, benchmarks), used as given and left open. Otherwise
    the app opens its own when it starts: search_pool for PostgreSQL search only."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        own_pool = pool is None
        if own_pool:
            if not settings.database_url:
                raise RuntimeError("DATABASE_URL is not set: start through `python -m civic run`")
            app.state.pool = await dbmod.create_pool(settings.database_url, max_size=settings.pool_max)
            if not settings.meili_url:
                from civic.search.postgres import create_search_pool

                app.state.search_pool = await create_search_pool(settings.database_url, max_size=settings.pool_max)
        else:
            app.state.pool, app.state.search_pool = pool, search_pool
        background = []
        try:
            background = await bg.start(app.state.pool, settings)
            # What start-up built lives as long as the process: moved out of the collector's
            # reach, a full collection walks only what requests built since (with ~150,000 objects
            # it took ~100 ms of CPU, and every request on the worker waited).
            gc.freeze()
            yield
        finally:
            await bg.stop(background)
            if own_pool:
                await app.state.pool.close()
                if app.state.search_pool is not None:
                    await app.state.search_pool.close()

    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="civic_csrf",
        cookie_secure=settings.cookie_secure,
        cookie_samesite="lax",
        header_name="x-csrftoken",
    )
    app = Litestar(
        route_handlers=[
            *CONTROLLERS,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], include_in_schema=False
            ),
        ],
        dependencies={"db": Provide(provide_db)},
        middleware=[
            SecurityHeadersMiddleware,
            AuthMiddleware,
            NoticeGate,
            StaffEnrolmentGate,
            Utf8FormMiddleware,
            DefineMiddleware(BearerAwareCSRFMiddleware, config=csrf),
        ],
        # Requests stay plain Requests: HTMXRequest and its HTMXDetails point at each other, so
        # every request (two or three objects each) was left for the cycle collector, holding its
        # scope. Pages read the HX- headers they need (templating.wants_partial); a handler that
        # wants request.htmx can still take an HTMXRequest.
        plugins=[HTMXPlugin(HTMXConfig(set_request_class_globally=False)), StrictStructSchemaPlugin()],
        template_config=TemplateConfig(instance=_jinja()),
        exception_handlers={
            HTTPException: http_exception_handler,
            DomainError: domain_error_handler,
            asyncpg.DataError: data_error_handler,
            RecursionError: too_deep_handler,
            Exception: internal_error_handler,
        },
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="civic API",
            version="1",
            description="Thai civic participation platform. Every HTML page has a JSON twin here.",
            path="/schema",
            render_plugins=[LocalSwaggerPlugin(), DocumentedJsonPlugin()],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            # Optional: public reads answer anyone, and the rest answer 401 without a login (a
            # bearer token, or the session cookie with its CSRF token).
            security=[{}, {"bearer": []}],
        ),
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "pool": pool,
                "search_pool": search_pool,
            }
        ),
        debug=False,
        logging_config=None,
    )
    # Outside routing, which would answer HEAD with a 405 (see civic.web.head).
    app.asgi_handler = HeadAsGet(app.asgi_handler)
    return app
