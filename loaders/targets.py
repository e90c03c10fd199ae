"""A list of target accounts or people for batch intros and planning.

A CSV with any of these columns (names matched case-insensitively): ``name`` / ``person`` /
``full name``, ``email``, ``company`` / ``account`` / ``account name`` / ``company name``,
``title`` / ``role`` / ``job title``. A row needs a person or a company.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from graph.errors import LoadError
from graph.model import Skipped

from .text import read_table

__all__ = ["TargetRow", "parse_targets"]

_PERSON = ("name", "person", "full name", "contact", "target")
_EMAIL = ("email", "e-mail", "email address")
_COMPANY = ("company", "account", "account name", "company name", "organization", "organisation")
_TITLE = ("title", "role", "job title", "position")


@dataclass(frozen=True)
class TargetRow:
    """One wanted target: a person (name or email) and/or a company, maybe with a title."""

    line: int
    person: str | None
    company: str | None
    title: str | None

    @property
    def label(self) -> str:
        if self.person:
            return self.person + (f" ({self.company})" if self.company else "")
        return (f"{self.title} at " if self.title else "") + (self.company or "")


def parse_targets(fp: BinaryIO | bytes, *, file: str) -> Iterator[TargetRow | Skipped]:
    """Target rows of a CSV list, or `Skipped` for rows that name nobody."""
    try:
        table = read_table(fp, file=file, required=[_PERSON + _EMAIL + _COMPANY])
    except LoadError as e:
        raise LoadError(
            "a targets file needs a column name, email or company", file=file, line=e.line
        ) from e
    cp, ce, cc, ct = (table.col(*_PERSON), table.col(*_EMAIL), table.col(*_COMPANY), table.col(*_TITLE))

    def get(fields: list[str], i: int | None) -> str | None:
        return (fields[i].strip() or None) if i is not None else None

    for row in table.rows():
        if isinstance(row, Skipped):
            yield row
            continue
        line, fields = row
        person = get(fields, ce) or get(fields, cp)
        company, title = get(fields, cc), get(fields, ct)
        if not person and not company:
            yield Skipped(file, line, "names no person and no company")
            continue
        yield TargetRow(line, person, company, title)
