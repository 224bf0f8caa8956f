"""`shopassist eval chat`: scripted multi-turn conversations over the demo store, each turn
with checks (intent, filters, products, replies, order state, refusals), run against a
scratch copy of the home so that order changes leave the real one untouched."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.errors import BadRequest
from assistant.evidence import claimed_durations, claimed_percents
from assistant.grounding import declines
from assistant.orchestrator import Assistant, ChatResponse
from assistant.settings import Settings
from assistant.shop import Shop
from retrieval.embedder import Embedder

DEFAULT_CONVERSATIONS = Path(__file__).parent / "demo" / "conversations.jsonl"
"""The demo store's scripted conversations (they name its customers and orders)."""
_PRICE = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")


def load_conversations(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BadRequest(f"cannot read conversations {path}: {exc}") from exc
    return [json.loads(line) for line in lines if line.strip()]


@contextmanager
def scratch_shop(
    settings: Settings, embedder: Embedder | None = None
) -> Iterator[tuple[Shop, Settings]]:
    """The settings' shop (built on first use), copied to a temporary home."""
    Shop.open(settings, progress=True, embedder=embedder).close()
    with tempfile.TemporaryDirectory(prefix="shopassist-eval-") as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(settings.home, home)
        scratch = settings.model_copy(update={"home": home})
        shop = Shop.open(scratch, embedder=embedder)
        shop.warm_up()  # latency is measured on a serving shop, not on first-use loading
        try:
            yield shop, scratch
        finally:
            shop.close()


def evaluate(
    settings: Settings,
    conversations: list[dict[str, Any]],
    llm: str,
    embedder: Embedder | None = None,
) -> dict[str, Any]:
    """Run `conversations` against a copy of the settings' shop (with `embedder`, the
    settings' by default) on the `llm` tier, and score every turn's expectations."""
    with scratch_shop(settings, embedder) as (shop, scratch):
        assistant = Assistant.from_settings(scratch.model_copy(update={"llm": llm}), shop)
        return _run(shop, assistant, conversations)


def _run(shop: Shop, assistant: Assistant, conversations: list[dict[str, Any]]) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[dict[str, Any]] = []
    succeeded = turns = filter_turns = filter_ok = ungrounded = 0
    backends: dict[str, int] = {}
    for conversation in conversations:
        session_id, problems = None, []
        for number, turn in enumerate(conversation["turns"], start=1):
            response = assistant.chat(turn["say"], session_id, conversation.get("user"))
            session_id = response.session_id
            turns += 1
            latencies.append(response.latency_ms)
            backends[response.backend] = backends.get(response.backend, 0) + 1
            expect = turn["expect"]
            found = _check(shop, conversation.get("user"), response, expect)
            if "filters" in expect or "filters_below" in expect:
                filter_turns += 1
                filter_ok += not any(p.startswith("filter") for p in found)
            claims = _unsupported_claims(shop, conversation.get("user"), turn["say"], response)
            ungrounded += bool(claims)
            problems += [f"turn {number}: {p}" for p in found + claims]
        succeeded += not problems
        if problems:
            failures.append({"id": conversation["id"], "problems": problems})
    ordered = sorted(latencies)
    return {
        "conversations": len(conversations),
        "turns": turns,
        "task_success": round(succeeded / max(len(conversations), 1), 4),
        "filter_accuracy": round(filter_ok / max(filter_turns, 1), 4),
        "ungrounded_claim_rate": round(ungrounded / max(turns, 1), 4),
        "drafts_replaced_by_grounding": assistant.grounding_failures,
        "answered_by_local_tier": backends.get("local", 0),
        "latency_ms_p50": round(statistics.median(ordered), 1) if ordered else None,
        "latency_ms_p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1)
        if ordered
        else None,
        "backends": backends,
        "failures": failures,
    }


def _check(shop: Shop, user: str | None, r: ChatResponse, expect: dict[str, Any]) -> list[str]:
    problems = []
    if "intent" in expect and r.intent != expect["intent"]:
        problems.append(f"intent {r.intent!r} != {expect['intent']!r}")
    for key, value in expect.get("filters", {}).items():
        if r.filters.get(key) != value:
            problems.append(f"filter {key}={r.filters.get(key)!r}, expected {value!r}")
    for key, value in expect.get("filters_below", {}).items():
        if not (r.filters.get(key) is not None and r.filters[key] < value):
            problems.append(f"filter {key}={r.filters.get(key)!r}, expected below {value}")
    if expect.get("products") == "some" and not r.products:
        problems.append("no products")
    if expect.get("products") == "none" and r.products:
        problems.append(f"{len(r.products)} unexpected products")
    for product in r.products:
        problems += _violations(shop, product, expect.get("all_match", {}))
    reply = r.reply.lower()
    problems += [f"reply lacks {s!r}" for s in expect.get("contains", []) if s.lower() not in reply]
    problems += [f"reply has {s!r}" for s in expect.get("excludes", []) if s.lower() in reply]
    if "handed_off" in expect and r.handed_off != expect["handed_off"]:
        problems.append(f"handed_off={r.handed_off}")
    if expect.get("refused") and (not declines(r.reply) or r.products):
        problems.append("not refused")
    if "order_status" in expect:
        want = expect["order_status"]
        order = shop.db.order_for_user(want["order_id"], want["user"])
        status = order["status"] if order else None
        if status != want["status"]:
            problems.append(f"order {want['order_id']} is {status}, expected {want['status']}")
    return problems


def _violations(shop: Shop, listed: dict[str, Any], rules: dict[str, Any]) -> list[str]:
    product = shop.catalog.product(listed["id"])
    broken = []
    price = product.price
    if "price_max" in rules and (price is None or price > rules["price_max"]):
        broken.append("price_max")
    if "price_min" in rules and (price is None or price < rules["price_min"]):
        broken.append("price_min")
    if "category" in rules and rules["category"].lower() not in product.category.lower():
        broken.append("category")
    if "color" in rules and rules["color"] not in f"{product.color} {product.title}".lower():
        broken.append("color")
    if rules.get("in_stock") and not product.in_stock:
        broken.append("in_stock")
    return [f"constraint {name} broken by {product.id}" for name in broken]


def _unsupported_claims(shop: Shop, user: str | None, said: str, r: ChatResponse) -> list[str]:
    """An independent re-check of the shown reply: prices and product names must belong to
    the products the response lists, the caller's own orders or history (a reason such as
    "because you viewed ..."), the policies or the message."""
    listed = {p["id"] for p in r.products}
    orders = shop.db.orders_for_user(user, limit=1000) if user else []
    ordered = {item["product_id"] for o in orders for item in o["items"]}
    if user:
        ordered |= set(shop.recommendations.history(user))
    prices = {round(p["price"], 2) for p in r.products if p["price"] is not None}
    prices |= {round(float(i["unit_price"]), 2) for o in orders for i in o["items"]}
    prices |= {round(float(o["total"]), 2) for o in orders}
    quoted = said + " ".join(p.text for p in shop.policies.passages)
    prices |= {round(float(m.replace(",", "")), 2) for m in _PRICE.findall(quoted)}
    prices |= {round(float(v), 2) for k, v in r.filters.items() if k.startswith("price")}
    claims = [
        f"unsupported price ${m}"
        for m in _PRICE.findall(r.reply)
        if round(float(m.replace(",", "")), 2) not in prices
    ]
    claims += [
        f"unsupported product {p.title!r}"
        for p in shop.catalog.titles.find(r.reply)
        if p.id not in listed and p.id not in ordered
    ]
    # Durations and percentages (a policy's "5-7 business days", "20% off") must be the
    # policies' or the listed products' own.
    sources = quoted + " ".join(shop.catalog.product(p["id"]).description for p in r.products)
    claims += [
        f"unsupported duration {n:g} {unit}"
        for n, unit in sorted(claimed_durations(r.reply) - claimed_durations(sources))
    ]
    claims += [
        f"unsupported percentage {n:g}%"
        for n in sorted(claimed_percents(r.reply) - claimed_percents(sources))
    ]
    return claims
