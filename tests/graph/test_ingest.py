"""Loading exports: the one loader of the CLI and the app, progress, demo, staged uploads."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from graph.cli import run_load
from graph.ingest import LoadProgress, load_demo, load_exports, safe_file_name, stage_uploads
from graph.workspace import Workspace

CONNECTIONS = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    'Ada,Lovelace,https://www.linkedin.com/in/ada,,"Analytical Engines, Ltd",CTO,03 Feb 2021\n'
    ",,,,,,04 Feb 2021\n"
    "Grace,Hopper,https://www.linkedin.com/in/grace,grace@navy.mil,US Navy,Rear Admiral,1 Jan 2020\n"
)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "Connections.csv"
    good.write_text(CONNECTIONS, encoding="utf-8")
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not an export\n")
    return good, bad


def test_a_bad_file_is_reported_and_the_good_one_loaded(tmp_path):
    """Connections.csv: Ada and Grace plus the owner are new people (3), each connection an
    interaction (2); the blank row on line 6 is skipped. notes.txt is no export: an error."""
    good, bad = _files(tmp_path)
    events: list[LoadProgress] = []
    with Workspace.open(tmp_path / "w.db") as ws:
        result = load_exports(
            ws, [str(bad), str(good)], owner="Me <me@x.com>", progress=events.append
        )
    (report,) = result.reports
    assert (report.people_new, report.interactions) == (3, 2)
    assert [(s.line, "blank" in s.reason) for s in report.skipped] == [(6, True)]
    (error,) = result.errors
    assert error.file == str(bad) and "not a known export" in error.reason
    assert events[0] == LoadProgress(str(good), "linkedin", 1, 1, 0, events[0].total)
    assert events[-2].done == report.records and events[-1].fraction == 1.0
    d = result.to_dict()
    assert d["errors"][0]["file"] == str(bad) and d["imports"][0]["people_new"] == 3


def test_the_cli_loader_is_the_library_loader(tmp_path):
    good, bad = _files(tmp_path)
    with Workspace.open(tmp_path / "a.db") as a, Workspace.open(tmp_path / "b.db") as b:
        lib = load_exports(a, [str(good), str(bad)], owner="Me <me@x.com>")
        reports, errors = run_load(
            b, [str(good), str(bad)], owner="Me <me@x.com>", show_progress=True
        )
        assert [r.to_dict() for r in reports] == [r.to_dict() for r in lib.reports]
        assert [str(e) for e in errors] == [str(e) for e in lib.errors]
        again = load_exports(a, [str(good)], owner="Me <me@x.com>")
        assert again.reports[0].already and a.generation == b.generation


def test_progress_fraction_counts_units_equally():
    ev = LoadProgress("x", "csv", index=2, units=4, done=50, total=100)
    assert ev.fraction == 0.375  # one unit done of four, half of the second: (1 + 0.5) / 4
    assert LoadProgress("x", "csv", 1, 1, 10, 0).fraction == 1.0
    assert LoadProgress("x", "csv", 1, 1, 500, 100).fraction == 1.0


def test_load_demo_reports_every_export_once(tmp_path):
    seen: list[tuple[int, int]] = []
    with Workspace.open(tmp_path / "d.db") as ws:
        result = load_demo(
            ws, folder=tmp_path / "exports", progress=lambda e: seen.append((e.index, e.units))
        )
        assert not result.errors and len(result.reports) == 6
        assert ws.stats()["team"] == 4
        again = load_demo(ws)
    assert all(r.already for r in again.reports)
    assert {u for _, u in seen} == {6} and sorted({i for i, _ in seen}) == [1, 2, 3, 4, 5, 6]
    assert len(list((tmp_path / "exports").iterdir())) == 6


def test_stage_uploads_keeps_every_file_inside_the_folder(tmp_path):
    root = tmp_path / "up"
    root.mkdir()
    names = ["../../etc/passwd", "/abs/Connections.csv", "C:\\\\x\\\\contacts.vcf", "..", "", "a/b/c.ics",
             "Connections.csv"]  # fmt: skip
    paths = stage_uploads([(n, n.encode()) for n in names], root)
    assert [p.name for p in paths] == ["passwd", "Connections.csv", "contacts.vcf", "upload", "upload",
                                       "c.ics", "Connections.csv"]  # fmt: skip
    for p, n in zip(paths, names, strict=True):
        assert p.resolve().parent.parent == root.resolve() and p.read_bytes() == n.encode()
    assert not (tmp_path / "etc").exists()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_safe_file_name_is_one_plain_component(name):
    out = safe_file_name(name)
    assert out and out not in (".", "..") and len(out) <= 120
    assert "/" not in out and "\\" not in out and os.sep not in out
    assert out.isascii() and not out.startswith(".")
