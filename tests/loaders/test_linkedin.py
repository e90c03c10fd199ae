"""Tests for `loaders.linkedin`: every LinkedIn export layout of FORMATS.md, row by row.

The fixtures reproduce the real quirks: the ``Notes:`` preamble (2019+), no preamble (2018),
no ``URL`` column (2021-2023), Excel's BOM and ``6-Feb-26`` dates, UTF-16 tab-separated files,
quoted commas in names and dates, blank member rows, duplicates, and each messages.csv header
of 2018, 2021-22, 2023-24, Dec 2024 and 2026. Message bodies and subjects carry the marker
``SECRET`` so a test can assert that no record or report ever holds them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Interaction, Person, Position, Skipped
from loaders.archive import open_archive
from loaders.dates import BadDate, parse_datetime
from loaders.linkedin import (
    _when,
    parse_archive,
    parse_connections,
    parse_file,
    parse_invitations,
    parse_messages,
    parse_positions,
    parse_profile,
    read_linkedin,
    sniff,
    sniff_archive,
)

IN = "https://www.linkedin.com/in/"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You are only able to see email addresses for connections who have allowed their "
    "connections to see or download it. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
RECORD_TYPES = (Person, Interaction, Position, Skipped)


def split(records):
    """People, interactions, positions and skipped rows, each in file order."""
    recs = list(records)
    return (
        [r for r in recs if isinstance(r, Person)],
        [r for r in recs if isinstance(r, Interaction)],
        [r for r in recs if isinstance(r, Position)],
        [r for r in recs if isinstance(r, Skipped)],
    )


# --------------------------------------------------------------------------- Connections.csv

CONN_2018 = (
    b"First Name,Last Name,Email Address,Company,Position,Connected On\n"
    b'Ada,Lovelace,Ada@Example.org,"Analytical Engines, Ltd",CTO,"1/8/18, 6:14 PM"\n'
    b'Charles,Babbage,,Difference Co,Founder,"12/31/17, 11:05 AM"\n'
)


def test_2018_layout_without_preamble_and_slash_dates():
    """2018: header on line 1, no URL column, ``1/8/18, 6:14 PM`` (quoted: it has a comma)."""
    recs = parse_connections(BytesIO(CONN_2018), file="C.csv", owner="me")
    people, links, _, skipped = split(recs)
    assert not skipped
    ada, charles = people
    assert (ada.name, ada.emails, ada.linkedin_url) == ("Ada Lovelace", ("ada@example.org",), None)
    assert (ada.company, ada.title) == ("Analytical Engines, Ltd", "CTO")
    assert ada.provenance.line == 2 and charles.provenance.line == 3
    assert ada.provenance.source == "linkedin" and ada.provenance.owner == "me"
    assert charles.emails == ()
    assert [i.at for i in links] == [datetime(2018, 1, 8, 18, 14), datetime(2017, 12, 31, 11, 5)]


CONN_2019 = (
    PREAMBLE + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Grace,Hopper,https://www.linkedin.com/in/Grace-Hopper/,,US Navy,Rear Admiral,30 May 2024\n"
    "Alan,Turing,http://uk.linkedin.com/in/alanturing?trk=x,alan@npl.example,NPL,,03 Feb 2021\n"
).encode()


def test_2019_preamble_layout_with_url():
    """The preamble is 3 lines (``Notes:``, the quoted note, a blank line): header on line 4."""
    people, links, _, skipped = split(parse_connections(BytesIO(CONN_2019), file="C.csv"))
    assert not skipped
    grace, alan = people
    assert grace.linkedin_url == IN + "grace-hopper"
    assert alan.linkedin_url == IN + "alanturing"
    assert alan.emails == ("alan@npl.example",) and alan.title is None
    assert [p.provenance.line for p in people] == [5, 6]
    assert [i.at for i in links] == [datetime(2024, 5, 30), datetime(2021, 2, 3)]
    for person, link in zip(people, links, strict=True):
        assert link.b is person and link.a.is_owner and not link.b.is_owner
        assert (link.kind, link.directed, link.group_size) == ("connected", False, 2)
        assert link.provenance == person.provenance


CONN_2022 = (
    PREAMBLE + "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    "Katherine,Johnson,,NASA,Mathematician,14 Jul 2022\n"
).encode()


def test_2021_2023_layout_without_url_column():
    people, links, _, skipped = split(parse_connections(BytesIO(CONN_2022), file="C.csv"))
    assert not skipped
    (kj,) = people
    assert (kj.name, kj.linkedin_url, kj.company, kj.title) == (
        "Katherine Johnson", None, "NASA", "Mathematician")  # fmt: skip
    assert links[0].at == datetime(2022, 7, 14)


def test_excel_touched_bom_and_day_month_year_dates():
    """An Excel re-save: UTF-8 BOM and ``6-Feb-26``; ``%y`` pivots 69-99 to the 1900s."""
    raw = (
        "\ufeff" + PREAMBLE
        + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Hedy,Lamarr,https://www.linkedin.com/in/hedy,,MGM,Inventor,6-Feb-26\n"
        "Ida,Rhodes,https://www.linkedin.com/in/ida,,NBS,,15-Mar-99\n"
    ).encode("utf-8")
    people, links, _, skipped = split(parse_connections(BytesIO(raw), file="C.csv"))
    assert not skipped
    assert [p.name for p in people] == ["Hedy Lamarr", "Ida Rhodes"]
    assert [i.at for i in links] == [datetime(2026, 2, 6), datetime(1999, 3, 15)]
    assert people[0].provenance.line == 5


def test_utf16_tab_separated():
    text = (
        PREAMBLE + "First Name\tLast Name\tURL\tEmail Address\tCompany\tPosition\tConnected On\n"
        "Zoë\tNúñez\thttps://www.linkedin.com/in/zoe-nunez\t\t"
        "Société Générale, SA\tVP, Sales\t1 Apr 2023\n"
    )
    people, links, _, skipped = split(parse_connections(BytesIO(text.encode("utf-16")), file="C"))
    assert not skipped
    (zoe,) = people
    assert (zoe.name, zoe.company) == ("Zoë Núñez", "Société Générale, SA")
    assert zoe.title == "VP, Sales"
    assert zoe.linkedin_url == IN + "zoe-nunez" and zoe.provenance.line == 5
    assert links[0].at == datetime(2023, 4, 1)


def test_untrusted_names_kept_exactly_as_written():
    """Commas, doubled quotes, emoji, suffixes, formulas and an embedded newline are kept;
    only surrounding whitespace goes. The multi-line name shifts the next row's line."""
    raw = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        '"José","Núñez, Ph.D.",,,"Acme, Inc.",CTO,30 May 2024\n'
        '"Bob ""The Builder""",  Smith  ,,,,,30 May 2024\n'
        "🚀 Zoë,O'Brien MBA,,,,,30 May 2024\n"
        '"=HYPERLINK(""http://x"")",<script>,,,,,30 May 2024\n'
        '"Mary\nAnn",Lee,,,,,30 May 2024\n'
        "Last,Row,,,,,30 May 2024\n"
    ).encode()
    people, _, _, skipped = split(parse_connections(BytesIO(raw), file="C"))
    assert not skipped
    assert [p.name for p in people] == [
        "José Núñez, Ph.D.",
        'Bob "The Builder" Smith',
        "🚀 Zoë O'Brien MBA",
        '=HYPERLINK("http://x") <script>',
        "Mary\nAnn Lee",
        "Last Row",
    ]
    assert people[0].company == "Acme, Inc."
    assert [p.provenance.line for p in people] == [2, 3, 4, 5, 6, 8]


