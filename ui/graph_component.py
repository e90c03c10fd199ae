"""The graph view in the app: one Streamlit component that stays loaded between searches.

`graph.viz.render_graph` also makes a self-contained page, but embedding that page anew on
every search would send vis-network (about 470 KB) to the browser each time and make it
parse and compile the library again before anything is drawn. This component is a page of
its own, served by the app with vis-network beside it: the browser loads and caches the
library once, the frame stays in place from one run of the page to the next (same `key`),
and each search sends only the nodes and edges to draw (`GraphView.data`, already plain
text and whitelisted), which ``tiegraphDraw`` draws in place.

The data reaches the frame as a JSON string in a ``postMessage`` and goes through
``JSON.parse`` into vis-network: nothing of it is ever parsed as HTML. The page's
Content-Security-Policy allows scripts from itself and the app only, and no other request.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

from graph.viz import GraphView, graph_page, vis_assets

__all__ = ["show_graph"]

# The Streamlit component protocol (what streamlit-component-lib does), without the library:
# say "ready", draw on every "render" from the app, and report the page's height.
_LISTEN = """<script>
(function () {
  "use strict";
  function send(type, extra) {
    var m = {isStreamlitMessage: true, type: type};
    for (var k in extra) { m[k] = extra[k]; }
    window.parent.postMessage(m, "*");
  }
  window.addEventListener("message", function (ev) {
    var m = ev.data;
    if (ev.source !== window.parent || !m || m.type !== "streamlit:render" || !m.args) { return; }
    var a = m.args;
    document.body.setAttribute("data-view", String(a.title || ""));
    document.title = String(a.title || "tiegraph");
    document.getElementById("tg-net").style.height = Number(a.height) + "px";
    tiegraphDraw(JSON.parse(a.data));
    send("streamlit:setFrameHeight", {height: document.documentElement.scrollHeight});
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
</script>"""


@lru_cache(maxsize=1)
def _component() -> Any:  # noqa: ANN401 - streamlit's CustomComponent
    """The component, declared once per process, its page and vis-network in a fresh
    temporary folder (removed at exit): the files come from the installed packages."""
    folder = Path(tempfile.mkdtemp(prefix="tiegraph-graph-view-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    (folder / "vis-network.min.js").write_text(vis_assets()[0], encoding="utf-8")
    (folder / "index.html").write_text(graph_page(_LISTEN, 380), encoding="utf-8")
    return components.declare_component("graph_view", path=str(folder))


def show_graph(view: GraphView, *, key: str, title: str) -> None:
    """Draw `view` in the page's graph frame named `key` (the same key in the next run of the
    page keeps the frame and redraws it); `title` names the picture for screen readers and
    the browser tests (``<body data-view>`` of the frame)."""
    data = json.dumps(view.data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    _component()(data=data, height=int(view.height), title=title, key=key, default=None)
