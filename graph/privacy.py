"""Team privacy levels: what one viewer may see of the team's graph.

Each team member (an *owner*: someone whose exports are loaded with ``--owner``) decides how
much of their contacts the rest of the team sees, by default and contact by contact
(`graph.workspace.Workspace.set_sharing`; levels in `graph.model.SHARING_LEVELS`):

``private``
    only the owner sees the contact and what their exports say about them;
``ask``
    the team sees that a path through the owner exists, and the owner as the introducer, but
    not the contact's details: the contact is shown as "a contact of Priya Shah" (no name,
    company, title, email or profile URL, no evidence rows, no counts or dates of the tie);
``full``
    everything (the default).

The model
---------
A level belongs to a *relationship* (owner, contact), not to a person: the same person may be
one rep's private contact and another rep's open one. What a level hides is the owner's
*evidence*: the rows of the owner's exports (an import's owner is who loaded it with
``--owner``) about that contact.

* A person is **hidden** from a viewer when every export that mentions them belongs to another
  owner who keeps them private; **redacted** ("a contact of ...") when every such export
  belongs to owners who keep them private or ask; otherwise shown. An export without an owner
  (a CRM export loaded without ``--owner``) and the viewer's own exports always show. Team
  members are always shown.
* A tie is dropped when all its evidence comes from other owners' exports that keep one of
  its two people private (for the owner's own tie to a contact: that contact), or when one of
  its people is hidden; a tie resting on context alone (colleagues at one company) stays
  unless one of its people is hidden. A tie shown with some of its evidence withheld (private
  or ask) shows no counts, dates or contexts ("details withheld"), and its evidence rows leave
  out the withholding owners' rows.
* A person others also know is not hidden: the others' evidence about them is not the
  owner's to withhold.

The viewer (`resolve_viewer`) is who is asking: a named team member (``--as WHO``), else
``$TIEGRAPH_ME``, else the one owner of the workspace's exports; with several owners and no
one named the view is the team's: everybody's private contacts are hidden from it (and the
Neo4j sync, which serves the whole team, always pushes the team's view).

Everything downstream honours a level by using the viewer's view of the index
(`visible_index`): intro search, why-not, batch intros, reach, weak ties, plans, changes,
exports and the app all read the same `ViewerIndex`, whose `people` redacts, whose
`tie_evidence` marks withheld ties and whose evidence rows leave out withheld rows.

What it does not do: the strength of a tie that the viewer may see (because another source
shows it) is computed from all its evidence, so it may be higher than the visible evidence
alone explains; counts in ``tiegraph stats`` are the workspace's. The workspace file itself
holds everything: levels decide what tiegraph shows, not who can read the file; share the
team's view through Neo4j (``tiegraph sync neo4j``) or exports, not the workspace file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.build import TieIndex
from graph.errors import UsageError
from graph.model import SHARING_LEVELS
from graph.strength import TieEvidence

__all__ = [
    "LEVELS",
    "SharingLevels",
    "ViewerIndex",
    "visible_index",
    "read_levels",
    "resolve_viewer",
    "findable",
    "visible_history",
    "visible_snapshot",
]

LEVELS = SHARING_LEVELS
PRIVATE, ASK, FULL = (LEVELS.index(x) for x in ("private", "ask", "full"))
_CODE = {lv: i for i, lv in enumerate(LEVELS)}


# ---------------------------------------------------------------------- levels
@dataclass(frozen=True)
class SharingLevels:
    """The sharing levels set in a workspace: each owner's default (`defaults`, owner person
    id -> level) and levels for single contacts (`contacts`, ``(owner, contact)`` -> level).
    Whatever is not set is ``full``.

    Examples
    --------
    >>> lv = SharingLevels.from_rows([(3, 0, "ask"), (3, 12, "private"), (5, 12, "full")])
    >>> lv.level(3, 12), lv.level(3, 40), lv.level(5, 40), lv.level(3, 3)
    ('private', 'ask', 'full', 'full')
    >>> sorted(lv.restricting), lv.restricts(viewer=3), lv.restricts(viewer=5)
    ([3], False, True)
    """

    defaults: Mapping[int, str] = field(default_factory=dict)
    contacts: Mapping[tuple[int, int], str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, int, str]]) -> SharingLevels:
        """From ``(owner, contact or 0 for the default, level)`` rows
        (`graph.workspace.Workspace.sharing_rows`)."""
        defaults: dict[int, str] = {}
        contacts: dict[tuple[int, int], str] = {}
        for owner, person, level in rows:
            if level not in _CODE:
                raise ValueError(f"no sharing level {level!r}")
            if person:
                contacts[(int(owner), int(person))] = level
            else:
                defaults[int(owner)] = level
        return cls(defaults, contacts)

    def level(self, owner: int, contact: int) -> str:
        """The level of `owner`'s evidence about `contact` (``full`` for the owner themself)."""
        if owner == contact or not owner:
            return "full"
        return self.contacts.get((owner, contact)) or self.defaults.get(owner, "full")

    @property
    def restricting(self) -> frozenset[int]:
        """Owners who withhold anything (a default or a contact below ``full``)."""
        owners = {o for o, lv in self.defaults.items() if lv != "full"}
        owners |= {o for (o, _), lv in self.contacts.items() if lv != "full"}
        return frozenset(owners)

    def restricts(self, viewer: int | None) -> bool:
        """Whether anything is withheld from `viewer` (None: the team)."""
        return bool(self.restricting - {viewer})

    def codes(self, owners: np.ndarray, contacts: np.ndarray) -> np.ndarray:
        """`level` of each (owner, contact) pair as codes (0 private, 1 ask, 2 full)."""
        owners = np.asarray(owners, dtype=np.int64)
        contacts = np.asarray(contacts, dtype=np.int64)
        out = np.full(len(owners), FULL, dtype=np.int8)
        for o, lv in self.defaults.items():
            out[owners == o] = _CODE[lv]
        if self.contacts:
            keys = np.array([(o << 32) | c for o, c in self.contacts], dtype=np.int64)
            vals = np.array([_CODE[lv] for lv in self.contacts.values()], dtype=np.int8)
            order = np.argsort(keys)
            keys, vals = keys[order], vals[order]
            q = (owners << 32) | contacts
            pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
            hit = keys[pos] == q
            out[hit] = vals[pos[hit]]
        out[(owners == contacts) | (owners == 0)] = FULL
        return out


