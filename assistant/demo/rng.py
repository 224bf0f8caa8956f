"""A small random source whose output is stable across Python and numpy releases.

The demo store is committed to the repository and a test regenerates it byte for byte, so
every draw must be reproducible on any future interpreter. Python guarantees only that
``random.Random(seed).random()`` keeps producing the same sequence (string seeds included);
its other methods and numpy's ``Generator`` methods may change between releases (NEP 19).
:class:`Rng` therefore builds every draw it offers on ``random()`` plus plain arithmetic.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Rng:
    """Seeded draws (uniform, integer, weighted choice, normal) built on ``random()`` only.

    Args:
        seed: an int or a string; ``Rng(f"{seed}:catalog")`` gives an independent stream per
            generation stage, so editing one stage does not reshuffle the others.
    """

    def __init__(self, seed: int | str) -> None:
        self._random = random.Random(seed)

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._random.random()

    def uniform(self, low: float, high: float) -> float:
        """A float in [low, high)."""
        return low + (high - low) * self._random.random()

    def randint(self, low: int, high: int) -> int:
        """An int in [low, high], both ends included."""
        return low + int(self._random.random() * (high - low + 1))

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self._random.random() < p

    def choice(self, items: Sequence[T]) -> T:
        """One item, uniformly."""
        return items[int(self._random.random() * len(items))]

    def weighted_index(self, weights: Sequence[float]) -> int:
        """An index drawn with probability proportional to ``weights``."""
        cumulative = list(itertools.accumulate(weights))
        index = bisect.bisect_right(cumulative, self._random.random() * cumulative[-1])
        return min(index, len(weights) - 1)

    def weighted_choice(self, items: Sequence[T], weights: Sequence[float]) -> T:
        """One item drawn with probability proportional to ``weights``."""
        return items[self.weighted_index(weights)]

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """Up to ``k`` distinct items, uniformly."""
        return self.shuffled(items)[:k]

    def weighted_sample(self, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
        """Up to ``k`` distinct items, drawn one by one proportionally to ``weights``."""
        pool, pool_weights = list(items), list(weights)
        picked: list[T] = []
        while pool and len(picked) < k:
            index = self.weighted_index(pool_weights)
            picked.append(pool.pop(index))
            pool_weights.pop(index)
        return picked

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A shuffled copy (Fisher-Yates)."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.randint(0, i)
            out[i], out[j] = out[j], out[i]
        return out

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        """An approximately normal draw (Irwin-Hall: the sum of 12 uniforms, minus 6)."""
        return mean + sd * (sum(self._random.random() for _ in range(12)) - 6.0)

    def geometric(self, mean: float) -> int:
        """A count >= 0 with the given mean (geometric distribution)."""
        p_continue = mean / (1.0 + mean)
        count = 0
        while self._random.random() < p_continue:
            count += 1
        return count

    def dirichlet_flat(self, k: int) -> list[float]:
        """``k`` positive weights summing to 1 (a flat Dirichlet, via sorted uniforms)."""
        cuts = sorted(self._random.random() for _ in range(k - 1))
        bounds = [0.0, *cuts, 1.0]
        return [b - a for a, b in itertools.pairwise(bounds)]
