"""Reach: widest paths against brute force, small-group suppression (a property: no group under
k gets through, not even via totals), overlap between reps, account coverage and the report on
the demo, and the command line."""

import itertools
import json
import random

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.build import from_edges
from graph.cli import cli
from graph.explorer import Explorer
from graph.intro import top_paths
from graph.reach import (
    MEDIUM,
    STRONG,
    WARM_SCORE,
    aggregate,
    reach_report,
    rep_overlap,
    suppress,
    widest_paths,
)
from loaders.targets import TargetRow


def _index(edges, n=None):
    u, v, s = (np.array(x) for x in zip(*edges, strict=True))
    n = n or int(max(u.max(), v.max())) + 1
    return from_edges(u, v, s, n=n)


# ---------------------------------------------------------------------- widest paths
def test_widest_paths_by_hand():
    """A chain 0 -0.9- 1 -0.3- 2 -0.6- 3 and a weak shortcut 0 -0.1- 3. Within one hop, 3 is
    reached only by the shortcut (0.1); within two hops still (0 - 1 - 2 does not reach 3);
    within three, the chain's weakest tie is 0.3, which beats 0.1. Node 2: 0.3 from two hops
    (min(0.9, 0.3)), and 0.1 from 0 - 3 - 2 (min(0.1, 0.6)) is worse."""
    index = _index([(0, 1, 0.9), (1, 2, 0.3), (2, 3, 0.6), (0, 3, 0.1)])
    B = widest_paths(index, [0], max_hops=3)
    assert B[:, 3].tolist() == [0.1, 0.1, 0.3]
    assert B[:, 2].tolist() == [0.0, 0.3, 0.3]
    assert B[:, 1].tolist() == [0.9, 0.9, 0.9]
    assert np.isinf(B[:, 0]).all()


@pytest.mark.parametrize("seed", range(20))
def test_widest_paths_equal_brute_force(seed):
    """The best weakest-tie over all simple paths of at most h hops (networkx
    all_simple_paths with a cutoff), from a team of two."""
    rng = random.Random(seed)
    n = rng.randint(4, 14)
    G = nx.gnp_random_graph(n, rng.uniform(0.15, 0.4), seed=seed)
    edges = [(a, b, round(rng.uniform(0.02, 1.0), 3)) for a, b in G.edges] or [(0, 1, 0.5)]
    index = _index(edges, n)
    for a, b, w in edges:
        G.add_edge(a, b, w=w)
    S = [0, n - 1]
    B = widest_paths(index, S, max_hops=3)
    for h in (1, 2, 3):
        for v in range(n):
            if v in S:
                continue
            best = 0.0
            for s in S:
                for path in nx.all_simple_paths(G, s, v, cutoff=h):
                    best = max(best, min(G[x][y]["w"] for x, y in itertools.pairwise(path)))
            assert B[h - 1, v] == pytest.approx(best)


# ---------------------------------------------------------------------- suppression
def _published(table, hidden):
    """The bordered table as published: None where hidden."""
    T = np.asarray(table)
    R, C = T.shape
    X = np.zeros((R + 1, C + 1), dtype=np.int64)
    X[:R, :C], X[:R, C], X[R, :C], X[R, C] = T, T.sum(1), T.sum(0), T.sum()
    return X, np.where(hidden, -1, X)


def _determined(R, C, hidden):
    """Hidden entries that follow from the published ones by linear algebra: e is determined
    iff every solution of the homogeneous line equations on the hidden entries is 0 at e
    (its column has no weight on the null space)."""
    idx = {e: k for k, e in enumerate(zip(*np.nonzero(hidden), strict=True))}
    if not idx:
        return []
    rows = []
    for i in range(R + 1):  # cells of row i minus its total
        rows.append({(i, j): 1 for j in range(C)} | {(i, C): -1})
    for j in range(C + 1):
        rows.append({(i, j): 1 for i in range(R)} | {(R, j): -1})
    A = np.zeros((len(rows), len(idx)))
    for r, coef in enumerate(rows):
        for e, c in coef.items():
            if e in idx:
                A[r, idx[e]] = c
    _, sv, vt = np.linalg.svd(A)
    rank = int((sv > 1e-9).sum())
    null = vt[rank:]
    return [(int(e[0]), int(e[1])) for e, k in idx.items() if np.linalg.norm(null[:, k]) < 1e-9]


