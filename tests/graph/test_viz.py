"""The graph view: hostile names stay text, ids are opaque, nothing is fetched, the caps hold."""

from __future__ import annotations

import copy
import json
import re

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.demo import HOSTILE_NAMES
from graph.viz import (
    MAX_NODES,
    PHYSICS_MAX_NODES,
    vis_assets,
    paths_graph,
    render_graph,
    script_json,
    strength_band,
)

HOSTILE = [f"{first} {last}" for first, last in HOSTILE_NAMES] + [
    "</script><script>alert(2)</script>",
    "<!-- <script>",
    "Ann\u2028Bee\u2029\x1b[31mRed",
    "\"quoted\" & 'single'",
]


def _data(html: str) -> dict:
    """The JSON block of the page, parsed as the page parses it."""
    m = re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


def _hostile_graph() -> nx.Graph:
    """A star: the source p0 tied to one person per hostile name, each with private extras."""
    G = nx.Graph()
    G.add_node("p0", name="Priya Shah", company="Northwind", title="VP Sales", team=True)
    for i, name in enumerate(HOSTILE, 1):
        G.add_node(f"p{i}", name=name, company=f"<b>Co {i}</b>", title="=HYPERLINK(\"x\")",
                   email=f"secret{i}@example.com", notes="private note")  # fmt: skip
        G.add_edge("p0", f"p{i}", strength=i / (len(HOSTILE) + 1), evidence="message body")
    return G


def test_hostile_names_are_plain_text_in_the_page():
    view = render_graph(_hostile_graph(), sources=["p0"], targets=["p1"])
    html = view.html
    # no markup from data anywhere in the page: every < of a name is \u003c in the JSON
    for bad in ("<img src=x", "<script>alert", "</script><script>", "<!-- <script>", "<b>Co"):
        assert bad not in html
    # exactly our own four script elements (vis-network, the drawing function, the data, the
    # call), each closed once (the vis bundle itself holds a "<script>" string but never
    # "</script" or "<!--", which `vis_assets` checks)
    page = html.replace(vis_assets()[0], "")
    assert page.count("<script") == 4 and html.count("</script>") == 4 and "<!--" not in html
    data = _data(html)
    assert data == view.data  # what the app's graph component is given is what the page draws
    labels = {n["label"] for n in data["nodes"]}
    # shown as written (controls and line separators removed, long names cut with an ellipsis)
    assert "<img src=x onerror=alert(1)> Moreau" in labels
    assert "<script>alert(1)</script> Nowak" in labels
    assert "Ann Bee Red" in labels  # line separators are spaces, the colour code is gone
    tips = " ".join(n["title"] for n in data["nodes"])
    assert "<b>Co 1</b>" in tips  # the tooltip is text for innerText, not HTML
    assert "\x1b" not in tips and "\u2028" not in tips


def test_only_whitelisted_attributes_and_opaque_ids_reach_the_page():
    G = _hostile_graph()
    html = render_graph(G, sources=["p0"]).html
    data = _data(html)
    assert [n["id"] for n in data["nodes"]] == [f"n{i}" for i in range(G.number_of_nodes())]
    assert all(
        re.fullmatch(r"n\d+", e["from"]) and re.fullmatch(r"n\d+", e["to"]) for e in data["edges"]
    )
    for leaked in ("secret1@example.com", "private note", "message body", '"p0"', '"p1"'):
        assert leaked not in html
    assert {k for n in data["nodes"] for k in n} <= {
        "id",
        "label",
        "title",
        "shape",
        "color",
        "size",
        "x",
        "y",
    }
    assert {k for e in data["edges"] for k in e} <= {
        "from",
        "to",
        "width",
        "color",
        "title",
        "arrows",
        "smooth",
    }


def test_assets_are_inlined_and_nothing_is_fetched():
    html = render_graph(_hostile_graph(), sources=["p0"]).html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
    assert "vis.Network" in html and "cdnjs" not in html and "jsdelivr" not in html
    assert "default-src 'none'" in html  # the page's CSP blocks any request it might try
    assert "innerHTML" not in html.split('<script type="application/json"')[0]  # our markup


