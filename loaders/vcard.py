"""vCard address books (``.vcf``): phone exports, Google Contacts, Outlook, iCloud.

Handles vCard 2.1, 3.0 and 4.0 as real exporters write them:

* several cards per file, LF or CRLF line ends, a UTF-8 BOM or UTF-16 (via `loaders.text.decode`),
  Windows-1252 lines in old exports;
* line folding: a line starting with a space or a tab continues the previous one (RFC 6350
  3.2; iPhone folds at 75 octets, Google at 75 characters, in the middle of a UTF-8 word);
* vCard 2.1 ``ENCODING=QUOTED-PRINTABLE`` (old Android and Nokia exports), with its ``=``
  soft line breaks and ``CHARSET=`` (UTF-8 when not given);
* escapes ``\\,`` ``\\;`` ``\\:`` ``\\\\`` and ``\\n`` (Apple writes ``https\\://``);
* grouped properties such as ``item1.EMAIL`` / ``item1.X-ABLabel`` (Apple, Google);
* parameters in any spelling: ``TYPE=INTERNET,HOME``, ``type=work;type=pref``, bare 2.1
  ``EMAIL;INTERNET;PREF:``, quoted 4.0 values ``TYPE="work,voice"``;
* ``TEL;VALUE=uri:tel:+1-555-...`` (4.0).

Read: ``FN`` (display name; ``N`` when there is no FN), every ``EMAIL``, ``ORG`` (its first
component, the company), ``TITLE``, ``URL`` / ``X-SOCIALPROFILE`` (LinkedIn profile URLs only)
and ``TEL``. Photos, notes, addresses and the rest are ignored.

A small stdlib parser of the line format; no vobject.
"""

from __future__ import annotations

import codecs
import os
import quopri
import re
from collections.abc import Iterator
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email, norm_linkedin_url, norm_phone
from graph.model import Interaction, Person, Provenance, Record, Skipped

from .archive import records_at
from .text import decode

__all__ = ["sniff", "parse_vcards", "read_vcards", "SOURCE"]

SOURCE = "vcard"

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", ":": ":", "\\": "\\"}
_WANTED = frozenset({"FN", "N", "EMAIL", "ORG", "TITLE", "URL", "TEL", "X-SOCIALPROFILE"})


def sniff(name: str, head: bytes) -> bool:
    """True for a ``.vcf``/``.vcard`` file name or content that starts with ``BEGIN:VCARD``.

    >>> sniff("contacts.VCF", b""), sniff("x.txt", b"\\xef\\xbb\\xbfBEGIN:VCARD\\r\\nVERSION:3.0")
    (True, True)
    >>> sniff("x.txt", b"First Name,Last Name")
    False
    """
    if name.lower().endswith((".vcf", ".vcard")):
        return True
    try:
        text = decode(head, file=name)
    except LoadError:
        return False
    return text.lstrip("\ufeff \t\r\n")[:11].upper() == "BEGIN:VCARD"


def _unescape(value: str) -> str:
    """A vCard text value with its backslash escapes resolved (unknown ones kept as written)."""
    if "\\" not in value:
        return value
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == "\\" and i + 1 < n:
            nxt = value[i + 1]
            rep = _ESCAPES.get(nxt)
            if rep is not None:
                out.append(rep)
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


def _components(value: str) -> list[str]:
    """The ``;``-separated components of a structured value (N, ORG), unescaped."""
    parts: list[str] = []
    cur: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == "\\" and i + 1 < n:
            cur.append(value[i : i + 2])
            i += 2
            continue
        if c == ";":
            parts.append(_unescape("".join(cur)))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append(_unescape("".join(cur)))
    return parts


def _split_params(head: str) -> list[str]:
    """``NAME;P1=a;P2="b;c"`` into ``["NAME", "P1=a", 'P2="b;c"']``."""
    if '"' not in head:
        return head.split(";")
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for c in head:
        if c == '"':
            quoted = not quoted
        if c == ";" and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return out


def _value_colon(line: str) -> int:
    """Index of the ``:`` that ends the name and parameters (quoted parameters may hold ``:``)."""
    colon = line.find(":")
    if colon < 0 or '"' not in line[:colon]:
        return colon
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            return i
    return -1


