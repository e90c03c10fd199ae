"""Reach: how far the team's network goes, by hops, company and industry, and how much of a
target account list has a warm path (`Explorer.reach`)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from graph.model import Skipped
from loaders.targets import parse_targets
from ui import state
from ui.widgets import md

_BANDS = {"strong": "#1a7f37", "medium": "#d4a017", "weak": "#9aa4ae"}
_STATUS = {"warm": "#1a7f37", "cold": "#d4a017", "unreachable": "#cf222e", "nobody": "#8250df",
           "unknown": "#6e7781"}  # fmt: skip


def _by_hops(report: dict) -> None:
    what = st.radio(
        "Count", ["people", "companies", "industries"], horizontal=True, key="reach-what"
    )
    rows = [{"hops": f"within {r['hops']}", "band": band, "count": r[what][band]}
            for r in report["hops"] for band in _BANDS]  # fmt: skip
    st.subheader(f"{what.capitalize()} within reach, by hops and strength")
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        x=alt.X("hops:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title=what),
        color=alt.Color("band:N", title="weakest tie", sort=list(_BANDS),
                        scale=alt.Scale(domain=list(_BANDS), range=list(_BANDS.values()))),
        order=alt.Order("band_rank:Q"),
        tooltip=["hops", "band", "count"],
    ).transform_calculate(band_rank="indexof(['strong','medium','weak'], datum.band)")
      .properties(height=260))  # fmt: skip


def _aggregate(table: dict, title: str) -> None:
    """A suppressed count table (`graph.reach.Aggregate.to_dict`) as stacked bars."""
    # the "other ..." row (everyone in groups too small to list) would dwarf the rest: it is
    # said in words instead of drawn
    listed = [r for r in table["rows"] if not str(r["label"]).startswith("other")]
    other = [r for r in table["rows"] if str(r["label"]).startswith("other")]
    rows = [{"group": r["label"], "hops": col, "people": v}
            for r in listed for col, v in zip(table["columns"], r["cells"], strict=True) if v]  # fmt: skip
    if not rows:
        return
    st.subheader(title)
    order = [r["label"] for r in listed]
    st.altair_chart(alt.Chart(pd.DataFrame(rows)).mark_bar().encode(
        y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("people:Q", title="people reached"),
        color=alt.Color("hops:N", sort=table["columns"], title="first reached in"),
        tooltip=["group", "hops", "people"],
    ).properties(height=alt.Step(22)))  # fmt: skip
    notes = []
    for r in other:
        if r.get("total") is not None:
            notes.append(f"{r['total']:,} more people in {md(r['label'])}")
    if table.get("suppressed"):
        notes.append(f"{table['suppressed']} cells under {table['min_group']} people are hidden")
    if table.get("collapsed"):
        notes.append(f"{table['collapsed']} small groups are counted together")
    if notes:
        st.caption("; ".join(notes) + ", so no number reveals a handful of anyone's contacts.")


def _coverage_chart(rows: list[dict]) -> None:
    """Coverage of a target list: accounts by status, and each account's best warm path."""
    counts = pd.DataFrame([{"status": s, "accounts": sum(r["status"] == s for r in rows)}
                           for s in _STATUS if any(r["status"] == s for r in rows)])  # fmt: skip
    scale = alt.Scale(domain=list(_STATUS), range=list(_STATUS.values()))
    st.altair_chart(alt.Chart(counts).mark_bar().encode(
        x=alt.X("accounts:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("status:N", sort=list(_STATUS), title=None),
        color=alt.Color("status:N", scale=scale, legend=None), tooltip=["status", "accounts"],
    ).properties(height=alt.Step(26)))  # fmt: skip
    scored = [r for r in rows if r.get("score") is not None]
    if scored:
        df = pd.DataFrame([{"account": r["account"], "best path score": r["score"],
                            "status": r["status"], "introducer": r.get("introducer") or "(direct)"}
                           for r in scored])  # fmt: skip
        st.altair_chart(alt.Chart(df).mark_bar().encode(
            y=alt.Y("account:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("best path score:Q"),
            color=alt.Color("status:N", scale=scale, legend=None),
            tooltip=["account", "status", "introducer", alt.Tooltip("best path score:Q", format=".3f")],
        ).properties(height=alt.Step(22)))  # fmt: skip


def _coverage(report: dict | None, bad: list[Skipped]) -> None:
    st.subheader("Coverage of a target account list")
    cov = (report or {}).get("coverage")
    if not cov:
        st.caption("Upload a list of target accounts above to see which ones the team can "
                   "reach warmly.")  # fmt: skip
        return
    rows = [{"account": a["account"], "status": a["status"], "score": a["score"],
             "introducer": (a.get("introducer") or {}).get("name")} for a in cov["accounts"]]  # fmt: skip
    st.caption(f"{cov['warm_share']:.0%} of the known accounts have a warm path (best path score "
               f"at least {cov['warm_score']:g}, within {cov['max_hops']} hops).")  # fmt: skip
    _coverage_chart(rows)
    if bad:
        st.caption(f"{len(bad)} rows of the list were skipped: "
                   + "; ".join(md(f"line {s.line}: {s.reason}") for s in bad[:5]))  # fmt: skip


def render() -> None:
    st.title("Reach")
    ex = state.graph_or_first_step()
    team_people = state.team_members(ex)
    names = {d["id"]: d["name"] or d["id"] for d in team_people}
    who = st.selectbox("Reach of", [None, *names], key="reach-who",
                       format_func=lambda i: "the whole team" if i is None else names[i])  # fmt: skip
    up = st.file_uploader("Target accounts (optional): a CSV with company and/or name, email, "
                          "title columns", type=["csv", "tsv", "txt"], key="reach-targets")  # fmt: skip
    targets = list(parse_targets(up.getvalue(), file=up.name)) if up is not None else None
    report = state.report(
        ex, "reach", sources=[who] if who else [], team=who is None, targets=targets
    )
    _by_hops(report)
    if report.get("by_company"):
        _aggregate(report["by_company"], "People reached, by company")
    if report.get("by_industry"):
        _aggregate(report["by_industry"], "People reached, by industry")
    _coverage(report, [t for t in targets or [] if isinstance(t, Skipped)])


render()
