"""Salesforce Data Export (the weekly export service) into reps, contacts, accounts and ties.

Layout handled (Setup > Data Export, API v40-v62, 2017-2026)
-----------------------------------------------------------
A zip (``WE_00D...Z_1.zip``; users also unzip it and point at the folder) of one CSV per
object, named after the object's API name. Headers are API field names, every value is
quoted, the encoding is UTF-8 or ISO-8859-1 as chosen at export time (`loaders.text` tells
them apart), booleans are ``true``/``false`` (``1``/``0`` in some tools), dates are
``2024-03-10`` and date-times ``2024-03-10T14:22:00.000Z``. Columns are matched by name,
never by position; real exports have dozens more columns than the ones read here, and many
more objects (``Lead.csv``, ``Opportunity.csv``, ``Attachment.csv``...), which are ignored.

Objects read, in this order (so that every reference can be checked):

``User.csv`` (``Id, Username, FirstName, LastName, Email, Title, ManagerId, IsActive,
UserType``...)
    each user is a rep: ``Person(team=True, external_id="salesforce:<id>")``. Inactive users
    still count (they are people who knew the contacts); automated-process, guest and
    Chatter-only users (``UserType`` ``AutomatedProcess``, ``Guest``, ``CsnOnly``) are no people
    and are skipped. ``ManagerId`` gives an undirected ``colleague`` interaction.
``Account.csv`` (``Id, Name, Website, Industry, OwnerId, ParentId``...)
    ``Company(name, domain, industry, external_id)``; the domain is the website's host without
    ``www.``.
``Contact.csv`` (``Id, AccountId, FirstName, LastName, Email, Title, Phone, OwnerId,
ReportsToId, LastActivityDate``...)
    ``Person`` with the account's name as company; ``OwnerId`` gives an undirected
    ``crm-owner`` interaction (rep, contact) dated by ``LastActivityDate``; ``ReportsToId`` an
    undirected ``colleague`` interaction between the two contacts.
``Task.csv`` (``WhoId, OwnerId, ActivityDate, TaskSubtype``...)
    a directed interaction owner -> contact: ``call`` (subtype or ``Type`` Call), ``email``
    (Email), else ``task``; dated by ``ActivityDate``, else ``CreatedDate``. The subject and
    description are never read.
``Event.csv`` + ``EventRelation.csv`` (``RelationId, EventId, IsInvitee, IsWhat, Status``)
    a meeting: the owner (organiser), the ``WhoId`` contact and every attendee in
    EventRelation (contacts or users; accounts/opportunities and declined invitations are
    not attendees). One ``meeting`` interaction organiser -> attendee per attendee, with
    ``group_size`` the number of distinct participants (organiser included; a participant
    whose id cannot be resolved, such as a lead, still counts towards the size). The child
    copies Salesforce writes into each invitee's calendar (``IsChild`` true) are passed over,
    as they repeat the parent event.
``OpportunityContactRole.csv`` (``OpportunityId, ContactId, Role, IsPrimary``)
    the contacts on one opportunity know each other: one undirected ``deal`` interaction per
    pair with ``group_size`` the number of distinct contacts. An opportunity with more than
    `MAX_DEAL_CONTACTS` contacts yields nothing (a buying committee that large says little
    about who knows whom, and the pairs grow quadratically).

Ids
---
Every id is normalised to its first 15 characters (case-sensitive), so the 15- and
18-character spellings of one record match; an empty lookup is written empty or
``000000000000000AAA``, both read as empty. A reference to another record is a ``Person``
carrying only ``external_id`` (``team=True`` for a user), which the workspace resolves by
that id. In a full export a reference must name a user or contact *of this export*: a
``WhoId`` naming a lead (``00Q...``) or anything unknown is reported as a `Skipped` row
(``unknown contact id ...``) with its file and line. When the export lacks ``User.csv`` or
``Contact.csv``, or a lone object CSV is read (`parse_file`), those ids cannot be checked and
are accepted by their key prefix (``005`` user, ``003`` contact).

Rows marked ``IsDeleted`` are skipped. A bad optional date (a contact's
``LastActivityDate``) leaves the interaction undated; a bad date on a task or event, whose
date is the point, skips the row.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import BinaryIO

from graph.errors import LoadError
from graph.identity import norm_email, norm_phone
from graph.model import Company, Interaction, Person, Provenance, Record, Skipped

from .archive import Archive, records_at
from .dates import BadDate, parse_datetime
from .text import Table, decode, header_key, read_table

__all__ = [
    "sniff",
    "sniff_archive",
    "parse_export",
    "parse_file",
    "read_salesforce",
    "id15",
    "SOURCE",
    "OBJECTS",
    "MAX_DEAL_CONTACTS",
]

#: Provenance source of every record this module yields.
SOURCE = "salesforce"
#: The object CSVs read, in reading order.
OBJECTS = (
    "User.csv",
    "Account.csv",
    "Contact.csv",
    "Task.csv",
    "Event.csv",
    "EventRelation.csv",
    "OpportunityContactRole.csv",
)
#: Above this many contacts on one opportunity, no ``deal`` pairs are made for it.
MAX_DEAL_CONTACTS = 10

_NULL_ID = "000000000000000"
_MISSING = object()
_USER, _CONTACT, _LEAD = "005", "003", "00Q"
_NOT_PEOPLE = {"automatedprocess", "guest", "csnonly"}


def id15(cell: str) -> str | None:
    """The 15-character form of a Salesforce id: ``""`` for an empty lookup, None if malformed.

    Examples
    --------
    >>> id15("0035e00000AbCdEAAZ")
    '0035e00000AbCdE'
    >>> id15("000000000000000AAA"), id15(""), id15("n/a")
    ('', '', None)
    """
    n = len(cell)
    if n == 18 or n == 15:  # fast path: an unpadded id
        s = cell[:15]
        if s.isalnum() and s.isascii():
            return "" if s == _NULL_ID else s
    s = cell.strip()
    n = len(s)
    if n == 18:
        s = s[:15]
    elif n != 15:
        return "" if not n else None
    if not (s.isascii() and s.isalnum()):
        return None
    return "" if s == _NULL_ID else s


_FALSE = frozenset(("", "false", "False", "FALSE", "0"))


def _true(cell: str) -> bool:
    """A boolean cell: ``true``/``1`` (any case, any spaces) is true."""
    return cell not in _FALSE and cell.strip().lower() in ("true", "1", "yes")


def _domain(cell: str) -> str | None:
    """The host of a website without ``www.``: ``https://www.Acme.com/x`` -> ``acme.com``."""
    s = cell.strip().lower()
    if not s:
        return None
    if "://" in s:
        s = s.split("://", 1)[1]
    host = s.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    host = host.removeprefix("www.")
    if "." not in host or not all(c.isalnum() or c in "-." for c in host):
        return None
    return host


