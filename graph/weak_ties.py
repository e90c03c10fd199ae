r"""Weak ties: bridges, tie overlap, brokerage, dormant ties and the communities we barely reach.

Granovetter's argument [1]_ is that new information and new doors come through weak ties, and
above all through *bridges*: ties whose two ends have no contacts in common, so that the tie is
the shortest way from one group to another. This module finds, for a person or a team (the
*sources*), the ties that play that role and the people who do:

`bridges`
    Each tie of a source with its *tie overlap* (Onnela et al. [2]_: the share of the two ends'
    other contacts they have in common, :math:`O_{ij} = n_{ij} / ((k_i - 1) + (k_j - 1) -
    n_{ij})`) and its *span*: how far apart the two ends would be without the tie (networkx
    ``local_bridges`` style: the tie is hidden from the search, never removed from the graph).
    A tie with no shared contact is a *local bridge* (span at least 3); one whose ends are
    not connected at all without it is a *bridge* (infinite span).
`brokerage`, `brokers`
    Burt's effective size and constraint [3]_ of a person on their ego network, with tie
    strengths as weights: how many non-redundant contacts they have, and how much their
    contacts are tied to each other (low constraint = a broker between groups, a good
    introducer). Computed from the neighbour rows of the index: one pass over the rows of the
    ego's contacts gives every triangle through the ego, which is all both measures need.
`dormant_ties`
    Ties that were strong when the two last spoke and have been silent for `idle_days`:
    reconnecting with them is quick and valuable (Levin, Walter & Murnighan [4]_).
`unreached_communities`
    The groups (networkx Louvain [5]_, seeded, on the people within two hops) in which the
    sources know few people directly, each with the ties that lead into it.

`weak_ties_report` puts the four together; `WeakTiesReport.to_dict` is the JSON the command
line prints and the app shows.

All functions take the `graph.build.TieIndex` first and nodes (index positions) next; options
are keyword-only; nothing changes the index.

References
----------
.. [1] Granovetter, M. "The Strength of Weak Ties." American Journal of Sociology 78(6), 1973.
.. [2] Onnela, J.-P. et al. "Structure and tie strengths in mobile communication networks."
   PNAS 104(18), 2007.
.. [3] Burt, R. S. *Structural Holes: The Social Structure of Competition.* Harvard University
   Press, 1992.
.. [4] Levin, D. Z., Walter, J. and Murnighan, J. K. "Dormant ties: The value of reconnecting."
   Organization Science 22(4), 2011.
.. [5] Blondel, V. D. et al. "Fast unfolding of communities in large networks." J. Stat. Mech.
   2008 (the Louvain method).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import networkx as nx
import numpy as np

from graph.build import TieIndex
from graph.errors import UsageError
from graph.model import INTERACTION_KINDS
from graph.strength import COMPONENTS, PERSONAL_KINDS, Params, combine_arrays, explain

__all__ = [
    "DEFAULT_IDLE_DAYS",
    "DORMANT_MIN_INTERACTIONS",
    "DORMANT_MIN_PAST_STRENGTH",
    "BridgeTie",
    "Broker",
    "Brokerage",
    "Community",
    "DormantTie",
    "Entry",
    "WeakTiesReport",
    "bridges",
    "brokerage",
    "brokers",
    "dormant_ties",
    "unreached_communities",
    "weak_ties_report",
]

#: Silence (days without a personal interaction) after which a tie counts as dormant.
DEFAULT_IDLE_DAYS = 180
#: "Strong in the past": strength at the last personal contact at least this (the strong band
#: of `graph.reach`) ...
DORMANT_MIN_PAST_STRENGTH = 0.5
#: ... backed by at least this many personal interactions (one message is not a relationship).
DORMANT_MIN_INTERACTIONS = 3

_PERSONAL_CODES = np.array([i for i, k in enumerate(INTERACTION_KINDS) if k in PERSONAL_KINDS])
_FREQ = COMPONENTS.index("frequency")
_REC = COMPONENTS.index("recency")


# ---------------------------------------------------------------------- helpers
def _slots(index: TieIndex, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR slots of the rows of `nodes`, and for each slot the position in `nodes` it came
    from (vectorised: no Python loop over the rows)."""
    nodes = np.asarray(nodes, dtype=np.int64)
    starts = index.indptr[nodes]
    lens = index.indptr[nodes + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(nodes)), lens)
    first = np.cumsum(lens) - lens
    slots = np.arange(total) - first[owner] + starts[owner]
    return slots, owner


