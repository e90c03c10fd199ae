"""The command line, driven in-process on the demo workspace and on real-layout files."""

import csv
import json
import shutil

import pytest
from click.testing import CliRunner

from graph.cli import cli, main


def run(*args, ok=True):
    r = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert r.exit_code == 0, (r.output, r.exception)
    return r


@pytest.fixture
def demo_copy(demo_ws_path, tmp_path):
    dst = tmp_path / "demo.db"
    shutil.copy(demo_ws_path, dst)
    return dst


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help(command):
    r = run(command, "--help")
    assert "Usage:" in r.output and len(cli.commands[command].help or "") > 10


def test_stats_json_counts_the_demo(demo_ws_path):
    s = json.loads(run("stats", "--workspace", demo_ws_path, "--json").output)
    assert s["people"] > 1500 and s["team"] == 4 and s["sources"] == 3 and s["merges"] >= 1


def test_intro_json_is_ranked_and_explained(demo_ws_path):
    r = run("intro", "Globex", "--title", "CFO", "--team", "-k", "3", "--workspace", demo_ws_path, "--json")
    paths = json.loads(r.output)
    scores = [p["score"] for p in paths]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    for p in paths:
        assert p["path"][-1]["title"] and "CFO" in p["path"][-1]["title"]
        assert p["why"] and all(t["components"] for t in p["ties"])
        assert p["path"][0]["company"] == "Northwind Analytics"


def test_intro_text_table(demo_ws_path):
    out = run("intro", "Globex", "--title", "CFO", "--workspace", demo_ws_path).output
    assert out.startswith("Warm intros to CFO at Globex") and "#1  score" in out


def test_unknown_target_is_an_error_not_a_traceback(demo_ws_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["intro", "Nobody Whatsoever", "--workspace", str(demo_ws_path), "--json"])
    assert e.value.code == 4
    out = capsys.readouterr()
    assert "error:" in out.err and json.loads(out.out)["type"] == "NotFound"


def test_people_search_finds_by_company_and_email(demo_ws_path):
    found = json.loads(run("people", "Globex", "--workspace", demo_ws_path, "--json").output)
    assert found and all("globex" in (p["company"] or "").lower() for p in found)
    email = next(p["emails"][0] for p in found if p["emails"])
    one = json.loads(run("people", email, "--workspace", demo_ws_path, "--json").output)
    assert [p["emails"][0] for p in one] == [email]


def test_batch_intros_write_formula_safe_csv(demo_copy, tmp_path):
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "name,company,title\n"
        ",Globex,CFO\n"
        "Nobody Atall,,\n"
        ",Initech,\n"
        ",,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    r = run("intros", "--targets", targets, "--out", out, "-k", "2", "--workspace", demo_copy, "--json")
    summary = json.loads(r.output.splitlines()[-1])
    assert summary["status"]["ok"] >= 2 and summary["status"]["unknown"] == 1 and summary["status"]["skipped"] == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {"target", "rank", "score", "introducer", "path", "why"} <= set(rows[0])
    assert any(r["status"] == "unknown" and "Nobody Atall" in r["target"] for r in rows)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_hostile_names_print_as_text(demo_ws_path):
    out = run("people", "script", "--workspace", demo_ws_path).output
    assert "<script>alert(1)</script>" in out and "\x1b" not in out


def test_load_reports_skipped_rows_and_bad_files(tmp_path):
    ws = tmp_path / "w.db"
    good = tmp_path / "Connections.csv"
    good.write_text(
        "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n"
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ada,Lovelace,https://www.linkedin.com/in/ada,,\"Analytical Engines, Ltd\",CTO,03 Feb 2021\n"
        ",,,,,,04 Feb 2021\n"
        "Grace,Hopper,https://www.linkedin.com/in/grace,grace@navy.mil,US Navy,Rear Admiral,1 Jan 2020\n",
        encoding="utf-8",
    )
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not an export\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = CliRunner().invoke(cli, ["load", str(good), str(bad), str(empty), "--owner", "Me <me@x.com>",
                                 "--workspace", str(ws), "--json"])  # fmt: skip
    assert r.exit_code == 3
    out = json.loads(r.stdout)
    (imp,) = out["imports"]
    assert imp["people_new"] == 3 and imp["interactions"] == 2
    assert [(s["line"], "blank" in s["reason"]) for s in imp["skipped"]] == [(6, True)]
    reasons = {e["file"].rsplit("/", 1)[-1]: e["reason"] for e in out["errors"]}
    assert "LinkedIn" in reasons["notes.txt"] and "empty" in reasons["empty.csv"]
    again = json.loads(CliRunner().invoke(cli, ["load", str(good), "--owner", "Me <me@x.com>",
                                                "--workspace", str(ws), "--json"]).output)  # fmt: skip
    assert again["imports"][0]["already_imported"] is True


