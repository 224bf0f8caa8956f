"""The README's commands work as written: every `shopassist` line parses, and the "Try it"
block runs, line by line, against a demo store in `./.shopassist`, as a new user would."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.api.app import create_app
from assistant.cli import build_parser
from tests.conftest import STORE_NOW, make_settings
from tests.serving import serving

README = Path(__file__).resolve().parents[1] / "README.md"
_PLACEHOLDER = re.compile(r"<([^>]+)>")


def _bash_blocks(section: str | None = None) -> list[list[str]]:
    """The README's ```bash blocks (those under the heading `section` when given), as
    logical lines: comments dropped, `\\` continuations joined."""
    text = README.read_text(encoding="utf-8")
    if section is not None:
        start = text.index(f"\n### {section}\n")
        end = text.find("\n#", start + 1)
        text = text[start:end]
    blocks = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        lines = [_without_comment(line).strip() for line in joined.splitlines()]
        blocks.append([line for line in lines if line])
    return blocks


def _without_comment(line: str) -> str:
    """`line` up to a `#` that starts a shell comment (outside quotes)."""
    quote = None
    for i, char in enumerate(line):
        if char in "'\"" and (i == 0 or line[i - 1] != "\\"):
            quote = None if quote == char else (quote or char)
        elif char == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def test_every_shopassist_line_in_the_readme_parses():
    lines = [line for block in _bash_blocks() for line in block if line.startswith("shopassist ")]
    assert len(lines) >= 20
    parser = build_parser()
    for line in lines:
        argv = shlex.split(_PLACEHOLDER.sub("X", line))[1:]
        try:
            parser.parse_args(argv)
        except SystemExit:  # argparse has printed why
            pytest.fail(f"README line does not parse: {line}")


@pytest.mark.timeout(300)
def test_the_try_it_block_runs_as_written(demo_home, shop, tmp_path):
    """Each line of "Try it" runs in a folder holding the store `make run` builds (a copy
    of the test suite's demo home) and a `.venv` (this interpreter's)."""
    (block,) = _bash_blocks("Try it")
    shutil.copytree(demo_home, tmp_path / ".shopassist")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    env = {
        **os.environ,
        "PWD": str(tmp_path),
        "SHOPASSIST_NOW": STORE_NOW.isoformat(),
        "SHOPASSIST_LLM": "local",
    }
    env.pop("SHOPASSIST_HOME", None)
    session = None
    with serving(create_app(make_settings(shop.home.root), shop=shop)) as url:
        for line in block:
            if line == ". .venv/bin/activate":
                env["PATH"] = f"{tmp_path / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
                continue
            if line.startswith("export "):
                name, value = line.removeprefix("export ").split("=", 1)
                env[name] = os.path.expandvars(value.replace("$PWD", str(tmp_path)))
                continue
            if "<session_id" in line:
                assert session, "the README asks for a session id before any answer gave one"
                line = _PLACEHOLDER.sub(session, line)
            if line.startswith("curl "):
                line = line.replace("localhost:8000", url.removeprefix("http://"))
            done = subprocess.run(
                shlex.split(line), cwd=tmp_path, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, f"{line}\n{done.stderr}"
            answer = json.loads(done.stdout)
            assert answer, line
            session = answer.get("session_id", session)
    assert env["SHOPASSIST_HOME"] == str(tmp_path / ".shopassist")