def _sources(index: TieIndex, sources: Sequence[int]) -> list[int]:
    S = list(dict.fromkeys(int(s) for s in sources))
    if not S:
        raise UsageError("no sources: give a person or the team")
    for s in S:
        if not 0 <= s < index.n:
            raise UsageError(f"node {s} is not in the index")
    return S


def _weights(index: TieIndex, weight: str | None) -> np.ndarray:
    """The weight of each CSR slot: tie strength, or 1 for every tie (``weight=None``)."""
    if weight is None:
        return np.ones(len(index.wgt))
    if weight == "strength":
        return index.wgt
    raise UsageError(f"unknown weight {weight!r}: use 'strength' or None")


def _now_days(index: TieIndex, now: date | datetime | None) -> float:
    if now is None:
        return float(index.now_days)
    if not isinstance(now, datetime):
        now = datetime(now.year, now.month, now.day)
    return (now - datetime(1970, 1, 1)).total_seconds() / 86400.0


def _day(days: float) -> str | None:
    if days is None or math.isnan(days):
        return None
    return (datetime(1970, 1, 1) + timedelta(days=float(days))).date().isoformat()


# ---------------------------------------------------------------------- bridges
@dataclass(frozen=True)
class BridgeTie:
    """A tie of a source with its overlap and span.

    `span` is the number of hops between the two ends without this tie (``math.inf`` when
    nothing else connects them); `new_contacts` counts the other end's contacts that the source
    does not know (what the tie opens up: ``k_j - 1 - shared``).
    """

    source: int
    other: int
    edge: int
    strength: float
    shared: int
    overlap: float
    span: float
    new_contacts: int

    @property
    def kind(self) -> str:
        """``"bridge"`` (nothing else connects the ends), ``"local bridge"`` (no shared
        contact) or ``"low overlap"`` (few shared contacts)."""
        if math.isinf(self.span):
            return "bridge"
        return "local bridge" if self.shared == 0 else "low overlap"


def _span(index: TieIndex, u: int, v: int, e: int, seen_a: np.ndarray, seen_b: np.ndarray) -> float:
    """Hops from `u` to `v` with tie `e` hidden (bidirectional BFS, smaller frontier first).

    `seen_a`, `seen_b` are zeroed int32 scratch arrays of length n; they are zeroed again on
    return.
    """
    nbr, eid = index.nbr, index.eid
    seen_a[u] = 1
    seen_b[v] = 1
    fa, fb = np.array([u], dtype=np.int64), np.array([v], dtype=np.int64)
    da = db = 0
    touched_a, touched_b = [fa], [fb]
    try:
        while len(fa) and len(fb):
            ip = index.indptr
            expand_a = int((ip[fa + 1] - ip[fa]).sum()) <= int((ip[fb + 1] - ip[fb]).sum())
            slots, _ = _slots(index, fa if expand_a else fb)
            slots = slots[eid[slots] != e]
            nxt = nbr[slots].astype(np.int64)
            mine, other = (seen_a, seen_b) if expand_a else (seen_b, seen_a)
            hit = other[nxt]
            if hit.any():
                d_here = da if expand_a else db
                return float(d_here + 1 + int(hit[hit > 0].min()) - 1)
            nxt = np.unique(nxt[mine[nxt] == 0])
            if expand_a:
                da += 1
                seen_a[nxt] = da + 1
                fa = nxt
                touched_a.append(nxt)
            else:
                db += 1
                seen_b[nxt] = db + 1
                fb = nxt
                touched_b.append(nxt)
        return math.inf
    finally:
        for t in touched_a:
            seen_a[t] = 0
        for t in touched_b:
            seen_b[t] = 0


