"""Team privacy levels (`graph.privacy`): what one rep's sharing level lets the others see.

The team here: Priya Shah and Omar Haddad, each with a LinkedIn export, and a CRM export
without an owner. Priya keeps Xena Secret (only in her export) and Paul Public (also in
Omar's) private, and Quentin Quiet (only in hers, at Globex) at "ask"; Carla Open stays at the
default, full. So, to Omar and to the team's view:

* Xena does not exist: not in any output, not findable, not at her company;
* Paul is Omar's own contact, but the Priya–Paul tie (only Priya's evidence) is gone;
* Quentin is "a contact of Priya Shah": a search for Globex finds the path Omar → Priya →
  that contact, with no name, email, profile URL, title, evidence rows or counts;
* Carla and Priya's tie to her are shown as before.

Priya herself sees everything, as she did before setting any level.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from graph.build import load_index
from graph.cli import cli, main
from graph.errors import NotFound, UsageError
from graph.explorer import Explorer
from graph.model import Interaction, Person, Provenance
from graph.privacy import SharingLevels, ViewerIndex, read_levels, resolve_viewer, visible_index
from graph.workspace import Workspace

AS_OF = datetime(2026, 11, 1)
PRIYA = "Priya Shah <priya@ourco.com>"
OMAR = "Omar Haddad <omar@ourco.com>"
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _contact(name: str, email: str, slug: str, company: str, title: str) -> Person:
    return Person(name=name, emails=(email,), linkedin_url=f"https://www.linkedin.com/in/{slug}",
                  company=company, title=title)  # fmt: skip


XENA = _contact("Xena Secret", "xena.secret@hidden-bank.example", "xena-secret-77", "Hidden Bank",
                "Chief Risk Officer")  # fmt: skip
QUENTIN = _contact("Quentin Quiet", "quentin.quiet@quietco.example", "quentin-quiet-12", "Globex",
                   "Head of Procurement")  # fmt: skip
PAUL = _contact("Paul Public", "paul.public@initech.example", "paul-public", "Initech", "CTO")
CARLA = _contact("Carla Open", "carla.open@umbrella.example", "carla-open", "Umbrella", "VP Sales")
DANA = _contact("Dana Own", "dana.own@acme.example", "dana-own", "Acme", "COO")
IVAN = Person(name="Ivan Target", emails=("ivan.target@globex.example",), company="Globex", title="CFO")
HANA = Person(name="Hana Banker", emails=("hana.banker@hidden-bank.example",), company="Hidden Bank",
              title="Analyst")  # fmt: skip

#: What must never reach Omar or the team: each private or "ask" contact's name, email, profile
#: URL and title (their companies are named by others too: the CRM knows Hana at Hidden Bank).
XENA_STRINGS = ("Xena", "xena.secret@hidden-bank.example", "xena-secret-77", "Chief Risk Officer")
QUENTIN_STRINGS = ("Quentin", "quentin.quiet@quietco.example", "quentin-quiet-12", "Head of Procurement")


def _export(owner: str, contacts: list[tuple[Person, int]], *, file: str, start: int = 0) -> list:
    """One rep's LinkedIn export: each contact connected and `n` messages (both ways), the
    last one `n` days before `AS_OF`."""
    me = Person(is_owner=True)
    recs: list = [me]
    line = 2
    for p, n in contacts:
        prov = Provenance("linkedin", f"{file}/Connections.csv", line, owner)
        recs += [p, Interaction(me, p, "connected", AS_OF - timedelta(days=700 + start), directed=False,
                                provenance=prov)]  # fmt: skip
        for k in range(n):
            a, b = (me, p) if k % 2 else (p, me)
            recs.append(Interaction(a, b, "message", AS_OF - timedelta(days=3 + 20 * k + start),
                                    provenance=Provenance("linkedin", f"{file}/messages.csv", 10 * line + k, owner)))  # fmt: skip
        line += 1
    return recs


def build_team(path: Path) -> Path:
    """The team workspace of the module docstring, with Priya's levels set."""
    with Workspace.open(path) as ws:
        omar_in_priyas = Person(name="Omar Haddad", emails=("omar@ourco.com",))
        priya_in_omars = Person(name="Priya Shah", emails=("priya@ourco.com",))
        ws.import_records(_export(PRIYA, [(XENA, 8), (QUENTIN, 6), (PAUL, 2), (CARLA, 4), (omar_in_priyas, 3)],
                                  file="priya.zip"), label="priya.zip", format="linkedin", digest="p1", owner=PRIYA)  # fmt: skip
        ws.import_records(_export(OMAR, [(PAUL, 5), (DANA, 3), (priya_in_omars, 3)], file="omar.zip"),
                          label="omar.zip", format="linkedin", digest="o1", owner=OMAR)  # fmt: skip
        ws.import_records([IVAN, HANA, CARLA], label="crm.csv", format="hubspot", digest="c1")
        ws.set_sharing("Priya Shah", "private", "Xena Secret")
        ws.set_sharing("Priya Shah", "private", "paul.public@initech.example")
        ws.set_sharing("Priya Shah", "ask", "Quentin Quiet")
    return path


