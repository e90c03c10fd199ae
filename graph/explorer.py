"""One object for the questions people ask: the library face the CLI and the app share.

`Explorer` holds an open workspace and its built tie index, and answers in one call each:
`intro` (who can introduce me to X?), `why_not`, `batch_intros` (a list of targets in, one row
per suggested path out), `followups` (whom to get back to), `plan` (the fewest intro requests
for a target list) and `changes` (what a newer export changed). The index is built on first
use and reused while the workspace does not change.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from graph.build import TieIndex, load_index
from graph.cadence import Cadence, FollowUps, cadences, followups_due
from graph.changes import (
    ChangeReport,
    SourceChanges,
    diff_snapshots,
    hidden_edges,
    reach_changes,
)
from graph.errors import Ambiguous, NotFound
from graph.history import read_contact_history, read_import_pairs, read_people, read_ties_only_in
from graph.intro import (
    DEFAULT_HOP_PENALTY,
    DEFAULT_PER_INTRODUCER,
    IntroResult,
    WhyNot,
    find_intros,
    why_not,
)
from graph.model import Skipped
from graph.plan import DEFAULT_BUDGET, Account, IntroPlan, plan_intros
from graph.reach import ReachReport, reach_report
from graph.privacy import (
    SharingLevels,
    findable,
    read_levels,
    resolve_viewer,
    visible_history,
    visible_index,
    visible_snapshot,
)
from graph.targets import resolve_sources, resolve_target
from graph.weak_ties import WeakTiesReport, weak_ties_report
from graph.workspace import Workspace

__all__ = ["Explorer", "BATCH_FIELDS"]

#: Columns of a batch intro file (CSV); JSON Lines rows carry the same keys.
BATCH_FIELDS = (
    "target", "target_id", "target_company", "target_title", "status", "rank", "score", "hops",
    "introducer", "introducer_id", "path", "path_ids", "why", "model_version", "reason",
)  # fmt: skip


def _one_state(method: Callable) -> Callable:
    """Answer from one state of the workspace (`Workspace.snapshot`): the index, the names and
    the evidence of one answer all come from before an import running alongside, or all from
    after it, never a mix. Generators keep the state until they are used up or closed."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Explorer, *args: Any, **kwargs: Any) -> Iterator:
            with self.ws.snapshot():
                yield from method(self, *args, **kwargs)

        return generator

    @functools.wraps(method)
    def one(self: Explorer, *args: Any, **kwargs: Any) -> Any:
        with self.ws.snapshot():
            return method(self, *args, **kwargs)

    return one