def bridges(
    index: TieIndex,
    sources: Sequence[int],
    *,
    max_overlap: float = 0.0,
    with_span: bool = True,
    min_new_contacts: int = 0,
) -> list[BridgeTie]:
    """The ties of `sources` whose overlap is at most `max_overlap`, with overlap and span.

    With the default ``max_overlap=0`` these are exactly the local bridges of networkx
    ``local_bridges(G, with_span=True)`` among the sources' ties (the same span, ``math.inf``
    for a bridge). Ties between two sources are left out.

    Parameters
    ----------
    index : TieIndex
    sources : sequence of node indexes
    max_overlap : float, default 0
        Keep ties with tie overlap [2]_ at most this (0: local bridges only).
    with_span : bool, default True
        Measure the span of local bridges (a bidirectional breadth-first search per tie, with
        the tie hidden); ties with a shared contact have span 2.
    min_new_contacts : int, default 0
        Keep ties whose other end has at least this many contacts the source does not know (1
        leaves out ties that lead nowhere, such as a contact whose only tie is the source).

    In a team each tie is measured from its own source (overlap, span and new contacts are
    the rep's, as networkx would measure them), so the same contact may appear once per rep.

    Returns
    -------
    list of BridgeTie
        Bridges first, then by span (longest first), overlap (lowest first), new contacts
        (most first) and node ids.

    Notes
    -----
    Overlap costs one pass over the rows of the sources' contacts (a mark array for each
    source's contacts); each span is a breadth-first search from both ends that expands the
    smaller frontier, so a bridge to a small part of the graph stops when that part is
    exhausted.
    """
    S = _sources(index, sources)
    Sset = set(S)
    n = index.n
    mark = np.zeros(n, dtype=bool)
    out: list[BridgeTie] = []
    seen_a = np.zeros(n, dtype=np.int32) if with_span else None
    seen_b = np.zeros(n, dtype=np.int32) if with_span else None
    for s in S:
        lo, hi = int(index.indptr[s]), int(index.indptr[s + 1])
        nb = index.nbr[lo:hi].astype(np.int64)
        if not len(nb):
            continue
        mark[nb] = True
        slots, owner = _slots(index, nb)
        far = index.nbr[slots]
        shared = np.bincount(owner, weights=mark[far], minlength=len(nb)).astype(np.int64)
        mark[nb] = False
        k_s = hi - lo
        k_j = index.indptr[nb + 1] - index.indptr[nb]
        new = k_j - 1 - shared
        denom = (k_s - 1) + (k_j - 1) - shared
        ov = np.divide(shared, denom, out=np.zeros(len(nb)), where=denom > 0)
        keep = np.flatnonzero((ov <= max_overlap) & (new >= min_new_contacts))
        for q in keep.tolist():
            j = int(nb[q])
            if j in Sset:
                continue
            e = int(index.eid[lo + q])
            if shared[q] > 0:
                span = 2.0
            elif with_span:
                span = _span(index, s, j, e, seen_a, seen_b)  # type: ignore[arg-type]
            else:
                span = math.nan
            out.append(BridgeTie(s, j, e, float(index.wgt[lo + q]), int(shared[q]),
                                 float(ov[q]), span, int(new[q])))  # fmt: skip
    out.sort(key=lambda b: (-(b.span if not math.isnan(b.span) else 0), b.overlap,
                            -b.new_contacts, b.source, b.other))  # fmt: skip
    return out


# ---------------------------------------------------------------------- brokerage
@dataclass(frozen=True)
class Brokerage:
    """Burt's measures of one person: `effective_size` (non-redundant contacts),
    `efficiency` (effective size per contact) and `constraint` (0 to 1; low = broker).
    NaN for a person without ties."""

    node: int
    degree: int
    effective_size: float
    efficiency: float
    constraint: float

    def to_dict(self) -> dict:
        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 4)

        return {"degree": self.degree, "effective_size": r(self.effective_size),
                "efficiency": r(self.efficiency), "constraint": r(self.constraint)}  # fmt: skip


