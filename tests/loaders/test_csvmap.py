"""loaders/csvmap.py: spreadsheets read through a --map column mapping.

Fixtures reproduce real exports: Outlook's "Export to a file > Comma Separated Values"
(BOM, every cell quoted, 'Title' is the honorific and 'Job Title' the job, three e-mail
columns, notes with line breaks), a conference attendee list re-saved by a European Excel
(semicolons, a preamble), a Salesforce report with a 'Contact Owner' column, and call / message
logs with several recipients in one cell.
"""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.csvmap import FIELDS_CONTACT, FIELDS_LOG, parse_mapped, read_csv

RECORD_TYPES = (Person, Company, Position, Interaction, Skipped)

# --- contact lists ------------------------------------------------------------------------

OUTLOOK = (
    b"\xef\xbb\xbf"
    b'"First Name","Middle Name","Last Name","Title","Suffix","E-mail Address",'
    b'"E-mail 2 Address","E-mail 3 Address","Mobile Phone","Business Phone","Company",'
    b'"Job Title","Web Page","Notes"\r\n'
    b'"Ada","","Lovelace","Ms.","","ADA@Example.org","ada@analytical.example","",'
    b'"+44 20 7946 0018","","Analytical Engines, Ltd","CTO",'
    b'"https://uk.linkedin.com/in/Ada-Lovelace/","Met at the RSA.\r\nLikes poetry, maths."\r\n'
    b'"Charles","","Babbage","","","charles@example.org; cb@work.example","","",'
    b'"","(555) 010-9999","Analytical Engines, Ltd","Inventor","https://babbage.example","",\r\n'
    b'"","","","","","","","","+1 555 010 1234","","","","",""\r\n'
    b'"","","","","","","","","","","","","",""\r\n'
    b'"=HYPERLINK(""http://evil"")","","O\'Brien \xf0\x9f\x9a\x80","","Jr.","not-an-email",'
    b'"","","","","<script>x</script>","","",""\r\n'
)
OUTLOOK_MAP = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "E-mail Address": "email",
    "E-mail 2 Address": "email",
    "E-mail 3 Address": "email",
    "Mobile Phone": "phone",
    "Business Phone": "phone",
    "Company": "company",
    "Job Title": "title",
    "Web Page": "linkedin_url",
}


def test_outlook_export_bom_quoted_commas_multiline_notes():
    recs = list(parse_mapped(io.BytesIO(OUTLOOK), file="contacts.csv", mapping=OUTLOOK_MAP))
    ada, charles, skipped, evil = recs
    assert ada.name == "Ada Lovelace"
    assert ada.emails == ("ada@example.org", "ada@analytical.example")
    assert ada.phones == ("+442079460018",)
    assert ada.company == "Analytical Engines, Ltd" and ada.title == "CTO"
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert ada.provenance.source == "csv" and ada.provenance.line == 2
    # Ada's note spans two physical lines, so Charles starts on line 4.
    assert charles.provenance.line == 4
    assert charles.emails == ("charles@example.org", "cb@work.example")
    assert charles.phones == ("5550109999",)
    assert charles.linkedin_url is None  # a web page that is no LinkedIn profile
    assert skipped == Skipped("contacts.csv", 5, "no name, email or LinkedIn URL")
    # line 6 is all blank cells: passed over silently
    assert evil.provenance.line == 7
    assert evil.name == "=HYPERLINK(\"http://evil\") O'Brien 🚀"
    assert evil.company == "<script>x</script>" and evil.emails == ()


def test_owner_kept_in_provenance_and_no_position_records():
    recs = list(parse_mapped(OUTLOOK, file="c.csv", mapping=OUTLOOK_MAP, owner="me@corp.example"))
    assert all(isinstance(r, Person | Skipped) for r in recs)
    assert {r.provenance.owner for r in recs if isinstance(r, Person)} == {"me@corp.example"}