def test_merge_unmerge_forget_from_the_command_line(demo_copy):
    people = json.loads(run("people", "Globex", "--workspace", demo_copy, "--json").output)
    a, b = people[0]["id"], people[1]["id"]
    m = json.loads(run("merge", a, b, "--workspace", demo_copy, "--json").output)
    assert m["kept"] == a and m["merged"] == b
    u = json.loads(run("unmerge", f"m{m['id']}", "--workspace", demo_copy, "--json").output)
    assert u["undone"] is True
    f = json.loads(run("forget", b, "--yes", "--workspace", demo_copy, "--json").output)
    assert f["forgotten"] == b
    r = run("people", people[1]["name"], "--workspace", demo_copy, "--json")
    assert b not in [p["id"] for p in json.loads(r.output)]


def test_demo_is_idempotent(tmp_path):
    ws = tmp_path / "d.db"
    first = json.loads(run("demo", "--workspace", ws, "--json").output)
    again = json.loads(run("demo", "--workspace", ws, "--json").output)
    assert all(i["already_imported"] for i in again["imports"])
    assert first["stats"] == again["stats"]


# ---------------------------------------------------------------------- follow-ups, plan, changes
def test_followups_due_json_and_cadence_by_hand(demo_copy, capsys):
    due = json.loads(run("followups", "--due", "--as-of", "2026-11-01", "--limit", "0",
                         "--workspace", demo_copy, "--json").output)  # fmt: skip
    assert due["as_of"] == "2026-11-01" and len(due["followups"]) == due["counts"]["due"] + due["counts"]["overdue"]
    first = due["followups"][0]
    assert first["status"] == "overdue" and first["why"].startswith("last contact")
    contact, owner = first["contact"]["id"], first["owner"]["id"]
    set_ = json.loads(run("cadence", contact, "--bucket", "C", "--owner", owner, "--workspace", demo_copy, "--json").output)
    assert set_["bucket"] == "C" and set_["owner"] == owner
    out = run("followups", "--as-of", "2026-11-01", "--owner", owner, "--limit", "0", "--workspace", demo_copy).output
    assert out.startswith("Follow-ups as of 2026-11-01") and "C*" in out
    with pytest.raises(SystemExit) as e:
        main(["cadence", contact, "--bucket", "Q", "--workspace", str(demo_copy)])
    assert e.value.code == 2 and "no cadence bucket 'Q'" in capsys.readouterr().err


def test_plan_json_and_text(demo_ws_path, tmp_path):
    targets = tmp_path / "accounts.csv"
    targets.write_text("account,title\nGlobex,CFO\nHooli,\nNowhere Ltd,\n", encoding="utf-8")
    p = json.loads(run("plan", "--targets", targets, "--budget", "1", "--workspace", demo_ws_path, "--json").output)
    assert (p["accounts"], p["covered"], p["requests"], p["budget"]) == (3, 2, 1, 1)
    assert p["uncovered"] == [{"account": "Nowhere Ltd", "reason": "unknown account",
                               "detail": p["uncovered"][0]["detail"]}]  # fmt: skip
    out = run("plan", "--targets", targets, "--workspace", demo_ws_path).output
    assert out.startswith("Plan for 3 accounts: 2 covered") and "#1 ask" in out and "Uncovered:" in out


def test_changes_on_sources_loaded_once(demo_ws_path):
    r = json.loads(run("changes", "--workspace", demo_ws_path, "--json").output)
    assert r["sources"] == [] and len(r["first_imports"]) == 6
    out = run("changes", "--since", "2000-01-01", "--workspace", demo_ws_path).output
    assert "nothing to compare" in out and "Imported once" in out
