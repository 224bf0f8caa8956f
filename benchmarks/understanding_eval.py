"""How well the assistant reads what shoppers ask, on requests written outside the project:
constraints per slot and exact, intents, and the products a search returns that break a
constraint the shopper stated; writes the "understanding" section of docs/benchmarks.md.

    python -m benchmarks.understanding_eval [--split dev|test|all] [--show] [--no-write]

The set (`benchmarks/data/shopper_requests.jsonl`) was written by a helper who had not read
the parser: each request has its gold intent and hard constraints, whether the demo store
can meet them, and a dev or test split that holds out wording. Each request is read as the
chat's first turn (`Assistant.interpret`) and searched as the local tier searches it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.report import machine, write_section
from retrieval.attributes import normalize_size
from retrieval.text import category_leaf

ROOT = Path(__file__).resolve().parents[1]
REQUESTS = ROOT / "benchmarks" / "data" / "shopper_requests.jsonl"
CONVERSATIONS = ROOT / "benchmarks" / "data" / "conversations_new.jsonl"
NOW = datetime(2027, 1, 11, 10, 30, tzinfo=UTC)
SLOTS = (
    "category",
    "brand",
    "color",
    "price_min",
    "price_max",
    "in_stock",
    "age_min",
    "age_max",
    "pieces_min",
    "pieces_max",
    "size",
)
SEARCH_INTENTS = frozenset({"product_search", "recommendation"})


def _same(slot: str, gold: Any, read: Any) -> bool:
    if gold is None or read is None:
        return gold is None and read is None
    if slot == "size":
        return normalize_size(str(gold)) == normalize_size(str(read))
    if isinstance(gold, str):
        read_leaf = category_leaf(str(read)) if slot == "category" else str(read)
        return gold.casefold() == read_leaf.casefold()
    return bool(abs(float(gold) - float(read)) < 0.005)


def read_all(items: list[dict[str, Any]], home: Path) -> list[dict[str, Any]]:
    from assistant.llm.local import LocalBackend
    from assistant.orchestrator import Assistant
    from assistant.settings import Settings
    from assistant.shop import Shop
    from assistant.tools import Toolbox

    shop = Shop.open(Settings(_env_file=None, home=home, llm="local", now=NOW))  # type: ignore[call-arg]
    assistant = Assistant(shop, LocalBackend("Demo"), store_name="Demo", max_chars=4000)
    out = []
    try:
        for item in items:
            session = shop.db.create_session(None)
            understood = assistant.interpret(item["text"], session)
            read = understood.filters.to_dict()
            row = {**item, "read_intent": understood.intent, "read": read, "broken": 0}
            if item["intent"] in SEARCH_INTENTS and understood.intent in SEARCH_INTENTS:
                tools = Toolbox(shop, session, None)
                reply = LocalBackend("Demo").respond(_turn(item["text"], understood), tools)
                searched = [c.result for c in tools.calls if "filters" in c.result]
                if searched:  # what the search acted on (it also reads unknown brands)
                    row["read"] = searched[-1]["filters"]
                shown = [tools.products[pid] for pid in tools.shown]
                row["shown"] = len(shown)
                row["broken"] = sum(bool(_breaks(p, item["constraints"])) for p in shown)
                row["reply"] = reply.text
            out.append(row)
    finally:
        shop.close()
    return out


def _turn(message: str, understood: Any) -> Any:
    from assistant.llm.base import Turn

    return Turn(message, understood)


def _breaks(product: Any, constraints: dict[str, Any]) -> list[str]:
    """The stated constraints `product` breaks (a product without the value breaks it)."""
    from retrieval.filters import Filters

    broken = []
    for slot, value in constraints.items():
        if slot == "category":
            leaf = category_leaf(product.category).casefold()
            if leaf != str(value).casefold():
                broken.append(slot)
        elif not Filters(**{slot: value}).matches(product):
            broken.append(slot)
    return broken


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Constraints are scored on shopping requests (a product question's or an order's
    gold has none by design); intents on all."""
    per_slot: dict[str, Counter[str]] = {slot: Counter() for slot in SLOTS}
    exact = 0
    shopping = [row for row in rows if row["intent"] in SEARCH_INTENTS]
    for row in shopping:
        gold, read = row["constraints"], row["read"]
        for slot in SLOTS:
            if slot in gold and _same(slot, gold[slot], read.get(slot)):
                per_slot[slot]["tp"] += 1
            else:
                per_slot[slot]["fn"] += slot in gold
                per_slot[slot]["fp"] += slot in read
        exact += all(_same(s, gold[s], read.get(s)) for s in gold) and set(read) <= set(gold)
    searches = [r for r in rows if "shown" in r]
    shown = sum(r["shown"] for r in searches)
    unmeetable = [r for r in searches if r["unmeetable"]]
    return {
        "requests": len(rows),
        "shopping_requests": len(shopping),
        "exact": exact / max(len(shopping), 1),
        "intent_accuracy": sum(r["read_intent"] == r["intent"] for r in rows) / max(len(rows), 1),
        "slots": {slot: _prf(c) for slot, c in per_slot.items() if sum(c.values())},
        "products_shown": shown,
        "products_breaking": sum(r["broken"] for r in searches),
        "unmeetable_answered_with_nothing": (
            sum(r["shown"] == 0 for r in unmeetable),
            len(unmeetable),
        ),
    }


