"""The SQLite store (`assistant.db.Database`): what each method writes reads back the same,
after a reopen too; orders and sessions keep their owner; history, events and carts keep
their order and limits; one object shared by two threads loses no write."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assistant.conversation import ConversationState
from assistant.db import Database, Message, Session
from retrieval.filters import Filters


@pytest.fixture
def db(tmp_path: Path):
    database = Database(tmp_path / "home" / "shop.db")
    yield database
    database.close()


def _order(order_id: str, user_id: str, created_at: str = "2027-01-01T00:00:00Z", **more):
    return {
        "order_id": order_id,
        "user_id": user_id,
        "status": "processing",
        "created_at": created_at,
        "items": [{"product_id": "P1", "quantity": 1, "unit_price": 9.5}],
        "total": 9.5,
        **more,
    }


def _turns(db: Database, session: Session, count: int) -> list[Message]:
    """`count` turns of two messages each, saved one turn at a time; the messages."""
    saved = []
    for n in range(count):
        turn = [
            Message("user", f"question {n}", "product_search"),
            Message("assistant", f"answer {n}"),
        ]
        db.save_turn(session, turn)
        saved += turn
    return saved


# -- sessions and messages ---------------------------------------------------------------
def test_a_new_database_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "shop.db"
    Database(path).close()
    assert path.is_file()


def test_sessions_round_trip_with_their_owner_state_and_hand_off(db: Database) -> None:
    session = db.create_session("u1")
    assert re.fullmatch(r"[0-9a-f]{32}", session.id)
    assert db.get_session(session.id) == Session(session.id, "u1", ConversationState(), False)
    anonymous = db.create_session(None, "chosen-id")
    assert db.get_session("chosen-id") == Session("chosen-id", None, ConversationState(), False)
    assert anonymous.id == "chosen-id"

    session.state = ConversationState(
        filters=Filters(price_max=20.0, in_stock=True), shown=["P2", "P1"]
    )
    session.handed_off = True
    db.save_turn(session, [])
    assert db.get_session(session.id) == session
    assert db.get_session("chosen-id") == Session(
        "chosen-id", None, ConversationState(), False
    )  # untouched


def test_an_unknown_session_is_none_and_has_no_history(db: Database) -> None:
    assert db.get_session("no-such-session") is None
    assert db.history("no-such-session") == []


def test_a_session_id_in_use_cannot_be_taken_over(db: Database) -> None:
    db.create_session("owner", "taken")
    with pytest.raises(sqlite3.IntegrityError):
        db.create_session("intruder", "taken")
    assert db.get_session("taken") == Session("taken", "owner", ConversationState(), False)


def test_history_is_the_latest_messages_oldest_first(db: Database) -> None:
    session, other = db.create_session("u1"), db.create_session("u2")
    saved = _turns(db, session, 15)  # 30 messages
    _turns(db, other, 2)
    assert db.history(session.id) == saved[-20:]  # the default limit
    assert db.history(session.id, limit=3) == saved[-3:]
    assert db.history(session.id, limit=100) == saved
    assert db.history(session.id, limit=0) == []
    assert [m.content for m in db.history(other.id)] == [
        "question 0",
        "answer 0",
        "question 1",
        "answer 1",
    ]
    assert saved[0] == Message("user", "question 0", "product_search")
    assert saved[1].intent is None


def test_a_turn_that_fails_saves_neither_state_nor_messages(db: Database) -> None:
    """State and messages go in one transaction: the second message breaks a NOT NULL
    column after the state and the first message were written, and nothing stays."""
    session = db.create_session("u1")
    session.state = ConversationState(shown=["P1"])
    broken = Message("assistant", None)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        db.save_turn(session, [Message("user", "hello"), broken])
    assert db.get_session(session.id) == Session(session.id, "u1", ConversationState(), False)
    assert db.history(session.id) == []
    db.save_turn(session, [Message("user", "hello")])  # the lock and connection still work
    assert db.history(session.id) == [Message("user", "hello")]


# -- orders -------------------------------------------------------------------------------
def test_an_order_is_found_only_for_its_owner(db: Database) -> None:
    mine, theirs = _order("SA-100001", "u1"), _order("SA-100002", "u2")
    assert db.upsert_orders([mine, theirs]) == 2
    assert db.order_for_user("SA-100001", "u1") == mine
    assert db.order_for_user("sa-100001", "u1") == mine  # the id as a shopper types it
    assert db.order_for_user("SA-100002", "u1") is None  # same answer as a missing order
    assert db.order_for_user("SA-999999", "u1") is None
    assert db.order_for_user("SA-100001", None) is None
    assert db.order_for_user("SA-100001", "") is None


def test_upsert_replaces_and_save_order_changes_only_an_existing_order(db: Database) -> None:
    db.upsert_orders([_order("SA-1", "u1")])
    shipped = _order("SA-1", "u1", status="shipped", carrier="Northline")
    assert db.upsert_orders([shipped]) == 1
    assert db.order_for_user("SA-1", "u1") == shipped
    cancelled = _order("SA-1", "u1", status="cancelled")
    db.save_order(cancelled)
    assert db.order_for_user("SA-1", "u1") == cancelled
    db.save_order(_order("SA-2", "u1"))  # no such order: nothing is created
    assert db.order_for_user("SA-2", "u1") is None
    assert db.orders_for_user("u1") == [cancelled]


def test_a_shoppers_orders_are_newest_first_up_to_the_limit(db: Database) -> None:
    dates = [f"2026-{month:02d}-15T10:00:00Z" for month in (3, 11, 1, 7, 5, 12, 9, 2, 4, 8, 6, 10)]
    db.upsert_orders([_order(f"SA-{n}", "u1", date) for n, date in enumerate(dates)])
    db.upsert_orders([_order("SA-OTHER", "u2", "2027-01-01T00:00:00Z")])
    newest = [o["created_at"] for o in db.orders_for_user("u1")]
    assert newest == sorted(dates, reverse=True)[:10]  # the default limit
    assert [o["created_at"][:7] for o in db.orders_for_user("u1", limit=3)] == [
        "2026-12",
        "2026-11",
        "2026-10",
    ]
    assert [o["order_id"] for o in db.orders_for_user("u2")] == ["SA-OTHER"]
    assert db.orders_for_user("nobody") == []


# -- stateless clients, events ------------------------------------------------------------
def test_a_conversation_key_points_at_its_latest_session(db: Database) -> None:
    assert db.session_for_key("fingerprint") is None
    db.remember_key("fingerprint", "s1")
    assert db.session_for_key("fingerprint") == "s1"
    db.remember_key("fingerprint", "s2")
    assert db.session_for_key("fingerprint") == "s2"
    assert db.session_for_key("another") is None


def test_events_are_newest_first_per_user_and_oldest_first_since_an_id(db: Database) -> None:
    assert db.last_event_id() == 0 and db.events() == []
    before = time.time()
    for user, item, event in [
        ("u1", "P1", "view"),
        ("u2", "P9", "view"),
        ("u1", "P2", "cart"),
        ("u1", "P3", "purchase"),
    ]:
        db.add_event(user, item, event)
    assert db.recent_events("u1") == [("P3", "purchase"), ("P2", "cart"), ("P1", "view")]
    assert db.recent_events("u1", limit=2) == [("P3", "purchase"), ("P2", "cart")]
    assert db.recent_events("u2") == [("P9", "view")]
    assert db.recent_events("nobody") == []
    assert db.last_event_id() == 4

    everything = db.events()
    assert [(e.user_id, e.item_id, e.event) for e in everything] == [
        ("u1", "P1", "view"),
        ("u2", "P9", "view"),
        ("u1", "P2", "cart"),
        ("u1", "P3", "purchase"),
    ]
    assert all(
        e.timestamp is not None and before - 1 <= e.timestamp <= time.time() for e in everything
    )
    assert [e.item_id for e in db.events(after=1)] == ["P9", "P2", "P3"]
    assert [e.item_id for e in db.events(after=1, through=3)] == ["P9", "P2"]
    assert db.events(after=4) == []


# -- carts ----------------------------------------------------------------------------------
def test_a_cart_quantity_is_set_not_added_and_zero_takes_the_item_out(db: Database) -> None:
    db.set_cart_quantity("s1", "A", 2)
    db.set_cart_quantity("s1", "B", 1)
    assert db.cart("s1") == [("A", 2), ("B", 1)]
    db.set_cart_quantity("s1", "A", 5)  # replaces the quantity, keeps its place
    assert db.cart("s1") == [("A", 5), ("B", 1)]
    db.set_cart_quantity("s1", "A", 0)
    assert db.cart("s1") == [("B", 1)]
    db.set_cart_quantity("s1", "C", -1)  # below zero adds nothing
    db.set_cart_quantity("s1", "not-in-cart", 0)  # taking out what is not there is no error
    assert db.cart("s1") == [("B", 1)]
    db.set_cart_quantity("s1", "A", 1)  # back in: now it was added last
    assert db.cart("s1") == [("B", 1), ("A", 1)]


def test_each_session_has_its_own_cart_and_emptying_one_leaves_the_others(db: Database) -> None:
    db.set_cart_quantity("s1", "A", 1)
    db.set_cart_quantity("s2", "A", 3)
    db.set_cart_quantity("s2", "B", 4)
    db.set_cart_quantity("s1", "A", 0)
    assert db.cart("s1") == [] and db.cart("s2") == [("A", 3), ("B", 4)]
    db.set_cart_quantity("s1", "C", 2)
    db.empty_cart("s2")
    assert db.cart("s2") == [] and db.cart("s1") == [("C", 2)]
    db.empty_cart("no-such-session")
    assert db.cart("no-such-session") == []


# -- tickets --------------------------------------------------------------------------------
def _tickets(path: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM tickets ORDER BY created_at, id").fetchall()


def test_a_ticket_keeps_who_asked_why_and_the_transcript(db: Database) -> None:
    session = db.create_session("u1")
    _turns(db, session, 2)
    first = db.create_ticket(session, "wants a person")
    second = db.create_ticket(session, "again")
    assert re.fullmatch(r"T-[0-9A-F]{8}", first) and first != second
    row = next(r for r in _tickets(db.path) if r["id"] == first)
    assert (row["session_id"], row["user_id"], row["reason"]) == (
        session.id,
        "u1",
        "wants a person",
    )
    assert json.loads(row["transcript"]) == [
        {"role": "user", "content": "question 0"},
        {"role": "assistant", "content": "answer 0"},
        {"role": "user", "content": "question 1"},
        {"role": "assistant", "content": "answer 1"},
    ]


def test_a_ticket_transcript_holds_up_to_the_last_100_messages(db: Database) -> None:
    session = db.create_session(None)
    saved = _turns(db, session, 60)  # 120 messages
    ticket = db.create_ticket(session, "long chat")
    row = next(r for r in _tickets(db.path) if r["id"] == ticket)
    transcript = json.loads(row["transcript"])
    assert row["user_id"] is None
    assert transcript == [{"role": m.role, "content": m.content} for m in saved[-100:]]


# -- the file ---------------------------------------------------------------------------------
def test_everything_survives_closing_and_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    db = Database(path)
    session = db.create_session("u1")
    session.state = ConversationState(focus="P1")
    db.save_turn(session, [Message("user", "hi", "greeting"), Message("assistant", "hello")])
    db.upsert_orders([_order("SA-1", "u1")])
    db.add_event("u1", "P1", "view")
    db.set_cart_quantity(session.id, "P1", 2)
    db.remember_key("fingerprint", session.id)
    ticket = db.create_ticket(session, "help")
    db.close()

    again = Database(path)
    try:
        assert again.get_session(session.id) == Session(
            session.id, "u1", ConversationState(focus="P1"), False
        )
        assert again.history(session.id) == [
            Message("user", "hi", "greeting"),
            Message("assistant", "hello"),
        ]
        assert again.order_for_user("SA-1", "u1") == _order("SA-1", "u1")
        assert again.recent_events("u1") == [("P1", "view")] and again.last_event_id() == 1
        assert again.cart(session.id) == [("P1", 2)]
        assert again.session_for_key("fingerprint") == session.id
        assert [r["id"] for r in _tickets(path)] == [ticket]
    finally:
        again.close()


def test_unicode_round_trips_everywhere(db: Database) -> None:
    user = "ü/用户 1 🛒"
    text = "Ünïcødé ✓ 🧩 中文 עברית 'quotes' \"double\" \\ \u200b\nnew line"
    session = db.create_session(user, "ascii-id")
    session.state = ConversationState(query=text, shown=["é", "😀"])
    db.save_turn(session, [Message("user", text, "product_search")])
    assert db.get_session("ascii-id") == Session("ascii-id", user, session.state, False)
    assert db.history("ascii-id") == [Message("user", text, "product_search")]
    db.upsert_orders([_order("SA-1", user, note=text)])
    assert db.order_for_user("SA-1", user)["note"] == text  # type: ignore[index]
    db.set_cart_quantity("ascii-id", "Pü/1 ☕", 1)
    assert db.cart("ascii-id") == [("Pü/1 ☕", 1)]
    db.add_event(user, "Pü/1 ☕", "view")
    assert db.recent_events(user) == [("Pü/1 ☕", "view")]
    db.remember_key(text, "ascii-id")
    assert db.session_for_key(text) == "ascii-id"


def test_one_database_shared_by_two_threads_loses_no_write(db: Database) -> None:
    """The docstring's promise: safe to share between threads (the API's chat pool does)."""
    writes = 150
    sessions = [db.create_session(f"u{n}") for n in range(2)]
    shared = db.create_session(None)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(writes):
                db.save_turn(sessions[n], [Message("user", f"{n}:{i}"), Message("assistant", "ok")])
                db.add_event(f"u{n}", f"P{i}", "view")
                db.set_cart_quantity(shared.id, f"{n}-{i}", i + 1)
        except BaseException as exc:  # reported below, with the thread's traceback
            errors.append(exc)
            raise

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    assert errors == []
    for n, session in enumerate(sessions):
        history = db.history(session.id, limit=10 * writes)
        assert [m.content for m in history if m.role == "user"] == [
            f"{n}:{i}" for i in range(writes)
        ]
        assert len(db.recent_events(f"u{n}", limit=10 * writes)) == writes
    assert db.last_event_id() == 2 * writes
    cart = dict(db.cart(shared.id))
    assert cart == {f"{n}-{i}": i + 1 for n in range(2) for i in range(writes)}
