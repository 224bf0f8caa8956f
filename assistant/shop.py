"""The shop: every heavy part loaded once (search engine, recommender, intent model, policies,
database), with the domain operations the CLI, the API and the chat tools share."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from assistant.db import Database
from assistant.errors import BadRequest, Conflict, Damaged, NotFound
from assistant.grounding import TitleIndex
from assistant.home import Home, build_demo, train_intents
from assistant.nlu.intents import IntentModel
from assistant.policies import PolicyIndex
from assistant.settings import Settings
from prompts import short_title
from recommenders.errors import ModelNotTrainedError, RecommenderError
from recommenders.interactions import Event
from recommenders.service import RecommendationService
from retrieval.catalog import Product
from retrieval.changelog import COMPACT_AFTER, ChangeLog
from retrieval.embedder import Embedder, get_embedder
from retrieval.errors import EmptyQueryError, IndexMismatchError, RetrievalError
from retrieval.filters import Filters
from retrieval.search import SearchEngine, SearchResult
from retrieval.storage import recover, save_atomically

log = logging.getLogger(__name__)

# How many filtered search hits constrain an intent-aware recommendation.
_INTENT_POOL = 200
MAX_K = 1000
"""The most results one search or recommendation returns."""
EVENT_TYPES = ("view", "cart", "purchase")
_EVENT_REASON = {
    "view": "which you viewed",
    "cart": "which you added to your cart",
    "purchase": "which you bought",
}
_LOOKED_AT = 3
_SPARE = 20
"""Extra picks asked of the recommender, standing in for items deleted since it trained."""
"""How many recent products, unknown to the recommender, recommendations look like."""


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


def set_threads(threads: int) -> None:
    """Pin torch, FAISS and BLAS thread pools: oversubscribing 2 cores slows all of them.
    torch is only needed to fine-tune or run a fine-tuned intent model, so it is not
    imported here (a second or more per command): it reads OMP_NUM_THREADS when it loads."""
    import faiss
    from threadpoolctl import threadpool_limits

    os.environ["OMP_NUM_THREADS"] = str(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    faiss.omp_set_num_threads(threads)
    threadpool_limits(1, user_api="blas")


class Shop:
    """The intent model and the policy index load on first use, so commands that need
    neither (search, recommend) start faster; the API warms them up in its lifespan."""

    def __init__(
        self,
        home: Home,
        embedder: Embedder,
        engine: SearchEngine,
        recs: RecommendationService | None,
        db: Database,
        changes: ChangeLog,
        clock: Callable[[], datetime],
        recs_damaged: Damaged | None = None,
    ) -> None:
        self.home = home
        self.recs_damaged = recs_damaged
        """Why recommendations are refused (a recommender that cannot be read), if so: the
        rest of the store serves on."""
        self.clock = clock
        """The store's current time (`Settings.clock`): order rules read it."""
        self.embedder = embedder
        self.engine = engine
        self.changes = changes
        self.recs = recs
        self.db = db
        self.titles = TitleIndex(engine)
        if recs is not None:
            recs.title_of = self._title_of

    @classmethod
    def open(
        cls, settings: Settings, *, progress: bool = False, embedder: Embedder | None = None
    ) -> Shop:
        """Load everything under the settings' home, building the demo store into an empty one."""
        set_threads(settings.threads)
        home = Home(settings.home)
        embedder = embedder or get_embedder("minilm", threads=settings.threads)
        recover(home.catalog)  # a save cut short by a crash leaves the previous index
        if not home.has_catalog():
            with home.writing("building the demo store"):
                if not home.has_catalog():  # another process may have built it meanwhile
                    build_demo(
                        home,
                        embedder,
                        algorithm=settings.recommender,
                        progress=progress,
                        now=settings.clock(),
                    )
        try:
            engine = SearchEngine.load(home.catalog, embedder)
        except IndexMismatchError as exc:
            log.warning("%s; re-indexing the products it holds (once)", exc)
            with home.writing("re-indexing"):
                engine = SearchEngine.rebuild(home.catalog, embedder, progress=progress)
                save_atomically(engine, home.catalog)
        except RetrievalError as exc:
            raise Damaged(
                f"the catalog index in {home.catalog} is unreadable ({exc}); rebuild it with "
                "`shopassist index --catalog FILE`"
            ) from exc
        try:
            changes = ChangeLog.open(home.catalog_changes, engine)
        except RetrievalError as exc:
            raise Damaged(
                f"the catalog change log {home.catalog_changes} is unreadable ({exc}); move it "
                "aside and apply the changes again, or rebuild with `shopassist index`"
            ) from exc
        recs: RecommendationService | None = None
        recs_damaged = None
        try:
            recs = RecommendationService.load(home.recs)
        except ModelNotTrainedError:
            log.info("no recommender trained in %s: recommending top-rated products", home.recs)
        except RecommenderError as exc:
            recs_damaged = Damaged(f"{exc} with `shopassist train --interactions FILE`")
        db = Database(home.database)
        if recs is not None:
            # Live events since the last training still shape recommendations after a restart.
            since = db.events(after=int(recs.summary.get("events_through", 0)))
            if since:
                recs.record(since)
        return cls(home, embedder, engine, recs, db, changes, settings.clock, recs_damaged)

    @cached_property
    def intents(self) -> IntentModel:
        if not IntentModel.saved_in(self.home.nlu):
            train_intents(self.home, self.embedder)
        return IntentModel.load(self.home.nlu, self.embedder)

    @cached_property
    def policies(self) -> PolicyIndex:
        return PolicyIndex.from_folder(self.home.policies, self.embedder)

    def warm_up(self) -> None:
        """Load the lazily loaded parts now (before serving requests). A damaged intent
        model or recommender is reported, and refuses chats or recommendations (503),
        while search and the rest serve on."""
        try:
            _ = self.intents
        except Damaged as exc:
            log.warning("%s; chat is refused until then", exc)
        if self.recs_damaged is not None:
            log.warning("%s; recommendations are refused until then", self.recs_damaged)
        _ = self.policies

    def close(self) -> None:
        self.db.close()

    # catalog ------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> SearchResult:
        _check_k(k)
        try:
            return self.engine.search(query, k=k, filters=filters)
        except EmptyQueryError as exc:
            raise BadRequest("the query is empty: say what you are looking for") from exc

    def product(self, product_id: str) -> Product:
        product = self.engine.get(product_id)
        if product is None:
            raise NotFound(f"no product with id {product_id!r}")
        return product

    def add_products(self, products: list[Product], *, replace: bool) -> None:
        """Add new products (Conflict if an id exists) or, with `replace`, add or replace them;
        both indexes change in place and the change is logged (see `_changed`)."""
        with self.engine.changes_held():
            if not replace:
                taken = [p.id for p in products if self.engine.get(p.id) is not None]
                if taken:
                    raise Conflict(f"products already exist: {', '.join(taken[:10])}")
            self.engine.upsert(products)
            self.changes.upserted(products)
            self._changed()

    def delete_products(self, product_ids: list[str]) -> None:
        with self.engine.changes_held():
            missing = [pid for pid in product_ids if self.engine.get(pid) is None]
            if missing:
                raise NotFound(f"no product with id {', '.join(missing[:10])}")
            self.engine.delete(product_ids)
            self.changes.deleted(product_ids)
            self._changed()

    def _changed(self) -> None:
        """After a logged change: once the log holds `COMPACT_AFTER` products, save the
        whole index crash-safely and start a new log (a crash in between replays nothing
        twice: the old log names the replaced copy, so it is dropped)."""
        if self.changes.pending >= COMPACT_AFTER:
            save_atomically(self.engine, self.home.catalog)
            self.changes.restart(self.engine.generation)

    def similar(self, product_id: str, k: int = 10) -> list[Suggestion]:
        """Co-interaction neighbours first, then content neighbours, without duplicates."""
        product = self.product(product_id)
        found: dict[str, Suggestion] = {}
        if self.recs is not None:
            try:
                for rec in self.recs.similar(product_id, k):
                    item = self.engine.get(rec.item_id)
                    if item is not None:
                        found[item.id] = Suggestion(item, rec.score, rec.reason)
            except RecommenderError:
                log.debug("no co-interaction data for %s", product_id)
        try:
            hits = self.engine.similar(product.id, k)
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

    # recommendations ------------------------------------------------------------
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
        _check_k(k)
        if self.recs_damaged is not None:
            raise self.recs_damaged
        filters = Filters()
        matches: list[Product] = []
        allowed: set[str] | None = None
        if query and query.strip():
            try:
                result = self.engine.search(query, k=_INTENT_POOL)
            except EmptyQueryError as exc:
                raise BadRequest("the query is empty") from exc
            filters = result.filters
            # The query's good matches ("lego": the LEGO sets, not the nearest of the rest);
            # a query naming nothing ("gift ideas") keeps to its filters' nearest products.
            good = [hit for hit in result.hits if hit.matched]
            matches = [hit.product for hit in good or result.hits]
            allowed = {p.id for p in matches}
        unavailable = frozenset() if out_of_stock else self.engine.out_of_stock()
        if unavailable:
            matches = [product for product in matches if product.id not in unavailable]
        picks: dict[str, Suggestion] = {}
        personal = self._personal(user_id)
        looked = self._looked_at(user_id, None if personal else viewing)
        room = (k + 1) // 2 if personal else k  # look-alikes leave room for the model's picks
        for seen, why in looked:
            share = min(room, len(picks) + -(-room // len(looked)))
            for hit in self.engine.similar(seen.id, k=max(3 * k, 30)):
                if len(picks) >= share:
                    break
                if hit.product.id in unavailable:
                    continue
                if allowed is None or hit.product.id in allowed:
                    reason = f"similar to {short_title(seen.title)}, {why}"
                    picks.setdefault(hit.product.id, Suggestion(hit.product, hit.score, reason))
        if self.recs is None:
            for suggestion in self._top_rated(k, None if allowed is None else matches):
                picks.setdefault(suggestion.product.id, suggestion)
        else:
            by_id = unlisted and allowed is None and self._catalog_apart()
            recs = self.recs.recommend(user_id, k + _SPARE, allowed=allowed, excluded=unavailable)
            for rec in recs:
                product = self.engine.get(rec.item_id)
                if product is None and by_id:
                    product = Product(id=rec.item_id, title="")
                if product is not None:
                    picks.setdefault(product.id, Suggestion(product, rec.score, rec.reason))
        for product in matches:
            if len(picks) >= k:
                break
            picks.setdefault(product.id, Suggestion(product, 0.0, f'matches "{query}"'))
        return list(picks.values())[:k], filters

    def _catalog_apart(self) -> bool:
        """Whether the recommender shares no item with the catalog (it was trained on other
        ids, or before any catalog): only then are its items shown by id. Otherwise an item
        missing from the catalog was deleted from it, and is not recommended."""
        return self.recs is not None and not any(i in self.engine for i in self.recs.item_ids)

    def _title_of(self, product_id: str) -> str | None:
        product = self.engine.get(product_id)
        return None if product is None else short_title(product.title)

    def _personal(self, user_id: str) -> bool:
        """Whether the recommender has a history for the shopper to personalise from."""
        return self.recs is not None and bool(self.recs.history(user_id))

    def _looked_at(self, user_id: str, viewing: str | None) -> list[tuple[Product, str]]:
        """Products to suggest look-alikes of, with the reason's ending: the one being
        `viewing`, then (newest first, at most three in all) those of the shopper's live
        events that the recommender has no data for, so that those events count too."""
        looked: dict[str, tuple[Product, str]] = {}
        if viewing is not None:
            looked[viewing] = (self.product(viewing), "which you are looking at")
        for item_id, event in self.db.recent_events(user_id):
            if len(looked) >= _LOOKED_AT or item_id in looked:
                continue
            if self.recs is None or not self.recs.knows_item(item_id):
                product = self.engine.get(item_id)
                if product is not None:  # deleted since
                    looked[item_id] = (product, _EVENT_REASON.get(event, "which you viewed"))
        return list(looked.values())

    def record_event(self, user_id: str, item_id: str, event: str) -> None:
        """A view, cart or purchase: the shopper's next recommendations reflect it at once."""
        if event not in EVENT_TYPES:
            raise BadRequest(f"event must be one of {', '.join(EVENT_TYPES)}")
        if not user_id.strip():
            raise BadRequest("user_id is empty")
        if item_id not in self.engine and not (self.recs and self.recs.knows_item(item_id)):
            self.product(item_id)  # NotFound: neither the catalog nor the recommender has it
        self.db.add_event(user_id, item_id, event)
        if self.recs is not None:
            self.recs.record([Event(user_id, item_id, event)])

    def _top_rated(self, k: int, among: list[Product] | None) -> list[Suggestion]:
        """The best-rated products in stock: of ``among`` when given, else of the whole
        store (browsed through the search index's columns, no product scan)."""
        if among is None:
            pool = [hit.product for hit in self.engine.search("", k, Filters(in_stock=True)).hits]
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


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise BadRequest(f"k must be between 1 and {MAX_K}")


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