def _connections_with_blanks(n: int, blanks: set[int]) -> bytes:
    """A 2019+ file of `n` member rows; rows whose index is in `blanks` are blank but the
    date; row 5 has a name spanning two physical lines."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
                "Connected On"])  # fmt: skip
    for i in range(n):
        if i in blanks:
            w.writerow(["", "", "", "", "", "", "30 May 2024"])
        else:
            first = "Two\nLines" if i == 5 else f"P{i}"
            w.writerow([first, "Person", f"{IN}p{i}", "", "Acme", "AE", "30 May 2024"])
    return (PREAMBLE + buf.getvalue()).encode()


def test_blank_member_rows_reported_with_exact_lines():
    """2 % blank rows. Rows start on line 5 (after the preamble and header); the row at
    index 5 takes two physical lines, so row i > 5 starts on line 5 + i + 1."""
    raw = _connections_with_blanks(100, {3, 40, 99})
    people, links, _, skipped = split(parse_connections(BytesIO(raw), file="x.zip!Connections.csv"))
    assert len(people) == len(links) == 97
    assert skipped == [
        Skipped("x.zip!Connections.csv", 8, "blank member row (deleted or private member)"),
        Skipped("x.zip!Connections.csv", 46, "blank member row (deleted or private member)"),
        Skipped("x.zip!Connections.csv", 105, "blank member row (deleted or private member)"),
    ]
    by_name = {p.name: p.provenance.line for p in people}
    assert by_name["Two\nLines Person"] == 10 and by_name["P6 Person"] == 12


def test_bad_date_and_nameless_rows_are_skipped_and_duplicates_kept():
    raw = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ada,Lovelace,,,AE,,yesterday\n"
        ",,,,Acme,VP,30 May 2024\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace,,Navy,,30 May 2024\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace,,Navy,,30 May 2024\n"
        ",,,,,,\n"
        "Too,Few,Fields\n"
    ).encode()
    people, links, _, skipped = split(parse_connections(BytesIO(raw), file="C"))
    assert [(p.name, p.provenance.line) for p in people] == [
        ("Grace Hopper", 4), ("Grace Hopper", 5)]  # fmt: skip
    assert len(links) == 2
    assert [(s.line, s.reason) for s in skipped] == [
        (2, "bad date in Connected On: unreadable date 'yesterday'"),
        (3, "no name, URL or email"),
        (6, "blank member row (deleted or private member)"),
        (7, "expected 7 fields, found 3"),
    ]


def test_connections_without_header_or_empty_raise_load_error():
    with pytest.raises(LoadError, match="no header"):
        list(parse_connections(BytesIO(b"First Name,Last Name,Company\nA,B,C\n"), file="C"))
    with pytest.raises(LoadError, match="empty"):
        list(parse_connections(BytesIO(b"  \n"), file="C"))


# --------------------------------------------------------------------------- messages.csv

MSG_2018 = (
    b"From,To,Date,Subject,Content,Direction,Folder\n"
    b'Ada Lovelace,Bob Babbage,"1/8/18, 6:14 PM",SECRET subject 1,SECRET body 1,OUTGOING,SENT\n'
    b'Bob Babbage,Ada Lovelace,2018-01-09 09:00:00 UTC,RE: SECRET,"SECRET, 2",INCOMING,INBOX\n'
    b"Cy Clops,A. Lovelace,2018-02-01 10:00:00 UTC,,SECRET body 3,INCOMING,INBOX\n"
    b'Ada Lovelace,"Bob Babbage,Cy Clops",2018-03-01 10:00:00 UTC,,SECRET body 4,OUTGOING,SENT\n'
    b"Ada Lovelace,Dee Draft,2018-03-02 10:00:00 UTC,,SECRET draft,OUTGOING,DRAFT\n"
)

MSG_2021 = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
    b"c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Bob Babbage,"
    b"2022-03-01 10:00:00 UTC,,SECRET 1,INBOX\n"
    b"c1,,Bob Babbage,https://www.linkedin.com/in/bob,Ada Lovelace,"
    b"2022-03-02 10:00:00 UTC,,SECRET 2,INBOX\n"
    b"c2,,Cy Clops,https://www.linkedin.com/in/cy,Ada Lovelace,"
    b'2022-03-03 10:00:00 UTC,SECRET s,"SECRET,\n3",INBOX\n'
    b'c3,Team,Ada Lovelace,https://www.linkedin.com/in/ada,"Bob Babbage,Cy Clops",'
    b"2022-03-05 10:00:00 UTC,,SECRET 4,INBOX\n"
    b"c4,,Ada Lovelace,https://www.linkedin.com/in/ada,Dee Draft,"
    b"2022-03-06 10:00:00 UTC,,SECRET 5,DRAFT\n"
)

MSG_2023 = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    b"SUBJECT,CONTENT,FOLDER\n"
    b"c1,,Bob Babbage,https://www.linkedin.com/in/bob,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"2024-12-16 18:24:37 UTC,,SECRET 1,INBOX\n"
    b"c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Bob Babbage,https://www.linkedin.com/in/bob,"
    b"2024-12-16 18:30:00 UTC,,SECRET 2,INBOX\n"
    # One URL: the whole TO cell is one name, comma and all.
    b'c2,,Ada Lovelace,https://www.linkedin.com/in/ada,"Doe, Jane",'
    b"https://www.linkedin.com/in/jdoe,"
    b"2024-12-17 08:00:00 UTC,,SECRET 3,INBOX\n"
    # Names and URLs pair in order; the degree stays with its name.
    b'c3,Group,Cy Clops,https://www.linkedin.com/in/cy,"Ada Lovelace,Jane Roe, Ph.D.,Bob Babbage",'
    b'"https://www.linkedin.com/in/ada,https://www.linkedin.com/in/jroe,'
    b'https://www.linkedin.com/in/bob",'
    b"2024-12-18 08:00:00 UTC,,SECRET 4,INBOX\n"
    # Three names, two URLs: which name is whose is unknown, the URLs are kept alone.
    b'c4,Group,Ada Lovelace,https://www.linkedin.com/in/ada,"Eve E,Fay F,Gus G",'
    b'"https://www.linkedin.com/in/eve,https://www.linkedin.com/in/fay",'
    b"2024-12-19 08:00:00 UTC,,SECRET 5,INBOX\n"
    b"c5,,Bob Babbage,https://www.linkedin.com/in/bob,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"not a date SECRET,,SECRET 6,INBOX\n"
)

MSG_DEC_2024 = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    b"SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n"
    b"c1,,Bob Babbage,https://www.linkedin.com/in/bob,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"2024-12-16 18:24:37 UTC,,SECRET 1,INBOX,No,No\n"
    b"c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Bob Babbage,https://www.linkedin.com/in/bob,"
    b"2024-12-16 19:00:00 UTC,,SECRET 2,INBOX,Yes,No\n"
    b"c2,,Ada Lovelace,https://www.linkedin.com/in/ada,Cy Clops,https://www.linkedin.com/in/cy,"
    b"2024-12-17 19:00:00 UTC,,SECRET 3,INBOX,No,Yes\n"
    b"c3,,Cy Clops,https://www.linkedin.com/in/cy,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"2024-12-18 19:00:00 UTC,,SECRET 4,INBOX,No,No\n"
)

MSG_2026 = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    b"SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\n"
    b"c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Bob Babbage,https://www.linkedin.com/in/bob,"
    b"2026-01-02 03:04:05 UTC,,SECRET 1,INBOX,https://www.linkedin.com/dms/SECRET.pdf,false\n"
    b"c2,,Cy Clops,https://www.linkedin.com/in/cy,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"2026-01-03 03:04:05 UTC,,SECRET 2,INBOX,,false\n"
    b"c3,,Ada Lovelace,https://www.linkedin.com/in/ada,Dee Draft,https://www.linkedin.com/in/dee,"
    b"2026-01-04 03:04:05 UTC,,SECRET 3,INBOX,,true\n"
)


def edges(records):
    """(sender, recipient, group_size, line) with the owner shown as ``ME``."""
    out = []
    for r in records:
        if isinstance(r, Interaction):
            who = [("ME" if p.is_owner else p.name or p.linkedin_url) for p in (r.a, r.b)]
            out.append((*who, r.group_size, r.provenance.line))
    return out


def assert_no_secret(records):
    for r in records:
        assert "SECRET" not in repr(r), r


def test_2018_messages_direction_names_the_owner():
    """OUTGOING: the sender is the owner; INCOMING to one person: that person is the owner,
    whatever the spelling ('A. Lovelace'). The DRAFT folder is no interaction."""
    recs = list(parse_messages(BytesIO(MSG_2018), file="Messages.csv", owner="me"))
    assert_no_secret(recs)
    assert edges(recs) == [
        ("ME", "Bob Babbage", 2, 2),
        ("Bob Babbage", "ME", 2, 3),
        ("Cy Clops", "ME", 2, 4),
        ("ME", "Bob Babbage", 3, 5),
        ("ME", "Cy Clops", 3, 5),
    ]
    assert recs[0].at == datetime(2018, 1, 8, 18, 14) and recs[1].at == datetime(2018, 1, 9, 9)
    me = recs[0].a
    assert (me.name, me.linkedin_url, me.is_owner) == ("Ada Lovelace", None, True)
    assert all(r.kind == "message" and r.directed for r in recs)
    assert recs[0].provenance.owner == "me" and recs[0].provenance.source == "linkedin"


def test_2021_messages_owner_is_in_most_conversations():
    """Ada takes part in c1, c2, c3 (Bob in 2, Cy in 2): she is the owner, written by URL as
    a sender and by name only as a recipient (no RECIPIENT PROFILE URLS before 2023)."""
    recs = list(parse_messages(BytesIO(MSG_2021), file="messages.csv"))
    assert_no_secret(recs)
    assert edges(recs) == [
        ("ME", "Bob Babbage", 2, 2),
        ("Bob Babbage", "ME", 2, 3),
        ("Cy Clops", "ME", 2, 4),
        ("ME", "Bob Babbage", 3, 6),
        ("ME", "Cy Clops", 3, 6),
    ]
    me = recs[0].a
    assert (me.name, me.linkedin_url) == ("Ada Lovelace", IN + "ada")
    assert recs[0].b.linkedin_url is None and recs[1].a.linkedin_url == IN + "bob"


def test_2023_messages_recipient_urls_and_group_sizes():
    recs = list(parse_messages(BytesIO(MSG_2023), file="messages.csv"))
    assert_no_secret(recs)
    assert edges(recs) == [
        ("Bob Babbage", "ME", 2, 2),
        ("ME", "Bob Babbage", 2, 3),
        ("ME", "Doe, Jane", 2, 4),
        ("Cy Clops", "ME", 4, 5),
        ("Cy Clops", "Jane Roe, Ph.D.", 4, 5),
        ("Cy Clops", "Bob Babbage", 4, 5),
        ("ME", IN + "eve", 3, 6),
        ("ME", IN + "fay", 3, 6),
    ]
    by_line = {(r.provenance.line, r.b.name): r.b for r in recs if isinstance(r, Interaction)}
    assert by_line[(4, "Doe, Jane")].linkedin_url == IN + "jdoe"
    assert by_line[(5, "Jane Roe, Ph.D.")].linkedin_url == IN + "jroe"
    assert by_line[(6, "")].name == ""
    (bad,) = [r for r in recs if isinstance(r, Skipped)]
    assert (bad.line, bad.reason) == (7, "bad date in DATE")  # the cell is not quoted back


def test_dec_2024_drafts_either_flag_are_skipped():
    recs = list(parse_messages(BytesIO(MSG_DEC_2024), file="messages.csv"))
    assert_no_secret(recs)
    assert edges(recs) == [("Bob Babbage", "ME", 2, 2), ("Cy Clops", "ME", 2, 5)]


def test_2026_attachments_and_message_draft():
    recs = list(parse_messages(BytesIO(MSG_2026), file="messages.csv"))
    assert_no_secret(recs)
    assert edges(recs) == [("ME", "Bob Babbage", 2, 2), ("Cy Clops", "ME", 2, 3)]
    assert recs[0].at == datetime(2026, 1, 2, 3, 4, 5)


ONE_CONVERSATION = (
    b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    b"SUBJECT,CONTENT,FOLDER\n"
    b"c1,,Bob Babbage,https://www.linkedin.com/in/bob,Ada Lovelace,https://www.linkedin.com/in/ada,"
    b"2024-12-16 18:24:37 UTC,,SECRET,INBOX\n"
    b"c1,,Ada Lovelace,https://www.linkedin.com/in/ada,Bob Babbage,https://www.linkedin.com/in/bob,"
    b"2024-12-17 18:24:37 UTC,,SECRET,INBOX\n"
)


@pytest.mark.parametrize(
    "hint",
    [Person(name="Ada Lovelace", is_owner=True), Person(linkedin_url="linkedin.com/in/ADA/")],
    ids=["by-name", "by-url"],
)
def test_owner_hint_decides_a_tie(hint):
    """One conversation: Bob and Ada are equally present. Without a hint the tie goes to
    the first one seen (Bob); Profile.csv's name or URL says it is Ada."""
    plain = edges(parse_messages(BytesIO(ONE_CONVERSATION), file="m"))
    assert plain == [("ME", "Ada Lovelace", 2, 2), ("Ada Lovelace", "ME", 2, 3)]
    hinted = list(parse_messages(BytesIO(ONE_CONVERSATION), file="m", owner_hint=hint))
    assert edges(hinted) == [("Bob Babbage", "ME", 2, 2), ("ME", "Bob Babbage", 2, 3)]
    assert hinted[0].b.linkedin_url == IN + "ada" and hinted[0].b.name == "Ada Lovelace"


