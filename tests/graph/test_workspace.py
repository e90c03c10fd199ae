"""The embedded workspace: atomic imports, idempotence, traceability, merges, forget."""

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from graph.errors import Ambiguous, LoadError, NotFound, StoreError
from graph.model import Interaction, Person, Provenance, Skipped
from graph.workspace import SCHEMA_VERSION, Workspace

OWNER = "Priya Shah <priya@ourco.com>"


def _connections(n, *, file="Connections.csv", start_line=5):
    me = Person(is_owner=True)
    for i in range(n):
        prov = Provenance("linkedin", file, start_line + i, OWNER)
        p = Person(name=f"Person {i:05d}", linkedin_url=f"https://www.linkedin.com/in/person-{i}",
                   company=f"Company {i % 50}", title="Engineer", provenance=prov)  # fmt: skip
        yield p
        yield Interaction(me, p, "connected", datetime(2024, 1, 1 + i % 28), directed=False, provenance=prov)


def _snapshot(path):
    db = sqlite3.connect(path)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("people", "mentions", "interactions", "keys", "imports", "merges", "companies")}  # fmt: skip
    finally:
        db.close()


def test_new_workspace_has_current_schema_and_wal(tmp_path):
    path = tmp_path / "w.db"
    Workspace.open(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE x (y)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a tiegraph workspace"):
        Workspace.open(path)


def test_missing_workspace_is_a_clear_message(tmp_path):
    with pytest.raises(NotFound, match="tiegraph load"):
        Workspace.open(tmp_path / "nope.db", readonly=True)


def test_import_is_traceable_to_file_and_line(ws):
    report = ws.import_records(_connections(3), label="Connections.csv", format="linkedin",
                               digest="a", owner=OWNER)  # fmt: skip
    assert report.people_new == 4 and report.interactions == 3  # 3 connections + the owner
    rows = ws.sql("SELECT m.file, m.line FROM mentions m JOIN people p ON p.id = m.person_id "
                  "WHERE p.name = 'Person 00002'")  # fmt: skip
    assert rows == [("Connections.csv", 7)]
    lines = ws.sql("SELECT file, line FROM interactions ORDER BY line")
    assert lines == [("Connections.csv", 5), ("Connections.csv", 6), ("Connections.csv", 7)]


def test_reimporting_the_same_content_changes_nothing(ws):
    ws.import_records(_connections(20), label="C.csv", format="linkedin", digest="same", owner=OWNER)
    before = _snapshot(ws.path)
    again = ws.import_records(_connections(20), label="C.csv", format="linkedin", digest="same", owner=OWNER)
    assert again.already and _snapshot(ws.path) == before


def test_newer_export_adds_only_new_evidence(ws):
    ws.import_records(_connections(20), label="old.csv", format="linkedin", digest="old", owner=OWNER)
    newer = ws.import_records(_connections(25), label="new.csv", format="linkedin", digest="new", owner=OWNER)
    assert newer.interactions == 5 and newer.interactions_repeated == 20
    assert ws.stats()["people"] == 26


def test_failure_mid_import_leaves_the_workspace_as_before(ws):
    ws.import_records(_connections(10), label="a.csv", format="linkedin", digest="a", owner=OWNER)
    before = _snapshot(ws.path)

    def broken():
        yield from _connections(500, file="b.csv")
        raise LoadError("cut off", file="b.csv", line=1005)

    with pytest.raises(LoadError):
        ws.import_records(broken(), label="b.csv", format="linkedin", digest="b", owner=OWNER)
    assert _snapshot(ws.path) == before
    assert ws.sql("PRAGMA integrity_check") == [("ok",)]


def test_killed_import_leaves_the_workspace_as_before(tmp_path):
    """SIGKILL a process half-way through a large import: the next open sees the old state."""
    path = tmp_path / "w.db"
    with Workspace.open(path) as w:
        w.import_records(_connections(50), label="a.csv", format="linkedin", digest="a", owner=OWNER)
    before = _snapshot(path)
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parents[2])!r})
        from tests.graph.test_workspace import _connections, OWNER
        from graph.workspace import Workspace
        ws = Workspace.open({str(path)!r})
        def records():
            for i, r in enumerate(_connections(200000, file="big.csv")):
                if i == 120000:
                    print("HALF", flush=True)
                    time.sleep(60)
                yield r
        ws.import_records(records(), label="big.csv", format="linkedin", digest="big", owner=OWNER)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "HALF"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    with Workspace.open(path) as w:
        assert w.sql("PRAGMA integrity_check") == [("ok",)]
        assert w.stats()["imports"] == 1
    assert _snapshot(path) == before


