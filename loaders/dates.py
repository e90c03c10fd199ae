"""Dates as exports write them, into naive UTC datetimes.

One parser for every loader, because the same export writes dates differently by year and by
whether Excel touched the file: ``30 May 2024``, ``6-Feb-26``, ``1/8/18, 6:14 PM``,
``2024-12-16 18:24:37 UTC``, ``2026-03-10 14:22``, ``2024-03-10T14:22:00.000Z``, ``Mar 2019``.
Slash dates are read month first (the US layout LinkedIn and Salesforce use) unless the first
number cannot be a month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

__all__ = ["parse_datetime", "parse_date", "BadDate"]


class BadDate(ValueError):
    """A date cell that no known layout reads; loaders turn it into a skipped row."""


_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %Y",
    "%B %Y",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%Y%m%dT%H%M%S",
    "%Y%m%d",
    "%Y",
)


@lru_cache(maxsize=65536)
def parse_datetime(value: str | None) -> datetime | None:
    """A naive UTC datetime for a date cell, None for an empty one.

    Raises `BadDate` for text that is no date in any known layout.

    >>> parse_datetime("1/8/18, 6:14 PM")
    datetime.datetime(2018, 1, 8, 18, 14)
    >>> parse_datetime("2024-12-16 18:24:37 UTC")
    datetime.datetime(2024, 12, 16, 18, 24, 37)
    >>> parse_datetime("6-Feb-26")
    datetime.datetime(2026, 2, 6, 0, 0)
    """
    if value is None:
        return None
    s = " ".join(value.strip().split())
    if not s:
        return None
    if s.endswith(" UTC") or s.endswith(" GMT"):
        s = s[:-4]
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        dt = None
    if dt is None:
        for fmt in _FORMATS:
            try:
                dt = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        raise BadDate(f"unreadable date {value.strip()[:40]!r}")
    if dt.tzinfo is not None:
        try:
            dt = dt.astimezone(UTC).replace(tzinfo=None)
        except OverflowError as e:
            raise BadDate(f"date out of range {value.strip()[:40]!r}") from e
    if not 1900 <= dt.year <= 2100:
        raise BadDate(f"date out of range {value.strip()[:40]!r}")
    return dt


def parse_date(value: str | None) -> date | None:
    """Like `parse_datetime`, keeping only the day.

    >>> parse_date("Mar 2019")
    datetime.date(2019, 3, 1)
    """
    dt = parse_datetime(value)
    return dt.date() if dt else None
