"""Order changes: checked against the order's state, confirmed by the shopper, persisted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from assistant.llm.local import LocalBackend
from assistant.orchestrator import Assistant


@pytest.fixture
def assistant(shop):
    return Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)


@pytest.fixture
def new_order(shop, demo_orders):
    """A fresh order of a fresh customer, so tests do not change each other's data."""

    def make(status: str, delivered_days_ago: int | None = None) -> dict:
        base = dict(demo_orders[0])
        now = shop.clock()
        order = {
            **base,
            "order_id": f"SA-{uuid.uuid4().int % 10**6:06d}",
            "user_id": f"tester-{uuid.uuid4().hex[:6]}",
            "status": status,
            "delivered_at": (now - timedelta(days=delivered_days_ago)).isoformat()
            if delivered_days_ago is not None
            else None,
        }
        shop.db.upsert_orders([order])
        return order

    return make


def _stored(shop, order):
    return shop.db.order_for_user(order["order_id"], order["user_id"])


def test_cancel_needs_confirmation_then_cancels(assistant, shop, new_order):
    order = new_order("processing")
    ask = assistant.chat(f"please cancel order {order['order_id']}", user_id=order["user_id"])
    assert "yes or no" in ask.reply
    assert _stored(shop, order)["status"] == "processing"
    done = assistant.chat("yes", session_id=ask.session_id, user_id=order["user_id"])
    assert "cancelled" in done.reply
    assert _stored(shop, order)["status"] == "cancelled"


def test_saying_no_changes_nothing(assistant, shop, new_order):
    order = new_order("processing")
    ask = assistant.chat(f"cancel my order {order['order_id']}", user_id=order["user_id"])
    answer = assistant.chat("no, keep it", session_id=ask.session_id, user_id=order["user_id"])
    assert "left order" in answer.reply
    assert _stored(shop, order)["status"] == "processing"
    later = assistant.chat("yes", session_id=ask.session_id, user_id=order["user_id"])
    assert _stored(shop, order)["status"] == "processing", later.reply


def test_shipped_orders_cannot_be_cancelled(assistant, shop, new_order):
    order = new_order("shipped")
    reply = assistant.chat(f"cancel order {order['order_id']}", user_id=order["user_id"]).reply
    assert "can't cancel" in reply and "shipped" in reply
    assert _stored(shop, order)["status"] == "shipped"


def test_a_confirmation_only_counts_in_the_next_turn(assistant, shop, new_order):
    order = new_order("processing")
    ask = assistant.chat(f"cancel order {order['order_id']}", user_id=order["user_id"])
    assistant.chat("show me puzzles", session_id=ask.session_id, user_id=order["user_id"])
    assistant.chat("yes", session_id=ask.session_id, user_id=order["user_id"])
    assert _stored(shop, order)["status"] == "processing"


def test_nobody_can_cancel_someone_elses_order(assistant, shop, new_order):
    order = new_order("processing")
    ask = assistant.chat(f"cancel order {order['order_id']}", user_id="intruder")
    assistant.chat("yes", session_id=ask.session_id, user_id="intruder")
    assert "couldn't find" in ask.reply
    assert _stored(shop, order)["status"] == "processing"


def test_change_the_shipping_address(assistant, shop, new_order):
    order = new_order("processing")
    ask = assistant.chat(
        f"change the shipping address of {order['order_id']} to 12 Oak Street, Springfield, 12345",
        user_id=order["user_id"],
    )
    assert "12 Oak Street" in ask.reply, ask.reply
    assistant.chat("yes please", session_id=ask.session_id, user_id=order["user_id"])
    address = _stored(shop, order)["shipping_address"]
    assert (address["line1"], address["city"], address["postcode"]) == (
        "12 Oak Street",
        "Springfield",
        "12345",
    )


@pytest.mark.parametrize(("days", "allowed"), [(5, True), (45, False)])
def test_returns_only_within_the_window(assistant, shop, new_order, days, allowed):
    order = new_order("delivered", delivered_days_ago=days)
    ask = assistant.chat(f"I want a refund for order {order['order_id']}", user_id=order["user_id"])
    assistant.chat("yes", session_id=ask.session_id, user_id=order["user_id"])
    status = _stored(shop, order)["status"]
    assert status == ("return_requested" if allowed else "delivered"), ask.reply
