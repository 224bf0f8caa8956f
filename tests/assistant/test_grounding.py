"""The grounding check, as a chat turn meets it: a model's reply whose claims are not in
this turn's evidence (what the tools returned, the policy passages, the shopper's message)
is replaced by the local tier's grounded reply; a grounded reply is passed on unchanged.

The model is a scripted OpenAI-compatible server whose replies may be written from the tool
results it was sent, so each test states its claim about whatever the tools really returned.
Everything goes through `Assistant.chat` (and the API for the metrics), not through the
check's own inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.llm import get_llm
from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant, ChatResponse
from tests.conftest import make_settings
from tests.fakes import ScriptedServer, completion
from tests.serving import metric_sample

Results = list[dict[str, Any]]
"""The tool results the model has been sent so far in the turn, in order."""
Write = Callable[[Results], str | dict]
"""A reply (text, or a whole completion such as a further tool call) written from them."""


class Model(ScriptedServer):
    """A `ScriptedServer` whose script may also hold functions of the tool results."""

    def __init__(self, *script: dict | Write) -> None:
        super().__init__(*script)  # type: ignore[arg-type]
        self.written: list[str] = []
        """The replies the functions wrote, in order."""
        self.failures: list[Exception] = []
        """What went wrong in a test's own function (the tier would take it for a failing
        server and fall back)."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.script and callable(self.script[0]):
            write = self.script.popleft()
            messages = json.loads(request.content)["messages"]
            try:
                written = write([json.loads(m["content"]) for m in messages if m["role"] == "tool"])
            except Exception as exc:
                self.failures.append(exc)
                raise
            if isinstance(written, str):
                self.written.append(written)
                written = completion(written)
            self.script.appendleft(written)
        return super().__call__(request)


def _call(name: str, **arguments: object) -> dict:
    return completion(tool_calls=[{"name": name, "arguments": arguments}])


def _assistant(shop, model: ScriptedServer) -> Assistant:
    backend = get_llm("openai:fake-model", make_settings(shop.home.root), client=model.client())
    return Assistant(shop, backend, store_name="Demo", max_chars=4000)


@dataclass
class Outcome:
    response: ChatResponse
    written: str
    """What the model replied."""
    failures: int
    """The assistant's count of replies the check replaced."""


def _turn(shop, message: str, *script: dict | Write, user_id: str | None = None) -> Outcome:
    """`message` answered by a model following `script`, whose last item writes the reply."""
    model = Model(*script)
    assistant = _assistant(shop, model)
    response = assistant.chat(message, user_id=user_id)
    if model.failures:
        raise model.failures[0]
    assert not model.script, "the model's script was not played to its end"
    assert model.written, "the model never replied"
    return Outcome(response, model.written[-1], assistant.grounding_failures)


def _local(shop, message: str, user_id: str | None = None) -> str:
    """The local tier's reply to `message` in a new conversation."""
    local = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    return local.chat(message, user_id=user_id).reply


def assert_passed(turn: Outcome) -> None:
    assert (turn.response.backend, turn.failures) == ("openai", 0), turn.written
    assert turn.response.reply == turn.written


def assert_replaced(turn: Outcome, shop, message: str, user_id: str | None = None) -> None:
    """Replaced by the grounded local reply: the one the local tier gives on its own."""
    assert (turn.response.backend, turn.failures) == ("local", 1), turn.written
    assert turn.response.reply == _local(shop, message, user_id)
    assert turn.written not in turn.response.reply


PUZZLES = "jigsaw puzzles under $20"
SEARCH = _call("search_products", query="jigsaw puzzle", max_price=20, k=10)


def _products(results: Results) -> list[dict]:
    return results[0]["products"]


def _priced(results: Results, cents: bool = False) -> dict:
    """A listed product over $10 (bare numbers up to 10 are counts), with cents if asked."""
    return next(p for p in _products(results) if p["price"] > 10 and (p["price"] % 1 or not cents))


# -- prices -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "written",
    ["${:.2f}", "$ {:.2f}", "{:.2f} dollars", "{:.2f} USD", "{:.2f} bucks", "USD {:.2f}", "${:,g}"],
)
def test_a_price_a_tool_returned_passes_however_it_is_written(shop, written) -> None:
    def reply(results: Results) -> str:
        product = _priced(results)
        return f"The {product['title']} is {written.format(product['price'])}."

    assert_passed(_turn(shop, PUZZLES, SEARCH, reply))


@pytest.mark.parametrize("written", ["${:.2f}", "{:.2f} dollars", "USD {:.2f}"])
def test_an_invented_price_is_replaced_by_the_local_reply(shop, written) -> None:
    def reply(results: Results) -> str:
        product = _priced(results)
        return f"The {product['title']} is {written.format(product['price'] + 3.17)}."

    assert_replaced(_turn(shop, PUZZLES, SEARCH, reply), shop, PUZZLES)


