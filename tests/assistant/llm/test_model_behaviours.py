"""What hosted and small open models really send, scripted at the HTTP level: numbers as
strings, misspelled and unknown arguments, several calls at once, calls written as text,
empty and endless replies, bodies that are not completions. Whatever arrives, the shopper
gets a grounded answer, from the model or from the local tier."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant.grounding import check_grounding
from assistant.llm import get_llm
from assistant.llm.openai import MAX_REPLY_CHARS
from assistant.orchestrator import Assistant
from assistant.tools import SORTS, Toolbox
from tests.conftest import make_settings
from tests.fakes import ScriptedServer, completion


def _assistant(shop, server: ScriptedServer, **settings: object) -> Assistant:
    backend = get_llm(
        "openai:fake-model", make_settings(shop.home.root, **settings), client=server.client()
    )
    return Assistant(shop, backend, store_name="Demo", max_chars=4000)


def _search(query: str, **arguments: object) -> dict:
    return completion(
        tool_calls=[{"name": "search_products", "arguments": {"query": query, **arguments}}]
    )


def _tool_results(request: dict) -> list[dict]:
    return [json.loads(m["content"]) for m in request["messages"] if m["role"] == "tool"]


def _turn_context(request: dict) -> str:
    """The note before the shopper's latest message (the first system message is the same
    in every request)."""
    *_, note, latest = request["messages"]
    assert note["role"] == "system" and latest["role"] == "user"
    return note["content"]


def _puzzle_under(shop, price: float):
    hits = shop.catalog.search("jigsaw puzzle", k=20).hits
    return next(h.product for h in hits if h.product.price is not None and h.product.price <= price)


# -- the eight failures of issue 20 -------------------------------------------------------
def test_numbers_sent_as_strings_are_read_as_numbers(shop):
    """1. "30" and "5" reached numpy and answered 500; now they are coerced."""
    puzzle = _puzzle_under(shop, 30)
    server = ScriptedServer(
        _search("jigsaw puzzle", max_price="30", k="5", in_stock_only="false"),
        completion(f"The {puzzle.title} is ${puzzle.price:.2f}."),
    )
    response = _assistant(shop, server).chat("jigsaw puzzles under 30 dollars")
    assert response.backend == "openai" and puzzle.title in response.reply
    (result,) = _tool_results(server.requests[1])
    assert result["filters"]["price_max"] == 30.0 and len(result["products"]) <= 5
    assert all(p["price"] <= 30 for p in result["products"])


@pytest.mark.parametrize(
    "body",
    [
        httpx.Response(200, content=b"<html><body>Bad gateway</body></html>",
                       headers={"content-type": "text/html"}),
        httpx.Response(200, content=b"\xff\xfe\x00\x81not utf-8",
                       headers={"content-type": "application/json"}),
        httpx.Response(200, json={"object": "error", "detail": "not a completion"}),
        httpx.Response(200, content=b'data: {"choices": [{"delta": {"tool_calls": [{"index": 0, '
                       b'"function": {"arguments": "{\\"qu"}}]}}]}\n\n',
                       headers={"content-type": "text/event-stream"}),
    ],
    ids=["html", "not-utf8", "json-but-not-a-completion", "a-stream-split-inside-arguments"],
)  # fmt: skip
def test_a_body_that_is_not_a_completion_falls_back_every_time(shop, body):
    """2. A 200 whose body is not a completion made every turn a 500; now each turn is
    answered by the local tier, and the breaker opens after three."""
    server = ScriptedServer(*[body] * 5)
    assistant = _assistant(shop, server, openai_max_retries=0)
    for _ in range(5):
        response = assistant.chat("show me puzzles under $20")
        assert response.backend == "local" and response.products
        assert all(p["price"] <= 20 for p in response.products)
    assert len(server.requests) == 3  # then the open circuit spares the server


def test_the_prompt_names_earlier_filters_and_products_as_the_tools_do(shop):
    """4 and 7. The state of the conversation reaches the model under the tools' argument
    names, with the ids of the products shown, so "compare the first two" needs no search."""
    first = ScriptedServer(_search("jigsaw puzzle", max_price=25, in_stock_only=True),
                           completion("Here are some puzzles."))  # fmt: skip
    assistant = _assistant(shop, first)
    listing = assistant.chat("in-stock jigsaw puzzles under $25")
    shown = [p["id"] for p in listing.products]
    assert len(shown) >= 2
    a, b = shop.catalog.product(shown[0]), shop.catalog.product(shown[1])
    compare = {"name": "compare_products", "arguments": {"product_ids": shown[:2]}}
    second = ScriptedServer(
        completion(tool_calls=[compare]),
        completion(f"The {a.title} is ${a.price:.2f} and the {b.title} is ${b.price:.2f}."),
    )
    assistant.backend = get_llm(
        "openai:fake-model", make_settings(shop.home.root), client=second.client()
    )
    compared = assistant.chat("compare the first two", listing.session_id)
    assert compared.backend == "openai" and a.title in compared.reply
    assert second.requests[0]["messages"][0] == first.requests[0]["messages"][0]
    context = json.loads(_turn_context(second.requests[0]).rsplit("\n", 1)[-1])
    assert context["filters"].items() >= {"max_price": 25.0, "in_stock_only": True}.items()
    assert [p["id"] for p in context["shown_products"]][:2] == shown[:2]
    assert "price_max" not in _turn_context(second.requests[0])


def test_every_message_sent_has_text_content(shop):
    """llama-cpp-python's server answers 500 to an assistant message whose content is
    null, as OpenAI's allows beside tool calls: the tier always sends a string."""
    puzzle = _puzzle_under(shop, 20)
    server = ScriptedServer(
        completion('```json\n{"name": "search_products", "arguments": {"query": "puzzle"}}\n```'),
        completion(f"Try the {puzzle.title}."),
    )
    _assistant(shop, server).chat("jigsaw puzzles under $20")
    sent = [m for request in server.requests for m in request["messages"]]
    assert any(m.get("tool_calls") for m in sent)
    assert all(isinstance(m["content"], str) for m in sent)


