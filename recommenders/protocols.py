"""Two published offline protocols, reproduced so that our numbers sit next to theirs.

`movielens_100k`: Microsoft Recommenders' MovieLens-100k benchmark (python_stratified_split,
75/25 per user, seed 42; every rating is a binary interaction; top-k with seen items removed).
`amazon_beauty`: the leave-one-out protocol of SASRec / S3-Rec on their `Beauty.txt`
(last item = test, second-to-last = validation, ranked against all items).

Both take `split="validation"` to tune on data the test items never enter, and return a
plain dict: the metrics, `train_seconds` and the counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from recommenders import readings
from recommenders.base import Recommender
from recommenders.errors import InteractionsError
from recommenders.registry import get_recommender
from retrieval.metrics import binary_metrics

SPLITS = ("test", "validation")
PROTOCOLS = ("movielens_100k", "amazon_beauty")
BEST: dict[str, tuple[str, dict[str, Any]]] = {
    "movielens_100k": (
        "blend",
        {
            "components": [
                [
                    "time_ease",
                    {
                        "l2": 10.0,
                        "tau": 300.0,
                        "user_power": 0.5,
                        "rating_scale": 2.0,
                        "feature_prior": 1.0,
                    },
                    1.0,
                ],
                ["ease", {"l2": 200.0, "feature_prior": 2.0}, 0.5, "ratings>=4"],
                ["als", {"factors": 24, "regularization": 40.0, "alpha": 2.0}, 4.0, "ratings"],
            ]
        },
    ),
    "amazon_beauty": ("transitions", {"window": 1, "backward": 0.0}),
}
"""Per protocol, the algorithm and parameters with the best validation nDCG@10 (the grids
and their numbers are in benchmarks/recs_eval.py)."""
SEQUENTIAL_RECENCY_DECAY = 0.2
"""`amazon_beauty`'s query-history decay for sequential models (chosen on validation)."""
TRAIN_RATIO = 0.75
"""Microsoft Recommenders' `python_stratified_split(ratio=0.75)`."""


@dataclass
class _Task:
    """What one protocol run needs: a matrix to fit, and per evaluated user the history to
    query with (and exclude) and the held-out items."""

    train: csr_matrix
    rows: np.ndarray
    """Each evaluated user's row in `train` (-1: score from `history` alone)."""
    history: csr_matrix
    relevant: csr_matrix
    ratings: csr_matrix | None = None
    """The training cells' explicit ratings, where the data has them."""
    item_features: np.ndarray | None = None
    """Items x features (MovieLens genres), where the data has them."""


def movielens_100k(
    path: Path,
    *,
    algorithm: str,
    params: Mapping[str, Any] | None = None,
    seed: int = 42,
    k: int = 10,
    split: str = "test",
    validation_seed: int | None = None,
) -> dict[str, Any]:
    """Microsoft Recommenders' MovieLens-100k benchmark on `u.data` (user, item, rating, time).

    Per user, in file order, the ratings are shuffled as pandas' `sample(frac=1,
    random_state=seed)` does (`RandomState(seed).permutation`) and the first
    `round(0.75 * n)` go to training. `split="validation"` splits that training part again
    the same way (with `validation_seed`, default `seed`, so that several validation
    splits can be drawn from one training part) and evaluates on its 25%. Metrics follow MS
    Recommenders (`retrieval.metrics.binary_metrics`, which says which MAP is theirs);
    `coverage` is distinct recommended items over distinct training items. Sequential
    models (`Recommender.sequential`) are trained on the rating times (the "times" reading,
    `readings.fitted_on`); every model is fitted with `fit_with`, so models that use
    ratings get them, and, when `u.item` lies next to `path`, its 19 genre flags as item
    features (models without a feature prior ignore them; the published figures use
    `u.data` alone).
    """
    _check_split(split)
    table = _read_u_data(path)
    users, user_rows = np.unique(table[:, 0], return_inverse=True)
    items, item_columns = np.unique(table[:, 1], return_inverse=True)
    train, test = _stratified(user_rows, seed)
    if split == "validation":
        inner_seed = seed if validation_seed is None else validation_seed
        inner_train, inner_test = _stratified(user_rows[train], inner_seed)
        train, test = train[inner_train], train[inner_test]
    shape = (len(users), len(items))
    model = get_recommender(algorithm, **dict(params or {}))
    train_matrix = _binary(user_rows[train], item_columns[train], shape)
    if model.sequential and table.shape[1] >= 4:
        times = csr_matrix(
            (table[train, 3].astype(np.float64), (user_rows[train], item_columns[train])),
            shape=shape,
        )
        train_matrix = readings.fitted_on(train_matrix, readings.TIMES, times)
    test_matrix = _binary(user_rows[test], item_columns[test], shape)
    evaluated = np.flatnonzero(np.diff(test_matrix.indptr) > 0)
    history = _binary(user_rows[train], item_columns[train], shape)[evaluated]
    task = _Task(train_matrix, evaluated, history, test_matrix[evaluated])
    if table.shape[1] >= 3:
        task.ratings = _rated(user_rows[train], item_columns[train], table[train, 2], shape)
    task.item_features = _read_u_item_genres(Path(path).with_name("u.item"), items)
    result = _run(task, model, k)
    result["catalogue_items"] = len(items)
    result["train_interactions"] = int(train_matrix.nnz)
    result["test_interactions"] = int(test_matrix.nnz)
    return result


