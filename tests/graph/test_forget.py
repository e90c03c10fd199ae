"""Complete forget, and no message bodies anywhere (SECURITY.md, "Forget" and "No bodies").

`tiegraph forget WHO` must leave nothing that identifies the person, in any file tiegraph
writes: the workspace and its WAL and shared-memory files, the saved index beside it (and any
half-written copy of it), the Neo4j sync state beside it, exports made afterwards; and, once
``tiegraph sync neo4j`` has run, nothing on the Neo4j server. The tests search the bytes of
every file under the test's folder (tiegraph's temporary files are pointed there too) and
every property of every node and relationship on the server, for every identifier of the
person: each spelling of the name, the normalised name, emails, profile URL, phones and CRM
record ids. Before forgetting, the same search must find them (so it can).

Message bodies are never read into anything: a LinkedIn messages export and a mailbox whose
subjects and bodies hold unique markers are loaded, searched, exported, drawn and synced
through the command line, and no byte of any marker is anywhere afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.identity import norm_name
from graph.neo4j_store import (
    ListRows,
    _digest,
    _encode,
    _SyncState,
    forget_synced,
    sync_state_path,
)
from graph.viz import paths_graph, render_graph
from graph.workspace import Workspace
from tests.graph.bolt_server import MARKER, wipe

pytestmark = pytest.mark.timeout(240)


def run(*args: object) -> str:
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert r.exit_code == 0, (r.output, r.exception)
    return r.output


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder tiegraph writes into: the workspace, exports, and its temporary files."""
    folder = tmp_path / "work"
    (folder / "tmp").mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(folder / "tmp"))
    return folder


def identifiers(ws_path: Path, pid: int) -> list[str]:
    """Every identifier the workspace holds of person `pid`: each name as written and
    normalised, emails, profile URLs, phones, and CRM record ids long enough to be unique."""
    with Workspace.open(ws_path, readonly=True) as ws:
        rows = ws.sql("SELECT name, emails, linkedin, phones, ext_id FROM mentions WHERE person_id = ?", (pid,))
        keys = ws.sql("SELECT value FROM keys WHERE person_id = ? AND kind IN ('email', 'linkedin')", (pid,))
    found: set[str] = set()
    for name, emails, url, phones, ext in rows:
        found.update(x for x in (name, norm_name(name), url) if x)
        found.update(x for x in (emails or "").split("\n") + (phones or "").split("\n") if x)
        if ext and len(ext.split(":")[-1]) >= 10:
            found.add(ext.split(":")[-1])
    found.update(v for (v,) in keys)
    return sorted(found)


def files_holding(root: Path, needles: list[str]) -> dict[str, list[str]]:
    """Which files under `root` hold each needle (as UTF-8 bytes, ASCII case ignored)."""
    hits: dict[str, list[str]] = {}
    for f in sorted(root.rglob("*")):
        if not f.is_file():
            continue
        data = f.read_bytes().lower()
        for n in needles:
            if n.lower().encode() in data:
                hits.setdefault(n, []).append(str(f.relative_to(root)))
    return hits


def pick_person(ws_path: Path) -> int:
    """A contact (not on the team) whom several sources know, with an email, a LinkedIn
    profile, a phone and a CRM id, and whose names no one else's name, company or title
    contains (so that finding a name after `forget` could only be them): the first by id."""
    with Workspace.open(ws_path, readonly=True) as ws:
        rows = ws.sql(
            "SELECT p.id, p.name FROM people p WHERE NOT p.team "
            "AND EXISTS (SELECT 1 FROM keys k WHERE k.person_id = p.id AND k.kind = 'email') "
            "AND EXISTS (SELECT 1 FROM keys k WHERE k.person_id = p.id AND k.kind = 'linkedin') "
            "AND (SELECT count(DISTINCT import_id) FROM mentions m WHERE m.person_id = p.id) >= 3 "
            "AND EXISTS (SELECT 1 FROM mentions m WHERE m.person_id = p.id AND m.phones != '') "
            "ORDER BY p.id"
        )
        for pid, name in rows:
            clash = ws.sql(
                "SELECT 1 FROM mentions WHERE person_id != ?1 AND (name LIKE ?2 OR company LIKE ?2 "
                "OR title LIKE ?2) LIMIT 1",
                (pid, f"%{name}%"),
            )
            if not clash:
                return int(pid)
    raise AssertionError("no suitable person in the demo")


