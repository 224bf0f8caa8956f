"""The catalog as the assistant serves it, to the API, the CLI and the chat tools alike:
search, products, live changes, and the product fields a listing shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.errors import BadRequest, NotFound, map_errors
from assistant.nlu.entities import CatalogIds
from prompts import short_title
from retrieval.catalog import Product
from retrieval.errors import EmptyQueryError
from retrieval.filters import Filters, Vocabulary
from retrieval.live import LiveCatalog
from retrieval.search import SearchEngine, SearchResult
from retrieval.titles import TitleIndex

MAX_K = 1000
"""The most results one search or recommendation returns."""


def check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise BadRequest(f"k must be between 1 and {MAX_K}")


class Catalog:
    """Over a :class:`~retrieval.live.LiveCatalog` (the engine, its change log and their
    compaction): what the assistant asks of the catalog, with the caller's mistakes as
    its own errors (BadRequest, NotFound, Conflict)."""

    def __init__(self, live: LiveCatalog) -> None:
        self.live = live
        self.titles = TitleIndex(live.engine, short_title)
        """Finds the titles a reply quotes, whole or shortened as replies show them."""
        self.ids = CatalogIds(self.__contains__)
        """Finds the ids of this catalog's products that a message names."""

    @property
    def engine(self) -> SearchEngine:
        return self.live.engine

    @property
    def vocabulary(self) -> Vocabulary:
        """The store's categories, brands and colours, as the engine keeps them current."""
        return self.engine.vocabulary

    def __len__(self) -> int:
        return len(self.engine)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self.engine

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        check_k(k)
        try:
            return self.engine.search(query, k=k, filters=filters)
        except EmptyQueryError as exc:
            raise BadRequest("the query is empty: say what you are looking for") from exc

    def get(self, product_id: str) -> Product | None:
        return self.engine.get(product_id)

    def product(self, product_id: str) -> Product:
        product = self.engine.get(product_id)
        if product is None:
            raise NotFound(f"no product with id {product_id!r}")
        return product

    def out_of_stock(self) -> frozenset[str]:
        return self.engine.out_of_stock()

    def add(self, products: Sequence[Product], *, replace: bool) -> None:
        """Add new products (Conflict if an id exists) or, with `replace`, add or replace
        them, live."""
        with map_errors():
            self.live.add(products, replace=replace)

    def delete(self, product_ids: Sequence[str]) -> None:
        """Delete products live (NotFound, and nothing deleted, if one is unknown)."""
        with map_errors():
            self.live.delete(product_ids)


def product_summary(product: Product) -> dict[str, Any]:
    """The fields a listing shows (`in_stock` is None when the catalog gives no stock)."""
    return {
        "id": product.id,
        "title": product.title,
        "price": product.price,
        "currency": product.currency,
        "brand": product.brand,
        "category": product.category,
        "color": product.color,
        "rating": product.rating,
        "in_stock": None if product.stock is None else product.in_stock,
    }


def search_payload(result: SearchResult) -> dict[str, Any]:
    """The `search --json` / `GET /v1/search` response."""
    return {
        "query": result.query,
        "text": result.text,
        "filters": result.filters.to_dict(),
        "unmet": result.unmet,
        "no_good_match": result.no_good_match,
        "facets": result.facets,
        "results": [
            {**product_summary(hit.product), "score": round(hit.score, 4)} for hit in result.hits
        ],
    }
