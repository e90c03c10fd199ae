"""The app in a real browser: `tiegraph demo`, `tiegraph app`, Chromium driven by Playwright.

Runs with the system's Chromium (``/usr/bin/chromium``, or ``$TIEGRAPH_CHROMIUM``; CI installs
it with ``.ci/setup-browser``, which also sets ``TIEGRAPH_CHROMIUM`` so that a missing browser
fails there instead of skipping). Set ``TIEGRAPH_SCREENSHOT=docs/find-intro.png`` to save the
screenshot the README shows.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.explorer import Explorer

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("TIEGRAPH_CHROMIUM") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WAIT_MS = 60_000


def _need_browser() -> None:
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "Playwright for Python is not installed (pip install '.[test]')"
    if missing is None and not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        missing = (
            f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or run .ci/setup-browser)"
        )
    if missing:
        if os.environ.get("TIEGRAPH_CHROMIUM"):  # CI set a browser up: it must be there
            pytest.fail(missing)
        pytest.skip(missing)


def _tiegraph() -> list[str]:
    exe = shutil.which("tiegraph", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "graph.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`tiegraph demo` into a fresh workspace, then `tiegraph app` on a free loopback port."""
    _need_browser()
    home = tmp_path_factory.mktemp("e2e")
    ws = home / "demo.db"
    env = {k: v for k, v in os.environ.items() if k not in ("TIEGRAPH_WORKSPACE", "TIEGRAPH_ME")}
    subprocess.run([*_tiegraph(), "demo", "--workspace", str(ws), "--json"], check=True, env=env,
                   cwd=home, stdout=subprocess.DEVNULL, timeout=300)  # fmt: skip
    port = _free_port()
    log = open(home / "app.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*_tiegraph(), "app", "--workspace", str(ws), "--port", str(port)],
                            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"tiegraph app exited: {(home / 'app.log').read_text()}")
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not become healthy: {(home / 'app.log').read_text()}")
            time.sleep(0.25)
        yield {"url": url, "workspace": ws}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(app: dict) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, app: dict) -> Iterator[Any]:
    """A page on the app that records console errors, page errors, dialogs and any request
    that leaves the machine; each test checks them at its end."""
    pg = browser.new_page(viewport={"width": 1400, "height": 2400})
    seen: dict[str, list] = {"errors": [], "dialogs": [], "external": []}
    pg.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    pg.on("dialog", dialog)

    def request(r: Any) -> None:
        if not r.url.startswith((app["url"], "data:", "about:", "blob:")):
            seen["external"].append(r.url)

    pg.on("request", request)
    pg.seen = seen
    pg.goto(app["url"])
    pg.get_by_label("Who do you want to meet?").wait_for(timeout=WAIT_MS)
    yield pg
    pg.close()


def _search(pg: Any, text: str, title: str = "") -> None:
    pg.get_by_label("Who do you want to meet?").fill(text)
    pg.get_by_label("Title at the company (optional)").fill(title)
    pg.get_by_label("Title at the company (optional)").press("Enter")


#: True once the page's graph frame shows the intro paths (`ui.graph_component`: one frame,
#: kept between searches, whose body names the picture and counts its drawings).
_PATHS_DRAWN = """() => [...document.querySelectorAll('iframe')].some((f) => {
    const b = f.contentDocument && f.contentDocument.body;
    return b && b.dataset.view === 'Graph of the intro paths' && b.getAttribute('data-drawn');
})"""


def _graph_frame(pg: Any) -> Any:
    pg.wait_for_function(_PATHS_DRAWN, timeout=WAIT_MS)
    for el in pg.query_selector_all("iframe"):
        frame = el.content_frame()
        if frame and frame.evaluate("() => document.body.dataset.view") == "Graph of the intro paths":
            el.scroll_into_view_if_needed()
            return frame
    raise AssertionError("no graph of the intro paths in the page")


def _hover_node(frame: Any, label: str) -> str:
    """Move the mouse onto the node labelled `label`; returns the tooltip's text."""
    xy = frame.evaluate(
        """(label) => {
            const n = window.tiegraphNetwork;
            const id = n.body.data.nodes.get().find((d) => d.label === label).id;
            return n.canvasToDOM(n.getPosition(id));
        }""",
        label,
    )
    frame.locator("canvas").hover(position={"x": xy["x"], "y": xy["y"]})
    frame.wait_for_function(
        "() => { const t = document.querySelector('div.vis-tooltip');"
        " return t && t.style.visibility === 'visible'; }",
        timeout=WAIT_MS,
    )
    return frame.eval_on_selector("div.vis-tooltip", "(t) => t.innerText")


