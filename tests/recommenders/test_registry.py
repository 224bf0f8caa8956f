"""Algorithms by name: one lookup, lazy imports, one error for unknown names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from recommenders import RecommenderError, UnknownAlgorithmError, algorithms, get_recommender


def test_every_name_builds_its_algorithm() -> None:
    assert algorithms()[:4] == ("popularity", "itemknn", "als", "ease")
    assert {"bpr", "rp3beta", "transitions", "blend"} <= set(algorithms())
    for name in algorithms():
        assert get_recommender(name).name == name
    assert get_recommender(" ALS ", factors=8).params["factors"] == 8


def test_unknown_names_and_parameters() -> None:
    with pytest.raises(UnknownAlgorithmError, match="popularity, itemknn, als, ease"):
        get_recommender("slim")
    with pytest.raises(RecommenderError, match="bad parameters for recommender 'als'"):
        get_recommender("als", colour="blue")


def test_importing_the_package_loads_no_algorithm_backend() -> None:
    code = "import sys, recommenders; print('implicit' in sys.modules, 'pyarrow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