ATTENDEES = (
    b"Attendee report;;;;\n"
    b"SaaStr Europa 2024 - exported 2024-06-05;;;;\n"
    b";;;;\n"
    b"Name;E-Mail ;Organisation;Job title;LinkedIn\n"
    b"Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez;jose@acme.example;ACME, Inc.;VP Sales;"
    b"linkedin.com/in/jose-nunez?trk=conf\n"
    b"Grace Hopper;;US Navy;Rear Admiral;https://www.linkedin.com/in/gracehopper/\n"
    b"Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez;JOSE@acme.example;ACME;VP Sales;\n"
    b";;Stand staff;;\n"
)


def test_attendee_list_semicolons_preamble_case_insensitive_mapping():
    mapping = {"NAME": "name", "e-mail": "EMAIL", " organisation ": "company",
               "Job Title": "title", "linkedin": "linkedin_url"}  # fmt: skip
    recs = list(parse_mapped(ATTENDEES, file="attendees.csv", mapping=mapping))
    jose, grace, jose_again, skipped = recs
    assert (jose.name, jose.emails, jose.company, jose.title) == (
        "José Núñez", ("jose@acme.example",), "ACME, Inc.", "VP Sales",
    )  # fmt: skip
    assert jose.linkedin_url == "https://www.linkedin.com/in/jose-nunez"
    assert jose.provenance.line == 5
    assert grace.emails == () and grace.linkedin_url == "https://www.linkedin.com/in/gracehopper"
    # the same person twice: both rows are kept, the workspace merges them by email
    assert jose_again.emails == jose.emails and jose_again.provenance.line == 7
    assert skipped == Skipped("attendees.csv", 8, "no name, email or LinkedIn URL")


SALESFORCE_REPORT = (
    b'"Contact Owner","First Name","Last Name","Title","Account Name","Email"\n'
    b'"Rosa Rep","Alan","Turing","Head of Research","Bletchley Park","alan@bp.example"\n'
    b'"rosa@corp.example","Joan","Clarke","Cryptanalyst","Bletchley Park",""\n'
    b'"","Dilly","Knox","","Bletchley Park",""\n'
)


def test_report_owner_column_gives_team_rep_and_crm_owner_tie():
    mapping = {"Contact Owner": "owner", "First Name": "first_name", "Last Name": "last_name",
               "Title": "title", "Account Name": "company", "Email": "email"}  # fmt: skip
    recs = list(parse_mapped(SALESFORCE_REPORT, file="report.csv", mapping=mapping))
    alan, tie1, joan, tie2, dilly = recs
    assert alan.name == "Alan Turing" and alan.company == "Bletchley Park"
    assert isinstance(tie1, Interaction) and tie1.kind == "crm-owner" and not tie1.directed
    assert tie1.a.team and tie1.a.name == "Rosa Rep" and tie1.b is alan
    assert tie1.group_size == 2 and tie1.provenance.line == 2
    assert tie2.a.team and tie2.a.emails == ("rosa@corp.example",) and tie2.a.name == ""
    assert tie2.b is joan
    assert dilly.name == "Dilly Knox" and dilly.provenance.line == 4  # no owner, no tie


# --- interaction logs ---------------------------------------------------------------------

CALL_LOG = (
    b"Date,Caller,Caller Name,Callee,Callee Name,Type,Direction,Duration\n"
    b"2024-03-05 10:00,me,,ada@example.org,Ada Lovelace,Call,,12:03\n"
    b'03/06/2024 09:30,ada@example.org,Ada,"bob@example.org; carol@example.org; me",'
    b'"Bob;Carol;Me",Conference call,both,45:00\n'
    b"yesterday,me,,bob@example.org,,Call,,1:00\n"
    b"2024-03-07,me,,,,Call,,\n"
    b"2024-03-08,,,ada@example.org,,Call,,\n"
    b"2024-03-09,Grace Hopper,,https://www.linkedin.com/in/gracehopper,,Voicemail,,0:30\n"
    b"2024-03-10,me,,ME,,Call,,\n"
    b"2024-03-11,me,,\"ada@example.org, bob@example.org\",,,,\n"
)
CALL_MAP = {"Date": "at", "Caller": "from", "Caller Name": "from_name", "Callee": "to",
            "Callee Name": "to_name", "Type": "kind", "Direction": "direction"}  # fmt: skip