def amazon_beauty(
    path: Path,
    *,
    algorithm: str,
    params: Mapping[str, Any] | None = None,
    k: int = 10,
    split: str = "test",
    recency_decay: float | None = None,
) -> dict[str, Any]:
    """SASRec / S3-Rec leave-one-out on `Beauty.txt` (`user item item ...`, oldest first).

    Test: fit on every sequence but its last item, rank that item. Validation: fit on every
    sequence but its last two, rank the second-to-last. Items are ranked against the whole
    catalogue less the user's own history; `hit_rate` is HR@k, `ndcg` is 1/log2(rank + 2)
    for the single held-out item. `recency_decay` (in (0, 1]) queries with a history whose
    item at distance d from the end weighs decay**d (the training matrix stays binary); the
    model then scores from that history alone (row -1), so ALS re-solves the user too.
    Sequential models are trained on weights (position + 1) / length, which keep the order.
    """
    _check_split(split)
    if recency_decay is not None and not 0 < recency_decay <= 1:
        raise ValueError("recency_decay must be in (0, 1]")
    sequences = _read_sequences(path)
    n_items = max((max(sequence) for sequence in sequences), default=0) + 1
    held_out = 1 if split == "test" else 2
    evaluated = np.array(
        [user for user, sequence in enumerate(sequences) if len(sequence) > held_out],
        dtype=np.int64,
    )
    histories = [sequences[user][:-held_out] for user in evaluated]
    targets = np.array([sequences[user][-held_out] for user in evaluated], dtype=np.int64)
    shape = (len(sequences), n_items)
    train_rows = [
        np.full(len(sequence) - held_out, user) for user, sequence in enumerate(sequences)
    ]
    train_items = [sequence[:-held_out] for sequence in sequences]
    train_matrix = _binary(
        np.concatenate(train_rows).astype(np.int64),
        np.fromiter((item for part in train_items for item in part), dtype=np.int64),
        shape,
    )
    model = get_recommender(algorithm, **dict(params or {}))
    if model.sequential:
        train_matrix = _positional(train_items, n_items)
    relevant = csr_matrix(
        (np.ones(len(targets), dtype=np.float32), targets, np.arange(len(targets) + 1)),
        shape=(len(targets), n_items),
    )
    if recency_decay is None:
        rows, history = evaluated, train_matrix[evaluated]
    else:
        rows = np.full(len(evaluated), -1, dtype=np.int64)
        history = _decayed(histories, n_items, recency_decay)
    result = _run(_Task(train_matrix, rows, history, relevant), model, k)
    result["catalogue_items"] = n_items - 1  # ids start at 1
    result["train_interactions"] = int(train_matrix.nnz)
    return result


