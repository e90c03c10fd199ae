"""How the pages draw answers: intro path cards, strength charts, the graph view, downloads.

Untrusted text (names, titles, companies, the "why" sentences that quote them) goes through
`graph.escape.markdown` before any Markdown element, or is shown as plain text (`st.text`,
widget values, chart labels); the graph view is `graph.viz`'s hardened drawing in `ui.graph_component`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import streamlit as st

from graph.escape import markdown as md
from graph.export import write_table
from graph.intro import IntroPath
from graph.strength import COMPONENTS
from graph.viz import GraphView, paths_graph, render_graph, strength_band
from ui.graph_component import show_graph

__all__ = [
    "md",
    "graph_view",
    "components_bars",
    "path_card",
    "csv_bytes",
    "chain",
]


def chain(path: IntroPath) -> str:
    """``Priya Shah → Renée García-López → Ivan Murphy``, escaped for Markdown."""
    return " → ".join(md(p["name"] or p["id"]) for p in path.path)


def graph_view(paths: Sequence[IntroPath], *, key: str, height: int = 380) -> GraphView:
    """Draw the people and ties of `paths` (sources left, targets right) in the graph frame
    `key`, and say what was left out, if anything."""
    sources = list(dict.fromkeys(p.path[0]["id"] for p in paths))
    targets = list(dict.fromkeys(p.path[-1]["id"] for p in paths))
    view = render_graph(paths_graph(paths), sources=sources, targets=targets, height=height)
    show_graph(view, key=key, title="Graph of the intro paths")
    if view.note:
        st.caption(md(view.note))
    return view


#: Colours of hop 1, 2, 3 in the component bars.
HOP_COLORS = ("#1f6feb", "#54aeff", "#0a3069")


def components_bars(path: IntroPath) -> str:
    """The strength components of each hop of `path` as a small bar chart in HTML and CSS.

    Only numbers and fixed words go into it (component names, "hop 1"): no text from the
    data, so nothing needs escaping; and it costs the browser no chart library, which keeps
    a page of cards quick to draw.
    """
    hops = path.ties
    rows = []
    for comp in COMPONENTS:
        bars, values = [], []
        for h, tie in enumerate(hops):
            v = min(1.0, max(0.0, float(tie["components"].get(comp, 0.0))))
            bars.append(f'<i style="width:{100 * v:.1f}%;background:{HOP_COLORS[h % 3]}"></i>')
            values.append(f"{v:.2f}")
        rows.append(f'<span class="c">{comp}</span><span class="b">{"".join(bars)}</span>'
                    f'<span class="v">{" / ".join(values)}</span>')  # fmt: skip
    legend = "".join(f'<span><i style="background:{HOP_COLORS[h % 3]}"></i>hop {h + 1}</span>'
                     for h in range(len(hops)))  # fmt: skip
    return (
        "<style>.tg-bars{display:grid;grid-template-columns:max-content 1fr max-content;"
        "gap:3px 8px;align-items:center;font-size:12px;color:#57606a}"
        ".tg-bars .b{background:#f6f8fa;border-radius:2px;padding:1px 0}"
        ".tg-bars .b i{display:block;height:6px;margin:1px 0;border-radius:2px}"
        ".tg-legend{font-size:12px;color:#57606a;margin-top:4px}"
        ".tg-legend span{margin-right:12px}.tg-legend i{display:inline-block;width:10px;"
        "height:10px;margin-right:4px;border-radius:2px;vertical-align:-1px}</style>"
        f'<div class="tg-bars">{"".join(rows)}</div><div class="tg-legend">{legend}</div>'
    )


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
                lines.append(f"{h + 1}. **{md(a['name'])} – {md(b['name'])}**: strength {s:.2f} "
                             f"({strength_band(s)}). {md(tie['why'])}")  # fmt: skip
            st.markdown("\n".join(lines))
            evidence = [
                (h, row) for h, tie in enumerate(path.ties) for row in tie.get("evidence") or []
            ]
            if evidence:
                with st.expander("Evidence"):
                    st.text("\n".join(f"hop {h + 1}: {row}" for h, row in evidence))
        if right is not None:
            with right:
                st.caption("Strength components (0–1) of each hop")
                st.html(components_bars(path))


def csv_bytes(rows: Iterable[dict], fields: Sequence[str]) -> bytes:
    """`rows` as CSV bytes, formula-safe (`graph.export.write_table`, the CLI's writer)."""
    with tempfile.TemporaryDirectory(prefix="tiegraph-dl-") as tmp:
        out = Path(tmp) / "rows.csv"
        write_table(out, rows, fields)
        return out.read_bytes()
