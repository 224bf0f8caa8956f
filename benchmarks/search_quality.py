"""Search quality on the judged development set: BM25 alone, dense alone and the hybrid,
side by side; writes the "search-quality" section of docs/benchmarks.md.

    .venv/bin/python -m benchmarks.search_quality [--catalog PATH] [--no-write]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_section
from retrieval.catalog import AMAZON_SAMPLE_MAPPING, load_catalog
from retrieval.embedder import get_embedder
from retrieval.evaluation import evaluate, load_judged
from retrieval.search import SearchEngine

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT.parent / "shared/data/catalog-amazon-1000/products.csv"
DEV_SET = ROOT / "benchmarks/data/search_dev.jsonl"
KINDS = ("keyword", "natural", "constraint", "typo", "synonym")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    products = load_catalog(args.catalog, AMAZON_SAMPLE_MAPPING).products
    queries = load_judged(DEV_SET)
    embedder = get_embedder("minilm", threads=args.threads)
    started = time.perf_counter()
    engine = SearchEngine.build(products, embedder)
    built = time.perf_counter() - started
    report = evaluate(engine, queries)
    print(json.dumps(report, indent=2), file=sys.stderr)
    markdown = render(report, len(products), len(queries), built)
    print(markdown)
    if not args.no_write:
        write_section("search-quality", markdown)


def render(report: dict[str, dict[str, Any]], products: int, queries: int, built: float) -> str:
    counts = {kind: report["hybrid"]["by_kind"].get(kind, {}).get("queries", 0) for kind in KINDS}
    lines = [
        "## Search quality",
        "",
        f"`python -m benchmarks.search_quality` — {machine()}. Catalog: the Amazon sample "
        f"({products} products, index built in {built:.0f} s); judged set "
        f"`benchmarks/data/search_dev.jsonl`: {queries} shopper queries "
        f"({', '.join(f'{n} {k}' for k, n in counts.items())}, plus not-carried ones), "
        "graded 0-3 by reading every product in the pooled top 20 of the three rankers.",
        "",
        "| ranker | nDCG@10 | Recall@50 | MRR | top-10 constraint violations | "
        "not carried, said so | carried, said not carried |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode in ("bm25", "dense", "hybrid"):
        row = report[mode]
        flagged = row["no_good_match"]
        lines.append(
            f"| {mode} | {row['ndcg']:.3f} | {row['recall']:.3f} | {row['mrr']:.3f} | "
            f"{row['violations']:.1%} | {flagged['not_carried']:.0%} | {flagged['carried']:.0%} |"
        )
    lines += ["", "nDCG@10 by query kind:", "", "| ranker | " + " | ".join(KINDS) + " |"]
    lines.append("|---|" + "---|" * len(KINDS))
    for mode in ("bm25", "dense", "hybrid"):
        by_kind = report[mode]["by_kind"]
        cells = " | ".join(f"{by_kind.get(kind, {}).get('ndcg', 0.0):.3f}" for kind in KINDS)
        lines.append(f"| {mode} | {cells} |")
    lines += ["", NOTES]
    return "\n".join(lines)


NOTES = """\
How to read this honestly:

- Recall@50 and MRR count grade >= 2 as relevant; nDCG uses gains 2^grade - 1. Queries
  with no relevant product (the not-carried ones) are left out of those means.
- The judging pool was built when the loader skipped the 10 products with an unreadable
  price; it now keeps them (price unknown), and where they rank they count as not
  relevant, unjudged. That cost the hybrid 0.002 nDCG@10 (0.862 before).
- Every ranker searches the query as typed, with filters in the text understood and
  applied as hard filters, so violations are 0% by construction; the column guards it.
- "bm25" here is the project's lexical side, which includes typo correction (one edit
  to the most frequent indexed word) and a small list of general shopping synonyms
  (`retrieval/lexical.py`). Before these were added, on the same set, plain BM25 scored
  nDCG@10 0.720 and the hybrid 0.817 (typo queries 0.415 / 0.608, synonym queries
  0.551 / 0.753). The synonym list was written while looking at this set's failures,
  so the synonym-kind numbers flatter it; the typo correction has no tuned parts.
- The fusion weight (0.5 dense / 0.5 BM25, min-max normalised) was chosen on this same
  set: 0.3 / 0.5 / 0.6 / 0.7 gave hybrid nDCG@10 0.787 / 0.864 / 0.864 / 0.850 (0.3
  measured before typo tolerance). There is no held-out split, so expect a little less
  on new queries.
- The judgments were pooled from these same three rankers, so products none of them
  found are unjudged (counted as 0); a few obvious misses were added by hand.
- Three queries state an age or piece count ("1000 piece jigsaw puzzle", "... for a
  newborn baby", "musical toy for a baby"); when the search learned to read those, they
  got them as `constraints`, and the 7 products graded 2-3 that break them (a 1500-piece
  puzzle, a "3 years and up" plush) were regraded 1, as the grade scale says.
- `no_good_match`: the best hit's cosine similarity is below 0.425 and it lacks some
  query word. Calibrated on this set's 7 not-carried queries and the 59 others, for the
  7-bit int8 model: among best hits lacking a query word, the not-carried "laptop
  charger" scores 0.422 and the carried "science experiment kit for a curious kid"
  0.429, so the cut-off sits between them (0.43, set for the 8-bit model, flagged the
  carried one). The two int8 paths of x86-64 CPUs agree to about 0.001 on these scores
  (docs/benchmarks.md, "int8 across CPUs"), but the margin is thin: a catalog's own
  queries near the line can go either way. The export built without torch (recipe 3)
  has the same int8 weights, but its activations round differently (vectors at a cosine
  of 0.994-1.0 to the traced export's), and that was enough to lift "laptop charger"
  over the line: 4 of 7 not-carried queries flagged, against 5 before. Missed:
  "espresso coffee maker" and "lawn mower" (the store sells toy versions) and "laptop
  charger"."""


if __name__ == "__main__":
    main()