def targets_csv(path: Path, companies: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["company"])
        w.writerows([c] for c in companies)
    return path


def use_everything(ws_path: Path, work: Path, *, target: str, company: str) -> None:
    """What people do with a workspace, writing every file tiegraph writes: searches (which
    save the index), people and stats, batch exports as CSV and JSON Lines, the graph view."""
    out = json.loads(run("intro", target, "--team", "--json", "--workspace", ws_path))
    run("intro", company, "--company", "--team", "--workspace", ws_path)
    run("people", company, "--json", "--workspace", ws_path)
    run("stats", "--workspace", ws_path)
    run("reach", "--team", "--json", "--workspace", ws_path)
    targets = targets_csv(work / "targets.csv", [company, "Globex"])
    for ext in ("csv", "jsonl"):
        run("intros", "--targets", targets, "--out", work / f"intros.{ext}", "--team", "--workspace", ws_path)
    paths = out if isinstance(out, list) else out.get("nearest") or []
    (work / "graph.html").write_text(render_graph(paths_graph(paths)).html, encoding="utf-8")


# ---------------------------------------------------------------------- forget, in files
def test_forget_leaves_no_identifier_in_any_file(demo_ws_path, work):
    """Grace-like demo contact (LinkedIn, HubSpot and Salesforce all know her): after using
    the workspace, forgetting her, and using it again (searches, exports, the graph view),
    none of her identifiers is in any byte of any file; a half-written index copy a killed
    process left beside the workspace is gone too."""
    ws_path = work / "team.db"
    shutil.copy(demo_ws_path, ws_path)
    pid = pick_person(ws_path)
    needles = identifiers(ws_path, pid)
    with Workspace.open(ws_path, readonly=True) as ws:
        company = ws.person(pid).company
        email = ws.person(pid).emails[0]
    assert len(needles) >= 5 and company
    use_everything(ws_path, work, target=f"p{pid}", company=company)
    stale = work / ".team.db.index.tmpdead"  # what a process killed while saving leaves
    shutil.copytree(work / "team.db.index", stale)
    assert files_holding(work, needles)  # the search finds them while they are there

    done = json.loads(run("forget", email, "--yes", "--json", "--workspace", ws_path))
    assert done["forgotten"] == f"p{pid}" and done["neo4j_pending"] == []
    for f in ("intros.csv", "intros.jsonl", "graph.html", "targets.csv"):
        (work / f).unlink()  # made before forget: the user's own files, not tiegraph's to delete
    assert not stale.exists()
    use_everything(ws_path, work, target="Globex", company=company)

    assert files_holding(work, needles) == {}
    assert sorted(p.name for p in work.iterdir() if p.name.startswith("team.db")) == [
        "team.db", "team.db-shm", "team.db-wal", "team.db.index"]  # fmt: skip


def test_forget_an_owner_drops_the_keys_scoped_to_their_network(tmp_path):
    """A rep's name-only contacts are keyed to the rep's network by the rep's email
    (``ownername`` keys: "a bare name may attach within one owner's network"). Forgetting the
    rep removes those keys too, so the rep's email is nowhere in the file."""
    from graph.model import Interaction, Person

    path = tmp_path / "w.db"
    rep = "Quinn Vantablack <quinn.vantablack@ourco.example>"
    recs = [Person(name=f"Friend {i}") for i in range(5)]
    recs += [Interaction(Person(is_owner=True), p, "message") for p in recs[:5]]
    with Workspace.open(path) as ws:
        ws.import_records(recs, label="a", format="csv", digest="a", owner=rep)
        assert ws.sql("SELECT count(*) FROM keys WHERE kind = 'ownername'")[0][0] == 5
        ws.forget("quinn.vantablack@ourco.example")
        assert ws.sql("SELECT count(*) FROM keys WHERE kind = 'ownername'")[0][0] == 0
        assert len(ws.people()) == 5
    assert files_holding(tmp_path, ["quinn.vantablack@ourco.example", "Vantablack"]) == {}