def test_a_wrong_argument_goes_back_to_the_model_to_correct(shop):
    """5. A misspelled argument answered the turn from the local tier (and three opened the
    breaker); now the model is told what was wrong and corrects the call."""
    puzzle = _puzzle_under(shop, 20)
    server = ScriptedServer(
        _search("jigsaw puzzle", max_prce=20),
        _search("jigsaw puzzle", max_price=20),
        completion(f"Try the {puzzle.title} (${puzzle.price:.2f})."),
    )
    assistant = _assistant(shop, server, breaker_threshold=1)
    response = assistant.chat("jigsaw puzzles under $20")
    assert response.backend == "openai"
    (refused,) = _tool_results(server.requests[1])
    assert "unknown argument 'max_prce' (did you mean 'max_price'?)" in refused["error"]
    again = ScriptedServer(completion("Hello! What are you shopping for?"))
    assistant.backend = get_llm(
        "openai:fake-model", make_settings(shop.home.root), client=again.client()
    )
    assert assistant.chat("hi").backend == "openai"


def test_the_schema_describes_sort_in_full_and_lists_the_stores_categories(shop):
    """6. The sort description was cut off and a category the store names otherwise
    ("Toys", "puzzle") found nothing."""
    tools = Toolbox(shop, shop.db.create_session(None), None)
    search = next(s for s in tools.schemas() if s["function"]["name"] == "search_products")
    properties = search["function"]["parameters"]["properties"]
    assert properties["sort"]["enum"] == list(SORTS)
    assert all(name in properties["sort"]["description"] for name in SORTS)
    assert "Puzzles" in properties["category"]["description"]
    assert "Board Games" in properties["category"]["description"]
    plural = tools.call("search_products", {"query": "jigsaw", "category": "puzzle"})
    assert plural["filters"]["category"] == "Puzzles" and plural["products"]
    unknown = tools.call("search_products", {"query": "toy", "category": "Building Toys"})
    assert "no category 'Building Toys'" in unknown["error"] and "Building Sets" in unknown["error"]


def test_a_correct_total_passes_and_invented_policy_and_trivia_do_not(shop):
    """8. Grounding rejected a correct total and let invented policy facts and off-topic
    answers through."""
    tools = Toolbox(shop, shop.db.create_session(None), None)
    product = next(p for p in shop.catalog.engine.products if p.price and p.stock)
    tools.call("add_to_cart", {"product_id": product.id, "quantity": 2})
    total = f"${2 * product.price:.2f}"
    assert check_grounding(f"Two of those come to {total}.", "add two", tools).ok
    tools.call("search_policies", {"question": "how long do refunds take?"})
    refund = check_grounding("Refunds take 24 hours.", "how long do refunds take?", tools)
    assert not refund.ok and "24 hours" in refund.problems[0]
    nothing = Toolbox(shop, shop.db.create_session(None), None)
    trivia = check_grounding(
        "The capital of France is Paris.", "capital of France?", nothing, out_of_scope=True
    )
    assert not trivia.ok
    declined = "I can only help with shopping here. Looking for anything?"
    assert check_grounding(declined, "capital of France?", nothing, out_of_scope=True).ok


def test_an_off_topic_answer_is_replaced_by_the_refusal(shop):
    server = ScriptedServer(completion("The capital of France is Paris."))
    response = _assistant(shop, server).chat("what is the capital of france?")
    assert "Paris" not in response.reply and response.backend == "local"