def test_call_log_recipients_kinds_directions_and_bad_rows():
    recs = list(parse_mapped(CALL_LOG, file="calls.csv", mapping=CALL_MAP, owner="me@corp.example"))
    one = recs[0]
    assert isinstance(one, Interaction)
    assert one.a.is_owner and one.b.emails == ("ada@example.org",) and one.b.name == "Ada Lovelace"
    assert (one.kind, one.at, one.directed, one.group_size) == (
        "call", datetime(2024, 3, 5, 10, 0), True, 2,
    )  # fmt: skip
    conf = recs[1:4]  # one call to three people: one interaction per recipient
    assert [c.b.emails for c in conf] == [("bob@example.org",), ("carol@example.org",), ()]
    assert [c.b.name for c in conf] == ["Bob", "Carol", "Me"]
    assert conf[2].b.is_owner
    assert {(c.kind, c.directed, c.group_size, c.provenance.line) for c in conf} == {
        ("call", False, 4, 3)
    }
    assert conf[0].a.name == "Ada" and conf[0].at == datetime(2024, 3, 6, 9, 30)
    assert recs[4] == Skipped(
        "calls.csv", 4, "bad date in column 'Date': unreadable date 'yesterday'"
    )
    assert recs[5] == Skipped("calls.csv", 5, "no recipient (to)")
    assert recs[6] == Skipped("calls.csv", 6, "no sender (from)")
    voicemail = recs[7]
    assert voicemail.kind == "manual" and voicemail.a.name == "Grace Hopper"
    assert voicemail.a.emails == () and voicemail.a.linkedin_url is None
    assert voicemail.b.linkedin_url == "https://www.linkedin.com/in/gracehopper"
    assert recs[8] == Skipped("calls.csv", 8, "sender and recipient are the same")
    comma = recs[9:]  # comma-joined addresses split too; no kind column value -> message
    assert [c.b.emails for c in comma] == [("ada@example.org",), ("bob@example.org",)]
    assert {(c.kind, c.group_size) for c in comma} == {("message", 3)}
    assert len(recs) == 11


def test_owner_email_participant_is_marked_owner():
    log = b"from,to\nme@corp.example,ada@example.org\n"
    (i,) = parse_mapped(log, file="l.csv", mapping={"from": "from", "to": "to"},
                        owner="ME@corp.example")  # fmt: skip
    assert i.a.is_owner and i.a.emails == ("me@corp.example",) and not i.b.is_owner


def test_names_with_commas_are_one_recipient_and_display_addresses_parse():
    log = (b'Sender,Recipients,Sent\n"Ada Lovelace <ada@example.org>","Lovelace, Byron",'
           b"2024-12-16 18:24:37 UTC\n")  # fmt: skip
    (i,) = parse_mapped(log, file="m.csv", mapping={"Sender": "from", "Recipients": "to",
                                                     "Sent": "at"})  # fmt: skip
    assert i.a.name == "Ada Lovelace" and i.a.emails == ("ada@example.org",)
    assert i.b.name == "Lovelace, Byron" and i.b.emails == ()
    assert i.at == datetime(2024, 12, 16, 18, 24, 37) and i.kind == "message"


def test_group_size_column_is_kept_when_larger_and_bad_values_skipped():
    log = b"from,to,n\nme,ada@example.org,12\nme,ada@example.org,2.0\nme,ada@example.org,many\n"
    mapping = {"from": "from", "to": "to", "n": "group_size"}
    big, small, bad = parse_mapped(log, file="g.csv", mapping=mapping)
    assert big.group_size == 12 and small.group_size == 2
    assert bad == Skipped("g.csv", 4, "bad group size 'many'")


