from __future__ import annotations

import numpy as np
import pytest

from retrieval.embedder import Embedder, MiniLMEmbedder, get_embedder
from retrieval.errors import UnknownEmbedderError


def test_embed_returns_unit_float32_rows(embedder: Embedder) -> None:
    vectors = embedder.embed(["red running shoes", "crimson sneakers", "kitchen knife"])

    assert vectors.shape == (3, embedder.dim) == (3, 384)
    assert vectors.dtype == np.float32 and vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    shoes, sneakers, knife = vectors
    assert shoes @ sneakers > shoes @ knife + 0.2
    assert embedder.embed([]).shape == (0, 384)


def test_embed_query_is_cached_and_read_only(embedder: Embedder) -> None:
    first = embedder.embed_query("wooden train set")
    assert embedder.embed_query("wooden train set") is first
    assert not first.flags.writeable
    np.testing.assert_allclose(first, embedder.embed(["wooden train set"])[0], atol=1e-5)


def test_bfloat16_agrees_with_float32(embedder: Embedder) -> None:
    texts = ["LEGO City Police Car", "1000 piece jigsaw puzzle of Starry Night"]
    fp32 = MiniLMEmbedder(threads=2, dtype="float32").embed(texts)
    bf16 = embedder.embed(texts)
    assert np.all(np.sum(fp32 * bf16, axis=1) > 0.99)


def test_get_embedder_by_name() -> None:
    embedder = get_embedder("MiniLM", batch_size=8)
    assert isinstance(embedder, MiniLMEmbedder) and embedder.name == "minilm"
    with pytest.raises(UnknownEmbedderError, match="minilm"):
        get_embedder("word2vec")
    with pytest.raises(ValueError):
        MiniLMEmbedder(dtype="int8")
