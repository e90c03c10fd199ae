"""Concurrent use: the app and the CLI read while `tiegraph load` writes.

The promise (SECURITY.md, "Concurrent use"): while an import runs, every reader (the app, the
CLI, a script using `graph.explorer.Explorer`) gets an answer, never "database is locked", a
half-replaced saved index or an exception; and each answer is the workspace as it was before
the import or as it is after it, never a mix of the two. Why it holds: the workspace is in
WAL mode (readers never wait for the writer), every answer is computed inside one read
transaction (`Workspace.snapshot`), and the saved index beside the workspace is replaced by
renaming whole folders, checked with a stamp when read (`graph.build.save_index`).
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from graph.build import _ARRAYS, from_edges, index_path, read_index_files, save_index
from graph.demo import DEMO_OWNERS
from graph.explorer import Explorer

pytestmark = pytest.mark.timeout(240)

MESSAGES_HEADER = ["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                   "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER",
                   "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT"]  # fmt: skip
REP = DEMO_OWNERS[3]  # Sam O'Neil: (name, email, title, LinkedIn slug)
REP_SPEC = f"{REP[0]} <{REP[1]}>"
REP_URL = f"https://www.linkedin.com/in/{REP[3]}"
FILLER_PEOPLE, FILLER_MESSAGES = 5000, 40_000


def tiegraph(*args: object) -> list[str]:
    """The command line of the installed ``tiegraph`` console script (or its entry point)."""
    script = Path(sys.executable).with_name("tiegraph")
    head = [str(script)] if script.exists() else [sys.executable, "-c", "from graph.cli import main; main()"]
    return head + [str(a) for a in args]


def canonical(paths: object) -> str:
    """An answer as text that compares exactly (NaN equals NaN, key order fixed)."""
    return json.dumps(paths, sort_keys=True, ensure_ascii=False)


def explorer_answer(ws_path: Path, target: str) -> str:
    """What a thread of the app or a script gets: `Explorer.intro`, as the CLI prints it."""
    with Explorer.open(ws_path) as ex:
        result = ex.intro(target, team=True, k=3)
    return canonical(json.loads(json.dumps([p.to_dict() for p in result.paths], ensure_ascii=False)))


def pick_target(ws_path: Path) -> tuple[str, str, str]:
    """A contact with a LinkedIn profile whom the team reaches in two or more hops and whom
    `REP` does not know: (id, name, profile URL). The first such person by id, so the choice
    is the same on every run."""
    with Explorer.open(ws_path) as ex:
        index = ex.index()
        rep = index.node_of(ex.ws.find_person(REP[1]))
        rows = ex.ws.sql(
            "SELECT p.id, p.name, min(k.value) FROM people p JOIN keys k ON k.person_id = p.id "
            "AND k.kind = 'linkedin' WHERE NOT p.team GROUP BY p.id ORDER BY p.id"
        )
        for pid, name, url in rows:
            node = index.node_of(pid)
            if node is None or index.edge(rep, node) is not None:
                continue
            paths = ex.intro(f"p{pid}", team=True, k=3).paths
            if paths and paths[0].hops >= 2:
                return f"p{pid}", name, url
    raise AssertionError("the demo has no contact reached in two hops")


def write_messages(path: Path, target: tuple[str, str, str], *, seed: int = 3) -> None:
    """`REP`'s LinkedIn messages.csv (the 2024 layout): 40 recent messages both ways with the
    target, which gives `REP` a strong direct tie to them, and `FILLER_MESSAGES` messages
    with `FILLER_PEOPLE` new people, which make the import take a few seconds."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    rep = (REP[0], REP_URL)
    _, t_name, t_url = target

    def row(conv: str, a: tuple, b: tuple, days: float) -> list[str]:
        at = (now - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S UTC")
        return [conv, "", a[0], a[1], b[0], b[1], at, "", "Thanks!", "INBOX", "No", "No"]

    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(MESSAGES_HEADER)
        for i in range(40):
            a, b = (rep, (t_name, t_url)) if i % 2 else ((t_name, t_url), rep)
            w.writerow(row("2-target==", a, b, 1 + i * 1.5))
        for i in range(FILLER_MESSAGES):
            k = i % FILLER_PEOPLE
            other = (f"Filler Person {k}", f"https://www.linkedin.com/in/filler-person-{k}")
            a, b = (rep, other) if i % 2 else (other, rep)
            w.writerow(row(f"2-filler-{k}==", a, b, rng.uniform(1, 900)))


@dataclass
class Query:
    how: str
    started: float
    ended: float = 0.0
    answer: str | None = None
    error: str | None = None


@pytest.mark.slow
def test_fifty_queries_during_a_load_each_see_the_old_or_the_new_state(demo_ws_path, tmp_path):
    """30 threads (`Explorer.open(...).intro`, as the app's runs and scripts use it) and 20
    processes (`tiegraph intro --json`) ask for intros to the same target while `tiegraph
    load` imports a LinkedIn messages export that gives a rep a strong direct tie to the
    target: the load changes the answer. Half of the queries start while the import runs
    (spread over it), half the moment the load exits (all of them then find the saved index
    stale and rebuild and save it at once). Every query must answer, and its answer must
    equal exactly the answer before the load or the answer after it."""
    ws_path = tmp_path / "team.db"
    shutil.copy(demo_ws_path, ws_path)
    target = pick_target(ws_path)
    before = explorer_answer(ws_path, target[0])  # also saves the index of this state
    export = tmp_path / "messages.csv"
    write_messages(export, target)

    load = subprocess.Popen(tiegraph("load", export, "--owner", REP_SPEC, "--workspace", ws_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    started, ended = threading.Event(), threading.Event()
    load_end = [float("inf")]
    err: list[bytes] = []

    def watch() -> None:  # the CLI names the unit on stderr when its import starts
        while chunk := load.stderr.read1(4096):  # type: ignore[union-attr]
            err.append(chunk)
            if b"Loading" in b"".join(err):
                started.set()
        started.set()

    def wait_load() -> None:
        load.wait()
        load_end[0] = time.monotonic()
        ended.set()

    watcher, waiter = threading.Thread(target=watch), threading.Thread(target=wait_load)
    watcher.start()
    waiter.start()
    assert started.wait(60), "the load did not start"

    def in_thread(after_load: bool) -> Query:
        if not after_load:
            ended.wait(0.2 * random.random())  # spread over the import
        q = Query("thread", time.monotonic())
        q.answer = explorer_answer(ws_path, target[0])  # an exception fails the test below
        q.ended = time.monotonic()
        return q

    def in_process(after_load: bool) -> Query:
        q = Query("cli", time.monotonic())
        out = subprocess.run(tiegraph("intro", target[0], "--team", "-k", "3", "--json", "--workspace", ws_path),
                             capture_output=True, text=True, timeout=180)  # fmt: skip
        q.ended = time.monotonic()
        if out.returncode != 0 or out.stderr.strip():
            q.error = f"exit {out.returncode}: {out.stderr.strip()[-500:]}"
        else:
            q.answer = canonical(json.loads(out.stdout))
        return q

    with ThreadPoolExecutor(max_workers=6) as threads, ThreadPoolExecutor(max_workers=3) as procs:
        during = [threads.submit(in_thread, False) for _ in range(15)]
        during += [procs.submit(in_process, False) for _ in range(10)]
        assert ended.wait(180), "the load did not finish"
        later = [threads.submit(in_thread, True) for _ in range(15)]
        later += [procs.submit(in_process, True) for _ in range(10)]
        queries = [f.result() for f in during + later]
    waiter.join()
    watcher.join()
    assert load.returncode == 0, b"".join(err).decode(errors="replace")[-2000:]
    after = explorer_answer(ws_path, target[0])

    # the load changed the answer: REP now knows the target directly, and that path ranks first
    assert after != before
    top = json.loads(after)[0]
    assert [x["id"] for x in top["path"]] == [f"p{_pid(ws_path, REP[1])}", target[0]]

    failed = [q for q in queries if q.error]
    assert not failed, failed[:3]
    mixed = [q for q in queries if q.answer not in (before, after)]
    assert not mixed, [json.loads(q.answer or "null") for q in mixed[:1]]
    assert all(q.answer == after for q in queries[25:])  # started after the load had committed
    # and the test tested something: queries ran while the import was writing
    assert [q for q in queries if q.ended < load_end[0]], "no query finished before the load did"

    # the saved index is whole and current; no half-written copy is left beside it
    saved = read_index_files(index_path(ws_path))
    with Explorer.open(ws_path) as ex:
        assert saved.generation == ex.ws.generation
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _pid(ws_path: Path, who: str) -> int:
    with Explorer.open(ws_path) as ex:
        return ex.ws.find_person(who)


def test_saving_and_reading_the_index_at_once_never_mixes_two_indexes(tmp_path):
    """Four threads save one of two different indexes of the same workspace state to the same
    folder, 25 times each, while four threads read it 60 times each. Every read either fails
    cleanly (`OSError` or `ValueError`: the folder was being replaced; `load_index` then
    reads again or builds) or returns all arrays of one of the two indexes; at the end the
    folder holds one whole index and nothing half-written is left beside it."""
    rng = np.random.default_rng(5)
    a = from_edges(rng.integers(0, 300, 900), rng.integers(0, 300, 900), rng.random(900), n=300)
    b = from_edges(rng.integers(0, 500, 2000), rng.integers(0, 500, 2000), rng.random(2000), n=500)
    for x in (a, b):
        x.generation = 7
    folder = tmp_path / "ws.db.index"

    def arrays(x: object) -> dict:
        return {name: np.asarray(getattr(x, name)) for name in _ARRAYS}

    want = [arrays(a), arrays(b)]

    def same(got: dict, ref: dict) -> bool:
        return all(got[k].shape == ref[k].shape and np.array_equal(got[k], ref[k], equal_nan=True)
                   for k in _ARRAYS)  # fmt: skip

    def writer(i: int) -> None:
        for j in range(25):
            save_index(a if (i + j) % 2 else b, folder)

    outcomes: list[str] = []

    def reader() -> None:
        for _ in range(60):
            try:
                got = arrays(read_index_files(folder))
            except (OSError, ValueError):
                outcomes.append("retry")
                continue
            outcomes.append("a" if same(got, want[0]) else "b" if same(got, want[1]) else "MIXED")

    save_index(a, folder)
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert "MIXED" not in outcomes and len(outcomes) == 240
    assert {"a", "b"} & set(outcomes)
    final = arrays(read_index_files(folder))
    assert same(final, want[0]) or same(final, want[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.db.index"]


def test_an_index_of_an_older_state_never_replaces_a_newer_one(tmp_path):
    """A reader that built the index from a snapshot taken before an import (generation 3)
    must not overwrite the index another process saved after it (generation 4)."""
    idx = from_edges(np.array([0]), np.array([1]), np.array([0.5]), n=2)
    folder = tmp_path / "w.db.index"
    idx.generation = 4
    assert save_index(idx, folder)
    idx.generation = 3
    assert not save_index(idx, folder)
    assert read_index_files(folder).generation == 4
    assert sorted(os.listdir(tmp_path)) == ["w.db.index"]
