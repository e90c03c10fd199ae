"""The Streamlit app, page by page, with Streamlit's AppTest on a copy of the demo workspace.

Each test points ``TIEGRAPH_WORKSPACE`` at its own workspace and clears the shared resource
cache before and after, so no test sees another's index.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.answers import intro_request
from graph.escape import markdown
from graph.explorer import Explorer
from graph.viz import vis_assets
from graph.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT = 60


@pytest.fixture(autouse=True)
def _fresh_cache():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def demo_app(demo_ws_path, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    """A writable copy of the demo workspace, the one the app opens."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_ws_path, path)
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(path))
    return path


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
        + [w.value for w in at.warning] + [e.value for e in at.error]
    )  # fmt: skip


def _search(at: AppTest, text: str, title: str = "", *, me: str | None = None) -> AppTest:
    at.text_input(key="q").input(text)
    at.text_input(key="title").input(title)
    if me is None:
        at.radio(key="from").set_value("the team")
    else:
        at.radio(key="from").set_value("me").run()
        at.selectbox(key="me").set_value(me)
    at.run()
    assert not at.exception, at.exception
    return at


# ---------------------------------------------------------------------- find an intro
def test_find_page_ranks_like_the_library(demo_app):
    """Priya's best way to Globex's CFO is through Renée García-López (25 messages, both ways,
    who works at Globex): the README's example, and exactly `Explorer.intro`'s answer."""
    with Explorer.open(demo_app) as ex:
        priya = f"p{ex.ws.find_person('Priya Shah')}"
        expected = ex.intro("Globex Inc", company=True, title="CFO", sources=[priya])
    assert expected.paths[0].introducer["name"] == "Renée García-López"
    at = _search(_app(), "Globex", "CFO", me=priya)
    assert at.selectbox(key="pick").value.ref == "Globex Inc"
    shown = at.session_state["intro_result"]
    assert shown == expected.to_dict()
    assert shown["paths"][0]["introducer"]["name"] == "Renée García-López"
    # the first card shows that path and the "why" of each hop
    cards = [m.value for m in at.markdown]
    first = cards.index(f"**#1** · score **{expected.paths[0].score:.3f}** · 2 hops")
    assert cards[first + 1] == "#### " + " → ".join(
        markdown(p["name"]) for p in expected.paths[0].path
    )
    for tie in expected.paths[0].ties:
        assert markdown(tie["why"]) in cards[first + 2]


def test_team_search_and_draft_request(demo_app):
    with Explorer.open(demo_app) as ex:
        expected = ex.intro("Globex Inc", company=True, title="CFO", team=True)
    at = _search(_app(), "Globex", "CFO")
    assert at.session_state["intro_result"]["paths"] == [p.to_dict() for p in expected.paths]
    at.selectbox(key="draft-path").set_value(2)
    at.button(key="draft").click().run()
    assert at.text_area[0].value == intro_request(expected.paths[1])
    assert "Would you be open to introducing us?" in at.text_area[0].value
    _search(at, "Initech")  # another search: the draft was for Globex's CFO, it goes
    assert not at.text_area


def test_options_set_how_many_paths_and_hops(demo_app):
    with Explorer.open(demo_app) as ex:
        expected = ex.intro("Globex Inc", company=True, team=True, k=2, max_hops=2)
    at = _app()
    at.selectbox(key="k").set_value(2)
    at.radio(key="max_hops").set_value(2)
    at = _search(at, "Globex")
    shown = at.session_state["intro_result"]["paths"]
    assert shown == [p.to_dict() for p in expected.paths] and len(shown) == 2
    assert all(len(p["path"]) <= 3 for p in shown)


