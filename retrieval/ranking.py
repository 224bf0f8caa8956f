"""Row-wise top-k: the one selection that vector search, hybrid search and every recommender
rank with.

It lives in `retrieval` because that is the lower of the two packages: `recommenders`
already builds on it (interaction tables are read by `retrieval.readers`) and `retrieval`
never imports `recommenders`. It needs numpy only, so importing it pulls in nothing else.
"""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a 2-D score array, the columns of the ``k`` largest scores, best first:
    ``(ids, scores)``, each of shape ``(rows, min(k, columns))``. Ties keep the lower
    column first; scores keep their dtype. Dropping entries that mean "no score" (-inf,
    NaN, both ranked last) or padding to ``k`` is the caller's convention, not this one's.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    k = min(k, scores.shape[1])
    if k < scores.shape[1]:
        columns = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        columns.sort(axis=1)
    else:
        columns = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    picked = np.take_along_axis(scores, columns, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1), np.take_along_axis(picked, order, axis=1)
