"""Recommendations at scale: the product's default training (what `shopassist train` does
with no --algorithm) against implicit's ALS called directly, on synthetic interactions, and
write the "recs-scale" section of docs/benchmarks.md.

    python -m benchmarks.recs_scale [--scale 0.1] [--threads 2] [--no-write]
                                    [--algorithm als --params '{"threads": 2}']

Defaults: 10M interactions, 1M users, 1M items; `--scale` multiplies all three. The data is
generated once (seeded numpy) and saved to a temporary .npz; each measurement then runs in
its own spawned process, so that the peak memory reported is that measurement's own.
Target (the issue): the default trains within 1.2x of implicit's time and in 8 GB.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import machine, write_section

USERS, ITEMS, INTERACTIONS = 1_000_000, 1_000_000, 10_000_000
ITEMS_PER_CLUSTER = 1_000
"""Taste clusters: one per this many items (1,000 clusters at full scale), at least 10."""
ZIPF_EXPONENT = 1.0
"""Item popularity ~ 1 / rank**s, globally and within each cluster."""
IN_CLUSTER = 0.7
"""Chance that an interaction is drawn from the user's cluster rather than from everyone's."""
ACTIVITY_SIGMA = 1.5
"""User activity: 1 + a share of the rest proportional to a lognormal(0, sigma) draw."""
EVENT_KINDS = ("view", "cart", "purchase")
EVENT_SHARES = (0.85, 0.10, 0.05)
EVENT_WEIGHTS = np.array([1.0, 3.0, 5.0], dtype=np.float32)
"""The product's default weights of these events (interactions.DEFAULT_EVENT_WEIGHTS)."""
YEAR = 365 * 24 * 3600.0
START = 1_704_067_200.0  # 2024-01-01 UTC
SAMPLE_USERS = 1_000
UNKNOWN_USERS = 20
WARM_UP = 5
"""Recommend calls made before the timed ones (lazy caches, first-touch page faults)."""
CEILING_GB = 8.0
TIME_RATIO_TARGET = 1.2
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Shape:
    users: int
    items: int
    interactions: int

    @property
    def clusters(self) -> int:
        return max(10, self.items // ITEMS_PER_CLUSTER)


# --- the synthetic data -----------------------------------------------------------------


def generate(shape: Shape, seed: int = 0) -> dict[str, np.ndarray]:
    """Interactions as arrays: `users`, `items` (int32 indexes), `kinds` (int8 index into
    `EVENT_KINDS`), `timestamps` (unix seconds), rows in time order. Pairs repeat (a user
    may view an item twice); the product and implicit both sum them into one cell."""
    if shape.interactions < shape.users:
        raise ValueError("need at least one interaction per user")
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(shape.users), _activity(rng, shape))
    rng.shuffle(users)
    items = _draw_items(rng, shape, users)
    kinds = np.searchsorted(np.cumsum(EVENT_SHARES), rng.random(shape.interactions))
    # Rows are in random order already (users shuffled, the rest drawn per row), so sorted
    # uniform times make a time-ordered log, each user's times increasing.
    timestamps = START + np.sort(rng.random(shape.interactions)) * YEAR
    return {
        "users": users.astype(np.int32),
        "items": items.astype(np.int32),
        "kinds": kinds.astype(np.int8),
        "timestamps": timestamps,
    }


