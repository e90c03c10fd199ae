"""From the workspace to the tie index: folding evidence, contexts, overlap, caching."""

from datetime import datetime

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.build import _ARRAYS, _edge_overlap, build_index, index_path, load_index, to_networkx
from graph.intro import find_intros
from graph.model import Interaction, Person, Provenance
from graph.targets import resolve_sources, resolve_target
from graph.workspace import Workspace

NOW = datetime(2026, 11, 1)
OWNER = "Ada Rep <ada@ourco.com>"


def _person(name, company):
    return Person(name=name, company=company, linkedin_url=f"linkedin.com/in/{name.lower().replace(' ', '-')}")


@pytest.fixture
def small(tmp_path):
    me = Person(is_owner=True)
    bo, cy, di = _person("Bo Chen", "Initech"), _person("Cy Diaz", "Initech"), _person("Di Eze", "Hooli")
    prov = Provenance("linkedin", "messages.csv", 2)
    recs = [bo, cy, di,
            Interaction(me, bo, "message", datetime(2026, 10, 1), provenance=prov),
            Interaction(me, bo, "message", datetime(2026, 10, 2), provenance=prov),
            Interaction(bo, me, "message", datetime(2026, 10, 3), provenance=prov),
            Interaction(me, di, "email", datetime(2026, 9, 1), group_size=9, provenance=prov),
            Interaction(me, di, "connected", datetime(2016, 1, 1), directed=False, provenance=prov)]  # fmt: skip
    path = tmp_path / "w.db"
    with Workspace.open(path) as ws:
        ws.import_records(recs, label="m", format="linkedin", digest="m", owner=OWNER)
    return path


def test_interactions_fold_into_one_tie_per_pair(small):
    with Workspace.open(small, readonly=True) as ws:
        idx = build_index(ws, now=NOW)
        ada, bo = idx.node_of(ws.find_person("Ada Rep")), idx.node_of(ws.find_person("Bo Chen"))
        di = idx.node_of(ws.find_person("Di Eze"))
        e = idx.edge(ada, bo)
        ab, ba = (idx.n_ab[e], idx.n_ba[e]) if idx.eu[e] == ada else (idx.n_ba[e], idx.n_ab[e])
        assert (ab, ba) == (2, 1)
        assert idx.tie_evidence(e).counts == {"message": 3}
        e2 = idx.edge(ada, di)
        assert idx.n_broadcast[e2] == 1 and idx.tie_components(e2)["frequency"] == 0.0
        assert "linkedin" in idx.tie_evidence(e2).contexts


def test_colleagues_at_a_small_company_are_tied(small):
    with Workspace.open(small, readonly=True) as ws:
        idx = build_index(ws, now=NOW)
        bo, cy = idx.node_of(ws.find_person("Bo Chen")), idx.node_of(ws.find_person("Cy Diaz"))
        e = idx.edge(bo, cy)
        assert e is not None
        ev = idx.tie_evidence(e)
        assert ev.contexts == {"colleague_now": 1.0} and ev.colleague_at == "Initech"


def test_index_is_cached_beside_the_workspace_until_the_workspace_changes(small):
    with Workspace.open(small) as ws:
        first = load_index(ws, now=NOW)
        assert index_path(small).exists()
        again = load_index(ws, now=NOW)
        assert np.array_equal(first.strength, again.strength) and again.generation == ws.generation
        ws.import_records([Person(name="Ed Fox", emails=("ed@x.com",))], label="x", format="csv", digest="x")
        fresh = load_index(ws, now=NOW)
        assert fresh.generation == ws.generation != first.generation and fresh.n == first.n + 1


def test_a_fresh_build_is_kept_as_the_saved_memory_mapped_index(small):
    """After a build, load_index answers from the files it saved (page cache, not private
    memory), and they hold the same index as the build and give the same intros."""
    with Workspace.open(small) as ws:
        built = build_index(ws, now=NOW)
        idx = load_index(ws, now=NOW)
        assert index_path(small).exists()
        for name in _ARRAYS:
            a = getattr(idx, name)
            assert isinstance(a, np.memmap), name
            assert np.array_equal(a, getattr(built, name), equal_nan=a.dtype.kind == "f"), name
            assert a.dtype == getattr(built, name).dtype, name
        src = resolve_sources(ws, idx, ["Ada Rep"])
        tgt = resolve_target(ws, idx, "Cy Diaz")
        got, want = find_intros(idx, src, tgt, k=5), find_intros(built, src, tgt, k=5)
        assert got.paths and [(p.score, p.path, p.ties) for p in got.paths] == [
            (p.score, p.path, p.ties) for p in want.paths
        ]


def test_index_arrays_are_read_only(small):
    with Workspace.open(small, readonly=True) as ws:
        idx = build_index(ws, now=NOW)
    with pytest.raises(ValueError):
        idx.wgt[0] = 1.0


def test_networkx_view_is_a_copy(small):
    with Workspace.open(small, readonly=True) as ws:
        idx = build_index(ws, now=NOW)
        G = to_networkx(idx)
        assert G.number_of_edges() == idx.m and all("strength" in d for _, _, d in G.edges(data=True))
        G.remove_edges_from(list(G.edges()))
        assert idx.m > 0 and to_networkx(idx).number_of_edges() == idx.m


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 25), st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), min_size=1, max_size=90),
       st.sampled_from([1, 2, 7, 4_000_000]))  # fmt: skip
def test_overlap_matches_a_direct_count(n, pairs, chunk):
    G = nx.Graph((a % n, b % n) for a, b in pairs if a % n != b % n)
    if not G.number_of_edges():
        return
    eu = np.array([min(e) for e in G.edges()])
    ev = np.array([max(e) for e in G.edges()])
    got = _edge_overlap(n, eu, ev, chunk=chunk)
    for k, (a, b) in enumerate(zip(eu.tolist(), ev.tolist(), strict=True)):
        shared = len(set(G[a]) & set(G[b]))
        denom = (G.degree(a) - 1) + (G.degree(b) - 1) - shared
        assert got[k] == pytest.approx(shared / denom if denom > 0 else 0.0)
