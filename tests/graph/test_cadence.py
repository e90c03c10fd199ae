"""Follow-up cadence: touches, usual intervals, buckets, status and channel, on hand-made
contact histories (derivations in the docstrings) and on the demo team."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from graph.cadence import (
    Cadence,
    ContactHistory,
    best_channel,
    cadences,
    followups_due,
    nearest_bucket,
    touches,
    usual_interval,
)
from graph.model import Interaction, Person, Provenance

NOW = datetime(2026, 11, 1)
OWNER = "Priya Shah <priya@ourco.com>"


def test_a_conversation_over_a_few_days_is_one_touch():
    """Messages on days 0, 1, 2 are one exchange; day 9 is the next touch (>= 7 days after
    day 0), day 12 belongs to it, day 40 is the third: gaps 9 and 31, median 20."""
    t = touches([0, 1, 2, 9, 12, 40])
    assert t.tolist() == [0.0, 9.0, 40.0]
    assert usual_interval(t) == 20.0


def test_too_little_history_has_no_usual_interval():
    assert usual_interval(touches([0, 30])) is None  # one gap < min_intervals (2)
    assert usual_interval(touches([0, 30, 60]), min_intervals=2) == 30.0


@pytest.mark.parametrize(
    ("interval", "bucket"),
    [(7, "A"), (14, "A"), (20, "A"), (21, "B"), (30, "B"), (51, "B"), (52, "C"), (90, "C"), (365, "C")],
)
def test_nearest_bucket_on_a_log_scale(interval, bucket):
    """Boundaries at the geometric means sqrt(14*30) = 20.49 and sqrt(30*90) = 51.96."""
    assert nearest_bucket(interval) == bucket


def test_best_channel_weighs_recent_contact_more():
    """Three emails two years ago weigh 3 * 0.5**(730/180) = 0.18; one call last week weighs
    0.97: the call is the channel to use now, though email was used most."""
    days = np.array([0.0, 1.0, 2.0, 725.0])
    channel, counts = best_channel(days, ["email", "email", "email", "call"], now_days=732.0)
    assert channel == "call" and counts == {"email": 3, "call": 1}


def test_tasks_are_no_channel_unless_nothing_else():
    assert best_channel(np.array([0.0, 5.0]), ["task", "email"], now_days=6.0)[0] == "email"
    assert best_channel(np.array([0.0]), ["task"], now_days=6.0)[0] == "task"


def _history(rows):
    people = {pid: {"id": f"p{pid}", "name": name, "company": None, "title": None}
              for pid, name in {1: "Priya", 2: "Ada", 3: "Bob", 4: "Cy", 5: "Dee", 6: "Eve"}.items()}  # fmt: skip
    return ContactHistory.from_rows(rows, people)


def _every(owner, contact, kind, first, n, step, size=2):
    return [(owner, contact, first + timedelta(days=step * i), kind, size) for i in range(n)]


@pytest.fixture
def history():
    """Priya (1) and five contacts, as of 2026-11-01:

    - Ada (2): a message every 10 days, 5 times, the last 2026-10-12 (20 days ago): usual 10
      days -> A (14); 20 >= 14 -> due.
    - Bob (3): an email every 30 days, 4 times, the last 2026-08-28 (65 days ago): usual 30 ->
      B; 65 >= 2 * 30 -> overdue.
    - Cy (4): one call 2026-10-22: too little history -> C (90); 10 days -> ok.
    - Dee (5): a message every week, March 2024, the last 2024-04-05 (940 days ago): usual 7
      days -> A, silent for more than 6 cycles (and 365 days) -> lapsed.
    - Eve (6): only newsletters to 10 people (broadcasts): no relationship at all.
    """
    rows = (_every(1, 2, "message", datetime(2026, 9, 2), 5, 10)
            + _every(1, 3, "email", datetime(2026, 5, 30), 4, 30)
            + [(1, 4, datetime(2026, 10, 22), "call", 2)]
            + _every(1, 5, "message", datetime(2024, 3, 1), 6, 7)
            + _every(1, 6, "email", datetime(2026, 1, 1), 10, 14, size=11))  # fmt: skip
    return _history(rows)


def test_buckets_statuses_and_order(history):
    r = cadences(history, now=NOW)
    got = {f.contact["name"]: (f.bucket, f.basis, f.usual_interval_days, f.days_since, f.status)
           for f in r.items}  # fmt: skip
    assert got == {
        "Ada": ("A", "inferred", 10.0, 20, "due"),
        "Bob": ("B", "inferred", 30.0, 65, "overdue"),
        "Cy": ("C", "too little history", None, 10, "ok"),
        "Dee": ("A", "inferred", 7.0, 940, "lapsed"),
    }
    assert [f.contact["name"] for f in r.items] == ["Bob", "Ada", "Cy", "Dee"]  # overdue first
    assert r.counts == {"overdue": 1, "due": 1, "ok": 1, "lapsed": 1}
    ada = r.items[1]
    assert ada.due_on == "2026-10-26" and ada.channel == "message"
    assert "usually every 10 days" in ada.why and "due since 2026-10-26 (6 days)" in ada.why


def test_followups_due_keeps_only_due_and_overdue(history):
    r = followups_due(history, now=NOW)
    assert [(f.contact["name"], f.status) for f in r.items] == [("Bob", "overdue"), ("Ada", "due")]


def test_a_bucket_set_by_hand_wins_and_one_owner_beats_everyone(history):
    """Ada set to C for everyone (0) and to B for Priya (1): Priya's B wins; 20 days < 30: ok."""
    r = cadences(history, now=NOW, overrides=[(0, 2, "C"), (1, 2, "B"), (0, 3, "Z")])
    by = {f.contact["name"]: f for f in r.items}
    assert (by["Ada"].bucket, by["Ada"].basis, by["Ada"].inferred_bucket, by["Ada"].status) == (
        "B", "set by hand", "A", "ok")
    assert by["Bob"].bucket == "B" and by["Bob"].basis == "inferred"  # unknown bucket Z ignored