def _activity(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Interactions per user: at least 1, heavy-tailed, summing to `shape.interactions`."""
    raw = rng.lognormal(0.0, ACTIVITY_SIGMA, shape.users)
    return 1 + rng.multinomial(shape.interactions - shape.users, raw / raw.sum())


def _zipf(n: int) -> np.ndarray:
    return 1.0 / np.arange(1, n + 1, dtype=np.float64) ** ZIPF_EXPONENT


def _draw_items(rng: np.random.Generator, shape: Shape, users: np.ndarray) -> np.ndarray:
    """Each interaction's item: from the user's taste cluster (Zipf over the cluster's own
    popularity ranks) with chance `IN_CLUSTER`, else from the global Zipf popularity."""
    by_rank = rng.permutation(shape.items)  # by_rank[r]: the item of global rank r
    cluster_of = rng.integers(shape.clusters, size=shape.items)  # per item
    # Items grouped by cluster, each group by global rank: one cumulative weight over all
    # groups (local Zipf in each) lets one searchsorted draw within any cluster.
    rank_of = np.empty(shape.items, dtype=np.int64)
    rank_of[by_rank] = np.arange(shape.items)
    grouped = np.lexsort((rank_of, cluster_of))
    sizes = np.bincount(cluster_of, minlength=shape.clusters)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    local_rank = np.arange(shape.items) - np.repeat(starts, sizes)
    cumulative = np.cumsum(1.0 / (local_rank + 1.0) ** ZIPF_EXPONENT)
    before = np.where(starts > 0, cumulative[np.maximum(starts - 1, 0)], 0.0)
    mass = cumulative[np.minimum(starts + sizes, shape.items) - 1] - before

    taste = rng.choice(np.flatnonzero(sizes), size=shape.users)[users]
    target = before[taste] + rng.random(len(users)) * mass[taste]
    position = np.searchsorted(cumulative, target, side="right")
    in_cluster = grouped[np.minimum(position, starts[taste] + sizes[taste] - 1)]

    global_cdf = np.cumsum(_zipf(shape.items))
    ranks = np.searchsorted(global_cdf, rng.random(len(users)) * global_cdf[-1], side="right")
    anywhere = by_rank[np.minimum(ranks, shape.items - 1)]
    return np.where(rng.random(len(users)) < IN_CLUSTER, in_cluster, anywhere)


def describe(data: dict[str, np.ndarray], shape: Shape) -> dict[str, float]:
    """Numbers that show the skew: distinct pairs, head share, activity quantiles."""
    per_item = np.bincount(data["items"], minlength=shape.items)
    per_user = np.bincount(data["users"], minlength=shape.users)
    pairs = np.sort(data["users"].astype(np.int64) * shape.items + data["items"])
    top = np.sort(per_item)[::-1]
    return {
        "pairs": 1 + int(np.count_nonzero(np.diff(pairs))),
        "items_used": int((per_item > 0).sum()),
        "top_item_share": float(top[0] / len(data["items"])),
        "top_1pct_share": float(top[: max(1, shape.items // 100)].sum() / len(data["items"])),
        "median_user": float(np.median(per_user)),
        "p99_user": float(np.percentile(per_user, 99)),
        "max_user": int(per_user.max()),
    }


# --- measurement helpers (run in the children) ------------------------------------------


def _proc_status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _rss_gb() -> float:
    kb = _proc_status_kb("VmRSS")
    return (kb or 0) / 1024**2


def _peak_gb() -> float:
    """Peak resident memory of this process since start or the last `_reset_peak`."""
    kb = _proc_status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024**2


def _reset_peak() -> None:
    """Start VmHWM again from the current RSS (Linux); without it, peaks are since start."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def _latencies_ms(call: Callable[[Any], object], arguments: list[Any]) -> np.ndarray:
    for argument in arguments[:WARM_UP]:
        call(argument)
    times = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        times.append(time.perf_counter() - started)
    return np.array(times) * 1000.0


def _percentiles(times_ms: np.ndarray) -> dict[str, float]:
    return {
        "calls": len(times_ms),
        "p50_ms": float(np.median(times_ms)),
        "p99_ms": float(np.percentile(times_ms, 99)),
    }


class _Phases:
    """Wall time (and the peak memory so far at its end) of named steps of `train`: wraps
    functions and methods in place, skipping any that no longer exist. A step called from
    inside another (popularity fitted as a selection trial) counts in the outer one only."""

    TARGETS = (
        ("recommenders.interactions", "InteractionMatrix.from_events", "matrix"),
        ("recommenders.selection", "choose", "selection"),
        ("recommenders.popularity", "PopularityRecommender.fit", "popularity"),
        ("recommenders.service", "RecommendationService.__init__", "service"),
    )

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_gb: dict[str, float] = {}
        self._depth = 0

    @contextmanager
    def active(self) -> Iterator[_Phases]:
        restore: list[Callable[[], None]] = []
        try:
            for module_name, path, label in self.TARGETS:
                owner: object = sys.modules.get(module_name)
                *owners, name = path.split(".")
                for part in owners:
                    owner = getattr(owner, part, None)
                if owner is not None and hasattr(owner, name):
                    restore.append(self._wrap(owner, name, label))
            yield self
        finally:
            for undo in reversed(restore):
                undo()

    def _wrap(self, owner: object, name: str, label: str) -> Callable[[], None]:
        static = inspect.getattr_static(owner, name)
        own = name in vars(owner)
        is_class_method = isinstance(static, classmethod)
        function = static.__func__ if is_class_method else static

        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                seconds = time.perf_counter() - started
                self.seconds[label] = self.seconds.get(label, 0.0) + seconds
                self.peak_gb[label] = _peak_gb()
                _log(f"product: {label} {seconds:.1f} s, peak {self.peak_gb[label]:.2f} GB")

        setattr(owner, name, classmethod(timed) if is_class_method else timed)

        def undo() -> None:
            if own:
                setattr(owner, name, static)
            else:
                delattr(owner, name)

        return undo


@contextmanager
def _threads(threads: int, blas: int | None = None) -> Iterator[None]:
    from threadpoolctl import threadpool_limits

    with (
        threadpool_limits(limits=threads),
        threadpool_limits(limits=blas or threads, user_api="blas"),
    ):
        yield


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{index}" for index in range(n)]


def _events(data: dict[str, np.ndarray], shape: Shape) -> list[Any]:
    """The Event objects a store's interactions file reads into (ids as text)."""
    from recommenders.interactions import Event

    users, items = _ids("u", shape.users), _ids("i", shape.items)
    return [
        Event(users[user], items[item], EVENT_KINDS[kind], None, timestamp)
        for user, item, kind, timestamp in zip(
            data["users"].tolist(),
            data["items"].tolist(),
            data["kinds"].tolist(),
            data["timestamps"].tolist(),
            strict=True,
        )
    ]


def measure_product(
    path: Path,
    shape: Shape,
    algorithm: str,
    params: dict[str, Any] | None,
    threads: int,
    sample: list[int],
) -> dict[str, Any]:
    """`RecommendationService.train(events, algorithm=...)` and single-user recommend calls."""
    from recommenders.service import RecommendationService

    with _threads(threads):
        data = _load(path)
        result: dict[str, Any] = {"base_gb": _rss_gb()}
        started = time.perf_counter()
        events = _events(data, shape)
        result["events_s"] = time.perf_counter() - started
        del data
        result["events_peak_gb"] = _peak_gb()
        result["events_rss_gb"] = _rss_gb()
        _log(f"product: events {result['events_s']:.1f} s, peak {result['events_peak_gb']:.2f} GB")
        _reset_peak()
        phases = _Phases()
        with phases.active():
            started = time.perf_counter()
            service = RecommendationService.train(events, algorithm=algorithm, params=params)
            result["train_s"] = time.perf_counter() - started
        result["train_peak_gb"] = _peak_gb()
        result["phases_s"] = phases.seconds
        result["phases_peak_gb"] = phases.peak_gb
        result["summary"] = service.summary
        known = [f"u{user}" for user in sample]
        unknown = [f"new-u{index}" for index in range(UNKNOWN_USERS)]
        result["known"] = _percentiles(_latencies_ms(service.recommend, known))
        result["unknown"] = _percentiles(_latencies_ms(service.recommend, unknown))
        result["peak_gb"] = max(result["events_peak_gb"], _peak_gb())
        return result


def measure_implicit(
    path: Path, shape: Shape, params: dict[str, Any], threads: int, sample: list[int]
) -> dict[str, Any]:
    """implicit's CPU ALS fitted directly on the users x items CSR of summed event weights."""
    from implicit.cpu.als import AlternatingLeastSquares
    from scipy.sparse import csr_matrix

    with _threads(threads):
        data = _load(path)
        result: dict[str, Any] = {"base_gb": _rss_gb()}
        started = time.perf_counter()
        weights = EVENT_WEIGHTS[data["kinds"]]
        user_items = csr_matrix(
            (weights, (data["users"], data["items"])), shape=(shape.users, shape.items)
        )
        user_items.sum_duplicates()
        result["matrix_s"] = time.perf_counter() - started
        del data, weights
        _reset_peak()
        started = time.perf_counter()
        # As the product's ALS does: implicit's own threads, BLAS under it on one.
        with _threads(threads, blas=1):
            model = AlternatingLeastSquares(
                factors=params["factors"],
                regularization=params["regularization"],
                alpha=params["alpha"],
                iterations=params["iterations"],
                num_threads=threads,
                random_state=0,
                dtype=np.float32,
            )
            model.fit(user_items, show_progress=False)
        result["train_s"] = time.perf_counter() - started
        result["train_peak_gb"] = _peak_gb()
        result["nnz"] = int(user_items.nnz)

        def recommend(user: int) -> object:
            return model.recommend(user, user_items[user], N=10)

        result["known"] = _percentiles(_latencies_ms(recommend, sample))
        result["peak_gb"] = _peak_gb()
        return result


def _in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`function(*args)` in a fresh spawned process (thread caps set in its environment)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --- the report ---------------------------------------------------------------------------


def _product_params() -> dict[str, Any]:
    """The product's ALS defaults, which implicit is called with."""
    from recommenders.registry import get_recommender

    return get_recommender("als").params


def _generator_text(shape: Shape, stats: dict[str, float]) -> str:
    return (
        f"Data: {shape.interactions:,} interactions of {shape.users:,} users with "
        f"{shape.items:,} items, seeded numpy. Items have a global popularity ~ 1/rank^"
        f"{ZIPF_EXPONENT:g} and belong at random to {shape.clusters:,} taste clusters; each "
        f"user has one cluster (uniform), and each interaction is drawn with chance "
        f"{IN_CLUSTER:g} from the user's cluster (Zipf over the cluster's own ranks) and "
        f"otherwise from global popularity. User activity is 1 + a multinomial share of the "
        f"rest proportional to lognormal(0, {ACTIVITY_SIGMA:g}) (median "
        f"{stats['median_user']:g}, p99 {stats['p99_user']:g}, max {stats['max_user']:,}). "
        f"Events are view/cart/purchase ({'/'.join(f'{s:.0%}' for s in EVENT_SHARES)}, "
        f"weights 1/3/5), at uniform times over a year, in time order. Pairs are not "
        f"deduplicated: {stats['pairs']:,} distinct user-item pairs, {stats['items_used']:,} "
        f"items with any interaction; the top item has {stats['top_item_share']:.2%} of "
        f"interactions, the top 1% of items {stats['top_1pct_share']:.1%}."
    )


def _chosen(summary: dict[str, Any], algorithm: str) -> str:
    reading = f" on {summary['reading']}" if "reading" in summary else ""
    return f"{algorithm} → {summary.get('algorithm')} `{summary.get('params')}`{reading}"


def _settings(params: object) -> str:
    """`l2=500.0`, or a blend's members as `1 itemknn + 2 rp3beta`."""
    if not isinstance(params, dict):
        return ""
    if "components" in params:
        return " + ".join(f"{c[2]:g} {c[0]}" for c in params["components"])
    return ", ".join(f"{key}={value}" for key, value in params.items())


def _trials_text(summary: dict[str, Any]) -> str:
    """What `auto` tried, from the summary's `chosen_by` (absent for a named algorithm)."""
    chosen_by = summary.get("chosen_by")
    if not chosen_by:
        return ""
    validation = chosen_by.get("validation", {})
    trials = "; ".join(
        f"{row.get('algorithm')}({_settings(row.get('params'))}) on {row.get('reading')} "
        f"{row.get('ndcg@10')} "
        f"({row.get('seconds')} s)"
        for row in chosen_by.get("trials", [])
    )
    return (
        f"Selection ({validation.get('split')} split, {validation.get('users')} users, "
        f"{validation.get('seconds')} s), nDCG@10 (seconds) per trial: {trials or 'none'}."
    )


def _table(product: dict[str, Any], implicit: dict[str, Any], algorithm: str) -> list[str]:
    phases = product["phases_s"]
    rest = product["train_s"] - sum(phases.values())
    breakdown = ", ".join(f"{name} {seconds:.1f}" for name, seconds in phases.items())
    matrix_peak = product["phases_peak_gb"].get("matrix")
    after_matrix = "" if matrix_peak is None else f", by end of matrix {matrix_peak:.2f}"
    ratio = product["train_s"] / implicit["train_s"]
    peak = product["peak_gb"]
    return [
        f"| | product (`{algorithm}`) | implicit ALS direct |",
        "|---|---|---|",
        f"| model | {_chosen(product['summary'], algorithm)} | ALS 64f float32 |",
        f"| input build s | {product['events_s']:.1f} (Event objects from arrays) | "
        f"{implicit['matrix_s']:.1f} (CSR from arrays) |",
        f"| train s | **{product['train_s']:.1f}** ({breakdown}, final fit and rest "
        f"{rest:.1f}) | **{implicit['train_s']:.1f}** (fit) |",
        f"| peak RSS GB | **{peak:.2f}** (events {product['events_peak_gb']:.2f}, "
        f"train {product['train_peak_gb']:.2f}{after_matrix}; data+imports "
        f"{product['base_gb']:.2f}) | **{implicit['peak_gb']:.2f}** (fit "
        f"{implicit['train_peak_gb']:.2f}; data+imports {implicit['base_gb']:.2f}) |",
        f"| recommend p50 / p99 ms, {product['known']['calls']} known users | "
        f"{product['known']['p50_ms']:.1f} / {product['known']['p99_ms']:.1f} | "
        f"{implicit['known']['p50_ms']:.2f} / {implicit['known']['p99_ms']:.2f} |",
        f"| recommend p50 / p99 ms, {UNKNOWN_USERS} unknown users | "
        f"{product['unknown']['p50_ms']:.1f} / {product['unknown']['p99_ms']:.1f} | — |",
        "",
        f"Train time product / implicit: **{ratio:.2f}×** (target ≤ {TIME_RATIO_TARGET}×: "
        f"{'met' if ratio <= TIME_RATIO_TARGET else 'not met'}); product peak "
        f"**{peak:.2f} GB** of the {CEILING_GB:g} GB ceiling "
        f"({'met' if peak <= CEILING_GB else 'not met'}).",
        "",
        _trials_text(product["summary"]),
    ]


def report(
    shape: Shape,
    command: str,
    threads: int,
    stats: dict[str, float],
    product: dict[str, Any],
    implicit: dict[str, Any],
    algorithm: str,
    params: dict[str, Any] | None = None,
) -> str:
    call = f"algorithm={algorithm!r}" + (f", params={params}" if params else "")
    default = algorithm == "auto" and not params
    lines = [
        "## Recommendations at scale",
        "",
        f"`{command}` on {machine()}; every measurement in its own process, capped at "
        f"{threads} threads (implicit: {threads} of its own, BLAS 1, as the product's ALS).",
        "",
        _generator_text(shape, stats),
        "",
        f"Product: `RecommendationService.train(events, {call})`"
        + (", as `shopassist train` with no --algorithm," if default else "")
        + " on Event objects built from the arrays (a "
        "lower bound on reading a file). implicit: `AlternatingLeastSquares` with the "
        "product's ALS defaults on the same summed-weight CSR (rows and columns permuted). "
        "Recommend: single calls, k=10 (`service.recommend(user, k=10)`; "
        "`model.recommend(u, user_items[u], N=10)`), after "
        f"{WARM_UP} warm-up calls; the same random known users for both.",
        "",
        *_table(product, implicit, algorithm),
    ]
    return "\n".join(lines)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies all three sizes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--algorithm", default="auto", help="the product's (default: auto)")
    parser.add_argument("--params", type=json.loads, help="the product's, as a JSON object")
    parser.add_argument("--no-write", action="store_true", help="print, leave the doc alone")
    args = parser.parse_args()
    shape = Shape(
        *(max(1, round(n * args.scale)) for n in (USERS, ITEMS, INTERACTIONS)),
    )
    for variable in _THREAD_VARIABLES:  # inherited by the children before they import
        os.environ[variable] = str(args.threads)

    started = time.perf_counter()
    data = generate(shape, args.seed)
    stats = describe(data, shape)
    _log(f"generated {shape} in {time.perf_counter() - started:.1f}s: {stats}")
    rng = np.random.default_rng(args.seed + 1)
    sample = rng.choice(shape.users, size=min(SAMPLE_USERS, shape.users), replace=False).tolist()
    with tempfile.TemporaryDirectory(prefix="recs-scale-") as directory:
        path = Path(directory) / "interactions.npz"
        np.savez(path, **data)
        del data
        params = _product_params()
        implicit = _in_child(measure_implicit, path, shape, params, args.threads, sample)
        _log(f"implicit: {implicit}")
        product = _in_child(
            measure_product, path, shape, args.algorithm, args.params, args.threads, sample
        )
        _log(f"product: {product}")

    command = "python -m benchmarks.recs_scale"
    command += f" --scale {args.scale:g}" if args.scale != 1.0 else ""
    command += f" --algorithm {args.algorithm}" if args.algorithm != "auto" else ""
    command += f" --params '{json.dumps(args.params)}'" if args.params else ""
    markdown = report(
        shape, command, args.threads, stats, product, implicit, args.algorithm, args.params
    )
    print(markdown)  # noqa: T201
    if not args.no_write:
        write_section("recs-scale", markdown)


if __name__ == "__main__":
    main()
