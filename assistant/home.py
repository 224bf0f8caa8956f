"""The home folder: where each persisted part lives, and how the parts are (re)built.

Layout::

    HOME/catalog/   search engine (vectors, FAISS, BM25, products)
    HOME/recs/      trained recommender
    HOME/nlu/       intent model
    HOME/policies/  store policy documents (Markdown), quoted by the assistant
    HOME/shop.db    SQLite: sessions, messages, orders, tickets
    HOME/catalog-changes.jsonl  live catalog changes since the index was saved
    HOME/.lock      held by the process changing the home (see `Home.writing`)

Every build writes into a temporary sibling folder and swaps it in atomically
(`retrieval.storage.replace_folder`), so an interrupted build (even `kill -9`) leaves the
previous version in place and nothing half-written.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.db import Database
from assistant.errors import BadRequest
from assistant.nlu.intents import OUT_OF_SCOPE, IntentModel, builtin_examples
from recommenders.errors import RecommenderError
from recommenders.interactions import load_interactions
from recommenders.service import RecommendationService
from retrieval.catalog import Product, load_catalog
from retrieval.embedder import Embedder
from retrieval.errors import RetrievalError
from retrieval.search import SearchEngine
from retrieval.storage import replace_folder

log = logging.getLogger(__name__)

SERVER = "serve"
"""The `writing` purpose of a server: it holds the home for as long as it runs."""
_held: dict[Path, int] = {}
"""Homes this process holds the write lock of, with how many `writing` blocks hold it."""


@dataclass(frozen=True)
class Home:
    root: Path

    @contextmanager
    def writing(self, purpose: str, wait: float = 900.0) -> Iterator[None]:
        """Hold the home's write lock (an flock on `HOME/.lock`, released even by `kill -9`)
        while `purpose` changes it, so that two processes never change one home at once and
        lose each other's changes. Another writer is waited for, up to `wait` seconds; a
        running server is not (it keeps the catalog in memory and changes it through its
        API): that is a BadRequest at once. Re-entrant within a process."""
        path = (self.root / ".lock").resolve()
        if path in _held:
            _held[path] += 1
            try:
                yield
            finally:
                _held[path] -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(descriptor, path, wait)
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{purpose} (pid {os.getpid()})".encode(), 0)
            _held[path] = 1
            try:
                yield
            finally:
                del _held[path]
                os.ftruncate(descriptor, 0)
        finally:
            os.close(descriptor)  # releases the lock

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def recs(self) -> Path:
        return self.root / "recs"

    @property
    def nlu(self) -> Path:
        return self.root / "nlu"

    @property
    def policies(self) -> Path:
        return self.root / "policies"

    @property
    def database(self) -> Path:
        return self.root / "shop.db"

    @property
    def catalog_changes(self) -> Path:
        """Live catalog changes since the index was last saved (`retrieval.changelog`)."""
        return self.root / "catalog-changes.jsonl"

    def has_catalog(self) -> bool:
        return (self.catalog / "meta.json").exists()

    def has_recommender(self) -> bool:
        return (self.recs / "meta.json").exists()


def index_catalog(
    home: Home,
    path: Path,
    embedder: Embedder,
    *,
    mapping: Mapping[str, str] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Load a catalog file, build the search engine and swap it into the home."""
    started = time.perf_counter()
    try:
        loaded = load_catalog(path, mapping)
    except RetrievalError as exc:
        raise BadRequest(str(exc)) from exc
    for error in loaded.errors:
        log.warning("skipped %s:%d: %s", error.file, error.line, error.reason)
    if not loaded.products:
        raise BadRequest(f"{path}: no valid products ({len(loaded.errors)} bad rows)")
    engine = SearchEngine.build(loaded.products, embedder, progress=progress)
    replace_folder(home.catalog, engine.save)
    return {
        "products": len(loaded.products),
        "skipped": len(loaded.errors),
        "errors": [
            {"file": e.file, "line": e.line, "reason": e.reason} for e in loaded.errors[:50]
        ],
        "warnings": [
            {"file": e.file, "line": e.line, "reason": e.reason} for e in loaded.warnings[:50]
        ],
        "seconds": round(time.perf_counter() - started, 2),
    }


