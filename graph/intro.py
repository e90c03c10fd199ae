"""Warm-introduction search: who can introduce me (or my team) to X?

A path from a source (me, or anyone on my team) to the target scores the product of its tie
strengths times ``hop_penalty ** (hops - 1)``: every extra person in the chain is another
favour to ask. `top_paths` returns the `k` best *simple* paths of at most three hops, exactly
(the same top-k as an exhaustive search), optionally with at most `per_introducer` paths
through the same introducer (the first person the source asks).

Algorithm
---------
A branch-and-bound search that meets in the middle over the CSR index of `graph.build`
(each row sorted strongest first). The left side is every first tie out of a source,
grouped by the person it reaches (``best_left[a]`` is the strongest); the right side is every
last tie into a target. One-hop paths are source–target ties; two-hop paths join a right-side
tie ``(m, t)`` to the left group of ``m``; three-hop paths scan the rows of the right-side
persons ``b`` for members ``a`` of the left side. Throughout, θ is the k-th best score found
so far (within the introducer cap) and only grows: a candidate whose bound
(``best_left x w x penalty^(hops-1)``, and for a middle person ``w_bt x strongest tie of b x
strongest left tie x penalty^2``) is below θ cannot enter the top-k and is skipped, and middle
persons are taken in order of their bound, a chunk at a time, so the search stops as soon as
the rest cannot matter. The work is vectorised over whole rows with numpy. Choosing the
top-k under a per-introducer cap greedily in score order is optimal (the cap is a partition
matroid), so pruning by θ stays exact with the cap too.

This is not networkx `all_simple_paths` nor Yen's algorithm: those enumerate paths one by
one over the whole neighbourhood (their own notes put Yen at O(KN^3)); this search touches a
few rows for most queries.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.build import TieIndex
from graph.errors import UsageError
from graph.strength import COMPONENTS, Weights, explain

__all__ = [
    "RawPath",
    "top_paths",
    "exhaustive_top_paths",
    "Target",
    "IntroPath",
    "IntroResult",
    "WhyNot",
    "find_intros",
    "why_not",
    "DEFAULT_HOP_PENALTY",
    "DEFAULT_PER_INTRODUCER",
]

DEFAULT_HOP_PENALTY = 0.5
DEFAULT_PER_INTRODUCER = 2


@dataclass(frozen=True, order=True)
class RawPath:
    """A path as node indexes (source first, target last) with its score and edge ids."""

    score: float
    nodes: tuple[int, ...]
    edges: tuple[int, ...] = field(compare=False)

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1

    @property
    def introducer(self) -> int | None:
        """The first person the source asks (None for a direct tie)."""
        return self.nodes[1] if len(self.nodes) > 2 else None


_local = threading.local()


def _select(cands: Iterable[RawPath], k: int, per_introducer: int | None) -> list[RawPath]:
    """The best `k` paths, at most `per_introducer` through the same introducer."""
    ordered = sorted(cands, key=lambda p: (-p.score, p.hops, p.nodes))
    if not per_introducer:
        return ordered[:k]
    used: dict[int, int] = {}
    out: list[RawPath] = []
    for p in ordered:
        i = p.introducer
        if i is not None:
            if used.get(i, 0) >= per_introducer:
                continue
            used[i] = used.get(i, 0) + 1
        out.append(p)
        if len(out) == k:
            break
    return out


def top_paths(
    index: TieIndex,
    sources: Sequence[int],
    targets: Sequence[int],
    *,
    k: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    per_introducer: int | None = None,
    exclude: Iterable[int] = (),
    through_sources: bool = True,
) -> list[RawPath]:
    """The `k` best simple paths from any of `sources` to any of `targets`, exactly.

    Parameters
    ----------
    index : TieIndex
    sources, targets : sequences of node indexes
        A target that is also a source is dropped (nobody needs an introduction to
        themselves). Paths may pass through other sources and other targets.
    k : int
    max_hops : int, 1 to 3
    hop_penalty : float in (0, 1]
        Each hop beyond the first multiplies the score by it.
    per_introducer : int, optional
        At most this many paths through the same introducer (None: no cap).
    exclude : node indexes no path may use.
    through_sources : bool, default True
        Whether a path may pass through another source. A team search sets it False: a path
        from one rep through a colleague is the colleague's own shorter path.

    Returns
    -------
    list of RawPath, best first (ties broken by fewer hops, then node ids).
    """
    if not 1 <= max_hops <= 3:
        raise UsageError("max_hops must be 1, 2 or 3")
    if not 0 < hop_penalty <= 1:
        raise UsageError("hop_penalty must be in (0, 1]")
    if k <= 0:
        return []
    banned = set(int(x) for x in exclude)
    S = [int(s) for s in dict.fromkeys(sources) if int(s) not in banned]
    Sset = set(S)
    T = [int(t) for t in dict.fromkeys(targets) if int(t) not in Sset and int(t) not in banned]
    if not S or not T:
        return []
    middle_banned = banned if through_sources else banned | Sset
    best = _Best(k, per_introducer)
    _search(index, S, T, best, max_hops, hop_penalty, middle_banned)
    return best.result()


class _Best:
    """The paths found so far and the pruning threshold θ: the k-th score of the best
    selection (under the introducer cap). θ only grows; a path or a bound below it can never
    enter the final top-k."""

    def __init__(self, k: int, cap: int | None):
        self.k, self.cap = k, cap
        self.found: list[RawPath] = []
        self.heap: list[float] = []
        self.theta = 0.0
        self._dirty = False

    def add(self, path: RawPath) -> None:
        if path.score < self.theta:
            return
        self.found.append(path)
        if self.cap is None:
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, path.score)
            elif path.score > self.heap[0]:
                heapq.heapreplace(self.heap, path.score)
            if len(self.heap) == self.k:
                self.theta = self.heap[0]
        else:
            self._dirty = True

    def refresh(self) -> None:
        """Recompute θ after a batch of additions (with a cap: from the greedy selection)."""
        if self.cap is None or not self._dirty:
            return
        self._dirty = False
        self.found = [p for p in self.found if p.score >= self.theta]
        chosen = _select(self.found, self.k, self.cap)
        if len(chosen) == self.k:
            self.theta = chosen[-1].score

    def result(self) -> list[RawPath]:
        return _select(self.found, self.k, self.cap)


def _scratch_arrays(n: int) -> tuple[np.ndarray, ...]:
    """Per-thread work arrays of length >= `n`, all zero/False; callers reset what they set:
    best left tie and group position per person, a mark, best right tie and group position."""
    arrs = getattr(_local, "arrays", None)
    if arrs is None or len(arrs[0]) < n:
        arrs = (np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool),
                np.zeros(n), np.zeros(n, dtype=np.int64))  # fmt: skip
        _local.arrays = arrs
    return arrs


def _degrees(index: TieIndex) -> np.ndarray:
    """Number of ties of each node, cached on the index."""
    deg = index.__dict__.get("_degrees")
    if deg is None or len(deg) != index.n:
        deg = np.diff(index.indptr)
        index.__dict__["_degrees"] = deg
    return deg


def _rowmax(index: TieIndex) -> np.ndarray:
    """The strongest tie of each node (0 for none), cached on the index."""
    rm = index.__dict__.get("_rowmax")
    if rm is None or len(rm) != index.n:
        deg = np.diff(index.indptr)
        first = np.minimum(index.indptr[:-1], max(len(index.wgt) - 1, 0))
        rm = np.where(deg > 0, index.wgt[first] if len(index.wgt) else 0.0, 0.0)
        index.__dict__["_rowmax"] = rm
    return rm


def _search(
    index: TieIndex,
    S: list[int],
    T: list[int],
    best: _Best,
    max_hops: int,
    p: float,
    middle_banned: set[int],
) -> None:
    """Find every path that can reach the top-k into `best` (see the module docstring)."""
    indptr, nbr, wgt, eid = index.indptr, index.nbr, index.wgt, index.eid
    rowmax = _rowmax(index)
    lbest, lpos, mark, rbest, rpos = _scratch_arrays(index.n)
    Sarr = np.array(S, dtype=np.int64)
    T = sorted(T, key=lambda t: -rowmax[t])
    # 1 hop: a source tied to a target
    mark[Sarr] = True
    try:
        for t in T:
            lo, hi = int(indptr[t]), int(indptr[t + 1])
            for j in (lo + np.flatnonzero(mark[nbr[lo:hi]])).tolist():
                best.add(RawPath(float(wgt[j]), (int(nbr[j]), t), (int(eid[j]),)))
    finally:
        mark[Sarr] = False
    best.refresh()
    if max_hops == 1:
        return
    # the left side: every first tie out of a source, grouped by the person it reaches,
    # strongest first within a group
    L_idx, L_len = _rows(indptr, Sarr)
    if not len(L_idx):
        return
    A = nbr[L_idx].astype(np.int64)
    W1 = wgt[L_idx]
    SRC = np.repeat(Sarr, L_len)
    if middle_banned:
        keep = ~np.isin(A, np.fromiter(middle_banned, dtype=np.int64))
        A, W1, SRC, L_idx = A[keep], W1[keep], SRC[keep], L_idx[keep]
        if not len(A):
            return
    order = np.argsort(A * 2.0 - W1, kind="stable")
    A, W1, SRC = A[order], W1[order], SRC[order]
    E1 = eid[L_idx[order]]
    starts = np.flatnonzero(np.concatenate([[True], A[1:] != A[:-1]]))
    uniq = A[starts]
    lbest[uniq] = W1[starts]
    lpos[uniq] = starts + 1
    if middle_banned:
        banned_arr = np.fromiter(middle_banned, dtype=np.int64)
        mark[banned_arr] = True
    else:
        banned_arr = None
    n_left = len(A)
    Al, W1l, E1l, SRCl = A.tolist(), W1.tolist(), E1.tolist(), SRC.tolist()
    max_l = float(W1.max())
    pp = p * p

    def extend(a: int, tail: float, t: int, b: int | None, rest: tuple, rest_e: tuple) -> None:
        j = int(lpos[a]) - 1
        while j < n_left and Al[j] == a:
            sc = W1l[j] * tail
            if sc < best.theta:
                return
            s = SRCl[j]
            if s != t and s != b:
                best.add(RawPath(sc, (s, a, *rest), (E1l[j], *rest_e)))
            j += 1

    # the right side: every last tie into a target, all targets at once
    Tarr = np.array(T, dtype=np.int64)
    R_idx, R_len = _rows(indptr, Tarr)
    R_t = np.repeat(Tarr, R_len)
    R_m = nbr[R_idx].astype(np.int64)
    R_w = wgt[R_idx]
    try:
        # 2 hops: s - m - t
        lb = lbest[R_m]
        bound2 = lb * R_w * p
        for q in _ordered(bound2, (lb > 0) & (bound2 >= best.theta)):
            if bound2[q] < best.theta:
                break
            extend(int(R_m[q]), float(R_w[q]) * p, int(R_t[q]), None, (int(R_t[q]),), (int(eid[R_idx[q]]),))
        best.refresh()
        if max_hops < 3:
            return
        # 3 hops: s - a - b - t, joined through the middle tie (a, b) from whichever side has
        # fewer ties to scan: the rows of the persons b next to the targets, or of the persons
        # a next to the sources
        bound3 = R_w * rowmax[R_m] * (max_l * pp)
        ok = bound3 >= best.theta
        if banned_arr is not None:
            ok &= ~mark[R_m]
        deg = _degrees(index)
        cost_right = int(deg[R_m[ok]].sum())
        cost_left = int(deg[uniq].sum())
        join = _FORCE_JOIN or ("left" if cost_left < cost_right else "right")
        if join == "right":
            _join_from_right(index, best, R_idx, R_m, R_w, R_t, bound3, ok, lbest, extend, pp)
        else:
            _join_from_left(index, best, R_idx[ok], R_m[ok], R_w[ok], R_t[ok], uniq,
                            lbest, rbest, rpos, Al, W1l, E1l, SRCl, lpos, pp)  # fmt: skip
    finally:
        lbest[uniq] = 0.0
        lpos[uniq] = 0
        if banned_arr is not None:
            mark[banned_arr] = False


_CHUNK = 32
#: Tests set this to "left" or "right" to check both joins; None chooses by cost.
_FORCE_JOIN: str | None = None


def _join_from_right(index, best, R_idx, R_m, R_w, R_t, bound3, ok, lbest, extend, pp) -> None:  # noqa: ANN001
    """Three-hop paths by scanning the rows of the persons b next to the targets."""
    indptr, nbr, wgt, eid = index.indptr, index.nbr, index.wgt, index.eid
    cand = _ordered_array(bound3, ok)
    for c0 in range(0, len(cand), _CHUNK):
        ch = cand[c0 : c0 + _CHUNK]
        ch = ch[bound3[ch] >= best.theta]
        if not len(ch):
            break
        M_idx, lengths = _rows(indptr, R_m[ch])
        if not len(M_idx):
            continue
        M_q = np.repeat(ch, lengths)
        M_a = nbr[M_idx].astype(np.int64)
        tail = wgt[M_idx] * R_w[M_q] * pp
        lb = lbest[M_a]
        score = lb * tail
        hits = _ordered(score, (lb > 0) & (score >= best.theta) & (M_a != R_t[M_q]))
        for h in hits:
            if score[h] < best.theta:
                break
            q = int(M_q[h])
            b, t = int(R_m[q]), int(R_t[q])
            extend(int(M_a[h]), float(tail[h]), t, b, (b, t), (int(eid[M_idx[h]]), int(eid[R_idx[q]])))
        best.refresh()


def _join_from_left(index, best, R_idx, R_m, R_w, R_t, uniq, lbest, rbest, rpos,  # noqa: ANN001
                    Al, W1l, E1l, SRCl, lpos, pp) -> None:  # noqa: ANN001
    """Three-hop paths by scanning the rows of the persons a next to the sources (the right
    side grouped by person b, like the left side by person a)."""
    if not len(R_m):
        return
    order = np.argsort(R_m * 2.0 - R_w, kind="stable")
    Rm, Rw, Rt, Ri = R_m[order], R_w[order], R_t[order], R_idx[order]
    starts = np.flatnonzero(np.concatenate([[True], Rm[1:] != Rm[:-1]]))
    right_uniq = Rm[starts]
    rbest[right_uniq] = Rw[starts]
    rpos[right_uniq] = starts + 1
    try:
        _scan_left_rows(index, best, uniq, lbest, rbest, rpos, Rm, Rw, Rt, eid_of=index.eid[Ri],
                        left=(Al, W1l, E1l, SRCl, lpos), pp=pp)  # fmt: skip
    finally:
        rbest[right_uniq] = 0.0
        rpos[right_uniq] = 0


def _scan_left_rows(index, best, uniq, lbest, rbest, rpos, Rm, Rw, Rt, *, eid_of, left, pp) -> None:  # noqa: ANN001
    indptr, nbr, wgt, eid = index.indptr, index.nbr, index.wgt, index.eid
    Al, W1l, E1l, SRCl, lpos = left
    Rml, Rwl, Rtl, Rel = Rm.tolist(), Rw.tolist(), Rt.tolist(), eid_of.tolist()
    n_right = len(Rml)
    n_left = len(Al)
    max_r = float(Rw.max())
    rowmax = _rowmax(index)
    bound = lbest[uniq] * rowmax[uniq] * (max_r * pp)
    cand = _ordered_array(bound, bound >= best.theta)
    for c0 in range(0, len(cand), _CHUNK):
        ch = cand[c0 : c0 + _CHUNK]
        ch = ch[bound[ch] >= best.theta]
        if not len(ch):
            break
        aa = uniq[ch]
        M_idx, lengths = _rows(indptr, aa)
        if not len(M_idx):
            continue
        M_a = np.repeat(aa, lengths)
        M_b = nbr[M_idx].astype(np.int64)
        w2 = wgt[M_idx]
        rb = rbest[M_b]
        score = lbest[M_a] * w2 * rb * pp
        for h in _ordered(score, (rb > 0) & (score >= best.theta)):
            if score[h] < best.theta:
                break
            a, b, wm, e2 = int(M_a[h]), int(M_b[h]), float(w2[h]), int(eid[M_idx[h]])
            la = float(lbest[a])
            i = int(rpos[b]) - 1
            while i < n_right and Rml[i] == b:
                w3 = Rwl[i]
                if la * wm * w3 * pp < best.theta:
                    break
                t = Rtl[i]
                if t != a:
                    j = int(lpos[a]) - 1
                    while j < n_left and Al[j] == a:
                        sc = W1l[j] * wm * w3 * pp
                        if sc < best.theta:
                            break
                        src = SRCl[j]
                        if src != b and src != t:
                            best.add(RawPath(sc, (src, a, b, t), (E1l[j], e2, Rel[i])))
                        j += 1
                i += 1
        best.refresh()


def _rows(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR slots of the rows of `nodes`, concatenated, and how many each row has."""
    lo = indptr[nodes]
    lengths = indptr[nodes + 1] - lo
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64), lengths
    offsets = np.repeat(lo - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(total, dtype=np.int64), lengths


def _ordered(values: np.ndarray, mask: np.ndarray) -> list[int]:
    """Positions where `mask` holds, in descending order of `values`."""
    return _ordered_array(values, mask).tolist()


def _ordered_array(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(mask)
    if len(idx) > 1:
        idx = idx[np.argsort(-values[idx], kind="stable")]
    return idx


def exhaustive_top_paths(
    index: TieIndex,
    sources: Sequence[int],
    targets: Sequence[int],
    *,
    k: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    per_introducer: int | None = None,
    through_sources: bool = True,
) -> list[RawPath]:
    """Every simple path by depth-first search, then the best `k`: the reference that
    `top_paths` must equal (slow; for tests and benchmarks)."""
    Sset = set(int(s) for s in sources)
    Tset = set(int(t) for t in targets) - Sset
    found: list[RawPath] = []

    def walk(path: list[int], edges: list[int], score: float) -> None:
        u = path[-1]
        lo, hi = int(index.indptr[u]), int(index.indptr[u + 1])
        for j in range(lo, hi):
            v = int(index.nbr[j])
            if v in path or (not through_sources and v in Sset):
                continue
            sc = score * float(index.wgt[j]) * (hop_penalty if len(path) > 1 else 1.0)
            path.append(v)
            edges.append(int(index.eid[j]))
            if v in Tset:
                found.append(RawPath(sc, tuple(path), tuple(edges)))
            if len(path) <= max_hops:
                walk(path, edges, sc)
            path.pop()
            edges.pop()

    for s in sorted(Sset):
        walk([s], [], 1.0)
    return _select(found, k, per_introducer)


# ---------------------------------------------------------------------- explained answers
@dataclass
class Target:
    """What the user asked for: one person, or the people at a company (with a title)."""

    label: str
    nodes: list[int]
    company: str | None = None
    title: str | None = None
    person: dict | None = None
    company_nodes: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = dict(self.person) if self.person else {"name": self.label}
        if self.company and not self.person:
            d = {"company": self.company, "title": self.title, "people": len(self.nodes)}
        return d


@dataclass
class IntroPath:
    """One suggested introduction path, explained hop by hop."""

    rank: int
    score: float
    path: list[dict]
    ties: list[dict]
    why: str
    target: dict
    model_version: str

    @property
    def hops(self) -> int:
        return len(self.path) - 1

    @property
    def introducer(self) -> dict | None:
        return self.path[1] if len(self.path) > 2 else None

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "target": self.target,
            "score": round(self.score, 6),
            "hops": self.hops,
            "introducer": self.introducer,
            "path": self.path,
            "ties": self.ties,
            "why": self.why,
            "model_version": self.model_version,
        }


@dataclass
class IntroResult:
    """The answer to "who can introduce me to X?": ranked paths, or why there are none and
    the nearest useful step."""

    target: Target
    sources: list[dict]
    paths: list[IntroPath]
    model_version: str
    message: str | None = None
    nearest: list[IntroPath] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "target": self.target.to_dict(),
            "sources": self.sources,
            "paths": [p.to_dict() for p in self.paths],
            "message": self.message,
            "nearest": [p.to_dict() for p in self.nearest],
            "model_version": self.model_version,
        }


