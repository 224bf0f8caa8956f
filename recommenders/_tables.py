"""Row sources for interaction files: CSV/TSV, JSON lines and Parquet, read as plain records."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from recommenders.errors import InteractionsError

Record = Mapping[str, object]
"""One row as column name -> raw value (str for text formats, Python objects for the rest)."""

FORMATS = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")


class BadRecord(ValueError):
    """A row that cannot be read at all (bad JSON, wrong number of fields)."""


@dataclass
class Table:
    """The columns of a file and its rows as `(line, record)`; a `BadRecord` row is an error.

    `columns` is None when the format has no header (JSON lines): each record names its own.
    """

    columns: list[str] | None
    rows: Iterator[tuple[int, Record | BadRecord]]


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open `path` by its extension; whole-file problems raise `InteractionsError`."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InteractionsError(
            f"{path}: unknown interactions format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    if not path.is_file():
        raise InteractionsError(f"{path}: no such file")
    try:
        if suffix == ".parquet":
            yield _parquet(path)
        else:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                if suffix in (".csv", ".tsv"):
                    yield _delimited(handle, "\t" if suffix == ".tsv" else ",", path)
                else:
                    yield Table(None, _json_lines(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InteractionsError(f"{path}: cannot read interactions: {exc}") from exc


def _delimited(handle: Iterator[str], delimiter: str, path: Path) -> Table:
    reader = csv.reader(handle, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise InteractionsError(f"{path}: empty file, expected a header row")
    header = [name.strip() for name in header]

    def rows() -> Iterator[tuple[int, Record | BadRecord]]:
        line = reader.line_num + 1
        for fields in reader:
            if fields and any(field.strip() for field in fields):
                if len(fields) == len(header):
                    yield line, dict(zip(header, fields, strict=True))
                else:
                    yield line, BadRecord(f"expected {len(header)} fields, got {len(fields)}")
            line = reader.line_num + 1

    return Table(header, rows())


def _json_lines(handle: Iterator[str]) -> Iterator[tuple[int, Record | BadRecord]]:
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            yield line, BadRecord(f"invalid JSON: {exc.msg}")
            continue
        if isinstance(record, dict):
            yield line, record
        else:
            yield line, BadRecord("expected a JSON object")


def _parquet(path: Path) -> Table:
    import pyarrow
    import pyarrow.parquet

    try:
        parquet = pyarrow.parquet.ParquetFile(path)
    except pyarrow.ArrowException as exc:
        raise InteractionsError(f"{path}: cannot read Parquet: {exc}") from exc

    def rows() -> Iterator[tuple[int, Record | BadRecord]]:
        line = 0
        try:
            for batch in parquet.iter_batches(batch_size=65_536):
                for record in batch.to_pylist():
                    line += 1
                    yield line, record
        except pyarrow.ArrowException as exc:
            raise InteractionsError(f"{path}: cannot read Parquet: {exc}") from exc

    return Table(list(parquet.schema_arrow.names), rows())
