"""Fuzzing every loader with realistic-but-broken exports (issue 8, item 1).

Each test starts from a *valid* export in a real layout (the ones `tests/loaders/test_*.py`
and `graph.demo` reproduce: LinkedIn Connections of 2018, 2019+ and 2021-23, messages.csv of
every year, HubSpot with and without associated companies, Salesforce object CSVs and
exports, mapped CSVs, vCard 2.1/3.0/4.0, iCalendar, mbox and .eml) filled with people whose
names are drawn from plain, accented, CJK and hostile spellings (``=HYPERLINK(...)``, ``+1``,
``@x``), laid out in a header variant (case, padding, duplicate, blank and unknown columns,
column order, delimiter, quoting, BOM, encoding, line ends), and then, in most examples,
*broken*: cut anywhere (mid-quote, mid-multibyte character), Latin-1 bytes in UTF-8, UTF-16
without a BOM, an encoding switch half-way, stray quotes, a field over `loaders.text.MAX_FIELD`,
NUL bytes, CR/CRLF mixes, duplicated lines, dropped or flipped bytes. Zips are further broken
with path-traversal member names, duplicate members, zip bombs (real and forged sizes past
`loaders.archive` limits), encrypted or unknown-method members, undecodable names, flipped or
cut bytes.

The property, for every loader:

* iterating the parser yields only `graph.model` records (`Person`, `Company`, `Position`,
  `Interaction`, `Skipped`) whose text is storable (no lone surrogates), whose provenance
  names the file, and whose line, when given, is a line of that file;
* the only exception that escapes is `graph.errors.LoadError`, naming the file (and, when a
  line is given, a real line);
* an export that was not broken loads without error, and every name in it comes out exactly
  as written (a formula-looking name is text, not a formula).

Each test runs 10,000 examples (``slow``; `.ci/run` runs them). Inputs stay small: the
cost is Hypothesis' generation and the parsers' per-file work, not the data.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import quopri
import random
import struct
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.utils import formataddr
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.identity import norm_name
from graph.model import INTERACTION_KINDS, Company, Interaction, Person, Position, Skipped
from loaders import csvmap, hubspot, ics, linkedin, mbox, open_units, salesforce, vcard
from loaders.archive import MAX_MEMBER, MAX_TOTAL, open_archive
from loaders.text import MAX_FIELD

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=int(os.environ.get("TIEGRAPH_FUZZ_EXAMPLES", "10000")),
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)

# --------------------------------------------------------------------------- people

#: Names as people write them, and as attackers do. None is stripped by the loaders, so each
#: must come out exactly as written.
FIRSTS = ("Ada", "Grace", "José", "Zoë", "李", "Åsa", "O'Brien", "Mary-Jane", "Ngozi")
LASTS = ("Lovelace", "Hopper", "Núñez-García", "王", "Ørsted", "d'Arc", "")
HOSTILE = (
    '=HYPERLINK("http://evil.example/?x=1","Click me")',
    "+1",
    "@x",
    "-2+3",
    "=1+1",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "Robert'); DROP TABLE people;--",
    "Ada \"the Countess\"",
    "Ada, Ph.D.",
    "🚀 Rocket",
)
COMPANIES = (
    "Acme, Inc.",
    "Société Générale",
    "=HYPERLINK(\"http://evil.example\")",
    "@Corp",
    "+Plus Ltd",
    "Initech",
    "株式会社テスト",
)
TITLES = ("CTO", "VP Sales", "-Head of Ops", "Engineer; Poet", "")


@dataclass(frozen=True)
class P:
    """One generated person: `i` makes their email and profile URL unique."""

    i: int
    first: str
    last: str
    company: str
    title: str
    has_email: bool

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}" if self.last else self.first

    @property
    def email(self) -> str:
        return f"p{self.i}@example{self.i % 3}.org"

    @property
    def slug(self) -> str:
        return f"person-{self.i}"

    @property
    def url(self) -> str:
        return f"https://www.linkedin.com/in/{self.slug}"

    def plain(self) -> P:
        """The same person without commas in the name (messages.csv joins names with them)."""
        return P(self.i, self.first.replace(",", ""), self.last.replace(",", ""), self.company,
                 self.title, self.has_email)  # fmt: skip


class Choices:
    """The choices of one case, read from bytes that Hypothesis draws.

    Each choice reads the next byte (or two), and byte 0 is always the first, plainest
    option; so Hypothesis, shrinking the bytes towards zeros, shrinks a failing case towards
    a valid export with plain names. A case needing more choices than there are bytes goes
    on with a generator seeded by them. One short `st.binary` draw costs a fraction of the
    dozens of separate draws the same case would take, which is what makes 10,000 cases per
    loader affordable.
    """

    def __init__(self, raw: bytes):
        self.raw, self.at = raw, 0
        self._more: random.Random | None = None

    def byte(self) -> int:
        if self.at < len(self.raw):
            self.at += 1
            return self.raw[self.at - 1]
        if self._more is None:
            self._more = random.Random(self.raw)
        return self._more.getrandbits(8)

    def int(self, lo: int, hi: int) -> int:
        n = hi - lo + 1
        v = self.byte() if n <= 256 else (self.byte() << 8 | self.byte())
        return lo + v % n

    def pick(self, options: tuple | list):  # noqa: ANN201
        return options[self.byte() % len(options)]

    def flag(self) -> bool:
        return self.byte() % 2 == 1


choices = st.binary(min_size=48, max_size=48).map(Choices)
NAMES_FIRST = FIRSTS + HOSTILE
NAMES_LAST = LASTS + HOSTILE[:4]


def people(c: Choices, min_size: int = 1, max_size: int = 4) -> list[P]:
    """Distinct people (distinct folded names too, so no two are taken for one)."""
    n = c.int(min_size, max_size)
    out: list[P] = []
    seen: set[str] = set()
    for i in range(n):
        p = P(i, c.pick(NAMES_FIRST), c.pick(NAMES_LAST), c.pick(COMPANIES), c.pick(TITLES),
              c.flag())  # fmt: skip
        key = norm_name(p.plain().name) or p.plain().name
        if key in seen:
            p = P(i, "Ada", f"Lovelace{'x' * i}", p.company, p.title, p.has_email)
            key = norm_name(p.name)
        seen.add(key)
        out.append(p)
    return out


DATES = (datetime(2024, 5, 30, 9, 15), datetime(2018, 1, 8, 18, 14), datetime(2026, 2, 6))


# --------------------------------------------------------------------------- CSV layouts


@dataclass
class TableSpec:
    """A CSV export before it is written: header, rows, and what is before the header."""

    header: list[str]
    rows: list[list[str]]
    preamble: str = ""
    quote_all: bool = False


@dataclass(frozen=True)
class Layout:
    """How a spreadsheet tool wrote the table (every choice here is a valid export)."""

    encoding: str = "utf-8"  # utf-8, utf-8-sig, utf-16, cp1252
    delimiter: str = ","
    newline: str = "\n"
    header_case: str = "as-is"  # as-is, upper, lower, padded
    extra: str = "none"  # none, dup, blank, unknown, trailing
    rotate: int = 0
    quote_all: bool = False


def layout_of(c: Choices, *, delimiters: tuple[str, ...] = (",", ",", ";", "\t")) -> Layout:
    return Layout(
        encoding=c.pick(("utf-8", "utf-8-sig", "utf-16", "cp1252")),
        delimiter=c.pick(delimiters),
        newline=c.pick(("\n", "\r\n")),
        header_case=c.pick(("as-is", "upper", "lower", "padded")),
        extra=c.pick(("none", "dup", "blank", "unknown", "trailing")),
        rotate=c.int(0, 12),
        quote_all=c.flag(),
    )


PLAIN_LAYOUT = Layout()


def write_table(spec: TableSpec, layout: Layout) -> bytes:
    """The bytes a tool writes for `spec` in `layout`."""
    header, rows = list(spec.header), [list(r) for r in spec.rows]
    width = len(header)
    if layout.rotate and width:
        k = layout.rotate % width
        header = header[k:] + header[:k]
        rows = [r[k:] + r[:k] for r in rows]
    if layout.extra == "dup" and width:  # a column repeated, same cells (Excel copy-paste)
        header.append(header[0])
        rows = [[*r, r[0]] for r in rows]
    elif layout.extra == "blank":
        header.insert(1, "")
        rows = [[r[0], "", *r[1:]] for r in rows]
    elif layout.extra == "unknown":
        header.append("Some Column Added Later")
        rows = [[*r, "x"] for r in rows]
    elif layout.extra == "trailing":  # spreadsheet re-save: empty cells at each row's end
        rows = [[*r, "", ""] for r in rows]
    if layout.header_case == "upper":
        header = [h.upper() for h in header]
    elif layout.header_case == "lower":
        header = [h.lower() for h in header]
    elif layout.header_case == "padded":
        header = [f" {h} " if h else h for h in header]
    buf = io.StringIO()
    quoting = csv.QUOTE_ALL if (layout.quote_all or spec.quote_all) else csv.QUOTE_MINIMAL
    w = csv.writer(buf, delimiter=layout.delimiter, lineterminator=layout.newline, quoting=quoting)
    w.writerow(header)
    w.writerows(rows)
    text = spec.preamble.replace("\n", layout.newline) + buf.getvalue()
    return encode(text, layout.encoding)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return text.encode("utf-8")
    return text.encode(encoding)


# --------------------------------------------------------------------------- breaking bytes

OPS = ("truncate", "latin1", "mixed", "utf16", "quote", "nul", "newlines", "flip", "dup_line",
       "drop", "formula", "bom_mid")  # fmt: skip
Ops = tuple[tuple[str, int, int], ...]


def breakage(c: Choices) -> Ops:
    """Up to three breaking operations (see `break_bytes`); none in a quarter of the cases,
    which are then valid exports. A field past `MAX_FIELD` is in about 1 case in 64 (it costs
    a megabyte of parsing)."""
    if c.byte() % 4 == 0:
        return ()
    ops = [(c.pick(OPS), c.int(0, 10_000), c.byte()) for _ in range(c.int(1, 3))]
    if c.byte() % 64 == 0:
        ops.insert(c.int(0, len(ops)), ("huge", c.int(0, 10_000), c.byte()))
    return tuple(ops)


def break_bytes(raw: bytes, ops: Iterable[tuple[str, int, int]], *, huge: int = MAX_FIELD) -> bytes:
    """`raw` after each breaking operation: (what, where in 1/10000 of the length, a byte).

    ``huge`` inserts a field of more than `huge` bytes (default: past the CSV field limit)."""
    for what, where, arg in ops:
        p = len(raw) * where // 10_000
        if what == "truncate":
            raw = raw[:p]
        elif what == "latin1":  # a Windows-1252/Latin-1 word inside UTF-8
            raw = raw[:p] + (b"Jos\xe9 M\xfcller", b"\xe9", b"\x92", b"\xc3")[arg % 4] + raw[p:]
        elif what == "mixed":  # the tail re-encoded (a file concatenated from two tools)
            tail = raw[p:].decode("utf-8", "replace")
            enc = ("utf-16-le", "utf-16-be", "latin-1", "utf-16")[arg % 4]
            raw = raw[:p] + tail.encode(enc, "replace")
        elif what == "utf16":  # the whole file as UTF-16 without its byte-order mark
            text = raw.decode("utf-8", "replace").lstrip("\ufeff")
            raw = text.encode("utf-16-le" if arg % 2 else "utf-16-be")
        elif what == "quote":
            raw = raw[:p] + (b'"', b'""', b'"x"y"', b"'")[arg % 4] + raw[p:]
        elif what == "huge":  # one field past the 1 MB limit
            filler = (b"x", b"\xc3\xa9", b'"')[arg % 3]
            raw = raw[:p] + filler * (huge // len(filler) + 1 + arg) + raw[p:]
        elif what == "nul":
            raw = raw[:p] + b"\x00" * (1 + arg % 3) + raw[p:]
        elif what == "newlines":  # CR, LF and CRLF mixed line by line
            lines = raw.split(b"\n")
            ends = (b"\n", b"\r\n", b"\r", b"\n\r")
            raw = b"".join(
                ln + (ends[(arg >> (k % 4 * 2)) % 4] if k < len(lines) - 1 else b"")
                for k, ln in enumerate(lines)
            )
        elif what == "flip":
            if raw:
                q = min(p, len(raw) - 1)
                raw = raw[:q] + bytes([raw[q] ^ (arg or 1)]) + raw[q + 1 :]
        elif what == "dup_line":  # a line repeated (a header twice, a row twice)
            start = raw.rfind(b"\n", 0, p) + 1
            end = raw.find(b"\n", p)
            end = len(raw) if end < 0 else end + 1
            raw = raw[:end] + raw[start:end] + raw[end:]
        elif what == "drop":  # bytes lost, maybe half a multi-byte character
            raw = raw[:p] + raw[p + 1 + arg % 8 :]
        elif what == "formula":
            raw = raw[:p] + (b'=HYPERLINK("http://x","y")', b"+1", b"@x", b"-1")[arg % 4] + raw[p:]
        elif what == "bom_mid":
            raw = raw[:p] + (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)[arg % 3] + raw[p:]
    return raw


# --------------------------------------------------------------------------- the property

RECORDS = (Person, Company, Position, Interaction, Skipped)


def _storable(s: object) -> None:
    """Text the workspace can store: a str that encodes as UTF-8 (no lone surrogates)."""
    assert isinstance(s, str), s
    s.encode("utf-8")


def _opt(s: object) -> None:
    if s is not None:
        _storable(s)


def line_bound(*raws: bytes) -> int:
    """An upper bound on the physical lines of the given bytes (any line ends, any encoding)."""
    return sum(r.count(b"\n") + r.count(b"\r") + r.count(b"\x85") for r in raws) + len(raws) + 2


@dataclass
class Outcome:
    names: set[str] = field(default_factory=set)
    companies: set[str] = field(default_factory=set)
    error: LoadError | None = None
    records: int = 0


def _check_where(file: object, line: object, label: str, bound: int) -> None:
    _storable(file)
    assert str(file).startswith(label), (file, label)
    assert line is None or (type(line) is int and 1 <= line <= bound), (line, bound)


def _check_person(p: object, label: str, bound: int, out: Outcome) -> None:
    assert type(p) is Person, p
    _storable(p.name)
    for e in p.emails:
        _storable(e)
    for ph in p.phones:
        _storable(ph)
    for s in (p.linkedin_url, p.company, p.title, p.external_id):
        _opt(s)
    assert p.provenance is not None
    _check_where(p.provenance.file, p.provenance.line, label, bound)
    if p.name:
        out.names.add(p.name)


def check_records(it: Iterable[object], label: str, bound: int) -> Outcome:
    """Drain a parser, checking every record and the one exception allowed."""
    out = Outcome()
    try:
        for rec in it:
            out.records += 1
            assert isinstance(rec, RECORDS), rec
            if type(rec) is Skipped:
                _check_where(rec.file, rec.line, label, bound)
                _storable(rec.reason)
            elif type(rec) is Person:
                _check_person(rec, label, bound, out)
            elif type(rec) is Interaction:
                _check_person(rec.a, label, bound, out)
                _check_person(rec.b, label, bound, out)
                assert rec.kind in INTERACTION_KINDS, rec.kind
                assert type(rec.group_size) is int and rec.group_size >= 2, rec.group_size
                assert rec.at is None or (type(rec.at) is datetime and rec.at.tzinfo is None)
                assert type(rec.directed) is bool
                assert rec.provenance is not None
                _check_where(rec.provenance.file, rec.provenance.line, label, bound)
            elif type(rec) is Company:
                _storable(rec.name)
                assert rec.name
                for s in (rec.domain, rec.industry, rec.external_id):
                    _opt(s)
                assert rec.provenance is not None
                _check_where(rec.provenance.file, rec.provenance.line, label, bound)
                out.companies.add(rec.name)
            else:
                assert type(rec) is Position
                _check_person(rec.person, label, bound, out)
                _storable(rec.company)
                _opt(rec.title)
                for d in (rec.start, rec.end):
                    assert d is None or type(d) is date
                assert rec.provenance is not None
                _check_where(rec.provenance.file, rec.provenance.line, label, bound)
                out.companies.add(rec.company)
    except LoadError as e:
        _check_where(e.file, e.line, label, bound)
        _storable(e.reason)
        out.error = e
    return out


def expect(out: Outcome, *, names: Iterable[str] = (), companies: Iterable[str] = ()) -> None:
    """A valid export: loaded without error, every name and company exactly as written."""
    assert out.error is None, out.error
    assert set(names) <= out.names, sorted(set(names) - out.names)
    assert set(companies) <= out.companies, sorted(set(companies) - out.companies)


# --------------------------------------------------------------------------- LinkedIn

LI_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    'missing. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)


def _li_date(style: str, dt: datetime) -> str:
    if style == "2018":
        return f"{dt.month}/{dt.day}/{dt:%y}, {dt.hour % 12 or 12}:{dt:%M} {dt:%p}"
    if style == "bom":
        return f"{dt.day}-{dt:%b-%y}"
    return f"{dt:%d %b %Y}"


def connections_spec(ps: list[P], layout: str) -> TableSpec:
    """Connections.csv: 2018 (no preamble), 2019+ (preamble, URL), 2022 (no URL), Excel."""
    header = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
              "Connected On"]  # fmt: skip
    if layout in ("2018", "2022"):
        header.remove("URL")
    rows = []
    for k, p in enumerate(ps):
        cells = {"First Name": p.first, "Last Name": p.last, "URL": p.url,
                 "Email Address": p.email if p.has_email else "", "Company": p.company,
                 "Position": p.title, "Connected On": _li_date(layout, DATES[k % 3])}  # fmt: skip
        rows.append([cells[h] for h in header])
    rows.append(["", "", *[""] * (len(header) - 3), "30 May 2024"])  # a deleted member
    return TableSpec(header, rows, "" if layout == "2018" else LI_PREAMBLE)


MSG_HEADERS = {
    "2018": "From,To,Date,Subject,Content,Direction,Folder",
    "2021": "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,"
    "FOLDER",
    "2023": "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    "DATE,SUBJECT,CONTENT,FOLDER",
    "2024-12": "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,"
    "RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT",
    "2026": "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    "DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT",
}


def messages_spec(ps: list[P], year: str) -> TableSpec:
    """messages.csv of `year`: the owner (first person) writes with each other person, both
    ways; one group message to everyone. Bodies are never read."""
    ps = [p.plain() for p in ps]
    header = MSG_HEADERS[year].split(",")
    owner, others = ps[0], ps[1:]
    rows = []
    for k, other in enumerate(others):
        for sender, to in ((owner, [other]), (other, [owner])):
            rows.append(_msg_row(header, f"conv-{k}", sender, to, owner, DATES[k % 3]))
    if len(others) > 1:
        rows.append(_msg_row(header, "group", owner, others, owner, DATES[0]))
    return TableSpec(header, rows)


def _msg_row(header: list[str], conv: str, sender: P, to: list[P], owner: P,
             at: datetime) -> list[str]:  # fmt: skip
    cells = {
        "From": sender.name, "To": ",".join(p.name for p in to),
        "Date": f"{at:%Y-%m-%d %H:%M:%S} UTC", "Subject": "SECRET subject",
        "Content": 'SECRET body, with "quotes"\nand a second line',
        "Direction": "OUTGOING" if sender is owner else "INCOMING", "Folder": "INBOX",
        "CONVERSATION ID": conv, "CONVERSATION TITLE": "", "FROM": sender.name,
        "SENDER PROFILE URL": sender.url, "TO": ",".join(p.name for p in to),
        "RECIPIENT PROFILE URLS": ",".join(p.url for p in to),
        "DATE": f"{at:%Y-%m-%d %H:%M:%S} UTC", "SUBJECT": "", "CONTENT": "SECRET",
        "FOLDER": "INBOX", "IS MESSAGE DRAFT": "No", "IS CONVERSATION DRAFT": "No",
        "ATTACHMENTS": "",
    }  # fmt: skip
    if header[-1] == "IS MESSAGE DRAFT":
        cells["IS MESSAGE DRAFT"] = "false"
    return [cells[h] for h in header]


def invitations_spec(ps: list[P], with_urls: bool) -> TableSpec:
    header = ["From", "To", "Sent At", "Message", "Direction"]
    if with_urls:
        header += ["inviterProfileUrl", "inviteeProfileUrl"]
    owner, rows = ps[0], []
    for k, other in enumerate(ps[1:]):
        out = k % 2 == 0
        a, b = (owner, other) if out else (other, owner)
        row = [a.name, b.name, f"{DATES[k % 3]:%m/%d/%y, %I:%M %p}", "SECRET hello",
               "OUTGOING" if out else "INCOMING"]  # fmt: skip
        if with_urls:
            row += [a.url, b.url]
        rows.append(row)
    return TableSpec(header, rows)


def positions_spec(ps: list[P]) -> TableSpec:
    header = ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"]
    rows = [[p.company, p.title, "SECRET", "Paris", "Mar 2019", "" if k == 0 else "Jan 2024"]
            for k, p in enumerate(ps)]  # fmt: skip
    return TableSpec(header, rows)


def profile_spec(p: P) -> TableSpec:
    header = ["First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline",
              "Summary", "Industry", "Zip Code", "Geo Location", "Twitter Handles", "Websites",
              "Instant Messengers"]  # fmt: skip
    row = [p.first, p.last, "", "", "", p.title, "SECRET", "", "", "", "", "", ""]
    return TableSpec(header, [row])


def _connections_names(ps: list[P]) -> list[str]:
    return [p.name for p in ps]


# --------------------------------------------------------------------------- HubSpot


def hubspot_spec(ps: list[P], with_companies: bool) -> TableSpec:
    if with_companies:
        header = ["Record ID - Contact", "First Name", "Last Name", "Email", "Company Name",
                  "Contact owner", "Last Activity Date", "Create Date", "Record ID - Company",
                  "Company name", "Company Domain Name"]  # fmt: skip
    else:
        header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number",
                  "Company Name", "Job Title", "Contact owner", "Associated Company IDs",
                  "Associated Company", "Last Activity Date", "Create Date", "Lifecycle Stage",
                  "Additional email addresses", "LinkedIn URL"]  # fmt: skip
    rows = []
    for k, p in enumerate(ps):
        cells = {
            "Record ID - Contact": str(100 + k), "Record ID": str(100 + k),
            "First Name": p.first, "Last Name": p.last,
            "Email": p.email if p.has_email else "", "Company Name": p.company,
            "Contact owner": ("Grace Hopper", "Grace Hopper (grace@tiegraph.example)",
                              "bo@tiegraph.example", "")[k % 4],
            "Last Activity Date": f"{DATES[k % 3]:%Y-%m-%d %H:%M}", "Create Date": "2025-11-02 09:15",
            "Record ID - Company": str(9000 + k), "Company name": p.company,
            "Company Domain Name": "acme.example", "Phone Number": "+44 20 7946 0000",
            "Job Title": p.title, "Associated Company IDs": f"{9000 + k};9100",
            "Associated Company": f"{p.company.replace(';', ' ')};Other Co",
            "Lifecycle Stage": "lead", "Additional email addresses": "x@home.example;bad",
            "LinkedIn URL": p.url,
        }  # fmt: skip
        rows.append([cells[h] for h in header])
    rows.append(["" for _ in header])  # a blank row from a spreadsheet
    return TableSpec(header, rows)


# --------------------------------------------------------------------------- Salesforce

def sf_id(prefix: str, n: int) -> str:
    return f"{prefix}Hs{n:010d}"[:15] + "AAA"


SF_HEADERS = {
    "User": ["Id", "Username", "LastName", "FirstName", "Name", "CompanyName", "Title", "Email",
             "Phone", "MobilePhone", "IsActive", "UserType", "ManagerId", "CreatedDate"],
    "Account": ["Id", "IsDeleted", "Name", "Type", "ParentId", "BillingCity", "Website",
                "Industry", "OwnerId", "CreatedDate"],
    "Contact": ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Phone", "MobilePhone",
                "ReportsToId", "Email", "Title", "OwnerId", "CreatedDate", "LastActivityDate"],
    "Task": ["Id", "WhoId", "WhatId", "Subject", "ActivityDate", "Status", "OwnerId",
             "Description", "IsDeleted", "CreatedDate", "TaskSubtype", "Type"],
    "Event": ["Id", "WhoId", "WhatId", "Subject", "ActivityDateTime", "ActivityDate",
              "DurationInMinutes", "StartDateTime", "OwnerId", "IsDeleted", "IsChild"],
    "EventRelation": ["Id", "RelationId", "EventId", "IsInvitee", "IsWhat", "Status",
                      "IsDeleted"],
    "OpportunityContactRole": ["Id", "OpportunityId", "ContactId", "Role", "IsPrimary",
                               "CreatedDate", "IsDeleted"],
}  # fmt: skip


def salesforce_specs(ps: list[P]) -> dict[str, TableSpec]:
    """One CSV per object: the first person is a user (the rep), the others contacts."""
    rep, contacts = ps[0], ps[1:] or ps
    users = [[sf_id("005", 0), "rep@corp.example", rep.last, rep.first, "", "Corp", rep.title,
              rep.email, "+1 555 0100", "", "true", "Standard", "", "2020-01-01T00:00:00.000Z"],
             [sf_id("005", 9), "bot@corp.example", "Process", "Automated", "", "", "", "", "",
              "", "true", "AutomatedProcess", "", "2020-01-01T00:00:00.000Z"]]  # fmt: skip
    accounts = [[sf_id("001", k), "false", p.company, "Customer", "", "Paris",
                 "https://www.acme.example/x", "Banking", sf_id("005", 0),
                 "2021-01-01T00:00:00.000Z"] for k, p in enumerate(contacts)]  # fmt: skip
    cons = [[sf_id("003", k), "false", sf_id("001", k), p.last, p.first, "+33 1 23 45 67 89", "",
             sf_id("003", 0) if k else "", p.email if p.has_email else "", p.title,
             sf_id("005", 0), "2021-01-01T00:00:00.000Z", "2024-03-10"]
            for k, p in enumerate(contacts)]  # fmt: skip
    tasks = [[sf_id("00T", k), sf_id("003", k), "", "SECRET", "2024-03-10", "Completed",
              sf_id("005", 0), "SECRET", "false", "2024-03-09T10:00:00.000Z",
              ("Call", "Email", "Task")[k % 3], ""] for k in range(len(contacts))]  # fmt: skip
    events = [[sf_id("00U", 0), sf_id("003", 0), "", "SECRET", "2024-03-10T14:00:00.000Z",
               "2024-03-10", "60", "2024-03-10T14:00:00.000Z", sf_id("005", 0), "false",
               "false"]]  # fmt: skip
    rels = [[sf_id("0RE", k), sf_id("003", k), sf_id("00U", 0), "true", "false",
             ("Accepted", "Declined", "New")[k % 3], "false"] for k in range(len(contacts))]
    ocr = [[sf_id("00K", k), sf_id("006", 0), sf_id("003", k), "Decision Maker", "false",
            "2024-01-01T00:00:00.000Z", "false"] for k in range(len(contacts))]  # fmt: skip
    rows = {"User": users, "Account": accounts, "Contact": cons, "Task": tasks,
            "Event": events, "EventRelation": rels, "OpportunityContactRole": ocr}  # fmt: skip
    return {obj: TableSpec(SF_HEADERS[obj], r, quote_all=True) for obj, r in rows.items()}


def salesforce_names(ps: list[P], obj: str | None = None) -> tuple[list[str], list[str]]:
    """Names and company names that object `obj` (None: the whole export) must give."""
    rep, contacts = ps[0], ps[1:] or ps
    names: list[str] = []
    companies: list[str] = []
    if obj in (None, "User"):
        names.append(rep.name)
    if obj in (None, "Contact"):
        names += [p.name for p in contacts]
    if obj in (None, "Account"):
        companies += [p.company for p in contacts]
    return names, companies


# --------------------------------------------------------------------------- mapped CSVs

CONTACT_MAP = {"Full Name": "name", "E-mail": "email", "E-mail 2": "email", "Company": "company",
               "Job Title": "title", "LinkedIn": "linkedin_url", "Phone": "phone",
               "Owner": "owner"}  # fmt: skip
SPLIT_MAP = {"First": "first_name", "Last": "last_name", "Email Address": "email",
             "Org": "company"}  # fmt: skip
LOG_MAP = {"From": "from", "From Name": "from_name", "To": "to", "To Name": "to_name",
           "Date": "at", "Type": "kind", "Direction": "direction", "Participants": "group_size"}


def csvmap_spec(ps: list[P], kind: str) -> tuple[TableSpec, dict[str, str], list[str]]:
    """A mapped CSV of `kind` (contacts, split, log), its mapping and the names it must give."""
    if kind == "contacts":
        rows = [[p.name, p.email if p.has_email else "", f"alt{p.i}@example.org; x", p.company,
                 p.title, p.url, "+1 (555) 010-9999", ("Grace Hopper", "rep@corp.example", "")[
                     p.i % 3]] for p in ps]  # fmt: skip
        return TableSpec(list(CONTACT_MAP), rows), CONTACT_MAP, [p.name for p in ps]
    if kind == "split":
        rows = [[p.first, p.last, p.email, p.company] for p in ps]
        return TableSpec(list(SPLIT_MAP), rows), SPLIT_MAP, [p.name for p in ps]
    owner, rows = ps[0], []
    for k, p in enumerate(ps[1:] or ps):
        rows.append([owner.email, owner.name, p.email, p.name, f"{DATES[k % 3]:%Y-%m-%d %H:%M}",
                     ("E-mail", "Phone call", "meeting", "")[k % 4], ("", "both")[k % 2],
                     ("", "3")[k % 2]])  # fmt: skip
    if len(ps) < 2:
        return TableSpec(list(LOG_MAP), rows), LOG_MAP, []
    return TableSpec(list(LOG_MAP), rows), LOG_MAP, [p.name for p in ps]


# --------------------------------------------------------------------------- vCard


def _vescape(s: str) -> str:
    return s.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold_octets(line: bytes, nl: bytes) -> bytes:
    """Fold at 75 octets, as iPhone does, even inside a UTF-8 character."""
    if len(line) <= 75:
        return line
    parts = [line[:75]] + [line[k : k + 74] for k in range(75, len(line), 74)]
    return (nl + b" ").join(parts)


def vcard_bytes(ps: list[P], version: str, nl: str, fold: bool) -> bytes:
    out = []
    for p in ps:
        lines = ["BEGIN:VCARD", f"VERSION:{version}"]
        if version == "2.1":
            qp = quopri.encodestring(p.name.encode("utf-8")).decode("ascii").replace("=\n", "")
            lines.append(f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{qp}")
            lines.append(f"EMAIL;INTERNET;PREF:{p.email}")
        else:
            lines.append(f"FN:{_vescape(p.name)}")
            lines.append(f"N:{_vescape(p.last)};{_vescape(p.first)};;;")
            lines.append(f"item1.EMAIL;type=INTERNET;type=pref:{p.email}")
            lines.append("item1.X-ABLabel:Work")
        lines.append(f"ORG:{_vescape(p.company)};R&D")
        lines.append(f"TITLE:{_vescape(p.title)}")
        if version == "4.0":
            lines.append('TEL;VALUE=uri;TYPE="work,voice":tel:+1-555-010-9999')
        else:
            lines.append("TEL;TYPE=CELL:+44 20 7946 0018")
        lines.append(f"X-SOCIALPROFILE;type=linkedin:{p.url.replace(':', chr(92) + ':')}")
        lines.append("NOTE:SECRET note\\nsecond line")
        lines.append("END:VCARD")
        for ln in lines:
            b = ln.encode("utf-8")
            out.append(_fold_octets(b, nl.encode()) if fold else b)
    return nl.encode().join(out) + nl.encode()


# --------------------------------------------------------------------------- iCalendar


def _cn(name: str) -> str:
    """A CN parameter value, quoted, with RFC 6868 escapes for quotes."""
    return '"' + name.replace("^", "^^").replace('"', "^'").replace("\n", "^n") + '"'


def _fold_chars(line: str) -> str:
    if len(line) <= 75:
        return line
    return "\r\n ".join([line[:75]] + [line[k : k + 74] for k in range(75, len(line), 74)])


DTSTARTS = (
    "DTSTART:20240305T100000Z",
    "DTSTART;TZID=Europe/Berlin:20240305T100000",
    "DTSTART;VALUE=DATE:20240305",
    "DTSTART:20240305T100000",
    "DTSTART;TZID=W. Europe Standard Time:20240305T100000",
)


def ics_bytes(ps: list[P], variant: int, nl: str) -> bytes:
    """Meetings among `ps`: the first organises; a weekly series when `variant` is odd, a
    second event when it is 5 or more."""
    org, rest = ps[0], ps[1:]
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN"]
    for k in range(1 + (variant >= 5)):
        lines += ["BEGIN:VEVENT", DTSTARTS[(variant + k) % len(DTSTARTS)],
                  "DTEND:20240305T110000Z", f"UID:ev{k}-{variant}@google.com",
                  f"ORGANIZER;CN={_cn(org.name)}:mailto:{org.email}",
                  f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN="
                  f"{_cn(org.name)}:mailto:{org.email}"]  # fmt: skip
        for p in rest:
            lines.append(f"ATTENDEE;CN={_cn(p.name)};PARTSTAT=ACCEPTED:mailto:{p.email}")
        lines.append("ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room@resource.example")
        if variant % 2 and k == 0:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=TU")
        lines += ["SUMMARY:SECRET meeting", "DESCRIPTION:SECRET\\, agenda", "STATUS:CONFIRMED",
                  "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return nl.join(_fold_chars(ln) for ln in lines).encode("utf-8") + nl.encode()


# --------------------------------------------------------------------------- mail


def mbox_bytes(ps: list[P], takeout: bool, nl: str) -> bytes:
    """Mail among `ps` (the first writes to the others and they reply), as an mbox (Gmail
    Takeout separators) or, without `takeout`, one .eml message."""
    owner, rest = ps[0], ps[1:] or ps
    msgs: list[list[str]] = []
    msgs.append([f"From: {formataddr((owner.name, owner.email))}",
                 "To: " + ", ".join(formataddr((p.name, p.email)) for p in rest),
                 "Date: Tue, 5 Mar 2024 11:00:00 +0100", "Message-ID: <m0@mail.example>"])
    if takeout:
        for k, p in enumerate(rest):
            msgs.append([f"From: {formataddr((p.name, p.email))}",
                         f"To: {formataddr((owner.name, owner.email))}",
                         f"Cc: {formataddr((p.name, p.email))}",
                         f"Date: Wed, {6 + k} Mar 2024 09:00:00 -0800",
                         f"Message-ID: <m{k + 1}@mail.example>"])  # fmt: skip
    out = []
    for k, headers in enumerate(msgs):
        if takeout:
            out.append(f"From 178123456789012{k:04d}@xxx Tue Mar 05 10:00:00 +0000 2024")
        out += ["X-GM-THRID: 1781234567890123456", *headers, "Subject: SECRET", "", "SECRET body",
                "From the desk of SECRET, unescaped", ">From escaped", ""]  # fmt: skip
    return nl.join(out).encode("utf-8")


def mail_names(ps: list[P]) -> list[str]:
    return [p.name for p in ps] if len(ps) > 1 else []


# --------------------------------------------------------------------------- zips

UNSAFE_NAMES = ("../x.csv", "/etc/x", "C:\\x", "a/../../b.csv", "..\\x.csv", "C:/x.csv",
                "ok/../../../etc/passwd")  # fmt: skip
ZIP_OPS = ("traversal", "dup", "bomb", "big", "total", "flip", "cut", "encrypt", "badname",
           "method", "dir", "nest")  # fmt: skip


def zip_breakage(c: Choices) -> Ops:
    """Up to three zip-level breakages (see `build_zip`); none in half the cases."""
    if c.flag():
        return ()
    return tuple((c.pick(ZIP_OPS), c.int(0, 10_000), c.byte()) for _ in range(c.int(1, 3)))


#: Zips as exporters write them (deflate) and as other tools can (stored, bzip2, LZMA).
COMPRESSIONS = (zipfile.ZIP_DEFLATED,) * 10 + (zipfile.ZIP_STORED,) * 3 + (
    zipfile.ZIP_BZIP2, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


@functools.cache
def _bomb_zip() -> bytes:
    """A real zip bomb member: 2 MiB of zeros deflated to about 2 KB (ratio ~1000)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb/messages.csv", b"\0" * (2 * 1024**2))
    return buf.getvalue()


