"""Loaders: exports on disk into records (`graph.model`), and nothing else.

Each source has one module with pure ``parse_*(fileobj, ...)`` functions that read bytes and
yield records or `Skipped` rows, plus a ``read_*(path)`` wrapper. This package owns what is
common: paths, folders and zips (`loaders.archive`), encodings and preambles
(`loaders.text`), and recognising which export a path is (`detect`, `open_units`).

An import *unit* is what goes into the workspace in one transaction: a LinkedIn archive, a
Salesforce export, or one file. The unit's digest (SHA-256 of its content) makes re-importing
the same export a no-op.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from graph.errors import LoadError, UnknownFormat, UsageError
from graph.model import Record

from .archive import Archive, open_archive, read_path

__all__ = ["Unit", "open_units", "detect_file", "FORMATS", "parse_mapping"]

#: What `--format` accepts, and what a refused file's message lists.
FORMATS = ("linkedin", "hubspot", "salesforce", "csv", "vcard", "ics", "mbox")

_HEAD = 8192


@dataclass
class Unit:
    """One export to import in one transaction.

    `records()` parses lazily; `lines` estimates how many rows it holds (for progress bars).
    """

    label: str
    format: str
    digest: str
    lines: int
    records: Callable[[], Iterator[Record]]


def parse_mapping(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["E-mail=email", "Org=company"]`` into ``{"E-mail": "email", "Org": "company"}``."""
    out: dict[str, str] = {}
    for p in pairs:
        col, sep, field = p.partition("=")
        if not sep or not col.strip() or not field.strip():
            raise UsageError(f"--map wants COLUMN=FIELD, got {p!r}")
        out[col.strip()] = field.strip().lower()
    return out


def _digest(chunks: list[bytes], salt: str) -> str:
    h = hashlib.sha256(salt.encode())
    for c in chunks:
        h.update(hashlib.sha256(c).digest())
    return h.hexdigest()


def detect_file(name: str, head: bytes) -> str | None:
    """The format of a single file from its name and first bytes, or None.

    Returns one of `FORMATS` (``linkedin`` for a lone LinkedIn CSV such as Connections.csv).
    """
    from . import hubspot, ics, linkedin, mbox, salesforce, vcard

    for fmt, mod in (
        ("linkedin", linkedin),
        ("hubspot", hubspot),
        ("salesforce", salesforce),
        ("vcard", vcard),
        ("ics", ics),
        ("mbox", mbox),
    ):
        if mod.sniff(name, head):
            return fmt
    return None


def _detect_archive(archive: Archive) -> str | None:
    from . import linkedin, salesforce

    names = archive.names()
    if linkedin.sniff_archive(names):
        return "linkedin"
    if salesforce.sniff_archive(names):
        return "salesforce"
    return None


def _refuse(label: str, why: str) -> UnknownFormat:
    return UnknownFormat(
        f"{why}; tiegraph reads: LinkedIn data export (zip, folder or its CSVs), HubSpot contact "
        "export, Salesforce data export (zip, folder or its CSVs), vCard (.vcf), iCalendar "
        "(.ics), mbox/.eml, or any CSV with --map COLUMN=FIELD",
        file=label,
    )


def open_units(
    paths: list[str | os.PathLike],
    *,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    owner: str | None = None,
) -> list[Unit]:
    """The import units for the paths a user named, each recognised and ready to parse.

    A folder that is itself a LinkedIn or Salesforce export is one unit; any other folder
    contributes each file in it. Raises `LoadError` (naming the file) for a path that does
    not exist, is empty, or is no known export.
    """
    if format not in ("auto", *FORMATS):
        raise UsageError(f"unknown --format {format!r}; use auto or one of {', '.join(FORMATS)}")
    if mapping and format not in ("auto", "csv"):
        raise UsageError("--map applies to --format csv only")
    fmt_forced = "csv" if mapping else format
    units: list[Unit] = []
    for raw in paths:
        p = Path(raw)
        label = str(raw)
        if not p.exists():
            raise LoadError("no such file or folder", file=label)
        if p.is_dir() or (p.suffix.lower() == ".zip"):
            archive = open_archive(p)
            fmt = fmt_forced if fmt_forced in ("linkedin", "salesforce") else _detect_archive(archive)
            if fmt is not None:
                units.append(_archive_unit(archive, fmt, owner))
                continue
            if not p.is_dir():
                raise _refuse(label, "a zip that is no LinkedIn or Salesforce export")
            files = [p / n for n in archive.names()]
            if not files:
                raise LoadError("the folder is empty", file=label)
            units.extend(
                open_units(files, format=format, mapping=mapping, owner=owner)  # type: ignore[arg-type]
            )
            continue
        units.append(_file_unit(p, fmt_forced, mapping, owner))
    return units


def _archive_unit(archive: Archive, fmt: str, owner: str | None) -> Unit:
    from . import linkedin, salesforce

    contents = [archive.read(n) for n in archive.names()]
    digest = _digest(contents, f"{fmt}\0{owner or ''}")
    lines = sum(c.count(b"\n") for c in contents)
    parse = linkedin.parse_archive if fmt == "linkedin" else salesforce.parse_export
    return Unit(archive.label, fmt, digest, lines, lambda: parse(archive, owner=owner))


def _file_unit(p: Path, fmt: str, mapping: Mapping[str, str] | None, owner: str | None) -> Unit:
    from . import csvmap, hubspot, ics, linkedin, mbox, salesforce, vcard

    label = str(p)
    raw = read_path(p)
    if not raw.strip():
        raise LoadError("the file is empty", file=label)
    if fmt == "auto":
        detected = detect_file(p.name, raw[:_HEAD])
        if detected is None:
            raise _refuse(label, "not a known export")
        fmt = detected
    digest = _digest([raw], f"{fmt}\0{owner or ''}\0{sorted((mapping or {}).items())}")
    lines = raw.count(b"\n") + 1
    parsers: dict[str, Callable[[], Iterator[Record]]] = {
        "linkedin": lambda: linkedin.parse_file(BytesIO(raw), file=label, owner=owner),
        "hubspot": lambda: hubspot.parse_contacts(BytesIO(raw), file=label, owner=owner),
        "salesforce": lambda: salesforce.parse_file(BytesIO(raw), file=label, owner=owner),
        "csv": lambda: csvmap.parse_mapped(
            BytesIO(raw), file=label, mapping=dict(mapping or {}), owner=owner
        ),
        "vcard": lambda: vcard.parse_vcards(BytesIO(raw), file=label, owner=owner),
        "ics": lambda: ics.parse_calendar(BytesIO(raw), file=label, owner=owner),
        "mbox": lambda: mbox.parse_mail(BytesIO(raw), file=label, owner=owner),
    }
    if fmt == "csv" and not mapping:
        raise UsageError(f"{label}: a generic CSV needs --map COLUMN=FIELD (e.g. --map Email=email)")
    return Unit(label, fmt, digest, lines, parsers[fmt])
