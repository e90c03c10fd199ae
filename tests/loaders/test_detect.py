"""Recognising which export a path is, and refusing what is none."""

import pytest

from graph.errors import LoadError, UnknownFormat, UsageError
from loaders import open_units, parse_mapping

CONNECTIONS = (
    "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ada,Lovelace,https://www.linkedin.com/in/ada,,\"Analytical, Ltd\",CTO,03 Feb 2021\n"
)
HUBSPOT = "Record ID,First Name,Last Name,Email,Company Name,Contact owner\n1,Ada,Lovelace,ada@x.org,X,Priya Shah\n"
VCARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@x.org\r\nEND:VCARD\r\n"
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
MBOX = "From MAILER-DAEMON Thu Jan  1 00:00:00 2026\nFrom: Ada <ada@x.org>\nTo: bo@y.org\nDate: Thu, 1 Jan 2026 10:00:00 +0000\n\nhi\n"


@pytest.mark.parametrize(
    "name, text, fmt",
    [("Connections.csv", CONNECTIONS, "linkedin"), ("renamed.csv", CONNECTIONS, "linkedin"),
     ("hubspot-crm-exports-all-contacts-2026-11-01.csv", HUBSPOT, "hubspot"),
     ("contacts.vcf", VCARD, "vcard"), ("calendar.ics", ICS, "ics"), ("inbox.mbox", MBOX, "mbox")],
)  # fmt: skip
def test_formats_are_recognised_by_name_and_header(tmp_path, name, text, fmt):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    (unit,) = open_units([p])
    assert unit.format == fmt and unit.lines >= 1


def test_unknown_file_is_refused_naming_the_formats_that_are(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("Dear diary,\nnothing here is an export\n")
    with pytest.raises(UnknownFormat) as e:
        open_units([p])
    for word in ("LinkedIn", "HubSpot", "Salesforce", "vCard", "iCalendar", "mbox", "--map"):
        assert word in str(e.value)


def test_empty_and_missing_files_are_clear_errors(tmp_path):
    (tmp_path / "empty.csv").write_text("  \n")
    with pytest.raises(LoadError, match="empty"):
        open_units([tmp_path / "empty.csv"])
    with pytest.raises(LoadError, match="no such file"):
        open_units([tmp_path / "nope.csv"])


def test_same_bytes_same_digest_other_owner_other_digest(tmp_path):
    p = tmp_path / "Connections.csv"
    p.write_text(CONNECTIONS)
    a, b, c = (open_units([p], owner=o)[0].digest for o in ("me", "me", "you"))
    assert a == b != c


def test_mapping_flags_are_checked():
    assert parse_mapping(["E-mail=email", " Org = company "]) == {"E-mail": "email", "Org": "company"}
    with pytest.raises(UsageError):
        parse_mapping(["no-equals-sign"])
