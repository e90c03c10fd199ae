"""Suggestions for the search box, the drafted intro request and the download rows."""

from __future__ import annotations

import csv

import pytest

from graph.answers import intro_request, intro_rows, suggest_targets
from graph.explorer import BATCH_FIELDS, Explorer
from graph.export import write_table
from graph.targets import company_people


@pytest.fixture(scope="module")
def demo(demo_ws_path):  # noqa: ANN001
    with Explorer.open(demo_ws_path) as ex:
        yield ex


def test_a_company_prefix_suggests_the_company_first_then_its_people(demo):
    found = suggest_targets(demo.ws, "glob")
    first = found[0]
    name, pids = company_people(demo.ws, "Globex")
    assert (first.kind, first.ref, first.people) == ("company", name, len(pids))
    assert first.label == f"{name} (company, {len(pids)} people)"
    people = [s for s in found if s.kind == "person"]
    assert people and all("globex" in (s.company or "").lower() for s in people)
    assert len(found) <= 12


def test_a_company_text_offers_people_whose_own_name_or_address_matches(demo):
    """Where the company itself is offered, its people are not listed for working there (a
    big company would fill every slot); people still are when their name, email or profile
    URL holds the text. Without a matching company, company and title are searched too."""
    found = suggest_targets(demo.ws, "Globex")
    assert found[0].kind == "company"
    for s in found:
        if s.kind == "person":
            v = demo.ws.person(s.ref)
            own = " ".join([v.name or "", *v.emails, v.linkedin_url or ""]).lower()
            assert "globex" in own, (s.label, own)
    by_title = suggest_targets(demo.ws, "Procurement")  # no company is called that
    assert by_title and all(s.kind == "person" and "Procurement" in s.title for s in by_title)


def test_a_person_by_name_and_by_email(demo):
    (priya,) = [s for s in suggest_targets(demo.ws, "Priya Shah") if s.name == "Priya Shah"]
    assert priya.ref == f"p{demo.ws.find_person('Priya Shah')}"
    assert priya.label == "Priya Shah — VP Sales at Northwind Analytics"
    by_mail = suggest_targets(demo.ws, "priya.shah@northwind-analytics.com")
    assert [s.ref for s in by_mail] == [priya.ref]


def test_suggestions_resolve_without_ambiguity(demo):
    """Every suggestion's ref is what `Explorer.intro` takes: a person id or a company name."""
    for s in suggest_targets(demo.ws, "an", limit=12):
        result = demo.intro(s.ref, company=s.is_company, team=True, k=1)
        assert result.target.label


def test_hostile_text_and_nothing(demo):
    assert suggest_targets(demo.ws, "") == [] and suggest_targets(demo.ws, "   ") == []
    assert suggest_targets(demo.ws, "%_%") == []  # LIKE wildcards are text
    (img,) = suggest_targets(demo.ws, "<img")
    assert img.name == "<img src=x onerror=alert(1)> Moreau"


def test_intro_request_for_each_path_length(demo):
    """Direct: a note to the target; two hops: ask the introducer; three: ask them to ask."""
    paths = demo.intro("Globex Inc", company=True, title="CFO", sources=["Dana Kim"], k=10).paths
    by_hops = {p.hops: p for p in reversed(paths)}
    two = intro_request(by_hops[2], note="We help finance teams close faster.")
    a, t = by_hops[2].path[1], by_hops[2].path[-1]
    assert two.startswith(f"Hi {a['name'].split()[0]},\n\nI'm hoping to meet {t['name']} (CFO at ")
    assert "We help finance teams close faster." in two and two.endswith("Thanks,\nDana")
    three = intro_request(by_hops[3])
    m = by_hops[3].path[2]
    assert (
        f"Would you be open to asking {m['name'].split()[0]} whether they would introduce us?"
        in three
    )
    direct = demo.intro("Globex Inc", company=True, title="CFO", team=True, k=1).paths[0]
    assert direct.hops == 1 and intro_request(direct).startswith(
        f"Hi {direct.path[1]['name'].split()[0]},"
    )


def test_intro_rows_have_the_batch_columns_and_stay_text_in_a_spreadsheet(demo, tmp_path):
    result = demo.intro("<img src=x onerror=alert(1)> Moreau", team=True, k=3)
    rows = intro_rows(result)
    assert [r["rank"] for r in rows] == [p.rank for p in result.paths]
    assert all(set(r) <= set(BATCH_FIELDS) for r in rows)
    assert rows[0]["path"][-1] == "<img src=x onerror=alert(1)> Moreau"
    out = tmp_path / "rows.csv"
    write_table(
        out, rows + [{"target": '=HYPERLINK("http://evil.example")', "status": "ok"}], BATCH_FIELDS
    )
    cells = [c for row in csv.reader(out.open(encoding="utf-8")) for c in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells and not any(
        c.startswith("=") for c in cells
    )


def test_no_path_is_one_row_saying_why(demo):
    result = demo.intro("Globex Inc", company=True, title="Chief Astronaut", team=True)
    (row,) = intro_rows(result)
    assert row["status"] == "unreachable" and row["reason"] == result.message
