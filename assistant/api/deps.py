"""Dependencies: the heavy objects built once in the app's lifespan."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
from fastapi import Request
from starlette.exceptions import HTTPException

from assistant.api.metrics import Metrics
from assistant.orchestrator import Assistant
from assistant.shop import Shop


def get_shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


T = TypeVar("T")


async def in_chat_thread(request: Request, function: Callable[..., T], *args: object) -> T:
    """Run a chat turn in a thread of the chat pool (`Settings.chat_threads`), apart from
    the threads that serve search and the catalog: a model that hangs keeps turns waiting,
    never searches, and `/healthz` runs on the event loop itself."""
    limiter: anyio.CapacityLimiter = request.app.state.chat_limiter
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=limiter)


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def path_id(value: str) -> str:
    """An id taken by a `{name:path}` parameter, which also matches nothing at all: then the
    route is unknown (`/v1/products/`), the same JSON 404 as any other unknown route."""
    if not value:
        raise HTTPException(status_code=404)
    return value
