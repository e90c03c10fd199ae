"""loaders/vcard.py: address books from phones, Google Contacts, iCloud, old Android.

Fixtures follow what the exporters write: Google Contacts (3.0, grouped ``itemN.`` properties
with ``X-ABLabel``, ``https\\://`` escapes, CRLF), iPhone (3.0, PRODID, lines folded at 75
octets inside UTF-8 characters, base64 PHOTO, ``X-SOCIALPROFILE``), a 4.0 card (quoted
parameter lists, ``tel:`` URIs) and an old Android 2.1 card in quoted-printable with soft line
breaks.
"""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.vcard import parse_vcards, read_vcards, sniff

RECORD_TYPES = (Person, Company, Position, Interaction, Skipped)

GOOGLE = (
    b"BEGIN:VCARD\r\n"  # line 1
    b"VERSION:3.0\r\n"
    b"FN:Ada Lovelace\r\n"
    b"N:Lovelace;Ada;;;\r\n"
    b"EMAIL;TYPE=INTERNET;TYPE=HOME:ADA@Example.org\r\n"
    b"item1.EMAIL;TYPE=INTERNET:ada@analytical.example\r\n"
    b"item1.X-ABLabel:Work\r\n"
    b"TEL;TYPE=CELL:+44 20 7946 0018\r\n"
    b"ORG:Analytical Engines\\, Ltd;Research\r\n"
    b"TITLE:CTO\\; Poet\r\n"
    b"item2.URL:https\\://ada.example\r\n"
    b"item3.URL:https\\://uk.linkedin.com/in/Ada-Lovelace/\r\n"
    b"item3.X-ABLabel:LinkedIn\r\n"
    b"NOTE:Met at the RSA\\nLikes poetry\r\n"
    b"CATEGORIES:myContacts\r\n"
    b"END:VCARD\r\n"
    b"BEGIN:VCARD\r\n"  # line 17
    b"VERSION:3.0\r\n"
    b"N:;;;;\r\n"
    b"ORG:Pizza Place\r\n"
    b"TEL;TYPE=WORK:+1 555 010 7777\r\n"
    b"END:VCARD\r\n"
    b"BEGIN:VCARD\r\n"  # line 23
    b"VERSION:3.0\r\n"
    b"N:Babbage;Charles;;Mr.;FRS\r\n"
    b"EMAIL:charles@example.org\r\n"
    b"END:VCARD\r\n"
)


def test_google_contacts_export():
    ada, ada_tie, skipped, charles, charles_tie = parse_vcards(
        io.BytesIO(GOOGLE), file="contacts.vcf", owner="me@corp.example"
    )
    assert ada.name == "Ada Lovelace"
    assert ada.emails == ("ada@example.org", "ada@analytical.example")
    assert ada.company == "Analytical Engines, Ltd"  # the first ORG component only
    assert ada.title == "CTO; Poet"
    # of the two URLs only the LinkedIn profile is kept
    assert ada.linkedin_url == "https://www.linkedin.com/in/ada-lovelace"
    assert ada.phones == ("+442079460018",)
    assert ada.provenance.line == 1 and ada.provenance.source == "vcard"
    assert ada.provenance.owner == "me@corp.example"
    assert isinstance(ada_tie, Interaction)
    assert ada_tie.a.is_owner and ada_tie.b is ada
    assert (ada_tie.kind, ada_tie.directed, ada_tie.group_size) == ("address-book", False, 2)
    assert skipped == Skipped(
        "contacts.vcf", 17, "card with no name (FN, N), email or LinkedIn URL"
    )
    assert charles.name == "Mr. Charles Babbage, FRS"  # built from N when there is no FN
    assert charles.provenance.line == 23 and charles_tie.provenance.line == 23


IPHONE = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n"
    "N:Núñez-García;José;;Dr.;Ph.D.\r\n"
    "FN:Dr. José Núñez-García\\, Ph.D. 🚀\r\n"
    "ORG:ACME\\, Inc.;\r\n"
    "TITLE:VP Sales\r\n"
    "item1.EMAIL;type=INTERNET;type=pref:jose@acme.example\r\n"
    "item1.X-ABLabel:_$!<Other>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:(555) 010-2000\r\n"
    "X-SOCIALPROFILE;type=linkedin;x-user=jose:http://www.linkedin.com/in/jose-nunez\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYE\r\n"
    " BAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA\r\n"
    " /8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=\r\n"
    "END:VCARD\r\n"
).encode() + (
    # Folded at 75 octets: the fold splits the two bytes of "é" (C3 A9).
    b"BEGIN:VCARD\r\nVERSION:3.0\r\n"
    b"FN:Grace Brewster Murray Hopper Ren\xc3\r\n \xa9e de la Tr\xc3\xa8s Longue Famill\r\n\te\r\n"
    b"EMAIL;type=INTERNET:grace@navy.example\r\n"
    b"END:VCARD\r\n"
)


def test_iphone_export_folding_escapes_social_profile():
    jose, _, grace, _ = parse_vcards(IPHONE, file="iphone.vcf")
    assert jose.name == "Dr. José Núñez-García, Ph.D. 🚀"  # kept as written, escapes resolved
    assert jose.company == "ACME, Inc." and jose.title == "VP Sales"
    assert jose.emails == ("jose@acme.example",) and jose.phones == ("5550102000",)
    assert jose.linkedin_url == "https://www.linkedin.com/in/jose-nunez"
    assert grace.name == "Grace Brewster Murray Hopper Renée de la Très Longue Famille"
    assert grace.provenance.line == 16


