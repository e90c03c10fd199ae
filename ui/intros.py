"""Find an intro: who can introduce me (or the team) to a person, or to someone at a company?"""

from __future__ import annotations

import os

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from graph.answers import Suggestion, intro_request, intro_rows
from graph.build import to_networkx
from graph.errors import Ambiguous, NotFound
from graph.explorer import BATCH_FIELDS, Explorer
from graph.ingest import safe_file_name
from graph.intro import DEFAULT_HOP_PENALTY, DEFAULT_PER_INTRODUCER, IntroResult
from graph.viz import render_graph
from ui import state
from ui.graph_component import show_graph
from ui.widgets import csv_bytes, graph_view, md, path_card

ME, TEAM = "me", "the team"
GRAPH_KEY = "find-graph"


def _search_form(ex: Explorer) -> tuple[Suggestion | None, str | None]:
    left, right = st.columns([3, 2])
    text = left.text_input(
        "Who do you want to meet?", key="q",
        placeholder="a person or a company: name, email or company (e.g. Globex)",
    )  # fmt: skip
    title = right.text_input("Title at the company (optional)", key="title",
                             placeholder="CFO, VP Sales, Head of Procurement…")  # fmt: skip
    matches = st.container()  # always there, so that what follows keeps its place
    if not text.strip():
        return None, None
    found = ex.suggest(text, limit=12)
    if not found:
        matches.warning(f"Nobody and no company in the workspace matches “{md(text)}”.")
        return None, None
    pick = matches.selectbox("Matches", found, index=0, key="pick", format_func=lambda s: s.label)
    return pick, (title.strip() or None)


def _sources(ex: Explorer) -> tuple[list[str], bool]:
    team = state.team_members(ex)
    me_env = os.environ.get("TIEGRAPH_ME")
    viewer = ex.viewer if isinstance(ex.viewer, str) else None  # "viewing as" in the sidebar
    default = 0 if viewer or me_env or len(team) == 1 else 1
    left, right = st.columns([1, 2])
    who = left.radio("Search from", [ME, TEAM], index=default, horizontal=True, key="from")
    if who == TEAM or not team:
        if who == ME and not team:
            right.caption("Nobody is marked as a team member yet: searching from everyone "
                          "whose exports are loaded.")  # fmt: skip
        return [], who == TEAM
    ids = [d["id"] for d in team]
    names = {d["id"]: d["name"] or d["id"] for d in team}
    start = 0
    if viewer in ids:
        start = ids.index(viewer)
    elif me_env:
        try:
            pid = f"p{ex.ws.find_person(me_env)}"
            start = ids.index(pid) if pid in ids else 0
        except (NotFound, Ambiguous):
            start = 0
    me = right.selectbox("I am", ids, index=start, key="me", format_func=lambda i: names[i])
    return [me], False


def _results(ex: Explorer, result: IntroResult, ask: dict, head: DeltaGenerator,
             picture: DeltaGenerator) -> None:  # fmt: skip
    target = result.target
    head.subheader(f"Warm intros to {md(target.label)}")
    head.caption(f"Strength model {md(result.model_version)} · each extra hop multiplies the "
                 f"score by {DEFAULT_HOP_PENALTY:g} · at most {DEFAULT_PER_INTRODUCER} paths "
                 "through the same introducer")  # fmt: skip
    shown = result.paths or result.nearest
    if not result.paths:
        head.warning(md(result.message or "No path found."))
        if result.nearest:
            head.markdown("**The nearest useful step:** people at the same company you can reach.")
    if shown:
        with picture:
            graph_view(shown, key=GRAPH_KEY)
    for p in shown:
        path_card(p)
    rows = intro_rows(result)
    st.download_button(
        "Download these paths (CSV)", data=csv_bytes(rows, BATCH_FIELDS),
        file_name=f"intros-{safe_file_name(target.label, default='target')}.csv",
        mime="text/csv", key="download", icon=":material/download:",
    )  # fmt: skip
    if shown:
        _draft(shown, ask)
    _why_not(ex, ask)


