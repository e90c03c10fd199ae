"""Tests for `loaders.hubspot`: the HubSpot contact export of FORMATS.md, row by row.

Fixtures reproduce the real layouts: the plain export (``Record ID`` first, Excel BOM, CRLF)
and the export "with associated companies" (``Record ID - Contact`` ... ``Record ID -
Company`` plus the company's own ``Company name``, one row per associated company). Quirks:
``;``-joined associated company ids and names (one name holding a quoted comma), a rep written
as a name, as ``Name (email)`` or as an email, missing emails, an invalid extra email, an
unreadable date, a row with nothing to identify anyone, and the same person twice under two
record ids (the workspace merges those by email; the loader keeps both rows).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.hubspot import parse_contacts, read_hubspot, sniff

NAME = "hubspot-crm-exports-all-contacts-2026-03-12.csv"

#: Plain export, as Excel re-saves it (BOM, CRLF). Lines: header 1, rows 2-8.
PLAIN = (
    "\ufeffRecord ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,"
    "Contact owner,Associated Company IDs,Associated Company,Last Activity Date,Create Date,"
    "Lifecycle Stage,Additional email addresses,LinkedIn URL\r\n"
    # 2: two associated companies, one name with a quoted comma; an invalid extra email
    '101,Ada,Lovelace,Ada.Lovelace@Analytical.example,+44 20 7946 0000,"Acme, Inc.",CTO,'
    'Grace Hopper,9001;9002,"Acme, Inc.;Analytical Engines Ltd",2026-03-10 14:22,'
    "2025-11-02 09:15,customer,ada@home.example;not-an-email,"
    "https://uk.linkedin.com/in/Ada-Lovelace/\r\n"
    # 3: no email, a title with quotes and a comma, the rep as "Name (email)", a bad date
    '102,Charles,Babbage,,,,"Inventor, ""Difference Engine""",'
    "Grace Hopper (grace@tiegraph.example),,,not a date,2025-11-03 10:00,lead,,\r\n"
    # 4: nothing that names anyone
    ",,,,,,,,,,,,subscriber,,\r\n"
    # 5: no Company Name: the first associated company stands in; the rep as an email
    "105,José,Núñez,jose@globex.example,,,VP Sales,bo@tiegraph.example,9003,Globex,"
    "2026-01-07 08:00,2025-12-01 12:00,opportunity,,\r\n"
    # 6: the same person as row 2 under another record id; company 9002 again
    "106,Ada,Lovelace,ada.lovelace@analytical.example,,Analytical Engines Ltd,,Grace Hopper,"
    "9002,Analytical Engines Ltd,,,lead,,\r\n"
    # 7: only an email, no owner
    "107,,,info@initech.example,,,,,,,,,subscriber,,\r\n"
    # 8: untrusted text kept as written
    '108,=HYPERLINK("http://x"),<script>alert(1)</script>,,,,,,,,,,lead,,\r\n'
).encode("utf-8")

#: Export with associated companies: one row per (contact, company). Lines: header 1, rows 2-5.
WITH_COMPANIES = (
    b"Record ID - Contact,First Name,Last Name,Email,Company Name,Contact owner,"
    b"Last Activity Date,Create Date,Record ID - Company,Company name,Company Domain Name\n"
    b"201,Ada,Lovelace,ada@analytical.example,Analytical Engines Ltd,Grace Hopper,"
    b"2026-03-10 14:22,2025-11-02 09:15,9002,Analytical Engines Ltd,analytical.example\n"
    b"201,Ada,Lovelace,ada@analytical.example,Analytical Engines Ltd,Grace Hopper,"
    b'2026-03-10 14:22,2025-11-02 09:15,9001,"Acme, Inc.",acme.example\n'
    b"202,Alan,Turing,alan@bletchley.example,,Hedy Lamarr,2026-02-01 10:00,2025-10-01 10:00,,,\n"
    b"\n"
    b"203,Hedy,Lamarr,,,,,,,,\n"
)


def _load(raw: bytes, **kw):
    return list(parse_contacts(BytesIO(raw), file=NAME, **kw))


def _people(records):
    return [r for r in records if isinstance(r, Person) and not r.team]


def _by_id(records):
    return {p.external_id: p for p in _people(records)}


