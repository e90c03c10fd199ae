"""Readers of what the tie index aggregates away: single interactions and single imports.

`graph.build` folds every pair's interactions into one tie (counts, first, last); the follow-up
cadence needs the individual contact days, and change detection needs what each import said
about each person. These readers take them from a workspace (a `graph.workspace.Workspace`) and
hand plain records to the pure algorithms in `graph.cadence` and `graph.changes`, the way
`graph.build` hands a `TieIndex` to the search. Nothing here changes the workspace.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

import numpy as np

from graph.cadence import ContactHistory
from graph.changes import ImportPair, Snapshot
from graph.model import INTERACTION_KINDS
from graph.strength import PERSONAL_KINDS

__all__ = ["read_contact_history", "read_people", "read_import_pairs", "read_ties_only_in"]

_EPOCH_JD = 2440587.5
_KIND_CODE = {k: i for i, k in enumerate(INTERACTION_KINDS)}
_PERSONAL = tuple(sorted(PERSONAL_KINDS))


def _chunks(items: list, n: int = 500) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def read_people(ws: Any, pids: Iterable[int]) -> dict[int, dict]:
    """``{id: {"id", "name", "company", "title"}}`` for the given person ids."""
    from graph.workspace import pid_str

    out: dict[int, dict] = {}
    for chunk in _chunks(sorted(set(int(p) for p in pids))):
        marks = ",".join("?" * len(chunk))
        for pid, name, company, title in ws.sql(
            f"SELECT id, name, company, title FROM people WHERE id IN ({marks})",  # noqa: S608
            chunk,
        ):
            out[int(pid)] = {"id": pid_str(pid), "name": name, "company": company, "title": title}
    return out


def read_contact_history(ws: Any) -> ContactHistory:
    """Every dated personal interaction between a team member and someone off the team.

    Personal kinds are `graph.strength.PERSONAL_KINDS`; the owner of each row is the team
    member, whichever side of the interaction they were on.
    """
    marks = ",".join("?" * len(_PERSONAL))
    rows = ws.sql(
        "SELECT ma.person_id, mb.person_id, pa.team, i.kind, julianday(i.at) - ?, i.group_size "
        "FROM interactions i JOIN mentions ma ON ma.id = i.a JOIN mentions mb ON mb.id = i.b "
        "JOIN people pa ON pa.id = ma.person_id JOIN people pb ON pb.id = mb.person_id "
        f"WHERE i.at IS NOT NULL AND i.kind IN ({marks}) AND pa.team != pb.team",  # noqa: S608
        (_EPOCH_JD, *_PERSONAL),
    )
    n = len(rows)
    a = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    b = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    a_team = np.fromiter((bool(r[2]) for r in rows), dtype=bool, count=n)
    owner = np.where(a_team, a, b)
    contact = np.where(a_team, b, a)
    day = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float64)
    kind = np.fromiter((_KIND_CODE[r[3]] for r in rows), dtype=np.int16, count=n)
    size = np.fromiter((r[5] for r in rows), dtype=np.int64, count=n)
    people = read_people(ws, np.union1d(owner, contact).tolist())
    return ContactHistory(owner=owner, contact=contact, day=day, kind=kind, size=size,
                          people=people)  # fmt: skip


def _snapshot(ws: Any, imp: tuple) -> Snapshot:
    from graph.workspace import pid_str

    iid, label, fmt, owner_id, at, owner_name = imp
    people: dict[int, tuple[str | None, str | None]] = {}
    names: dict[int, str] = {}
    for pid, name, company, title in ws.sql(
        "SELECT person_id, name, company, title FROM mentions "
        "WHERE import_id = ? AND NOT is_owner AND NOT team ORDER BY id",
        (iid,),
    ):
        pid = int(pid)
        have = people.get(pid)
        if have is None or (company and not have[0]):  # the row that names a company wins
            people[pid] = (company, title)
        if name and (pid not in names or " " in name and " " not in names[pid]):
            names[pid] = name
    owner = {"id": pid_str(owner_id), "name": owner_name} if owner_id is not None else None
    return Snapshot(import_id=int(iid), label=label, format=fmt, owner=owner, at=at,
                    people=people, names=names)  # fmt: skip


def read_import_pairs(ws: Any, *, since: date | datetime | None = None) -> list[ImportPair]:
    """For each source (same format and owner), the import to compare from and the latest.

    Without `since`, the latest import is compared with the one before it. With `since`, it is
    compared with the latest import made before `since` (so several newer imports count as one
    change) or, for a source first imported after `since`, with its first import then; a source
    with no import since `since` is left out. A source with nothing to compare from has
    ``before=None``.
    """
    imports = ws.sql(
        "SELECT i.id, i.label, i.format, i.owner_id, i.at, p.name FROM imports i "
        "LEFT JOIN people p ON p.id = i.owner_id ORDER BY i.id"
    )
    groups: dict[tuple, list[tuple]] = {}
    for imp in imports:
        groups.setdefault((imp[2], imp[3]), []).append(imp)
    cut = None
    if since is not None:
        cut = since.isoformat(sep="T") if isinstance(since, datetime) else since.isoformat()
    pairs: list[ImportPair] = []
    for group in groups.values():
        latest = group[-1]
        if cut is None:
            older, window = group[:-1], [latest]
        else:
            older = [g for g in group if g[4] < cut]
            window = [g for g in group if g[4] >= cut]
            if not window:
                continue
        if older:
            before, newer = older[-1], window
        elif len(window) > 1:
            before, newer = window[0], window[1:]
        else:
            before, newer = None, window
        pairs.append(ImportPair(
            before=_snapshot(ws, before) if before is not None else None,
            after=_snapshot(ws, latest), newer_imports=tuple(int(g[0]) for g in newer),
        ))  # fmt: skip
    pairs.sort(key=lambda p: p.after.import_id)
    return pairs


def read_ties_only_in(ws: Any, import_ids: Iterable[int]) -> list[tuple[int, int]]:
    """Pairs of person ids ``(lo, hi)`` whose every interaction came from `import_ids`: the
    ties those imports created (the workspace stores repeated evidence only once, with the
    import that first brought it)."""
    ids = sorted(set(int(i) for i in import_ids))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return [
        (int(a), int(b))
        for a, b in ws.sql(
            "SELECT min(ma.person_id, mb.person_id) AS lo, max(ma.person_id, mb.person_id) AS hi "
            "FROM interactions i JOIN mentions ma ON ma.id = i.a JOIN mentions mb ON mb.id = i.b "
            "WHERE ma.person_id != mb.person_id GROUP BY lo, hi "
            f"HAVING min(i.import_id IN ({marks})) = 1",  # noqa: S608
            ids,
        )
    ]
