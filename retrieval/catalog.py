"""Product catalog: the :class:`Product` record and :func:`load_catalog`, which reads
CSV, TSV, JSON lines, JSON and Parquet files into products, reporting bad rows."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import CatalogError
from .readers import TableError, json_columns, open_table
from .text import normalize_category

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass
class Product:
    """One catalog product. Text fields are ``""`` and numbers ``None`` when unknown."""

    id: str
    title: str
    description: str = ""
    category: str = ""
    """Category path normalised to ``"A > B > C"``."""
    brand: str = ""
    price: float | None = None
    currency: str = "USD"
    color: str = ""
    size: str = ""
    stock: int | None = None
    """Units in stock; None when the catalog does not say."""
    rating: float | None = None
    image_url: str = ""
    url: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
    """Every other source column, by its source name."""

    @property
    def in_stock(self) -> bool:
        """True unless the stock is known to be zero (or less)."""
        return self.stock is None or self.stock > 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of all fields."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Product:
        """Rebuild a product from :meth:`to_dict` output; unknown keys are ignored."""
        known = {name: data[name] for name in _FIELD_NAMES if name in data}
        known["attributes"] = dict(data.get("attributes") or {})
        return cls(**known)


@dataclass
class RowError:
    """A source row that was skipped, and why."""

    file: str
    line: int
    """Physical line where the record starts (header = line 1) for CSV, TSV and JSON
    lines; the 1-based record number for JSON and Parquet."""
    reason: str


@dataclass
class CatalogLoad:
    """The products read from a catalog file, the rows that were skipped (`errors`) and the
    unreadable values of optional fields that were left out of kept products (`warnings`)."""

    products: list[Product]
    errors: list[RowError]
    warnings: list[RowError] = field(default_factory=list)


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Product))
FIELDS: tuple[str, ...] = tuple(name for name in _FIELD_NAMES if name != "attributes")
"""Canonical catalog field names that ``mapping`` may map source columns to."""
REQUIRED_FIELDS = ("id", "title")
AMAZON_SAMPLE_MAPPING: Mapping[str, str] = {
    "id": "Uniq Id",
    "title": "Product Name",
    "category": "Category",
    "price": "Selling Price",
    "description": "About Product",
}
"""The ``mapping`` for the Amazon listings sample that benchmarks and evaluations read
(shared/data/catalog-amazon-1000, a 2020 scrape's schema): its own brand and description
columns are empty, so the description comes from "About Product"."""
# Other common column names for canonical fields, used when no column has the field's
# own name and ``mapping`` does not name one.
_ALIASES = {
    "colour": "color",
    "image": "image_url",
    "image_link": "image_url",
    "link": "url",
    "name": "title",
    "product_id": "id",
    "product_name": "title",
    "sku": "id",
}

_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_CURRENCY_CODES = "USD|EUR|GBP|JPY|INR|CAD|AUD|NZD|CHF|CNY|SEK|NOK|DKK|PLN|MXN|BRL"
_CURRENCY = rf"(?:[A-Z]{{0,2}}[$€£¥₹]|\b(?:{_CURRENCY_CODES})\b)"
_AMOUNT = r"\d{1,3}(?:[,.'\s]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_PRICE = re.compile(
    rf"{_CURRENCY}?\s*(?P<low>{_AMOUNT})\s*{_CURRENCY}?"
    rf"(?:\s*(?:-|–|—|to)\s*{_CURRENCY}?\s*(?:{_AMOUNT})\s*{_CURRENCY}?)?",
    re.IGNORECASE,
)
_RATING = re.compile(
    r"(?P<value>\d+(?:[.,]\d+)?)\s*(?:(?:/|out of)\s*\d+(?:[.,]\d+)?)?\s*(?:stars?)?",
    re.IGNORECASE,
)


def parse_price(value: object) -> float | None:
    """Read a price from a number or a string such as ``"$1,299.99"``, ``"12.99"``,
    ``"EUR 5,00"`` (decimal comma) or ``"1.299,99 €"``; a range ``"$10.00 - $20.00"``
    gives its low end. Blank or None gives None. Raises ValueError for anything else
    (words, negative amounts, several prices run together)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a price: {value!r}")
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        if value < 0 or math.isinf(value):
            raise ValueError(f"not a price: {value!r}")
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    match = _PRICE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a price: {text!r}")
    return _amount(match["low"])


def _amount(text: str) -> float:
    """Turn a number with thousands separators and a decimal point or comma into a float."""
    text = re.sub(r"['\s]", "", text)
    if "," in text and "." in text:
        decimal, thousands = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        text = text.replace(thousands, "").replace(decimal, ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        # One comma not followed by exactly three digits is a decimal comma ("5,00").
        text = f"{head}.{tail}" if "," not in head and len(tail) != 3 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    return float(text)


def currency_in(value: object) -> str:
    """The currency a price string names ("" when none)."""
    if not isinstance(value, str):
        return ""
    code = re.search(rf"\b(?:{_CURRENCY_CODES})\b", value, re.IGNORECASE)
    if code:
        return code[0].upper()
    return next((name for sign, name in _CURRENCY_SIGNS.items() if sign in value), "")


def load_catalog(path: str | Path, mapping: Mapping[str, str] | None = None) -> CatalogLoad:
    """Load products from a catalog file; the format follows the extension (.csv, .tsv,
    .jsonl/.ndjson, .json array, .parquet).

    ``mapping`` maps canonical field names (:data:`FIELDS`) to source column names;
    other fields match source columns by name, ignoring case, spaces and punctuation
    (``"Image URL"`` -> ``image_url``), then by a few common aliases (``name``, ``sku``,
    ``colour``, ...). Columns that map to no field are kept in
    ``Product.attributes``. Blank cells count as absent.

    Bad rows (missing id or title, duplicate id, unreadable record) are reported in
    ``CatalogLoad.errors`` and skipped; an unreadable price, stock or rating is left out of
    its product, which is kept, and reported in ``CatalogLoad.warnings``. Raises
    CatalogError when the file as a whole cannot be used (unreadable, unknown format, id
    or title column missing, ``mapping`` naming an unknown field or column).
    """
    path = Path(path)
    products: list[Product] = []
    errors: list[RowError] = []
    warnings: list[RowError] = []
    first_line: dict[str, int] = {}
    try:
        with open_table(path) as table:
            present = table.columns
            if present is None:  # JSON: the columns are all the keys the records name
                with open_table(path) as again:
                    present = json_columns(again.records)
            columns = _resolve_columns(present, mapping or {}, path)
            for record in table.records:
                if record.values is None:
                    errors.append(RowError(str(path), record.line, record.problem))
                    continue
                try:
                    product, problems = _product(record.values, columns)
                except ValueError as exc:
                    errors.append(RowError(str(path), record.line, str(exc)))
                    continue
                if product.id in first_line:
                    reason = f"duplicate id {product.id!r} (first on line {first_line[product.id]})"
                    errors.append(RowError(str(path), record.line, reason))
                    continue
                first_line[product.id] = record.line
                products.append(product)
                warnings += (RowError(str(path), record.line, p) for p in problems)
    except TableError as exc:
        raise CatalogError(str(exc)) from exc
    logger.info(
        "loaded %d products from %s, skipped %d bad rows, left out %d unreadable values",
        len(products),
        path,
        len(errors),
        len(warnings),
    )
    for problem in (errors + warnings)[:5]:
        logger.warning("%s, line %d: %s", problem.file, problem.line, problem.reason)
    return CatalogLoad(products=products, errors=errors, warnings=warnings)


def _column_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def _resolve_columns(present: list[str], mapping: Mapping[str, str], path: Path) -> dict[str, str]:
    """Map each canonical field to the one of the `present` columns that holds it."""
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise CatalogError(
            f"unknown catalog field(s) {', '.join(unknown)} in the mapping; "
            f"fields are: {', '.join(FIELDS)}"
        )
    columns: dict[str, str] = {}
    for name, column in mapping.items():
        if column not in present:
            raise CatalogError(
                f"{path}: column {column!r} (mapped to {name}) not found; "
                f"columns found: {', '.join(present) or 'none'}"
            )
        columns[name] = column
    by_key: dict[str, str] = {}
    for column in present:
        if column not in columns.values():
            by_key.setdefault(_column_key(column), column)
    for name in FIELDS:
        keys = [name, *(alias for alias, field in _ALIASES.items() if field == name)]
        source = next((by_key[key] for key in keys if key in by_key), None)
        if name not in columns and source is not None:
            columns[name] = source
    found = ", ".join(present) or "none"
    for name in REQUIRED_FIELDS:
        if name not in columns:
            raise CatalogError(
                f"{path}: no {name!r} column (columns found: {found}); "
                f"name the column that holds it with --map {name}=COLUMN"
            )
    return columns


def _product(values: dict[str, Any], columns: dict[str, str]) -> tuple[Product, list[str]]:
    """Build a product from one record, and say which optional values could not be read
    (they are left out); raises ValueError with the reason when the record is bad."""
    fields = {name: values.get(column) for name, column in columns.items()}
    product = Product(id=_text(fields.get("id")), title=_text(fields.get("title")))
    for name in REQUIRED_FIELDS:
        if not getattr(product, name):
            raise ValueError(f"missing {name}")
    for name in ("description", "brand", "color", "size", "image_url", "url"):
        setattr(product, name, _text(fields.get(name)))
    product.category = normalize_category(_text(fields.get("category")))
    problems: list[str] = []
    product.price = _parsed("price", parse_price, fields.get("price"), problems)
    product.currency = (
        _text(fields.get("currency")).upper() or currency_in(fields.get("price")) or "USD"
    )
    product.stock = _parsed("stock", _parse_stock, fields.get("stock"), problems)
    product.rating = _parsed("rating", _parse_rating, fields.get("rating"), problems)
    used = set(columns.values())
    for column, value in values.items():
        text = _text(value)
        if column not in used and text:
            product.attributes[column] = text
    return product, problems


def _parsed(
    name: str, parse: Callable[[object], _T | None], value: object, problems: list[str]
) -> _T | None:
    """`parse(value)`, or None with the problem added to `problems`."""
    try:
        return parse(value)
    except ValueError:
        shown = value if len(str(value)) <= 60 else f"{str(value)[:57]}..."
        problems.append(f"unreadable {name} {shown!r} left out")
        return None


def _text(value: object) -> str:
    """A cell as stripped text: None/NaN -> "", whole floats without ".0", lists and
    dicts as JSON."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _parse_stock(value: object) -> int | None:
    if isinstance(value, bool):
        raise ValueError("not a count")
    if isinstance(value, int):
        return value
    text = _text(value).replace(",", "")
    if not text:
        return None
    number = float(text)
    if not number.is_integer():
        raise ValueError("not a count")
    return int(number)


def _parse_rating(value: object) -> float | None:
    if isinstance(value, bool):
        raise ValueError("not a rating")
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    text = _text(value)
    if not text:
        return None
    match = _RATING.fullmatch(text)
    if match is None:
        raise ValueError("not a rating")
    return float(match["value"].replace(",", "."))