def test_a_price_rounded_to_whole_dollars_is_not_the_price(shop) -> None:
    def reply(results: Results) -> str:
        product = _priced(results, cents=True)
        return f"The {product['title']} is about ${round(product['price'])}."

    assert_replaced(_turn(shop, PUZZLES, SEARCH, reply), shop, PUZZLES)


def test_a_price_with_a_thousands_separator_is_read_as_one_amount(shop) -> None:
    """99 of a product: the cart's total is over $1,000 and is written with a comma."""

    def add(results: Results) -> dict:
        return _call("add_to_cart", product_id=_priced(results)["id"], quantity=99)

    def reply(results: Results) -> str:
        return f"Done: your cart comes to ${results[1]['total']:,.2f}."

    turn = _turn(shop, "add 99 of a jigsaw puzzle to my cart", SEARCH, add, reply)
    assert "," in turn.written and turn.written.count("$") == 1
    assert_passed(turn)


@pytest.mark.parametrize(
    "claim",
    [
        "Together the {a} and the {b} cost ${sum:.2f}.",
        "Two of the {a} come to ${double:.2f}.",
        "The {a} costs ${difference:.2f} more than the {b}.",
    ],
    ids=["a total", "a multiple", "a difference"],
)
def test_amounts_derived_from_returned_prices_pass(shop, claim) -> None:
    def reply(results: Results) -> str:
        b, a = sorted(_products(results)[:2], key=lambda p: p["price"])
        return claim.format(
            a=a["title"],
            b=b["title"],
            sum=a["price"] + b["price"],
            double=2 * a["price"],
            difference=a["price"] - b["price"],
        )

    assert_passed(_turn(shop, PUZZLES, SEARCH, reply))


# -- "under $20": a bound, not a price ----------------------------------------------------------
def test_the_shoppers_own_bound_may_be_repeated(shop) -> None:
    def reply(results: Results) -> str:
        product = _priced(results)
        return f"Here are puzzles under $20: the {product['title']} is ${product['price']:.2f}."

    assert_passed(_turn(shop, PUZZLES, SEARCH, reply))


def test_a_bound_nobody_stated_is_an_invented_amount(shop) -> None:
    message = "show me jigsaw puzzles"
    search = _call("search_products", query="jigsaw puzzle", k=10)

    def reply(results: Results) -> str:
        return f"The {_products(results)[0]['title']} is under $23.50."

    assert_replaced(_turn(shop, message, search, reply), shop, message)


@pytest.fixture(scope="module")
def listed(shop) -> list[dict]:
    """Products of two kinds, as the local tier lists them: puzzles under $20 (one of them
    out of stock) and board games. Naming one of them in its own turn keeps the check's
    view to it alone."""
    local = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    return [
        *local.chat("show me puzzles under $20").products,
        *local.chat("show me board games").products,
    ]


def _kind(listed: list[dict], category: str) -> list[dict]:
    return [p for p in listed if p["category"].endswith(category) and p["price"]]


@pytest.mark.parametrize("grounded", [True, False])
def test_a_product_said_to_be_under_an_amount_must_cost_less(shop, listed, grounded) -> None:
    """Both amounts are prices the tool returned: only what the bound says of the
    product can be wrong."""
    puzzle, game = _kind(listed, "Puzzles")[0], _kind(listed, "Board Games")[0]
    cheap, dear = sorted([puzzle, game], key=lambda p: p["price"])
    assert cheap["price"] < dear["price"]
    said = f"The {cheap['title']} is under ${dear['price']:.2f}."
    if not grounded:
        said = f"The {dear['title']} is under ${cheap['price']:.2f}."
    message = f"compare {puzzle['id']} and {game['id']}"
    compare = _call("compare_products", product_ids=[puzzle["id"], game["id"]])
    turn = _turn(shop, message, compare, lambda results: said)
    if grounded:
        assert_passed(turn)
    else:
        assert_replaced(turn, shop, message)


# -- products and stock -------------------------------------------------------------------------
@pytest.mark.parametrize("named_by", ["id", "title"])
def test_a_product_no_tool_returned_is_replaced(shop, listed, named_by) -> None:
    game = _kind(listed, "Board Games")[0]

    def reply(results: Results) -> str:
        assert game["id"] not in {p["id"] for p in _products(results)}
        return f"You might also like {game[named_by]}."

    assert_replaced(_turn(shop, PUZZLES, SEARCH, reply), shop, PUZZLES)


