"""Weak ties: bridges, brokers, dormant ties and the groups we barely reach (`Explorer.weak_ties`)."""

from __future__ import annotations

import altair as alt
import networkx as nx
import pandas as pd
import streamlit as st

from graph.viz import render_graph
from ui import state
from ui.graph_component import show_graph
from ui.widgets import md


def _name(p: dict | None) -> str:
    return (p or {}).get("name") or (p or {}).get("id") or "?"


def _map(report: dict) -> None:
    """The sources with their bridges, brokers and dormant ties, as one picture."""
    G = nx.Graph()
    for section in ("bridges", "dormant"):
        for row in report.get(section) or []:
            s, c = row["source"], row["contact"]
            for p in (s, c):
                G.add_node(
                    p["id"], name=p.get("name"), company=p.get("company"), title=p.get("title")
                )
            G.add_edge(s["id"], c["id"], strength=float(row.get("strength") or 0.0))
    for row in report.get("brokers") or []:
        s, c = row["source"], row["contact"]
        for p in (s, c):
            G.add_node(p["id"], name=p.get("name"), company=p.get("company"), title=p.get("title"))
        G.add_edge(s["id"], c["id"], strength=float(row.get("strength") or 0.0))
    if G.number_of_nodes() == 0:
        return
    view = render_graph(
        G, sources=[s["id"] for s in report.get("sources") or []], layout="spring", height=420
    )
    show_graph(view, key="weak-ties-graph", title="Graph of the weak ties")
    if view.note:
        st.caption(md(view.note))


def render() -> None:
    st.title("Weak ties")
    ex = state.graph_or_first_step()
    team = state.team_members(ex)
    names = {d["id"]: d["name"] or d["id"] for d in team}
    who = st.selectbox("Weak ties of", [None, *names], key="wt-who",
                       format_func=lambda i: "the whole team" if i is None else names[i])  # fmt: skip
    report = state.report(ex, "weak_ties", sources=[who] if who else [], team=who is None)
    b, d, c = (
        report.get("bridges") or [],
        report.get("dormant") or [],
        report.get("communities") or [],
    )
    cols = st.columns(3)
    cols[0].metric("Bridges", f"{report.get('bridges_total', len(b)):,}")
    cols[1].metric("Dormant ties", f"{report.get('dormant_total', len(d)):,}")
    cols[2].metric("Communities barely reached", f"{len(c):,}")
    _map(report)
    if b:
        st.subheader("Bridges: ties to people your other contacts do not know")
        df = pd.DataFrame([{"contact": _name(r["contact"]), "via": _name(r["source"]),
                            "opens up": r.get("new_contacts", 0), "strength": r.get("strength")}
                           for r in b])  # fmt: skip
        st.altair_chart(alt.Chart(df).mark_bar().encode(
            x=alt.X("opens up:Q", title="their contacts you do not know"),
            y=alt.Y("contact:N", sort="-x", title=None),
            tooltip=["contact", "via", "opens up", alt.Tooltip("strength:Q", format=".2f")],
        ).properties(height=alt.Step(22)))  # fmt: skip
    if report.get("brokers"):
        st.subheader("Brokers: contacts who span groups (low constraint)")
        df = pd.DataFrame([{"broker": _name(r["contact"]), "effective size": r.get("effective_size"),
                            "constraint": r.get("constraint")} for r in report["brokers"]])  # fmt: skip
        st.altair_chart(alt.Chart(df).mark_bar().encode(
            x=alt.X("effective size:Q"), y=alt.Y("broker:N", sort="-x", title=None),
            tooltip=["broker", "effective size", "constraint"],
        ).properties(height=alt.Step(22)))  # fmt: skip
    if d:
        st.subheader("Dormant ties worth reviving")
        st.dataframe(pd.DataFrame([{"contact": _name(r["contact"]), "of": _name(r["source"]),
                                    "last contact": r.get("last_contact"), "idle days": r.get("idle_days"),
                                    "was": r.get("past_strength"), "now": r.get("strength"),
                                    "why": r.get("why")} for r in d]), hide_index=True)  # fmt: skip
    if c:
        st.subheader("Communities the team barely reaches")
        df = pd.DataFrame([{"community": f"{i + 1}. " + ", ".join(
            (x.get("company") or "?") for x in (com.get("companies") or [])[:2]),
            "people": com.get("size"), "known directly": com.get("direct")} for i, com in enumerate(c)])  # fmt: skip
        st.altair_chart(alt.Chart(df).transform_fold(["people", "known directly"]).mark_bar().encode(
            x=alt.X("value:Q", title=None), y=alt.Y("community:N", title=None),
            color=alt.Color("key:N", title=None), yOffset="key:N",
        ).properties(height=alt.Step(18)))  # fmt: skip


render()
