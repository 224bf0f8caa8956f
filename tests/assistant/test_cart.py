"""The shopper's cart: chat turns and the tools behind them (real demo store, SQLite)."""

from __future__ import annotations

import pytest

from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant
from assistant.shop import Shop
from assistant.tools import Toolbox


@pytest.fixture
def assistant(shop):
    return Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)


def test_add_view_and_remove_in_a_conversation(assistant):
    listing = assistant.chat("jigsaw puzzles")
    second = listing.products[1]
    added = assistant.chat("add the second one to my cart", listing.session_id)
    assert added.intent == "add_to_cart"
    assert f"Added {second['title']} to your cart." in added.reply
    assert "Total: $" in added.reply and added.backend == "local"
    more = assistant.chat("add 2 more of it to my cart", listing.session_id)
    assert f"3 x {second['title']}" in more.reply
    seen = assistant.chat("what's in my cart?", listing.session_id)
    assert seen.intent == "view_cart" and second["title"] in seen.reply
    removed = assistant.chat("remove it from my cart", listing.session_id)
    assert removed.intent == "remove_from_cart" and "Your cart is empty." in removed.reply


def test_cart_tools(shop: Shop, demo_orders):
    user = demo_orders[0]["user_id"]
    session = shop.db.create_session(user)
    tools = Toolbox(shop, session, user)
    product = next(p for p in shop.catalog.engine.products if p.price and p.stock)
    assert tools.call("add_to_cart", {"product_id": product.id, "quantity": 0})["error"]
    result = tools.call("add_to_cart", {"product_id": product.id, "quantity": 2})
    assert result["items"] == [{**result["added"], "quantity": 2}]
    assert result["total"] == round(2 * product.price, 2)
    assert (product.id, "cart") in shop.db.recent_events(user)  # recommendations see it
    again = Toolbox(shop, shop.db.get_session(session.id), user)  # a later turn
    assert again.call("view_cart", {})["total"] == result["total"]
    assert "not in the cart" in again.call("remove_from_cart", {"product_id": "P-NONE"})["error"]
    sold_out = next((p for p in shop.catalog.engine.products if p.stock == 0), None)
    if sold_out is not None:
        assert "out of stock" in again.call("add_to_cart", {"product_id": sold_out.id})["error"]
    assert again.call("remove_from_cart", {"product_id": product.id})["items"] == []


def test_quantities_several_items_and_emptying(assistant):
    listing = assistant.chat("jigsaw puzzles")
    first, second = listing.products[0], listing.products[1]
    refused = assistant.chat("add 0 of the first one to my cart", listing.session_id)
    assert "quantity must be between 1 and 99" in refused.reply
    assistant.chat("add the first one to my cart", listing.session_id)
    both = assistant.chat("add the second one to my cart", listing.session_id)
    lines = both.reply.splitlines()
    assert f"- 1 x {first['title']} - ${first['price']:.2f}" in lines
    assert f"- 1 x {second['title']} - ${second['price']:.2f}" in lines
    assert f"Total: ${first['price'] + second['price']:.2f}" in lines
    emptied = assistant.chat("empty my cart", listing.session_id)
    assert emptied.intent == "remove_from_cart" and "Your cart is empty." in emptied.reply
