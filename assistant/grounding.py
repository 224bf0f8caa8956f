"""The grounding check: a reply may only name products, state prices and stock, and cite
orders that came from this turn's tool results (or the shopper's own message)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from retrieval.catalog import Product

if TYPE_CHECKING:
    from assistant.tools import Toolbox

_PRICE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
_TOKEN = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_-]{2,}\b")
_ORDER_ID = re.compile(r"\b[A-Z]{2,4}-\d{4,10}\b")
_WORD = re.compile(r"\w+")
_OUT_OF_STOCK = re.compile(r"\b(?:out of stock|sold out|unavailable)\b", re.IGNORECASE)
_IN_STOCK = re.compile(r"(?<!out of )\bin stock\b", re.IGNORECASE)
_KEY_WORDS = 3


class TitleIndex:
    """Finds catalog titles quoted in a text without scanning every title: candidates are
    looked up by their first words, then confirmed as substrings.

    It keeps product ids, not products: ``lookup`` gives an id's current product (None
    once deleted), so a catalog change only needs :meth:`add` for the new products."""

    def __init__(
        self, products: Iterable[Product], lookup: Callable[[str], Product | None]
    ) -> None:
        self._by_key: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._lookup = lookup
        self.add(products)

    def add(self, products: Iterable[Product]) -> None:
        """Index the titles of new or replaced products."""
        for product in products:
            words = tuple(w.lower() for w in _WORD.findall(product.title))
            if len(words) < 2:  # one-word titles are too common to attribute
                continue
            ids = self._by_key[words[:_KEY_WORDS]]
            if product.id not in ids:
                ids.append(product.id)

    def find(self, text: str) -> list[Product]:
        words = [w.lower() for w in _WORD.findall(text)]
        lowered = text.lower()
        found: dict[str, Product] = {}
        for start in range(len(words)):
            for size in range(_KEY_WORDS, 1, -1):
                for product_id in self._by_key.get(tuple(words[start : start + size]), ()):
                    product = self._lookup(product_id)
                    if product is not None and product.title.lower() in lowered:
                        found[product.id] = product
        return list(found.values())


@dataclass
class GroundingReport:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_grounding(reply: str, message: str, tools: Toolbox) -> GroundingReport:
    report = GroundingReport()
    _check_prices(reply, message, tools, report)
    ordered = {item["product_id"] for o in tools.orders.values() for item in o["items"]}
    ordered |= tools.history
    for token in set(_TOKEN.findall(reply)):
        if token not in tools.products and token not in ordered and tools.shop.engine.get(token):
            report.problems.append(f"product {token} not returned by any tool")
    for line in reply.splitlines():
        for product in tools.shop.titles.find(line):
            if product.id not in tools.products and product.id not in ordered:
                report.problems.append(f"product {product.title!r} not returned by any tool")
            elif _OUT_OF_STOCK.search(line) and product.in_stock:
                report.problems.append(f"{product.title!r} is in stock, not out of stock")
            elif _IN_STOCK.search(line) and not product.in_stock:
                report.problems.append(f"{product.title!r} is out of stock")
    known_orders = set(tools.orders) | ({tools.pending["order_id"]} if tools.pending else set())
    for order_id in set(_ORDER_ID.findall(reply)):
        if order_id not in known_orders and order_id not in message.upper():
            report.problems.append(f"order {order_id} not returned by any tool")
    return report


def _check_prices(reply: str, message: str, tools: Toolbox, report: GroundingReport) -> None:
    known = {round(p.price, 2) for p in tools.products.values() if p.price is not None}
    for order in tools.orders.values():
        known.add(round(float(order.get("total") or 0.0), 2))
        known |= {round(float(i.get("unit_price") or 0.0), 2) for i in order["items"]}
    quoted = message + " " + " ".join(p.text for p in tools.passages)
    known |= {_amount(m) for m in _PRICE.findall(quoted)}
    filters = tools.session.state.get("filters") or {}
    known |= {
        round(float(filters[key]), 2)
        for key in ("price_min", "price_max")
        if filters.get(key) is not None
    }
    for match in _PRICE.findall(reply):
        if _amount(match) not in known:
            report.problems.append(f"price ${match} not returned by any tool")


def _amount(text: str) -> float:
    return round(float(text.replace(",", "")), 2)
