"""Weak ties: bridges and spans against networkx, Burt's measures against networkx and by hand,
dormant ties on a hand-made workspace, unreached communities, the report on the demo, the CLI."""

import json
import math
import random
from datetime import datetime, timedelta

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from graph.build import build_index, from_edges
from graph.cli import cli
from graph.explorer import Explorer
from graph.model import Interaction, Person, Provenance
from graph.strength import interaction_weight, tie_strength
from graph.weak_ties import (
    bridges,
    brokerage,
    brokers,
    dormant_ties,
    unreached_communities,
    weak_ties_report,
)

NOW = datetime(2026, 11, 1)


def _index(edges, n=None):
    """An index over ``(u, v, strength)`` triples, and the same graph in networkx."""
    u, v, s = (np.array(x) for x in zip(*edges, strict=True))
    G = nx.Graph()
    G.add_nodes_from(range(n or int(max(u.max(), v.max())) + 1))
    G.add_weighted_edges_from(edges, weight="strength")
    return from_edges(u, v, s, n=G.number_of_nodes()), G


def _random(seed):
    rng = random.Random(seed)
    n = rng.randint(5, 35)
    G = nx.gnp_random_graph(n, rng.uniform(0.05, 0.3), seed=seed)
    edges = [(a, b, round(rng.uniform(0.03, 1.0), 3)) for a, b in G.edges]
    if not edges:
        edges = [(0, 1, 0.5)]
    return _index(edges, n)


# ---------------------------------------------------------------------- bridges
#: Two triangles {0, 1, 2} and {3, 4, 5} joined by the tie 2 - 3, and a square 0 - 6 - 7 - 8 - 0.
TWO_TRIANGLES_AND_A_SQUARE = [(0, 1, 0.9), (1, 2, 0.8), (0, 2, 0.7), (3, 4, 0.6), (4, 5, 0.6),
                              (3, 5, 0.6), (2, 3, 0.1), (0, 6, 0.2), (6, 7, 0.5), (7, 8, 0.5),
                              (8, 0, 0.3)]  # fmt: skip


def test_bridges_spans_and_overlap_by_hand():
    """Node 0 has contacts 1, 2, 6, 8 (k = 4).

    - 0 - 1: they share 2; node 1 has k = 2: overlap 1 / ((4-1) + (2-1) - 1) = 1/3; span 2.
    - 0 - 2: share 1; node 2 has k = 3 (0, 1, 3): 1 / (3 + 2 - 1) = 1/4.
    - 0 - 6 and 0 - 8: no shared contact (local bridges); without the tie, 0 - 8 - 7 - 6 is the
      shortest way round the square: span 3. Node 6 has one contact besides 0 (7), node 8 too.
    - 2 - 3, seen from 2: nothing else joins the triangles: a bridge, infinite span.
    """
    index, _ = _index(TWO_TRIANGLES_AND_A_SQUARE)
    got = {b.other: b for b in bridges(index, [0], max_overlap=1.0)}
    assert got[1].overlap == pytest.approx(1 / 3) and got[1].shared == 1 and got[1].span == 2
    assert got[2].overlap == pytest.approx(1 / 4) and got[2].span == 2
    assert (got[6].span, got[6].kind, got[6].new_contacts) == (3, "local bridge", 1)
    assert (got[8].span, got[8].kind) == (3, "local bridge")
    (b23,) = bridges(index, [2])
    assert (b23.other, b23.kind, math.isinf(b23.span), b23.new_contacts) == (3, "bridge", True, 2)
    # the default keeps local bridges only, longest span first
    assert [b.other for b in bridges(index, [0])] == [6, 8]


@pytest.mark.parametrize("seed", range(40))
def test_local_bridges_equal_networkx(seed):
    """Every source's local bridges and spans equal networkx ``local_bridges(with_span=True)``
    (which hides the tie with a weight function) on the ties at that source."""
    index, G = _random(seed)
    want = {frozenset((a, b)): span for a, b, span in nx.local_bridges(G, with_span=True)}
    got = {}
    for s in range(index.n):
        for b in bridges(index, [s]):
            got[frozenset((b.source, b.other))] = b.span
    assert got == want


def test_bridges_of_a_team_leave_out_ties_inside_the_team():
    index, _ = _index(TWO_TRIANGLES_AND_A_SQUARE)
    assert all(b.other not in (2, 3) for b in bridges(index, [2, 3], max_overlap=1.0))
    assert not any(b.kind == "bridge" for b in bridges(index, [2, 3]))


