"""Team privacy levels benchmark: what a viewer's view of the index costs, and whether intro
search on it stays as fast and exact.

Run by hand (never by pytest); it prints numbers (progress on stderr) and, with ``--json``,
writes them::

    python bench/privacy.py                         # the goal run: 1M people, 10M ties
    python bench/privacy.py --people 100000         # a small run (well under a minute)

The graph is `bench/intro.py`'s seeded synthetic graph, indexed with `graph.build.from_edges`,
plus seeded synthetic provenance (whose exports show each person and tie): ``--owners`` (10)
reps drawn by degree; every other person is in one rep's export, 10 % also in a second rep's
and 30 % in the CRM (no owner); each tie is shown by the export of one of its ends' reps,
20 % also by the CRM. Levels: rep 0 keeps everything private, rep 1 everything at "ask", rep
2 makes 1,000 of its contacts private one by one; the viewer is rep 3 (``--viewer``).

Measured in the same run:

* ``visible_index`` for the viewer and for the team's view: p50 / max over ``--repeat`` runs,
  and how many people and ties each view drops, redacts and withholds;
* intro search (`graph.intro.top_paths`, top-5, <= 3 hops, the whole team as sources) on the
  full index and on the viewer's view: p50 / p99 over ``--queries`` random targets;
* exactness: the view's top-5 equals the top-5 on an index built from scratch
  (`from_edges`) over the view's ties, on every query (mismatches must be 0).

Goals (1M people / 10M ties): a viewer's view <= 2 s (it is computed once per workspace
state and sharing change, then reused); search on the view within 1.5x of the full index;
0 mismatches.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intro import draw_team, generate_graph, jsonable, pct, rss_mb, say

from graph.build import TieIndex, from_edges
from graph.intro import top_paths
from graph.privacy import SharingLevels, ViewerIndex, visible_index


def lists(row: np.ndarray, owner: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR lists of distinct owners per row (as `graph.build` stores provenance)."""
    base = int(owner.max(initial=0)) + 1
    pairs = np.unique(row.astype(np.int64) * base + owner)
    row, owner = pairs // base, pairs % base
    return np.concatenate([[0], np.cumsum(np.bincount(row, minlength=size))]).astype(np.int64), owner


def with_provenance(index: TieIndex, reps: list[int], rng: np.random.Generator) -> TieIndex:
    """`index` with seeded synthetic provenance (see the module docstring); owner ids are the
    reps' person ids (``pids``), 0 the CRM."""
    n, m = index.n, index.m
    rep_pid = index.pids[np.array(reps)]
    first = rep_pid[rng.integers(0, len(reps), n)]
    rows = [np.arange(n)]
    owners = [first]
    second = np.flatnonzero(rng.random(n) < 0.10)
    rows.append(second)
    owners.append(rep_pid[rng.integers(0, len(reps), len(second))])
    crm = np.flatnonzero(rng.random(n) < 0.30)
    rows.append(crm)
    owners.append(np.zeros(len(crm), dtype=np.int64))
    row, owner = np.concatenate(rows), np.concatenate(owners)
    is_rep = np.zeros(n, dtype=bool)
    is_rep[reps] = True
    keep = ~is_rep[row] | (owner == index.pids[row])  # a rep is in their own export only
    row, owner = np.append(row[keep], reps), np.append(owner[keep], rep_pid)
    node_ptr, node_src = lists(row, owner, n)
    side = np.where(rng.random(m) < 0.5, index.eu, index.ev)
    e_owner = first[side]
    e_owner = np.where(is_rep[index.eu], index.pids[index.eu], e_owner)
    e_owner = np.where(is_rep[index.ev], index.pids[index.ev], e_owner)
    e_row = [np.arange(m)]
    e_own = [e_owner]
    crm_e = np.flatnonzero(rng.random(m) < 0.20)
    e_row.append(crm_e)
    e_own.append(np.zeros(len(crm_e), dtype=np.int64))
    edge_ptr, edge_src = lists(np.concatenate(e_row), np.concatenate(e_own), m)
    team = np.zeros(n, dtype=bool)
    team[reps] = True
    import dataclasses

    return dataclasses.replace(index, team=team, node_src_ptr=node_ptr, node_src=node_src,
                               edge_src_ptr=edge_ptr, edge_src=edge_src, _info_cache={})  # fmt: skip


def timed(fn: Any, repeat: int) -> tuple[Any, list[float]]:
    out, ms = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t) * 1000)
    return out, ms


