"""Intro planning: the greedy choice against brute force (budgets never exceeded, the greedy
bounds hold), hand-made graphs where the plan is derivable, and the demo team."""

import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.build import from_edges
from graph.intro import Target
from graph.plan import Account, greedy_cover, plan_intros


# ---------------------------------------------------------------------- brute force
def coverage(options, chosen, budget):
    """Most accounts the introducers `chosen` can cover, at most `budget` each: a maximum
    flow source -> introducer (capacity budget) -> account (1) -> sink (1), by networkx."""
    G = nx.DiGraph()
    for i in chosen:
        G.add_edge("s", ("i", i), capacity=budget)
        for a in options[i]:
            G.add_edge(("i", i), ("a", a), capacity=1)
            G.add_edge(("a", a), "t", capacity=1)
    if "s" not in G:
        return 0
    return int(nx.maximum_flow_value(G, "s", "t"))


def best_with(options, k, budget):
    """OPT_k: the most accounts any k introducers cover."""
    return max((coverage(options, c, budget) for c in itertools.combinations(sorted(options), min(k, len(options)))),
               default=0)  # fmt: skip


def fewest_for_all(options, budget):
    """OPT: the fewest introducers that cover as much as all of them together."""
    full = coverage(options, list(options), budget)
    for k in range(len(options) + 1):
        if any(coverage(options, c, budget) == full for c in itertools.combinations(sorted(options), k)):
            return k, full
    raise AssertionError