def _check(table, k):
    T = np.asarray(table, dtype=np.int64)
    R, C = T.shape
    hidden = suppress(T, k=k)
    X, shown = _published(T, hidden)
    # 1. nothing published counts 1 to k - 1 people
    vis = shown[shown >= 0]
    assert ((vis == 0) | (vis >= k)).all()
    # 2. total minus shown cells never leaves a small group
    for i in range(R + 1):
        if not hidden[i, C]:
            hs = X[i, :C][hidden[i, :C]].sum()
            assert hs == 0 or hs >= k
    for j in range(C + 1):
        if not hidden[R, j]:
            hs = X[:R, j][hidden[:R, j]].sum()
            assert hs == 0 or hs >= k
    # 3. no hidden entry can be solved for
    assert _determined(R, C, hidden) == []
    # zeros are never hidden: they reveal nobody
    assert not (hidden & (X == 0)).any()
    return hidden


def test_one_small_cell_in_a_two_by_two_hides_all_four_cells():
    """[[1, 20], [30, 40]], k = 5: the 1 is hidden; its row total (21) and column total (31)
    would give it back, so one cell of each line goes too (20 and 30); then 40 closes the
    rectangle (else 30 = 70 - 40 would be known). The margins stay."""
    hidden = _check([[1, 20], [30, 40]], 5)
    assert hidden[:2, :2].all() and not hidden[2, :].any() and not hidden[:, 2].any()


def test_two_small_cells_in_one_line_are_not_enough():
    """[[1, 1, 30], [9, 9, 9]]: the two 1s hide each other in the rows' equations, but their
    sum (32 - 30 = 2) would be known and both are at least 1, so each must be 1: the 30 is
    hidden too."""
    hidden = _check([[1, 1, 30], [9, 9, 9]], 5)
    assert hidden[0, :3].all()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda r: st.integers(1, 4).flatmap(
        lambda c: st.lists(st.lists(st.one_of(st.integers(0, 6), st.integers(0, 60)),
                                    min_size=c, max_size=c), min_size=r, max_size=r))),
    st.integers(2, 8),
)  # fmt: skip
def test_suppression_never_lets_a_small_group_through(table, k):
    _check(table, k)


def test_aggregate_collects_small_groups_into_other():
    counts = {"Acme": [10, 3, 0], "Globex": [1, 1, 0], "Initech": [0, 2, 1], "Hooli": [30, 30, 30]}
    a = aggregate(counts, title="t", columns=["1", "2", "3"], k=5, max_rows=5)
    d = a.to_dict()
    assert [r["label"] for r in d["rows"]] == ["Hooli", "Acme", "other"]
    assert d["collapsed"] == 2 and d["total"] == 108
    other = d["rows"][-1]
    assert other["total"] == 5  # Globex 2 + Initech 3: a group of 5, shown
    for r in d["rows"]:
        assert all(v is None or v == 0 or v >= 5 for v in r["cells"] + [r["total"]])
    assert d["suppressed"] > 0


# ---------------------------------------------------------------------- overlap
def test_rep_overlap_by_hand():
    """Rep 0 knows 2, 3, 4, 5; rep 1 knows 4, 5, 6 and rep 0. Without the reps themselves:
    shared {4, 5}, union {2, 3, 4, 5, 6}: Jaccard 2/5; 2 and 3 are only 0's, 6 only 1's."""
    index = _index([(0, 2, 0.5), (0, 3, 0.5), (0, 4, 0.5), (0, 5, 0.5), (1, 4, 0.5), (1, 5, 0.5),
                    (1, 6, 0.5), (0, 1, 0.9)])  # fmt: skip
    o = rep_overlap(index, [0, 1])
    assert o.contacts == {0: 4, 1: 3} and o.unique == {0: 2, 1: 1}
    assert o.pairs == [(0, 1, 2, pytest.approx(0.4))]


# ---------------------------------------------------------------------- on the demo
@pytest.fixture(scope="module")
def demo(demo_ws_path):
    ex = Explorer.open(demo_ws_path)
    yield ex
    ex.close()


def test_demo_hops_match_breadth_first_search(demo):
    """People within h hops are networkx's single-source BFS within h hops of Priya; within one
    hop, the strong band counts exactly her ties of at least 0.5."""
    index = demo.index()
    src = demo.sources(["Priya Shah"])
    r = reach_report(index, src)
    G = nx.Graph()
    G.add_nodes_from(range(index.n))
    G.add_edges_from(zip(index.eu.tolist(), index.ev.tolist(), strict=True))
    dist = nx.single_source_shortest_path_length(G, src[0], cutoff=3)
    for h, row in enumerate(r.hops, 1):
        assert row["people"]["total"] == sum(1 for d in dist.values() if 1 <= d <= h)
    _, w = index.neighbors(src[0])
    assert r.hops[0]["people"]["strong"] == int((w >= STRONG).sum())
    assert r.hops[0]["people"]["medium"] == int(((w >= MEDIUM) & (w < STRONG)).sum())
    totals = [row["people"]["total"] for row in r.hops]
    assert totals == sorted(totals)


