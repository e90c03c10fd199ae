"""Bytes to rows: encodings, byte-order marks, delimiters, preambles and line numbers.

Every CSV-like export goes through `read_table`, so each loader only maps columns to records.
Real exports arrive as UTF-8, UTF-8 with a BOM (Excel re-saves), UTF-16 tab-separated (some
LinkedIn archives) or ISO-8859-1 (a Salesforce option); some start with a preamble of notes
before the header (LinkedIn Connections since 2019). Line numbers are the physical line in the
file where a row starts, counting from 1, so a report can say ``Connections.csv:57``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from graph.errors import LoadError
from graph.model import Skipped

__all__ = ["decode", "read_table", "Table", "Row", "header_key", "MAX_FIELD"]

#: The largest single field accepted (message bodies can be long; a 10 MB cell is not a name).
MAX_FIELD = 1_000_000
csv.field_size_limit(MAX_FIELD)

_SURROGATE = re.compile("[\ud800-\udfff]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")

Row = tuple[int, list[str]]


def decode(raw: bytes, *, file: str, encoding: str | None = None) -> str:
    """The text of an export, with bytes that fit no encoding kept as lone surrogates.

    With `encoding` given it is used as is (errors marked). Otherwise: a BOM decides (UTF-8,
    UTF-16 LE/BE); UTF-16 without a BOM is recognised by its zero bytes; valid UTF-8 is UTF-8;
    a file with no valid multi-byte UTF-8 sequence at all is a legacy 8-bit file (Windows-1252,
    which covers ISO-8859-1's printable range); otherwise it is UTF-8 with some damaged rows,
    which `read_table` reports and skips.
    """
    if encoding:
        try:
            return raw.decode(encoding, errors="surrogateescape")
        except LookupError as e:
            raise LoadError(f"unknown encoding {encoding!r}", file=file) from e
        except UnicodeError:
            return raw.decode(encoding, errors="replace")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="surrogateescape")
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return _decode_utf16(raw[2:], enc)
    head = raw[:4096]
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        zeros_odd = head[1::2].count(b"\x00")
        zeros_even = head[0::2].count(b"\x00")
        return _decode_utf16(raw, "utf-16-le" if zeros_odd >= zeros_even else "utf-16-be")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if not _UTF8_MULTIBYTE.search(raw):
        return raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else raw.decode("latin-1")
    return raw.decode("utf-8", errors="surrogateescape")


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _decode_utf16(raw: bytes, enc: str) -> str:
    if len(raw) % 2:
        raw = raw[:-1]
    text = raw.decode(enc, errors="replace")
    # A lone surrogate pair half decodes to U+FFFD; mark it like undecodable UTF-8.
    return text.replace("\ufffd", "\udcff")


def header_key(name: str) -> str:
    """A column name as loaders match it: trimmed, lower-case, inner spaces collapsed."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


@dataclass
class Table:
    """A parsed CSV export: its header (as `header_key`s), where the header was, and its rows.

    `rows()` yields ``(line, fields)`` for each data row with as many fields as the header, and
    a `Skipped` for each row that is malformed (wrong number of fields, undecodable bytes, a
    broken quote). Blank lines are passed over silently.
    """

    file: str
    header: list[str]
    raw_header: list[str]
    header_line: int
    delimiter: str
    _text: str
    _start: int

    def col(self, *names: str) -> int | None:
        """Index of the first of `names` present in the header (names as `header_key`s)."""
        for n in names:
            try:
                return self.header.index(n)
            except ValueError:
                continue
        return None

    def rows(self) -> Iterator[Row | Skipped]:
        width = len(self.header)
        damaged = _SURROGATE.search(self._text, self._start) is not None
        lines = io.StringIO(self._text[self._start :], newline="")
        reader = csv.reader(lines, delimiter=self.delimiter)
        base = self.header_line  # physical lines consumed before the first data row
        prev_end = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                line = base + prev_end + 1
                prev_end = reader.line_num
                yield Skipped(self.file, line, f"malformed CSV: {e}")
                continue
            start, prev_end = base + prev_end + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            # The cells themselves are checked: a CR line end makes the csv module count
            # lines differently from a split on LF, so no line-number test is reliable.
            if damaged and any(_SURROGATE.search(f) for f in fields):
                yield Skipped(self.file, start, "undecodable bytes")
                continue
            if len(fields) != width:
                if len(fields) > width and not any(f.strip() for f in fields[width:]):
                    fields = fields[:width]  # trailing empty cells from a spreadsheet re-save
                else:
                    yield Skipped(
                        self.file, start, f"expected {width} fields, found {len(fields)}"
                    )
                    continue
            yield start, fields


def _line_starts(text: str, limit: int) -> list[int]:
    starts = [0]
    pos = 0
    while len(starts) < limit:
        pos = text.find("\n", pos)
        if pos < 0:
            break
        pos += 1
        starts.append(pos)
    return starts


def read_table(
    fp: BinaryIO | bytes,
    *,
    file: str,
    required: Iterable[str] | Iterable[Iterable[str]],
    encoding: str | None = None,
    max_preamble: int = 30,
) -> Table:
    """Find the header of a CSV export and return it as a `Table`.

    `required` lists the column names (as `header_key`s) that identify this export's header;
    an item may itself be a tuple of alternatives (``("url", "profile url")``). The header may
    follow up to `max_preamble` lines of notes. The delimiter (comma, tab or semicolon) is
    taken from the header line.

    Raises `LoadError` for an empty file or one whose header is not found.
    """
    raw = fp if isinstance(fp, bytes) else fp.read()
    if not raw.strip():
        raise LoadError("the file is empty", file=file)
    text = decode(raw, file=file, encoding=encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    groups = [(r,) if isinstance(r, str) else tuple(r) for r in required]
    starts = _line_starts(text, max_preamble + 1)
    for i, off in enumerate(starts):
        end = text.find("\n", off)
        line = text[off : end if end >= 0 else len(text)].rstrip("\r")
        for delim in _delimiters(line):
            try:
                raw_header = next(csv.reader([line], delimiter=delim))
            except (csv.Error, StopIteration):
                continue
            header = [header_key(h) for h in raw_header]
            if all(any(alt in header for alt in g) for g in groups):
                start = end + 1 if end >= 0 else len(text)
                return Table(file, header, raw_header, i + 1, delim, text, start)
    names = ", ".join(" / ".join(g) for g in groups)
    raise LoadError(f"no header with the columns {names} in the first lines", file=file)


def _delimiters(line: str) -> list[str]:
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    return [d for d, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n] or [","]