def _explain_path(index: TieIndex, raw: RawPath, rank: int, target: dict, *, evidence: bool = True) -> IntroPath:
    people = index.people(list(raw.nodes))
    path = [{"id": d["id"], "name": d["name"], "company": d["company"], "title": d["title"]}
            for d in people]  # fmt: skip
    ties = []
    whys = []
    now = index.now()
    for h, e in enumerate(raw.edges):
        a, b = raw.nodes[h], raw.nodes[h + 1]
        ev = index.tie_evidence(e)
        if int(index.eu[e]) != a:  # orient the evidence along the path
            ev.n_ab, ev.n_ba = ev.n_ba, ev.n_ab
        name_a, name_b = people[h]["name"] or path[h]["id"], people[h + 1]["name"] or path[h + 1]["id"]
        why = explain(name_a, name_b, ev, now=now)
        whys.append(why)
        rows: list[str] = []
        if evidence and index.evidence_rows is not None:
            rows = index.evidence_rows(int(index.pids[a]), int(index.pids[b]), 10)
        ties.append({
            "from": path[h]["id"], "to": path[h + 1]["id"],
            "strength": round(float(index.strength[e]), 4),
            "components": index.tie_components(e), "why": why, "evidence": rows,
        })  # fmt: skip
    return IntroPath(rank, raw.score, path, ties, "; then ".join(whys), target, index.model_version)