def test_inputs_are_not_changed():
    index, _ = _index(TWO_TRIANGLES_AND_A_SQUARE)
    before = index.wgt.copy(), index.nbr.copy()
    weak_ties_report(index, [0, 2])
    assert np.array_equal(index.wgt, before[0]) and np.array_equal(index.nbr, before[1])


# ---------------------------------------------------------------------- brokerage
def test_star_and_clique_by_hand():
    """Burt 1992, unweighted. A star centre with 4 unconnected contacts: effective size 4
    (all non-redundant), constraint 4 x (1/4)^2 = 0.25. A member of a 5-clique: 4 contacts
    with 6 ties among them, effective size 4 - 2 x 6 / 4 = 1; for each contact j,
    p_ij = 1/4 and the indirect part is 3 x (1/4 x 1/4) = 3/16, so the constraint is
    4 x (1/4 + 3/16)^2 = 4 x 49/256 = 0.765625."""
    star, _ = _index([(0, j, 0.5) for j in range(1, 5)])
    b = brokerage(star, [0], weight=None)[0]
    assert (b.degree, b.effective_size, b.efficiency, b.constraint) == (4, 4.0, 1.0, 0.25)
    clique, _ = _index([(a, c, 0.5) for a in range(5) for c in range(a + 1, 5)])
    b = brokerage(clique, [0], weight=None)[0]
    assert b.effective_size == pytest.approx(1.0) and b.constraint == pytest.approx(0.765625)
    # equal strengths give the same numbers weighted
    assert brokerage(clique, [0])[0].constraint == pytest.approx(0.765625)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("weight", ["strength", None])
def test_brokerage_equals_networkx(seed, weight):
    """Effective size and constraint equal networkx on each node's ego graph (scope "ego",
    the default) and on the whole graph (scope "graph"); NaN for isolated people, as there.
    (Twelve nodes per graph: networkx takes seconds for all of them.)"""
    index, G = _random(seed)
    nodes = random.Random(seed).sample(range(index.n), min(12, index.n))
    for scope in ("ego", "graph"):
        mine = brokerage(index, nodes, weight=weight, scope=scope)
        for i in nodes:
            H = nx.ego_graph(G, i) if scope == "ego" else G
            es = nx.effective_size(H, [i], weight=weight)[i]
            cs = nx.constraint(H, [i], weight=weight)[i]
            for want, got in ((es, mine[i].effective_size), (cs, mine[i].constraint)):
                assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(
                    want, rel=1e-9, abs=1e-12
                )


def test_brokers_are_contacts_spanning_groups():
    """Node 0 knows 1 and 2. Node 1 sits in a tight group (a 5-clique with 3, 4, 5, 6); node 2
    ties four people who know nobody else here (7 to 10). 2's five contacts (0 and 7-10) share
    no tie: effective size 5. 1's contacts 3-6 are tied to each other (6 ties among its 5
    contacts): 5 - 2 x 6 / 5 = 2.6. 2 ranks first."""
    edges = [(0, 1, 0.5), (0, 2, 0.5)]
    edges += [(a, c, 0.5) for a in (1, 3, 4, 5, 6) for c in (1, 3, 4, 5, 6) if a < c]
    edges += [(2, j, 0.5) for j in (7, 8, 9, 10)]
    index, _ = _index(edges)
    ranked = brokers(index, [0])
    assert [b.node for b in ranked] == [2, 1]
    assert ranked[0].measures.effective_size == pytest.approx(5.0)
    assert ranked[1].measures.effective_size == pytest.approx(2.6)
    assert ranked[0].measures.constraint < ranked[1].measures.constraint


# ---------------------------------------------------------------------- dormant ties
def _p(name):
    return Person(
        name=name,
        company=name.split()[1] + " Ltd",
        linkedin_url=f"https://www.linkedin.com/in/{name.lower().replace(' ', '-')}",
    )


