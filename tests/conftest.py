"""Shared fixtures: the real offline embedding model, and a demo store built once per run.

Tests never reach the network: connections to anything but loopback fail loudly. The store
clock is pinned (:data:`STORE_NOW`, also for the command lines tests start), so nothing
depends on the day the suite runs.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.settings import Settings

# Before any OpenMP runtime loads (FAISS, implicit; torch in the fine-tuning tests): idle
# workers sleep instead of spinning, so tests sharing two cores with other work do not slow
# each other down several-fold.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
STORE_NOW = datetime(2027, 1, 11, 10, 30, tzinfo=UTC)
"""The store clock of every test: a Monday morning, weeks after the demo's snapshot."""
os.environ["SHOPASSIST_NOW"] = STORE_NOW.isoformat()

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
        raise RuntimeError(f"tests may not reach the network (tried {address!r})")
    _real_connect(self, address)  # type: ignore[arg-type]


socket.socket.connect = _loopback_only  # type: ignore[method-assign]


def shared_data(relative: str) -> Path:
    """A file under ../shared/data, or skip the test when the folder is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


MODEL_FIXTURES = frozenset({"embedder", "mpnet", "demo_home", "shop"})
"""Fixtures that load the real embedding models (exported once per machine and package
versions, then cached: see `retrieval.embedder.default_cache_dir`): a test that uses one,
directly or through another fixture, is marked `model`."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def embedder():
    from assistant.shop import set_threads
    from retrieval.embedder import get_embedder

    set_threads(2)
    return get_embedder("minilm", threads=2)


@pytest.fixture(scope="session")
def mpnet():
    """The real all-mpnet-base-v2 embedder (unpacked and exported on first use, ~1 min;
    torch traces it, so it needs the `finetune` extra, which `make test` installs)."""
    pytest.importorskip("torch")
    from retrieval.embedder import get_embedder

    return get_embedder("mpnet", threads=2)


def make_settings(home: Path, **overrides: object) -> Settings:
    overrides.setdefault("now", STORE_NOW)
    return Settings(_env_file=None, home=home, llm="local", **overrides)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    from assistant.shop import Shop

    home = tmp_path_factory.mktemp("demo-home")
    Shop.open(make_settings(home), embedder=embedder).close()
    return home


@pytest.fixture(scope="session")
def shop(demo_home: Path, embedder):
    from assistant.shop import Shop

    opened = Shop.open(make_settings(demo_home), embedder=embedder)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo_orders() -> list[dict]:
    """The demo orders as the demo store holds them (dated relative to STORE_NOW)."""
    from assistant.demo.orders import orders_as_of

    return orders_as_of(STORE_NOW)