class TestPlainExport:
    def test_contacts_with_every_field(self):
        recs = _load(PLAIN, owner="me")
        ada = _by_id(recs)["hubspot:101"]
        assert ada.name == "Ada Lovelace"
        assert ada.emails == ("ada.lovelace@analytical.example", "ada@home.example")
        assert ada.phones == ("+442079460000",)
        assert ada.company == "Acme, Inc." and ada.title == "CTO"
        assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
        assert ada.provenance.source == "hubspot" and ada.provenance.file == NAME
        assert ada.provenance.line == 2 and ada.provenance.owner == "me"

    def test_missing_email_and_quoted_title(self):
        charles = _by_id(_load(PLAIN))["hubspot:102"]
        assert charles.emails == () and charles.phones == () and charles.company is None
        assert charles.title == 'Inventor, "Difference Engine"'

    def test_first_associated_company_stands_in_for_company_name(self):
        assert _by_id(_load(PLAIN))["hubspot:105"].company == "Globex"

    def test_row_without_name_email_or_id_is_skipped_with_its_line(self):
        skipped = [r for r in _load(PLAIN) if isinstance(r, Skipped)]
        assert skipped == [Skipped(NAME, 4, "no name, email or record id")]

    def test_email_only_contact_kept(self):
        info = _by_id(_load(PLAIN))["hubspot:107"]
        assert info.name == "" and info.emails == ("info@initech.example",)

    def test_duplicate_person_under_two_ids_both_kept(self):
        people = _by_id(_load(PLAIN))
        assert people["hubspot:106"].emails == people["hubspot:101"].emails[:1]
        assert people["hubspot:106"].company == "Analytical Engines Ltd"

    def test_untrusted_text_kept_as_written(self):
        p = _by_id(_load(PLAIN))["hubspot:108"]
        assert p.name == '=HYPERLINK("http://x") <script>alert(1)</script>'

    def test_reps_once_each_in_every_spelling(self):
        reps = [r for r in _load(PLAIN) if isinstance(r, Person) and r.team]
        assert [(r.name, r.emails, r.provenance.line) for r in reps] == [
            ("Grace Hopper", (), 2),
            ("Grace Hopper", ("grace@tiegraph.example",), 3),
            ("", ("bo@tiegraph.example",), 5),
        ]

    def test_owner_ties(self):
        ties = [r for r in _load(PLAIN) if isinstance(r, Interaction)]
        got = [(t.a.name or t.a.emails[0], t.b.external_id, t.at, t.provenance.line) for t in ties]
        assert got == [
            ("Grace Hopper", "hubspot:101", datetime(2026, 3, 10, 14, 22), 2),
            # "not a date" in Last Activity Date: falls back to Create Date, row kept
            ("Grace Hopper", "hubspot:102", datetime(2025, 11, 3, 10, 0), 3),
            ("bo@tiegraph.example", "hubspot:105", datetime(2026, 1, 7, 8, 0), 5),
            # no dates at all: undated
            ("Grace Hopper", "hubspot:106", None, 6),
        ]
        assert all(t.kind == "crm-owner" and not t.directed and t.group_size == 2 for t in ties)
        assert all(t.a.team and not t.b.team for t in ties)

    def test_bad_dates_everywhere_give_an_undated_tie(self):
        raw = b"Record ID,First Name,Contact owner,Last Activity Date,Create Date\n1,Ada,Bo,x,y\n"
        (ada, _rep, tie) = _load(raw)
        assert ada.name == "Ada" and tie.at is None

    def test_associated_companies_paired_with_ids_once_each(self):
        companies = [r for r in _load(PLAIN) if isinstance(r, Company)]
        assert [(c.external_id, c.name, c.provenance.line) for c in companies] == [
            ("hubspot-company:9001", "Acme, Inc.", 2),
            ("hubspot-company:9002", "Analytical Engines Ltd", 2),
            ("hubspot-company:9003", "Globex", 5),
        ]

    def test_unpairable_ids_give_no_company(self):
        raw = (
            b"Record ID,First Name,Associated Company IDs,Associated Company\n"
            b"1,Ada,11;12;13,Acme;Globex\n"
            b"2,Bo,14,Initech; Europe\n"
        )
        companies = [r for r in _load(raw) if isinstance(r, Company)]
        # three ids, two names: no guessing; one id takes the whole name cell
        assert [(c.external_id, c.name) for c in companies] == [
            ("hubspot-company:14", "Initech; Europe")
        ]

    def test_only_record_types_no_positions(self):
        recs = _load(PLAIN)
        assert all(isinstance(r, (Person, Company, Interaction, Skipped)) for r in recs)
        assert not any(isinstance(r, Position) for r in recs)

    @pytest.mark.parametrize("delim", [";", "\t"])
    def test_excel_resave_with_other_separators(self, delim):
        raw = (
            f"Record ID{delim}First Name{delim}Last Name{delim}Email{delim}Contact owner\n"
            f'55{delim}Ada{delim}Lovelace{delim}ada@x.example{delim}"Bo Li <bo@corp.example>"\n'
        ).encode("cp1252")
        ada, rep, tie = _load(raw)
        assert ada.external_id == "hubspot:55" and ada.emails == ("ada@x.example",)
        assert (rep.name, rep.emails) == ("Bo Li", ("bo@corp.example",)) and tie.b is ada

    def test_utf16_export(self):
        raw = "Record ID\tFirst Name\tEmail\n9\tZoë\tzoe@x.example\n".encode("utf-16")
        (zoe,) = _load(raw)
        assert zoe.name == "Zoë" and zoe.provenance.line == 2

    def test_deactivated_rep_name(self):
        raw = b"Record ID,First Name,Contact owner\n1,Ada,Grace Hopper (Deactivated User)\n"
        _ada, rep, _tie = _load(raw)
        assert rep.name == "Grace Hopper" and rep.team


