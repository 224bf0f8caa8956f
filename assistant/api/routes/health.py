"""Liveness and Prometheus metrics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from assistant.api.deps import get_assistant, get_metrics, get_shop
from assistant.api.metrics import Metrics
from assistant.orchestrator import Assistant
from assistant.shop import Shop

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(shop: Annotated[Shop, Depends(get_shop)]) -> dict[str, Any]:
    return {
        "status": "ok",
        "products": len(shop.catalog),
        "recommender": shop.recommendations.model is not None,
    }


@router.get("/metrics", response_class=PlainTextResponse)
def metrics(
    metrics: Annotated[Metrics, Depends(get_metrics)],
    assistant: Annotated[Assistant, Depends(get_assistant)],
) -> str:
    return metrics.render({"shopassist_grounding_failures_total": assistant.grounding_failures})
