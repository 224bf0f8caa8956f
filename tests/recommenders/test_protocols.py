"""The published protocols on tiny files with known answers, and on the real files if present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommenders.protocols import (
    BEST,
    _decayed,
    _stratified,
    amazon_beauty,
    movielens_100k,
    run,
)

DATA = Path(__file__).resolve().parents[2].parent / "shared/data"


def _write_u_data(path: Path, rows: list[tuple[int, int]]) -> Path:
    path.write_text("".join(f"{user}\t{item}\t4\t{i}\n" for i, (user, item) in enumerate(rows)))
    return path


def test_stratified_split_matches_pandas_sample_per_user() -> None:
    """pandas' sample(frac=1, random_state=42) is RandomState(42).permutation, per user."""
    user_rows = np.array([0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1])
    train, test = _stratified(user_rows, 42)
    for user in (0, 1):
        positions = np.flatnonzero(user_rows == user)
        shuffled = positions[np.random.RandomState(42).permutation(len(positions))]
        cut = round(0.75 * len(positions))
        assert set(train[user_rows[train] == user]) == set(shuffled[:cut])
        assert set(test[user_rows[test] == user]) == set(shuffled[cut:])


def test_movielens_known_answer(tmp_path: Path) -> None:
    """Four users rate items 1-4 and 20 more: every held-out item is among the 4 most
    popular, so popularity at k=4 recalls all of them; the validation split is smaller."""
    rows = [(user, item) for user in range(1, 5) for item in range(1, 5)]
    rows += [(user, 100 * user + extra) for user in range(1, 5) for extra in range(1, 21)]
    path = _write_u_data(tmp_path / "u.data", rows)
    result = movielens_100k(path, algorithm="popularity", params=None, k=4)
    assert result["train_interactions"] + result["test_interactions"] == len(rows)
    assert result["test_interactions"] == 4 * round(0.25 * 24)
    assert result["evaluated_users"] == 4
    for metric in ("ndcg", "precision", "recall", "map", "map_at_k", "hit_rate"):
        assert 0.0 <= result[metric] <= 1.0
    validation = movielens_100k(path, algorithm="popularity", k=4, split="validation")
    assert validation["train_interactions"] == 4 * round(0.75 * 18)
    with pytest.raises(ValueError, match="split"):
        movielens_100k(path, algorithm="popularity", split="train")


def test_movielens_metrics_on_a_perfect_ranking(tmp_path: Path) -> None:
    """Users who share everything but their held-out items: item-kNN must rank each user's
    held-out items first, so every metric is 1 at k = #held-out. The split reseeds per user,
    so each user lists the items in a different (rotated) order."""
    rows = [(user, (user + item) % 8 + 1) for user in range(1, 9) for item in range(8)]
    path = _write_u_data(tmp_path / "u.data", rows)
    result = movielens_100k(path, algorithm="itemknn", params={"shrink": 0.0}, k=2)
    for metric in ("ndcg", "precision", "recall", "map", "map_at_k", "hit_rate"):
        assert result[metric] == pytest.approx(1.0), metric


def test_movielens_run_uses_the_best_setting(tmp_path: Path) -> None:
    rows = [(user, (user + item) % 12 + 1) for user in range(1, 21) for item in range(8)]
    path = tmp_path / "u.data"
    path.write_text("".join(f"{u}\t{i}\t4\t{900 + 60 * n}\n" for n, (u, i) in enumerate(rows)))
    result = run("movielens_100k", path, split="validation")
    assert (result["algorithm"], result["params"]) == BEST["movielens_100k"]
    assert 0 < result["ndcg"] <= 1


@pytest.fixture
def beauty(tmp_path: Path) -> Path:
    """Two disjoint blocks, each with sequences 1 2 3 4 and 4 3 2 1 (and 5 6 7 8 / 8 7 6 5):
    the last item always co-occurs in training with the rest of the block only."""
    lines = []
    for user in range(12):
        block = (user // 6) * 4
        sequence = [block + 1, block + 2, block + 3, block + 4]
        if user % 2:
            sequence.reverse()
        lines.append(f"{user + 1} {' '.join(map(str, sequence))}\n")
    path = tmp_path / "Beauty.txt"
    path.write_text("".join(lines))
    return path


def test_beauty_known_answer(beauty: Path) -> None:
    result = amazon_beauty(beauty, algorithm="itemknn", params={"shrink": 0.0}, k=1)
    assert result["hit_rate"] == result["ndcg"] == 1.0
    assert result["train_interactions"] == 12 * 3
    assert result["catalogue_items"] == 8
    validation = amazon_beauty(
        beauty, algorithm="itemknn", params={"shrink": 0.0}, split="validation"
    )
    assert validation["train_interactions"] == 12 * 2
    decayed = amazon_beauty(
        beauty, algorithm="itemknn", params={"shrink": 0.0}, k=1, recency_decay=0.5
    )
    assert decayed["hit_rate"] == 1.0


def test_beauty_ids_of_any_size_are_renumbered(beauty: Path, tmp_path: Path) -> None:
    """Ids are only names: huge ones (timestamps, hashes) give the same results as 1..n,
    without matrices sized by the largest id."""
    huge = tmp_path / "huge.txt"
    huge.write_text(
        "".join(
            " ".join([user, *(str(881250949 + 7 * int(item)) for item in items)]) + "\n"
            for user, *items in (line.split() for line in beauty.read_text().splitlines())
        )
    )
    expected = amazon_beauty(beauty, algorithm="itemknn", params={"shrink": 0.0}, k=1)
    result = amazon_beauty(huge, algorithm="itemknn", params={"shrink": 0.0}, k=1)
    assert {k: result[k] for k in ("ndcg", "catalogue_items", "train_interactions")} == {
        k: expected[k] for k in ("ndcg", "catalogue_items", "train_interactions")
    }


def test_recency_weights_keep_the_latest_occurrence() -> None:
    row = _decayed([[3, 1, 3, 2]], 5, 0.5).toarray()[0]
    np.testing.assert_allclose(row, [0.0, 0.25, 1.0, 0.5, 0.0])


@pytest.mark.parametrize(
    ("protocol", "path", "ndcg_range"),
    [
        (movielens_100k, DATA / "movielens-100k/u.data", (0.15, 0.35)),
        (amazon_beauty, DATA / "amazon-beauty/Beauty.txt", (0.002, 0.02)),
    ],
)
def test_real_files_give_sane_popularity_numbers(protocol, path: Path, ndcg_range) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    result = protocol(path, algorithm="popularity", params=None)
    low, high = ndcg_range
    assert low < result["ndcg"] < high
    assert 0 < result["hit_rate"] < 1 and 0 < result["coverage"] < 0.1
