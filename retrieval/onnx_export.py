"""Export a sentence-transformers model (BERT, MPNet) to ONNX, for ONNX Runtime.

Run once per model and cached (see :class:`retrieval.embedder.OnnxEmbedder`). A BERT
(MiniLM: the embedder of search and of the intent model) is built as an ONNX graph
straight from its ``config.json`` and ``model.safetensors``, so that the default install
needs neither torch nor transformers' model classes. The graph holds the ops of torch's
trace of transformers' ``BertModel``, then sentence-transformers' mean pooling: its float32
vectors agree with the traced model's to a cosine of 0.9999999, its int8 ones to 0.9998 on
average (activations are quantised on the fly, from floats that differ in the last bits).
Any other model (MPNet, only used by the optional fine-tuning path) is traced by torch,
which ``pip install 'shopassist[finetune]'`` brings.

With ``quantize``, ONNX Runtime then quantises the weights of every matrix product to int8,
one scale per output channel. MiniLM takes that well (a query's vector keeps a cosine of
0.97-0.999 with the float32 model's; search and intent accuracy in docs/benchmarks.md,
"int8 across CPUs"). MPNet does not (a cosine of about 0.91, and 1.4 points less BANKING77
accuracy from its vectors), so it runs in float32 (~24 ms a query on one core, against
~10 ms in int8).

Weights are quantised to 7 bits (``reduce_range``), so that every x86-64 CPU computes the
same vectors. ONNX Runtime multiplies uint8 activations by int8 weights with VNNI
(``vpdpbusd``) where the CPU has it, and with AVX2's ``vpmaddubsw`` elsewhere, which adds
two products into a saturating 16-bit sum: with 8-bit weights that sum overflows and the
same model gave vectors at a mean cosine of 0.990 (as low as 0.966) between an AVX2-only
and an AVX-512 VNNI machine, enough to flip answers that sat near a threshold. With 7-bit
weights no sum can overflow (2 x 255 x 64 < 2^15): the two agree at 0.9999, at the same
speed.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import UnknownEmbedderError

if TYPE_CHECKING:
    import onnx

logger = logging.getLogger(__name__)

_OPSET = 17
RECIPE = 3
"""Bumped whenever what :func:`export` writes changes (2: 7-bit weights; 3: BERT built
without torch), so that cached exports from before are not loaded as if they were the
same model."""

_WEIGHTS = "model.safetensors"
_QUANTISERS = ("onnxruntime", "onnx")
_TRACERS = ("torch", "transformers")


def export(model_dir: Path, target: Path, *, quantize: bool) -> None:
    """Write ``model_dir``'s encoder, mean-pooled, as an ONNX model to ``target``, with
    int8 weights if ``quantize`` (atomically: concurrent exports of one model are harmless).
    UnknownEmbedderError when the model needs torch and torch is not installed."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        written = Path(scratch) / "model.onnx"
        if _builds_without_torch(model_dir):
            written.write_bytes(_bert_model(model_dir).SerializeToString())
        else:
            _trace(model_dir, written)
        if quantize:
            quantized = Path(scratch) / "model.int8.onnx"
            quantize_dynamic(
                written, quantized, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
            )
            written = quantized
        os.replace(written, target)
    logger.info("exported %s to %s (%s)", model_dir, target, "int8" if quantize else "float32")


def export_packages(model_dir: Path) -> tuple[str, ...]:
    """The distributions whose versions decide what :func:`export` writes for
    ``model_dir``: onnx and ONNX Runtime (graph and quantisation), and for a model that
    torch traces, torch and transformers too."""
    return _QUANTISERS if _builds_without_torch(model_dir) else _QUANTISERS + _TRACERS