@pytest.fixture(scope="module")
def team_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_team(tmp_path_factory.mktemp("team") / "team.db")


@pytest.fixture
def team_copy(team_path: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "team.db"
    shutil.copy(team_path, dst)
    return dst


def run(*args, ok: bool = True):  # noqa: ANN201
    r = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert r.exit_code == 0, (r.output, r.exception)
    return r


def assert_absent(data: bytes | str, strings=XENA_STRINGS + QUENTIN_STRINGS) -> None:  # noqa: ANN001
    raw = data.encode() if isinstance(data, str) else data
    for s in strings:
        assert s.encode() not in raw, s


def _ids(ws: Workspace, *names: str) -> list[int]:
    return [ws.find_person(n) for n in names]


# ---------------------------------------------------------------------- levels
def test_levels_are_stored_per_owner_and_contact_and_follow_merges(ws):
    """A contact's own level beats the owner's default; removing it falls back to the default;
    a merge keeps the stricter of two levels; forget removes the person's levels."""
    ws.import_records(_export(PRIYA, [(XENA, 1), (CARLA, 1)], file="p.zip"), label="p", format="linkedin",
                      digest="p", owner=PRIYA)  # fmt: skip
    ws.import_records([Person(name="Carla O.", linkedin_url="https://www.linkedin.com/in/carla-o2")],
                      label="x", format="csv", digest="x")  # fmt: skip
    v0, gen = ws.sharing_version, ws.generation
    assert ws.set_sharing("Priya Shah", "ask")["default"] == "ask"
    done = ws.set_sharing("priya@ourco.com", "private", "Xena Secret")
    assert (done["level"], done["default"], done["in_owner_exports"]) == ("private", "ask", True)
    assert ws.set_sharing("Priya Shah", "full", "Carla O.")["in_owner_exports"] is False
    assert ws.sharing_version == v0 + 3 and ws.generation == gen  # no index rebuild for a level
    priya, xena, carla, carla2 = _ids(ws, "Priya Shah", "Xena Secret", "Carla Open", "Carla O.")
    lv = read_levels(ws)
    assert (lv.level(priya, xena), lv.level(priya, carla), lv.level(priya, carla2)) == ("private", "ask", "full")
    ws.set_sharing("Priya Shah", "private", "Carla Open")
    ws.merge("carla.open@umbrella.example", "Carla O.")  # private (Carla Open) and full (Carla O.): private wins
    assert read_levels(ws).contacts == {(priya, xena): "private", (priya, carla): "private"}
    assert ws.set_sharing("Priya Shah", None, f"p{carla}")["level"] == "ask"  # the default again
    ws.forget("Xena Secret")
    assert ws.sharing_rows() == [(priya, 0, "ask")]
    with pytest.raises(UsageError):
        ws.set_sharing(f"p{carla}", "private")  # not on the team
    with pytest.raises(UsageError):
        ws.set_sharing("Priya Shah", "secret")
    with pytest.raises(UsageError):
        ws.set_sharing("Priya Shah", "ask", "Priya Shah")


def test_viewer_is_named_else_me_else_the_one_owner_else_the_team(team_path, monkeypatch):
    with Workspace.open(team_path, readonly=True) as ws:
        priya, omar = _ids(ws, "Priya Shah", "Omar Haddad")
        assert resolve_viewer(ws, "Omar Haddad") == omar and resolve_viewer(ws, 0) is None
        assert resolve_viewer(ws) is None  # two owners, nobody named: the team's view
        monkeypatch.setenv("TIEGRAPH_ME", "priya@ourco.com")
        assert resolve_viewer(ws) == priya
        with pytest.raises(UsageError):
            resolve_viewer(ws, "Carla Open")


# ---------------------------------------------------------------------- the viewer's index
def test_visible_index_hides_private_redacts_ask_and_keeps_the_rest(team_path):
    with Workspace.open(team_path, readonly=True) as ws:
        index = load_index(ws, cache=False)
        levels = read_levels(ws)
        priya, omar, xena, quentin, paul, carla, ivan = _ids(
            ws, "Priya Shah", "Omar Haddad", "Xena Secret", "Quentin Quiet", "Paul Public",
            "Carla Open", "Ivan Target")  # fmt: skip
        assert visible_index(index, priya, levels) is index  # Priya withholds nothing from herself
        for viewer in (omar, None):
            v = visible_index(index, viewer, levels)
            assert isinstance(v, ViewerIndex) and v.n == index.n - 1
            assert v.node_of(xena) is None and v.member(quentin) and not v.shows(quentin)
            node = lambda p: v.node_of(p)  # noqa: E731
            # Paul is Omar's contact too; Priya's tie to him rests on her evidence alone
            assert v.shows(paul) and v.edge(node(priya), node(paul)) is None
            assert index.edge(index.node_of(priya), index.node_of(paul)) is not None
            assert v.edge(node(omar), node(paul)) is not None
            # Quentin: a path through Priya exists, nothing about him shows
            e = v.edge(node(priya), node(quentin))
            assert e is not None and v.withheld[e] and v.tie_components(e) == {}
            assert v.strength[e] == index.strength[index.edge(index.node_of(priya), index.node_of(quentin))]
            ev = v.tie_evidence(e)
            assert ev.counts == {} and ev.last is None and ev.withheld == "details withheld by Priya Shah's sharing level"
            assert v.evidence_rows(priya, quentin) == []
            assert v.person(node(quentin)) == {"id": f"p{quentin}", "name": "a contact of Priya Shah",
                                               "company": None, "title": None, "team": False,
                                               "redacted": True, "contact_of": [f"p{priya}"]}  # fmt: skip
            colleague = v.edge(node(quentin), node(ivan))  # colleagues at Globex: company withheld
            assert colleague is not None and v.withheld[colleague] and v.colleague_company[colleague] == -1
            # Carla: as before
            e = v.edge(node(priya), node(carla))
            assert not v.withheld[e] and v.tie_evidence(e).counts == {"connected": 1, "message": 4}
            assert len(v.evidence_rows(priya, carla)) == 5
            # rows stay strongest first, and every tie is in both its rows
            for i in range(v.n):
                w = v.neighbors(i)[1]
                assert list(w) == sorted(w, reverse=True)
            assert sorted(v.eid.tolist()) == sorted(list(range(v.m)) * 2)


def test_a_default_private_hides_exactly_what_only_the_owners_exports_show(demo_ws_path, tmp_path):
    """On the demo, Priya makes every contact private. Derived independently with SQL: Marco
    then sees every person some other export mentions (or a team member), and every tie that
    some other export shows, or that Priya's export shows between team members, or that rests
    on context alone (colleagues), between two such people; the ties keep their strengths."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_ws_path, path)
    with Workspace.open(path) as ws:
        ws.set_sharing("Priya Shah", "private")
        priya, marco = _ids(ws, "Priya Shah", "Marco Rossi")
        index = load_index(ws, cache=False)
        view = visible_index(index, marco, read_levels(ws))
        team = {p for (p,) in ws.sql("SELECT id FROM people WHERE team")}
        seen = {p for (p,) in ws.sql(
            "SELECT DISTINCT m.person_id FROM mentions m JOIN imports i ON i.id = m.import_id "
            "WHERE i.owner_id IS NULL OR i.owner_id != ?", (priya,))} | team  # fmt: skip
        pair_sql = ("SELECT DISTINCT min(ma.person_id, mb.person_id), max(ma.person_id, mb.person_id), "
                    "i.import_id IN (SELECT id FROM imports WHERE owner_id = ?) FROM interactions i "
                    "JOIN mentions ma ON ma.id = i.a JOIN mentions mb ON mb.id = i.b "
                    "WHERE ma.person_id != mb.person_id")  # fmt: skip
        pairs = ws.sql(pair_sql, (priya,))
    others = {(a, b) for a, b, mine in pairs if not mine}
    hers_in_team = {(a, b) for a, b, mine in pairs if mine and a in team and b in team}
    any_evidence = {(a, b) for a, b, _ in pairs}
    ends = lambda ix, e: (int(ix.pids[ix.eu[e]]), int(ix.pids[ix.ev[e]]))  # noqa: E731
    expected = {
        ends(index, e) for e in range(index.m)
        if set(ends(index, e)) <= seen
        and (ends(index, e) in others or ends(index, e) in hers_in_team or ends(index, e) not in any_evidence)
    }
    assert set(view.pids.tolist()) == seen
    assert {ends(view, e) for e in range(view.m)} == expected
    assert 250 < index.n - view.n < index.n // 2 and view.m < index.m  # her archive is a real share
    strength = {ends(index, e): float(index.strength[e]) for e in range(index.m)}
    assert all(strength[ends(view, e)] == float(view.strength[e]) for e in range(view.m))


# ---------------------------------------------------------------------- command line
def test_intro_as_omar_never_shows_a_private_contact(team_path):
    """Xena is nobody to Omar: her name is "nobody named", exactly as for a made-up name, and
    a search of her company finds only the CRM's Hana, with no path (Xena was it)."""
    for who in ("Xena Secret", "xena.secret@hidden-bank.example", "https://www.linkedin.com/in/xena-secret-77"):
        mine = run("intro", who, "--as", "Omar Haddad", "--workspace", team_path, ok=False)
        made_up = run("intro", who.replace("xena", "yana").replace("Xena", "Yana"), "--as", "Omar Haddad",
                      "--workspace", team_path, ok=False)  # fmt: skip
        assert isinstance(mine.exception, NotFound) and isinstance(made_up.exception, NotFound)
        assert str(mine.exception).replace("xena", "yana").replace("Xena", "Yana") == str(made_up.exception)
    r = run("intro", "Hidden Bank", "--company", "--as", "Omar Haddad", "--json", "--workspace", team_path)
    assert_absent(r.output)
    # to Omar, Hidden Bank is Hana (from the CRM), whom only Xena connects to the team
    assert json.loads(r.output)["target"]["people"] == 1
    assert json.loads(r.output)["message"] == "no path to anyone at Hidden Bank within 3 hops"
    mine = run("intro", "Hidden Bank", "--company", "--as", "Priya Shah", "--json", "--workspace", team_path)
    assert "Xena Secret" in mine.output  # the owner still sees her


def test_ask_contact_shows_the_owner_as_introducer_and_nothing_of_them(team_path):
    r = run("intro", "Globex", "--company", "--as", "Omar Haddad", "--json", "--workspace", team_path)
    assert_absent(r.output)
    paths = json.loads(r.output)
    via_priya = [p for p in paths if p["introducer"] and p["introducer"]["name"] == "Priya Shah"]
    assert via_priya and via_priya[0]["path"][0]["name"] == "Omar Haddad"
    assert via_priya[0]["path"][2]["name"] == "a contact of Priya Shah"
    assert via_priya[0]["path"][2]["company"] is None and via_priya[0]["path"][2]["title"] is None
    hop = via_priya[0]["ties"][1]
    assert hop["evidence"] == [] and hop["components"] == {} and "details withheld" in hop["why"]
    text = run("intro", "Globex", "--company", "--as", "Omar Haddad", "--workspace", team_path).output
    assert_absent(text)
    assert "Omar Haddad → Priya Shah → a contact of Priya Shah" in text
    # he cannot find Quentin by name, email or title either
    assert run("intro", "Quentin Quiet", "--as", "Omar Haddad", "--workspace", team_path, ok=False).exit_code
    r = run("intro", "Globex", "--title", "Head of Procurement", "--as", "Omar Haddad", "--json",
            "--workspace", team_path)  # fmt: skip
    assert json.loads(r.output)["paths"] == []
    # Priya sees him in full
    mine = run("intro", "Globex", "--company", "--as", "Priya Shah", "--json", "--workspace", team_path).output
    assert "Quentin Quiet" in mine and "Head of Procurement" in mine


def test_team_view_and_tiegraph_me(team_path, monkeypatch):
    """With two owners and nobody named, the view is the team's: private contacts hidden from
    everyone; $TIEGRAPH_ME names the viewer (and the default source)."""
    r = run("people", "--limit", "0", "--json", "--workspace", team_path)
    assert_absent(r.output)
    names = {p["name"] for p in json.loads(r.output)}
    assert {"Carla Open", "Paul Public", "Ivan Target", "Hana Banker", "Priya Shah"} <= names
    monkeypatch.setenv("TIEGRAPH_ME", "Priya Shah")
    names = {p["name"] for p in json.loads(run("people", "--limit", "0", "--json", "--workspace", team_path).output)}
    assert {"Xena Secret", "Quentin Quiet"} <= names
    r = run("people", "Xena", "--as", "Omar Haddad", "--workspace", team_path)
    assert r.output.strip() == "nobody found"
    bad = run("people", "--as", "Carla Open", "--workspace", team_path, ok=False)
    assert isinstance(bad.exception, UsageError)


def test_reach_weak_ties_and_followups_as_omar(team_path):
    for cmd in (["reach", "--team"], ["reach", "--from", "Priya Shah"], ["weak-ties", "--team"],
                ["weak-ties", "--from", "Priya Shah"], ["followups", "--as-of", "2026-11-01"]):  # fmt: skip
        for fmt in ([], ["--json"]):
            assert_absent(run(*cmd, *fmt, "--as", "Omar Haddad", "--workspace", team_path).output)
    # the reach of Priya as Omar sees it: her private and "ask" contacts are not hers to count
    omar = json.loads(run("reach", "--from", "Priya Shah", "--as", "Omar Haddad", "--json",
                          "--workspace", team_path).output)  # fmt: skip
    priya = json.loads(run("reach", "--from", "Priya Shah", "--as", "Priya Shah", "--json",
                           "--workspace", team_path).output)  # fmt: skip
    one = lambda d: d["hops"][0]["people"]["total"]  # noqa: E731
    # Priya knows Xena, Quentin, Paul, Carla and Omar directly; Omar sees Quentin (as a contact
    # of hers), Carla and Omar
    assert (one(priya), one(omar)) == (5, 3)
    follow = json.loads(run("followups", "--as-of", "2026-11-01", "--as", "Priya Shah", "--json",
                            "--workspace", team_path).output)  # fmt: skip
    assert "Xena Secret" in json.dumps(follow)


def test_batch_file_and_plan_as_omar(team_path, tmp_path):
    targets = tmp_path / "targets.csv"
    targets.write_text("company,title\nGlobex,\nHidden Bank,\nInitech,\nUmbrella,\n")
    out = tmp_path / "out.csv"
    run("intros", "--targets", targets, "--out", out, "--as", "Omar Haddad", "--workspace", team_path)
    assert_absent(out.read_bytes())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert any(r["introducer"] == "Priya Shah" and "a contact of Priya Shah" in r["path"] for r in rows)
    jl = tmp_path / "out.jsonl"
    run("intros", "--targets", targets, "--out", jl, "--as", "Omar Haddad", "--workspace", team_path)
    assert_absent(jl.read_bytes())
    assert_absent(run("plan", "--targets", targets, "--team", "--as", "Omar Haddad", "--json",
                      "--workspace", team_path).output)  # fmt: skip
    # a private contact named in a target list is unknown, as a made-up name is
    named = tmp_path / "named.csv"
    named.write_text("name\nXena Secret\nYana Secret\n")
    run("intros", "--targets", named, "--out", out, "--as", "Omar Haddad", "--workspace", team_path)
    xena, yana = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (xena["status"], yana["status"]) == ("unknown", "unknown")
    assert xena["reason"].replace("Xena", "Yana") == yana["reason"]
    run("intros", "--targets", named, "--out", out, "--as", "Priya Shah", "--workspace", team_path)
    assert list(csv.DictReader(out.open(encoding="utf-8")))[0]["status"] == "ok"


def test_changes_as_omar_leave_out_priyas_private_contacts(team_copy):
    """Priya's newer export says Xena moved; only Priya sees it."""
    moved = _contact("Xena Secret", "xena.secret@hidden-bank.example", "xena-secret-77", "Vault Bank",
                     "Chief Risk Officer")  # fmt: skip
    with Workspace.open(team_copy) as ws:
        ws.import_records(_export(PRIYA, [(moved, 8), (CARLA, 4)], file="priya2.zip", start=1),
                          label="priya2.zip", format="linkedin", digest="p2", owner=PRIYA)  # fmt: skip
    omar = run("changes", "--as", "Omar Haddad", "--json", "--workspace", team_copy).output
    assert_absent(omar)
    assert "Vault Bank" not in omar
    priya = json.loads(run("changes", "--as", "Priya Shah", "--json", "--workspace", team_copy).output)
    moves = [m for s in priya["sources"] for m in s["job_moves"]]
    assert [(m["person"]["name"], m["after"]["company"]) for m in moves] == [("Xena Secret", "Vault Bank")]


def test_sharing_command_sets_and_lists(team_copy, capsys):
    r = run("sharing", "--owner", "Omar Haddad", "--level", "ask", "--workspace", team_copy)
    assert r.output.strip() == "Omar Haddad's contacts are shared at level ask unless set one by one"
    r = run("sharing", "Dana Own", "--owner", "Omar Haddad", "--level", "private", "--workspace", team_copy)
    assert "Dana Own" in r.output and "level private" in r.output
    listed = json.loads(run("sharing", "--json", "--workspace", team_copy).output)["levels"]
    assert {(x["owner_name"], x["name"], x["level"]) for x in listed} == {
        ("Priya Shah", "Xena Secret", "private"), ("Priya Shah", "Paul Public", "private"),
        ("Priya Shah", "Quentin Quiet", "ask"), ("Omar Haddad", None, "ask"),
        ("Omar Haddad", "Dana Own", "private"),
    }  # fmt: skip
    run("sharing", "Dana Own", "--owner", "Omar Haddad", "--level", "default", "--workspace", team_copy)
    r = run("people", "--as", "Priya Shah", "--json", "--workspace", team_copy)
    assert "Dana Own" not in r.output  # Omar's default is ask: Priya no longer sees Dana's details
    with pytest.raises(SystemExit) as e:  # two owners: whose contacts?
        main(["sharing", "Dana Own", "--level", "private", "--workspace", str(team_copy)])
    assert e.value.code != 0 and "--owner" in capsys.readouterr().err


# ---------------------------------------------------------------------- the app
@pytest.fixture
def team_app(team_path, tmp_path, monkeypatch) -> Path:  # noqa: ANN001
    path = tmp_path / "team.db"
    shutil.copy(team_path, path)
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def _everything(at: AppTest) -> str:
    """Every text the app shows, as one string."""
    parts = [x.value for kind in ("markdown", "caption", "info", "warning", "error", "subheader", "title")
             for x in getattr(at, kind)]  # fmt: skip
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    parts += [str(at.session_state[k]) for k in ("intro_result",) if k in at.session_state]
    return "\n".join(str(p) for p in parts)


def test_app_viewing_as_omar_shows_no_private_contact(team_app):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="viewer").value == "team"  # two owners, nobody named
    with Workspace.open(team_app, readonly=True) as ws:
        omar, priya = (f"p{p}" for p in _ids(ws, "Omar Haddad", "Priya Shah"))
    at.sidebar.selectbox(key="viewer").set_value(omar).run()
    at.text_input(key="q").input("Hidden").run()
    labels = list(at.selectbox(key="pick").options)
    assert labels == ["Hidden Bank (company, 1 person)", "Hana Banker — Analyst at Hidden Bank"]
    at.text_input(key="q").input("Globex").run()
    at.radio(key="from").set_value("me").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="me").value == omar  # searching from me: whom the app views as
    assert_absent(_everything(at))
    paths = at.session_state["intro_result"]["paths"]
    assert any(p["introducer"] and p["introducer"]["name"] == "Priya Shah"
               and p["path"][-1]["name"] == "a contact of Priya Shah" for p in paths)  # fmt: skip
    at.switch_page("ui/reach.py").run()
    assert not at.exception, at.exception
    assert_absent(_everything(at))
    # Priya sees her own contacts
    at.switch_page("ui/intros.py").run()
    at.sidebar.selectbox(key="viewer").set_value(priya).run()
    at.text_input(key="q").input("Hidden").run()
    labels = list(at.selectbox(key="pick").options)
    assert "Hidden Bank (company, 2 people)" in labels
    assert any(label.startswith("Xena Secret") for label in labels)


