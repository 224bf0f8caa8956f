"""Hand-written versions that the recommenders' tests compare against."""

from __future__ import annotations

import numpy as np

from recommenders import Recommender


def ease_weights(gram: np.ndarray, l2: float) -> np.ndarray:
    """EASE's item-item weights from a Gram matrix (Steck's four lines of numpy)."""
    precision = np.linalg.inv(gram.astype(np.float64) + l2 * np.eye(gram.shape[1]))
    weights = precision / -np.diag(precision)
    np.fill_diagonal(weights, 0.0)
    return weights


def item_weights(model: Recommender, n_items: int) -> np.ndarray:
    """A fitted item-item model's weights (0 where it has none), as ``ease_weights``."""
    similarities = model.similarities(np.arange(n_items))
    return np.where(np.isneginf(similarities), 0.0, similarities).T