def search_ms(index: TieIndex, sources: list[int], targets: list[int]) -> tuple[list, list[float]]:
    found, ms = [], []
    for t in targets:
        t0 = time.perf_counter()
        found.append(top_paths(index, sources, [t], k=5, max_hops=3))
        ms.append((time.perf_counter() - t0) * 1000)
    return found, ms


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)  # fmt: skip
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--ties", type=int, help="default: 10 x people")
    ap.add_argument("--owners", type=int, default=10)
    ap.add_argument("--viewer", type=int, default=3, help="which rep (0-based) views")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", help="write the numbers here")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    rng = np.random.default_rng(args.seed)
    say(f"generating {args.people:,} people")
    u, v, s, _ = generate_graph(args.people, args.ties or 10 * args.people, args.seed)
    base = from_edges(u, v, s, n=args.people)
    reps = draw_team(rng, base, args.owners, "degree")
    index = with_provenance(base, reps, rng)
    pid = [int(index.pids[r]) for r in reps]
    contacts2 = np.flatnonzero(np.isin(index.node_src, [pid[2]]))
    rows = [(pid[0], 0, "private"), (pid[1], 0, "ask")]
    rows += [(pid[2], int(index.pids[np.searchsorted(index.node_src_ptr, c, side="right") - 1]), "private")
             for c in rng.choice(contacts2, min(1000, len(contacts2)), replace=False)]  # fmt: skip
    levels = SharingLevels.from_rows(rows)
    viewer = pid[args.viewer]
    out: dict[str, Any] = {"people": index.n, "ties": index.m, "owners": len(reps), "rss_mb": rss_mb()}
    for name, who in (("viewer", viewer), ("team", None)):
        say(f"view for the {name}")
        view, ms = timed(lambda who=who: visible_index(index, who, levels), args.repeat)
        assert isinstance(view, ViewerIndex)
        out[f"view_{name}"] = {"ms": pct(ms), "people_dropped": index.n - view.n,
                               "people_redacted": int(view.redacted.sum()), "ties_dropped": index.m - view.m,
                               "ties_withheld": int(view.withheld.sum())}  # fmt: skip
    view = visible_index(index, viewer, levels)
    sources = [i for i in (view.node_of(p) for p in pid) if i is not None]
    full_sources = reps
    targets = rng.choice(view.n, args.queries, replace=False).tolist()
    say(f"searching {args.queries} targets on the full index and on the view")
    _, full_ms = search_ms(index, full_sources, [index.node_of(int(view.pids[t])) for t in targets])
    got, view_ms = search_ms(view, sources, targets)
    fresh = from_edges(view.eu, view.ev, view.strength, n=view.n)
    want, _ = search_ms(fresh, sources, targets)
    mismatches = sum([p.nodes for p in a] != [p.nodes for p in b] or
                     not np.allclose([p.score for p in a], [p.score for p in b]) for a, b in zip(got, want, strict=True))  # fmt: skip
    out["search_full_ms"], out["search_view_ms"] = pct(full_ms), pct(view_ms)
    out["mismatches"] = mismatches
    out["rss_mb_end"] = rss_mb()
    v = out["view_viewer"]
    ratio = out["search_view_ms"]["p50"] / max(out["search_full_ms"]["p50"], 1e-9)
    print(f"{index.n:,} people, {index.m:,} ties, {len(reps)} reps; RSS {out['rss_mb_end']:.0f} MB")
    for name in ("viewer", "team"):
        x = out[f"view_{name}"]
        print(f"view for the {name:<6}: p50 {x['ms']['p50']:.0f} ms, max {x['ms']['max']:.0f} ms; "
              f"{x['people_dropped']:,} people hidden, {x['people_redacted']:,} redacted, "
              f"{x['ties_dropped']:,} ties dropped, {x['ties_withheld']:,} withheld")  # fmt: skip
    print(f"search top-5 <= 3 hops: full p50 {out['search_full_ms']['p50']:.2f} ms p99 "
          f"{out['search_full_ms']['p99']:.2f} ms; view p50 {out['search_view_ms']['p50']:.2f} ms "
          f"p99 {out['search_view_ms']['p99']:.2f} ms ({ratio:.2f}x)")  # fmt: skip
    print(f"goals: view <= 2 s: {'ok' if v['ms']['p50'] <= 2000 else 'MISS'}; search on the view "
          f"<= 1.5x: {'ok' if ratio <= 1.5 else 'MISS'}; mismatches {mismatches}: "
          f"{'ok' if mismatches == 0 else 'MISS'}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(jsonable(out), indent=1))
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
