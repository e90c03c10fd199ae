"""From the workspace to the graph: ties with their strength, in a compact search index.

`build_index` reads people, interactions, companies and positions from a workspace, folds the
interactions of each pair into one tie (`graph.strength.TieEvidence` as arrays), adds the
explicit contexts (colleagues now and before), computes each tie's neighbourhood overlap and
strength, and lays the result out as compressed sparse rows (CSR): for node ``i`` its
neighbours are ``nbr[indptr[i]:indptr[i+1]]``, sorted by strength, strongest first, which lets
the intro search stop scanning a row as soon as the rest cannot matter.

The index is built once per workspace state and saved beside the workspace (the folder
``tiegraph.db.index``, memory-mapped when read); `load_index` reuses it while the workspace's generation, the
model version and the day are unchanged. It never changes the workspace, and nothing it returns
should be changed by callers (the arrays are read-only).

`to_networkx` gives the networkx view of all or part of the graph, for the algorithms that
want one and for drawing.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graph.model import INTERACTION_KINDS
from graph.strength import (
    COMPONENTS,
    CONTEXTS,
    KIND_CONTEXT,
    MODEL_VERSION,
    PERSONAL_KINDS,
    Params,
    TieEvidence,
    Weights,
    colleague_context,
    combine_arrays,
    component_arrays,
)

__all__ = [
    "TieIndex",
    "build_index",
    "load_index",
    "save_index",
    "read_index_files",
    "index_path",
    "to_networkx",
    "from_edges",
    "CONTEXT_BITS",
]

log = logging.getLogger(__name__)

_EPOCH_JD = 2440587.5
#: Context name -> bit in the per-tie context mask.
CONTEXT_BITS = {name: 1 << i for i, name in enumerate(CONTEXTS)}
_KIND_CODE = {k: i for i, k in enumerate(INTERACTION_KINDS)}
#: Companies with at most this many known people make every pair of them colleagues; in a
#: bigger company only people tied by other evidence get the colleague context.
COLLEAGUE_CLIQUE_MAX = 50
#: Undated personal interactions count as if they were this many days old.
UNDATED_AGE_DAYS = 365.0
_INDEX_FORMAT = 4  # 3: meta.json carries a stamp (see read_index_files); 4: provenance arrays


def _today_days(now: date | datetime | None) -> float:
    if now is None:
        now = datetime.now(UTC).replace(tzinfo=None)
    if not isinstance(now, datetime):
        now = datetime(now.year, now.month, now.day)
    return (now - datetime(1970, 1, 1)).total_seconds() / 86400.0


def _days_to_datetime(days: float | None) -> datetime | None:
    if days is None or np.isnan(days):
        return None
    return datetime(1970, 1, 1) + timedelta(days=float(days))


@dataclass
class TieIndex:
    """The built graph: people as nodes ``0..n-1``, ties as CSR rows and as edge arrays.

    Node arrays: `pids` (workspace person id of each node, ascending), `team`, `company`
    (company id or -1). Edge arrays (``m`` ties, ``eu < ev``): `strength`, `components`
    (``m x 6`` in `graph.strength.COMPONENTS` order), `n_ab`/`n_ba` (personal interactions
    from `eu` to `ev` and back), `counts` (``m x kinds``), `n_broadcast`, `first`, `last`,
    `last_personal` (days since 1970, NaN for never), `ctx` (context bit mask), `ctx_value`,
    `colleague_company`. CSR: `indptr`, `nbr`, `wgt` (strength), `eid` (edge of each slot).

    `info` and `evidence_rows` are look-ups into the store the index was built from (names,
    companies and titles of nodes; the source rows behind a tie); an index built from plain
    edges has neither and shows node ids instead.

    Provenance, for team privacy levels (`graph.privacy`): whose exports show each node and
    each tie, as CSR lists of owner person ids (0: an import without an owner, such as a CRM
    export): node ``i``'s are ``node_src[node_src_ptr[i]:node_src_ptr[i+1]]``, tie ``e``'s
    ``edge_src[edge_src_ptr[e]:edge_src_ptr[e+1]]``, each sorted and distinct. A tie with no
    owner listed rests on context alone (colleagues). Empty (no owners anywhere) by default.
    """

    pids: np.ndarray
    team: np.ndarray
    company: np.ndarray
    indptr: np.ndarray
    nbr: np.ndarray
    wgt: np.ndarray
    eid: np.ndarray
    eu: np.ndarray
    ev: np.ndarray
    strength: np.ndarray
    components: np.ndarray
    n_ab: np.ndarray
    n_ba: np.ndarray
    counts: np.ndarray
    n_broadcast: np.ndarray
    first: np.ndarray
    last: np.ndarray
    last_personal: np.ndarray
    ctx: np.ndarray
    ctx_value: np.ndarray
    colleague_company: np.ndarray
    now_days: float
    model_version: str = MODEL_VERSION
    generation: int = -1
    weights: Weights = field(default_factory=Weights)
    info: Callable[[list[int]], list[dict]] | None = None
    evidence_rows: Callable[[int, int, int], list[str]] | None = None
    company_names: Callable[[list[int]], dict[int, str]] | None = None
    industries: Callable[[list[int]], dict[int, str]] | None = None
    node_src_ptr: np.ndarray | None = field(default=None, repr=False)
    node_src: np.ndarray | None = field(default=None, repr=False)
    edge_src_ptr: np.ndarray | None = field(default=None, repr=False)
    edge_src: np.ndarray | None = field(default=None, repr=False)
    _info_cache: dict[int, dict] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.node_src_ptr is None:  # no provenance: nobody's exports in particular
            self.node_src_ptr = np.zeros(len(self.pids) + 1, dtype=np.int64)
            self.node_src = np.zeros(0, dtype=np.int64)
        if self.edge_src_ptr is None:
            self.edge_src_ptr = np.zeros(len(self.eu) + 1, dtype=np.int64)
            self.edge_src = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ sizes
    @property
    def n(self) -> int:
        return len(self.pids)

    @property
    def m(self) -> int:
        return len(self.eu)

    def node_of(self, pid: int) -> int | None:
        """Node index of workspace person `pid`, or None."""
        i = int(np.searchsorted(self.pids, pid))
        return i if i < len(self.pids) and int(self.pids[i]) == pid else None

    def nodes_of(self, pids: Iterable[int]) -> list[int]:
        """Node indexes of the given person ids that are in the index."""
        want = np.fromiter((int(p) for p in pids), dtype=np.int64)
        if not len(want) or not len(self.pids):
            return []
        at = np.minimum(np.searchsorted(self.pids, want), len(self.pids) - 1)
        return at[self.pids[at] == want].tolist()

    def degree(self, i: int) -> int:
        return int(self.indptr[i + 1] - self.indptr[i])

    def neighbors(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Neighbours of node `i` and the tie strengths, strongest first."""
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return self.nbr[lo:hi], self.wgt[lo:hi]

    def edge(self, i: int, j: int) -> int | None:
        """The tie between nodes `i` and `j`, as an edge index, or None."""
        if self.degree(i) > self.degree(j):
            i, j = j, i
        lo, hi = self.indptr[i], self.indptr[i + 1]
        hits = np.flatnonzero(self.nbr[lo:hi] == j)
        return int(self.eid[lo + hits[0]]) if len(hits) else None

    # ------------------------------------------------------------------ people
    def person(self, i: int) -> dict:
        """``{"id", "name", "company", "title", "team"}`` of node `i`."""
        return self.people([i])[0]

    def people(self, nodes: list[int]) -> list[dict]:
        missing = [i for i in nodes if i not in self._info_cache]
        if missing:
            if self.info is not None:
                found = self.info([int(self.pids[i]) for i in missing])
                for i, d in zip(missing, found, strict=True):
                    self._info_cache[i] = d
            else:
                for i in missing:
                    self._info_cache[i] = {
                        "id": f"p{int(self.pids[i])}", "name": f"#{int(self.pids[i])}",
                        "company": None, "title": None, "team": bool(self.team[i]),
                    }  # fmt: skip
        return [self._info_cache[i] for i in nodes]

    # ------------------------------------------------------------------ ties
    def tie_evidence(self, e: int) -> TieEvidence:
        """The aggregated evidence of tie `e`, oriented from `eu[e]` to `ev[e]`."""
        counts = {
            k: int(self.counts[e, c]) for k, c in _KIND_CODE.items() if self.counts[e, c]
        }
        contexts = {}
        for name, bit in CONTEXT_BITS.items():
            if int(self.ctx[e]) & bit:
                contexts[name] = (
                    float(self.ctx_value[e]) if name == "colleague_now" else CONTEXTS[name]
                )
        company = None
        cc = int(self.colleague_company[e])
        if cc >= 0 and self.company_names is not None:
            company = self.company_names([cc]).get(cc)
        return TieEvidence(
            weighted=0.0,
            n_ab=int(self.n_ab[e]),
            n_ba=int(self.n_ba[e]),
            n_broadcast=int(self.n_broadcast[e]),
            first=_days_to_datetime(self.first[e]),
            last=_days_to_datetime(self.last[e]),
            last_personal=_days_to_datetime(self.last_personal[e]),
            counts=counts,
            contexts=contexts,
            colleague_at=company,
        )

    def tie_components(self, e: int) -> dict[str, float]:
        return {c: round(float(self.components[e, k]), 4) for k, c in enumerate(COMPONENTS)}

    def now(self) -> datetime:
        d = _days_to_datetime(self.now_days)
        assert d is not None
        return d

    def reweighted(self, weights: Weights, params: Params = Params()) -> np.ndarray:
        """Tie strengths under other `weights` (for "why not" sensitivity), one per edge."""
        return combine_arrays(self.components.astype(np.float64), weights, params)

    def withheld_owners(self, pa: int, pb: int) -> tuple[int, ...]:
        """Owners whose rows of evidence between persons `pa` and `pb` are not to be shown:
        none here; a viewer's view (`graph.privacy.ViewerIndex`) withholds some."""
        return ()

    def with_strengths(self, strength: np.ndarray) -> TieIndex:
        """A copy of this index whose ties have the given strengths (CSR rows re-sorted)."""
        indptr, nbr, wgt, eid = _csr(self.n, self.eu, self.ev, strength)
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return type(self)(**{**fields, "indptr": indptr, "nbr": nbr, "wgt": wgt, "eid": eid,
                           "strength": strength, "_info_cache": self._info_cache})  # fmt: skip