def find_intros(
    index: TieIndex,
    sources: Sequence[int],
    target: Target,
    *,
    k: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    per_introducer: int | None = DEFAULT_PER_INTRODUCER,
    evidence: bool = True,
) -> IntroResult:
    """Ranked, explained warm-intro paths from `sources` to `target`.

    When there is no path within `max_hops`, the result says so and, where the target has a
    company, gives the nearest useful step: the best paths to other people at that company.
    """
    raw = top_paths(index, sources, target.nodes, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                    per_introducer=per_introducer, through_sources=False)  # fmt: skip
    src_info = index.people(list(dict.fromkeys(int(s) for s in sources)))
    paths = [_explain_path(index, r, i + 1, _target_of(index, r, target), evidence=evidence)
             for i, r in enumerate(raw)]  # fmt: skip
    result = IntroResult(target, src_info, paths, index.model_version)
    if paths:
        return result
    if not target.nodes:
        result.message = f"nobody matches {target.label!r}"
    elif set(target.nodes) <= set(int(s) for s in sources):
        result.message = f"{target.label} is on your side already"
    else:
        result.message = f"no path to {target.label} within {max_hops} hops"
        others = [c for c in target.company_nodes if c not in set(target.nodes)]
        if others:
            near = top_paths(index, sources, others, k=3, max_hops=max_hops,
                             hop_penalty=hop_penalty, per_introducer=1, through_sources=False)  # fmt: skip
            result.nearest = [_explain_path(index, r, i + 1, index.person(r.nodes[-1]), evidence=evidence)
                              for i, r in enumerate(near)]  # fmt: skip
            if result.nearest:
                who = result.nearest[0].path[-1]
                result.message += (
                    f"; nearest step: {who['name']} at {target.company or who['company']} "
                    "is reachable and may know them"
                )
            else:
                result.message += f", nor to anyone else at {target.company}"
    return result


