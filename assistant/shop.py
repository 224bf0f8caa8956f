"""The shop: the composition root. `Shop.open` loads every part under a home (the live
catalog, the recommender, the database; the intent model and policies on first use) and
wires the services the CLI, the API and the chat tools share: `catalog`,
`recommendations`, `carts` and `orders`."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from assistant.carts import Carts
from assistant.catalog import Catalog
from assistant.db import Database
from assistant.errors import Damaged
from assistant.home import Home, build_demo, train_intents
from assistant.nlu.intents import IntentModel
from assistant.orders import Orders
from assistant.policies import PolicyIndex
from assistant.recommendations import Recommendations
from assistant.settings import Settings
from recommenders.errors import ModelNotTrainedError, RecommenderError
from recommenders.service import RecommendationService
from retrieval.changelog import ChangeLog
from retrieval.embedder import Embedder
from retrieval.errors import IndexMismatchError, RetrievalError
from retrieval.live import LiveCatalog
from retrieval.search import SearchEngine
from retrieval.storage import recover, save_atomically

log = logging.getLogger(__name__)


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
        catalog: Catalog,
        recommendations: Recommendations,
        db: Database,
        clock: Callable[[], datetime],
    ) -> None:
        self.home = home
        self.embedder = embedder
        self.db = db
        self.clock = clock
        """The store's current time (`Settings.clock`): order rules read it."""
        self.catalog = catalog
        self.recommendations = recommendations
        self.carts = Carts(catalog, db, recommendations)
        self.orders = Orders(db, clock)

    @classmethod
    def open(
        cls, settings: Settings, *, progress: bool = False, embedder: Embedder | None = None
    ) -> Shop:
        """Load everything under the settings' home, building the demo store into an empty one."""
        set_threads(settings.threads)
        home = Home(settings.home)
        embedder = embedder or settings.load_embedder()
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
        catalog = Catalog(_open_catalog(home, embedder, progress=progress))
        db = Database(home.database)
        recommendations = _open_recommendations(home, catalog, db)
        return cls(home, embedder, catalog, recommendations, db, settings.clock)

    @cached_property
    def intents(self) -> IntentModel:
        """The home's intent model; trained first when there is none, or when it was
        trained on the vectors of another embedder than the store's."""
        if not IntentModel.fits(self.home.nlu, self.embedder):
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
        if self.recommendations.damaged is not None:
            log.warning("%s; recommendations are refused until then", self.recommendations.damaged)
        _ = self.policies

    def close(self) -> None:
        self.db.close()


def _open_catalog(home: Home, embedder: Embedder, *, progress: bool) -> LiveCatalog:
    """The home's catalog with its logged changes replayed; an index an earlier version
    built is re-indexed once; a file that cannot be read is Damaged, naming the command."""
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
    return LiveCatalog(engine, changes, home.catalog)


def _open_recommendations(home: Home, catalog: Catalog, db: Database) -> Recommendations:
    """The home's recommender, with the live events recorded since it was trained folded
    in; without one, top-rated products; a damaged one refuses only recommendations."""
    try:
        model = RecommendationService.load(home.recs)
    except ModelNotTrainedError:
        log.info("no recommender trained in %s: recommending top-rated products", home.recs)
        return Recommendations(catalog, None, db)
    except RecommenderError as exc:
        damaged = Damaged(f"{exc} with `shopassist train --interactions FILE`")
        return Recommendations(catalog, None, db, damaged)
    # Live events since the last training still shape recommendations after a restart.
    since = db.events(after=int(model.summary.get("events_through", 0)))
    if since:
        model.record(since)
    return Recommendations(catalog, model, db)
