"""int8 MiniLM on the two kinds of x86-64 CPU: search, intent and chat quality with ONNX
Runtime's VNNI kernels and with its AVX2 ones, for the 8-bit weights the project exported
before and the 7-bit weights it exports now; writes the "int8-cpus" section of
docs/benchmarks.md.

    python -m benchmarks.cpu_paths [--cpu EPYC-Milan] [--threads 2] [--no-write]

One machine measures both paths. The native path is this machine's (run it on a CPU with
AVX-512 VNNI or AVX-VNNI); the other runs the same model file in a child process under
QEMU's user-mode emulator with a CPU model that has AVX2 and no VNNI (`--cpu`, Debian's
`qemu-user` package), where ONNX Runtime picks its AVX2 kernels as it would on such a
machine. Only the embedding runs emulated (about 1 product text a second): search, the
intent model and the chat run natively on the vectors it returns, which are kept in
`--cache` so that an interrupted run resumes.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads

import argparse
import json
import shelve
import shutil
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from benchmarks.report import machine, write_section
from retrieval.embedder import Embedder, MiniLMEmbedder

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
WEIGHTS = ("8-bit", "7-bit")
"""The int8 recipes compared: weights quantised to 8 bits (before, ONNX Runtime's default)
and to 7 bits (`reduce_range`, what `retrieval.onnx_export` writes now)."""
STORE_NOW = datetime(2027, 1, 11, 10, 30, tzinfo=UTC)
"""The store clock of the chat runs (the test suite's), so runs on different days agree."""


class Float32MiniLM(MiniLMEmbedder):
    """The float32 export: the reference the int8 vectors are compared with."""

    quantized = False


def model_folder(cache: Path, weights: str) -> Path:
    """A cache folder holding MiniLM's export with `weights` under the name the embedder
    loads (the product's own export for 7 bits; ONNX Runtime's default quantisation of
    the float32 export for 8 bits)."""
    folder = cache / f"minilm-{weights}"
    embedder = MiniLMEmbedder(cache_dir=folder)
    target = folder / embedder.export_name(*embedder._source())
    if weights == "8-bit" and not target.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        reference = Float32MiniLM(cache_dir=cache / "minilm-float32")
        reference.embed(["export"])
        source = reference.cache_dir / reference.export_name(*reference._source())
        folder.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=True)
    return folder


class RecordedEmbedder(Embedder):
    """Vectors from `compute` (a batch function), kept per text in a shelf file."""

    def __init__(self, compute: Any, shelf: Path) -> None:
        self.name, self.dim = "minilm", 384
        self._compute = compute
        self._shelf = shelve.open(str(shelf))  # noqa: SIM115 (open while the run lasts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._shelf))
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            for text, vector in zip(batch, self._compute(batch), strict=True):
                self._shelf[text] = vector
            self._shelf.sync()
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._shelf[text]
        return vectors


class EmulatedPath:
    """`serve` run by `qemu-x86_64 -cpu CPU` in a child process: MiniLM from `folder` on
    that CPU's kernels."""

    def __init__(self, folder: Path, cpu: str, threads: int) -> None:
        qemu = shutil.which("qemu-x86_64")
        if qemu is None:
            raise SystemExit("the emulated path needs qemu-x86_64: apt install qemu-user")
        command = [qemu, "-cpu", cpu, sys.executable, "-m", "benchmarks.cpu_paths"]
        command += ["--serve", str(folder), "--threads", str(threads)]
        self._child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    def __call__(self, texts: list[str]) -> np.ndarray:
        assert self._child.stdin and self._child.stdout
        _send(self._child.stdin, json.dumps(texts).encode())
        return np.frombuffer(_receive(self._child.stdout), dtype=np.float32).reshape(-1, 384)

    def close(self) -> None:
        self._child.kill()


def _send(stream: BinaryIO, payload: bytes) -> None:
    stream.write(struct.pack("<Q", len(payload)) + payload)
    stream.flush()


def _receive(stream: BinaryIO) -> bytes:
    header = stream.read(8)
    if len(header) < 8:
        raise SystemExit("the emulated embedder stopped (is qemu-user installed?)")
    return stream.read(struct.unpack("<Q", header)[0])


def serve(folder: Path, threads: int) -> None:
    """The child: embed each batch of texts read from stdin, answer on stdout."""
    embedder = MiniLMEmbedder(cache_dir=folder, threads=threads)
    while header := sys.stdin.buffer.read(8):
        texts = json.loads(sys.stdin.buffer.read(struct.unpack("<Q", header)[0]))
        _send(sys.stdout.buffer, embedder.embed(texts).tobytes())


# -- what is measured ------------------------------------------------------------------
def sample_texts() -> list[str]:
    """Product texts and shopper messages to compare vectors on: 150 demo products as the
    index embeds them and every turn of the conversation set."""
    from assistant.chat_eval import DEFAULT_CONVERSATIONS, load_conversations
    from assistant.demo import CATALOG_CSV
    from retrieval.catalog import load_catalog
    from retrieval.search import document_text

    products = load_catalog(CATALOG_CSV).products[:150]
    turns = [t["say"] for c in load_conversations(DEFAULT_CONVERSATIONS) for t in c["turns"]]
    return [document_text(p) for p in products] + turns


def agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    cosines = np.sum(a * b, axis=1)
    return float(cosines.mean()), float(cosines.min())


def search_quality(embedder: Embedder) -> dict[str, Any]:
    from benchmarks.search_quality import CATALOG, DEV_SET
    from retrieval.catalog import AMAZON_SAMPLE_MAPPING, load_catalog
    from retrieval.evaluation import evaluate, load_judged
    from retrieval.search import SearchEngine

    engine = SearchEngine.build(load_catalog(CATALOG, AMAZON_SAMPLE_MAPPING).products, embedder)
    hybrid = evaluate(engine, load_judged(DEV_SET), modes=("hybrid",))["hybrid"]
    return {"ndcg": hybrid["ndcg"], "flagged": hybrid["no_good_match"]}


def intent_accuracy(embedder: Embedder) -> float:
    from assistant.nlu.evaluation import run

    result = run("banking77-10shot", DATA, embedder, method="linear", seeds=(0,))
    return float(result["accuracy"])


def chat(embedder: Embedder, home: Path) -> dict[str, Any]:
    from assistant.chat_eval import DEFAULT_CONVERSATIONS, evaluate, load_conversations
    from assistant.settings import Settings

    settings = Settings(_env_file=None, home=home, llm="local", now=STORE_NOW)  # type: ignore[call-arg]
    metrics = evaluate(settings, load_conversations(DEFAULT_CONVERSATIONS), "local", embedder)
    return {
        "passed": metrics["conversations"] - len(metrics["failures"]),
        "conversations": metrics["conversations"],
        "failed": [f["id"] for f in metrics["failures"]],
    }


def speed(folder: Path, texts: list[str], threads: int) -> dict[str, float]:
    """Products a second and one query's milliseconds (median of 5 rounds) natively."""
    embedder = MiniLMEmbedder(cache_dir=folder, threads=threads)
    embedder.embed(texts[:8])
    products = [t for t in texts if len(t) > 200][:100]
    rates, queries = [], []
    for _ in range(5):
        started = time.perf_counter()
        embedder.embed(products)
        rates.append(len(products) / (time.perf_counter() - started))
        started = time.perf_counter()
        embedder.embed(["wooden puzzle for a 3 year old"])
        queries.append(1000 * (time.perf_counter() - started))
    return {"products_per_s": statistics.median(rates), "query_ms": statistics.median(queries)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    texts = sample_texts()
    reference = Float32MiniLM(cache_dir=cache / "minilm-float32", threads=args.threads)
    fp32 = reference.embed(texts)
    results: dict[str, Any] = {"texts": len(texts), "cpu": args.cpu, "rows": []}
    folders = {weights: model_folder(cache, weights) for weights in WEIGHTS}
    results["speed"] = {w: speed(folders[w], texts, args.threads) for w in WEIGHTS}
    for weights in WEIGHTS:
        native = MiniLMEmbedder(cache_dir=folders[weights], threads=args.threads)
        emulated_path = EmulatedPath(folders[weights], args.cpu, args.threads)
        paths = {
            "native": RecordedEmbedder(native.embed, cache / f"{weights}-native"),
            "emulated": RecordedEmbedder(emulated_path, cache / f"{weights}-{args.cpu}"),
        }
        vectors = {name: embedder.embed(texts) for name, embedder in paths.items()}
        for name, embedder in paths.items():
            row: dict[str, Any] = {"weights": weights, "path": name}
            row["vs_float32"] = agreement(vectors[name], fp32)
            row["vs_other_path"] = agreement(vectors["native"], vectors["emulated"])
            print(f"{weights} {name}: measuring", file=sys.stderr, flush=True)
            row["search"] = search_quality(embedder)
            row["intent_accuracy"] = intent_accuracy(embedder)
            row["chat"] = chat(embedder, cache / f"home-{weights}-{name}")
            print(json.dumps(row), file=sys.stderr, flush=True)
            results["rows"].append(row)
        emulated_path.close()
    return results


def render(results: dict[str, Any], native_cpu: str) -> str:
    speed = results["speed"]
    ratio = speed["7-bit"]["products_per_s"] / speed["8-bit"]["products_per_s"]
    lines = [
        "## int8 across CPUs",
        "",
        f"`python -m benchmarks.cpu_paths` — {machine()}; native path: {native_cpu}; "
        f"emulated path: `qemu-x86_64 -cpu {results['cpu']}` (AVX2, no VNNI).",
        "",
        "ONNX Runtime multiplies int8 MiniLM's uint8 activations by its int8 weights with "
        "VNNI (`vpdpbusd`) where the CPU has it and with AVX2's `vpmaddubsw` elsewhere, "
        "whose 16-bit sums saturate for 8-bit weights. Vectors compared on "
        f"{results['texts']} texts (150 demo product texts and every turn of the "
        "conversation set); search: hybrid nDCG@10 on the judged set of `search-quality` "
        "(the Amazon sample) and the share of not-carried / carried queries flagged "
        "`no_good_match`; intents: BANKING77 10-shot (seed 0), `linear`; chat: the "
        "conversation set on the local tier, with the demo store built on that path.",
        "",
        "| weights | path | cosine to float32 (mean / min) | cosine to the other path "
        "(mean / min) | search nDCG@10 | flagged not-carried / carried | BANKING77 "
        "10-shot | conversations passed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        flagged = row["search"]["flagged"]
        failed = ", ".join(row["chat"]["failed"])
        lines.append(
            f"| {row['weights']} | {row['path']} | {row['vs_float32'][0]:.4f} / "
            f"{row['vs_float32'][1]:.4f} | {row['vs_other_path'][0]:.5f} / "
            f"{row['vs_other_path'][1]:.4f} | {row['search']['ndcg']:.3f} | "
            f"{flagged['not_carried']:.0%} / {flagged['carried']:.0%} | "
            f"{row['intent_accuracy']:.1%} | {row['chat']['passed']}/"
            f"{row['chat']['conversations']}{f' (failed: {failed})' if failed else ''} |"
        )
    eight, seven = (
        next(
            r["intent_accuracy"]
            for r in results["rows"]
            if r["weights"] == w and r["path"] == "native"
        )
        for w in WEIGHTS
    )
    lines += [
        "",
        "The emulated path is a model of an AVX2-only CPU, not one: QEMU computes each "
        "instruction exactly, which a real CPU's float kernels may not. The `nlu` section's "
        f"`linear` rows were measured with the 8-bit weights (BANKING77 10-shot seed 0: "
        f"{eight:.1%} then, {seven:.1%} with 7 bits); its `finetune` rows run the tuned "
        "encoder in torch and are not affected.",
        "",
        f"Native speed, median of 5 rounds on {native_cpu}: 8-bit "
        f"{speed['8-bit']['products_per_s']:.0f} products/s and "
        f"{speed['8-bit']['query_ms']:.1f} ms a query; 7-bit "
        f"{speed['7-bit']['products_per_s']:.0f} products/s and "
        f"{speed['7-bit']['query_ms']:.1f} ms ({ratio:.2f}x the products/s).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", default="EPYC-Milan", help="QEMU CPU model without VNNI")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shopassist-cpu-paths"))
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.threads)
        return
    results = measure(args)
    (args.cache / "results.json").write_text(json.dumps(results, indent=2))
    markdown = render(results, _native_cpu())
    print(markdown)
    if not args.no_write:
        write_section("int8-cpus", markdown)


def _native_cpu() -> str:
    flags = Path("/proc/cpuinfo").read_text().split("flags", 1)[-1].split("\n", 1)[0]
    name = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        "unknown CPU",
    )  # fmt: skip
    vnni = "AVX-512 VNNI" if "avx512_vnni" in flags else "AVX-VNNI" if "avx_vnni" in flags else None
    return f"{name} ({vnni or 'no VNNI: this path is AVX2 too'})"


if __name__ == "__main__":
    main()
