"""Follow-ups: whom each rep should get back to, and why (`Explorer.followups`)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ui import state
from ui.widgets import csv_bytes, md

_STATUS_COLORS = {"overdue": "#cf222e", "due": "#d4a017", "lapsed": "#8250df", "ok": "#1a7f37"}
_FIELDS = ("owner", "contact", "company", "bucket", "every_days", "status", "last_contact",
           "days_since", "due_on", "channel", "why")  # fmt: skip


def render() -> None:
    st.title("Follow-ups")
    ex = state.graph_or_first_step()
    team = state.team_members(ex)
    names = {d["id"]: d["name"] or d["id"] for d in team}
    left, right = st.columns([2, 1])
    owner = left.selectbox("Relationships of", [None, *names], key="fu-owner",
                           format_func=lambda i: "the whole team" if i is None else names[i])  # fmt: skip
    due_only = right.toggle("Due or overdue only", value=True, key="fu-due")
    result = state.report(ex, "followups", owner=owner, due_only=due_only)
    counts = result["counts"]
    cols = st.columns(len(counts) + 1)
    cols[0].metric("Relationships", f"{result['relationships']:,}")
    for col, (status, n) in zip(cols[1:], counts.items(), strict=True):
        col.metric(status.capitalize(), f"{n:,}")
    if counts:
        df = pd.DataFrame({"status": list(counts), "relationships": list(counts.values())})
        st.altair_chart(
            alt.Chart(df).mark_bar().encode(
                x=alt.X("relationships:Q", title="relationships"),
                y=alt.Y("status:N", sort=list(counts), title=None),
                color=alt.Color("status:N", legend=None,
                                scale=alt.Scale(domain=list(_STATUS_COLORS), range=list(_STATUS_COLORS.values()))),
            ).properties(height=alt.Step(26))
        )  # fmt: skip
    items = result["followups"]
    if not items:
        st.success("Nobody is due: every relationship is within its usual rhythm.")
        return
    rows = [{
        "owner": f["owner"].get("name"), "contact": f["contact"].get("name"),
        "company": f["contact"].get("company"), "bucket": f["bucket"], "every_days": f["every_days"],
        "status": f["status"], "last_contact": f["last_contact"], "days_since": f["days_since"],
        "due_on": f["due_on"], "channel": f["channel"], "why": f["why"],
    } for f in items]  # fmt: skip
    st.caption(f"{len(rows):,} relationships, most urgent first, as of {md(result['as_of'])}.")
    st.dataframe(pd.DataFrame(rows, columns=list(_FIELDS)), hide_index=True)
    st.download_button("Download (CSV)", data=csv_bytes(rows, _FIELDS), file_name="followups.csv",
                       mime="text/csv", key="fu-download", icon=":material/download:")  # fmt: skip


render()
