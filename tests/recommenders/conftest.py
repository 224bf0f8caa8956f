"""Shared data for the recommender tests: a seeded two-block ("checkerboard") matrix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from threadpoolctl import threadpool_limits

USERS_PER_BLOCK = 30
ITEMS_PER_BLOCK = 20
ITEMS_PER_USER = 10


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    """The test machine is small and shared: no BLAS thread pool."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


SMALL_DATA_PARAMS: dict[str, dict[str, object]] = {
    "als": {"factors": 4, "regularization": 5.0},
    "bpr": {"factors": 4, "learning_rate": 0.05, "iterations": 200},
    "blend": {
        "components": [
            ["ease", {"l2": 10.0}, 1.0],
            ["rp3beta", {}, 1.0],
            ["als", {"factors": 4, "regularization": 5.0}, 0.5],
        ]
    },
}
"""Parameters for data this small (64 factors would only memorise 60 users' histories)."""


@dataclass
class Blocks:
    """Two groups of users with disjoint item tastes."""

    user_items: csr_matrix
    user_block: np.ndarray
    """0 or 1 per user."""
    item_block: np.ndarray
    """0 or 1 per item."""


def make_blocks(seed: int = 7) -> Blocks:
    rng = np.random.default_rng(seed)
    n_users = 2 * USERS_PER_BLOCK
    dense = np.zeros((n_users, 2 * ITEMS_PER_BLOCK), dtype=np.float32)
    user_block = np.repeat([0, 1], USERS_PER_BLOCK)
    for user, block in enumerate(user_block):
        items = rng.choice(ITEMS_PER_BLOCK, ITEMS_PER_USER, replace=False) + block * ITEMS_PER_BLOCK
        dense[user, items] = rng.integers(1, 6, ITEMS_PER_USER)
    item_block = np.repeat([0, 1], ITEMS_PER_BLOCK)
    return Blocks(csr_matrix(dense), user_block, item_block)


@pytest.fixture(scope="session")
def blocks() -> Blocks:
    return make_blocks()


@pytest.fixture(scope="session")
def small_data_params() -> dict[str, dict[str, object]]:
    return SMALL_DATA_PARAMS
