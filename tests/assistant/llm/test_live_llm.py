"""The OpenAI tier against a real OpenAI-compatible server, opt-in:

    SHOPASSIST_LIVE_OPENAI=http://127.0.0.1:8080/v1 [SHOPASSIST_LIVE_MODEL=qwen] \\
        .venv/bin/python -m pytest -m live

(any server: a hosted API with SHOPASSIST_OPENAI_API_KEY set, or the local Qwen2.5-Coder
model served by llama-cpp-python, see docs/benchmarks.md, "chat"). Whatever the model
does, each turn must end in a grounded answer that keeps the shopper's constraints.
"""

from __future__ import annotations

import os

import pytest

from assistant.llm import get_llm
from assistant.orchestrator import Assistant
from tests.conftest import make_settings

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("SHOPASSIST_LIVE_OPENAI"), reason="SHOPASSIST_LIVE_OPENAI is not set"
    ),
]


@pytest.fixture(scope="module")
def assistant(shop):
    settings = make_settings(
        shop.home.root,
        openai_api_key=os.environ.get("SHOPASSIST_OPENAI_API_KEY") or "not-needed",
        openai_base_url=os.environ["SHOPASSIST_LIVE_OPENAI"],
        openai_timeout=float(os.environ.get("SHOPASSIST_LIVE_TIMEOUT", "60")),
    )
    model = os.environ.get("SHOPASSIST_LIVE_MODEL", "default")
    backend = get_llm(f"openai:{model}", settings)
    return Assistant(shop, backend, store_name="Demo", max_chars=4000)


def test_a_search_keeps_the_shoppers_ceiling(assistant):
    response = assistant.chat("show me jigsaw puzzles under $20")
    assert response.reply.strip()
    assert all(p["price"] is not None and p["price"] <= 20 for p in response.products)


def test_small_talk_gets_a_reply(assistant):
    assert assistant.chat("hi there").reply.strip()


def test_an_off_topic_question_is_not_answered(assistant):
    response = assistant.chat("what is the capital of France?")
    assert "paris" not in response.reply.lower()