def _ego_measures(index: TieIndex, i: int, w: np.ndarray, pos: np.ndarray, scope: str) -> Brokerage:
    """Effective size and constraint of node `i` from one pass over its contacts' rows.

    `w` is the weight of every CSR slot; `pos` a zeroed int64 scratch array (zeroed on return).
    """
    lo, hi = int(index.indptr[i]), int(index.indptr[i + 1])
    nb = index.nbr[lo:hi].astype(np.int64)
    d = len(nb)
    if d == 0:
        return Brokerage(i, 0, math.nan, math.nan, math.nan)
    wi = w[lo:hi]
    s_i = float(wi.sum())
    if s_i <= 0:
        return Brokerage(i, d, math.nan, math.nan, math.nan)
    p = wi / s_i  # p_iq: share of i's ties that go to q
    pos[nb] = np.arange(1, d + 1)
    try:
        slots, owner = _slots(index, nb)
        far = index.nbr[slots]
        wq = w[slots]
        at = pos[far]  # position (1-based) of the far end among i's contacts, 0 if not one
        if scope == "ego":
            in_ego = (at > 0) | (far == i)
            s_q = np.bincount(owner[in_ego], weights=wq[in_ego], minlength=d)
            m_q = np.zeros(d)
            np.maximum.at(m_q, owner[in_ego], wq[in_ego])
        else:  # the whole graph: every tie of the contact counts
            s_q = np.bincount(owner, weights=wq, minlength=d)
            m_q = np.zeros(d)
            np.maximum.at(m_q, owner, wq)
        tri = at > 0  # q - j with j also a contact of i: a triangle i, q, j
        q_idx, j_idx, w_qj = owner[tri], at[tri] - 1, wq[tri]
        with np.errstate(divide="ignore", invalid="ignore"):
            indirect = np.bincount(j_idx, weights=p[q_idx] * w_qj / s_q[q_idx], minlength=d)
            redundancy = float(np.sum(p[q_idx] * w_qj / m_q[j_idx]))
        constraint = float(np.sum((p + indirect) ** 2))
        eff = d - redundancy
        return Brokerage(i, d, eff, eff / d, constraint)
    finally:
        pos[nb] = 0


def brokerage(
    index: TieIndex,
    nodes: Sequence[int],
    *,
    weight: str | None = "strength",
    scope: str = "ego",
) -> dict[int, Brokerage]:
    r"""Burt's effective size and constraint of each of `nodes` [3]_.

    With :math:`p_{iq}` the share of `i`'s tie weight that goes to `q`,

    .. math::

        e_i = \sum_{j \in N(i)} \Bigl(1 - \sum_{q} p_{iq} \frac{w_{jq}}{\max_k w_{jk}}\Bigr),
        \qquad
        c_i = \sum_{j \in N(i)} \Bigl(p_{ij} + \sum_{q} p_{iq} p_{qj}\Bigr)^2,

    the inner sums running over the contacts `q` of `i` tied to `j` (the triangles through
    `i`). Equal to networkx ``effective_size`` and ``constraint`` (the same formulas) on
    ``nx.ego_graph(G, i)`` with ``scope="ego"`` (the default: the ego network alone, as in
    Burt's survey data), or on the whole graph with ``scope="graph"`` (contacts' ties outside the
    ego network then count in :math:`p_{qj}` and :math:`\max_k w_{jk}`).

    Parameters
    ----------
    index : TieIndex
    nodes : sequence of node indexes
    weight : "strength" or None
        Tie strengths as weights, or every tie 1 (then :math:`e_i = n - 2t/n` for `n`
        contacts with `t` ties among them, Borgatti 1997).
    scope : "ego" or "graph"

    Returns
    -------
    dict node -> Brokerage

    Notes
    -----
    networkx copies the graph and walks neighbour sets in Python per node and pair; here one
    vectorised pass over the rows of `i`'s contacts finds every triangle through `i`, so the
    cost is the sum of the contacts' degrees.
    """
    if scope not in ("ego", "graph"):
        raise UsageError("scope must be 'ego' or 'graph'")
    w = _weights(index, weight)
    pos = np.zeros(index.n, dtype=np.int64)
    out: dict[int, Brokerage] = {}
    for i in dict.fromkeys(int(x) for x in nodes):
        out[i] = _ego_measures(index, i, w, pos, scope)
    return out


@dataclass(frozen=True)
class Broker:
    """A contact of a source who spans structural holes: a good introducer to other groups."""

    node: int
    source: int
    strength: float
    measures: Brokerage