def test_message_rows_without_sender_or_recipient_are_skipped():
    raw = (
        b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,"
        b"FOLDER\n"
        b"c1,,,,Ada Lovelace,2022-03-01 10:00:00 UTC,,SECRET,INBOX\n"
        b"c2,,Ada Lovelace,https://www.linkedin.com/in/ada,,2022-03-01 10:00:00 UTC,,SECRET,INBOX\n"
        b"c3,,Ada Lovelace,https://www.linkedin.com/in/ada,Ada Lovelace,"
        b"2022-03-01 10:00:00 UTC,,SECRET,INBOX\n"
    )
    recs = list(parse_messages(BytesIO(raw), file="m"))
    assert_no_secret(recs)
    assert [(s.line, s.reason) for s in recs] == [
        (2, "message without a sender"),
        (3, "message without a recipient"),
        (4, "message without a recipient"),
    ]


# --------------------------------------------------------------------------- Invitations.csv

INVITATIONS = (
    b"From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
    b'Ada Lovelace,Grace Hopper,"1/8/24, 6:14 PM","SECRET, let us connect",OUTGOING,'
    b"https://www.linkedin.com/in/ada,https://www.linkedin.com/in/grace-hopper\n"
    b'Alan Turing,Ada Lovelace,"2/29/24, 9:00 AM",,INCOMING,'
    b"https://www.linkedin.com/in/alanturing,https://www.linkedin.com/in/ada\n"
    b'Ada Lovelace,X Y,"3/1/24, 9:00 AM",SECRET,SIDEWAYS,,\n'
    b'Ada Lovelace,Z Z,"someday",SECRET,OUTGOING,,\n'
)


