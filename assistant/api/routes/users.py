"""Personalised, intent-aware recommendations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from assistant.api.deps import get_shop, path_id
from assistant.api.schemas import EventRequest
from assistant.catalog import MAX_K
from assistant.shop import Shop

router = APIRouter(tags=["recommendations"])


# `path`: a user id may hold "/" (as is or %2F).
@router.get("/v1/users/{user_id:path}/recommendations")
def recommendations(
    user_id: str,
    shop: Annotated[Shop, Depends(get_shop)],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    q: Annotated[str | None, Query(description="A need that constrains the picks.")] = None,
    item: Annotated[
        str | None, Query(description="The product the shopper is looking at (cold start).")
    ] = None,
    out_of_stock: Annotated[
        bool, Query(description="Include products out of stock (left out by default).")
    ] = False,
) -> dict[str, Any]:
    user_id = path_id(user_id)
    suggestions, filters = shop.recommendations.recommend(
        user_id, k, query=q, viewing=item, unlisted=True, out_of_stock=out_of_stock
    )
    return {
        "user_id": user_id,
        "query": q,
        "filters": filters.to_dict(),
        "items": [s.to_dict() for s in suggestions],
    }


@router.post("/v1/events", status_code=202)
def record_event(body: EventRequest, shop: Annotated[Shop, Depends(get_shop)]) -> dict[str, Any]:
    shop.recommendations.record_event(body.user_id, body.item_id, body.event)
    return {"recorded": True}