def brokers(
    index: TieIndex,
    sources: Sequence[int],
    *,
    weight: str | None = "strength",
    min_degree: int = 3,
    min_strength: float = 0.0,
    exclude_team: bool = True,
    limit: int | None = 20,
) -> list[Broker]:
    """The sources' contacts ranked as brokers, each with the source that knows them best.

    Largest effective size first (the number of non-redundant contacts: how many separate
    groups an introduction through them can open), then lowest constraint. Contacts with fewer
    than `min_degree` ties, with a tie weaker than `min_strength` to every source, and (with
    `exclude_team`) the sources' own colleagues on the team are left out.
    """
    S = _sources(index, sources)
    Sset = set(S)
    best: dict[int, tuple[float, int]] = {}
    for s in S:
        nb, wt = index.neighbors(s)
        for j, x in zip(nb.tolist(), wt.tolist(), strict=True):
            if j in Sset or x < min_strength or (exclude_team and index.team[j]):
                continue
            if j not in best or x > best[j][0]:
                best[j] = (x, s)
    deg = np.diff(index.indptr)
    cand = [j for j in best if deg[j] >= min_degree]
    measures = brokerage(index, cand, weight=weight)
    ranked = sorted(cand, key=lambda j: (-measures[j].effective_size, measures[j].constraint, j))
    if limit is not None:
        ranked = ranked[:limit]
    return [Broker(j, best[j][1], best[j][0], measures[j]) for j in ranked]


# ---------------------------------------------------------------------- dormant ties
@dataclass(frozen=True)
class DormantTie:
    """A tie that was strong at its last personal contact and has been silent since.

    `past_strength` is the tie's strength re-evaluated on the day of that last contact (its
    frequency not yet decayed, recency 1); `strength` is today's.
    """

    source: int
    other: int
    edge: int
    strength: float
    past_strength: float
    interactions: int
    last_contact: float
    idle_days: int
    both_ways: bool


def dormant_ties(
    index: TieIndex,
    sources: Sequence[int],
    *,
    now: date | datetime | None = None,
    idle_days: int = DEFAULT_IDLE_DAYS,
    min_past_strength: float = DORMANT_MIN_PAST_STRENGTH,
    min_interactions: int = DORMANT_MIN_INTERACTIONS,
    params: Params | None = None,
    limit: int | None = None,
) -> list[DormantTie]:
    r"""The sources' dormant ties: strong in the past, silent for at least `idle_days`.

    *Strong in the past* comes from the tie's own evidence: at least `min_interactions`
    personal interactions (messages, emails, meetings, calls, tasks; group mails beyond the
    broadcast threshold do not count), and a strength of at least `min_past_strength` as of
    the last of them. That past strength is the tie strength model of `graph.strength` with
    the frequency component undecayed to the last contact (a weighted count :math:`W` today
    was :math:`W \cdot 2^{d/h}` then, `d` days ago, half-life `h`) and recency 1; the other
    components are today's. *Silent* means no personal interaction for `idle_days` before
    `now` (default: the day the index was built).

    Levin, Walter & Murnighan [4]_ found that executives who reconnected with such ties got
    more useful knowledge than from their active ties, and as quickly: trust and shared
    understanding survive the silence, while the two people have since learnt different
    things.

    Returns
    -------
    list of DormantTie, highest past strength first (then longest silence).
    """
    S = _sources(index, sources)
    Sset = set(S)
    params = params or Params()
    now_days = _now_days(index, now)
    out: list[DormantTie] = []
    for s in S:
        lo, hi = int(index.indptr[s]), int(index.indptr[s + 1])
        es = index.eid[lo:hi].astype(np.int64)
        others = index.nbr[lo:hi]
        last = index.last_personal[es]
        with np.errstate(invalid="ignore"):
            idle = now_days - last
            personal = index.counts[es][:, _PERSONAL_CODES].sum(axis=1)
            cand = np.flatnonzero((idle >= idle_days) & (personal >= min_interactions))
        if not len(cand):
            continue
        ce = es[cand]
        comps = index.components[ce].astype(np.float64)
        # frequency back to the day of the last contact (as of the index's day)
        age = np.maximum(index.now_days - last[cand], 0.0)
        f = np.clip(comps[:, _FREQ], 0.0, 1.0 - 1e-15)
        w_then = -params.frequency_scale * np.log1p(-f) * np.power(2.0, age / params.half_life_days)
        comps[:, _FREQ] = 1.0 - np.exp(-w_then / params.frequency_scale)
        comps[:, _REC] = 1.0
        past = combine_arrays(comps, index.weights, params)
        for q in np.flatnonzero(past >= min_past_strength).tolist():
            k, e = int(cand[q]), int(ce[q])
            j = int(others[k])
            if j in Sset:
                continue
            out.append(DormantTie(s, j, e, float(index.strength[e]), float(past[q]),
                                  int(personal[k]), float(last[k]), int(idle[k]),
                                  bool(index.n_ab[e] and index.n_ba[e])))  # fmt: skip
    out.sort(key=lambda d: (-d.past_strength, -d.idle_days, d.source, d.other))
    return out[:limit] if limit is not None else out


