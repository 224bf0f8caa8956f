"""The API while the model server hangs: chat turns, /healthz and search latencies with 50
chats in flight against an OpenAI-compatible server that accepts connections and never
answers, beside the same load on the local tier alone (the baseline, same process);
writes the "llm-hang" section of docs/benchmarks.md.

    python -m benchmarks.llm_hang [--chats 50] [--deadline 20] [--no-write]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.report import machine, write_section

MESSAGES = ("puzzles under $20", "red building sets", "where is my order", "board games")


@contextmanager
def serving(home: Path, environment: dict[str, str]) -> Iterator[str]:
    """`shopassist serve` on `home` in a process of its own (the load runs in this one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "assistant", "serve", "--home", str(home), "--port", str(port)]
    server = subprocess.Popen(command, env={**os.environ, **environment})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def load(url: str, chats: int) -> dict[str, Any]:
    """`chats` concurrent chat turns; /healthz and a search probed every 20 ms meanwhile."""
    probes: dict[str, list[float]] = {"healthz": [], "search": []}
    done = threading.Event()

    def probe() -> None:
        with httpx.Client(timeout=60) as client:
            while not done.is_set():
                for name, path in (("healthz", "/healthz"), ("search", "/v1/search?q=puzzle")):
                    started = time.perf_counter()
                    client.get(url + path).raise_for_status()
                    probes[name].append(1000 * (time.perf_counter() - started))
                time.sleep(0.02)

    def chat(n: int) -> tuple[float, str]:
        started = time.perf_counter()
        body = {"message": MESSAGES[n % len(MESSAGES)]}
        response = httpx.post(f"{url}/v1/chat", json=body, timeout=120)
        response.raise_for_status()
        return time.perf_counter() - started, response.json()["backend"]

    prober = threading.Thread(target=probe)
    prober.start()
    with ThreadPoolExecutor(chats) as pool:
        turns = list(pool.map(chat, range(chats)))
    done.set()
    prober.join()
    seconds = sorted(s for s, _ in turns)
    return {
        "turn_p50_s": statistics.median(seconds),
        "turn_max_s": seconds[-1],
        "local_answers": sum(backend == "local" for _, backend in turns),
        "chats": chats,
        **{f"{name}_p50_ms": statistics.median(v) for name, v in probes.items()},
        **{f"{name}_p99_ms": _p99(v) for name, v in probes.items()},
        "probes": len(probes["healthz"]),
    }


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def main() -> None:
    from assistant.settings import Settings
    from assistant.shop import Shop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--deadline", type=float, default=20.0, help="openai_timeout, s")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(256)
    common = {
        "SHOPASSIST_NOW": "2027-01-11T10:30:00+00:00",
        "SHOPASSIST_RATE_LIMIT_PER_MINUTE": "0",
        "SHOPASSIST_OPENAI_API_KEY": "not-used",
        "SHOPASSIST_OPENAI_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/v1",
        "SHOPASSIST_OPENAI_TIMEOUT": str(args.deadline),
        "SHOPASSIST_OPENAI_MAX_RETRIES": "0",
    }
    runs = {"local tier only": "local", "model hanging": "openai:hanging"}
    with tempfile.TemporaryDirectory(prefix="shopassist-hang-") as tmp:
        home = Path(tmp)
        Shop.open(Settings(_env_file=None, home=home), progress=True).close()  # type: ignore[call-arg]
        results = {}
        for name, llm in runs.items():
            with serving(home, {**common, "SHOPASSIST_LLM": llm}) as url:
                results[name] = load(url, args.chats)
            print(name, results[name])
    markdown = render(results, args.deadline, args.chats)
    print(markdown)
    if not args.no_write:
        write_section("llm-hang", markdown)


def render(results: dict[str, dict[str, Any]], deadline: float, chats: int) -> str:
    from assistant.settings import Settings

    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    lines = [
        "## The API while the model hangs",
        "",
        f"`python -m benchmarks.llm_hang` — {machine()}; `shopassist serve` (one worker) in a "
        "process of its own, the load from another.",
        "",
        f"{chats} concurrent `POST /v1/chat` turns against an OpenAI-compatible server that "
        "accepts connections and never answers (turn deadline `openai_timeout` = "
        f"{deadline:g} s, `llm_concurrency` = {defaults['llm_concurrency']}, "
        f"`llm_queue_wait` = {defaults['llm_queue_wait']:g} s), while a client probes "
        "`/healthz` and `/v1/search?q=puzzle` every 20 ms; the baseline runs the same load "
        "against a server with no model configured (over in well under a second, so it has "
        "few probes).",
        "",
        "| run | turns answered by the local tier | turn p50 / max (s) | /healthz p50 / p99 "
        "(ms) | search p50 / p99 (ms) | probes |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['local_answers']} / {r['chats']} | {r['turn_p50_s']:.2f} / "
            f"{r['turn_max_s']:.2f} | {r['healthz_p50_ms']:.1f} / {r['healthz_p99_ms']:.1f} | "
            f"{r['search_p50_ms']:.1f} / {r['search_p99_ms']:.1f} | {r['probes']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