def test_skipped_rows_are_kept_with_file_and_line(ws):
    recs = [*_connections(2), Skipped("Connections.csv", 9, "blank member row")]
    report = ws.import_records(recs, label="C.csv", format="linkedin", digest="s", owner=OWNER)
    assert [str(s) for s in report.skipped] == ["Connections.csv:9: blank member row"]
    assert ws.stats()["skipped_rows"] == 1


def test_hostile_names_are_kept_unchanged(ws):
    names = ['<script>alert(1)</script>', '=HYPERLINK("http://x","y")', 'Ann "Nan" O\'Neil, Jr.\nPhD 🚀']
    recs = [Person(name=n, emails=(f"h{i}@x.com",)) for i, n in enumerate(names)]
    ws.import_records(recs, label="h.csv", format="csv", digest="h")
    assert sorted(p.name for p in ws.people()) == sorted(names)


def test_merge_unmerge_round_trip_and_stay_apart(ws):
    a = Person(name="Ann Lee", emails=("ann@acme.com",))
    b = Person(name="Ann Lee", linkedin_url="https://www.linkedin.com/in/ann-lee")
    ws.import_records([a, b], label="x", format="csv", digest="x")
    assert ws.stats()["people"] == 2
    with pytest.raises(Ambiguous):
        ws.find_person("Ann Lee")
    m = ws.merge("ann@acme.com", "https://linkedin.com/in/ann-lee")
    assert ws.stats()["people"] == 1 and m.reason == "merged by hand"
    merged = ws.person(ws.find_person("ann@acme.com"))
    assert merged.emails == ["ann@acme.com"] and merged.linkedin_url.endswith("/ann-lee")
    undone = ws.unmerge(f"m{m.id}")
    assert undone.undone and ws.stats()["people"] == 2
    # a later export linking both keys must not merge them again
    both = Person(name="Ann Lee", emails=("ann@acme.com",), linkedin_url="https://www.linkedin.com/in/ann-lee")
    ws.import_records([both], label="y", format="csv", digest="y")
    assert ws.stats()["people"] == 2


def test_automatic_merge_is_logged_with_its_reason(ws):
    ws.import_records([Person(name="Bo Chen", emails=("bo@x.com",))], label="a", format="csv", digest="a")
    ws.import_records([Person(name="Bo Chen", linkedin_url="linkedin.com/in/bochen")], label="b", format="csv", digest="b")
    r = ws.import_records([Person(name="Bo Chen", emails=("bo@x.com",), linkedin_url="linkedin.com/in/bochen")],
                          label="c", format="csv", digest="c")  # fmt: skip
    assert [m["reason"] for m in r.merges] == ["same LinkedIn profile"]
    assert ws.stats()["people"] == 1 and ws.merges()[0].reason == "same LinkedIn profile"


def test_forget_removes_every_trace_from_the_file(tmp_path):
    path = tmp_path / "w.db"
    secret = Person(name="Zebulon Quixote", emails=("zebulon.quixote@secret.example",),
                    linkedin_url="https://www.linkedin.com/in/zebulon-quixote-42")  # fmt: skip
    with Workspace.open(path) as w:
        w.import_records([*_connections(30), secret, Interaction(Person(is_owner=True), secret, "message", datetime(2025, 1, 1))],
                         label="a", format="linkedin", digest="a", owner=OWNER)  # fmt: skip
        from graph.build import index_path, load_index

        load_index(w)  # a derived index beside the workspace, which forget must remove too
        assert index_path(path).exists()
        done = w.forget("zebulon.quixote@secret.example")
        assert not index_path(path).exists()
        assert done["interactions"] == 1
        with pytest.raises(NotFound):
            w.find_person("Zebulon Quixote")
    for f in tmp_path.rglob("*"):
        if not f.is_file():
            continue
        data = f.read_bytes()
        for needle in (b"Zebulon", b"zebulon.quixote", b"zebulon-quixote-42", b"Quixote"):
            assert needle not in data, (f.name, needle)


