"""Import: upload exports, say whose they are, load them with the CLI's loader, see the report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from graph.errors import NotFound, TiegraphError
from graph.ingest import LoadProgress, LoadResult, load_exports, stage_uploads
from graph.workspace import Workspace
from loaders import FORMATS, parse_mapping
from ui import state
from ui.widgets import md

#: File types the upload box offers (what `loaders` reads).
UPLOAD_TYPES = ["zip", "csv", "tsv", "txt", "vcf", "ics", "mbox", "eml"]
_OTHER = "someone else…"
_NOBODY = "nobody in particular (a CRM export names its reps)"


def _owner_choice() -> str | None:
    try:
        team = state.team_members(state.explorer())
    except NotFound:
        team = []
    options = [_NOBODY, *[d["name"] for d in team if d["name"]], _OTHER]
    pick = st.selectbox("Whose export is this?", options, key="imp-owner",
                        help="The rep whose LinkedIn archive, address book, calendar or mailbox "
                             "it is. CRM exports (HubSpot, Salesforce) name their reps themselves.")  # fmt: skip
    if pick == _OTHER:
        typed = st.text_input(
            "Owner", key="imp-owner-text", placeholder='"Priya Shah <priya@ourco.com>"'
        )
        return typed.strip() or None
    return None if pick == _NOBODY else pick


def _report(result: LoadResult, folder: str) -> None:
    """What the load did: one block per export, skipped rows with file:line, errors."""

    def shown(label: str | None) -> str:  # the upload's own name, not our temporary folder
        text = str(label or "")
        return text.split(folder, 1)[-1].lstrip("/").split("/", 1)[-1] if folder in text else text

    for e in result.errors:
        where = shown(e.file) + (f":{e.line}" if e.line else "")
        st.error(f"**{md(where)}** was not loaded: {md(e.reason)}")
    for r in result.reports:
        name = shown(r.label)
        if r.already:
            st.info(f"**{md(name)}** ({md(r.format)}) was imported before: nothing changed.")
            continue
        with st.container(border=True):
            st.markdown(f"**{md(name)}** ({md(r.format)})")
            cols = st.columns(5)
            cols[0].metric("Records read", f"{r.records:,}")
            cols[1].metric("New people", f"{r.people_new:,}")
            cols[2].metric("Interactions", f"{r.interactions:,}")
            cols[3].metric("Merged", f"{len(r.merges):,}")
            cols[4].metric("Skipped rows", f"{len(r.skipped):,}")
            if r.skipped:
                st.dataframe(pd.DataFrame([{"where": f"{shown(s.file)}:{s.line}" if s.line else shown(s.file),
                                            "reason": s.reason} for s in r.skipped]),
                             hide_index=True)  # fmt: skip
            if r.merges:
                with st.expander(f"{len(r.merges):,} people merged across sources"):
                    st.dataframe(pd.DataFrame(r.merges), hide_index=True)


def render() -> None:
    st.title("Import")
    st.markdown(
        "Upload the exports you have: a LinkedIn data archive (zip), a HubSpot contact export, a "
        "Salesforce data export (zip), any CSV with a column mapping, vCard, iCalendar or "
        "mbox. Each file is imported in one transaction: a bad file changes nothing, and "
        "loading the same export again changes nothing."
    )
    files = st.file_uploader(
        "Exports", type=UPLOAD_TYPES, accept_multiple_files=True, key="imp-files"
    )
    owner = _owner_choice()
    with st.expander("Format and column mapping (optional)"):
        fmt = st.selectbox("Format", ["auto", *FORMATS], key="imp-format")
        maps = st.text_area("Column mapping for a generic CSV, one COLUMN=FIELD per line",
                            key="imp-map", placeholder="E-mail=email\nOrg=company\nFull name=name")  # fmt: skip
    go = st.button(
        "Import", type="primary", key="imp-go", disabled=not files, icon=":material/upload:"
    )
    if not files:
        st.caption("Nothing uploaded yet.")
        _demo_hint()
        return
    if not go:
        return
    mapping = parse_mapping([m for m in maps.splitlines() if m.strip()]) if maps.strip() else None
    state.release()  # this run's read-only connection; the load opens its own
    bar = st.progress(0.0, text="Reading the exports…")

    def step(ev: LoadProgress) -> None:
        bar.progress(ev.fraction, text=f"Loading export {ev.index} of {ev.units} ({ev.format}): "
                                       f"{min(ev.done, ev.total):,} of about {ev.total:,} rows")  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="tiegraph-upload-") as tmp:
        paths = stage_uploads(((f.name, f.getvalue()) for f in files), tmp)
        with Workspace.open(state.workspace_path()) as ws:
            result = load_exports(ws, [str(p) for p in paths], owner=owner, format=fmt,
                                  mapping=mapping, progress=step)  # fmt: skip
        bar.progress(1.0, text="Done")
        _report(result, str(Path(tmp)))
    if result.reports and not result.errors:
        st.success("Loaded. The other pages use the new data now.")


def _demo_hint() -> None:
    try:
        empty = state.explorer().index().m == 0
    except (NotFound, TiegraphError):
        empty = True
    if empty:
        st.markdown("No exports at hand? Load the demo team's data to look around.")
        state.load_demo_button()


render()