def _kind(keys: set[str]) -> str | None:
    """Which object a header (as `header_key`s) belongs to, or None."""
    if "relationid" in keys and "eventid" in keys:
        return "eventrelation"
    if "opportunityid" in keys and "contactid" in keys:
        return "opportunitycontactrole"
    if "id" not in keys:
        return None
    if "whoid" in keys:
        if keys & {"activitydatetime", "durationinminutes", "startdatetime"}:
            return "event"
        return "task"
    if "username" in keys:
        return "user"
    if "accountid" in keys and ("lastname" in keys or "firstname" in keys):
        return "contact"
    if (
        "name" in keys
        and "accountid" not in keys
        and not keys & {"company", "convertedaccountid", "isconverted"}
        and keys & {"website", "industry", "parentid", "accountnumber", "billingcity"}
    ):
        return "account"
    return None


def sniff(name: str, head: bytes) -> bool:
    """True when a single CSV is a Salesforce object export this module reads.

    The first line must be an API-style header of one of `OBJECTS` (``Id`` with
    ``AccountId``/``FirstName``/``LastName`` for contacts, ``Username`` for users,
    ``WhoId`` for tasks and events...); the file name is not needed.

    Examples
    --------
    >>> sniff("Contact.csv", b'"Id","AccountId","FirstName","LastName","Email"\\n')
    True
    >>> sniff("people.csv", b"Id,First Name,Last Name,Email\\n")
    False
    """
    try:
        text = decode(head, file=name)
    except LoadError:
        return False
    text = text.lstrip("\ufeff")
    for line in text.splitlines()[:3]:
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return False
        return _kind({header_key(c) for c in cells}) is not None
    return False