class TestWithAssociatedCompanies:
    def test_company_records_from_record_id_company(self):
        recs = _load(WITH_COMPANIES)
        companies = [
            (c.external_id, c.name, c.provenance.line) for c in recs if isinstance(c, Company)
        ]
        assert companies == [
            ("hubspot-company:9002", "Analytical Engines Ltd", 2),
            ("hubspot-company:9001", "Acme, Inc.", 3),
        ]

    def test_one_row_per_company_repeats_the_contact_but_not_the_tie(self):
        recs = _load(WITH_COMPANIES)
        ada = [p for p in _people(recs) if p.external_id == "hubspot:201"]
        assert [p.provenance.line for p in ada] == [2, 3]
        assert all(p.company == "Analytical Engines Ltd" for p in ada)
        ties = [(t.a.name, t.b.external_id) for t in recs if isinstance(t, Interaction)]
        assert ties == [("Grace Hopper", "hubspot:201"), ("Hedy Lamarr", "hubspot:202")]

    def test_blank_line_passed_over_and_line_numbers_physical(self):
        hedy = _by_id(_load(WITH_COMPANIES))["hubspot:203"]
        assert hedy.provenance.line == 6 and hedy.emails == ()


class TestErrors:
    def test_empty_file(self):
        with pytest.raises(LoadError, match="empty"):
            _load(b"  \n")

    def test_no_record_id_header(self):
        with pytest.raises(LoadError, match="record id"):
            _load(b"First Name,Last Name,Email\nAda,Lovelace,\n")

    def test_company_export_is_no_contact_export(self):
        with pytest.raises(LoadError, match="name or email"):
            _load(b"Record ID,Company name,Company Domain Name\n1,Acme,acme.example\n")

    def test_ragged_row_skipped(self):
        recs = _load(b"Record ID,First Name,Email\n1,Ada\n2,Bo,bo@x.example\n")
        assert recs[0] == Skipped(NAME, 2, "expected 3 fields, found 2")
        assert recs[1].name == "Bo"


class TestSniff:
    @pytest.mark.parametrize(
        "name, head",
        [
            (NAME, PLAIN[:300]),
            ("export.csv", WITH_COMPANIES[:200]),
            ("x.csv", b'"Record ID","First Name","Last Name","Email"\n"1","Ada","L",""\n'),
            ("x.csv", "Record ID\tEmail\n1\ta@b.example\n".encode("utf-16")),
        ],
    )
    def test_true(self, name, head):
        assert sniff(name, head)

    @pytest.mark.parametrize(
        "name, head",
        [
            (NAME, b"Record ID,Company name,Company Domain Name\n1,Acme,acme.example\n"),
            ("Connections.csv", b"First Name,Last Name,URL,Email Address,Company,Position\n"),
            ("Contact.csv", b'"Id","AccountId","FirstName","LastName","Email"\n'),
            ("x.csv", b"\x00\xff\xfe garbage \x81"),
            ("x.csv", b""),
        ],
    )
    def test_false(self, name, head):
        assert not sniff(name, head)


def test_read_hubspot_from_disk(tmp_path):
    p = tmp_path / NAME
    p.write_bytes(PLAIN)
    recs = list(read_hubspot(p, owner="me"))
    assert [type(r) for r in recs] == [type(r) for r in _load(PLAIN)]
    assert _by_id(recs)["hubspot:101"].provenance.file == str(p)
    with pytest.raises(LoadError, match="cannot read"):
        list(read_hubspot(tmp_path / "missing.csv"))


HEADER = (
    "Record ID,First Name,Last Name,Email,Company Name,Contact owner,Associated Company IDs,"
    "Associated Company,Last Activity Date,Additional email addresses\n"
)
_cell = st.text(st.sampled_from(list('ab,;" \n\r\t@.-()<>1:é\x00')), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_any_bytes_give_records_or_load_error(raw):
    with contextlib.suppress(LoadError):
        for rec in parse_contacts(BytesIO(raw), file=NAME):
            assert isinstance(rec, (Person, Company, Interaction, Skipped))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_cell, min_size=0, max_size=12), max_size=8))
def test_any_csv_text_under_the_header_gives_records(rows):
    text = HEADER + "\n".join(",".join(r) for r in rows)
    with contextlib.suppress(LoadError):
        for rec in parse_contacts(text.encode("utf-8"), file=NAME):
            assert isinstance(rec, (Person, Company, Interaction, Skipped))
            if isinstance(rec, Interaction):
                assert rec.a.team and rec.kind == "crm-owner"
