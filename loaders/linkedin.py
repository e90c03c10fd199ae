"""LinkedIn "Get a copy of your data" exports into records.

The export is a zip (``Basic_LinkedInDataExport_MM-DD-YYYY.zip`` or
``Complete_LinkedInDataExport_...``) or the folder a user unzipped it into. Of its many CSVs,
tiegraph reads five and ignores the rest (Skills.csv, Ad_Targeting.csv, ...):

``Profile.csv``
    ``First Name,Last Name,...,Headline,...``: the owner's own name, used to recognise the
    owner among message participants (`parse_profile`).
``Positions.csv``
    ``Company Name,Title,Description,Location,Started On,Finished On`` with ``Mar 2019``
    dates: the owner's dated job history, as `Position` records (`parse_positions`).
``Connections.csv``
    The owner's first-degree network (`parse_connections`). Layouts seen:

    - 2018: no preamble, ``First Name,Last Name,Email Address,Company,Position,Connected On``,
      dates like ``1/8/18, 6:14 PM``;
    - since ~2019: a preamble (``Notes:``, one quoted note, a blank line) before the header,
      and a ``URL`` column, dates like ``30 May 2024``;
    - 2021-2023: the preamble but no ``URL`` column;
    - Excel re-saves: a UTF-8 BOM and dates like ``6-Feb-26``; one export seen was UTF-16,
      tab-separated.

    ``Email Address`` is filled for 1-2 % of rows only. 1-3 % of rows are blank except the
    date (deleted or private members): they are reported as `Skipped` with their line.
``messages.csv`` (``Messages.csv`` in 2018; in a ``messages/`` folder in some years)
    One row per message (`parse_messages`). Headers by year:

    - 2018: ``From,To,Date,Subject,Content,Direction,Folder`` (``Direction`` says whether the
      owner sent or received it);
    - 2021-22: ``CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,
      CONTENT,FOLDER``;
    - 2023-24: adds ``RECIPIENT PROFILE URLS`` after ``TO``;
    - Dec 2024: adds ``IS MESSAGE DRAFT,IS CONVERSATION DRAFT``; 2026: ``ATTACHMENTS,
      IS MESSAGE DRAFT``.

    Dates like ``2024-12-16 18:24:37 UTC``. Several recipients are comma-joined in ``TO`` and
    in ``RECIPIENT PROFILE URLS``. Drafts are no interactions. ``SUBJECT`` and ``CONTENT`` are
    never read into any record or report: the graph needs who, when and how many.
``Invitations.csv``
    ``From,To,Sent At,Message,Direction`` (+ ``inviterProfileUrl,inviteeProfileUrl`` some
    years), ``Direction`` INCOMING or OUTGOING (`parse_invitations`); the message text is
    never kept.

The owner of the export is always a ``Person(is_owner=True)``; the workspace substitutes the
real owner (the ``--owner`` of the import). Every record's provenance source is ``"linkedin"``.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email, norm_linkedin_url, norm_name
from graph.model import Interaction, Person, Position, Provenance, Record, Skipped

from .archive import Archive, records_at
from .dates import parse_datetime
from .text import decode, header_key, read_table

__all__ = [
    "SOURCE",
    "sniff",
    "sniff_archive",
    "parse_connections",
    "parse_messages",
    "parse_invitations",
    "parse_positions",
    "parse_profile",
    "parse_file",
    "parse_archive",
    "read_linkedin",
]

#: Provenance source of every record this module yields.
SOURCE = "linkedin"

_IN = "https://www.linkedin.com/in/"
_SNIFF_LINES = 30

# Header columns that identify each LinkedIn CSV (as `header_key`s).
_CONNECTIONS = ("first name", "last name", "connected on")
_MESSAGES = ("conversation id", "from", "to", "date")
_MESSAGES_2018 = ("from", "to", "date", "direction", "folder")
_INVITATIONS = ("from", "to", "sent at", "direction")
_POSITIONS = ("company name", "title", "started on", "finished on")
_PROFILE = ("first name", "last name", "headline")

_ARCHIVE_MEMBERS = ("connections.csv", "messages.csv", "invitations.csv")
_TRUE = frozenset({"yes", "true", "1", "y", "t"})
_DRAFT_FOLDERS = ("draft", "drafts")
# Degree and generational suffixes that a comma separates from the name ("Jane Doe, Ph.D.").
_SUFFIXES = frozenset(
    "phd mba md jr sr ii iii iv cpa pmp esq msc ma bsc ba mph dds cfa peng pe jd llm mha "
    "rn cissp shrm scp".split()
)


# --------------------------------------------------------------------------- recognising


def _kind(header: Iterable[str]) -> str | None:
    """Which LinkedIn CSV a header (as `header_key`s) belongs to, or None."""
    h = set(header)
    if all(c in h for c in _CONNECTIONS):
        return "connections"
    if all(c in h for c in _MESSAGES) or (
        all(c in h for c in _MESSAGES_2018) and ("content" in h or "subject" in h)
    ):
        return "messages"
    if all(c in h for c in _INVITATIONS):
        return "invitations"
    if all(c in h for c in _POSITIONS):
        return "positions"
    if all(c in h for c in _PROFILE):
        return "profile"
    return None


def _kind_of_text(text: str) -> str | None:
    """The kind of the first line, among the first few, that is a LinkedIn CSV header."""
    if text.startswith("\ufeff"):
        text = text[1:]
    for line in text.splitlines()[:_SNIFF_LINES]:
        for delim in (",", "\t", ";"):
            if delim not in line:
                continue
            try:
                cells = next(csv.reader([line], delimiter=delim))
            except (csv.Error, StopIteration):
                continue
            kind = _kind(header_key(c) for c in cells)
            if kind is not None:
                return kind
    return None


def sniff(name: str, head: bytes) -> bool:
    """Whether a single file is one of the LinkedIn CSVs tiegraph reads.

    Decided by the header (found after a preamble, in any encoding and delimiter), not by the
    file name, so a renamed ``Connections.csv`` is recognised and a generic contact list with
    ``First Name,Last Name,Company`` but no ``Connected On`` is not. ``Profile.csv`` alone is
    no import (it names only the owner), so it is not claimed.

    Parameters
    ----------
    name : str
        The file's name (used only to label decoding problems).
    head : bytes
        The first bytes of the file (8 KB is plenty).

    Returns
    -------
    bool

    Examples
    --------
    >>> sniff("x.csv", b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\\n")
    True
    >>> sniff("contacts.csv", b"First Name,Last Name,Company,Email\\nAda,Lovelace,AE,a@x.org\\n")
    False
    """
    if not head.strip():
        return False
    kind = _kind_of_text(decode(head, file=name))
    return kind is not None and kind != "profile"


def sniff_archive(names: list[str]) -> bool:
    """Whether the member list of a zip or folder is a LinkedIn data export.

    True when it holds ``Connections.csv``, ``messages.csv`` or ``Invitations.csv`` in any
    folder and any case.

    Examples
    --------
    >>> sniff_archive(["Profile.csv", "messages/MESSAGES.csv"])
    True
    >>> sniff_archive(["Contact.csv", "Account.csv"])
    False
    """
    for n in names:
        base = n.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if base in _ARCHIVE_MEMBERS:
            return True
    return False


# --------------------------------------------------------------------------- small helpers


def _url(raw: str) -> str | None:
    """`norm_linkedin_url`, with a fast path for the canonical form exports write.

    ``https://www.linkedin.com/in/<slug>`` (letters, digits, ``-``, ``_``) is what almost
    every row holds; for it the result equals `norm_linkedin_url`'s, at a tenth of the cost
    (a 1M-row file notices).
    """
    if not raw:
        return None
    if raw.startswith(_IN):
        slug = raw[28:]
        if slug and slug.replace("-", "").replace("_", "").isalnum():
            return _IN + slug.lower()
    return norm_linkedin_url(raw)


_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d UTC\Z", re.ASCII)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def _num(s: str) -> int:
    """An ASCII decimal, else -1 (``int`` would also take ``'٣'`` or ``' 3'``)."""
    return int(s) if s.isascii() and s.isdigit() else -1


def _year(s: str) -> int:
    """A 4-digit year, or a 2-digit one pivoted as ``%y`` does (69-99: 1900s); else -1."""
    n = _num(s)
    if len(s) == 2 and n >= 0:
        return n + (1900 if n >= 69 else 2000)
    return n if len(s) == 4 and 1900 <= n <= 2100 else -1


def _fast_date(s: str) -> datetime | None:
    """The three Connections/Invitations date styles and the messages one, read without
    `strptime`.

    ``30 May 2024``, ``6-Feb-26``, ``1/8/18, 6:14 PM`` (month first) and
    ``2024-12-16 18:24:37 UTC`` give what
    `parse_datetime` gives; anything else (or anything odd) gives None, and the caller falls
    back to `parse_datetime`. Each distinct cell costs `parse_datetime` several failed
    `strptime` layouts first, which dominated a 200k-row file.
    """
    try:
        if len(s) == 23 and s[19:] == " UTC":  # messages.csv: ``2024-12-16 18:24:37 UTC``
            if not _ISO_UTC.match(s):
                return None
            dt = datetime.fromisoformat(s[:19])
            return dt if 1900 <= dt.year <= 2100 else None
        if "/" in s:
            day, _, clock = s.partition(",")
            mo, d, y = day.split("/")
            if len(mo) > 2 or len(d) > 2:
                return None
            hm, ampm = clock.split()
            h, mi = hm.split(":")
            hour, minute, pm = _num(h), _num(mi), ampm.upper()
            if not (1 <= hour <= 12 and len(h) <= 2 and len(mi) == 2 and pm in ("AM", "PM")):
                return None
            hour = hour % 12 + (12 if pm == "PM" else 0)
            return datetime(_year(y), _num(mo), _num(d), hour, minute)
        dashed = "-" in s
        parts = s.split("-") if dashed else s.split(" ")
        if len(parts) != 3:
            return None
        d, m, y = parts
        month = _MONTHS.get(m.lower()) if len(m) == 3 and len(d) <= 2 else None
        if month is None or (len(y) != 4 and not dashed):  # ``%d %b %Y``, ``%d-%b-%y|%Y``
            return None
        return datetime(_year(y), month, _num(d))
    except ValueError:  # wrong shape, or -1 / a day past the month's end
        return None


@lru_cache(maxsize=65536)
def _url_memo(raw: str) -> str | None:
    """`_url`, remembered: message files repeat the same few hundred profile URLs."""
    return _url(raw)


@lru_cache(maxsize=65536)
def _when(value: str) -> datetime | None:
    """`parse_datetime` with a fast path (`_fast_date`), raising only `ValueError` (`BadDate`)
    for a cell no layout reads."""
    s = value.strip()
    if not s:
        return None
    dt = _fast_date(s)
    if dt is not None:
        return dt
    try:
        return parse_datetime(value)
    except OverflowError as e:  # an offset pushing the date past year 1 or 9999
        raise ValueError(f"date out of range {s[:40]!r}") from e


def _cell(fields: list[str], i: int | None) -> str:
    return fields[i].strip() if i is not None else ""


def _prov(file: str, line: int | None, owner: str | None) -> Provenance:
    return Provenance(SOURCE, file, line, owner)


def _owner_person(
    file: str, owner: str | None, name: str = "", linkedin_url: str | None = None
) -> Person:
    """The export's owner, one per file; the workspace substitutes the real owner."""
    return Person(
        name=name, linkedin_url=linkedin_url, is_owner=True, provenance=_prov(file, None, owner)
    )


# --------------------------------------------------------------------------- Connections.csv


def parse_connections(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Person | Interaction | Skipped]:
    """The owner's first-degree network from ``Connections.csv``.

    Every layout in the module docstring is read: with or without the ``Notes:`` preamble,
    with or without ``URL``, the three date styles, UTF-8, BOM, UTF-16 tab-separated.

    Parameters
    ----------
    fp : binary file or bytes
        The CSV's content.
    file : str
        Label for provenance and reports (``export.zip!Connections.csv``).
    owner : str, optional
        Whose export this is (the ``--owner`` of the import), kept in provenance.

    Yields
    ------
    Person
        One per member row: name as written (first + last), normalised email if shared,
        normalised profile URL, company, title (``Position``). Duplicate rows are yielded as
        they are; the workspace merges them.
    Interaction
        Right after its person: ``kind="connected"`` between the owner (``is_owner=True``) and
        that person, undirected, ``group_size=2``, ``at`` = ``Connected On``.
    Skipped
        A member row that is blank except the date (deleted or private member), a bad date,
        a row with neither name, URL nor email, or a malformed CSV row; each with its line.

    Raises
    ------
    LoadError
        If the file is empty or no ``First Name,Last Name,...,Connected On`` header is found.
    """
    table = read_table(fp, file=file, required=_CONNECTIONS)
    i_first, i_last = table.col("first name"), table.col("last name")
    i_url = table.col("url", "profile url")
    i_email = table.col("email address", "email", "e-mail address")
    i_company = table.col("company")
    i_title = table.col("position", "title")
    i_date = table.col("connected on")
    assert i_first is not None and i_last is not None and i_date is not None
    me = _owner_person(file, owner)
    for item in table.rows():
        if isinstance(item, Skipped):
            yield item
            continue
        line, f = item
        first, last = f[i_first].strip(), f[i_last].strip()
        url_raw = f[i_url].strip() if i_url is not None else ""
        email_raw = f[i_email].strip() if i_email is not None else ""
        company = f[i_company].strip() if i_company is not None else ""
        title = f[i_title].strip() if i_title is not None else ""
        if not (first or last or url_raw or email_raw):
            if company or title:
                yield Skipped(file, line, "no name, URL or email")
            else:
                yield Skipped(file, line, "blank member row (deleted or private member)")
            continue
        try:
            at = _when(f[i_date])
        except ValueError as e:
            yield Skipped(file, line, f"bad date in Connected On: {e}")
            continue
        name = f"{first} {last}" if first and last else first or last
        email = norm_email(email_raw) if email_raw else None
        if url_raw.startswith(_IN) and url_raw[28:].replace("-", "").isalnum():
            url: str | None = _IN + url_raw[28:].lower()  # `_url`'s fast path, inlined
        else:
            url = _url(url_raw)
        prov = Provenance(SOURCE, file, line, owner)
        person = Person(
            name=name,
            emails=(email,) if email else (),
            linkedin_url=url,
            company=company or None,
            title=title or None,
            provenance=prov,
        )
        yield person
        yield Interaction(me, person, "connected", at, False, 2, prov)


# --------------------------------------------------------------------------- messages.csv

_Who = tuple[str, str | None]  # (name as written, normalised profile URL)


def _split_names(cell: str, known: set[str]) -> list[str]:
    """Recipient names from a comma-joined ``TO`` cell.

    A cell that is as a whole a name seen elsewhere in the file (a sender's) stays one name;
    a piece that is only a degree or suffix (``Ph.D.``, ``MBA``, ``Jr.``) stays with the name
    before it.
    """
    whole = cell.strip()
    if not whole:
        return []
    if "," not in whole or norm_name(whole) in known:
        return [whole]
    out: list[str] = []
    for piece in whole.split(","):
        if out and piece.strip() and _is_suffix(piece):
            out[-1] = f"{out[-1]},{piece}"
        else:
            out.append(piece)
    return [n.strip() for n in out if n.strip()]


def _is_suffix(piece: str) -> bool:
    folded = "".join(c for c in piece.lower() if c.isalnum())
    return folded in _SUFFIXES


def _recipients(names_cell: str, urls_cell: str, known: set[str]) -> list[_Who]:
    """Pair the names of ``TO`` with the URLs of ``RECIPIENT PROFILE URLS``.

    With one URL, the whole ``TO`` cell is that recipient's name (names may hold commas).
    With as many names as URL slots, they pair in order. Otherwise the URLs are kept without
    names (which name goes with which URL is unknown). Without URLs, the names alone.
    """
    if not urls_cell:
        return [(n, None) for n in _split_names(names_cell, known)]
    slots = [u.strip() for u in urls_cell.split(",")]
    if len(slots) == 1:
        return [(names_cell.strip(), _url_memo(slots[0]))]
    urls = [_url_memo(u) if u else None for u in slots]
    names = _split_names(names_cell, known)
    if len(names) == len(slots):
        return list(zip(names, urls, strict=True))
    return [("", u) for u in urls if u]


class _Keys:
    """One key per participant of a message file: the profile URL, else the name.

    A participant written by name only (2021-22 recipients, 2018 everyone) is keyed by the
    URL that name carries elsewhere in the file when that is unambiguous, so the owner is
    counted once whether written by URL or by name.
    """

    def __init__(self) -> None:
        self.urls_by_name: dict[str, set[str]] = {}
        self._cache: dict[_Who, str | None] = {}

    def learn(self, who: _Who) -> None:
        name, url = who
        if url and name:
            self.urls_by_name.setdefault(norm_name(name), set()).add(url)

    def key(self, who: _Who) -> str | None:
        """The participant's key; call only after every `learn` (results are cached)."""
        name, url = who
        if url:
            return url
        try:
            return self._cache[who]
        except KeyError:
            pass
        nn = norm_name(name)
        if not nn:
            k = f"raw:{name}" if name else None
        else:
            urls = self.urls_by_name.get(nn)
            k = next(iter(urls)) if urls and len(urls) == 1 else f"name:{nn}"
        self._cache[who] = k
        return k


def parse_messages(
    fp: BinaryIO | bytes,
    *,
    file: str,
    owner: str | None = None,
    owner_hint: Person | None = None,
) -> Iterator[Interaction | Skipped]:
    """Who wrote to whom, and when, from ``messages.csv`` (every layout since 2018).

    The CSV is read once; two passes go over what was kept of its rows (line, participant
    cells, date). The first finds the owner of the export among the participants: the one
    matching `owner_hint` (same normalised profile URL or same `norm_name`), else for the 2018
    layout the side ``Direction`` names, else the participant present in the most
    conversations (the owner is in every one; ties go to the most rows, then to the first
    seen). The second yields the interactions.

    Parameters
    ----------
    fp : binary file or bytes
    file : str
        Label for provenance and reports.
    owner : str, optional
        Whose export this is, kept in provenance.
    owner_hint : Person, optional
        The owner as ``Profile.csv`` names them (see `parse_profile`).

    Yields
    ------
    Interaction
        ``kind="message"``, ``a`` = sender, ``b`` = one recipient, ``directed=True``,
        ``group_size`` = 1 + the number of recipients, ``at`` = ``DATE``; one per recipient.
        The owner's side is ``Person(is_owner=True, name=..., linkedin_url=...)``.
    Skipped
        A row with a bad date, no sender, no recipient, or malformed CSV. Drafts (either draft
        flag true, or folder ``DRAFT``) yield nothing. No reason quotes the row's text.

    Raises
    ------
    LoadError
        If the file is empty or no ``FROM,TO,DATE`` header is found.

    Notes
    -----
    ``SUBJECT`` and ``CONTENT`` are never read into anything: records and reasons hold
    participants, dates and counts only.
    """
    table = read_table(fp, file=file, required=("from", "to", "date"))
    i_conv, i_furl = table.col("conversation id"), table.col("sender profile url")
    i_from, i_to, i_date = table.col("from"), table.col("to"), table.col("date")
    i_turls = table.col("recipient profile urls")
    i_dir, i_folder = table.col("direction"), table.col("folder")
    assert i_from is not None and i_to is not None and i_date is not None
    flags = (table.col("is message draft"), table.col("is conversation draft"))

    # Pass 1: read the rows once, keeping of each only its line, its participant cells (as
    # an index into the distinct ones: rows repeat the same cells over and over) and its date
    # cell; and count who takes part in which conversation. Pass 2 then works from these, so
    # the CSV (bodies included) is parsed once and each distinct participant cells once.
    seen: Counter[tuple[str, int]] = Counter()  # (conversation, cells), in file order
    cell_ids: dict[tuple[str, str, str, str, str], int] = {}
    rows: list[tuple[int, int, str] | Skipped] = []
    # cells and draft flags read inline: a column the layout lacks reads the "" appended last
    j_furl, j_turls, j_dir, j_conv, j_folder, j_d1, j_d2 = (
        -1 if i is None else i for i in (i_furl, i_turls, i_dir, i_conv, i_folder, *flags)
    )
    for item in table.rows():
        if isinstance(item, Skipped):
            rows.append(item)
            continue
        line, f = item
        f.append("")
        if (f[j_d1].strip().lower() in _TRUE or f[j_d2].strip().lower() in _TRUE
                or f[j_folder].strip().lower() in _DRAFT_FOLDERS):  # fmt: skip
            continue
        cells = (f[i_from], f[j_furl].strip(), f[i_to], f[j_turls].strip(), f[j_dir].strip())
        c = cell_ids.get(cells)
        if c is None:
            c = cell_ids[cells] = len(cell_ids)
        seen[f[j_conv].strip() or f"#{line}", c] += 1
        rows.append((line, c, f[i_date]))
    distinct = list(cell_ids)
    del cell_ids
    keys = _Keys()
    known: set[str] = set()
    for _, c in seen:
        sname, surl = distinct[c][0], distinct[c][1]
        sender = (sname.strip(), _url_memo(surl))
        keys.learn(sender)
        if sender[0]:
            known.add(norm_name(sender[0]))
    parsed = []
    for (conv, c), n in seen.items():
        sname, surl, to, turls, direction = distinct[c]
        recips = _recipients(to, turls, known)
        for r in recips:
            keys.learn(r)
        parsed.append((conv, (sname.strip(), _url_memo(surl)), recips, direction.upper(), n))
    convs: dict[str, set[str]] = {}
    rows_by_key: Counter[str] = Counter()
    order: dict[str, int] = {}
    names: dict[str, str] = {}
    votes: Counter[str] = Counter()
    for conv, sender, recips, direction, n in parsed:
        members = convs.setdefault(conv, set())
        for who in (sender, *recips):
            k = keys.key(who)
            if k is None:
                continue
            members.add(k)
            rows_by_key[k] += n
            order.setdefault(k, len(order))
            if who[0]:
                names.setdefault(k, who[0])
        if direction == "OUTGOING":
            k = keys.key(sender)
            if k:
                votes[k] += n
        elif direction == "INCOMING" and len(recips) == 1:
            k = keys.key(recips[0])
            if k:
                votes[k] += n
    in_convs: Counter[str] = Counter(k for members in convs.values() for k in members)
    owner_key = _owner_key(owner_hint, in_convs, rows_by_key, order, names, votes)
    del seen, parsed, convs

    me_name = names.get(owner_key or "", "") or (owner_hint.name if owner_hint else "")
    me_url = owner_key if owner_key and owner_key.startswith(_IN) else None
    if me_url is None and owner_hint is not None:
        me_url = _url(owner_hint.linkedin_url or "")
    me = _owner_person(file, owner, name=me_name, linkedin_url=me_url)

    # Pass 2: the interactions. What a row gives depends on its participant cells only (and
    # its date), so it is worked out once per distinct cells: a reason to skip the row, or the
    # sender and the recipients as Persons, made at the first row that uses them and shared by
    # the rows that follow (the same cells name the same people).
    plans: list[str | tuple[Person, list[Person], int] | None] = [None] * len(distinct)
    for item in rows:
        if isinstance(item, Skipped):
            yield item
            continue
        line, c, date_cell = item
        plan = plans[c]
        if plan is None:
            plan = _message_plan(distinct[c], keys, known, owner_key, me, file, line, owner)
            plans[c] = plan
        if isinstance(plan, str):
            yield Skipped(file, line, plan)
            continue
        try:
            at = _when(date_cell)
        except ValueError:
            yield Skipped(file, line, "bad date in DATE")
            continue
        prov = Provenance(SOURCE, file, line, owner)
        a, bs, size = plan
        for b in bs:
            yield Interaction(a, b, "message", at, True, size, prov)


def _message_plan(
    cells: tuple[str, str, str, str, str],
    keys: _Keys,
    known: set[str],
    owner_key: str | None,
    me: Person,
    file: str,
    line: int,
    owner: str | None,
) -> str | tuple[Person, list[Person], int]:
    """What a message row with these participant cells gives (see `parse_messages`): the
    reason to skip it, or ``(sender, recipients, group size)``; people other than the owner
    get the provenance of `line`, the first row that names them so."""
    sname, surl, to, turls, direction = cells
    sender_w: _Who = (sname.strip(), _url_memo(surl))
    s_key = keys.key(sender_w)
    if s_key is None:
        return "message without a sender"
    direction = direction.upper()
    recips: list[tuple[_Who, str]] = []
    for r in _recipients(to, turls, known):
        k = keys.key(r)
        if k is not None and k != s_key and all(k != rk for _, rk in recips):
            recips.append((r, k))
    if not recips:
        return "message without a recipient"
    prov = Provenance(SOURCE, file, line, owner)
    if direction == "OUTGOING" or (s_key == owner_key and direction != "INCOMING"):
        a = me
    else:
        a = Person(name=sender_w[0], linkedin_url=sender_w[1], provenance=prov)
    lone_incoming = direction == "INCOMING" and len(recips) == 1
    bs = []
    for (name, url), k in recips:
        if lone_incoming or (k == owner_key and a is not me):
            bs.append(me)
        else:
            bs.append(Person(name=name, linkedin_url=url, provenance=prov))
    return a, bs, 1 + len(recips)


def _owner_key(
    hint: Person | None,
    in_convs: Counter[str],
    rows_by_key: Counter[str],
    order: dict[str, int],
    names: dict[str, str],
    votes: Counter[str],
) -> str | None:
    """The participant key of the export's owner (see `parse_messages`)."""
    if not in_convs:
        return None

    def rank(k: str) -> tuple[int, int, int]:
        return (in_convs[k], rows_by_key[k], -order.get(k, 0))

    if hint is not None:
        h_url = _url(hint.linkedin_url or "")
        h_name = norm_name(hint.name)
        hits = [
            k
            for k in in_convs
            if (h_url and k == h_url) or (h_name and norm_name(names.get(k, "")) == h_name)
        ]
        if hits:
            return max(hits, key=rank)
    if votes:
        return max(votes, key=lambda k: (votes[k], *rank(k)))
    return max(in_convs, key=rank)


# --------------------------------------------------------------------------- Invitations.csv


def parse_invitations(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Interaction | Skipped]:
    """Connection invitations sent and received, from ``Invitations.csv``.

    Parameters
    ----------
    fp : binary file or bytes
    file : str
    owner : str, optional

    Yields
    ------
    Interaction
        ``kind="invitation"``, ``directed=True``, ``group_size=2``, ``at`` = ``Sent At``.
        OUTGOING: ``a`` is the owner (``From``, ``inviterProfileUrl``), ``b`` the invitee;
        INCOMING: ``a`` the inviter, ``b`` the owner. The ``Message`` text is never kept.
    Skipped
        A row with no or an unknown ``Direction``, no other party, a bad date, or malformed CSV.

    Raises
    ------
    LoadError
        If the file is empty or no ``From,To,Sent At,...,Direction`` header is found.
    """
    table = read_table(fp, file=file, required=_INVITATIONS)
    i_from, i_to, i_at, i_dir = (table.col(n) for n in ("from", "to", "sent at", "direction"))
    i_furl = table.col("inviterprofileurl", "inviter profile url")
    i_turl = table.col("inviteeprofileurl", "invitee profile url")
    assert i_from is not None and i_to is not None and i_at is not None and i_dir is not None
    for item in table.rows():
        if isinstance(item, Skipped):
            yield item
            continue
        line, f = item
        direction = f[i_dir].strip().upper()
        if direction not in ("OUTGOING", "INCOMING"):
            yield Skipped(file, line, "Direction is neither INCOMING nor OUTGOING")
            continue
        inviter = (f[i_from].strip(), _url(_cell(f, i_furl)))
        invitee = (f[i_to].strip(), _url(_cell(f, i_turl)))
        mine, other = (inviter, invitee) if direction == "OUTGOING" else (invitee, inviter)
        if not (other[0] or other[1]):
            yield Skipped(file, line, "invitation without the other party")
            continue
        try:
            at = _when(f[i_at])
        except ValueError as e:
            yield Skipped(file, line, f"bad date in Sent At: {e}")
            continue
        prov = Provenance(SOURCE, file, line, owner)
        me = Person(name=mine[0], linkedin_url=mine[1], is_owner=True, provenance=prov)
        them = Person(name=other[0], linkedin_url=other[1], provenance=prov)
        a, b = (me, them) if direction == "OUTGOING" else (them, me)
        yield Interaction(a, b, "invitation", at, True, 2, prov)


# --------------------------------------------------------------------------- Positions.csv


def parse_positions(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Position | Skipped]:
    """The owner's dated job history from ``Positions.csv``.

    Parameters
    ----------
    fp : binary file or bytes
    file : str
    owner : str, optional

    Yields
    ------
    Position
        ``person`` is the owner (``Person(is_owner=True)``); ``start``/``end`` from
        ``Started On``/``Finished On`` (``Mar 2019``, first of the month); ``current`` when
        there is no ``Finished On``. ``Description`` and ``Location`` are not kept.
    Skipped
        A row without a company, with a bad date, or malformed CSV.

    Raises
    ------
    LoadError
        If the file is empty or no ``Company Name,Title,...,Started On,Finished On`` header is
        found.
    """
    table = read_table(fp, file=file, required=("company name", "started on"))
    i_co, i_title = table.col("company name"), table.col("title")
    i_start, i_end = table.col("started on"), table.col("finished on")
    assert i_co is not None and i_start is not None
    me = _owner_person(file, owner)
    for item in table.rows():
        if isinstance(item, Skipped):
            yield item
            continue
        line, f = item
        company = f[i_co].strip()
        if not company:
            yield Skipped(file, line, "position without a company")
            continue
        try:
            start = _day(f[i_start])
            end = _day(_cell(f, i_end))
        except ValueError as e:
            yield Skipped(file, line, f"bad date: {e}")
            continue
        title = _cell(f, i_title)
        yield Position(
            me, company, title or None, start, end, end is None, _prov(file, line, owner)
        )


def _day(value: str) -> date | None:
    dt = _when(value)
    return dt.date() if dt else None


# --------------------------------------------------------------------------- Profile.csv


def parse_profile(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Person | None:
    """The owner as ``Profile.csv`` names them, to recognise them among message participants.

    Returns
    -------
    Person or None
        ``Person(is_owner=True, name=First + Last, title=Headline)`` from the first row with a
        name; None when no row has one.

    Raises
    ------
    LoadError
        If the file is empty or no ``First Name,Last Name,...,Headline`` header is found.

    Examples
    --------
    >>> p = parse_profile(b"First Name,Last Name,Headline\\nAda,Lovelace,Analyst\\n", file="P")
    >>> (p.name, p.title, p.is_owner)
    ('Ada Lovelace', 'Analyst', True)
    """
    table = read_table(fp, file=file, required=_PROFILE)
    i_first, i_last, i_head = table.col("first name"), table.col("last name"), table.col("headline")
    for item in table.rows():
        if isinstance(item, Skipped):
            continue
        line, f = item
        first, last = _cell(f, i_first), _cell(f, i_last)
        name = f"{first} {last}" if first and last else first or last
        if name:
            return Person(
                name=name,
                title=_cell(f, i_head) or None,
                is_owner=True,
                provenance=_prov(file, line, owner),
            )
    return None


# --------------------------------------------------------------------------- files, archives


def parse_file(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Record]:
    """A lone LinkedIn CSV, dispatched on its header to the parser for its kind.

    Connections, messages, invitations and positions are read; a ``Profile.csv`` alone yields
    nothing (it names only the owner).

    Raises
    ------
    LoadError
        If the file is empty or its header is none of the LinkedIn CSVs.
    """
    raw = fp if isinstance(fp, bytes) else fp.read()
    if not raw.strip():
        raise LoadError("the file is empty", file=file)
    kind = _kind_of_text(decode(raw[:65536], file=file))
    if kind == "connections":
        yield from parse_connections(raw, file=file, owner=owner)
    elif kind == "messages":
        yield from parse_messages(raw, file=file, owner=owner)
    elif kind == "invitations":
        yield from parse_invitations(raw, file=file, owner=owner)
    elif kind == "positions":
        yield from parse_positions(raw, file=file, owner=owner)
    elif kind == "profile":
        return
    else:
        raise LoadError(
            "not a LinkedIn export CSV (Connections, messages, Invitations or Positions)",
            file=file,
        )


def parse_archive(archive: Archive, *, owner: str | None = None) -> Iterator[Record]:
    """Every record of a LinkedIn data export (zip or folder).

    Reads ``Profile.csv`` (the owner's name, as the hint for messages), ``Positions.csv``,
    ``Connections.csv``, ``messages.csv`` (any case, any folder) and ``Invitations.csv``;
    other members are ignored. Members are labelled ``archive.where(name)``.

    Raises
    ------
    LoadError
        From any member that cannot be read (the workspace rolls the whole import back), or
        when the archive holds none of Connections, messages and Invitations.
    """
    found = {n: archive.find(n) for n in ("connections.csv", "messages.csv", "invitations.csv")}
    if not any(found.values()):
        raise LoadError(
            "no Connections.csv, messages.csv or Invitations.csv: not a LinkedIn data export",
            file=archive.label,
        )
    hint = None
    profile = archive.find("profile.csv")
    if profile:
        hint = parse_profile(archive.read(profile), file=archive.where(profile), owner=owner)
    positions = archive.find("positions.csv")
    if positions:
        yield from parse_positions(
            archive.read(positions), file=archive.where(positions), owner=owner
        )
    if m := found["connections.csv"]:
        yield from parse_connections(archive.read(m), file=archive.where(m), owner=owner)
    if m := found["messages.csv"]:
        yield from parse_messages(
            archive.read(m), file=archive.where(m), owner=owner, owner_hint=hint
        )
    if m := found["invitations.csv"]:
        yield from parse_invitations(archive.read(m), file=archive.where(m), owner=owner)


def read_linkedin(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """Records from a LinkedIn export on disk: a zip, an unzipped folder, or one of its CSVs.

    Raises
    ------
    LoadError
        If the path cannot be read or is no LinkedIn export.
    """
    return records_at(path, parse_file, parse_archive, owner=owner)