# ---------------------------------------------------------------------- Neo4j
@pytest.mark.timeout(240)
def test_neo4j_sync_pushes_the_teams_view(store, team_copy):
    """The server serves the whole team: Xena is never pushed, nor Priya's tie to Paul;
    Quentin is pushed as "a contact of Priya Shah" with his company id and nothing else; a
    level raised to full is pushed by the next (incremental) sync."""
    from tests.graph.bolt_server import wipe

    wipe(store)
    with Workspace.open(team_copy, readonly=True) as ws:
        store.sync(ws, now=AS_OF, full=True)
        priya, xena, quentin, paul, omar = _ids(ws, "Priya Shah", "Xena Secret", "Quentin Quiet",
                                                "Paul Public", "Omar Haddad")  # fmt: skip
    people = {r["id"]: dict(r["props"]) for r in store.read(
        "MATCH (p:Person) RETURN p.id AS id, properties(p) AS props")}  # fmt: skip
    ties = {(r["a"], r["b"]): dict(r["props"]) for r in store.read(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, properties(k) AS props")}  # fmt: skip
    rest = [dict(r["props"]) for r in store.read("MATCH (c:Company) RETURN properties(c) AS props")]
    rest += [dict(r["props"]) for r in store.read("MATCH ()-[w:WORKS_AT]->() RETURN properties(w) AS props")]
    assert_absent(json.dumps([people, {f"{a}|{b}": v for (a, b), v in ties.items()}, rest], default=str))
    assert f"p{xena}" not in people
    tie = lambda a, b: ties.get((f"p{min(a, b)}", f"p{max(a, b)}"))  # noqa: E731 - lower id first
    assert tie(priya, paul) is None and tie(omar, paul) is not None
    q = people[f"p{quentin}"]
    assert q["name"] == "a contact of Priya Shah" and not q.get("emails") and not q.get("linkedin")
    assert q.get("company_id") and not q.get("title") and not q.get("company")
    tie = tie(priya, quentin)
    assert tie["frequency"] == 0 and tie.get("n_message", 0) == 0 and tie.get("last") is None
    answer = store.intro("Globex", company=True, team=True)
    assert any(p.path[-1]["name"] == "a contact of Priya Shah" for p in answer.paths)
    assert_absent(json.dumps(answer.to_dict(), default=str))
    with Workspace.open(team_copy) as ws:
        ws.set_sharing("Priya Shah", "full", "Xena Secret")
    with Workspace.open(team_copy, readonly=True) as ws:
        report = store.sync(ws, now=AS_OF)
    assert report.mode == "incremental"
    names = {r["name"] for r in store.read("MATCH (p:Person) RETURN p.name AS name")}
    assert "Xena Secret" in names and "Quentin Quiet" not in names


def test_levels_round_trip_through_the_doctest_example():
    lv = SharingLevels.from_rows([(3, 0, "ask"), (3, 12, "private")])
    codes = lv.codes(np.array([3, 3, 3, 5, 0]), np.array([12, 40, 3, 12, 12]))
    assert codes.tolist() == [0, 1, 2, 2, 2]  # override, default, the owner themself, others
