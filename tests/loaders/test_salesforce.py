"""Tests for `loaders.salesforce`: the Salesforce Data Export of FORMATS.md.

The fixture is one small org written the way the weekly export service writes it: one CSV per
object with the real API columns in their real order (far more than the loader reads), every
value quoted, 18-character ids in some files and 15-character ids in others,
``000000000000000AAA`` for empty lookups, a multi-line quoted description, and objects the
loader ignores (``Lead.csv``, ``Opportunity.csv``, ``Attachment.csv``). It is written both in
UTF-8 (LF) and ISO-8859-1 (CRLF), as a zip and as an unzipped folder.

The org: reps Grace Hopper (VP Sales) and Jürgen Müller (inactive AE, reports to Grace), an
automated-process user, and Zoë Ndiaye whose manager id is unknown; accounts Société Générale,
"Acme, Inc." and a deleted one; contacts Hélène Dubois and Marc Lefèvre (Société Générale; she
reports to him), Wile E. Coyote (Acme), Ada Lovelace (no account), a deleted contact, a contact
with an unknown owner and a malformed id. Subjects and descriptions carry ``SECRET`` so a test
can check no record holds them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from datetime import datetime
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.archive import Archive, open_archive
from loaders.salesforce import (
    MAX_DEAL_CONTACTS,
    id15,
    parse_export,
    parse_file,
    read_salesforce,
    sniff,
    sniff_archive,
)

# --- ids: 15 characters in the 15-char files, 18 elsewhere --------------------------------
U_GRACE, U_JURGEN, U_BOT, U_ZOE = (
    "005Hs00000GrAcE",
    "005Hs00000JuRgN",
    "005Hs00000BoTzz",
    "005Hs00000ZoEnd",
)
A_SOCGEN, A_ACME, A_INITECH = "001Hs00000SoCgN", "001Hs00000AcMeI", "001Hs00000InItC"
C_HELENE, C_MARC, C_WILE, C_ADA = (
    "003Hs00000HeLeN",
    "003Hs00000MaRcL",
    "003Hs00000WiLeE",
    "003Hs00000AdAlV",
)
C_GONE, C_ROAD = "003Hs00000GoNeX", "003Hs00000RoAdR"
LEAD = "00QHs00000LeAdQ"
EVT_1, EVT_CHILD, EVT_3, EVT_4 = (
    "00UHs00000EvT01",
    "00UHs00000EvT02",
    "00UHs00000EvT03",
    "00UHs00000EvT04",
)
OPP_1, OPP_2, OPP_3 = "006Hs00000OpP01", "006Hs00000OpP02", "006Hs00000OpP03"
NULL = "000000000000000AAA"


def x18(i15: str) -> str:
    """An 18-character spelling (the suffix is arbitrary here: only the first 15 count)."""
    return i15 + "IAX"


USER_COLS = (
    "Id,Username,LastName,FirstName,MiddleName,Suffix,Name,CompanyName,Division,Department,Title,"
    "Street,City,State,PostalCode,Country,Email,Phone,Fax,MobilePhone,Alias,CommunityNickname,"
    "IsActive,TimeZoneSidKey,UserRoleId,LocaleSidKey,ReceivesInfoEmails,EmailEncodingKey,"
    "ProfileId,UserType,LanguageLocaleKey,EmployeeNumber,DelegatedApproverId,ManagerId,"
    "LastLoginDate,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,"
    "ContactId,AccountId,FederationIdentifier,AboutMe"
)
ACCOUNT_COLS = (
    "Id,IsDeleted,MasterRecordId,Name,Type,ParentId,BillingStreet,BillingCity,BillingState,"
    "BillingPostalCode,BillingCountry,ShippingStreet,ShippingCity,Phone,Fax,AccountNumber,"
    "Website,Sic,Industry,AnnualRevenue,NumberOfEmployees,Ownership,TickerSymbol,Description,"
    "Rating,Site,OwnerId,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,"
    "SystemModstamp,LastActivityDate,Jigsaw,JigsawCompanyId,AccountSource,SicDesc"
)
CONTACT_COLS = (
    "Id,IsDeleted,MasterRecordId,AccountId,LastName,FirstName,Salutation,MiddleName,Suffix,"
    "OtherStreet,OtherCity,MailingStreet,MailingCity,MailingState,MailingPostalCode,"
    "MailingCountry,Phone,Fax,MobilePhone,HomePhone,OtherPhone,AssistantPhone,ReportsToId,Email,"
    "Title,Department,AssistantName,LeadSource,Birthdate,Description,OwnerId,HasOptedOutOfEmail,"
    "HasOptedOutOfFax,DoNotCall,CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,"
    "SystemModstamp,LastActivityDate,LastCURequestDate,LastCUUpdateDate,EmailBouncedReason,"
    "EmailBouncedDate,Jigsaw,JigsawContactId,IndividualId"
)
TASK_COLS = (
    "Id,WhoId,WhatId,WhoCount,WhatCount,Subject,ActivityDate,Status,Priority,IsHighPriority,"
    "OwnerId,Description,IsDeleted,AccountId,IsClosed,CreatedDate,CreatedById,LastModifiedDate,"
    "LastModifiedById,SystemModstamp,IsArchived,CallDurationInSeconds,CallType,CallDisposition,"
    "CallObject,ReminderDateTime,IsReminderSet,RecurrenceActivityId,IsRecurrence,TaskSubtype,"
    "CompletedDateTime"
)
EVENT_COLS = (
    "Id,WhoId,WhatId,WhoCount,WhatCount,Subject,Location,IsAllDayEvent,ActivityDateTime,"
    "ActivityDate,DurationInMinutes,StartDateTime,EndDateTime,EndDate,Description,AccountId,"
    "OwnerId,Type,IsPrivate,ShowAs,IsDeleted,IsChild,IsGroupEvent,GroupEventType,CreatedDate,"
    "CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp,IsArchived,"
    "RecurrenceActivityId,IsRecurrence,ReminderDateTime,IsReminderSet,EventSubtype"
)
RELATION_COLS = (
    "Id,RelationId,EventId,IsWhat,IsParent,IsInvitee,Status,RespondedDate,Response,IsDeleted,"
    "CreatedDate,CreatedById,LastModifiedDate,LastModifiedById,SystemModstamp"
)
OCR_COLS = (
    "Id,OpportunityId,ContactId,Role,IsPrimary,CreatedDate,CreatedById,LastModifiedDate,"
    "LastModifiedById,SystemModstamp,IsDeleted"
)


def table(cols: str, rows: list[dict[str, str]], *, eol: str = "\n") -> str:
    """A CSV the way Data Export writes it: every value quoted, unnamed columns empty."""
    names = cols.split(",")
    for r in rows:
        assert set(r) <= set(names), set(r) - set(names)
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=eol)
    w.writerow(names)
    for r in rows:
        w.writerow([r.get(n, "") for n in names])
    return out.getvalue()


def export_files(eol: str = "\n") -> dict[str, str]:
    """The org as ``{member name: text}``. Line numbers are noted beside each row."""
    users = [
        # 2
        dict(Id=x18(U_GRACE), Username="grace@tiegraph.example", FirstName="Grace",
             LastName="Hopper", Title="VP Sales", Email="Grace.Hopper@TieGraph.example",
             Phone="+1 (415) 555-0100", IsActive="true", UserType="Standard", ManagerId=NULL,
             CompanyName="TieGraph Demo"),
        # 3: inactive, manager in the 18-char spelling
        dict(Id=x18(U_JURGEN), Username="jm@tiegraph.example", FirstName="Jürgen",
             LastName="Müller", Title="Account Executive", Email="jurgen@tiegraph.example",
             IsActive="false", UserType="Standard", ManagerId=x18(U_GRACE)),
        # 4: not a person
        dict(Id=x18(U_BOT), Username="autoproc@00dhs.example", LastName="Automated Process",
             IsActive="true", UserType="AutomatedProcess"),
        # 5: manager unknown
        dict(Id=x18(U_ZOE), Username="zoe@tiegraph.example", FirstName="Zoë", LastName="Ndiaye",
             Title="Sales Development Rep", Email="zoe@tiegraph.example", IsActive="true",
             UserType="Standard", ManagerId="005Hs00000NoBoDAAA"),
    ]  # fmt: skip
    accounts = [
        # 2
        dict(Id=x18(A_SOCGEN), IsDeleted="false", Name="Société Générale", Type="Customer",
             Website="https://www.societegenerale.com/fr/", Industry="Banking",
             BillingCity="Paris", OwnerId=x18(U_JURGEN), ParentId=NULL),
        # 3-4: a quoted description over two lines
        dict(Id=x18(A_ACME), IsDeleted="false", Name="Acme, Inc.", Website="www.acme.example",
             Industry="Manufacturing", Description="SECRET key account\nrenewal in Q3",
             OwnerId=x18(U_GRACE)),
        # 5
        dict(Id=x18(A_INITECH), IsDeleted="true", Name="Initech GmbH", OwnerId=x18(U_GRACE)),
        # 6: no usable website; no name
        dict(Id="001Hs00000GlObXAAA", IsDeleted="false", Name="Globex", Website="not a url"),
        dict(Id="001Hs00000NoNaMAAA", IsDeleted="false", Name=""),
    ]  # fmt: skip
    contacts = [
        # 2: account and owner in 15-char form, reports to Marc
        dict(Id=C_HELENE, IsDeleted="0", AccountId=A_SOCGEN, FirstName="Hélène",
             LastName="Dubois", Email="Helene.Dubois@SocGen.example",
             Phone="+33 1 42 14 20 00", MobilePhone="+33 6 12 34 56 78",
             Title="Head of Payments", OwnerId=U_JURGEN, ReportsToId=C_MARC,
             LastActivityDate="2026-02-14", Description="SECRET notes"),
        # 3: account in 18-char form, owner too; empty ReportsToId lookup
        dict(Id=C_MARC, IsDeleted="0", AccountId=x18(A_SOCGEN), FirstName="Marc",
             LastName="Lefèvre", Email="marc.lefevre@socgen.example", Title="Directeur Financier",
             OwnerId=x18(U_JURGEN), ReportsToId=NULL, LastActivityDate="2026-01-20"),
        # 4: no email; untrusted title; unreadable LastActivityDate
        dict(Id=C_WILE, IsDeleted="0", AccountId=x18(A_ACME), FirstName="Wile E.",
             LastName="Coyote", Title='Chief "Genius", R&D', OwnerId=x18(U_GRACE),
             LastActivityDate="someday"),
        # 5: no account (null lookup), no owner
        dict(Id=C_ADA, IsDeleted="0", AccountId=NULL, FirstName="Ada", LastName="Lovelace",
             Email="ada@example.org", OwnerId=""),
        # 6: deleted
        dict(Id=C_GONE, IsDeleted="1", AccountId=A_ACME, LastName="Gone", OwnerId=U_GRACE),
        # 7: account deleted (unknown), owner unknown
        dict(Id=C_ROAD, IsDeleted="0", AccountId=A_INITECH, FirstName="Road",
             LastName="Runner", OwnerId="005Hs00000NoBoDAAA"),
        # 8: malformed id
        dict(Id="bogus", IsDeleted="0", LastName="Nobody"),
    ]  # fmt: skip
    tasks = [
        # 2: a call, WhoId 18-char against a 15-char Contact Id
        dict(Id="00THs00000TaSk1AAA", WhoId=x18(C_HELENE), WhatId=x18(A_SOCGEN),
             Subject="SECRET pricing call", ActivityDate="2026-02-10", Status="Completed",
             OwnerId=x18(U_JURGEN), IsDeleted="false", TaskSubtype="Call"),
        # 3: an email without a due date: CreatedDate stands in
        dict(Id="00THs00000TaSk2AAA", WhoId=x18(C_WILE), Subject="SECRET", ActivityDate="",
             CreatedDate="2026-01-05T09:30:00.000Z", OwnerId=x18(U_GRACE), IsDeleted="false",
             TaskSubtype="Email"),
        # 4: to a lead
        dict(Id="00THs00000TaSk3AAA", WhoId=x18(LEAD), OwnerId=x18(U_GRACE), IsDeleted="false",
             ActivityDate="2026-02-01", TaskSubtype="Call"),
        # 5: on an account only
        dict(Id="00THs00000TaSk4AAA", WhoId="", WhatId=x18(A_ACME), OwnerId=x18(U_GRACE),
             IsDeleted="false", ActivityDate="2026-02-02", TaskSubtype="Task"),
        # 6: bad date
        dict(Id="00THs00000TaSk5AAA", WhoId=x18(C_MARC), OwnerId=x18(U_JURGEN),
             IsDeleted="false", ActivityDate="2026-13-45", TaskSubtype="Task"),
        # 7: a list email is a plain task; 8: owned by the automated-process user
        dict(Id="00THs00000TaSk6AAA", WhoId=x18(C_MARC), OwnerId=x18(U_JURGEN),
             IsDeleted="false", ActivityDate="2026-02-03", TaskSubtype="ListEmail"),
        dict(Id="00THs00000TaSk7AAA", WhoId=x18(C_ADA), OwnerId=x18(U_BOT),
             IsDeleted="false", ActivityDate="2026-02-04", TaskSubtype="Task"),
    ]  # fmt: skip
    events = [
        # 2: a group meeting (relations below)
        dict(Id=x18(EVT_1), WhoId=x18(C_HELENE), WhatId=x18(A_SOCGEN), Subject="SECRET QBR",
             ActivityDateTime="2026-03-10T14:00:00.000Z", ActivityDate="2026-03-10",
             DurationInMinutes="60", StartDateTime="2026-03-10T14:00:00.000Z",
             OwnerId=x18(U_GRACE), IsDeleted="false", IsChild="false", IsGroupEvent="true"),
        # 3: Jürgen's child copy of the same meeting
        dict(Id=x18(EVT_CHILD), WhoId=x18(C_HELENE), Subject="SECRET QBR",
             ActivityDateTime="2026-03-10T14:00:00.000Z", OwnerId=x18(U_JURGEN),
             IsDeleted="false", IsChild="true"),
        # 4: one-to-one
        dict(Id=x18(EVT_3), WhoId=x18(C_ADA), Subject="Coffee",
             ActivityDateTime="2026-03-11T08:30:00.000Z", OwnerId=x18(U_JURGEN),
             IsDeleted="false", IsChild="false"),
        # 5: nobody but the owner
        dict(Id=x18(EVT_4), WhoId="", Subject="Focus time",
             ActivityDateTime="2026-03-12T08:00:00.000Z", OwnerId=x18(U_GRACE),
             IsDeleted="false", IsChild="false"),
    ]  # fmt: skip
    relations = [
        # 2: the WhoId again (parent); 3: Marc invited; 4: Jürgen invited (a user)
        dict(Id="0RE1", RelationId=x18(C_HELENE), EventId=x18(EVT_1), IsWhat="false",
             IsParent="true", IsInvitee="false", Status="New"),
        dict(Id="0RE2", RelationId=C_MARC, EventId=EVT_1, IsWhat="false", IsParent="false",
             IsInvitee="true", Status="Accepted"),
        dict(Id="0RE3", RelationId=x18(U_JURGEN), EventId=x18(EVT_1), IsWhat="false",
             IsParent="false", IsInvitee="true", Status="Accepted"),
        # 5: a lead invited; 6: the account (IsWhat); 7: Wile declined
        dict(Id="0RE4", RelationId=x18(LEAD), EventId=x18(EVT_1), IsWhat="false",
             IsParent="false", IsInvitee="true", Status="New"),
        dict(Id="0RE5", RelationId=x18(A_SOCGEN), EventId=x18(EVT_1), IsWhat="true",
             IsParent="true", IsInvitee="false", Status=""),
        dict(Id="0RE6", RelationId=x18(C_WILE), EventId=x18(EVT_1), IsWhat="false",
             IsParent="false", IsInvitee="true", Status="Declined"),
    ]  # fmt: skip
    roles = [
        # 2-5: three contacts on OPP_1 (Hélène twice, with two roles)
        dict(Id="00K1", OpportunityId=x18(OPP_1), ContactId=x18(C_HELENE), Role="Decision Maker",
             IsPrimary="true", CreatedDate="2026-01-02T10:00:00.000Z", IsDeleted="false"),
        dict(Id="00K2", OpportunityId=x18(OPP_1), ContactId=C_MARC, Role="Economic Buyer",
             IsPrimary="false", CreatedDate="2026-01-03T10:00:00.000Z", IsDeleted="false"),
        dict(Id="00K3", OpportunityId=OPP_1, ContactId=x18(C_WILE), Role="Influencer",
             IsPrimary="false", CreatedDate="", IsDeleted="false"),
        dict(Id="00K4", OpportunityId=x18(OPP_1), ContactId=x18(C_HELENE), Role="Technical Buyer",
             IsPrimary="false", CreatedDate="2026-01-04T10:00:00.000Z", IsDeleted="false"),
        # 6: alone on OPP_2; 7-8: OPP_3 with Ada and a contact not in this export
        dict(Id="00K5", OpportunityId=x18(OPP_2), ContactId=x18(C_ADA), Role="", IsDeleted="false"),
        dict(Id="00K6", OpportunityId=x18(OPP_3), ContactId=x18(C_ADA), Role="", IsDeleted="false"),
        dict(Id="00K7", OpportunityId=x18(OPP_3), ContactId="003Hs00000ZzZzZAAA", Role="",
             IsDeleted="false"),
    ]  # fmt: skip
    return {
        "User.csv": table(USER_COLS, users, eol=eol),
        "Account.csv": table(ACCOUNT_COLS, accounts, eol=eol),
        "Contact.csv": table(CONTACT_COLS, contacts, eol=eol),
        "Task.csv": table(TASK_COLS, tasks, eol=eol),
        "Event.csv": table(EVENT_COLS, events, eol=eol),
        "EventRelation.csv": table(RELATION_COLS, relations, eol=eol),
        "OpportunityContactRole.csv": table(OCR_COLS, roles, eol=eol),
        # objects the loader ignores
        "Lead.csv": table("Id,LastName,FirstName,Company,Email,OwnerId",
                          [dict(Id=x18(LEAD), LastName="Prospect", Company="Umbrella")], eol=eol),
        "Opportunity.csv": table("Id,AccountId,Name,StageName,CloseDate",
                                 [dict(Id=x18(OPP_1), AccountId=x18(A_SOCGEN), Name="SECRET deal")],
                                 eol=eol),
        "Attachment.csv": table("Id,ParentId,Name,Body", [dict(Id="00P1", Name="SECRET.pdf")],
                                eol=eol),
    }  # fmt: skip


ENCODINGS = {"utf-8": "\n", "iso-8859-1": "\r\n"}
MEMBERS = ["User.csv", "Account.csv", "Contact.csv", "Task.csv", "Event.csv",
           "EventRelation.csv", "OpportunityContactRole.csv"]  # fmt: skip


def write_zip(path, files: dict[str, str], encoding: str, prefix: str = "") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(prefix + name, text.encode(encoding))


def write_folder(path, files: dict[str, str], encoding: str) -> None:
    path.mkdir()
    for name, text in files.items():
        (path / name).write_bytes(text.encode(encoding))


@pytest.fixture(params=[(enc, kind) for enc in ENCODINGS for kind in ("zip", "folder")],
                ids=lambda p: f"{p[0]}-{p[1]}")  # fmt: skip
def export(request, tmp_path):
    """(archive, records) for the org in each encoding, zipped and unzipped."""
    enc, kind = request.param
    files = export_files(ENCODINGS[enc])
    if kind == "zip":
        path = tmp_path / "WE_00DHs000000TiEg_1.zip"
        write_zip(path, files, enc, prefix="")
    else:
        path = tmp_path / "WE_00DHs000000TiEg_1"
        write_folder(path, files, enc)
    archive = open_archive(path)
    recs = list(parse_export(archive, owner="me"))
    yield archive, recs
    archive.close()


def people(recs, *, team: bool | None = None) -> dict[str, Person]:
    return {
        r.external_id: r
        for r in recs
        if isinstance(r, Person) and r.name and (team is None or r.team == team)
    }


def ties(recs, kind: str) -> list[Interaction]:
    return [r for r in recs if isinstance(r, Interaction) and r.kind == kind]


def skipped(recs, member: str) -> list[tuple[int | None, str]]:
    return [(s.line, s.reason) for s in recs if isinstance(s, Skipped) and s.file.endswith(member)]


def sid(i15: str) -> str:
    return f"salesforce:{i15}"


class TestUsers:
    def test_reps_with_inactive_kept(self, export):
        archive, recs = export
        reps = people(recs, team=True)
        assert set(reps) == {sid(U_GRACE), sid(U_JURGEN), sid(U_ZOE)}
        grace = reps[sid(U_GRACE)]
        assert (grace.name, grace.emails, grace.title) == (
            "Grace Hopper",
            ("grace.hopper@tiegraph.example",),
            "VP Sales",
        )
        assert grace.phones == ("+14155550100",) and grace.company == "TieGraph Demo"
        assert reps[sid(U_JURGEN)].name == "Jürgen Müller"
        assert reps[sid(U_ZOE)].name == "Zoë Ndiaye"
        assert grace.provenance.file == archive.where("User.csv") and grace.provenance.line == 2
        assert grace.provenance.source == "salesforce" and grace.provenance.owner == "me"

    def test_manager_is_a_colleague_tie_18_vs_15(self, export):
        _, recs = export
        (tie,) = [t for t in ties(recs, "colleague") if t.b.team]
        assert tie.a.external_id == sid(U_GRACE) and tie.a.team and tie.a.name == ""
        assert tie.b.external_id == sid(U_JURGEN) and not tie.directed
        assert tie.provenance.line == 3

    def test_skipped_users(self, export):
        _, recs = export
        assert skipped(recs, "User.csv") == [
            (4, "not a person: a AutomatedProcess user"),
            (5, "unknown user id '005Hs00000NoBoDAAA' (ManagerId)"),
        ]


class TestAccounts:
    def test_companies(self, export):
        archive, recs = export
        companies = {c.external_id: c for c in recs if isinstance(c, Company)}
        assert set(companies) == {sid(A_SOCGEN), sid(A_ACME), sid("001Hs00000GlObX")}
        sg = companies[sid(A_SOCGEN)]
        assert (sg.name, sg.domain, sg.industry) == (
            "Société Générale",
            "societegenerale.com",
            "Banking",
        )
        acme = companies[sid(A_ACME)]
        assert (acme.name, acme.domain, acme.industry) == (
            "Acme, Inc.",
            "acme.example",
            "Manufacturing",
        )
        assert companies[sid("001Hs00000GlObX")].domain is None
        assert companies[sid("001Hs00000GlObX")].provenance.line == 6  # after the 2-line row
        assert sg.provenance.file == archive.where("Account.csv")

    def test_deleted_and_nameless_skipped(self, export):
        _, recs = export
        assert skipped(recs, "Account.csv") == [
            (5, "deleted record"),
            (7, "account without a name"),
        ]


class TestContacts:
    def test_contacts_with_company_from_account_15_or_18(self, export):
        _, recs = export
        cs = people(recs, team=False)
        helene, marc = cs[sid(C_HELENE)], cs[sid(C_MARC)]
        assert (helene.name, helene.company, helene.title) == (
            "Hélène Dubois",
            "Société Générale",
            "Head of Payments",
        )
        assert helene.emails == ("helene.dubois@socgen.example",)
        assert helene.phones == ("+33142142000", "+33612345678")
        assert (marc.name, marc.company) == ("Marc Lefèvre", "Société Générale")
        wile = cs[sid(C_WILE)]
        assert (
            wile.emails == ()
            and wile.company == "Acme, Inc."
            and wile.title == 'Chief "Genius", R&D'
        )
        assert cs[sid(C_ADA)].company is None  # 000000000000000AAA
        assert cs[sid(C_ROAD)].company is None  # the account was deleted
        assert [cs[sid(c)].provenance.line for c in (C_HELENE, C_MARC, C_WILE, C_ADA)] == [
            2,
            3,
            4,
            5,
        ]

    def test_owner_ties(self, export):
        _, recs = export
        got = [
            (t.a.external_id, t.b.external_id, t.at, t.provenance.line)
            for t in ties(recs, "crm-owner")
        ]
        assert got == [
            (sid(U_JURGEN), sid(C_HELENE), datetime(2026, 2, 14), 2),
            (sid(U_JURGEN), sid(C_MARC), datetime(2026, 1, 20), 3),
            (sid(U_GRACE), sid(C_WILE), None, 4),  # "someday": row kept, undated
        ]
        assert all(t.a.team and not t.directed for t in ties(recs, "crm-owner"))

    def test_reports_to_is_a_colleague_tie(self, export):
        _, recs = export
        (tie,) = [t for t in ties(recs, "colleague") if not t.b.team]
        assert (tie.a.external_id, tie.b.external_id) == (sid(C_MARC), sid(C_HELENE))
        assert not tie.directed and tie.provenance.line == 2

    def test_skipped_contacts(self, export):
        _, recs = export
        assert skipped(recs, "Contact.csv") == [
            (6, "deleted record"),
            (7, "unknown user id '005Hs00000NoBoDAAA' (OwnerId)"),
            (8, "bad contact id 'bogus'"),
        ]


class TestTasks:
    def test_calls_emails_tasks(self, export):
        _, recs = export
        got = [
            (t.kind, t.a.external_id, t.b.external_id, t.at, t.provenance.line)
            for t in recs
            if isinstance(t, Interaction) and t.provenance.file.endswith("Task.csv")
        ]
        assert got == [
            ("call", sid(U_JURGEN), sid(C_HELENE), datetime(2026, 2, 10), 2),
            ("email", sid(U_GRACE), sid(C_WILE), datetime(2026, 1, 5, 9, 30), 3),
            ("task", sid(U_JURGEN), sid(C_MARC), datetime(2026, 2, 3), 7),
        ]
        assert all(t.directed and t.group_size == 2 for t in ties(recs, "call"))

    def test_lead_and_unknown_ids_skipped_with_their_line(self, export):
        _, recs = export
        assert skipped(recs, "Task.csv") == [
            (4, f"unknown contact id '{x18(LEAD)}' (WhoId)"),
            (5, "no contact (empty WhoId)"),
            (6, "bad date: unreadable date '2026-13-45'"),
            (8, f"unknown user id '{x18(U_BOT)}' (OwnerId)"),
        ]


class TestEvents:
    def test_group_meeting_with_event_relations(self, export):
        _, recs = export
        meetings = [t for t in ties(recs, "meeting") if t.provenance.line == 2]
        assert [(m.b.external_id, m.b.team) for m in meetings] == [
            (sid(C_HELENE), False), (sid(C_MARC), False), (sid(U_JURGEN), True)]  # fmt: skip
        # Grace, Hélène, Marc, Jürgen and the lead: 5 (Wile declined; the account is no one)
        assert {m.group_size for m in meetings} == {5}
        assert all(m.a.external_id == sid(U_GRACE) and m.directed for m in meetings)
        assert {m.at for m in meetings} == {datetime(2026, 3, 10, 14, 0)}

    def test_child_copy_not_counted_and_one_to_one(self, export):
        _, recs = export
        got = [
            (m.a.external_id, m.b.external_id, m.group_size, m.provenance.line)
            for m in ties(recs, "meeting")
        ]
        assert got[3:] == [(sid(U_JURGEN), sid(C_ADA), 2, 4)]
        assert len(got) == 4

    def test_skipped(self, export):
        _, recs = export
        assert skipped(recs, "EventRelation.csv") == [
            (5, f"unknown contact or user id '{x18(LEAD)}' (RelationId)")]  # fmt: skip
        assert skipped(recs, "/Event.csv") + skipped(recs, "!Event.csv") == [
            (5, "meeting without attendees")]  # fmt: skip


class TestOpportunityContactRoles:
    def test_pairs_on_one_opportunity(self, export):
        _, recs = export
        got = [
            (t.a.external_id, t.b.external_id, t.group_size, t.at, t.provenance.line)
            for t in ties(recs, "deal")
        ]
        assert got == [
            (sid(C_HELENE), sid(C_MARC), 3, datetime(2026, 1, 3, 10, 0), 3),
            (sid(C_HELENE), sid(C_WILE), 3, datetime(2026, 1, 2, 10, 0), 4),
            (sid(C_MARC), sid(C_WILE), 3, datetime(2026, 1, 3, 10, 0), 4),
        ]
        assert all(not t.directed for t in ties(recs, "deal"))

    def test_unknown_contact_skipped(self, export):
        _, recs = export
        assert skipped(recs, "OpportunityContactRole.csv") == [
            (8, "unknown contact id '003Hs00000ZzZzZAAA' (ContactId)")]  # fmt: skip

    def test_huge_opportunity_yields_nothing(self):
        ids = [f"003Hs00000X{i:04d}" for i in range(MAX_DEAL_CONTACTS + 1)]
        raw = table(OCR_COLS, [dict(OpportunityId=OPP_1, ContactId=c) for c in ids]).encode()
        assert list(parse_file(raw, file="OpportunityContactRole.csv")) == []
        raw = table(OCR_COLS, [dict(OpportunityId=OPP_1, ContactId=c) for c in ids[:-1]]).encode()
        pairs = list(parse_file(raw, file="OpportunityContactRole.csv"))
        n = MAX_DEAL_CONTACTS
        assert len(pairs) == n * (n - 1) // 2 and {p.group_size for p in pairs} == {n}


class TestWholeExport:
    def test_order_and_types(self, export):
        _, recs = export
        assert all(isinstance(r, (Person, Company, Interaction, Skipped)) for r in recs)
        assert not any(isinstance(r, Position) for r in recs)
        files = []
        for r in recs:
            f = (r.file if isinstance(r, Skipped) else r.provenance.file).replace("!", "/")
            name = f.rsplit("/", 1)[-1]
            if not files or files[-1] != name:
                files.append(name)
        assert files == [
            "User.csv", "Account.csv", "Contact.csv", "Task.csv",
            "EventRelation.csv", "Event.csv", "OpportunityContactRole.csv",
        ]  # fmt: skip

    def test_no_subject_description_or_ignored_object_stored(self, export):
        _, recs = export
        assert "SECRET" not in repr(recs)
        assert "Umbrella" not in repr(recs) and "Prospect" not in repr(recs)

    def test_references_are_id_only_people(self, export):
        _, recs = export
        for t in recs:
            if isinstance(t, Interaction):
                for p in (t.a, t.b):
                    assert p.external_id and p.external_id.startswith("salesforce:")
                    assert len(p.external_id) == len("salesforce:") + 15

    def test_both_encodings_give_the_same_records(self, tmp_path):
        def load(enc):
            path = tmp_path / f"{enc}.zip"
            write_zip(path, export_files(ENCODINGS[enc]), enc)
            return [
                (type(r).__name__, getattr(r, "name", None), getattr(r, "external_id", None),
                 getattr(r, "kind", None), getattr(r, "line", None) or r.provenance.line)
                for r in read_salesforce(path)
            ]  # fmt: skip

        assert load("utf-8") == load("iso-8859-1")

    def test_export_in_a_subfolder_of_the_zip(self, tmp_path):
        path = tmp_path / "export.zip"
        write_zip(path, export_files(), "utf-8", prefix="WE_00D/")
        recs = list(read_salesforce(path))
        assert sid(C_HELENE) in people(recs)
        assert recs[0].provenance.file == f"{path}!WE_00D/User.csv"

    def test_without_user_csv_owner_ids_accepted_by_prefix(self, tmp_path):
        files = export_files()
        del files["User.csv"]
        path = tmp_path / "partial"
        write_folder(path, files, "utf-8")
        recs = list(read_salesforce(path))
        assert len(ties(recs, "crm-owner")) == 4  # Road Runner's owner id now passes as a user
        assert all("OwnerId" not in reason for _, reason in skipped(recs, "Contact.csv"))

    def test_archive_with_no_object_csv(self, tmp_path):
        path = tmp_path / "x.zip"
        write_zip(path, {"Lead.csv": '"Id"\n'}, "utf-8")
        with pytest.raises(LoadError, match="no Salesforce object CSV"):
            list(read_salesforce(path))

    def test_header_only_and_empty_members(self, tmp_path):
        path = tmp_path / "x.zip"
        write_zip(path, {"Contact.csv": table(CONTACT_COLS, []), "Task.csv": ""}, "utf-8")
        assert list(read_salesforce(path)) == []


class TestLoneFiles:
    def test_contact_csv_alone(self):
        raw = export_files()["Contact.csv"].encode("iso-8859-1")
        recs = list(parse_file(BytesIO(raw), file="Contact.csv", owner="me"))
        cs = people(recs, team=False)
        assert cs[sid(C_HELENE)].name == "Hélène Dubois" and cs[sid(C_HELENE)].company is None
        # owner ids cannot be checked without User.csv: accepted by their 005 prefix
        assert len(ties(recs, "crm-owner")) == 4
        # ReportsToId still checked against the contacts of this file
        assert len(ties(recs, "colleague")) == 1

    def test_task_csv_alone_allows_contacts_not_leads(self):
        raw = export_files()["Task.csv"].encode()
        recs = list(parse_file(raw, file="Task.csv"))
        assert [t.kind for t in recs if isinstance(t, Interaction)] == [
            "call",
            "email",
            "task",
            "task",
        ]
        assert (4, f"unknown contact id '{x18(LEAD)}' (WhoId)") in skipped(recs, "Task.csv")

    def test_event_csv_alone(self):
        raw = export_files()["Event.csv"].encode()
        recs = list(parse_file(raw, file="Event.csv"))
        got = [(m.b.external_id, m.group_size) for m in ties(recs, "meeting")]
        assert got == [(sid(C_HELENE), 2), (sid(C_ADA), 2)]

    def test_account_and_user_csv_alone(self):
        files = export_files()
        accounts = list(parse_file(files["Account.csv"].encode(), file="Account.csv"))
        assert sum(isinstance(c, Company) for c in accounts) == 3
        users = list(parse_file(files["User.csv"].encode(), file="User.csv"))
        assert len(people(users, team=True)) == 3 and len(ties(users, "colleague")) == 1

    def test_event_relation_alone_says_why_nothing_loads(self):
        raw = export_files()["EventRelation.csv"].encode()
        (s,) = parse_file(raw, file="EventRelation.csv")
        assert isinstance(s, Skipped) and "Event.csv" in s.reason

    def test_unknown_object(self):
        raw = export_files()["Opportunity.csv"].encode()
        with pytest.raises(LoadError, match="not a Salesforce object"):
            list(parse_file(raw, file="Opportunity.csv"))

    def test_read_salesforce_single_csv(self, tmp_path):
        p = tmp_path / "Contact.csv"
        p.write_text(export_files()["Contact.csv"], encoding="utf-8")
        recs = list(read_salesforce(p))
        assert people(recs)[sid(C_ADA)].provenance.file == str(p)


class TestIds:
    @pytest.mark.parametrize(
        "cell, want",
        [
            ("0035e00000AbCdE", "0035e00000AbCdE"),
            ("0035e00000AbCdEAAZ", "0035e00000AbCdE"),
            (" 0035e00000AbCdEAAZ ", "0035e00000AbCdE"),
            ("000000000000000AAA", ""),
            ("000000000000000", ""),
            ("", ""),
            ("  ", ""),
            ("0035e00000AbCd", None),
            ("0035e00000AbCdé", None),
            ("0035e00000Ab-dEAAZ", None),
        ],
    )
    def test_id15(self, cell, want):
        assert id15(cell) == want

    def test_case_matters(self):
        assert id15("0035E00000ABCDE") != id15("0035e00000abcde")


class TestSniff:
    @pytest.mark.parametrize("member", MEMBERS)
    def test_every_object_read(self, member):
        head = export_files()[member].encode("iso-8859-1")[:8192]
        assert sniff(member, head)
        assert sniff("renamed.csv", head)  # the header decides, not the name

    @pytest.mark.parametrize(
        "name, head",
        [
            ("Lead.csv", b'"Id","LastName","FirstName","Company","Email","OwnerId"\n'),
            ("Opportunity.csv", b'"Id","AccountId","Name","StageName"\n'),
            ("Lead.csv", b'"Id","Name","Company","Website","Industry","ConvertedAccountId"\n'),
            ("Connections.csv", b"First Name,Last Name,URL,Email Address,Company,Position\n"),
            ("h.csv", b"Record ID,First Name,Last Name,Email\n"),
            ("Contact.csv", b"First Name,Last Name,Email\n"),
            ("x.csv", b""),
            ("x.csv", b"\xff\xfe\x00\x00garbage"),
        ],
    )
    def test_false(self, name, head):
        assert not sniff(name, head)

    @pytest.mark.parametrize(
        "names, want",
        [
            (["Contact.csv", "Account.csv", "Lead.csv"], True),
            (["WE_00D/ACCOUNT.CSV"], True),
            (["export/contact.csv", "Attachments/00P1"], True),
            (["Contact.csv", "Connections.csv"], False),
            (["Lead.csv", "Opportunity.csv"], False),
            ([], False),
        ],
    )
    def test_sniff_archive(self, names, want):
        assert sniff_archive(names) is want


# --- fuzz ------------------------------------------------------------------------------------
RECORD_TYPES = (Person, Company, Interaction, Skipped)
_cell = st.text(st.sampled_from(list('0035Hs0AaQ,;" \n\r\t-:TZé\x00')), max_size=20)
_rows = st.lists(st.lists(_cell, min_size=0, max_size=12), max_size=6)
_HEADERS = [USER_COLS, ACCOUNT_COLS, CONTACT_COLS, TASK_COLS, EVENT_COLS, RELATION_COLS, OCR_COLS]


def _csv_text(header: str, rows: list[list[str]]) -> str:
    return header + "\n" + "\n".join(",".join(r) for r in rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_into_parse_file(raw):
    with contextlib.suppress(LoadError):
        for rec in parse_file(BytesIO(raw), file="Contact.csv"):
            assert isinstance(rec, RECORD_TYPES)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_HEADERS), _rows)
def test_any_csv_text_into_parse_file(header, rows):
    with contextlib.suppress(LoadError):
        for rec in parse_file(_csv_text(header, rows).encode("utf-8"), file="x.csv"):
            assert isinstance(rec, RECORD_TYPES)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(MEMBERS),
        st.one_of(st.binary(max_size=300), st.tuples(st.just(True), _rows)),
        max_size=7,
    )
)
def test_any_members_into_parse_export(members):
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            if isinstance(content, tuple):
                content = _csv_text(_HEADERS[MEMBERS.index(name)], content[1]).encode()
            zf.writestr(name, content)
    zf = zipfile.ZipFile(BytesIO(buf.getvalue()))
    archive = Archive("fuzz.zip", {i.filename: i for i in zf.infolist()}, zf)
    with contextlib.suppress(LoadError):
        for rec in parse_export(archive):
            assert isinstance(rec, RECORD_TYPES)
            if isinstance(rec, Interaction):
                assert rec.group_size >= 2 and rec.a.external_id and rec.b.external_id