def _prf(c: Counter[str]) -> dict[str, float]:
    precision = c["tp"] / max(c["tp"] + c["fp"], 1)
    recall = c["tp"] / max(c["tp"] + c["fn"], 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return {"precision": precision, "recall": recall, "f1": f1, "support": c["tp"] + c["fn"]}


def conversations(
    home: Path, path: Path = CONVERSATIONS, split: str | None = None
) -> dict[str, Any]:
    """A helper's multi-turn conversations (those of `split`, when given) on the local
    tier, as `shopassist eval chat` runs them."""
    from assistant.chat_eval import evaluate, load_conversations
    from assistant.settings import Settings

    chosen = [c for c in load_conversations(path) if split is None or c.get("split") == split]
    settings = Settings(_env_file=None, home=home, llm="local", now=NOW)  # type: ignore[call-arg]
    return evaluate(settings, chosen, "local")


def render(results: dict[str, dict[str, Any]], chats: dict[str, Any]) -> str:
    lines = [
        "## Understanding shoppers' requests",
        "",
        f"`python -m benchmarks.understanding_eval` — {machine()}.",
        "",
        "`benchmarks/data/shopper_requests.jsonl`: requests written by a helper who had not "
        "read the parser, with gold intents and hard constraints, split into dev and test "
        'by wording ("max", "tops", "my budget is" in one; "at most", "no more than", '
        '"I can spend" in the other). Each is read as a chat\'s first turn and searched as '
        "the local tier searches; a product breaks a constraint when it lacks the stated "
        "category, brand, colour, size, stock, age, piece count or price.",
        "",
        "| split | requests (shopping) | constraints exact | intent accuracy | products "
        "shown | of them breaking a stated constraint | unmeetable requests answered with "
        "nothing |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        nothing, unmeetable = r["unmeetable_answered_with_nothing"]
        lines.append(
            f"| {name} | {r['requests']} ({r['shopping_requests']}) | {r['exact']:.1%} | "
            f"{r['intent_accuracy']:.1%} | "
            f"{r['products_shown']} | {r['products_breaking']} | {nothing} / {unmeetable} |"
        )
    lines += [
        "",
        f"`benchmarks/data/conversations_new.jsonl`, {chats['conversations']} conversations "
        f"({chats['turns']} turns) written by the same helper, local tier: task success "
        f"{chats['task_success']:.3f}, filter accuracy {chats['filter_accuracy']:.3f}, "
        f"ungrounded-claim rate {chats['ungrounded_claim_rate']:.3f} (the project's own set "
        'of 47: see "chat"). The follow-up rules (`assistant/conversation.py`) were tuned on '
        'these conversations; their held-out measure is "follow-ups".',
    ]
    test = results.get("test") or next(iter(results.values()))
    lines += [
        "",
        "Per slot on the test split (precision / recall / F1, support):",
        "",
        "| slot | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
        *[
            f"| {slot} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | "
            f"{s['support']} |"
            for slot, s in test["slots"].items()
        ],
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--show", action="store_true", help="print each request read wrong")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    items = [json.loads(line) for line in REQUESTS.read_text().splitlines() if line.strip()]
    if args.split != "all":
        items = [item for item in items if item["split"] == args.split]
    with tempfile.TemporaryDirectory(prefix="shopassist-understanding-") as tmp:
        rows = read_all(items, Path(tmp) / "home")
        chats = conversations(Path(tmp) / "home") if args.split == "all" else None
    if args.show:
        for row in rows:
            gold, read = row["constraints"], row["read"]
            wrong = {s for s in set(gold) | set(read) if not _same(s, gold.get(s), read.get(s))}
            if wrong or row["read_intent"] != row["intent"] or row["broken"]:
                print(
                    f"{row['id']} [{row['style']}] {row['text']!r}\n    gold {row['intent']} "
                    f"{gold}\n    read {row['read_intent']} {read}  broken={row['broken']}"
                )
    splits = [s for s in ("dev", "test") if any(r["split"] == s for r in rows)]
    results = {s: score([r for r in rows if r["split"] == s]) for s in splits}
    print(json.dumps(results, indent=2))
    if chats is not None:
        print(json.dumps({k: v for k, v in chats.items() if k != "failures"}, indent=2))
        for failure in chats["failures"]:
            print(failure)
        if not args.no_write:
            write_section("understanding", render(results, chats))


if __name__ == "__main__":
    main()
