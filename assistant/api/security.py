"""API keys and per-client rate limits, as one middleware."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from assistant.api.errors import error_body

_OPEN_PATHS = frozenset({"/healthz", "/docs", "/openapi.json", "/docs/oauth2-redirect"})


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        return allowed


def _presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def install(app: FastAPI, *, api_keys: frozenset[str], per_minute: int) -> None:
    limiter = RateLimiter(per_minute) if per_minute > 0 else None

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path in _OPEN_PATHS:
            return await call_next(request)
        key = _presented_key(request)
        if api_keys and key not in api_keys:
            return JSONResponse(
                error_body("Unauthorized", "a valid API key is required (Authorization: Bearer)"),
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        client = key or (request.client.host if request.client else "unknown")
        if limiter is not None and not limiter.allow(client):
            return JSONResponse(
                error_body("RateLimited", f"more than {per_minute} requests a minute"),
                status_code=429,
                headers={"Retry-After": "1"},
            )
        return await call_next(request)
