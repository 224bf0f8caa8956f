"""Histories: the trained matrix, never copied, plus each user's events since."""

from __future__ import annotations

import numpy as np

from recommenders import Event, InteractionMatrix
from recommenders.histories import Histories
from recommenders.interactions import DEFAULT_EVENT_WEIGHTS, EVENT_KINDS


def test_events_since_training_add_to_the_users_own_rows_only() -> None:
    trained = InteractionMatrix.from_events(
        [Event("u1", "a", "view"), Event("u2", "b", "cart")], items=["a", "b"]
    )
    before = trained.user_items.copy()
    histories = Histories(trained)
    histories.record(
        [Event("u1", "a", "purchase"), Event("u3", "b", "view"), Event("u3", "zzz", "view")],
        DEFAULT_EVENT_WEIGHTS,
    )
    histories.record([Event("u3", "a", "cart")], DEFAULT_EVENT_WEIGHTS)
    assert histories.user_ids == ["u1", "u2", "u3"] and histories.changed == {0, 2}
    every = np.arange(3)
    np.testing.assert_allclose(
        histories.rows("user_items", every).toarray(), [[6, 0], [0, 3], [3, 1]]
    )
    np.testing.assert_array_equal(
        histories.rows("purchased", every).toarray(), [[True, False], [False] * 2, [False] * 2]
    )
    assert EVENT_KINDS[histories.rows("event_kinds", np.array([0]))[0, 0]] == "purchase"
    assert histories.rows("user_items", np.array([-1, 1])).toarray().tolist() == [[0, 0], [0, 3]]
    # The trained matrix is the same object, untouched: recording never copies it.
    assert histories.trained is trained and (trained.user_items != before).nnz == 0
    merged = histories.merged()
    assert merged.user_ids == ["u1", "u2", "u3"]
    np.testing.assert_allclose(merged.user_items.toarray(), [[6, 0], [0, 3], [3, 1]])


def test_a_store_with_no_trained_user_records_new_ones() -> None:
    trained = InteractionMatrix.from_events([], items=["a", "b"])
    histories = Histories(trained)
    histories.record([Event("new", "b", "view")], DEFAULT_EVENT_WEIGHTS)
    assert histories.rows("user_items", np.array([0])).toarray().tolist() == [[0, 1]]