# ---------------------------------------------------------------------- communities
@dataclass(frozen=True)
class Entry:
    """A tie that leads into a community: from a source (`via` None) or from one of the
    sources' contacts (`via`, the person to ask), to `member`."""

    source: int
    via: int | None
    member: int
    strength: float
    score: float


@dataclass
class Community:
    """A group of people near the sources that they reach poorly.

    `direct` counts members tied to a source; `share` is ``direct / size``; `best_strength` the
    strongest of those direct ties (0 with none); `companies` the commonest company ids among
    the members with their counts; `entries` the best ties leading in.
    """

    members: list[int]
    direct: int
    best_strength: float
    companies: list[tuple[int, int]]
    entries: list[Entry]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def share(self) -> float:
        return self.direct / self.size if self.members else 0.0


def _ball(
    index: TieIndex, S: list[int], max_nodes: int, hop_penalty: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sources, their contacts and the best-reached people two hops out (at most
    `max_nodes` in all): nodes, each node's best path score, and hops (0, 1, 2)."""
    n = index.n
    score = np.zeros(n)
    hops = np.full(n, -1, dtype=np.int8)
    src = np.asarray(S, dtype=np.int64)
    slots, _ = _slots(index, src)
    n1 = index.nbr[slots].astype(np.int64)
    np.maximum.at(score, n1, index.wgt[slots])
    hops[n1] = 1
    hops[src] = 0
    score[src] = 1.0
    first = np.unique(n1[hops[n1] == 1])
    slots2, owner2 = _slots(index, first)
    n2 = index.nbr[slots2].astype(np.int64)
    s2 = score[first][owner2] * index.wgt[slots2] * hop_penalty
    ring = hops[n2] < 0
    n2, s2 = n2[ring], s2[ring]
    best2 = np.zeros(n)
    np.maximum.at(best2, n2, s2)
    second = np.unique(n2)
    room = max(0, max_nodes - len(src) - len(first))
    if len(second) > room:
        order = np.lexsort((second, -best2[second]))
        second = np.sort(second[order[:room]])
    hops[second] = 2
    score[second] = best2[second]
    nodes = np.unique(np.concatenate([src, first, second]))
    return nodes, score[nodes], hops[nodes]


def _subgraph(index: TieIndex, nodes: np.ndarray) -> nx.Graph:
    """A plain networkx graph of the ties among `nodes` (node ids are index positions,
    ``strength`` on the edges), nodes added in ascending order so results are reproducible."""
    inside = np.zeros(index.n, dtype=bool)
    inside[nodes] = True
    slots, owner = _slots(index, nodes)
    far = index.nbr[slots]
    near = nodes[owner]
    keep = inside[far] & (near < far)
    G = nx.Graph()
    G.add_nodes_from(nodes.tolist())
    G.add_weighted_edges_from(
        zip(near[keep].tolist(), far[keep].tolist(), index.wgt[slots[keep]].tolist(), strict=True),
        weight="strength",
    )
    return G


def unreached_communities(
    index: TieIndex,
    sources: Sequence[int],
    *,
    seed: int = 42,
    resolution: float = 1.0,
    max_nodes: int = 2000,
    min_size: int = 5,
    max_share: float = 0.2,
    hop_penalty: float = 0.5,
    entries: int = 3,
    limit: int | None = 10,
) -> list[Community]:
    """Communities near the sources in which few members are tied to a source directly.

    The people within two hops (the sources, their contacts, and the `max_nodes` best-reached
    people two hops out: best path score ``w1 * w2 * hop_penalty``) are split into communities
    by networkx ``louvain_communities`` [5]_ with tie strengths as weights and a fixed `seed`,
    so the same index always gives the same groups. A community is *reached poorly* when it
    holds no source, has at least `min_size` members, and at most `max_share` of them are tied
    to a source directly. Its entries are the ties that cross into it from the sources or from
    their contacts, best path score first (a direct tie scores its strength; a tie from a
    contact scores ``w1 * w2 * hop_penalty``).

    Returns
    -------
    list of Community, largest unreached part first (``size * (1 - share)``), then by the
    lowest member id.
    """
    S = _sources(index, sources)
    nodes, score, hops = _ball(index, S, max_nodes, hop_penalty)
    G = _subgraph(index, nodes)
    if G.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(G, weight="strength", resolution=resolution, seed=seed)
    hop_of = dict(zip(nodes.tolist(), hops.tolist(), strict=True))
    score_of = dict(zip(nodes.tolist(), score.tolist(), strict=True))
    Sset = set(S)
    # each contact's best source (for entries through a contact)
    best_src: dict[int, tuple[float, int]] = {}
    for s in S:
        nb, wt = index.neighbors(s)
        for j, x in zip(nb.tolist(), wt.tolist(), strict=True):
            if j not in best_src or x > best_src[j][0]:
                best_src[j] = (x, s)
    found: list[Community] = []
    for part in parts:
        members = sorted(part)
        if len(members) < min_size or Sset & part:
            continue
        direct = [m for m in members if hop_of[m] == 1]
        if len(direct) > max_share * len(members):
            continue
        best = max((score_of[m] for m in direct), default=0.0)
        comp = Counter(int(index.company[m]) for m in members if index.company[m] >= 0)
        ins: list[Entry] = []
        for m in members:
            nb, wt = index.neighbors(m)
            for x, w in zip(nb.tolist(), wt.tolist(), strict=True):
                if x in part:
                    continue
                if x in Sset:
                    ins.append(Entry(x, None, m, w, w))
                elif hop_of.get(x) == 1:
                    w1, s = best_src[x]
                    ins.append(Entry(s, x, m, w, w1 * w * hop_penalty))
        ins.sort(key=lambda e: (-e.score, e.member, e.via if e.via is not None else -1))
        found.append(Community(members, len(direct), best, comp.most_common(3), ins[:entries]))
    found.sort(key=lambda c: (-(c.size - c.direct), c.members[0]))
    return found[:limit] if limit is not None else found


# ---------------------------------------------------------------------- the report
@dataclass
class WeakTiesReport:
    """Bridges, brokers, dormant ties and unreached communities of one person or a team."""

    sources: list[int]
    now: str
    bridges: list[BridgeTie]
    bridges_total: int
    own: dict[int, Brokerage]
    brokers: list[Broker]
    dormant: list[DormantTie]
    dormant_total: int
    communities: list[Community]
    people: dict[int, dict] = field(default_factory=dict, repr=False)
    company_names: dict[int, str] = field(default_factory=dict, repr=False)
    why: dict[int, str] = field(default_factory=dict, repr=False)
    params: dict = field(default_factory=dict)

    def person(self, i: int) -> dict:
        d = self.people.get(i) or {"id": str(i), "name": None}
        return {k: d.get(k) for k in ("id", "name", "company", "title")}

    def to_dict(self) -> dict:
        P = self.person
        return {
            "sources": [P(s) | {"brokerage": self.own[s].to_dict()} for s in self.sources],
            "now": self.now,
            "bridges": [{
                "source": P(b.source), "contact": P(b.other), "kind": b.kind,
                "strength": round(b.strength, 4), "overlap": round(b.overlap, 4),
                "shared": b.shared, "span": None if math.isinf(b.span) or math.isnan(b.span)
                else int(b.span), "new_contacts": b.new_contacts,
            } for b in self.bridges],
            "bridges_total": self.bridges_total,
            "brokers": [{
                "contact": P(b.node), "source": P(b.source), "strength": round(b.strength, 4),
                **b.measures.to_dict(),
            } for b in self.brokers],
            "dormant": [{
                "source": P(d.source), "contact": P(d.other), "strength": round(d.strength, 4),
                "past_strength": round(d.past_strength, 4), "interactions": d.interactions,
                "last_contact": _day(d.last_contact), "idle_days": d.idle_days,
                "both_ways": d.both_ways, "why": self.why.get(d.edge),
            } for d in self.dormant],
            "dormant_total": self.dormant_total,
            "communities": [{
                "size": c.size, "direct": c.direct, "share": round(c.share, 4),
                "best_strength": round(c.best_strength, 4),
                "companies": [{"company": self.company_names.get(cid), "people": k}
                              for cid, k in c.companies],
                "entries": [{
                    "source": P(e.source), "via": P(e.via) if e.via is not None else None,
                    "member": P(e.member), "strength": round(e.strength, 4),
                    "score": round(e.score, 6),
                } for e in c.entries],
            } for c in self.communities],
            "params": self.params,
        }  # fmt: skip


def weak_ties_report(
    index: TieIndex,
    sources: Sequence[int],
    *,
    now: date | datetime | None = None,
    idle_days: int = DEFAULT_IDLE_DAYS,
    max_overlap: float = 0.0,
    min_new_contacts: int = 1,
    limit: int = 20,
    communities: bool = True,
    seed: int = 42,
    max_nodes: int = 2000,
) -> WeakTiesReport:
    """Everything weak-tie about `sources`, in one call: their bridges (`bridges`, leaving
    out ties that lead nowhere), their own brokerage and their best brokers (`brokerage`,
    `brokers`), their dormant ties (`dormant_ties`) and the communities they reach poorly
    (`unreached_communities`). Lists are cut at `limit`; `bridges_total` and `dormant_total`
    say how many there were."""
    S = _sources(index, sources)
    now_days = _now_days(index, now)
    all_bridges = bridges(index, S, max_overlap=max_overlap, min_new_contacts=min_new_contacts)
    own = brokerage(index, S)
    brk = brokers(index, S, limit=limit)
    all_dormant = dormant_ties(index, S, now=now, idle_days=idle_days)
    comms = unreached_communities(index, S, seed=seed, max_nodes=max_nodes) if communities else []
    bl, dl = all_bridges[:limit], all_dormant[:limit]
    nodes = set(S)
    nodes.update(x for b in bl for x in (b.source, b.other))
    nodes.update(x for b in brk for x in (b.node, b.source))
    nodes.update(x for d in dl for x in (d.source, d.other))
    for c in comms:
        for e in c.entries:
            nodes.update(x for x in (e.source, e.via, e.member) if x is not None)
    order = sorted(nodes)
    people = dict(zip(order, index.people(order), strict=True))
    cids = sorted({cid for c in comms for cid, _ in c.companies})
    cnames = index.company_names(cids) if cids and index.company_names is not None else {}
    why = {}
    now_dt = datetime(1970, 1, 1) + timedelta(days=now_days)
    for d in dl:
        ev = index.tie_evidence(d.edge)
        if int(index.eu[d.edge]) != d.source:
            ev.n_ab, ev.n_ba = ev.n_ba, ev.n_ab
        a = people[d.source]["name"] or people[d.source]["id"]
        b = people[d.other]["name"] or people[d.other]["id"]
        why[d.edge] = explain(a, b, ev, now=now_dt)
    params = {"idle_days": idle_days, "max_overlap": max_overlap,
              "min_new_contacts": min_new_contacts, "dormant_min_past_strength":
              DORMANT_MIN_PAST_STRENGTH, "dormant_min_interactions": DORMANT_MIN_INTERACTIONS,
              "louvain_seed": seed, "max_nodes": max_nodes, "limit": limit,
              "model_version": index.model_version}  # fmt: skip
    return WeakTiesReport(S, _day(now_days) or "", bl, len(all_bridges), own, brk, dl,
                          len(all_dormant), comms, people, cnames, why, params)  # fmt: skip