VCARD4 = (
    b"BEGIN:VCARD\n"
    b"VERSION:4.0\n"
    b"FN:Grace Hopper\n"
    b"N:Hopper;Grace;Brewster Murray;Rear Admiral;\n"
    b'EMAIL;TYPE="work,pref";PREF=1:grace@navy.example\n'
    b'TEL;VALUE=uri;TYPE="voice,cell":tel:+1-555-555-0100\n'
    b"URL;TYPE=linkedin:https://www.linkedin.com/in/gracehopper\n"
    b"ORG:US Navy\n"
    b"END:VCARD\n"
)


def test_vcard4_quoted_params_and_tel_uri():
    grace, tie = parse_vcards(VCARD4, file="v4.vcf")
    assert grace.name == "Grace Hopper" and grace.emails == ("grace@navy.example",)
    assert grace.phones == ("+15555550100",) and grace.company == "US Navy"
    assert grace.linkedin_url == "https://www.linkedin.com/in/gracehopper"
    assert tie.kind == "address-book"


ANDROID_21 = (
    b"BEGIN:VCARD\r\n"
    b"VERSION:2.1\r\n"
    b"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;\r\n"
    b"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller von und zu Wei=C3=9F=\r\n"
    b"enfels\r\n"
    b"ORG;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:B=E4ckerei M=FCller\r\n"
    b"TEL;CELL:+49 170 1234567\r\n"
    b"EMAIL;INTERNET;PREF:juergen@example.de\r\n"
    b"END:VCARD\r\n"
)


def test_vcard21_quoted_printable_with_soft_breaks_and_charsets():
    (j, tie) = parse_vcards(ANDROID_21, file="android.vcf")
    assert j.name == "Jürgen Müller von und zu Weißenfels"
    assert j.company == "Bäckerei Müller"
    assert j.emails == ("juergen@example.de",) and j.phones == ("+491701234567",)
    assert tie.provenance.line == 1


def test_unterminated_cards_are_skipped_and_parsing_goes_on():
    raw = (
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\n"  # line 1: no END before the next card
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Whole Card\nEND:VCARD\n"  # line 4
        b"\n"
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Truncated"  # line 9: the file ends inside it
    )
    cut, whole, _, truncated = parse_vcards(raw, file="b.vcf")
    assert cut == Skipped("b.vcf", 1, "card without END:VCARD before the next card")
    assert whole.name == "Whole Card" and whole.provenance.line == 4
    assert truncated == Skipped("b.vcf", 9, "card without END:VCARD (the file ends inside it)")


def test_utf16_bom_export():
    raw = "\ufeffBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ødegård\r\nEND:VCARD\r\n".encode("utf-16")
    (z, _) = parse_vcards(raw, file="outlook.vcf")
    assert z.name == "Zoë Ødegård"


def test_utf8_bom_lowercase_and_text_around_cards():
    raw = b"\xef\xbb\xbfexported by X\nbegin:vcard\nversion:3.0\nfn:Ada\nend:vcard\ntrailer\n"
    (ada, _) = parse_vcards(raw, file="x.vcf")
    assert ada.name == "Ada" and ada.provenance.line == 2


@pytest.mark.parametrize("raw", [b"", b"  \r\n", b"First Name,Last Name\nAda,Lovelace\n"])
def test_not_a_vcard_is_a_load_error(raw):
    with pytest.raises(LoadError):
        list(parse_vcards(raw, file="x.vcf"))


def test_sniff():
    assert sniff("Contacts.VCF", b"")
    assert sniff("export", b"\xef\xbb\xbfBEGIN:VCARD\r\nVERSION:3.0\r\n")
    assert sniff("export", "BEGIN:VCARD\r\n".encode("utf-16"))
    assert not sniff("contacts.csv", b"First Name,Last Name\n")
    assert not sniff("cal.ics", b"BEGIN:VCALENDAR\r\n")


def test_read_vcards(tmp_path):
    p = tmp_path / "c.vcf"
    p.write_bytes(VCARD4)
    assert [r.provenance.file for r in read_vcards(p)] == [str(p), str(p)]


# --- properties ---------------------------------------------------------------------------

LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["BEGIN:VCARD", "END:VCARD", "FN:Ada", " folded", "\tfolded", "N:a;b;c",
                     "EMAIL:a@b.co", "item1.EMAIL;TYPE=x:a@b.co", "ORG:\\", "TEL:tel:+1",
                     "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=bogus:=C3=", "URL:linkedin.com/in/x",
                     'EMAIL;TYPE="a:b";X=1:c@d.ef', "FN;CHARSET=rot13;QUOTED-PRINTABLE:x=",
                     "N:\\;\\", ""]),
)  # fmt: skip


def _check(raw: bytes) -> None:
    with contextlib.suppress(LoadError):
        for rec in parse_vcards(raw, file="f.vcf"):
            assert isinstance(rec, RECORD_TYPES)
            if isinstance(rec, Person):
                (rec.name + "".join(rec.emails)).encode("utf-8")  # no lone surrogates


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_give_records_or_load_error(raw):
    _check(raw)
    _check(b"BEGIN:VCARD\n" + raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25), st.sampled_from(["\n", "\r\n"]))
def test_any_card_lines_give_records_or_load_error(lines, eol):
    _check(eol.join(["BEGIN:VCARD", *lines]).encode("utf-8", "surrogatepass"))
