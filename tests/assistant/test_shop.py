"""The shop's recommendation chain: models trained before (or without) the store's catalog,
and live events on products the recommender has no data for; the store clock."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from assistant.db import Database
from assistant.demo import DATA_DIR
from assistant.home import Home, train_recommender
from assistant.shop import Shop
from tests.conftest import STORE_NOW, make_settings


def _write_interactions(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("user_id,item_id\n" + "".join(f"{u},{i}\n" for u, i in rows))
    return path


def test_a_recommender_trained_before_the_catalog_is_kept(tmp_path: Path, embedder) -> None:
    # Shoppers a and b share m1..m3; c bought m4..m6: a should get m4-ish items from b.
    rows = [("a", "m1"), ("a", "m2"), ("b", "m1"), ("b", "m2"), ("b", "m3"), ("c", "m4")]
    rows += [("c", "m5"), ("d", "m4"), ("d", "m5"), ("d", "m6"), ("e", "m3"), ("e", "m6")]
    home = Home(tmp_path / "home")
    train_recommender(home, _write_interactions(tmp_path / "i.csv", rows), [], algorithm="itemknn")
    shop = Shop.open(make_settings(home.root), embedder=embedder)  # builds the demo catalog
    try:
        assert (
            shop.recommendations.model is not None
            and shop.recommendations.model.summary["users"] == 5
        )
        listed, _ = shop.recommendations.recommend("a", 3)
        assert listed == []  # none of its items is in the (demo) catalog
        unlisted, _ = shop.recommendations.recommend("a", 3, unlisted=True)
        assert [s.product.id for s in unlisted][0] == "m3"
        assert {s.product.title for s in unlisted} == {""}
        newcomer, _ = shop.recommendations.recommend("nobody", 3, unlisted=True)
        assert len(newcomer) == 3 and all(s.reason.startswith("popular") for s in newcomer)
        shop.recommendations.record_event(
            "nobody", "m4", "purchase"
        )  # an item only the recommender has
        after, _ = shop.recommendations.recommend("nobody", 3, unlisted=True)
        assert "m5" in {s.product.id for s in after} and after != newcomer
    finally:
        shop.close()


def test_training_reports_items_missing_from_the_catalog(
    tmp_path: Path, shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    products = [
        shop.catalog.product(hit.product.id) for hit in shop.catalog.search("tent", k=2).hits
    ]
    rows = [("u1", products[0].id), ("u1", "elsewhere"), ("u2", products[1].id)]
    with caplog.at_level(logging.WARNING):
        summary = train_recommender(
            Home(tmp_path / "home"),
            _write_interactions(tmp_path / "i.csv", rows),
            products,
            algorithm="popularity",
        )
    assert summary["items"] == 3 and summary["items_in_catalog"] == 2
    assert "1 of the 3 items" in caplog.text


def _unmodelled_product(shop: Shop) -> str:
    """A demo product nobody interacted with (the recommender cannot score from it)."""
    assert shop.recommendations.model is not None
    return next(
        p.id
        for p in shop.catalog.engine.products
        if not shop.recommendations.model.knows_item(p.id)
    )


def test_events_on_products_without_interactions_bring_look_alikes(shop: Shop) -> None:
    item = _unmodelled_product(shop)
    title = shop.catalog.product(item).title
    user = "shop-test-newcomer"
    before, _ = shop.recommendations.recommend(user, 6)
    shop.recommendations.record_event(user, item, "view")
    after, _ = shop.recommendations.recommend(user, 6)
    assert [s.product.id for s in after] != [s.product.id for s in before]
    assert item not in {s.product.id for s in after}
    # A shopper the recommender has no history of: every pick is a look-alike.
    assert all(s.reason == f"similar to {title}, which you viewed" for s in after)


def test_a_known_shoppers_look_alikes_leave_room_for_personal_picks(shop: Shop) -> None:
    assert shop.recommendations.model is not None
    user = "u0150"  # a demo customer no other test changes
    assert shop.recommendations.model.history(user)
    item = _unmodelled_product(shop)
    shop.recommendations.record_event(user, item, "cart")
    after, _ = shop.recommendations.recommend(user, 6)
    assert [s.reason.endswith("which you added to your cart") for s in after] == [True] * 3 + [
        False
    ] * 3


def test_a_query_keeps_recommendations_to_its_good_matches(shop: Shop) -> None:
    picks, _ = shop.recommendations.recommend("u0150", 5, query="tent")
    matched = {hit.product.id for hit in shop.catalog.search("tent", k=200).hits if hit.matched}
    assert len(picks) == 5 and {s.product.id for s in picks} <= matched
    assert len(matched) < 200  # the nearest products that are not tents do not count


def test_reasons_name_items_by_the_live_catalog(tmp_path: Path, embedder) -> None:
    # Trained before any catalog, so training knew no titles; the catalog is indexed after.
    home = Home(tmp_path / "home")
    shop = Shop.open(make_settings(home.root), embedder=embedder)  # the demo store
    try:
        ids = [hit.product.id for hit in shop.catalog.search("camping tent", k=3).hits]
    finally:
        shop.close()
    rows = [("a", ids[0]), ("b", ids[0]), ("b", ids[1]), ("c", ids[1]), ("c", ids[2])]
    train_recommender(home, _write_interactions(tmp_path / "i.csv", rows), [], algorithm="ease")
    shop = Shop.open(make_settings(home.root), embedder=embedder)
    try:
        picks, _ = shop.recommendations.recommend("a", 1)
        assert (
            picks[0].reason == f"because of your interest in {shop.catalog.product(ids[0]).title}"
        )
    finally:
        shop.close()


def test_a_deleted_product_is_not_recommended(tmp_path: Path, demo_home: Path, embedder) -> None:
    shutil.copytree(demo_home, tmp_path / "home")
    shop = Shop.open(make_settings(tmp_path / "home"), embedder=embedder)
    try:
        first = shop.recommendations.recommend("u0150", 5, unlisted=True)[0][0].product.id
        shop.catalog.delete([first])
        after, _ = shop.recommendations.recommend("u0150", 5, unlisted=True)
        assert first not in {s.product.id for s in after} and all(s.product.title for s in after)
        assert len(after) == 5
    finally:
        shop.close()


def test_what_is_out_of_stock_is_not_recommended_unless_asked(
    tmp_path: Path, demo_home: Path, embedder
) -> None:
    shutil.copytree(demo_home, tmp_path / "home")
    shop = Shop.open(make_settings(tmp_path / "home"), embedder=embedder)
    try:
        first = shop.recommendations.recommend("u0150", 5)[0][0].product
        assert first.in_stock
        shop.catalog.add([dataclasses.replace(first, stock=0)], replace=True)
        assert first.id in shop.catalog.engine.out_of_stock()
        after = shop.recommendations.recommend("u0150", 5)[0]
        assert len(after) == 5 and all(s.product.in_stock for s in after)
        assert first.id not in {s.product.id for s in after}
        asked = shop.recommendations.recommend("u0150", 5, out_of_stock=True)[0]
        assert first.id in {s.product.id for s in asked}
        in_need = shop.recommendations.recommend("u0150", 5, query=first.title)[
            0
        ]  # even when it matches
        assert first.id not in {s.product.id for s in in_need}
    finally:
        shop.close()


def test_training_folds_in_live_events_and_a_restart_replays_only_those_since(
    tmp_path: Path, demo_home: Path, embedder
) -> None:
    shutil.copytree(demo_home, tmp_path / "home")
    settings = make_settings(tmp_path / "home")
    shop = Shop.open(settings, embedder=embedder)
    try:
        shop.recommendations.record_event("walk-in", "P0001", "purchase")
        products = shop.catalog.engine.products
    finally:
        shop.close()
    home = Home(tmp_path / "home")
    db = Database(home.database)
    recorded = db.last_event_id()
    db.close()
    summary = train_recommender(home, DATA_DIR / "interactions.csv", products, algorithm="ease")
    assert summary["events_through"] == recorded >= 1
    shop = Shop.open(settings, embedder=embedder)
    try:
        assert shop.recommendations.model is not None and shop.recommendations.model.history(
            "walk-in"
        ) == ["P0001"]
        assert not shop.recommendations.model._histories.changed  # trained on, not replayed
        shop.recommendations.record_event("walk-in", "P0002", "view")
    finally:
        shop.close()
    shop = Shop.open(settings, embedder=embedder)
    try:
        assert shop.recommendations.model is not None and shop.recommendations.model.history(
            "walk-in"
        ) == ["P0001", "P0002"]
        assert len(shop.recommendations.model._histories.changed) == 1  # the one event since
    finally:
        shop.close()


def test_the_demo_stores_orders_are_dated_by_the_store_clock(shop, demo_orders) -> None:
    """A demo store built on any day holds orders as recent as the day it was built (the
    suite pins the store clock to STORE_NOW, weeks after the files' snapshot)."""
    processing = next(o for o in demo_orders if o["status"] == "processing")
    stored = shop.db.order_for_user(processing["order_id"], processing["user_id"])
    assert stored is not None and stored["created_at"] == processing["created_at"]
    placed = datetime.fromisoformat(stored["created_at"])
    assert timedelta(0) < STORE_NOW - placed < timedelta(days=4)
    assert shop.clock() == STORE_NOW