def test_invitations_both_directions_without_message_text():
    recs = list(parse_invitations(BytesIO(INVITATIONS), file="Invitations.csv", owner="me"))
    assert_no_secret(recs)
    out, inc, odd, bad = recs
    assert (out.a.is_owner, out.a.name, out.a.linkedin_url) == (True, "Ada Lovelace", IN + "ada")
    assert (out.b.is_owner, out.b.name) == (False, "Grace Hopper")
    assert out.b.linkedin_url == IN + "grace-hopper"
    assert (inc.a.name, inc.a.linkedin_url) == ("Alan Turing", IN + "alanturing")
    assert inc.b.is_owner
    for i in (out, inc):
        assert (i.kind, i.directed, i.group_size) == ("invitation", True, 2)
    assert out.at == datetime(2024, 1, 8, 18, 14) and inc.at == datetime(2024, 2, 29, 9, 0)
    assert (odd.line, odd.reason) == (4, "Direction is neither INCOMING nor OUTGOING")
    assert bad.line == 5 and bad.reason.startswith("bad date in Sent At")


def test_invitations_without_profile_url_columns():
    raw = (
        b"From,To,Sent At,Message,Direction\n"
        b'Ada Lovelace,Grace Hopper,"1/8/24, 6:14 PM",,OUTGOING\n'
        b'Alan Turing,Ada Lovelace,"1/9/24, 6:14 PM",SECRET,incoming\n'
    )
    out, inc = parse_invitations(BytesIO(raw), file="I")
    assert (out.a.is_owner, out.b.name, out.b.linkedin_url) == (True, "Grace Hopper", None)
    assert (inc.a.name, inc.b.is_owner) == ("Alan Turing", True)