def _messages(a, b, n, *, end, both=True, group=2):
    """`n` messages between `a` and `b`, three days apart, the last on `end`."""
    out = []
    for i in range(n):
        fwd = not both or i % 2 == 0
        out.append(Interaction(a if fwd else b, b if fwd else a, "message", end - timedelta(days=3 * (n - 1 - i)),
                               group_size=group, provenance=Provenance("linkedin", "messages.csv", i + 1)))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def dormant_scenario(tmp_path_factory):
    """Mia (the rep) and five people, as of 2026-11-01:

    - Olga Old: LinkedIn connection since 2018, then 12 two-way messages ending 400 days ago.
      Strong then, silent since: the dormant tie.
    - Ann Active: the same 12 messages, ending 10 days ago: strong and active, not dormant.
    - Fay Few: 2 messages 400 days ago: too little to have been a relationship.
    - Lena Oneway: 3 messages 400 days ago, all from Mia: no reciprocity, no context, so its
      strength then was 0.25 x freq(~3) + 0.20 x recency 1 = about 0.33, under 0.5.
    - Bob Bulk: 10 mails to 8 people 400 days ago: broadcast, not personal contact at all.
    """
    from graph.workspace import Workspace

    me = Person(is_owner=True)
    olga, ann, fay, lena, bob = (
        _p(n) for n in ("Olga Old", "Ann Active", "Fay Few", "Lena Oneway", "Bob Bulk")
    )
    old = NOW - timedelta(days=400)
    recs = [olga, ann, fay, lena, bob,
            Interaction(me, olga, "connected", datetime(2018, 3, 1), directed=False,
                        provenance=Provenance("linkedin", "Connections.csv", 5))]  # fmt: skip
    recs += _messages(me, olga, 12, end=old)
    recs += _messages(me, ann, 12, end=NOW - timedelta(days=10))
    recs += _messages(me, fay, 2, end=old)
    recs += _messages(me, lena, 3, end=old, both=False)
    recs += _messages(me, bob, 10, end=old, both=False, group=9)
    path = tmp_path_factory.mktemp("dormant") / "ws.db"
    with Workspace.open(path) as ws:
        ws.import_records(
            recs,
            label="hand-made",
            format="linkedin",
            digest="dormant",
            owner="Mia Rep <mia@ourco.com>",
        )
    ws = Workspace.open(path, readonly=True)
    index = build_index(ws, now=NOW)
    yield ws, index
    ws.close()


def _node(ws, index, name):
    return index.node_of(ws.find_person(name))


def test_only_the_old_strong_tie_is_dormant(dormant_scenario):
    ws, index = dormant_scenario
    mia = _node(ws, index, "mia@ourco.com")
    (d,) = dormant_ties(index, [mia], now=NOW)
    assert index.person(d.other)["name"] == "Olga Old"
    assert (d.idle_days, d.interactions, d.both_ways) == (400, 12, True)
    assert d.past_strength >= 0.5 and d.strength < d.past_strength - 0.2
    assert not dormant_ties(index, [mia], now=NOW, idle_days=401)


def test_past_strength_is_the_model_on_the_day_of_the_last_contact(dormant_scenario):
    """Re-derive Olga's past strength with the scalar model of graph.strength: her evidence,
    with each message weighted by its age on the day of the last one, scored on that day."""
    ws, index = dormant_scenario
    mia, olga = _node(ws, index, "Mia Rep"), _node(ws, index, "Olga Old")
    (d,) = dormant_ties(index, [mia], now=NOW)
    ev = index.tie_evidence(d.edge)
    ev.weighted = sum(interaction_weight(2, 3 * k) for k in range(12))
    want = tie_strength(
        ev, overlap_value=index.tie_components(d.edge)["overlap"], now=ev.last_personal
    )
    assert d.other == olga and d.past_strength == pytest.approx(want.value, abs=1e-4)


def test_lena_and_fay_were_never_strong(dormant_scenario):
    ws, index = dormant_scenario
    mia = _node(ws, index, "Mia Rep")
    loose = dormant_ties(index, [mia], now=NOW, min_past_strength=0.0, min_interactions=1)
    names = {index.person(d.other)["name"]: d for d in loose}
    assert set(names) == {"Olga Old", "Fay Few", "Lena Oneway"}  # Ann is active, Bob broadcast
    assert names["Lena Oneway"].past_strength == pytest.approx(0.33, abs=0.02)


