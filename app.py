"""tiegraph's Streamlit app: the frame and the router, nothing else.

Run it with ``tiegraph app [--workspace PATH] [--port N]`` or ``streamlit run app.py`` (the
workspace is ``$TIEGRAPH_WORKSPACE`` or ``./tiegraph.db``). The pages live in ``ui/``; each
calls the library (`graph.explorer.Explorer` and friends) and draws the answer.
"""

from __future__ import annotations

import streamlit as st

from graph.errors import NotFound, TiegraphError
from ui import state
from ui.widgets import md

# An emoji favicon is drawn locally; a Material icon one (as page or page_icon) would be fetched
# from fonts.gstatic.com, and the app must work offline: so no icons on the pages either.
st.set_page_config(page_title="tiegraph", page_icon="🤝", layout="wide")
# Errors are messages, never tracebacks; and no table is downloaded past our formula-safe CSV.
st.set_option("client.showErrorDetails", "none")
st.set_option("client.disableDataExport", True)
st.set_option("client.toolbarMode", "minimal")  # no "Deploy" button: this app is local

page = st.navigation({
    "Find": [st.Page("ui/intros.py", title="Find an intro", url_path="find", default=True)],
    "Explore": [st.Page("ui/weak_ties.py", title="Weak ties", url_path="weak-ties"),
                st.Page("ui/reach.py", title="Reach", url_path="reach"),
                st.Page("ui/followups.py", title="Follow-ups", url_path="follow-ups")],
    "Data": [st.Page("ui/imports.py", title="Import", url_path="import")],
})  # fmt: skip


def sidebar() -> None:
    """Who is viewing (team privacy levels) and what the workspace holds."""
    with st.sidebar:
        try:
            state.viewer_picker()
            index = state.explorer().index()
            st.caption(f"Workspace {md(state.workspace_path().name)}: {index.n:,} people, "
                       f"{index.m:,} ties")  # fmt: skip
        except NotFound:
            st.caption(f"No workspace at {md(state.workspace_path())} yet")


try:
    try:
        page.run()  # first: the page's search box is what a person waits for
    finally:
        sidebar()  # after, even when the page stopped early (an empty workspace's first step)
except TiegraphError as e:
    st.error(md(str(e)))
finally:
    state.release()