# ---------------------------------------------------------------------- schema 2: cadence set by hand
def test_a_version_1_file_is_migrated_and_keeps_its_data(tmp_path, monkeypatch):
    """A workspace written at schema 1 (no cadence table) opens at the current version, read-only
    too (the upgrade runs through a short read-write connection), with every row kept."""
    import graph.workspace as wsmod

    path = tmp_path / "v1.db"
    with monkeypatch.context() as m:
        m.setattr(wsmod, "SCHEMA_VERSION", 1)
        with Workspace.open(path) as w:
            w.import_records(_connections(5), label="C.csv", format="linkedin", digest="a", owner=OWNER)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'cadence'").fetchall()
    db.close()
    before = _snapshot(path)
    with Workspace.open(path, readonly=True) as w:
        assert w.sql("PRAGMA user_version") == [(SCHEMA_VERSION,)] and SCHEMA_VERSION == 4
        assert w.cadence_overrides() == [] and w.stats()["people"] == 6
        assert w.sharing_rows() == [] and w.sharing_version == 0
    assert _snapshot(path) == before
    with Workspace.open(path) as w:
        w.set_cadence("Person 00001", "A")
        assert w.cadence_overrides() == [(0, w.find_person("Person 00001"), "A")]


def test_cadence_set_by_hand_follows_merges_and_is_forgotten(ws):
    a = Person(name="Ann Lee", emails=("ann@acme.com",))
    b = Person(name="Ann Lee", linkedin_url="https://www.linkedin.com/in/ann-lee")
    priya = Person(name="Priya Shah", emails=("priya@ourco.com",), team=True)
    ws.import_records([a, b, priya], label="x", format="csv", digest="x")
    gen = ws.generation
    ws.set_cadence("https://www.linkedin.com/in/ann-lee", "B", owner="priya@ourco.com")
    assert ws.generation == gen + 1
    kept = ws.merge("ann@acme.com", "https://www.linkedin.com/in/ann-lee")
    owner = ws.find_person("priya@ourco.com")
    assert ws.cadence_overrides() == [(owner, int(kept.kept[1:]), "B")]
    ws.forget("ann@acme.com")
    assert ws.cadence_overrides() == []


# ---------------------------------------------------------------------- schema 4: bulk imports
# A large import drops the interaction indexes, checks fingerprints against a set and builds
# the indexes again at the end (`_Importer._go_bulk`). These tests force that path with a tiny
# batch and check that it stores exactly what the row-by-row path stores.
_LI_NOTES = ('Notes:\n"When exporting your connection data, you may notice that some of the '
             'email addresses are missing."\n\n')  # fmt: skip
_LI_CONN_HEAD = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
_LI_CONN_ROWS = [
    'Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,"Analytical Engines, Ltd",CTO,03 Feb 2021\n',
    # two people, then a row that says they are one (same email, same profile): a merge
    "Chuck,Babbage,https://www.linkedin.com/in/chuck-b,charles@engines.example,Difference Co,,04 Feb 2021\n",
    "Charles,Babbage,https://www.linkedin.com/in/cbabbage,,Analytical Engines,Founder,04 Feb 2021\n",
    "Charles,Babbage,https://www.linkedin.com/in/cbabbage,charles@engines.example,Analytical Engines,Founder,04 Feb 2021\n",
    ',,,,,,05 Feb 2021\n',  # a blank member row
    '"Doe, Ph.D.",Jane,https://www.linkedin.com/in/jane-doe,,"Globex, Inc.","VP, Sales",06 Mar 2022\n',
    # the same person twice (a re-saved row), and a namesake at another company
    "Grace,Hopper,https://www.linkedin.com/in/grace-hopper,,Navy,Admiral,07 Apr 2022\n",
    "Grace,Hopper,https://www.linkedin.com/in/grace-hopper,,Navy,Admiral,07 Apr 2022\n",
    "Grace,Hopper,https://www.linkedin.com/in/grace-hopper-2,,Univac,Engineer,08 Apr 2022\n",
    "Zoë,Núñez,https://www.linkedin.com/in/zoe-nunez,zoe@example.org,Acme,,30 May 2024\n",
]
_LI_MSG_HEAD = ("CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
                "DATE,SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n")  # fmt: skip