def _csr(n: int, eu: np.ndarray, ev: np.ndarray, w: np.ndarray):  # noqa: ANN202
    """CSR arrays of an undirected weighted graph, each row sorted strongest first."""
    m = len(eu)
    rows = np.concatenate([eu, ev]).astype(np.int64)
    cols = np.concatenate([ev, eu]).astype(np.int32)
    ws = np.concatenate([w, w]).astype(np.float64)
    ids = np.concatenate([np.arange(m), np.arange(m)]).astype(np.int32)
    order = np.lexsort((-ws, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))]).astype(np.int64)
    out = (indptr, cols[order], ws[order], ids[order])
    for a in out:
        a.setflags(write=False)
    return out


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _key_set(keys: np.ndarray) -> np.ndarray:
    """An open-addressing hash set (linear probing, at most half full, -1 for empty) of the
    distinct non-negative int64 `keys`, for `_contains`. A look-up is one or two random reads
    where a binary search of the sorted keys is ~25 (the overlap step at 10M ties: 4-5x less)."""
    size = 1 << max(int(2 * len(keys)).bit_length(), 4)
    table = np.full(size, -1, dtype=np.int64)
    todo, h = keys, _slot(keys, size)
    while len(todo):
        free = table[h] == -1
        table[h[free]] = todo[free]  # keys racing for one slot: one of them lands
        placed = np.zeros(len(todo), dtype=bool)
        placed[free] = table[h[free]] == todo[free]
        todo, h = todo[~placed], (h[~placed] + 1) & (size - 1)
    return table