# --------------------------------------------------------------------------- Positions, Profile

POSITIONS = (
    b"Company Name,Title,Description,Location,Started On,Finished On\n"
    b'Analytical Engines,"Head of Sales, EMEA","Built the team, SECRET plans",London,Mar 2019,\n'
    b"Difference Co,AE,,,Jan 2015,Feb 2019\n"
    b",Freelance,,,Jan 2014,Dec 2014\n"
    b"Acme,CTO,,,sometime,\n"
)


def test_positions_current_and_past():
    recs = list(parse_positions(BytesIO(POSITIONS), file="Positions.csv", owner="me"))
    now, past, nocompany, bad = recs
    assert isinstance(now, Position) and now.person.is_owner
    assert (now.company, now.title, now.start, now.end, now.current) == (
        "Analytical Engines", "Head of Sales, EMEA", date(2019, 3, 1), None, True)  # fmt: skip
    assert (past.company, past.start, past.end, past.current) == (
        "Difference Co", date(2015, 1, 1), date(2019, 2, 1), False)  # fmt: skip
    assert now.provenance.line == 2 and now.provenance.owner == "me"
    assert (nocompany.line, nocompany.reason) == (4, "position without a company")
    assert bad.line == 5 and bad.reason.startswith("bad date")
    assert "SECRET" not in repr(recs)