def test_utf16_tab_separated_message_dataset():
    text = "From\tTo\tWhen\n" "ada@example.org\tbob@example.org\t30 May 2024\n"
    raw = b"\xff\xfe" + text.encode("utf-16-le")
    (i,) = parse_mapped(raw, file="msgs.txt", mapping={"From": "from", "To": "to", "When": "at"})
    assert i.at == datetime(2024, 5, 30) and i.provenance.line == 2


def test_malformed_rows_are_skipped_with_their_line():
    log = b"from,to\nme,ada@example.org\nme,ada@example.org,extra\nme,bob@example.org\n"
    ok1, bad, ok2 = parse_mapped(log, file="l.csv", mapping={"from": "from", "to": "to"})
    assert bad == Skipped("l.csv", 3, "expected 2 fields, found 3")
    assert ok2.provenance.line == 4


# --- mapping errors -----------------------------------------------------------------------


def test_unknown_field_names_the_valid_ones():
    with pytest.raises(LoadError) as e:
        list(parse_mapped(OUTLOOK, file="c.csv", mapping={"Company": "organisation"}))
    msg = str(e.value)
    assert "'organisation'" in msg and "c.csv" in msg
    assert all(f in msg for f in FIELDS_CONTACT + FIELDS_LOG)


def test_missing_column_lists_the_actual_columns():
    with pytest.raises(LoadError) as e:
        list(parse_mapped(OUTLOOK, file="c.csv", mapping={"Email": "email", "Company": "company"}))
    msg = str(e.value)
    assert "'email' not in the header" in msg
    assert "'E-mail Address'" in msg and "'Job Title'" in msg


@pytest.mark.parametrize(
    ("mapping", "expect"),
    [
        ({"Caller": "from"}, "needs both 'from' and 'to'"),
        ({"Caller": "from", "Callee": "to", "Company": "company"}, "takes only the fields"),
        ({}, "no column mapping"),
    ],
)
def test_contact_and_log_fields_do_not_mix(mapping, expect):
    with pytest.raises(LoadError, match=expect):
        list(parse_mapped(CALL_LOG, file="calls.csv", mapping=mapping))


def test_empty_file_is_a_load_error():
    with pytest.raises(LoadError, match="empty"):
        list(parse_mapped(b"  \n", file="e.csv", mapping={"Email": "email"}))


def test_read_csv_reads_a_path(tmp_path):
    p = tmp_path / "attendees.csv"
    p.write_bytes(ATTENDEES)
    recs = list(read_csv(p, mapping={"Name": "name", "E-Mail": "email"}))
    assert recs[0].provenance.file == str(p) and recs[0].name == "José Núñez"
    with pytest.raises(LoadError, match="cannot read"):
        list(read_csv(tmp_path / "nope.csv", mapping={"Name": "name"}))


# --- properties ---------------------------------------------------------------------------

CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["me", "ME", "ada@example.org", "a@b.c; d@e.f", "x,y", "2024-03-05",
                     "https://www.linkedin.com/in/ada", "12", "-3", "both", "call", "", " "]),
)  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _check(raw: bytes, mapping: dict[str, str]) -> None:
    with contextlib.suppress(LoadError):
        for rec in parse_mapped(raw, file="f.csv", mapping=mapping):
            assert isinstance(rec, RECORD_TYPES)
            if isinstance(rec, Skipped):
                assert rec.file == "f.csv" and rec.line and rec.line >= 2


LOG_MAP = {"A": "from", "B": "to", "C": "at", "D": "kind", "E": "direction", "F": "group_size"}
CONTACT_MAP = {"A": "name", "B": "email", "C": "company", "D": "owner", "E": "phone",
               "F": "linkedin_url"}  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), st.sampled_from([LOG_MAP, CONTACT_MAP]))
def test_any_bytes_give_records_or_load_error(raw, mapping):
    _check(raw, mapping)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(CELL, min_size=0, max_size=8), max_size=12),
    st.sampled_from([LOG_MAP, CONTACT_MAP]),
)
def test_any_csv_text_gives_records_or_load_error(rows, mapping):
    _check(_csv([list("ABCDEF"), *rows]), mapping)
