"""loaders/ics.py: meetings from calendar exports.

`tests/data/ics/google_export.ics` is laid out like a Google Calendar export (CRLF, VTIMEZONE
blocks, attendee lines folded at 75 characters, the organiser listed again as an attendee,
``X-NUM-GUESTS``, a room resource, conference links in DESCRIPTION). Expected UTC times are
worked out by hand in each test (New York is UTC-5 until 10 March 2024, UTC-4 after; Berlin is
UTC+1 until 31 March 2024).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.model import Company, Interaction, Person, Position, Skipped
from loaders.ics import (
    MAX_OCCURRENCES,
    BadRule,
    expand_rrule,
    parse_calendar,
    read_calendar,
    sniff,
)

RECORD_TYPES = (Person, Company, Position, Interaction, Skipped)
GOOGLE = (Path(__file__).parent.parent / "data" / "ics" / "google_export.ics").read_bytes()


def _emails(p: Person) -> str:
    return p.emails[0] if p.emails else p.name


def by_line(records):
    out: dict[int, list] = {}
    for r in records:
        line = r.line if isinstance(r, Skipped) else r.provenance.line
        out.setdefault(line, []).append(r)
    return out


def test_google_export_file_is_crlf_like_the_real_one():
    assert GOOGLE.count(b"\r\n") == GOOGLE.count(b"\n")


def test_weekly_rrule_with_count_across_a_dst_change():
    """COUNT=4 weekly on Tuesdays 10:00 New York: 27 Feb and 5 Mar are EST (15:00 UTC),
    12 and 19 Mar are EDT (14:00 UTC). Ada is the organiser and also listed as an attendee:
    two participants, one directed meeting per occurrence."""
    one_on_one = by_line(parse_calendar(GOOGLE, file="cal.ics"))[26]
    assert [m.at for m in one_on_one] == [
        datetime(2024, 2, 27, 15), datetime(2024, 3, 5, 15),
        datetime(2024, 3, 12, 14), datetime(2024, 3, 19, 14),
    ]  # fmt: skip
    for m in one_on_one:
        assert (m.kind, m.directed, m.group_size) == ("meeting", True, 2)
        assert (m.a.name, m.a.emails) == ("Ada Lovelace", ("ada@example.org",))
        assert (m.b.name, m.b.emails) == ("Charles Babbage", ("charles@example.org",))
        assert m.provenance == m.provenance.__class__("ics", "cal.ics", 26, None)


def test_small_meeting_ties_every_pair_and_drops_decliners_and_rooms():
    """Organiser Ada, attendees Ada (again), Bob, Carol, Dave (declined) and a room:
    participants Ada, Bob, Carol. 14:00 Berlin (UTC+1) is 13:00 UTC."""
    review = by_line(parse_calendar(GOOGLE, file="cal.ics"))[47]
    got = {(_emails(m.a), _emails(m.b), m.directed) for m in review}
    assert got == {
        ("ada@example.org", "bob@example.org", True),
        ("ada@example.org", "carol@example.org", True),
        ("bob@example.org", "carol@example.org", False),
    }
    assert {(m.at, m.group_size) for m in review} == {(datetime(2024, 3, 12, 13), 3)}
    carol = next(m.b for m in review if m.b.emails == ("carol@example.org",))
    assert carol.name == ""  # Google writes the address as CN when there is no name


def test_cancelled_all_day_and_lone_events():
    recs = by_line(parse_calendar(GOOGLE, file="cal.ics"))
    assert recs[67] == [Skipped("cal.ics", 67, "cancelled event")]
    (offsite,) = recs[78]
    assert offsite.at == datetime(2024, 3, 15) and offsite.b.name == "Grace Hopper"
    assert 87 not in recs  # only Ada herself: no interaction
    assert sorted(recs) == [26, 47, 67, 78]


def test_owner_email_marks_the_owner():
    recs = [r for r in parse_calendar(GOOGLE, file="cal.ics", owner="ADA@example.org")
            if isinstance(r, Interaction)]  # fmt: skip
    assert all(r.a.is_owner == (r.a.emails == ("ada@example.org",)) for r in recs)
    assert any(r.a.is_owner for r in recs) and not any(r.b.is_owner for r in recs)
    assert {r.provenance.owner for r in recs} == {"ADA@example.org"}


def test_nothing_from_descriptions_reaches_the_records():
    text = repr(list(parse_calendar(GOOGLE, file="cal.ics")))
    assert "PRIVATE AGENDA" not in text and "meet.google.com" not in text
    assert "Design review" not in text  # summaries are not kept either


def _calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n".encode()


def test_all_hands_of_200_gives_organiser_ties_only():
    attendees = "\r\n".join(
        f"ATTENDEE;CN=Employee {i};PARTSTAT=ACCEPTED:mailto:e{i}@corp.example" for i in range(199)
    )
    raw = _calendar(
        "DTSTART:20240401T170000Z\r\nUID:all-hands\r\n"
        "ORGANIZER;CN=The CEO:mailto:ceo@corp.example\r\n"
        "ATTENDEE;CN=The CEO;PARTSTAT=ACCEPTED:mailto:ceo@corp.example\r\n" + attendees
    )
    recs = list(parse_calendar(raw, file="allhands.ics"))
    assert len(recs) == 199
    assert all(r.directed and r.group_size == 200 and r.a.name == "The CEO" for r in recs)
    assert {r.b.emails[0] for r in recs} == {f"e{i}@corp.example" for i in range(199)}
    assert {r.provenance.line for r in recs} == {3}


def test_meeting_of_six_ties_pairs_of_seven_does_not():
    def meeting(n: int) -> list:
        att = "\r\n".join(f"ATTENDEE:mailto:p{i}@x.example" for i in range(n - 1))
        raw = _calendar(f"DTSTART:20240401T170000Z\r\nORGANIZER:mailto:boss@x.example\r\n{att}")
        return list(parse_calendar(raw, file="m.ics"))

    six, seven = meeting(6), meeting(7)
    assert len(six) == 5 + 10 and sum(not r.directed for r in six) == 10  # 5 + C(5, 2)
    assert len(seven) == 6 and all(r.directed for r in seven)


def test_series_with_exdate_override_and_cancelled_instance():
    """Weekly from Mon 1 Apr 2024 09:00 UTC, COUNT=5: 1, 8, 15, 22, 29 Apr. EXDATE removes 8 Apr;
    the 15 Apr instance moved to 16 Apr (an override with RECURRENCE-ID); the 22 Apr instance
    is cancelled."""
    raw = _calendar(
        "UID:standup\r\nDTSTART:20240401T090000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n"
        "EXDATE:20240408T090000Z\r\n"
        "ORGANIZER:mailto:ada@example.org\r\nATTENDEE:mailto:bob@example.org",
        "UID:standup\r\nRECURRENCE-ID:20240415T090000Z\r\nDTSTART:20240416T090000Z\r\n"
        "ORGANIZER:mailto:ada@example.org\r\nATTENDEE:mailto:bob@example.org",
        "UID:standup\r\nRECURRENCE-ID:20240422T090000Z\r\nDTSTART:20240422T090000Z\r\n"
        "STATUS:CANCELLED\r\nORGANIZER:mailto:ada@example.org\r\nATTENDEE:mailto:bob@example.org",
    )
    recs = list(parse_calendar(raw, file="s.ics"))
    got = [(r.at.day, r.provenance.line) if isinstance(r, Interaction) else r for r in recs]
    assert got == [(1, 3), (29, 3), (16, 11), Skipped("s.ics", 18, "cancelled event")]


def test_open_ended_series_stops_two_years_on_and_at_104():
    monthly = _calendar("DTSTART:20240131T090000Z\r\nRRULE:FREQ=MONTHLY\r\n"
                        "ORGANIZER:mailto:a@x.example\r\nATTENDEE:mailto:b@x.example")  # fmt: skip
    ats = [r.at for r in parse_calendar(monthly, file="m.ics")]
    # the 31st exists in 15 of the 25 months from Jan 2024 to Jan 2026 (inclusive)
    assert len(ats) == 15
    assert (ats[0], ats[-1]) == (datetime(2024, 1, 31, 9), datetime(2026, 1, 31, 9))
    daily = monthly.replace(b"MONTHLY", b"DAILY;UNTIL=20300101T000000Z")
    ats = [r.at for r in parse_calendar(daily, file="d.ics")]
    assert len(ats) == MAX_OCCURRENCES == 104 and ats[-1] == datetime(2024, 5, 13, 9)


def test_outlook_windows_timezone_quoted_cn_and_nomail_attendee():
    """Outlook writes Windows zone names with a VTIMEZONE; 10:00 W. Europe in July is
    08:00 UTC."""
    raw = (
        b"BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
        b"VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"
        b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
        b"END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"
        b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
        b"END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        b"BEGIN:VEVENT\r\n"
        b'ORGANIZER;CN="Lovelace, Ada":mailto:Ada.Lovelace@example.org\r\n'
        b'ATTENDEE;CN="Babbage, Charles";RSVP=TRUE:mailto:charles@example.org\r\n'
        b'ATTENDEE;CN="Front Desk";RSVP=TRUE:invalid:nomail\r\n'
        b"DTSTART;TZID=W. Europe Standard Time:20240710T100000\r\n"
        b"UID:040000008200E00074C5B7101A82E00800000000\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    recs = list(parse_calendar(raw, file="outlook.ics"))
    assert {(r.a.name, _emails(r.b), r.directed) for r in recs} == {
        ("Lovelace, Ada", "charles@example.org", True),
        ("Lovelace, Ada", "Front Desk", True),
        ("Babbage, Charles", "Front Desk", False),
    }
    assert {(r.at, r.group_size, r.provenance.line) for r in recs} == {
        (datetime(2024, 7, 10, 8), 3, 19)
    }


def test_bad_event_is_skipped_and_the_rest_loads():
    raw = _calendar(
        "DTSTART:not-a-date\r\nORGANIZER:mailto:a@x.example\r\nATTENDEE:mailto:b@x.example",
        "DTSTART:20240401T090000Z\r\nRRULE:FREQ=WEEKLY;COUNT=many\r\n"
        "ORGANIZER:mailto:a@x.example\r\nATTENDEE:mailto:b@x.example",
        "DTSTART:20240401T090000Z\r\nRRULE:FREQ=FORTNIGHTLY\r\n"
        "ORGANIZER:mailto:a@x.example\r\nATTENDEE:mailto:b@x.example",
        "DTSTART:20240402T090000Z\r\nORGANIZER:mailto:a@x.example\r\nATTENDEE:mailto:c@x.example",
    )
    bad_start, bad_rule, bad_freq, ok = parse_calendar(raw, file="b.ics")
    assert bad_start == Skipped("b.ics", 3, "bad DTSTART 'not-a-date'")
    assert bad_rule == Skipped("b.ics", 8, "bad RRULE 'FREQ=WEEKLY;COUNT=many'")
    assert bad_freq == Skipped("b.ics", 14, "bad RRULE 'FREQ=FORTNIGHTLY'")
    assert ok.b.emails == ("c@x.example",) and ok.provenance.line == 20


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"", "empty"),
        (b"BEGIN:VCARD\r\nFN:Ada\r\nEND:VCARD\r\n", "not an iCalendar"),
        (b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "unreadable"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20240101\r\n", "no complete VCALENDAR"),
    ],
)
def test_unreadable_files_are_load_errors(raw, why):
    with pytest.raises(LoadError, match=why):
        list(parse_calendar(raw, file="x.ics"))


def test_sniff_and_read(tmp_path):
    assert sniff("basic.ICS", b"") and sniff("export", b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n")
    assert not sniff("c.vcf", b"BEGIN:VCARD\r\n")
    p = tmp_path / "basic.ics"
    p.write_bytes(GOOGLE)
    assert len([r for r in read_calendar(p) if isinstance(r, Interaction)]) == 4 + 3 + 1


# --- the recurrence expander --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "rule", "expect"),
    [
        # Outlook "last weekday of the month"
        (datetime(2024, 1, 31, 9), {"FREQ": ["MONTHLY"], "BYDAY": ["MO", "TU", "WE", "TH", "FR"],
                                    "BYSETPOS": [-1], "COUNT": [3]},
         ["2024-01-31", "2024-02-29", "2024-03-29"]),
        # every other week on Monday and Thursday
        (datetime(2024, 1, 1, 9), {"FREQ": ["WEEKLY"], "INTERVAL": [2], "BYDAY": ["MO", "TH"],
                                   "COUNT": [4]},
         ["2024-01-01", "2024-01-04", "2024-01-15", "2024-01-18"]),
        # yearly on the second Tuesday of March
        (datetime(2024, 3, 12, 9), {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["2TU"],
                                    "COUNT": [3]},
         ["2024-03-12", "2025-03-11", "2026-03-10"]),
        # DTSTART counts as the first occurrence even when the rule would not produce it
        (datetime(2024, 1, 3, 9), {"FREQ": ["WEEKLY"], "BYDAY": ["FR"], "COUNT": [2]},
         ["2024-01-03", "2024-01-05"]),
    ],
)  # fmt: skip
def test_expand_rrule_layouts(start, rule, expect):
    assert [d.date().isoformat() for d in expand_rrule(start, rule)] == expect


def test_expand_rrule_until_and_impossible_rules():
    start = datetime(2024, 1, 1, 9)
    until = datetime(2024, 1, 3, 23, 59)
    assert len(expand_rrule(start, {"FREQ": ["DAILY"]}, until=until)) == 3
    # 30 February never comes: only DTSTART, and a bounded scan (no trip to year 9999)
    never = {"FREQ": ["DAILY"], "BYMONTH": [2], "BYMONTHDAY": [30], "COUNT": [5]}
    assert expand_rrule(start, never) == [start]
    with pytest.raises(BadRule):
        expand_rrule(start, {"FREQ": ["WEEKLY"], "BYDAY": ["2MO"]})
    with pytest.raises(NotImplementedError):
        expand_rrule(start, {"FREQ": ["HOURLY"]})


dateutil_rrule = pytest.importorskip("dateutil.rrule")  # test oracle only

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw):
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    rule: dict[str, list] = {"FREQ": [freq]}
    if draw(st.booleans()):
        rule["INTERVAL"] = [draw(st.integers(1, 3))]
    if draw(st.booleans()):
        rule["COUNT"] = [draw(st.integers(1, 120))]
    days = draw(st.lists(st.sampled_from(DAYS), max_size=3, unique=True))
    if days:
        if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
            days = [f"{draw(st.sampled_from([1, 2, -1]))}{d}" for d in days]
        rule["BYDAY"] = days
        if len(days) > 1 and draw(st.booleans()):
            rule["BYSETPOS"] = [draw(st.sampled_from([1, -1]))]
    ordinals = any(d[:-2] for d in days)
    if freq != "WEEKLY" and not ordinals and draw(st.booleans()):  # (2MO on the 28th: never)
        rule["BYMONTHDAY"] = draw(st.lists(st.sampled_from([1, 15, 28, -1]), min_size=1,
                                           max_size=2, unique=True))  # fmt: skip
    if freq in ("YEARLY", "DAILY") and draw(st.booleans()):
        rule["BYMONTH"] = draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
    return rule


def _years_on(d: datetime, years: int) -> datetime:
    """Same day `years` on; 29 February becomes 28 February."""
    return d.replace(year=d.year + years, day=28 if (d.month, d.day) == (2, 29) else d.day)


def _oracle(start: datetime, rule: dict, until: datetime | None) -> list[datetime]:
    freqs = {"DAILY": dateutil_rrule.DAILY, "WEEKLY": dateutil_rrule.WEEKLY,
             "MONTHLY": dateutil_rrule.MONTHLY, "YEARLY": dateutil_rrule.YEARLY}  # fmt: skip
    weekdays = []
    for d in rule.get("BYDAY", []):
        wd = getattr(dateutil_rrule, d[-2:])
        weekdays.append(wd(int(d[:-2])) if d[:-2] else wd)
    count = rule.get("COUNT", [MAX_OCCURRENCES])[0]
    ten_years = _years_on(start, 10)
    if until:
        stop = min(until, ten_years)
    else:
        stop = ten_years if "COUNT" in rule else _years_on(start, 2)
    r = dateutil_rrule.rrule(
        freqs[rule["FREQ"][0]], dtstart=start, interval=rule.get("INTERVAL", [1])[0],
        until=stop, byweekday=weekdays or None,
        bymonthday=rule.get("BYMONTHDAY"), bymonth=rule.get("BYMONTH"),
        bysetpos=rule.get("BYSETPOS"),
    )  # fmt: skip
    return list(islice(r, min(count, MAX_OCCURRENCES)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules(),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.one_of(st.none(), st.integers(0, 900)),
)
def test_expand_rrule_agrees_with_dateutil(rule, start, until_days):
    """Where DTSTART itself matches the rule, RFC 5545 and dateutil agree on every occurrence."""
    until = start + timedelta(days=until_days) if until_days is not None else None
    probe = _oracle(start, {**rule, "COUNT": [1]}, start + timedelta(days=400))
    assume(probe[:1] == [start])
    assert expand_rrule(start, rule, until=until) == _oracle(start, rule, until)


# --- fuzz ---------------------------------------------------------------------------------

LINE = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "BEGIN:VEVENT", "END:VEVENT", "DTSTART:20240101T100000Z", "DTSTART;VALUE=DATE:20240101",
        "DTSTART;TZID=Nowhere/Zone:20240101T100000", "DTSTART:x", "RRULE:FREQ=DAILY",
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "RRULE:FREQ=MONTHLY;BYSETPOS=9;BYDAY=MO",
        "RRULE:FREQ=WEEKLY;UNTIL=20240301", "RRULE:FREQ=SECONDLY", "RRULE:garbage",
        "ORGANIZER:mailto:a@b.co", "ATTENDEE;CN=X:mailto:c@d.co", "ATTENDEE:invalid:nomail",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:e@f.co", "EXDATE:20240102T100000Z", "RDATE:x",
        "RECURRENCE-ID:20240101T100000Z", "STATUS:CANCELLED", "UID:u", " folded", "",
        "BEGIN:VALARM", "END:VALARM", "BEGIN:VTIMEZONE", "END:VTIMEZONE", "TZID:X",
    ]),
)  # fmt: skip


def _check(raw: bytes) -> None:
    with contextlib.suppress(LoadError):
        for rec in parse_calendar(raw, file="f.ics"):
            assert isinstance(rec, RECORD_TYPES)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_any_bytes_give_records_or_load_error(raw):
    _check(raw)
    _check(b"BEGIN:VCALENDAR\r\n" + raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=25))
def test_any_calendar_lines_give_records_or_load_error(lines):
    body = "\r\n".join(["BEGIN:VCALENDAR", "BEGIN:VEVENT", *lines, "END:VEVENT", "END:VCALENDAR"])
    _check(body.encode("utf-8", "surrogatepass"))
