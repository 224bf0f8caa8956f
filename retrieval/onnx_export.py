"""Export a sentence-transformers BERT model to ONNX with int8 weights, for ONNX Runtime.

Run once per model and cached (see :class:`retrieval.embedder.MiniLMEmbedder`): torch
traces the model with mean pooling built in, then ONNX Runtime quantises the weights of
every matrix product to int8, one scale per output channel. Measured on the judged search
set, hybrid nDCG@10 was 0.8625 with the int8 model against 0.8601 with bf16 torch, and a
query's vector kept a cosine of 0.98-0.995 with the float32 model's.
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


def export_int8(model_dir: Path, target: Path) -> None:
    """Write ``model_dir``'s encoder, mean-pooled, as an int8 ONNX model to ``target``
    (atomically: concurrent exports of the same model are harmless)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    target.parent.mkdir(parents=True, exist_ok=True)
    encoder = _mean_pooled(AutoModel.from_pretrained(str(model_dir)).eval())
    ids = torch.tensor([[101, 7592, 2088, 102]])
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
        quantize_dynamic(traced, quantized, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(quantized, target)
    logger.info("exported %s to %s (int8)", model_dir, target)


def _mean_pooled(encoder: Any) -> Any:
    """``encoder``'s token vectors averaged over the attention mask (sentence-transformers'
    mean pooling), as one traceable module."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    return MeanPooled()