def sniff_archive(names: list[str]) -> bool:
    """True when an archive's member list looks like a Salesforce Data Export.

    It must hold ``Contact.csv`` or ``Account.csv`` (any folder, any case) and no LinkedIn
    ``Connections.csv``.

    Examples
    --------
    >>> sniff_archive(["export/ACCOUNT.csv", "export/Lead.csv"])
    True
    >>> sniff_archive(["Contact.csv", "Connections.csv"])
    False
    """
    base = {PurePosixPath(n).name.lower() for n in names}
    return bool(base & {"contact.csv", "account.csv"}) and "connections.csv" not in base


@dataclass
class _Ctx:
    """What the objects read so far tell about ids. A set of None means "not in this export":
    ids of that kind are then accepted by their key prefix."""

    owner: str | None
    users: set[str] | None = None
    contacts: set[str] | None = None
    accounts: dict[str, str] = field(default_factory=dict)

    def is_user(self, rid: str) -> bool:
        return rid.startswith(_USER) if self.users is None else rid in self.users

    def is_contact(self, rid: str) -> bool:
        return rid.startswith(_CONTACT) if self.contacts is None else rid in self.contacts


def _cols(table: Table, *names: str) -> list[int]:
    """Column indexes for `names`, -1 for a missing one (each row gets an empty cell appended,
    so that a missing column reads as empty without a test per cell)."""
    out = []
    for n in names:
        i = table.col(n)
        out.append(-1 if i is None else i)
    return out


_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)


def _phone(cell: str) -> str | None:
    """`graph.identity.norm_phone`, with a fast path for ASCII cells (the usual case)."""
    if not cell.isascii():
        return norm_phone(cell)
    digits = cell.encode().translate(None, _NOT_DIGITS)
    if len(digits) < 6:
        return None
    return ("+" if cell.lstrip().startswith("+") else "") + digits.decode()


def _name(first: str, last: str, full: str) -> str:
    first, last = first.strip(), last.strip()
    if first and last:
        return f"{first} {last}"
    return first or last or full.strip()


def _phones(row: list[str], cols: list[int]) -> tuple[str, ...]:
    out: list[str] = []
    for c in cols:
        if row[c]:
            p = _phone(row[c])
            if p and p not in out:
                out.append(p)
    return tuple(out)


def _ref(rid: str, prov: Provenance, *, team: bool = False) -> Person:
    return Person(external_id=f"{SOURCE}:{rid}", team=team, provenance=prov)


def _rep_lookup(ctx: _Ctx) -> Callable[[str, Provenance], Person | str | None]:
    """A memoised ``OwnerId`` resolver: a shared rep reference for a known user, None for an
    empty lookup, the cell itself for an unknown or malformed id (to report)."""
    cache: dict[str, Person | str | None] = {}
    is_user = ctx.is_user

    def rep(cell: str, prov: Provenance) -> Person | str | None:
        r = cache.get(cell, _MISSING)
        if r is _MISSING:
            oid = id15(cell)
            if oid == "":
                r = None
            elif oid and is_user(oid):
                r = _ref(oid, prov, team=True)
            else:
                r = cell
            cache[cell] = r
        return r  # type: ignore[return-value]

    return rep


def _show(cell: str) -> str:
    return cell.strip()[:40]


def _opt_date(cell: str) -> datetime | None:
    try:
        return parse_datetime(cell)
    except BadDate:
        return None


def _users(table: Table, ctx: _Ctx) -> Iterator[Record]:
    file = table.file
    ctx.users = set()
    c_id, c_first, c_last, c_name, c_email, c_title, c_mgr, c_type, c_company = _cols(
        table, "id", "firstname", "lastname", "name", "email", "title", "managerid",
        "usertype", "companyname",
    )  # fmt: skip
    c_phones = _cols(table, "phone", "mobilephone")
    managed: list[tuple[Person, str, str, Provenance]] = []
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        uid = id15(row[c_id])
        if not uid:
            yield Skipped(file, line, f"bad user id {_show(row[c_id])!r}")
            continue
        utype = row[c_type].strip()
        if utype.lower() in _NOT_PEOPLE:
            yield Skipped(file, line, f"not a person: a {utype} user")
            continue
        prov = Provenance(SOURCE, file, line, ctx.owner)
        email = norm_email(row[c_email])
        user = Person(
            name=_name(row[c_first], row[c_last], row[c_name]),
            emails=(email,) if email else (),
            phones=_phones(row, c_phones),
            company=row[c_company].strip() or None,
            title=row[c_title].strip() or None,
            external_id=f"{SOURCE}:{uid}",
            team=True,
            provenance=prov,
        )
        ctx.users.add(uid)
        yield user
        if row[c_mgr].strip():
            managed.append((user, uid, row[c_mgr], prov))
    for user, uid, cell, prov in managed:
        mid = id15(cell)
        if not mid or mid == uid:
            if mid is None:
                yield Skipped(file, prov.line, f"unknown user id {_show(cell)!r} (ManagerId)")
            continue
        if mid not in ctx.users:
            yield Skipped(file, prov.line, f"unknown user id {_show(cell)!r} (ManagerId)")
            continue
        yield Interaction(
            a=_ref(mid, prov, team=True), b=user, kind="colleague", directed=False, provenance=prov
        )


