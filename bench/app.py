"""How fast the app feels, measured in a real browser (Chromium driven by Playwright).

    python bench/app.py --workspace tiegraph.db --target Globex --title CFO
    python bench/app.py --workspace tiegraph.db --more Initech,Hooli,Acme --baseline
    python bench/load.py --rows 100000 --dir /tmp/li100k --skip-resolver --index
    python bench/app.py --workspace /tmp/li100k/ws.db --target "Blue Logistics" --title "Data Engineer"

Starts ``tiegraph app`` on a free loopback port (or uses ``--url``) and prints, over
``--runs`` fresh browser pages:

* first render: navigation until the search box is there (cold browser cache, and again warm);
* search: on a fresh page, once its first picture is drawn (as a person reads before typing),
  Enter in the search box until the first ranked card shows, and until the graph of the
  paths is drawn (a fresh page each time); with ``--more``, later searches in the same page;
* graph view: a `graph.viz` page of ``--nodes`` people (the team's ego network, capped by the
  view itself) loaded into a page until vis-network has drawn it; and the Python time to build
  the page;
* with ``--baseline``, the first render of a bare one-widget Streamlit app on the same machine,
  which is the floor Streamlit's own frontend sets.

Goals (issue 6): first render <= 2 s, search -> paths drawn <= 1 s on 100k people, a 300-node
graph drawn <= 1 s. The machine's load average is printed too: timings on a shared machine
are only as good as its idle CPU.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = os.environ.get("TIEGRAPH_CHROMIUM") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WAIT = 120_000


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not become healthy")


def start(cmd: list[str], env: dict, cwd: str | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def stats(xs: list[float]) -> str:
    return (f"p50 {statistics.median(xs):.2f} s  min {min(xs):.2f}  max {max(xs):.2f}  "
            f"(n={len(xs)})")  # fmt: skip


def first_render(browser, url: str, runs: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    cold, warm = [], []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1400, "height": 1200})
        for bucket in (cold, warm):
            pg = ctx.new_page()
            t = time.perf_counter()
            pg.goto(url, wait_until="commit")
            pg.get_by_label("Who do you want to meet?").wait_for(timeout=WAIT)
            bucket.append(time.perf_counter() - t)
            pg.close()
        ctx.close()
    return cold, warm


def _settle(pg) -> None:  # noqa: ANN001
    """Wait as a person reads the fresh page before typing: until its first picture (the
    team's graph) is drawn, or 3 s when it has none."""
    from playwright.sync_api import TimeoutError as NoPicture

    try:
        pg.wait_for_function(f"() => ({_DRAWINGS})() > 0", timeout=3000)
    except NoPicture:  # no picture on this page: the 3 s were the wait
        pass
    pg.wait_for_timeout(300)


def search(
    browser, url: str, target: str, title: str, runs: int
) -> tuple[list[float], list[float]]:  # noqa: ANN001
    cards, drawn = [], []
    for _ in range(runs):
        pg = browser.new_page(viewport={"width": 1400, "height": 2400})
        pg.goto(url)
        box = pg.get_by_label("Who do you want to meet?")
        box.wait_for(timeout=WAIT)
        pg.get_by_label("Title at the company (optional)").fill(title)
        pg.get_by_label("Title at the company (optional)").press("Enter")
        _settle(pg)
        box.fill(target)
        t = time.perf_counter()
        box.press("Enter")
        pg.get_by_text("#1 · score").first.wait_for(timeout=WAIT)
        cards.append(time.perf_counter() - t)
        pg.wait_for_function(_PATHS_DRAWN, arg=0, timeout=WAIT)
        drawn.append(time.perf_counter() - t)
        pg.close()
    return cards, drawn


#: The paths are drawn in the page's graph frame (`ui.graph_component`: one frame, kept between
#: searches, whose body names the picture and counts its drawings), more than `seq` times.
_PATHS_DRAWN = """(seq) => [...document.querySelectorAll('iframe')].some((f) => {
    const b = f.contentDocument && f.contentDocument.body;
    return b && b.dataset.view === 'Graph of the intro paths' && Number(b.dataset.drawnSeq) > seq;
})"""
_DRAWINGS = """() => Math.max(0, ...[...document.querySelectorAll('iframe')].map(
    (f) => Number((f.contentDocument && f.contentDocument.body.dataset.drawnSeq) || 0)))"""


def search_again(browser, url: str, targets: list[str]) -> list[float]:  # noqa: ANN001
    """Several searches in one page (as a user does): Enter until the new paths are drawn."""
    pg = browser.new_page(viewport={"width": 1400, "height": 2400})
    pg.goto(url)
    box = pg.get_by_label("Who do you want to meet?")
    box.wait_for(timeout=WAIT)
    times = []
    for target in targets:
        box.fill(target)
        seq = pg.evaluate(_DRAWINGS)
        t = time.perf_counter()
        box.press("Enter")
        pg.wait_for_function(_PATHS_DRAWN, arg=seq, timeout=WAIT)
        times.append(time.perf_counter() - t)
    pg.close()
    return times[1:]  # the first one is a fresh page's first search; `search` measures that


def graph_page(workspace: Path, nodes: int) -> tuple[str, float, int]:
    """A viz page of the team's ego network (two hops out, then capped at `nodes`)."""
    from graph.build import to_networkx
    from graph.explorer import Explorer
    from graph.viz import render_graph

    with Explorer.open(workspace) as ex:
        index = ex.index()
        team = [int(i) for i in index.team.nonzero()[0]] or [0]
        keep = set(team)
        frontier = list(team)
        while frontier and len(keep) < 3 * nodes:
            nxt = []
            for u in frontier:
                for v in index.neighbors(u)[0][:50].tolist():
                    if v not in keep:
                        keep.add(v)
                        nxt.append(v)
            frontier = nxt
        G = to_networkx(index, keep)
        sources = [f"p{int(index.pids[i])}" for i in team]
        t = time.perf_counter()
        view = render_graph(G, sources=sources, max_nodes=nodes)
        return view.html, time.perf_counter() - t, view.nodes


def draw(browser, html: str, runs: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    outside, inside = [], []
    for _ in range(runs):
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        t = time.perf_counter()
        pg.set_content(html)
        pg.wait_for_selector("body[data-drawn]", timeout=WAIT)
        outside.append(time.perf_counter() - t)
        inside.append(int(pg.get_attribute("body", "data-drawn-ms")) / 1000)
        pg.close()
    return outside, inside


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)  # fmt: skip
    ap.add_argument("--workspace", required=True, type=Path)
    ap.add_argument("--url", help="an app already running (else `tiegraph app` is started)")
    ap.add_argument("--target", default="Globex")
    ap.add_argument("--title", default="CFO")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--more", help="comma-separated targets searched after it in the same page")
    ap.add_argument("--nodes", type=int, default=300)
    ap.add_argument("--baseline", action="store_true", help="also time a bare Streamlit app")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "TIEGRAPH_WORKSPACE": str(args.workspace.resolve())}
    env.pop("TIEGRAPH_ME", None)
    procs = []
    url = args.url
    if not url:
        port = free_port()
        exe = shutil.which("tiegraph", path=str(Path(sys.executable).parent))
        cmd = [exe] if exe else [sys.executable, "-m", "graph.cli"]
        procs.append(start([*cmd, "app", "--port", str(port)], env))
        url = f"http://127.0.0.1:{port}/"
    try:
        say(f"waiting for {url}")
        wait_healthy(url, procs[0] if procs else None)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            say("warming up (the first session builds or loads the index)")
            search(browser, url, args.target, args.title, 1)
            load0 = os.getloadavg()[0]
            cold, warm = first_render(browser, url, args.runs)
            print(f"first render, cold cache:  {stats(cold)}   goal <= 2 s")
            print(f"first render, warm cache:  {stats(warm)}")
            cards, drawn = search(browser, url, args.target, args.title, args.runs)
            print(f"search -> first card:      {stats(cards)}")
            print(f"search -> paths drawn:     {stats(drawn)}   goal <= 1 s")
            if args.more:
                again = search_again(browser, url, [args.target, *args.more.split(",")] * 2)
                print(f"  later searches, same page: {stats(again)}")
            html, build_s, n = graph_page(args.workspace, args.nodes)
            outside, inside = draw(browser, html, args.runs)
            print(f"graph view, {n} nodes: page built in {build_s:.2f} s (Python); drawn in "
                  f"{stats(outside)} (load to first draw; in-page {statistics.median(inside):.2f} s)"
                  f"   goal <= 1 s")  # fmt: skip
            if args.baseline:
                with tempfile.TemporaryDirectory() as tmp:
                    Path(tmp, "bare.py").write_text(
                        'import streamlit as st\nst.text_input("Who do you want to meet?")\n'
                    )
                    bport = free_port()
                    bp = start([sys.executable, "-m", "streamlit", "run", "bare.py", "--server.port",
                                str(bport), "--server.headless", "true",
                                "--browser.gatherUsageStats", "false"], env, cwd=tmp)  # fmt: skip
                    procs.append(bp)
                    burl = f"http://127.0.0.1:{bport}/"
                    wait_healthy(burl, bp)
                    first_render(browser, burl, 1)
                    bcold, bwarm = first_render(browser, burl, args.runs)
                    print(f"bare Streamlit app, cold:  {stats(bcold)}")
                    print(f"bare Streamlit app, warm:  {stats(bwarm)}")
            browser.close()
        print(f"load average during the runs: {load0:.1f} -> {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} CPUs")  # fmt: skip
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