options_st = st.dictionaries(
    keys=st.sampled_from("abcdefg"),
    values=st.dictionaries(st.integers(0, 7), st.floats(0.01, 1.0), min_size=1, max_size=5),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(options=options_st, budget=st.integers(1, 3), max_asks=st.none() | st.integers(1, 6))
def test_no_introducer_is_asked_beyond_the_budget(options, budget, max_asks):
    c = greedy_cover(options, budget=budget, max_asks=max_asks)
    for i in set(c.assignment.values()):
        assert len(c.accounts_of(i)) <= budget
    assert all(a in options[i] for a, i in c.assignment.items())  # only accounts they reach
    assert set(c.assignment.values()) <= set(c.order) and len(set(c.order)) == len(c.order)
    if max_asks is not None:
        assert len(c.order) <= max_asks


@settings(max_examples=120, deadline=None)
@given(options=options_st, budget=st.integers(1, 3), k=st.integers(1, 4))
def test_k_requests_cover_at_least_1_minus_1_over_e_of_the_best_k(options, budget, k):
    """Nemhauser-Wolsey-Fisher: f(greedy_k) >= (1 - (1 - 1/k)^k) OPT_k >= (1 - 1/e) OPT_k
    (derived in graph.plan's docstring)."""
    opt = best_with(options, k, budget)
    got = greedy_cover(options, budget=budget, max_asks=k).covered
    assert got <= opt
    assert got >= (1 - (1 - 1 / k) ** k) * opt - 1e-9
    assert got >= (1 - 1 / math.e) * opt - 1e-9


@settings(max_examples=120, deadline=None)
@given(options=options_st, budget=st.integers(1, 3))
def test_run_to_the_end_it_covers_all_it_can_within_the_set_cover_bound(options, budget):
    """Run to the end, the greedy reaches f(all) with at most H(d) * OPT requests (Wolsey
    1982), d the largest single-introducer coverage min(budget, |A_i|)."""
    c = greedy_cover(options, budget=budget)
    fewest, full = fewest_for_all(options, budget)
    assert c.covered == full == coverage(options, c.order, budget)
    d = max(min(budget, len(a)) for a in options.values())
    assert len(c.order) <= sum(1 / j for j in range(1, d + 1)) * fewest + 1e-9


def test_a_later_introducer_takes_over_an_account_to_free_another():
    """Budget 1. Ann reaches x (0.9) and y (0.2), Bo only x (0.5). Ann goes first (her best
    path is the best) and takes x; Bo's gain is still 1, because Ann can move to y and hand x
    over (an augmenting path): both accounts covered, x by Bo."""
    c = greedy_cover({"ann": {"x": 0.9, "y": 0.2}, "bo": {"x": 0.5}}, budget=1)
    assert c.order == ["ann", "bo"] and c.assignment == {"x": "bo", "y": "ann"}


def test_clean_up_drops_a_request_the_others_can_stand_in_for():
    """Budget 2. Cy reaches b, c with the best paths and is picked first; then Ann (a) and Bo
    (d) are needed. Ann and Bo alone cover a, b, c, d (Ann: a, b; Bo: c, d), so Cy is dropped:
    two requests instead of three, same coverage."""
    c = greedy_cover({"ann": {"a": 0.1, "b": 0.1}, "bo": {"c": 0.1, "d": 0.1},
                      "cy": {"b": 0.9, "c": 0.9}}, budget=2)  # fmt: skip
    assert c.dropped == ["cy"] and sorted(c.order) == ["ann", "bo"] and c.covered == 4
    raw = greedy_cover({"ann": {"a": 0.1, "b": 0.1}, "bo": {"c": 0.1, "d": 0.1},
                        "cy": {"b": 0.9, "c": 0.9}}, budget=2, cleanup=False)  # fmt: skip
    assert raw.order[0] == "cy" and len(raw.order) == 3 and raw.covered == 4


# ---------------------------------------------------------------------- on a graph
@pytest.fixture
def small():
    """Nodes: 0 the rep (s); 1, 2 introducers m1, m2; targets 3 (t1), 4 (t2), 5 (t3), 6 (t4),
    7 (t5), 8 (t6, isolated).

    s-m1 0.8, m1-t1 0.5, m1-t2 0.5, s-m2 0.6, m2-t3 0.5, m2-t2 0.4, s-t4 0.9, s-t5 0.1.
    Path scores (penalty 0.5 per extra hop): A=t1 via m1 0.8*0.5*0.5 = 0.2; B=t2 via m1 0.2
    or via m2 0.6*0.4*0.5 = 0.12; C=t3 via m2 0.15. D=t4 is a warm direct tie (0.9 >= 0.3),
    E=t5 a weak one (0.1) with no introducer; F is unknown; G has no path.
    """
    u = [0, 1, 1, 0, 2, 2, 0, 0]
    v = [1, 3, 4, 2, 5, 4, 6, 7]
    s = [0.8, 0.5, 0.5, 0.6, 0.5, 0.4, 0.9, 0.1]
    index = from_edges(np.array(u), np.array(v), np.array(s), n=9)
    accounts = [Account(x, Target(f"anyone at {x}", [node], company=x))
                for x, node in (("A", 3), ("B", 4), ("C", 5), ("D", 6), ("E", 7))]  # fmt: skip
    accounts += [Account("F", None, "no company 'F' in the workspace"), Account("G", Target("G", [8], company="G"))]
    return index, accounts


def test_plan_with_budget_one_leaves_the_contested_account(small):
    """Budget 1: m1 (best path 0.2) takes A; m2 takes C, its best; B's introducers are both
    used up. D and E (weak) are covered directly."""
    index, accounts = small
    p = plan_intros(index, [0], accounts, budget=1)
    asks = {a.introducer["id"]: [x["account"] for x in a.accounts] for a in p.asks}
    assert asks == {"p1": ["A"], "p2": ["C"]}
    assert [(d["account"], d["weak"]) for d in p.direct] == [("D", False), ("E", True)]
    why = {u["account"]: u["reason"] for u in p.uncovered}
    assert why == {"B": "budget exhausted", "F": "unknown account", "G": "no path"}
    assert (p.accounts, p.reachable, p.covered) == (7, 5, 4)
    a = p.asks[0].accounts[0]
    assert a["score"] == pytest.approx(0.2) and a["hops"] == 2 and a["path"] == ["#0", "#1", "#3"]


def test_plan_with_budget_two_covers_everything_reachable(small):
    index, accounts = small
    p = plan_intros(index, [0], accounts, budget=2)
    asks = {a.introducer["id"]: sorted(x["account"] for x in a.accounts) for a in p.asks}
    assert asks == {"p1": ["A", "B"], "p2": ["C"]} and p.covered == 5
    one = plan_intros(index, [0], accounts, budget=2, max_asks=1)
    assert [a.introducer["id"] for a in one.asks] == ["p1"]
    assert {u["account"]: u["detail"] for u in one.uncovered}["C"] == "the plan is limited to 1 requests"


def test_a_weak_direct_tie_does_not_block_an_introduction(small):
    """With direct_min above 0.9, D's direct tie is weak too; D has no introducer, so it is
    still covered directly, flagged weak."""
    index, accounts = small
    p = plan_intros(index, [0], accounts, budget=2, direct_min=0.95)
    assert [(d["account"], d["weak"]) for d in p.direct] == [("D", True), ("E", True)]


def test_demo_plan_asks_introducers_for_the_cfo(demo_ws_path):
    """On the demo, the team's only direct tie to Globex's CFO is a CRM owner field (0.15),
    weaker than `direct_min`, so the plan asks an introducer; the path is the best intro path
    that has one (find_intros ranks the weak direct tie first)."""
    from graph.explorer import Explorer
    from loaders.targets import parse_targets

    rows = list(parse_targets(b"company,title\nGlobex,CFO\nHooli,\nNowhere Ltd,\n", file="t.csv"))
    with Explorer.open(demo_ws_path) as ex:
        p = ex.plan(rows, team=True, budget=1)
        intro = ex.intro("Globex", title="CFO", team=True, k=5)
    (ask,) = [a for a in p.asks if a.accounts[0]["account"] == "CFO at Globex"]
    best = next(x for x in intro.paths if x.hops > 1)
    acc = ask.accounts[0]
    assert acc["score"] == pytest.approx(best.score, abs=1e-6) and "CFO" in acc["target"]["title"]
    assert ask.introducer["id"] == best.path[1]["id"]
    assert [d["account"] for d in p.direct] == ["Hooli"] and not p.direct[0]["weak"]
    assert [(u["account"], u["reason"]) for u in p.uncovered] == [("Nowhere Ltd", "unknown account")]
