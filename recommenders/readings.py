"""How a model reads the interaction weights: a rating or an event's weight can be a
confidence ("weighted"), mere presence ("binary"), or a like ("liked>=T": only cells
weighing T or more, each as 1). Which one ranks best depends on the data, so `auto`
tries them (`recommenders.selection`); a service applies its reading to what it fits
and to every history it queries with."""

from __future__ import annotations

import re

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.errors import RecommenderError

WEIGHTED = "weighted"
BINARY = "binary"
_LIKED = re.compile(r"liked>=(-?\d+(?:\.\d+)?)")


def liked(threshold: float) -> str:
    """The reading that keeps cells weighing `threshold` or more."""
    return f"liked>={threshold:g}"


def check(reading: str) -> str:
    """`reading`, or `RecommenderError` when it is none of the above."""
    if reading in (WEIGHTED, BINARY) or _LIKED.fullmatch(reading):
        return reading
    raise RecommenderError(f"reading must be weighted, binary or liked>=T, not {reading!r}")


def read(user_items: csr_matrix, reading: str) -> csr_matrix:
    """`user_items` as `reading` sees it (float32, no explicit zeros)."""
    matrix = csr_matrix(user_items, dtype=np.float32, copy=True)
    if reading != WEIGHTED:
        match = _LIKED.fullmatch(check(reading))
        kept = matrix.data >= float(match[1]) if match else matrix.data != 0
        matrix.data = kept.astype(np.float32)
    matrix.eliminate_zeros()
    return matrix


def candidates(user_items: csr_matrix) -> list[str]:
    """The readings worth trying on `user_items`: binary always; weighted when the weights
    differ; liked when they take several values, from the (upper) median weight up (ratings of
    1-5 with a median of 4: the 4s and 5s), unless that keeps every cell."""
    values = user_items.data[user_items.data != 0]
    found = [BINARY]
    if len(values) and values.min() != values.max():
        found.append(WEIGHTED)
        threshold = float(np.quantile(values, 0.5, method="higher"))
        if threshold > values.min():
            found.append(liked(threshold))
    return found
