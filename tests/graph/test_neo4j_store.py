"""The Neo4j store against a real Bolt server: sync, idempotence, forget, resumable failures,
hostile names, and answers equal to the embedded engine's on the demo data.

Which server: see ``tests/graph/bolt_server.py`` (the ``bolt`` and ``store`` fixtures are in
``tests/graph/conftest.py``, shared with the other modules that need a server). The tests wipe
the database: they refuse a server whose database holds data they did not make. Tests of what
only real Neo4j has (named constraints, authentication, rollback) carry the ``neo4j`` marker
and are skipped unless ``NEO4J_URI`` points at a real Neo4j.
"""

from __future__ import annotations

import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from graph.cli import cli
from graph.demo import DEMO_AS_OF
from graph.errors import NotFound, StoreError, UsageError
from graph.explorer import Explorer
from graph.intro import top_paths
from graph.model import Interaction, Person, Provenance
from graph.neo4j_store import (
    COMPANY_FIELDS,
    PERSON_FIELDS,
    POSITION_FIELDS,
    TIE_FIELDS,
    Neo4jConfig,
    Neo4jStore,
    _chunks,
    _evidence,
    _resp,
    _SyncState,
    name_key,
    sync_state_path,
    workspace_sync_data,
)
from graph.reach import widest_paths
from graph.workspace import Workspace
from tests.graph import bolt_server as _bolt

pytestmark = pytest.mark.timeout(180)

SERVER = _bolt.SERVER
MARKER = _bolt.MARKER
_free_port, _start_private, _open, wipe = (
    _bolt.free_port, _bolt.start_private, _bolt.open_store, _bolt.wipe)  # fmt: skip

#: Names that break string-built queries, terminals and naive escaping.
HOSTILE = [
    "O'Brien",
    'Zoë "Z" Ångström 🚀',
    "back\\slash \\' \\\\",
    "x' RETURN 1 //",
    "'}) MATCH (n) DETACH DELETE n //",
    "$rows {id: 1}",
    "`tick` \"both\" 'quotes'",
    "line\nbreak\ttab",
    "中文 名字 ünïcödé",
    "=HYPERLINK(\"http://x\")",
]


def snapshot(store: Neo4jStore) -> dict:
    """Everything the server holds about people, companies, ties and positions."""
    def clean(d: dict) -> dict:
        return {k: v for k, v in dict(d).items() if k != "sync_run"}

    return {
        "people": {r["id"]: clean(r["props"]) for r in store.read(
            "MATCH (p:Person) RETURN p.id AS id, properties(p) AS props")},
        "companies": {r["id"]: clean(r["props"]) for r in store.read(
            "MATCH (c:Company) RETURN c.id AS id, properties(c) AS props")},
        "ties": {(r["a"], r["b"]): clean(r["props"]) for r in store.read(
            "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, properties(k) AS props")},
        "positions": {r["key"]: clean(r["props"]) for r in store.read(
            "MATCH (:Person)-[w:WORKS_AT]->(:Company) RETURN w.key AS key, properties(w) AS props")},
    }  # fmt: skip


