"""Dependencies: the heavy objects built once in the app's lifespan."""

from __future__ import annotations

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


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def path_id(value: str) -> str:
    """An id taken by a `{name:path}` parameter, which also matches nothing at all: then the
    route is unknown (`/v1/products/`), the same JSON 404 as any other unknown route."""
    if not value:
        raise HTTPException(status_code=404)
    return value