def test_profile_names_the_owner():
    raw = (
        b"First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
        b"Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\n"
        b'Ada,Lovelace,,,,"Analyst, poet",,,,London,,,\n'
    )
    me = parse_profile(BytesIO(raw), file="Profile.csv")
    assert (me.name, me.title, me.is_owner) == ("Ada Lovelace", "Analyst, poet", True)
    assert parse_profile(b"First Name,Last Name,Headline\n,,\n", file="P") is None


# --------------------------------------------------------------------------- parse_file


@pytest.mark.parametrize(
    ("raw", "kinds"),
    [
        (CONN_2019, {Person, Interaction}),
        (MSG_2018, {Interaction}),
        (MSG_2023, {Interaction, Skipped}),
        (INVITATIONS, {Interaction, Skipped}),
        (POSITIONS, {Position, Skipped}),
        (CONN_2022.decode().replace(",", "\t").encode("utf-16"), {Person, Interaction}),
    ],
    ids=["connections", "messages-2018", "messages-2023", "invitations", "positions", "utf16"],
)
def test_parse_file_dispatches_on_header(raw, kinds):
    recs = list(parse_file(BytesIO(raw), file="renamed.csv"))
    assert {type(r) for r in recs} == kinds


def test_parse_file_refuses_other_csvs():
    with pytest.raises(LoadError, match="not a LinkedIn export CSV"):
        list(parse_file(BytesIO(b"First Name,Last Name,Company\nA,B,C\n"), file="x.csv"))
    with pytest.raises(LoadError, match="empty"):
        list(parse_file(b"", file="x.csv"))
    assert list(parse_file(b"First Name,Last Name,Headline\nAda,L,X\n", file="Profile.csv")) == []