_ME = "Alex Morgan,https://www.linkedin.com/in/alex-morgan"
_LI_MSG_ROWS = [
    f"c1,,{_ME},Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,2024-12-01 10:00:00 UTC,,Hi Ada,INBOX,No,No\n",
    f'c1,,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,Alex Morgan,https://www.linkedin.com/in/alex-morgan,2024-12-02 11:00:00 UTC,,"Hi,\nback",INBOX,No,No\n',
    f"c2,,{_ME},Charles Babbage,https://www.linkedin.com/in/cbabbage,2024-12-03 12:00:00 UTC,,draft,DRAFT,Yes,No\n",
    f'c3,Group,{_ME},"Ada Lovelace, Grace Hopper","https://www.linkedin.com/in/ada-lovelace, https://www.linkedin.com/in/grace-hopper",2024-12-04 13:00:00 UTC,,all,INBOX,No,No\n',
    # a sender who is no connection, and a row with a bad date
    "c4,,Dana Lee,https://www.linkedin.com/in/dana-lee,Alex Morgan,https://www.linkedin.com/in/alex-morgan,2024-12-05 14:00:00 UTC,,hello,INBOX,No,No\n",
    f"c1,,{_ME},Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,not a date,,x,INBOX,No,No\n",
]


def _li_export(path, conn_rows, msg_rows):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Profile.csv", "First Name,Last Name,Headline\nAlex,Morgan,VP Sales\n")
        z.writestr("Connections.csv", ("\ufeff" + _LI_NOTES + _LI_CONN_HEAD + "".join(conn_rows)).encode())
        z.writestr("messages.csv", (_LI_MSG_HEAD + "".join(msg_rows)).encode())
    return path


def _tables(path):
    """Every stored row that an import writes, timestamps of the import itself left out."""
    db = sqlite3.connect(path)
    cols = {"merges": "id, kept, merged, reason, key, import_id, mentions, undone",
            "imports": "id, label, format, digest, owner_id, records, skipped"}  # fmt: skip
    try:
        out = {t: db.execute(f"SELECT {cols.get(t, '*')} FROM {t} ORDER BY 1, 2").fetchall()  # noqa: S608
               for t in ("people", "mentions", "keys", "companies", "positions", "interactions",
                         "merges", "skipped", "apart", "imports")}  # fmt: skip
        out["indexes"] = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        return out
    finally:
        db.close()