def test_forget_keeps_only_opaque_keys_in_the_sync_state(tmp_path):
    """The sync state records a content hash of every row sent to Neo4j; a person's row hash
    is computed from their name, emails and profile URL. `forget_synced` overwrites their
    rows' hashes (people, positions, ties) and nothing else, keeps the opaque keys (so the
    next sync deletes them on the server), names the server, and leaves no byte of the old
    hashes in the file."""
    ws = tmp_path / "w.db"
    state = _SyncState(sync_state_path(ws), "bolt://127.0.0.1:7687/neo4j")
    people = ListRows([["p4", "Grace", "grace@x.example"], ["p5", "Bo", "bo@x.example"]])
    hashes = {people.key(i): _digest(_encode(people.row(i))) for i in range(len(people))}
    state.record("people", list(hashes.items()))
    state.record("positions", [("p4:9f1c", 11), ("p5:77aa", 12)])
    state.record("ties", [("p4|p9", 21), ("p1|p4", 22), ("p1|p40", 23), ("p40|p41", 24)])
    state.close()
    assert forget_synced(ws, 4) == ["bolt://127.0.0.1:7687/neo4j"]
    db = sqlite3.connect(sync_state_path(ws))
    got = dict(db.execute("SELECT kind || ' ' || key, hash FROM rows"))
    db.close()
    assert got == {"people p4": 0, "people p5": hashes["p5"], "positions p4:9f1c": 0,
                   "positions p5:77aa": 12, "ties p4|p9": 0, "ties p1|p4": 0, "ties p1|p40": 23,
                   "ties p40|p41": 24}  # fmt: skip
    old = hashes["p4"].to_bytes(8, "big", signed=True)
    for f in tmp_path.iterdir():
        assert old not in f.read_bytes(), f.name
    assert forget_synced(ws, 77) == []  # someone never synced
    assert forget_synced(tmp_path / "never-synced.db", 4) == []


# ---------------------------------------------------------------------- forget, on Neo4j
def server_values(store) -> str:  # noqa: ANN001 - a graph.neo4j_store.Neo4jStore
    """Every property value of every node and relationship on the server, as one text."""
    nodes = store.read(f"MATCH (n) WHERE NOT n:{MARKER} RETURN properties(n) AS p")
    rels = store.read("MATCH ()-[r]->() RETURN properties(r) AS p")
    return json.dumps([r["p"] for r in nodes + rels], ensure_ascii=False, default=str).lower()


@pytest.mark.slow
def test_forget_then_sync_leaves_no_identifier_on_neo4j_or_in_the_sync_state(
    demo_ws_path, work, store, bolt, monkeypatch
):
    """Sync the demo, forget the person: `tiegraph forget` says the server still holds them
    and that the next sync deletes them; after `tiegraph sync neo4j`, no property of any node
    or relationship on the server holds any of their identifiers, and no file beside the
    workspace (sync state included) does."""
    wipe(store)
    if bolt["falkordb_url"]:
        monkeypatch.setenv("FALKORDB_URL", bolt["falkordb_url"])
    conn = ["--uri", bolt["uri"]] + (["--user", bolt["user"], "--password", bolt["password"] or ""]
                                     if bolt["user"] else [])  # fmt: skip
    ws_path = work / "team.db"
    shutil.copy(demo_ws_path, ws_path)
    pid = pick_person(ws_path)
    needles = identifiers(ws_path, pid)
    with Workspace.open(ws_path, readonly=True) as ws:
        email = ws.person(pid).emails[0]
    run("sync", "neo4j", *conn, "--workspace", ws_path)
    on_server = server_values(store)
    assert [n for n in needles if n.lower() in on_server]  # there before forget

    monkeypatch.delenv("NEO4J_URI", raising=False)  # forget does not know the server
    r = CliRunner().invoke(cli, ["forget", email, "--yes", "--workspace", str(ws_path)])
    assert r.exit_code == 0, r.output
    assert f"forgot p{pid}" in r.output
    assert "still holds them: the next `tiegraph sync neo4j` deletes them there" in r.output
    report = json.loads(run("sync", "neo4j", *conn, "--workspace", ws_path, "--json"))
    assert report["mode"] == "incremental" and report["deleted"]["people"] == 1

    on_server = server_values(store)
    assert [n for n in needles if n.lower() in on_server] == []
    assert not store.read("MATCH (p:Person {id: $id}) RETURN p.id AS id", {"id": f"p{pid}"})
    assert sync_state_path(ws_path).exists()
    assert files_holding(work, needles) == {}
    wipe(store)


