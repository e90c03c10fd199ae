"""HubSpot contact exports into people, their reps and their companies.

Layout handled (HubSpot CRM "Export" of a contacts view, 2020-2026)
-------------------------------------------------------------------
A CSV named ``hubspot-crm-exports-<view-name>-YYYY-MM-DD.csv`` (the name helps recognise it but
is not required). The header holds the property *labels* of an English-language portal:

- the first column is ``Record ID``, or, in an export "with associated companies",
  ``Record ID - Contact`` followed later by ``Record ID - Company`` and the company's own
  properties (whose ``Company name`` then repeats the contact's ``Company Name`` label);
- ``First Name``, ``Last Name`` (or a single ``Name``/``Full Name``), ``Email``,
  ``Additional email addresses``, ``Phone Number``, ``Mobile Phone Number``, ``Job Title``,
  ``Company Name``, any column whose label mentions LinkedIn (``LinkedIn URL``,
  ``LinkedIn Profile``...), ``Contact owner``, ``Associated Company IDs`` /
  ``Associated Company`` (also their ``(Primary)`` variants), ``Last Activity Date``,
  ``Create Date``, ``Lifecycle Stage`` and many more, which are ignored;
- several values in one cell are joined with ``;`` (additional emails, associated companies);
- dates look like ``2026-03-10 14:22`` (any layout `loaders.dates` reads is accepted);
- Excel re-saves add a BOM or switch to ``;``/tab separators; `loaders.text.read_table`
  copes with both. ``.xlsx`` exports are not read (save them as CSV).

What a row becomes
------------------
- the contact: ``Person(name, emails, phones, company, title, linkedin_url,
  external_id="hubspot:<record id>")``. Emails are normalised and invalid ones dropped;
  phones are kept as `graph.identity.norm_phone` digits. The company is ``Company Name``,
  else the first associated company;
- the ``Contact owner`` (``Ada Lovelace``, ``Ada Lovelace (ada@corp.com)``, or just an
  email): a ``Person(team=True)`` yielded once per file, the first time the rep appears, and
  for every contact an undirected ``Interaction(a=rep, b=contact, kind="crm-owner")`` dated
  by ``Last Activity Date``, else ``Create Date``. A repeated record id (the associations
  export writes one row per associated company) does not repeat that interaction;
- associated companies with ids: ``Company(name, external_id="hubspot-company:<id>")``, once
  per company id per file. Ids and names are paired by position when both cells hold the same
  number of ``;``-separated values; a single id takes the whole name cell (a name may hold a
  ``;``); otherwise the ids cannot be named reliably and no `Company` is yielded for them
  (the contact's ``company`` still carries the name).

A row with no name, no valid email and no record id is a `Skipped` row. A date cell that no
known layout reads does **not** lose the contact: the date is optional evidence, so the row
is loaded as if the cell were empty (the interaction falls back to ``Create Date``, else has
``at=None``), and no `Skipped` is reported for it, since the row itself was loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email, norm_linkedin_url, norm_phone
from graph.model import Company, Interaction, Person, Provenance, Record, Skipped

from .archive import records_at
from .dates import BadDate, parse_datetime
from .text import decode, header_key, read_table

__all__ = ["sniff", "parse_contacts", "read_hubspot", "SOURCE"]

#: Provenance source of every record this module yields.
SOURCE = "hubspot"

_ID = ("record id - contact", "record id")
_NAME_COLS = ("first name", "last name", "name", "full name", "email", "email address")
_DEACTIVATED = "(deactivated user)"


def sniff(name: str, head: bytes) -> bool:
    """True when a file looks like a HubSpot contact export.

    The header (one of the first lines) must have a ``Record ID`` or ``Record ID - Contact``
    column and a name or email column; the ``hubspot-crm-exports-`` file name is a hint only.

    Parameters
    ----------
    name : str
        The file name (any folder).
    head : bytes
        The first bytes of the file (up to 8 KB), in any encoding `loaders.text.decode` reads.

    Examples
    --------
    >>> sniff("x.csv", b"Record ID,First Name,Last Name,Email\\n1,Ada,Lovelace,\\n")
    True
    >>> sniff("Connections.csv", b"First Name,Last Name,URL,Email Address\\n")
    False
    """
    try:
        text = decode(head, file=name)
    except LoadError:
        return False
    for line in text.lstrip("\ufeff").splitlines()[:10]:
        for delim in (",", ";", "\t"):
            if delim not in line:
                continue
            keys = {header_key(c) for c in line.split(delim)}
            if (keys & set(_ID)) and keys.intersection(_NAME_COLS):
                return True
    return False


_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)


def _phone(cell: str) -> str | None:
    """`graph.identity.norm_phone`, with a fast path for ASCII cells (the usual case)."""
    if not cell.isascii():
        return norm_phone(cell)
    digits = cell.encode().translate(None, _NOT_DIGITS)
    if len(digits) < 6:
        return None
    return ("+" if cell.lstrip().startswith("+") else "") + digits.decode()


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(";") if v.strip()] if cell else []


def _date(row: list[str], *cols: int) -> datetime | None:
    """The first readable date among `cols`; an unreadable one counts as empty."""
    for c in cols:
        if row[c]:
            try:
                at = parse_datetime(row[c])
            except BadDate:
                continue
            if at is not None:
                return at
    return None


def _rep(cell: str) -> tuple[str, tuple[str, ...]] | None:
    """Name and emails of a ``Contact owner`` cell: ``Name``, ``Name (email)``,
    ``Name <email>`` or an email."""
    s = cell.strip()
    if not s:
        return None
    if s.lower().endswith(_DEACTIVATED):
        s = s[: -len(_DEACTIVATED)].strip()
        if not s:
            return None
    if s.endswith(")") and " (" in s:
        i = s.rfind(" (")
        e = norm_email(s[i + 2 : -1])
        if e:
            return s[:i].strip(), (e,)
    if s.endswith(">") and "<" in s:
        i = s.rfind("<")
        e = norm_email(s[i:])
        if e:
            return s[:i].strip().strip('"').strip(), (e,)
    if "@" in s:
        e = norm_email(s)
        if e:
            return "", (e,)
    return s, ()


def parse_contacts(
    fp: BinaryIO | bytes, *, file: str, owner: str | None = None
) -> Iterator[Record]:
    """Records from one HubSpot contact export.

    Parameters
    ----------
    fp : binary file object or bytes
        The CSV export.
    file : str
        Its label in reports and provenance.
    owner : str, optional
        Whose import this is (recorded in the provenance).

    Yields
    ------
    Person, Company, Interaction or Skipped
        Per row: a rep `Person(team=True)` the first time that rep appears, `Company` records
        for associated companies with ids (once per id), the contact `Person`, and its
        ``crm-owner`` `Interaction`; or a `Skipped` row with its line and reason.

    Raises
    ------
    LoadError
        For an empty file, or one with no ``Record ID`` header and name or email column.

    Examples
    --------
    >>> raw = b"Record ID,First Name,Email,Contact owner\\n7,Ada,ADA@x.org,Bo Li\\n"
    >>> [type(r).__name__ for r in parse_contacts(raw, file="h.csv")]
    ['Person', 'Person', 'Interaction']
    """
    table = read_table(fp, file=file, required=[_ID])
    col = table.col

    def idx(*names: str) -> int:  # -1 for a missing column: each row gets an empty cell appended
        i = col(*names)
        return -1 if i is None else i

    if col("first name", "last name", "name", "full name", "email", "email address") is None:
        raise LoadError("a HubSpot contact export needs a name or email column", file=file)
    c_id = idx(*_ID)
    c_first, c_last = idx("first name"), idx("last name")
    c_name = idx("name", "full name", "contact name")
    c_email = idx("email", "email address")
    c_more = idx("additional email addresses", "additional emails")
    c_phones = [c for c in (idx("phone number", "phone"), idx("mobile phone number")) if c >= 0]
    c_title = idx("job title", "title")
    company_cols = [i for i, h in enumerate(table.header) if h == "company name"]
    c_company = company_cols[0] if company_cols else -1
    c_li = [i for i, h in enumerate(table.header) if "linkedin" in h]
    c_owner = idx("contact owner", "owner")
    c_assoc = idx("associated company", "associated company (primary)", "associated companies")
    c_assoc_ids = idx(
        "associated company ids",
        "associated company ids (primary)",
        "associated company id",
        "associated company id (primary)",
    )
    c_co_id = idx("record id - company")
    # In the associations export the company's own "Company name" follows the contact's.
    c_co_name = company_cols[-1] if c_co_id >= 0 and len(company_cols) > 1 else -1
    c_activity = idx("last activity date")
    c_created = idx("create date", "created date", "createdate")

    reps: dict[str, Person] = {}
    companies_seen: set[str] = set()
    assoc_seen: set[tuple[str, str]] = set()  # (ids cell, names cell) already turned into companies
    owned: set[str] = set()  # record ids whose owner tie was already yielded

    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")
        prov = Provenance(SOURCE, file, line, owner)

        # Associated companies with ids.
        pairs: list[tuple[str, str]] = []
        ids_cell, names_cell = row[c_assoc_ids], row[c_assoc]
        if ids_cell and (ids_cell, names_cell) not in assoc_seen:
            assoc_seen.add((ids_cell, names_cell))
            ids = _split(ids_cell)
            if len(ids) == 1 and names_cell.strip():
                pairs.append((ids[0], names_cell.strip()))
            elif ids:
                names = _split(names_cell)
                if len(ids) == len(names):
                    pairs.extend(zip(ids, names, strict=True))
        co_id = row[c_co_id].strip()
        if co_id and co_id not in companies_seen:
            co_name = row[c_co_name].strip()
            if not co_name:
                names = _split(names_cell)
                co_name = names[0] if len(names) == 1 else row[c_company].strip()
            if co_name:
                pairs.append((co_id, co_name))
        for cid, cname in pairs:
            if cid not in companies_seen:
                companies_seen.add(cid)
                yield Company(cname, external_id=f"hubspot-company:{cid}", provenance=prov)

        # The contact.
        rid = row[c_id].strip()
        first, last = row[c_first].strip(), row[c_last].strip()
        name = f"{first} {last}" if first and last else (first or last or row[c_name].strip())
        email = norm_email(row[c_email]) if row[c_email] else None
        emails = [email] if email else []
        if row[c_more]:
            for v in row[c_more].split(";"):
                e = norm_email(v)
                if e and e not in emails:
                    emails.append(e)
        if not (rid or name or emails):
            yield Skipped(file, line, "no name, email or record id")
            continue
        phones: list[str] = []
        for c in c_phones:
            p = _phone(row[c]) if row[c] else None
            if p and p not in phones:
                phones.append(p)
        company = row[c_company].strip()
        if not company and names_cell:
            names = _split(names_cell)
            company = names[0] if names else ""
        title = row[c_title].strip()
        url = None
        for c in c_li:
            url = norm_linkedin_url(row[c]) if row[c] else None
            if url:
                break
        contact = Person(
            name=name,
            emails=tuple(emails),
            linkedin_url=url,
            phones=tuple(phones),
            company=company or None,
            title=title or None,
            external_id=f"hubspot:{rid}" if rid else None,
            provenance=prov,
        )
        yield contact

        # Its owner (a rep) and their tie.
        cell = row[c_owner].strip()
        if not cell:
            continue
        rep = reps.get(cell)
        if rep is None:
            parsed = _rep(cell)
            if parsed is None:
                continue
            rep = Person(name=parsed[0], emails=parsed[1], team=True, provenance=prov)
            reps[cell] = rep
            yield rep
        if rid:
            if rid in owned:
                continue
            owned.add(rid)
        yield Interaction(
            a=rep,
            b=contact,
            kind="crm-owner",
            at=_date(row, c_activity, c_created),
            directed=False,
            provenance=prov,
        )


def read_hubspot(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """Records from a HubSpot contact export on disk (see `parse_contacts`).

    Raises
    ------
    LoadError
        If the file cannot be read or is no HubSpot contact export.
    """
    return records_at(path, parse_contacts, owner=owner)