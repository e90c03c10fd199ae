"""iCalendar exports (``.ics``): Google Calendar, Outlook, Apple Calendar.

Who met whom, and when. Read with the `icalendar` package (RFC 5545): every ``VEVENT`` with
its ``ORGANIZER`` and ``ATTENDEE`` (``mailto:`` values, ``CN=`` for names; RFC 7986
``EMAIL=`` when the value is no mailto), ``DTSTART`` (a date, a floating time, UTC, or a
``TZID``: IANA names as Google writes them, Windows names and ``VTIMEZONE`` blocks as Outlook
writes them), ``RRULE`` / ``EXDATE`` / ``RDATE`` and ``RECURRENCE-ID`` overrides, ``STATUS``.
Descriptions, locations and conference links are never read.

Quirks handled:

* Google lists the organiser again as an attendee (``PARTSTAT=ACCEPTED``): participants are
  distinct by normalised email (or by name when an attendee has no address, as Outlook's
  ``invalid:nomail``);
* declined attendees (``PARTSTAT=DECLINED``), rooms and resources (``CUTYPE=ROOM``,
  ``RESOURCE``) and ``ROLE=NON-PARTICIPANT`` are not participants;
* ``STATUS:CANCELLED`` events are skipped; a cancelled or moved instance of a series
  (``RECURRENCE-ID``) replaces that occurrence of the series;
* several concatenated ``VCALENDAR`` blocks in one file.

Meetings become interactions: the organiser to each attendee (``meeting``, directed), and, in
a meeting of at most `SMALL_MEETING` participants, each pair of attendees (undirected): a
small meeting means they all met, an all-hands of 200 does not. Times are naive UTC; all-day
events are at 00:00 of their day.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, BinaryIO

import icalendar
from icalendar.prop import vBroken

from graph.errors import LoadError
from graph.identity import norm_email, norm_name
from graph.model import Interaction, Person, Provenance, Record, Skipped

from .archive import records_at
from .text import decode

__all__ = [
    "sniff",
    "parse_calendar",
    "read_calendar",
    "expand_rrule",
    "SOURCE",
    "MAX_OCCURRENCES",
    "SMALL_MEETING",
]

SOURCE = "ics"
#: Occurrences of one recurring event loaded at most (two years of a weekly meeting).
MAX_OCCURRENCES = 104
#: A meeting with at most this many participants ties every pair of them.
SMALL_MEETING = 6
#: A rule without COUNT or UNTIL is expanded over this many years after DTSTART.
OPEN_YEARS = 2
#: No rule is followed further than this many years, whatever its COUNT (guards against rules
#: that never or rarely match, which would otherwise be scanned to year 9999).
MAX_YEARS = 10

_SURROGATE = re.compile("[\ud800-\udfff]")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_UNSUPPORTED = frozenset({"BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE", "BYSECOND", "RSCALE"})
_IGNORED_CUTYPES = frozenset({"ROOM", "RESOURCE"})


class BadRule(ValueError):
    """An RRULE that cannot be followed (no FREQ, a value out of range)."""


def sniff(name: str, head: bytes) -> bool:
    """True for a ``.ics``/``.ical`` file name, or content starting with ``BEGIN:VCALENDAR``.

    >>> sniff("basic.ics", b""), sniff("cal", b"BEGIN:VCALENDAR\\r\\nVERSION:2.0")
    (True, True)
    >>> sniff("x.csv", b"Subject,Start Date")
    False
    """
    if name.lower().endswith((".ics", ".ical", ".icalendar")):
        return True
    try:
        text = decode(head, file=name)
    except LoadError:
        return False
    return text.lstrip("\ufeff \t\r\n")[:15].upper() == "BEGIN:VCALENDAR"


# --- recurrence --------------------------------------------------------------------------


def _days_in_month(y: int, m: int) -> int:
    if m == 12:
        return 31
    return (date(y, m + 1, 1) - date(y, m, 1)).days


def _add_years(d: datetime, years: int) -> datetime:
    """The same day and time `years` later (28 February for 29 February)."""
    y = d.year + years
    if y > 9999:
        return datetime.max
    try:
        return d.replace(year=y)
    except ValueError:  # 29 February
        return d.replace(year=y, day=28)


def _ints(rule: Mapping[str, Any], key: str, lo: int, hi: int, *, signed: bool) -> list[int]:
    out: list[int] = []
    for v in rule.get(key, ()):
        try:
            n = int(v)
        except (TypeError, ValueError) as e:
            raise BadRule(f"{key}={v!r}") from e
        if not (lo <= abs(n) <= hi) or (n < 0 and not signed):
            raise BadRule(f"{key}={n} out of range")
        out.append(n)
    return out


def _weekdays(rule: Mapping[str, Any]) -> list[tuple[int | None, int]]:
    out: list[tuple[int | None, int]] = []
    for v in rule.get("BYDAY", ()):
        s = str(v).strip().upper()
        wd = _WEEKDAYS.get(s[-2:])
        num = s[:-2]
        if wd is None:
            raise BadRule(f"BYDAY={s!r}")
        if num in ("", "+"):
            out.append((None, wd))
            continue
        try:
            n = int(num)
        except ValueError as e:
            raise BadRule(f"BYDAY={s!r}") from e
        if not 1 <= abs(n) <= 53:
            raise BadRule(f"BYDAY={s!r} out of range")
        out.append((n, wd))
    return out


def _month_days(
    y: int, m: int, monthdays: list[int], weekdays: list[tuple[int | None, int]], default: int
) -> list[int]:
    """Days of month (y, m) that BYMONTHDAY and BYDAY (ordinals counted in the month) allow."""
    dim = _days_in_month(y, m)
    days: set[int] | None = None
    if monthdays:
        days = {d if d > 0 else dim + d + 1 for d in monthdays if abs(d) <= dim}
    if weekdays:
        first_wd = date(y, m, 1).weekday()
        wd_days: set[int] = set()
        for n, wd in weekdays:
            all_days = list(range(1 + (wd - first_wd) % 7, dim + 1, 7))
            if n is None:
                wd_days.update(all_days)
            elif abs(n) <= len(all_days):
                wd_days.add(all_days[n - 1] if n > 0 else all_days[n])
        days = wd_days if days is None else days & wd_days
    if days is None:
        days = {default} if default <= dim else set()
    return sorted(days)


def _year_weekdays(y: int, weekdays: list[tuple[int | None, int]]) -> list[date]:
    """BYDAY counted in the year (a YEARLY rule without BYMONTH): ``20MO``, ``-1FR``, ``MO``."""
    jan1 = date(y, 1, 1)
    ylen = (date(y + 1, 1, 1) - jan1).days if y < 9999 else 365
    out: set[date] = set()
    for n, wd in weekdays:
        first = jan1 + timedelta(days=(wd - jan1.weekday()) % 7)
        weeks = (ylen - (first - jan1).days + 6) // 7
        all_days = [first + timedelta(days=7 * k) for k in range(weeks)]
        if n is None:
            out.update(all_days)
        elif abs(n) <= len(all_days):
            out.add(all_days[n - 1] if n > 0 else all_days[n])
    return sorted(out)


def _setpos(days: list, positions: list[int]) -> list:
    if not positions:
        return days
    n = len(days)
    picked = {days[p - 1] if p > 0 else days[p] for p in positions if abs(p) <= n}
    return sorted(picked)


def expand_rrule(
    start: datetime,
    rule: Mapping[str, Any],
    *,
    until: datetime | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[datetime]:
    """The occurrences of a recurrence rule, DTSTART first, in the event's own wall-clock time.

    Follows RFC 5545 3.3.10 for ``FREQ`` = DAILY, WEEKLY, MONTHLY, YEARLY with ``INTERVAL``,
    ``COUNT``, ``UNTIL``, ``BYMONTH``, ``BYMONTHDAY``, ``BYDAY`` (with ordinals such as
    ``2TU``, ``-1FR``), ``BYSETPOS`` and ``WKST``; DTSTART counts as the first occurrence.
    At most `limit` occurrences, never past COUNT or UNTIL; without either, none later than
    `OPEN_YEARS` after DTSTART; in any case none later than `MAX_YEARS` after it (so a rule
    that never matches costs a bounded scan, not one to year 9999).

    Parameters
    ----------
    start : datetime
        DTSTART as naive wall-clock time (local to the event's time zone).
    rule : mapping
        The RRULE parts, each a list (as `icalendar.vRecur` holds them): ``{"FREQ":
        ["WEEKLY"], "COUNT": [3]}``.
    until : datetime, optional
        UNTIL, already in the same wall-clock time as `start` (the rule's own UNTIL is ignored).
    limit : int

    Returns
    -------
    list of datetime

    Raises
    ------
    BadRule
        For a rule without a known FREQ, or with a value out of range.
    NotImplementedError
        For sub-daily frequencies and BYYEARDAY, BYWEEKNO, BYHOUR, BYMINUTE, BYSECOND.

    Examples
    --------
    >>> [d.day for d in expand_rrule(datetime(2024, 1, 2, 10), {"FREQ": ["WEEKLY"], "COUNT": [3]})]
    [2, 9, 16]
    >>> rule = {"FREQ": ["MONTHLY"], "BYDAY": ["-1FR"], "COUNT": [3]}
    >>> [d.date().isoformat() for d in expand_rrule(datetime(2024, 1, 26, 9), rule)]
    ['2024-01-26', '2024-02-23', '2024-03-29']
    """
    rule = {str(k).upper(): (v if isinstance(v, list | tuple) else [v]) for k, v in rule.items()}
    freq_vals = rule.get("FREQ") or [""]
    freq = str(freq_vals[0]).upper()
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise NotImplementedError(f"FREQ={freq}")
    if freq not in _FREQS:
        raise BadRule(f"FREQ={freq!r}" if freq else "no FREQ")
    unsupported = sorted(_UNSUPPORTED.intersection(rule))
    if unsupported:
        raise NotImplementedError(", ".join(unsupported))
    interval = (_ints(rule, "INTERVAL", 1, 10_000, signed=False) or [1])[0]
    counts = _ints(rule, "COUNT", 1, 10**9, signed=False)
    months = set(_ints(rule, "BYMONTH", 1, 12, signed=False))
    monthdays = _ints(rule, "BYMONTHDAY", 1, 31, signed=True)
    weekdays = _weekdays(rule)
    positions = _ints(rule, "BYSETPOS", 1, 366, signed=True)
    wkst = _WEEKDAYS.get(str((rule.get("WKST") or ["MO"])[0]).upper(), 0)
    if freq in ("DAILY", "WEEKLY") and any(n is not None for n, _ in weekdays):
        raise BadRule(f"BYDAY with an ordinal in a {freq} rule")

    limit = min(limit, counts[0]) if counts else limit
    horizon = _add_years(start, MAX_YEARS)
    if until is not None:
        horizon = min(horizon, until)
    elif not counts:
        horizon = _add_years(start, OPEN_YEARS)
    out = [start]
    if limit <= 1:
        return out
    d0, t0 = start.date(), start.time()
    last = horizon.date()
    wd_plain = {wd for _, wd in weekdays}

    def periods() -> Iterator[list[date]]:
        k = 0
        while True:
            if freq == "DAILY":
                day = d0 + timedelta(days=k * interval)
                if day > last:
                    return
                ok = (
                    (not months or day.month in months)
                    and (not wd_plain or day.weekday() in wd_plain)
                    and (
                        not monthdays
                        or day.day in _month_days(day.year, day.month, monthdays, [], 0)
                    )
                )
                yield [day] if ok else []
            elif freq == "WEEKLY":
                week = d0 - timedelta(days=(d0.weekday() - wkst) % 7) + timedelta(
                    weeks=k * interval
                )
                if week > last:
                    return
                wds = wd_plain or {d0.weekday()}
                days = [week + timedelta(days=i) for i in range(7)]
                yield [x for x in days if x.weekday() in wds and (not months or x.month in months)]
            elif freq == "MONTHLY":
                mi = d0.year * 12 + d0.month - 1 + k * interval
                y, m = divmod(mi, 12)
                m += 1
                if y > last.year or (y == last.year and m > last.month):
                    return
                if months and m not in months:
                    yield []
                else:
                    yield [date(y, m, x) for x in _month_days(y, m, monthdays, weekdays, d0.day)]
            else:  # YEARLY
                y = d0.year + k * interval
                if y > last.year:
                    return
                if months or monthdays or not weekdays:
                    days = []
                    for m in sorted(months) or ([d0.month] if not monthdays else range(1, 13)):
                        if monthdays or weekdays:
                            found = _month_days(y, m, monthdays, weekdays, 0)
                            days += [date(y, m, x) for x in found]
                        elif d0.day <= _days_in_month(y, m):
                            days.append(date(y, m, d0.day))
                    yield days
                else:
                    yield _year_weekdays(y, weekdays)
            k += 1

    try:
        for days in periods():
            for day in _setpos(days, positions):
                occ = datetime.combine(day, t0)
                if occ <= start:
                    continue
                if occ > horizon:
                    return out
                out.append(occ)
                if len(out) >= limit:
                    return out
    except (OverflowError, ValueError):  # past year 9999
        pass
    return out


# --- events ------------------------------------------------------------------------------


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the physical (1-based) line each starts on."""
    cur: str | None = None
    cur_line = 0
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if cur is not None and line[:1] in (" ", "\t"):
            cur += line[1:]
            continue
        if cur is not None:
            yield cur_line, cur
        cur, cur_line = line, n
    if cur is not None:
        yield cur_line, cur


def _begin_of(line: str) -> str | None:
    """``VEVENT`` for a ``BEGIN:VEVENT`` line (any case, parameters allowed), else None."""
    colon = line.find(":")
    if colon < 0:
        return None
    name = line[:colon].split(";", 1)[0].strip().upper()
    return line[colon + 1 :].strip().upper() if name == "BEGIN" else None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _to_utc(dt: datetime, tz: tzinfo | None) -> datetime:
    """Naive wall-clock time in `tz` to naive UTC (floating times are taken as UTC)."""
    if tz is None:
        return dt
    return dt.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _local(value: date | datetime, tz: tzinfo | None, t0: time) -> datetime:
    """A DTSTART/UNTIL/EXDATE value as naive wall-clock time in the event's zone `tz`."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and tz is not None:
            return value.astimezone(tz).replace(tzinfo=None)
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value
    return datetime.combine(value, t0)


def _dates(prop: Any) -> list[date | datetime]:
    """The values of an EXDATE/RDATE property (one or several lines), periods left out."""
    out: list[date | datetime] = []
    for p in prop if isinstance(prop, list) else [prop]:
        if isinstance(p, vBroken):
            continue
        for v in getattr(p, "dts", ()):
            dt = v.dt
            if isinstance(dt, date):
                out.append(dt)
    return out


def _recurrence_id(ev: icalendar.Event) -> datetime | None:
    """A RECURRENCE-ID as naive UTC (the original start of the instance it replaces)."""
    rid = _first(ev.get("RECURRENCE-ID"))
    if rid is None or isinstance(rid, vBroken):
        return None
    dt = rid.dt
    if isinstance(dt, datetime):
        return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt
    if isinstance(dt, date):
        return datetime.combine(dt, time())
    return None


def _who(prop: Any) -> tuple[str, str, str] | None:
    """``(key, email, name)`` of an ORGANIZER/ATTENDEE, None if it is no participant."""
    if prop is None or isinstance(prop, vBroken):
        return None
    params = getattr(prop, "params", {}) or {}
    if str(params.get("CUTYPE", "")).upper() in _IGNORED_CUTYPES:
        return None
    if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
        return None
    email = norm_email(str(prop)) or norm_email(str(params.get("EMAIL", "") or ""))
    name = str(params.get("CN", "") or "").strip()
    if email and name.lower() == email:
        name = ""
    if email:
        return email, email, name
    nn = norm_name(name)
    return ("name:" + nn, "", name) if nn else None


def parse_calendar(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Record]:
    """Meetings from an iCalendar export, as interactions between their participants.

    Parameters
    ----------
    fp : binary file object or bytes
        The ``.ics`` export.
    file : str
        Its name in reports and provenance.
    owner : str, optional
        Whose calendar this is (the import's ``--owner``). When it is an email address, the
        participant with that address is marked ``is_owner``.

    Yields
    ------
    Interaction or Skipped
        For each occurrence (at most `MAX_OCCURRENCES` of a series) of each event with two or
        more participants (organiser + attendees, distinct by email; decliners, rooms and
        resources left out), a directed ``meeting`` from the organiser to each attendee, and,
        when there are at most `SMALL_MEETING` participants, an undirected ``meeting`` for
        each pair of attendees; all carry ``group_size`` = the number of participants and the
        line of the event's ``BEGIN:VEVENT``. Cancelled events and events whose start or
        recurrence rule cannot be read are `Skipped`; events with one participant yield
        nothing.

    Raises
    ------
    LoadError
        For an empty file, no ``BEGIN:VCALENDAR``, or a file `icalendar` cannot parse.

    Notes
    -----
    Recurrences are expanded by `expand_rrule`; an RRULE using parts it does not follow
    (sub-daily frequencies, BYWEEKNO, BYYEARDAY, BYHOUR ...) loads the first occurrence only.
    An event without an ORGANIZER has no initiator: it yields the attendee pairs of a small
    meeting and nothing for a large one. Line numbers pair the events `icalendar` returns with
    the ``BEGIN:VEVENT`` lines in order; should the two counts ever differ, lines are None.

    Examples
    --------
    >>> ics = b'''BEGIN:VCALENDAR
    ... BEGIN:VEVENT
    ... DTSTART:20240305T100000Z
    ... ORGANIZER;CN=Ada Lovelace:mailto:ada@example.org
    ... ATTENDEE;CN=Charles Babbage;PARTSTAT=ACCEPTED:mailto:charles@example.org
    ... END:VEVENT
    ... END:VCALENDAR
    ... '''
    >>> (m,) = parse_calendar(ics, file="cal.ics")
    >>> m.a.name, m.b.emails, m.kind, m.group_size, m.provenance.line
    ('Ada Lovelace', ('charles@example.org',), 'meeting', 2, 2)
    >>> m.at
    datetime.datetime(2024, 3, 5, 10, 0)
    """
    raw = fp if isinstance(fp, bytes | bytearray) else fp.read()
    if not raw.strip():
        raise LoadError("the file is empty", file=file)
    text = decode(bytes(raw), file=file)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    begins: list[int] = []
    has_calendar = False
    for n, line in _logical_lines(text):
        what = _begin_of(line) if line[:1] in "Bb" else None
        if what == "VEVENT":
            begins.append(n)
        elif what == "VCALENDAR":
            has_calendar = True
    if not has_calendar:
        raise LoadError("no BEGIN:VCALENDAR: not an iCalendar file", file=file)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
        events = [ev for cal in calendars for ev in cal.walk("VEVENT")]
    # icalendar raises ValueError for what it recognises as malformed; on a misnested file
    # (END:VTIMEZONE closing a VEVENT, a doubled TZID) it fails with AttributeError/TypeError.
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as e:
        raise LoadError(f"unreadable iCalendar file: {str(e)[:200]}", file=file) from e
    if not calendars:
        raise LoadError("no complete VCALENDAR (END:VCALENDAR missing?)", file=file)

    replaced: dict[str, set[datetime]] = {}
    for ev in events:
        rid = _recurrence_id(ev)
        if rid is not None:
            replaced.setdefault(str(_first(ev.get("UID", ""))), set()).add(rid)

    owner_email = norm_email(owner)
    for i, ev in enumerate(events):
        line = begins[i] if i < len(begins) and len(begins) == len(events) else None
        try:
            yield from _event(ev, replaced, file=file, line=line, owner=owner, me=owner_email)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
            yield Skipped(file, line, f"unreadable event: {str(e)[:200]}")


def _event(
    ev: icalendar.Event,
    replaced: dict[str, set[datetime]],
    *,
    file: str,
    line: int | None,
    owner: str | None,
    me: str | None,
) -> Iterator[Record]:
    status = _first(ev.get("STATUS"))
    if status is not None and str(status).strip().upper() == "CANCELLED":
        yield Skipped(file, line, "cancelled event")
        return

    people: dict[str, tuple[str, str]] = {}
    organiser = _who(_first(ev.get("ORGANIZER")))
    if organiser is not None:
        people[organiser[0]] = organiser[1:]
    attendees = ev.get("ATTENDEE")
    for prop in attendees if isinstance(attendees, list) else [attendees]:
        params = getattr(prop, "params", None) or {}
        if str(params.get("PARTSTAT", "")).upper() == "DECLINED":
            continue
        who = _who(prop)
        if who is not None and who[0] not in people:
            people[who[0]] = who[1:]
    size = len(people)
    if size < 2:
        return

    start_prop = _first(ev.get("DTSTART"))
    if isinstance(start_prop, vBroken):
        yield Skipped(file, line, f"bad DTSTART {str(start_prop)[:40]!r}")
        return
    times: list[datetime | None]
    if start_prop is None:
        times = [None]
    else:
        dt = start_prop.dt
        if isinstance(dt, datetime):
            tz = dt.tzinfo
            start = dt.replace(tzinfo=None)
        elif isinstance(dt, date):
            tz, start = None, datetime.combine(dt, time())
        else:
            yield Skipped(file, line, f"bad DTSTART {str(dt)[:40]!r}")
            return
        rule = _first(ev.get("RRULE"))
        if isinstance(rule, vBroken):
            yield Skipped(file, line, f"bad RRULE {str(rule)[:60]!r}")
            return
        if rule is not None and ev.get("RECURRENCE-ID") is None:
            local = _series(start, tz, rule, ev)
            if isinstance(local, str):
                yield Skipped(file, line, local)
                return
        else:
            local = [start]
        gone = replaced.get(str(_first(ev.get("UID", ""))), set()) if rule is not None else set()
        times = []
        for occ in local:
            at = _to_utc(occ, tz)
            if at not in gone:
                times.append(at)

    prov = Provenance(SOURCE, file, line, owner)
    parts = list(people.values())

    def person(p: tuple[str, str]) -> Person:
        email, name = p
        return Person(
            name=name,
            emails=(email,) if email else (),
            is_owner=bool(me) and email == me,
            provenance=prov,
        )

    org, rest = (parts[0], parts[1:]) if organiser is not None else (None, parts)
    for at in times:
        if org is not None:
            for b in rest:
                yield Interaction(person(org), person(b), "meeting", at, True, size, prov)
        if size <= SMALL_MEETING:
            for j, a in enumerate(rest):
                for b in rest[j + 1 :]:
                    yield Interaction(person(a), person(b), "meeting", at, False, size, prov)


def _series(
    start: datetime, tz: tzinfo | None, rule: Any, ev: icalendar.Event
) -> list[datetime] | str:
    """Wall-clock occurrences of a recurring event (EXDATE removed, RDATE added), or why not."""
    t0 = start.time()
    until = None
    untils = rule.get("UNTIL") or []
    if untils:
        u = untils[0]
        if isinstance(u, datetime):
            until = _local(u, tz, t0)
        elif isinstance(u, date):
            until = datetime.combine(u, time.max)
        else:
            return f"bad RRULE UNTIL {str(u)[:40]!r}"
    # A date-only EXDATE (all-day events, and some Outlook exports of timed ones) takes the
    # event's time of day, so it removes the occurrence on that day.
    excluded = {_local(x, tz, t0) for x in _dates(ev.get("EXDATE"))} if "EXDATE" in ev else set()
    parts = {k: v for k, v in rule.items() if k.upper() != "UNTIL"}
    try:
        occ = expand_rrule(start, parts, until=until, limit=MAX_OCCURRENCES + len(excluded))
    except BadRule as e:
        return f"bad RRULE: {e}"
    except NotImplementedError:
        occ = [start]  # a rule this expander does not follow: the first occurrence only
    if "RDATE" in ev:
        occ = sorted(set(occ) | {_local(x, tz, t0) for x in _dates(ev.get("RDATE"))})
    if excluded:
        occ = [o for o in occ if o not in excluded]
    return occ[:MAX_OCCURRENCES]


def read_calendar(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """`parse_calendar` over the file at `path`; raises `LoadError` if it cannot be read."""
    return records_at(path, parse_calendar, owner=owner)