def _accounts(table: Table, ctx: _Ctx) -> Iterator[Record]:
    file = table.file
    c_id, c_name, c_web, c_ind, c_del = _cols(
        table, "id", "name", "website", "industry", "isdeleted"
    )
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        aid = id15(row[c_id])
        if not aid:
            yield Skipped(file, line, f"bad account id {_show(row[c_id])!r}")
            continue
        if _true(row[c_del]):
            yield Skipped(file, line, "deleted record")
            continue
        name = row[c_name].strip()
        if not name:
            yield Skipped(file, line, "account without a name")
            continue
        ctx.accounts[aid] = name
        yield Company(
            name,
            domain=_domain(row[c_web]),
            industry=row[c_ind].strip() or None,
            external_id=f"{SOURCE}:{aid}",
            provenance=Provenance(SOURCE, file, line, ctx.owner),
        )


def _contacts(table: Table, ctx: _Ctx) -> Iterator[Record]:
    file = table.file
    contacts = ctx.contacts = set()
    accounts = ctx.accounts
    owner = ctx.owner
    (c_id, c_acc, c_first, c_last, c_name, c_email, c_title, c_own, c_rep, c_act, c_del) = _cols(
        table, "id", "accountid", "firstname", "lastname", "name", "email", "title", "ownerid",
        "reportstoid", "lastactivitydate", "isdeleted",
    )  # fmt: skip
    c_phones = _cols(table, "phone", "mobilephone", "homephone", "otherphone")
    reports: list[tuple[Person, str, Provenance]] = []
    # Few distinct accounts and owners: resolve each raw cell once. A rep reference is shared
    # by all the interactions of this file that name that rep.
    company_of: dict[str, object] = {}
    rep_of = _rep_lookup(ctx)
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        cid = id15(row[c_id])
        if not cid:
            yield Skipped(file, line, f"bad contact id {_show(row[c_id])!r}")
            continue
        if _true(row[c_del]):
            yield Skipped(file, line, "deleted record")
            continue
        prov = Provenance(SOURCE, file, line, owner)
        acc = row[c_acc]
        if acc:
            company = company_of.get(acc, _MISSING)
            if company is _MISSING:
                aid = id15(acc)
                company = company_of[acc] = accounts.get(aid) if aid else None
        else:
            company = None
        email = norm_email(row[c_email]) if row[c_email] else None
        title = row[c_title].strip()
        contact = Person(
            name=_name(row[c_first], row[c_last], row[c_name]),
            emails=(email,) if email else (),
            phones=_phones(row, c_phones),
            company=company,  # type: ignore[arg-type]
            title=title or None,
            external_id=f"{SOURCE}:{cid}",
            provenance=prov,
        )
        contacts.add(cid)
        yield contact
        if row[c_own]:
            rep = rep_of(row[c_own], prov)
            if type(rep) is Person:
                yield Interaction(
                    a=rep,
                    b=contact,
                    kind="crm-owner",
                    at=_opt_date(row[c_act]) if row[c_act] else None,
                    directed=False,
                    provenance=prov,
                )
            elif rep is not None:
                yield Skipped(file, line, f"unknown user id {_show(row[c_own])!r} (OwnerId)")
        if row[c_rep]:
            reports.append((contact, row[c_rep], prov))
    for contact, cell, prov in reports:
        mid = id15(cell)
        if mid == "" or (contact.external_id == f"{SOURCE}:{mid}"):
            continue
        if mid is None or mid not in contacts:
            yield Skipped(file, prov.line, f"unknown contact id {_show(cell)!r} (ReportsToId)")
            continue
        yield Interaction(
            a=_ref(mid, prov), b=contact, kind="colleague", directed=False, provenance=prov
        )


