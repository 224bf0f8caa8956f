"""Simulated shoppers: tastes, browsing sessions and the view -> cart -> purchase funnel.

The model, one customer at a time:

* **Tastes.** Each customer has 1-3 :data:`TASTES` (half have one) with weights summing
  to 1. A taste weights a few categories (the "outdoor" taste: camping, men's jackets,
  women's shoes) and favours some kinds within them (hiking boots over ballet flats).
* **Sessions.** A customer has ``2 + Geometric(mean 14)`` sessions, fewer if they joined
  during the year, spread over their active time with a mild lean towards recent dates
  and a US-shaped time of day. A session picks a taste by weight and one of its
  categories (10% of sessions wander to a random category instead).
* **Popularity.** Within a category, item weights follow Zipf's law (``1 / rank^1.05``)
  over a ranking that prefers well-rated items, so a few items collect most views.
* **Funnel.** A session views 1-10 items (drawn by popularity x taste), carts one of them
  with probability 0.36 (better-rated items likelier, sometimes a second), and checks out
  with probability 0.45; otherwise the cart is abandoned. Every cart and purchase follows
  a view of the same item in the same session. Nobody buys the same item twice, except
  :data:`CONSUMABLES` such as coffee beans.
* **Co-purchases.** At checkout, each basket item whose kind has :data:`COMPLEMENTS`
  (tent -> sleeping bag or pad, skillet -> spatula or scrubber, dripper -> filters or
  beans...) leads, 60% of the time, to viewing 1-2 complementary items and adding one.
* **Recent shoppers.** A fixed number of customers also shop in the last 4 days before the
  snapshot and always check out, so the demo has orders still on their way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.demo.catalog import DemoProduct
from assistant.demo.customers import Customer
from assistant.demo.departments.clothing import MENS_JACKETS, WOMENS_SHOES
from assistant.demo.departments.electronics import HEADPHONES, PHONE_ACCESSORIES
from assistant.demo.departments.home import COFFEE_TEA, COOKWARE
from assistant.demo.departments.other import DOG_TOYS, FICTION, NOTEBOOKS, SKIN_CARE
from assistant.demo.departments.sports import CAMPING, YOGA_FITNESS
from assistant.demo.departments.toys import BOARD_GAMES, BUILDING_SETS, PUZZLES
from assistant.demo.rng import Rng


@dataclass(frozen=True)
class Taste:
    """A shopper profile: how often it browses each category and which kinds it favours."""

    name: str
    prior: float
    """Share of customers who have this taste at all (relative)."""
    categories: Mapping[str, float]
    favours: tuple[str, ...] = ()
    """Product groups weighted x3 when this taste browses their category."""


TASTES = (
    Taste(
        "family_puzzler",
        0.18,
        {PUZZLES.path: 0.45, BUILDING_SETS.path: 0.3, BOARD_GAMES.path: 0.25},
        ("kids_puzzle",),
    ),
    Taste(
        "outdoor",
        0.15,
        {CAMPING.path: 0.55, MENS_JACKETS.path: 0.25, WOMENS_SHOES.path: 0.2},
        ("hiking_boots", "rain_jacket", "insulated_jacket"),
    ),
    Taste("home_cook", 0.15, {COOKWARE.path: 0.6, COFFEE_TEA.path: 0.4}),
    Taste(
        "audiophile", 0.13, {HEADPHONES.path: 0.65, PHONE_ACCESSORIES.path: 0.35}, ("headphones",)
    ),
    Taste("pet_owner", 0.1, {DOG_TOYS.path: 1.0}),
    Taste(
        "fitness",
        0.1,
        {YOGA_FITNESS.path: 0.6, WOMENS_SHOES.path: 0.25, HEADPHONES.path: 0.15},
        ("running_shoes", "earbuds"),
    ),
    Taste("reader", 0.1, {FICTION.path: 0.7, NOTEBOOKS.path: 0.2, COFFEE_TEA.path: 0.1}, ("tea",)),
    Taste("beauty", 0.09, {SKIN_CARE.path: 0.85, WOMENS_SHOES.path: 0.15}, ("casual_shoes",)),
)

COMPLEMENTS: Mapping[str, tuple[str, ...]] = {
    "jigsaw": ("puzzle_accessory",),
    "building_set": ("building_bricks",),
    "headphones": ("cable", "charger"),
    "earbuds": ("charger",),
    "case": ("screen_protector",),
    "screen_protector": ("case",),
    "power_bank": ("cable",),
    "charger": ("cable",),
    "skillet": ("spatula", "skillet_care"),
    "frying_pan": ("spatula",),
    "wok": ("spatula",),
    "dripper": ("filters", "coffee_beans", "kettle"),
    "grinder": ("coffee_beans",),
    "french_press": ("coffee_beans",),
    "teapot": ("tea",),
    "tent": ("sleeping_bag", "sleeping_pad"),
    "sleeping_bag": ("sleeping_pad",),
    "stove": ("cookset",),
    "backpack": ("light", "water_filter"),
    "hiking_boots": ("rain_jacket", "backpack"),
    "rain_jacket": ("backpack",),
    "yoga_mat": ("yoga_prop",),
    "weights": ("bands",),
    "running_shoes": ("earbuds",),
    "cleanser": ("moisturizer",),
    "serum": ("moisturizer",),
    "moisturizer": ("sunscreen",),
    "chew_toy": ("tug_toy",),
    "tug_toy": ("chew_toy",),
}
"""Kinds bought together: a basket item of the key's group pulls in one of these groups."""
CONSUMABLES = frozenset({"coffee_beans", "tea", "filters", "fetch_toy"})
"""Groups a customer buys again; other items are bought at most once per customer."""