def test_a_returned_product_named_by_id_and_title_passes(shop) -> None:
    def reply(results: Results) -> str:
        product = _products(results)[0]
        return f"Try the {product['title']} ({product['id']})."

    assert_passed(_turn(shop, PUZZLES, SEARCH, reply))


def _about(listed: list[dict], in_stock: bool, claim: str) -> tuple[str, dict, Write]:
    """A turn about one listed product that is (or is not) in stock: the shopper's
    message, the model's `get_product` call, and its reply making `claim` about it (with
    the product's fields, and `more`: three more than its stock)."""
    product = next(p for p in listed if p["in_stock"] is in_stock)
    message = f"tell me about {product['id']}"
    return (
        message,
        _call("get_product", product_id=product["id"]),
        lambda results: claim.format(**results[0], more=results[0]["stock"] + 3),
    )


@pytest.mark.parametrize(
    ("in_stock", "claim", "grounded"),
    [
        (True, "The {title} is in stock.", True),
        (False, "Sorry, the {title} is out of stock.", True),
        (True, "The {title} is in stock: only {stock} left.", True),
        (False, "The {title} is in stock.", False),
        (True, "Sorry, the {title} is out of stock.", False),
        (True, "The {title} is sold out.", False),
        (True, "Hurry, only {more} left of the {title}.", False),
        (False, "The {title} will be back in stock next week.", False),
    ],
    ids=[
        "in-stock",
        "out-of-stock",
        "its-stock-count",
        "in-stock-wrongly",
        "out-of-stock-wrongly",
        "sold-out-wrongly",
        "another-stock-count",
        "a-restock-promise",
    ],
)
def test_stock_claims_must_match_the_product(shop, listed, in_stock, claim, grounded) -> None:
    message, details, reply = _about(listed, in_stock, claim)
    turn = _turn(shop, message, details, reply)
    if grounded:
        assert_passed(turn)
    else:
        assert_replaced(turn, shop, message)


def _variants(results: Results) -> tuple[dict, dict]:
    """Two listed products whose titles differ only in a number (300- and 500-piece)."""
    products = _products(results)
    for a in products:
        for b in products:
            if a is not b and re.sub(r"\d+", "#", a["title"]) == re.sub(r"\d+", "#", b["title"]):
                return a, b
    raise AssertionError("the listing has no two variants of one product")


def _wrong_stock(results: Results) -> str:
    product, _ = _variants(results)
    assert product["in_stock"]
    return f"Sorry, the {product['title']} is sold out."


def _wrong_bound(results: Results) -> str:
    cheap, dear = sorted(_variants(results), key=lambda p: p["price"])
    assert cheap["price"] < dear["price"]
    return f"The {dear['title']} is under ${cheap['price']:.2f}."


@pytest.mark.xfail(
    strict=True,
    reason="bug: a line naming a product by its full title also 'mentions' a listed variant "
    "whose title shares most words (the 500-piece of the 300-piece puzzle), and stock and "
    "price-bound claims are only checked for a line that mentions one product",
)
@pytest.mark.parametrize("claim", [_wrong_stock, _wrong_bound], ids=["stock", "price-bound"])
def test_a_false_claim_about_a_product_is_replaced_when_a_variant_is_listed(shop, claim) -> None:
    assert_replaced(_turn(shop, PUZZLES, SEARCH, claim), shop, PUZZLES)


# -- orders -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shopper(demo_orders) -> tuple[str, str, str]:
    """A shopper, one of their orders, and another shopper's order."""
    order = next(o for o in demo_orders if o["status"] == "delivered")
    other = next(o for o in demo_orders if o["user_id"] != order["user_id"])
    return order["user_id"], order["order_id"], other["order_id"]


def test_the_shoppers_own_order_as_the_tool_returned_it_passes(shop, shopper) -> None:
    user, order_id, _ = shopper
    message = f"where is my order {order_id}?"

    def reply(results: Results) -> str:
        order = results[0]["order"]
        return f"Your order {order['order_id']} is {order['status']}."

    turn = _turn(shop, message, _call("get_order_status", order_id=order_id), reply, user_id=user)
    assert_passed(turn)


def test_an_order_id_no_tool_returned_is_replaced(shop, shopper) -> None:
    user, order_id, _ = shopper
    message = "where is my order?"
    turn = _turn(
        shop,
        message,
        _call("list_my_orders"),
        lambda results: f"Your order {order_id[:3]}999999 has shipped.",
        user_id=user,
    )
    assert_replaced(turn, shop, message, user)