def train_recommender(
    home: Home,
    path: Path,
    products: Sequence[Product],
    *,
    algorithm: str,
    mapping: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Train a recommender from an interactions file, plus the events the home's database
    recorded so far (`summary["events_through"]`: the last one's id, so that a restart
    replays only those since), and swap it into the home."""
    started = time.perf_counter()
    try:
        loaded = load_interactions(path, mapping)
    except RecommenderError as exc:
        raise BadRequest(str(exc)) from exc
    for error in loaded.errors:
        log.warning("skipped %s:%d: %s", error.file, error.line, error.reason)
    if not loaded.events:
        raise BadRequest(f"{path}: no valid interactions ({len(loaded.errors)} bad rows)")
    db = Database(home.database)  # the live events recorded so far are folded in
    try:
        through = db.last_event_id()
        events = loaded.events + db.events(through=through)
    finally:
        db.close()
    items = {event.item_id for event in events}
    titles, categories = {}, {}
    for product in products:  # one pass: a loaded catalog's products are read from disk
        if product.id in items:
            titles[product.id], categories[product.id] = product.title, product.category
    if products and len(titles) < len(items):
        log.warning(
            "%d of the %d items in %s are not in the catalog: recommendations leave them out "
            "(only a model sharing no item with the catalog recommends by id)",
            len(items) - len(titles),
            len(items),
            path,
        )
    try:
        service = RecommendationService.train(
            events, algorithm=algorithm, item_titles=titles, item_categories=categories
        )
        service.summary["events_through"] = through
    except RecommenderError as exc:
        raise BadRequest(str(exc)) from exc
    replace_folder(home.recs, service.save)
    return {
        **service.summary,
        "items_in_catalog": len(titles),
        "skipped": len(loaded.errors),
        "seconds": round(time.perf_counter() - started, 2),
    }


def train_intents(
    home: Home,
    embedder: Embedder,
    extra: list[tuple[str, str]] | None = None,
    *,
    replace: bool = False,
    method: str = "linear",
) -> dict[str, Any]:
    """Train the intent model from the built-in examples plus `extra` (or, with `replace`,
    `extra` and the built-in out_of_scope examples, unless `extra` has its own: a store's
    own intent set still needs to tell "what is the capital of France" from all of them)."""
    started = time.perf_counter()
    examples = builtin_examples() + list(extra or [])
    if replace:
        examples = list(extra or [])
        if all(intent != OUT_OF_SCOPE for _, intent in examples):
            examples += [ex for ex in builtin_examples() if ex[1] == OUT_OF_SCOPE]
    model = IntentModel.train(examples, embedder, method=method)
    replace_folder(home.nlu, model.save)
    return {
        "examples": len(examples),
        "intents": len(model.classes),
        "method": method,
        "seconds": round(time.perf_counter() - started, 2),
    }


def build_demo(
    home: Home, embedder: Embedder, *, algorithm: str, progress: bool, now: datetime
) -> None:
    """First use of an empty home: build the demo store that ships in `assistant/demo`,
    its orders dated relative to `now` (the store clock).

    The catalog index goes in last: its presence marks the home as built, so an interrupted
    first run is simply redone.
    """
    from assistant.demo import DATA_DIR
    from assistant.demo.orders import orders_as_of

    log.info("building the demo store in %s (first use)", home.root)
    catalog = DATA_DIR / "catalog.csv"
    products = load_catalog(catalog).products
    if not home.has_recommender():  # one trained in this home before its catalog is kept
        train_recommender(home, DATA_DIR / "interactions.csv", products, algorithm=algorithm)
    if not home.policies.exists():
        shutil.copytree(DATA_DIR / "policies", home.policies)
    db = Database(home.database)
    try:
        db.upsert_orders(orders_as_of(now))
    finally:
        db.close()
    index_catalog(home, catalog, embedder, progress=progress)


def _lock(descriptor: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    announced = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = os.pread(descriptor, 200, 0).decode(errors="replace") or "another process"
        if holder.startswith(SERVER):
            raise BadRequest(
                f"{path.parent} is in use by `shopassist {holder}`: stop the server first "
                "(while it runs, its catalog can change through its API: POST/PUT/DELETE "
                "/v1/products)"
            )
        if time.monotonic() > deadline:
            raise BadRequest(f"{path.parent} is still being changed by {holder}; try again later")
        if not announced:
            log.warning("waiting for %s to finish changing %s", holder, path.parent)
            announced = True
        time.sleep(0.2)
