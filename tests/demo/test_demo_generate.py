"""The generator reproduces the committed demo store byte for byte."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.demo import DATA_DIR
from assistant.demo.generate import generate, main
from assistant.demo.rng import Rng


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_regenerating_reproduces_the_committed_files(tmp_path: Path, capsys) -> None:
    """Data files and the policies copied along match the committed folder byte for byte."""
    assert main(["--out", str(tmp_path), "--seed", "7"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["products"] >= 400

    expected, produced = _files(DATA_DIR), _files(tmp_path)
    assert sorted(produced) == sorted(expected)
    for name, content in expected.items():
        assert produced[name] == content, f"{name} differs from the committed file"


def test_another_seed_gives_another_store(tmp_path: Path) -> None:
    generate(tmp_path, seed=8)
    assert (tmp_path / "catalog.csv").read_bytes() != (DATA_DIR / "catalog.csv").read_bytes()


def test_rng_is_built_on_the_guaranteed_random_sequence() -> None:
    reference = random.Random("7:x")
    rng = Rng("7:x")
    assert [rng.random() for _ in range(5)] == [reference.random() for _ in range(5)]


def test_rng_draws_stay_in_range() -> None:
    rng = Rng(1)
    assert {rng.randint(1, 3) for _ in range(300)} == {1, 2, 3}
    assert sorted(rng.sample(range(10), 10)) == list(range(10))
    picked = rng.weighted_sample("abcd", [1, 1, 1, 100], 2)
    assert len(set(picked)) == 2
    weights = rng.dirichlet_flat(3)
    assert sum(weights) == pytest.approx(1.0) and min(weights) >= 0
    # a weight of zero is never drawn
    assert {rng.weighted_choice("ab", [0.0, 1.0]) for _ in range(200)} == {"b"}
