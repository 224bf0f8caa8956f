"""The `shopassist` command line, in-process, with --json output."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.cli import main
from tests.conftest import shared_data


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json(capsys, demo_home):
    code, out, _ = _run(capsys, "search", "puzzle under $20", "--json", "--home", str(demo_home))
    body = json.loads(out)
    assert code == 0 and body["filters"]["price_max"] == 20
    assert body["results"] and all(r["price"] <= 20 for r in body["results"])


def test_search_batch_is_json_lines(capsys, demo_home, tmp_path):
    batch = tmp_path / "queries.tsv"
    batch.write_text("q1\tcamping tent\nq2\tred building set\n")
    code, out, _ = _run(
        capsys, "search", "--batch", str(batch), "--k", "3", "--home", str(demo_home)
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["query_id"] for line in lines] == ["q1", "q2"]
    assert all(len(line["results"]) == 3 for line in lines)


def test_recommend_json_and_batch(capsys, demo_home, demo_orders, tmp_path):
    user = demo_orders[0]["user_id"]
    code, out, _ = _run(capsys, "recommend", user, "--json", "--k", "4", "--home", str(demo_home))
    body = json.loads(out)
    assert code == 0 and body["user_id"] == user and len(body["items"]) == 4
    assert all(set(item) >= {"id", "score", "reason"} for item in body["items"])
    users = tmp_path / "users.txt"
    users.write_text(f"{user}\nnew-shopper\n")
    code, out, _ = _run(capsys, "recommend", "--batch", str(users), "--home", str(demo_home))
    assert [json.loads(line)["user_id"] for line in out.splitlines()] == [user, "new-shopper"]


def test_ask_json(capsys, demo_home, demo_orders):
    order = demo_orders[0]
    code, out, _ = _run(
        capsys,
        "ask",
        f"where is my order {order['order_id']}",
        "--user",
        order["user_id"],
        "--json",
        "--home",
        str(demo_home),
    )
    body = json.loads(out)
    assert code == 0 and order["order_id"] in body["reply"] and body["backend"] == "local"


@pytest.mark.model  # builds a store with the real embedder
def test_index_reports_bad_rows_and_serves_the_rest(capsys, tmp_path):
    catalog = tmp_path / "shop.csv"
    catalog.write_text(
        "sku,name,cost\nA1,Blue ceramic teapot,$24.00\nA2,,$5\nA3,Steel kettle,not-a-price\n"
        'A4,Green tea sampler,"$1,299.99"\n'
    )
    home = tmp_path / "home"
    code, out, _ = _run(
        capsys,
        "index",
        "--catalog",
        str(catalog),
        "--map",
        "id=sku",
        "title=name",
        "price=cost",
        "--json",
        "--home",
        str(home),
    )
    summary = json.loads(out)
    assert code == 0 and summary["products"] == 3 and summary["skipped"] == 1
    assert [e["line"] for e in summary["errors"]] == [3]
    assert [w["line"] for w in summary["warnings"]] == [4]  # its price is left out
    code, out, _ = _run(capsys, "search", "teapot", "--json", "--home", str(home))
    assert json.loads(out)["results"][0]["id"] == "A1"


def test_errors_are_reported_not_raised(capsys, tmp_path):
    code, _, err = _run(
        capsys, "index", "--catalog", str(tmp_path / "missing.csv"), "--home", str(tmp_path)
    )
    assert code == 2 and err.startswith("error:")
    code, _, err = _run(
        capsys, "index", "--catalog", "x.csv", "--map", "oops", "--home", str(tmp_path)
    )
    assert code == 2 and "FIELD=COLUMN" in err


@pytest.mark.model  # builds a store with the real embedder
def test_index_the_amazon_sample(capsys, tmp_path):
    catalog = shared_data("catalog-amazon-1000/products.csv")
    code, out, _ = _run(
        capsys,
        "index",
        "--catalog",
        str(catalog),
        "--map",
        "id=Uniq Id",
        "title=Product Name",
        "category=Category",
        "price=Selling Price",
        "description=About Product",
        "--json",
        "--home",
        str(tmp_path),
    )
    summary = json.loads(out)
    assert code == 0 and summary["products"] + summary["skipped"] == 1000
    assert summary["products"] > 900


@pytest.mark.parametrize("argv", [["search"], ["recommend"]])
def test_missing_arguments(capsys, demo_home, argv):
    code, _, err = _run(capsys, *argv, "--home", str(demo_home))
    assert code == 2 and "--batch" in err


def test_eval_recs_movielens(capsys):
    data = shared_data("movielens-100k/u.data")
    code, out, _ = _run(
        capsys,
        "eval",
        "recs",
        "movielens_100k",
        "--data",
        str(data),
        "--algorithm",
        "popularity",
        "--json",
    )
    metrics = json.loads(out)
    assert code == 0 and metrics["evaluated_users"] == 943
    assert 0.2 < metrics["ndcg"] < 0.3  # popularity's known level on this split


def test_eval_recs_bad_input(capsys, tmp_path):
    code, _, err = _run(
        capsys, "eval", "recs", "movielens_100k", "--data", str(tmp_path / "missing.data")
    )
    assert code == 2 and err.startswith("error:")


@pytest.mark.model  # builds a store with the real embedder
def test_products_upsert_and_delete(capsys, tmp_path):
    catalog = tmp_path / "shop.csv"
    catalog.write_text("id,title,price\nA1,Blue ceramic teapot,24.00\nA2,Steel kettle,30\n")
    home = str(tmp_path / "home")
    assert _run(capsys, "index", "--catalog", str(catalog), "--home", home)[0] == 0
    change = tmp_path / "change.jsonl"
    change.write_text(
        '{"id": "A3", "title": "Bamboo tea whisk", "price": 9.5}\n'
        '{"id": "A1", "title": "Blue ceramic teapot", "price": 12}\n'
    )
    code, out, _ = _run(
        capsys, "products", "upsert", "--catalog", str(change), "--json", "--home", home
    )
    assert code == 0 and json.loads(out)["upserted"] == 2
    results = json.loads(_run(capsys, "search", "tea", "--json", "--home", home)[1])["results"]
    assert {r["id"]: r["price"] for r in results}["A1"] == 12
    assert _run(capsys, "products", "delete", "A3", "--home", home)[0] == 0
    results = json.loads(_run(capsys, "search", "whisk", "--json", "--home", home)[1])["results"]
    assert "A3" not in {r["id"] for r in results}
    assert _run(capsys, "products", "delete", "A3", "--home", home)[0] == 2


@pytest.mark.model  # builds a store with the real embedder
def test_eval_search_side_by_side(capsys, tmp_path):
    catalog = tmp_path / "shop.csv"
    catalog.write_text(
        "id,title,price\nA1,Blue ceramic teapot,24\nA2,Steel kettle,30\n"
        "A3,Bamboo tea whisk,9.5\nA4,Wool winter hat,15\n"
    )
    judged = tmp_path / "judged.jsonl"
    judged.write_text(
        '{"query_id": "q1", "query": "teapot", "kind": "keyword", "constraints": {}, '
        '"judgments": {"A1": 3}}\n'
        '{"query_id": "q2", "query": "something to keep my head warm", "kind": "natural", '
        '"constraints": {}, "judgments": {"A4": 3}}\n'
    )
    code, out, _ = _run(
        capsys,
        "eval",
        "search",
        "--judgments",
        str(judged),
        "--catalog",
        str(catalog),
        "--map",
        "id=id",
        "--json",
        "--home",
        str(tmp_path),
    )
    report = json.loads(out)
    assert code == 0 and set(report) == {"bm25", "dense", "hybrid"}
    assert report["hybrid"]["mrr"] == 1.0


@pytest.mark.model  # builds a store with the real embedder
def test_eval_nlu_on_a_small_bitext_file(capsys, tmp_path):
    folder = tmp_path / "bitext-intents"
    folder.mkdir()
    rows = ["flags,utterance,category,intent"]
    phrasings = {
        "track_order": ["where is my order {}", "track package {}", "has order {} shipped"],
        "cancel_order": ["cancel order {}", "I want to cancel {}", "please stop order {}"],
        "get_refund": ["refund for order {}", "money back for {}", "I need a refund on {}"],
    }
    for intent, forms in phrasings.items():
        rows += [f"B,{form.format(n)},ORDER,{intent}" for form in forms for n in range(10)]
    (folder / "bitext_21k.csv").write_text("\n".join(rows) + "\n")
    code, out, _ = _run(capsys, "eval", "nlu", "bitext", "--data", str(tmp_path), "--json")
    metrics = json.loads(out)
    assert code == 0 and metrics["accuracy"] > 0.9 and "macro_f1" in metrics
    code, _, err = _run(capsys, "eval", "nlu", "bitext", "--data", str(tmp_path / "nope"))
    assert code == 2 and err.startswith("error:")


@pytest.mark.model  # builds a store with the real embedder
def test_nlu_train_replace_then_predict(capsys, tmp_path):
    from tests.assistant.nlu.test_intents import GIFT_CARDS, LOYALTY

    examples = tmp_path / "intents.csv"
    examples.write_text(
        "text,intent\n"
        + "".join(f"{t},buy_gift_card\n" for t in GIFT_CARDS)
        + "".join(f"{t},loyalty_points\n" for t in LOYALTY)
    )
    home = str(tmp_path / "home")
    code, out, _ = _run(
        capsys, "nlu", "train", "--examples", str(examples), "--replace", "--json", "--home", home
    )
    summary = json.loads(out)
    # The built-in out_of_scope examples stay, so other topics are still out of scope.
    assert code == 0 and summary["intents"] == 3 and summary["examples"] > 12
    batch = tmp_path / "utterances.txt"
    batch.write_text(
        "I'd like a gift card for SA-123456\nhow many points do I have\n"
        "how do I bake sourdough bread\n"
    )
    code, out, _ = _run(capsys, "nlu", "predict", "--batch", str(batch), "--home", home)
    lines = [json.loads(line) for line in out.splitlines()]
    intents = [line["intent"] for line in lines]
    assert code == 0 and intents == ["buy_gift_card", "loyalty_points", "out_of_scope"]
    assert lines[0]["entities"] == {"order_ids": ["SA-123456"]}
    assert all(0 <= line["confidence"] <= 1 for line in lines)


def test_a_home_indexed_by_an_older_version_is_upgraded_on_first_use(capsys, demo_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    meta = home / "catalog" / "meta.json"
    meta.write_text(meta.read_text().replace('"format": 4', '"format": 3'))

    code, out, _ = _run(capsys, "search", "puzzle", "--json", "--home", str(home))

    assert code == 0 and json.loads(out)["results"]
    assert '"format": 4' in meta.read_text()


@pytest.mark.model  # builds a store with the real embedder
def test_a_model_trained_before_any_catalog_recommends_its_own_items(capsys, tmp_path):
    interactions = tmp_path / "ratings.csv"
    pairs = ["a,m1", "a,m2", "b,m1", "b,m2", "b,m3", "c,m4", "c,m5", "d,m4", "d,m6", "e,m3"]
    interactions.write_text("user_id,item_id\n" + "\n".join(pairs) + "\n")
    home = str(tmp_path / "home")
    code, _, _ = _run(capsys, "train", "--interactions", str(interactions), "--home", home)
    assert code == 0
    # The first recommend builds the demo catalog; the model stays the one trained here.
    code, out, _ = _run(capsys, "recommend", "a", "--k", "3", "--json", "--home", home)
    items = json.loads(out)["items"]
    assert code == 0 and items[0]["id"] == "m3"
    assert {item["id"] for item in items} <= {f"m{n}" for n in range(1, 7)}


def test_k_may_exceed_a_page(capsys, demo_home):
    code, out, _ = _run(capsys, "search", "gift", "--k", "300", "--json", "--home", str(demo_home))
    assert code == 0 and len(json.loads(out)["results"]) == 300


@pytest.mark.model  # builds a store with the real embedder
def test_eval_search_on_a_store_s_own_catalog(capsys, tmp_path):
    catalog = tmp_path / "own.csv"
    catalog.write_text("id,title\nt1,Blue ceramic teapot\nk1,Steel kettle\nm1,Coffee mug\n")
    judged = tmp_path / "judged.jsonl"
    judged.write_text(json.dumps({"query_id": "q", "query": "teapot", "judgments": {"t1": 3}}))
    code, out, _ = _run(
        capsys, "eval", "search", "--catalog", str(catalog), "--judgments", str(judged), "--json"
    )
    assert code == 0 and json.loads(out)["hybrid"]["ndcg"] == 1.0


@pytest.mark.model  # builds a store with the real embedder
def test_plain_search_output_shortens_long_titles(capsys, tmp_path):
    catalog = tmp_path / "shop.csv"
    long_title = "Deluxe marble run " + "with spiral ramps and extra glass marbles " * 60
    catalog.write_text(f"id,title,price\nM1,{long_title},31.50\nM2,Wooden train set,20\n")
    home = str(tmp_path / "home")
    assert _run(capsys, "index", "--catalog", str(catalog), "--home", home)[0] == 0
    code, out, _ = _run(capsys, "search", "marble run", "--home", home)
    assert code == 0 and "M1" in out and all(len(line) < 300 for line in out.splitlines())
    code, out, _ = _run(capsys, "search", "marble run", "--json", "--home", home)
    assert json.loads(out)["results"][0]["title"] == long_title.strip()
