"""Neo4j store benchmark: sync throughput, and intro latency from Neo4j vs. the embedded engine.

Run by hand (never by pytest); progress on stderr, the summary on stdout, ``--json OUT``
writes everything measured::

    # the goal sizes (several minutes against the local test server)
    python bench/neo4j_sync.py --people 100000 --ties 1000000
    # a quick run
    python bench/neo4j_sync.py --people 5000 --ties 50000 --queries 40
    # against a real Neo4j (its database must be empty, or pass --wipe)
    NEO4J_URI=bolt://localhost:7687 NEO4J_USER=neo4j NEO4J_PASSWORD=... \
        python bench/neo4j_sync.py --people 100000 --ties 1000000 --wipe

Server: ``--uri`` or ``NEO4J_URI``; without either, a private FalkorDB Bolt test server is
started from ``.ci/neo4j/start.sh`` on free loopback ports and stopped at the end.

Data: the synthetic tie graph of ``bench/intro.py`` (`generate_graph`: heavy-tailed companies
and degrees, super-connectors, islands), with random tie components, counts and dates so that
rows are as large as real ones; people ``p0..`` in companies of about 20.

Measured:

* **sync**: a first (full) sync, rows/s overall and per kind of row; a second sync with
  nothing changed (the cost of finding that out); an incremental sync after 1 % of the ties
  changed strength.
* **intro**: `Neo4jStore.top_paths` (Cypher on the server) vs. `graph.intro.top_paths`
  (embedded) on the same queries (`make_queries` of ``bench/intro.py``: a team of ``--team``
  sources; targets 1, 2, 3 hops away or unreachable), k = ``-k``, at most 2 paths per
  introducer, not through other sources; latency p50/p95/p99 of each and whether the top-k
  are the same (they must be).
* **reach**: `Neo4jStore.reach_counts` for the team vs. `graph.reach.widest_paths`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intro import generate_graph, make_queries, pct, say  # bench/intro.py

from graph.build import from_edges
from graph.intro import top_paths
from graph.model import INTERACTION_KINDS
from graph.neo4j_store import ListRows, Neo4jStore, SyncData, TieRows
from graph.reach import widest_paths

SERVER = ROOT / ".ci" / "neo4j"


def private_server(state: Path) -> tuple[dict, dict]:
    """Start a FalkorDB Bolt test server on free ports; (connection, env for stop.sh)."""
    import random
    import socket
    import subprocess

    def free() -> int:
        while True:
            port = random.randint(20000, 32000)
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    continue

    bolt, redis = free(), free()
    env = {**os.environ, "PYTHON": sys.executable, "NEO4J_TEST_BOLT_PORT": str(bolt),
           "NEO4J_TEST_REDIS_PORT": str(redis), "NEO4J_TEST_STATE_DIR": str(state)}  # fmt: skip
    out = subprocess.run([str(SERVER / "start.sh")], env=env, capture_output=True, text=True, timeout=300, check=False)
    if out.returncode != 0:
        raise SystemExit(f"test server did not start: {out.stderr[-500:]}")
    return {"uri": f"bolt://127.0.0.1:{bolt}", "falkordb_url": f"redis://127.0.0.1:{redis}"}, env


def synthetic(args: argparse.Namespace):
    """(index, SyncData) for the synthetic graph, with realistic row sizes."""
    say(f"generating {args.people:,} people / {args.ties:,} ties")
    u, v, s, _stats = generate_graph(args.people, args.ties, args.seed)
    index = from_edges(u, v, s, n=args.people)
    rng = np.random.default_rng(args.seed + 1)
    m = index.m
    first = rng.uniform(15000, 20000, m)
    index = dataclasses.replace(
        index,
        components=rng.random((m, 6), dtype=np.float32),
        n_ab=rng.integers(0, 30, m).astype(np.int32), n_ba=rng.integers(0, 30, m).astype(np.int32),
        counts=(rng.random((m, len(INTERACTION_KINDS))) < 0.2).astype(np.int32) * rng.integers(1, 9, (m, 1)).astype(np.int32),
        first=first, last=first + rng.uniform(0, 2000, m), last_personal=first + rng.uniform(0, 2000, m),
        ctx=rng.integers(0, 256, m).astype(np.int32), ctx_value=rng.random(m),
        model_version="bench",
    )  # fmt: skip
    n_comp = max(1, args.people // 20)
    companies = [[f"c{c}", f"Company {c} Ltd", f"company {c}", f"c{c}.example", "Software"] for c in range(n_comp)]
    people, positions = [], []
    for i in range(args.people):
        c = i % n_comp
        people.append([f"p{i}", f"Person {i} O'Hara", f"person {i} o'hara", f"person {i} ohara",
                       f"Company {c} Ltd", f"c{c}", "Account Executive", i < args.team, False,
                       [f"person{i}@c{c}.example"], []])  # fmt: skip
        positions.append([f"p{i}:{c}", f"p{i}", f"c{c}", "Account Executive", "2021-01-01", None, True])
    data = SyncData(ListRows(companies), ListRows(people), ListRows(positions), TieRows(index),
                    now_days=20400.0, model_version="bench", generation=0)  # fmt: skip
    return index, data


def timed_push(store: Neo4jStore, data: SyncData, state: Path, batch: int | None, label: str) -> dict:
    marks: list[tuple[float, int]] = []
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        marks.append((time.perf_counter() - t0, done))
        if total and (done == total or len(marks) % 200 == 0):
            say(f"  {label}: {done:,}/{total:,} rows ({done / max(marks[-1][0], 1e-9):,.0f}/s)")

    r = store.push(data, state, batch=batch, progress=progress)
    out = r.to_dict()
    # split the time by kind of row (kinds are sent in this order)
    per, start, t_prev = {}, 0, marks[0][0] if marks else 0.0
    for kind in ("companies", "people", "positions", "ties"):
        n = r.upserted[kind]
        if not n:
            continue
        end = start + n
        t_end = next((t for t, d in marks if d >= end), t_prev)
        per[kind] = {"rows": n, "seconds": round(t_end - t_prev, 3), "rows_per_s": round(n / max(t_end - t_prev, 1e-9), 1)}
        start, t_prev = end, t_end
    out["per_kind"] = per
    out["diff_seconds"] = round(marks[0][0], 3) if marks else None
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--ties", type=int, default=None, help="default: 10 x people")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--uri", default=os.environ.get("NEO4J_URI"))
    ap.add_argument("--user", default=os.environ.get("NEO4J_USER"))
    ap.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"))
    ap.add_argument("--falkordb-url", default=os.environ.get("FALKORDB_URL"))
    ap.add_argument("--wipe", action="store_true", help="empty a database that is not empty")
    ap.add_argument("--batch", type=int, default=None, help="rows per request (default: the store's)")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--team", type=int, default=10)
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--json", dest="json_out")
    args = ap.parse_args()
    args.ties = args.ties or 10 * args.people
    tmp = Path(tempfile.mkdtemp(prefix="tiegraph-neo4j-bench-"))
    stop_env = None
    if args.uri:
        conn = {"uri": args.uri, "falkordb_url": args.falkordb_url}
    else:
        say("NEO4J_URI unset: starting a private FalkorDB Bolt test server")
        conn, stop_env = private_server(tmp / "server")
    out: dict = {"people": args.people, "ties_asked": args.ties, "server_uri": conn["uri"]}
    try:
        store = Neo4jStore.open(conn["uri"], args.user, args.password, falkordb_url=conn["falkordb_url"])
        out["server"] = store.server.version
        n_nodes = store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
        if n_nodes and not args.wipe:
            raise SystemExit(f"{conn['uri']} holds {n_nodes:,} nodes; pass --wipe to empty it")
        if n_nodes:
            while store.write("MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n")[0]["n"]:
                pass
        index, data = synthetic(args)
        out["rows"] = {k: len(r) for k, r in data.kinds()}
        state = tmp / "ws.db.neo4j-sync.db"
        say("sync 1: everything")
        out["sync_full"] = timed_push(store, data, state, args.batch, "full")
        say("sync 2: nothing changed")
        out["sync_unchanged"] = timed_push(store, data, state, args.batch, "unchanged")
        say("sync 3: 1 % of the ties changed strength")
        rng = np.random.default_rng(args.seed + 2)
        s = index.strength.copy()
        hit = rng.choice(index.m, max(1, index.m // 100), replace=False)
        s[hit] = np.clip(s[hit] * rng.uniform(0.8, 1.2, len(hit)), 0.01, 1.0)
        index2 = index.with_strengths(s)
        data.ties = TieRows(index2)
        out["sync_incremental"] = timed_push(store, data, state, args.batch, "incremental")
        index = index2

        say(f"intro: {args.queries} queries, embedded vs Neo4j")
        qs = make_queries(index, args.queries, args.team, np.random.default_rng(args.seed + 3), "uniform")
        pid = index.pids
        emb, neo, same = [], [], 0
        for q in qs:
            S, t = q["S"], q["t"]
            t0 = time.perf_counter()
            a = top_paths(index, S, [t], k=args.k, per_introducer=2, through_sources=False)
            t1 = time.perf_counter()
            b = store.top_paths([int(pid[x]) for x in S], [int(pid[t])], k=args.k, per_introducer=2,
                                through_sources=False)  # fmt: skip
            t2 = time.perf_counter()
            emb.append((t1 - t0) * 1000)
            neo.append((t2 - t1) * 1000)
            same += [tuple(int(pid[n]) for n in r.nodes) for r in a] == [r.nodes for r in b] and np.allclose(
                [r.score for r in a], [r.score for r in b], rtol=1e-12, atol=0)
        out["intro"] = {"queries": len(qs), "same_top_k": same, "embedded_ms": pct(emb), "neo4j_ms": pct(neo)}

        say("reach: the team")
        team = list(range(args.team))
        t0 = time.perf_counter()
        got = store.reach_counts([f"p{i}" for i in team])
        t1 = time.perf_counter()
        B = widest_paths(index, team, max_hops=3)
        B[:, team] = 0
        within = [int((B[h] > 0).sum()) for h in range(3)]
        t2 = time.perf_counter()
        want = {1: within[0], 2: within[1] - within[0], 3: within[2] - within[1]}
        out["reach"] = {"neo4j": got, "embedded": want, "same": got == want,
                        "neo4j_ms": round((t1 - t0) * 1000, 1), "embedded_ms": round((t2 - t1) * 1000, 1)}  # fmt: skip
    finally:
        if stop_env is not None:
            import subprocess

            subprocess.run([str(SERVER / "stop.sh")], env=stop_env, capture_output=True, timeout=60, check=False)
    f, u_, i_ = out["sync_full"], out["sync_unchanged"], out["sync_incremental"]
    print(f"server: {out['server']} at {out['server_uri']}")
    print(f"rows: {out['rows']}")
    print(f"full sync: {f['rows_written']:,} rows in {f['seconds']:.1f} s = {f['rows_per_s']:,.0f} rows/s "
          f"(diff {f['diff_seconds']} s, {f['batches']:,} batches)")  # fmt: skip
    for kind, d in f["per_kind"].items():
        print(f"  {kind:<10} {d['rows']:>10,} rows {d['seconds']:>8.1f} s {d['rows_per_s']:>10,.0f} rows/s")
    print(f"unchanged sync: {u_['rows_written']} rows written, {u_['seconds']:.1f} s")
    print(f"incremental sync (1 % of ties): {i_['rows_written']:,} rows in {i_['seconds']:.1f} s "
          f"= {i_['rows_per_s']:,.0f} rows/s")  # fmt: skip
    it = out["intro"]
    print(f"intro top-{args.k}, team of {args.team}: same top-k {it['same_top_k']}/{it['queries']}")
    for name in ("embedded_ms", "neo4j_ms"):
        p = it[name]
        print(f"  {name[:-3]:<9} p50 {p['p50']:8.2f} ms  p95 {p['p95']:8.2f} ms  p99 {p['p99']:8.2f} ms  max {p['max']:8.2f} ms")
    r = out["reach"]
    print(f"reach of the team: neo4j {r['neo4j']} in {r['neo4j_ms']} ms, embedded {r['embedded_ms']} ms, same: {r['same']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=1))
    return 0 if it["same_top_k"] == it["queries"] and r["same"] else 1


if __name__ == "__main__":
    sys.exit(main())
