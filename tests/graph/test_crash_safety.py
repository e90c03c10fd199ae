"""Crash safety of `tiegraph load` (issue 8, item 2): SIGKILL at 20 random points of a large
import, and after each kill the workspace opens, passes ``PRAGMA integrity_check`` and holds
exactly the data of the last import that completed.

`tests/graph/test_workspace.py` kills one in-process import at a fixed point; this test runs
the real command line as a subprocess, as a user does, on a LinkedIn export large enough that
the kills land in every phase: start-up and reading the zip, the open write transaction
(parsing and inserting), the commit writing the WAL, and the checkpoint at close. The delays
are seeded and spread over the measured duration of one full import; before each kill a
probe notes whether the import held the write lock (so the test can insist that most kills
landed inside the transaction). Between kills, small exports that differ each time are
imported to completion, so "the last completed import" keeps changing.

The comparison is exact: row counts of every table and a digest of the people, mentions,
interactions, keys and companies tables, against the snapshot taken after the previous
successful import. A kill that comes after the commit (the import completed) is checked
against the same import replayed to completion on a copy of the workspace as it was before.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from graph.ingest import load_exports
from graph.workspace import Workspace
from loaders import open_units

# 20 kills, each after up to one import's duration, plus the replays: minutes on a busy machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

#: The large export: Connections.csv rows and messages.csv rows. About 5 s to import on one
#: core of a CI machine; the 20 kills then cost about a minute.
BIG_CONNECTIONS = 40_000
BIG_MESSAGES = 10_000
KILLS = 20
SEED = 20260308

#: Tables whose row counts are compared, and those whose content is digested (no timestamps:
#: a replayed import must give the same digest).
COUNTED = ("people", "mentions", "interactions", "keys", "companies", "positions", "imports",
           "merges", "skipped", "meta")  # fmt: skip
DIGESTED = ("people", "mentions", "interactions", "keys", "companies")


def tiegraph() -> list[str]:
    """The installed console script next to this Python, else the module."""
    script = Path(sys.executable).with_name("tiegraph")
    return [str(script)] if script.exists() else [sys.executable, "-m", "graph.cli"]


def _csv(header: list[str], rows: list[list[str]], preamble: str = "") -> bytes:
    buf = io.StringIO()
    buf.write(preamble)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


PREAMBLE = 'Notes:\n"When exporting your connection data, you may notice..."\n\n'
CONN_HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position",
               "Connected On"]  # fmt: skip
MSG_HEADER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
              "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER"]  # fmt: skip
OWNER = ("Priya Shah", "https://www.linkedin.com/in/priya-shah")


def big_linkedin_export(path: Path) -> Path:
    """A LinkedIn data export (zip): Profile, `BIG_CONNECTIONS` connections (1 in 50 with an
    email) at 3,000 companies, and `BIG_MESSAGES` messages with them, both directions."""
    rng = random.Random(SEED)
    conns = [[f"Member{i}", f"Family{i % 977}", f"https://www.linkedin.com/in/member-{i}",
              f"member{i}@example.org" if i % 50 == 0 else "", f"Company {i % 3000}",
              ("Engineer", "VP Sales", "CTO")[i % 3], f"{1 + i % 28:02d} May 20{10 + i % 15}"]
             for i in range(BIG_CONNECTIONS)]  # fmt: skip
    msgs = []
    for k in range(BIG_MESSAGES):
        i = rng.randrange(BIG_CONNECTIONS)
        them = (f"Member{i} Family{i % 977}", f"https://www.linkedin.com/in/member-{i}")
        a, b = (OWNER, them) if k % 2 else (them, OWNER)
        msgs.append([f"conv-{i}", "", a[0], a[1], b[0], b[1],
                     f"2025-{1 + k % 12:02d}-{1 + k % 28:02d} 10:{k % 60:02d}:00 UTC", "",
                     "never stored", "INBOX"])  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Profile.csv", _csv(["First Name", "Last Name", "Headline"],
                                       [["Priya", "Shah", "Account Executive"]]))
        z.writestr("Connections.csv", _csv(CONN_HEADER, conns, PREAMBLE))
        z.writestr("messages/messages.csv", _csv(MSG_HEADER, msgs))
    return path


def small_export(folder: Path, k: int) -> Path:
    """A small Connections.csv, different for each `k` (new people, one of them also in the
    large export, so identity resolution has work to do)."""
    rows = [[f"Small{k}", f"Person{j}", f"https://www.linkedin.com/in/small-{k}-{j}", "",
             f"Startup {k}", "Founder", "03 Feb 2026"] for j in range(25)]  # fmt: skip
    rows.append([f"Member{k}", f"Family{k % 977}", f"https://www.linkedin.com/in/member-{k}", "",
                 "Moved On Inc", "Advisor", "04 Feb 2026"])  # fmt: skip
    path = folder / f"Connections_{k:02d}.csv"
    path.write_bytes(_csv(CONN_HEADER, rows, PREAMBLE))
    return path


def snapshot(path: Path) -> dict[str, object]:
    """Open the workspace as the next command would, check its integrity, and return row
    counts of `COUNTED` and digests of `DIGESTED`."""
    with Workspace.open(path) as ws:
        assert ws.sql("PRAGMA integrity_check") == [("ok",)]
        out: dict[str, object] = {}
        for t in COUNTED:  # allow-listed names, no data in the SQL
            out[f"{t} rows"] = ws.sql(f"SELECT count(*) FROM {t}")[0][0]  # noqa: S608
        for t in DIGESTED:
            h = hashlib.sha256()
            for row in ws.cursor(f"SELECT * FROM {t} ORDER BY 1, 2, 3"):  # noqa: S608
                h.update(repr(tuple(row)).encode("utf-8", "surrogatepass"))
            out[f"{t} digest"] = h.hexdigest()
    return out


def import_small(path: Path, export: Path) -> None:
    with Workspace.open(path) as ws:
        result = load_exports(ws, [export], owner="Priya Shah <priya@ourco.example>")
    assert not result.errors and len(result.reports) == 1 and not result.reports[0].already


def copy_workspace(src: Path, dst: Path) -> None:
    """A consistent copy (SQLite's backup API: the WAL, if any, included)."""
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def write_lock_held(path: Path) -> bool:
    """Whether another connection holds the workspace's write lock right now (an import in
    its transaction); the probe takes the lock for an instant when it is free."""
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        db.execute("ROLLBACK")
        return False
    finally:
        db.close()


@pytest.fixture(scope="session")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_linkedin_export(tmp_path_factory.mktemp("big-export") / "Basic_LinkedInDataExport.zip")


def _load_cmd(export: Path, ws: Path, owner: str) -> list[str]:
    return [*tiegraph(), "load", str(export), "--workspace", str(ws), "--owner", owner, "--json"]


def test_sigkill_at_random_points_keeps_the_last_completed_import(tmp_path, big_export):
    rng = random.Random(SEED)
    # One full import, timed: the kills are spread over its duration.
    ref = tmp_path / "reference.db"
    t0 = time.monotonic()
    done = subprocess.run(_load_cmd(big_export, ref, "Priya Shah <priya@ourco.example>"),
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    duration = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    assert snapshot(ref)["people rows"] > BIG_CONNECTIONS

    ws = tmp_path / "team.db"
    smalls = tmp_path / "small"
    smalls.mkdir()
    import_small(ws, small_export(smalls, 0))
    last = snapshot(ws)
    in_transaction = completed = 0
    for k in range(1, KILLS + 1):
        # A new owner each time makes each attempt a new import (its digest includes the
        # owner), so an attempt that did complete is never mistaken for a repeat.
        owner = f"Rep {k} <rep{k}@ourco.example>"
        before = tmp_path / f"before-{k}.db"
        copy_workspace(ws, before)
        delay = rng.uniform(0.0, duration)
        proc = subprocess.Popen(_load_cmd(big_export, ws, owner), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            time.sleep(delay)
            in_transaction += write_lock_held(ws)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=60)

        (unit,) = open_units([big_export], owner=owner)
        with Workspace.open(ws) as w:
            finished = bool(w.sql("SELECT 1 FROM imports WHERE digest = ?", [unit.digest]))
        if finished:  # the kill came after the commit: compare with the import replayed
            completed += 1
            with Workspace.open(before) as replay:
                assert not load_exports(replay, [big_export], owner=owner).errors
            last = snapshot(before)
        before.unlink()
        assert snapshot(ws) == last, f"kill {k} after {delay:.2f}s of {duration:.2f}s"

        # A different small export imported to completion: the new "last completed".
        import_small(ws, small_export(smalls, k))
        now = snapshot(ws)
        assert now != last
        last = now

    # Most kills must have hit the open transaction, not start-up or exit.
    assert in_transaction >= KILLS // 2, (in_transaction, completed, duration)
