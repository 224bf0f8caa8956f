"""The served catalog: a search engine that products are added to, replaced in and deleted
from while it serves, each change logged, and the whole index saved again now and then."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .catalog import Product
from .changelog import COMPACT_AFTER, ChangeLog
from .errors import ProductExistsError, ProductNotFoundError
from .search import SearchEngine
from .storage import save_atomically


class LiveCatalog:
    """`engine`, the index saved in `folder`, plus the changes logged in `changes` since
    that save (replayed into it by `ChangeLog.open`). Once the log holds `COMPACT_AFTER`
    products, the whole index is saved again crash-safely and a new log started: a crash
    in between replays nothing twice, as the old log names the replaced copy and is
    dropped."""

    def __init__(self, engine: SearchEngine, changes: ChangeLog, folder: Path) -> None:
        self.engine = engine
        self.changes = changes
        self.folder = folder

    def add(self, products: Sequence[Product], *, replace: bool) -> None:
        """Add new products (ProductExistsError if an id is taken) or, with `replace`, add
        or replace them; both indexes change in place and the change is logged."""
        with self.engine.changes_held():
            if not replace:
                taken = [p.id for p in products if p.id in self.engine]
                if taken:
                    raise ProductExistsError(f"products already exist: {', '.join(taken[:10])}")
            self.engine.upsert(products)
            self.changes.upserted(products)
            self._compact_if_due()

    def delete(self, product_ids: Sequence[str]) -> None:
        """Delete products (ProductNotFoundError, and nothing deleted, if one is unknown)."""
        with self.engine.changes_held():
            missing = [pid for pid in product_ids if pid not in self.engine]
            if missing:
                raise ProductNotFoundError(f"no product with id {', '.join(missing[:10])}")
            self.engine.delete(product_ids)
            self.changes.deleted(product_ids)
            self._compact_if_due()

    def _compact_if_due(self) -> None:
        if self.changes.pending >= COMPACT_AFTER:
            save_atomically(self.engine, self.folder)
            self.changes.restart(self.engine.generation)