# --------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    "head",
    [
        CONN_2018,
        CONN_2019,
        CONN_2022,
        ("\ufeff" + CONN_2022.decode()).encode(),
        CONN_2022.decode().replace(",", "\t").encode("utf-16"),
        MSG_2018,
        MSG_2021,
        MSG_DEC_2024,
        MSG_2026,
        b'"CONVERSATION ID","CONVERSATION TITLE","FROM","SENDER PROFILE URL","TO","DATE"\n',
        INVITATIONS,
        b"From,To,Sent At,Message,Direction\n",
        POSITIONS,
    ],
)
def test_sniff_recognises_linkedin_csvs_by_header(head):
    assert sniff("renamed.csv", head[:8192])


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"First Name,Last Name,Company,Email Address,Phone\nAda,Lovelace,AE,a@x.org,1\n",
        b"Record ID,First Name,Last Name,Email,Company Name,Contact owner\n",
        b"First Name,Last Name,Headline\nAda,Lovelace,Analyst\n",  # Profile.csv alone
        b"From,To,Subject,Date\n",
        b"\x00\x01\x02 binary \xff\xfe",
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n",
    ],
)
def test_sniff_refuses_other_files(head):
    assert not sniff("Connections.csv", head)


def test_sniff_archive():
    assert sniff_archive(["Connections.csv", "Skills.csv"])
    assert sniff_archive(["Basic_LinkedInDataExport_01-02-2026/messages/MESSAGES.CSV"])
    assert sniff_archive(["x\\Invitations.csv"])
    assert not sniff_archive(["Profile.csv", "Skills.csv", "guide_messages.csv"])
    assert not sniff_archive(["Contact.csv", "Account.csv", "User.csv"])
    assert not sniff_archive([])


# --------------------------------------------------------------------------- archives

PROFILE = b"First Name,Last Name,Headline\nAda,Lovelace,Analyst\n"


def _export_members() -> dict[str, bytes]:
    return {
        "Profile.csv": PROFILE,
        "Positions.csv": POSITIONS,
        "Connections.csv": CONN_2019,
        "messages/messages.csv": ONE_CONVERSATION,
        "Invitations.csv": INVITATIONS,
        "Skills.csv": b"Name\nSECRET skill\n",
        "Ad_Targeting.csv": b"Member Age,Company Names\n25-34,SECRET\n",
    }


def _check_export(records, label_of):
    recs = list(records)
    assert_no_secret(recs)
    people, links, positions, skipped = split(recs)
    assert [p.name for p in people] == ["Grace Hopper", "Alan Turing"]
    assert people[0].provenance.file == label_of("Connections.csv")
    assert [p.company for p in positions] == ["Analytical Engines", "Difference Co"]
    assert positions[0].provenance.file == label_of("Positions.csv")
    kinds = [i.kind for i in links]
    assert kinds == ["connected"] * 2 + ["message"] * 2 + ["invitation"] * 2
    messages = [i for i in links if i.kind == "message"]
    # Profile.csv names Ada: she is the owner, not Bob (who would win the tie unhinted).
    assert messages[0].b.is_owner and messages[0].a.name == "Bob Babbage"
    assert messages[0].provenance.file == label_of("messages/messages.csv")
    assert {s.file for s in skipped} == {label_of("Positions.csv"), label_of("Invitations.csv")}


def test_zip_archive(tmp_path):
    path = tmp_path / "Basic_LinkedInDataExport_01-02-2026.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, raw in _export_members().items():
            zf.writestr(name, raw)
    archive = open_archive(path)
    assert sniff_archive(archive.names())
    _check_export(parse_archive(archive, owner="me"), lambda n: f"{path}!{n}")
    _check_export(read_linkedin(path), lambda n: f"{path}!{n}")


def test_unzipped_folder(tmp_path):
    root = tmp_path / "export"
    for name, raw in _export_members().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(raw)
    _check_export(parse_archive(open_archive(root)), lambda n: str(root / n))
    _check_export(read_linkedin(root), lambda n: str(root / n))