def test_other_buckets_and_owner_filter(history):
    weekly = Cadence(buckets={"A": 7, "B": 30, "C": 90})
    r = cadences(history, now=NOW, cadence=weekly, owner=1)
    assert {f.contact["name"]: f.bucket for f in r.items}["Ada"] == "A"  # 10 days: log-nearest to 7
    assert cadences(history, now=NOW, owner=99).items == []


# ---------------------------------------------------------------------- through a workspace
@pytest.fixture
def team_ws(ws):
    """Priya's export: Ada messages every 10 days (with a same-day reply, one touch), Bob
    emails every 30 days, and Priya's colleague Tom (a team member) is not a contact."""
    me = Person(is_owner=True)
    ada = Person(name="Ada Lovelace", emails=("ada@analytical.example",), company="Analytical")
    bob = Person(name="Bob Kahn", emails=("bob@tcp.example",), company="TCP Ltd")
    tom = Person(name="Tom Teammate", emails=("tom@ourco.com",), team=True)
    prov = Provenance("mbox", "mail.mbox", 1)
    recs = []
    for i in range(5):
        when = datetime(2026, 9, 2) + timedelta(days=10 * i)
        recs += [Interaction(me, ada, "message", when, provenance=prov),
                 Interaction(ada, me, "message", when + timedelta(hours=3), provenance=prov)]  # fmt: skip
    for i in range(4):
        recs.append(Interaction(me, bob, "email", datetime(2026, 5, 30) + timedelta(days=30 * i), provenance=prov))
    recs.append(Interaction(me, tom, "email", datetime(2026, 10, 30), provenance=prov))
    ws.import_records(recs, label="mail.mbox", format="mbox", digest="m", owner=OWNER)
    return ws


def test_followups_from_a_workspace(team_ws):
    from graph.explorer import Explorer

    ex = Explorer(team_ws, now=NOW)
    r = ex.followups()
    got = {f.contact["name"]: (f.owner["name"], f.bucket, f.touches, f.status) for f in r.items}
    assert got == {"Ada Lovelace": ("Priya Shah", "A", 5, "due"), "Bob Kahn": ("Priya Shah", "B", 4, "overdue")}
    assert r.items[0].channels == {"email": 4}


def test_cadence_set_by_hand_is_stored_and_cleared(team_ws):
    from graph.errors import UsageError
    from graph.explorer import Explorer

    done = team_ws.set_cadence("ada@analytical.example", "c", owner="priya@ourco.com")
    assert done["bucket"] == "C" and done["owner_name"] == "Priya Shah"
    ex = Explorer(team_ws, now=NOW)
    assert [f.contact["name"] for f in ex.followups(due_only=True).items] == ["Bob Kahn"]
    team_ws.set_cadence("ada@analytical.example", None, owner="priya@ourco.com")
    assert team_ws.cadence_overrides() == []
    with pytest.raises(UsageError, match="not on the team"):
        team_ws.set_cadence("Bob Kahn", "A", owner="Ada Lovelace")
    with pytest.raises(UsageError, match="no cadence bucket"):
        team_ws.set_cadence("Bob Kahn", "D")


def test_demo_followups_are_consistent(demo_ws_path):
    """Every relationship of the demo team: a team member and someone off the team; the status
    follows from days since and the bucket; due ones come first, most late first."""
    from graph.demo import DEMO_AS_OF
    from graph.explorer import Explorer

    with Explorer.open(demo_ws_path, now=DEMO_AS_OF) as ex:
        r = ex.followups()
        due = ex.followups(due_only=True, owner="Priya Shah")
    assert r.relationships > 500 and set(r.counts) == {"overdue", "due", "ok", "lapsed"}
    team = {"Priya Shah", "Marco Rossi", "Dana Kim", "Sam O'Neil"}
    order = {"overdue": 0, "due": 1, "ok": 2, "lapsed": 3}
    assert [order[f.status] for f in r.items] == sorted(order[f.status] for f in r.items)
    for f in r.items:
        assert f.owner["name"] in team and f.contact["name"] not in team
        assert f.every_days == {"A": 14, "B": 30, "C": 90}[f.bucket]
        if f.status == "ok":
            assert f.days_since < f.every_days
        elif f.status == "due":
            assert f.every_days <= f.days_since < 2 * f.every_days
        elif f.status == "overdue":
            assert 2 * f.every_days <= f.days_since <= min(365, 6 * f.every_days)
        if f.usual_interval_days is not None:
            x = f.usual_interval_days  # rounded to 0.1 day: either side of a boundary
            assert f.bucket in {nearest_bucket(x - 0.05), nearest_bucket(x + 0.05)} and f.touches >= 3
        assert f.channel in ("message", "email", "call", "meeting", "task")
    assert due.items and {f.owner["name"] for f in due.items} == {"Priya Shah"}
    assert all(f.status in ("due", "overdue") for f in due.items)
