"""Change detection: two successive exports of the same source, on hand-made snapshots and on
the demo (Priya's LinkedIn archive exported again with a job move, a new title, a new and a
removed connection)."""

import io
import shutil
import zipfile
from datetime import date

import numpy as np
import pytest

from graph.build import from_edges
from graph.changes import Snapshot, diff_snapshots, hidden_edges, nodes_before, reach_changes
from graph.intro import Target

PRIYA = "Priya Shah <priya.shah@northwind-analytics.com>"
TARGETS = (b"company,title\nZeta Widgets,\nOmega Dynamics,\nIron Robotics,CFO\nGlobex,CFO\n"
           b"Nope Incorporated,\n")  # fmt: skip


def test_diff_compares_normalised_companies_and_ignores_missing_values():
    """Globex Inc. -> Globex is the same company; a company or title the newer export leaves
    blank is unknown, not a change; Acme -> Initech is a move; CTO -> cto is no new title."""
    old = Snapshot(1, "a.zip", "linkedin", None, "2026-01-01T00:00:00",
                   {1: ("Globex Inc.", "CFO"), 2: ("Acme", "CTO"), 3: ("Hooli", "Engineer"),
                    5: ("Pied Piper", "Engineer"), 6: ("Umbrella", "Analyst")})  # fmt: skip
    new = Snapshot(2, "b.zip", "linkedin", None, "2026-06-01T00:00:00",
                   {1: ("Globex", "CFO"), 2: ("Initech", "cto"), 4: ("Umbrella", "VP Sales"),
                    5: (None, None), 6: ("Umbrella", "Senior Analyst")})  # fmt: skip
    d = diff_snapshots(old, new)
    assert [(m.person["id"], m.after["company"]) for m in d.job_moves] == [("p2", "Initech")]
    assert [(m.person["id"], m.before["title"], m.after["title"]) for m in d.title_changes] == [
        ("p6", "Analyst", "Senior Analyst")]
    assert [p["id"] for p in d.new] == ["p4"] and [p["id"] for p in d.lost] == ["p3"]


def test_reach_changes_on_a_small_graph():
    """Rep 0. Before: 0-1 (0.8), 1-2 (0.5) with 2 at Acme; 3 at Hooli tied to 1. Now: a new tie
    0-4 (0.3) with 4 at Initech (new), and 2 moved from Acme to Hooli. Initech became
    reachable (the new tie); Acme lost its only person (moved away); Hooli was reachable
    through 3 before and still is (not listed)."""
    index = from_edges(np.array([0, 1, 1, 0]), np.array([1, 2, 3, 4]), np.array([0.8, 0.5, 0.5, 0.3]), n=5)
    hidden = hidden_edges(index, [(0, 4)], movers=[])
    assert hidden.tolist() == [index.edge(0, 4)]
    acme = Target("anyone at Acme", [], company="Acme")  # nobody there now
    hooli = Target("anyone at Hooli", [2, 3], company="Hooli")
    initech = Target("anyone at Initech", [4], company="Initech")
    state = {2: ("Acme", "CFO")}
    assert nodes_before(acme, state) == [2] and nodes_before(hooli, state) == [3]
    gained, lost = reach_changes(index, [0], [acme, hooli, initech], hidden=hidden, before_state=state)
    assert [(g.target, round(g.score, 3), g.why) for g in gained] == [
        ("anyone at Initech", 0.3, "1 new tie on the path")]
    assert [x.target for x in lost] == ["anyone at Acme"]


# ---------------------------------------------------------------------- the demo, exported twice
def _second_export(first: bytes) -> tuple[bytes, dict]:
    """Priya's archive again: Mei Chen moved to Omega Dynamics, Chen Cerf is now CFO, Zara Quinn
    at Zeta Widgets is a new connection, and one connection who appears nowhere else in the
    archive is gone."""
    z = zipfile.ZipFile(io.BytesIO(first))
    files = {n: z.read(n) for n in z.namelist()}
    others = files["messages.csv"] + files["Invitations.csv"]
    lines = files["Connections.csv"].decode().split("\n")
    head = next(i for i, line in enumerate(lines) if line.startswith("First Name,"))
    rows = lines[head + 1 :]
    assert rows[0].startswith("Mei,Chen,") and rows[1].startswith("Chen,Cerf,")
    rows[0] = rows[0].replace("Vandelay Industries Corp.", "Omega Dynamics")
    rows[1] = rows[1].replace("Business Analyst", "CFO")
    k = next(k for k in range(100, len(rows)) if rows[k].count(",") == 6 and rows[k].split(",")[2]
             and rows[k].split(",")[2].encode() not in others)  # fmt: skip
    gone = rows.pop(k)
    rows.insert(5, "Zara,Quinn,https://www.linkedin.com/in/zara-quinn-1,,Zeta Widgets,Head of Procurement,02 Nov 2026")
    files["Connections.csv"] = "\n".join(lines[: head + 1] + rows).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    first_name, last_name = gone.split(",")[:2]
    return buf.getvalue(), {"gone": f"{first_name} {last_name}"}