def read_levels(ws: Any) -> SharingLevels:
    """The sharing levels of workspace `ws` (a `graph.workspace.Workspace`)."""
    return SharingLevels.from_rows(ws.sharing_rows())


def resolve_viewer(ws: Any, who: str | int | None = None) -> int | None:
    """The person id of who is asking: `who` (a name, email or id; an int is a person id, 0
    the team's view), else ``$TIEGRAPH_ME``, else the one owner of the workspace's exports;
    None (the team's view) when there are several owners and no one is named.

    Raises `UsageError` when the person named is not on the team.
    """
    if who == 0:
        return None
    if isinstance(who, int):
        pid, named = who, f"p{who}"
    else:
        named = (who or os.environ.get("TIEGRAPH_ME") or "").strip()
        if not named:
            owners = [int(r[0]) for r in ws.sql(
                "SELECT DISTINCT owner_id FROM imports WHERE owner_id IS NOT NULL")]  # fmt: skip
            return owners[0] if len(owners) == 1 else None
        pid = ws.find_person(named)
    row = ws.sql("SELECT team FROM people WHERE id = ?", (pid,))
    if not row or not row[0][0]:
        raise UsageError(f"{named!r} is not on the team: the viewer (--as, $TIEGRAPH_ME) is a "
                         "team member")  # fmt: skip
    return pid


