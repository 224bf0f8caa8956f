"""Turn the category specs in :mod:`assistant.demo.categories` into catalog products.

Each :class:`Kind` is a title template, a few description sentences and pools of attribute
values ("axes"). A product draws one value per axis (a plain value, or a dict of values
that belong together, such as a piece count with its box size, age and price range), a
brand, and where the kind has them a color and a size; then the templates are filled in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from assistant.demo.rng import Rng

SITE = "https://demo.shopassist.example"
OUT_OF_STOCK_RATE = 0.08


@dataclass(frozen=True)
class Kind:
    """One kind of product within a category, e.g. "cast iron skillet"."""

    group: str
    """Name used by the co-purchase rules (several kinds may share one)."""
    title: str
    """Title template after the brand, e.g. ``"{inches}-Inch Cast Iron Skillet"``."""
    text: tuple[str, ...]
    """Description sentence templates: the first ``keep`` always, then some others (2-4 in all)."""
    price: tuple[float, float] = (0.0, 0.0)
    """Price range in USD, unless an axis value carries its own ``"price"``."""
    axes: Mapping[str, Sequence[object]] = field(default_factory=dict)
    """Attribute pools: a value is bound to the axis name, a dict is merged in."""
    colors: tuple[str, ...] = ()
    """Colors to pick from (unless an axis sets ``color``); appended to the title unless the
    template uses ``{color}``."""
    sizes: tuple[str, ...] = ()
    """Sizes to pick from (the ``size`` column)."""
    brands: tuple[str, ...] = ()
    """Restricts the category's brands for this kind."""
    weight: float = 1.0
    """Relative frequency of this kind within its category."""
    keep: int = 1
    """How many leading sentences of ``text`` every description uses."""
    branded_title: bool = True
    """Whether the title starts with the brand (not for books: the brand is the publisher)."""


@dataclass(frozen=True)
class Category:
    """A category path, its fictional brands and its kinds of products."""

    path: str
    brands: tuple[str, ...]
    kinds: tuple[Kind, ...]


@dataclass(frozen=True)
class DemoProduct:
    """One generated row of the demo's `catalog.csv` (what `retrieval.catalog.Product` is
    later read from); money is kept in cents and ratings in tenths to stay exact."""

    id: str
    title: str
    description: str
    category: str
    brand: str
    price_cents: int
    color: str
    size: str
    stock: int
    rating_tenths: int
    group: str

    def row(self) -> dict[str, str]:
        """The ``catalog.csv`` row."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "brand": self.brand,
            "price": f"{self.price_cents // 100}.{self.price_cents % 100:02d}",
            "currency": "USD",
            "color": self.color,
            "size": self.size,
            "stock": str(self.stock),
            "rating": f"{self.rating_tenths // 10}.{self.rating_tenths % 10}",
            "image_url": f"{SITE}/images/{self.id}.jpg",
            "url": f"{SITE}/p/{self.id}",
        }


CATALOG_COLUMNS = tuple(DemoProduct("", "", "", "", "", 0, "", "", 0, 0, "").row())

_PRICE_ENDINGS = (99, 99, 99, 49, 95, 0)


def table(columns: str, text: str) -> tuple[dict[str, object], ...]:
    """Parse a ``|``-separated table (one row a line) into axis values.

    ``columns`` names the fields, separated by spaces. A ``price`` field written ``"8-15"``
    becomes the range ``(8.0, 15.0)``; every other field stays a string.
    """
    names = columns.split()
    rows = []
    for line in text.strip().splitlines():
        values = [v.strip() for v in line.split("|")]
        if len(values) != len(names):
            raise ValueError(f"expected {len(names)} fields: {line!r}")
        row: dict[str, object] = dict(zip(names, values, strict=True))
        if "price" in row:
            low, high = str(row["price"]).split("-")
            row["price"] = (float(low), float(high))
        rows.append(row)
    return tuple(rows)


def build_catalog(
    categories: Sequence[Category], rng: Rng, per_category: tuple[int, int]
) -> list[DemoProduct]:
    """Draw ``per_category`` (min, max) products per category, shuffle, number them P0001..

    Titles are unique even without the brand (one game or book is not sold under two
    brands): a draw whose title repeats one already drawn is redrawn.
    """
    drafts: list[DemoProduct] = []
    seen: set[str] = set()
    for category in categories:
        wanted = rng.randint(*per_category)
        made = 0
        for _ in range(wanted * 20):
            if made == wanted:
                break
            product = _draw(category, rng)
            unbranded = product.title.removeprefix(product.brand)
            if unbranded in seen:
                continue
            seen.add(unbranded)
            drafts.append(product)
            made += 1
        if made < wanted:
            raise ValueError(f"{category.path}: only {made} distinct titles, wanted {wanted}")
    return [replace(p, id=f"P{i:04d}") for i, p in enumerate(rng.shuffled(drafts), start=1)]


def _draw(category: Category, rng: Rng) -> DemoProduct:
    kind = rng.weighted_choice(category.kinds, [k.weight for k in category.kinds])
    ctx: dict[str, object] = {"brand": rng.choice(kind.brands or category.brands)}
    for axis, values in kind.axes.items():
        value = rng.choice(values)
        if isinstance(value, Mapping):
            ctx.update(value)  # may also pin the brand (a book's publisher) or the group
        else:
            ctx[axis] = value
    brand = str(ctx["brand"])
    color = str(ctx.get("color", "")) or (rng.choice(kind.colors) if kind.colors else "")
    ctx["color"], ctx["color_lc"] = color, color.lower()
    if kind.sizes:
        ctx["size"] = rng.choice(kind.sizes)
    title = kind.title.format(**ctx)
    if kind.branded_title:
        title = f"{brand} {title}"
    if color and "{color}" not in kind.title:
        title += f" - {color}"
    optional = range(kind.keep, len(kind.text))
    extra = rng.randint(min(1, len(optional)), min(4 - kind.keep, len(optional)))
    picked = sorted(rng.sample(optional, extra))
    sentences = (*range(kind.keep), *picked)
    description = " ".join(kind.text[i].format(**ctx) for i in sentences)
    low, high = cast(tuple[float, float], ctx.get("price", kind.price))
    dollars = rng.randint(int(low), max(int(low), int(high) - 1))
    price_cents = dollars * 100 + rng.choice(_PRICE_ENDINGS)
    stock = 0 if rng.chance(OUT_OF_STOCK_RATE) else 1 + rng.geometric(35.0)
    rating = min(50, max(28, round(rng.normal(4.3, 0.35) * 10)))
    return DemoProduct(
        id="",
        title=title,
        description=description,
        category=category.path,
        brand=brand,
        price_cents=price_cents,
        color=color,
        size=str(ctx.get("size", "")),
        stock=stock,
        rating_tenths=rating,
        group=str(ctx.get("group", kind.group)),
    )