# -- what models send ------------------------------------------------------------------------
def test_several_tool_calls_in_one_message(shop):
    puzzle = _puzzle_under(shop, 20)
    server = ScriptedServer(
        completion(tool_calls=[
            {"name": "search_products", "arguments": {"query": "jigsaw puzzle", "max_price": 20}},
            {"name": "search_policies", "arguments": {"question": "return window"}},
        ]),
        completion(f"The {puzzle.title} is ${puzzle.price:.2f}, and returns are accepted "
                   "within 30 days of delivery."),
    )  # fmt: skip
    response = _assistant(shop, server).chat("cheap puzzle, and can I return it?")
    assert response.backend == "openai" and "30 days" in response.reply
    search, policies = _tool_results(server.requests[1])  # both calls ran
    assert search["filters"]["price_max"] == 20.0
    assert search["products"] and all(p["price"] <= 20 for p in search["products"])
    assert any("30 days" in passage["text"] for passage in policies["passages"])


def test_a_tool_call_with_text_beside_it_runs_the_call(shop):
    puzzle = _puzzle_under(shop, 20)
    call = _search("jigsaw puzzle", max_price=20)
    call["choices"][0]["message"]["content"] = "Let me look that up for you."
    server = ScriptedServer(call, completion(f"How about the {puzzle.title}?"))
    response = _assistant(shop, server).chat("jigsaw puzzles under $20")
    assert response.backend == "openai" and puzzle.title in response.reply


@pytest.mark.parametrize(
    "written",
    [
        '```json\n{"name": "search_products", "arguments": {"query": "jigsaw puzzle", '
        '"max_price": 20}}\n```',
        '<tool_call>\n{"name": "search_products", "arguments": {"query": "jigsaw puzzle", '
        '"max_price": "20"}}\n</tool_call>',
        '{{"name": "search_products", "arguments": {"query": "jigsaw puzzle", "max_price": 20}}}',
        '{"name": "search_products", "parameters": {"query": "jigsaw puzzle", "max_price": 20}}',
        '{{"name": "search_products", "arguments": {"query": "jigsaw puzzle", "max_price": 20}}}}'
        "\n#Tools",
    ],
    ids=["json-block", "tool-call-tags", "extra-braces", "parameters", "unbalanced-and-trailing"],
)
def test_a_tool_call_written_as_text_is_run(shop, written):
    """Small open models (Qwen2.5-Coder-1.5B here) write the call in the content."""
    puzzle = _puzzle_under(shop, 20)
    server = ScriptedServer(completion(written), completion(f"Try the {puzzle.title}."))
    response = _assistant(shop, server).chat("jigsaw puzzles under $20")
    assert response.backend == "openai" and puzzle.title in response.reply
    (result,) = _tool_results(server.requests[1])
    assert result["filters"]["price_max"] == 20.0  # "20" as text too
    assert result["products"] and all(p["price"] <= 20 for p in result["products"])


def test_an_invented_tool_is_answered_with_the_real_ones(shop):
    """Qwen2.5-Coder-1.5B calls a `greet` tool for "hi" (and a model may name any tool)."""
    server = ScriptedServer(
        completion('{"name": "greet", "arguments": {}}'), completion("Hi! What can I find for you?")
    )
    response = _assistant(shop, server).chat("hi")
    assert response.backend == "openai" and response.reply == "Hi! What can I find for you?"
    (refused,) = _tool_results(server.requests[1])
    assert "unknown tool 'greet'" in refused["error"] and "search_products" in refused["error"]


def test_an_object_that_is_not_a_call_is_just_text(shop):
    server = ScriptedServer(completion('{"name": "Demo store", "open": true}'))
    response = _assistant(shop, server).chat("hi")
    assert response.backend == "openai" and len(server.requests) == 1


@pytest.mark.parametrize(
    "message",
    [
        {"role": "assistant", "content": ""},
        {"role": "assistant", "content": None},
        {"role": "assistant", "content": "x" * (MAX_REPLY_CHARS + 1)},
        {"role": "assistant", "content": "<tools></tools>"},
    ],
    ids=["empty", "none", "endless", "markup-only"],
)
def test_an_empty_or_endless_reply_falls_back(shop, message):
    body = completion("placeholder")
    body["choices"][0]["message"] = message
    response = _assistant(shop, ScriptedServer(body)).chat("show me puzzles under $20")
    assert response.backend == "local" and response.products


def test_a_refusal_is_passed_on(shop):
    body = completion(None)
    body["choices"][0]["message"]["refusal"] = "I can't help with that request."
    response = _assistant(shop, ScriptedServer(body)).chat("tell me something awful")
    assert response.backend in ("openai", "local") and "can't" in response.reply.lower()


def test_a_model_that_keeps_calling_tools_is_cut_off(shop):
    server = ScriptedServer(*[_search("jigsaw puzzle", max_price=20)] * 6)
    response = _assistant(shop, server).chat("jigsaw puzzles under $20")
    assert response.backend == "local" and response.products
    assert len(server.requests) == 4  # the turn's bound on model calls
