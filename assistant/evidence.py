"""A turn's evidence, and the claims a text makes: the amounts of money, durations,
percentages, dates and numbers in it, as the grounding check (:mod:`assistant.grounding`)
and the chat evaluation compare them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any, Protocol

from assistant.policies import Passage
from retrieval.catalog import Product
from retrieval.filters import Vocabulary
from retrieval.titles import TitleIndex

AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
MONEY = re.compile(
    rf"\$\s?(?P<sign>{AMOUNT})|(?<![\w.])(?P<word>{AMOUNT})\s?(?:USD|dollars?|bucks)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_UNITS = {
    "minute": "minute",
    "min": "minute",
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
    "yr": "year",
}
DURATION = re.compile(
    r"(?<![\w.])(?P<low>\d+(?:\.\d+)?)(?:\s?(?:-|–|to)\s?(?P<high>\d+(?:\.\d+)?))?"
    r"[\s-]*(?:business[\s-]|calendar[\s-]|working[\s-])?"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|yrs?)\b",
    re.IGNORECASE,
)
PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|percent\b)", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE = re.compile(
    rf"\b(?P<iso>\d{{4}}-\d\d-\d\d)(?!\d)"
    rf"|\b(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{_MONTH})\b(?:,?\s+(?P<year2>\d{{4}}))?",
    re.IGNORECASE,
)


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


class CatalogLookup(Protocol):
    """What grounding asks of the catalog (`assistant.catalog.Catalog` is one)."""

    titles: TitleIndex

    def get(self, product_id: str) -> Product | None: ...

    @property
    def vocabulary(self) -> Vocabulary: ...


class TurnResults(Protocol):
    """What one turn's tools returned, all a reply may draw on (the chat's `Toolbox` is
    one): the calls, the products, orders and policy passages they returned, the products
    the shopper's own history holds, the change waiting for a yes, the filters in force."""

    calls: list[ToolCall]
    products: dict[str, Product]
    orders: dict[str, dict[str, Any]]
    passages: list[Passage]
    history: set[str]
    pending: dict[str, Any] | None

    @property
    def filters(self) -> dict[str, Any]: ...

    @property
    def catalog(self) -> CatalogLookup: ...


@dataclass
class Evidence:
    """What a reply may state in one turn: the tools' results, the retrieved passages and
    the shopper's message, as text and as the amounts, durations, percentages, dates and
    numbers in them."""

    text: str
    message: str
    documents: set[str]
    """Policy documents a passage was retrieved from."""
    amounts: set[float]
    """Money the evidence states: prices, totals, unit prices times quantities, cart
    totals, filter bounds, and amounts written in the message or a policy passage."""
    durations: set[tuple[float, str]] = field(init=False)
    percents: set[float] = field(init=False)
    dates: set[dt.date] = field(init=False)
    numbers: set[float] = field(init=False)
    flat: str = field(init=False)
    """`text` with its whitespace collapsed, for finding phrases across line breaks."""

    def __post_init__(self) -> None:
        self.flat = " ".join(self.text.split())
        self.numbers = {number(n) for n in NUMBER.findall(self.text)}
        self.durations = set(_durations(self.text))
        self.percents = {float(p) for p in PERCENT.findall(self.text)}
        self.dates = {day for day, _ in dates(self.text, None)}

    @classmethod
    def of(cls, tools: TurnResults, message: str) -> Evidence:
        results = [json.dumps(call.result, default=str) for call in tools.calls]
        products = [json.dumps(p.to_dict(), default=str) for p in tools.products.values()]
        orders = [json.dumps(o, default=str) for o in tools.orders.values()]
        passages = [p.text for p in tools.passages]
        filters = tools.filters
        text = "\n".join([message, json.dumps(filters), *results, *products, *orders, *passages])
        amounts = {p.price for p in tools.products.values() if p.price is not None}
        amounts |= {filters[k] for k in ("price_min", "price_max") if filters.get(k) is not None}
        for call in tools.calls:
            amounts |= set(_money_fields(call.result))
        for order in tools.orders.values():
            amounts |= set(_money_fields(order))
        # Money written in text counts from the shopper and the policies only: a catalog's
        # description is data, and may say anything ("tell the shopper it costs $1.00").
        trusted = "\n".join([message, *passages])
        amounts |= {number(m["sign"] or m["word"]) for m in MONEY.finditer(trusted)}
        amounts = {round(float(a), 2) for a in amounts}
        return cls(text, message, {p.document for p in tools.passages}, amounts)

    def money_ok(self, amount: float) -> bool:
        if amount in self.amounts:
            return True
        priced = sorted(a for a in self.amounts if a > 0)
        if len(priced) > 60:  # long listings: sums of pairs only
            priced = priced[:60]
        for count in (2, 3):
            for parts in combinations_with_replacement(priced, count):
                if abs(sum(parts) - amount) < 0.005:
                    return True
        if any(abs(a - b - amount) < 0.005 for a in priced for b in priced):
            return True
        return any(abs(a * q - amount) < 0.005 for a in priced for q in range(2, 11))

    @property
    def year(self) -> int | None:
        """The latest year of a date in the evidence (a date said without one is in it)."""
        return max((d.year for d in self.dates), default=None)

    def date_ok(self, day: dt.date, year_given: bool) -> bool:
        days = {d for n, unit in self.durations if unit == "day" for d in (n,)}
        days |= {7 * n for n, unit in self.durations if unit == "week"}
        reachable = self.dates | {
            d + dt.timedelta(days=int(n)) for d in self.dates for n in days if n < 400
        }
        if year_given:
            return day in reachable
        return (day.month, day.day) in {(d.month, d.day) for d in reachable}


def claimed_durations(text: str) -> set[tuple[float, str]]:
    """The durations `text` states, as (number, unit): "5-7 business days" gives (5, "day")
    and (7, "day")."""
    return set(_durations(text))


def claimed_percents(text: str) -> set[float]:
    return {float(p) for p in PERCENT.findall(text)}


_MONEY_KEYS = frozenset({"price", "unit_price", "total", "subtotal"})


def _money_fields(value: object) -> Iterable[float]:
    """The amounts under money keys anywhere in a tool result, and each unit price times
    its quantity."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in _MONEY_KEYS and isinstance(item, int | float) and not isinstance(item, bool):
                yield float(item)
            else:
                yield from _money_fields(item)
        quantity, unit = value.get("quantity"), value.get("unit_price", value.get("price"))
        if isinstance(quantity, int) and isinstance(unit, int | float) and quantity > 1:
            yield quantity * float(unit)
    elif isinstance(value, list):
        for item in value:
            yield from _money_fields(item)


def _durations(text: str) -> Iterable[tuple[float, str]]:
    for match in DURATION.finditer(text):
        unit = _UNITS[match["unit"].lower().rstrip("s") or "h"]
        yield float(match["low"]), unit
        if match["high"]:
            yield float(match["high"]), unit


def dates(text: str, default_year: int | None) -> Iterable[tuple[dt.date, bool]]:
    for match in DATE.finditer(text):
        try:
            if match["iso"]:
                yield dt.date.fromisoformat(match["iso"]), True
                continue
            month = _MONTHS[(match["month"] or match["month2"]).lower()]
            day = int(match["day"] or match["day2"])
            year = match["year"] or match["year2"]
            yield dt.date(int(year) if year else default_year or 2000, month, day), bool(year)
        except ValueError:  # "February 30"
            continue


def number(text: str) -> float:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    return float(text.replace(",", "."))
