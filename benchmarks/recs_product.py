"""Recommendations through the product path: what a store gets from the command line.

    python -m benchmarks.recs_product [--data ../shared/data] [--only movielens|beauty]
                                      [--no-write]

For each data set, in a fresh temporary home, the script writes the training interactions
to a CSV (`user_id,item_id,rating,timestamp`), runs `shopassist train --interactions
train.csv --json` with the default algorithm, then `shopassist recommend --batch users.txt
--k 10`, and scores the JSON lines it prints against the held-out items. It uses only the
command-line contract (../shared/CONTRACTS.md), never the project's modules, and writes
the "recs-product" section of docs/benchmarks.md (unless --no-write).

Protocols, implemented here from their published descriptions:

* MovieLens-100K, Microsoft Recommenders: `python_stratified_split(ratio=0.75, seed=42)`
  (one uniform draw per rating in file order with numpy's seed 42; per user, ratings sorted
  by that draw, the first round(0.75 * n) are train); every test rating is a relevant item;
  nDCG@10 (binary), HR@10, precision@10, recall@10 averaged over test users.
* Amazon Beauty, S3-Rec: each user's last item is the test item, ranked against all items
  with the user's other items excluded; train holds the rest with rating 1 and the position
  in the sequence as timestamp; HR@10 and NDCG@10 averaged over all users.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import machine, write_section

ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).with_name("shopassist")
# The console script beside this interpreter, else `python -m assistant` (the same CLI).
SHOPASSIST = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "assistant"]
K = 10
SEED = 42
TRAIN_RATIO = 0.75
ENV = {
    "HF_HUB_OFFLINE": "1",
    "SHOPASSIST_LLM": "local",
    "OMP_NUM_THREADS": "2",
    "OPENBLAS_NUM_THREADS": "2",
    "MKL_NUM_THREADS": "2",
}
COMMAND = "python -m benchmarks.recs_product"


@dataclass
class Split:
    """Training rows (user, item, rating, timestamp) and each test user's relevant items."""

    train: list[tuple[str, str, float, int]]
    test: dict[str, set[str]]
    items: set[str]

    def seen(self) -> dict[str, set[str]]:
        history: dict[str, set[str]] = {}
        for user, item, _, _ in self.train:
            history.setdefault(user, set()).add(item)
        return history


@dataclass
class Run:
    """What the product did: its train summary, wall times and recommendations."""

    summary: dict[str, Any]
    train_log: str
    train_seconds: float
    first_seconds: float
    first_log: str
    recommend_seconds: float
    recommended: dict[str, list[str]]


@dataclass
class Checks:
    """Departures from the protocol seen in the product's answers."""

    missing_users: int = 0
    seen_dropped: int = 0
    users_with_seen: int = 0
    foreign_ids: int = 0
    foreign_examples: list[str] = field(default_factory=list)
    short_lists: int = 0
    duplicates: int = 0

    def lines(self) -> list[str]:
        notes = []
        if self.missing_users:
            notes.append(f"{self.missing_users} test users got no output line (scored 0)")
        if self.seen_dropped:
            notes.append(
                f"{self.seen_dropped} recommended items were the user's own training items "
                f"({self.users_with_seen} users); dropped before scoring"
            )
        if self.foreign_ids:
            examples = ", ".join(self.foreign_examples[:5])
            notes.append(
                f"{self.foreign_ids} recommended ids are not item ids of the data set "
                f"(e.g. {examples}); kept, they can never be hits"
            )
        if self.duplicates:
            notes.append(f"{self.duplicates} ids repeated within a user's list; repeats dropped")
        if self.short_lists:
            notes.append(f"{self.short_lists} users got fewer than {K} scoreable items")
        return notes or ["none: every list had 10 unseen data-set items"]


# --- data and splits -------------------------------------------------------------------


def movielens_split(path: Path) -> Split:
    """MS Recommenders `python_stratified_split(ratio=0.75, seed=42)` on u.data."""
    table = np.loadtxt(path, dtype=np.int64, delimiter="\t")
    draw = np.random.RandomState(SEED).rand(len(table))
    order = np.lexsort((draw, table[:, 0]))  # by user, then by the random draw
    users = table[order, 0]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    counts = np.diff(np.r_[starts, len(users)])
    rank = np.arange(len(users)) - np.repeat(starts, counts) + 1
    in_train = rank <= np.round(TRAIN_RATIO * np.repeat(counts, counts))
    train: list[tuple[str, str, float, int]] = []
    test: dict[str, set[str]] = {}
    for row, keep in zip(table[order], in_train, strict=True):
        user, item, rating, stamp = (int(value) for value in row)
        if keep:
            train.append((str(user), str(item), float(rating), stamp))
        else:
            test.setdefault(str(user), set()).add(str(item))
    return Split(train, test, {str(item) for item in table[:, 1]})