def test_one_owner_among_crm_reps_is_viewing_and_searching_from_the_first_run(
    demo_exports, tmp_path, monkeypatch
):  # fmt: skip
    """Priya's LinkedIn archive is the only export with an owner; the CRM exports make the
    other reps team members too. On the first run, before the sidebar's "Viewing as" is
    drawn, the page already views and searches as Priya (the picker's default)."""
    from graph.cli import run_load

    path = tmp_path / "one-owner.db"
    with Workspace.open(path) as ws:
        for export, owner in demo_exports:
            if owner is None or owner.startswith("Priya Shah"):
                _, errors = run_load(ws, [str(export)], owner=owner, show_progress=False)
                assert not errors, errors
        priya = f"p{ws.find_person('Priya Shah')}"
        assert len(ws.sql("SELECT id FROM people WHERE team")) > 1
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(path))
    monkeypatch.delenv("TIEGRAPH_ME", raising=False)
    at = _app()
    assert at.selectbox(key="viewer").value == priya
    assert at.radio(key="from").value == "me" and at.selectbox(key="me").value == priya


def test_why_not_box_gives_the_library_answer(demo_app):
    with Explorer.open(demo_app) as ex:
        w = ex.why_not("Globex Inc", "Marco Rossi", company=True, title="CFO", team=True)
    at = _search(_app(), "Globex", "CFO")
    at.text_input(key="whynot").input("Marco Rossi").run()
    assert not at.exception, at.exception
    assert markdown(w.message) in [i.value for i in at.info]


def test_hostile_names_are_shown_as_text(demo_app):
    at = _search(_app(), "<img src=x", me=None)
    pick = at.selectbox(key="pick").value
    assert pick.name == "<img src=x onerror=alert(1)> Moreau"  # a selectbox option is plain text
    text = _texts(at)
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\> Moreau" in text
    assert "<img" not in text.replace("\\<img", "")  # every < from data is escaped


def test_unknown_target_is_a_message(demo_app):
    at = _search(_app(), "Nobody Whatsoever Zzz")
    assert "Nobody and no company in the workspace matches" in _texts(at)


# ---------------------------------------------------------------------- empty and missing
def test_missing_workspace_shows_the_first_step(tmp_path, monkeypatch):
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(tmp_path / "none.db"))
    at = _app()
    text = _texts(at)
    assert "There is no workspace at" in text and "First step" in text
    assert [b.label for b in at.button] == ["Load the demo"]
    assert not (tmp_path / "none.db").exists()  # looking changes nothing


def test_a_file_that_is_no_workspace_is_an_error_message(tmp_path, monkeypatch):
    path = tmp_path / "notes.db"
    path.write_bytes(b"not an SQLite file at all, just some words " * 100)
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(path))
    at = _app()
    (error,) = [e.value for e in at.error]
    assert "is not a tiegraph workspace" in error


def test_empty_workspace_can_load_the_demo(tmp_path, monkeypatch):
    path = tmp_path / "empty.db"
    Workspace.open(path).close()
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(path))
    at = _app()
    assert "The workspace holds no relationships yet" in _texts(at)
    at.button(key="load-demo").click().run()
    assert not at.exception, at.exception
    with Explorer.open(path) as ex:
        assert ex.index().m > 1000 and len(ex.ws.sql("SELECT id FROM imports")) == 6
    assert at.text_input(key="q")  # the search page is back


@pytest.mark.parametrize("page", ["ui/weak_ties.py", "ui/reach.py", "ui/followups.py"])
def test_explore_pages_render_without_error(demo_app, page):
    at = _app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error
    assert at.title[0].value in ("Weak ties", "Reach", "Follow-ups")
    method = {
        "ui/weak_ties.py": "weak_ties",
        "ui/reach.py": "reach",
        "ui/followups.py": "followups",
    }[page]
    if not hasattr(Explorer, method):
        assert "coming with the next release" in _texts(at)


def test_followups_page_counts_like_the_library(demo_app):
    if not hasattr(Explorer, "followups"):
        pytest.skip("Explorer.followups is not there yet")
    with Explorer.open(demo_app) as ex:
        expected = ex.followups(due_only=True)
    at = _app()
    at.switch_page("ui/followups.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Relationships"] == f"{expected.relationships:,}"
    for status, n in expected.counts.items():
        assert metrics[status.capitalize()] == f"{n:,}"


