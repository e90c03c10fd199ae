"""Warm-intro search on hand-made graphs where the right answer is derivable, and exactness
against exhaustive search on random graphs."""

from contextlib import contextmanager
from datetime import datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.build import build_index, from_edges
from graph.intro import exhaustive_top_paths, find_intros, top_paths, why_not
from graph.model import Interaction, Person, Provenance
from graph.targets import resolve_sources, resolve_target

NOW = datetime(2026, 11, 1)
ME = "Mia Rep <mia@ourco.com>"


def _p(name, company, title="", url=None, email=None):
    slug = url or name.lower().replace(" ", "-")
    return Person(name=name, company=company, title=title,
                  linkedin_url=f"https://www.linkedin.com/in/{slug}",
                  emails=(email,) if email else ())  # fmt: skip


def _messages(a, b, n, *, start, both=True, group=2, line0=1):
    out = []
    for i in range(n):
        fwd = not both or i % 2 == 0
        out.append(Interaction(a if fwd else b, b if fwd else a, "message", start + timedelta(days=3 * i),
                               group_size=group, provenance=Provenance("linkedin", "messages.csv", line0 + i)))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Mia (the rep) and Globex, a small company where Tara is CFO.

    - Tara is a bare 2016 LinkedIn connection of Mia (strength 0.075).
    - Sam works at Globex and writes with Mia every few days, both ways, recently.
    - Rita works at Globex, exchanged recent two-way messages with Mia.
    - Dave works at Globex, a single 2016 connection with Mia (the decoy).
    - Gina gets Mia's newsletters sent to 8 people at once (broadcast, not a tie).
    - Uma at Umbrella knows only Zed, whom nobody on our side knows.
    - Like any rep, Mia has many other connections (40 here) at other companies.
    """
    from graph.workspace import Workspace

    me = Person(is_owner=True)
    tara = _p("Tara Target", "Globex", "Chief Financial Officer")
    sam = _p("Sam Strong", "Globex", "Controller")
    rita = _p("Rita Recent", "Globex Inc.", "Analyst")
    dave = _p("Dave Decoy", "Globex", "Engineer")
    gina = _p("Gina Group", "Hooli", "Marketing")
    uma, zed = _p("Uma Unknown", "Umbrella", "CTO"), _p("Zed Zero", "Umbrella")
    conn = lambda p, when: Interaction(me, p, "connected", when, directed=False,  # noqa: E731
                                       provenance=Provenance("linkedin", "Connections.csv", 5))
    recs = [tara, sam, rita, dave, gina, uma, zed,
            conn(tara, datetime(2016, 4, 1)), conn(dave, datetime(2016, 4, 2)),
            conn(sam, datetime(2019, 1, 1)), conn(rita, datetime(2023, 1, 1))]  # fmt: skip
    for i in range(40):
        other = _p(f"Other Person{i}", f"Company {i % 13}")
        recs += [other, conn(other, datetime(2015 + i % 10, 1 + i % 12, 1))]
    recs += _messages(me, sam, 30, start=NOW - timedelta(days=95))
    recs += _messages(me, rita, 8, start=NOW - timedelta(days=40))
    recs += _messages(me, gina, 10, start=NOW - timedelta(days=40), both=False, group=8)
    recs += [Interaction(uma, zed, "meeting", NOW - timedelta(days=5), provenance=Provenance("ics", "cal.ics", 9))]
    path = tmp_path_factory.mktemp("scenario") / "ws.db"
    with Workspace.open(path) as ws:
        ws.import_records(recs, label="hand-made", format="linkedin", digest="scenario", owner=ME)
    ws = Workspace.open(path, readonly=True)
    index = build_index(ws, now=NOW)
    yield ws, index
    ws.close()


def _names(index, raw):
    return [index.person(i)["name"] for i in raw.nodes]


def test_strong_two_hop_path_beats_a_bare_connection(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["mia@ourco.com"])
    tgt = resolve_target(ws, index, "Tara Target")
    result = find_intros(index, src, tgt, k=5)
    first = result.paths[0]
    assert [p["name"] for p in first.path] == ["Mia Rep", "Sam Strong", "Tara Target"]
    direct = next(p for p in result.paths if p.hops == 1)
    assert direct.score == pytest.approx(0.075, abs=0.01)
    assert first.score > direct.score
    assert "exchanged 30 messages" in first.ties[0]["why"] and "both ways" in first.ties[0]["why"]
    assert "colleagues at Globex" in first.ties[1]["why"]
    assert first.ties[0]["evidence"] and "messages.csv:" in first.ties[0]["evidence"][0]


def test_decoy_with_one_old_connection_ranks_below_recent_two_way_messages(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["Mia Rep"])
    tgt = resolve_target(ws, index, "Tara Target")
    names = [p.path[1]["name"] for p in find_intros(index, src, tgt, k=10).paths if p.hops > 1]
    assert names.index("Rita Recent") < names.index("Dave Decoy")


def test_group_mail_does_not_make_a_tie_strong(scenario):
    ws, index = scenario
    mia, gina = index.node_of(ws.find_person("Mia Rep")), index.node_of(ws.find_person("Gina Group"))
    e = index.edge(mia, gina)
    assert e is not None
    assert index.tie_components(e)["frequency"] == 0.0
    assert index.strength[e] < 0.1
    assert "group mails" in index.tie_evidence(e).__class__.__name__ or index.n_broadcast[e] == 10


def test_unreachable_target_gets_a_clear_answer(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["Mia Rep"])
    result = find_intros(index, src, resolve_target(ws, index, "Uma Unknown"))
    assert result.paths == []
    assert "no path to Uma Unknown within 3 hops" in result.message
    assert "nor to anyone else at Umbrella" in result.message


def test_company_and_title_target(scenario):
    ws, index = scenario
    tgt = resolve_target(ws, index, "Globex", title="CFO")
    assert [index.person(n)["name"] for n in tgt.nodes] == ["Tara Target"]
    anyone = resolve_target(ws, index, "globex, inc", company=True)
    assert {index.person(n)["name"] for n in anyone.nodes} == {"Tara Target", "Sam Strong", "Rita Recent", "Dave Decoy"}


def test_diversity_cap_limits_paths_through_one_introducer(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["Mia Rep"])
    tgt = resolve_target(ws, index, "Globex", company=True)
    uncapped = find_intros(index, src, tgt, k=8, per_introducer=None).paths
    capped = find_intros(index, src, tgt, k=8, per_introducer=1).paths
    intro_uncapped = [p.introducer["name"] for p in uncapped if p.introducer]
    assert max(intro_uncapped.count(n) for n in set(intro_uncapped)) > 1
    intro_capped = [p.introducer["name"] for p in capped if p.introducer]
    assert len(intro_capped) == len(set(intro_capped))


def test_why_not_names_the_weakest_hop(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["Mia Rep"])
    tgt = resolve_target(ws, index, "Tara Target")
    w = why_not(index, src, tgt, index.node_of(ws.find_person("Dave Decoy")))
    assert w.rank is not None and w.rank > 1
    assert w.weakest_hop["from"] == "Mia Rep" and w.weakest_hop["to"] == "Dave Decoy"
    assert "Dave Decoy ranks #" in w.message
    assert all(c["component"] in ("frequency", "recency", "reciprocity", "duration", "overlap", "context")
               for c in w.top_changes_with)  # fmt: skip


def test_json_shape_of_a_path(scenario):
    ws, index = scenario
    src = resolve_sources(ws, index, ["Mia Rep"])
    d = find_intros(index, src, resolve_target(ws, index, "Tara Target"), k=1).paths[0].to_dict()
    assert set(d) >= {"target", "score", "hops", "path", "ties", "why", "model_version"}
    assert set(d["path"][0]) == {"id", "name", "company", "title"}
    assert set(d["ties"][0]) >= {"from", "to", "strength", "components", "evidence"}
    assert d["target"]["name"] == "Tara Target" and not d["path"][0]["id"].count("@")


@st.composite
def random_graphs(draw):
    n = draw(st.integers(2, 14))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                    st.sampled_from([0.05, 0.1, 0.3, 0.3, 0.5, 0.9, 1.0])), min_size=1, max_size=40))  # fmt: skip
    sources = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    targets = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    return n, edges, sources, targets


@settings(max_examples=300, deadline=None)
@given(random_graphs(), st.integers(1, 6), st.integers(1, 3), st.sampled_from([None, 1, 2]),
       st.booleans(), st.sampled_from([0.5, 1.0, 0.3]), st.sampled_from([None, "left", "right"]))  # fmt: skip
def test_fast_search_equals_exhaustive_search(graph, k, hops, cap, through, penalty, join):
    """Whichever side the three-hop join scans from, the answer is the exhaustive one."""
    import graph.intro as intro_module

    intro_module._FORCE_JOIN = join
    n, edges, sources, targets = graph
    u, v, s = (np.array(x) for x in zip(*edges, strict=True))
    index = from_edges(u, v, s, n=n)
    fast = top_paths(index, sources, targets, k=k, max_hops=hops, per_introducer=cap,
                     through_sources=through, hop_penalty=penalty)  # fmt: skip
    slow = exhaustive_top_paths(index, sources, targets, k=k, max_hops=hops, per_introducer=cap,
                                through_sources=through, hop_penalty=penalty)  # fmt: skip
    assert [round(p.score, 12) for p in fast] == [round(p.score, 12) for p in slow]
    intro_module._FORCE_JOIN = None
    for p in fast:
        assert len(set(p.nodes)) == len(p.nodes) and p.nodes[0] in sources and p.nodes[-1] in targets


#: The search's size thresholds set so small that every random graph takes the cut-row,
#: two-chunk and partitioned-hit-list branches a million-person graph takes at hubs.
TINY = {"_HUB": 1, "_ONE_SHOT": 0, "_FIRST": 1, "_HEAD": 1}


@contextmanager
def _search_settings(join=None, tiny=False):
    import graph.intro as intro_module

    saved = {name: getattr(intro_module, name) for name in [*TINY, "_FORCE_JOIN"]}
    try:
        intro_module._FORCE_JOIN = join
        if tiny:
            for name, value in TINY.items():
                setattr(intro_module, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(intro_module, name, value)


@settings(max_examples=300, deadline=None)
@given(random_graphs(), st.integers(1, 6), st.sampled_from([None, 1, 2]), st.booleans(),
       st.sampled_from([0.5, 1.0, 0.3]), st.sampled_from([None, "left", "right"]))  # fmt: skip
def test_pruning_by_rows_chunks_and_partial_sorts_stays_exact(graph, k, cap, through, penalty, join):
    """With every size threshold at its minimum (each row cut at θ by binary search, the join
    taken in two chunks, hit lists partitioned), three-hop answers are still exhaustive ones.
    Strengths come from seven values, so equal scores are common."""
    n, edges, sources, targets = graph
    u, v, s = (np.array(x) for x in zip(*edges, strict=True))
    index = from_edges(u, v, s, n=n)
    with _search_settings(join, tiny=True):
        fast = top_paths(index, sources, targets, k=k, max_hops=3, per_introducer=cap,
                         through_sources=through, hop_penalty=penalty)  # fmt: skip
    slow = exhaustive_top_paths(index, sources, targets, k=k, max_hops=3, per_introducer=cap,
                                through_sources=through, hop_penalty=penalty)  # fmt: skip
    assert [round(p.score, 12) for p in fast] == [round(p.score, 12) for p in slow]


def _hub_graph(seed):
    """300 people with a few ties each, three super-connectors tied to 120 of them, strengths
    mostly weak (like bare connections) and some strong; returns edges and the hubs."""
    rng = np.random.default_rng(seed)
    n = 300
    u, v = rng.integers(0, n, 900), rng.integers(0, n, 900)
    hubs = np.array([7, 8, 9])
    hu = np.repeat(hubs, 120)
    hv = rng.choice(n, 360)
    u, v = np.concatenate([u, hu]), np.concatenate([v, hv])
    s = np.where(rng.random(len(u)) < 0.85, rng.uniform(0.03, 0.15, len(u)), rng.uniform(0.5, 0.95, len(u)))
    return from_edges(u, v, s, n=n), hubs


@pytest.mark.parametrize("join", [None, "left", "right"])
@pytest.mark.parametrize("tiny", [False, True])
def test_hubs_on_either_side_stay_exact(join, tiny):
    """Targets that are super-connectors, targets next to one, teams with one in them and
    teams tied to the target directly (so the target is also on the sources' side): the
    top-5 equals exhaustive search, with and without passing through another source."""
    index, hubs = _hub_graph(3)
    rng = np.random.default_rng(4)
    queries = [(list(rng.choice(300, 6, replace=False)), int(h)) for h in hubs]  # hub targets
    queries += [([int(hubs[0]), *rng.choice(300, 5, replace=False)], int(t)) for t in rng.choice(300, 4)]
    row = index.nbr[index.indptr[hubs[1]] : index.indptr[hubs[1] + 1]]
    queries += [([int(row[0]), int(row[1])], int(hubs[1]))]  # the hub target is next to both
    queries += [(list(rng.choice(300, 10, replace=False)), int(t)) for t in rng.choice(300, 6)]
    checked = 0
    for S, t in queries:
        if t in S:
            continue
        for through in (True, False):
            with _search_settings(join, tiny=tiny):
                fast = top_paths(index, S, [t], k=5, through_sources=through)
            slow = exhaustive_top_paths(index, S, [t], k=5, through_sources=through)
            assert [round(p.score, 12) for p in fast] == [round(p.score, 12) for p in slow], (S, t)
            checked += 1
    assert checked >= 20


def test_a_path_may_not_come_back_through_the_target_or_the_source():
    """Source 0 is tied strongly to the target 3 and to 1; 3 is tied to 2. The three-hop
    walks 0-3-2-3 and 0-1-0-3 reuse a person; the only paths are 0-3 and 0-1-2-3."""
    index = from_edges(np.array([0, 0, 3, 1, 2]), np.array([3, 1, 2, 2, 0]), np.array([0.9, 0.9, 0.9, 0.9, 0.1]), n=4)
    for join in (None, "left", "right"):
        with _search_settings(join, tiny=True):
            got = top_paths(index, [0], [3], k=5, hop_penalty=1.0)
        assert [p.nodes for p in got] == [(0, 3), (0, 1, 2, 3), (0, 2, 3)], join