def beauty_split(path: Path) -> Split:
    """S3-Rec leave-last-out: every item but the last trains, positions as timestamps."""
    train: list[tuple[str, str, float, int]] = []
    test: dict[str, set[str]] = {}
    items: set[str] = set()
    for line in path.read_text().splitlines():
        user, *sequence = line.split()
        if not sequence:
            continue
        items.update(sequence)
        train += [(user, item, 1.0, position) for position, item in enumerate(sequence[:-1])]
        test[user] = {sequence[-1]}
    return Split(train, test, items)


def write_inputs(split: Split, folder: Path) -> tuple[Path, Path]:
    interactions, users = folder / "train.csv", folder / "users.txt"
    with interactions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "item_id", "rating", "timestamp"])
        writer.writerows((u, i, f"{r:g}", t) for u, i, r, t in split.train)
    users.write_text("".join(f"{user}\n" for user in split.test))
    return interactions, users


# --- the product -------------------------------------------------------------------------


def product_env() -> dict[str, str]:
    """The caller's environment without SHOPASSIST_* settings (so the default algorithm,
    a fresh home and the default SQLite database apply), plus offline and thread caps."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SHOPASSIST_")}
    return env | ENV


def shopassist(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    command = [*SHOPASSIST, "--home", str(home), *args]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=product_env())
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"`{' '.join(command)}` exited with {done.returncode}")
    return done, seconds


def run_product(split: Split, folder: Path) -> Run:
    interactions, users = write_inputs(split, folder)
    home = folder / "home"
    home.mkdir()
    trained, train_seconds = shopassist(
        home, "train", "--interactions", str(interactions), "--json"
    )
    summary = json.loads(trained.stdout)
    print(json.dumps(summary, indent=2))
    if trained.stderr.strip():
        print(trained.stderr, file=sys.stderr)
    # One user first, timed apart: with an empty home this call also builds the demo
    # store's catalog, which is not part of answering the batch.
    first, first_seconds = shopassist(home, "recommend", next(iter(split.test)), "--k", str(K))
    answered, recommend_seconds = shopassist(
        home, "recommend", "--batch", str(users), "--k", str(K)
    )
    recommended: dict[str, list[str]] = {}
    for line in answered.stdout.splitlines():
        if line.strip():
            answer = json.loads(line)
            recommended[str(answer["user_id"])] = [str(item["id"]) for item in answer["items"]]
    return Run(
        summary,
        trained.stderr,
        train_seconds,
        first_seconds,
        first.stderr,
        recommend_seconds,
        recommended,
    )


# --- scoring -----------------------------------------------------------------------------


def clean(split: Split, run: Run) -> tuple[dict[str, list[str]], Checks]:
    """Each test user's list with repeats and the user's training items removed."""
    checks, seen, lists = Checks(), split.seen(), {}
    for user in split.test:
        if user not in run.recommended:
            checks.missing_users += 1
        kept: list[str] = []
        dropped_seen = 0
        for item in run.recommended.get(user, []):
            if item in kept:
                checks.duplicates += 1
            elif item in seen.get(user, ()):
                dropped_seen += 1
            else:
                kept.append(item)
                if item not in split.items:
                    checks.foreign_ids += 1
                    if item not in checks.foreign_examples:
                        checks.foreign_examples.append(item)
        checks.seen_dropped += dropped_seen
        checks.users_with_seen += dropped_seen > 0
        lists[user] = kept[:K]
        checks.short_lists += sum(item in split.items for item in lists[user]) < K
    return lists, checks


def score(test: dict[str, set[str]], lists: dict[str, list[str]]) -> dict[str, float]:
    """nDCG@10 (binary gains, ideal over min(10, |relevant|)), HR, precision, recall."""
    totals = dict.fromkeys(("nDCG@10", "HR@10", "Precision@10", "Recall@10"), 0.0)
    for user, relevant in test.items():
        hits = [item in relevant for item in lists.get(user, [])[:K]]
        dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
        ideal = sum(1 / math.log2(rank + 2) for rank in range(min(K, len(relevant))))
        totals["nDCG@10"] += dcg / ideal
        totals["HR@10"] += any(hits)
        totals["Precision@10"] += sum(hits) / K
        totals["Recall@10"] += sum(hits) / len(relevant)
    return {name: total / len(test) for name, total in totals.items()}


# --- the data sets -----------------------------------------------------------------------


@dataclass(frozen=True)
class DataSet:
    key: str
    title: str
    file: str
    split: Callable[[Path], Split]
    metrics: tuple[str, ...]
    references: tuple[tuple[str, dict[str, float]], ...]
    target: str


DATASETS = (
    DataSet(
        "movielens",
        "MovieLens-100K (MS Recommenders protocol)",
        "movielens-100k/u.data",
        movielens_split,
        ("nDCG@10", "HR@10", "Precision@10", "Recall@10"),
        (
            ("BiVAE (published)", {"nDCG@10": 0.475, "Precision@10": 0.412, "Recall@10": 0.219}),
            ("BPR (published)", {"nDCG@10": 0.442, "Precision@10": 0.388, "Recall@10": 0.213}),
            ("SAR (published)", {"nDCG@10": 0.382, "Precision@10": 0.331, "Recall@10": 0.176}),
        ),
        "nDCG@10 ≥ 0.50",
    ),
    DataSet(
        "beauty",
        "Amazon Beauty (S3-Rec protocol)",
        "amazon-beauty/Beauty.txt",
        beauty_split,
        ("HR@10", "nDCG@10"),
        (
            ("SASRec (published)", {"HR@10": 0.0605, "nDCG@10": 0.0318}),
            ("S3-Rec (published)", {"HR@10": 0.0647, "nDCG@10": 0.0327}),
        ),
        "nDCG@10 ≥ 0.034",
    ),
)


@dataclass
class Result:
    dataset: DataSet
    split: Split
    run: Run
    metrics: dict[str, float]
    checks: Checks


def measure(dataset: DataSet, data: Path) -> Result | None:
    path = data / dataset.file
    if not path.exists():
        print(f"skipping {dataset.title}: {path} is absent", file=sys.stderr)
        return None
    split = dataset.split(path)
    print(f"{dataset.title}: {len(split.train)} training rows, {len(split.test)} test users")
    with tempfile.TemporaryDirectory(prefix=f"recs-product-{dataset.key}-") as folder:
        run = run_product(split, Path(folder))
    lists, checks = clean(split, run)
    metrics = score(split.test, lists)
    print(
        f"{dataset.title}: "
        + ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())
        + f"; train {run.train_seconds:.1f} s, first recommend {run.first_seconds:.1f} s, "
        + f"recommend --batch {run.recommend_seconds:.1f} s"
    )
    for note in checks.lines():
        print(f"  check: {note}")
    return Result(dataset, split, run, metrics, checks)


# --- the report --------------------------------------------------------------------------


def chosen(summary: dict[str, Any]) -> str:
    """The algorithm and parameters the summary names, as it names them."""
    parts = [
        f"`{key}`: `{json.dumps(summary[key])}`"
        for key in ("algorithm", "params", "parameters", "reading", "chosen", "selected")
        if key in summary
    ]
    return "; ".join(parts) or "not named in the summary (see below)"


def candidate_tables(value: Any, path: str = "") -> list[str]:
    """Every list of objects in the summary (the candidates it tried, say) as a markdown
    table, its cells the summary's own values, in its own order."""
    if isinstance(value, dict):
        return [
            line for key, item in value.items() for line in candidate_tables(item, f"{path}.{key}")
        ]
    if not (isinstance(value, list) and value and all(isinstance(row, dict) for row in value)):
        return []
    columns = list(dict.fromkeys(key for row in value for key in row))
    lines = [f"`{path.lstrip('.')}` from the summary:", "", "| " + " | ".join(columns) + " |"]
    lines.append("|---" * len(columns) + "|")
    for row in value:
        cells = (_cell(row[column]) if column in row else "" for column in columns)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))
    return text.replace("|", "\\|")


