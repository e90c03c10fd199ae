"""What changed since the previous export of the same source.

People re-export LinkedIn archives and CRM contact lists every few months. The workspace keeps
each interaction once (re-imported evidence is recognised by its fingerprint), but it keeps
every import's own *mention* rows: what that export said about each person, with the company and
title of the day. Comparing the people of two imports of the same source (same format, same
owner) tells:

* **job moves**: the same person (the same workspace person id, so identity resolution decides
  who is who) at another company; **title changes**: same company, another title. A company or
  title missing from one export is unknown, not a change;
* **new** people (in the newer export only: new connections, new CRM contacts) and **lost**
  people (in the older export only: removed connections, deleted contacts).

Targets that became reachable
-----------------------------
Decision: reachability changes are computed for a **list of target accounts** (the same CSV as
``tiegraph plan`` and ``tiegraph intros``; without one, the report has no reachability part).
"Before" is the current graph without what the newer imports brought: the ties whose every
interaction came from those imports are hidden, a mover is counted at their previous company
(with their previous title, for title filters), and a mover's colleague ties at the new company
that rest on nothing but being colleagues are hidden too. A target is *newly reachable* when it
has a warm path (`graph.intro.top_paths`, at most `max_hops`) now and had none before, and *no
longer reachable* the other way round. Changes "since a date" count a source first imported
after that date as new as a whole (its ties were not there before); without a date, a source
imported only once has nothing to compare with and brings no change.

This approximates the graph as it was: strength changes of old ties from new evidence are not
undone, and since the workspace keeps old evidence, a lost connection keeps its tie (so "no
longer reachable" comes from people moving away). It is faithful to what the report is about:
new ties and moves.

The functions here are pure; `graph.history.read_import_pairs` and
`graph.history.read_ties_only_in` read their inputs from a workspace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.build import TieIndex, from_edges
from graph.identity import norm_company
from graph.intro import DEFAULT_HOP_PENALTY, RawPath, Target, top_paths
from graph.targets import title_matches

__all__ = [
    "Snapshot",
    "ImportPair",
    "Move",
    "SourceChanges",
    "ReachChange",
    "ChangeReport",
    "diff_snapshots",
    "hidden_edges",
    "nodes_before",
    "reach_changes",
]


@dataclass(frozen=True)
class Snapshot:
    """What one import said about people: ``people[id] = (company, title)`` as in that export
    (None where it said nothing), `names` as it spelled them; `owner` is ``{"id", "name"}`` of
    whose export it is, or None (a CRM export)."""

    import_id: int
    label: str
    format: str
    owner: dict | None
    at: str
    people: Mapping[int, tuple[str | None, str | None]]
    names: Mapping[int, str] = field(default_factory=dict)

    def summary(self) -> dict:
        return {"import": self.import_id, "file": self.label, "at": self.at,
                "people": len(self.people)}  # fmt: skip


@dataclass(frozen=True)
class ImportPair:
    """Two imports of one source to compare: `before` (None: nothing to compare from) and
    `after`, and the ids of every import since `before` (`after` among them)."""

    before: Snapshot | None
    after: Snapshot
    newer_imports: tuple[int, ...]


@dataclass
class Move:
    """A person's company or title as the older and the newer export state it."""

    person: dict
    before: dict
    after: dict

    def to_dict(self) -> dict:
        return {"person": self.person, "before": self.before, "after": self.after}