def test_weak_ties_page_counts_like_the_library(demo_app):
    if not hasattr(Explorer, "weak_ties"):
        pytest.skip("Explorer.weak_ties is not there yet")
    with Explorer.open(demo_app) as ex:
        expected = ex.weak_ties(team=True).to_dict()
    at = _app()
    at.switch_page("ui/weak_ties.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bridges"] == f"{expected['bridges_total']:,}"
    assert metrics["Dormant ties"] == f"{expected['dormant_total']:,}"


def test_reach_page_covers_an_uploaded_target_list(demo_app):
    if not hasattr(Explorer, "reach"):
        pytest.skip("Explorer.reach is not there yet")
    from loaders.targets import parse_targets

    targets = b"company,title\nGlobex,CFO\nInitech,\nNowhere Corp,\n"
    with Explorer.open(demo_app) as ex:
        cov = ex.reach(team=True, targets=list(parse_targets(targets, file="t.csv"))).to_dict()[
            "coverage"
        ]
    at = _app()
    at.switch_page("ui/reach.py").run()
    at.file_uploader(key="reach-targets").set_value(("t.csv", targets, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert f"{cov['warm_share']:.0%} of the known accounts have a warm path" in _texts(at)
    assert [s.value for s in at.subheader][:3] == [
        "People within reach, by hops and strength", "People reached, by company",
        "People reached, by industry"]  # fmt: skip


# ---------------------------------------------------------------------- import
def test_bad_upload_is_a_message_and_changes_nothing(demo_app):
    with Workspace.open(demo_app, readonly=True) as ws:
        before = ws.generation
    at = _app()
    at.switch_page("ui/imports.py").run()
    at.file_uploader(key="imp-files").set_value(("notes.txt", b"just some words\n", "text/plain"))
    at.run()
    at.button(key="imp-go").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(
        f"**{markdown('notes.txt')}** was not loaded: "
    )
    assert "not a known export" in errors[0]
    with Workspace.open(demo_app, readonly=True) as ws:
        assert ws.generation == before


def test_upload_is_loaded_under_a_safe_name(demo_app):
    card = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@analytical.example\r\n"
            b"ORG:Analytical Engines\r\nEND:VCARD\r\n")  # fmt: skip
    at = _app()
    at.switch_page("ui/imports.py").run()
    at.file_uploader(key="imp-files").set_value(("../../../etc/cards.vcf", card, "text/vcard"))
    at.run()
    at.selectbox(key="imp-owner").set_value("Priya Shah")
    at.button(key="imp-go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert f"**{markdown('cards.vcf')}** (vcard)" in _texts(at)
    assert {m.label: m.value for m in at.metric}["New people"] == "1"
    with Workspace.open(demo_app, readonly=True) as ws:
        (label,) = ws.sql("SELECT label FROM imports WHERE format = 'vcard'")[0]
        assert label.endswith("/0/cards.vcf") and "/etc/" not in label
        assert ws.people("ada@analytical.example")[0].name == "Ada Lovelace"


def test_download_bytes_are_formula_safe():
    from ui.widgets import csv_bytes

    data = csv_bytes(
        [{"target": '=HYPERLINK("http://evil.example","x")', "score": 0.5}], ["target", "score"]
    )
    assert data.decode().splitlines()[1] == '"\'=HYPERLINK(""http://evil.example"",""x"")",0.5'


def test_the_graph_frame_page_loads_only_its_own_scripts(tmp_path):
    """The app's graph frame (`ui.graph_component`): its page holds no data (that comes by
    message), loads vis-network from beside itself, and its policy allows nothing else."""
    from ui.graph_component import _component

    folder = Path(_component().path)
    page = (folder / "index.html").read_text()
    assert "default-src 'none'; script-src 'self' 'unsafe-inline'" in page
    assert '<script src="vis-network.min.js"></script>' in page
    assert "http://" not in page and "https://" not in page
    assert "tg-data" not in page  # no data block: the frame draws what the app sends
    assert (folder / "vis-network.min.js").read_text() == vis_assets()[0]
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "vis-network.min.js"]
