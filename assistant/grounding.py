"""The grounding check: every claim a reply makes must come from this turn's evidence: what
the tools returned, the policy passages they retrieved, and the shopper's own message.

Claims are checked, not strings:

* products, by id or title, must be ones a tool returned; stock claims ("in stock", "only 2
  left") must match the product's stock;
* order ids must be the shopper's, as a tool returned them;
* money must be an amount in the evidence, or derivable from it: a sum of two or three
  amounts (a total), a difference (how much more), a small multiple (2 x $18.99);
* durations, percentages and dates must be in the evidence (a date may also be an evidence
  date plus a duration the evidence states: delivered on the 8th, returnable for 30 days);
  other numbers must appear in the evidence, except small counts;
* a statement about store policy (returns, refunds, shipping, payment, warranty, account)
  needs a retrieved passage of that policy;
* a message the intent model finds out of scope, answered without any tool, must be
  declined, not answered ("The capital of France is Paris." is replaced by the refusal).

What it cannot see: a claim without numbers that contradicts its evidence in words ("drops
are covered" where the passage excludes them). docs/benchmarks.md, "grounding", counts both
kinds of error on a labelled set of replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.evidence import (
    AMOUNT,
    DATE,
    DURATION,
    MONEY,
    NUMBER,
    PERCENT,
    Evidence,
    TurnResults,
    claimed_durations,
    dates,
    number,
)
from prompts import short_title
from retrieval.catalog import Product
from retrieval.text import COLOURS

_LIST_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s", re.MULTILINE)
_RATING_SCALE = re.compile(r"/\s?5\b|out of 5\b", re.IGNORECASE)
_SMALL_COUNT = 10
"""Bare numbers up to this ("2 options", "a 2-pack") need no evidence; numbers with a unit,
money, percentages and dates always do."""
_TOKEN = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_-]{2,}\b")
_ORDER_ID = re.compile(r"\b[A-Z]{2,4}-\d{4,10}\b")
_OUT_OF_STOCK = re.compile(r"\b(?:out of stock|sold out|unavailable)\b", re.IGNORECASE)
_IN_STOCK = re.compile(r"(?<!out of )\bin stock\b", re.IGNORECASE)
_LEFT = re.compile(r"\b(?:only\s+)?(\d+)\s+(?:left|remaining|in stock)\b", re.IGNORECASE)
_POLICY_TOPICS = {
    "returns": re.compile(r"\b(?:returns?|returnable|returning|exchanges?|exchanged)\b", re.I),
    "refunds": re.compile(r"\b(?:refunds?|refunded|store credit|price adjustment)\b", re.I),
    "shipping": re.compile(
        r"\b(?:free (?:standard |express )?(?:shipping|delivery)|ships? free|shipping (?:is|costs?|"
        r"fees?|rates?|charges?|takes|times?)|(?:standard|express|international|overnight|"
        r"expedited) (?:shipping|delivery)|ships? (?:the )?same day|ships? (?:to|internationally|"
        r"worldwide|overseas)|deliver(?:s|y)? (?:to|internationally|worldwide|on weekends))\b",
        re.I,
    ),
    "payment": re.compile(
        r"\b(?:promo(?:tion)?s?|promo codes?|discount|coupon|sales? tax|gift cards?|paypal|"
        r"charged|payment methods?|% off|off (?:your|every|all|the))\b",
        re.I,
    ),
    "warranty": re.compile(r"\b(?:warrant(?:y|ies)|guarantee[ds]?)\b", re.I),
    "account": re.compile(r"\b(?:password|newsletter|delete (?:your|my) account)\b", re.I),
}
"""Words that make a sentence a statement about one of the store's policy documents."""
_ORDER_FACT = re.compile(
    r"\b(?:tracking|out for delivery|estimated (?:delivery|to arrive)|delivered on|shipped with|"
    r"(?:is|was) (?:still )?(?:processing|shipped|delivered|cancelled|returned))\b",
    re.IGNORECASE,
)
"""A sentence reporting where an order stands (checked against the order, not a policy)."""
_PROMISE = re.compile(
    r"\b(?:tomorrow|tonight|next (?:week|month|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)|this weekend|later this week|back in stock|restock\w*|"
    r"\d{1,2}(?::\d\d)?\s?[ap]\.?m\b)",
    re.IGNORECASE,
)
"""Times and promises that only the evidence can make ("back in stock next week", "ships
before 3 pm")."""
_UNDER = re.compile(
    rf"\b(?:under|below|less than|cheaper than|within)\s+\$\s?(?P<under>{AMOUNT})"
    rf"|\b(?:over|above|more than)\s+\$\s?(?P<over>{AMOUNT})",
    re.IGNORECASE,
)
_SEVERAL = re.compile(
    r"\b(?:total|together|combined|altogether|in all|cart|both|each|all)\b", re.IGNORECASE
)
"""Words that make a price bound about several things ("together that's over $50")."""
_TITLE_WORD = re.compile(r"[a-z0-9]+")
_MENTION_SHARE = 0.6
"""A line mentions a product when it holds this share of the words of its title (models
shorten names: "the Amplecharge 6.4-inch case")."""
_NOT_A_CLAIM = re.compile(
    r"\?\s*$|^\s*(?:if you|would you|do you|want me|shall i|let me know|i can\b|i'd be happy"
    r"|i'm happy|feel free|just ask|ask me)|\b(?:i can (?:check|look|help|share|start|find)"
    r"|i could (?:check|look)|can help you with|help you with)\b",
    re.IGNORECASE,
)
"""Sentences that ask or offer rather than state ("Would you like me to check returns?")."""
_DECLINES = re.compile(
    r"\b(?:can(?:no|')t|cannot|unable to|not able to|only able to|can only|won't be able to|"
    r"not something i can|outside (?:of )?what i|i'm (?:just|only) (?:the|a|here)|"
    r"i'm here to help with|(?:can|could) help (?:you )?(?:with|find)|don't have)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class GroundingReport:
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_grounding(
    reply: str, message: str, tools: TurnResults, *, out_of_scope: bool = False, model: bool = True
) -> GroundingReport:
    """The problems of `reply` as an answer to `message` in a turn whose tools are `tools`;
    `out_of_scope` when the intent model found the message outside what the store does.
    A `model`'s free text has every claim checked; the local tier's templated replies
    only their products and orders (their other words are the store's own)."""
    report = GroundingReport()
    _check_products(reply, message, tools, report)
    _check_orders(reply, message, tools, report)
    evidence = Evidence.of(tools, message)
    _check_claims_about_products(reply, tools, evidence, report, model=model)
    if not model:
        # Template examples ("under 20 dollars") are the store's words; listed prices are not.
        _check_money(_claim_text(reply, tools), evidence, report, signed_only=True)
        return report
    if out_of_scope and not tools.calls and not declines(reply):
        report.problems.append("answers a request the store does not serve")
    _check_numbers(_claim_text(reply, tools), evidence, report)
    _check_policy(reply, evidence, report)
    for promise in {m[0] for m in _PROMISE.finditer(reply)}:
        if not re.search(rf"\b{re.escape(promise)}", evidence.flat, re.IGNORECASE):
            report.problems.append(f"{promise!r} is not in the evidence")
    return report


def declines(reply: str) -> bool:
    """Whether `reply` declines (or redirects) rather than answers: "I can only help with
    shopping here"."""
    return bool(_DECLINES.search(reply))


def _check_products(reply: str, message: str, tools: TurnResults, report: GroundingReport) -> None:
    ordered = {item["product_id"] for o in tools.orders.values() for item in o["items"]}
    ordered |= tools.history
    for token in set(_TOKEN.findall(reply)):
        if token not in tools.products and token not in ordered and tools.catalog.get(token):
            report.problems.append(f"product {token} not returned by any tool")
    # Catalogs repeat titles: naming a product a tool returned must not count as naming
    # its namesakes.
    known = [*tools.products.values(), *filter(None, map(tools.catalog.get, ordered))]
    titles = {product.title.lower() for product in known}
    for line in reply.splitlines():
        for product in tools.catalog.titles.find(line):
            if product.id not in tools.products and product.id not in ordered:
                if product.title.lower() not in titles:
                    report.problems.append(f"product {product.title!r} not returned by any tool")
                continue


def _check_claims_about_products(
    reply: str, tools: TurnResults, evidence: Evidence, report: GroundingReport, *, model: bool
) -> None:
    """Stock and price bounds said in a line about products the tools returned must be
    theirs; in a model's words, brands and colours too."""
    products = list(tools.products.values())
    ordered = {item["product_id"] for o in tools.orders.values() for item in o["items"]}
    related = [*products, *filter(None, map(tools.catalog.get, ordered | tools.history))]
    brands = {b.lower() for b in tools.catalog.vocabulary.brands if len(b) > 2}
    for line in reply.splitlines():
        named = [p for p in products if _mentions(line, p)]
        if not named:
            continue
        left = _LEFT.search(line)
        for product in named:
            if _OUT_OF_STOCK.search(line) and product.in_stock and len(named) == 1:
                report.problems.append(f"{product.title!r} is in stock, not out of stock")
            elif left and len(named) == 1 and int(left[1]) != product.stock:
                report.problems.append(f"{product.title!r} has {product.stock} in stock")
            elif _IN_STOCK.search(line) and product.stock is None:
                report.problems.append(f"{product.title!r} has no stock figure to say so")
            elif _IN_STOCK.search(line) and not product.in_stock:
                report.problems.append(f"{product.title!r} is out of stock")
        for sentence in _SENTENCE.split(line):
            alone = [p for p in named if _mentions(sentence, p)]
            if len(alone) != 1 or _SEVERAL.search(sentence) or alone[0].price is None:
                continue
            price = alone[0].price
            for bound in _UNDER.finditer(sentence):
                if (bound["under"] and price >= number(bound["under"])) or (
                    bound["over"] and price <= number(bound["over"])
                ):
                    report.problems.append(f"{alone[0].title!r} is not {bound[0]}")
        if not model:
            continue
        for brand in brands:
            if re.search(rf"\b{re.escape(brand)}\b", line, re.IGNORECASE) and not re.search(
                rf"\b{re.escape(brand)}\b", evidence.flat, re.IGNORECASE
            ):
                report.problems.append(f"the brand {brand!r} is not in the evidence")
        about = [p for p in related if _mentions(line, p)]
        said = " ".join(f"{p.title} {p.brand} {p.color} {p.description}" for p in about).lower()
        for colour in COLOURS:
            stated = re.search(rf"\b{colour}\b", line, re.IGNORECASE)
            if stated and colour not in said and colour not in evidence.message.lower():
                report.problems.append(f"{colour!r} is not a colour of what the line names")


def _mentions(line: str, product: Product) -> bool:
    lowered = line.lower()
    if product.title.lower() in lowered or product.id in line:
        return True
    words = set(_TITLE_WORD.findall(product.title.lower())) - _FILLER
    present = {w for w in words if re.search(rf"\b{re.escape(w)}\b", lowered)}
    return len(words) >= 3 and len(present) >= _MENTION_SHARE * len(words)


_FILLER = frozenset(["a", "an", "and", "the", "of", "for", "with", "in", "to", "by", "x"])


def _check_orders(reply: str, message: str, tools: TurnResults, report: GroundingReport) -> None:
    known_orders = set(tools.orders) | ({tools.pending["order_id"]} if tools.pending else set())
    # An order-like code inside a product's own name ("Dragon Ball Z GE-57756") is the name's.
    known_orders |= {code for p in tools.products.values() for code in _ORDER_ID.findall(p.title)}
    for order_id in set(_ORDER_ID.findall(reply)):
        if order_id not in known_orders and order_id not in message.upper():
            report.problems.append(f"order {order_id} not returned by any tool")


def _claim_text(reply: str, tools: TurnResults) -> str:
    """`reply` without what holds numbers that are not claims: list markers, order ids
    (checked on their own) and the names of products the tools returned."""
    text = _LIST_MARKER.sub(" ", reply)
    text = _ORDER_ID.sub(" ", text)
    for title in {p.title for p in tools.products.values()}:
        text = text.replace(title, " ").replace(short_title(title), " ")
    return text


def _check_money(
    text: str, evidence: Evidence, report: GroundingReport, *, signed_only: bool = False
) -> list[tuple[int, int]]:
    """Amounts of money (with `signed_only`, those written with a $ only) must be in the
    evidence or derived from it; their spans."""
    spans = []
    for match in MONEY.finditer(text):
        if signed_only and not match["sign"]:
            continue
        amount = number(match["sign"] or match["word"])
        spans.append(match.span())
        if not evidence.money_ok(round(amount, 2)):
            report.problems.append(f"${amount:,.2f} is not in the evidence nor derived from it")
    return spans


def _check_numbers(text: str, evidence: Evidence, report: GroundingReport) -> None:
    checked = _check_money(text, evidence, report)
    for match in PERCENT.finditer(text):
        checked.append(match.span())
        if float(match[1]) not in evidence.percents:
            report.problems.append(f"{match[0]} is not in the evidence")
    for match in DATE.finditer(text):
        checked.append(match.span())
        for day, year_given in dates(match[0], evidence.year):
            if not evidence.date_ok(day, year_given):
                report.problems.append(f"the date {match[0]!r} is not in the evidence")
    for match in DURATION.finditer(text):
        if _inside(match.span(), checked):
            continue
        checked.append(match.span())
        for claim in claimed_durations(match[0]):
            if claim not in evidence.durations:
                report.problems.append(f"{match[0]!r} is not in the evidence")
                break
    for match in NUMBER.finditer(text):
        if _inside(match.span(), checked) or _RATING_SCALE.match(text, match.end()):
            continue
        if text[max(0, match.start() - 1) : match.start()] == "/":
            continue  # the "5" of "4.5/5"
        value = number(match[0])
        if value > _SMALL_COUNT and value not in evidence.numbers:
            report.problems.append(f"the number {match[0]} is not in the evidence")


def _check_policy(reply: str, evidence: Evidence, report: GroundingReport) -> None:
    """A sentence stating store policy needs a passage of that policy in the evidence."""
    for sentence in _SENTENCE.split(reply):
        if not sentence.strip() or _NOT_A_CLAIM.search(sentence) or _ORDER_FACT.search(sentence):
            continue
        for document, topic in _POLICY_TOPICS.items():
            if topic.search(sentence) and document not in evidence.documents:
                if not _echoes(sentence, evidence.flat):
                    report.problems.append(
                        f"a statement about {document} without a {document} policy passage"
                    )
                break


def _echoes(sentence: str, text: str) -> bool:
    """Whether every policy word of `sentence` is in the evidence itself (a product whose
    description says "free returns" may be repeated)."""
    return all(
        re.search(rf"\b{re.escape(match[0])}\b", text, re.IGNORECASE)
        for topic in _POLICY_TOPICS.values()
        for match in topic.finditer(sentence)
    )


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)