def test_demo_aggregates_hide_small_groups(demo):
    index = demo.index()
    r = reach_report(index, demo.sources(["Dana Kim"]), min_group=25)
    for agg in (r.by_company.to_dict(), r.by_industry.to_dict()):
        cells = (
            [v for row in agg["rows"] for v in row["cells"] + [row["total"]]]
            + agg["totals"]
            + [agg["total"]]
        )
        assert all(v is None or v == 0 or v >= 25 for v in cells)
        assert all(row["total"] is None or row["total"] >= 25 for row in agg["rows"])
    d = r.by_industry.to_dict()
    assert {"Software", "Energy"} <= {row["label"] for row in d["rows"]}
    # column totals are the people first reached at each hop
    t = [row["people"]["total"] for row in r.hops]
    assert r.by_company.to_dict()["totals"] == [t[0], t[1] - t[0], t[2] - t[1]]


def test_demo_coverage_of_target_accounts(demo):
    rows = [
        TargetRow(2, None, "Globex", "CFO"),
        TargetRow(3, None, "Initech", None),
        TargetRow(4, None, "No Such Company", None),
        TargetRow(5, None, "Northwind Analytics", None),
    ]
    r = demo.reach(sources=["Priya Shah"], targets=rows)
    d = json.loads(json.dumps(r.to_dict()))
    acc = {a["account"]: a for a in d["coverage"]["accounts"]}
    assert [a["account"] for a in d["coverage"]["accounts"]] == [
        "CFO at Globex",
        "Initech",
        "No Such Company",
        "Northwind Analytics",
    ]
    assert (
        acc["No Such Company"]["status"] == "unknown"
        and "No Such Company" in acc["No Such Company"]["reason"]
    )
    # the best path to Globex's CFO is the intro search's first path
    best = demo.intro("Globex", sources=["Priya Shah"], company=True, title="CFO", k=1).paths[0]
    g = acc["CFO at Globex"]
    assert g["score"] == pytest.approx(best.score, abs=1e-6)
    assert g["status"] == ("warm" if best.score >= WARM_SCORE else "cold")
    assert (g["introducer"] or {}).get("id") == (best.introducer or {}).get("id")
    assert acc["Initech"]["status"] in ("warm", "cold") and acc["Initech"]["score"] > 0
    assert d["coverage"]["counts"]["unknown"] == 1


def test_demo_team_overlap(demo):
    r = demo.reach(team=True).to_dict()
    o = r["overlap"]
    assert len(o["reps"]) == 4 and len(o["pairs"]) == 6
    j = [p["jaccard"] for p in o["pairs"]]
    assert j == sorted(j, reverse=True) and all(0 <= x <= 1 for x in j)


def test_account_path_equals_top_paths(demo):
    index = demo.index()
    src = demo.sources(team=True)
    rows = [TargetRow(2, None, "Acme", None)]
    acc = demo.reach(team=True, targets=rows).coverage.accounts[0]
    target = demo._account(index, rows[0]).target
    (p,) = top_paths(index, src, target.nodes, k=1, through_sources=False)
    assert (acc.score, acc.source, acc.introducer, acc.contact) == (
        p.score,
        p.nodes[0],
        p.introducer,
        p.nodes[-1],
    )


# ---------------------------------------------------------------------- command line
def test_cli_reach_json_with_targets(demo_ws_path, tmp_path):
    targets = tmp_path / "accounts.csv"
    targets.write_text("company,title\nGlobex,CFO\nNo Such Company,\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["reach", "--from", "Priya Shah", "--targets", str(targets), "--min-group", "10",
                                 "--workspace", str(demo_ws_path), "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["min_group"] == 10 and [h["hops"] for h in d["hops"]] == [1, 2, 3]
    assert d["by_company"]["min_group"] == 10
    assert [a["status"] for a in d["coverage"]["accounts"]][1] == "unknown"
    assert d["overlap"] is None


def test_cli_reach_text_has_the_hops_chart(demo_ws_path):
    r = CliRunner().invoke(cli, ["reach", "--team", "--workspace", str(demo_ws_path)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Reach of the team (4 people")
    assert (
        "█" in r.output
        and "people reached by company" in r.output
        and "Overlap between reps" in r.output
    )