EVENT_ORDER = ("view", "cart", "purchase")
_HOUR_WEIGHTS = (6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 7)  # UTC
_WANDER = 0.10
_P_CART, _P_SECOND_CART, _P_CHECKOUT, _P_COMPLEMENT = 0.36, 0.12, 0.45, 0.6


@dataclass(frozen=True)
class Event:
    """One interaction (``interactions.csv`` row)."""

    user_id: str
    item_id: str
    event: str
    time: dt.datetime

    def sort_key(self) -> tuple[dt.datetime, str, int, str]:
        return (self.time, self.user_id, EVENT_ORDER.index(self.event), self.item_id)

    def row(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "item_id": self.item_id,
            "event": self.event,
            "timestamp": iso(self.time),
        }


INTERACTION_COLUMNS = ("user_id", "item_id", "event", "timestamp")


def iso(moment: dt.datetime) -> str:
    """ISO-8601 UTC with a ``Z`` suffix, to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def assign_tastes(
    customers: Sequence[Customer], rng: Rng
) -> dict[str, tuple[tuple[str, float], ...]]:
    """Each customer's tastes with weights (2 decimals, summing to 1), strongest first."""
    names = [t.name for t in TASTES]
    priors = [t.prior for t in TASTES]
    out = {}
    for customer in customers:
        count = rng.weighted_choice((1, 2, 3), (0.5, 0.35, 0.15))
        picked = rng.weighted_sample(names, priors, count)
        weights = sorted((round(w, 2) for w in rng.dirichlet_flat(count)), reverse=True)
        weights[0] = round(1 - sum(weights[1:]), 2)
        out[customer.user_id] = tuple(zip(picked, weights, strict=True))
    return out


def simulate(
    customers: Sequence[Customer],
    tastes: Mapping[str, Sequence[tuple[str, float]]],
    products: Sequence[DemoProduct],
    rng: Rng,
    start: dt.datetime,
    now: dt.datetime,
    recent_shoppers: int,
) -> list[Event]:
    """All customers' events between ``start`` and ``now``, sorted by time."""
    store = _Store(products, rng)
    recent = set(rng.sample([c.user_id for c in customers], recent_shoppers))
    events: list[Event] = []
    full_span = (now - start).total_seconds()
    for customer in customers:
        user_tastes = [(_TASTES_BY_NAME[name], w) for name, w in tastes[customer.user_id]]
        active_from = max(start, dt.datetime.combine(customer.joined, dt.time(), dt.UTC))
        span = (now - active_from).total_seconds()
        owned: set[str] = set()
        sessions = max(1, round((2 + rng.geometric(14.0)) * (span / full_span) ** 0.5))
        for _ in range(sessions):
            day = int(span / 86400 * rng.random() ** 0.85)
            moment = dt.datetime.combine(active_from.date(), dt.time(), dt.UTC) + dt.timedelta(
                days=day,
                hours=rng.weighted_index(_HOUR_WEIGHTS),
                seconds=rng.randint(0, 3599),
            )
            moment = min(max(moment, active_from), now - dt.timedelta(hours=2))
            events += _session(customer.user_id, user_tastes, store, rng, moment, owned, False)
        if customer.user_id in recent:
            moment = now - dt.timedelta(days=rng.uniform(0.1, 4.0))
            events += _session(customer.user_id, user_tastes, store, rng, moment, owned, True)
    return sorted(events, key=Event.sort_key)