def ties_and_strengths(store: Neo4jStore) -> dict:
    """A cheaper look at the ties: their ends and strengths."""
    return {(r["a"], r["b"]): r["s"] for r in store.read(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, k.strength AS s")}  # fmt: skip


def expected(data) -> dict:
    """What `snapshot` must show after syncing `data` (nulls are absent on the server)."""
    def props(fields, row, skip=0):
        return {f: v for f, v in zip(fields[skip:], row[skip:], strict=True) if v is not None}

    rows = lambda r: [r.row(i) for i in range(len(r))]
    ties = {}
    for row in rows(data.ties):
        ties[(row[0], row[1])] = {**props(TIE_FIELDS, row, 2), "model_version": data.model_version}
    return {
        "people": {r[0]: props(PERSON_FIELDS, r) for r in rows(data.people)},
        "companies": {r[0]: props(COMPANY_FIELDS, r) for r in rows(data.companies)},
        "ties": ties,
        "positions": {r[0]: {k: v for k, v in props(POSITION_FIELDS, r).items()
                             if k not in ("person", "company")} for r in rows(data.positions)},
    }  # fmt: skip


# ---------------------------------------------------------------------- workspaces
@pytest.fixture(scope="module")
def demo(demo_ws_path, tmp_path_factory) -> Path:
    """A copy of the demo workspace this module may change (sync state, forget)."""
    dst = tmp_path_factory.mktemp("neo4j-demo") / "demo.db"
    shutil.copy(demo_ws_path, dst)
    return dst


@pytest.fixture
def synced(store, demo) -> Neo4jStore:
    """The server holding the demo copy as of `DEMO_AS_OF` (a no-op when it already does)."""
    with Workspace.open(demo, readonly=True) as ws:
        store.sync(ws, now=DEMO_AS_OF)
    return store


def hostile_workspace(path: Path) -> Path:
    """Mia (the rep) knows ten people with hostile names at hostile companies; each of them
    knows the next one (a chain), so there are paths of every length."""
    me = Person(name="Mia Rep", emails=("mia@ourco.com",), is_owner=True)
    people = [Person(name=n, company=f"{n} Corp", title=f"VP {n}", emails=(f"h{i}@hostile.example",),
                     linkedin_url=f"https://www.linkedin.com/in/hostile-{i}") for i, n in enumerate(HOSTILE)]  # fmt: skip
    now = datetime(2026, 11, 1)
    recs: list = [me, *people]
    for i, p in enumerate(people):
        if i % 3 == 0:
            recs.append(Interaction(me, p, "connected", now - timedelta(days=400 + i), directed=False,
                                    provenance=Provenance("linkedin", "Connections.csv", 5 + i)))  # fmt: skip
        if i + 1 < len(people):
            recs += [Interaction(p, people[i + 1], "message", now - timedelta(days=3 * j + i),
                                 provenance=Provenance("linkedin", "messages.csv", 100 + 10 * i + j))
                     for j in range(1 + i % 4)]  # fmt: skip
    with Workspace.open(path) as ws:
        ws.import_records(recs, label="hostile", format="linkedin", digest=f"hostile-{path}", owner="Mia Rep <mia@ourco.com>")
    return path


# ---------------------------------------------------------------------- no server needed
def test_config_arguments_beat_environment_and_a_uri_is_required(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "neo4j://env:7687")
    monkeypatch.setenv("NEO4J_USER", "envuser")
    monkeypatch.setenv("NEO4J_PASSWORD", "envpw")
    monkeypatch.setenv("NEO4J_DATABASE", "sales")
    c = Neo4jConfig.from_env("bolt://arg:7688", None, "argpw")
    assert (c.uri, c.user, c.password, c.database) == ("bolt://arg:7688", "envuser", "argpw", "sales")
    assert c.target == "bolt://arg:7688/sales" and "argpw" not in repr(c)
    monkeypatch.delenv("NEO4J_URI")
    with pytest.raises(UsageError, match="NEO4J_URI"):
        Neo4jConfig.from_env()


def test_batches_respect_rows_and_bytes():
    """Items are (row, hash, bytes); 10 rows of 100 bytes (102 with separators) under 350
    bytes make batches of 3, 3, 3, 1; with at most 2 rows, five batches of 2."""
    items = [(i, 0, 100) for i in range(10)]
    size = lambda it: it[2]  # noqa: E731
    assert [len(b) for b in _chunks(items, 1000, 350, size)] == [3, 3, 3, 1]
    assert [len(b) for b in _chunks(items, 2, 10**6, size)] == [2] * 5
    assert [len(b) for b in _chunks([(0, 0, 10**6)], 5, 100, size)] == [1]  # one big row still goes


def test_tie_evidence_is_oriented_along_the_path():
    """A KNOWS from p3 to p7 with 5 messages p3 -> p7 and 2 back, read from p7's side,
    has 2 out and 5 back; its context bits name a LinkedIn connection."""
    from graph.build import CONTEXT_BITS

    props = {"n_ab": 5, "n_ba": 2, "n_message": 7, "ctx": CONTEXT_BITS["linkedin"], "first": 0.0}
    fwd, back = _evidence(props, forward=True), _evidence(props, forward=False)
    assert (fwd.n_ab, fwd.n_ba, back.n_ab, back.n_ba) == (5, 2, 2, 5)
    assert fwd.counts == {"message": 7} and set(fwd.contexts) == {"linkedin"}
    assert fwd.first == datetime(1970, 1, 1)


def test_tie_hashes_change_with_any_field_and_only_for_that_tie(tmp_path):
    """The per-tie hashes that decide what a sync sends: the same for the same data (and
    model version), different for tie 3 alone when any one of its fields changes."""
    import dataclasses

    with Workspace.open(hostile_workspace(tmp_path / "ws.db"), readonly=True) as ws:
        ties = workspace_sync_data(ws, now=datetime(2026, 11, 1)).ties
    idx, h0 = ties.index, ties.hashes("w1")
    assert len(set(h0.tolist())) == len(ties) == 13
    assert ties.hashes("w1").tolist() == h0.tolist() and (ties.hashes("w2") != h0).all()
    for field, bump in [("strength", 1e-12), ("components", 1e-3), ("n_ab", 1), ("n_broadcast", 1),
                        ("first", 1.0), ("last_personal", np.nan), ("ctx", 4), ("ctx_value", 0.1),
                        ("counts", 1)]:  # fmt: skip
        arr = np.array(getattr(idx, field), copy=True)
        if np.isnan(bump):  # "never" <-> a day
            arr[3] = 20000.0 if np.isnan(arr[3]) else np.nan
        else:
            arr[3] = arr[3] + bump
        h = type(ties)(dataclasses.replace(idx, **{field: arr}), ties.names).hashes("w1")
        assert (h != h0).tolist() == [i == 3 for i in range(len(ties))], field


def test_name_key_folds_ascii_only_like_sqlite_nocase():
    assert name_key("José ÁLVAREZ") == "josé Álvarez"


def test_server_down_is_a_clear_error(tmp_path):
    port = _free_port()
    with pytest.raises(StoreError, match=f"cannot reach Neo4j at bolt://127.0.0.1:{port}/"):
        Neo4jStore.open(f"bolt://127.0.0.1:{port}", retry_seconds=0)
    r = CliRunner().invoke(cli, ["intro", "Globex", "--store", "neo4j", "--neo4j-uri", f"bolt://127.0.0.1:{port}"])
    assert r.exit_code != 0 and isinstance(r.exception, StoreError)
    ws = hostile_workspace(tmp_path / "ws.db")
    from graph.cli import main

    with pytest.raises(SystemExit) as e:
        main(["sync", "neo4j", "--uri", f"bolt://127.0.0.1:{port}", "--workspace", str(ws), "--json"])
    assert e.value.code == StoreError.exit_code
    assert not sync_state_path(ws).exists()  # nothing recorded: nothing was sent


# ---------------------------------------------------------------------- the demo, synced
@pytest.mark.slow
def test_sync_pushes_the_whole_workspace_and_a_second_sync_writes_nothing(store, demo):
    """First sync of a fresh copy: every row is sent (a full sync); the server then holds
    exactly the workspace's rows; a second sync finds nothing changed and sends nothing."""
    wipe(store)
    with Workspace.open(demo, readonly=True) as ws:
        data = workspace_sync_data(ws, now=DEMO_AS_OF)
        seen: list[tuple[int, int]] = []
        first = store.sync(ws, now=DEMO_AS_OF, progress=lambda d, t: seen.append((d, t)))
        n_people = ws.stats()["people"]
    assert first.mode == "full" and first.deleted == {"companies": 0, "people": 0, "positions": 0, "ties": 0}
    assert first.upserted == {"companies": len(data.companies), "people": len(data.people),
                              "positions": len(data.positions), "ties": len(data.ties)}  # fmt: skip
    assert len(data.people) == n_people > 1500 and len(data.ties) > 2000
    total = sum(first.upserted.values())
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) == first.batches + 1
    snap = snapshot(store)
    assert snap == expected(data)
    assert store.counts() == {"people": len(data.people), "companies": len(data.companies),
                              "ties": len(data.ties), "positions": len(data.positions)}  # fmt: skip
    with Workspace.open(demo, readonly=True) as ws:
        second = store.sync(ws, now=DEMO_AS_OF)
    assert second.mode == "incremental" and second.rows_written == 0 and second.batches == 0
    assert second.unchanged == first.upserted
    assert ties_and_strengths(store) == {k: v["strength"] for k, v in snap["ties"].items()}
    meta = store.meta(refresh=True)
    assert meta["model_version"] == data.model_version and meta["complete"] is True


DEMO_QUERIES = [
    ("Globex", {"title": "CFO", "team": True}),
    ("Globex", {"company": True, "team": True, "k": 8}),
    ("Globex", {"title": "CFO", "sources": ("Priya Shah",), "max_hops": 2}),
]


def _same(a, b) -> None:
    """Two `IntroResult`s say the same: paths, scores, ties, explanations, messages (the
    evidence of a tie differs by design: source rows vs. counts)."""
    assert a.message == b.message and a.target.to_dict() == b.target.to_dict()
    assert a.sources == b.sources and a.model_version == b.model_version
    assert len(a.paths) == len(b.paths) and len(a.nearest) == len(b.nearest)
    for p, q in zip(a.paths + a.nearest, b.paths + b.nearest, strict=True):
        dp, dq = p.to_dict(), q.to_dict()
        for d in (dp, dq):
            for t in d["ties"]:
                t.pop("evidence")
        assert dp == dq


def test_intro_from_neo4j_equals_the_embedded_engine_on_the_demo(synced, demo):
    """The same targets asked of both stores: the same ranked paths, scores, explanations;
    for 30 random people (from the team, and from one rep) as well as for the demo's CFO
    and company targets."""
    rng = random.Random(7)
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        pids = [r[0] for r in ex.ws.sql("SELECT id FROM people WHERE team = 0 ORDER BY id")]
        queries = list(DEMO_QUERIES)
        queries += [(f"p{p}", {"team": True}) for p in rng.sample(pids, 20)]
        queries += [(f"p{p}", {"sources": ("Marco Rossi",), "k": 3}) for p in rng.sample(pids, 10)]
        answered = 0
        for target, kw in queries:
            a = ex.intro(target, **kw)
            b = synced.intro(target, **kw)
            _same(a, b)
            answered += bool(a.paths)
    assert answered >= 25


def test_raw_top_paths_equal_the_embedded_engine(synced, demo):
    """`top_paths` without an introducer cap and through sources, at 1, 2 and 3 hops, for
    random source sets and targets: the same nodes and scores as `graph.intro.top_paths`."""
    rng = random.Random(11)
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        index = ex.index()
        pid = lambda i: int(index.pids[i])
        withties = np.flatnonzero(np.diff(index.indptr) > 0).tolist()
        for trial in range(12):
            S = rng.sample(withties, 1 + trial % 4)
            T = rng.sample(withties, 1 + trial % 3)
            hops, k = 1 + trial % 3, 3 + trial % 5
            want = top_paths(index, S, T, k=k, max_hops=hops, per_introducer=None)
            got = synced.top_paths([pid(s) for s in S], [pid(t) for t in T], k=k, max_hops=hops)
            assert [tuple(pid(n) for n in r.nodes) for r in want] == [r.nodes for r in got]
            assert [r.score for r in want] == pytest.approx([r.score for r in got], rel=1e-12)


def test_reach_counts_from_cypher_equal_widest_paths(synced, demo):
    """People at exactly h hops = reached within h hops minus within h-1 (widest_paths gives,
    per hop limit, the best bottleneck; a person is reached over ties >= m when it is >= m)."""
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        index = ex.index()
        for who, team, m in [((), True, 0.0), ((), True, 0.2), (("Priya Shah",), False, 0.0)]:
            src = ex.sources(who, team=team)
            B = widest_paths(index, src, max_hops=3)
            B[:, src] = 0
            within = [int(((B[h] >= m) & (B[h] > 0)).sum()) for h in range(3)]
            want = {1: within[0], 2: within[1] - within[0], 3: within[2] - within[1]}
            assert synced.reach_counts(who, team=team, min_strength=m) == want
            assert want[1] > 0


def test_cli_sync_and_intro_from_neo4j(synced, demo, bolt, monkeypatch):
    """`tiegraph sync neo4j` (nothing left to do) and `tiegraph intro --store neo4j` print
    what the library returns; the JSON paths equal the embedded command's."""
    if bolt["falkordb_url"]:
        monkeypatch.setenv("FALKORDB_URL", bolt["falkordb_url"])
    conn = ["--neo4j-uri", bolt["uri"]] + (["--neo4j-user", bolt["user"], "--neo4j-password", bolt["password"] or ""]
                                            if bolt["user"] else [])  # fmt: skip
    r = CliRunner().invoke(cli, ["intro", "Globex", "--title", "CFO", "--team", "--store", "neo4j", *conn])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Warm intros to CFO at Globex") and "#1  score" in r.output
    import json

    got = json.loads(CliRunner().invoke(cli, ["intro", "Globex", "--title", "CFO", "--team", "--store", "neo4j",
                                              *conn, "--json"]).output)  # fmt: skip
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        want = [p.to_dict() for p in ex.intro("Globex", title="CFO", team=True).paths]
    for d in got + want:
        for t in d["ties"]:
            t.pop("evidence")
    assert got == want
    r = CliRunner().invoke(cli, ["intro", "Globex", "--store", "neo4j", "--why-not", "Priya Shah", *conn])
    assert r.exit_code != 0 and isinstance(r.exception, UsageError)


def test_forget_removes_the_person_and_their_ties_from_neo4j(synced, demo):
    """Forget the CFO the demo's first intro reaches: the next sync deletes her node and
    exactly her ties (and positions); the answers still equal the embedded engine's."""
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        cfo = ex.intro("Globex", title="CFO", team=True).paths[0].path[-1]
        node = ex.index().node_of(int(cfo["id"][1:]))
        degree = ex.index().degree(node)
    before = synced.counts()
    with Workspace.open(demo) as ws:
        ws.forget(cfo["id"])
    with Workspace.open(demo, readonly=True) as ws:
        report = synced.sync(ws, now=DEMO_AS_OF)
    assert report.mode == "incremental" and report.deleted["people"] == 1
    assert report.deleted["ties"] >= degree  # her ties, and colleague ties her leaving undid
    assert not synced.read("MATCH (p:Person {id: $id}) RETURN p.id AS id", {"id": cfo["id"]})
    assert not synced.read("MATCH (p:Person)-[k:KNOWS]-(q:Person) WHERE p.id = $id RETURN q.id AS id",
                           {"id": cfo["id"]})  # fmt: skip
    after = synced.counts()
    assert after["people"] == before["people"] - 1
    assert after["ties"] == report.unchanged["ties"] + report.upserted["ties"]  # = the workspace's
    with pytest.raises(NotFound):
        synced.resolve_target(cfo["id"])
    with Explorer.open(demo, now=DEMO_AS_OF) as ex:
        _same(ex.intro("Globex", title="CFO", team=True), synced.intro("Globex", title="CFO", team=True))


# ---------------------------------------------------------------------- small workspaces
def test_hostile_names_round_trip_unchanged(store, tmp_path):
    """Quotes, backslashes, Cypher-looking text, control characters and unicode in names,
    companies, titles and emails come back from the server byte for byte, and find the
    person when asked by name."""
    wipe(store)
    path = hostile_workspace(tmp_path / "hostile.db")
    with Workspace.open(path, readonly=True) as ws:
        store.sync(ws)
        data = workspace_sync_data(ws)
        names = {v.name: v for v in ws.people()}
    snap = snapshot(store)
    assert snap == expected(data)
    got = {p["name"]: p for p in snap["people"].values()}
    for n in HOSTILE:
        assert got[n]["company"] == f"{n} Corp" and got[n]["title"] == f"VP {n}"
        assert got[n]["id"] == names[n].id
        assert store.find_person(n) == int(names[n].id[1:])
    assert {c["name"] for c in snap["companies"].values()} >= {f"{n} Corp" for n in HOSTILE}
    result = store.intro(HOSTILE[4], sources=("Mia Rep",))
    assert result.paths and result.paths[0].path[-1]["name"] == HOSTILE[4]
    assert store.counts()["people"] == len(HOSTILE) + 1


def test_a_failed_batch_is_reported_and_the_next_sync_finishes_the_job(store, tmp_path, monkeypatch):
    """With batches of 3 rows, the third tie batch fails after the server wrote one of its
    rows (no rollback on the test server). The error names the batch; the state file holds
    what came before it; the next sync sends the rest, and the server ends up exactly as a
    clean sync leaves it."""
    from neo4j.exceptions import ServiceUnavailable

    wipe(store)
    path = hostile_workspace(tmp_path / "ws.db")
    real = store._run
    calls = {"ties": 0}

    def flaky(query, params=None, *, write=False):
        if write and "MERGE (a)-[k:KNOWS]->(b)" in query:
            calls["ties"] += 1
            if calls["ties"] == 3:
                real(query, {**params, "rows": params["rows"][:1]}, write=True)  # half-written
                raise ServiceUnavailable("connection lost (test)")
        return real(query, params, write=write)

    with Workspace.open(path, readonly=True) as ws:
        data = workspace_sync_data(ws)
        monkeypatch.setattr(store, "_run", flaky)
        with pytest.raises(StoreError, match=r"failed at ties batch 3 \(rows 7-9 of 13\)") as e:
            store.sync(ws, batch=3)
        assert "Run the sync again" in str(e.value)
        monkeypatch.setattr(store, "_run", real)
        state = _SyncState(sync_state_path(path), store.config.target)
        assert len(state.hashes("ties")) == 6 and len(state.hashes("people")) == len(data.people)
        state.close()
        again = store.sync(ws, batch=3)
    assert again.mode == "full" and again.reason == "finishing an interrupted full sync"
    assert again.upserted["ties"] == len(data.ties) - 6 and again.upserted["people"] == 0
    assert snapshot(store) == expected(data)


@pytest.mark.slow
def test_server_stopped_mid_sync_then_a_rerun_repairs(store, tmp_path_factory, tmp_path):
    """A server that dies after the first batch: the sync fails with a clear error; after a
    restart (an empty in-memory server), the next sync notices the server does not hold what
    was synced and sends everything."""
    if not (SERVER / "start.sh").exists():
        pytest.skip("needs .ci/neo4j/start.sh")
    server = _start_private(tmp_path_factory)
    try:
        st = Neo4jStore.open(server.uri, falkordb_url=server.falkordb_url, retry_seconds=0)
        path = hostile_workspace(tmp_path / "ws.db")

        def die(done, total):
            if done:
                server.stop()

        with Workspace.open(path, readonly=True) as ws:
            with pytest.raises(StoreError, match=r"failed at \w+ batch 2 \(rows 5-8 of"):
                st.sync(ws, batch=4, progress=die)
            server.start()
            report = st.sync(ws, batch=4)
            assert report.mode == "full" and "does not hold" in report.reason
            assert snapshot(st) == expected(workspace_sync_data(ws))
    finally:
        server.stop()


def test_changed_and_removed_rows_are_synced_incrementally(store, tmp_path):
    """After a merge of two hostile people, only the rows that changed are sent: the kept
    person, the ties that moved to them; the merged person is deleted."""
    wipe(store)
    path = hostile_workspace(tmp_path / "ws.db")
    with Workspace.open(path, readonly=True) as ws:
        store.sync(ws)
    with Workspace.open(path) as ws:
        a, b = ws.find_person(HOSTILE[1]), ws.find_person(HOSTILE[2])
        ws.merge(f"p{a}", f"p{b}")
    with Workspace.open(path, readonly=True) as ws:
        r = store.sync(ws)
        data = workspace_sync_data(ws)
    assert r.mode == "incremental" and r.deleted["people"] == 1 and r.upserted["people"] >= 1
    assert r.unchanged["people"] >= len(data.people) - 3
    assert snapshot(store) == expected(data)


def test_schema_is_created_once_and_enforces_unique_ids(store, bolt):
    """FalkorDB path: from a dropped graph, indexes and unique constraints are created; a
    second call creates nothing; a duplicate Person id is then rejected by the server."""
    from neo4j.exceptions import Neo4jError

    if store.server.kind != "falkordb" or not bolt["falkordb_url"]:
        pytest.skip("FalkorDB schema path: needs the test server and FALKORDB_URL")
    _resp(bolt["falkordb_url"], "GRAPH.DELETE", "falkordb")
    store.write(f"MERGE (:{MARKER} {{id: 'marker'}})")
    store._meta_cache = None
    notes = store.ensure_schema()
    assert "unique constraint Person.id created" in notes and "index Person.id created" in notes
    import time

    time.sleep(0.5)  # FalkorDB builds constraints in the background
    assert store.ensure_schema() == []
    store.write("CREATE (:Person {id: 'dup'})")
    with pytest.raises(Neo4jError):
        store._run("CREATE (:Person {id: 'dup'})", write=True)
    wipe(store)


# ---------------------------------------------------------------------- real Neo4j only
@pytest.fixture
def real_neo4j(store):
    if store.server.kind != "neo4j":
        pytest.skip(f"needs a real Neo4j at NEO4J_URI (this is {store.server.version})")
    return store


@pytest.mark.neo4j
def test_neo4j_constraints_are_created_if_not_exists(real_neo4j):
    real_neo4j.ensure_schema()
    real_neo4j.ensure_schema()  # IF NOT EXISTS: a second run is a no-op, not an error
    names = {r["name"] for r in real_neo4j.read("SHOW CONSTRAINTS YIELD name RETURN name")}
    assert {"tiegraph_person_id", "tiegraph_company_id", "tiegraph_meta_id"} <= names


@pytest.mark.neo4j
def test_neo4j_wrong_password_is_a_clear_error(real_neo4j, bolt):
    with pytest.raises(StoreError, match="refused the login"):
        Neo4jStore.open(bolt["uri"], bolt["user"] or "neo4j", "certainly-not-the-password", retry_seconds=0)


@pytest.mark.neo4j
def test_neo4j_batch_is_all_or_nothing(real_neo4j):
    """On Neo4j a batch is one transaction: a batch whose last row breaks the uniqueness
    constraint leaves none of its rows behind."""
    wipe(real_neo4j)
    real_neo4j.ensure_schema()
    real_neo4j.write("CREATE (:Person {id: 'p1'})")
    with pytest.raises(StoreError):
        real_neo4j.write("UNWIND $rows AS r CREATE (:Person {id: r})", {"rows": ["p2", "p3", "p1"]})
    assert real_neo4j.counts()["people"] == 1
    wipe(real_neo4j)


def test_app_answers_from_neo4j_when_run_on_it(synced, demo, bolt, monkeypatch, tmp_path):
    """`tiegraph app --store neo4j`: the Find page asks the server, and shows the embedded
    engine's paths (the evidence of a tie from Neo4j is counts, not source rows)."""
    import shutil

    import streamlit as st

    from tests.test_app import _app, _search

    copy = tmp_path / "demo.db"
    shutil.copy(demo, copy)
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(copy))
    monkeypatch.setenv("TIEGRAPH_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", bolt["uri"])
    for key, value in (("NEO4J_USER", bolt["user"]), ("NEO4J_PASSWORD", bolt["password"]),
                       ("FALKORDB_URL", bolt["falkordb_url"])):  # fmt: skip
        if value:
            monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    try:
        at = _search(_app(), "Hooli")  # a company other tests here leave as it is
        pick = at.selectbox(key="pick").value
        shown = at.session_state["intro_result"]["paths"]
        with Explorer.open(demo, now=DEMO_AS_OF) as ex:
            want = [p.to_dict() for p in ex.intro(pick.ref, company=pick.is_company, team=True).paths]
        for d in shown + want:
            for t in d["ties"]:
                t.pop("evidence")
        assert shown == want and shown
        assert any("Neo4j" in c.value for c in at.caption)
    finally:
        st.cache_resource.clear()