# ---------------------------------------------------------------------- communities
def _clusters():
    """The source 0 sits in clique A = {0..5}; clique B = {6..11} is reached by one weak tie
    0 - 6 (0.05); clique C = {12..17} hangs off B by 11 - 12, and A's member 1 has a weak tie
    (0.1) to each of C's members, so C is two hops out. Strong ties (0.8) inside each clique."""
    edges = []
    for lo in (0, 6, 12):
        edges += [(a, b, 0.8) for a in range(lo, lo + 6) for b in range(a + 1, lo + 6)]
    edges += [(0, 6, 0.05), (11, 12, 0.3)] + [(1, c, 0.1) for c in range(12, 18)]
    return _index(edges)


def test_unreached_communities_and_the_ties_into_them():
    index, _ = _clusters()
    found = unreached_communities(index, [0], min_size=5)
    groups = sorted(tuple(c.members) for c in found)
    assert groups == [tuple(range(6, 12)), tuple(range(12, 18))]
    b = next(c for c in found if c.members[0] == 6)
    assert (b.direct, b.best_strength) == (1, 0.05)
    assert (b.entries[0].source, b.entries[0].via, b.entries[0].member) == (0, None, 6)
    c = next(c for c in found if c.members[0] == 12)
    assert c.direct == 0
    # into C through contact 1 (0 - 1 is 0.8, 1 - 12 is 0.1): 0.8 x 0.1 x 0.5
    assert (c.entries[0].via, c.entries[0].member) == (1, 12)
    assert c.entries[0].score == pytest.approx(0.04)


def test_communities_are_stable_for_a_seed():
    index, _ = _clusters()
    runs = [[c.members for c in unreached_communities(index, [0])] for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


# ---------------------------------------------------------------------- on the demo
@pytest.fixture(scope="module")
def demo(demo_ws_path):
    ex = Explorer.open(demo_ws_path)
    yield ex
    ex.close()


def test_demo_report_for_one_rep(demo):
    r = demo.weak_ties(sources=["Priya Shah"])
    d = json.loads(json.dumps(r.to_dict()))
    assert [s["name"] for s in d["sources"]] == ["Priya Shah"]
    assert d["bridges"] and all(b["overlap"] == 0 and b["new_contacts"] >= 1 for b in d["bridges"])
    assert d["dormant"] and all(
        x["idle_days"] >= 180 and x["past_strength"] >= 0.5 for x in d["dormant"]
    )
    assert all("Priya Shah and" in x["why"] for x in d["dormant"])
    assert d["brokers"] and all(
        b["contact"]["company"] != "Northwind Analytics" for b in d["brokers"]
    )
    sizes = [b["effective_size"] for b in d["brokers"]]
    assert sizes == sorted(sizes, reverse=True)
    assert d["communities"] and all(c["share"] <= 0.2 and c["entries"] for c in d["communities"])


def test_demo_spans_are_shortest_paths_with_the_tie_hidden(demo):
    """Check the first bridges' spans with networkx on the graph minus the tie (a view)."""
    index = demo.index()
    G = nx.Graph()
    G.add_edges_from(zip(index.eu.tolist(), index.ev.tolist(), strict=True))
    src = demo.sources(["Priya Shah"])
    for b in bridges(index, src)[:5]:
        H = nx.restricted_view(G, [], [(b.source, b.other)])
        want = (
            nx.shortest_path_length(H, b.source, b.other)
            if nx.has_path(H, b.source, b.other)
            else math.inf
        )
        assert b.span == want


# ---------------------------------------------------------------------- command line
def test_cli_weak_ties_json(demo_ws_path):
    r = CliRunner().invoke(cli, ["weak-ties", "--from", "Priya Shah", "--idle-days", "365", "--limit", "5",
                                 "--workspace", str(demo_ws_path), "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["params"]["idle_days"] == 365 and len(d["dormant"]) <= 5
    assert all(x["idle_days"] >= 365 for x in d["dormant"]) and d["dormant_total"] >= len(
        d["dormant"]
    )
    assert {"sources", "bridges", "brokers", "dormant", "communities"} <= set(d)


def test_cli_weak_ties_text_for_the_team(demo_ws_path):
    r = CliRunner().invoke(cli, ["weak-ties", "--team", "--workspace", str(demo_ws_path)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Weak ties of the team (4 people")
    assert "Dormant ties" in r.output and "Bridges" in r.output


def test_cli_weak_ties_from_and_team_is_a_usage_error(demo_ws_path):
    r = CliRunner().invoke(
        cli, ["weak-ties", "--team", "--from", "Priya Shah", "--workspace", str(demo_ws_path)]
    )
    assert r.exit_code != 0 and "not both" in str(r.exception)
