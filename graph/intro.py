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
persons ``b`` for members ``a`` of the left side, or the rows of the left-side persons ``a``
for members ``b`` of the right side, whichever has fewer ties. Throughout, θ is the k-th best
score found so far (within the introducer cap) and only grows: a candidate whose bound
(``best_left x w x penalty^(hops-1)``, and for a row to scan ``w_bt x strongest tie of b x
strongest left tie x penalty^2``) is below θ cannot enter the top-k and is skipped. A long
row (a super-connector's) is cut by binary search to the ties strong enough to reach θ, and
when a join has many ties to scan it first takes the rows of highest bound alone, to raise θ
before the rest are cut. Candidates are taken in order of their bound and the scan stops at
the first below θ. The work is vectorised over whole rows with numpy, a few dozen calls per
query on preallocated per-thread scratch arrays. Choosing the top-k under a per-introducer cap
greedily in score order is optimal (the cap is a partition matroid), so pruning by θ stays
exact with the cap too.

This is not networkx `all_simple_paths` nor Yen's algorithm: those enumerate paths one by
one over the whole neighbourhood (their own notes put Yen at O(KN^3)); this search touches a
few rows for most queries.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable, Sequence
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
    """The paths found so far, as ``(score, nodes, edges)`` tuples (a `RawPath` is made only
    for the answer), and the pruning threshold θ: the k-th score of the best selection (under
    the introducer cap). θ only grows; a path or a bound below it can never enter the final
    top-k."""

    def __init__(self, k: int, cap: int | None):
        self.k, self.cap = k, cap
        self.found: list[tuple] = []
        self.heap: list[float] = []
        self.theta = 0.0
        self._dirty = 0

    def add(self, score: float, nodes: tuple[int, ...], edges: tuple[int, ...]) -> None:
        if score < self.theta:
            return
        self.found.append((score, nodes, edges))
        if self.cap is None:
            if len(self.heap) < self.k:
                heapq.heappush(self.heap, score)
            elif score > self.heap[0]:
                heapq.heapreplace(self.heap, score)
            if len(self.heap) == self.k:
                self.theta = self.heap[0]
        else:
            self._dirty += 1
            if self._dirty >= self.k:  # θ from the selection every k paths: it prunes early
                self.refresh()

    def _paths(self) -> list[RawPath]:
        return [RawPath(*p) for p in self.found if p[0] >= self.theta]

    def refresh(self) -> None:
        """Recompute θ after a batch of additions (with a cap: from the greedy selection)."""
        if self.cap is None or not self._dirty:
            return
        self._dirty = 0
        self.found = [p for p in self.found if p[0] >= self.theta]
        chosen = _select(self._paths(), self.k, self.cap)
        if len(chosen) == self.k:
            self.theta = chosen[-1].score

    def result(self) -> list[RawPath]:
        return _select(self._paths(), self.k, self.cap)


#: Rows longer than this are cut at the score threshold before a join expands them (a
#: super-connector's row is sorted strongest first, so only its head can matter).
_HUB = 64
#: A join that would expand more slots than this first takes the `_FIRST` rows of highest bound
#: alone, to raise θ before the rest are cut and expanded.
_ONE_SHOT = 2048
_FIRST = 16
#: Hit lists longer than this are partitioned first: only their head is usually ever read.
_HEAD = 256
#: Bounds multiplied in another order than the path score may round one unit low; comparing
#: them with θ times this keeps every path that could tie.
_SLACK = 1.0 - 1e-12
#: Tests set this to "left" or "right" to check both joins; None chooses by cost.
_FORCE_JOIN: str | None = None


def _scratch(n: int) -> tuple[np.ndarray, ...]:
    """Per-thread work arrays of length >= `n`: the strongest left tie of each person with the
    bounds of their group in the left arrays, a mark, and the same for the right side. Between
    searches the strengths are 0 and the mark False (callers reset what they set); the group
    bounds are read only where the strength is set."""
    arrs = getattr(_local, "arrays", None)
    if arrs is None or len(arrs[0]) < n:
        # np.full writes every page now: np.zeros would map them lazily, and a search would
        # then take a page fault at each first touch (tens of microseconds per query)
        arrs = tuple(np.full(n, 0, dtype=d) for d in (np.float64, np.int32, np.int32, bool,
                                                       np.float64, np.int32, np.int32))  # fmt: skip
        _local.arrays = arrs
    return arrs


def _aux(index: TieIndex) -> tuple[np.ndarray, ...]:
    """``(indptr, nbr, wgt, eid, rowmax, deg)``: the CSR arrays with each node's strongest tie
    (0 for none) and number of ties, the last two computed once and cached on the index."""
    ax = index.__dict__.get("_search_aux")
    if ax is None or ax[2] is not index.wgt or ax[0] is not index.indptr:
        indptr, wgt = index.indptr, index.wgt
        deg = np.diff(indptr)
        if len(wgt):
            rowmax = np.where(deg > 0, wgt[np.minimum(indptr[:-1], len(wgt) - 1)], 0.0)
        else:
            rowmax = np.zeros(len(deg))
        ax = (indptr, index.nbr, wgt, index.eid, rowmax, deg)
        index.__dict__["_search_aux"] = ax
    return ax


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end positions of the runs of equal values in the sorted array `keys`."""
    n = len(keys)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    starts = new.nonzero()[0]
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = n
    return starts, ends


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
    ax = _aux(index)
    indptr, nbr, wgt, eid = ax[:4]
    lbest, mark = _scratch(index.n)[0], _scratch(0)[3]
    Sarr = np.array(S, dtype=np.int64)
    # the right side: every last tie into a target (entry q: person R_b[q], strength R_w[q],
    # edge R_e[q], target R_t[q]; one target: its row itself, and R_t is None)
    if len(T) == 1:
        t1 = T[0]
        r0, r1 = int(indptr[t1]), int(indptr[t1 + 1])
        R_b, R_w, R_e, R_t = nbr[r0:r1], wgt[r0:r1], eid[r0:r1], None
    else:
        t1 = -1
        Tarr = np.array(T, dtype=np.int64)
        R_idx, R_len = _rows(indptr, Tarr)
        R_b, R_w, R_e, R_t = nbr[R_idx], wgt[R_idx], eid[R_idx], Tarr.repeat(R_len)
    if not len(R_b):
        return
    # the left side: every first tie out of a source (entry j: source SRC[j], person A[j],
    # strength W1[j], CSR slot L_idx[j])
    L_idx, L_len = _rows(indptr, Sarr)
    if not len(L_idx):
        return
    A, W1, SRC = nbr[L_idx], wgt[L_idx], Sarr.repeat(L_len)
    # 1 hop: a source tied to a target
    if R_t is None:
        for j in (A == t1).nonzero()[0].tolist():
            best.add(float(W1[j]), (int(SRC[j]), t1), (int(eid[L_idx[j]]),))
    else:
        mark[Sarr] = True
        direct = mark[R_b].nonzero()[0]
        mark[Sarr] = False
        for q in direct.tolist():
            best.add(float(R_w[q]), (int(R_b[q]), int(R_t[q])), (int(R_e[q]),))
    best.refresh()
    if max_hops == 1:
        return
    banned = None
    if middle_banned:
        banned = np.fromiter(middle_banned, dtype=np.int64, count=len(middle_banned))
        mark[banned] = True
    try:
        if banned is not None:
            keep = ~mark[A]
            A, W1, SRC, L_idx = A[keep], W1[keep], SRC[keep], L_idx[keep]
            if not len(A):
                return
        np.maximum.at(lbest, A, W1)  # the strongest first tie to each person
        try:
            left = (A, W1, SRC, L_idx)
            _meet(ax, best, max_hops, p, R_b, R_w, R_e, R_t, t1, left, banned)
        finally:
            lbest[A] = 0.0
    finally:
        if banned is not None:
            mark[banned] = False


def _meet(ax, best, max_hops, p, R_b, R_w, R_e, R_t, t1, left, banned) -> None:  # noqa: ANN001
    """Two- and three-hop paths, the left side laid out (see `_search`)."""
    eid = ax[3]
    lbest = _scratch(0)[0]
    A, W1, SRC, L_idx = left

    def extend(a: int, tail: float, t: int, b: int, rest: tuple, rest_e: tuple) -> None:
        """Every path s - a - rest whose score ``w(s, a) x tail`` can reach the top-k."""
        for j in (A == a).nonzero()[0].tolist():
            sc = float(W1[j]) * tail
            s = int(SRC[j])
            if sc >= best.theta and s != t and s != b:
                best.add(sc, (s, a, *rest), (int(eid[L_idx[j]]), *rest_e))

    # 2 hops: s - b - t
    tail2 = R_w * p
    sc2 = lbest[R_b] * tail2
    for q in _desc(sc2, _at_least(sc2, best.theta), best):
        if sc2[q] < best.theta:
            break
        t = t1 if R_t is None else int(R_t[q])
        extend(int(R_b[q]), float(tail2[q]), t, -1, (t,), (int(R_e[q]),))
    best.refresh()
    if max_hops < 3:
        return
    # 3 hops: s - a - b - t, joined through the middle tie (a, b) from whichever side has
    # fewer ties to scan: the rows of the persons b next to the targets, or of the persons
    # a next to the sources
    if R_t is None:
        lbest[t1] = 0.0  # a path cannot come back through its target (reset with the rest)
    deg = ax[5]
    degR = deg[R_b]
    join = _FORCE_JOIN
    if join is None:
        join = "left" if int(np.add.reduce(deg[A])) < int(np.add.reduce(degR)) else "right"
    if join == "right":
        _join_from_right(ax, best, p * p, float(W1.max()), R_b, R_w, R_e, R_t, t1, banned, extend, degR)
    else:
        _join_from_left(ax, best, p * p, R_b, R_w, R_e, R_t, t1, banned, left)


def _at_least(values: np.ndarray, theta: float) -> np.ndarray:
    """Positions of `values` that are >= θ (> 0 while θ is 0)."""
    return (values >= theta if theta > 0 else values > 0).nonzero()[0]


def _desc(values: np.ndarray, idx: np.ndarray, best: _Best) -> Iterable[int]:
    """Positions `idx` in descending order of `values`; a long list is partitioned and its
    tail sorted only if reached (and only what is still >= θ by then)."""
    if len(idx) <= 16:  # a short list: sorting in Python costs less than numpy calls
        pos = idx.tolist()
        if len(pos) > 1:
            vals = values[idx].tolist()
            pos = [pos[i] for i in sorted(range(len(pos)), key=vals.__getitem__, reverse=True)]
        yield from pos
        return
    if len(idx) <= _HEAD:
        yield from idx[(-values[idx]).argsort(kind="stable")].tolist()
        return
    part = np.argpartition(-values[idx], _HEAD - 1)
    head, rest = idx[part[:_HEAD]], idx[part[_HEAD:]]
    yield from head[(-values[head]).argsort(kind="stable")].tolist()
    rest = rest[values[rest] >= best.theta * _SLACK]
    if len(rest):
        yield from rest[(-values[rest]).argsort(kind="stable")].tolist()


def _chunks(bound: np.ndarray, lengths: np.ndarray, ok: np.ndarray, best: _Best):  # noqa: ANN202
    """Positions with `ok`, in at most two chunks: when their rows (of `lengths`) are many,
    first the `_FIRST` of highest `bound`, then the rest (each filtered by θ when taken)."""
    cand = ok.nonzero()[0]
    if len(cand) > _FIRST and int(np.add.reduce(lengths[cand])) > _ONE_SHOT:
        part = np.argpartition(-bound[cand], _FIRST - 1)
        yield cand[part[:_FIRST]]
        cand = cand[part[_FIRST:]]
    if best.theta > 0:
        cand = cand[bound[cand] >= best.theta * _SLACK]
    if len(cand):
        yield cand


def _cut_rows(ax, lo: np.ndarray, ln: np.ndarray, need: Callable[[np.ndarray], np.ndarray]) -> None:  # noqa: ANN001
    """Shorten, in place, the rows longer than `_HUB` to their ties of strength >= the
    threshold ``need(i)`` (rows are sorted strongest first, so a binary search finds it)."""
    big = (ln > _HUB).nonzero()[0]
    if not len(big):
        return
    wgt = ax[2]
    for i, x in zip(big.tolist(), need(big).tolist(), strict=True):
        a = int(lo[i])
        z = a + int(ln[i])
        start = a
        while a < z:
            mid = (a + z) >> 1
            if wgt[mid] >= x:
                a = mid + 1
            else:
                z = mid
        ln[i] = a - start


def _join_from_right(ax, best, pp, max_l, R_b, R_w, R_e, R_t, t1, banned, extend, degR) -> None:  # noqa: ANN001
    """Three-hop paths by scanning the rows of the persons b next to the targets."""
    indptr, nbr, wgt, eid, rowmax, deg = ax
    lbest, mark = _scratch(0)[0], _scratch(0)[3]
    k3 = max_l * pp
    bound = R_w * rowmax[R_b] * k3  # of any path ending with the right tie q
    ok = bound >= best.theta * _SLACK if best.theta > 0 else bound > 0
    if banned is not None:
        ok &= ~mark[R_b]
    Rwpp = R_w * pp
    for ch in _chunks(bound, degR, ok, best):
        lo, ln = indptr[R_b[ch]], degR[ch]
        if best.theta > 0:
            th = best.theta * _SLACK
            _cut_rows(ax, lo, ln, lambda i: th / (R_w[ch[i]] * k3))  # noqa: B023
        M_idx = _slots(lo, ln)
        if not len(M_idx):
            continue
        M_q = ch.repeat(ln)
        M_a = nbr[M_idx]
        tail = wgt[M_idx] * Rwpp[M_q]
        score = lbest[M_a] * tail
        hits = score >= best.theta if best.theta > 0 else score > 0
        if R_t is not None:  # another target may be on the way, but not this path's own
            hits &= M_a != R_t[M_q]
        for h in _desc(score, hits.nonzero()[0], best):
            if score[h] < best.theta:
                break
            q = int(M_q[h])
            b = int(R_b[q])
            t = t1 if R_t is None else int(R_t[q])
            extend(int(M_a[h]), float(tail[h]), t, b, (b, t), (int(eid[M_idx[h]]), int(R_e[q])))
        best.refresh()


def _join_from_left(ax, best, pp, R_b, R_w, R_e, R_t, t1, banned, left) -> None:  # noqa: ANN001
    """Three-hop paths by scanning the rows of the persons a next to the sources (both sides
    grouped by person, strongest first within a group)."""
    indptr, nbr, wgt, eid, rowmax, deg = ax
    lbest, lpos, lend, mark, rbest, rpos, rend = _scratch(0)
    A, W1, SRC, L_idx = left
    order = (A * 2.0 - W1).argsort(kind="stable")
    As, W1s, SRCs, E1s = A[order], W1[order], SRC[order], eid[L_idx[order]]
    starts, ends = _groups(As)
    uniq = As[starts]
    lpos[uniq] = starts
    lend[uniq] = ends
    if banned is not None:
        keep = ~mark[R_b]
        R_b, R_w, R_e = R_b[keep], R_w[keep], R_e[keep]
        R_t = None if R_t is None else R_t[keep]
        if not len(R_b):
            return
    if R_t is None:  # one target: its row holds each person once, a group of one
        Rb, Rw, Re = R_b, R_w, R_e
        Rt = np.full(len(Rb), t1)
        right_uniq = Rb
        rpos[Rb] = starts = np.arange(len(Rb), dtype=np.int32)
        rend[Rb] = starts + 1
        rbest[Rb] = Rw
    else:
        order = (R_b * 2.0 - R_w).argsort(kind="stable")
        Rb, Rw, Rt, Re = R_b[order], R_w[order], R_t[order], R_e[order]
        starts, ends = _groups(Rb)
        right_uniq = Rb[starts]
        rbest[right_uniq] = Rw[starts]
        rpos[right_uniq] = starts
        rend[right_uniq] = ends
    try:
        k3 = float(Rw.max()) * pp
        la = lbest[uniq]
        bound = la * rowmax[uniq] * k3
        ok = bound >= best.theta * _SLACK if best.theta > 0 else bound > 0
        if R_t is None:  # the target's own row leads back to it only
            ok &= uniq != t1
        degA = deg[uniq]
        for ch in _chunks(bound, degA, ok, best):
            aa = uniq[ch]
            lo, ln = indptr[aa], degA[ch]
            if best.theta > 0:
                th = best.theta * _SLACK
                _cut_rows(ax, lo, ln, lambda i: th / (la[ch[i]] * k3))  # noqa: B023
            M_idx = _slots(lo, ln)
            if not len(M_idx):
                continue
            M_a = aa.repeat(ln)
            M_b = nbr[M_idx]
            w2 = wgt[M_idx]
            score = lbest[M_a] * w2 * rbest[M_b] * pp
            hits = score >= best.theta * _SLACK if best.theta > 0 else score > 0
            for h in _desc(score, hits.nonzero()[0], best):
                if score[h] < best.theta * _SLACK:
                    break
                a, b, wm, e2 = int(M_a[h]), int(M_b[h]), float(w2[h]), int(eid[M_idx[h]])
                top = float(lbest[a])
                for i in range(int(rpos[b]), int(rend[b])):
                    tail = wm * float(Rw[i]) * pp
                    if top * tail < best.theta:
                        break
                    t = int(Rt[i])
                    if t == a:
                        continue
                    for j in range(int(lpos[a]), int(lend[a])):
                        sc = float(W1s[j]) * tail
                        if sc < best.theta:
                            break
                        s = int(SRCs[j])
                        if s != b and s != t:
                            best.add(sc, (s, a, b, t), (int(E1s[j]), e2, int(Re[i])))
            best.refresh()
    finally:
        rbest[right_uniq] = 0.0


def _slots(lo: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The CSR slots ``lo[i] .. lo[i] + lengths[i] - 1`` of every row, concatenated."""
    total = int(np.add.reduce(lengths))
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = lengths.cumsum()
    ar = _ARANGE if total <= len(_ARANGE) else np.arange(total)
    return (lo - (ends - lengths)).repeat(lengths) + ar[:total]


_ARANGE = np.arange(1 << 16)
_ARANGE.setflags(write=False)


def _rows(indptr: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR slots of the rows of `nodes`, concatenated, and how many each row has."""
    lo = indptr[nodes]
    lengths = indptr[nodes + 1] - lo
    return _slots(lo, lengths), lengths


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
