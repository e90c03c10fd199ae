"""loaders/mbox.py: who wrote to whom, from mail headers only.

The mbox fixture follows a Gmail Takeout export (``From <thread id>@xxx <postmark>``
separators, ``X-GM-THRID``/``X-Gmail-Labels`` first, folded Received and Cc headers, RFC 2047
encoded words, multipart bodies); the Thunderbird one uses ``From - <date>`` separators and
LF line ends. Bodies carry marker text that must never reach a record.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.mbox import parse_mail, read_mail, sniff

RECORD_TYPES = (Person, Company, Position, Interaction, Skipped)

BROADCAST_TO = ",\r\n ".join(f"Person {i} <p{i}@example.org>" for i in range(40))
TAKEOUT = (
    b"From 1781234567890123456@xxx Tue Mar 05 10:00:00 +0000 2024\r\n"  # line 1
    b"X-GM-THRID: 1781234567890123456\r\n"
    b"X-Gmail-Labels: Sent,Opened\r\n"
    b"Received: by 2002:a05:6402:1234 with SMTP id abc;\r\n"
    b"        Tue, 5 Mar 2024 02:00:00 -0800 (PST)\r\n"
    b"MIME-Version: 1.0\r\n"
    b"From: Ada Lovelace <Ada@Example.org>\r\n"
    b"Date: Tue, 5 Mar 2024 11:00:00 +0100\r\n"
    b"Message-ID: <CAF=abc@mail.gmail.com>\r\n"
    b"Subject: =?UTF-8?Q?Engine_budget_=E2=80=94_draft?=\r\n"
    b"To: =?UTF-8?B?Q2hhcmxlcyBCYWJiYWdl?= <charles@example.org>\r\n"
    b'Cc: "Lovelace, Byron" <byron@example.org>,\r\n'
    b" =?iso-8859-1?q?Andr=E9_Amp=E8re?= <andre@example.fr>, ada@example.org\r\n"
    b'Content-Type: multipart/alternative; boundary="000000000000abc"\r\n'
    b"\r\n"
    b"--000000000000abc\r\n"
    b'Content-Type: text/plain; charset="UTF-8"\r\n'
    b"\r\n"
    b"SECRET BODY ONE: the engine costs 17,000 pounds.\r\n"
    b"From the desk of Ada, unescaped, right after a text line\r\n"
    b"\r\n"
    b"From here on, a paragraph that starts with From after a blank line.\r\n"
    b"--000000000000abc--\r\n"
    b"\r\n"
    b"From 1781234567890123457@xxx Wed Mar 06 09:00:00 +0000 2024\r\n"  # line 25
    b"X-GM-THRID: 1781234567890123456\r\n"
    b"From: Charles Babbage <charles@example.org>\r\n"
    b"To: ada@example.org\r\n"
    b"Subject: Re: Engine budget\r\n"
    b"Message-ID: <reply@example.org>\r\n"
    b"\r\n"
    b"SECRET BODY TWO: no Date header on this one.\r\n"
    b">From the archive, escaped as mboxrd does.\r\n"
    b"\r\n"
    b"From 1781234567890123458@xxx Thu Mar 07 08:00:00 +0000 2024\r\n"  # line 35
    b'From: "Corp News" <news@corp.example>\r\n'
    b"To: " + BROADCAST_TO.encode() + b"\r\n"
    b"Cc: p0@example.org\r\n"
    b"Date: Thu, 7 Mar 2024 08:00:00 -0000\r\n"
    b"Message-ID: <broadcast@corp.example>\r\n"
    b"\r\n"
    b"SECRET BODY THREE: unsubscribe here.\r\n"
)


def test_takeout_mbox_three_messages():
    recs = list(parse_mail(TAKEOUT, file="All mail.mbox", owner="ada@example.org"))
    first, reply, broadcast = recs[:3], recs[3], recs[4:]
    # message 1: To + Cc, Ada copying herself is not a recipient; 1 + 3 people
    assert [(r.b.name, r.b.emails) for r in first] == [
        ("Charles Babbage", ("charles@example.org",)),
        ("Lovelace, Byron", ("byron@example.org",)),
        ("André Ampère", ("andre@example.fr",)),
    ]
    for r in first:
        assert (r.a.name, r.a.emails, r.a.is_owner) == ("Ada Lovelace", ("ada@example.org",), True)
        assert (r.kind, r.directed, r.group_size) == ("email", True, 4)
        assert r.at == datetime(2024, 3, 5, 10, 0)  # 11:00 +0100
        assert r.provenance == r.provenance.__class__("mbox", "All mail.mbox", 1, "ada@example.org")
    # message 2: no Date header, kept with at=None
    assert (reply.a.emails, reply.b.emails, reply.b.is_owner) == (
        ("charles@example.org",), ("ada@example.org",), True,
    )  # fmt: skip
    assert reply.at is None and reply.group_size == 2 and reply.provenance.line == 25
    # message 3: a broadcast to 40 (p0 also in Cc, counted once) is recorded in full
    assert len(broadcast) == 40
    assert {(r.group_size, r.at, r.provenance.line) for r in broadcast} == {
        (41, datetime(2024, 3, 7, 8, 0), 35)
    }
    assert broadcast[0].a.name == "Corp News" and broadcast[39].b.name == "Person 39"
    assert len(recs) == 44


def test_bodies_never_reach_a_record():
    text = repr(list(parse_mail(TAKEOUT, file="m.mbox")))
    for marker in ("SECRET", "desk of Ada", "From here on", "archive", "Engine budget"):
        assert marker not in text


THUNDERBIRD = (
    b"From - Mon Jan 08 18:14:00 2018\n"  # line 1
    b"X-Mozilla-Status: 0001\n"
    b"From: grace@navy.example\n"
    b"To: undisclosed-recipients:;\n"
    b"Date: Mon, 8 Jan 2018 18:14:00 -0500\n"
    b"\n"
    b"nobody to write to\n"
    b"\n"
    b"From - Mon Jan 08 18:15:00 2018\n"  # line 9
    b"To: ada@example.org\n"
    b"Subject: no sender\n"
    b"\n"
    b"From - Mon Jan 08 18:16:00 2018\n"  # line 13
    b"From: Grace Hopper <grace@navy.example>\n"
    b"To: ada@example.org\n"
    b"Date: sometime last week\n"
    b"Message-ID: <dup@navy.example>\n"
    b"\n"
    b"From - Mon Jan 08 18:16:00 2018\n"  # line 19: the same message again
    b"From: Grace Hopper <grace@navy.example>\n"
    b"To: ada@example.org\n"
    b"Message-ID: <dup@navy.example>\n"
    b"\n"
    b"From ada@example.org  Tue Jan  9 10:00:00 2018\n"  # line 24: classic postmark
    b"From: ada@example.org (Ada Lovelace)\n"
    b"To: \xc9lodie Durand <elodie@example.fr>, ada@example.org\n"
    b"Bcc: secret@example.org\n"
    b"Date: Tue, 9 Jan 2018 10:00:00 +0000\n"
    b"\n"
)


def test_thunderbird_mbox_skips_and_quirks():
    recs = list(parse_mail(THUNDERBIRD, file="Inbox"))
    assert recs[0] == Skipped("Inbox", 1, "no recipients (To, Cc)")
    assert recs[1] == Skipped("Inbox", 9, "no sender address (From)")
    bad_date = recs[2]
    assert bad_date.at is None and bad_date.a.name == "Grace Hopper"  # kept, date unknown
    assert bad_date.provenance.line == 13
    assert recs[3] == Skipped("Inbox", 19, "same Message-ID as the message at line 13")
    last = recs[4]
    assert last.a.name == "Ada Lovelace" and last.a.emails == ("ada@example.org",)
    assert last.b.name == "Élodie Durand"  # Latin-1 bytes in a header
    assert last.group_size == 2 and last.at == datetime(2018, 1, 9, 10)  # Bcc is not counted
    assert last.provenance.line == 24
    assert len(recs) == 5


EML = (
    b"Return-Path: <ada@example.org>\r\n"
    b"Received: from mail.example.org (mail.example.org [192.0.2.1])\r\n"
    b"\tby mx.example.com with ESMTPS id x; Fri, 15 Mar 2024 09:30:00 +0000\r\n"
    b"From: =?utf-8?b?QWRhIPCfmoA=?= <ada@example.org>\r\n"
    b"To: Bob <bob@example.org>\r\n"
    b"To: carol@example.org\r\n"
    b"Date: Fri, 15 Mar 2024 10:30:00 +0100\r\n"
    b"Subject: Two To lines, as some clients write\r\n"
    b"\r\n"
    b"BODY OF THE EML\r\n"
)


def test_single_eml_message():
    bob, carol = parse_mail(EML, file="note.eml")
    assert bob.a.name == "Ada 🚀" and bob.b.name == "Bob"
    assert carol.b.emails == ("carol@example.org",)
    assert {(r.group_size, r.at, r.provenance.line) for r in (bob, carol)} == {
        (3, datetime(2024, 3, 15, 9, 30), 1)
    }
    assert "BODY" not in repr([bob, carol])


def test_broken_encoded_word_kept_as_written_and_address_names_dropped():
    msg = (b"From: =?utf-8?b?!!!notbase64?= <a@example.org>\n"
           b"To: b@example.org <b@example.org>\n\n")  # fmt: skip
    (r,) = parse_mail(msg, file="x.eml")
    assert r.a.name == "=?utf-8?b?!!!notbase64?=" and r.b.name == ""


def test_encoded_word_with_a_non_ascii_charset_name_is_kept_as_written():
    """Found by tests/loaders/test_fuzz.py: a Latin-1 byte in the charset of an encoded word
    made `email.header.make_header` raise `CharsetError`, which escaped `parse_mail`."""
    msg = b"From: =?Jos\xe9?q?Ada?= <ada@example.org>\nTo: b@example.org\n\nbody\n"
    (r,) = parse_mail(msg, file="x.eml")
    assert r.a.name == "=?Jos\xe9?q?Ada?=" and r.a.emails == ("ada@example.org",)


@pytest.mark.parametrize(
    "raw",
    [b"", b"\r\n\r\n", b"First Name,Last Name\nAda,Lovelace\n", b"just some text\nmore\n"],
)
def test_not_mail_is_a_load_error(raw):
    with pytest.raises(LoadError):
        list(parse_mail(raw, file="x.mbox"))


def test_sniff():
    assert sniff("Sent.MBOX", b"") and sniff("a.eml", b"") and sniff("b.mbx", b"")
    assert sniff("Inbox", THUNDERBIRD[:200]) and sniff("mail", TAKEOUT[:8192])
    assert sniff("msg", EML[:100])
    assert not sniff("messages.csv", b"From,To,Date,Subject,Content\n")
    assert not sniff("notes.txt", b"From the desk of Ada\nDear Charles,\n")
    assert not sniff("c.vcf", b"BEGIN:VCARD\r\n")


def test_read_mail(tmp_path):
    p = tmp_path / "note.eml"
    p.write_bytes(EML)
    assert [r.provenance.file for r in read_mail(p)] == [str(p), str(p)]


# --- fuzz ---------------------------------------------------------------------------------

HEADER = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "From: a@b.co", "From: =?utf-8?q?=ZZ?= <a@b.co>", "To: c@d.co, e@f.co", "Cc: <broken",
        "To: =?x-unknown?b?AAAA?= <g@h.co>", "Date: Tue, 5 Mar 2024 11:00:00 +0100",
        "Date: Mon, 32 Foo 99999", "Date: ", "Message-ID: <m@x>", " folded", "From x Tue ...",
        "To: undisclosed-recipients:;", "From: \"unterminated <a@b.co>", "",
    ]),
)  # fmt: skip


def _check(raw: bytes) -> None:
    with contextlib.suppress(LoadError):
        for rec in parse_mail(raw, file="f.mbox"):
            assert isinstance(rec, RECORD_TYPES)
            if isinstance(rec, Interaction):
                (rec.a.name + rec.b.name).encode("utf-8")  # no lone surrogates


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_give_records_or_load_error(raw):
    _check(raw)
    _check(b"From - Tue Mar 05 10:00:00 2024\n" + raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(HEADER, max_size=8), min_size=1, max_size=4),
    st.sampled_from(["\n", "\r\n"]),
)
def test_any_headers_give_records_or_load_error(messages, eol):
    raw = eol.join(
        f"From - Tue Mar 05 10:00:00 2024{eol}" + eol.join(headers) + eol for headers in messages
    )
    _check(raw.encode("utf-8", "surrogatepass"))