def _target_of(index: TieIndex, raw: RawPath, target: Target) -> dict:
    if target.person:
        return target.person
    d = index.person(raw.nodes[-1])
    return {"id": d["id"], "name": d["name"], "company": d["company"], "title": d["title"]}


# ---------------------------------------------------------------------- why not X?
@dataclass
class WhyNot:
    """Why an expected introducer ranks where they do."""

    person: dict
    rank: int | None
    best: IntroPath | None
    weakest_hop: dict | None
    top_changes_with: list[dict]
    message: str

    def to_dict(self) -> dict:
        return {
            "person": self.person,
            "rank": self.rank,
            "best_path": self.best.to_dict() if self.best else None,
            "weakest_hop": self.weakest_hop,
            "top_changes_with": self.top_changes_with,
            "message": self.message,
        }


def _best_through(
    index: TieIndex, sources: Sequence[int], targets: Sequence[int], via: int, *, max_hops: int, hop_penalty: float
) -> RawPath | None:
    """The best simple path from a source to a target with `via` as the introducer (the
    first person asked), or failing that with `via` anywhere on it."""
    Sset = set(int(s) for s in sources)
    Tset = set(int(t) for t in targets) - Sset
    if via in Sset:
        return None
    # from the sources to `via`, at most max_hops - 1 hops
    left = exhaustive_top_paths(index, list(Sset), [via], k=10**6, max_hops=max_hops - 1,
                                hop_penalty=1.0, through_sources=False)  # fmt: skip
    cands: list[RawPath] = []
    for lp in left:
        rest = max_hops - lp.hops
        if rest < 1:
            continue
        right = exhaustive_top_paths(index, [via], list(Tset), k=10**6, max_hops=rest, hop_penalty=1.0)
        for rp in right:
            nodes = lp.nodes + rp.nodes[1:]
            if len(set(nodes)) != len(nodes) or Sset & set(nodes[1:]):
                continue
            hops = len(nodes) - 1
            cands.append(RawPath(lp.score * rp.score * hop_penalty ** (hops - 1), nodes, lp.edges + rp.edges))
    if not cands:
        return None
    return max(cands, key=lambda p: (p.introducer == via, p.score, -p.hops))