def _central(raw: bytes) -> list[int]:
    """Offsets of the central directory headers of a zip's bytes."""
    eocd = raw.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 > len(raw):
        return []
    (n,) = struct.unpack_from("<H", raw, eocd + 10)
    (pos,) = struct.unpack_from("<I", raw, eocd + 16)
    out = []
    for _ in range(n):
        if raw[pos : pos + 4] != b"PK\x01\x02":
            break
        out.append(pos)
        nl, xl, cl = struct.unpack_from("<HHH", raw, pos + 28)
        pos += 46 + nl + xl + cl
    return out


def _patch(raw: bytes, at: int, fmt: str, value: int) -> bytes:
    b = bytearray(raw)
    struct.pack_into(fmt, b, at, value)
    return bytes(b)


def build_zip(members: dict[str, bytes], ops: Iterable[tuple[str, int, int]],
              compression: int) -> bytes:  # fmt: skip
    """A zip of `members`, broken by `ops` (see `ZIP_OPS`)."""
    ops = list(ops)
    members = dict(members)
    extra: list[tuple[str, bytes]] = []
    for what, where, arg in ops:
        names = list(members)
        if what == "traversal":
            extra.append((UNSAFE_NAMES[arg % len(UNSAFE_NAMES)], b"First Name,Last Name\n"))
        elif what == "dup" and names:
            extra.append((names[where % len(names)], b"Notes:\nnot the same content\n"))
        elif what == "dir":
            extra.append(("messages/", b""))
        elif what == "nest":
            members = {f"Basic_LinkedInDataExport_01-01-2026/{n}": v for n, v in members.items()}
        elif what == "badname":
            extra.append(("Connectionsé.csv", b"x"))
    start = _bomb_zip() if any(op[0] == "bomb" for op in ops) else b""
    buf = io.BytesIO(start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we want
        with zipfile.ZipFile(buf, "a" if start else "w", zipfile.ZIP_DEFLATED) as zf:
            for k, (name, data) in enumerate([*members.items(), *extra]):
                # LZMA costs ~3 ms a member to set up: one member is enough to cover it.
                method = compression if compression != zipfile.ZIP_LZMA or k == 0 else None
                zf.writestr(name, data, compress_type=method)
    raw = buf.getvalue()
    for what, where, arg in ops:
        cds = _central(raw)
        if not cds:
            break
        cd = cds[where % len(cds)]
        if what == "big":  # a member claiming more than MAX_MEMBER
            raw = _patch(raw, cd + 24, "<I", min(MAX_MEMBER + 1 + arg, 2**32 - 1))
        elif what == "total":  # every member claiming a lot, compressed "honestly"
            for c in cds:
                raw = _patch(raw, c + 24, "<I", MAX_TOTAL // 3 + 4096)
                raw = _patch(raw, c + 20, "<I", MAX_TOTAL // 6)
        elif what == "encrypt":
            (flags,) = struct.unpack_from("<H", raw, cd + 8)
            raw = _patch(raw, cd + 8, "<H", flags | 1)
        elif what == "method":
            raw = _patch(raw, cd + 10, "<H", (99, 12, 14, 8, 0, 1)[arg % 6])
        elif what == "badname":
            for c in cds:
                nl = struct.unpack_from("<H", raw, c + 28)[0]
                name = raw[c + 46 : c + 46 + nl]
                if b"\xc3\xa9" in name:  # the UTF-8 "é": break it (the UTF-8 flag stays set)
                    i = c + 46 + name.index(b"\xc3\xa9")
                    raw = raw[:i] + b"\xff" + raw[i + 1 :]
        elif what == "flip" and raw:
            p = len(raw) * where // 10_000
            p = min(p, len(raw) - 1)
            raw = raw[:p] + bytes([raw[p] ^ (arg or 1)]) + raw[p + 1 :]
        elif what == "cut":
            raw = raw[: len(raw) * where // 10_000]
    return raw


# =========================================================================== the tests


class Scratch:
    """Files for the cases that need a path. Each case writes new files and removes them
    after: rewriting a file in place costs a forced flush on ext4 (milliseconds a case), and
    so does a new folder."""

    def __init__(self, root: Path):
        self.root, self._n = root, 0

    @contextmanager
    def file(self, name: str, data: bytes) -> Iterator[Path]:
        self._n += 1
        path = self.root / f"{self._n}-{name}"
        path.write_bytes(data)
        try:
            yield path
        finally:
            path.unlink()

    @contextmanager
    def folder(self, name: str, members: dict[str, bytes]) -> Iterator[Path]:
        """A folder with `members`; the folder itself is made once and kept."""
        path = self.root / name
        written = []
        try:
            for member, data in members.items():
                (path / member).parent.mkdir(parents=True, exist_ok=True)
                (path / member).write_bytes(data)
                written.append(path / member)
            yield path
        finally:
            for f in written:
                f.unlink()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Scratch:
    return Scratch(tmp_path_factory.mktemp("fuzz"))


def case(**what: object) -> None:
    """Show the decoded case in Hypothesis' report of a failure (costs nothing otherwise)."""
    note(what)


CONN_LAYOUTS = ("2019", "2018", "2022", "bom")
YEARS = ("2023", "2018", "2021", "2024-12", "2026")


def linkedin_connections(c: Choices) -> None:
    ps, style, ops, via_dispatch = people(c), c.pick(CONN_LAYOUTS), breakage(c), c.flag()
    layout = layout_of(c)
    if style == "bom":  # Excel's re-save: a BOM and 6-Feb-26 dates
        layout = replace(layout, encoding="utf-8-sig")
    case(ps=ps, style=style, layout=layout, ops=ops, via_dispatch=via_dispatch)
    raw = break_bytes(write_table(connections_spec(ps, style), layout), ops)
    parse = linkedin.parse_file if via_dispatch else linkedin.parse_connections
    out = check_records(parse(raw, file="Connections.csv", owner="me"), "Connections.csv",
                        line_bound(raw))  # fmt: skip
    assert isinstance(linkedin.sniff("Connections.csv", raw[:8192]), bool)
    if not ops:
        expect(out, names=[p.name for p in ps])


def linkedin_messages(c: Choices) -> None:
    ps, year, layout, ops, with_hint = people(c, 2), c.pick(YEARS), layout_of(c), breakage(c), c.flag()
    case(ps=ps, year=year, layout=layout, ops=ops, with_hint=with_hint)
    raw = break_bytes(write_table(messages_spec(ps, year), layout), ops)
    hint = Person(name=ps[0].plain().name, is_owner=True) if with_hint else None
    out = check_records(
        linkedin.parse_messages(raw, file="messages.csv", owner="me", owner_hint=hint),
        "messages.csv", line_bound(raw),
    )
    if not ops:
        expect(out, names=[p.plain().name for p in ps])
    assert not any("SECRET" in n for n in out.names)


def linkedin_invitations(c: Choices) -> None:
    ps, with_urls, layout, ops, via_dispatch = people(c, 2), c.flag(), layout_of(c), breakage(c), c.flag()
    case(ps=ps, with_urls=with_urls, layout=layout, ops=ops, via_dispatch=via_dispatch)
    raw = break_bytes(write_table(invitations_spec(ps, with_urls), layout), ops)
    parse = linkedin.parse_file if via_dispatch else linkedin.parse_invitations
    out = check_records(parse(raw, file="Invitations.csv"), "Invitations.csv", line_bound(raw))
    if not ops:
        expect(out, names=[p.name for p in ps])


def linkedin_positions(c: Choices) -> None:
    ps, layout, ops, via_dispatch = people(c), layout_of(c), breakage(c), c.flag()
    case(ps=ps, layout=layout, ops=ops, via_dispatch=via_dispatch)
    raw = break_bytes(write_table(positions_spec(ps), layout), ops)
    parse = linkedin.parse_file if via_dispatch else linkedin.parse_positions
    out = check_records(parse(raw, file="Positions.csv"), "Positions.csv", line_bound(raw))
    if not ops:
        expect(out, companies=[p.company for p in ps])


def linkedin_profile(c: Choices) -> None:
    ps, layout, ops = people(c, 1, 1), layout_of(c), breakage(c)
    case(ps=ps, layout=layout, ops=ops)
    raw = break_bytes(write_table(profile_spec(ps[0]), layout), ops)

    def parse() -> Iterator[Person]:
        me = linkedin.parse_profile(raw, file="Profile.csv")
        if me is not None:
            assert me.is_owner and me.name
            yield me

    out = check_records(parse(), "Profile.csv", line_bound(raw))
    if not ops:
        expect(out, names=[ps[0].name])


LINKEDIN_CSVS = {
    "connections": linkedin_connections,
    "messages": linkedin_messages,
    "invitations": linkedin_invitations,
    "positions": linkedin_positions,
    "profile": linkedin_profile,
}


@FUZZ
@given(choices)
def test_linkedin_csv(c):
    """Connections (every layout), messages (every header), Invitations, Positions and
    Profile, each through its own parser or `parse_file`'s dispatch."""
    kind = c.pick(tuple(LINKEDIN_CSVS))
    case(kind=kind)
    LINKEDIN_CSVS[kind](c)


def linkedin_members(ps: list[P], style: str, year: str, layout: Layout,
                     ops: Ops) -> dict[str, bytes]:  # fmt: skip
    """A LinkedIn archive's members; `ops` break one member chosen by the first op."""
    members = {
        "Profile.csv": write_table(profile_spec(ps[0]), layout),
        "Positions.csv": write_table(positions_spec(ps), layout),
        "Connections.csv": write_table(connections_spec(ps, style), layout),
        ("Messages.csv" if year == "2018" else "messages/messages.csv"): write_table(
            messages_spec(ps, year), layout),
        "Invitations.csv": write_table(invitations_spec(ps, True), layout),
        "Skills.csv": b"Name\nSECRET skill\n",
    }
    if ops:
        name = sorted(members)[ops[0][1] % len(members)]
        members[name] = break_bytes(members[name], ops)
    return members


def archive_records(path: Path, parse: Callable[..., Iterator[object]],
                    **kw: object) -> Iterator[object]:  # fmt: skip
    archive = open_archive(path)
    try:
        yield from parse(archive, **kw)
    finally:
        archive.close()


@FUZZ
@given(choices)
def test_linkedin_archive(scratch, c):
    ps, style, year, layout = people(c, 2), c.pick(CONN_LAYOUTS), c.pick(YEARS), layout_of(c)
    ops, zops, compression = breakage(c), zip_breakage(c), c.pick(COMPRESSIONS)
    case(ps=ps, style=style, year=year, layout=layout, ops=ops, zops=zops, compression=compression)
    members = linkedin_members(ps, style, year, layout, ops)
    zipped = build_zip(members, zops, compression)
    with scratch.file("Basic_LinkedInDataExport_01-01-2026.zip", zipped) as path:
        out = check_records(archive_records(path, linkedin.parse_archive, owner="Ada <a@x.org>"),
                            str(path), line_bound(*members.values()))  # fmt: skip
    if not ops and not zops:
        names = [p.name for p in ps] + [p.plain().name for p in ps]
        expect(out, names=names, companies=[p.company for p in ps])


@FUZZ
@given(choices)
def test_hubspot(c):
    ps, with_companies, layout, ops = people(c), c.flag(), layout_of(c), breakage(c)
    case(ps=ps, with_companies=with_companies, layout=layout, ops=ops)
    raw = break_bytes(write_table(hubspot_spec(ps, with_companies), layout), ops)
    name = "hubspot-crm-exports-all-contacts-2026-03-12.csv"
    out = check_records(hubspot.parse_contacts(raw, file=name), name, line_bound(raw))
    assert isinstance(hubspot.sniff(name, raw[:8192]), bool)
    if not ops:
        expect(out, names=[p.name for p in ps])


SF_OBJECTS = tuple(SF_HEADERS)


def salesforce_object_csv(c: Choices) -> None:
    ps, obj, layout, ops = people(c), c.pick(SF_OBJECTS), layout_of(c, delimiters=(",",)), breakage(c)
    case(ps=ps, obj=obj, layout=layout, ops=ops)
    raw = break_bytes(write_table(salesforce_specs(ps)[obj], layout), ops)
    out = check_records(salesforce.parse_file(raw, file=f"{obj}.csv"), f"{obj}.csv",
                        line_bound(raw))  # fmt: skip
    assert isinstance(salesforce.sniff(f"{obj}.csv", raw[:8192]), bool)
    if not ops:
        names, companies = salesforce_names(ps, obj)
        expect(out, names=names, companies=companies)


def salesforce_export(c: Choices, scratch: Scratch) -> None:
    ps, layout = people(c), layout_of(c, delimiters=(",",))
    objects = {o for o in SF_OBJECTS if c.byte() % 4}  # each object in 3 exports out of 4
    ops, zops, compression = breakage(c), zip_breakage(c), c.pick(COMPRESSIONS)
    case(ps=ps, layout=layout, objects=objects, ops=ops, zops=zops, compression=compression)
    specs = salesforce_specs(ps)
    members = {f"{obj}.csv": write_table(specs[obj], layout) for obj in sorted(objects)}
    members["Lead.csv"] = b'"Id","LastName"\n"00QHs0000000001","SECRET"\n'
    if ops:
        name = sorted(members)[ops[0][1] % len(members)]
        members[name] = break_bytes(members[name], ops)
    zipped = build_zip(members, zops, compression)
    with scratch.file("WE_00D5e000000DemoEAC_1.zip", zipped) as path:
        out = check_records(archive_records(path, salesforce.parse_export), str(path),
                            line_bound(*members.values()))  # fmt: skip
    if not ops and not zops and objects >= {"User", "Account", "Contact"}:
        names, companies = salesforce_names(ps)
        expect(out, names=names, companies=companies)


@FUZZ
@given(choices)
def test_salesforce(scratch, c):
    """Object CSVs read alone (`parse_file`) in half the cases, whole exports in zips
    (`parse_export`) in the other half."""
    if c.flag():
        salesforce_export(c, scratch)
    else:
        salesforce_object_csv(c)


@FUZZ
@given(choices)
def test_csvmap(c):
    ps, kind, layout, ops, respell = people(c), c.pick(("contacts", "split", "log")), \
        layout_of(c), breakage(c), c.flag()  # fmt: skip
    case(ps=ps, kind=kind, layout=layout, ops=ops, respell=respell)
    spec, mapping, names = csvmap_spec(ps, kind)
    if respell:  # the user types the column names in another case, with spaces
        mapping = {f"  {k.upper()} ": v for k, v in mapping.items()}
    raw = break_bytes(write_table(spec, layout), ops)
    out = check_records(csvmap.parse_mapped(raw, file="export.csv", mapping=mapping,
                                            owner="p0@example0.org"),
                        "export.csv", line_bound(raw))  # fmt: skip
    if not ops:
        expect(out, names=names)


@FUZZ
@given(choices)
def test_vcard(c):
    ps, version, nl, fold = people(c), c.pick(("3.0", "2.1", "4.0")), c.pick(("\r\n", "\n")), c.flag()
    encoding, ops = c.pick(("utf-8", "utf-8-sig", "utf-16")), breakage(c)
    case(ps=ps, version=version, nl=nl, fold=fold, encoding=encoding, ops=ops)
    raw = vcard_bytes(ps, version, nl, fold).decode("utf-8").encode(encoding)
    raw = break_bytes(raw, ops)
    out = check_records(vcard.parse_vcards(raw, file="contacts.vcf", owner="me"), "contacts.vcf",
                        line_bound(raw))  # fmt: skip
    if not ops:
        expect(out, names=[p.name for p in ps])


@FUZZ
@given(choices)
def test_ics(c):
    ps, variant, nl = people(c, 1, 3), c.int(0, 9), c.pick(("\r\n", "\n"))
    encoding, ops = c.pick(("utf-8", "utf-8-sig", "utf-16")), breakage(c)
    case(ps=ps, variant=variant, nl=nl, encoding=encoding, ops=ops)
    raw = ics_bytes(ps, variant, nl).decode("utf-8").encode(encoding)
    raw = break_bytes(raw, ops, huge=100_000)  # icalendar reads a long line slowly
    out = check_records(ics.parse_calendar(raw, file="cal.ics", owner=ps[0].email), "cal.ics",
                        line_bound(raw))  # fmt: skip
    if not ops and len(ps) > 1:
        expect(out, names=[p.name for p in ps])


@FUZZ
@given(choices)
def test_mbox(c):
    ps, takeout, nl = people(c), c.flag(), c.pick(("\r\n", "\n"))
    encoding, ops = c.pick(("utf-8", "utf-16")), breakage(c)
    case(ps=ps, takeout=takeout, nl=nl, encoding=encoding, ops=ops)
    raw = break_bytes(mbox_bytes(ps, takeout, nl).decode("utf-8").encode(encoding), ops)
    label = "All mail.mbox" if takeout else "message.eml"
    out = check_records(mbox.parse_mail(raw, file=label, owner=ps[0].email), label,
                        line_bound(raw))  # fmt: skip
    if not ops:
        expect(out, names=mail_names(ps))


# --------------------------------------------------------------------------- open_units

SOURCES = ("connections", "messages", "invitations", "hubspot", "salesforce", "csvmap", "vcard",
           "ics", "mbox", "linkedin-zip", "salesforce-zip", "linkedin-folder")  # fmt: skip
FORCED = {"connections": "linkedin", "messages": "linkedin", "invitations": "linkedin",
          "hubspot": "hubspot", "salesforce": "salesforce", "vcard": "vcard", "ics": "ics",
          "mbox": "mbox", "salesforce-zip": "salesforce", "linkedin-zip": "linkedin",
          "linkedin-folder": "linkedin"}  # fmt: skip


@dataclass
class Export:
    """An export on disk as `open_units` takes it."""

    name: str
    members: dict[str, bytes]  # one member named "" for a single file
    names: list[str]
    mapping: dict[str, str] | None = None


def export_of(source: str, ps: list[P], layout: Layout) -> Export:
    sf_layout = replace(layout, delimiter=",")
    if source == "connections":
        return Export("Connections.csv", {"": write_table(connections_spec(ps, "2019"), layout)},
                      [p.name for p in ps])  # fmt: skip
    if source == "messages":
        return Export("messages.csv", {"": write_table(messages_spec(ps, "2023"), layout)},
                      [p.plain().name for p in ps] if len(ps) > 1 else [])  # fmt: skip
    if source == "invitations":
        return Export("Invitations.csv", {"": write_table(invitations_spec(ps, True), layout)},
                      [p.name for p in ps] if len(ps) > 1 else [])  # fmt: skip
    if source == "hubspot":
        return Export("hubspot-crm-exports-all-contacts-2026-03-12.csv",
                      {"": write_table(hubspot_spec(ps, False), layout)}, [p.name for p in ps])
    if source == "salesforce":
        return Export("Contact.csv", {"": write_table(salesforce_specs(ps)["Contact"], sf_layout)},
                      salesforce_names(ps, "Contact")[0])  # fmt: skip
    if source == "csvmap":
        spec, mapping, names = csvmap_spec(ps, "contacts")
        return Export("people.csv", {"": write_table(spec, layout)}, names, mapping)
    if source == "vcard":
        return Export("contacts.vcf", {"": vcard_bytes(ps, "3.0", "\r\n", True)},
                      [p.name for p in ps])  # fmt: skip
    if source == "ics":
        return Export("calendar.ics", {"": ics_bytes(ps, 1, "\r\n")},
                      [p.name for p in ps] if len(ps) > 1 else [])  # fmt: skip
    if source == "mbox":
        return Export("Sent.mbox", {"": mbox_bytes(ps, True, "\n")}, mail_names(ps))
    if source == "salesforce-zip":
        specs = salesforce_specs(ps)
        return Export("WE_00D5e000000DemoEAC_1.zip",
                      {f"{o}.csv": write_table(s, sf_layout) for o, s in specs.items()},
                      salesforce_names(ps)[0])  # fmt: skip
    members = linkedin_members(ps, "2019", "2023", layout, ())
    names = [p.name for p in ps]
    if source == "linkedin-folder":
        return Export("Basic_LinkedInDataExport_01-01-2026", members, names)
    return Export("Basic_LinkedInDataExport_01-01-2026.zip", members, names)


def on_disk(scratch: Scratch, ex: Export, zops: Ops, compression: int):  # noqa: ANN201
    """The export written where `open_units` will find it (a context manager)."""
    if "" in ex.members:
        return scratch.file(ex.name, ex.members[""])
    if ex.name.endswith(".zip"):
        return scratch.file(ex.name, build_zip(ex.members, zops, compression))
    return scratch.folder(ex.name, ex.members)


@FUZZ
@given(choices)
def test_open_units(scratch, c):
    ps, source, layout, ops = people(c), c.pick(SOURCES), layout_of(c), breakage(c)
    zops, compression, forced = zip_breakage(c), c.pick(COMPRESSIONS), c.flag()
    case(ps=ps, source=source, layout=layout, ops=ops, zops=zops, compression=compression,
         forced=forced)  # fmt: skip
    ex = export_of(source, ps, layout)
    if ops:
        name = sorted(ex.members)[ops[0][1] % len(ex.members)]
        ex.members[name] = break_bytes(ex.members[name], ops)
    fmt = "csv" if ex.mapping else (FORCED[source] if forced else "auto")

    def parse(path: Path) -> Iterator[object]:
        units = open_units([path], format=fmt, mapping=ex.mapping, owner="me@example.org")
        assert units
        for unit in units:
            assert unit.label.startswith(str(path)) and unit.digest and unit.lines >= 1
            yield from unit.records()

    with on_disk(scratch, ex, zops, compression) as path:
        out = check_records(parse(path), str(path), line_bound(*ex.members.values()))
    if not ops and not (zops and ex.name.endswith(".zip")):
        expect(out, names=ex.names)
