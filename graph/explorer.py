"""One object for the questions people ask: the library face the CLI and the app share.

`Explorer` holds an open workspace and its built tie index, and answers in one call each:
`intro` (who can introduce me to X?), `why_not`, `batch_intros` (a list of targets in, one row
per suggested path out). The index is built on first use and reused while the workspace does
not change.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from graph.build import TieIndex, load_index
from graph.errors import Ambiguous, NotFound
from graph.intro import (
    DEFAULT_HOP_PENALTY,
    DEFAULT_PER_INTRODUCER,
    IntroResult,
    WhyNot,
    find_intros,
    why_not,
)
from graph.targets import resolve_sources, resolve_target
from graph.workspace import Workspace

__all__ = ["Explorer", "BATCH_FIELDS"]

#: Columns of a batch intro file (CSV); JSON Lines rows carry the same keys.
BATCH_FIELDS = (
    "target", "target_id", "target_company", "target_title", "status", "rank", "score", "hops",
    "introducer", "introducer_id", "path", "path_ids", "why", "model_version", "reason",
)  # fmt: skip


@dataclass
class Explorer:
    """A workspace plus its tie index, ready to answer questions."""

    ws: Workspace
    now: date | datetime | None = None
    _index: TieIndex | None = None

    @classmethod
    def open(
        cls, path: str | os.PathLike | None = None, *, now: date | datetime | None = None
    ) -> Explorer:
        """Open the workspace at `path` read-only (default: `graph.workspace.default_path`)."""
        return cls(Workspace.open(path, readonly=True), now=now)

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> Explorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def index(self, progress: Callable[[str], None] | None = None) -> TieIndex:
        """The tie index, built (or loaded from beside the workspace) on first use."""
        if self._index is None or self._index.generation != self.ws.generation:
            self._index = load_index(self.ws, now=self.now, progress=progress)
        return self._index

    def sources(self, who: Sequence[str] = (), *, team: bool = False) -> list[int]:
        return resolve_sources(self.ws, self.index(), who, team=team)

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
        src = resolve_sources(self.ws, index, sources, team=team)
        tgt = resolve_target(self.ws, index, target, company=company, title=title)
        return find_intros(index, src, tgt, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                           per_introducer=per_introducer)  # fmt: skip

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
        src = resolve_sources(self.ws, index, sources, team=team)
        tgt = resolve_target(self.ws, index, target, company=company, title=title)
        node = index.node_of(self.ws.find_person(person))
        if node is None:
            raise NotFound(f"{person!r} has no ties at all")
        return why_not(index, src, tgt, node, k=k, max_hops=max_hops, hop_penalty=hop_penalty,
                       per_introducer=per_introducer)  # fmt: skip

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
        src = resolve_sources(self.ws, index, sources, team=team)
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


def _norm(company: str) -> str:
    from graph.identity import norm_company

    return norm_company(company)