def run(
    protocol: str,
    path: Path,
    *,
    algorithm: str | None = None,
    params: Mapping[str, Any] | None = None,
    split: str = "test",
) -> dict[str, Any]:
    """Run `protocol` ("movielens_100k" or "amazon_beauty") on `path`; no `algorithm` means
    `BEST[protocol]` (with its parameters unless `params` are given). On Beauty, sequential
    algorithms are queried with histories decayed by `SEQUENTIAL_RECENCY_DECAY`."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    if algorithm is None:
        algorithm, best = BEST[protocol]
        params = best if params is None else params
    if protocol == "movielens_100k":
        return movielens_100k(path, algorithm=algorithm, params=params, split=split)
    sequential = get_recommender(algorithm, **dict(params or {})).sequential
    decay = SEQUENTIAL_RECENCY_DECAY if sequential else None
    return amazon_beauty(path, algorithm=algorithm, params=params, split=split, recency_decay=decay)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")


def _read_u_data(path: Path) -> np.ndarray:
    try:
        table = np.loadtxt(path, dtype=np.int64, delimiter="\t", ndmin=2)
    except (OSError, ValueError) as exc:
        raise InteractionsError(f"{path}: not a MovieLens u.data file ({exc})") from exc
    if table.shape[1] < 2 or len(table) == 0:
        raise InteractionsError(f"{path}: expected tab-separated user, item, rating, time")
    return table


def _read_u_item_genres(path: Path, items: np.ndarray) -> np.ndarray | None:
    """The genre flags of `u.item` (`id|title|date|video date|url|flag|flag...`, latin-1),
    one row per entry of `items` (sorted ids: the protocol's item columns), zeros for an id
    that `u.item` lacks; None when there is no such file."""
    if not path.is_file():
        return None
    try:
        with path.open(encoding="latin-1") as handle:
            rows = [line.rstrip("\r\n").split("|") for line in handle if line.strip()]
        ids = np.array([int(row[0]) for row in rows], dtype=np.int64)
        flags = np.array([[float(flag) for flag in row[5:]] for row in rows])
        genres = np.zeros((len(items), flags.shape[1]))
    except (OSError, ValueError, IndexError) as exc:
        raise InteractionsError(f"{path}: not a MovieLens u.item file ({exc})") from exc
    listed = np.isin(ids, items)
    genres[np.searchsorted(items, ids[listed])] = flags[listed]
    return genres


def _read_sequences(path: Path) -> list[list[int]]:
    """Each line's items, renumbered 1..n in the order of their ids (Beauty.txt's ids are
    already 1..n; other files may hold any integers, such as timestamps-sized ids, which
    would otherwise size the matrices)."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            raw = [[int(token) for token in line.split()[1:]] for line in handle if line.strip()]
    except (OSError, ValueError) as exc:
        raise InteractionsError(f"{path}: not a `user item item ...` file ({exc})") from exc
    ids = np.unique(np.fromiter((item for sequence in raw for item in sequence), dtype=np.int64))
    return [(np.searchsorted(ids, sequence) + 1).tolist() for sequence in raw]


def _stratified(user_rows: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the training and test rows: per user (in order of appearance),
    `RandomState(seed).permutation`, the first round(0.75 n) train."""
    order = np.argsort(user_rows, kind="stable")
    bounds = np.flatnonzero(np.diff(user_rows[order])) + 1
    train, test = [], []
    for group in np.split(order, bounds):
        shuffled = group[np.random.RandomState(seed).permutation(len(group))]
        cut = round(TRAIN_RATIO * len(group))
        train.append(shuffled[:cut])
        test.append(shuffled[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def _binary(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> csr_matrix:
    matrix = csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns)), shape=shape, dtype=np.float32
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _rated(
    rows: np.ndarray, columns: np.ndarray, ratings: np.ndarray, shape: tuple[int, int]
) -> csr_matrix:
    """The ratings as a matrix (a cell rated twice keeps the sum: u.data has no repeats)."""
    return csr_matrix((ratings.astype(np.float32), (rows, columns)), shape=shape)


def _positional(histories: Sequence[Sequence[int]], n_items: int) -> csr_matrix:
    """One row per history, the item at position p of n weighing (p + 1) / n (an item seen
    more than once keeps its latest position)."""
    return _weighted(histories, n_items, lambda position, length: (position + 1) / length)


def _decayed(histories: Sequence[Sequence[int]], n_items: int, decay: float) -> csr_matrix:
    """One row per history, the item at distance d from the end weighing decay**d (an item
    seen more than once keeps its most recent weight)."""
    return _weighted(histories, n_items, lambda position, length: decay ** (length - 1 - position))


def _weighted(
    histories: Sequence[Sequence[int]], n_items: int, weight: Callable[[int, int], float]
) -> csr_matrix:
    """One row per history, each item weighing `weight(position, length)` at its latest
    position in the history."""
    indptr: list[int] = [0]
    columns: list[int] = []
    weights: list[float] = []
    for history in histories:
        last = {item: position for position, item in enumerate(history)}
        columns.extend(last)
        weights.extend(weight(position, len(history)) for position in last.values())
        indptr.append(len(columns))
    matrix = csr_matrix(
        (np.asarray(weights, dtype=np.float32), np.asarray(columns, dtype=np.int64), indptr),
        shape=(len(histories), n_items),
    )
    matrix.sort_indices()
    return matrix


def _run(task: _Task, model: Recommender, k: int) -> dict[str, Any]:
    started = time.perf_counter()
    model.fit_with(task.train, ratings=task.ratings, item_features=task.item_features)
    train_seconds = time.perf_counter() - started
    exclude = task.history.copy()
    exclude.data[:] = 1.0
    ids, _ = model.recommend(task.rows, task.history, k, exclude=exclude)
    metrics = binary_metrics(ids, task.relevant)
    trained_items = int((np.diff(task.train.tocsc().indptr) > 0).sum())
    recommended = np.unique(ids[ids >= 0])
    return {
        "algorithm": model.name,
        "params": model.params,
        "k": k,
        **metrics,
        "coverage": len(recommended) / max(trained_items, 1),
        "train_seconds": train_seconds,
        "users": int(task.train.shape[0]),
        "evaluated_users": len(ids),
        "trained_items": trained_items,
    }
