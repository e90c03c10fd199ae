"""Intro planning: the fewest introduction requests that cover the most target accounts.

Given a list of target accounts (companies, optionally with a title, or people) and the team,
`plan_intros` finds, per account, the best warm paths (`graph.intro.top_paths`, one per
introducer: the first person the team would ask), and then chooses whom to ask:

* an account where someone on the team already has a warm direct tie (strength at least
  `direct_min`, 0.3 by default: more than a bare LinkedIn connection or a CRM owner field) to a
  target person is covered **directly**, without asking anyone;
* every other account is covered by an **ask**: one request to one introducer, naming the
  accounts they are asked to open. An introducer is asked for at most `budget` accounts (a
  favour has a cost; nobody should be asked for twenty intros);
* the plan covers as many accounts as possible with as few requests as possible; an account
  no request covers but someone on the team has a weaker direct tie to is covered directly too,
  flagged ``weak``; what stays uncovered says why: unknown account, no path, or budget
  exhausted.

The choice (`greedy_cover`)
---------------------------
Let ``A_i`` be the accounts introducer ``i`` can reach and ``b`` the budget. For a set ``X`` of
introducers, the number of accounts they can cover is ``f(X)``, the size of a maximum
b-matching between ``X`` and the accounts (each account to one introducer, at most ``b`` per
introducer). ``f`` is monotone and submodular: it is the rank function of a transversal matroid
[4]_ taken over ``b`` copies of each introducer, and adding an introducer later can only help
less. The plan is the greedy algorithm on ``f``: repeatedly add the introducer with the largest
gain ``f(X + i) - f(X)`` (ties: the better paths), keeping a maximum matching and computing each
gain exactly with augmenting paths from ``i`` (a vertex with no augmenting path never gets one
later, so augmenting from the new introducer alone keeps the matching maximum). Gains only
shrink as ``X`` grows, so stale gains are upper bounds and the greedy is evaluated lazily [3]_.
A last pass drops any introducer whose accounts the others can take over (coverage unchanged,
one request fewer), and moves accounts to a chosen introducer with a better path where there is
spare budget.

Guarantees (what the tests check on small random cases against brute force):

* **coverage with k requests**: with at most ``k`` requests (`max_asks`), the greedy covers at
  least ``(1 - 1/e) OPT_k`` accounts, ``OPT_k`` the most any ``k`` introducers can cover
  (Nemhauser, Wolsey and Fisher [1]_). Derivation: let ``X_t`` be the greedy set after ``t``
  steps and ``X*`` an optimal set of ``k``. By monotonicity and submodularity,
  ``OPT_k <= f(X_t ∪ X*) <= f(X_t) + sum_{i in X*} (f(X_t + i) - f(X_t)) <= f(X_t) +
  k (f(X_{t+1}) - f(X_t))``, since the greedy gain is the largest. So the gap
  ``OPT_k - f(X_t)`` shrinks by a factor ``(1 - 1/k)`` every step, and after ``k`` steps
  ``OPT_k - f(X_k) <= (1 - 1/k)^k OPT_k <= OPT_k / e``;
* **requests for full coverage**: run to the end, the greedy reaches the largest coverage any
  set of introducers reaches, ``f(all)``, with at most ``H(d) OPT`` requests, where ``OPT`` is
  the fewest introducers that reach it, ``d = max_i min(b, |A_i|)`` and ``H(d) = 1 + 1/2 +
  ... + 1/d`` (Wolsey's bound for submodular set cover [2]_; with ``b = 1`` the greedy is
  optimal);
* **budget**: no introducer is ever asked for more than `budget` accounts, and every account is
  covered at most once, by an introducer who reaches it.

References
----------
.. [1] Nemhauser, G. L., Wolsey, L. A. and Fisher, M. L. "An analysis of approximations for
   maximizing submodular set functions—I." Mathematical Programming 14, 1978.
.. [2] Wolsey, L. A. "An analysis of the greedy algorithm for the submodular set covering
   problem." Combinatorica 2(4), 1982.
.. [3] Minoux, M. "Accelerated greedy algorithms for maximizing submodular set functions."
   Optimization Techniques, LNCIS 7, 1978.
.. [4] Edmonds, J. and Fulkerson, D. R. "Transversals and matroid partition." Journal of
   Research of the National Bureau of Standards 69B, 1965.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.build import TieIndex
from graph.errors import UsageError
from graph.intro import DEFAULT_HOP_PENALTY, RawPath, Target, top_paths

__all__ = [
    "Account",
    "Candidates",
    "Cover",
    "IntroPlan",
    "PlannedAsk",
    "greedy_cover",
    "account_candidates",
    "plan_intros",
    "DEFAULT_BUDGET",
    "DEFAULT_DIRECT_MIN",
]

DEFAULT_BUDGET = 3
#: A direct tie at least this strong needs no introduction (the medium band of tie strength).
DEFAULT_DIRECT_MIN = 0.3


# ---------------------------------------------------------------------- the pure choice
@dataclass
class Cover:
    """The greedy's answer: introducers to ask, in the order chosen, and who covers what.

    `gains[t]` is how many accounts the ``t``-th pick added when it was chosen; `assignment`
    maps each covered account to its introducer (after the final clean-up pass, which may have
    dropped picks: `dropped` lists them).
    """

    order: list[Hashable]
    gains: list[int]
    assignment: dict[Hashable, Hashable]
    dropped: list[Hashable] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return len(self.assignment)

    def accounts_of(self, introducer: Hashable) -> list[Hashable]:
        return [a for a, i in self.assignment.items() if i == introducer]


class _Matching:
    """A b-matching between introducers and accounts, with an undo log."""

    def __init__(self, options: Mapping[Hashable, Mapping[Hashable, float]], budget: int):
        self.opts = options
        # each introducer's accounts, best path first (deterministic order for equal scores)
        self.ranked = {i: sorted(a, key=lambda x, s=a: (-s[x], str(x))) for i, a in options.items()}
        self.by_account: dict[Hashable, list[Hashable]] = {}
        for i in sorted(options, key=str):
            for a in self.ranked[i]:
                self.by_account.setdefault(a, []).append(i)
        self.budget = budget
        self.owner: dict[Hashable, Hashable] = {}
        self.load: dict[Hashable, set] = {i: set() for i in options}
        self.active: set[Hashable] = set()
        self.log: list[tuple[Hashable, Hashable | None]] = []

    def _assign(self, a: Hashable, i: Hashable | None) -> None:
        prev = self.owner.get(a)
        self.log.append((a, prev))
        if prev is not None:
            self.load[prev].discard(a)
        if i is None:
            self.owner.pop(a, None)
        else:
            self.owner[a] = i
            self.load[i].add(a)

    def mark(self) -> int:
        return len(self.log)

    def rollback(self, mark: int) -> None:
        while len(self.log) > mark:
            a, prev = self.log.pop()
            cur = self.owner.get(a)
            if cur is not None:
                self.load[cur].discard(a)
            if prev is None:
                self.owner.pop(a, None)
            else:
                self.owner[a] = prev
                self.load[prev].add(a)

    def augment_from(self, i: Hashable) -> bool:
        """One augmenting path from introducer `i` (with spare budget) to an uncovered
        account, through accounts other active introducers hand over; True if found."""
        came: dict[Hashable, Hashable] = {}  # account -> introducer that reached it
        via: dict[Hashable, Hashable] = {}  # introducer -> the account of theirs that led there
        queue = deque([i])
        seen = {i}
        while queue:
            j = queue.popleft()
            for a in self.ranked[j]:
                if a in came:
                    continue
                came[a] = j
                k = self.owner.get(a)
                if k is None:  # uncovered: shift along the path
                    while True:
                        prev = via.get(j)
                        self._assign(a, j)
                        if j == i:
                            return True
                        a, j = prev, came[prev]
                if k not in seen:
                    seen.add(k)
                    via[k] = a
                    queue.append(k)
        return False

    def cover_again(self, a: Hashable) -> bool:
        """Find `a` a new introducer among the active ones: one with spare budget, or one that
        hands one of their accounts on along a chain that ends at spare budget."""
        par: dict[Hashable, tuple[Hashable, Hashable] | None] = {a: None}
        queue = deque([a])
        seen: set[Hashable] = set()
        while queue:
            x = queue.popleft()
            for j in self.by_account.get(x, ()):
                if j in seen or j not in self.active or self.owner.get(x) == j:
                    continue
                seen.add(j)
                if len(self.load[j]) < self.budget:
                    y, taker = x, j
                    while True:  # taker takes y; whoever gave y up takes what they wanted
                        self._assign(y, taker)
                        step = par[y]
                        if step is None:
                            return True
                        taker, y = step
                for y in sorted(self.load[j], key=str):
                    if y not in par:
                        par[y] = (j, x)
                        queue.append(y)
        return False

    def quality(self, i: Hashable) -> float:
        return sum(self.opts[i][a] for a in self.load[i])


def greedy_cover(
    options: Mapping[Hashable, Mapping[Hashable, float]],
    *,
    budget: int,
    max_asks: int | None = None,
    cleanup: bool = True,
) -> Cover:
    """Whom to ask, and for which accounts: the lazy greedy on maximum b-matching coverage.

    Parameters
    ----------
    options : mapping introducer -> {account: path score}
        Who can open which account, and how good the best path through them is.
    budget : int >= 1
        At most this many accounts per introducer.
    max_asks : int, optional
        At most this many introducers (requests); None: until no request adds coverage.
    cleanup : bool, default True
        Drop picks the others can stand in for, and move accounts to better paths.

    Returns
    -------
    Cover

    Notes
    -----
    Guarantees and their derivation: see the module docstring. Each gain costs up to `budget`
    breadth-first searches over the accounts; lazy evaluation re-computes only the gains that
    could still be the largest.

    Examples
    --------
    >>> c = greedy_cover({"ann": {"acme": .5, "globex": .4, "hooli": .3},
    ...                   "bo": {"acme": .9}, "cy": {"hooli": .2, "initech": .6}}, budget=2)
    >>> c.covered, sorted(c.order)  # Ann opens Acme and Globex, Cy Hooli and Initech
    (4, ['ann', 'cy'])
    >>> greedy_cover({"ann": {"acme": .5, "globex": .4}, "bo": {"acme": .9}}, budget=1).assignment
    {'acme': 'bo', 'globex': 'ann'}
    """
    if budget < 1:
        raise UsageError("the budget per introducer must be at least 1")
    m = _Matching(options, budget)
    names = sorted(options, key=str)
    heap = []
    for n, i in enumerate(names):
        ranked = m.ranked[i]
        g = min(budget, len(ranked))
        if g:
            heap.append((-g, -sum(options[i][a] for a in ranked[:g]), n, -1, i))
    heapq.heapify(heap)
    order: list[Hashable] = []
    gains: list[int] = []
    step = 0

    def evaluate(i: Hashable) -> tuple[int, float]:
        g = 0
        while len(m.load[i]) < budget and m.augment_from(i):
            g += 1
        return g, m.quality(i)

    while heap and (max_asks is None or len(order) < max_asks):
        neg_g, neg_q, n, stamp, i = heapq.heappop(heap)
        if stamp == step:  # fresh: its gain is the largest there is
            m.active.add(i)
            g, _ = evaluate(i)
            order.append(i)
            gains.append(g)
            step += 1
            continue
        mk = m.mark()
        g, q = evaluate(i)
        if g > 0 and (not heap or (-g, -q, n) < heap[0][:3]):
            m.active.add(i)  # still the best after the update: take it as it stands
            order.append(i)
            gains.append(g)
            step += 1
            continue
        m.rollback(mk)
        if g > 0:
            heapq.heappush(heap, (-g, -q, n, step, i))
    m.log.clear()
    dropped: list[Hashable] = []
    if cleanup:
        for i in reversed(order):
            released = sorted(m.load[i], key=str)
            # the others must take every released account: they need that much spare budget
            spare = sum(budget - len(m.load[j]) for j in m.active if j != i)
            if spare < len(released) or any(
                not any(j != i and j in m.active for j in m.by_account[a]) for a in released
            ):
                continue
            mk = m.mark()
            m.active.discard(i)
            for a in released:
                m._assign(a, None)
            if all(m.cover_again(a) for a in released):
                dropped.append(i)
            else:
                m.rollback(mk)
                m.active.add(i)
        _improve(m)
    kept = [i for i in order if i not in dropped]
    assignment = {a: m.owner[a] for a in sorted(m.owner, key=str)}
    return Cover(order=kept, gains=[g for i, g in zip(order, gains, strict=True) if i in kept],
                 assignment=assignment, dropped=dropped)  # fmt: skip


def _improve(m: _Matching) -> None:
    """Move an account to a chosen introducer with spare budget and a better path."""
    changed = True
    while changed:
        changed = False
        for a in sorted(m.owner, key=str):
            cur = m.owner[a]
            best, score = cur, m.opts[cur][a]
            for j in m.by_account.get(a, ()):
                if j in m.active and len(m.load[j]) < m.budget and m.opts[j][a] > score:
                    best, score = j, m.opts[j][a]
            if best != cur:
                m._assign(a, best)
                changed = True


# ---------------------------------------------------------------------- on the graph
def _count_direct(index: TieIndex, is_source: np.ndarray, nodes: Sequence[int]) -> int:
    return int(sum(int(is_source[index.nbr[index.indptr[t] : index.indptr[t + 1]]].sum())
                   for t in nodes if not is_source[t]))  # fmt: skip


def _best_direct(index: TieIndex, is_source: np.ndarray, nodes: Sequence[int]) -> RawPath | None:
    """The strongest tie from a source to one of `nodes` (not a source), as a one-hop path."""
    best: RawPath | None = None
    for t in nodes:
        if is_source[t]:
            continue
        lo, hi = int(index.indptr[t]), int(index.indptr[t + 1])
        hits = np.flatnonzero(is_source[index.nbr[lo:hi]])
        if len(hits):  # rows are sorted strongest first
            j = lo + int(hits[0])
            w = float(index.wgt[j])
            if best is None or w > best.score:
                best = RawPath(w, (int(index.nbr[j]), int(t)), (int(index.eid[j]),))
    return best


@dataclass(frozen=True)
class Account:
    """One row of the target list: its label and what it resolved to (None: it did not, and
    `problem` says why)."""

    label: str
    target: Target | None
    problem: str | None = None


@dataclass
class PlannedAsk:
    """One request: ask `introducer` to open `accounts` (each with its best path)."""

    introducer: dict
    accounts: list[dict]

    def to_dict(self) -> dict:
        return {"introducer": self.introducer, "accounts": self.accounts,
                "n_accounts": len(self.accounts)}  # fmt: skip


@dataclass
class IntroPlan:
    """The plan: asks, accounts covered directly, accounts left uncovered and why."""

    accounts: int
    reachable: int
    covered: int
    asks: list[PlannedAsk]
    direct: list[dict]
    uncovered: list[dict]
    budget: int
    settings: dict

    @property
    def coverage(self) -> float:
        return self.covered / self.accounts if self.accounts else 0.0

    def to_dict(self) -> dict:
        return {
            "accounts": self.accounts,
            "reachable": self.reachable,
            "covered": self.covered,
            "coverage": round(self.coverage, 4),
            "requests": len(self.asks),
            "intros_asked": sum(len(a.accounts) for a in self.asks),
            "budget": self.budget,
            "asks": [a.to_dict() for a in self.asks],
            "direct": self.direct,
            "uncovered": self.uncovered,
            "settings": self.settings,
        }


def _brief(d: dict) -> dict:
    return {"id": d["id"], "name": d["name"], "company": d["company"], "title": d["title"]}


@dataclass
class Candidates:
    """How each account (by its position in the list) can be covered.

    `options` maps an introducer (node) to ``{account: best path score through them}``, with
    the path in `paths[(introducer, account)]`; `direct` holds accounts with a warm direct tie,
    `weak` the best weaker direct tie of the others; `why_not` why an account has no option.
    """

    options: dict[int, dict[int, float]] = field(default_factory=dict)
    paths: dict[tuple[int, int], RawPath] = field(default_factory=dict)
    direct: dict[int, RawPath] = field(default_factory=dict)
    weak: dict[int, RawPath] = field(default_factory=dict)
    why_not: dict[int, tuple[str, str]] = field(default_factory=dict)


def account_candidates(
    index: TieIndex,
    sources: Sequence[int],
    accounts: Sequence[Account],
    *,
    per_account: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    min_score: float = 0.0,
    direct_min: float = DEFAULT_DIRECT_MIN,
    progress: Callable[[int], None] | None = None,
) -> Candidates:
    """The ways to cover each account: warm direct ties, and the best path through each of
    the `per_account` best introducers (`graph.intro.top_paths`, one path per introducer).
    Parameters as in `plan_intros`."""
    is_source = np.zeros(index.n, dtype=bool)
    is_source[np.asarray(list(sources), dtype=np.int64)] = True
    out = Candidates()
    for k, acc in enumerate(accounts):
        if progress:
            progress(k + 1)
        if acc.target is None:
            out.why_not[k] = ("unknown account", acc.problem or "not in the workspace")
            continue
        if not acc.target.nodes:
            what = f" with title {acc.target.title}" if acc.target.title else ""
            out.why_not[k] = ("no path", f"nobody{what} known at {acc.target.company or acc.label}")
            continue
        one = _best_direct(index, is_source, acc.target.nodes)
        if one is not None and one.score >= max(direct_min, min_score):
            out.direct[k] = one
            continue
        # enough paths that `per_account` of them have an introducer, however many are direct
        n_direct = _count_direct(index, is_source, acc.target.nodes)
        paths = [p for p in top_paths(index, sources, acc.target.nodes, k=per_account + n_direct,
                                      max_hops=max_hops, hop_penalty=hop_penalty,
                                      per_introducer=1, through_sources=False)
                 if p.introducer is not None and p.score >= min_score][:per_account]  # fmt: skip
        if one is not None and one.score >= min_score:
            out.weak[k] = one
        if not paths:
            if k not in out.weak:
                floor = f" scoring {min_score:g} or more" if min_score > 0 else ""
                out.why_not[k] = ("no path", f"no warm path within {max_hops} hops{floor}")
            continue
        for p in paths:
            i = p.introducer
            assert i is not None
            if p.score > out.options.setdefault(i, {}).get(k, -1.0):
                out.options[i][k] = p.score
                out.paths[(i, k)] = p
    return out


def plan_intros(
    index: TieIndex,
    sources: Sequence[int],
    accounts: Sequence[Account],
    *,
    budget: int = DEFAULT_BUDGET,
    max_asks: int | None = None,
    per_account: int = 5,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
    min_score: float = 0.0,
    direct_min: float = DEFAULT_DIRECT_MIN,
    progress: Callable[[int], None] | None = None,
) -> IntroPlan:
    """Plan the requests that open the most `accounts` (see the module docstring).

    Parameters
    ----------
    index : TieIndex
    sources : node indexes of the team (the people who would ask)
    accounts : the target list, resolved (`Account`)
    budget : int, default 3
        At most this many accounts asked of one introducer.
    max_asks : int, optional
        At most this many requests in all.
    per_account : int, default 5
        Candidate introducers per account: the best path through each of the `per_account`
        best introducers (`graph.intro.top_paths` with one path per introducer).
    max_hops, hop_penalty : as in `graph.intro.top_paths`
    min_score : float, default 0
        Paths scoring below this are not warm enough to count.
    direct_min : float, default 0.3
        A direct tie at least this strong covers its account without an ask.
    progress : callable, optional
        Called with the number of accounts searched so far.

    Returns
    -------
    IntroPlan
    """
    if budget < 1:
        raise UsageError("--budget must be at least 1")
    c = account_candidates(index, sources, accounts, per_account=per_account, max_hops=max_hops,
                           hop_penalty=hop_penalty, min_score=min_score, direct_min=direct_min,
                           progress=progress)  # fmt: skip
    cover = greedy_cover(c.options, budget=budget, max_asks=max_asks)

    def path_of(p: RawPath) -> dict:
        people = index.people(list(p.nodes))
        return {"score": round(p.score, 6), "hops": p.hops, "from": _brief(people[0]),
                "target": _brief(people[-1]), "path": [d["name"] for d in people]}  # fmt: skip

    asks = []
    for i in cover.order:
        accs = sorted(cover.accounts_of(i), key=lambda a: -c.options[i][a])
        asks.append(PlannedAsk(_brief(index.person(int(i))),
                               [{"account": accounts[a].label, **path_of(c.paths[(i, a)])}
                                for a in accs]))  # fmt: skip
    direct = dict(c.direct)
    weak_used = {k for k in c.weak if k not in cover.assignment}
    for k in weak_used:
        direct[k] = c.weak[k]
    uncovered = []
    for k, acc in enumerate(accounts):
        if k in direct or k in cover.assignment:
            continue
        if k in c.why_not:
            reason, detail = c.why_not[k]
        else:
            their = [i for i in c.options if k in c.options[i]]
            reason = "budget exhausted"
            if max_asks is not None and len(cover.order) >= max_asks:
                detail = f"the plan is limited to {max_asks} requests"
            else:
                names = ", ".join(str(index.person(int(i))["name"]) for i in their[:3])
                more = ", ..." if len(their) > 3 else ""
                plural = "s" if budget > 1 else ""
                detail = f"its introducers ({names}{more}) are asked for {budget} account{plural} each already"
        uncovered.append({"account": acc.label, "reason": reason, "detail": detail})
    return IntroPlan(
        accounts=len(accounts),
        reachable=len(set(direct) | {k for o in c.options.values() for k in o}),
        covered=len(direct) + cover.covered,
        asks=asks,
        direct=[{"account": accounts[k].label, **path_of(p), "weak": k in weak_used}
                for k, p in sorted(direct.items())],
        uncovered=uncovered,
        budget=budget,
        settings={"max_asks": max_asks, "per_account": per_account, "max_hops": max_hops,
                  "hop_penalty": hop_penalty, "min_score": min_score, "direct_min": direct_min,
                  "dropped_in_cleanup": len(cover.dropped)},  # fmt: skip
    )