@pytest.mark.slow
def test_forget_deletes_from_the_synced_neo4j_at_once(demo_ws_path, work, store, bolt, monkeypatch):
    """When `forget` knows the server the workspace was synced to (--neo4j-uri or
    $NEO4J_URI), the person and their ties are gone from it when the command returns, with no
    `tiegraph sync neo4j` run by the user; nothing else on the server changes."""
    wipe(store)
    if bolt["falkordb_url"]:
        monkeypatch.setenv("FALKORDB_URL", bolt["falkordb_url"])
    monkeypatch.delenv("NEO4J_URI", raising=False)
    auth = ["--user", bolt["user"], "--password", bolt["password"] or ""] if bolt["user"] else []
    ws_path = work / "team.db"
    shutil.copy(demo_ws_path, ws_path)
    pid = pick_person(ws_path)
    needles = identifiers(ws_path, pid)
    run("sync", "neo4j", "--uri", bolt["uri"], *auth, "--workspace", ws_path)
    before = store.counts()
    assert [n for n in needles if n.lower() in server_values(store)]

    out = json.loads(run("forget", f"p{pid}", "--yes", "--workspace", ws_path, "--json",
                         "--neo4j-uri", bolt["uri"], *(f"--neo4j-{a[2:]}" if a.startswith("--") else a
                                                       for a in auth)))  # fmt: skip
    assert out["forgotten"] == f"p{pid}" and out["neo4j_pending"] == []
    assert out["neo4j_deleted"] and "neo4j_error" not in out
    assert [n for n in needles if n.lower() in server_values(store)] == []
    assert not store.read("MATCH (p:Person {id: $id}) RETURN p.id AS id", {"id": f"p{pid}"})
    assert store.counts()["people"] == before["people"] - 1
    # a later sync has nothing left to delete
    report = json.loads(run("sync", "neo4j", "--uri", bolt["uri"], *auth, "--workspace", ws_path, "--json"))
    assert report["deleted"]["people"] == 0
    assert files_holding(work, needles) == {}
    wipe(store)


def test_forget_reports_an_unreachable_neo4j_and_keeps_the_deletion_pending(demo_ws_path, tmp_path,
                                                                             monkeypatch):  # fmt: skip
    """A synced server that cannot be reached: the workspace forgets anyway, the message
    says what failed, and the sync state still holds what the next sync must delete."""
    ws_path = tmp_path / "team.db"
    shutil.copy(demo_ws_path, ws_path)
    pid = pick_person(ws_path)
    target = "bolt://127.0.0.1:9"
    state = _SyncState(sync_state_path(ws_path), target)  # as a sync to that server leaves it
    state.db.execute("INSERT INTO rows VALUES (?, 'people', ?, 12345)", (target, f"p{pid}"))
    state.db.close()
    monkeypatch.delenv("NEO4J_URI", raising=False)
    r = CliRunner().invoke(cli, ["forget", f"p{pid}", "--yes", "--workspace", str(ws_path),
                                 "--neo4j-uri", target])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert f"forgot p{pid}" in r.output
    assert "could not delete them from Neo4j: cannot reach Neo4j at" in r.output
    assert "still holds them: the next `tiegraph sync neo4j` deletes them there" in r.output
    with sqlite3.connect(sync_state_path(ws_path)) as db:
        assert db.execute("SELECT hash FROM rows WHERE key = ?", (f"p{pid}",)).fetchall() == [(0,)]
    with Workspace.open(ws_path, readonly=True) as ws:
        assert not ws.sql("SELECT 1 FROM people WHERE id = ?", (pid,))


# ---------------------------------------------------------------------- message bodies
BODY_MARKERS = ["BODYMARK-7q2x-subject", "BODYMARK-9k4w-content", "BODYMARK-3m8z-mail-subject",
                "BODYMARK-5t1v-mail-body", "BODYMARK-6h0c-draft"]  # fmt: skip