@dataclass
class SourceChanges:
    """The changes between two imports of one source."""

    format: str
    owner: dict | None
    before: dict | None
    after: dict
    job_moves: list[Move] = field(default_factory=list)
    title_changes: list[Move] = field(default_factory=list)
    new: list[dict] = field(default_factory=list)
    lost: list[dict] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The source in words: ``linkedin of Priya Shah``, ``hubspot``."""
        return self.format + (f" of {self.owner['name']}" if self.owner else "")

    @staticmethod
    def name_of(snapshot: Snapshot) -> str:
        return snapshot.format + (f" of {snapshot.owner['name']}" if snapshot.owner else "")

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "owner": self.owner,
            "before": self.before,
            "after": self.after,
            "job_moves": [m.to_dict() for m in self.job_moves],
            "title_changes": [m.to_dict() for m in self.title_changes],
            "new": self.new,
            "lost": self.lost,
        }


@dataclass
class ReachChange:
    """A target account whose reachability changed, with its best path now (if any)."""

    target: str
    company: str | None
    score: float | None
    path: list[dict]
    why: str

    def to_dict(self) -> dict:
        return {"target": self.target, "company": self.company,
                "score": None if self.score is None else round(self.score, 6),
                "path": self.path, "why": self.why}  # fmt: skip


@dataclass
class ChangeReport:
    """Changes per source since the previous import (or since a date), and, given target
    accounts, those that became reachable or stopped being reachable."""

    since: str | None
    sources: list[SourceChanges]
    first_imports: list[dict]
    targets: int | None = None
    reachable: list[ReachChange] = field(default_factory=list)
    unreachable: list[ReachChange] = field(default_factory=list)
    unknown_targets: list[dict] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {
            "job_moves": sum(len(s.job_moves) for s in self.sources),
            "title_changes": sum(len(s.title_changes) for s in self.sources),
            "new": sum(len(s.new) for s in self.sources),
            "lost": sum(len(s.lost) for s in self.sources),
            "newly_reachable": len(self.reachable),
            "no_longer_reachable": len(self.unreachable),
        }

    def to_dict(self) -> dict:
        return {
            "since": self.since,
            "totals": self.totals(),
            "sources": [s.to_dict() for s in self.sources],
            "first_imports": self.first_imports,
            "targets": self.targets,
            "newly_reachable": [r.to_dict() for r in self.reachable],
            "no_longer_reachable": [r.to_dict() for r in self.unreachable],
            "unknown_targets": self.unknown_targets,
        }


# ---------------------------------------------------------------------- people
def _title_key(title: str | None) -> str:
    return " ".join((title or "").casefold().split())


def diff_snapshots(
    before: Snapshot, after: Snapshot, people: Mapping[int, dict] | None = None
) -> SourceChanges:
    """Job moves, title changes, new and lost people between two imports of one source.

    Companies are compared by their normalised name (`graph.identity.norm_company`: ``Globex,
    Inc.`` is ``Globex``), titles case- and space-insensitively. `people` gives the display
    record of each person id (default: the name the newer export used).

    >>> old = Snapshot(1, "a.zip", "linkedin", None, "2026-01-01", {1: ("Globex Inc", "CFO"),
    ...                2: ("Acme", "CTO"), 3: ("Hooli", "Engineer")})
    >>> new = Snapshot(2, "b.zip", "linkedin", None, "2026-06-01", {1: ("Globex", "CFO"),
    ...                2: ("Initech", "CTO"), 4: ("Umbrella", "VP Sales")})
    >>> d = diff_snapshots(old, new)
    >>> [(m.person["id"], m.before["company"], m.after["company"]) for m in d.job_moves]
    [('p2', 'Acme', 'Initech')]
    >>> [p["id"] for p in d.new], [p["id"] for p in d.lost]
    (['p4'], ['p3'])
    """

    def who(pid: int) -> dict:
        if people and pid in people:
            return dict(people[pid])
        name = after.names.get(pid) or before.names.get(pid) or f"p{pid}"
        company, title = after.people.get(pid) or before.people.get(pid) or (None, None)
        return {"id": f"p{pid}", "name": name, "company": company, "title": title}

    out = SourceChanges(format=after.format, owner=after.owner, before=before.summary(),
                        after=after.summary())  # fmt: skip
    for pid in sorted(set(after.people) & set(before.people)):
        oc, ot = before.people[pid]
        nc, nt = after.people[pid]
        move = Move(who(pid), {"company": oc, "title": ot}, {"company": nc, "title": nt})
        if oc and nc and norm_company(oc) != norm_company(nc):
            out.job_moves.append(move)
        elif ot and nt and _title_key(ot) != _title_key(nt):
            out.title_changes.append(move)
    out.new = [who(p) for p in sorted(set(after.people) - set(before.people))]
    out.lost = [who(p) for p in sorted(set(before.people) - set(after.people))]
    return out


# ---------------------------------------------------------------------- reachability
def hidden_edges(
    index: TieIndex,
    new_pairs: Iterable[tuple[int, int]],
    movers: Iterable[int],
) -> np.ndarray:
    """Edge ids of the ties that did not exist before: those between the node pairs
    `new_pairs` (ties only the newer imports evidence), and those of each mover (a node) to
    people at the mover's current company that rest on nothing but being colleagues (no
    interaction at all)."""
    hidden: set[int] = set()
    for a, b in new_pairs:
        e = index.edge(int(a), int(b))
        if e is not None:
            hidden.add(e)
    no_evidence = index.counts.sum(axis=1) == 0
    for x in movers:
        cid = int(index.company[x])
        if cid < 0:
            continue
        lo, hi = int(index.indptr[x]), int(index.indptr[x + 1])
        for j in range(lo, hi):
            e = int(index.eid[j])
            if no_evidence[e] and int(index.company[int(index.nbr[j])]) == cid:
                hidden.add(e)
    return np.array(sorted(hidden), dtype=np.int64)


def nodes_before(
    target: Target, before_state: Mapping[int, tuple[str | None, str | None]]
) -> list[int]:
    """The target's nodes as they were: people whose company or title changed (`before_state`:
    node -> (company, title) before) count by their previous company and title; a person target
    is the same person."""
    if target.person is not None or not target.company:
        return list(target.nodes)
    want = norm_company(target.company)
    keep = [x for x in target.nodes if x not in before_state]
    for x, (company, title) in before_state.items():
        if company and norm_company(company) == want and (
            not target.title or title_matches(title, target.title)
        ):
            keep.append(x)
    return sorted(set(keep))


def _best(
    index: TieIndex, sources: Sequence[int], nodes: Sequence[int], max_hops: int, penalty: float
) -> RawPath | None:
    found = top_paths(index, sources, nodes, k=1, max_hops=max_hops, hop_penalty=penalty,
                      through_sources=False)  # fmt: skip
    return found[0] if found else None


def reach_changes(
    index: TieIndex,
    sources: Sequence[int],
    targets: Sequence[Target],
    *,
    hidden: np.ndarray,
    before_state: Mapping[int, tuple[str | None, str | None]] | None = None,
    max_hops: int = 3,
    hop_penalty: float = DEFAULT_HOP_PENALTY,
) -> tuple[list[ReachChange], list[ReachChange]]:
    """Targets with a warm path now and none before, and the other way round.

    Parameters
    ----------
    index : TieIndex
        The graph now.
    sources : node indexes of the team (or whoever searches)
    targets : resolved targets (`graph.targets.resolve_target`)
    hidden : edge ids that did not exist before (`hidden_edges`)
    before_state : node -> (company, title) before, for people who moved or changed title
    max_hops, hop_penalty : as in `graph.intro.top_paths`

    Returns
    -------
    (newly reachable, no longer reachable), each a list of `ReachChange` in target order.
    """
    state = dict(before_state or {})
    keep = np.ones(index.m, dtype=bool)
    keep[np.asarray(hidden, dtype=np.int64)] = False
    old = from_edges(index.eu[keep], index.ev[keep], index.strength[keep], n=index.n,
                     team=index.team)  # fmt: skip
    gained: list[ReachChange] = []
    lost: list[ReachChange] = []
    for t in targets:
        now = _best(index, sources, t.nodes, max_hops, hop_penalty)
        was = _best(old, sources, nodes_before(t, state), max_hops, hop_penalty)
        if now is not None and was is None:
            path = index.people(list(now.nodes))
            fresh = [e for e in now.edges if not keep[e]]
            changed = [(d, state[x]) for x, d in zip(now.nodes, path, strict=True) if x in state]
            same = [norm_company(c) == norm_company(d["company"]) for d, (c, _) in changed]
            moved = [d["name"] for (d, _), s in zip(changed, same, strict=True) if not s]
            retitled = [d["name"] for (d, _), s in zip(changed, same, strict=True) if s]
            why = []
            if fresh:
                why.append(f"{len(fresh)} new tie{'s' if len(fresh) > 1 else ''} on the path")
            if moved:
                why.append("moved there: " + ", ".join(moved))
            if retitled:
                why.append("new title: " + ", ".join(retitled))
            gained.append(ReachChange(t.label, t.company, now.score, _brief(path),
                                      "; ".join(why) or "reachable now"))  # fmt: skip
        elif was is not None and now is None:
            path = index.people(list(was.nodes))
            why = "the path it had is gone (a tie or a person moved away)"
            lost.append(ReachChange(t.label, t.company, None, _brief(path), why))
    return gained, lost


def _brief(people: list[dict]) -> list[dict]:
    return [{"id": d["id"], "name": d["name"], "company": d["company"], "title": d["title"]}
            for d in people]  # fmt: skip
