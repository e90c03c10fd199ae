"""Any spreadsheet, read through a column mapping (``--map "E-mail=email" --map "Org=company"``).

For exports tiegraph has no dedicated loader for: Salesforce reports, Pipedrive, Outlook
contact exports, conference attendee lists, call logs, message data sets. The user names, for
each column that matters, the field it holds. Column names are matched as
`loaders.text.header_key` does (trimmed, case-insensitive), so ``"E-mail Address"`` maps the
column ``e-mail address``; the file itself goes through `loaders.text.read_table` (BOM, UTF-16,
legacy 8-bit, comma/tab/semicolon, a preamble before the header).

Two kinds of file, told apart by the mapping:

* **Contact list** (`FIELDS_CONTACT`): one `Person` per row, ``name`` or ``first_name`` +
  ``last_name``, ``email`` and ``phone`` cells may hold several values joined by ``;`` or
  ``,``. An ``owner`` column (a rep's name or email, as Salesforce reports and Pipedrive
  write it) adds the rep as ``Person(team=True)`` and a ``crm-owner`` interaction.
* **Interaction log** (`FIELDS_LOG`, when both ``from`` and ``to`` are mapped): one
  `Interaction` per row and recipient. ``from``/``to`` hold emails (``ada@x.org`` or
  ``Ada <ada@x.org>``), LinkedIn profile URLs or names; ``me`` is the owner of the import.
  A ``to`` cell with several ``;``-separated recipients (or ``,``-separated addresses) gives
  one interaction per recipient, each with ``group_size`` = 1 + recipients.

Several columns may map to the same field (Outlook's ``E-mail Address``, ``E-mail 2 Address``):
emails and phones are collected from all of them, other fields take the first non-empty cell.
Rows whose every cell is blank are passed over silently (spreadsheet padding); rows with data
but nobody in them are `Skipped`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from email.utils import parseaddr
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email, norm_linkedin_url, norm_phone
from graph.model import INTERACTION_KINDS, Interaction, Person, Provenance, Record, Skipped

from .archive import records_at
from .dates import BadDate, parse_datetime
from .text import Table, header_key, read_table

__all__ = ["FIELDS_CONTACT", "FIELDS_LOG", "parse_mapped", "read_csv", "SOURCE"]

SOURCE = "csv"

#: Fields of a contact list.
FIELDS_CONTACT = (
    "name",
    "first_name",
    "last_name",
    "email",
    "company",
    "title",
    "linkedin_url",
    "phone",
    "owner",
)
#: Fields of an interaction log (a log is recognised by ``from`` and ``to`` both mapped).
FIELDS_LOG = ("from", "to", "at", "kind", "direction", "group_size", "from_name", "to_name")

#: Spellings of a kind that users write in logs, for the kinds of `INTERACTION_KINDS`.
_KIND_ALIASES = {
    "e-mail": "email",
    "mail": "email",
    "phone": "call",
    "phone call": "call",
    "video call": "call",
    "sms": "message",
    "text": "message",
    "chat": "message",
}
_UNDIRECTED = frozenset({"both", "mutual", "undirected", "two-way", "bidirectional"})
_CACHE_MAX = 200_000

# A participant as a cell names it: (kind, key, name) with kind "me", "email", "url" or "name".
_Who = tuple[str, str, str]


def _field_name(field: str) -> str:
    return field.strip().lower().replace("-", "_").replace(" ", "_")


def _check_mapping(mapping: Mapping[str, str], *, file: str) -> tuple[dict[str, list[str]], bool]:
    """Validate a mapping; return {field: [column keys]} and whether it is an interaction log."""
    if not mapping:
        raise LoadError(
            "no column mapping: name the columns with --map COLUMN=FIELD "
            f"(contact list fields: {', '.join(FIELDS_CONTACT)}; "
            f"interaction log fields: {', '.join(FIELDS_LOG)})",
            file=file,
        )
    by_field: dict[str, list[str]] = {}
    unknown: list[str] = []
    for col, field in mapping.items():
        f = _field_name(field)
        if f not in FIELDS_CONTACT and f not in FIELDS_LOG:
            unknown.append(repr(field))
            continue
        key = header_key(col)
        if not key:
            raise LoadError(f"an empty column name is mapped to {field!r}", file=file)
        by_field.setdefault(f, []).append(key)
    if unknown:
        raise LoadError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in the column "
            f"mapping; contact list fields: {', '.join(FIELDS_CONTACT)}; interaction log "
            f"fields: {', '.join(FIELDS_LOG)}",
            file=file,
        )
    is_log = "from" in by_field and "to" in by_field
    if is_log:
        wrong = [f for f in by_field if f not in FIELDS_LOG]
        if wrong:
            raise LoadError(
                f"an interaction log (from and to mapped) takes only the fields "
                f"{', '.join(FIELDS_LOG)}; got {', '.join(wrong)}",
                file=file,
            )
    else:
        wrong = [f for f in by_field if f not in FIELDS_CONTACT]
        if wrong:
            raise LoadError(
                f"the fields {', '.join(wrong)} belong to an interaction log, which needs both "
                f"'from' and 'to' mapped; a contact list takes {', '.join(FIELDS_CONTACT)}",
                file=file,
            )
    return by_field, is_log


def _split_values(cell: str) -> list[str]:
    """Several emails or phones in one cell, joined by ``;`` or ``,``."""
    if ";" not in cell and "," not in cell:
        s = cell.strip()
        return [s] if s else []
    return [s for s in cell.replace(";", ",").split(",") if s.strip()]


def _classify(value: str) -> _Who | None:
    """What a ``from``/``to``/``owner`` cell names: the owner, an email, a profile URL or a name."""
    v = value.strip()
    if not v:
        return None
    if v.casefold() == "me":
        return ("me", "me", "")
    if "@" in v:
        if v.endswith(">") and "<" in v:  # "Ada Lovelace <ada@x.org>"
            name, addr = parseaddr(v)
            e = norm_email(addr)
            if e:
                return ("email", e, name.strip())
        e = norm_email(v)
        if e:
            return ("email", e, "")
    if "linkedin." in v.lower():
        u = norm_linkedin_url(v)
        if u:
            return ("url", u, "")
    return ("name", v.casefold(), v)


def _is_address(value: str) -> bool:
    who = _classify(value)
    return who is not None and who[0] != "name"


def _split_recipients(cell: str) -> list[str]:
    """Recipients of a ``to`` cell: ``;``-separated, or ``,``-separated when every part is an
    address (a name such as ``Lovelace, Ada`` keeps its comma)."""
    out: list[str] = []
    for part in cell.split(";"):
        p = part.strip()
        if not p:
            continue
        if "," in p:
            subs = [s.strip() for s in p.split(",") if s.strip()]
            if len(subs) > 1 and all(_is_address(s) for s in subs):
                out.extend(subs)
                continue
        out.append(p)
    return out


def _person(who: _Who, display: str, owner_email: str | None, prov: Provenance) -> Person:
    # Positional arguments: name, emails, linkedin_url, phones, company, title, external_id,
    # is_owner, team, provenance (this runs once or twice per row of a million-row log).
    kind, key, name = who
    if kind == "email":
        return Person(display or name, (key,), None, (), None, None, None, key == owner_email,
                      False, prov)  # fmt: skip
    if kind == "me":
        return Person(display, (), None, (), None, None, None, True, False, prov)
    if kind == "url":
        return Person(display, (), key, (), None, None, None, False, False, prov)
    return Person(display or name, (), None, (), None, None, None, False, False, prov)


def _kind(cell: str) -> str:
    """The interaction kind a ``kind`` cell names: one of `INTERACTION_KINDS` as written or
    as a usual spelling (``E-mail``, ``Phone call``), or as the last word (``Conference
    call``, ``Outbound email``); ``manual`` for anything else, ``message`` for an empty cell."""
    k = " ".join(cell.lower().split())
    if not k:
        return "message"
    for word in (k, k.rpartition(" ")[2]):
        if word in INTERACTION_KINDS:
            return word
        if word in _KIND_ALIASES:
            return _KIND_ALIASES[word]
    return "manual"


def parse_mapped(
    fp: BinaryIO | bytes,
    *,
    file: str,
    mapping: dict[str, str],
    owner: str | None = None,
) -> Iterator[Record]:
    """Records from a spreadsheet whose columns `mapping` names.

    Parameters
    ----------
    fp : binary file object or bytes
        The CSV (or TSV, semicolon-separated, UTF-16 ...) export.
    file : str
        Its name in reports and provenance.
    mapping : dict
        ``{column header as written: field}``; fields from `FIELDS_CONTACT` (a contact list)
        or `FIELDS_LOG` (an interaction log: ``from`` and ``to`` both mapped).
    owner : str, optional
        Whose export this is (the import's ``--owner``); kept in provenance, and in a log a
        participant with this email is marked ``is_owner``.

    Yields
    ------
    Person, Interaction or Skipped
        A contact list yields a `Person` per row (plus, with an ``owner`` column, the rep as
        ``Person(team=True)`` and an undirected ``crm-owner`` `Interaction`). A log yields an
        `Interaction` per row and recipient (``kind`` from the ``kind`` column when it is one
        of `graph.model.INTERACTION_KINDS`, ``manual`` when it is something else, ``message``
        when there is none). Rows naming nobody, and bad dates or group sizes, are `Skipped`.

    Raises
    ------
    LoadError
        For an empty file, an unknown field, a mix of contact and log fields, or a mapped
        column missing from the header (the message lists the valid fields / the columns).

    Examples
    --------
    >>> rows = b"Full Name,E-mail\\nAda Lovelace,ADA@example.org; ada@work.example\\n"
    >>> (ada,) = parse_mapped(rows, file="c.csv", mapping={"full name": "name", "E-mail": "email"})
    >>> ada.name, ada.emails, ada.provenance.line
    ('Ada Lovelace', ('ada@example.org', 'ada@work.example'), 2)
    """
    by_field, is_log = _check_mapping(mapping, file=file)
    raw = fp if isinstance(fp, bytes | bytearray) else fp.read()
    raw = bytes(raw)
    wanted = list(dict.fromkeys(k for keys in by_field.values() for k in keys))
    try:
        table = read_table(raw, file=file, required=wanted)
    except LoadError as e:
        if e.reason == "the file is empty":
            raise
        first = read_table(raw, file=file, required=())
        missing = [k for k in wanted if k not in first.header]
        cols = ", ".join(repr(h.strip()) for h in first.raw_header if h.strip())
        raise LoadError(
            f"mapped column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} not in the header; "
            f"the file's columns are: {cols}",
            file=file,
        ) from e
    idx = {f: [table.header.index(k) for k in keys] for f, keys in by_field.items()}
    if is_log:
        yield from _log_rows(table, idx, file=file, owner=owner)
    else:
        yield from _contact_rows(table, idx, file=file, owner=owner)


def _first(fields: list[str], cols: list[int]) -> str:
    for i in cols:
        v = fields[i].strip()
        if v:
            return v
    return ""


def _one(idx: dict[str, list[int]], field: str) -> tuple[int, list[int]]:
    """(the column index when exactly one column holds `field`, else -1; all its columns).

    The row loops read a single column inline (most mappings) and call `_first` otherwise.
    """
    cols = idx.get(field, [])
    return (cols[0] if len(cols) == 1 else -1), cols


def _contact_rows(
    table: Table, idx: dict[str, list[int]], *, file: str, owner: str | None
) -> Iterator[Record]:
    i_name, c_name = _one(idx, "name")
    i_first, c_first = _one(idx, "first_name")
    i_last, c_last = _one(idx, "last_name")
    i_url, c_url = _one(idx, "linkedin_url")
    i_company, c_company = _one(idx, "company")
    i_title, c_title = _one(idx, "title")
    i_owner, c_owner = _one(idx, "owner")
    c_email = idx.get("email", [])
    c_phone = idx.get("phone", [])
    has_first_last = bool(c_first or c_last)
    owner_email = norm_email(owner)
    reps: dict[str, _Who | None] = {}
    for row in table.rows():
        if row.__class__ is Skipped:
            yield row  # type: ignore[misc]
            continue
        line, fields = row  # type: ignore[misc]
        name = fields[i_name].strip() if i_name >= 0 else _first(fields, c_name)
        if not name and has_first_last:
            first = fields[i_first].strip() if i_first >= 0 else _first(fields, c_first)
            last = fields[i_last].strip() if i_last >= 0 else _first(fields, c_last)
            name = f"{first} {last}" if first and last else first or last
        emails: tuple[str, ...] = ()
        for i in c_email:
            cell = fields[i]
            if not cell:
                continue
            if ";" in cell or "," in cell:
                for v in _split_values(cell):
                    e = norm_email(v)
                    if e and e not in emails:
                        emails += (e,)
            else:
                e = norm_email(cell)
                if e and e not in emails:
                    emails += (e,)
        phones: tuple[str, ...] = ()
        for i in c_phone:
            cell = fields[i]
            if cell:
                for v in _split_values(cell):
                    p = norm_phone(v)
                    if p and p not in phones:
                        phones += (p,)
        url = fields[i_url].strip() if i_url >= 0 else _first(fields, c_url)
        prov = Provenance(SOURCE, file, line, owner)
        person = Person(
            name,
            emails,
            norm_linkedin_url(url) if url else None,
            phones,
            (fields[i_company].strip() if i_company >= 0 else _first(fields, c_company)) or None,
            (fields[i_title].strip() if i_title >= 0 else _first(fields, c_title)) or None,
            None,
            False,
            False,
            prov,
        )
        if not (name or emails or person.linkedin_url):
            if any(f.strip() for f in fields):
                yield Skipped(file, line, "no name, email or LinkedIn URL")
            continue
        yield person
        rep_cell = fields[i_owner].strip() if i_owner >= 0 else _first(fields, c_owner)
        if rep_cell:
            who = reps.get(rep_cell)
            if who is None:
                if len(reps) > _CACHE_MAX:
                    reps.clear()
                who = reps[rep_cell] = _classify(rep_cell)
            if who is None:
                continue
            rep = _person(who, "", owner_email, prov)
            rep.team = True
            yield Interaction(rep, person, "crm-owner", None, False, 2, prov)


def _log_rows(
    table: Table, idx: dict[str, list[int]], *, file: str, owner: str | None
) -> Iterator[Record]:
    i_from, c_from = _one(idx, "from")
    i_to, c_to = _one(idx, "to")
    i_at, c_at = _one(idx, "at")
    i_kind, c_kind = _one(idx, "kind")
    i_dir, c_dir = _one(idx, "direction")
    i_size, c_size = _one(idx, "group_size")
    i_from_name, c_from_name = _one(idx, "from_name")
    i_to_name, c_to_name = _one(idx, "to_name")
    at_label = ", ".join(repr(table.raw_header[i].strip()) for i in c_at)
    owner_email = norm_email(owner)
    who_cache: dict[str, _Who | None] = {}
    to_cache: dict[str, list[_Who | None]] = {}
    kind_cache: dict[str, str] = {}

    def who(value: str) -> _Who | None:
        w = who_cache.get(value, False)
        if w is False:
            if len(who_cache) > _CACHE_MAX:
                who_cache.clear()
            w = who_cache[value] = _classify(value)
        return w  # type: ignore[return-value]

    for row in table.rows():
        if row.__class__ is Skipped:
            yield row  # type: ignore[misc]
            continue
        line, fields = row  # type: ignore[misc]
        src_cell = fields[i_from].strip() if i_from >= 0 else _first(fields, c_from)
        to_cell = fields[i_to].strip() if i_to >= 0 else _first(fields, c_to)
        if not src_cell:
            if to_cell:
                yield Skipped(file, line, "no sender (from)")
            elif any(f.strip() for f in fields):
                yield Skipped(file, line, "no sender (from) and no recipient (to)")
            continue
        sender = who(src_cell)
        recips = to_cache.get(to_cell)
        if recips is None:
            if len(to_cache) > _CACHE_MAX:
                to_cache.clear()
            recips = to_cache[to_cell] = [who(r) for r in _split_recipients(to_cell)]
        to_names: list[str] = []
        if c_to_name:
            cell = fields[i_to_name].strip() if i_to_name >= 0 else _first(fields, c_to_name)
            if cell:
                to_names = [cell] if len(recips) == 1 else [s.strip() for s in cell.split(";")]
                if len(to_names) != len(recips):
                    to_names = []  # names that do not line up with the recipients are dropped
        targets: list[tuple[_Who, str]] = []
        if sender is not None and len(recips) == 1:  # the usual row: one recipient
            w = recips[0]
            if w is not None and (w[0] != sender[0] or w[1] != sender[1]):
                targets.append((w, to_names[0] if to_names else ""))
        elif sender is not None:
            seen = {sender[:2]}
            for i, w in enumerate(recips):
                if w is not None and w[:2] not in seen:
                    seen.add(w[:2])
                    targets.append((w, to_names[i] if to_names else ""))
        if not targets:
            why = "sender and recipient are the same" if recips else "no recipient (to)"
            yield Skipped(file, line, why)
            continue
        at = None
        if c_at:
            cell = fields[i_at] if i_at >= 0 else _first(fields, c_at)
            if cell:
                try:
                    at = parse_datetime(cell)
                except BadDate as e:
                    yield Skipped(file, line, f"bad date in column {at_label}: {e}")
                    continue
        size = 1 + len(targets)
        if c_size:
            cell = fields[i_size].strip() if i_size >= 0 else _first(fields, c_size)
            if cell:
                try:
                    n = int(float(cell))
                except (ValueError, OverflowError):
                    yield Skipped(file, line, f"bad group size {cell[:40]!r}")
                    continue
                if n > size:
                    size = n
        kind = "message"
        if c_kind:
            cell = fields[i_kind] if i_kind >= 0 else _first(fields, c_kind)
            kind = kind_cache.get(cell, "")
            if not kind:
                if len(kind_cache) > 1000:
                    kind_cache.clear()
                kind = kind_cache[cell] = _kind(cell)
        directed = True
        if c_dir:
            cell = fields[i_dir] if i_dir >= 0 else _first(fields, c_dir)
            directed = not (cell and cell.strip().lower() in _UNDIRECTED)
        prov = Provenance(SOURCE, file, line, owner)
        a_name = (fields[i_from_name].strip() if i_from_name >= 0 else _first(fields, c_from_name))
        for t, b_name in targets:
            yield Interaction(
                _person(sender, a_name, owner_email, prov),
                _person(t, b_name, owner_email, prov),
                kind,
                at,
                directed,
                size,
                prov,
            )


def read_csv(
    path: str | os.PathLike, *, mapping: dict[str, str], owner: str | None = None
) -> Iterator[Record]:
    """`parse_mapped` over the file at `path` (named by `path` in provenance and reports).

    Raises `LoadError` if the file cannot be read.
    """
    return records_at(path, parse_mapped, mapping=mapping, owner=owner)