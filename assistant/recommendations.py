"""Recommendations as the store serves them: the trained recommender's picks blended with
look-alikes of what the shopper is viewing or just did, the matches of a stated need, and
the top-rated products when no recommender is trained; each with a reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from assistant.catalog import Catalog, check_k, product_summary
from assistant.db import Database
from assistant.errors import BadRequest, Damaged, NotFound
from prompts import short_title
from recommenders.errors import RecommenderError
from recommenders.interactions import Event
from recommenders.service import RecommendationService
from retrieval.catalog import Product
from retrieval.errors import RetrievalError
from retrieval.filters import Filters

log = logging.getLogger(__name__)

EVENT_TYPES = ("view", "cart", "purchase")
_EVENT_REASON = {
    "view": "which you viewed",
    "cart": "which you added to your cart",
    "purchase": "which you bought",
}
_INTENT_POOL = 200
"""How many filtered search hits constrain an intent-aware recommendation."""
_LOOKED_AT = 3
"""How many recent products, unknown to the recommender, recommendations look like."""
_SPARE = 20
"""Extra picks asked of the recommender, standing in for items deleted since it trained."""


@dataclass
class Suggestion:
    """A product offered to a shopper, with why."""

    product: Product
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            **product_summary(self.product),
            "score": round(self.score, 4),
            "reason": self.reason,
        }


class Recommendations:
    """`model`: the trained recommender (None when none is trained); `damaged`: why it
    could not be read, if so (then only recommendations are refused)."""

    def __init__(
        self,
        catalog: Catalog,
        model: RecommendationService | None,
        db: Database,
        damaged: Damaged | None = None,
    ) -> None:
        self.catalog = catalog
        self.model = model
        self.db = db
        self.damaged = damaged
        if model is not None:
            model.title_of = self._title_of

    def recommend(
        self,
        user_id: str,
        k: int = 10,
        query: str | None = None,
        viewing: str | None = None,
        *,
        unlisted: bool = False,
        out_of_stock: bool = False,
    ) -> tuple[list[Suggestion], Filters]:
        """Top-k for a shopper, constrained to what `query` asks for (its words and filters).

        In order: products like the ones the shopper is `viewing` or had live events on that
        the recommender has no data for (all k for a shopper it has no history of, else at
        most half); the recommender's picks (personal for a shopper with history, including
        live events folded in; popular otherwise), or the top-rated products when no
        recommender is trained; then the query's matches. `unlisted`: when the recommender
        shares no item with the catalog (trained on other ids, or without one), return its
        items by id, as a `Product` with only an id. What cannot be bought (out of stock,
        deleted) is left out unless `out_of_stock` asks for products out of stock too.
        """
        check_k(k)
        if self.damaged is not None:
            raise self.damaged
        filters = Filters()
        matches: list[Product] = []
        allowed: set[str] | None = None
        if query and query.strip():
            result = self.catalog.search(query, k=_INTENT_POOL)
            filters = result.filters
            # The query's good matches ("lego": the LEGO sets, not the nearest of the rest);
            # a query naming nothing ("gift ideas") keeps to its filters' nearest products.
            good = [hit for hit in result.hits if hit.matched]
            matches = [hit.product for hit in good or result.hits]
            allowed = {p.id for p in matches}
        unavailable = frozenset() if out_of_stock else self.catalog.out_of_stock()
        if unavailable:
            matches = [product for product in matches if product.id not in unavailable]
        picks: dict[str, Suggestion] = {}
        personal = self._personal(user_id)
        looked = self._looked_at(user_id, None if personal else viewing)
        room = (k + 1) // 2 if personal else k  # look-alikes leave room for the model's picks
        for seen, why in looked:
            share = min(room, len(picks) + -(-room // len(looked)))
            for hit in self.catalog.engine.similar(seen.id, k=max(3 * k, 30)):
                if len(picks) >= share:
                    break
                if hit.product.id in unavailable:
                    continue
                if allowed is None or hit.product.id in allowed:
                    reason = f"similar to {short_title(seen.title)}, {why}"
                    picks.setdefault(hit.product.id, Suggestion(hit.product, hit.score, reason))
        if self.model is None:
            for suggestion in self._top_rated(k, None if allowed is None else matches):
                picks.setdefault(suggestion.product.id, suggestion)
        else:
            by_id = unlisted and allowed is None and self._catalog_apart()
            recs = self.model.recommend(user_id, k + _SPARE, allowed=allowed, excluded=unavailable)
            for rec in recs:
                product = self.catalog.get(rec.item_id)
                if product is None and by_id:
                    product = Product(id=rec.item_id, title="")
                if product is not None:
                    picks.setdefault(product.id, Suggestion(product, rec.score, rec.reason))
        for product in matches:
            if len(picks) >= k:
                break
            picks.setdefault(product.id, Suggestion(product, 0.0, f'matches "{query}"'))
        return list(picks.values())[:k], filters

    def similar(self, product_id: str, k: int = 10) -> list[Suggestion]:
        """Co-interaction neighbours first, then content neighbours, without duplicates."""
        product = self.catalog.product(product_id)
        found: dict[str, Suggestion] = {}
        if self.model is not None:
            try:
                for rec in self.model.similar(product_id, k):
                    item = self.catalog.get(rec.item_id)
                    if item is not None:
                        found[item.id] = Suggestion(item, rec.score, rec.reason)
            except RecommenderError:
                log.debug("no co-interaction data for %s", product_id)
        try:
            hits = self.catalog.engine.similar(product.id, k)
        except RetrievalError as exc:
            raise NotFound(str(exc)) from exc
        for hit in hits:
            if len(found) >= k:
                break
            found.setdefault(
                hit.product.id,
                Suggestion(hit.product, hit.score, f"similar to {short_title(product.title)}"),
            )
        return list(found.values())[:k]

    def record_event(self, user_id: str, item_id: str, event: str) -> None:
        """A view, cart or purchase: the shopper's next recommendations reflect it at once."""
        if event not in EVENT_TYPES:
            raise BadRequest(f"event must be one of {', '.join(EVENT_TYPES)}")
        if not user_id.strip():
            raise BadRequest("user_id is empty")
        if item_id not in self.catalog and not (self.model and self.model.knows_item(item_id)):
            self.catalog.product(item_id)  # NotFound: neither the catalog nor the model has it
        self.db.add_event(user_id, item_id, event)
        if self.model is not None:
            self.model.record([Event(user_id, item_id, event)])

    def history(self, user_id: str) -> list[str]:
        """The items the recommender knows the shopper had (none without a recommender)."""
        return [] if self.model is None else list(self.model.history(user_id))

    def knows_user(self, user_id: str) -> bool:
        return self.model is not None and self.model.knows_user(user_id)

    def _catalog_apart(self) -> bool:
        """Whether the recommender shares no item with the catalog (it was trained on other
        ids, or before any catalog): only then are its items shown by id. Otherwise an item
        missing from the catalog was deleted from it, and is not recommended."""
        return self.model is not None and not any(i in self.catalog for i in self.model.item_ids)

    def _title_of(self, product_id: str) -> str | None:
        product = self.catalog.get(product_id)
        return None if product is None else short_title(product.title)

    def _personal(self, user_id: str) -> bool:
        """Whether the recommender has a history for the shopper to personalise from."""
        return self.model is not None and bool(self.model.history(user_id))

    def _looked_at(self, user_id: str, viewing: str | None) -> list[tuple[Product, str]]:
        """Products to suggest look-alikes of, with the reason's ending: the one being
        `viewing`, then (newest first, at most three in all) those of the shopper's live
        events that the recommender has no data for, so that those events count too."""
        looked: dict[str, tuple[Product, str]] = {}
        if viewing is not None:
            looked[viewing] = (self.catalog.product(viewing), "which you are looking at")
        for item_id, event in self.db.recent_events(user_id):
            if len(looked) >= _LOOKED_AT or item_id in looked:
                continue
            if self.model is None or not self.model.knows_item(item_id):
                product = self.catalog.get(item_id)
                if product is not None:  # deleted since
                    looked[item_id] = (product, _EVENT_REASON.get(event, "which you viewed"))
        return list(looked.values())

    def _top_rated(self, k: int, among: list[Product] | None) -> list[Suggestion]:
        """The best-rated products in stock: of ``among`` when given, else of the whole
        store (browsed through the search index's columns, no product scan)."""
        if among is None:
            hits = self.catalog.search("", k, Filters(in_stock=True)).hits
            pool = [hit.product for hit in hits]
        else:
            pool = sorted(
                (p for p in among if p.in_stock), key=lambda p: p.rating or 0.0, reverse=True
            )
        return [
            Suggestion(
                p, p.rating or 0.0, "top rated in the store" if p.rating else "from our catalog"
            )
            for p in pool[:k]
        ]
