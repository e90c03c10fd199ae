"""The graph picture: intro paths and networks drawn with pyvis (vis-network), hardened.

`render_graph` turns a networkx graph into one self-contained HTML page that the app embeds
(`st.iframe` / ``st.components.v1.html``) and that a browser can open with no network:

* **Plain text only.** Labels and tooltips are plain text: control characters and
  bidirectional overrides removed (`graph.escape.terminal`), never HTML. vis-network 9 shows a
  string tooltip with ``innerText`` and draws labels on a canvas, so ``<script>`` in a name is
  shown, never run; the page has no ``innerHTML`` of its own (pyvis's template sets a custom
  tooltip through ``innerHTML``, which is why its template is not used here).
* **Data cannot leave its script block.** Nodes, edges and options go in one
  ``<script type="application/json">`` block, parsed with ``JSON.parse``; ``<``, ``>``, ``&``
  and the JavaScript line separators are written as ``\\uXXXX`` escapes, so neither
  ``</script>`` nor ``<!--`` can appear in it, whatever the data says.
* **Opaque ids, whitelisted attributes.** Nodes are ``n0``, ``n1``, … (never a person id or an
  email); only ``name``, ``company``, ``title`` and ``team`` of a node and ``strength`` of an
  edge are read, everything else in the graph stays out of the page.
* **Local assets.** vis-network's JavaScript (and its tooltip CSS) come from the installed
  pyvis package and are inlined: no CDN, and a Content-Security-Policy lets no request leave
  the page.
* **Bounded.** Positions are computed here (layers from the sources to the targets for
  paths, a seeded spring layout otherwise); vis physics runs only for a few dozen nodes; at
  most `max_nodes` nodes (default 300) and `max_edges` edges are drawn, the nearest to the
  marked people and the strongest ties first, and `GraphView.note` says what was left out.

Edges are coloured by strength band and drawn wider the stronger they are; sources (the people
asking) are blue diamonds, targets red stars. The input graph is never changed.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import networkx as nx

from graph.escape import html_text, terminal

__all__ = [
    "GraphView",
    "render_graph",
    "paths_graph",
    "strength_band",
    "STRENGTH_BANDS",
    "MAX_NODES",
    "PHYSICS_MAX_NODES",
    "script_json",
    "graph_page",
    "vis_assets",
    "DRAW_JS",
]

#: (lower bound, name, colour) of each strength band, strongest first.
STRENGTH_BANDS = (
    (0.5, "strong", "#1a7f37"),
    (0.2, "medium", "#d4a017"),
    (0.0, "weak", "#9aa4ae"),
)
#: At most this many people are drawn.
MAX_NODES = 300
#: At most this many ties are drawn (the strongest).
MAX_EDGES = 2000
#: vis physics (live force layout) only up to this many nodes; above it positions are fixed.
PHYSICS_MAX_NODES = 40
#: Node and edge attributes that may reach the page; nothing else is read.
NODE_FIELDS = ("name", "company", "title", "team")
EDGE_FIELDS = ("strength",)

_SOURCE_COLOR = "#1f6feb"
_TARGET_COLOR = "#cf222e"
_LABEL_MAX = 40
_TOOLTIP_FIELD_MAX = 120
_VIS_DIR = ("lib", "vis-9.1.2")
_TOOLTIP_CSS = ("div.vis-tooltip{position:absolute;visibility:hidden;padding:5px;white-space:nowrap;"
                "background-color:#f5f4ed;border:1px solid #808074;border-radius:3px;z-index:5;"
                "font-size:14px;pointer-events:none}")  # fmt: skip


@dataclass(frozen=True)
class GraphView:
    """A rendered graph: the HTML page and what it shows.

    Attributes
    ----------
    html : str
        A complete HTML document (vis-network inlined; no external requests).
    nodes, edges : int
        How many people and ties are drawn.
    left_out_nodes, left_out_edges : int
        How many were not drawn because of the caps.
    physics : bool
        Whether vis-network's force layout runs (small graphs only).
    kept_by : str
        Which people were kept when not all could be drawn.
    data : dict
        What the page draws: vis-network ``nodes``, ``edges`` and ``options``, already
        whitelisted and plain text; for a page that draws it itself (`graph_page`, the app's
        graph component).
    height : int
        Height of the drawing in CSS pixels.
    """

    html: str
    nodes: int
    edges: int
    left_out_nodes: int = 0
    left_out_edges: int = 0
    physics: bool = False
    kept_by: str = "nearest to the people marked"
    data: Mapping[str, Any] = field(default_factory=dict)
    height: int = 520

    @property
    def note(self) -> str | None:
        """What was left out, in words (None when everything is drawn)."""
        parts = []
        if self.left_out_nodes:
            parts.append(
                f"{self.left_out_nodes:,} more people not drawn (showing the {self.nodes:,} "
                f"{self.kept_by})"
            )
        if self.left_out_edges:
            parts.append(f"{self.left_out_edges:,} weaker ties not drawn")
        return "; ".join(parts) or None


def strength_band(strength: float) -> str:
    """The band a tie strength falls in: ``strong`` (>= 0.5), ``medium`` (>= 0.2) or ``weak``.

    >>> [strength_band(s) for s in (0.66, 0.26, 0.15)]
    ['strong', 'medium', 'weak']
    """
    return next(name for lo, name, _ in STRENGTH_BANDS if strength >= lo)


def _band_color(strength: float) -> str:
    return next(color for lo, _, color in STRENGTH_BANDS if strength >= lo)


def script_json(obj: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` (they only occur inside
    JSON strings, where the escapes mean the same characters), and U+2028/U+2029 are escaped
    too, so no data can close the element or open a comment.

    >>> script_json({"name": "</script><!--"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _plain(value: object, limit: int) -> str:
    """Untrusted text as one plain line: controls and bidi overrides removed, cut at `limit`."""
    text = " ".join(terminal(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _strength(data: Mapping[str, Any]) -> float:
    return _unit(data.get("strength", 0.0))


def _unit(value: object) -> float:
    """A strength clipped to [0, 1]; anything not a number (or NaN) is 0."""
    try:
        s = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return min(1.0, max(0.0, s)) if s == s else 0.0


# ---------------------------------------------------------------------- choosing what to draw
def _select_nodes(G: nx.Graph, marked: list[Hashable], max_nodes: int) -> list[Hashable]:
    """The nodes to draw: the marked ones, then by hops from them, strongest ties first."""
    if G.number_of_nodes() <= max_nodes:
        return list(G.nodes)
    best = dict.fromkeys(G.nodes, 0.0)  # each node's strongest tie
    for u, v, w in G.edges(data="strength", default=0.0):
        w = _unit(w)
        best[u] = max(best[u], w)
        best[v] = max(best[v], w)
    chosen: list[Hashable] = list(dict.fromkeys(m for m in marked if m in G))[:max_nodes]
    seen = set(chosen)
    frontier = list(chosen)
    while frontier and len(chosen) < max_nodes:
        nxt = {v for u in frontier for v in G.adj[u] if v not in seen}
        ranked = sorted(nxt, key=lambda v: (-best[v], -G.degree(v), str(v)))
        for v in ranked[: max_nodes - len(chosen)]:
            chosen.append(v)
            seen.add(v)
        frontier = ranked
    if len(chosen) < max_nodes:  # nothing marked, or parts unreachable from the marked
        rest = sorted(
            (n for n in G.nodes if n not in seen), key=lambda v: (-G.degree(v), -best[v], str(v))
        )
        chosen.extend(rest[: max_nodes - len(chosen)])
    return chosen


def _layers(
    H: nx.Graph, sources: list[Hashable], targets: list[Hashable]
) -> dict[Hashable, int] | None:
    """Column of each node for a left-to-right paths picture (sources in column 0, everyone
    else by hops from them, targets last), or None when that picture does not fit."""
    if not sources or not targets:
        return None
    dist = nx.single_source_shortest_path_length(_with_root(H, sources), _ROOT)
    dist.pop(_ROOT)
    if len(dist) != H.number_of_nodes():
        return None
    tset = set(targets)
    last = max((d - 1 for n, d in dist.items() if n not in tset), default=0) + 1
    if last > 5:
        return None
    return {n: (last if n in tset else d - 1) for n, d in dist.items()}


_ROOT = object()


def _with_root(H: nx.Graph, sources: list[Hashable]) -> nx.Graph:
    """A view of `H` plus one extra node tied to every source (multi-source hops)."""
    R = nx.Graph()
    R.add_edges_from(H.edges)
    R.add_nodes_from(H.nodes)
    R.add_edges_from((_ROOT, s) for s in sources)
    return R


def _positions(
    H: nx.Graph, layers: dict[Hashable, int] | None, seed: int
) -> dict[Hashable, tuple[float, float]]:
    """Pixel positions: columns by layer when given, else a seeded spring layout."""
    n = H.number_of_nodes()
    if n == 0:
        return {}
    if layers is not None:
        columns: dict[int, list[Hashable]] = {}
        for node, col in layers.items():
            columns.setdefault(col, []).append(node)
        pos: dict[Hashable, tuple[float, float]] = {}
        for col, members in columns.items():
            members.sort(key=lambda v: (str(H.nodes[v].get("name") or ""), str(v)))
            k = len(members)
            for i, v in enumerate(members):
                pos[v] = (col * 260.0, (i - (k - 1) / 2) * 90.0)
        return pos
    raw = nx.spring_layout(H, seed=seed, weight="strength", iterations=40)
    scale = 120.0 * max(1.0, n**0.5)
    return {v: (float(x) * scale, float(y) * scale) for v, (x, y) in raw.items()}


# ---------------------------------------------------------------------- rendering
def render_graph(
    G: nx.Graph,
    *,
    sources: Iterable[Hashable] = (),
    targets: Iterable[Hashable] = (),
    max_nodes: int = MAX_NODES,
    max_edges: int = MAX_EDGES,
    height: int = 520,
    layout: str = "auto",
    seed: int = 7,
) -> GraphView:
    """Draw `G` as a self-contained, hardened HTML page (see the module docstring).

    Parameters
    ----------
    G : networkx.Graph
        Nodes may carry ``name``, ``company``, ``title``, ``team``; edges ``strength`` in
        [0, 1]. Other attributes are ignored. `G` is not changed.
    sources, targets : iterables of nodes of `G`
        The people asking (blue diamonds) and the people or company sought (red stars);
        nodes not in `G` are ignored.
    max_nodes, max_edges : int
        Caps on what is drawn; the rest is counted in `GraphView.left_out_*`.
    height : int
        Height of the drawing in CSS pixels.
    layout : {"auto", "layered", "spring"}
        ``layered`` puts sources left and targets right, the people between by hops;
        ``spring`` is a seeded force layout; ``auto`` picks layered for small path pictures.
    seed : int
        Seed of the spring layout, so the same graph is drawn the same way.

    Returns
    -------
    GraphView

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge("p1", "p2", strength=0.7)
    >>> G.nodes["p1"]["name"] = "<b>Ada</b>"
    >>> view = render_graph(G, sources=["p1"], targets=["p2"])
    >>> (view.nodes, view.edges, "<b>Ada" in view.html, '"p1"' in view.html)
    (2, 1, False, False)
    """
    if layout not in ("auto", "layered", "spring"):
        raise ValueError(f"unknown layout {layout!r}")
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    src = [s for s in dict.fromkeys(sources) if s in G]
    tgt = [t for t in dict.fromkeys(targets) if t in G and t not in set(src)]
    keep = _select_nodes(G, [*src, *tgt], max_nodes)
    H = nx.Graph()  # our own copy holding only whitelisted attributes
    for v in keep:
        d = G.nodes[v]
        H.add_node(v, **{k: d.get(k) for k in NODE_FIELDS})
    kept = set(keep)
    edges = [
        (u, v, _strength(d)) for u, v, d in G.edges(kept, data=True) if u in kept and v in kept
    ]
    total_edges = len(edges)
    edges.sort(key=lambda e: -e[2])
    edges = edges[:max_edges]
    H.add_weighted_edges_from(edges, weight="strength")
    src = [s for s in src if s in kept]
    tgt = [t for t in tgt if t in kept]
    layers = _layers(H, src, tgt) if layout != "spring" else None
    if layout == "auto" and H.number_of_nodes() > 60:
        layers = None
    pos = _positions(H, layers, seed)
    physics = layers is None and H.number_of_nodes() <= PHYSICS_MAX_NODES

    from pyvis.network import Network  # the data model of the page; imported on use

    # directed=True only skips pyvis's quadratic duplicate-edge check (nx.Graph has no
    # duplicates); arrows are switched off below, so the picture is undirected.
    net = Network(height=f"{int(height)}px", width="100%", directed=True, cdn_resources="in_line")
    ids = {v: f"n{i}" for i, v in enumerate(H.nodes)}
    src_set, tgt_set = set(src), set(tgt)
    for v, d in H.nodes(data=True):
        best = max((w for _, _, w in H.edges(v, data="strength")), default=0.0)
        name = _plain(d.get("name") or "(no name)", _LABEL_MAX)
        tip = [_plain(d.get("name") or "(no name)", _TOOLTIP_FIELD_MAX)]
        role = " at ".join(
            x for x in (_plain(d.get("title") or "", _TOOLTIP_FIELD_MAX),
                        _plain(d.get("company") or "", _TOOLTIP_FIELD_MAX)) if x
        )  # fmt: skip
        if role:
            tip.append(role)
        if v in src_set:
            shape, color, size = "diamond", _SOURCE_COLOR, 20
            tip.append("asking for the intro")
        elif v in tgt_set:
            shape, color, size = "star", _TARGET_COLOR, 24
            tip.append("target")
        else:
            shape, color, size = "dot", _band_color(best), 12 + 10 * best
            if d.get("team"):
                tip.append("on the team")
        x, y = pos.get(v, (0.0, 0.0))
        net.add_node(ids[v], label=name, title="\n".join(tip), shape=shape, color=color,
                     size=round(size, 1), x=round(x, 1), y=round(y, 1))  # fmt: skip
    for u, v, w in H.edges(data="strength"):
        tip = (f"{_plain(H.nodes[u].get('name') or '?', 60)} – {_plain(H.nodes[v].get('name') or '?', 60)}\n"
               f"strength {w:.2f} ({strength_band(w)})")  # fmt: skip
        extra = {}
        if layers is not None and abs(layers[u] - layers[v]) > 1:
            # a tie that skips a column would run straight through the people drawn there
            extra["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.35}
        net.add_edge(ids[u], ids[v], width=round(1 + 7 * w, 2), color=_band_color(w), title=tip,
                     arrows={"to": {"enabled": False}}, **extra)  # fmt: skip
    nodes, vis_edges, *_ = net.get_network_data()
    options = {
        "autoResize": True,
        "physics": {
            "enabled": physics,
            "stabilization": {"enabled": True, "iterations": 120, "fit": True},
            "barnesHut": {"springLength": 140, "avoidOverlap": 0.2},
        },
        "layout": {"improvedLayout": False, "randomSeed": int(seed)},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "keyboard": False,
            "hideEdgesOnDrag": len(vis_edges) > 400,
        },  # fmt: skip
        "nodes": {
            "font": {
                "size": 14,
                "face": "system-ui, sans-serif",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "borderWidth": 1,
        },  # fmt: skip
        "edges": {"smooth": False, "color": {"inherit": False}, "selectionWidth": 2},
    }
    data = {
        "nodes": [
            {
                k: n[k]
                for k in ("id", "label", "title", "shape", "color", "size", "x", "y")
                if k in n
            }
            for n in nodes
        ],  # fmt: skip
        "edges": [
            {
                k: e[k]
                for k in ("from", "to", "width", "color", "title", "arrows", "smooth")
                if k in e
            }
            for e in vis_edges
        ],  # fmt: skip
        "options": options,
    }
    html = graph_page(_DRAW_CALL % {"data": script_json(data)}, int(height), inline_vis=True)
    return GraphView(
        html=html,
        data=data,
        height=int(height),
        nodes=H.number_of_nodes(),
        edges=H.number_of_edges(),
        left_out_nodes=G.number_of_nodes() - H.number_of_nodes(),
        left_out_edges=total_edges - len(edges),
        physics=physics,
        kept_by="nearest to the people marked" if src or tgt else "best connected",
    )


def paths_graph(paths: Sequence[Any]) -> nx.Graph:
    """The people and ties of intro paths as a graph to draw.

    `paths` are `graph.intro.IntroPath` objects (or their ``to_dict()``): nodes are the
    person ids on the paths with ``name``, ``company``, ``title``; edges carry ``strength``.

    >>> from types import SimpleNamespace as P
    >>> p = P(path=[{"id": "p1", "name": "Ann"}, {"id": "p2", "name": "Bo"}],
    ...       ties=[{"from": "p1", "to": "p2", "strength": 0.4}])
    >>> sorted(paths_graph([p]).edges(data="strength"))
    [('p1', 'p2', 0.4)]
    """
    G = nx.Graph()
    for p in paths:
        hops = p["path"] if isinstance(p, Mapping) else p.path
        ties = p["ties"] if isinstance(p, Mapping) else p.ties
        for person in hops:
            G.add_node(person["id"], **{k: person.get(k) for k in ("name", "company", "title")})
        for t in ties:
            G.add_edge(t["from"], t["to"], strength=float(t["strength"]))
    return G


# ---------------------------------------------------------------------- the page
@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS (the tooltip's rules) from the installed pyvis
    package."""
    base = resources.files("pyvis").joinpath(*_VIS_DIR)
    js = base.joinpath("vis-network.min.js").read_text(encoding="utf-8")
    full_css = base.joinpath("vis-network.css").read_text(encoding="utf-8")
    # only the tooltip's rules: the rest (220 KB, mostly inlined button images) styles the
    # navigation buttons and editors this page does not use
    rules = (r.strip() + "}" for r in full_css.split("}"))
    css = "".join(r for r in rules if "vis-tooltip" in r.split("{", 1)[0]) or _TOOLTIP_CSS
    # the bundle is inlined in <script>/<style>: it must not be able to close them
    if "</script" in js.lower() or "<!--" in js or "</style" in css.lower():
        raise RuntimeError("the vis-network bundle cannot be inlined safely")
    return js, css


