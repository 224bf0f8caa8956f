"""Scripted-conversation evaluation of the chat, per tier, into docs/benchmarks.md.

    python -m benchmarks.chat_eval [--home DIR] [--llm local openai:MODEL ...] [--server TEXT]

An `openai:MODEL` tier talks to SHOPASSIST_OPENAI_BASE_URL (any OpenAI-compatible server)
with SHOPASSIST_OPENAI_API_KEY; `--server` says in the report what served it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from assistant.chat_eval import DEFAULT_CONVERSATIONS, evaluate, load_conversations  # noqa: E402
from assistant.settings import get_settings  # noqa: E402
from benchmarks.report import machine, write_section  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", help="home to copy (default: the settings' home)")
    parser.add_argument("--llm", nargs="*", default=["local"])
    parser.add_argument("--server", help="what served the openai tiers, for the report")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    settings = get_settings()
    if args.home:
        settings = settings.model_copy(update={"home": Path(args.home)})
    conversations = load_conversations(DEFAULT_CONVERSATIONS)
    rows = []
    for llm in args.llm:
        m = evaluate(settings, conversations, llm)
        local = m["answered_by_local_tier"] if llm != "local" else "—"
        rows.append(
            f"| {llm} | {m['conversations']} / {m['turns']} | {m['task_success']:.3f} | "
            f"{m['filter_accuracy']:.3f} | {m['ungrounded_claim_rate']:.3f} | "
            f"{m['drafts_replaced_by_grounding']} | {local} | "
            f"{m['latency_ms_p50']} / {m['latency_ms_p99']} |"
        )
        print(m)
    served = (
        f"The `openai:` tier ran against {args.server}."
        if args.server
        else "Only the local tier was measured in this run."
    )
    markdown = "\n".join(
        [
            "## Chat (scripted conversations)",
            "",
            f"`python -m benchmarks.chat_eval --llm {' '.join(args.llm)}` (each tier as "
            f"`shopassist eval chat --llm ...`) - {machine()}.",
            "The set: `assistant/demo/conversations.jsonl` (search with filters and "
            "follow-ups, product questions and comparisons, recommendations, the cart, "
            "order status, order changes with confirmation, policies, hand-off, refusals), "
            "run on a "
            "scratch copy of the demo store. Latency is the whole turn in-process.",
            "",
            "| tier | conversations / turns | task success | filter accuracy | "
            "ungrounded-claim rate | drafts replaced by grounding | turns answered by the "
            "local tier (fallbacks) | turn latency p50 / p99 (ms) |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            served,
            "Most expectations are tier-neutral (intent, filters, products and their "
            "constraints, order states, refusals judged by the reply's words); a few "
            '`contains` checks quote the local tier\'s wording ("yes or no", "can\'t '
            'cancel"), so a model that words the same answer otherwise fails them. The '
            "ungrounded-claim rate is the evaluator's own re-check of the replies shown.",
        ]
    )
    print(markdown)
    if not args.no_write:
        write_section("chat", markdown)


if __name__ == "__main__":
    main()
