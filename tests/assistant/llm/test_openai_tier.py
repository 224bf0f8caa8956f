"""The OpenAI tier against a scripted OpenAI-compatible server (HTTP level), with fallback."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from assistant.errors import ConfigurationError, LLMUnavailable
from assistant.llm import ChatBackend, get_llm
from assistant.llm.base import Turn
from assistant.llm.breaker import CircuitBreaker
from assistant.llm.fallback import FallbackBackend
from assistant.llm.openai import OpenAIBackend
from assistant.orchestrator import Assistant
from assistant.tools import Toolbox
from assistant.understanding import understand
from tests.conftest import make_settings
from tests.fakes import ScriptedServer, completion


def _assistant(shop, server: ScriptedServer) -> Assistant:
    backend = get_llm("openai:fake-model", make_settings(shop.home.root), client=server.client())
    return Assistant(shop, backend, store_name="Demo", max_chars=4000)


def test_tool_call_then_grounded_answer(shop):
    puzzle = shop.catalog.search("jigsaw puzzle", k=1).hits[0].product
    server = ScriptedServer(
        completion(
            tool_calls=[
                {"name": "search_products", "arguments": {"query": "jigsaw puzzle", "k": 3}}
            ]
        ),
        completion(f"Try the {puzzle.title} for ${puzzle.price:.2f}."),
    )
    response = _assistant(shop, server).chat("I need a jigsaw puzzle")
    assert response.backend == "openai"
    assert puzzle.title in response.reply
    assert response.products and response.products[0]["id"] == puzzle.id
    first, second = server.requests
    assert first["model"] == "fake-model"
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "search_products",
        "get_order_status",
    }
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and puzzle.id in tool_message["content"]


def test_order_tool_uses_the_callers_identity(shop, demo_orders):
    order = demo_orders[0]
    stranger = next(o["user_id"] for o in demo_orders if o["user_id"] != order["user_id"])
    server = ScriptedServer(
        completion(
            tool_calls=[{"name": "get_order_status", "arguments": {"order_id": order["order_id"]}}]
        ),
        completion("I could not find that order on your account."),
    )
    _assistant(shop, server).chat(f"status of {order['order_id']}", user_id=stranger)
    assert '"found": false' in server.requests[1]["messages"][-1]["content"]


@pytest.mark.parametrize(
    "failure",
    [500, 429, httpx.ReadTimeout("timed out"), httpx.ConnectError("refused")],
    ids=["server-error", "rate-limited", "timeout", "unreachable"],
)
def test_failures_fall_back_to_the_local_tier(shop, failure):
    server = ScriptedServer(failure)
    response = _assistant(shop, server).chat("show me puzzles under $20")
    assert response.backend == "local"
    assert response.products and all(p["price"] <= 20 for p in response.products)


def test_a_malformed_call_the_model_does_not_correct_falls_back(shop):
    server = ScriptedServer(
        completion(tool_calls=[{"name": "search_products", "arguments": "{not json"}])
    )
    response = _assistant(shop, server).chat("show me puzzles under $20")
    assert response.backend == "local"
    assert "not JSON" in json.loads(server.requests[1]["messages"][-1]["content"])["error"]


def test_an_unknown_tool_the_model_insists_on_falls_back(shop):
    server = ScriptedServer(completion(tool_calls=[{"name": "delete_database", "arguments": {}}]))
    assert _assistant(shop, server).chat("show me puzzles").backend == "local"
    assert "unknown tool" in server.requests[1]["messages"][-1]["content"]


def test_invented_price_is_replaced(shop):
    server = ScriptedServer(completion("Our best puzzle costs just $3.17 today!"))
    assistant = _assistant(shop, server)
    response = assistant.chat("show me puzzles under $20")
    assert "$3.17" not in response.reply
    assert response.backend == "local"
    assert assistant.grounding_failures == 1


def test_openai_without_a_key_says_how_to_fix_it(tmp_path):
    with pytest.raises(ConfigurationError, match="SHOPASSIST_OPENAI_API_KEY"):
        get_llm("openai:gpt-4o-mini", make_settings(tmp_path))


def test_unknown_backend_name(tmp_path):
    with pytest.raises(ConfigurationError, match="unknown LLM"):
        get_llm("llama-on-a-toaster", make_settings(tmp_path))


def test_auto_without_a_key_is_local(tmp_path):
    assert get_llm("auto", make_settings(tmp_path)).name == "local"


def test_circuit_opens_after_repeated_failures(shop):
    server = ScriptedServer(500, 500, 500, 500)
    backend = get_llm(
        "openai:fake-model",
        make_settings(shop.home.root, breaker_threshold=2, openai_max_retries=0),
        client=server.client(),
    )
    assistant = Assistant(shop, backend, store_name="Demo", max_chars=4000)
    for _ in range(4):
        assert assistant.chat("show me puzzles").backend == "local"
    assert len(server.requests) == 2  # the open circuit spared the failing server


class _Failing(ChatBackend):
    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    def respond(self, turn, tools):
        self.calls += 1
        raise LLMUnavailable("down")


def test_circuit_half_opens_after_the_cooldown():
    now = [0.0]
    failing = _Failing()
    breaker = CircuitBreaker(failing, threshold=1, cooldown=10, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(LLMUnavailable):
            breaker.respond(None, None)  # type: ignore[arg-type]
    assert failing.calls == 1 and breaker.is_open
    now[0] = 11.0
    with pytest.raises(LLMUnavailable):
        breaker.respond(None, None)  # type: ignore[arg-type]
    assert failing.calls == 2


def test_the_model_cannot_skip_the_shoppers_confirmation(shop, demo_orders):
    order = dict(demo_orders[0], order_id="SA-777001", user_id="llm-tester", status="processing")
    shop.db.upsert_orders([order])
    server = ScriptedServer(
        completion(
            tool_calls=[
                {"name": "cancel_order", "arguments": {"order_id": "SA-777001", "confirm": True}}
            ]
        ),
        completion("Shall I cancel order SA-777001? Please say yes or no."),
        completion(
            tool_calls=[
                {"name": "cancel_order", "arguments": {"order_id": "SA-777001", "confirm": True}}
            ]
        ),
        completion("Order SA-777001 is cancelled."),
    )
    assistant = _assistant(shop, server)
    first = assistant.chat("cancel SA-777001 right now", user_id="llm-tester")
    assert '"needs_confirmation": true' in server.requests[1]["messages"][-1]["content"]
    assert shop.db.order_for_user("SA-777001", "llm-tester")["status"] == "processing"
    assistant.chat("yes", session_id=first.session_id, user_id="llm-tester")
    assert shop.db.order_for_user("SA-777001", "llm-tester")["status"] == "cancelled"


def test_invented_product_and_stock_claims_are_replaced(shop):
    listed, other = shop.catalog.search("jigsaw puzzle", k=2).hits
    for invented in (
        f"You might also like the {other.product.title}.",  # never returned by a tool
        f"Sorry, the {listed.product.title} is out of stock."
        if listed.product.in_stock
        else f"The {listed.product.title} is in stock.",
    ):
        server = ScriptedServer(
            completion(
                tool_calls=[
                    {"name": "search_products", "arguments": {"query": "jigsaw puzzle", "k": 1}}
                ]
            ),
            completion(invented),
        )
        assistant = _assistant(shop, server)
        response = assistant.chat("a jigsaw puzzle please")
        assert response.backend == "local", invented
        assert assistant.grounding_failures == 1


def test_title_index_finds_quoted_titles(shop):
    product = shop.catalog.engine.products[3]
    found = shop.catalog.titles.find(f"Have a look at the {product.title}, it's great")
    assert product.id in {p.id for p in found}
    assert shop.catalog.titles.find("nothing from the catalog here") == []


def test_a_failed_call_is_retried_by_the_backend(shop):
    server = ScriptedServer(503, completion("Happy to help you find a puzzle."))
    backend = get_llm("openai:fake-model", make_settings(shop.home.root), client=server.client())
    response = Assistant(shop, backend, store_name="Demo", max_chars=4000).chat("hello")
    assert response.backend == "openai" and len(server.requests) == 2


def _turn(shop, message: str) -> tuple[Turn, Toolbox]:
    session = shop.db.create_session(None)
    understanding = understand(message, shop.intents, shop.catalog.engine.vocabulary, session.state)
    return Turn(message, understanding), Toolbox(shop, session, None)


def test_retries_stop_at_the_turns_deadline(shop):
    now = [0.0]
    server = ScriptedServer(500, 500, 500, 500, 500)
    backend = OpenAIBackend(
        server.client(),
        "fake-model",
        "Demo",
        timeout=1.0,
        max_retries=4,
        clock=lambda: now[0],
        sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
    )
    with pytest.raises(LLMUnavailable):
        backend.respond(*_turn(shop, "hello"))
    # Tries at 0, 0.25 and 0.75 s; the next pause (1 s) would end past the 1 s budget.
    assert len(server.requests) == 3 and now[0] == 0.75


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port where connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("server", ["silent_server", "closed_port"])
def test_the_openai_tier_gives_up_within_its_budget(shop, request, server):
    """The SDK's own retries are off and the backend's stop at one deadline per turn, so the
    local tier answers after about `openai_timeout`, not a multiple of it."""
    port = request.getfixturevalue(server)
    settings = make_settings(
        shop.home.root,
        openai_api_key="test-key",
        openai_base_url=f"http://127.0.0.1:{port}/v1",
        openai_timeout=1.0,
        openai_max_retries=2,
    )
    backend = get_llm("openai:fake-model", settings)
    assert isinstance(backend, FallbackBackend)
    openai_tier = backend.backends[0]
    message = "show me puzzles under $20"
    turn, tools = _turn(shop, message)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable):
        openai_tier.respond(turn, tools)
    elapsed = time.monotonic() - started
    # Three full timeouts (what SDK retries gave) would be 3 s; allow scheduling slack only.
    assert elapsed < settings.openai_timeout * 1.5
    response = Assistant(shop, backend, store_name="Demo", max_chars=4000).chat(message)
    assert response.backend == "local" and response.products


def test_the_backend_turns_sdk_retries_off():
    client = ScriptedServer().client().with_options(max_retries=5)
    assert OpenAIBackend(client, "m", "Demo").client.max_retries == 0