def table(result: Result) -> list[str]:
    names = result.dataset.metrics
    algorithm = result.run.summary.get("algorithm", "default")
    rows = [
        "| | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
        f"| product (default: {algorithm}) | "
        + " | ".join(f"{result.metrics[name]:.4f}" for name in names)
        + " |",
    ]
    for label, figures in result.dataset.references:
        cells = (f"{figures[name]:.4f}" if name in figures else "–" for name in names)
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def section(result: Result) -> list[str]:
    split, run = result.split, result.run
    users = {user for user, *_ in split.train}
    items = {item for _, item, *_ in split.train}
    return [
        f"### {result.dataset.title}",
        "",
        f"{len(split.train):,} training rows ({len(users):,} users, {len(items):,} items), "
        f"{len(split.test):,} test users. Target: {result.dataset.target}.",
        f"Wall times: `train` {run.train_seconds:.1f} s; a first `recommend` for one user "
        f"{run.first_seconds:.1f} s{first_call_note(run)}; then `recommend --batch` for "
        f"all {len(split.test):,} users {run.recommend_seconds:.1f} s.",
        "",
        *table(result),
        "",
        f"Default choice: {chosen(run.summary)}.",
        "",
        "Departures from the protocol in the product's answers: "
        + "; ".join(result.checks.lines())
        + ".",
        "",
        *candidate_tables(run.summary),
        *train_log(run),
    ]