def test_node_cap_keeps_the_marked_people_and_says_what_was_left_out():
    """A path of 1,000 people p0 - p1 - ... - p999: with the cap at 300, the source p0 and the
    target p999 are drawn, plus the 298 people nearest to them (149 from each end)."""
    G = nx.path_graph([f"p{i}" for i in range(1000)])
    nx.set_edge_attributes(G, 0.5, "strength")
    view = render_graph(G, sources=["p0"], targets=["p999"], max_nodes=300)
    assert (view.nodes, view.left_out_nodes) == (300, 700)
    assert view.note and "700 more people not drawn" in view.note
    data = _data(view.html)
    assert len(data["nodes"]) == 300
    assert {"diamond", "star"} <= {n["shape"] for n in data["nodes"]}
    assert not view.physics and data["options"]["physics"]["enabled"] is False
    assert MAX_NODES == 300


def test_edge_cap_keeps_the_strongest_ties():
    G = nx.complete_graph(30)
    for k, (u, v) in enumerate(sorted(G.edges)):
        G.edges[u, v]["strength"] = k / 435
    view = render_graph(G, max_edges=100)
    assert (view.edges, view.left_out_edges) == (100, 335)
    widths = sorted(e["width"] for e in _data(view.html)["edges"])
    assert widths[0] == pytest.approx(1 + 7 * (335 / 435), abs=0.01)  # the 336th weakest


def test_the_input_graph_is_never_changed():
    G = _hostile_graph()
    before = copy.deepcopy(G)
    render_graph(G, sources=["p0"], targets=["p3"], max_nodes=3)
    assert nx.utils.graphs_equal(G, before)
    assert dict(G.nodes(data=True)) == dict(before.nodes(data=True))
    assert list(G.edges(data=True)) == list(before.edges(data=True))


def test_colours_by_band_width_by_strength_and_marked_people():
    G = nx.Graph()
    G.add_edge("a", "b", strength=0.8)
    G.add_edge("b", "c", strength=0.3)
    G.add_edge("c", "d", strength=0.05)
    nx.set_node_attributes(G, {v: v for v in G}, "name")
    data = _data(render_graph(G, sources=["a"], targets=["d"]).html)
    edges = sorted(data["edges"], key=lambda e: -e["width"])
    assert [round(e["width"], 2) for e in edges] == [6.6, 3.1, 1.35]  # 1 + 7 x strength
    assert len({e["color"] for e in edges}) == 3  # strong, medium, weak
    assert [strength_band(s) for s in (0.8, 0.3, 0.05)] == ["strong", "medium", "weak"]
    shapes = {n["label"]: n["shape"] for n in data["nodes"]}
    assert shapes == {"a": "diamond", "b": "dot", "c": "dot", "d": "star"}


def test_paths_are_laid_out_left_to_right_small_graphs_have_physics():
    G = nx.Graph()
    G.add_edge("s", "m", strength=0.6)
    G.add_edge("m", "t", strength=0.3)
    G.add_edge("s", "t", strength=0.1)  # a direct tie skips the middle column: drawn curved
    nx.set_node_attributes(G, {v: v for v in G}, "name")
    view = render_graph(G, sources=["s"], targets=["t"])
    data = _data(view.html)
    x = {n["label"]: n["x"] for n in data["nodes"]}
    assert x["s"] < x["m"] < x["t"] and not view.physics
    assert sum("smooth" in e for e in data["edges"]) == 1
    ring = nx.cycle_graph(12)
    assert render_graph(ring).physics and ring.number_of_nodes() <= PHYSICS_MAX_NODES
    assert not render_graph(nx.cycle_graph(PHYSICS_MAX_NODES + 1)).physics


def test_paths_graph_from_intro_answers(demo_ws_path):
    from graph.explorer import Explorer

    with Explorer.open(demo_ws_path) as ex:
        result = ex.intro("Globex", title="CFO", team=True, k=3)
    G = paths_graph(result.paths)
    people = {x["id"] for p in result.paths for x in p.path}
    ties = {frozenset((t["from"], t["to"])) for p in result.paths for t in p.ties}
    assert set(G.nodes) == people and {frozenset(e) for e in G.edges} == ties
    view = render_graph(G, sources=[p.path[0]["id"] for p in result.paths],
                        targets=[result.paths[0].path[-1]["id"]])  # fmt: skip
    assert view.nodes == len(people) and not any(
        pid in view.html for pid in (f'"{i}"' for i in people)
    )


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        render_graph(nx.Graph(), layout="circle")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_script_json_round_trips_and_cannot_close_a_script(text):
    out = script_json({"name": text})
    assert json.loads(out) == {"name": text}
    assert "<" not in out and ">" not in out and "&" not in out
    assert "\u2028" not in out and "\u2029" not in out