_LEGEND = "".join(
    f'<span class="k"><i style="background:{color}"></i>{html_text(name)} '
    f"(&ge; {lo:.1f})</span>" if lo else
    f'<span class="k"><i style="background:{color}"></i>{html_text(name)}</span>'
    for lo, name, color in STRENGTH_BANDS
)  # fmt: skip

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src %(script_src)s; style-src 'unsafe-inline'; img-src data:">
<title>tiegraph</title>
<style>%(css)s</style>
<style>
html,body{margin:0;padding:0;background:#fff;font:13px system-ui,sans-serif;color:#24292f}
#tg-net{width:100%%;height:%(height)dpx;border:1px solid #d0d7de;border-radius:6px;box-sizing:border-box}
#tg-legend{padding:4px 2px;color:#57606a}
#tg-legend .k{margin-right:14px;white-space:nowrap}
#tg-legend i{display:inline-block;width:18px;height:4px;margin-right:5px;vertical-align:middle}
#tg-legend .s{color:%(source)s}#tg-legend .t{color:%(target)s}
div.vis-tooltip{white-space:pre-line;max-width:360px;font:13px system-ui,sans-serif}
</style></head>
<body>
<div id="tg-net"></div>
<div id="tg-legend"><span class="k s">&#9670; asking</span><span class="k t">&#9733; target</span>%(legend)s</div>
%(vis)s
<script>%(draw)s</script>
%(scripts)s
</body></html>
"""

#: ``tiegraphDraw(data)`` draws `GraphView.data` into the page's ``#tg-net`` (replacing what
#: was drawn) and marks ``<body>`` when done: ``data-drawn`` (people drawn), ``data-drawn-ms``
#: (when, on the page's clock) and ``data-drawn-seq`` (drawings so far), which the browser
#: tests and the app benchmark wait for. Labels are drawn on a canvas and string tooltips
#: shown with ``innerText``: nothing in the data is parsed as HTML.
DRAW_JS = """
var tiegraphNetwork = null;
function tiegraphDraw(data) {
  "use strict";
  if (tiegraphNetwork) { tiegraphNetwork.destroy(); }
  var network = new vis.Network(document.getElementById("tg-net"), {
    nodes: new vis.DataSet(data.nodes),
    edges: new vis.DataSet(data.edges)
  }, data.options);
  network.once("afterDrawing", function () {
    var b = document.body;
    b.setAttribute("data-drawn-ms", String(Math.round(performance.now())));
    b.setAttribute("data-drawn", String(data.nodes.length));
    b.setAttribute("data-drawn-seq", String(Number(b.getAttribute("data-drawn-seq") || 0) + 1));
  });
  network.fit();
  tiegraphNetwork = network;  // for the browser tests: node positions on screen
  return network;
}
"""

_DRAW_CALL = """<script type="application/json" id="tg-data">%(data)s</script>
<script>tiegraphDraw(JSON.parse(document.getElementById("tg-data").textContent));</script>"""


def graph_page(scripts: str, height: int, *, inline_vis: bool = False) -> str:
    """The graph page around `scripts` (HTML that calls ``tiegraphDraw(data)``).

    With `inline_vis`, vis-network is inlined and the page fetches nothing (`render_graph`'s
    self-contained page); otherwise it loads ``vis-network.min.js`` from beside itself (the
    app's graph component serves the file, so the browser compiles the library once and
    caches it). Either way the Content-Security-Policy lets no request leave the machine:
    scripts come from the page itself or its own origin, nothing else at all.
    """
    js, css = vis_assets()
    vis = f"<script>{js}</script>" if inline_vis else '<script src="vis-network.min.js"></script>'
    return _PAGE % {
        "css": css,
        "vis": vis,
        "script_src": "'unsafe-inline'" if inline_vis else "'self' 'unsafe-inline'",
        "draw": DRAW_JS,
        "scripts": scripts,
        "height": int(height),
        "legend": _LEGEND,
        "source": _SOURCE_COLOR,
        "target": _TARGET_COLOR,
    }
