"""Format readers for catalog files: each turns one file into raw records (a dict of
source column -> value) tagged with where the record starts, leaving field mapping and
validation to :mod:`retrieval.catalog`."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CatalogError

# Product descriptions exported from shop systems can exceed csv's 128 KiB default.
_MAX_CSV_FIELD = 16 * 1024 * 1024


@dataclass
class RawRecord:
    """One source record: ``values`` maps source column -> value; when the record
    cannot be read at all, ``values`` is None and ``problem`` says why."""

    line: int
    """Physical line where the record starts (CSV/TSV/JSONL) or its 1-based number
    (JSON, Parquet)."""
    values: dict[str, Any] | None
    problem: str = ""


@dataclass
class RawTable:
    """All records of one file plus the columns seen in it (in first-seen order)."""

    columns: list[str]
    records: list[RawRecord] = field(default_factory=list)


def read_table(path: Path) -> RawTable:
    """Read ``path`` with the reader its extension names (.csv, .tsv, .jsonl, .ndjson,
    .json, .parquet). Raises CatalogError for unknown formats and unreadable files."""
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        known = ", ".join(sorted(_READERS))
        raise CatalogError(f"{path}: unknown catalog format {path.suffix!r}; use one of {known}")
    try:
        return reader(path)
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text ({exc.reason}); re-save as UTF-8") from exc
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _read_delimited(path: Path, delimiter: str) -> RawTable:
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_FIELD))
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle, delimiter=delimiter)
        try:
            header = [name.strip() for name in next(rows)]
        except StopIteration:
            raise CatalogError(f"{path}: empty file, expected a header row") from None
        if not any(header):
            raise CatalogError(f"{path}: the first line must be a header row")
        # A repeated column name keeps its first column; nameless columns are ignored.
        first = {name: index for index, name in reversed(list(enumerate(header))) if name}
        table = RawTable(columns=sorted(first, key=first.__getitem__))
        for start, row in _rows_with_lines(rows, path):
            if not any(cell.strip() for cell in row):
                continue  # blank line: no record
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
                problem = f"{len(row)} fields, the header has {len(header)} (unquoted delimiter?)"
                table.records.append(RawRecord(start, None, problem))
                continue
            values = {name: row[index] for name, index in first.items() if index < len(row)}
            table.records.append(RawRecord(start, values))
    return table


def _rows_with_lines(rows: Any, path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (start line, row); ``rows.line_num`` is the line where a row ends."""
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CatalogError(f"{path}, line {start}: malformed CSV: {exc}") from exc
        yield start, row


def _read_jsonl(path: Path) -> RawTable:
    table = RawTable(columns=[])
    seen: dict[str, None] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                table.records.append(RawRecord(number, None, f"invalid JSON: {exc.msg}"))
                continue
            table.records.append(_object_record(number, value, seen))
    table.columns = list(seen)
    return table


def _read_json(path: Path) -> RawTable:
    with path.open(encoding="utf-8-sig") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise CatalogError(f"{path}, line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise CatalogError(f"{path}: expected a JSON array of product objects")
    seen: dict[str, None] = {}
    records = [_object_record(number, value, seen) for number, value in enumerate(data, 1)]
    return RawTable(columns=list(seen), records=records)


def _object_record(number: int, value: Any, seen: dict[str, None]) -> RawRecord:
    if not isinstance(value, dict):
        return RawRecord(number, None, f"expected a JSON object, got {type(value).__name__}")
    values = {str(key).strip(): item for key, item in value.items()}
    seen.update(dict.fromkeys(values))
    return RawRecord(number, values)


def _read_parquet(path: Path) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except pa.ArrowException as exc:
        raise CatalogError(f"{path}: not a readable Parquet file: {exc}") from exc
    records = [RawRecord(number, values) for number, values in enumerate(table.to_pylist(), 1)]
    return RawTable(columns=list(table.column_names), records=records)


_READERS: dict[str, Callable[[Path], RawTable]] = {
    ".csv": lambda path: _read_delimited(path, ","),
    ".tsv": lambda path: _read_delimited(path, "\t"),
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".json": _read_json,
    ".parquet": _read_parquet,
}