def _slot(keys: np.ndarray, size: int) -> np.ndarray:
    """Home slot of each key in a table of `size` (a power of two): Fibonacci hashing."""
    return ((keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - size.bit_length() + 1)).astype(np.int64)


def _contains(table: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Whether each of `q` (non-negative int64) is in the hash set `table` of `_key_set`."""
    size = len(table)
    out = np.zeros(len(q), dtype=bool)
    idx, h = np.arange(len(q)), _slot(q, size)
    while len(idx):
        slot = table[h]
        out[idx[slot == q]] = True
        go = (slot != q) & (slot != -1)
        idx, h, q = idx[go], (h[go] + 1) & (size - 1), q[go]
    return out


def _edge_overlap(n: int, eu: np.ndarray, ev: np.ndarray, *, chunk: int = 4_000_000) -> np.ndarray:
    """Onnela overlap of every edge, from shared-neighbour counts.

    For each tie, the neighbours of its lower-degree end are looked up among the sorted
    neighbour keys of the other end, in vectorised chunks: the work is the sum over ties of
    the smaller degree, never the square of a hub's degree, and memory stays bounded.
    """
    m = len(eu)
    if m == 0:
        return np.zeros(0)
    eu64, ev64 = eu.astype(np.int64), ev.astype(np.int64)
    key = np.concatenate([eu64 * n + ev64, ev64 * n + eu64])
    key.sort()
    deg = np.bincount(np.concatenate([eu64, ev64]), minlength=n)
    indptr = np.concatenate([[0], np.cumsum(deg)])
    nbrs = key % n
    table = _key_set(key)
    small = np.where(deg[eu64] <= deg[ev64], eu64, ev64)
    big = eu64 + ev64 - small
    work = deg[small]
    shared = np.zeros(m)
    bounds = np.searchsorted(np.cumsum(work), np.arange(chunk, int(work.sum()) + chunk, chunk))
    e0 = 0
    for e1 in [*np.unique(bounds).tolist(), m]:
        e1 = min(max(e1, e0 + 1), m)
        if e1 <= e0:
            continue
        lengths = work[e0:e1]
        total = int(lengths.sum())
        if total:
            starts = indptr[small[e0:e1]]
            offs = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
            w = nbrs[offs + np.arange(total)]
            which = np.repeat(np.arange(e1 - e0), lengths)
            q = big[e0:e1][which] * n + w
            shared[e0:e1] = np.bincount(which, weights=_contains(table, q), minlength=e1 - e0)
        e0 = e1
        if e0 >= m:
            break
    denom = (deg[eu64] - 1) + (deg[ev64] - 1) - shared
    return np.divide(shared, denom, out=np.zeros(m), where=denom > 0)


def from_edges(
    u: np.ndarray,
    v: np.ndarray,
    s: np.ndarray,
    *,
    n: int | None = None,
    team: np.ndarray | None = None,
) -> TieIndex:
    """An index over plain weighted edges (node ids ``0..n-1``, strengths in (0, 1]).

    For benchmarks and external graphs: there is no evidence behind these ties, so each has
    only its strength (duplicate pairs keep the strongest; self-loops are dropped).
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    s = np.asarray(s, dtype=np.float64)
    n = int(max(u.max(initial=-1), v.max(initial=-1)) + 1) if n is None else n
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    lo, hi, s = lo[keep], hi[keep], s[keep]
    key = lo * n + hi
    order = np.lexsort((-s, key))
    key, s = key[order], s[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, s = key[first], s[first]
    eu, ev = (key // n).astype(np.int32), (key % n).astype(np.int32)
    m = len(eu)
    indptr, nbr, wgt, eid = _csr(n, eu, ev, s)
    nan = np.full(m, np.nan)
    return TieIndex(
        pids=np.arange(n, dtype=np.int64),
        team=np.zeros(n, dtype=bool) if team is None else np.asarray(team, dtype=bool),
        company=np.full(n, -1, dtype=np.int32),
        indptr=indptr, nbr=nbr, wgt=wgt, eid=eid, eu=eu, ev=ev, strength=s,
        components=np.zeros((m, len(COMPONENTS)), dtype=np.float32),
        n_ab=np.zeros(m, dtype=np.int32), n_ba=np.zeros(m, dtype=np.int32),
        counts=np.zeros((m, len(INTERACTION_KINDS)), dtype=np.int32),
        n_broadcast=np.zeros(m, dtype=np.int32), first=nan, last=nan, last_personal=nan,
        ctx=np.zeros(m, dtype=np.int32), ctx_value=np.zeros(m),
        colleague_company=np.full(m, -1, dtype=np.int32), now_days=_today_days(None),
        model_version="external",
    )  # fmt: skip


# ---------------------------------------------------------------------- from a workspace
def index_path(workspace_path: str | os.PathLike) -> Path:
    """Where the saved index of a workspace lives: the folder ``<file>.index`` beside it."""
    p = Path(workspace_path)
    return p.with_name(p.name + ".index")


def build_index(
    ws: Any,
    *,
    now: date | datetime | None = None,
    weights: Weights = Weights(),
    params: Params = Params(),
    progress: Callable[[str], None] | None = None,
) -> TieIndex:
    """Build the tie index of workspace `ws` (a `graph.workspace.Workspace`) as of `now`
    (default: today, UTC), from one state of the workspace (`Workspace.snapshot`): an import
    committed while it reads is either all in the index or not at all."""
    with ws.snapshot():
        return _build_index(ws, now=now, weights=weights, params=params, progress=progress)


def _build_index(
    ws: Any, *, now: date | datetime | None, weights: Weights, params: Params,
    progress: Callable[[str], None] | None,
) -> TieIndex:  # fmt: skip
    now_days = _today_days(now)
    say = progress or (lambda _msg: None)
    say("reading people")
    people = np.array(
        ws.sql("SELECT id, team, coalesce(company_id, -1) FROM people ORDER BY id"), dtype=np.int64
    ).reshape(-1, 3)
    pids, team, company = people[:, 0].copy(), people[:, 1].astype(bool), people[:, 2].astype(np.int32)
    n = len(pids)

    def nodes(p: np.ndarray) -> np.ndarray:
        return np.searchsorted(pids, p)

    say("reading interactions")
    # each mention's person, read once: the interactions are then read without joining
    # mentions twice (two look-ups per row: most of the read at millions of rows)
    mentions = _int_rows(ws, "mentions", "id || ',' || person_id", 2)
    mentions = mentions[np.argsort(mentions[:, 0], kind="stable")]
    mention_id, mention_person = mentions[:, 0].copy(), mentions[:, 1].copy()
    # mention id -> person id by direct look-up when the ids are dense (they are rowids)
    lut = None
    if len(mention_id) and 0 <= mention_id[0] and mention_id[-1] <= 4 * len(mention_id) + 1_000_000:
        lut = np.full(int(mention_id[-1]) + 1, -1, dtype=np.int64)
        lut[mention_id] = mention_person
    arr_a, arr_b, day, kind, directed, size, imp = _read_interactions(ws)
    cols: dict[str, list] = {"a": [arr_a], "b": [arr_b], "kind": [kind], "day": [day],
                             "dir": [directed], "size": [size], "imp": [imp]}  # fmt: skip
    for side in ("a", "b"):  # mention ids -> person ids; a row whose mention is gone is dropped
        m = np.concatenate(cols[side]) if cols[side] else np.zeros(0, dtype=np.int64)
        if lut is not None:
            inside = (m >= 0) & (m < len(lut))
            cols[side] = [np.where(inside, lut[np.where(inside, m, 0)], -1)]
        elif len(mention_id):
            pos = np.minimum(np.searchsorted(mention_id, m), len(mention_id) - 1)
            cols[side] = [np.where(mention_id[pos] == m, mention_person[pos], -1)]
        else:
            cols[side] = [np.full(len(m), -1, dtype=np.int64)]
    known = (cols["a"][0] >= 0) & (cols["b"][0] >= 0)
    if not known.all():
        cols = {k: [np.concatenate(v)[known]] if v else v for k, v in cols.items()}
    arr = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}
    ia = nodes(arr["a"].astype(np.int64))
    ib = nodes(arr["b"].astype(np.int64))
    kind = arr["kind"].astype(np.int64)
    day = arr["day"].astype(np.float64)
    directed = arr["dir"].astype(bool)
    size = arr["size"].astype(np.int64)
    keep = ia != ib
    ia, ib, kind, day, directed, size = ia[keep], ib[keep], kind[keep], day[keep], directed[keep], size[keep]
    owner_of = _import_owners(ws)
    owner = owner_of[arr["imp"].astype(np.int64)[keep]] if len(owner_of) else np.zeros(len(ia), dtype=np.int64)

    say("folding interactions into ties")
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    key = lo * n + hi
    # colleague pairs: every pair at a small company, and tied pairs at a big one
    ckeys, cvals, ccomp, cbits = _colleague_pairs(ws, pids, company, key, n)
    all_keys = _unique(np.concatenate([key, ckeys]))
    m = len(all_keys)
    inv = np.searchsorted(all_keys, key)
    K = len(INTERACTION_KINDS)
    edge_src_ptr, edge_src = _owner_lists(inv, owner, m)
    say("reading whose exports show each person")
    node_src_ptr, node_src = _node_owners(ws, pids, owner_of)

    personal_codes = np.array([_KIND_CODE[k] for k in PERSONAL_KINDS])
    personal = np.isin(kind, personal_codes)
    recipients = np.maximum(size - 1, 1)
    broadcast = personal & (recipients > params.broadcast_recipients)
    counted = personal & ~broadcast
    age = np.where(np.isnan(day), UNDATED_AGE_DAYS, np.maximum(now_days - day, 0.0))
    w = np.where(counted, np.power(0.5, age / params.half_life_days) / recipients, 0.0)
    weighted = np.bincount(inv, weights=w, minlength=m)
    n_ab = np.bincount(inv, weights=(counted & directed & (ia == lo)), minlength=m).astype(np.int32)
    n_ba = np.bincount(inv, weights=(counted & directed & (ia == hi)), minlength=m).astype(np.int32)
    counts = np.bincount(inv * K + kind, weights=counted | ~personal, minlength=m * K)
    counts = counts.reshape(m, K).astype(np.int32)
    n_broadcast = np.bincount(inv, weights=broadcast, minlength=m).astype(np.int32)
    first = np.full(m, np.nan)
    last = np.full(m, np.nan)
    last_personal = np.full(m, np.nan)
    np.fmin.at(first, inv, day)
    np.fmax.at(last, inv, day)
    np.fmax.at(last_personal, inv[counted], day[counted])
    ctx = np.zeros(m, dtype=np.int32)
    for kname, cname in KIND_CONTEXT.items():
        sel = kind == _KIND_CODE[kname]
        if sel.any():
            np.bitwise_or.at(ctx, inv[sel], CONTEXT_BITS[cname])
    ctx_value = np.zeros(m)
    colleague_company = np.full(m, -1, dtype=np.int32)
    if len(ckeys):
        cinv = np.searchsorted(all_keys, ckeys)
        np.bitwise_or.at(ctx, cinv, cbits)
        ctx_value[cinv] = np.maximum(ctx_value[cinv], cvals)
        colleague_company[cinv] = ccomp
    for name, bit in CONTEXT_BITS.items():
        if name != "colleague_now":
            ctx_value = np.where(ctx & bit, np.maximum(ctx_value, CONTEXTS[name]), ctx_value)

    eu = (all_keys // n).astype(np.int32)
    ev = (all_keys % n).astype(np.int32)
    say(f"measuring overlap of {m:,} ties")
    ov = _edge_overlap(n, eu, ev)
    say("scoring ties")
    comps = component_arrays(
        weighted=weighted, n_ab=n_ab, n_ba=n_ba, first_days=first, last_days=last,
        last_personal_days=last_personal, context=ctx_value, overlap_values=ov,
        now_days=now_days, params=params,
    )  # fmt: skip
    strength = combine_arrays(comps, weights, params)
    say("laying out the index")
    indptr, nbr, wgt, eid = _csr(n, eu, ev, strength)
    index = TieIndex(
        pids=pids, team=team, company=company, indptr=indptr, nbr=nbr, wgt=wgt, eid=eid,
        eu=eu, ev=ev, strength=strength, components=comps.astype(np.float32), n_ab=n_ab,
        n_ba=n_ba, counts=counts, n_broadcast=n_broadcast, first=first, last=last,
        last_personal=last_personal, ctx=ctx, ctx_value=ctx_value,
        colleague_company=colleague_company, now_days=now_days,
        model_version="tie-strength/1+" + weights.version, generation=ws.generation,
        weights=weights, node_src_ptr=node_src_ptr, node_src=node_src, edge_src_ptr=edge_src_ptr,
        edge_src=edge_src,
    )  # fmt: skip
    attach_workspace(index, ws)
    return index


_READ_ROWS = 500_000


def _int_rows(ws: Any, table: str, columns: str, width: int, params: tuple = ()) -> np.ndarray:
    """The integers `columns` (an SQL expression joining `width` integer values with ``','``)
    of every row of `table`, as a ``rows x width`` array in rowid order.

    Read as decimal text, one chunk of rowids per query: SQLite writes the numbers (C speed)
    and numpy parses them, with no Python object per row (reading rows as tuples was most of
    the build: ~6 us a row at 10M interactions). `table` and `columns` are constants of this
    module; values go in `params`.
    """
    lo, hi = ws.sql("SELECT min(rowid), max(rowid) FROM " + table)[0]  # noqa: S608 (constants)
    query = "SELECT group_concat(" + columns + ", ',') FROM " + table + " WHERE rowid >= ? AND rowid < ?"  # noqa: S608
    parts = []
    for start in range(lo, hi + 1, _READ_ROWS) if lo is not None else ():
        (text,) = ws.sql(query, (*params, start, start + _READ_ROWS))[0]
        if text:
            parts.append(np.fromstring(text, dtype=np.int64, sep=","))
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)).reshape(-1, width)


#: Per interaction: the two mention ids, the time as SQLite's integer milliseconds since the
#: Julian epoch (-1 for none), kind code | directed << 8 | group size << 9, and the import.
#: Group sizes are clamped to [0, 2**50], which changes nothing (a size of at most 1 counts as
#: one recipient either way); a kind this version does not know counts as ``manual``.
_INTERACTION_COLUMNS = (
    "a || ',' || b || ',' || ifnull(CAST(round(julianday(at) * 86400000) AS INTEGER), -1) || ',' || "
    "((CASE kind " + "WHEN ? THEN ? " * len(_KIND_CODE) + "ELSE ? END) | ((directed != 0) << 8) | "
    "(max(min(group_size, 1 << 50), 0) << 9)) || ',' || import_id"
)


def _read_interactions(ws: Any) -> tuple[np.ndarray, ...]:
    """Columns a, b, day (days since 1970 as ``julianday(at) - 2440587.5``, bit for bit;
    NaN for none), kind code, directed, group size, import id of every interaction, in
    rowid order."""
    kinds = (*[x for kc in _KIND_CODE.items() for x in kc], _KIND_CODE["manual"])
    x = _int_rows(ws, "interactions", _INTERACTION_COLUMNS, 5, kinds)
    # julianday() is SQLite's integer milliseconds / 86400000.0: the same division here
    ms = x[:, 2]
    day = np.where(ms >= 0, ms / 86400000.0, np.nan) - _EPOCH_JD
    packed = x[:, 3]
    return (x[:, 0].copy(), x[:, 1].copy(), day, (packed & 0xFF).astype(np.int16),
            (packed & 0x100).astype(bool), packed >> 9, x[:, 4].copy())  # fmt: skip


def _firsts(x: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in the sorted array `x`."""
    if not len(x):
        return np.zeros(0, dtype=np.int64)
    new = np.empty(len(x), dtype=bool)
    new[0] = True
    np.not_equal(x[1:], x[:-1], out=new[1:])
    return np.flatnonzero(new)


def _unique(x: np.ndarray) -> np.ndarray:
    """The sorted distinct values of `x`, by one sort. (`np.unique` in numpy 2.4 hashes the
    values first: 2-4 s for a million int64 keys here, against 0.02-0.07 s for this.)"""
    s = np.sort(x)
    return s[_firsts(s)]


def _import_owners(ws: Any) -> np.ndarray:
    """Owner person id of each import id (0: no owner), as a look-up array."""
    rows = ws.sql("SELECT id, coalesce(owner_id, 0) FROM imports")
    if not rows:
        return np.zeros(0, dtype=np.int64)
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    out = np.zeros(int(ids.max()) + 1, dtype=np.int64)
    out[ids] = [r[1] for r in rows]
    return out


def _owner_lists(row: np.ndarray, owner: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR lists of the distinct owners per row ``0..size-1`` from (row, owner) pairs."""
    row = np.asarray(row, dtype=np.int64)
    owner = np.asarray(owner, dtype=np.int64)
    if len(row):
        base = int(owner.max()) + 1
        pairs = _unique(row * base + owner)
        row, owner = pairs // base, pairs % base
    ptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=size))]).astype(np.int64)
    return ptr, owner.astype(np.int64)