@dataclass
class Explorer:
    """A workspace plus its tie index, ready to answer questions."""

    ws: Workspace
    now: date | datetime | None = None
    _index: TieIndex | None = None
    #: Who is asking (a team member's name, email or id; `graph.privacy.resolve_viewer`):
    #: every answer shows what they may see. None: ``$TIEGRAPH_ME``, else the one owner of
    #: the exports, else the team's view; 0: the team's view. A viewer named here is also the
    #: default source.
    viewer: str | int | None = None
    _view: TieIndex | None = None
    _view_key: tuple | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike | None = None,
        *,
        now: date | datetime | None = None,
        viewer: str | int | None = None,
    ) -> Explorer:
        """Open the workspace at `path` read-only (default: `graph.workspace.default_path`),
        to answer as `viewer` sees the team's graph (see `viewer`)."""
        return cls(Workspace.open(path, readonly=True), now=now, viewer=viewer)

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_one_state
    def index(self, progress: Callable[[str], None] | None = None) -> TieIndex:
        """The tie index as the viewer may see it (`graph.privacy.visible_index`: the whole
        index when nothing is withheld from them), built (or loaded from beside the
        workspace) on first use."""
        if self._index is None or self._index.generation != self.ws.generation:
            self._index = load_index(self.ws, now=self.now, progress=progress)
        key = (id(self._index), self._index.generation, self.ws.sharing_version, self.viewer)
        if self._view is None or self._view_key != key:
            levels = read_levels(self.ws)
            self._view = visible_index(self._index, self._viewer_id(levels), levels)
            self._view_key = key
        return self._view

    def _viewer_id(self, levels: SharingLevels | None = None) -> int | None:
        """The viewer's person id; resolved only when named or when something is withheld."""
        levels = levels or read_levels(self.ws)
        if self.viewer is None and not levels.restricting:
            return None
        return resolve_viewer(self.ws, self.viewer)

    def _findable(self) -> Callable[[int], bool] | None:
        """Whom the viewer may find by name (`graph.privacy.findable`); None, without building
        the index, when nothing is withheld from them."""
        levels = read_levels(self.ws)
        if not levels.restricts(self._viewer_id(levels)):
            return None
        return findable(self.index())

    @property
    def viewer_id(self) -> int | None:
        """The viewer's person id (None: the team's view); see `viewer`."""
        return self._viewer_id()

    def _src(self, index: TieIndex, who: Sequence[str], team: bool) -> list[int]:
        """Who searches: `who`, or the team, or else the viewer when one is named."""
        if not who and not team and self.viewer:
            who = [f"p{self._viewer_id()}"]
        return resolve_sources(self.ws, index, who, team=team)

    @_one_state
    def sources(self, who: Sequence[str] = (), *, team: bool = False) -> list[int]:
        return self._src(self.index(), who, team)

    @_one_state
    def people(self, query: str | None = None, *, limit: int | None = None) -> list:
        """People the viewer may see whose name, email, LinkedIn URL or company contains
        `query` (everyone when None), best matches first (`Workspace.people`)."""
        return self.ws.people(query, limit=limit, visible=self._findable())

    @_one_state
    def suggest(self, text: str, *, limit: int = 12) -> list:
        """People and companies the viewer may mean by `text` (`graph.answers.suggest_targets`)."""
        from graph.answers import suggest_targets

        return suggest_targets(self.ws, text, limit=limit,
                               index=self.index() if self._findable() else None)  # fmt: skip

    @_one_state
    def intro(
        self,
        target: str,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        company: bool = False,
        title: str | None = None,
        k: int = 5,
        max_hops: int = 3,
        hop_penalty: float = DEFAULT_HOP_PENALTY,
        per_introducer: int | None = DEFAULT_PER_INTRODUCER,
    ) -> IntroResult:
        """Ranked, explained intro paths to `target` (a person, or a company with `title`)."""
        index = self.index()
        src = self._src(index, sources, team)
        tgt = resolve_target(self.ws, index, target, company=company, title=title)
        return find_intros(index, src, tgt, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                           per_introducer=per_introducer)  # fmt: skip

    @_one_state
    def why_not(
        self,
        target: str,
        person: str,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        company: bool = False,
        title: str | None = None,
        k: int = 5,
        max_hops: int = 3,
        hop_penalty: float = DEFAULT_HOP_PENALTY,
        per_introducer: int | None = DEFAULT_PER_INTRODUCER,
    ) -> WhyNot:
        """Why `person` is not (higher) among the introducers to `target`."""
        index = self.index()
        src = self._src(index, sources, team)
        tgt = resolve_target(self.ws, index, target, company=company, title=title)
        node = index.node_of(self.ws.find_person(person, visible=findable(index)))
        if node is None:
            raise NotFound(f"{person!r} has no ties at all")
        return why_not(index, src, tgt, node, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                       per_introducer=per_introducer)  # fmt: skip

    @_one_state
    def batch_intros(
        self,
        targets: Iterable,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        k: int = 3,
        max_hops: int = 3,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[dict]:
        """One row per suggested path for each target row (`loaders.targets.TargetRow`), or
        one row saying why a target got none (unknown, ambiguous, unreachable)."""
        index = self.index()
        src = self._src(index, sources, team)
        for n, t in enumerate(targets, 1):
            if progress:
                progress(n)
            base = {"target": t.label, "status": "ok"}
            try:
                if t.person:
                    tgt = resolve_target(self.ws, index, t.person)
                    if t.company and tgt.company and _norm(t.company) != _norm(tgt.company):
                        base["reason"] = f"found {tgt.label} at {tgt.company}, not {t.company}"
                else:
                    tgt = resolve_target(self.ws, index, t.company, company=True, title=t.title)
                result = find_intros(index, src, tgt, k=k, max_hops=max_hops, evidence=False)
            except Ambiguous as e:
                yield {**base, "status": "ambiguous", "reason": str(e)}
                continue
            except NotFound as e:
                yield {**base, "status": "unknown", "reason": str(e)}
                continue
            if not result.paths:
                yield {**base, "status": "unreachable", "reason": result.message}
            for p in result.paths:
                d = p.to_dict()
                yield {
                    **base,
                    "target_id": d["target"].get("id"),
                    "target_company": d["target"].get("company"),
                    "target_title": d["target"].get("title"),
                    "rank": d["rank"],
                    "score": d["score"],
                    "hops": d["hops"],
                    "introducer": (d["introducer"] or {}).get("name") or "(direct)",
                    "introducer_id": (d["introducer"] or {}).get("id"),
                    "path": [x["name"] for x in d["path"]],
                    "path_ids": [x["id"] for x in d["path"]],
                    "why": d["why"],
                    "model_version": d["model_version"],
                }

    # ------------------------------------------------------------------ follow-ups, plan, changes
    def _today(self) -> datetime:
        if self.now is None:
            return datetime.now(UTC).replace(tzinfo=None)
        return self.now if isinstance(self.now, datetime) else datetime(*self.now.timetuple()[:3])

    @_one_state
    def followups(
        self,
        *,
        owner: str | None = None,
        due_only: bool = False,
        limit: int | None = None,
        cadence: Cadence | None = None,
    ) -> FollowUps:
        """Every relationship of the team (or of `owner`) with its cadence bucket, when it was
        last tended and whether it is due (`graph.cadence`); with `due_only`, only those due or
        overdue; at most `limit`, most urgent first."""
        index = self.index()
        oid = self.ws.find_person(owner, visible=findable(index)) if owner else None
        levels = read_levels(self.ws)
        history = visible_history(read_contact_history(self.ws), self._viewer_id(levels), levels, index)
        fn = followups_due if due_only else cadences
        result = fn(history, now=self._today(), owner=oid,
                    overrides=self.ws.cadence_overrides(),
                    cadence=cadence or Cadence())  # fmt: skip
        if limit:
            result.items = result.items[:limit]
        return result

    def _account(self, index: TieIndex, row: Any) -> Account:
        """A target row (`loaders.targets.TargetRow` or `Skipped`) resolved to an account."""
        if isinstance(row, Skipped):
            return Account(f"line {row.line}", None, row.reason)
        try:
            if row.person:
                return Account(row.label, resolve_target(self.ws, index, row.person))
            target = resolve_target(self.ws, index, row.company, company=True, title=row.title)
            return Account(row.label, target)
        except (NotFound, Ambiguous) as e:
            return Account(row.label, None, str(e))

    @_one_state
    def plan(
        self,
        targets: Iterable,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        budget: int = DEFAULT_BUDGET,
        max_asks: int | None = None,
        per_account: int = 5,
        max_hops: int = 3,
        min_score: float = 0.0,
        progress: Callable[[int], None] | None = None,
    ) -> IntroPlan:
        """The fewest intro requests that open the most target accounts (`graph.plan`).

        `targets` are rows of a target list (`loaders.targets.TargetRow`, or `Skipped` rows,
        reported as uncovered); a row repeated in the list counts once."""
        index = self.index()
        src = self._src(index, sources, team)
        seen: set[str] = set()
        accounts = []
        for row in targets:
            acc = self._account(index, row)
            key = acc.label.casefold()
            if key in seen and acc.target is not None:
                continue
            seen.add(key)
            accounts.append(acc)
        return plan_intros(index, src, accounts, budget=budget, max_asks=max_asks,
                           per_account=per_account, max_hops=max_hops, min_score=min_score,
                           progress=progress)  # fmt: skip

    @_one_state
    def changes(
        self,
        *,
        since: date | datetime | None = None,
        targets: Iterable | None = None,
        sources: Sequence[str] = (),
        team: bool = False,
        max_hops: int = 3,
    ) -> ChangeReport:
        """What changed since the previous import of each source (or since `since`): job
        moves, title changes, new and lost people; given target rows, the targets that became
        (or stopped being) reachable (`graph.changes`)."""
        levels = read_levels(self.ws)
        viewer = self._viewer_id(levels)
        pairs = [dataclasses.replace(
            p, before=p.before and visible_snapshot(p.before, viewer, levels),
            after=visible_snapshot(p.after, viewer, levels),
        ) for p in read_import_pairs(self.ws, since=since)]  # fmt: skip
        ids = {pid for p in pairs for s in (p.before, p.after) if s for pid in s.people}
        people = read_people(self.ws, ids)
        diffs = [diff_snapshots(p.before, p.after, people) for p in pairs if p.before]
        first = [{"source": SourceChanges.name_of(p.after), **p.after.summary()}
                 for p in pairs if p.before is None]  # fmt: skip
        report = ChangeReport(since=since.isoformat() if since else None, sources=diffs,
                              first_imports=first)  # fmt: skip
        if targets is None:
            return report
        index = self.index()
        src = self._src(index, sources, team)
        resolved = []
        for row in targets:
            acc = self._account(index, row)
            if acc.target is None:
                report.unknown_targets.append({"target": acc.label, "reason": acc.problem})
            else:
                resolved.append(acc.target)
        report.targets = len(resolved) + len(report.unknown_targets)
        newer = [i for p in pairs if p.before or since for i in p.newer_imports]
        node_pairs = []
        for a, b in read_ties_only_in(self.ws, newer):
            na, nb = index.node_of(a), index.node_of(b)
            if na is not None and nb is not None:
                node_pairs.append((na, nb))
        state: dict[int, tuple[str | None, str | None]] = {}
        movers = []
        for d in diffs:
            for m in d.job_moves + d.title_changes:
                node = index.node_of(int(m.person["id"][1:]))
                if node is not None:
                    state[node] = (m.before["company"], m.before["title"])
                    if m in d.job_moves:
                        movers.append(node)
        report.reachable, report.unreachable = reach_changes(
            index, src, resolved, hidden=hidden_edges(index, node_pairs, movers),
            before_state=state, max_hops=max_hops,
        )  # fmt: skip
        return report


    # ------------------------------------------------------------------ weak ties and reach
    @_one_state
    def weak_ties(
        self,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        idle_days: int = 180,
        limit: int = 20,
        communities: bool = True,
    ) -> WeakTiesReport:
        """Bridges, brokers, dormant ties and poorly reached communities of a person or the
        team (`graph.weak_ties.weak_ties_report`)."""
        index = self.index()
        src = self._src(index, sources, team)
        return weak_ties_report(index, src, now=self.now, idle_days=idle_days, limit=limit,
                                communities=communities)  # fmt: skip

    @_one_state
    def reach(
        self,
        *,
        sources: Sequence[str] = (),
        team: bool = False,
        targets: Iterable | None = None,
        min_group: int = 5,
        max_hops: int = 3,
    ) -> ReachReport:
        """Reach by hops and band, suppressed aggregates by company and industry, overlap
        between reps and, given target rows, account coverage (`graph.reach.reach_report`)."""
        index = self.index()
        src = self._src(index, sources, team)
        accounts = None if targets is None else [self._account(index, row) for row in targets]
        return reach_report(index, src, accounts=accounts, min_group=min_group, max_hops=max_hops)


def _norm(company: str) -> str:
    from graph.identity import norm_company

    return norm_company(company)
