"""Product search, detail and similar items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from assistant.api.deps import get_shop, path_id
from assistant.api.schemas import ProductIn, ProductReplacement
from assistant.catalog import MAX_K, search_payload
from assistant.errors import BadRequest
from assistant.shop import Shop
from retrieval.catalog import Product
from retrieval.filters import Filters
from retrieval.text import normalize_category

router = APIRouter(tags=["catalog"])


@router.get("/v1/search")
def search(
    shop: Annotated[Shop, Depends(get_shop)],
    q: Annotated[
        str, Query(description="What the shopper typed; filters in it are understood.")
    ] = "",
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    category: str | None = None,
    brand: str | None = None,
    color: str | None = None,
    in_stock: bool | None = None,
    age_min: Annotated[float | None, Query(ge=0, description="Shopper's age, years")] = None,
    age_max: Annotated[float | None, Query(ge=0)] = None,
    pieces_min: Annotated[int | None, Query(ge=0)] = None,
    pieces_max: Annotated[int | None, Query(ge=0)] = None,
    size: str | None = None,
) -> dict[str, Any]:
    filters = Filters.from_params(locals())  # the parameters are named as the fields
    return search_payload(shop.catalog.search(q, k=k, filters=filters))


# Ids may hold "/" (SKUs often do), sent as is or as %2F: the `path` converter takes them.
# "/similar" is registered first, so an id ending in "/similar" is read as that route.
@router.get("/v1/products/{product_id:path}/similar")
def similar(
    product_id: str,
    shop: Annotated[Shop, Depends(get_shop)],
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
) -> dict[str, Any]:
    product_id = path_id(product_id)
    return {
        "id": product_id,
        "items": [s.to_dict() for s in shop.recommendations.similar(product_id, k)],
    }


@router.get("/v1/products/{product_id:path}")
def product(product_id: str, shop: Annotated[Shop, Depends(get_shop)]) -> dict[str, Any]:
    return shop.catalog.product(path_id(product_id)).to_dict()


def _product(body: ProductIn) -> Product:
    return Product(**{**body.model_dump(), "category": normalize_category(body.category)})


@router.post("/v1/products", status_code=201)
def create_products(
    body: ProductIn | list[ProductIn], shop: Annotated[Shop, Depends(get_shop)]
) -> dict[str, Any]:
    """Add one product or a list of new products (409 if an id exists)."""
    products = [_product(p) for p in (body if isinstance(body, list) else [body])]
    if not products:
        raise BadRequest("no products given")
    shop.catalog.add(products, replace=False)
    return {"created": [p.id for p in products]}


@router.put("/v1/products/{product_id:path}")
def replace_product(
    product_id: str, body: ProductReplacement, shop: Annotated[Shop, Depends(get_shop)]
) -> dict[str, Any]:
    product_id = path_id(product_id)
    if body.id not in (None, product_id):
        raise BadRequest(f"the body's id {body.id!r} is not {product_id!r}")
    shop.catalog.product(product_id)  # 404 for an unknown id
    shop.catalog.add([_product(body.model_copy(update={"id": product_id}))], replace=True)
    return shop.catalog.product(product_id).to_dict()


@router.delete("/v1/products/{product_id:path}", status_code=204)
def delete_product(product_id: str, shop: Annotated[Shop, Depends(get_shop)]) -> Response:
    shop.catalog.delete([path_id(product_id)])
    return Response(status_code=204)
