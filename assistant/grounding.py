"""The grounding check: a reply may only state prices, product ids and order ids that came
from this turn's tool results (or the shopper's own message)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.tools import Toolbox

_PRICE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
_TOKEN = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_-]{2,}\b")
_ORDER_ID = re.compile(r"\b[A-Z]{2,4}-\d{4,10}\b")


@dataclass
class GroundingReport:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_grounding(reply: str, message: str, tools: Toolbox) -> GroundingReport:
    report = GroundingReport()
    known_prices = {round(p.price, 2) for p in tools.products.values() if p.price is not None}
    for order in tools.orders.values():
        known_prices.add(round(float(order.get("total") or 0.0), 2))
        known_prices |= {round(float(i.get("unit_price") or 0.0), 2) for i in order["items"]}
    quoted = message + " " + " ".join(p.text for p in tools.passages)
    known_prices |= {_amount(m) for m in _PRICE.findall(quoted)}
    known_prices |= _filter_prices(tools)
    for match in _PRICE.findall(reply):
        if _amount(match) not in known_prices:
            report.problems.append(f"price ${match} not returned by any tool")
    for token in set(_TOKEN.findall(reply)):
        if token not in tools.products and tools.shop.engine.get(token) is not None:
            report.problems.append(f"product {token} not returned by any tool")
    known_orders = set(tools.orders) | ({tools.pending["order_id"]} if tools.pending else set())
    for order_id in set(_ORDER_ID.findall(reply)):
        if order_id not in known_orders and order_id not in message.upper():
            report.problems.append(f"order {order_id} not returned by any tool")
    return report


def _amount(text: str) -> float:
    return round(float(text.replace(",", "")), 2)


def _filter_prices(tools: Toolbox) -> set[float]:
    filters = tools.session.state.get("filters") or {}
    return {
        round(float(filters[key]), 2)
        for key in ("price_min", "price_max")
        if filters.get(key) is not None
    }