def _node_owners(ws: Any, pids: np.ndarray, owner_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whose exports mention each person (their mentions' imports' owners), as CSR lists."""
    rows = _int_rows(ws, "mentions", "person_id || ',' || import_id", 2)  # repeats: merged below
    person, imp = rows[:, 0].copy(), rows[:, 1].copy()
    if not len(pids):
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    node = np.searchsorted(pids, person)
    ok = (node < len(pids)) & (pids[np.minimum(node, len(pids) - 1)] == person) & (imp < len(owner_of))
    return _owner_lists(node[ok], owner_of[imp[ok]], len(pids))


def _colleague_pairs(
    ws: Any, pids: np.ndarray, company: np.ndarray, tied_keys: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keys, context values, companies and context bits of colleague pairs.

    Colleagues now: same current company. Colleagues before: one held a past position at the
    company the other works at now. In companies with more than `COLLEAGUE_CLIQUE_MAX` known
    people only pairs already tied by other evidence get the context.
    """
    keys: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    comps: list[np.ndarray] = []
    bits: list[np.ndarray] = []
    tied = _unique(tied_keys)
    has = company >= 0
    by_co: tuple[np.ndarray, np.ndarray] | None = None  # tied pairs inside one company, by company
    if has.any():
        order = np.argsort(company[has], kind="stable")
        members = np.flatnonzero(has)[order]
        cs = company[members]
        bounds = np.flatnonzero(np.diff(cs)) + 1
        for group in np.split(members, bounds):
            size = len(group)
            if size < 2:
                continue
            value = colleague_context(size)
            cid = int(company[group[0]])
            if size <= COLLEAGUE_CLIQUE_MAX:
                iu, ju = np.triu_indices(size, 1)
                a, b = group[iu], group[ju]
                k = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
            else:
                if by_co is None:  # once for all big companies: O(ties), not O(ties) per company
                    lo, hi = tied // n, tied % n
                    co = company[lo]
                    inside = (co == company[hi]) & (co >= 0)
                    order = np.argsort(co[inside], kind="stable")
                    by_co = (tied[inside][order], co[inside][order])
                i0, i1 = np.searchsorted(by_co[1], [cid, cid + 1])
                k = by_co[0][i0:i1]
            keys.append(k)
            vals.append(np.full(len(k), value))
            comps.append(np.full(len(k), cid, dtype=np.int32))
            bits.append(np.full(len(k), CONTEXT_BITS["colleague_now"], dtype=np.int32))
    # colleagues before: past positions against people there now
    past = ws.sql(
        "SELECT m.person_id, po.company_id FROM positions po JOIN mentions m ON m.id = po.mention_id "
        "WHERE NOT po.current"
    )
    if past:
        by_company: dict[int, np.ndarray] = {}
        for pid, cid in past:
            i = int(np.searchsorted(pids, pid))
            if i >= n or pids[i] != pid:
                continue
            if cid not in by_company:
                by_company[cid] = np.flatnonzero(company == cid)
            there = by_company[cid]
            there = there[there != i]
            if not len(there):
                continue
            k = np.minimum(there, i).astype(np.int64) * n + np.maximum(there, i)
            if len(there) > COLLEAGUE_CLIQUE_MAX:
                k = k[np.isin(k, tied)]
            keys.append(k)
            vals.append(np.zeros(len(k)))
            comps.append(np.full(len(k), cid, dtype=np.int32))
            bits.append(np.full(len(k), CONTEXT_BITS["colleague_before"], dtype=np.int32))
    if not keys:
        e = np.zeros(0, dtype=np.int64)
        return e, np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    k = np.concatenate(keys)
    v = np.concatenate(vals)
    c = np.concatenate(comps)
    b = np.concatenate(bits)
    # one row per key: OR the bits, keep the largest value and its company
    order = np.lexsort((-v, k))
    k, v, c, b = k[order], v[order], c[order], b[order]
    start = _firsts(k)  # k is sorted (lexsort above): the first row of each key
    uniq = k[start]
    merged_bits = np.bitwise_or.reduceat(b, start) if len(b) else b
    return uniq, v[start], c[start], merged_bits


def attach_workspace(index: TieIndex, ws: Any) -> None:
    """Let `index` look up names and evidence rows in workspace `ws` when it explains."""
    from graph.workspace import pid_str

    def info(pids: list[int]) -> list[dict]:
        out: dict[int, dict] = {}
        for k in range(0, len(pids), 500):
            chunk = pids[k : k + 500]
            marks = ",".join("?" * len(chunk))
            for pid, name, comp, title, tm in ws.sql(
                f"SELECT id, name, company, title, team FROM people WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                out[pid] = {"id": pid_str(pid), "name": name, "company": comp, "title": title,
                            "team": bool(tm)}  # fmt: skip
        return [out.get(p, {"id": pid_str(p), "name": "?", "company": None, "title": None,
                            "team": False}) for p in pids]  # fmt: skip

    def company_names(cids: list[int]) -> dict[int, str]:
        marks = ",".join("?" * len(cids))
        return dict(ws.sql(f"SELECT id, name FROM companies WHERE id IN ({marks})", cids))  # noqa: S608

    def industries(cids: list[int]) -> dict[int, str]:
        """Industry of each company that has one (``companies.industry``)."""
        out: dict[int, str] = {}
        for k in range(0, len(cids), 500):
            chunk = [int(c) for c in cids[k : k + 500]]
            marks = ",".join("?" * len(chunk))
            out.update(ws.sql(f"SELECT id, industry FROM companies WHERE id IN ({marks}) "  # noqa: S608
                              "AND industry IS NOT NULL AND industry != ''", chunk))  # fmt: skip
        return out

    def evidence_rows(pa: int, pb: int, limit: int = 20, *, hide: Iterable[int] | None = None) -> list[str]:
        # Rows from the exports of the owners in `hide` are left out: by default those who
        # withhold them from this index's viewer (`graph.privacy`; none for a plain index).
        owners = index.withheld_owners(pa, pb) if hide is None else hide
        hidden = json.dumps([int(o) for o in owners])
        # Start from the one with fewer ties (CROSS JOIN fixes the loop order): from a rep
        # with 100k contacts, the same rows took 0.1 s instead of 0.5 ms.
        na, nb = index.node_of(pa), index.node_of(pb)
        if na is not None and nb is not None and index.degree(na) > index.degree(nb):
            pa, pb = pb, pa
        rows = ws.sql(
            "SELECT i.kind, i.at, coalesce(i.file, im.label), i.line, i.group_size "
            "FROM mentions mx CROSS JOIN interactions i CROSS JOIN mentions my "
            "JOIN imports im ON im.id = i.import_id "
            "WHERE mx.person_id = ?1 AND i.a = mx.id AND my.id = i.b AND my.person_id = ?2 "
            "AND coalesce(im.owner_id, 0) NOT IN (SELECT value FROM json_each(?4)) "
            "UNION ALL "
            "SELECT i.kind, i.at, coalesce(i.file, im.label), i.line, i.group_size "
            "FROM mentions mx CROSS JOIN interactions i CROSS JOIN mentions my "
            "JOIN imports im ON im.id = i.import_id "
            "WHERE mx.person_id = ?1 AND i.b = mx.id AND my.id = i.a AND my.person_id = ?2 "
            "AND coalesce(im.owner_id, 0) NOT IN (SELECT value FROM json_each(?4)) "
            "ORDER BY 2 DESC LIMIT ?3",
            (pa, pb, limit, hidden),
        )
        return [
            f"{kind} {at[:10] if at else 'undated'}"
            + (f" (group of {g})" if g > 2 else "")
            + (f" — {file}:{line}" if line else f" — {file}")
            for kind, at, file, line, g in rows
        ]

    index.info = info
    index.company_names = company_names
    index.industries = industries
    index.evidence_rows = evidence_rows


_ARRAYS = ("pids", "team", "company", "indptr", "nbr", "wgt", "eid", "eu", "ev", "strength",
           "components", "n_ab", "n_ba", "counts", "n_broadcast", "first", "last",
           "last_personal", "ctx", "ctx_value", "colleague_company", "node_src_ptr", "node_src",
           "edge_src_ptr", "edge_src")  # fmt: skip


def save_index(index: TieIndex, path: str | os.PathLike) -> bool:
    """Write `index` to the folder `path`, one ``.npy`` file per array plus ``meta.json``;
    returns whether it was put in place.

    Safe with readers and other writers at work: the files go into a new folder of a unique
    name beside `path`, which is then renamed into place (the old folder renamed away first),
    so a reader finds the whole old index, the whole new one, or none (and builds its own);
    ``meta.json`` carries a random stamp that `read_index_files` checks. Of two processes
    saving at once, one index ends up in place, whole. A saved index of a later workspace
    state is never replaced by an earlier one (a reader that built from an older snapshot).
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads((p / "meta.json").read_text())
        if int(current.get("generation", -1)) > index.generation:
            return False
    except (OSError, ValueError):
        pass  # none there yet, or unreadable: ours replaces it
    tmp = Path(tempfile.mkdtemp(prefix=f".{p.name}.tmp", dir=p.parent))
    try:
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(index, name)), allow_pickle=False)
        meta = {"format": _INDEX_FORMAT, "model_version": index.model_version,
                "generation": index.generation, "now_days": index.now_days,
                "stamp": uuid.uuid4().hex}  # fmt: skip
        (tmp / "meta.json").write_text(json.dumps(meta))
        old = p.with_name(f".{p.name}.old{uuid.uuid4().hex}")
        try:
            os.replace(p, old)
        except FileNotFoundError:
            pass
        try:
            os.replace(tmp, p)
        except OSError:  # another process put its index there in between: keep that one
            return False
        finally:
            shutil.rmtree(old, ignore_errors=True)  # open memory maps of it stay valid
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


#: numpy parses each ``.npy`` header with `ast.literal_eval`, and CPython 3.11 (3.11.7 here) can
#: raise a spurious "SystemError: AST constructor recursion depth mismatch" when threads parse at
#: once (python/cpython#106905; seen in the concurrency test): the app's sessions are threads.
_NPY_HEADERS = threading.Lock()


def read_index_files(path: str | os.PathLike) -> TieIndex:
    """The index saved in folder `path`, memory-mapped: loading costs almost nothing, and
    only the pages a search touches become resident.

    Raises `ValueError` when the folder was replaced while it was being read (the arrays could
    be of two different indexes) and `OSError` when it went away meanwhile.
    """
    p = Path(path)
    meta = json.loads((p / "meta.json").read_text())
    if meta.get("format") != _INDEX_FORMAT:
        raise ValueError(f"index format {meta.get('format')} is not {_INDEX_FORMAT}")
    with _NPY_HEADERS:
        arrays = {name: np.load(p / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    if json.loads((p / "meta.json").read_text()).get("stamp") != meta.get("stamp"):
        raise ValueError(f"{p} was replaced while it was read")
    return TieIndex(**arrays, now_days=float(meta["now_days"]), model_version=str(meta["model_version"]),
                    generation=int(meta["generation"]))  # fmt: skip


def load_index(
    ws: Any,
    *,
    now: date | datetime | None = None,
    weights: Weights = Weights(),
    cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> TieIndex:
    """The index of workspace `ws`: the saved one beside it when it is current (same
    generation, model version and day), else a fresh build (saved for next time).

    Everything is read from one state of the workspace (`Workspace.snapshot`). A saved index
    that is being replaced by another process while it is read is read again, then built here
    if it still cannot be read whole; it never makes this call fail.
    """
    with ws.snapshot():
        return _load_index(ws, now=now, weights=weights, cache=cache, progress=progress)


def _load_index(
    ws: Any, *, now: date | datetime | None, weights: Weights, cache: bool,
    progress: Callable[[str], None] | None,
) -> TieIndex:  # fmt: skip
    now_days = _today_days(now)
    path = index_path(ws.path)
    version = "tie-strength/1+" + weights.version
    wanted = (version, ws.generation, int(now_days))
    for attempt in range(2 if cache else 0):
        if not path.is_dir():
            break
        try:
            index = read_index_files(path)
        except (OSError, ValueError, KeyError) as e:
            if attempt:
                log.info("building the index: the saved one is unreadable (%s)", e)
            continue
        if (index.model_version, index.generation, int(index.now_days)) != wanted:
            break
        index.weights = weights
        attach_workspace(index, ws)
        return index
    index = build_index(ws, now=now, weights=weights, progress=progress)
    if cache:
        try:
            saved = save_index(index, path)
        except OSError as e:
            log.warning("could not save the index beside the workspace: %s", e)
            saved = False
        if saved:
            # answer from the saved files, memory-mapped, and let the built arrays go: what
            # stays resident is then page cache the kernel can drop, not this process's
            # memory (at 10M ties: 2.9 GB kept -> what searches touch)
            try:
                mapped = read_index_files(path)
            except (OSError, ValueError, KeyError) as e:  # replaced meanwhile: keep ours
                log.info("keeping the built index: the saved one is unreadable (%s)", e)
            else:
                if (mapped.model_version, mapped.generation, mapped.now_days) == (
                    index.model_version, index.generation, index.now_days
                ):
                    mapped.weights = weights
                    attach_workspace(mapped, ws)
                    del index
                    _give_back_memory()
                    return mapped
    return index


def _give_back_memory() -> None:
    """Hand the freed heap of a build back to the system (glibc keeps it otherwise: at 10M
    ties ~0.8 GB stayed resident after the built arrays were dropped). A no-op elsewhere."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def to_networkx(index: TieIndex, nodes: Iterable[int] | None = None) -> nx.Graph:
    """A networkx graph of the index (or of the ties among `nodes`): nodes are ``"p<id>"``
    with ``name``, ``company``, ``title``, ``team``; edges carry ``strength`` and the
    components. The graph is a new object; changing it does not change the index."""
    G = nx.Graph()
    if nodes is None:
        sel = np.arange(index.n)
    else:
        sel = np.array(sorted(set(int(i) for i in nodes)), dtype=np.int64)
    infos = index.people(sel.tolist()) if len(sel) <= 5000 or index.info is None else None
    for k, i in enumerate(sel.tolist()):
        d = infos[k] if infos else {"id": f"p{int(index.pids[i])}", "name": None}
        G.add_node(f"p{int(index.pids[i])}", node=i, **{key: d.get(key) for key in ("name", "company", "title")},
                   team=bool(index.team[i]))  # fmt: skip
    mask = np.zeros(index.n, dtype=bool)
    mask[sel] = True
    es = np.flatnonzero(mask[index.eu] & mask[index.ev])
    for e in es.tolist():
        u, v = int(index.eu[e]), int(index.ev[e])
        G.add_edge(f"p{int(index.pids[u])}", f"p{int(index.pids[v])}", edge=e,
                   strength=float(index.strength[e]), **index.tie_components(e))  # fmt: skip
    return G
