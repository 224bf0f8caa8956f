"""Policy passages: the best one is quoted, with those that answer about as well."""

from __future__ import annotations

from assistant.policies import TIE_MARGIN, leading_ties


def test_passages_within_the_margin_of_the_best_are_quoted_together():
    assert leading_ties([]) == 0
    assert leading_ties([0.70]) == 1
    assert leading_ties([0.70, 0.71]) == 2  # a tie, in the documents' order
    assert leading_ties([0.71, 0.70 - TIE_MARGIN]) == 1


def test_a_near_tie_is_answered_with_both_passages_in_the_documents_order(shop):
    """ "How long do I have to return something?" scores the returns policy's opening (30
    days) and its "After we receive your return" section within 0.012 of each other, in
    an order that int8 kernels of different CPUs swap: both are quoted, opening first."""
    found = shop.policies.search("how long do I have to return something?")
    assert [passage.section for passage, _ in found] == [
        "Returns policy",
        "After we receive your return",
    ]
    assert leading_ties([score for _, score in found]) == 2
    assert "30 days" in found[0][0].text
