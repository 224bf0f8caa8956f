"""Orders: a shopper's own, what may be done to one, and doing it. Every change is
confirmed by the shopper first (see `Toolbox`), and only ever touches the caller's own
orders."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.db import Database

# Mirrors the demo store's returns policy ("within 30 days of delivery").
RETURN_WINDOW = timedelta(days=30)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check(action: str, order: dict[str, Any], now: datetime) -> str | None:
    """Why `action` is not allowed on `order` now, or None when it is."""
    status = order["status"].replace("_", " ")
    if action in ("cancel_order", "change_shipping_address"):
        if order["status"] != "processing":
            return f"order {order['order_id']} is already {status}"
        return None
    if action == "start_return":
        delivered = _parse(order.get("delivered_at"))
        if order["status"] != "delivered" or delivered is None:
            return (
                f"order {order['order_id']} is {status}, and only delivered orders can be returned"
            )
        if now - delivered > RETURN_WINDOW:
            return (
                f"order {order['order_id']} was delivered on {delivered:%Y-%m-%d}, more than "
                f"{RETURN_WINDOW.days} days ago"
            )
        return None
    raise ValueError(f"unknown order action {action!r}")


def apply(action: str, order: dict[str, Any], arguments: dict[str, Any], now: datetime) -> dict:
    """The order after `action` (a new dict; the caller persists it)."""
    changed = dict(order, updated_at=now.isoformat(timespec="seconds"))
    if action == "cancel_order":
        changed.update(status="cancelled", tracking_number=None, estimated_delivery=None)
    elif action == "change_shipping_address":
        address = dict(order.get("shipping_address") or {})
        address.update({k: v for k, v in arguments.items() if k in ("line1", "city", "postcode")})
        changed["shipping_address"] = address
    elif action == "start_return":
        changed.update(
            status="return_requested",
            return_id="RMA-" + uuid.uuid4().hex[:8].upper(),
            return_reason=arguments.get("reason") or "",
        )
    else:
        raise ValueError(f"unknown order action {action!r}")
    return changed


class Orders:
    """The store's orders, as each shopper may see and change their own; `clock` is the
    store's current time, which the rules read."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def find(self, order_id: str, user_id: str | None) -> dict[str, Any] | None:
        """The shopper's order `order_id`; None whether it does not exist or is not
        theirs (a caller cannot tell which)."""
        return self.db.order_for_user(order_id.strip(), user_id)

    def recent(self, user_id: str | None, limit: int = 5) -> list[dict[str, Any]]:
        """The shopper's latest orders (none for a guest)."""
        return self.db.orders_for_user(user_id, limit=limit) if user_id else []

    def problem(self, action: str, order: dict[str, Any]) -> str | None:
        """Why `action` is not allowed on `order` now, or None when it is."""
        return check(action, order, self.clock())

    def change(self, action: str, order: dict[str, Any], arguments: dict[str, Any]) -> dict:
        """Do `action` (allowed: see `problem`) and save the order; the order after it."""
        changed = apply(action, order, arguments, self.clock())
        self.db.save_order(changed)
        return changed