def linkedin_archive(path: Path) -> Path:
    """A LinkedIn data archive (zip) of Dana's: Connections.csv and a messages.csv (2024
    layout) whose SUBJECT and CONTENT cells carry the markers, with quotes, commas, line
    breaks and a draft among them."""
    header = ("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
              "DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT")  # fmt: skip
    me = ("Dana Rep", "https://www.linkedin.com/in/dana-rep")
    rows = []
    for i in range(12):
        other = (f"Contact Number{i}", f"https://www.linkedin.com/in/contact-number-{i}")
        a, b = (me, other) if i % 2 else (other, me)
        body = f'Hi, "{BODY_MARKERS[1]}" — see you,\nline two {i}'
        rows.append([f"2-c{i}==", "", a[0], a[1], b[0], b[1], f"2026-10-{1 + i:02d} 10:00:00 UTC",
                     f"{BODY_MARKERS[0]} {i}", body, "INBOX", "No", "No"])  # fmt: skip
    rows.append(["2-c0==", "", me[0], me[1], "Contact Number0", "https://www.linkedin.com/in/contact-number-0",
                 "2026-10-20 10:00:00 UTC", "", BODY_MARKERS[4], "DRAFT", "Yes", "No"])  # fmt: skip
    connections = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"] + [
        f"Contact,Number{i},https://www.linkedin.com/in/contact-number-{i},,Initrode,Analyst,01 Feb 2022"
        for i in range(12)
    ]
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("messages.csv", header + "\r\n" + buf.getvalue())
        z.writestr("Connections.csv", "\r\n".join(connections) + "\r\n")
    return path


def mailbox(path: Path) -> Path:
    """An mbox of Dana's: two mails whose subjects and bodies carry markers."""
    mails = []
    for i in range(2):
        mails.append(
            f"From dana@ourco.example Mon Oct 05 10:00:00 2026\n"
            f"From: Dana Rep <dana@ourco.example>\nTo: Contact Number{i} <contact{i}@initrode.example>\n"
            f"Date: Mon, 5 Oct 2026 10:0{i}:00 +0000\nMessage-ID: <m{i}@ourco.example>\n"
            f"Subject: {BODY_MARKERS[2]} {i}\n\n{BODY_MARKERS[3]} and the budget is secret.\n\n"
        )
    path.write_text("".join(mails), encoding="utf-8")
    return path


def test_message_bodies_and_subjects_are_stored_nowhere(work, tmp_path):
    """Load the archive and the mailbox with `tiegraph load`, then search, export (CSV and
    JSON Lines), list people, draw the graph: every marker is in the input files (outside the
    scanned folder) and in no byte of anything tiegraph wrote or printed."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    archive = linkedin_archive(inputs / "Basic_LinkedInDataExport_10-21-2026.zip")
    mail = mailbox(inputs / "dana.mbox")
    ws_path = work / "team.db"
    printed = run("load", archive, "--owner", "Dana Rep <dana@ourco.example>", "--workspace", ws_path)
    printed += run("load", mail, "--owner", "Dana Rep <dana@ourco.example>", "--workspace", ws_path, "--json")
    assert '"interactions": 2' in printed  # the mails were read (their headers)
    printed += run("intro", "Contact Number3", "--team", "--json", "--workspace", ws_path)
    printed += run("people", "--json", "--workspace", ws_path)
    printed += run("followups", "--json", "--workspace", ws_path)
    targets = targets_csv(work / "targets.csv", ["Initrode"])
    for ext in ("csv", "jsonl"):
        printed += run("intros", "--targets", targets, "--out", work / f"intros.{ext}", "--team",
                       "--workspace", ws_path)  # fmt: skip
    result = json.loads(run("intro", "Contact Number5", "--team", "--json", "--workspace", ws_path))
    (work / "graph.html").write_text(render_graph(paths_graph(result)).html, encoding="utf-8")

    with Workspace.open(ws_path, readonly=True) as ws:
        assert ws.stats()["interactions"] >= 14  # 12 messages, 2 mails (the draft is no interaction)
    assert files_holding(inputs, BODY_MARKERS[:4]).keys() == set(BODY_MARKERS[:4])
    assert files_holding(work, ["BODYMARK"]) == {}
    assert "bodymark" not in printed.lower()