def test_single_csv_path(tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(CONN_2018)
    people, links, _, _ = split(read_linkedin(path))
    assert [p.name for p in people] == ["Ada Lovelace", "Charles Babbage"]
    assert people[0].provenance.file == str(path)


def test_broken_member_raises_load_error(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "Connections.csv").write_bytes(CONN_2019)
    (root / "Invitations.csv").write_bytes(b"nothing like a header\n")
    with pytest.raises(LoadError) as e:
        list(parse_archive(open_archive(root)))
    assert e.value.file == str(root / "Invitations.csv")


def test_archive_without_linkedin_members_raises(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "Skills.csv").write_bytes(b"Name\nPython\n")
    with pytest.raises(LoadError, match="not a LinkedIn data export"):
        list(read_linkedin(root))


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "cell",
    [
        "30 May 2024", "1 Jan 1990", "31 Feb 2024", "30 may 2024", "030 May 2024",
        "30 May 24", "30 Sept 2024", "6-Feb-26", "6-Feb-2026", "15-Mar-99", "15-Mar-68",
        "29-Feb-23", "1/8/18, 6:14 PM", "12/31/2017, 11:05 am", "1/8/18, 12:00 AM",
        "1/8/18, 12:30 PM", "13/8/18, 6:14 PM", "1/8/18, 13:14 PM", "1/8/18, 6:4 PM",
        "1/8/18 6:14 PM", "1/8/18", "001/8/18, 6:14 PM", "1/8/18, 6:14", " 30 May 2024 ",
        "2024-12-16 18:24:37 UTC", "Mar 2019", "", "yesterday", "١/٨/١٨, 6:14 PM",
    ],
)  # fmt: skip
def test_fast_date_path_agrees_with_parse_datetime(cell):
    """`_when` reads the common Connections layouts without strptime; it must give exactly
    what `loaders.dates.parse_datetime` gives, or fail where it fails."""
    try:
        expected = parse_datetime(cell)
    except BadDate:
        with pytest.raises(ValueError):
            _when(cell)
    else:
        assert _when(cell) == expected


_num_text = st.one_of(st.integers(0, 120).map(str), st.sampled_from(["00", "01", "09", "001"]))
_mon = st.sampled_from(["Jan", "feb", "MAY", "Sep", "Sept", "June", "Xyz"])
_year_text = st.one_of(
    st.integers(0, 99).map(lambda y: f"{y:02d}"), st.integers(1890, 2110).map(str)
)
date_like = st.one_of(
    st.tuples(_num_text, _mon, _year_text).map(" ".join),
    st.tuples(_num_text, _mon, _year_text).map("-".join),
    st.builds(
        "{}/{}/{}{} {}:{} {}".format,
        _num_text, _num_text, _year_text, st.sampled_from([",", ""]), _num_text, _num_text,
        st.sampled_from(["AM", "pm", "XM"]),
    ),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(date_like)
def test_fast_date_path_agrees_with_parse_datetime_on_date_shaped_text(cell):
    test_fast_date_path_agrees_with_parse_datetime(cell)


# --------------------------------------------------------------------------- robustness

HEADERS = [
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
    "SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT",
    "From,To,Date,Subject,Content,Direction,Folder",
    "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl",
    "Company Name,Title,Description,Location,Started On,Finished On",
    "First Name,Last Name,Headline",
]
PARSERS = [
    parse_connections,
    parse_messages,
    parse_invitations,
    parse_positions,
    parse_file,
]

cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["30 May 2024", "6-Feb-26", "1/8/18, 6:14 PM", "2024-12-16 18:24:37 UTC",
                     "OUTGOING", "INCOMING", "Yes", "DRAFT", "Mar 2019", IN + "ada",
                     "0001-01-01T00:00:00+23:59", "a,b", '"', "\n"]),
)  # fmt: skip


@st.composite
def csv_text(draw):
    header = draw(st.sampled_from(HEADERS))
    width = header.count(",") + 1
    rows = draw(st.lists(st.lists(cells, min_size=width - 1, max_size=width + 1), max_size=8))
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    pre = draw(st.sampled_from(["", PREAMBLE]))
    text = pre + header + "\n" + buf.getvalue()
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


def _drain(parser, raw):
    with contextlib.suppress(LoadError):
        for rec in parser(BytesIO(raw), file="f.csv", owner="me"):
            assert isinstance(rec, RECORD_TYPES)
    with contextlib.suppress(LoadError):
        me = parse_profile(BytesIO(raw), file="f.csv")
        assert me is None or (isinstance(me, Person) and me.is_owner and me.name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048), st.sampled_from(PARSERS))
def test_any_bytes_give_records_or_load_error(raw, parser):
    _drain(parser, raw)
    assert isinstance(sniff("f.csv", raw), bool)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csv_text(), st.sampled_from(PARSERS))
def test_any_csv_text_gives_records_or_load_error(raw, parser):
    _drain(parser, raw)
    assert isinstance(sniff("f.csv", raw[:8192]), bool)
