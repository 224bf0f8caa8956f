"""The hand-written policies exist and state the facts other components quote."""

from __future__ import annotations

import re

import pytest

from assistant.demo import POLICY_FILES

SUPPORT_EMAIL = "support@demo.shopassist.example"
HOURS = "Monday to Friday, 8 am to 8 pm ET"


def _text(name: str) -> str:
    (path,) = [p for p in POLICY_FILES if p.stem == name]
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.stem)
def test_policy_is_a_short_structured_document(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert len(re.findall(r"^## ", text, flags=re.MULTILINE)) >= 3
    assert 250 <= len(text.split()) <= 500
    assert SUPPORT_EMAIL in text


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        ("shipping", ["3-5 business days", "free on orders of $50 or more", "$9.99",
                      "1-2 business days", "only while its status is **processing**"]),
        ("returns", ["within **30 days of delivery**", "original packaging",
                     "Beauty and skin care products"]),
        ("refunds", ["**original payment method**", "within 5-7 business days after we receive"
                     " the return"]),
        ("payment", ["Visa", "PayPal", "US dollars"]),
        ("warranty", ["**1-year limited warranty**", "How to make a warranty claim"]),
        ("account", ["Forgot password?", "Delete account", "unsubscribe", "talk to a person",
                     HOURS]),
    ],
)  # fmt: skip
def test_policy_states_its_facts(name, facts) -> None:
    text = _text(name)
    for fact in facts:
        assert fact in text, (name, fact)


def test_policies_agree_on_how_to_reach_a_human() -> None:
    for path in POLICY_FILES:
        text = _text(path.stem)
        if "Agents are available" in text or "8 am" in text:
            assert HOURS in text, path.stem
