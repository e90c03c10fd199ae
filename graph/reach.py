r"""Reach: how far a rep or the team gets through their ties, and which accounts that opens.

`widest_paths`
    For every person, the strongest chain from a source within 1, 2 and 3 hops, measured by
    its weakest tie (the *bottleneck*: a chain of strong ties is only as good as its weakest
    link). That puts each person reached in a strength band: *strong* (every tie at least
    0.5), *medium* (at least 0.2) or *weak* (any tie).
`reach_report`
    People, companies and industries within 1, 2, 3 hops by band; aggregates for marketing
    (people reached by company and by industry, by hops) with small groups suppressed; the
    overlap between reps; and, given a target account list, its coverage.
`coverage`
    For each target account, whether there is a warm path, its score, the best introducer.
`rep_overlap`
    Who shares the same network: each pair of reps' shared contacts and Jaccard index.
`suppress`
    Small-cell suppression with complementary suppression, so that no published aggregate
    reveals a group smaller than `k` (default 5), not even by subtraction from the totals.

All take the `graph.build.TieIndex` first; options are keyword-only; nothing changes the index.
Company industries come from a look-up (``index.industries``, attached by
`graph.build.attach_workspace`, or the `industries` argument): no SQL here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from graph.build import TieIndex
from graph.errors import UsageError
from graph.intro import DEFAULT_HOP_PENALTY, top_paths

if TYPE_CHECKING:  # pragma: no cover
    from graph.plan import Account

__all__ = [
    "BANDS",
    "DEFAULT_MIN_GROUP",
    "MEDIUM",
    "STRONG",
    "WARM_SCORE",
    "AccountReach",
    "Aggregate",
    "Coverage",
    "ReachReport",
    "RepOverlap",
    "aggregate",
    "band_of",
    "coverage",
    "reach_report",
    "rep_overlap",
    "suppress",
    "widest_paths",
]

#: A chain whose weakest tie is at least this is *strong* ...
STRONG = 0.5
#: ... at least this *medium*; anything weaker (but a tie) *weak*.
MEDIUM = 0.2
#: Band names and their lower bounds, strongest first.
BANDS: tuple[tuple[str, float], ...] = (("strong", STRONG), ("medium", MEDIUM), ("weak", 0.0))
#: No published aggregate cell may count fewer people than this (unless it is 0).
DEFAULT_MIN_GROUP = 5
#: A target account is *warm* when its best intro path scores at least this (e.g. a direct
#: medium tie, or two strong ties: 0.5 x 0.5 x hop penalty 0.5 = 0.125).
WARM_SCORE = 0.1


def band_of(value: float) -> str | None:
    """The band of a bottleneck strength (None for 0: not reached).

    >>> band_of(0.62), band_of(0.3), band_of(0.08), band_of(0.0)
    ('strong', 'medium', 'weak', None)
    """
    if value <= 0:
        return None
    for name, lo in BANDS:
        if value >= lo:
            return name
    return "weak"  # pragma: no cover


def _sources(index: TieIndex, sources: Sequence[int]) -> list[int]:
    S = list(dict.fromkeys(int(s) for s in sources))
    if not S:
        raise UsageError("no sources: give a person or the team")
    for s in S:
        if not 0 <= s < index.n:
            raise UsageError(f"node {s} is not in the index")
    return S


# ---------------------------------------------------------------------- widest paths
def widest_paths(index: TieIndex, sources: Sequence[int], *, max_hops: int = 3) -> np.ndarray:
    r"""Bottleneck strength of the best chain from any source, within each number of hops.

    Row ``h - 1`` of the result holds, for every node `v`,
    :math:`b_h(v) = \max_{P} \min_{e \in P} w_e` over the paths `P` of at most `h` hops from
    a source to `v` (0 when there is none; ``inf`` for the sources themselves).

    Notes
    -----
    :math:`b_h(v) = \max(b_{h-1}(v), \max_{u \in N(v)} \min(b_{h-1}(u), w_{uv}))`: one
    vectorised pass over the CSR slots per hop (``np.maximum.reduceat`` over the rows), so the
    cost is :math:`O(h \cdot m)` with no Python loop over people. The paths need not be simple
    (a detour never raises a bottleneck), so this equals the best over simple paths.
    """
    if max_hops < 1:
        raise UsageError("max_hops must be at least 1")
    S = _sources(index, sources)
    n = index.n
    out = np.zeros((max_hops, n))
    cur = np.zeros(n)
    cur[S] = np.inf
    deg = np.diff(index.indptr)
    rows = np.flatnonzero(deg > 0)
    starts = index.indptr[:-1][rows]
    for h in range(max_hops):
        if len(rows):
            cand = np.minimum(cur[index.nbr], index.wgt)
            best = np.zeros(n)
            best[rows] = np.maximum.reduceat(cand, starts)
            cur = np.maximum(cur, best)
        out[h] = cur
    return out


# ---------------------------------------------------------------------- suppression
def _hidden_pattern(hidden: np.ndarray) -> nx.Graph:
    """The bipartite graph of hidden entries: row nodes ``("r", i)``, column nodes
    ``("c", j)``, one edge per hidden entry (the totals are row R and column C)."""
    G = nx.Graph()
    for i, j in zip(*np.nonzero(hidden), strict=True):
        G.add_edge(("r", int(i)), ("c", int(j)))
    return G


def suppress(table: np.ndarray, *, k: int = DEFAULT_MIN_GROUP) -> np.ndarray:
    """Which entries of `table` and its totals to hide so that no group under `k` shows.

    Parameters
    ----------
    table : (R, C) array of non-negative ints
    k : int, default 5

    Returns
    -------
    (R + 1, C + 1) bool array
        Hidden entries of the table bordered by its totals (row totals in the last column,
        column totals in the last row, the grand total in the corner).

    Notes
    -----
    Cell suppression as statistical offices do it (see Hundepool et al., *Statistical
    Disclosure Control*, Wiley 2012, ch. 5 and Cox's 1980 rule that every suppressed cell needs
    complements in its row and its column):

    1. *Primary*: every entry (cell or total) counting 1 to k - 1 people is hidden. Zero is
       shown: it reveals nobody.
    2. *Line sums*: in a row or column whose total is shown, the hidden entries' sum is
       published implicitly (total minus the shown cells); when it is below `k`, the smallest
       shown non-zero cell of the line is hidden too (it is at least `k`, so the sum becomes
       at least `k`).
    3. *No hidden entry can be solved for*: with the totals, the table is a system of linear
       equations, one per line. A hidden entry is determined by the shown ones exactly when it
       is a bridge of the bipartite graph of hidden entries (rows and columns as nodes); on a
       cycle it can move by ±1 around the cycle, every line sum kept. So while a bridge
       remains, the cheapest rectangle through it (the other three corners hidden already or
       non-zero, least newly hidden count first) is hidden as well; a rectangle through the
       totals always exists.

    Steps 2 and 3 repeat until nothing changes. Shown entries are then 0 or at least `k`;
    every line with a shown total hides nothing or at least `k` people; and no hidden entry
    follows from the published numbers by arithmetic. This protects one table with its
    margins; tables published side by side (people by company and by industry) are protected
    each on its own.
    """
    T = np.asarray(table, dtype=np.int64)
    if T.ndim != 2:
        raise UsageError("suppress needs a 2-d table")
    if (T < 0).any():
        raise UsageError("counts cannot be negative")
    R, C = T.shape
    X = np.zeros((R + 1, C + 1), dtype=np.int64)
    X[:R, :C] = T
    X[:R, C] = T.sum(axis=1)
    X[R, :C] = T.sum(axis=0)
    X[R, C] = T.sum()
    hidden = (X > 0) & (X < k)
    while True:
        changed = False
        # 2. lines whose shown total gives away a hidden sum below k
        for axis in (0, 1):
            lines = R + 1 if axis == 0 else C + 1
            for a in range(lines):
                vals = X[a, :C] if axis == 0 else X[:R, a]
                hid = hidden[a, :C] if axis == 0 else hidden[:R, a]
                total_hidden = hidden[a, C] if axis == 0 else hidden[R, a]
                if total_hidden:
                    continue
                hs = int(vals[hid].sum())
                if 0 < hs < k:
                    cands = np.flatnonzero(~hid & (vals > 0))
                    if len(cands):
                        b = int(cands[np.argmin(vals[cands])])
                        if axis == 0:
                            hidden[a, b] = True
                        else:
                            hidden[b, a] = True
                    elif axis == 0:
                        hidden[a, C] = True
                    else:
                        hidden[R, a] = True
                    changed = True
        # 3. bridges of the hidden pattern: close each into a rectangle
        G = _hidden_pattern(hidden)
        bridge = next(iter(nx.bridges(G)), None) if G.number_of_edges() else None
        if bridge is not None:
            (ta, a), (_, b) = bridge
            i, j = (a, b) if ta == "r" else (b, a)
            usable = hidden | (X > 0)
            best: tuple[int, int, int] | None = None
            for i2 in range(R + 1):
                if i2 == i:
                    continue
                for j2 in range(C + 1):
                    if j2 == j:
                        continue
                    corners = ((i, j2), (i2, j), (i2, j2))
                    if not all(usable[c] for c in corners):
                        continue
                    cost = sum(int(X[c]) for c in corners if not hidden[c])
                    if best is None or cost < best[0]:
                        best = (cost, i2, j2)
            if best is None:  # cannot happen for a hidden non-zero entry; hide all to be safe
                hidden |= X > 0
            else:
                _, i2, j2 = best
                hidden[i, j2] = hidden[i2, j] = hidden[i2, j2] = True
            changed = True
        if not changed:
            return hidden


@dataclass
class Aggregate:
    """A published count table with small groups suppressed (`suppress`).

    `rows` label the groups (companies, industries; the last may be "other ..." collecting the
    groups too small or too many to list), `columns` the measure (hops). Hidden entries are
    None in `to_dict` (and ``x`` in the command line's text); the exact counts stay private.
    """

    title: str
    rows: list[str]
    columns: list[str]
    k: int
    collapsed: int
    _values: np.ndarray = field(repr=False)
    _hidden: np.ndarray = field(repr=False)

    def cell(self, i: int, j: int) -> int | None:
        """Entry ``(i, j)`` of the table bordered by its totals (``i == len(rows)``: the
        column totals; ``j == len(columns)``: the row totals), or None when hidden."""
        return None if self._hidden[i, j] else int(self._values[i, j])

    @property
    def suppressed(self) -> int:
        return int(self._hidden.sum())

    def to_dict(self) -> dict:
        R, C = len(self.rows), len(self.columns)
        return {
            "title": self.title,
            "columns": self.columns,
            "rows": [
                {
                    "label": self.rows[i],
                    "cells": [self.cell(i, j) for j in range(C)],
                    "total": self.cell(i, C),
                }
                for i in range(R)
            ],
            "totals": [self.cell(R, j) for j in range(C)],
            "total": self.cell(R, C),
            "min_group": self.k,
            "suppressed": self.suppressed,
            "collapsed": self.collapsed,
        }


def aggregate(
    counts: Mapping[str, Sequence[int]],
    *,
    title: str,
    columns: Sequence[str],
    k: int = DEFAULT_MIN_GROUP,
    max_rows: int = 15,
    other: str = "other",
) -> Aggregate:
    """A suppressed table from ``{group: [count per column]}``.

    Groups are listed by their total, largest first; groups totalling fewer than `k` and those
    beyond `max_rows` are added up into one `other` row (so that a group's name alone never
    says that one or two of its people are reached), then `suppress` hides what is left too
    small.
    """
    if k < 1:
        raise UsageError("the minimum group size must be at least 1")
    ncol = len(columns)
    items = sorted(((str(g), [int(x) for x in c]) for g, c in counts.items()),
                   key=lambda kv: (-sum(kv[1]), kv[0]))  # fmt: skip
    for _, c in items:
        if len(c) != ncol:
            raise UsageError("every group needs one count per column")
    shown = [(g, c) for g, c in items if sum(c) >= k][:max_rows]
    keep = {g for g, _ in shown}
    rest = [c for g, c in items if g not in keep and sum(c) > 0]
    rows = [g for g, _ in shown]
    table = [c for _, c in shown]
    if rest:
        rows.append(other)
        table.append([sum(c[j] for c in rest) for j in range(ncol)])
    T = np.array(table, dtype=np.int64).reshape(len(rows), ncol)
    hidden = suppress(T, k=k)
    X = np.zeros((len(rows) + 1, ncol + 1), dtype=np.int64)
    X[:-1, :-1] = T
    X[:-1, -1] = T.sum(axis=1)
    X[-1, :-1] = T.sum(axis=0)
    X[-1, -1] = T.sum()
    return Aggregate(title, rows, list(columns), k, len(rest), X, hidden)


# ---------------------------------------------------------------------- overlap between reps
@dataclass
class RepOverlap:
    """Each rep's number of contacts and of contacts no other rep has; for each pair, the
    contacts they share and the Jaccard index of their contact sets."""

    reps: list[int]
    contacts: dict[int, int]
    unique: dict[int, int]
    pairs: list[tuple[int, int, int, float]]


def rep_overlap(index: TieIndex, reps: Sequence[int]) -> RepOverlap:
    """Who shares the same network: pairwise overlap of the reps' contacts (other reps left
    out of the contact sets), most similar pair first.

    The Jaccard index of two contact sets is :math:`|A \\cap B| / |A \\cup B|`.
    """
    R = _sources(index, reps)
    Rset = np.asarray(R, dtype=np.int64)
    sets: dict[int, np.ndarray] = {}
    for r in R:
        nb = np.unique(index.neighbors(r)[0])
        sets[r] = nb[~np.isin(nb, Rset)]
    everyone = np.concatenate([sets[r] for r in R]) if R else np.zeros(0, dtype=np.int64)
    ids, times = np.unique(everyone, return_counts=True)
    solo = set(ids[times == 1].tolist())
    unique = {r: int(sum(1 for x in sets[r].tolist() if x in solo)) for r in R}
    pairs = []
    for a_i, a in enumerate(R):
        for b in R[a_i + 1 :]:
            shared = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
            union = len(sets[a]) + len(sets[b]) - shared
            pairs.append((a, b, shared, shared / union if union else 0.0))
    pairs.sort(key=lambda p: (-p[3], -p[2], p[0], p[1]))
    return RepOverlap(R, {r: len(sets[r]) for r in R}, unique, pairs)


# ---------------------------------------------------------------------- account coverage
@dataclass(frozen=True)
class AccountReach:
    """How well the sources reach one target account.

    `status`: ``"warm"`` (best path scores at least the warm threshold), ``"cold"`` (a path,
    weaker), ``"unreachable"`` (no path within the hops), ``"nobody"`` (the account resolved
    to no person in the graph) or ``"unknown"`` (the row named no known account: `reason`).
    """

    label: str
    status: str
    score: float | None = None
    hops: int | None = None
    source: int | None = None
    introducer: int | None = None
    contact: int | None = None
    people: int = 0
    reason: str | None = None


@dataclass
class Coverage:
    """Coverage of a target account list: one `AccountReach` per account, in list order."""

    accounts: list[AccountReach]
    warm_score: float
    max_hops: int

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("warm", "cold", "unreachable", "nobody", "unknown")}
        for a in self.accounts:
            out[a.status] = out.get(a.status, 0) + 1
        return out

    @property
    def warm_share(self) -> float:
        known = [a for a in self.accounts if a.status != "unknown"]
        return sum(a.status == "warm" for a in known) / len(known) if known else 0.0


def coverage(
    index: TieIndex,
    sources: Sequence[int],
    accounts: Sequence[Account],
    *,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    warm: float = WARM_SCORE,
) -> Coverage:
    """Which target accounts have a warm path, its score and the best introducer.

    `accounts` are `graph.plan.Account` rows (a label and the resolved `graph.intro.Target`,
    or None with the `problem`). The best path to anyone at the account is
    `graph.intro.top_paths` (``k=1``, exact; not through another source); its introducer is
    the first person the source asks (None for a direct tie).
    """
    S = _sources(index, sources)
    Sset = set(S)
    out: list[AccountReach] = []
    for acc in accounts:
        target = acc.target
        if target is None:
            out.append(AccountReach(acc.label, "unknown", reason=getattr(acc, "problem", None)))
            continue
        nodes = [int(x) for x in target.nodes if int(x) not in Sset]
        if not nodes:
            why = "only the sources themselves" if target.nodes else "nobody"
            out.append(AccountReach(acc.label, "nobody", reason=f"{why} match {target.label}"))
            continue
        best = top_paths(index, S, nodes, k=1, max_hops=max_hops, hop_penalty=hop_penalty,
                         through_sources=False)  # fmt: skip
        if not best:
            out.append(AccountReach(acc.label, "unreachable", people=len(nodes),
                                    reason=f"no path within {max_hops} hops"))  # fmt: skip
            continue
        p = best[0]
        status = "warm" if p.score >= warm else "cold"
        out.append(AccountReach(acc.label, status, p.score, p.hops, p.nodes[0], p.introducer,
                                p.nodes[-1], len(nodes)))  # fmt: skip
    return Coverage(out, warm, max_hops)


# ---------------------------------------------------------------------- the report
@dataclass
class ReachReport:
    """Reach of a rep or the team: by hops and band, suppressed aggregates, overlap, coverage."""

    sources: list[int]
    hops: list[dict[str, dict[str, int]]]
    by_company: Aggregate
    by_industry: Aggregate
    overlap: RepOverlap | None
    coverage: Coverage | None
    min_group: int
    people: dict[int, dict] = field(default_factory=dict, repr=False)

    def person(self, i: int | None) -> dict | None:
        if i is None:
            return None
        d = self.people.get(i) or {"id": str(i), "name": None}
        return {k: d.get(k) for k in ("id", "name", "company", "title")}

    def to_dict(self) -> dict:
        P = self.person
        out: dict[str, Any] = {
            "sources": [P(s) for s in self.sources],
            "bands": {name: lo for name, lo in BANDS},
            "hops": [{"hops": h + 1, **row} for h, row in enumerate(self.hops)],
            "by_company": self.by_company.to_dict(),
            "by_industry": self.by_industry.to_dict(),
            "min_group": self.min_group,
            "overlap": None,
            "coverage": None,
        }
        if self.overlap is not None:
            o = self.overlap
            out["overlap"] = {
                "reps": [P(r) | {"contacts": o.contacts[r], "unique": o.unique[r]} for r in o.reps],
                "pairs": [{"a": P(a), "b": P(b), "shared": s, "jaccard": round(j, 4)}
                          for a, b, s, j in o.pairs],
            }  # fmt: skip
        if self.coverage is not None:
            c = self.coverage
            out["coverage"] = {
                "counts": c.counts(), "warm_share": round(c.warm_share, 4),
                "warm_score": c.warm_score, "max_hops": c.max_hops,
                "accounts": [{
                    "account": a.label, "status": a.status,
                    "score": None if a.score is None else round(a.score, 6), "hops": a.hops,
                    "source": P(a.source), "introducer": P(a.introducer), "contact": P(a.contact),
                    "people": a.people, "reason": a.reason,
                } for a in c.accounts],
            }  # fmt: skip
        return out


def _lookup(
    fn: Callable[[list[int]], Mapping[int, str]] | Mapping[int, str] | None, ids: list[int]
) -> dict[int, str]:
    if fn is None or not ids:
        return {}
    if callable(fn):
        return dict(fn(ids))
    return {i: fn[i] for i in ids if i in fn}


def _band_counts(values: np.ndarray) -> dict[str, int]:
    v = values[values > 0]
    strong = int((v >= STRONG).sum())
    medium = int(((v >= MEDIUM) & (v < STRONG)).sum())
    weak = int((v < MEDIUM).sum())
    return {"strong": strong, "medium": medium, "weak": weak, "total": strong + medium + weak}


def reach_report(
    index: TieIndex,
    sources: Sequence[int],
    *,
    accounts: Sequence[Account] | None = None,
    max_hops: int = 3,
    min_group: int = DEFAULT_MIN_GROUP,
    max_rows: int = 15,
    industries: Callable[[list[int]], Mapping[int, str]] | Mapping[int, str] | None = None,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    warm: float = WARM_SCORE,
) -> ReachReport:
    """The reach of `sources` (one rep or the team), in one call.

    * ``hops``: for 1 to `max_hops` hops, the people, companies and industries reached within
      that many hops, by the band of their best chain (`widest_paths`; a company or an
      industry takes the band of its best-reached person). The sources are not counted.
    * ``by_company``, ``by_industry``: people reached by company (industry) and by the hops
      it takes to reach them first, for marketing: groups under `min_group` are collected
      into "other" and small cells suppressed (`aggregate`, `suppress`), so no aggregate
      reveals a handful of anyone's contacts.
    * ``overlap``: with two or more sources, `rep_overlap`.
    * ``coverage``: given `accounts`, `coverage`.

    `industries` maps company ids to industry names (a callable like ``index.industries``,
    the default, or a mapping).
    """
    S = _sources(index, sources)
    B = widest_paths(index, S, max_hops=max_hops)
    is_src = np.zeros(index.n, dtype=bool)
    is_src[S] = True
    comp = index.company.astype(np.int64)
    reached_any = (B[-1] > 0) & ~is_src
    cids = np.unique(comp[reached_any & (comp >= 0)])
    ind_names = _lookup(industries if industries is not None else index.industries, cids.tolist())
    names = sorted(set(ind_names.values()))
    code_of = {nm: c for c, nm in enumerate(names)}
    ncomp = int(comp.max()) + 1 if len(comp) and comp.max() >= 0 else 0
    comp_ind = np.full(max(ncomp, 1), -1, dtype=np.int64)
    for cid, nm in ind_names.items():
        comp_ind[cid] = code_of[nm]
    hops: list[dict[str, dict[str, int]]] = []
    for h in range(max_hops):
        b = np.where(is_src, 0.0, B[h])
        row = {"people": _band_counts(b)}
        has = (b > 0) & (comp >= 0)
        cbest = np.zeros(max(ncomp, 1))
        np.maximum.at(cbest, comp[has], b[has])
        row["companies"] = _band_counts(cbest)
        ibest = np.zeros(max(len(names), 1))
        ok = comp_ind >= 0
        np.maximum.at(ibest, comp_ind[ok], cbest[ok])
        row["industries"] = _band_counts(ibest[: len(names)])
        hops.append(row)
    # first hop at which each person is reached (1-based; 0: not reached or a source)
    first = np.zeros(index.n, dtype=np.int64)
    for h in range(max_hops - 1, -1, -1):
        first[(B[h] > 0) & ~is_src] = h + 1
    got = first > 0
    columns = [f"{h} hop" if h == 1 else f"{h} hops" for h in range(1, max_hops + 1)]
    by_c: dict[int, list[int]] = {}
    cc = comp[got]
    hh = first[got] - 1
    if len(cc):
        flat = np.bincount((cc + 1) * max_hops + hh, minlength=(ncomp + 1) * max_hops)
        flat = flat.reshape(ncomp + 1, max_hops)
        for c in np.flatnonzero(flat.sum(axis=1)).tolist():
            by_c[c - 1] = flat[c].tolist()
    cnames = _lookup(index.company_names, [c for c in by_c if c >= 0])
    company_counts: dict[str, list[int]] = {}
    for c, v in by_c.items():  # two company records may share a display name: add them up
        key = "(no company)" if c < 0 else cnames.get(c) or f"company {c}"
        acc = company_counts.setdefault(key, [0] * max_hops)
        for j in range(max_hops):
            acc[j] += v[j]
    by_company = aggregate(company_counts, title="people reached by company",
                           columns=columns, k=min_group, max_rows=max_rows,
                           other="other companies")  # fmt: skip
    industry_counts: dict[str, list[int]] = {}
    for c, v in by_c.items():
        key = ind_names.get(c, "(industry unknown)") if c >= 0 else "(no company)"
        acc = industry_counts.setdefault(key, [0] * max_hops)
        for j in range(max_hops):
            acc[j] += v[j]
    by_industry = aggregate(industry_counts, title="people reached by industry", columns=columns,
                            k=min_group, max_rows=max_rows, other="other industries")  # fmt: skip
    overlap = rep_overlap(index, S) if len(S) > 1 else None
    cov = None
    if accounts is not None:
        cov = coverage(index, S, accounts, max_hops=max_hops, hop_penalty=hop_penalty, warm=warm)
    nodes = set(S)
    if cov is not None:
        for a in cov.accounts:
            nodes.update(x for x in (a.source, a.introducer, a.contact) if x is not None)
    order = sorted(nodes)
    people = dict(zip(order, index.people(order), strict=True))
    return ReachReport(S, hops, by_company, by_industry, overlap, cov, min_group, people)
