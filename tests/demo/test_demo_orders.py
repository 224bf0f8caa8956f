"""Orders agree with the purchases, with each other and with the shipping timeline."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from assistant.demo import DATA_DIR, SNAPSHOT_TIME
from assistant.demo.orders import orders_as_of
from assistant.orders import RETURN_WINDOW

KEYS = {
    "order_id", "user_id", "status", "created_at", "updated_at", "items", "total", "currency",
    "shipping_address", "carrier", "tracking_number", "estimated_delivery", "delivered_at",
}  # fmt: skip
UNDELIVERED = {"processing", "shipped", "out_for_delivery"}
STATUSES = UNDELIVERED | {"delivered", "cancelled", "returned"}


def _time(text: str) -> dt.datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
    return dt.datetime.fromisoformat(text)


def test_shape_and_unique_ids(orders) -> None:
    ids = [o["order_id"] for o in orders]
    assert all(re.fullmatch(r"SA-\d{6}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    for order in orders:
        assert set(order) == KEYS
        assert order["status"] in STATUSES
        assert order["currency"] == "USD"
        assert set(order["shipping_address"]) == {"name", "line1", "city", "postcode", "country"}
        assert order["carrier"] in {"Parcelway", "Swiftpost", "Northline Express"}
    tracking = [o["tracking_number"] for o in orders if o["tracking_number"]]
    assert len(set(tracking)) == len(tracking)
    assert set(Counter(o["status"] for o in orders)) == STATUSES


def test_items_were_purchased_by_that_user_that_day(orders, interactions, catalog) -> None:
    products = {r["id"]: r for r in catalog}
    purchases = Counter(
        (r["user_id"], r["item_id"], r["timestamp"][:10])
        for r in interactions
        if r["event"] == "purchase"
    )
    ordered = Counter()
    for order in orders:
        day = order["created_at"][:10]
        cents = 0
        for item in order["items"]:
            product = products[item["product_id"]]
            assert (order["user_id"], item["product_id"], day) in purchases
            assert item["title"] == product["title"]
            assert item["unit_price"] == float(product["price"])
            assert item["quantity"] >= 1
            cents += round(item["unit_price"] * 100) * item["quantity"]
            ordered[order["user_id"], item["product_id"], day] += 1
        assert round(order["total"] * 100) == cents
    assert ordered == purchases  # every purchase is in exactly one order


def test_customers_with_purchases_have_orders(orders, interactions) -> None:
    buyers = {r["user_id"] for r in interactions if r["event"] == "purchase"}
    assert buyers == {o["user_id"] for o in orders}


def test_statuses_agree_with_tracking_and_dates(orders) -> None:
    for order in orders:
        status = order["status"]
        created, updated = _time(order["created_at"]), _time(order["updated_at"])
        assert created <= updated < SNAPSHOT_TIME
        assert (order["tracking_number"] is None) == (status in {"processing", "cancelled"})
        assert (order["delivered_at"] is None) == (status not in {"delivered", "returned"})
        assert (order["estimated_delivery"] is None) == (status == "cancelled")
        if order["delivered_at"]:
            assert created < _time(order["delivered_at"]) <= updated
        if order["estimated_delivery"]:
            assert dt.date.fromisoformat(order["estimated_delivery"]) > created.date()
        age = SNAPSHOT_TIME - created
        if age < dt.timedelta(hours=12):
            assert status in {"processing", "cancelled"}
        if age > dt.timedelta(days=30):
            assert status in {"delivered", "cancelled", "returned"}


def test_some_customers_are_waiting_for_an_order(orders) -> None:
    waiting = {o["user_id"] for o in orders if o["status"] in UNDELIVERED}
    assert len(waiting) >= 20


def test_each_customer_ships_to_one_address(orders, customers) -> None:
    names = {c["user_id"]: c["name"] for c in customers}
    addresses = defaultdict(set)
    for order in orders:
        address = order["shipping_address"]
        assert address["name"] == names[order["user_id"]]
        assert address["country"] == "US" and re.fullmatch(r"\d{5}", address["postcode"])
        addresses[order["user_id"]].add(tuple(address.values()))
    assert all(len(a) == 1 for a in addresses.values())


def test_readme_examples_match_the_data(orders, tastes) -> None:
    readme = (DATA_DIR.parent / "README.md").read_text(encoding="utf-8")
    by_id = {o["order_id"]: o for o in orders}
    examples = re.findall(r"`(u\d{4})` \(`(SA-\d{6})`,\s+(\w+)", readme)
    assert len(examples) >= 3
    for user_id, order_id, status in examples:
        assert by_id[order_id]["user_id"] == user_id
        assert by_id[order_id]["status"] == status
    strongest = {t["user_id"]: t["taste"] for t in tastes if float(t["weight"]) == 1.0}
    shoppers = re.search(r"`(u\d{4})` shops for puzzles.*?`(u\d{4})` for camping", readme, re.S)
    assert shoppers is not None
    assert strongest[shoppers[1]] == "family_puzzler"
    assert strongest[shoppers[2]] == "outdoor"


@pytest.mark.parametrize(
    "now",
    [
        SNAPSHOT_TIME,
        dt.datetime(2026, 12, 7, 9, 15, tzinfo=dt.UTC),  # a morning, weeks after the snapshot
        dt.datetime(2031, 2, 28, 23, 59, tzinfo=dt.UTC),
        dt.datetime.now(dt.UTC),  # whenever the suite runs
    ],
)
def test_orders_as_of_any_day_stay_realistic(orders, now) -> None:
    """Built on any day, the demo keeps each order's status and its timeline relative to
    that day: nothing happens after `now`, processing orders were placed hours ago and the
    recent deliveries are inside the 30-day return window."""
    moved = orders_as_of(now)
    assert [(o["order_id"], o["status"]) for o in moved] == [
        (o["order_id"], o["status"]) for o in orders
    ]
    for before, after in zip(orders, moved, strict=True):
        for name in ("created_at", "updated_at", "delivered_at"):
            if before[name]:
                assert _time(after[name]) <= now
                shift = _time(after[name]) - _time(before[name])
                assert shift.seconds == 0  # whole days: times of day stay
                assert now - dt.timedelta(days=1) < SNAPSHOT_TIME + shift <= now
    processing = [o for o in moved if o["status"] == "processing"]
    assert processing and all(
        now - _time(o["created_at"]) < dt.timedelta(days=4) for o in processing
    )
    returnable = [
        o
        for o in moved
        if o["status"] == "delivered"
        and now - _time(o["delivered_at"]) < dt.timedelta(days=RETURN_WINDOW.days - 1)
    ]
    assert len(returnable) >= 10