def test_bulk_import_stores_exactly_what_the_row_by_row_import_stores(tmp_path, monkeypatch):
    """The same realistic LinkedIn export (BOM, preamble, quoted commas, missing emails, a blank
    member row, a duplicate row, namesakes, two people a later row merges, a draft, a group message, a multi-line body, a bad
    date), then a newer export that repeats it and adds rows, imported into two workspaces: one
    row by row, one through the bulk path (forced by a batch of 3). Every table is the same."""
    from graph.workspace import _Importer
    from loaders import open_units

    older = _li_export(tmp_path / "Basic_LinkedInDataExport_01-01-2025.zip", _LI_CONN_ROWS, _LI_MSG_ROWS)
    newer_conn = [*_LI_CONN_ROWS, "Linus,Torvalds,https://www.linkedin.com/in/torvalds,,Linux Foundation,Fellow,01 Jan 2025\n"]
    newer_msgs = [*_LI_MSG_ROWS, f"c5,,{_ME},Linus Torvalds,https://www.linkedin.com/in/torvalds,2025-01-02 09:00:00 UTC,,hi,INBOX,No,No\n"]  # fmt: skip
    newer = _li_export(tmp_path / "Basic_LinkedInDataExport_02-01-2025.zip", newer_conn, newer_msgs)
    owner = "Alex Morgan <alex@northwind.example>"
    bulk_calls = []
    go_bulk = _Importer._go_bulk

    def spy(self):
        bulk_calls.append(self.import_id)
        go_bulk(self)

    monkeypatch.setattr(_Importer, "_go_bulk", spy)
    reports = {}
    for mode, batch in (("rows", 20000), ("bulk", 3)):
        monkeypatch.setattr(_Importer, "BATCH", batch)
        with Workspace.open(tmp_path / f"{mode}.db") as w:
            reports[mode] = [
                w.import_records(u.records(), label=u.label, format=u.format, digest=u.digest,
                                 owner=owner).to_dict()
                for p in (older, newer) for u in open_units([p], owner=owner)
            ]  # fmt: skip
    assert bulk_calls == [1, 2]  # the bulk workspace took the bulk path in both imports
    assert reports["rows"] == reports["bulk"]
    first, second = reports["bulk"]
    assert first["interactions"] > 0 and first["skipped"] and len(first["merges"]) == 1, first["merges"]
    # the duplicate row, and the third Babbage row: both repeat a connection (same first key, day)
    assert first["interactions_repeated"] == 2
    assert second["interactions"] == 2  # Linus: connected, and a message
    assert second["interactions_repeated"] == first["interactions"] + 2
    rows, bulk = _tables(tmp_path / "rows.db"), _tables(tmp_path / "bulk.db")
    for table in rows:
        assert rows[table] == bulk[table], table
    assert {name for name, _ in bulk["indexes"]} >= {"interactions_fp", "interactions_a", "interactions_b"}


def test_bulk_import_skips_interactions_already_stored(tmp_path, monkeypatch):
    """A large import into a workspace that holds some of its interactions already (same
    fingerprints, under another digest) adds only the new ones, as the unique index would."""
    from graph.workspace import _Importer

    monkeypatch.setattr(_Importer, "BATCH", 4)
    with Workspace.open(tmp_path / "w.db") as w:
        w.import_records(_connections(5), label="C.csv", format="linkedin", digest="a", owner=OWNER)
        r = w.import_records(_connections(30), label="C2.csv", format="linkedin", digest="b", owner=OWNER)
        assert (r.interactions, r.interactions_repeated) == (25, 5)
        assert w.stats()["interactions"] == 30
        assert w.sql("SELECT count(DISTINCT fp) FROM interactions") == [(30,)]
        with pytest.raises(sqlite3.IntegrityError):  # the unique index is back
            w._db.execute("INSERT INTO interactions(a, b, kind, directed, group_size, import_id, fp) "
                          "SELECT a, b, kind, directed, group_size, import_id, fp FROM interactions LIMIT 1")  # fmt: skip


def test_a_version_3_file_keeps_its_interactions_and_their_uniqueness(tmp_path, monkeypatch):
    """Schema 4 moves the fingerprint uniqueness of interactions to a named index: a version-3
    file keeps every interaction (ids, fingerprints, provenance) and a repeated one is still
    not stored twice."""
    import graph.workspace as wsmod

    path = tmp_path / "v3.db"
    with monkeypatch.context() as m:
        m.setattr(wsmod, "SCHEMA_VERSION", 3)
        with Workspace.open(path) as w:
            w.import_records(_connections(6), label="C.csv", format="linkedin", digest="a", owner=OWNER)
    before = sqlite3.connect(path).execute("SELECT * FROM interactions ORDER BY id").fetchall()
    with Workspace.open(path) as w:
        assert w.sql("PRAGMA user_version") == [(4,)]
        assert w.sql("SELECT * FROM interactions ORDER BY id") == before and len(before) == 6
        names = {r[0] for r in w.sql("SELECT name FROM sqlite_master WHERE tbl_name = 'interactions' AND type = 'index'")}
        assert names == {"interactions_fp", "interactions_a", "interactions_b"}
        r = w.import_records(_connections(6), label="C.csv", format="linkedin", digest="b", owner=OWNER)
        assert (r.interactions, r.interactions_repeated) == (0, 6)
