"""Simulated interactions have the structure of real shopping data."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from assistant.demo import SNAPSHOT_TIME
from assistant.demo.generate import WINDOW_START
from assistant.demo.interactions import TASTES


def _time(text: str) -> dt.datetime:
    assert text.endswith("Z")
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def category_of(catalog) -> dict[str, str]:
    return {r["id"]: r["category"] for r in catalog}


def test_events_reference_known_users_and_items(interactions, customers, category_of) -> None:
    users = {c["user_id"] for c in customers}
    assert list(interactions[0]) == ["user_id", "item_id", "event", "timestamp"]
    assert 8_000 <= len(interactions) <= 15_000
    for row in interactions:
        assert row["user_id"] in users
        assert row["item_id"] in category_of
        assert row["event"] in {"view", "cart", "purchase"}


def test_customers(customers) -> None:
    assert len(customers) >= 150
    assert [c["user_id"] for c in customers] == [f"u{i:04d}" for i in range(1, len(customers) + 1)]
    assert all(c["email"].endswith("@example.com") for c in customers)
    assert len({c["email"] for c in customers}) == len(customers)


def test_timestamps_are_in_the_window_and_after_joining(interactions, customers) -> None:
    joined = {c["user_id"]: dt.date.fromisoformat(c["joined"]) for c in customers}
    times = [_time(r["timestamp"]) for r in interactions]
    assert times == sorted(times)
    assert WINDOW_START <= times[0] <= times[-1] < SNAPSHOT_TIME
    assert all(joined[r["user_id"]] <= t.date() for r, t in zip(interactions, times, strict=True))


def test_funnel(interactions) -> None:
    counts = Counter(r["event"] for r in interactions)
    assert counts["view"] > 5 * counts["cart"]
    assert counts["cart"] > 1.5 * counts["purchase"] > 0


def test_every_cart_and_purchase_follows_a_view(interactions) -> None:
    viewed: set[tuple[str, str]] = set()
    carted: set[tuple[str, str]] = set()
    for row in interactions:  # sorted by time; a view sorts before a cart at the same second
        key = (row["user_id"], row["item_id"])
        if row["event"] == "view":
            viewed.add(key)
        else:
            assert key in viewed, row
        if row["event"] == "cart":
            carted.add(key)
        if row["event"] == "purchase":
            assert key in carted, row


def test_popularity_is_skewed(interactions, catalog) -> None:
    counts = sorted(Counter(r["item_id"] for r in interactions).values(), reverse=True)
    top = sum(counts[: len(catalog) // 10])
    assert top / len(interactions) > 0.30


def test_taste_clusters_browse_different_categories(interactions, tastes, category_of) -> None:
    strong = {t["user_id"]: t["taste"] for t in tastes if float(t["weight"]) >= 0.8}
    shares: dict[str, Counter[str]] = defaultdict(Counter)
    for row in interactions:
        if row["user_id"] in strong:
            shares[strong[row["user_id"]]][category_of[row["item_id"]]] += 1
    for taste in TASTES:
        counts = shares[taste.name]
        total = sum(counts.values())
        assert total >= 100, taste.name
        home = sum(counts[c] for c in taste.categories) / total
        assert home >= 0.7, (taste.name, home)

    def distribution(name: str) -> dict[str, float]:
        total = sum(shares[name].values())
        return {c: n / total for c, n in shares[name].items()}

    puzzler, outdoor = distribution("family_puzzler"), distribution("outdoor")
    distance = sum(abs(puzzler.get(c, 0) - outdoor.get(c, 0)) for c in {*puzzler, *outdoor}) / 2
    assert distance > 0.8


def test_tastes_file(tastes, customers) -> None:
    names = {t.name for t in TASTES}
    weights: dict[str, float] = defaultdict(float)
    for row in tastes:
        assert row["taste"] in names
        weights[row["user_id"]] += float(row["weight"])
    assert set(weights) == {c["user_id"] for c in customers}
    assert all(w == pytest.approx(1.0) for w in weights.values())


def test_complementary_items_are_bought_together(interactions, catalog) -> None:
    titles = {r["id"]: r["title"] for r in catalog}
    bought: dict[str, set[str]] = defaultdict(set)
    for row in interactions:
        if row["event"] == "purchase":
            bought[row["user_id"]].add(titles[row["item_id"]])

    def rate(buyers: list[set[str]], word: str) -> float:
        return sum(any(word in t for t in b) for b in buyers) / max(1, len(buyers))

    tent = [b for b in bought.values() if any(" Tent" in t for t in b)]
    no_tent = [b for b in bought.values() if not any(" Tent" in t for t in b)]
    assert len(tent) >= 5
    assert rate(tent, "Sleeping") > 3 * rate(no_tent, "Sleeping")
