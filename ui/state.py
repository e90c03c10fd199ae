"""What the pages share: the workspace, its tie index, and this run's `Explorer`.

The tie index is built once per workspace state and shared by every session and user
(`st.cache_resource`, keyed by the workspace path, its generation and the day); nobody changes
it. SQLite connections cannot move between threads and Streamlit runs each script run in a
thread, so each run opens the workspace read-only for itself and gets a light view of the
shared index (the same arrays) bound to that connection for names and evidence; `release`
closes it when the run ends (``app.py``). An import bumps the workspace's generation, so the
next run gets a fresh index without anyone clearing a cache by hand.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import streamlit as st

from graph.build import TieIndex, attach_workspace, load_index
from graph.errors import NotFound
from graph.explorer import Explorer
from graph.intro import IntroResult
from graph.workspace import Workspace, default_path

__all__ = [
    "workspace_path",
    "shared_index",
    "explorer",
    "release",
    "graph_or_first_step",
    "team_members",
    "viewer_picker",
    "load_demo_button",
    "report",
]

_run = threading.local()


def workspace_path() -> Path:
    """``$TIEGRAPH_WORKSPACE`` (what ``tiegraph app --workspace`` sets) or ``./tiegraph.db``."""
    return default_path().expanduser().resolve()


@st.cache_resource(max_entries=4, show_spinner="Reading the relationship graph…")
def shared_index(path: str, generation: int, day: str) -> TieIndex:
    """The tie index of the workspace at `path` in state `generation` on `day`: read-only and
    shared by every session; a load bumps `generation`, which builds (or loads) a new one."""
    with Workspace.open(path, readonly=True) as ws:
        index = load_index(ws)
    # names and evidence are looked up through each run's own connection (see `explorer`)
    return dataclasses.replace(index, info=None, evidence_rows=None, company_names=None,
                               _info_cache={})  # fmt: skip


def explorer() -> Explorer:
    """This run's Explorer over the workspace (opened on first use in the run).

    Raises `NotFound` when there is no workspace file yet and `StoreError` for a file that is
    not a workspace.
    """
    ex = getattr(_run, "ex", None)
    if ex is not None:
        return ex
    path = workspace_path()
    ws = Workspace.open(path, readonly=True)
    try:
        day = datetime.now(UTC).date().isoformat()
        view = dataclasses.replace(shared_index(str(path), ws.generation, day), _info_cache={})
    except BaseException:
        ws.close()
        raise
    attach_workspace(view, ws)
    ex = Explorer(ws, _index=view, viewer=_viewing_as(ws))
    _run.ex = ex
    return ex


TEAM_VIEW = "team"  # the "viewing as" choice of no one in particular


def _viewer_choices(ws: Workspace) -> tuple[list[str], dict[str, str], int]:
    """The "Viewing as" choices (the team's view, then each team member), the members'
    names, and where the default stands: ``$TIEGRAPH_ME``, else the one owner of the exports,
    else the team's view. No choices when nobody is on the team."""
    team = ws.sql("SELECT id, name FROM people WHERE team ORDER BY name COLLATE NOCASE, id")
    if not team:
        return [], {}, 0
    from graph.errors import Ambiguous, UsageError
    from graph.privacy import resolve_viewer

    try:
        default = resolve_viewer(ws)
    except (NotFound, Ambiguous, UsageError):
        default = None
    ids = [TEAM_VIEW] + [f"p{pid}" for pid, _ in team]
    names = {f"p{pid}": name or f"p{pid}" for pid, name in team}
    start = ids.index(f"p{default}") if default is not None and f"p{default}" in ids else 0
    return ids, names, start


def _viewing_as(ws: Workspace) -> str | int | None:
    """This run's viewer (`Explorer.viewer`): the "Viewing as" choice in the session, else
    the choice `viewer_picker` will show first. The picker is drawn after the page (``app.py``),
    so the page must not wait for it to know who is viewing."""
    chosen = st.session_state.get("viewer")
    if chosen is None:
        ids, _, start = _viewer_choices(ws)
        chosen = ids[start] if ids else None
    return 0 if chosen == TEAM_VIEW else chosen


def viewer_picker() -> None:
    """"Viewing as" (in the sidebar): which team member's view of the graph every page shows
    (team privacy levels, `graph.privacy`); hidden when nobody is on the team. Everybody's
    private contacts are hidden from the team's view. Its value is read by `explorer` for
    the next run (this run already read it, or the same default: `_viewing_as`)."""
    ids, names, start = _viewer_choices(explorer().ws)
    if not ids:
        return
    st.selectbox(
        "Viewing as", ids, index=start, key="viewer",
        format_func=lambda i: "the team (no one in particular)" if i == TEAM_VIEW else names[i],
        help="Each rep's sharing level decides what the others see of their contacts "
             "(`tiegraph sharing`): private contacts only their owner sees; for 'ask' ones the "
             "others see a path through the owner, not who.",
    )  # fmt: skip


def report(ex: Explorer, method: str, **options: object) -> dict:
    """``Explorer.<method>(**options)`` as a dict (its ``to_dict()``), computed once per
    workspace state, options and viewer, and shared (`st.cache_data`)."""
    day = datetime.now(UTC).date().isoformat()
    return _report(ex, method, str(ex.ws.path), ex.ws.generation, day, options, ex.viewer_id,
                   ex.ws.sharing_version)  # fmt: skip


@st.cache_data(max_entries=32, show_spinner="Working it out (once per workspace state)…")
def _report(
    _ex: Explorer, method: str, path: str, generation: int, day: str, options: dict,
    viewer: int | None = None, sharing: int = 0,
) -> dict:  # fmt: skip
    """Keyed by the workspace state, the day, the options and who is viewing (and the sharing
    levels' version): one viewer's answer is never served to another."""
    result = getattr(_ex, method)(**options)
    return result.to_dict() if hasattr(result, "to_dict") else result


def release() -> None:
    """Close this run's workspace connection (called by ``app.py`` when a run ends)."""
    ex = getattr(_run, "ex", None)
    _run.ex = None
    if ex is not None:
        ex.close()


def graph_or_first_step() -> Explorer:
    """The Explorer when the workspace holds ties; otherwise show the first step and stop."""
    try:
        ex = explorer()
    except NotFound:
        _first_step(f"There is no workspace at {_md_path()} yet.")
        st.stop()
    if ex.index().m == 0:
        _first_step("The workspace holds no relationships yet.")
        st.stop()
    return ex


def _md_path() -> str:
    from graph.escape import markdown

    return markdown(str(workspace_path()))


def _first_step(why: str) -> None:
    st.info(
        f"{why}\n\n**First step:** load your exports (a LinkedIn data archive, a HubSpot or "
        "Salesforce export, an address book, a calendar or a mailbox) on the Import page, "
        "or look around with the demo team's data first."
    )
    left, right = st.columns(2)
    left.page_link("ui/imports.py", label="Load your exports", icon=":material/upload:")
    with right:
        load_demo_button()


def load_demo_button() -> None:
    """A button that loads the bundled demo into the workspace, with a progress bar."""
    if not st.button("Load the demo", key="load-demo", icon=":material/play_arrow:"):
        return
    from graph.ingest import load_demo

    release()
    bar = st.progress(0.0, text="Loading the demo team's exports…")

    def step(ev) -> None:  # noqa: ANN001 - graph.ingest.LoadProgress
        bar.progress(ev.fraction, text=f"Loading demo export {ev.index} of {ev.units}…")

    with Workspace.open(workspace_path()) as ws:
        result = load_demo(ws, progress=step)
    if result.errors:
        st.error("The demo could not be loaded: " + "; ".join(str(e) for e in result.errors))
        return
    bar.progress(1.0, text="Demo loaded")
    st.rerun()


def team_members(ex: Explorer) -> list[dict]:
    """The team (people marked as reps or export owners) as ``{"id", "name", ...}``, by name."""
    index = ex.index()
    nodes = [int(i) for i in index.team.nonzero()[0]]
    return sorted(index.people(nodes), key=lambda d: ((d["name"] or "").casefold(), d["id"]))


def intro_store() -> str:
    """Where intro searches are answered: ``embedded`` (the workspace) or ``neo4j`` (set by
    ``tiegraph app --store neo4j`` through ``TIEGRAPH_STORE``)."""
    return os.environ.get("TIEGRAPH_STORE", "embedded")


@st.cache_resource(show_spinner=False)
def _neo4j_store():  # noqa: ANN202 - a graph.neo4j_store.Neo4jStore, imported lazily
    from graph.neo4j_store import Neo4jStore

    return Neo4jStore.open()


def intro(ex: Explorer, target: str, **options: object) -> IntroResult:
    """`Explorer.intro`, or the same search answered by Neo4j when the app runs on it."""
    if intro_store() == "neo4j":
        return _neo4j_store().intro(target, **options)
    return ex.intro(target, **options)
