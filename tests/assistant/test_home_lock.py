"""One process changes a home at a time: others wait for it, or are told a server owns it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.errors import BadRequest
from assistant.home import SERVER, Home

ROOT = Path(__file__).resolve().parents[2]


def _hold(home: Path, purpose: str, seconds: float) -> subprocess.Popen[str]:
    """A process that holds the home's write lock for `seconds`, once it printed 'held'."""
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from assistant.home import Home
        with Home(Path({str(home)!r})).writing({purpose!r}):
            print("held", flush=True)
            time.sleep({seconds})
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_waits_for_another(tmp_path: Path) -> None:
    holder = _hold(tmp_path, "index", 1.0)
    started = time.monotonic()
    with Home(tmp_path).writing("train", wait=20.0):  # fails, not hangs, if never released
        waited = time.monotonic() - started
        assert holder.wait() == 0  # the holder finished before this got the lock
    assert waited > 0.3


def test_a_running_server_is_not_waited_for(tmp_path: Path) -> None:
    holder = _hold(tmp_path, SERVER, 30.0)
    try:
        with (
            pytest.raises(BadRequest, match="in use by `shopassist serve"),
            Home(tmp_path).writing("products upsert"),
        ):
            pass
    finally:
        holder.kill()
        holder.wait()
    with Home(tmp_path).writing("products upsert"):  # a killed holder leaves no lock behind
        pass


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    home = Home(tmp_path)
    with home.writing("index"), home.writing("building the demo store"):
        pass


def test_parallel_upserts_from_the_command_line_all_land(tmp_path: Path, demo_home: Path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    runs = []
    for n in range(2):
        changes = tmp_path / f"new{n}.jsonl"
        changes.write_text(json.dumps({"id": f"PAR-{n}", "title": f"Parallel teapot {n}"}) + "\n")
        command = [sys.executable, "-m", "assistant", "products", "upsert", "--catalog"]
        runs.append(subprocess.Popen([*command, str(changes), "--home", str(home)], cwd=ROOT))
    assert [run.wait() for run in runs] == [0, 0]
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "parallel teapot", "--json"]
        + ["--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {result["id"] for result in json.loads(out)["results"]}
    assert {"PAR-0", "PAR-1"} <= found
