"""Persisting live catalog changes: the change log against saving the whole index; writes
the "live-changes" section of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.live_changes [--sizes 10000 100000] [--changes 20]

For each size, a synthetic catalog (`benchmarks.search_speed`'s products and vectors) is
built, saved and loaded again, as the server loads it. Each of ``--changes`` product
updates is applied (`SearchEngine.upsert`) and then persisted both ways, in the same
process: logged (one fsynced line, `retrieval.changelog`: what the shop does now) and
saved whole (`retrieval.storage.save_atomically`: what it did before). Then the index is
loaded again and the log replayed, as a restart does. Medians; ratio = save / log.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_section
from benchmarks.search_speed import mixed_vectors, synthetic_catalog
from retrieval.catalog import Product
from retrieval.changelog import COMPACT_AFTER, ChangeLog
from retrieval.embedder import Embedder, get_embedder
from retrieval.lexical import LexicalIndex
from retrieval.search import SearchEngine, document_text
from retrieval.storage import save_atomically
from retrieval.vector_index import VectorIndex

SAMPLE = 300
"""Real embeddings the synthetic vectors are mixed from."""


def measure(size: int, changes: int, embedder: Embedder, folder: Path) -> dict[str, Any]:
    products = synthetic_catalog(size)
    sample = embedder.embed([document_text(p) for p in products[:SAMPLE]])
    vectors = mixed_vectors(sample, size)
    index = VectorIndex.build(vectors, exact_threshold=50_000)
    lexical = LexicalIndex.build([document_text(p) for p in products])
    engine = SearchEngine(products, embedder, index, lexical)
    save_atomically(engine, folder / "index")
    engine = SearchEngine.load(folder / "index", embedder)
    log = ChangeLog.open(folder / "changes.jsonl", engine)
    logged, saved = [], []
    for number in range(changes):
        old = engine.products[(number * 7919) % size]
        changed = Product(id=old.id, title=f"{old.title} v{number}", price=9.99)
        engine.upsert([changed])
        started = time.perf_counter()
        log.upserted([changed])
        logged.append(time.perf_counter() - started)
        started = time.perf_counter()
        save_atomically(engine, folder / "copy")
        saved.append(time.perf_counter() - started)
    started = time.perf_counter()
    reloaded = SearchEngine.load(folder / "index", embedder)
    replayed = ChangeLog.open(folder / "changes.jsonl", reloaded)
    restart = time.perf_counter() - started
    assert replayed.pending == changes
    return {
        "size": size,
        "hnsw": not index.is_exact,
        "log_ms": statistics.median(logged) * 1000,
        "save_s": statistics.median(saved),
        "restart_s": restart,
        "changes": changes,
    }


def render(rows: list[dict[str, Any]], args: Any) -> str:
    sizes = " ".join(str(r["size"]) for r in rows)
    lines = [
        "## Live catalog changes",
        "",
        f"`python -m benchmarks.live_changes --sizes {sizes} --changes {args.changes}` — "
        f"{machine()}, {args.threads} threads.",
        "",
        "Persisting one product update after `upsert`: one fsynced line of the change log "
        "(what `POST/PUT/DELETE /v1/products` and `products upsert` do now) against saving "
        "the whole index crash-safely (what they did before). The index is saved whole "
        f"once {COMPACT_AFTER:,} products have changed, and a restart replays the log.",
        "",
        "| products | vector index | logged (ms, median) | whole save (s, median) | ratio | "
        "restart: load + replay of the changes (s) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']:,} | {'HNSW' if r['hnsw'] else 'exact'} | {r['log_ms']:.2f} | "
            f"{r['save_s']:.2f} | {r['save_s'] * 1000 / r['log_ms']:,.0f}x | "
            f"{r['restart_s']:.1f} ({r['changes']} changes) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    embedder = get_embedder("minilm", threads=args.threads)
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="live-changes-") as temp:
            rows.append(measure(size, args.changes, embedder, Path(temp)))
        print(rows[-1], flush=True)
    text = render(rows, args)
    print(text)
    if not args.no_write:
        write_section("live-changes", text)


if __name__ == "__main__":
    main()
