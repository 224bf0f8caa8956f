"""API keys and per-client rate limits, as one middleware."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from assistant.api.errors import error_body

# Open: liveness, and the web chat page at "/", a static file that holds no data (its own
# requests to /v1/chat carry the key the user pastes into it). The API description
# (/openapi.json, /docs) needs a key like the rest.
_OPEN_PATHS = frozenset({"/healthz", "/"})


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """Take a token for `client`: 0.0 when the request may go ahead, else the seconds until
        its next request would be allowed."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        return 0.0 if allowed else (1.0 - tokens) / self.rate

    def allow(self, client: str) -> bool:
        return self.acquire(client) == 0.0


def presented_key(request: Request) -> str | None:
    """The API key a request carries (Bearer token or X-API-Key), if any."""
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
        key = presented_key(request)
        if api_keys and key not in api_keys:
            return JSONResponse(
                error_body("Unauthorized", "a valid API key is required (Authorization: Bearer)"),
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        client = key or (request.client.host if request.client else "unknown")
        wait = limiter.acquire(client) if limiter is not None else 0.0
        if wait > 0:
            return JSONResponse(
                error_body("RateLimited", f"more than {per_minute} requests a minute"),
                status_code=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return await call_next(request)
