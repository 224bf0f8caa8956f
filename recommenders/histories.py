"""Every user's history: the interactions a model was trained on, plus what each user did
since, kept per user so that recording an event costs the same at any store size."""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.sparse import csr_matrix

from recommenders.interactions import Event, InteractionMatrix

PARTS = ("user_items", "purchased", "event_kinds")
"""The matrices of a history (see `InteractionMatrix`)."""


@dataclass(frozen=True)
class _Since:
    """One user's events since training, as three 1 x items rows (see `PARTS`)."""

    user_items: csr_matrix
    purchased: csr_matrix
    event_kinds: csr_matrix


class Histories:
    """The trained `InteractionMatrix`, never copied, and each user's events since.

    Rows are the trained matrix's, then one per user added since. `record` replaces one
    user's own rows of events since training (work in proportion to that user's events,
    not to the store's), and readers see a user's old or new history, never half of one.
    """

    def __init__(self, trained: InteractionMatrix, changed: Collection[int] = ()) -> None:
        self.trained = trained
        self.item_ids = trained.item_ids
        self.users = {user: row for row, user in enumerate(trained.user_ids)}
        self.user_ids = list(trained.user_ids)
        self.changed = {int(row) for row in changed}
        """Rows whose history changed since training, and rows of users added since."""
        self._since: dict[int, _Since] = {}
        self._writing = threading.Lock()

    def __len__(self) -> int:
        return len(self.user_ids)

    def record(self, events: Sequence[Event], event_weights: Mapping[str, float]) -> None:
        """Add `events` to their users' histories (adding new users); events of items the
        trained matrix has no column for are skipped."""
        n_items = len(self.item_ids)
        delta = InteractionMatrix.from_events(events, event_weights, self.item_ids)
        with self._writing:
            for position, user in enumerate(delta.user_ids):
                row = self.users.get(user)
                if row is None:
                    row = len(self.user_ids)
                    self.user_ids.append(user)
                new = _Since(
                    *(csr_matrix(getattr(delta, part)[position, :n_items]) for part in PARTS)
                )
                old = self._since.get(row)
                if old is not None:
                    new = _Since(
                        old.user_items + new.user_items,
                        csr_matrix(old.purchased + new.purchased, dtype=bool),
                        old.event_kinds.maximum(new.event_kinds),
                    )
                self._since[row] = new
                self.changed.add(row)
                self.users[user] = row  # last: readers find a user once her rows exist

    def rows(self, part: str, rows: np.ndarray) -> csr_matrix:
        """`part` (one of `PARTS`) of each of `rows`, events since training included; an
        empty row for a row of -1."""
        trained = getattr(self.trained, part)
        base = _take(trained, np.where(rows < trained.shape[0], rows, -1))
        since = [self._since.get(int(row)) for row in rows]
        if not any(since):
            return base
        empty = csr_matrix((1, len(self.item_ids)), dtype=trained.dtype)
        extra = scipy.sparse.vstack(
            [empty if s is None else getattr(s, part) for s in since], format="csr"
        )
        if part == "event_kinds":
            return csr_matrix(base.maximum(extra), dtype=trained.dtype)
        return csr_matrix(base + extra, dtype=trained.dtype)

    def merged(self) -> InteractionMatrix:
        """One matrix of everything (for saving: the only place it is built)."""
        every = np.arange(len(self.user_ids))
        parts = {part: self.rows(part, every) for part in PARTS}
        return InteractionMatrix(list(self.user_ids), self.item_ids, **parts)


def _take(matrix: csr_matrix, rows: np.ndarray) -> csr_matrix:
    """`matrix[rows]`, with an empty row for each row of -1."""
    if matrix.shape[0] == 0:
        return csr_matrix((len(rows), matrix.shape[1]), dtype=matrix.dtype)
    taken = csr_matrix(matrix[np.maximum(rows, 0)], copy=True)
    for row in np.flatnonzero(rows < 0):
        taken.data[taken.indptr[row] : taken.indptr[row + 1]] = 0
    taken.eliminate_zeros()
    return taken
