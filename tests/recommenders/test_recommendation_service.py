"""The service: string ids, exclusions, `allowed`, popularity fill, reasons, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommenders import (
    Event,
    InteractionsError,
    ModelNotTrainedError,
    RecommendationService,
    UnknownAlgorithmError,
    UnknownItemError,
    algorithms,
)
from tests.recommenders.conftest import SMALL_DATA_PARAMS

ITEMS = [f"toy{i}" for i in range(12)] + [f"lamp{i}" for i in range(12)] + ["new0", "new1"]
TITLES = {item: item.replace("toy", "Toy #").replace("lamp", "Lamp #") for item in ITEMS}
TITLES.pop("toy3")  # no title: reasons fall back to the id
CATEGORIES = {
    **{f"toy{i}": "Toys & Games > Puzzles" for i in range(12)},
    **{f"lamp{i}": "Home > Lighting > Lamps" for i in range(12)},
}
PARAMS = SMALL_DATA_PARAMS


def _events(seed: int = 5) -> list[Event]:
    """Toy fans and lamp fans; each views some items of their kind and buys a few."""
    rng = np.random.default_rng(seed)
    events = []
    for user in range(40):
        kind = "toy" if user < 20 else "lamp"
        chosen = rng.choice(12, 6, replace=False)
        for position, item in enumerate(chosen):
            event = "purchase" if position < 2 else "view"
            events.append(Event(f"{kind}-fan{user}", f"{kind}{item}", event))
    return events


EVENTS = _events()


@pytest.fixture(scope="module", params=algorithms())
def service(request: pytest.FixtureRequest) -> RecommendationService:
    return RecommendationService.train(
        EVENTS,
        algorithm=request.param,
        params=PARAMS.get(request.param),
        item_titles=TITLES,
        item_categories=CATEGORIES,
        items=ITEMS,
    )


def _bought(user: str) -> set[str]:
    return {e.item_id for e in EVENTS if e.user_id == user and e.event == "purchase"}


def test_summary(service: RecommendationService) -> None:
    summary = service.summary
    assert summary["algorithm"] in algorithms()
    assert (summary["users"], summary["items"], summary["interactions"]) == (40, 26, 240)
    assert summary["seconds"] >= 0


def test_known_users_get_their_own_taste_without_what_they_bought(
    service: RecommendationService,
) -> None:
    for user in ("toy-fan0", "lamp-fan25"):
        recommendations = service.recommend(user, k=5)
        ids = [r.item_id for r in recommendations]
        assert len(ids) == 5 and len(set(ids)) == 5
        assert not set(ids) & _bought(user)
        if service.model.personalised:
            assert all(item.startswith(user.split("-")[0]) for item in ids)
            assert all(r.source == "personal" for r in recommendations)
    if service.model.personalised:
        toy = {r.item_id for r in service.recommend("toy-fan0", k=5)}
        assert not toy & {r.item_id for r in service.recommend("lamp-fan25", k=5)}


def test_unknown_user_gets_popular_items_with_a_reason(service: RecommendationService) -> None:
    assert not service.knows_user("stranger")
    recommendations = service.recommend("stranger", k=4)
    assert len(recommendations) == 4
    for r in recommendations:
        assert r.source == "popular"
        assert r.reason == (
            "popular in Puzzles" if r.item_id.startswith("toy") else "popular in Lamps"
        )
    scores = [r.score for r in recommendations]
    assert scores == sorted(scores, reverse=True)


def test_allowed_is_honoured_and_filled_up_to_k(service: RecommendationService) -> None:
    allowed = {"toy1", "toy2", "lamp1", "lamp2", "lamp3", "lamp4", "new0", "not-an-item"}
    user = "toy-fan0"
    recommendations = service.recommend(user, k=4, allowed=allowed)
    ids = [r.item_id for r in recommendations]
    assert set(ids) <= allowed - _bought(user)
    assert len(ids) == len(set(ids)) == 4  # "new0" has no interactions: never recommended
    assert service.recommend(user, k=3, allowed=set()) == []


def test_everything_filtered_out_yields_fewer_than_k(service: RecommendationService) -> None:
    recommendations = service.recommend("toy-fan0", k=50)
    ids = [r.item_id for r in recommendations]
    assert len(ids) == len(set(ids)) == 24 - len(_bought("toy-fan0"))


def test_reasons_name_the_history_item_that_contributes_most(
    service: RecommendationService,
) -> None:
    user = "toy-fan3"
    history = service.history(user)
    assert set(history) == {e.item_id for e in EVENTS if e.user_id == user}
    assert set(history[:2]) == _bought(user)  # purchases weigh most
    if not service.model.personalised:
        return
    matrix = service._histories.trained
    row = matrix.user_ids.index(user)
    for r in service.recommend(user, k=5):
        item = matrix.item_ids.index(r.item_id)
        top = service.model.explain(row, matrix.user_items[[row]], item, top=1)
        source = matrix.item_ids[top[0][0]]
        if source == r.item_id:
            assert r.reason == "you viewed this"
            continue
        verb = "bought" if source in _bought(user) else "viewed"
        assert r.reason == f"because you {verb} {TITLES.get(source, source)}"


def test_batch_equals_one_by_one(service: RecommendationService) -> None:
    users = ["toy-fan1", "stranger", "lamp-fan30", "toy-fan1"]
    batch = service.recommend_many(users, k=6)
    assert list(batch) == ["toy-fan1", "stranger", "lamp-fan30"]
    for user in users:
        single = service.recommend(user, k=6)
        assert [(r.item_id, r.reason) for r in batch[user]] == [
            (r.item_id, r.reason) for r in single
        ]
        np.testing.assert_allclose(
            [r.score for r in batch[user]], [r.score for r in single], rtol=1e-5
        )


def test_similar_items(service: RecommendationService) -> None:
    similar = service.similar("toy1", k=5)
    ids = [r.item_id for r in similar]
    assert len(ids) == len(set(ids)) == 5 and "toy1" not in ids
    assert all(item.startswith("toy") for item in ids)
    for r in similar:
        assert r.reason == (
            "shoppers who liked Toy #1 also liked this"
            if r.source == "similar"
            else "popular in Puzzles"
        )
    allowed = {"toy2", "lamp1", "new0"}
    assert {r.item_id for r in service.similar("toy1", k=3, allowed=allowed)} <= allowed - {"new0"}
    with pytest.raises(UnknownItemError):
        service.similar("nope")


def test_save_and_load(service: RecommendationService, tmp_path: Path) -> None:
    service.save(tmp_path / "recs")
    loaded = RecommendationService.load(tmp_path / "recs")
    users = ["toy-fan2", "lamp-fan22", "stranger"]
    assert loaded.recommend_many(users, k=5) == service.recommend_many(users, k=5)
    assert loaded.similar("lamp3", k=4) == service.similar("lamp3", k=4)
    assert loaded.summary == service.summary
    assert loaded.history("toy-fan2") == service.history("toy-fan2")
    assert not list((tmp_path / "recs").glob(".*"))  # no temporary files left


def test_record_updates_recommendations(tmp_path: Path) -> None:
    service = RecommendationService.train(
        EVENTS, algorithm="als", params=PARAMS["als"], item_titles=TITLES, items=ITEMS
    )
    before = service.recommend("toy-fan0", k=20)
    bought = before[0].item_id
    service.record([Event("toy-fan0", bought, "purchase"), Event("newcomer", "lamp2", "purchase")])
    after = [r.item_id for r in service.recommend("toy-fan0", k=20)]
    assert bought not in after and bought in service.history("toy-fan0")
    newcomer = service.recommend("newcomer", k=3)
    assert service.knows_user("newcomer")
    assert [r.source for r in newcomer] == ["personal"] * 3
    assert all(
        r.item_id.startswith("lamp") and r.reason == "because you bought Lamp #2" for r in newcomer
    )
    service.save(tmp_path / "recs")
    loaded = RecommendationService.load(tmp_path / "recs")
    assert loaded.recommend("newcomer", k=3) == newcomer


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotTrainedError):
        RecommendationService.load(tmp_path)
    with pytest.raises(UnknownAlgorithmError, match="als"):
        RecommendationService.train(EVENTS, algorithm="deep-magic")
    with pytest.raises(InteractionsError):
        RecommendationService.train([])
