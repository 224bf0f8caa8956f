"""Product-id entities come from the store's own ids, whatever their format."""

from __future__ import annotations

import csv

from assistant.demo import CATALOG_CSV
from assistant.nlu.entities import CatalogIds, extract_entities


def _catalog(ids: list[str]) -> CatalogIds:
    return CatalogIds(set(ids).__contains__)


STORE = _catalog(["SKU-1", "SKU-22", "sku-1234", "b07xyz9k2q", "4c69b61db1fc16e7"])


def test_ids_of_the_catalog_are_found_whatever_their_case() -> None:
    entities = extract_entities("Is sku-1 in stock? And what about SKU-22 or B07XYZ9K2Q?", STORE)
    assert entities.product_ids == ["SKU-1", "SKU-22", "b07xyz9k2q"]  # the catalog's spelling


def test_punctuation_and_possessives_around_an_id_are_left_off() -> None:
    entities = extract_entities('Compare (SKU-1), "SKU-22" and 4C69B61DB1FC16E7\'s price.', STORE)
    assert entities.product_ids == ["SKU-1", "SKU-22", "4c69b61db1fc16e7"]


def test_words_that_are_not_ids_of_this_catalog_are_not_ids() -> None:
    assert extract_entities("Is SKU-3 or P0012 any good?", STORE).product_ids == []
    assert extract_entities("SKU-1x and xSKU-1 are not SKU-1", STORE).product_ids == ["SKU-1"]


def test_a_product_id_shaped_like_an_order_id_is_not_an_order() -> None:
    entities = extract_entities("where is order AB-123456, and is SKU-1234 back?", STORE)
    assert entities.order_ids == ["AB-123456"]
    assert entities.product_ids == ["sku-1234"]


def test_plain_words_and_numbers_are_never_ids() -> None:
    store = _catalog(["lamp", "2", "30", "SKU-1"])
    entities = extract_entities("add 2 lamp under 30 dollars and SKU-1", store)
    assert entities.product_ids == ["SKU-1"]
    assert entities.quantity == 2 and entities.amounts == [30.0]


def test_the_demo_store_keeps_its_ids() -> None:
    with CATALOG_CSV.open(newline="", encoding="utf-8") as handle:
        demo = _catalog([row["id"] for row in csv.DictReader(handle)])
    text = "Where is order SA-104233? Also compare the second one and P0012, or p0003"
    entities = extract_entities(text, demo)
    assert entities.product_ids == ["P0012", "P0003"]
    assert entities.order_ids == ["SA-104233"]
    # Without a catalog, no word is a product id.
    assert extract_entities(text).product_ids == []
