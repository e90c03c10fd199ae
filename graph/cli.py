"""The ``tiegraph`` command line: a thin shell over the library.

Each command opens the workspace, calls one library function and renders its result, as a
readable table or, with ``--json``, as JSON on stdout. Errors raised on purpose
(`graph.errors.TiegraphError`) become one message on stderr (and one JSON object on stdout
under ``--json``) with the error's exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph.errors import LoadError, TiegraphError, UsageError
from graph.escape import terminal
from graph.workspace import ImportReport, Workspace, default_path

__all__ = ["cli", "main"]


def workspace_option(f: Callable) -> Callable:
    return click.option(
        "--workspace",
        "workspace",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        envvar="TIEGRAPH_WORKSPACE",
        help="Workspace file (default: $TIEGRAPH_WORKSPACE or ./tiegraph.db).",
    )(f)


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")(f)


def emit(result: Any, as_json: bool, render: Callable[[Any], str]) -> None:
    """Print `result` as JSON or through `render`; both show the same object."""
    if as_json:
        click.echo(json.dumps(_jsonable(result), ensure_ascii=False, indent=None))
    else:
        click.echo(render(result))


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return _jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def _open(workspace: Path | None, *, readonly: bool = False) -> Workspace:
    return Workspace.open(workspace or default_path(), readonly=readonly, create=not readonly)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    cells = [[terminal(c) for c in r] for r in rows]
    widths = [
        min(40, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(headers)
    ]

    def fmt(r: list[str]) -> str:
        return "  ".join(
            (c if len(c) <= w else c[: w - 1] + "…").ljust(w) for c, w in zip(r, widths, strict=True)
        ).rstrip()

    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tiegraph")
def cli() -> None:
    """tiegraph: who can introduce me to X? A relationship graph from the exports you have."""


# ---------------------------------------------------------------------- load
def render_import(r: ImportReport) -> str:
    head = f"{terminal(r.label)} ({r.format})"
    if r.already:
        return f"{head}: already imported, nothing changed"
    lines = [
        f"{head}: {r.records:,} records read; {r.mentions:,} people rows "
        f"({r.people_new:,} new people), {r.interactions:,} interactions"
        + (f" ({r.interactions_repeated:,} already known)" if r.interactions_repeated else "")
        + f", {r.companies:,} new companies, {r.positions:,} positions, "
        f"{len(r.merges):,} merges, {len(r.skipped):,} skipped"
    ]
    for m in r.merges[:50]:
        lines.append(f"  merged {m['merged']} into {m['kept']}: {m['reason']}")
    if len(r.merges) > 50:
        lines.append(f"  ... and {len(r.merges) - 50} more merges (tiegraph merges)")
    for s in r.skipped:
        lines.append(f"  skipped {terminal(str(s))}")
    return "\n".join(lines)


def run_load(
    ws: Workspace,
    paths: list[str],
    *,
    owner: str | None,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    show_progress: bool = True,
) -> tuple[list[ImportReport], list[LoadError]]:
    """Import each unit of `paths` in its own transaction; a bad file is reported, not fatal."""
    from loaders import open_units

    reports: list[ImportReport] = []
    errors: list[LoadError] = []
    units = []
    for p in paths:
        try:
            units.extend(open_units([p], format=format, mapping=mapping, owner=owner))
        except LoadError as e:
            errors.append(e)
    for unit in units:
        try:
            if show_progress and unit.lines > 20000:
                with click.progressbar(
                    length=unit.lines, label=f"Loading {terminal(unit.label)}", file=sys.stderr
                ) as bar:
                    done = [0]

                    def tick(n: int, bar: Any = bar, done: list = done) -> None:
                        bar.update(min(n, unit.lines) - done[0])
                        done[0] = min(n, unit.lines)

                    report = ws.import_records(
                        unit.records(), label=unit.label, format=unit.format,
                        digest=unit.digest, owner=owner, progress=tick,
                    )  # fmt: skip
            else:
                report = ws.import_records(
                    unit.records(), label=unit.label, format=unit.format,
                    digest=unit.digest, owner=owner,
                )  # fmt: skip
            reports.append(report)
        except LoadError as e:
            errors.append(e)
    return reports, errors


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--owner", help='Whose export this is: "Name <email>", an email, or a name.')
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "linkedin", "hubspot", "salesforce", "csv", "vcard", "ics", "mbox"]),
)
@click.option("--map", "maps", multiple=True, metavar="COL=FIELD", help="Column mapping for CSV.")
@workspace_option
@json_option
def load(
    paths: tuple[str, ...],
    owner: str | None,
    fmt: str,
    maps: tuple[str, ...],
    workspace: Path | None,
    as_json: bool,
) -> None:
    """Import exports (files, folders, zips); print counts, merges and skipped rows."""
    from loaders import parse_mapping

    mapping = parse_mapping(list(maps)) if maps else None
    with _open(workspace) as ws:
        reports, errors = run_load(
            ws, list(paths), owner=owner, format=fmt, mapping=mapping, show_progress=not as_json
        )
    result = {
        "imports": [r.to_dict() for r in reports],
        "errors": [{"file": e.file, "line": e.line, "reason": e.reason} for e in errors],
    }
    if as_json:
        emit(result, True, str)
    else:
        for r in reports:
            click.echo(render_import(r))
        for e in errors:
            click.echo(f"error: {terminal(str(e))}", err=True)
    if errors:
        sys.exit(LoadError.exit_code)


# ---------------------------------------------------------------------- people and stats
def render_people(people: list) -> str:
    if not people:
        return "nobody found"
    rows = [
        [p.id, p.name, p.company or "", p.title or "", ", ".join(p.emails[:2]), ",".join(p.sources)]
        for p in people
    ]
    return _table(rows, ["id", "name", "company", "title", "email", "sources"])


@cli.command()
@click.argument("query", required=False)
@click.option("--limit", default=50, show_default=True, help="At most this many (0: all).")
@workspace_option
@json_option
def people(query: str | None, limit: int, workspace: Path | None, as_json: bool) -> None:
    """Find people by name, email, LinkedIn URL or company (no query: everyone)."""
    with _open(workspace, readonly=True) as ws:
        found = ws.people(query, limit=limit or None)
    emit(found, as_json, render_people)


def render_stats(s: dict) -> str:
    return "\n".join(f"{k.replace('_', ' '):>14}: {v:,}" for k, v in s.items())


@cli.command()
@workspace_option
@json_option
def stats(workspace: Path | None, as_json: bool) -> None:
    """Counts: people, companies, ties, interactions, sources, merges."""
    with _open(workspace, readonly=True) as ws:
        emit(ws.stats(), as_json, render_stats)


# ---------------------------------------------------------------------- identity repair
def render_merge(m: Any) -> str:
    state = "undone" if m.undone else "merged"
    return f"m{m.id}: {m.merged} {state} {'from' if m.undone else 'into'} {m.kept} ({m.reason})"


@cli.command()
@click.argument("a")
@click.argument("b")
@workspace_option
@json_option
def merge(a: str, b: str, workspace: Path | None, as_json: bool) -> None:
    """Merge person B into person A (ids, emails or names); undo with unmerge."""
    with _open(workspace) as ws:
        emit(ws.merge(a, b), as_json, render_merge)


@cli.command()
@click.argument("ref")
@workspace_option
@json_option
def unmerge(ref: str, workspace: Path | None, as_json: bool) -> None:
    """Undo a merge: REF is a merge id (m7) or a person whose latest merge is undone."""
    with _open(workspace) as ws:
        emit(ws.unmerge(ref), as_json, render_merge)


@cli.command()
@click.argument("person", required=False)
@workspace_option
@json_option
def merges(person: str | None, workspace: Path | None, as_json: bool) -> None:
    """The merge log, newest first (optionally for one PERSON)."""
    with _open(workspace, readonly=True) as ws:
        pid = ws.find_person(person) if person else None
        log = ws.merges(pid)
    emit(log, as_json, lambda ms: "\n".join(render_merge(m) for m in ms) or "no merges")


@cli.command()
@click.argument("who")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@workspace_option
@json_option
def forget(who: str, yes: bool, workspace: Path | None, as_json: bool) -> None:
    """Remove a person and every row about them from the workspace."""
    with _open(workspace) as ws:
        pid = ws.find_person(who)
        view = ws.person(pid)
        if not yes and not as_json and sys.stdin.isatty():
            click.confirm(f"Forget {terminal(view.name)} ({view.id}) and all their rows?", abort=True)
        done = ws.forget(view.id)
    emit(
        done,
        as_json,
        lambda d: f"forgot {d['forgotten']} ({terminal(d['name'])}): "
        f"{d['mentions']} rows, {d['interactions']} interactions",
    )


# ---------------------------------------------------------------------- intros
def render_intros(result: Any) -> str:
    from graph.intro import IntroResult

    assert isinstance(result, IntroResult)
    lines = [f"Warm intros to {terminal(result.target.label)}"
             + (f" ({terminal(result.target.company)})" if result.target.person and result.target.company else "")
             + f"   [model {result.model_version}]"]  # fmt: skip
    if not result.paths:
        lines.append(terminal(result.message or "no path"))
        for p in result.nearest:
            lines.append(_render_path(p))
        return "\n".join(lines)
    for p in result.paths:
        lines.append(_render_path(p))
    return "\n".join(lines)


def _render_path(p: Any) -> str:
    chain = " → ".join(terminal(x["name"] or x["id"]) for x in p.path)
    out = [f"#{p.rank}  score {p.score:.3f}  {chain}"]
    for t in p.ties:
        out.append(f"     {t['strength']:.2f}  {terminal(t['why'])}")
    return "\n".join(out)


def render_why_not(w: Any) -> str:
    lines = [terminal(w.message)]
    if w.best:
        lines.append(_render_path(w.best))
    return "\n".join(lines)


@cli.command()
@click.argument("target")
@click.option("--from", "sources", multiple=True, metavar="WHO", help="Search from this person (repeatable).")
@click.option("--team", is_flag=True, help="Search from everyone on the team.")
@click.option("--company", is_flag=True, help="TARGET is a company: anyone there (see --title).")
@click.option("--title", help='Only people whose current title says this ("CFO", "VP Sales").')
@click.option("-k", "k", default=5, show_default=True, help="How many paths.")
@click.option("--max-hops", default=3, show_default=True, type=click.IntRange(1, 3))
@click.option("--why-not", "why_not_who", metavar="WHO", help="Explain where WHO ranks as introducer.")
@workspace_option
@json_option
def intro(
    target: str, sources: tuple[str, ...], team: bool, company: bool, title: str | None, k: int,
    max_hops: int, why_not_who: str | None, workspace: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Ranked warm-intro paths to TARGET, each hop explained."""
    from graph.explorer import Explorer

    if sources and team:
        raise UsageError("use --from or --team, not both")
    with Explorer.open(workspace or default_path()) as ex:
        if why_not_who:
            emit(ex.why_not(target, why_not_who, sources=sources, team=team, company=company,
                            title=title, k=k, max_hops=max_hops), as_json, render_why_not)  # fmt: skip
            return
        result = ex.intro(target, sources=sources, team=team, company=company, title=title,
                          k=k, max_hops=max_hops)  # fmt: skip
    if as_json:
        click.echo(json.dumps([p.to_dict() for p in result.paths] if result.paths else result.to_dict(),
                              ensure_ascii=False))  # fmt: skip
    else:
        click.echo(render_intros(result))


