"""Orders: a customer's purchases on one (UTC) day become one order with a shipping history.

Each order follows one timeline (UTC; business days are Monday to Friday), and its status
is where that timeline stands at the snapshot time:

* ``created_at`` is the purchase time. An order placed on a business day before 17:00
  (1 pm Eastern) ships that evening, any other order the next business day: until then
  it is ``processing``, and 4% of orders are ``cancelled`` during that time.
* Standard shipping (3 in 4 orders) promises delivery 3-5 business days after shipping,
  express 1-2; ``estimated_delivery`` is the last promised day and 5% of parcels arrive a
  business day or two late. Once shipped the order is ``shipped`` and has a tracking number.
* On delivery day the parcel is ``out_for_delivery`` from 12:00-14:00 and ``delivered``
  between 16:00 and 23:00 (``delivered_at``).
* 5% of delivered orders come back 6-24 days later (``returned``).

``total`` is the merchandise total (the sum of the items); shipping is not modelled.

The committed ``orders.json`` is dated as of :data:`assistant.demo.SNAPSHOT_TIME`; a home
gets the orders of :func:`orders_as_of` the day it is built, so that "processing" orders
were placed hours ago and recent deliveries are inside the return window whenever that is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence

from assistant.demo import ORDERS_JSON, SNAPSHOT_TIME
from assistant.demo.catalog import DemoProduct
from assistant.demo.customers import Customer
from assistant.demo.interactions import CONSUMABLES, Event, iso
from assistant.demo.rng import Rng

CARRIERS = ("Parcelway", "Swiftpost", "Northline Express")
_CARRIER_WEIGHTS = (0.5, 0.3, 0.2)
_P_CANCEL, _P_RETURN, _P_EXPRESS, _P_LATE = 0.04, 0.05, 0.25, 0.05
_CUTOFF_HOUR = 17


def build_orders(
    events: Sequence[Event],
    products: Mapping[str, DemoProduct],
    customers: Mapping[str, Customer],
    rng: Rng,
    now: dt.datetime,
) -> list[dict[str, object]]:
    """One order per customer and purchase day, oldest first, numbered SA-100101 upwards."""
    baskets: dict[tuple[str, dt.date], list[Event]] = defaultdict(list)
    for event in events:
        if event.event == "purchase":
            baskets[event.user_id, event.time.date()].append(event)
    ordered = sorted(baskets.values(), key=lambda b: (b[0].time, b[0].user_id))
    orders = []
    number = 100100
    for basket in ordered:
        number += rng.randint(1, 7)
        customer = customers[basket[0].user_id]
        orders.append(_order(number, customer, basket, products, rng, now))
    return orders


def _order(
    number: int,
    customer: Customer,
    basket: Sequence[Event],
    products: Mapping[str, DemoProduct],
    rng: Rng,
    now: dt.datetime,
) -> dict[str, object]:
    quantities: dict[str, int] = {}
    for event in basket:
        group = products[event.item_id].group
        extra = 2 if group in CONSUMABLES and rng.chance(0.25) else 1
        quantities[event.item_id] = quantities.get(event.item_id, 0) + extra
    items = [
        {
            "product_id": pid,
            "title": products[pid].title,
            "quantity": qty,
            "unit_price": products[pid].price_cents / 100,
        }
        for pid, qty in quantities.items()
    ]
    total_cents = sum(products[pid].price_cents * qty for pid, qty in quantities.items())

    created = basket[0].time
    ship_day = created.date()
    if ship_day.weekday() >= 5 or created.hour >= _CUTOFF_HOUR:
        ship_day = _add_business_days(ship_day, 1)
    shipped = _at(ship_day, rng.randint(20 * 60, 23 * 60 + 30))
    express = rng.chance(_P_EXPRESS)
    promised = _add_business_days(ship_day, 2 if express else 5)
    transit = rng.randint(1, 2) if express else rng.randint(3, 5)
    if rng.chance(_P_LATE):
        transit = (2 if express else 5) + rng.randint(1, 2)
    delivery_day = _add_business_days(ship_day, transit)
    out_for_delivery = _at(delivery_day, rng.randint(12 * 60, 14 * 60))
    delivered = _at(delivery_day, rng.randint(16 * 60, 23 * 60))
    carrier = rng.weighted_choice(CARRIERS, _CARRIER_WEIGHTS)
    tracking = _tracking_number(carrier, number, rng)

    cancelled = created + (shipped - created) * rng.uniform(0.05, 0.8)
    returned = delivered + dt.timedelta(days=rng.uniform(6, 24))
    history = [("processing", created), ("shipped", shipped)]
    history += [("out_for_delivery", out_for_delivery), ("delivered", delivered)]
    if rng.chance(_P_CANCEL):
        history = [("processing", created), ("cancelled", cancelled)]
    elif rng.chance(_P_RETURN):
        history.append(("returned", returned))
    status, updated = [(s, t) for s, t in history if t <= now][-1]
    reached = {s for s, t in history if t <= now}
    return {
        "order_id": f"SA-{number:06d}",
        "user_id": customer.user_id,
        "status": status,
        "created_at": iso(created),
        "updated_at": iso(updated),
        "items": items,
        "total": total_cents / 100,
        "currency": "USD",
        "shipping_address": customer.address(),
        "carrier": carrier,
        "tracking_number": tracking if "shipped" in reached else None,
        "estimated_delivery": None if status == "cancelled" else promised.isoformat(),
        "delivered_at": iso(delivered) if "delivered" in reached else None,
    }


_TIMES = ("created_at", "updated_at", "delivered_at")
_DAYS = ("estimated_delivery",)


def orders_as_of(now: dt.datetime) -> list[dict[str, object]]:
    """The demo orders moved by whole days so that the snapshot they were generated at
    falls within the day before ``now`` (aware): each keeps its status, its times of day,
    and how long ago each step happened, give or take less than a day."""
    days = (now - SNAPSHOT_TIME) // dt.timedelta(days=1)
    shift = dt.timedelta(days=days)
    orders: list[dict[str, object]] = json.loads(ORDERS_JSON.read_text(encoding="utf-8"))
    for order in orders:
        for name in _TIMES:
            if order.get(name):
                moved = dt.datetime.fromisoformat(str(order[name])) + shift
                order[name] = iso(moved)
        for name in _DAYS:
            if order.get(name):
                order[name] = (dt.date.fromisoformat(str(order[name])) + shift).isoformat()
    return orders


def _add_business_days(day: dt.date, count: int) -> dt.date:
    while count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _at(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(minutes=minute)


def _tracking_number(carrier: str, number: int, rng: Rng) -> str:
    """A carrier-style tracking number; the order number inside keeps it unique."""
    if carrier == "Parcelway":
        return f"PW{number}{rng.randint(1000, 9999)}US"
    if carrier == "Swiftpost":
        return f"SP-{rng.randint(100, 999)}-{number}-{rng.randint(10, 99)}"
    return f"1NL{number}{rng.randint(10000, 99999)}"
