"""One suite for every registered algorithm (after implicit's RecommenderBaseTestMixin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from recommenders import (
    ModelNotTrainedError,
    Recommender,
    RecommenderError,
    algorithms,
    get_recommender,
    load_recommender,
)

Blocks = Any  # conftest.Blocks: the two-block matrix with each user's and item's block

PERSONALISED = [name for name in algorithms() if get_recommender(name).personalised]


def _fitted(name: str, blocks: Blocks, params: dict[str, dict[str, object]]) -> Recommender:
    model = get_recommender(name, **params.get(name, {}))
    model.fit(blocks.user_items)
    return model


@pytest.fixture(scope="module", params=algorithms())
def model(
    request: pytest.FixtureRequest, blocks: Blocks, small_data_params: dict[str, dict[str, object]]
) -> Recommender:
    return _fitted(request.param, blocks, small_data_params)


def _recommend_all(
    model: Recommender, blocks: Blocks, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(blocks.user_items.shape[0])
    return model.recommend(rows, blocks.user_items, k, exclude=blocks.user_items, allowed=allowed)


def _is_ranked(ids: np.ndarray, scores: np.ndarray) -> None:
    """Valid ids first, then -1 / -inf padding; scores descending; no duplicates."""
    for row_ids, row_scores in zip(ids, scores, strict=True):
        valid = row_ids >= 0
        count = int(valid.sum())
        assert valid[:count].all() and not valid[count:].any()
        assert np.all(np.isneginf(row_scores[count:]))
        assert np.all(np.isfinite(row_scores[:count]))
        assert np.all(np.diff(row_scores[:count]) <= 0)
        assert len(set(row_ids[:count].tolist())) == count


@pytest.mark.parametrize("name", PERSONALISED)
def test_recommends_from_the_users_own_block(
    name: str, blocks: Blocks, small_data_params: dict[str, dict[str, object]]
) -> None:
    model = _fitted(name, blocks, small_data_params)
    ids, scores = _recommend_all(model, blocks, k=5)
    assert (ids >= 0).all()
    assert (blocks.item_block[ids] == blocks.user_block[:, None]).all()
    _is_ranked(ids, scores)


def test_never_returns_excluded_items(model: Recommender, blocks: Blocks) -> None:
    ids, scores = _recommend_all(model, blocks, k=15)
    history = blocks.user_items.toarray() > 0
    for user, row_ids in enumerate(ids):
        chosen = row_ids[row_ids >= 0]
        assert len(chosen) > 0
        assert not history[user, chosen].any()
    _is_ranked(ids, scores)


def test_returns_only_allowed_items(model: Recommender, blocks: Blocks) -> None:
    allowed = np.zeros(blocks.user_items.shape[1], dtype=bool)
    allowed[::3] = True
    ids, scores = _recommend_all(model, blocks, k=4, allowed=allowed)
    assert (ids >= 0).any()
    assert allowed[ids[ids >= 0]].all()
    _is_ranked(ids, scores)


def test_pads_when_k_exceeds_the_candidates(model: Recommender, blocks: Blocks) -> None:
    n_users, n_items = blocks.user_items.shape
    k = n_items + 3
    ids, scores = _recommend_all(model, blocks, k=k)
    assert ids.shape == scores.shape == (n_users, k)
    assert ids.dtype == np.int64
    history = np.diff(blocks.user_items.indptr)
    assert ((ids >= 0).sum(axis=1) <= n_items - history).all()
    assert (ids[:, n_items:] == -1).all()
    _is_ranked(ids, scores)


def test_handles_empty_batches_and_zero_k(model: Recommender, blocks: Blocks) -> None:
    ids, scores = model.recommend(np.array([], dtype=np.int64), blocks.user_items[:0], 5)
    assert ids.shape == scores.shape == (0, 5)
    ids, scores = model.recommend(np.array([0]), blocks.user_items[:1], 0)
    assert ids.shape == (1, 0)


def test_save_and_load_give_identical_recommendations(
    model: Recommender, blocks: Blocks, tmp_path: Path
) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_recommender(path)
    assert type(loaded) is type(model)
    assert loaded.params == model.params
    expected, loaded_ids = _recommend_all(model, blocks, 8), _recommend_all(loaded, blocks, 8)
    np.testing.assert_array_equal(expected[0], loaded_ids[0])
    np.testing.assert_array_equal(expected[1], loaded_ids[1])
    np.testing.assert_array_equal(
        model.similar_items(np.arange(5), 4)[0], loaded.similar_items(np.arange(5), 4)[0]
    )


def test_loading_a_missing_or_damaged_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ModelNotTrainedError):
        load_recommender(tmp_path / "nothing.npz")
    (tmp_path / "damaged.npz").write_bytes(b"not a zip")
    with pytest.raises(RecommenderError, match="unreadable model file"):
        load_recommender(tmp_path / "damaged.npz")


def test_similar_items_stay_in_their_block(model: Recommender, blocks: Blocks) -> None:
    items = np.arange(blocks.user_items.shape[1])
    ids, scores = model.similar_items(items, 5)
    assert ids.shape == (len(items), 5)
    assert not (ids == items[:, None]).any()
    if not model.personalised:
        assert (ids == -1).all()  # popularity knows no similarity
        return
    assert (ids >= 0).all()
    assert (blocks.item_block[ids] == blocks.item_block[:, None]).all()
    _is_ranked(ids, scores)


def test_similar_items_respect_allowed(model: Recommender, blocks: Blocks) -> None:
    allowed = np.zeros(blocks.user_items.shape[1], dtype=bool)
    allowed[:6] = True
    ids, _ = model.similar_items(np.array([0, 1]), 10, allowed=allowed)
    assert allowed[ids[ids >= 0]].all()
    assert (ids[:, 5:] == -1).all()  # 5 allowed items besides the item itself


def test_new_user_from_history_alone(model: Recommender, blocks: Blocks) -> None:
    """Row -1: a user the model was not trained on, known only by their history."""
    history = csr_matrix(blocks.user_items[[0, 45]])
    ids, scores = model.recommend(np.array([-1, -1]), history, 5, exclude=history)
    _is_ranked(ids, scores)
    if model.personalised:
        assert (ids >= 0).all()
        assert (blocks.item_block[ids[0]] == 0).all()
        assert (blocks.item_block[ids[1]] == 1).all()
    empty = csr_matrix((1, blocks.user_items.shape[1]), dtype=np.float32)
    ids, _ = model.recommend(np.array([-1]), empty, 5)
    assert (ids >= 0).all() != model.personalised  # no history: only popularity answers


def test_explain_names_history_items_largest_first(model: Recommender, blocks: Blocks) -> None:
    history = blocks.user_items[3]
    ids, _ = model.recommend(np.array([3]), history, 3, exclude=history)
    for item in ids[0][ids[0] >= 0]:
        reasons = model.explain(3, history, int(item), top=3)
        if not model.personalised:
            assert reasons == []
            continue
        assert 0 < len(reasons) <= 3
        assert {source for source, _ in reasons} <= set(history.indices.tolist())
        contributions = [value for _, value in reasons]
        assert contributions == sorted(contributions, reverse=True)


@pytest.mark.parametrize("name", algorithms())
def test_unfitted_model_raises(name: str, tmp_path: Path) -> None:
    model = get_recommender(name)
    with pytest.raises(ModelNotTrainedError):
        model.recommend(np.array([0]), csr_matrix((1, 3)), 2)
    with pytest.raises(ModelNotTrainedError):
        model.save(tmp_path / "model.npz")