@cli.command()
@click.option("--targets", "targets_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="CSV of targets: name/email and/or company, optional title.")  # fmt: skip
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the suggestions: .csv or .jsonl.")  # fmt: skip
@click.option("-k", "k", default=3, show_default=True, help="Paths per target.")
@click.option("--from", "sources", multiple=True, metavar="WHO")
@click.option("--team", is_flag=True)
@click.option("--max-hops", default=3, show_default=True, type=click.IntRange(1, 3))
@workspace_option
@json_option
def intros(
    targets_file: str, out: str, k: int, sources: tuple[str, ...], team: bool, max_hops: int,
    workspace: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Batch: a list of targets in, one row per suggested path out (CSV or JSONL)."""
    from graph.explorer import BATCH_FIELDS, Explorer
    from graph.export import table_format, write_table
    from graph.model import Skipped
    from loaders.targets import parse_targets

    table_format(out)
    rows = list(parse_targets(Path(targets_file).read_bytes(), file=targets_file))
    skipped = [r for r in rows if isinstance(r, Skipped)]
    wanted = [r for r in rows if not isinstance(r, Skipped)]
    with Explorer.open(workspace or default_path()) as ex:
        ex.index()
        with click.progressbar(length=len(wanted), label="Finding intros", file=sys.stderr) as bar:
            done = [0]

            def tick(n: int) -> None:
                bar.update(n - done[0])
                done[0] = n

            out_rows = list(ex.batch_intros(wanted, sources=sources, team=team, k=k,
                                            max_hops=max_hops, progress=tick))  # fmt: skip
    out_rows += [{"target": f"line {s.line}", "status": "skipped", "reason": s.reason} for s in skipped]
    n = write_table(out, out_rows, BATCH_FIELDS)
    status: dict[str, int] = {}
    for r in out_rows:
        status[r["status"]] = status.get(r["status"], 0) + 1
    summary = {"out": out, "rows": n, "targets": len(wanted), "status": status}
    emit(summary, as_json, lambda d: f"wrote {d['rows']} rows for {d['targets']} targets to "
         f"{terminal(d['out'])}: " + ", ".join(f"{v} {k}" for k, v in d["status"].items()))  # fmt: skip


# ---------------------------------------------------------------------- demo
@cli.command()
@click.option("--exports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also keep the generated demo exports in this folder.")  # fmt: skip
@workspace_option
@json_option
def demo(exports: Path | None, workspace: Path | None, as_json: bool) -> None:
    """Build a workspace from the bundled demo data and show what it holds."""
    import tempfile

    from graph.demo import DEMO_OWNERS, DEMO_TARGET, write_demo_exports

    with tempfile.TemporaryDirectory(prefix="tiegraph-demo-") as tmp:
        folder = exports or Path(tmp)
        plan = write_demo_exports(folder)
        with _open(workspace) as ws:
            reports: list[ImportReport] = []
            for path, owner in plan:
                rs, errors = run_load(ws, [str(path)], owner=owner, show_progress=not as_json)
                if errors:
                    raise errors[0]
                reports.extend(rs)
            summary = {
                "workspace": str(ws.path),
                "imports": [r.to_dict() for r in reports],
                "stats": ws.stats(),
                "team": [o for _, o in plan if o][: len(DEMO_OWNERS)],
            }
    from graph.explorer import Explorer

    with Explorer.open(summary["workspace"]) as ex:
        first = ex.intro(DEMO_TARGET[0], title=DEMO_TARGET[1], team=True, k=3)
    summary["first_intro"] = first.to_dict()
    if as_json:
        emit(summary, True, str)
        return
    for r in reports:
        click.echo(render_import(r))
    click.echo(f"\nWorkspace {summary['workspace']}:")
    click.echo(render_stats(summary["stats"]))
    click.echo("\nA first intro: who on the team can introduce us to Globex's CFO?")
    click.echo(f"$ tiegraph intro {DEMO_TARGET[0]} --title {DEMO_TARGET[1]}\n")
    click.echo(render_intros(first))
    click.echo(
        "\nNext: tiegraph people Globex   |   tiegraph stats   |   tiegraph load YOUR_EXPORT.zip"
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``tiegraph`` console script."""
    args = sys.argv[1:] if argv is None else argv
    try:
        cli.main(args=args, prog_name="tiegraph", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except TiegraphError as e:
        click.echo(f"error: {terminal(str(e))}", err=True)
        if "--json" in args:
            payload = {"error": str(e), "type": type(e).__name__}
            if getattr(e, "candidates", None):
                payload["candidates"] = e.candidates  # type: ignore[attr-defined]
            click.echo(json.dumps(payload, ensure_ascii=False))
        sys.exit(e.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
