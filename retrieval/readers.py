"""Tabular files (CSV, TSV, JSON lines, JSON arrays, Parquet) read as a stream of raw
records: a dict of source column -> value, tagged with where the record starts. Mapping
columns to fields and validating values is left to the loaders (:mod:`retrieval.catalog`
for products, :mod:`recommenders.interactions` for events), so both read files alike."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMATS = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet")

# Product descriptions exported from shop systems can exceed csv's 128 KiB default.
_MAX_CSV_FIELD = 16 * 1024 * 1024
_PARQUET_BATCH = 65_536
_UNBALANCED = "unbalanced quotes: a quoted field left open would swallow the rows after it"


class TableError(ValueError):
    """The file as a whole cannot be read (unknown format, missing, not UTF-8, malformed
    structure); the message names the file. A single unreadable record is not an error: it
    comes as a :class:`RawRecord` with a ``problem``."""


@dataclass(frozen=True)
class RawRecord:
    """One source record: ``values`` maps source column -> value; when the record cannot
    be read at all, ``values`` is None and ``problem`` says why."""

    line: int
    """Physical line where the record starts (CSV, TSV, JSON lines) or its 1-based number
    (JSON arrays, Parquet)."""
    values: dict[str, Any] | None
    problem: str = ""


@dataclass
class Table:
    """A file's columns and its records, read lazily while the table is open."""

    columns: list[str] | None
    """The header (CSV, TSV, Parquet); None for JSON formats, whose records each name their
    own columns (see :func:`json_columns`)."""
    records: Iterator[RawRecord]


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open `path` with the reader its extension names. Whole-file problems raise
    :class:`TableError`, also when they surface while iterating the records."""
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in FORMATS:
        raise TableError(
            f"{path}: unknown file format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            yield _parquet(path)
            return
        with path.open(newline="", encoding="utf-8-sig") as handle:
            if suffix in (".csv", ".tsv"):
                yield _delimited(handle, "\t" if suffix == ".tsv" else None, path)
            elif suffix == ".json":
                yield Table(None, _json_array(handle, path))
            else:
                yield Table(None, _json_lines(handle))
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: cannot read: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise TableError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def json_columns(records: Iterable[RawRecord]) -> list[str]:
    """Every column named by `records`, in first-seen order (for formats without a header)."""
    seen: dict[str, None] = {}
    for record in records:
        if record.values is not None:
            seen.update(dict.fromkeys(record.values))
    return list(seen)


def _delimited(handle: IO[str], delimiter: str | None, path: Path) -> Table:
    """A delimited table; `delimiter` None: a comma, or a semicolon when the header has more
    of those (spreadsheets export ";" where the decimal mark is a comma)."""
    header_line = handle.readline()
    if not header_line:
        raise TableError(f"{path}: empty file, expected a header row")
    if delimiter is None:
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    rows = csv_rows(itertools.chain([header_line], handle), delimiter, path)
    first_row = next(rows, (1, []))
    if isinstance(first_row[1], str):
        raise TableError(f"{path}, line 1: {first_row[1]}")
    header = [name.strip() for name in first_row[1]]
    if not any(header):
        raise TableError(f"{path}: the first line must be a header row")
    # A repeated column name keeps its first column; nameless columns are ignored.
    first = {name: index for index, name in reversed(list(enumerate(header))) if name}

    def records() -> Iterator[RawRecord]:
        for start, row in rows:
            if isinstance(row, str):
                yield RawRecord(start, None, row)
            elif not any(cell.strip() for cell in row):
                continue  # blank line: no record
            elif len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
                problem = f"{len(row)} fields, the header has {len(header)} (unquoted delimiter?)"
                yield RawRecord(start, None, problem)
            else:
                yield RawRecord(start, {name: row[i] for name, i in first.items() if i < len(row)})

    return Table(sorted(first, key=first.__getitem__), records())


class _Lines:
    """Text lines, remembering those read since the last `mark()`."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.rest = lines
        self.kept: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.rest)
        self.kept.append(line)
        return line

    def mark(self) -> None:
        self.kept = []


def csv_rows(
    lines: Iterable[str], delimiter: str, path: Path
) -> Iterator[tuple[int, list[str] | str]]:
    """Yield (start line, fields) per row, or (start line, problem) for a row over several
    lines whose quotes do not pair up (a quote left open swallows the rows after it): that
    row is reported and the lines after its first are read again as rows of their own.
    Fields may be up to 16 MiB; malformed CSV beyond that is a :class:`TableError`."""
    csv.field_size_limit(max(csv.field_size_limit(), _MAX_CSV_FIELD))
    source, first_line = iter(lines), 1
    while True:
        tracked = _Lines(source)
        reader = csv.reader(tracked, delimiter=delimiter)
        while True:
            start = reader.line_num + first_line
            tracked.mark()
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"{path}, line {start}: malformed CSV: {exc}") from exc
            kept = tracked.kept
            if len(kept) > 1 and _badly_quoted(kept, delimiter):
                yield start, _UNBALANCED
                source, first_line = itertools.chain(kept[1:], tracked.rest), start + 1
                break
            yield start, row


def _badly_quoted(lines: list[str], delimiter: str) -> bool:
    try:
        list(csv.reader(lines, delimiter=delimiter, strict=True))
    except csv.Error:
        return True
    return False


def _json_lines(handle: IO[str]) -> Iterator[RawRecord]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRecord(number, None, f"invalid JSON: {exc.msg}")
            continue
        yield _object(number, value)


def _json_array(handle: IO[str], path: Path) -> Iterator[RawRecord]:
    try:
        data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise TableError(f"{path}, line {exc.lineno}: invalid JSON: {exc.msg}") from exc
    if not isinstance(data, list):
        raise TableError(f"{path}: expected a JSON array of objects")
    for number, value in enumerate(data, start=1):
        yield _object(number, value)


def _object(number: int, value: Any) -> RawRecord:
    if not isinstance(value, dict):
        return RawRecord(number, None, f"expected a JSON object, got {type(value).__name__}")
    return RawRecord(number, {str(key).strip(): item for key, item in value.items()})


def _parquet(path: Path) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowException as exc:
        raise TableError(f"{path}: not a readable Parquet file: {exc}") from exc

    def records() -> Iterator[RawRecord]:
        number = 0
        try:
            for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH):
                for values in batch.to_pylist():
                    number += 1
                    yield RawRecord(number, values)
        except pa.ArrowException as exc:
            raise TableError(f"{path}: not a readable Parquet file: {exc}") from exc

    return Table(list(parquet.schema_arrow.names), records())