# ---------------------------------------------------------------------- the viewer's index
@dataclass
class ViewerIndex(TieIndex):
    """A `TieIndex` as one viewer may see it (`visible_index`): people hidden from them are
    not in it, and ties hidden from them neither.

    `redacted` marks the nodes shown only as "a contact of ..." (`contact_of` gives, for each,
    the owners to ask), `withheld` the ties whose evidence (counts, dates, contexts, rows) is
    withheld; both are honoured here, where people and ties are turned into output (`people`,
    `tie_evidence`, the evidence rows), so every user of the index honours them.
    """

    viewer: int | None = None
    levels: SharingLevels = field(default_factory=SharingLevels)
    redacted: np.ndarray | None = field(default=None, repr=False)
    withheld: np.ndarray | None = field(default=None, repr=False)
    contact_of: Mapping[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.redacted is None:
            self.redacted = np.zeros(self.n, dtype=bool)
        if self.withheld is None:
            self.withheld = np.zeros(self.m, dtype=bool)

    def member(self, pid: int) -> bool:
        """Whether person `pid` is in the viewer's graph at all (shown or redacted)."""
        return self.node_of(int(pid)) is not None

    def shows(self, pid: int) -> bool:
        """Whether person `pid` is shown to the viewer with their details (and so can be
        found by name, email or id)."""
        i = self.node_of(int(pid))
        return i is not None and not bool(self.redacted[i])

    def people(self, nodes: list[int]) -> list[dict]:
        out = super().people(nodes)
        if not self.redacted.any():
            return out
        return [self._redact(i) if self.redacted[i] else d for i, d in zip(nodes, out, strict=True)]

    def _owner_names(self, owners: Iterable[int]) -> list[str]:
        nodes = [i for i in (self.node_of(int(o)) for o in owners) if i is not None]
        return [d["name"] or d["id"] for d in super().people(nodes)]

    def _redact(self, i: int) -> dict:
        owners = self.contact_of.get(int(i), ())
        names = self._owner_names(owners)
        return {"id": f"p{int(self.pids[i])}", "name": "a contact of " + (" or ".join(names) or "the team"),
                "company": None, "title": None, "team": False, "redacted": True,
                "contact_of": [f"p{int(o)}" for o in owners]}  # fmt: skip

    def withheld_owners(self, pa: int, pb: int) -> tuple[int, ...]:
        """Owners (other than the viewer) whose evidence between persons `pa` and `pb` is not
        for the viewer: those who keep either of them below ``full``."""
        ends = []
        for p in (int(pa), int(pb)):
            i = self.node_of(p)
            ends.append(None if i is not None and self.team[i] else p)  # team: always full
        return tuple(sorted(
            o for o in self.levels.restricting - {self.viewer}
            if any(p is not None and self.levels.level(o, p) != "full" for p in ends)
        ))  # fmt: skip

    def tie_components(self, e: int) -> dict[str, float]:
        """The strength components of tie `e`, or none when its details are withheld (they
        measure the withheld evidence; the strength alone is shown)."""
        return {} if self.withheld[e] else super().tie_components(e)

    def tie_evidence(self, e: int) -> TieEvidence:
        ev = super().tie_evidence(e)
        if self.withheld[e]:
            u, v = int(self.eu[e]), int(self.ev[e])
            owners = set(self.withheld_owners(int(self.pids[u]), int(self.pids[v])))
            for i in (u, v):
                owners.update(self.contact_of.get(i, ()))
            names = self._owner_names(sorted(owners))
            whose = " and ".join(f"{x}'s" for x in names)
            ev.withheld = (f"details withheld by {whose} sharing level" + ("s" if len(names) > 1 else "")
                           if names else "details withheld by sharing levels")  # fmt: skip
        return ev


def _row_of(ptr: np.ndarray) -> np.ndarray:
    return np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))