def first_call_note(run: Run) -> str:
    """Says when the first `recommend` built the demo store's catalog (its progress bar)."""
    return " (it built the demo store's catalog first)" if "Embedding" in run.first_log else ""


def train_log(run: Run) -> list[str]:
    """What `train` printed on stderr (a table of candidates, say), as-is."""
    log = run.train_log.strip()
    return ["`train` also printed, on stderr:", "", "```text", log, "```", ""] if log else []


PROTOCOLS = (
    "Only the command line is used: per data set, a fresh temporary home, `shopassist --home "
    "HOME train --interactions train.csv --json` (columns `user_id,item_id,rating,timestamp`, "
    "no `--algorithm`, no `SHOPASSIST_*` settings, so the product's default), then `shopassist "
    "--home HOME recommend --batch users.txt --k 10` for every test user (after one single-user "
    "`recommend`, timed apart, which with an empty home builds the demo store's catalog), with "
    "`HF_HUB_OFFLINE=1`, `SHOPASSIST_LLM=local` and OMP/OpenBLAS/MKL at 2 threads. "
    "**MovieLens-100K**, as Microsoft Recommenders' `python_stratified_split(ratio=0.75, "
    "seed=42)`: one `numpy` uniform draw per rating of `u.data` in file order (seed 42), each "
    "user's ratings sorted by it and the first round(0.75·n) kept for training with their "
    "rating and unix time; every held-out rating, whatever its value, is a relevant item; "
    "nDCG@10 with binary gains and the ideal DCG over min(10, relevant items), HR@10, "
    "precision@10 (hits/10) and recall@10 (hits/relevant), averaged over all test users. "
    "**Amazon Beauty**, as S3-Rec: each user's last item is the test item and all other items "
    "of the sequence go to training with rating 1 and timestamp = position in the sequence (0, "
    "1, 2, …); every user is asked for, the product ranks all items, and HR@10 and NDCG@10 "
    "(1/log2(rank+2)) are averaged over all users. On both, items the product returns that are "
    "in the user's training history, or repeated, are dropped before scoring (the counts are "
    "reported below; the product should already exclude them), and no list is padded."
)


def report(results: Sequence[Result]) -> str:
    lines = [
        "## Recommendations through the product path",
        "",
        f"`{COMMAND}` on {machine()}.",
        "",
        PROTOCOLS,
        "",
    ]
    for result in results:
        lines += section(result)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--only", choices=[dataset.key for dataset in DATASETS])
    parser.add_argument("--no-write", action="store_true", help="print, leave the docs alone")
    args = parser.parse_args()
    chosen_sets = [d for d in DATASETS if args.only in (None, d.key)]
    results = [r for d in chosen_sets if (r := measure(d, args.data)) is not None]
    if not results:
        print("no data set found; nothing written", file=sys.stderr)
        return
    markdown = report(results)
    print(markdown)
    if not args.no_write:
        write_section("recs-product", markdown)


if __name__ == "__main__":
    main()
