"""SQLite storage for sessions, messages, orders and hand-off tickets."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.conversation import ConversationState
from recommenders.interactions import Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    state TEXT NOT NULL DEFAULT '{}',
    handed_off INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    intent TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_session ON messages(session_id, id);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_user ON orders(user_id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    event TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_user ON events(user_id, id);
CREATE TABLE IF NOT EXISTS cart_items (
    session_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (session_id, product_id)
);
CREATE TABLE IF NOT EXISTS conversation_keys (
    key TEXT PRIMARY KEY,
    session_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user_id TEXT,
    reason TEXT NOT NULL,
    transcript TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Session:
    """A conversation: who it belongs to and what it remembers between turns."""

    id: str
    user_id: str | None
    state: ConversationState = field(default_factory=ConversationState)
    handed_off: bool = False


@dataclass
class Message:
    role: str
    content: str
    intent: str | None = None


class Database:
    """One SQLite file under the home. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL keeps the database consistent after a crash; it only skips the
        # fsync on every commit (a power cut may lose the last turns, never corrupt them).
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    # sessions -----------------------------------------------------------------
    def get_session(self, session_id: str) -> Session | None:
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return None
        state = ConversationState.from_dict(json.loads(row["state"]))
        return Session(row["id"], row["user_id"], state, bool(row["handed_off"]))

    def create_session(self, user_id: str | None, session_id: str | None = None) -> Session:
        session = Session(session_id or uuid.uuid4().hex, user_id)
        now = _now()
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO sessions (id, user_id, state, created_at, updated_at)"
                " VALUES (?, ?, '{}', ?, ?)",
                (session.id, user_id, now, now),
            )
        return session

    def save_turn(self, session: Session, messages: Iterable[Message]) -> None:
        """Persist the session state and the turn's messages in one transaction."""
        now = _now()
        with self._tx() as conn:
            conn.execute(
                "UPDATE sessions SET state = ?, handed_off = ?, updated_at = ? WHERE id = ?",
                (json.dumps(session.state.to_dict()), int(session.handed_off), now, session.id),
            )
            conn.executemany(
                "INSERT INTO messages (session_id, role, content, intent, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [(session.id, m.role, m.content, m.intent, now) for m in messages],
            )

    def history(self, session_id: str, limit: int = 20) -> list[Message]:
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT role, content, intent FROM messages WHERE session_id = ?"
                " ORDER BY id DESC LIMIT ?",
                (session_id, limit),
            ).fetchall()
        return [Message(r["role"], r["content"], r["intent"]) for r in reversed(rows)]

    # orders -------------------------------------------------------------------
    def upsert_orders(self, orders: Iterable[dict[str, Any]]) -> int:
        rows = [
            (o["order_id"], o["user_id"], o["status"], json.dumps(o), o.get("updated_at") or _now())
            for o in orders
        ]
        with self._tx() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO orders (order_id, user_id, status, data, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def save_order(self, order: dict[str, Any]) -> None:
        """Replace one existing order (the caller has checked ownership)."""
        with self._tx() as conn:
            conn.execute(
                "UPDATE orders SET status = ?, data = ?, updated_at = ? WHERE order_id = ?",
                (order["status"], json.dumps(order), _now(), order["order_id"]),
            )

    def order_for_user(self, order_id: str, user_id: str | None) -> dict[str, Any] | None:
        """The order if it exists AND belongs to `user_id`; None otherwise (no existence leak)."""
        if not user_id:
            return None
        with self._tx() as conn:
            row = conn.execute(
                "SELECT data FROM orders WHERE order_id = ? AND user_id = ?",
                (order_id.upper(), user_id),
            ).fetchone()
        return json.loads(row["data"]) if row else None

    def orders_for_user(self, user_id: str, limit: int = 10) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute("SELECT data FROM orders WHERE user_id = ?", (user_id,)).fetchall()
        orders = [json.loads(r["data"]) for r in rows]
        orders.sort(key=lambda o: o.get("created_at", ""), reverse=True)
        return orders[:limit]

    # stateless clients ------------------------------------------------------------
    def session_for_key(self, key: str) -> str | None:
        """The session a transcript fingerprint continues (OpenAI-style clients resend the
        whole conversation instead of a session id)."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT session_id FROM conversation_keys WHERE key = ?", (key,)
            ).fetchone()
        return row["session_id"] if row else None

    def remember_key(self, key: str, session_id: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO conversation_keys (key, session_id) VALUES (?, ?)",
                (key, session_id),
            )

    # shopper events ---------------------------------------------------------------
    def add_event(self, user_id: str, item_id: str, event: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO events (user_id, item_id, event, created_at) VALUES (?, ?, ?, ?)",
                (user_id, item_id, event, _now()),
            )

    def recent_events(self, user_id: str, limit: int = 20) -> list[tuple[str, str]]:
        """The user's last `limit` recorded (item_id, event), newest first."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT item_id, event FROM events WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                (user_id, limit),
            ).fetchall()
        return [(r["item_id"], r["event"]) for r in rows]

    def events(self, after: int = 0, through: int | None = None) -> list[Event]:
        """The recorded events whose id is above `after` (and at most `through`), oldest
        first, timed."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT user_id, item_id, event, created_at FROM events"
                " WHERE id > ? AND (? IS NULL OR id <= ?) ORDER BY id",
                (after, through, through),
            ).fetchall()
        return [
            Event(
                r["user_id"],
                r["item_id"],
                r["event"],
                timestamp=datetime.fromisoformat(r["created_at"]).timestamp(),
            )
            for r in rows
        ]

    def last_event_id(self) -> int:
        """The id of the latest recorded event (0 when none): `events(after=...)` since."""
        with self._tx() as conn:
            row = conn.execute("SELECT MAX(id) AS last FROM events").fetchone()
        return int(row["last"] or 0)

    # carts --------------------------------------------------------------------
    def set_cart_quantity(self, session_id: str, product_id: str, quantity: int) -> None:
        """Put `quantity` of a product in the session's cart (0 takes it out)."""
        with self._tx() as conn:
            if quantity <= 0:
                conn.execute(
                    "DELETE FROM cart_items WHERE session_id = ? AND product_id = ?",
                    (session_id, product_id),
                )
                return
            conn.execute(
                "INSERT INTO cart_items (session_id, product_id, quantity, added_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, product_id)"
                " DO UPDATE SET quantity = excluded.quantity",
                (session_id, product_id, quantity, _now()),
            )

    def empty_cart(self, session_id: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM cart_items WHERE session_id = ?", (session_id,))

    def cart(self, session_id: str) -> list[tuple[str, int]]:
        """The session's cart as (product_id, quantity), in the order items were added."""
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT product_id, quantity FROM cart_items WHERE session_id = ?"
                " ORDER BY added_at, rowid",
                (session_id,),
            ).fetchall()
        return [(r["product_id"], int(r["quantity"])) for r in rows]

    # tickets ------------------------------------------------------------------
    def create_ticket(self, session: Session, reason: str) -> str:
        transcript = [
            {"role": m.role, "content": m.content} for m in self.history(session.id, limit=100)
        ]
        ticket_id = "T-" + uuid.uuid4().hex[:8].upper()
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO tickets (id, session_id, user_id, reason, transcript, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (ticket_id, session.id, session.user_id, reason, json.dumps(transcript), _now()),
            )
        return ticket_id
