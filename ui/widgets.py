"""How the pages draw answers: intro path cards, strength charts, the graph view, downloads.

Untrusted text (names, titles, companies, the "why" sentences that quote them) goes through
`graph.escape.markdown` before any Markdown element, or is shown as plain text (`st.text`,
widget values, chart labels); the graph view is `graph.viz`'s hardened page.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from graph.escape import markdown as md
from graph.export import write_table
from graph.intro import IntroPath
from graph.strength import COMPONENTS
from graph.viz import GraphView, paths_graph, render_graph, strength_band

__all__ = [
    "md",
    "embed_html",
    "graph_view",
    "components_chart",
    "path_card",
    "csv_bytes",
    "coming_soon",
    "chain",
]


def embed_html(html: str, height: int) -> None:
    """Show a complete HTML page (the graph view) in an iframe of `height` pixels."""
    if hasattr(st, "iframe"):  # Streamlit >= 1.52: st.components.v1.html is deprecated
        st.iframe(html, height=height)
    else:  # pragma: no cover - older Streamlit
        import streamlit.components.v1 as components

        components.html(html, height=height)


def chain(path: IntroPath) -> str:
    """``Priya Shah → Renée García-López → Ivan Murphy``, escaped for Markdown."""
    return " → ".join(md(p["name"] or p["id"]) for p in path.path)


def graph_view(paths: Sequence[IntroPath], *, height: int = 380) -> GraphView:
    """Draw the people and ties of `paths` (sources left, targets right) and say what was
    left out, if anything."""
    sources = list(dict.fromkeys(p.path[0]["id"] for p in paths))
    targets = list(dict.fromkeys(p.path[-1]["id"] for p in paths))
    view = render_graph(paths_graph(paths), sources=sources, targets=targets, height=height)
    embed_html(view.html, height + 34)
    if view.note:
        st.caption(md(view.note))
    return view


def components_chart(path: IntroPath) -> alt.Chart:
    """The strength components of each hop of `path`, as grouped horizontal bars."""
    rows = []
    for h, tie in enumerate(path.ties):
        a, b = path.path[h]["name"] or path.path[h]["id"], path.path[h + 1]["name"] or path.path[h + 1]["id"]
        hop = f"{h + 1}. {_short(a)} – {_short(b)}"
        for comp in COMPONENTS:
            rows.append({"hop": hop, "component": comp, "value": float(tie["components"].get(comp, 0.0))})
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("component:N", sort=list(COMPONENTS), title=None),
            x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title="component (0–1)"),
            color=alt.Color("hop:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=320)),
            yOffset=alt.YOffset("hop:N"),
            tooltip=[alt.Tooltip("hop:N"), alt.Tooltip("component:N"), alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(height=alt.Step(7 * len(path.ties) + 6))
    )


def _short(name: str, limit: int = 24) -> str:
    name = " ".join(str(name).split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def path_card(path: IntroPath, *, chart: bool = True) -> None:
    """One ranked intro path: score, the chain of people, each hop's strength and why."""
    with st.container(border=True):
        left, right = st.columns([3, 2]) if chart else (st.container(), None)
        with left:
            hops = "direct" if path.hops == 1 else f"{path.hops} hops"
            st.markdown(f"**#{path.rank}** · score **{path.score:.3f}** · {hops}")
            st.markdown(f"#### {chain(path)}")
            target = path.path[-1]
            role = " at ".join(md(x) for x in (target.get("title"), target.get("company")) if x)
            if role:
                st.caption(role)
            lines = []
            for h, tie in enumerate(path.ties):
                a, b = path.path[h], path.path[h + 1]
                s = float(tie["strength"])
                lines.append(f"- **{md(a['name'])} – {md(b['name'])}**: strength {s:.2f} "
                             f"({strength_band(s)}). {md(tie['why'])}")  # fmt: skip
            st.markdown("\n".join(lines))
            evidence = [(h, row) for h, tie in enumerate(path.ties) for row in tie.get("evidence") or []]
            if evidence:
                with st.expander("Evidence"):
                    st.text("\n".join(f"hop {h + 1}: {row}" for h, row in evidence))
        if right is not None:
            with right:
                st.altair_chart(components_chart(path))


def csv_bytes(rows: Iterable[dict], fields: Sequence[str]) -> bytes:
    """`rows` as CSV bytes, formula-safe (`graph.export.write_table`, the CLI's writer)."""
    with tempfile.TemporaryDirectory(prefix="tiegraph-dl-") as tmp:
        out = Path(tmp) / "rows.csv"
        write_table(out, rows, fields)
        return out.read_bytes()


def coming_soon(what: str, detail: str) -> None:
    """The note a page shows while its library function is not there yet (no made-up data)."""
    st.info(
        f"**{what} is coming with the next release.** {detail}\n\n"
        "This page will show it as soon as the library can compute it; nothing here is "
        "made up in the meantime."
    )


def jsonable(result: Any) -> Any:
    """`result.to_dict()` when it has one, else the result itself."""
    return result.to_dict() if hasattr(result, "to_dict") else result
