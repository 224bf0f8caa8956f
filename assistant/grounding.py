"""The grounding check: a reply may only name products, state prices and stock, and cite
orders that came from this turn's tool results (or the shopper's own message)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prompts import short_title
from retrieval.catalog import Product
from retrieval.columns import TITLE_KEY_WORDS, title_words

if TYPE_CHECKING:
    from assistant.tools import Toolbox
    from retrieval.search import SearchEngine

_PRICE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
_TOKEN = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_-]{2,}\b")
_ORDER_ID = re.compile(r"\b[A-Z]{2,4}-\d{4,10}\b")
_OUT_OF_STOCK = re.compile(r"\b(?:out of stock|sold out|unavailable)\b", re.IGNORECASE)
_IN_STOCK = re.compile(r"(?<!out of )\bin stock\b", re.IGNORECASE)


class TitleIndex:
    """Finds catalog titles quoted in a text without scanning every title: the search
    engine looks candidates up by their first words (a key column it keeps, so catalog
    changes need nothing here), then each is confirmed as a substring, whole or as replies
    shorten it (:func:`prompts.short_title`)."""

    def __init__(self, engine: SearchEngine) -> None:
        self._engine = engine

    def find(self, text: str) -> list[Product]:
        words = title_words(text)
        phrases = [
            words[start : start + size]
            for start in range(len(words) - 1)
            for size in range(TITLE_KEY_WORDS, 1, -1)
        ]
        lowered = text.lower()
        return [
            p
            for p in self._engine.titled(phrases)
            if p.title.lower() in lowered or short_title(p.title).lower() in lowered
        ]


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
    # Catalogs repeat titles: naming a product a tool returned must not count as naming
    # its namesakes.
    known = [*tools.products.values(), *filter(None, map(tools.shop.engine.get, ordered))]
    titles = {product.title.lower() for product in known}
    for line in reply.splitlines():
        for product in tools.shop.titles.find(line):
            if product.id not in tools.products and product.id not in ordered:
                if product.title.lower() not in titles:
                    report.problems.append(f"product {product.title!r} not returned by any tool")
                continue
            if _OUT_OF_STOCK.search(line) and product.in_stock:
                report.problems.append(f"{product.title!r} is in stock, not out of stock")
            elif _IN_STOCK.search(line) and product.stock is None:
                report.problems.append(f"{product.title!r} has no stock figure to say so")
            elif _IN_STOCK.search(line) and not product.in_stock:
                report.problems.append(f"{product.title!r} is out of stock")
    known_orders = set(tools.orders) | ({tools.pending["order_id"]} if tools.pending else set())
    # An order-like code inside a product's own name ("Dragon Ball Z GE-57756") is the name's.
    known_orders |= {code for p in tools.products.values() for code in _ORDER_ID.findall(p.title)}
    for order_id in set(_ORDER_ID.findall(reply)):
        if order_id not in known_orders and order_id not in message.upper():
            report.problems.append(f"order {order_id} not returned by any tool")
    return report


def _check_prices(reply: str, message: str, tools: Toolbox, report: GroundingReport) -> None:
    known = {round(p.price, 2) for p in tools.products.values() if p.price is not None}
    for order in tools.orders.values():
        known.add(round(float(order.get("total") or 0.0), 2))
        known |= {round(float(i.get("unit_price") or 0.0), 2) for i in order["items"]}
    if tools.cart_total is not None:
        known.add(tools.cart_total)
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