def _clean(pg: Any) -> None:
    pg.wait_for_timeout(500)  # let late handlers (a dialog from injected markup) fire
    assert pg.seen["dialogs"] == [], pg.seen["dialogs"]
    assert pg.seen["errors"] == [], pg.seen["errors"]
    assert pg.seen["external"] == [], pg.seen["external"]


def test_search_shows_ranked_cards_and_the_graph(page: Any, app: dict):
    with Explorer.open(app["workspace"]) as ex:
        expected = ex.intro("Globex Inc", company=True, title="CFO", team=True)
    _search(page, "Globex", "CFO")
    page.get_by_text("Warm intros to CFO at Globex Inc").wait_for(timeout=WAIT_MS)
    for p in expected.paths:  # every card, in the library's order, with its score
        page.get_by_text(f"#{p.rank} · score {p.score:.3f}").wait_for(timeout=WAIT_MS)
    first = " → ".join(x["name"] for x in expected.paths[0].path)
    assert page.get_by_role("heading", name=first).count() == 1
    frame = _graph_frame(page)
    assert frame.locator("canvas").is_visible()
    drawn = {x["id"] for p in expected.paths for x in p.path}
    assert int(frame.locator("body").get_attribute("data-drawn")) == len(drawn)
    target = expected.paths[0].path[-1]["name"]
    assert target in _hover_node(frame, target)
    if os.environ.get("TIEGRAPH_SCREENSHOT"):  # the README's picture: the top of the answer
        page.mouse.move(0, 0)
        page.set_viewport_size({"width": 1400, "height": 1500})
        page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")
        page.wait_for_timeout(1000)
        page.screenshot(path=os.environ["TIEGRAPH_SCREENSHOT"])
    _clean(page)


@pytest.mark.parametrize(
    "name", ["<img src=x onerror=alert(1)> Moreau", "<script>alert(1)</script> Nowak"]
)
def test_hostile_names_are_text_and_run_nothing(page: Any, name: str):
    _search(page, name.split(">")[0] + ">")
    # the name as the page shows it: plain text in the heading, the cards and the graph
    page.get_by_role("heading", name=f"Warm intros to {name}").wait_for(timeout=WAIT_MS)
    page.get_by_text("#1 · score").first.wait_for(timeout=WAIT_MS)
    assert page.get_by_text(name).count() >= 2  # the heading, and the first card
    assert page.locator("img[src='x']").count() == 0
    assert (
        page.evaluate("() => [...document.scripts].some((s) => s.textContent.includes('alert(1)'))")
        is False
    )
    frame = _graph_frame(page)
    tip = _hover_node(frame, name)
    assert name in tip
    # text only: innerText turns the line breaks into <br>, and nothing else becomes an element
    assert frame.locator("div.vis-tooltip *:not(br)").count() == 0
    assert "&lt;" in frame.eval_on_selector("div.vis-tooltip", "(t) => t.innerHTML")
    assert frame.locator("img").count() == 0
    _clean(page)


def test_a_second_search_redraws_the_graph_in_the_same_frame(page: Any, app: dict):
    with Explorer.open(app["workspace"]) as ex:
        first = ex.intro("Globex Inc", company=True, title="CFO", team=True)
        second = ex.intro("Initech", company=True, team=True)
    _search(page, "Globex", "CFO")
    frame = _graph_frame(page)
    assert int(frame.locator("body").get_attribute("data-drawn")) == len(
        {x["id"] for p in first.paths for x in p.path}
    )
    seq = int(frame.locator("body").get_attribute("data-drawn-seq"))
    frame.evaluate("() => { window.tgKept = 42; }")  # gone if the frame were loaded anew
    # the next search in one step (no intermediate run with the old title)
    page.get_by_label("Title at the company (optional)").fill("")
    box = page.get_by_label("Who do you want to meet?")
    box.fill("Initech")
    box.press("Enter")
    page.get_by_text(f"Warm intros to {second.target.label}").wait_for(timeout=WAIT_MS)
    frame.wait_for_function(f"() => Number(document.body.dataset.drawnSeq) > {seq}", timeout=WAIT_MS)
    # the same frame and document (the page and vis-network stay loaded), drawing the new paths
    assert frame.evaluate("() => window.tgKept") == 42
    assert int(frame.locator("body").get_attribute("data-drawn")) == len(
        {x["id"] for p in second.paths for x in p.path}
    )
    labels = set(frame.evaluate("() => tiegraphNetwork.body.data.nodes.get().map((n) => n.label)"))
    assert {second.paths[0].path[-1]["name"]} <= labels
    assert len(page.query_selector_all("iframe")) == 1
    _clean(page)