_TASTES_BY_NAME = {t.name: t for t in TASTES}


class _Store:
    """Products indexed by category and group, with Zipf popularity per category."""

    def __init__(self, products: Sequence[DemoProduct], rng: Rng) -> None:
        self.by_category: dict[str, list[DemoProduct]] = defaultdict(list)
        self.by_group: dict[str, list[DemoProduct]] = defaultdict(list)
        for product in products:
            self.by_category[product.category].append(product)
            self.by_group[product.group].append(product)
        self.categories = sorted(self.by_category)
        self.popularity: dict[str, float] = {}
        for items in self.by_category.values():
            ranked = sorted(items, key=lambda p: -(p.rating_tenths / 10 + rng.normal(0, 0.5)))
            for rank, product in enumerate(ranked, start=1):
                self.popularity[product.id] = 1.0 / rank**1.05

    def weights(self, items: Sequence[DemoProduct], taste: Taste | None) -> list[float]:
        favoured = taste.favours if taste else ()
        return [self.popularity[p.id] * (3.0 if p.group in favoured else 1.0) for p in items]


def _session(
    user_id: str,
    tastes: Sequence[tuple[Taste, float]],
    store: _Store,
    rng: Rng,
    moment: dt.datetime,
    owned: set[str],
    force: bool,
) -> list[Event]:
    """One visit: views in a category, maybe a cart, maybe a checkout with complements.

    ``owned`` holds the customer's purchases so far and is updated; ``force`` makes the
    visit end in a purchase when it can.
    """
    taste = rng.weighted_choice([t for t, _ in tastes], [w for _, w in tastes])
    if rng.chance(_WANDER) and not force:
        category = rng.choice(store.categories)
    else:
        category = rng.weighted_choice(list(taste.categories), list(taste.categories.values()))
    items = store.by_category[category]
    viewed = rng.weighted_sample(items, store.weights(items, taste), 1 + min(9, rng.geometric(2.6)))
    events: list[Event] = []
    clock = [moment]

    def emit(product: DemoProduct, event: str, gap: tuple[int, int]) -> None:
        clock[0] += dt.timedelta(seconds=rng.randint(*gap))
        events.append(Event(user_id, product.id, event, clock[0]))

    for product in viewed:
        emit(product, "view", (20, 240))
    buyable = [p for p in viewed if p.id not in owned or p.group in CONSUMABLES]
    basket: list[DemoProduct] = []
    if buyable and (force or rng.chance(_P_CART)):
        basket.append(rng.weighted_choice(buyable, [p.rating_tenths**2 for p in buyable]))
        others = [p for p in buyable if p not in basket]
        if others and rng.chance(_P_SECOND_CART):
            basket.append(rng.choice(others))
    for product in basket:
        emit(product, "cart", (15, 200))
    if not basket or not (force or rng.chance(_P_CHECKOUT)):
        return events
    for product in list(basket):
        groups = COMPLEMENTS.get(product.group, ())
        if not groups or not rng.chance(_P_COMPLEMENT):
            continue
        candidates = store.by_group[rng.choice(groups)]
        extra = rng.weighted_sample(candidates, store.weights(candidates, None), rng.randint(1, 2))
        for item in extra:
            emit(item, "view", (20, 180))
        if rng.chance(0.75) and extra[0] not in basket and extra[0].id not in owned:
            basket.append(extra[0])
            emit(extra[0], "cart", (10, 90))
    clock[0] += dt.timedelta(seconds=rng.randint(60, 900))
    events += [Event(user_id, p.id, "purchase", clock[0]) for p in basket]
    owned.update(p.id for p in basket)
    return events
