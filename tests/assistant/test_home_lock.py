"""One process changes a home at a time: others wait for it, or are told a server owns it."""

from __future__ import annotations

import json
import select
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
WAIT = 3.0
"""The lock wait every test passes to `Home.writing` where its default (900 s) would
apply: a lock that is wrongly held fails the test in seconds instead of hanging it."""
STARTUP = 60.0
"""How long a holder process may take to start (imports) and take the lock."""


def _hold(home: Path, purpose: str, seconds: float) -> subprocess.Popen[str]:
    """A process that holds the home's write lock for `seconds`, once it printed 'held'
    (within `STARTUP` seconds, or the test fails)."""
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
    assert holder.stdout is not None
    if not select.select([holder.stdout], [], [], STARTUP)[0]:
        holder.kill()
        holder.wait()
        pytest.fail(f"the holder did not take the lock within {STARTUP:g}s")
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_waits_for_another(tmp_path: Path) -> None:
    holder = _hold(tmp_path, "index", 1.0)
    started = time.monotonic()
    with Home(tmp_path).writing("train", wait=WAIT + 1.0):  # fails, not hangs, if never released
        waited = time.monotonic() - started
        assert holder.wait(timeout=WAIT) == 0  # the holder finished before this got the lock
    assert waited > 0.3


def test_a_running_server_is_not_waited_for(tmp_path: Path) -> None:
    """Refused at once: with `WAIT` rather than the default 900 s, a check that waited for
    the server would fail here in seconds (still being changed, not in use)."""
    holder = _hold(tmp_path, SERVER, 30.0)
    try:
        started = time.monotonic()
        with (
            pytest.raises(BadRequest, match="in use by `shopassist serve"),
            Home(tmp_path).writing("products upsert", wait=WAIT),
        ):
            pass
        assert time.monotonic() - started < 1.0  # not waited for
    finally:
        holder.kill()
        holder.wait(timeout=10)
    # A killed holder leaves no lock behind: taken at once, not after waiting `WAIT`.
    started = time.monotonic()
    with Home(tmp_path).writing("products upsert", wait=WAIT):
        assert time.monotonic() - started < 1.0


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
    try:  # each waits for the other's lock; a lock never released fails in minutes, not 900 s
        assert [run.wait(timeout=180) for run in runs] == [0, 0]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait()
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "search", "parallel teapot", "--json"]
        + ["--home", str(home)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout
    found = {result["id"] for result in json.loads(out)["results"]}
    assert {"PAR-0", "PAR-1"} <= found
