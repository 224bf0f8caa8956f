"""A tiny deterministic embedder for tests that must not load a model (subprocesses)."""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence

import numpy as np

from retrieval.embedder import Embedder


class HashEmbedder(Embedder):
    """Bag of hashed words: texts sharing words are close. ``delay`` seconds of sleep
    per call make builds slow enough to be interrupted."""

    name = "hash"
    dim = 64

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.delay:
            time.sleep(self.delay)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, zlib.crc32(word.encode()) % self.dim] += 1.0
            vectors[row, 0] += 1e-3
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
