"""What the "find an intro" screen shows besides the paths: suggestions, drafts and rows.

* `suggest_targets`: as someone types a name, an email or a company, the people and companies
  it could mean, best first, each with the exact reference that `Explorer.intro` resolves
  without ambiguity (a person id, or a company's name).
* `intro_request`: a first draft of the message asking the introducer for the intro, built
  only from the path and its evidence (the "why"), for the user to edit.
* `intro_rows`: an answer as rows with the columns of the batch file (`BATCH_FIELDS`), for a
  CSV download written with `graph.export.write_table` (formula-safe).

Names here are untrusted text returned as plain strings: whoever shows them escapes them for
their medium (`graph.escape`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.build import TieIndex
from graph.identity import norm_company
from graph.intro import IntroPath, IntroResult
from graph.privacy import findable
from graph.workspace import Workspace

__all__ = ["Suggestion", "suggest_targets", "intro_request", "intro_rows"]


@dataclass(frozen=True)
class Suggestion:
    """One thing a search text may mean.

    `kind` is ``person`` or ``company``; `ref` is what to search for (``p12``, or the company
    name, searched as a company); `label` is how to show it; `people` counts the people known at
    a company (None for a person).
    """

    kind: str
    ref: str
    label: str
    name: str
    company: str | None = None
    title: str | None = None
    people: int | None = None

    @property
    def is_company(self) -> bool:
        return self.kind == "company"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "ref": self.ref, "label": self.label, "name": self.name,
                "company": self.company, "title": self.title, "people": self.people}  # fmt: skip


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def suggest_targets(
    ws: Workspace, text: str, *, limit: int = 12, index: TieIndex | None = None
) -> list[Suggestion]:
    """People and companies that `text` (part of a name, an email or a company) may mean.

    Companies come first when their name starts with the text (they are what account-based
    searches want), largest first; then people, exact name first (`Workspace.people` order);
    then companies that merely contain the text.

    Parameters
    ----------
    ws : Workspace
    text : str
    limit : int, default 12
        At most this many suggestions.
    index : TieIndex, optional
        A viewer's view (`graph.privacy.visible_index`): only people it shows are suggested,
        companies count only the people in it, and a company where it has nobody of several
        known is left out.

    Returns
    -------
    list of Suggestion
    """
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    norm = norm_company(text)
    visible = findable(index) if index is not None else None
    member = index.member if visible is not None else None  # type: ignore[union-attr]
    companies: list[tuple[int, str, int, bool]] = []
    if norm:
        for _cid, name, cnorm, n in ws.sql(
            "SELECT c.id, c.name, c.norm, count(p.id) AS n FROM companies c "
            "LEFT JOIN people p ON p.company_id = c.id "
            "WHERE c.norm LIKE ? ESCAPE '\\' GROUP BY c.id ORDER BY n DESC, c.name LIMIT ?",
            (_like(norm), limit),
        ):
            if member is not None and n:
                n = sum(member(p) for (p,) in ws.sql("SELECT id FROM people WHERE company_id = ?", (_cid,)))
                if not n:
                    continue
            companies.append((_cid, name, int(n), cnorm.startswith(norm)))
    if member is not None:
        companies.sort(key=lambda c: (-c[2], c[1]))
    first = [c for c in companies if c[3]]
    later = [c for c in companies if not c[3]]
    out = [_company(name, n) for _, name, n, _ in first]
    for p in ws.people(text, limit=limit, visible=visible, roles=not companies):
        role = " at ".join(x for x in (p.title, p.company) if x)
        out.append(Suggestion("person", p.id, f"{p.name} — {role}" if role else p.name,
                              p.name, p.company, p.title))  # fmt: skip
    out.extend(_company(name, n) for _, name, n, _ in later)
    return out[:limit]


def _company(name: str, n: int) -> Suggestion:
    label = f"{name} (company, {n:,} {'person' if n == 1 else 'people'})"
    return Suggestion("company", name, label, name, name, None, n)


def _first_name(person: Mapping[str, Any] | None) -> str:
    name = ((person or {}).get("name") or "").strip()
    return name.split()[0] if name else "there"


def intro_request(path: IntroPath | Mapping[str, Any], *, note: str | None = None) -> str:
    """A first draft of the message asking for this introduction.

    For a path ``me -> A -> target`` it asks A to introduce me to the target; for a longer
    path it asks A to pass the request on to the next person; for a direct tie it is a note to
    the target. The "why" of the first hop reminds the reader of the relationship; `note`
    (what the meeting is about) is added when given.

    Examples
    --------
    >>> p = {"path": [{"name": "Priya Shah"}, {"name": "Renée García"},
    ...               {"name": "Ivan Murphy", "title": "CFO", "company": "Globex"}],
    ...      "ties": [{"why": "x"}, {"why": "colleagues at Globex"}]}
    >>> print(intro_request(p).splitlines()[2])
    I'm hoping to meet Ivan Murphy (CFO at Globex). I believe you work with them at Globex.
    """
    hops = list(path["path"] if isinstance(path, Mapping) else path.path)
    ties = list(path["ties"] if isinstance(path, Mapping) else path.ties)
    me, target = hops[0], hops[-1]
    who = target.get("name") or "them"
    role = " at ".join(x for x in (target.get("title"), target.get("company")) if x)
    whom = f"{who} ({role})" if role else who
    about = f"\n\n{note.strip()}" if note and note.strip() else ""
    sign = f"\n\nThanks,\n{_first_name(me)}"
    if len(hops) == 2:
        return (f"Hi {_first_name(target)},\n\nI'd love to catch up and tell you what we are "
                f"working on at the moment.{about}\n\nWould you have 20 minutes "
                f"in the next couple of weeks?{sign}")  # fmt: skip
    introducer = hops[1]
    if len(hops) == 3:
        link = _relation(ties[1].get("why", ""), target)
        ask = ("Would you be open to introducing us? I can send you a short note to forward, "
               "so it takes you a minute.")  # fmt: skip
        body = f"I'm hoping to meet {whom}.{link}"
    else:
        middle = hops[2]
        link = _relation(ties[1].get("why", ""), middle)
        body = (f"I'm hoping to meet {whom}, and {middle.get('name') or 'someone you know'} "
                f"is close to them.{link}")  # fmt: skip
        ask = (f"Would you be open to asking {_first_name(middle)} whether they would introduce "
               f"us? I can send a short note to forward, so it takes you both a minute.")  # fmt: skip
    return f"Hi {_first_name(introducer)},\n\n{body}{about}\n\n{ask}{sign}"


def _relation(why: str, other: Mapping[str, Any]) -> str:
    """One sentence on how the introducer knows the next person, from a hop's "why"; the
    evidence counts stay out of the message (they are for the user, not the introducer)."""
    m = re.search(r"colleagues at (.+?)(?:;|$)", why or "")
    if m:
        return f" I believe you work with them at {m.group(1).strip()}."
    m = re.search(r"worked at (.+?) at the same time", why or "")
    if m:
        return f" I believe you worked together at {m.group(1).strip()}."
    return f" I noticed you and {_first_name(other)} know each other."


def intro_rows(result: IntroResult) -> list[dict]:
    """The paths of `result` as rows with the batch file's columns (`BATCH_FIELDS`).

    One row per path; an answer without paths gives one row with status ``unreachable`` and
    the reason.
    """
    base = {"target": result.target.label, "status": "ok"}
    if not result.paths:
        return [{**base, "status": "unreachable", "reason": result.message,
                 "model_version": result.model_version}]  # fmt: skip
    rows = []
    for p in result.paths:
        d = p.to_dict()
        intro = d["introducer"] or {}
        rows.append({
            **base,
            "target_id": d["target"].get("id"),
            "target_company": d["target"].get("company"),
            "target_title": d["target"].get("title"),
            "rank": d["rank"], "score": d["score"], "hops": d["hops"],
            "introducer": intro.get("name") or "(direct)",
            "introducer_id": intro.get("id"),
            "path": [x["name"] for x in d["path"]],
            "path_ids": [x["id"] for x in d["path"]],
            "why": d["why"], "model_version": d["model_version"],
        })  # fmt: skip
    return rows
