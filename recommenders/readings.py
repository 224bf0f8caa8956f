"""How a model reads the interaction weights: a rating or an event's weight can be a
confidence ("weighted"), mere presence ("binary"), or a like ("liked>=T": only cells
weighing T or more, each as 1); a sequential model reads when each item was met instead
("times"). Which one ranks best depends on the data, so `auto` tries them
(`recommenders.selection`); a service applies its reading to what it fits and to every
history it queries with (as binary, for "times")."""

from __future__ import annotations

import re

import numpy as np
from scipy.sparse import csr_matrix

from recommenders.errors import RecommenderError

WEIGHTED = "weighted"
BINARY = "binary"
TIMES = "times"
_LIKED = re.compile(r"liked>=(-?\d+(?:\.\d+)?)")


def liked(threshold: float) -> str:
    """The reading that keeps cells weighing `threshold` or more."""
    return f"liked>={threshold:g}"


def check(reading: str) -> str:
    """`reading`, or `RecommenderError` when it is none of the above."""
    if reading in (WEIGHTED, BINARY, TIMES) or _LIKED.fullmatch(reading):
        return reading
    raise RecommenderError(f"reading must be weighted, binary, liked>=T or times, not {reading!r}")


def fitted_on(user_items: csr_matrix, reading: str, times: csr_matrix | None) -> csr_matrix:
    """What a model reading `reading` is fitted on: `read(user_items, reading)`, or for
    "times" each cell's time (`times`: the same cells) in seconds since the earliest, plus
    one, so that none is zero."""
    if reading != TIMES:
        return read(user_items, reading)
    if times is None:
        raise RecommenderError("the times reading needs events with timestamps")
    since = csr_matrix(times, dtype=np.float64, copy=True)
    since.data = since.data - (since.data.min() if since.nnz else 0.0) + 1.0
    return since


def read(user_items: csr_matrix, reading: str) -> csr_matrix:
    """`user_items` as `reading` sees it (float32, no explicit zeros; "times" queries as
    binary)."""
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
