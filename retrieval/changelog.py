"""Catalog changes made since the search index was last saved, kept in an append-only file
beside it: a live change costs one fsynced line instead of saving the whole index again.

The file's first line names the generation of the saved index the changes apply to (see
`SearchEngine.generation`); each further line is one change, ``{"upsert": [product, ...]}``
or ``{"delete": [id, ...]}``. Opening the log replays its changes into an engine loaded from
that generation. A log of another generation is dropped: the index was saved or rebuilt
after it, and that copy already holds its changes or replaces them. A last line cut short
by a crash is dropped too: that change was never acknowledged.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .catalog import Product
from .search import SearchEngine

logger = logging.getLogger(__name__)

COMPACT_AFTER = 1000
"""Products changed since the last save after which the owner should save the index and
`restart` the log (replaying a long log at startup re-embeds every product in it)."""


class ChangeLog:
    """The changes of one engine since its last save; `open` replays an existing log."""

    def __init__(self, path: Path, generation: str, pending: int = 0) -> None:
        self.path = path
        self.generation = generation
        self.pending = pending
        """Products upserted or deleted since the index was saved."""

    @classmethod
    def open(cls, path: Path, engine: SearchEngine) -> ChangeLog:
        """The log at `path` for `engine`, whose changes are applied to it first."""
        path = Path(path)
        _cut_torn_tail(path)
        lines = _read_lines(path)
        header = _parse(lines[0]) if lines else None
        if header is None or header.get("generation") != engine.generation:
            if lines:
                logger.info("%s belongs to an earlier copy of the index: dropped", path)
            log = cls(path, engine.generation)
            log.restart(engine.generation)
            return log
        pending = 0
        for number, line in enumerate(lines[1:], start=2):
            change = _parse(line)
            try:
                pending += _apply(engine, change or {})
            except (KeyError, TypeError, AttributeError):
                change = None
            if change is None:
                logger.warning("%s, line %d: unreadable change dropped (cut short?)", path, number)
        if pending:
            logger.info("replayed %d product changes from %s", pending, path)
        return cls(path, engine.generation, pending)

    def upserted(self, products: Sequence[Product]) -> None:
        self._append({"upsert": [product.to_dict() for product in products]}, len(products))

    def deleted(self, product_ids: Sequence[str]) -> None:
        self._append({"delete": list(product_ids)}, len(product_ids))

    def restart(self, generation: str) -> None:
        """Start an empty log for a newly saved `generation` (written aside, then renamed)."""
        aside = self.path.with_name(f".{self.path.name}.new")
        with aside.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps({"generation": generation}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(aside, self.path)
        self.generation, self.pending = generation, 0

    def _append(self, change: dict[str, Any], count: int) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(change, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.pending += count


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line that a crash cut short, so the next change starts a line of its own."""
    try:
        with path.open("rb+") as handle:
            data = handle.read()
            if data and not data.endswith(b"\n"):
                logger.warning("%s: dropped a change cut short by a crash", path)
                handle.truncate(data.rfind(b"\n") + 1)
    except FileNotFoundError:
        pass


def _read_lines(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return [line for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def _parse(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _apply(engine: SearchEngine, change: dict[str, Any]) -> int:
    """Apply one change; KeyError or TypeError when it is not a change."""
    if "upsert" in change:
        products = [Product.from_dict(data) for data in change["upsert"]]
        engine.upsert(products)
        return len(products)
    ids = [str(product_id) for product_id in change["delete"]]
    engine.delete(ids)
    return len(ids)