def _task_kind(subtype: str, type_: str) -> str:
    s = (subtype.strip() or type_.strip()).lower()
    if s == "call":
        return "call"
    if s == "email":
        return "email"
    return "task"


def _when(row: list[str], main: int, *fallbacks: int) -> datetime | None:
    """The row's date from column `main` (raising `BadDate`), else the first readable
    fallback."""
    at = parse_datetime(row[main]) if row[main] else None
    if at is None:
        for c in fallbacks:
            at = _opt_date(row[c]) if row[c] else None
            if at is not None:
                break
    return at


def _tasks(table: Table, ctx: _Ctx) -> Iterator[Record]:
    file = table.file
    is_contact, owner = ctx.is_contact, ctx.owner
    rep_of = _rep_lookup(ctx)
    c_who, c_own, c_date, c_sub, c_type, c_created, c_del = _cols(
        table, "whoid", "ownerid", "activitydate", "tasksubtype", "type", "createddate",
        "isdeleted",
    )  # fmt: skip
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        if _true(row[c_del]):
            yield Skipped(file, line, "deleted record")
            continue
        who = id15(row[c_who])
        if who == "":
            yield Skipped(file, line, "no contact (empty WhoId)")
            continue
        if who is None or not is_contact(who):
            yield Skipped(file, line, f"unknown contact id {_show(row[c_who])!r} (WhoId)")
            continue
        prov = Provenance(SOURCE, file, line, owner)
        rep = rep_of(row[c_own], prov)
        if type(rep) is not Person:
            yield Skipped(file, line, f"unknown user id {_show(row[c_own])!r} (OwnerId)")
            continue
        try:
            at = _when(row, c_date, c_created)
        except BadDate as e:
            yield Skipped(file, line, f"bad date: {e}")
            continue
        yield Interaction(
            a=rep,
            b=_ref(who, prov),
            kind=_task_kind(row[c_sub], row[c_type]),
            at=at,
            provenance=prov,
        )


@dataclass(slots=True)
class _Relation:
    rid: str | None  # 15-char id, or None when malformed
    cell: str
    line: int


def _relations(table: Table) -> Iterator[Skipped | tuple[str, _Relation]]:
    """EventRelation rows that name a possible attendee, as (event id, relation)."""
    file = table.file
    c_rel, c_evt, c_what, c_status, c_del = _cols(
        table, "relationid", "eventid", "iswhat", "status", "isdeleted"
    )
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        if _true(row[c_del]):
            continue
        if _true(row[c_what]) or row[c_status].strip().lower() == "declined":
            continue
        eid = id15(row[c_evt])
        rid = id15(row[c_rel])
        if not eid or rid == "":
            yield Skipped(file, line, "event relation without an event or attendee id")
            continue
        if rid is not None and not rid.startswith((_USER, _CONTACT, _LEAD)):
            continue  # an account, opportunity or resource, not a person
        yield eid, _Relation(rid, row[c_rel], line)


