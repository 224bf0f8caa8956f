from __future__ import annotations

import pytest

from retrieval.quantities import spell_out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("under fifty dollars", "under 50 dollars"),
        ("two hundred fifty max", "250 max"),
        ("a hundred and fifty dollars", "150 dollars"),
        ("twenty-five quid", "25 quid"),
        ("between twenty and forty dollars", "between 20 and 40 dollars"),
        ("one thousand pieces", "1000 pieces"),
        ("my kid is four", "my kid is 4"),
        ("a ten year old", "a 10 year old"),
        # numbers no price, age or count word is beside stay words
        ("A Tale of Two Cities", "A Tale of Two Cities"),
        ("the red one", "the red one"),
        ("a tent for two and a dog", "a tent for two and a dog"),
    ],
)
def test_numbers_in_words_beside_a_price_age_or_count_become_digits(text, expected) -> None:
    assert spell_out(text) == expected