def _line_text(raw: bytes) -> str:
    """One unfolded line as text: UTF-8, else Windows-1252 (old 2.1 exports without CHARSET)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _logical_lines(raw: bytes) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the physical line (1-based) each starts on.

    A line starting with a space or tab continues the previous one; a quoted-printable value
    ending in ``=`` continues on the next line (vCard 2.1 soft line break). Unfolding happens
    on bytes, before decoding, because exporters that fold at 75 octets split UTF-8 characters.
    """
    cur: bytes | None = None
    cur_line = 0
    qp = False
    for n, line in enumerate(raw.split(b"\n"), 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if cur is not None:
            if line[:1] in (b" ", b"\t"):
                cur += line[1:]
                continue
            if qp and cur.endswith(b"="):
                cur = cur[:-1] + line
                continue
            yield cur_line, _line_text(cur)
        cur, cur_line = line, n
        colon = line.find(b":")
        qp = colon > 0 and b"QUOTED-PRINTABLE" in line[:colon].upper()
    if cur is not None:
        yield cur_line, _line_text(cur)


def _decode_qp(value: str, charset: str) -> str:
    raw = quopri.decodestring(value.encode("utf-8"))
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except (LookupError, ValueError):  # an unknown or bogus CHARSET
        return raw.decode("utf-8", errors="replace")


def _prop(line: str) -> tuple[str, str, str] | None:
    """``(NAME, raw parameters, value)`` of a content line; None for a line with no ``:``.

    The group (``item1.``) is dropped from the name; quoted-printable values are decoded here,
    backslash escapes are left to the caller (structured values split on them first).
    """
    colon = _value_colon(line)
    if colon <= 0:
        return None
    head, value = line[:colon], line[colon + 1 :]
    semi = head.find(";")
    name = (head if semi < 0 else head[:semi]).strip()
    dot = name.rfind(".")
    if dot >= 0:
        name = name[dot + 1 :]
    name = name.upper()
    params = "" if semi < 0 else head[semi + 1 :]
    if params and "QUOTED-PRINTABLE" in params.upper():
        charset = ""
        for p in _split_params(params):
            k, _, v = p.partition("=")
            if k.strip().upper() == "CHARSET":
                charset = v.strip().strip('"')
        value = _decode_qp(value, charset)
    return name, params, value


def _person(props: list[tuple[str, str, str]], prov: Provenance) -> Person:
    name = ""
    n_name = ""
    emails: list[str] = []
    phones: list[str] = []
    company: str | None = None
    title: str | None = None
    url: str | None = None
    for key, _params, value in props:
        if key == "FN":
            if not name:
                name = _unescape(value).strip()
        elif key == "EMAIL":
            e = norm_email(_unescape(value))
            if e and e not in emails:
                emails.append(e)
        elif key == "N":
            if not n_name:
                parts = [p.strip() for p in _components(value)] + [""] * 5
                family, given, extra, prefix, suffix = parts[:5]
                n_name = " ".join(p for p in (prefix, given, extra, family) if p)
                if suffix and n_name:
                    n_name = f"{n_name}, {suffix}"
        elif key == "ORG":
            if company is None:
                company = _components(value)[0].strip() or None
        elif key == "TITLE":
            if title is None:
                title = _unescape(value).strip() or None
        elif key in ("URL", "X-SOCIALPROFILE"):
            if url is None:
                url = norm_linkedin_url(_unescape(value))
        elif key == "TEL":
            v = _unescape(value).strip()
            if v[:4].lower() == "tel:":
                v = v[4:]
            p = norm_phone(v)
            if p and p not in phones:
                phones.append(p)
    return Person(
        name=name or n_name,
        emails=tuple(emails),
        linkedin_url=url,
        phones=tuple(phones),
        company=company,
        title=title,
        provenance=prov,
    )


def parse_vcards(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Record]:
    """People from a vCard file, each kept in the owner's address book.

    Parameters
    ----------
    fp : binary file object or bytes
        The ``.vcf`` export (one or many cards).
    file : str
        Its name in reports and provenance.
    owner : str, optional
        Whose address book this is (the import's ``--owner``), kept in provenance.

    Yields
    ------
    Person, Interaction or Skipped
        For each card, a `Person` and an undirected ``address-book`` `Interaction` from the
        owner (``Person(is_owner=True)``) to them, both with the line of the card's
        ``BEGIN:VCARD``. A card with no name, email or LinkedIn URL, and a card cut off
        before its ``END:VCARD``, are `Skipped` at that line.

    Raises
    ------
    LoadError
        For an empty file or one with no ``BEGIN:VCARD`` at all.

    Examples
    --------
    >>> vcf = (b"BEGIN:VCARD\\r\\nVERSION:3.0\\r\\nFN:Ada Lovelace\\r\\n"
    ...        b"item1.EMAIL;type=INTERNET:ada@example.org\\r\\nORG:Analytical\\\\, Ltd;R&D\\r\\n"
    ...        b"END:VCARD\\r\\n")
    >>> ada, tie = parse_vcards(vcf, file="c.vcf")
    >>> ada.name, ada.emails, ada.company, tie.kind, tie.a.is_owner, tie.provenance.line
    ('Ada Lovelace', ('ada@example.org',), 'Analytical, Ltd', 'address-book', True, 1)
    """
    raw = bytes(fp if isinstance(fp, bytes | bytearray) else fp.read())
    if not raw.strip():
        raise LoadError("the file is empty", file=file)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or raw[:400].count(0) > 40:
        raw = _SURROGATE.sub("\ufffd", decode(raw, file=file)).encode("utf-8")  # UTF-16
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    if b"BEGIN:VCARD" not in raw.upper():
        raise LoadError("no BEGIN:VCARD: not a vCard file", file=file)
    begin: int | None = None
    props: list[tuple[str, str, str]] = []
    for line_no, line in _logical_lines(raw):
        if not line:
            continue
        head = line[:6].upper()
        if head == "BEGIN:" or head == "END:VC":
            what = line[line.find(":") + 1 :].strip().upper()
            if head == "BEGIN:" and what == "VCARD":
                if begin is not None:
                    yield Skipped(file, begin, "card without END:VCARD before the next card")
                begin, props = line_no, []
                continue
            if head == "END:VC" and what == "VCARD":
                if begin is not None:
                    yield from _card(props, file=file, line=begin, owner=owner)
                begin, props = None, []
                continue
        if begin is None:
            continue
        prop = _prop(line)
        if prop is not None and prop[0] in _WANTED:
            props.append(prop)
    if begin is not None:
        yield Skipped(file, begin, "card without END:VCARD (the file ends inside it)")


def _card(
    props: list[tuple[str, str, str]], *, file: str, line: int, owner: str | None
) -> Iterator[Record]:
    prov = Provenance(SOURCE, file, line, owner)
    person = _person(props, prov)
    if not (person.name or person.emails or person.linkedin_url):
        yield Skipped(file, line, "card with no name (FN, N), email or LinkedIn URL")
        return
    yield person
    me = Person(is_owner=True, provenance=prov)
    yield Interaction(me, person, "address-book", directed=False, provenance=prov)


def read_vcards(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """`parse_vcards` over the file at `path`; raises `LoadError` if it cannot be read."""
    return records_at(path, parse_vcards, owner=owner)