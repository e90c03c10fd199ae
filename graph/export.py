"""Writers for files people open elsewhere: CSV (safe in spreadsheets) and JSON Lines.

Both are written atomically (a temporary file beside the target, renamed into place), so a
reader never sees half a file and a failed write leaves the old file as it was. Every CSV cell
goes through `graph.escape.csv_cell`, so a name like ``=HYPERLINK(...)`` stays text; every
JSON line through `graph.escape.json_text` (exact, no raw control characters).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from graph.errors import UsageError
from graph.escape import csv_cell, json_text

__all__ = ["write_table", "table_format"]


def table_format(path: str | os.PathLike) -> str:
    """``csv`` or ``jsonl`` from a file name; anything else is a usage error."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise UsageError(f"{path}: write .csv or .jsonl")


def write_table(path: str | os.PathLike, rows: Iterable[dict], fields: Sequence[str]) -> int:
    """Write `rows` (dicts) to `path` as CSV or JSON Lines by its extension; returns the count.

    CSV gets exactly `fields` as columns, values neutralised for spreadsheets; JSON Lines
    keeps each row whole.
    """
    p = Path(path)
    fmt = table_format(p)
    tmp = p.with_name(f".{p.name}.tmp{os.getpid()}")
    n = 0
    try:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            if fmt == "csv":
                w = csv.writer(f, delimiter="\t" if p.suffix.lower() == ".tsv" else ",")
                w.writerow(fields)
                for row in rows:
                    w.writerow([csv_cell(_cell(row.get(k))) for k in fields])
                    n += 1
            else:
                for row in rows:
                    f.write(json_text(row) + "\n")
                    n += 1
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n


def _cell(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return " > ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value