def _config(model_dir: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return config


def _builds_without_torch(model_dir: Path) -> bool:
    """Whether ``model_dir`` holds a BERT that :func:`_bert_model` computes exactly: its
    weights in safetensors (a ``pytorch_model.bin`` is a pickle only torch reads), exact
    GELU and absolute positions (what sentence-transformers' BERTs use)."""
    config = _config(model_dir)
    return (
        config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (model_dir / _WEIGHTS).exists()
    )


class _Graph:
    """An ONNX graph being built: nodes and constants, held as plain Python and numpy
    until :meth:`model` (importing onnx takes half a second, which loading a cached
    export should not pay)."""

    def __init__(self) -> None:
        self.nodes: list[tuple[str, tuple[str, ...], str, dict[str, Any]]] = []
        self.constants: dict[str, np.ndarray] = {}

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        """Add an ``op_type`` node; the name of its one output."""
        output = f"{op_type}_{len(self.nodes)}"
        self.nodes.append((op_type, inputs, output, attributes))
        return output

    def constant(self, value: np.ndarray, name: str = "") -> str:
        """Add ``value`` as an initializer (named ``name`` if given); its name."""
        name = name or f"constant_{len(self.constants)}"
        self.constants[name] = value
        return name

    def ints(self, values: int | list[int]) -> str:
        """An int64 constant (a scalar, or a vector from a list)."""
        return self.constant(np.array(values, dtype=np.int64))

    def scalar(self, value: float) -> str:
        """A float32 scalar constant."""
        return self.constant(np.array(value, dtype=np.float32))

    def model(self, inputs: tuple[str, ...], output: str, width: int) -> onnx.ModelProto:
        """The graph as a model: int64 ``inputs`` of shape (batch, tokens), and ``output``
        renamed "embedding", float32 of shape (batch, width)."""
        from onnx import TensorProto, checker, helper, numpy_helper

        renamed = {output: "embedding"}
        nodes = [
            helper.make_node(
                op_type,
                list(sources),
                [renamed.get(result, result)],
                name=result,
                **attributes,
            )
            for op_type, sources, result, attributes in self.nodes
        ]
        graph = helper.make_graph(
            nodes,
            "mean_pooled_encoder",
            [
                helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
                for name in inputs
            ],
            [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", width])],
            [numpy_helper.from_array(value, name) for name, value in self.constants.items()],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
        checker.check_model(model)
        return model


class _Bert:
    """Builds transformers' ``BertModel`` forward pass from its config and weights (named
    as ``BertModel.save_pretrained`` writes them) out of the ONNX ops that torch's trace of
    it holds, in the same order (but for scaling the queries once where torch scales
    queries and keys by a root each). Every linear layer is a ``MatMul`` by a constant
    (the transposed weight) and an ``Add`` of the bias, which ONNX Runtime's quantisation
    turns into int8 products; the embedding tables are read with ``Gather``, which it
    quantises too: the int8 weights come out the same as the traced model's."""

    def __init__(self, config: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
        self.graph = _Graph()
        self.weights = weights
        self.width = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])

    def mean_pooled(self, ids: str, mask: str) -> str:
        """The last layer's token vectors averaged over the tokens that ``mask`` keeps
        (sentence-transformers' mean pooling)."""
        g = self.graph
        kept = g.op("Cast", mask, to=1)  # 1: float32
        hidden = self.embeddings(ids)
        bias = self.attention_bias(kept)
        for layer in range(self.layers):
            hidden = self.layer(hidden, bias, f"encoder.layer.{layer}.")
        per_token = g.op("Unsqueeze", kept, g.ints([-1]))
        total = g.op("ReduceSum", g.op("Mul", hidden, per_token), g.ints([1]), keepdims=0)
        count = g.op("ReduceSum", per_token, g.ints([1]), keepdims=0)
        return g.op("Div", total, g.op("Clip", count, g.scalar(1e-9)))

    def embeddings(self, ids: str) -> str:
        """Word, segment (0: one sentence) and position embeddings, summed and normalised."""
        g = self.graph
        words = g.op("Gather", self.weight("embeddings.word_embeddings.weight"), ids)
        segment = g.op("Gather", self.weight("embeddings.token_type_embeddings.weight"), g.ints(0))
        tokens = g.op("Gather", g.op("Shape", ids), g.ints(1))
        positions = g.op("Range", g.ints(0), tokens, g.ints(1))
        placed = g.op("Gather", self.weight("embeddings.position_embeddings.weight"), positions)
        return self.layer_norm(
            g.op("Add", g.op("Add", words, segment), placed), "embeddings.LayerNorm"
        )

    def attention_bias(self, kept: str) -> str:
        """What is added to every attention score: 0 for a kept key, float32's lowest for
        padding (as transformers does), so padding gets no attention; shape (batch, 1, 1,
        tokens), to broadcast over heads and queries."""
        g = self.graph
        dropped = g.op("Sub", g.scalar(1), kept)
        lowest = g.op("Mul", dropped, g.scalar(float(np.finfo(np.float32).min)))
        return g.op("Unsqueeze", lowest, g.ints([1, 2]))

    def layer(self, hidden: str, bias: str, prefix: str) -> str:
        """One encoder layer: self-attention, then the feed-forward block with exact (erf)
        GELU, each added to its input and normalised."""
        g = self.graph
        attended = self.linear(
            self.attention(hidden, bias, prefix), prefix + "attention.output.dense"
        )
        hidden = self.layer_norm(
            g.op("Add", attended, hidden), prefix + "attention.output.LayerNorm"
        )
        widened = self.linear(hidden, prefix + "intermediate.dense")
        normal_cdf = g.op(
            "Add", g.op("Erf", g.op("Div", widened, g.scalar(np.sqrt(2)))), g.scalar(1)
        )
        activated = g.op("Mul", g.op("Mul", widened, normal_cdf), g.scalar(0.5))
        fed = self.linear(activated, prefix + "output.dense")
        return self.layer_norm(g.op("Add", fed, hidden), prefix + "output.LayerNorm")

    def attention(self, hidden: str, bias: str, prefix: str) -> str:
        """Multi-head scaled dot-product self-attention: the heads' outputs side by side,
        shape (batch, tokens, width)."""
        g = self.graph
        size = self.width // self.heads
        split = g.ints([0, 0, self.heads, size])  # 0: the input's own batch and tokens

        def heads(name: str, order: list[int]) -> str:
            projected = self.linear(hidden, f"{prefix}attention.self.{name}")
            return g.op("Transpose", g.op("Reshape", projected, split), perm=order)

        queries = g.op("Mul", heads("query", [0, 2, 1, 3]), g.scalar(1 / np.sqrt(size)))
        scores = g.op("Add", g.op("MatMul", queries, heads("key", [0, 2, 3, 1])), bias)
        mixed = g.op("MatMul", g.op("Softmax", scores, axis=-1), heads("value", [0, 2, 1, 3]))
        merged = g.op("Transpose", mixed, perm=[0, 2, 1, 3])
        return g.op("Reshape", merged, g.ints([0, 0, self.width]))

    def linear(self, x: str, prefix: str) -> str:
        transposed = self.weights[prefix + ".weight"].T.copy()
        product = self.graph.op("MatMul", x, self.graph.constant(transposed, prefix + ".weight"))
        return self.graph.op("Add", product, self.weight(prefix + ".bias"))

    def layer_norm(self, x: str, prefix: str) -> str:
        scale, shift = self.weight(prefix + ".weight"), self.weight(prefix + ".bias")
        return self.graph.op("LayerNormalization", x, scale, shift, axis=-1, epsilon=self.eps)

    def weight(self, name: str) -> str:
        return self.graph.constant(self.weights[name], name)


def _bert_model(model_dir: Path) -> onnx.ModelProto:
    """``model_dir``'s BERT, mean-pooled, as an ONNX model (see :class:`_Bert`)."""
    from safetensors.numpy import load_file

    weights = {  # float32 whatever they were saved in; position_ids (ints) is not needed
        name: value.astype(np.float32, copy=False)
        for name, value in load_file(str(model_dir / _WEIGHTS)).items()
        if value.dtype.kind == "f"
    }
    bert = _Bert(_config(model_dir), weights)
    pooled = bert.mean_pooled("input_ids", "attention_mask")
    return bert.graph.model(("input_ids", "attention_mask"), pooled, bert.width)


def _trace(model_dir: Path, path: Path) -> None:
    """Write ``model_dir``'s encoder, mean-pooled, to ``path`` as torch traces it."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise UnknownEmbedderError(
            f"exporting the {_config(model_dir).get('model_type')} model in {model_dir} needs "
            "torch and transformers: pip install 'shopassist[finetune]'"
        ) from exc

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    encoder = _mean_pooled(AutoModel.from_pretrained(str(model_dir)).eval())
    ids = torch.tensor([[101, 7592, 2088, 102]])  # any ids: the axes are dynamic
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            encoder,
            (ids, torch.ones_like(ids)),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=_OPSET,
            dynamo=False,
        )


def _mean_pooled(encoder: Any) -> Any:
    """``encoder``'s token vectors averaged over the attention mask (sentence-transformers'
    mean pooling), as one traceable module. BERT takes segment ids (all zero for one
    sentence); MPNet has none."""
    import inspect

    import torch

    segments = "token_type_ids" in inspect.signature(encoder.forward).parameters

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            extra = {"token_type_ids": torch.zeros_like(input_ids)} if segments else {}
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, **extra
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    return MeanPooled()