def _by_row(ufunc: np.ufunc, ptr: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """`ufunc` reduced over each CSR row of `codes` (`FULL` for an empty row)."""
    out = np.full(size, FULL, dtype=np.int8)
    rows = np.flatnonzero(np.diff(ptr) > 0)
    if len(rows):
        out[rows] = ufunc.reduceat(codes, ptr[rows])
    return out


def _subset_lists(ptr: np.ndarray, vals: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sel = keep[_row_of(ptr)]
    counts = np.diff(ptr)[keep]
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), np.asarray(vals)[sel]


def visible_index(index: TieIndex, viewer: int | None, levels: SharingLevels) -> TieIndex:
    """The index as `viewer` may see it under `levels` (the rules: the module docstring).

    Parameters
    ----------
    index : TieIndex
        The built index, with its provenance (`TieIndex.node_src`, `TieIndex.edge_src`).
    viewer : int or None
        Person id of who is asking (`resolve_viewer`); None for the team's view, from which
        every owner's private contacts are hidden.
    levels : SharingLevels

    Returns
    -------
    TieIndex
        `index` itself when nothing is withheld from the viewer (no level below ``full``
        but the viewer's own); else a `ViewerIndex`: the people and ties left, renumbered
        (each row keeps its strongest-first order, so the intro search's pruning holds), the
        ties whose evidence is withheld stripped of counts, dates and contexts (strength and
        components stay for ranking; `ViewerIndex.tie_components` does not show them), and
        `people`, `tie_evidence` and the evidence rows redacting.

    Notes
    -----
    A few vectorised passes over the node, tie and CSR arrays: no sorting and no workspace
    reads; `index` is not changed. The strengths are those of the full index: a tie kept
    because another source shows it keeps the strength all its evidence gives it.

    Examples
    --------
    >>> import numpy as np
    >>> from graph.build import from_edges
    >>> ix = from_edges(np.array([0, 0, 1]), np.array([1, 2, 2]), np.array([0.9, 0.5, 0.4]))
    >>> visible_index(ix, None, SharingLevels()) is ix  # nothing set: nothing withheld
    True
    """
    if not levels.restricts(viewer):
        return index
    n, m = index.n, index.m
    pids = np.asarray(index.pids, dtype=np.int64)
    team = np.asarray(index.team, dtype=bool)

    # people: the best level among the owners whose exports mention them
    node_of_entry = _row_of(index.node_src_ptr)
    owners = np.asarray(index.node_src, dtype=np.int64)
    ncode = levels.codes(owners, pids[node_of_entry])
    ncode[owners == (viewer or -1)] = FULL
    node_level = _by_row(np.maximum, index.node_src_ptr, ncode, n)
    node_level[team] = FULL
    hidden = node_level == PRIVATE
    redacted = node_level == ASK

    # ties: the best level among the owners whose exports show them, each owner's level being
    # the lower of its levels for the two people
    edge_of_entry = _row_of(index.edge_src_ptr)
    eowners = np.asarray(index.edge_src, dtype=np.int64)
    u = np.asarray(index.eu, dtype=np.int64)[edge_of_entry]
    v = np.asarray(index.ev, dtype=np.int64)[edge_of_entry]
    cu = levels.codes(eowners, pids[u])
    cv = levels.codes(eowners, pids[v])
    cu[team[u]] = FULL
    cv[team[v]] = FULL
    ecode = np.minimum(cu, cv)
    ecode[eowners == (viewer or -1)] = FULL
    edge_level = _by_row(np.maximum, index.edge_src_ptr, ecode, m)
    partly = _by_row(np.minimum, index.edge_src_ptr, ecode, m) < FULL
    eu_all, ev_all = np.asarray(index.eu, dtype=np.int64), np.asarray(index.ev, dtype=np.int64)
    keep_edge = (edge_level > PRIVATE) & ~hidden[eu_all] & ~hidden[ev_all]
    withheld_all = keep_edge & (partly | redacted[eu_all] | redacted[ev_all])

    keep_node = ~hidden
    new_node = np.cumsum(keep_node) - 1
    new_edge = np.cumsum(keep_edge) - 1
    es = np.flatnonzero(keep_edge)
    n2 = int(keep_node.sum())

    # CSR: drop the slots of dropped ties; each row keeps its order
    slot_keep = keep_edge[np.asarray(index.eid, dtype=np.int64)]
    rows = _row_of(np.asarray(index.indptr))[slot_keep]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(new_node[rows], minlength=n2))]).astype(np.int64)
    nbr = new_node[np.asarray(index.nbr)[slot_keep]].astype(np.int32)
    wgt = np.asarray(index.wgt)[slot_keep].astype(np.float64)
    eid = new_edge[np.asarray(index.eid)[slot_keep]].astype(np.int32)

    def sub(a: np.ndarray) -> np.ndarray:
        return np.asarray(a)[es]  # a new array: fancy indexing copies

    wh = withheld_all[es]
    counts, n_ab, n_ba, n_broadcast = sub(index.counts), sub(index.n_ab), sub(index.n_ba), sub(index.n_broadcast)
    first, last, last_personal = sub(index.first), sub(index.last), sub(index.last_personal)
    ctx, ctx_value, colleague_company = sub(index.ctx), sub(index.ctx_value), sub(index.colleague_company)
    counts[wh] = 0
    for a in (n_ab, n_ba, n_broadcast, ctx):
        a[wh] = 0
    for a in (first, last, last_personal):
        a[wh] = np.nan
    ctx_value[wh] = 0.0
    colleague_company[wh] = -1
    node_src_ptr, node_src = _subset_lists(index.node_src_ptr, index.node_src, keep_node)
    edge_src_ptr, edge_src = _subset_lists(index.edge_src_ptr, index.edge_src, keep_edge)

    # whom to ask about each redacted person: the owners keeping them at "ask"
    contact_of: dict[int, tuple[int, ...]] = {}
    asked = redacted[node_of_entry] & (ncode == ASK)
    for i, o in zip(node_of_entry[asked].tolist(), owners[asked].tolist(), strict=True):
        contact_of[int(new_node[i])] = (*contact_of.get(int(new_node[i]), ()), int(o))
    for a in (indptr, nbr, wgt, eid):
        a.setflags(write=False)
    fields = {f.name: getattr(index, f.name) for f in dataclasses.fields(TieIndex)}
    view = ViewerIndex(**{
        **fields, "pids": pids[keep_node], "team": np.asarray(index.team)[keep_node],
        "company": np.asarray(index.company)[keep_node], "indptr": indptr, "nbr": nbr,
        "wgt": wgt, "eid": eid, "eu": new_node[eu_all[es]].astype(np.int32),
        "ev": new_node[ev_all[es]].astype(np.int32), "strength": sub(index.strength),
        "components": sub(index.components), "n_ab": n_ab, "n_ba": n_ba, "counts": counts,
        "n_broadcast": n_broadcast, "first": first, "last": last, "last_personal": last_personal,
        "ctx": ctx, "ctx_value": ctx_value, "colleague_company": colleague_company,
        "node_src_ptr": node_src_ptr, "node_src": node_src, "edge_src_ptr": edge_src_ptr,
        "edge_src": edge_src, "_info_cache": {}, "evidence_rows": None,
    }, viewer=viewer, levels=levels, redacted=redacted[keep_node], withheld=wh,
        contact_of=contact_of)  # fmt: skip
    base_rows = index.evidence_rows
    if base_rows is not None:
        def evidence_rows(pa: int, pb: int, limit: int = 20) -> list[str]:
            return base_rows(pa, pb, limit, hide=view.withheld_owners(pa, pb))

        view.evidence_rows = evidence_rows
    return view


