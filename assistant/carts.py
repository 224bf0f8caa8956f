"""Shopping carts, one per chat session: what the cart tools, the cart API and the MCP tools
all change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.catalog import Catalog, product_summary
from assistant.db import Database
from assistant.errors import BadRequest, NotFound
from assistant.recommendations import Recommendations
from retrieval.catalog import Product

MAX_QUANTITY = 99
"""The most of one product a cart holds."""


@dataclass
class CartView:
    """A cart's products still in the catalog, with quantities, and the total (None when
    one has no price)."""

    lines: list[tuple[Product, int]]
    total: float | None

    def to_dict(self) -> dict[str, Any]:
        items = [{**product_summary(p), "quantity": quantity} for p, quantity in self.lines]
        return {"items": items, "total": self.total}


class Carts:
    def __init__(self, catalog: Catalog, db: Database, recommendations: Recommendations) -> None:
        self.catalog = catalog
        self.db = db
        self.recommendations = recommendations

    def add(self, cart_id: str, product_id: str, quantity: int, user_id: str | None) -> Product:
        """Add `quantity` more of a product (at most `MAX_QUANTITY` in all), which must be
        in stock; a signed-in shopper's addition is a `cart` event for recommendations."""
        if not 1 <= quantity <= MAX_QUANTITY:
            raise BadRequest(f"quantity must be 1-{MAX_QUANTITY}")
        product = self.catalog.product(product_id)
        if product.stock == 0:
            raise BadRequest(f"{product.title} is out of stock")
        held = dict(self.db.cart(cart_id)).get(product.id, 0)
        self.db.set_cart_quantity(cart_id, product.id, min(held + quantity, MAX_QUANTITY))
        if user_id:
            self.recommendations.record_event(user_id, product.id, "cart")
        return product

    def remove(self, cart_id: str, product_id: str) -> Product | None:
        """Take a product out (NotFound when it is not in the cart); the product, unless it
        was deleted from the catalog since."""
        if product_id not in dict(self.db.cart(cart_id)):
            raise NotFound(f"{product_id} is not in the cart")
        self.db.set_cart_quantity(cart_id, product_id, 0)
        return self.catalog.get(product_id)

    def empty(self, cart_id: str) -> None:
        self.db.empty_cart(cart_id)

    def view(self, cart_id: str) -> CartView:
        lines = []
        total, priced = 0.0, True
        for product_id, quantity in self.db.cart(cart_id):
            product = self.catalog.get(product_id)
            if product is None:
                continue  # deleted from the catalog since
            lines.append((product, quantity))
            priced = priced and product.price is not None
            total += (product.price or 0.0) * quantity
        return CartView(lines, round(total, 2) if priced else None)
