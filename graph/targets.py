"""Who the user means: the target of an intro search, and the people searching from.

A target is a person (``Dana Lee``, ``dana@globex.com``, ``p42``, a LinkedIn URL) or a company
with an optional title filter (``Globex`` + ``CFO``: anyone whose current title says CFO, or
Chief Financial Officer). Sources are one person, several, or the whole team.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from graph.build import TieIndex
from graph.errors import Ambiguous, NotFound
from graph.identity import _fold, norm_company
from graph.intro import Target
from graph.privacy import findable

__all__ = ["resolve_target", "resolve_sources", "title_matches", "company_people"]

_ACRONYMS = {
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "cto": "chief technology officer",
    "coo": "chief operating officer",
    "cmo": "chief marketing officer",
    "cio": "chief information officer",
    "cro": "chief revenue officer",
    "cdo": "chief data officer",
    "cpo": "chief product officer",
    "ciso": "chief information security officer",
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "avp": "assistant vice president",
    "gm": "general manager",
    "md": "managing director",
    "dir": "director",
    "mgr": "manager",
    "eng": "engineering",
    "revops": "revenue operations",
}
_STOP = {"of", "and", "the", "for", "at", "in"}


@lru_cache(maxsize=65536)
def _title_tokens(text: str) -> tuple[str, ...]:
    # cached: a big company's people share a few hundred titles, and a title search folds each
    out: list[str] = []
    for w in _fold(text).split():
        if w in _STOP:
            continue
        out.extend(_ACRONYMS.get(w, w).split())
    return tuple(out)


def title_matches(title: str | None, wanted: str) -> bool:
    """True when `title` says `wanted`, acronyms and small words aside.

    >>> title_matches("Chief Financial Officer", "CFO")
    True
    >>> title_matches("Vice President of Sales, EMEA", "VP Sales")
    True
    >>> title_matches("Sales Manager", "VP Sales")
    False
    """
    if not wanted.strip():
        return True
    if not title:
        return False
    have, want = _title_tokens(title), _title_tokens(wanted)
    if not want:
        return True
    n = len(want)
    return any(have[i : i + n] == want for i in range(len(have) - n + 1))


def company_people(ws, company_text: str) -> tuple[str, list[int]] | None:  # noqa: ANN001
    """The company `company_text` names (its display name) and the ids of people there now.

    An exact normalised match wins; otherwise the company whose name starts with the text,
    if exactly one does.
    """
    norm = norm_company(company_text)
    if not norm:
        return None
    rows = ws.sql("SELECT id, name FROM companies WHERE norm = ?", (norm,))
    if not rows:
        rows = ws.sql(
            "SELECT id, name FROM companies WHERE norm LIKE ? ESCAPE '\\' ORDER BY length(norm) LIMIT 5",
            (norm.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",),
        )
        if len(rows) > 1:
            raise Ambiguous(
                f"{company_text!r} could be {', '.join(r[1] for r in rows)}; be more precise",
                candidates=[{"company": r[1]} for r in rows],
            )
    if not rows:
        return None
    cid, name = rows[0]
    pids = [r[0] for r in ws.sql("SELECT id FROM people WHERE company_id = ? ORDER BY id", (cid,))]
    return name, pids


def resolve_target(
    ws,  # noqa: ANN001 - a graph.workspace.Workspace
    index: TieIndex,
    text: str,
    *,
    company: bool = False,
    title: str | None = None,
) -> Target:
    """The `Target` that `text` names (see the module docstring).

    With `company` (or a `title`), `text` is a company; otherwise a person, falling back to a
    company when no person matches. Raises `NotFound` or `Ambiguous`.
    """
    text = (text or "").strip()
    if not text:
        raise NotFound("no target given")
    visible = findable(index)
    if not company and not title:
        try:
            pid = ws.find_person(text, visible=visible)
        except NotFound:
            found = _visible_company(index, company_people(ws, text))
            if found is None:
                raise
            return _company_target(ws, index, found, None)
        node = index.node_of(pid)
        info = ws.person(pid).to_dict()
        person = {k: info[k] for k in ("id", "name", "company", "title")}
        colleagues: list[int] = []
        if node is not None and index.company[node] >= 0:
            colleagues = np.flatnonzero(index.company == index.company[node]).tolist()
        return Target(
            label=info["name"] or info["id"],
            nodes=[node] if node is not None else [],
            company=info["company"],
            person=person,
            company_nodes=colleagues,
        )
    found = _visible_company(index, company_people(ws, text))
    if found is None:
        raise NotFound(f"no company {text!r} in the workspace; try `tiegraph people {text}`")
    return _company_target(ws, index, found, title)


def _visible_company(index: TieIndex, found: tuple[str, list[int]] | None) -> tuple[str, list[int]] | None:
    """A company found, unless the only people known there are hidden from the viewer of
    `index` (then, to them, it is not in the workspace)."""
    if found is not None and found[1] and findable(index) is not None and not index.nodes_of(found[1]):
        return None
    return found


def _company_target(ws, index: TieIndex, found: tuple[str, list[int]], title: str | None) -> Target:  # noqa: ANN001
    name, pids = found
    everyone = index.nodes_of(pids)
    if title:
        infos = index.people(everyone)
        nodes = [i for i, d in zip(everyone, infos, strict=True) if title_matches(d["title"], title)]
        label = f"{title} at {name}"
    else:
        nodes, label = everyone, f"anyone at {name}"
    return Target(label=label, nodes=nodes, company=name, title=title, company_nodes=everyone)


def resolve_sources(
    ws,  # noqa: ANN001
    index: TieIndex,
    who: Sequence[str] = (),
    *,
    team: bool = False,
) -> list[int]:
    """Node indexes of the people searching: `who` (names, emails, ids), or the whole team.

    With neither, "me": ``$TIEGRAPH_ME`` if set, else the one owner of the workspace's
    exports, else the whole team.
    """
    if who:
        nodes = []
        for w in who:
            node = index.node_of(ws.find_person(w, visible=findable(index)))
            if node is None:
                raise NotFound(f"{w!r} has no ties yet")
            nodes.append(node)
        return nodes
    me = os.environ.get("TIEGRAPH_ME")
    if not team and me:
        return resolve_sources(ws, index, [me])
    if not team:
        owners = [r[0] for r in ws.sql("SELECT DISTINCT owner_id FROM imports WHERE owner_id IS NOT NULL")]
        if len(owners) == 1 and index.node_of(owners[0]) is not None:
            return [index.node_of(owners[0])]  # type: ignore[list-item]
    nodes = np.flatnonzero(index.team).tolist()
    if not nodes:
        raise NotFound("no team in the workspace: load an export with --owner, or use --from WHO")
    return nodes