def findable(index: TieIndex) -> Callable[[int], bool] | None:
    """The predicate a viewer's lookups by name, email or id go through (`ViewerIndex.shows`):
    people hidden or redacted are nobody to them. None for an index that withholds nothing."""
    return index.shows if isinstance(index, ViewerIndex) else None


# ---------------------------------------------------------------------- records beside the index
def visible_history(history: Any, viewer: int | None, levels: SharingLevels,
                    index: TieIndex | None = None) -> Any:  # fmt: skip
    """The relationships of a `graph.cadence.ContactHistory` that `viewer` may see: their
    own, and other team members' whose contact is at ``full`` and shown in `index` (the
    viewer's view) when given."""
    if not levels.restricts(viewer) or not len(history.owner):
        return history
    codes = levels.codes(history.owner, history.contact)
    keep = (codes == FULL) | (history.owner == (viewer if viewer is not None else -1))
    show = findable(index) if index is not None else None
    if show is not None:
        keep &= np.fromiter((show(int(c)) for c in history.contact), dtype=bool, count=len(keep))
    kept = set(np.asarray(history.owner)[keep].tolist()) | set(np.asarray(history.contact)[keep].tolist())
    return dataclasses.replace(
        history, owner=history.owner[keep], contact=history.contact[keep], day=history.day[keep],
        kind=history.kind[keep], size=history.size[keep],
        people={p: d for p, d in history.people.items() if p in kept},
    )  # fmt: skip


def visible_snapshot(snapshot: Any, viewer: int | None, levels: SharingLevels) -> Any:
    """What one import (a `graph.changes.Snapshot`) says that `viewer` may see: an owner's
    export without the contacts the owner keeps below ``full`` (unless the viewer is them)."""
    owner = int(snapshot.owner["id"][1:]) if snapshot.owner else 0
    if not owner or owner == viewer or owner not in levels.restricting:
        return snapshot
    keep = {p for p in snapshot.people if levels.level(owner, int(p)) == "full"}
    return dataclasses.replace(snapshot, people={p: v for p, v in snapshot.people.items() if p in keep},
                               names={p: v for p, v in snapshot.names.items() if p in keep})  # fmt: skip
