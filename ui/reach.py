"""Reach: how far the team's network goes, by hops, company and industry (`Explorer.reach`)."""

from __future__ import annotations

import inspect

import altair as alt
import pandas as pd
import streamlit as st

from graph.explorer import Explorer
from ui import state
from ui.widgets import coming_soon, jsonable


def _bar(rows: list[dict], label: str, value: str, title: str) -> None:
    df = pd.DataFrame([{label: str(r.get(label)), value: r.get(value)} for r in rows
                       if isinstance(r.get(value), (int, float))])  # fmt: skip
    if df.empty:
        return
    st.subheader(title)
    st.altair_chart(alt.Chart(df).mark_bar().encode(
        x=alt.X(f"{value}:Q"), y=alt.Y(f"{label}:N", sort="-x", title=None),
        tooltip=[label, value],
    ).properties(height=22 * len(df) + 20))  # fmt: skip


def render() -> None:
    st.title("Reach")
    ex = state.graph_or_first_step()
    method = getattr(Explorer, "reach", None)
    if method is None:
        coming_soon("Reach", "How many people, companies and industries the team reaches within "
                    "1, 2 and 3 hops by tie strength, and how much of a target account list has a "
                    "warm path; small groups are suppressed so aggregates never reveal one "
                    "person's contacts.")  # fmt: skip
        return
    team = st.toggle("The whole team", value=True, key="reach-team")
    accepted = inspect.signature(method).parameters
    result = jsonable(ex.reach(**({"team": team} if "team" in accepted else {})))
    if not isinstance(result, dict):
        coming_soon("Reach", "The report's format is not one this page knows yet.")
        return
    drawn = False
    for key, label, title in (("by_hops", "hops", "Reach by hops"),
                              ("by_company", "company", "Reach by company"),
                              ("by_industry", "industry", "Reach by industry")):  # fmt: skip
        rows = result.get(key)
        if isinstance(rows, list) and rows:
            value = next((k for k, v in rows[0].items() if k != label and isinstance(v, (int, float))), None)
            if value:
                _bar(rows[:30], label, value, title)
                drawn = True
    if not drawn:
        coming_soon("Reach charts", "The reach report is there but this page cannot chart it yet.")


render()
