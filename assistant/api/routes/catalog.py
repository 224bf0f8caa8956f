"""Product search, detail and similar items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from assistant.api.deps import get_shop
from assistant.shop import Shop, search_payload
from retrieval.filters import Filters

router = APIRouter(tags=["catalog"])


@router.get("/v1/search")
def search(
    shop: Annotated[Shop, Depends(get_shop)],
    q: Annotated[
        str, Query(description="What the shopper typed; filters in it are understood.")
    ] = "",
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    category: str | None = None,
    brand: str | None = None,
    color: str | None = None,
    in_stock: bool | None = None,
) -> dict[str, Any]:
    filters = Filters(
        price_min=price_min,
        price_max=price_max,
        category=category,
        brand=brand,
        color=color,
        in_stock=in_stock,
    )
    return search_payload(shop.search(q, k=k, filters=filters))


@router.get("/v1/products/{product_id}")
def product(product_id: str, shop: Annotated[Shop, Depends(get_shop)]) -> dict[str, Any]:
    return shop.product(product_id).to_dict()


@router.get("/v1/products/{product_id}/similar")
def similar(
    product_id: str,
    shop: Annotated[Shop, Depends(get_shop)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    return {"id": product_id, "items": [s.to_dict() for s in shop.similar(product_id, k)]}