def _events(
    table: Table, ctx: _Ctx, relations: dict[str, list[_Relation]], rel_file: str
) -> Iterator[Record]:
    file = table.file
    is_user, is_contact, owner = ctx.is_user, ctx.is_contact, ctx.owner
    rep_of = _rep_lookup(ctx)
    c_id, c_who, c_own, c_dt, c_start, c_day, c_child, c_del = _cols(
        table, "id", "whoid", "ownerid", "activitydatetime", "startdatetime", "activitydate",
        "ischild", "isdeleted",
    )  # fmt: skip
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        if _true(row[c_del]):
            yield Skipped(file, line, "deleted record")
            continue
        if _true(row[c_child]):
            continue  # an invitee's copy of an event already read from its organiser
        prov = Provenance(SOURCE, file, line, owner)
        organiser = rep_of(row[c_own], prov)
        if type(organiser) is not Person:
            yield Skipped(file, line, f"unknown user id {_show(row[c_own])!r} (OwnerId)")
            continue
        oid = organiser.external_id[len(SOURCE) + 1 :]  # type: ignore[union-attr,index]
        try:
            at = _when(row, c_dt, c_start, c_day)
        except BadDate as e:
            yield Skipped(file, line, f"bad date: {e}")
            continue
        everyone: set[str] = {oid}  # distinct participants, resolvable or not
        attendees: dict[str, bool] = {}  # id -> is a user
        problems: list[Skipped] = []
        who = id15(row[c_who])
        if who:
            everyone.add(who)
            if is_contact(who):
                attendees[who] = False
            else:
                problems.append(
                    Skipped(file, line, f"unknown contact id {_show(row[c_who])!r} (WhoId)")
                )
        elif who is None:
            problems.append(
                Skipped(file, line, f"unknown contact id {_show(row[c_who])!r} (WhoId)")
            )
        eid = id15(row[c_id])
        for rel in relations.get(eid, ()) if eid else ():
            rid = rel.rid
            if rid is not None and rid in everyone:
                continue
            if rid is not None:
                everyone.add(rid)
                if is_contact(rid):
                    attendees[rid] = False
                    continue
                if is_user(rid):
                    attendees[rid] = True
                    continue
            problems.append(
                Skipped(
                    rel_file,
                    rel.line,
                    f"unknown contact or user id {_show(rel.cell)!r} (RelationId)",
                )
            )
        yield from problems
        attendees.pop(oid, None)
        if not attendees:
            if not problems:
                yield Skipped(file, line, "meeting without attendees")
            continue
        size = len(everyone)
        for rid, team in attendees.items():
            yield Interaction(
                a=organiser,
                b=_ref(rid, prov, team=team),
                kind="meeting",
                at=at,
                group_size=size,
                provenance=prov,
            )


def _deals(table: Table, ctx: _Ctx) -> Iterator[Record]:
    file = table.file
    is_contact = ctx.is_contact
    c_opp, c_con, c_created, c_del = _cols(
        table, "opportunityid", "contactid", "createddate", "isdeleted"
    )
    # opportunity -> contact id -> (line, is known, date added)
    opps: dict[str, dict[str, tuple[int, bool, datetime | None]]] = {}
    for item in table.rows():
        if type(item) is Skipped:
            yield item
            continue
        line, row = item
        row.append("")  # column index -1 (a missing column) reads as empty
        if _true(row[c_del]):
            yield Skipped(file, line, "deleted record")
            continue
        opp, cid = id15(row[c_opp]), id15(row[c_con])
        if not opp:
            yield Skipped(file, line, f"bad opportunity id {_show(row[c_opp])!r}")
            continue
        if not cid:
            yield Skipped(file, line, f"unknown contact id {_show(row[c_con])!r} (ContactId)")
            continue
        known = is_contact(cid)
        if not known:
            yield Skipped(file, line, f"unknown contact id {_show(row[c_con])!r} (ContactId)")
        members = opps.setdefault(opp, {})
        if cid not in members:
            members[cid] = (line, known, _opt_date(row[c_created]) if row[c_created] else None)
    for members in opps.values():
        n = len(members)
        if n < 2 or n > MAX_DEAL_CONTACTS:
            continue
        known = [(cid, ln, at) for cid, (ln, ok, at) in members.items() if ok]
        for i, (c1, ln1, at1) in enumerate(known):
            for c2, ln2, at2 in known[i + 1 :]:
                prov = Provenance(SOURCE, file, max(ln1, ln2), ctx.owner)
                at = max(at1, at2) if at1 and at2 else (at1 or at2)
                yield Interaction(
                    a=_ref(c1, prov),
                    b=_ref(c2, prov),
                    kind="deal",
                    at=at,
                    directed=False,
                    group_size=n,
                    provenance=prov,
                )


_REQUIRED = {
    "user": ["id"],
    "account": ["id"],
    "contact": ["id"],
    "task": ["id", "whoid"],
    "event": ["id", "whoid"],
    "eventrelation": ["relationid", "eventid"],
    "opportunitycontactrole": ["opportunityid", "contactid"],
}