def _draft(paths: list, ask: dict) -> None:
    st.markdown("##### Ask for the intro")
    by_rank = {p.rank: p for p in paths}
    rank = st.selectbox("Path", list(by_rank), key="draft-path",
                        format_func=lambda r: f"#{r}: " + " → ".join(
                            x["name"] or x["id"] for x in by_rank[r].path))  # fmt: skip
    note = st.text_input(
        "What is the meeting about? (optional, added to the draft)", key="draft-note"
    )
    # a draft belongs to one path of one search: another search or path shows no stale draft
    which = repr((sorted(ask.items()), [x["id"] for x in by_rank[rank].path]))
    if st.button("Draft the intro request", key="draft", icon=":material/edit_note:"):
        st.session_state["draft_n"] = st.session_state.get("draft_n", 0) + 1
        st.session_state["draft_text"] = (which, intro_request(by_rank[rank], note=note))
    for_what, text = st.session_state.get("draft_text") or (None, None)
    if text and for_what == which:
        edited = st.text_area("Your request (edit freely)", value=text, height=230,
                              key=f"draft-edit-{st.session_state['draft_n']}")  # fmt: skip
        st.caption("Copy it with the button at the top right of the box below.")
        st.code(edited, language=None, wrap_lines=True)


def _why_not(ex: Explorer, ask: dict) -> None:
    with st.expander("Why not …? (someone you expected to see as introducer)"):
        who = st.text_input("Name, email or id", key="whynot")
        if not who.strip():
            return
        try:
            w = ex.why_not(ask["target"], who, **{k: v for k, v in ask.items() if k != "target"})
        except Ambiguous as e:
            names = ", ".join(md(c.get("name") or c.get("id") or "?") for c in e.candidates[:8])
            st.warning(
                f"“{md(who)}” could be several people: {names}. Use a full name or an email."
            )
            return
        except NotFound as e:
            st.warning(md(str(e)))
            return
        st.info(md(w.message))
        if w.best:
            path_card(w.best)


def _team_view(ex: Explorer, head: DeltaGenerator) -> None:
    """The team and each member's strongest ties: where every search starts from."""
    team = state.team_members(ex)
    if not 1 <= len(team) <= 60:
        return
    index = ex.index()
    members = index.nodes_of(int(d["id"][1:]) for d in team)
    per_member = max(2, 30 // len(members)) if members else 0
    nodes = set(members)
    for i in members:
        nodes.update(int(j) for j in index.neighbors(i)[0][:per_member])
    G = to_networkx(index, nodes)
    if G.number_of_edges() == 0:
        return
    who = md(team[0]["name"] or team[0]["id"]) if len(team) == 1 else "The team"
    head.markdown(f"##### {who} and {'their' if len(team) == 1 else 'its'} strongest ties")
    team_ids = [f"p{int(index.pids[i])}" for i in members]
    view = render_graph(G, sources=team_ids, layout="spring", height=260)
    show_graph(view, key=GRAPH_KEY, title="Graph of the team")


def render() -> None:
    st.title("Find an intro")
    ex = state.graph_or_first_step()
    pick, title = _search_form(ex)
    sources, team = _sources(ex)
    # a select box and a radio, not sliders: the browser loads no extra widget code for them
    # (a slider's pulls in a date library) before the page's first paint
    with st.expander("Options"):
        left, right = st.columns(2)
        k = left.selectbox("Paths to show", list(range(1, 11)), index=4, key="k")
        max_hops = right.radio("At most this many hops", [1, 2, 3], index=2, horizontal=True,
                               key="max_hops")  # fmt: skip
    # The answer's heading, then the one graph frame of the page: the team before a search,
    # the paths after it. Same place, same key: the frame (and vis-network in it) stays
    # loaded from one search to the next, and only the new picture is sent.
    head, picture = st.container(), st.container()
    if pick is None:
        head.caption("Type a name, an email or a company above. Tip: a company plus a title "
                     "(Globex, CFO) finds whoever holds that role there.")  # fmt: skip
        with picture:
            _team_view(ex, head)
        return
    ask = {
        "target": pick.ref, "sources": sources, "team": team, "company": pick.is_company,
        "title": title if pick.is_company else None, "k": k, "max_hops": max_hops,
    }  # fmt: skip
    if title and not pick.is_company:
        st.caption(f"The title filter applies to companies; showing paths to {md(pick.name)}.")
    try:
        result = state.intro(ex, ask["target"], **{key: v for key, v in ask.items() if key != "target"})
    except Ambiguous as e:
        st.warning(md(str(e)))
        return
    except NotFound as e:
        st.warning(md(str(e)))
        return
    if state.intro_store() == "neo4j":
        st.caption("Answered by the team's Neo4j store (synced with `tiegraph sync neo4j`).")
    st.session_state["intro_result"] = result.to_dict()
    _results(ex, result, ask, head, picture)


render()
