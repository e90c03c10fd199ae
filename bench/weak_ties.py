"""Weak-ties and reach benchmark: `graph.weak_ties.weak_ties_report` for one rep and
`graph.reach.reach_report` for a team, each against plain networkx in the same run.

Run by hand (never by pytest); it prints numbers (progress on stderr) and, with ``--json``,
writes them::

    python bench/weak_ties.py                      # the goal run: 100k people, 1M ties
    python bench/weak_ties.py --people 20000       # a small run (about a minute)

The graph is `bench/intro.py`'s seeded synthetic graph (``--people N``, ``--ties`` default
10 N), indexed with `graph.build.from_edges`. Such plain edges carry no evidence, so the bench
adds seeded synthetic evidence (personal interaction counts, last contact, the strength
components that follow from them) for dormant ties, companies of about 25 people and 30
industries for the reach aggregates. ``--accounts`` (200) random companies make the target
account list.

The rep (``--rep NODE``, else the person at the ``--rep-quantile`` of degree, 0.999: a
well-connected rep, not a super-connector) gets the full weak-ties report; then the same work
is done with networkx, each part cut off after ``--baseline-timeout`` seconds (a cut-off part
is reported with its rate, so the comparison is then a lower bound):

* Burt's measures of the rep: ``nx.effective_size`` and ``nx.constraint`` on
  ``nx.ego_graph(G, rep)`` (the same numbers, checked);
* brokers: the same for every contact of the rep, as the report ranks them;
* bridges: networkx ``local_bridges``' method on the rep's ties (common neighbours, then
  ``shortest_path_length`` with the tie hidden by a weight function; spans checked);
* communities: ``louvain_communities`` on the whole two-hop ball (the report caps it at
  ``max_nodes`` = 2,000 best-reached people).

The team (``--team`` 10 people drawn by degree) gets the reach report with the account list;
networkx does the equivalent breadth-first searches: ``bfs_layers`` from the team to depth 3,
once over all ties and once over the ties of each band (the report's band counts must equal
these), and the same for a single rep with ``single_source_shortest_path_length``.

``--stress`` also times the weak-ties report for the highest-degree person (a super-connector
with thousands of ties), without a goal.

Goals (100k people / 1M ties): weak-ties report for one rep <= 5 s; team reach <= 10 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intro import TimedOut, draw_team, generate_graph, jsonable, rss_mb, say, time_limit

from graph.build import TieIndex, from_edges
from graph.intro import Target
from graph.model import INTERACTION_KINDS
from graph.plan import Account
from graph.reach import MEDIUM, STRONG, reach_report, widest_paths
from graph.strength import COMPONENTS
from graph.weak_ties import (
    bridges,
    brokerage,
    brokers,
    dormant_ties,
    unreached_communities,
    weak_ties_report,
)

GOALS = {"weak_ties_s": 5.0, "reach_s": 10.0}
GOAL_SCALE = "100k people / 1M ties"


# ---------------------------------------------------------------------- synthetic evidence
def with_evidence(index: TieIndex, seed: int) -> TieIndex:
    """A copy of `index` with seeded synthetic evidence, companies and look-ups.

    Each tie gets Poisson(20 x strength) personal messages, the last one an exponential
    (mean 300 days) time ago, a frequency component from those (a weighted count of
    ``count x 0.5 x 2^(-age/180)``), recency ``2^(-age/180)``, random reciprocity and
    duration, a LinkedIn context (0.3); people get a company of about 25 people and each
    company one of 30 industries.
    """
    rng = np.random.default_rng(seed + 7)
    m, n = index.m, index.n
    count = rng.poisson(20 * index.strength)
    age = rng.exponential(300.0, m)
    last = np.where(count > 0, index.now_days - age, np.nan)
    W = count * 0.5 * np.power(0.5, age / 180.0)
    comps = np.zeros((m, len(COMPONENTS)), dtype=np.float32)
    comps[:, COMPONENTS.index("frequency")] = 1 - np.exp(-W / 4)
    comps[:, COMPONENTS.index("recency")] = np.where(count > 0, np.power(0.5, age / 180.0), 0)
    comps[:, COMPONENTS.index("reciprocity")] = np.where(count > 1, rng.random(m), 0)
    comps[:, COMPONENTS.index("duration")] = rng.random(m)
    comps[:, COMPONENTS.index("context")] = 0.3
    counts = np.zeros((m, len(INTERACTION_KINDS)), dtype=np.int32)
    counts[:, INTERACTION_KINDS.index("message")] = count
    n_ab = rng.binomial(count, 0.5).astype(np.int32)
    company = rng.integers(0, max(1, n // 25), n).astype(np.int32)
    return dataclasses.replace(
        index, components=comps, counts=counts, last_personal=last, last=last,
        n_ab=n_ab, n_ba=(count - n_ab).astype(np.int32), company=company,
        company_names=lambda cids: {int(c): f"company {int(c)}" for c in cids},
        industries=lambda cids: {int(c): f"industry {int(c) % 30}" for c in cids},
        _info_cache={},
    )  # fmt: skip


# ---------------------------------------------------------------------- helpers
def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def nx_graph(index: TieIndex) -> nx.Graph:
    """The index as networkx (nodes ``0..n-1``, ``strength`` on the edges)."""
    G = nx.Graph()
    G.add_nodes_from(range(index.n))
    G.add_weighted_edges_from(
        zip(index.eu.tolist(), index.ev.tolist(), index.strength.tolist(), strict=True),
        weight="strength",
    )
    return G


def budgeted(items: Sequence[Any], fn: Callable[[Any], Any], seconds: float) -> dict[str, Any]:
    """Run `fn` on each item until `seconds` are spent; the results, the time, and whether it
    finished (if not, the projected time for all items at the rate seen)."""
    done: list[Any] = []
    t0 = time.perf_counter()
    try:
        with time_limit(seconds):
            for it in items:
                done.append(fn(it))
    except TimedOut:
        pass
    dt = time.perf_counter() - t0
    finished = len(done) == len(items)
    projected = dt if finished else (dt / max(1, len(done)) * len(items) if done else float("inf"))
    return {"results": done, "s": dt, "finished": finished, "done": len(done),
            "of": len(items), "projected_s": projected}  # fmt: skip


# ---------------------------------------------------------------------- phases
def phase_weak_ties(
    index: TieIndex, G: nx.Graph | None, rep: int, args: argparse.Namespace
) -> dict[str, Any]:
    say(f"weak-ties report for rep {rep} ({index.degree(rep)} ties)")
    weak_ties_report(index, [rep])  # warm-up (imports, scratch arrays)
    index._info_cache.clear()
    report, total = timed(lambda: weak_ties_report(index, [rep]))
    parts = {
        "bridges": timed(lambda: bridges(index, [rep], min_new_contacts=1))[1],
        "brokerage_rep": timed(lambda: brokerage(index, [rep]))[1],
        "brokers": timed(lambda: brokers(index, [rep]))[1],
        "dormant": timed(lambda: dormant_ties(index, [rep]))[1],
        "communities": timed(lambda: unreached_communities(index, [rep]))[1],
    }
    out: dict[str, Any] = {
        "rep": rep, "degree": index.degree(rep), "report_s": total, "parts_s": parts,
        "bridges": report.bridges_total, "dormant": report.dormant_total,
        "brokers": len(report.brokers), "communities": len(report.communities),
    }  # fmt: skip
    if G is None:
        return out
    say("networkx: Burt's measures of the rep on its ego graph")
    mine = brokerage(index, [rep])[rep]
    _, t_mine = timed(lambda: brokerage(index, [rep]))

    def nx_rep(i: int) -> tuple[float, float, float]:
        ego, t_ego = timed(lambda: nx.ego_graph(G, i))
        return (
            t_ego,
            nx.effective_size(ego, [i], weight="strength")[i],
            nx.constraint(ego, [i], weight="strength")[i],
        )

    r = budgeted([rep], nx_rep, args.baseline_timeout)
    if r["finished"]:
        t_ego, es, cs = r["results"][0]
        r["ego_graph_s"] = t_ego
        r["same"] = bool(np.isclose(es, mine.effective_size) and np.isclose(cs, mine.constraint))
    r["ours_s"] = t_mine
    del r["results"]
    out["nx_rep"] = r
    say("networkx: Burt's measures of every contact (the brokers list)")
    contacts = [int(j) for j in index.neighbors(rep)[0] if index.degree(int(j)) >= 3]

    def nx_broker(j: int) -> tuple[int, float, float]:
        e = nx.ego_graph(G, j)
        return (
            j,
            nx.effective_size(e, [j], weight="strength")[j],
            nx.constraint(e, [j], weight="strength")[j],
        )

    b = budgeted(contacts, nx_broker, args.baseline_timeout)
    ours = brokerage(index, [j for j, _, _ in b["results"]])
    b["same"] = all(np.isclose(e, ours[j].effective_size) and np.isclose(c, ours[j].constraint)
                    for j, e, c in b["results"])  # fmt: skip
    b["ours_s"] = parts["brokers"]
    del b["results"]
    out["nx_brokers"] = b
    say("networkx: local bridges of the rep's ties (common neighbours, hidden-edge Dijkstra)")
    mine_b = {br.other: br.span for br in bridges(index, [rep])}

    def nx_bridge(v: int) -> tuple[int, float] | None:
        if set(G[rep]) & set(G[v]):
            return None
        hide = lambda a, c, d: None if {a, c} == {rep, v} else 1
        try:
            return v, nx.shortest_path_length(G, rep, v, weight=hide)
        except nx.NetworkXNoPath:
            return v, float("inf")

    nb = budgeted([int(j) for j in G[rep]], nx_bridge, args.baseline_timeout)
    found = [x for x in nb["results"] if x is not None]
    nb["same"] = all(mine_b.get(v) == span for v, span in found)
    nb["ours_s"] = timed(lambda: bridges(index, [rep]))[1]
    del nb["results"]
    out["nx_bridges"] = nb
    say("networkx: Louvain on the whole two-hop ball")
    ball = set(G[rep]) | {rep}
    for j in list(G[rep]):
        ball.update(G[j])
    H = G.subgraph(sorted(ball))
    lv = budgeted([H], lambda h: nx.community.louvain_communities(h, weight="strength", seed=42),
                  args.baseline_timeout)  # fmt: skip
    lv.update(
        ball_nodes=H.number_of_nodes(), ball_ties=H.number_of_edges(), ours_s=parts["communities"]
    )
    del lv["results"]
    out["nx_louvain"] = lv
    return out


def phase_reach(
    index: TieIndex, G: nx.Graph | None, team: list[int], args: argparse.Namespace
) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed + 3)
    cids = np.unique(index.company)
    picks = rng.choice(cids, min(args.accounts, len(cids)), replace=False)
    order = np.argsort(index.company, kind="stable")
    bounds = (
        np.searchsorted(index.company[order], picks),
        np.searchsorted(index.company[order], picks, side="right"),
    )
    accounts = [Account(f"company {int(c)}", Target(f"anyone at company {int(c)}", order[a:z].tolist()))
                for c, a, z in zip(picks, *bounds, strict=True)]  # fmt: skip
    say(f"team reach for {len(team)} people, {len(accounts)} target accounts")
    reach_report(index, team[:1])  # warm-up
    report, total = timed(lambda: reach_report(index, team, accounts=accounts))
    _, t_widest = timed(lambda: widest_paths(index, team))
    _, t_noacc = timed(lambda: reach_report(index, team))
    (single, t_single) = timed(lambda: reach_report(index, team[:1]))
    out: dict[str, Any] = {
        "team": len(team), "accounts": len(accounts), "report_s": total,
        "widest_paths_s": t_widest, "without_accounts_s": t_noacc, "one_rep_s": t_single,
        "coverage": report.coverage.counts() if report.coverage else None,
        "hops": report.hops,
    }  # fmt: skip
    if G is None:
        return out
    say("networkx: bfs_layers from the team, all ties and each band's ties, to depth 3")

    def layers(H: Any, sources: list[int]) -> list[int]:
        got = []
        for d, layer in enumerate(nx.bfs_layers(H, sources)):
            if d > 3:
                break
            got.append(len(layer))
        got += [0] * (4 - len(got))
        return [sum(got[1 : h + 1]) for h in (1, 2, 3)]

    def band_view(lo: float) -> Any:
        return nx.subgraph_view(G, filter_edge=lambda a, b: G[a][b]["strength"] >= lo)

    t0 = time.perf_counter()
    everyone = layers(G, team)
    medium_up = layers(band_view(MEDIUM), team)
    strong = layers(band_view(STRONG), team)
    t_nx = time.perf_counter() - t0
    ours = report.hops
    same = all(
        ours[h]["people"]["total"] == everyone[h]
        and ours[h]["people"]["strong"] == strong[h]
        and ours[h]["people"]["strong"] + ours[h]["people"]["medium"] == medium_up[h]
        for h in range(3)
    )
    d, t_one = timed(lambda: nx.single_source_shortest_path_length(G, team[0], cutoff=3))
    one_same = all(single.hops[h - 1]["people"]["total"] == sum(1 for x in d.values() if 1 <= x <= h)
                   for h in (1, 2, 3))  # fmt: skip
    out["nx"] = {"team_bfs_s": t_nx, "same": same, "one_rep_bfs_s": t_one, "one_rep_same": one_same}
    return out


# ---------------------------------------------------------------------- report
def _mark(ok: bool | None) -> str:
    return "  -  " if ok is None else (" ok  " if ok else " MISS")


def _vs(ours: float, nx_part: dict[str, Any]) -> str:
    if nx_part["finished"]:
        return f"networkx {nx_part['s']:.2f} s ({nx_part['s'] / max(ours, 1e-9):.0f}x)"
    if not nx_part["done"]:
        return (f"networkx unfinished after {nx_part['s']:.0f} s "
                f"(>= {nx_part['s'] / max(ours, 1e-9):.0f}x)")  # fmt: skip
    return (f"networkx cut off after {nx_part['s']:.0f} s at {nx_part['done']}/{nx_part['of']} "
            f"(projected {nx_part['projected_s']:.0f} s, >= {nx_part['projected_s'] / max(ours, 1e-9):.0f}x)")  # fmt: skip


def summary(out: dict[str, Any]) -> str:
    g = out["graph"]
    lines = [
        (f"tiegraph weak-ties / reach benchmark — {g['n']:,} people, {g['m']:,} ties "
         f"(synthetic, seed {out['params']['seed']}), max degree {g['max_degree']:,}"),
        f"goals are stated for {GOAL_SCALE}; at other sizes compare with care",
        "",
        f"generate + index      {g['generate_s'] + g['index_s']:8.2f} s   RSS {g['rss_mb']:.0f} MB",
    ]  # fmt: skip
    w = out["weak_ties"]
    lines.append(f"weak-ties report      {w['report_s']:8.2f} s  {_mark(w['report_s'] <= GOALS['weak_ties_s'])} "
                 f"<= {GOALS['weak_ties_s']:.0f} s   (rep {w['rep']}, {w['degree']} ties: {w['bridges']} bridges, "
                 f"{w['dormant']} dormant, {w['brokers']} brokers, {w['communities']} communities)")  # fmt: skip
    for k, v in w["parts_s"].items():
        lines.append(f"  {k:<19} {v:8.3f} s")
    if "nx_rep" in w:
        r = w["nx_rep"]
        lines.append(f"  vs networkx: rep's effective size + constraint on its ego graph: ours "
                     f"{r['ours_s'] * 1000:.1f} ms, " + _vs(r["ours_s"], r)
                     + (f", same numbers: {r['same']}" if r["finished"] else ""))  # fmt: skip
        b = w["nx_brokers"]
        lines.append(f"  vs networkx: brokers (every contact's ego measures) ours {b['ours_s']:.2f} s, "
                     + _vs(b["ours_s"], b) + f", same numbers: {b['same']}")  # fmt: skip
        b = w["nx_bridges"]
        lines.append(f"  vs networkx: local bridges + spans of the rep's ties ours {b['ours_s']:.2f} s, "
                     + _vs(b["ours_s"], b) + f", same spans: {b['same']}")  # fmt: skip
        b = w["nx_louvain"]
        lines.append(f"  vs networkx: Louvain on the whole two-hop ball ({b['ball_nodes']:,} people, "
                     f"{b['ball_ties']:,} ties) " + _vs(b["ours_s"], b)
                     + f"; ours (ball capped at 2,000) {b['ours_s']:.2f} s")  # fmt: skip
    if "stress" in out:
        s = out["stress"]
        lines.append(
            f"weak-ties, super-connector {s['report_s']:6.2f} s   (node {s['rep']}, {s['degree']:,} ties; no goal)"
        )
    r = out["reach"]
    lines.append(f"team reach            {r['report_s']:8.2f} s  {_mark(r['report_s'] <= GOALS['reach_s'])} "
                 f"<= {GOALS['reach_s']:.0f} s   (team {r['team']}, {r['accounts']} accounts: {r['coverage']})")  # fmt: skip
    lines.append(f"  widest paths        {r['widest_paths_s']:8.3f} s")
    lines.append(f"  without accounts    {r['without_accounts_s']:8.3f} s")
    lines.append(f"  one rep             {r['one_rep_s']:8.3f} s")
    if "nx" in r:
        x = r["nx"]
        lines.append(f"  vs networkx: bfs_layers from the team, all ties + 2 band views {x['team_bfs_s']:.2f} s "
                     f"({x['team_bfs_s'] / max(r['without_accounts_s'], 1e-9):.1f}x our report without accounts), "
                     f"same counts: {x['same']}")  # fmt: skip
        lines.append(f"  vs networkx: single_source_shortest_path_length(cutoff=3) for one rep {x['one_rep_bfs_s']:.3f} s "
                     f"vs our one-rep report {r['one_rep_s']:.3f} s, same counts: {x['one_rep_same']}")  # fmt: skip
    h = r["hops"]
    lines.append("  team reach (people): " + ", ".join(
        f"{i + 1} hop{'s' if i else ''} {x['people']['total']:,} (strong {x['people']['strong']:,}, "
        f"medium {x['people']['medium']:,})" for i, x in enumerate(h)))  # fmt: skip
    return "\n".join(lines)


# ---------------------------------------------------------------------- main
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)  # fmt: skip
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--ties", type=int, default=None, help="default 10 x people")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rep", type=int, default=None, help="the rep's node (else by --rep-quantile)")
    ap.add_argument("--rep-quantile", type=float, default=0.999, help="the rep's degree quantile")
    ap.add_argument("--team", type=int, default=10)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                    help="run the networkx equivalents")  # fmt: skip
    ap.add_argument(
        "--baseline-timeout", type=float, default=60.0, help="seconds per networkx part"
    )
    ap.add_argument("--stress", action="store_true", help="also the highest-degree person")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    if args.ties is None:
        args.ties = 10 * args.people
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    say(f"generating {args.people:,} people, {args.ties:,} ties (seed {args.seed})")
    t0 = time.perf_counter()
    u, v, s, stats = generate_graph(args.people, args.ties, args.seed)
    t_gen = time.perf_counter() - t0
    index = with_evidence(from_edges(u, v, s, n=args.people), args.seed)
    t_idx = time.perf_counter() - t0 - t_gen
    del u, v, s
    deg = np.diff(index.indptr)
    out: dict[str, Any] = {
        "params": vars(args),
        "graph": {"n": index.n, "m": index.m, "generate_s": t_gen, "index_s": t_idx,
                  "max_degree": int(deg.max()), "rss_mb": rss_mb(), "stats": stats},
    }  # fmt: skip
    rng = np.random.default_rng(args.seed + 1)
    if args.rep is not None:
        rep = args.rep
    else:
        want = float(np.quantile(deg, args.rep_quantile))
        rep = int(np.argmin(np.abs(deg - want) + (deg == 0) * 1e9))
    team = draw_team(rng, index, args.team, "degree")
    G = None
    if args.baseline:
        say("building the networkx graph")
        G, t_nx = timed(lambda: nx_graph(index))
        out["graph"]["nx_build_s"] = t_nx
    out["weak_ties"] = phase_weak_ties(index, G, rep, args)
    if args.stress:
        top = int(np.argmax(deg))
        say(f"weak-ties report for the super-connector {top} ({int(deg[top]):,} ties)")
        _, t = timed(lambda: weak_ties_report(index, [top]))
        out["stress"] = {"rep": top, "degree": int(deg[top]), "report_s": t}
    out["reach"] = phase_reach(index, G, team, args)
    print(summary(out))
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(out), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