def test_another_shoppers_order_the_tool_did_not_find_is_replaced(shop, shopper) -> None:
    user, _, theirs = shopper
    message = "where is my order?"

    def reply(results: Results) -> str:
        assert results[0] == {"found": False, "order_id": theirs}
        return f"Order {theirs} was delivered."

    turn = _turn(shop, message, _call("get_order_status", order_id=theirs), reply, user_id=user)
    assert_replaced(turn, shop, message, user)


@pytest.mark.xfail(
    strict=True,
    reason="bug: an order id counts as grounded when the shopper typed it, so a status "
    "claimed for an order the tool did not find (someone else's, or none) passes",
)
def test_a_status_for_an_order_the_tool_did_not_find_is_replaced_though_the_shopper_typed_it(
    shop, shopper
) -> None:
    user, _, theirs = shopper
    message = f"where is order {theirs}?"

    def reply(results: Results) -> str:
        assert results[0] == {"found": False, "order_id": theirs}
        return f"Order {theirs} was delivered."

    turn = _turn(shop, message, _call("get_order_status", order_id=theirs), reply, user_id=user)
    assert_replaced(turn, shop, message, user)


# -- policy, scope -------------------------------------------------------------------------------
RETURNS = "how long do I have to return an item?"
POLICY = _call("search_policies", question=RETURNS)


@pytest.mark.parametrize(
    ("script", "claim", "grounded"),
    [
        ([POLICY], "You can return items within 30 days of delivery.", True),
        ([POLICY], "You can return items within 60 days of delivery.", False),
        ([], "You can return items within 30 days of delivery.", False),
        ([POLICY], "Returns are free, and you get 20% off your next order.", False),
    ],
    ids=["as-the-passage-says", "another-duration", "without-a-passage", "an-invented-discount"],
)
def test_policy_claims_need_the_passage_that_states_them(shop, script, claim, grounded) -> None:
    def reply(results: Results) -> str:
        assert all("30 days" in json.dumps(result) for result in results)  # what it says
        return claim

    turn = _turn(shop, RETURNS, *script, reply)
    if grounded:
        assert_passed(turn)
    else:
        assert_replaced(turn, shop, RETURNS)


def test_an_answer_to_an_off_topic_question_is_replaced_by_the_refusal(shop) -> None:
    message = "what is the capital of france?"
    turn = _turn(shop, message, lambda results: "The capital of France is Paris.")
    assert_replaced(turn, shop, message)
    assert "Paris" not in turn.response.reply


# -- known gaps ----------------------------------------------------------------------------------
@pytest.mark.xfail(
    strict=True,
    reason="bug: an amount without a $ sign or a currency word after it ('costs 9.99', "
    "'USD 3.17') is read as a bare number, and bare numbers up to 10 pass as small counts",
)
@pytest.mark.parametrize("written", ["costs 3.17", "is USD 3.17", "costs just 9.99"])
def test_an_invented_price_under_ten_without_a_dollar_sign_is_replaced(shop, written) -> None:
    def reply(results: Results) -> str:
        return f"The {_products(results)[0]['title']} {written}."

    assert_replaced(_turn(shop, PUZZLES, SEARCH, reply), shop, PUZZLES)


@pytest.mark.xfail(
    strict=True,
    reason="bug: money is checked as amounts in the evidence, not as the price of the product "
    "a sentence names, so one listed product's price said of another passes",
)
def test_another_listed_products_price_said_of_a_product_is_replaced(shop) -> None:
    def reply(results: Results) -> str:
        prices = sorted({p["price"] for p in _products(results)})
        cheap = next(p for p in _products(results) if p["price"] == prices[0])
        return f"The {cheap['title']} is ${prices[-1]:.2f}."

    assert_replaced(_turn(shop, PUZZLES, SEARCH, reply), shop, PUZZLES)


# -- seen from outside ---------------------------------------------------------------------------
def test_a_replaced_reply_is_counted_on_the_metrics_page(shop) -> None:
    model = Model(
        SEARCH, lambda results: f"The {_products(results)[0]['title']} is just $3.17 today!"
    )
    app = create_app(make_settings(shop.home.root), shop=shop, assistant=_assistant(shop, model))
    failures = "shopassist_grounding_failures_total"
    turns = 'shopassist_chat_turns_total{backend="local",intent="product_search"}'
    with TestClient(app) as client:
        before = client.get("/metrics").text
        body = client.post("/v1/chat", json={"message": PUZZLES}).json()
        after = client.get("/metrics").text
    assert body["backend"] == "local" and "$3.17" not in body["reply"]
    assert body["reply"] == _local(shop, PUZZLES)
    assert (metric_sample(before, failures), metric_sample(after, failures)) == (0, 1)
    assert metric_sample(after, turns) - metric_sample(before, turns) == 1
    assert metric_sample(after, turns.replace("local", "openai")) == 0
