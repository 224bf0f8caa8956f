"""The app factory: heavy objects are built once in the lifespan and reach routes through
dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request, Response

from assistant.api import errors, security
from assistant.api.metrics import Metrics
from assistant.api.routes import cart, catalog, chat, completions, docs, health, page, users
from assistant.orchestrator import Assistant
from assistant.settings import Settings, get_settings
from assistant.shop import Shop


def create_app(
    settings: Settings | None = None,
    *,
    shop: Shop | None = None,
    assistant: Assistant | None = None,
) -> FastAPI:
    """Build the app. Tests pass a ready `shop`/`assistant`; otherwise the lifespan opens them
    from the settings' home."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = shop or Shop.open(settings, progress=True)
        opened.warm_up()
        app.state.shop = opened
        app.state.assistant = assistant or Assistant.from_settings(settings, opened)
        app.state.metrics = Metrics()
        app.state.chat_limiter = anyio.CapacityLimiter(settings.chat_threads)
        try:
            yield
        finally:
            if shop is None:
                opened.close()

    # No redirect_slashes: a trailing slash is an unknown route (a JSON 404), not a bare 307.
    # The docs pages are the `docs` routes, which serve their scripts themselves.
    app = FastAPI(
        title="shopassist",
        version="0.1.0",
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    security.install(
        app, api_keys=settings.api_key_set(), per_minute=settings.rate_limit_per_minute
    )

    @app.middleware("http")
    async def count_requests(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        route = request.scope.get("route")
        app.state.metrics.inc(
            "shopassist_http_requests_total",
            path=getattr(route, "path", "unmatched"),
            status=str(response.status_code),
        )
        return response

    for module in (chat, cart, completions, catalog, users, health, page, docs):
        app.include_router(module.router)
    return app
