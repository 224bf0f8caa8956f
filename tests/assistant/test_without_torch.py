"""Serving needs no torch: search, recommend, ask and the HTTP API run in a process where
torch, transformers and sentence-transformers cannot be imported (a default install has
none of them; they come with the `finetune` extra)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

from tests.conftest import STORE_NOW

_SCRIPT = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class NoTorch(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"torch", "transformers", "sentence_transformers"}:
                raise ImportError(f"{name} is not installed")
            return None

    sys.meta_path.insert(0, NoTorch())

    from fastapi.testclient import TestClient

    from assistant.api.app import create_app
    from assistant.cli import main
    from assistant.settings import Settings

    home, now = sys.argv[1], sys.argv[2]
    for argv in (
        ["search", "puzzle under $20"],
        ["recommend", "u0038"],
        ["ask", "where is my order SA-102133", "--user", "u0096"],
    ):
        assert main(["--home", home, "--json", *argv]) == 0, argv
    settings = Settings(_env_file=None, home=home, llm="local", now=now)
    with TestClient(create_app(settings)) as client:
        chat = client.post("/v1/chat", json={"message": "show me jigsaw puzzles"})
        assert chat.status_code == 200 and chat.json()["products"], chat.text
        assert client.get("/v1/search", params={"q": "red building set"}).status_code == 200
    print(json.dumps({"loaded": sorted(m for m in ("torch", "transformers") if m in sys.modules)}))
    """
)


def test_search_recommend_ask_and_serve_run_without_torch(demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(home), STORE_NOW.isoformat()],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"loaded": []}
