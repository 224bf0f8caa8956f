"""The `shopassist` command line. JSON output goes to stdout; logs and progress to stderr."""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, BadRequest, map_errors
from assistant.settings import Settings, get_settings
from prompts import short_title

log = logging.getLogger("assistant.cli")

# `eval` defaults: the project's judged set and the shared public data sets beside the repo.
_ROOT = Path(__file__).resolve().parents[1]
_DEV_SET = _ROOT / "benchmarks" / "data" / "search_dev.jsonl"
_SHARED = _ROOT.parent / "shared" / "data"
_AMAZON = _SHARED / "catalog-amazon-1000" / "products.csv"


_MAP_HELP = "rename source columns: FIELD=COLUMN pairs, in one --map or in several"


def _parse_map(pairs: Sequence[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise BadRequest(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    return mapping


# Arguments that name files: any bytes the OS allows. Every other argument is text.
_PATH_ARGS = frozenset(
    {"home", "catalog", "interactions", "batch", "examples", "judgments", "data", "conversations"}
)


def _check_text_args(args: argparse.Namespace) -> None:
    """Reject arguments that are not valid UTF-8 (Python keeps such bytes as lone
    surrogates, which the tokenizer and the database cannot take)."""
    for name, value in vars(args).items():
        if name in _PATH_ARGS:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise BadRequest(f"{name}: not valid UTF-8 text") from None


def _lines(path: str) -> list[str]:
    """Every line of a UTF-8 file, blank lines included; the whole file is checked before
    any of it is used, so a bad byte never leaves half an output behind."""
    try:
        with open(path, "rb") as handle:
            raw_lines = handle.readlines()
    except OSError as exc:
        raise BadRequest(f"cannot read {path}: {exc}") from exc
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise BadRequest(
                f"{path}:{number}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "re-save the file as UTF-8"
            ) from exc
        lines.append(text.rstrip("\r\n"))
    return lines


def _emit(args: argparse.Namespace, payload: Any, text: str) -> None:
    print(json.dumps(payload, ensure_ascii=False) if args.json else text)


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if args.home:
        settings = settings.model_copy(update={"home": Path(args.home)})
    if settings.home.exists() and not settings.home.is_dir():
        raise BadRequest(f"home {str(settings.home)!r} is a file, not a folder")
    return settings


# -- commands ---------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace) -> None:
    from assistant.home import Home, index_catalog

    settings = _settings(args)
    home = Home(settings.home)
    with home.writing("index"):
        summary = index_catalog(
            home,
            Path(args.catalog),
            settings.load_embedder(),
            mapping=_parse_map(args.map),
            progress=True,
        )
    _emit(
        args,
        summary,
        f"indexed {summary['products']} products "
        f"({summary['skipped']} rows skipped) in {summary['seconds']}s",
    )


def cmd_train(args: argparse.Namespace) -> None:
    from assistant.home import Home, train_recommender
    from retrieval.catalog import Product
    from retrieval.search import SearchEngine

    settings = _settings(args)
    home = Home(settings.home)
    products: Sequence[Product] = []
    with home.writing("train"):
        if home.has_catalog():
            products = SearchEngine.load(home.catalog, settings.load_embedder()).products
        summary = train_recommender(
            home,
            Path(args.interactions),
            products,
            algorithm=args.algorithm or settings.recommender,
            mapping=_parse_map(args.map),
        )
    _emit(args, summary, json.dumps(summary, indent=2))


def cmd_search(args: argparse.Namespace) -> None:
    from assistant.catalog import search_payload
    from assistant.shop import Shop

    shop = Shop.open(_settings(args), progress=True)
    if args.batch:
        rows, bad = [], 0
        for number, line in enumerate(_lines(args.batch), start=1):
            query_id, tab, query = line.partition("\t")
            if not line.strip():
                continue
            if not tab or not query_id.strip():
                log.warning("%s:%d: skipped, expected query_id<TAB>query", args.batch, number)
                bad += 1
                continue
            rows.append((query_id, query))
        if bad and not rows:
            raise BadRequest(f"{args.batch}: no line is query_id<TAB>query")
        results = shop.catalog.engine.search_batch([query for _, query in rows], k=args.k)
        for (query_id, _), result in zip(rows, results, strict=True):
            hits = [{"id": h.product.id, "score": round(h.score, 4)} for h in result.hits]
            print(json.dumps({"query_id": query_id, "results": hits}))
        return
    if args.query is None:
        raise BadRequest("give a QUERY or --batch FILE")
    payload = search_payload(shop.catalog.search(args.query, k=args.k))
    text = "\n".join(
        f"{r['id']}  {short_title(r['title'])}  ${r['price']}  ({r['score']})"
        if r["price"] is not None
        else f"{r['id']}  {short_title(r['title'])}  ({r['score']})"
        for r in payload["results"]
    )
    _emit(args, payload, text or "no results")


def cmd_recommend(args: argparse.Namespace) -> None:
    from assistant.shop import Shop

    recommend = Shop.open(_settings(args), progress=True).recommendations.recommend
    if args.batch:
        for line in _lines(args.batch):
            user_id = line.strip()
            # A blank line still gets its (empty) line, so output lines match input lines.
            suggestions = (
                recommend(user_id, args.k, unlisted=True, out_of_stock=args.out_of_stock)[0]
                if user_id
                else []
            )
            items = [{"id": s.product.id, "score": round(s.score, 4)} for s in suggestions]
            print(json.dumps({"user_id": user_id, "items": items}))
        return
    if args.user_id is None:
        raise BadRequest("give a USER_ID or --batch FILE")
    suggestions, filters = recommend(
        args.user_id,
        args.k,
        query=args.query,
        viewing=args.item,
        unlisted=True,
        out_of_stock=args.out_of_stock,
    )
    payload = {
        "user_id": args.user_id,
        "query": args.query,
        "filters": filters.to_dict(),
        "items": [
            {
                "id": s.product.id,
                "title": s.product.title,
                "price": s.product.price,
                "in_stock": None if s.product.stock is None else s.product.in_stock,
                "score": round(s.score, 4),
                "reason": s.reason,
            }
            for s in suggestions
        ],
    }
    text = "\n".join(
        f"{i['id']}  {short_title(i['title'])}  - {i['reason']}" for i in payload["items"]
    )
    _emit(args, payload, text or "no recommendations")


def cmd_ask(args: argparse.Namespace) -> None:
    from dataclasses import asdict

    from assistant.orchestrator import Assistant
    from assistant.shop import Shop

    settings = _settings(args)
    assistant = Assistant.from_settings(settings, Shop.open(settings, progress=True))
    response = assistant.chat(args.message, args.session, args.user)
    _emit(args, asdict(response), f"{response.reply}\n\n[session {response.session_id}]")


def cmd_nlu(args: argparse.Namespace) -> None:
    from assistant.home import Home, train_intents
    from assistant.nlu import IntentModel, extract_entities
    from assistant.nlu.entities import NO_IDS, CatalogIds
    from assistant.nlu.intents import OUT_OF_SCOPE, Prediction, read_examples
    from retrieval.search import SearchEngine

    settings = _settings(args)
    home = Home(settings.home)
    embedder = settings.load_embedder()
    if args.nlu_command == "train":
        try:
            examples = read_examples(Path(args.examples))
        except UnicodeDecodeError as exc:
            raise BadRequest(
                f"{args.examples}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                "re-save the file as UTF-8"
            ) from exc
        with home.writing("nlu train"):
            summary = train_intents(
                home, embedder, examples, replace=args.replace, method=args.method
            )
        _emit(args, summary, json.dumps(summary, indent=2))
        return
    if not IntentModel.fits(home.nlu, embedder):
        train_intents(home, embedder)
    model = IntentModel.load(home.nlu, embedder)
    ids = NO_IDS  # product ids are this home's catalog's, when it has one
    if home.has_catalog():
        ids = CatalogIds(SearchEngine.load(home.catalog, embedder).__contains__)
    texts = _lines(args.batch)
    # A blank line is out_of_scope with confidence 0 (not sent to the model), so output
    # lines match input lines.
    spoken = [text for text in texts if text.strip()]
    predictions = iter(model.predict(spoken))
    for text in texts:
        prediction = next(predictions) if text.strip() else Prediction(OUT_OF_SCOPE, 0.0)
        print(
            json.dumps(
                {
                    "text": text,
                    "intent": prediction.intent,
                    "confidence": prediction.confidence,
                    "entities": extract_entities(text, ids).to_dict(),
                },
                ensure_ascii=False,
            )
        )


def cmd_products(args: argparse.Namespace) -> None:
    from assistant.home import Home
    from assistant.shop import Shop
    from retrieval.catalog import load_catalog

    settings = _settings(args)
    with Home(settings.home).writing(f"products {args.products_command}"):
        shop = Shop.open(settings, progress=True)
        try:
            if args.products_command == "delete":
                shop.catalog.delete(args.ids)
                summary: dict[str, Any] = {"deleted": len(args.ids)}
            else:
                loaded = load_catalog(Path(args.catalog), _parse_map(args.map))
                shop.catalog.add(loaded.products, replace=True)
                summary = {
                    "upserted": len(loaded.products),
                    "skipped": len(loaded.errors),
                    "errors": [vars(e) for e in loaded.errors[:50]],
                    "warnings": [vars(e) for e in loaded.warnings[:50]],
                }
        finally:
            shop.close()
    _emit(args, summary, json.dumps(summary))


def cmd_eval_search(args: argparse.Namespace) -> None:
    from retrieval.catalog import AMAZON_SAMPLE_MAPPING, load_catalog
    from retrieval.errors import RetrievalError
    from retrieval.evaluation import evaluate, load_judged
    from retrieval.search import SearchEngine

    settings = _settings(args)
    try:
        queries = load_judged(Path(args.judgments))
        mapping = _parse_map(args.map)
        if args.map is None and Path(args.catalog) == _AMAZON:
            mapping = dict(AMAZON_SAMPLE_MAPPING)  # the judged set's own catalog
        products = load_catalog(Path(args.catalog), mapping).products
    except (RetrievalError, OSError, ValueError) as exc:
        raise BadRequest(str(exc)) from exc
    engine = SearchEngine.build(products, settings.load_embedder())
    report = evaluate(engine, queries)
    text = "\n".join(
        f"{mode:7} nDCG@10 {m['ndcg']:.3f}  Recall@50 {m['recall']:.3f}  MRR {m['mrr']:.3f}  "
        f"violations {m['violations']:.3f}"
        for mode, m in report.items()
    )
    _emit(args, report, text)


def cmd_eval_nlu(args: argparse.Namespace) -> None:
    from assistant.nlu.evaluation import run

    settings = _settings(args)
    embedder = settings.load_embedder()
    try:
        # oos fits its own temperature and threshold on a validation split.
        options = {} if args.protocol == "oos" else {"calibration": args.calibration}
        metrics = run(args.protocol, Path(args.data), embedder, method=args.method, **options)
    except (OSError, ValueError, KeyError) as exc:
        raise BadRequest(f"cannot run {args.protocol} on {args.data}: {exc}") from exc
    _emit(args, metrics, json.dumps(metrics, indent=2))


def cmd_eval_chat(args: argparse.Namespace) -> None:
    from assistant.chat_eval import DEFAULT_CONVERSATIONS, evaluate, load_conversations

    settings = _settings(args)
    conversations = load_conversations(Path(args.conversations or DEFAULT_CONVERSATIONS))
    metrics = evaluate(settings, conversations, args.llm or settings.llm)
    _emit(args, metrics, json.dumps(metrics, indent=2))


def cmd_eval_recs(args: argparse.Namespace) -> None:
    from recommenders.errors import RecommenderError
    from recommenders.protocols import run

    params = json.loads(args.params) if args.params else None
    try:
        metrics = run(
            args.protocol,
            Path(args.data),
            algorithm=args.algorithm,
            params=params,
            split=args.split,
        )
    except (ValueError, OSError, RecommenderError) as exc:
        raise BadRequest(str(exc)) from exc
    _emit(args, metrics, json.dumps(metrics, indent=2))


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from assistant.api.app import create_app
    from assistant.home import SERVER, Home
    from assistant.shop import Shop

    settings = _settings(args)
    with Home(settings.home).writing(SERVER, wait=0):  # its catalog lives in its memory
        shop = Shop.open(settings, progress=True)  # a damaged home fails here, in one line
        try:
            uvicorn.run(create_app(settings, shop=shop), host=args.host, port=args.port)
        finally:
            shop.close()


def cmd_mcp(args: argparse.Namespace) -> None:
    import anyio

    from assistant.mcp_server import RequireKey, build_server, header_shopper

    settings = _settings(args)
    from assistant.shop import Shop

    shop = Shop.open(settings, progress=True)
    shop.warm_up()
    try:
        if not args.http:
            from mcp.server.stdio import stdio_server

            server = build_server(shop, lambda context: args.user)

            async def serve_stdio() -> None:
                async with stdio_server() as (read, write):
                    await server.run(read, write, server.create_initialization_options())

            anyio.run(serve_stdio)
            return
        import uvicorn

        server = build_server(shop, header_shopper)
        app = server.streamable_http_app(host=args.host)
        uvicorn.run(RequireKey(app, settings.api_key_set()), host=args.host, port=args.port)
    finally:
        shop.close()


# -- parser -------------------------------------------------------------------------------
class _Algorithms:
    """Formats as the registry's algorithm names, importing it only when help is shown."""

    def __str__(self) -> str:
        from recommenders.registry import algorithms
        from recommenders.service import AUTO

        return ", ".join((AUTO, *algorithms()))


def _global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """--home, --json and -v, taken before the command name or after it, as git and docker
    take theirs: after it they only set what was given (no defaults that would undo a value
    given before)."""
    default: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--home", help="data folder (default: $SHOPASSIST_HOME or ~/.shopassist)", **default
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output", **default)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging", **default)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, defaults=False)

    parser = argparse.ArgumentParser(prog="shopassist", description=__doc__)
    parser.add_argument(
        "--version",
        action="version",
        version=f"shopassist {importlib.metadata.version('shopassist')}",
    )
    _global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("index", parents=[common], help="index a product catalog")
    p.add_argument("--catalog", required=True, help="CSV, TSV, JSONL, JSON or Parquet file")
    p.add_argument("--map", nargs="+", action="extend", metavar="FIELD=COLUMN", help=_MAP_HELP)
    p.set_defaults(run=cmd_index)

    p = commands.add_parser("search", parents=[common], help="hybrid product search")
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=int, default=10)
    p.add_argument(
        "--batch",
        help="file of query_id<TAB>query lines; blank lines are skipped, a line without a TAB "
        "is reported on stderr and skipped (exit 2 only when no line is usable)",
    )
    p.set_defaults(run=cmd_search)

    p = commands.add_parser("train", parents=[common], help="train a recommender")
    p.add_argument("--interactions", required=True)
    action = p.add_argument(
        "--algorithm",
        help="one of %(algorithms)s (default: $SHOPASSIST_RECOMMENDER, "
        f"else {Settings.model_fields['recommender'].default})",
    )
    action.algorithms = _Algorithms()  # type: ignore[attr-defined]
    p.add_argument("--map", nargs="+", action="extend", metavar="FIELD=COLUMN", help=_MAP_HELP)
    p.set_defaults(run=cmd_train)

    p = commands.add_parser("recommend", parents=[common], help="recommendations for a user")
    p.add_argument("user_id", nargs="?")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--query", help="constrain to a shopping intent, e.g. 'puzzles under 20'")
    p.add_argument("--item", help="the product the shopper is looking at (cold start)")
    p.add_argument(
        "--out-of-stock",
        action="store_true",
        help="include products out of stock (left out by default)",
    )
    p.add_argument(
        "--batch",
        help="file with one user id per line; one output line per input line "
        '(a blank line gives {"user_id": "", "items": []})',
    )
    p.set_defaults(run=cmd_recommend)

    p = commands.add_parser("nlu", help="the local intent model")
    nlu = p.add_subparsers(dest="nlu_command", required=True)
    t = nlu.add_parser("train", parents=[common], help="train from text,intent CSV rows")
    t.add_argument("--examples", required=True)
    t.add_argument(
        "--replace",
        action="store_true",
        help="replace the built-in intents (their out_of_scope rows stay unless yours have some)",
    )
    t.add_argument(
        "--method",
        choices=["linear", "finetune"],
        default="linear",
        help="linear: seconds; finetune: fine-tunes MiniLM and adds a frozen all-mpnet-base-v2 "
        "probe (minutes; 1-3 points more accurate, ~25 ms more per message)",
    )
    t.set_defaults(run=cmd_nlu)
    t = nlu.add_parser("predict", parents=[common], help="classify one utterance per line")
    t.add_argument(
        "--batch",
        required=True,
        help="file with one utterance per line; one output line per input line (a blank "
        'line gives {"text": "", "intent": "out_of_scope", "confidence": 0.0, ...})',
    )
    t.set_defaults(run=cmd_nlu)

    p = commands.add_parser("ask", parents=[common], help="one chat turn")
    p.add_argument("message")
    p.add_argument("--session")
    p.add_argument("--user")
    p.set_defaults(run=cmd_ask)

    p = commands.add_parser("products", help="change the catalog without a rebuild")
    products = p.add_subparsers(dest="products_command", required=True)
    t = products.add_parser("upsert", parents=[common], help="add or replace from a file")
    t.add_argument("--catalog", required=True, help="CSV, TSV, JSONL, JSON or Parquet file")
    t.add_argument("--map", nargs="+", action="extend", metavar="FIELD=COLUMN", help=_MAP_HELP)
    t.set_defaults(run=cmd_products)
    t = products.add_parser("delete", parents=[common], help="remove products by id")
    t.add_argument("ids", nargs="+")
    t.set_defaults(run=cmd_products)

    p = commands.add_parser("eval", help="offline evaluation with standard metrics")
    evals = p.add_subparsers(dest="eval_command", required=True)
    t = evals.add_parser("search", parents=[common], help="BM25, dense and hybrid side by side")
    t.add_argument("--judgments", default=str(_DEV_SET), help="judged queries (JSONL)")
    t.add_argument("--catalog", default=str(_AMAZON), help="the catalog they judge")
    t.add_argument(
        "--map",
        nargs="+",
        action="extend",
        metavar="FIELD=COLUMN",
        help=f"{_MAP_HELP} (default: the Amazon sample's, for the default catalog)",
    )
    t.set_defaults(run=cmd_eval_search)
    t = evals.add_parser("nlu", parents=[common], help="intent accuracy, macro-F1, OOS")
    t.add_argument("protocol", choices=["bitext", "banking77-10shot", "banking77-full", "oos"])
    t.add_argument("--data", default=str(_SHARED), help="folder with bitext-intents/, banking77/")
    t.add_argument("--method", choices=["linear", "finetune"], default="linear")
    t.add_argument(
        "--calibration",
        type=float,
        default=0.1,
        help="share held out to calibrate confidence (0: train on all; not for oos)",
    )
    t.set_defaults(run=cmd_eval_nlu)

    t = evals.add_parser("chat", parents=[common], help="scripted conversations, per tier")
    t.add_argument("--conversations", help="JSONL conversation set (default: the project's)")
    t.add_argument("--llm", help="backend to evaluate: local (default) or openai:MODEL")
    t.set_defaults(run=cmd_eval_chat)

    t = evals.add_parser("recs", parents=[common], help="published recommender protocols")
    t.add_argument("protocol", choices=["movielens_100k", "amazon_beauty"])
    t.add_argument("--data", required=True, help="u.data (MovieLens) or Beauty.txt")
    t.add_argument("--algorithm", help="default: the protocol's validation-chosen best")
    t.add_argument("--params", help="algorithm parameters as a JSON object")
    t.add_argument("--split", choices=["test", "validation"], default="test")
    t.set_defaults(run=cmd_eval_recs)

    p = commands.add_parser(
        "mcp",
        parents=[common],
        help="serve the store's tools to agent clients over the Model Context Protocol",
        description="Search, products, recommendations, the cart and the shopper's orders as "
        "MCP tools: over stdio for the shopper --user names, or over streamable HTTP at /mcp "
        "for the shopper each request's X-Shopper-Id header names (with SHOPASSIST_API_KEYS "
        "set, requests need one of them).",
    )
    p.add_argument("--user", help="stdio: the shopper the order and cart tools act for")
    p.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(run=cmd_mcp)

    p = commands.add_parser("serve", parents=[common], help="run the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(run=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    # The handler's own level also quiets libraries that set their loggers to DEBUG.
    handler.setLevel(level)
    logging.basicConfig(
        level=level, handlers=[handler], format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        with map_errors():
            _check_text_args(args)
            args.run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