def parse_export(archive: Archive, *, owner: str | None = None) -> Iterator[Record]:
    """Records from a whole Salesforce Data Export (a zip or a folder).

    Reads ``User.csv`` and ``Account.csv`` first (the reps and account names), then
    ``Contact.csv``, ``Task.csv``, ``Event.csv`` with ``EventRelation.csv`` and
    ``OpportunityContactRole.csv``; any other member is ignored. Each record's provenance file
    is ``archive.where(member)`` and its line the row's line in that member.

    Parameters
    ----------
    archive : Archive
        The export (see `loaders.archive.open_archive`).
    owner : str, optional
        Whose import this is (recorded in the provenance).

    Yields
    ------
    Person, Company, Interaction or Skipped
        See the module docstring for what each object gives.

    Raises
    ------
    LoadError
        If the archive holds none of `OBJECTS`, or one of them has no recognisable header.
    """
    members: dict[str, str] = {}
    for obj in OBJECTS:
        name = archive.find(obj)
        if name is not None:
            members[obj.removesuffix(".csv").lower()] = name
    if not members:
        raise LoadError(
            f"no Salesforce object CSV ({', '.join(OBJECTS)}) in this export", file=archive.label
        )

    def table(kind: str) -> Table | None:
        name = members.get(kind)
        if name is None:
            return None
        raw = archive.read(name)
        if not raw.strip():
            return None
        return read_table(raw, file=archive.where(name), required=_REQUIRED[kind])

    ctx = _Ctx(owner)
    t = table("user")
    if t is not None:
        yield from _users(t, ctx)
    t = table("account")
    if t is not None:
        yield from _accounts(t, ctx)
    t = table("contact")
    if t is not None:
        yield from _contacts(t, ctx)
    t = table("task")
    if t is not None:
        yield from _tasks(t, ctx)
    t = table("event")
    if t is not None:
        relations: dict[str, list[_Relation]] = {}
        rt = table("eventrelation")
        rel_file = rt.file if rt is not None else ""
        if rt is not None:
            for item in _relations(rt):
                if isinstance(item, Skipped):
                    yield item
                else:
                    relations.setdefault(item[0], []).append(item[1])
        yield from _events(t, ctx, relations, rel_file)
    t = table("opportunitycontactrole")
    if t is not None:
        yield from _deals(t, ctx)


def parse_file(fp: BinaryIO | bytes, *, file: str, owner: str | None = None) -> Iterator[Record]:
    """Records from one Salesforce object CSV read on its own (``Contact.csv``, ``Task.csv``...).

    The object is recognised from its header. With no other objects at hand, a contact's
    company is unknown (None) and references to users and contacts cannot be checked: they are
    accepted by key prefix (``005`` user, ``003`` contact), while a lead or other id is still a
    `Skipped` row. ``EventRelation.csv`` alone gives nothing to load (one `Skipped` says so).

    Raises
    ------
    LoadError
        If the file is empty or is no Salesforce object this module reads.

    Examples
    --------
    >>> raw = b'"Id","AccountId","FirstName","LastName"\\n"0035e00000AbCdE","","Ada","Lovelace"\\n'
    >>> [(p.name, p.external_id) for p in parse_file(raw, file="Contact.csv")]
    [('Ada Lovelace', 'salesforce:0035e00000AbCdE')]
    """
    table = read_table(fp, file=file, required=[("id", "relationid", "opportunityid", "contactid")])
    kind = _kind(set(table.header))
    ctx = _Ctx(owner)
    if kind == "user":
        yield from _users(table, ctx)
    elif kind == "account":
        yield from _accounts(table, ctx)
    elif kind == "contact":
        yield from _contacts(table, ctx)
    elif kind == "task":
        yield from _tasks(table, ctx)
    elif kind == "event":
        yield from _events(table, ctx, {}, "")
    elif kind == "opportunitycontactrole":
        yield from _deals(table, ctx)
    elif kind == "eventrelation":
        yield Skipped(file, None, "EventRelation.csv is read with Event.csv: load the whole export")
    else:
        raise LoadError(
            "not a Salesforce object tiegraph reads (" + ", ".join(OBJECTS) + ")", file=file
        )


def read_salesforce(path: str | os.PathLike, *, owner: str | None = None) -> Iterator[Record]:
    """Records from a Salesforce export on disk: a zip or folder (`parse_export`) or one object
    CSV (`parse_file`).

    Raises
    ------
    LoadError
        If the path cannot be read or is no Salesforce export.
    """
    return records_at(path, parse_file, parse_export, owner=owner)