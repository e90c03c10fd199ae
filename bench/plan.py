"""Intro planning benchmark: `graph.plan.plan_intros` over a list of target accounts.

Run by hand (never by pytest); it prints numbers and, with ``--json``, writes them.

    python bench/plan.py                                  # the goal: 100k people / 1M ties, 1,000 accounts
    python bench/plan.py --people 20000 --ties 200000 --accounts 300 --baseline 3   # a quick run

The graph is `bench/intro.py`'s seeded synthetic graph (Zipf-like companies, heavy-tailed
cross-company ties, super-connectors, islands; imported from there, not copied). A team of
``--team`` (10) people drawn uniformly among those with ties; ``--accounts`` target accounts,
each a set of people (heavy-tailed sizes, 1 to 40, like "the CFO" up to "anyone at a mid-size
company"), drawn among the people off the team.

In the same run:

* **candidates**: `graph.plan.account_candidates` (per account, warm direct ties and the best
  path through each of the ``--per-account`` best introducers, `graph.intro.top_paths`);
* **greedy**: `graph.plan.greedy_cover` on those candidates (lazy greedy with exact
  b-matching gains, then the clean-up pass), and the whole `plan_intros`;
* **quality**: coverage and number of requests against a naive plan (each account asks its
  own best introducer that still has budget, no set cover), and, for ``--max-asks`` values,
  the greedy coverage;
* **networkx baseline** (``--baseline N``, default 3): candidates of N accounts with
  ``nx.all_simple_paths(cutoff=3)`` from every team member to every person of the account
  (`bench/intro.py`'s ``nx_top``), each account cut off after ``--baseline-timeout`` seconds
  (then the speed-up is a lower bound). networkx has no set-cover planner, so only the
  candidate step has a networkx equivalent.

Goal (100k people / 1M ties, 1,000 accounts, team of 10, budget 3): the whole plan <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intro import TimedOut, generate_graph, jsonable, nx_graph, nx_top, say, time_limit  # noqa: E402

from graph.build import TieIndex, from_edges  # noqa: E402
from graph.intro import Target  # noqa: E402
from graph.plan import Account, account_candidates, greedy_cover, plan_intros  # noqa: E402

GOAL_S = 10.0


def make_accounts(index: TieIndex, team: list[int], count: int, rng: np.random.Generator) -> list[Account]:
    """`count` accounts: each a set of people (sizes Zipf 1.6, capped at 40) off the team."""
    tied = np.flatnonzero(np.diff(index.indptr) > 0)
    pool = np.setdiff1d(tied, np.asarray(team))
    sizes = np.minimum(rng.zipf(1.6, count), 40)
    out = []
    for k, size in enumerate(sizes.tolist()):
        nodes = sorted(set(rng.choice(pool, size, replace=False).tolist()))
        out.append(Account(f"account {k}", Target(f"anyone at account {k}", nodes, company=f"account {k}")))
    return out


def naive_plan(options: dict[int, dict[int, float]], budget: int) -> tuple[int, int]:
    """Each account asks its best introducer that still has budget: (covered, requests)."""
    by_account: dict[int, list[tuple[float, int]]] = {}
    for i, accs in options.items():
        for a, s in accs.items():
            by_account.setdefault(a, []).append((s, i))
    load: dict[int, int] = {}
    for a in sorted(by_account):
        for _s, i in sorted(by_account[a], reverse=True):
            if load.get(i, 0) < budget:
                load[i] = load.get(i, 0) + 1
                break
    return sum(load.values()), len(load)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--ties", type=int, default=None, help="default: 10 x people")
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--team", type=int, default=10)
    ap.add_argument("--budget", type=int, default=3)
    ap.add_argument("--per-account", type=int, default=5)
    ap.add_argument("--max-hops", type=int, default=3)
    ap.add_argument("--max-asks", type=int, nargs="*", default=[10, 50, 100])
    ap.add_argument("--baseline", type=int, default=3, help="accounts for the networkx baseline")
    ap.add_argument("--baseline-timeout", type=float, default=20.0)
    ap.add_argument("--baseline-max-paths", type=int, default=5_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=str, default=None)
    args = ap.parse_args(argv)
    ties = args.ties or 10 * args.people
    rng = np.random.default_rng(args.seed)
    out: dict[str, Any] = {"people": args.people, "ties": ties, "accounts": args.accounts,
                           "team": args.team, "budget": args.budget, "per_account": args.per_account}  # fmt: skip

    say(f"generating {args.people:,} people / {ties:,} ties")
    t0 = time.perf_counter()
    u, v, s, _stats = generate_graph(args.people, ties, args.seed)
    index = from_edges(u, v, s, n=args.people)
    out["graph_s"] = time.perf_counter() - t0
    del u, v, s
    tied = np.flatnonzero(np.diff(index.indptr) > 0)
    team = [int(x) for x in rng.choice(tied, args.team, replace=False)]
    accounts = make_accounts(index, team, args.accounts, rng)
    out["account_sizes"] = {"mean": float(np.mean([len(a.target.nodes) for a in accounts])),
                            "max": max(len(a.target.nodes) for a in accounts)}  # fmt: skip

    say(f"candidates for {len(accounts):,} accounts")
    t0 = time.perf_counter()
    cands = account_candidates(index, team, accounts, per_account=args.per_account, max_hops=args.max_hops)
    out["candidates_s"] = time.perf_counter() - t0
    n_pairs = sum(len(x) for x in cands.options.values())
    out["introducers"] = len(cands.options)
    out["candidate_pairs"] = n_pairs
    out["direct"] = len(cands.direct)

    say("greedy cover")
    t0 = time.perf_counter()
    cover = greedy_cover(cands.options, budget=args.budget)
    out["greedy_s"] = time.perf_counter() - t0
    naive_cov, naive_req = naive_plan(cands.options, args.budget)
    out["greedy"] = {"covered_by_asks": cover.covered, "requests": len(cover.order),
                     "dropped_in_cleanup": len(cover.dropped)}  # fmt: skip
    out["naive"] = {"covered_by_asks": naive_cov, "requests": naive_req}
    out["max_asks"] = {}
    for k in args.max_asks:
        c = greedy_cover(cands.options, budget=args.budget, max_asks=k)
        out["max_asks"][k] = c.covered

    say("the whole plan_intros")
    t0 = time.perf_counter()
    plan = plan_intros(index, team, accounts, budget=args.budget, per_account=args.per_account,
                       max_hops=args.max_hops)  # fmt: skip
    out["plan_s"] = time.perf_counter() - t0
    out["plan"] = {k: v for k, v in plan.to_dict().items() if k not in ("asks", "direct", "uncovered", "settings")}

    if args.baseline:
        say(f"networkx baseline on {args.baseline} accounts (budget {args.baseline_timeout} s each)")
        G = nx_graph(index)
        picks = [a for a in accounts if len(a.target.nodes) <= 5][: args.baseline]
        nx_s, ours_s, timed_out = [], [], 0
        for acc in picks:
            t0 = time.perf_counter()
            account_candidates(index, team, [acc], per_account=args.per_account, max_hops=args.max_hops)
            ours_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            try:
                with time_limit(args.baseline_timeout):
                    for t in acc.target.nodes:
                        nx_top(G, team, t, k=10**9, max_hops=args.max_hops, hop_penalty=0.5,
                               max_paths=args.baseline_max_paths)  # fmt: skip
                dt = time.perf_counter() - t0
            except TimedOut:
                dt = max(time.perf_counter() - t0, args.baseline_timeout)
                timed_out += 1
            nx_s.append(dt)
            say(f"  {acc.label} ({len(acc.target.nodes)} people): networkx {dt:.2f} s, ours {ours_s[-1] * 1000:.1f} ms")
        del G
        out["baseline"] = {"accounts": len(picks), "timed_out": timed_out,
                           "networkx_s_per_account": float(np.median(nx_s)) if nx_s else None,
                           "ours_ms_per_account": float(np.median(ours_s)) * 1000 if ours_s else None,
                           "speedup_is_lower_bound": timed_out > 0}  # fmt: skip

    print(f"plan benchmark: {args.people:,} people / {index.m:,} ties, {args.accounts:,} accounts "
          f"(mean {out['account_sizes']['mean']:.1f} people, max {out['account_sizes']['max']}), "
          f"team of {args.team}, budget {args.budget}, {args.per_account} introducers per account")  # fmt: skip
    print(f"  candidates   {out['candidates_s']:8.2f} s   ({out['introducers']:,} introducers, "
          f"{n_pairs:,} introducer-account pairs, {out['direct']} accounts direct)")  # fmt: skip
    print(f"  greedy       {out['greedy_s'] * 1000:8.1f} ms  ({cover.covered} accounts by "
          f"{len(cover.order)} requests; {len(cover.dropped)} dropped in clean-up)")  # fmt: skip
    print(f"  naive plan   {naive_cov} accounts by {naive_req} requests (each account its best free introducer)")
    print("  max asks     " + ", ".join(f"{k}: {c} accounts" for k, c in out["max_asks"].items()))
    ok = "ok" if out["plan_s"] <= GOAL_S else "MISS"
    print(f"  plan_intros  {out['plan_s']:8.2f} s   (goal <= {GOAL_S:g} s at 100k/1M/1,000: {ok}; "
          f"covered {plan.covered}/{plan.accounts})")  # fmt: skip
    if args.baseline and out["baseline"]["accounts"]:
        b = out["baseline"]
        lb = " (lower bound: timed out)" if b["speedup_is_lower_bound"] else ""
        print(f"  networkx     {b['networkx_s_per_account']:8.2f} s per account (all_simple_paths, "
              f"{b['accounts']} accounts, {b['timed_out']} timed out) vs {b['ours_ms_per_account']:.1f} ms: "
              f"{b['networkx_s_per_account'] * 1000 / max(b['ours_ms_per_account'], 1e-6):,.0f}x{lb}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(out), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
