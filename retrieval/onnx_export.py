"""Export a sentence-transformers model (BERT, MPNet) to ONNX, for ONNX Runtime.

Run once per model and cached (see :class:`retrieval.embedder.OnnxEmbedder`): torch
traces the model with mean pooling built in; with ``quantize``, ONNX Runtime then
quantises the weights of every matrix product to int8, one scale per output channel.
MiniLM takes that well (a query's vector keeps a cosine of 0.97-0.999 with the float32
model's; search and intent accuracy in docs/benchmarks.md, "int8 across CPUs"). MPNet does
not (a cosine of about 0.91, and 1.4 points less BANKING77 accuracy from its vectors), so it
runs in float32 (~24 ms a query on one core, against ~10 ms in int8).

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

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_OPSET = 17
RECIPE = 2
"""Bumped whenever what :func:`export` writes changes (2: 7-bit weights), so that cached
exports from before are not loaded as if they were the same model."""


def export(model_dir: Path, target: Path, *, quantize: bool) -> None:
    """Write ``model_dir``'s encoder, mean-pooled, as an ONNX model to ``target``, with
    int8 weights if ``quantize`` (atomically: concurrent exports of one model are harmless)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    target.parent.mkdir(parents=True, exist_ok=True)
    encoder = _mean_pooled(AutoModel.from_pretrained(str(model_dir)).eval())
    ids = torch.tensor([[101, 7592, 2088, 102]])  # any ids: the axes are dynamic
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        traced = Path(scratch) / "model.onnx"
        quantized = Path(scratch) / "model.int8.onnx"
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                encoder,
                (ids, torch.ones_like(ids)),
                str(traced),
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
        if quantize:
            quantize_dynamic(
                traced, quantized, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
            )
            traced = quantized
        os.replace(traced, target)
    logger.info("exported %s to %s (%s)", model_dir, target, "int8" if quantize else "float32")


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
