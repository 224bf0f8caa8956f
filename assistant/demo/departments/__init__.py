"""The demo store's departments; :data:`CATEGORIES` lists every category in catalog order."""

from __future__ import annotations

from assistant.demo.departments import clothing, electronics, home, other, sports, toys

CATEGORIES = (
    *toys.CATEGORIES,
    *electronics.CATEGORIES,
    *home.CATEGORIES,
    *sports.CATEGORIES,
    *clothing.CATEGORIES,
    *other.CATEGORIES,
)