@pytest.fixture(scope="module")
def twice(demo_ws_path, demo_exports, tmp_path_factory):
    from graph.cli import run_load
    from graph.workspace import Workspace

    folder = tmp_path_factory.mktemp("twice")
    path = folder / "demo.db"
    shutil.copy(demo_ws_path, path)
    first, owner = demo_exports[0]
    assert owner == PRIYA
    data, facts = _second_export(first.read_bytes())
    newer = folder / "Basic_LinkedInDataExport_01-15-2027.zip"
    newer.write_bytes(data)
    with Workspace.open(path) as ws:
        reports, errors = run_load(ws, [str(newer)], owner=PRIYA, show_progress=False)
    assert not errors and reports[0].people_new == 1
    (folder / "targets.csv").write_bytes(TARGETS)
    return path, facts, folder


def _rows():
    from loaders.targets import parse_targets

    return list(parse_targets(TARGETS, file="targets.csv"))


def test_two_exports_of_one_source_show_what_changed(twice):
    from graph.explorer import Explorer

    path, facts, _ = twice
    with Explorer.open(path) as ex:
        r = ex.changes()
    (src,) = r.sources
    assert src.source == "linkedin of Priya Shah" and src.after["file"].endswith("01-15-2027.zip")
    assert [(m.person["name"], m.before["company"], m.after["company"]) for m in src.job_moves] == [
        ("Mei Chen", "Vandelay Industries Corp.", "Omega Dynamics")]
    assert [(m.person["name"], m.before["title"], m.after["title"]) for m in src.title_changes] == [
        ("Chen Cerf", "Business Analyst", "CFO")]
    assert [p["name"] for p in src.new] == ["Zara Quinn"]
    assert [p["name"] for p in src.lost] == [facts["gone"]]
    assert len(r.first_imports) == 5 and r.targets is None  # the other sources were loaded once
    assert r.totals() == {"job_moves": 1, "title_changes": 1, "new": 1, "lost": 1,
                          "newly_reachable": 0, "no_longer_reachable": 0}  # fmt: skip


def test_targets_that_became_reachable(twice):
    """Zeta Widgets: only Zara, a new connection; Omega Dynamics: only Mei, who moved there
    (Priya and Mei wrote to each other for years); Iron Robotics had no CFO before Chen Cerf's
    new title; Globex's CFO was reachable before and after; Nope Incorporated is unknown."""
    from graph.explorer import Explorer

    path, _, _ = twice
    with Explorer.open(path) as ex:
        r = ex.changes(targets=_rows(), team=True)
    got = {c.target: (c.path[-1]["name"], c.why) for c in r.reachable}
    assert got == {
        "anyone at Zeta Widgets": ("Zara Quinn", "1 new tie on the path"),
        "anyone at Omega Dynamics": ("Mei Chen", "moved there: Mei Chen"),
        "CFO at Iron Robotics Corp.": ("Chen Cerf", "new title: Chen Cerf"),
    }
    assert r.unreachable == [] and r.targets == 5
    assert [u["target"] for u in r.unknown_targets] == ["Nope Incorporated"]


def test_since_a_date(twice):
    from graph.explorer import Explorer

    path, _, _ = twice
    with Explorer.open(path) as ex:
        assert ex.changes(since=date(2999, 1, 1)).sources == []
        r = ex.changes(since=date(2000, 1, 1))  # every import is newer: the first is the baseline
    assert [len(s.job_moves) for s in r.sources] == [1] and len(r.first_imports) == 5
