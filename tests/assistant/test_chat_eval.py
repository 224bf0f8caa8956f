"""The scripted conversation set passes end to end on the local tier, and the evaluator
itself catches failures."""

from __future__ import annotations

from assistant.chat_eval import DEFAULT_CONVERSATIONS, evaluate, load_conversations
from tests.conftest import make_settings


def test_the_conversation_set_passes_on_the_local_tier(demo_home):
    conversations = load_conversations(DEFAULT_CONVERSATIONS)
    assert len(conversations) >= 40
    metrics = evaluate(make_settings(demo_home), conversations, "local")
    assert metrics["failures"] == []
    assert metrics["task_success"] == 1.0
    assert metrics["ungrounded_claim_rate"] == 0.0
    assert metrics["filter_accuracy"] == 1.0


def test_the_evaluator_reports_broken_expectations(demo_home):
    conversations = [
        {
            "id": "wrong-on-purpose",
            "user": None,
            "turns": [
                {
                    "say": "show me puzzles under $20",
                    "expect": {
                        "intent": "track_order",
                        "filters": {"price_max": 5},
                        "all_match": {"price_max": 1},
                        "contains": ["zebra"],
                    },
                }
            ],
        }
    ]
    metrics = evaluate(make_settings(demo_home), conversations, "local")
    assert metrics["task_success"] == 0.0 and metrics["filter_accuracy"] == 0.0
    problems = " ".join(metrics["failures"][0]["problems"])
    for expected in ("intent", "price_max", "constraint", "zebra"):
        assert expected in problems