def why_not(
    index: TieIndex,
    sources: Sequence[int],
    target: Target,
    person: int,
    *,
    k: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    per_introducer: int | None = DEFAULT_PER_INTRODUCER,
    weights: Weights | None = None,
) -> WhyNot:
    """Explain where `person` ranks as an introducer to `target`: their best path, its weakest
    hop, and which ±20 % change of one component weight would change the top result."""
    who = index.person(person)
    best_raw = _best_through(index, sources, target.nodes, person, max_hops=max_hops, hop_penalty=hop_penalty)
    top = top_paths(index, sources, target.nodes, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                    per_introducer=per_introducer, through_sources=False)  # fmt: skip
    if best_raw is None:
        return WhyNot(who, None, None, None, [],
                      f"{who['name']} has no path to {target.label} within {max_hops} hops")  # fmt: skip
    # rank: how many introducers have a better best path
    better = top_paths(index, sources, target.nodes, k=10**6, max_hops=max_hops,
                       hop_penalty=hop_penalty, per_introducer=1, through_sources=False)  # fmt: skip
    ahead = {p.introducer for p in better if p.score > best_raw.score and p.introducer != person}
    rank = len(ahead) + 1
    best = _explain_path(index, best_raw, rank, _target_of(index, best_raw, target))
    e_weak = min(best_raw.edges, key=lambda e: float(index.strength[e]))
    h = best_raw.edges.index(e_weak)
    weakest = {
        "from": best.path[h]["name"], "to": best.path[h + 1]["name"],
        "strength": round(float(index.strength[e_weak]), 4),
        "components": index.tie_components(e_weak), "why": best.ties[h]["why"],
    }  # fmt: skip
    base = weights or index.weights
    changes = []
    top_nodes = top[0].nodes if top else None
    for comp in COMPONENTS:
        for factor in (0.8, 1.2):
            w2 = base.scaled(comp, factor)
            alt = index.with_strengths(index.reweighted(w2))
            alt_top = top_paths(alt, sources, target.nodes, k=1, max_hops=max_hops,
                                hop_penalty=hop_penalty, per_introducer=per_introducer,
                                through_sources=False)  # fmt: skip
            alt_nodes = alt_top[0].nodes if alt_top else None
            if alt_nodes != top_nodes:
                changes.append({
                    "component": comp, "factor": factor,
                    "new_top": [d["name"] for d in index.people(list(alt_nodes))] if alt_nodes else None,
                    "new_top_has_person": bool(alt_nodes and person in alt_nodes),
                })  # fmt: skip
    via = "directly" if best_raw.hops == 1 else f"in {best_raw.hops} hops"
    msg = (
        f"{who['name']} ranks #{rank} as introducer: best path scores {best_raw.score:.3f} {via}; "
        f"weakest hop {weakest['from']} – {weakest['to']} ({weakest['strength']:.2f})"
    )
    if top and top[0].score > best_raw.score:
        msg += f"; the top path scores {top[0].score:.3f}"
    msg += (
        "; a ±20% change of one weight would change the top result: "
        + ", ".join(f"{c['component']} x{c['factor']}" for c in changes)
        if changes
        else "; no ±20% change of one weight changes the top result"
    )
    return WhyNot(who, rank, best, weakest, changes, msg)
