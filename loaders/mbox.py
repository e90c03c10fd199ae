"""Mail: mbox files (Gmail Takeout, Thunderbird, Apple Mail export) and single ``.eml`` messages.

Headers only: ``From``, ``To``, ``Cc``, ``Date`` and ``Message-ID``. A message body is never
parsed, decoded or kept; the parser reads each message's header block (up to the first blank
line) and steps over the rest.

mbox layout (RFC 4155): each message starts with a ``From `` separator line (``From
1781234567890@xxx Tue Mar 05 10:00:00 +0000 2024`` in Gmail Takeout, ``From - Tue Mar 05
...`` in Thunderbird). A line in a body that starts with ``From `` is escaped as ``>From `` by
well-behaved writers, but not by all, so a ``From `` line counts as a separator only when its
second word is followed by a weekday (the postmark date), or when it follows a blank line and
is followed by a header line. The file is split here rather than with `mailbox`, which needs a
path and does not give line numbers; the five fields are picked out of each header block by
hand, and then read with the stdlib: `email.utils.getaddresses` for addresses,
`email.header.decode_header` for encoded words, `email.utils.parsedate_to_datetime` for dates.

Quirks handled: LF and CRLF files; folded headers; RFC 2047 encoded words in names
(``=?UTF-8?B?...?=``, ``=?iso-8859-1?Q?...?=``); raw UTF-8 (or Latin-1) bytes in headers;
several ``To``/``Cc`` header lines; group syntax (``undisclosed-recipients:;``); a display name
that is just the address again; the sender copying themselves; duplicate messages (the same
``Message-ID`` twice in one file, as when labels were exported as folders).

A message whose ``Date`` is missing or unreadable is kept with ``at=None``: who wrote to whom
is still evidence, only its recency is unknown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC
from email.errors import HeaderParseError, MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email
from graph.model import Interaction, Person, Provenance, Record, Skipped

from .archive import records_at
from .text import decode

__all__ = ["sniff", "parse_mail", "read_mail", "SOURCE"]

SOURCE = "mbox"

_WEEKDAYS = (b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun")
#: Header names a bare RFC 822 message (an ``.eml``) starts with.
_FIRST_HEADERS = (
    "return-path:",
    "received:",
    "from:",
    "to:",
    "date:",
    "subject:",
    "message-id:",
    "delivered-to:",
    "mime-version:",
    "x-",
    "arc-",
    "dkim-signature:",
    "authentication-results:",
    "reply-to:",
    "sender:",
    "thread-topic:",
    "content-type:",
)
#: The largest header block read for one message (real ones are a few KB; 1 MB is not mail).
MAX_HEADER = 1_000_000


def _header_line(line: bytes) -> bool:
    """``Name: value`` with an RFC 5322 field name (printable ASCII, no space or colon)."""
    colon = line.find(b":")
    if colon <= 0:
        return False
    name = line[:colon]
    return all(33 <= c <= 126 for c in name)


def sniff(name: str, head: bytes) -> bool:
    """True for ``.mbox``/``.mbx``/``.eml`` names, an mbox (``From `` + headers) or an RFC 822
    message (``Return-Path:``, ``Received:``, ``From:`` ... first).

    >>> sniff("Sent.mbox", b""), sniff("x", b"From - Tue Mar 05 10:00:00 2024\\nFrom: a@b.org\\n")
    (True, True)
    >>> sniff("msg", b"Received: from mx\\r\\n by ...\\r\\nFrom: a@b.org\\r\\n")
    True
    >>> sniff("x.csv", b"From,To,Date\\n"), sniff("x.txt", b"Date: 2024, Amount\\n1,2\\n")
    (False, False)
    """
    if name.lower().endswith((".mbox", ".mbx", ".eml")):
        return True
    try:
        text = decode(head, file=name)
    except LoadError:
        return False
    lines = text.lstrip("\ufeff\r\n").split("\n", 8)
    if lines[0].startswith("From "):
        return len(lines) > 1 and _header_line(lines[1].encode("utf-8", "replace"))
    # A message: a usual first header, and another header after it (continuations skipped).
    fields = [ln for ln in lines[:-1] if ln[:1] not in (" ", "\t")]
    return (
        len(fields) >= 2
        and fields[0].lower().startswith(_FIRST_HEADERS)
        and all(_header_line(f.encode("utf-8", "replace")) for f in fields[:2])
    )


def _is_separator(raw: bytes, pos: int, prev_blank: bool) -> bool:
    """Is the ``From `` line at `pos` an mbox message separator?"""
    end = raw.find(b"\n", pos)
    line = raw[pos : end if end >= 0 else len(raw)]
    words = line.split()
    if len(words) >= 3 and words[2][:3] in _WEEKDAYS:
        return True  # From sender Tue Mar 05 ... (the postmark)
    if not prev_blank or end < 0:
        return False
    nxt_end = raw.find(b"\n", end + 1)
    return _header_line(raw[end + 1 : nxt_end if nxt_end >= 0 else len(raw)])


def _messages(raw: bytes) -> Iterator[tuple[int, bytes]]:
    """``(line, header bytes)`` of each message: mbox split on its separators, or one message.

    The line is that of the ``From `` separator (mbox) or of the first header (``.eml``).
    """
    start = 0
    line = 1
    while start < len(raw) and raw[start : start + 1] in (b"\n", b"\r"):
        start += 1
        if raw[start - 1 : start] == b"\n":
            line += 1
    if not raw.startswith(b"From ", start):
        yield line, _header_block(raw, start)
        return
    seps: list[tuple[int, int]] = [(start, line)]
    pos = start
    while True:
        nl = raw.find(b"\nFrom ", pos)
        if nl < 0:
            break
        line += raw.count(b"\n", pos, nl + 1)
        pos = nl + 1
        before = raw[max(0, nl - 2) : nl]  # the end of the line before this one
        prev_blank = nl == 0 or before.endswith(b"\n") or before == b"\n\r" or before == b"\r"
        if _is_separator(raw, pos, prev_blank):
            seps.append((pos, line))
    for k, (off, ln) in enumerate(seps):
        body_end = seps[k + 1][0] if k + 1 < len(seps) else len(raw)
        eol = raw.find(b"\n", off, body_end)
        hstart = eol + 1 if eol >= 0 else body_end
        yield ln, _header_block(raw, hstart, body_end)


def _header_block(raw: bytes, start: int, end: int | None = None) -> bytes:
    """The headers of a message: from `start` up to the first blank line (or `end`)."""
    end = len(raw) if end is None else end
    stop = min(end, start + MAX_HEADER)
    cut = stop
    for sep in (b"\n\n", b"\n\r\n"):
        i = raw.find(sep, start, stop)
        if 0 <= i < cut:
            cut = i + 1
    if raw.startswith(b"\r\n", start) or raw.startswith(b"\n", start):
        cut = start  # a message with no headers at all
    return raw[start:cut]


def _text(block: bytes) -> str:
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("latin-1")  # 8-bit headers from old clients; every byte decodes


_WANTED = frozenset({"from", "to", "cc", "date", "message-id"})


def _headers(block: bytes) -> dict[str, list[str]]:
    """The From, To, Cc, Date and Message-ID fields of a header block, unfolded.

    RFC 5322 2.2: a field is ``name: value``, continued on lines that start with whitespace.
    Doing this by hand (rather than with `email.parser.HeaderParser`) reads only the five
    fields used, several times faster on Gmail headers full of DKIM and ARC signatures.
    """
    out: dict[str, list[str]] = {}
    values: list[str] | None = None
    for line in _text(block).split("\n"):
        if line[:1] in (" ", "\t"):
            if values is not None:
                values[-1] += line.rstrip("\r")
            continue
        colon = line.find(":")
        name = line[:colon].strip().lower() if colon > 0 else ""
        if name in _WANTED:
            values = out.setdefault(name, [])
            values.append(line[colon + 1 :].rstrip("\r"))
        else:
            values = None
    return out


def _unwrap(name: str) -> str:
    """A display name with RFC 2047 encoded words decoded (kept as written if they are broken)."""
    if "=?" not in name:
        return name.strip()
    try:
        return str(make_header(decode_header(name))).strip()
    # MessageError: HeaderParseError, or CharsetError for a charset name that is not ASCII.
    except (MessageError, LookupError, UnicodeError, ValueError):
        return name.strip()


_CACHE_MAX = 100_000


def _addresses(values: list[str], cache: dict) -> tuple[tuple[str, str], ...]:
    """``(email, name)`` for each valid address in header values, in order, without repeats.

    `cache` remembers the answer for header values seen before: in a mailbox the same From and
    To lines come back again and again, and `getaddresses` is the costly step.
    """
    key = tuple(values)
    hit = cache.get(key)
    if hit is None:
        if len(cache) > _CACHE_MAX:
            cache.clear()
        hit = cache[key] = tuple(_parse_addresses(values))
    return hit


def _parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        pairs = getaddresses(values)
    except (ValueError, TypeError, IndexError, HeaderParseError):
        return out
    for name, addr in pairs:
        email = norm_email(addr)
        if not email or email in seen:
            continue
        seen.add(email)
        display = _unwrap(name) if name else ""
        if display.lower().strip("'\" ") == email:
            display = ""
        out.append((email, display))
    return out


def parse_mail(fp: BinaryIO | bytes, *, file: str, owner: str | None = None) -> Iterator[Record]:
    """Who wrote to whom, from an mbox file or a single ``.eml`` message (headers only).

    Parameters
    ----------
    fp : binary file object or bytes
        An mbox file (messages after ``From `` separator lines) or one RFC 822 message.
    file : str
        Its name in reports and provenance.
    owner : str, optional
        Whose mailbox this is (the import's ``--owner``). When it is an email address, the
        sender or recipient with that address is marked ``is_owner``.

    Yields
    ------
    Interaction or Skipped
        For each message, one directed ``email`` `Interaction` from the sender to each
        distinct recipient (To and Cc, the sender left out), with ``at`` = Date in naive UTC
        (None when Date is missing or unreadable) and ``group_size`` = 1 + recipients; every
        recipient is kept even for a broadcast (the strength model discounts group size).
        Messages without a sender address or without recipients, and repeats of a
        Message-ID already read, are `Skipped` at the line of their ``From `` separator.

    Raises
    ------
    LoadError
        For an empty file, or one that is neither an mbox nor a mail message.

    Examples
    --------
    >>> msg = (b"From: =?UTF-8?B?w4lsb2TDrWU=?= <Elodie@Example.org>\\r\\n"
    ...        b"To: ada@example.org, Charles <charles@example.org>\\r\\n"
    ...        b"Date: Tue, 5 Mar 2024 10:00:00 +0100\\r\\n\\r\\nSecret body\\r\\n")
    >>> first, second = parse_mail(msg, file="m.eml")
    >>> first.a.name, first.a.emails, second.b.name, first.at, first.group_size
    ('Élodíe', ('elodie@example.org',), 'Charles', datetime.datetime(2024, 3, 5, 9, 0), 3)
    """
    raw = fp if isinstance(fp, bytes | bytearray) else fp.read()
    raw = bytes(raw)
    if not raw.strip():
        raise LoadError("the file is empty", file=file)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 20:
        raw = decode(raw, file=file).encode("utf-8", "surrogateescape")  # UTF-16 export
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    body = raw.lstrip(b"\r\n")
    first_line = body[: body.find(b"\n") if b"\n" in body else len(body)]
    if not (body.startswith(b"From ") or _header_line(first_line)):
        raise LoadError("neither an mbox file nor a mail message (no From line, no headers)",
                        file=file)  # fmt: skip
    me = norm_email(owner)
    cache: dict = {}
    seen_ids: dict[str, int] = {}
    for line, block in _messages(raw):
        fields = _headers(block)
        senders = _addresses(fields.get("from", []), cache)
        recipients = _addresses(fields.get("to", []) + fields.get("cc", []), cache)
        date_value = (fields.get("date") or [""])[0].strip()
        mid = (fields.get("message-id") or [""])[0].strip()
        if not senders:
            yield Skipped(file, line, "no sender address (From)")
            continue
        sender = senders[0]
        recipients = [r for r in recipients if r[0] != sender[0]]
        if not recipients:
            yield Skipped(file, line, "no recipients (To, Cc)")
            continue
        if mid:
            if mid in seen_ids:
                yield Skipped(file, line, f"same Message-ID as the message at line {seen_ids[mid]}")
                continue
            seen_ids[mid] = line
        at = None
        if date_value:
            try:
                dt = parsedate_to_datetime(date_value)
                if dt.tzinfo is not None:
                    dt = dt.astimezone(UTC).replace(tzinfo=None)
                at = dt if 1900 <= dt.year <= 2100 else None
            except (TypeError, ValueError, IndexError, OverflowError):
                at = None
        prov = Provenance(SOURCE, file, line, owner)
        size = 1 + len(recipients)
        for email, name in recipients:
            yield Interaction(
                Person(sender[1], (sender[0],), is_owner=sender[0] == me, provenance=prov),
                Person(name, (email,), is_owner=email == me, provenance=prov),
                "email",
                at,
                True,
                size,
                prov,
            )


def read_mail(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """`parse_mail` over the file at `path`; raises `LoadError` if it cannot be read."""
    return records_at(path, parse_mail, owner=owner)