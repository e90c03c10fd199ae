"""The ``tiegraph`` command line: a thin shell over the library.

Each command opens the workspace, calls one library function and renders its result, as a
readable table or, with ``--json``, as JSON on stdout. Errors raised on purpose
(`graph.errors.TiegraphError`) become one message on stderr (and one JSON object on stdout
under ``--json``) with the error's exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from graph.errors import LoadError, StoreError, TiegraphError, UsageError
from graph.escape import json_text, terminal
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


def viewer_option(f: Callable) -> Callable:
    """``--as WHO``: answer as that team member sees the team's graph (`graph.privacy`); kept
    in the click context for `_explorer`, so commands need no parameter for it."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        ctx.meta["tiegraph.viewer"] = value
        return value

    return click.option(
        "--as", "viewer", metavar="WHO", expose_value=False, callback=remember,
        help="Answer as this team member sees the team's graph (sharing levels; default: "
             "$TIEGRAPH_ME, else the one owner of the exports, else the team's view).",
    )(f)  # fmt: skip


def _explorer(workspace: Path | None, **options: Any) -> Any:
    """An `Explorer` on the workspace, answering as the viewer of ``--as`` (if given)."""
    from graph.explorer import Explorer

    viewer = click.get_current_context().meta.get("tiegraph.viewer")
    return Explorer.open(workspace or default_path(), viewer=viewer, **options)


def emit(result: Any, as_json: bool, render: Callable[[Any], str]) -> None:
    """Print `result` as JSON or through `render`; both show the same object."""
    if as_json:
        click.echo(json_text(_jsonable(result)))
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
    """Import each unit of `paths` in its own transaction (`graph.ingest.load_exports`, the
    loader the app uses too), with a progress bar on stderr for big units; a bad file is
    reported, not fatal."""
    from graph.ingest import load_exports

    bars = _UnitBars() if show_progress else None
    try:
        result = load_exports(ws, paths, owner=owner, format=format, mapping=mapping, progress=bars)
    finally:
        if bars is not None:
            bars.close()
    return result.reports, result.errors


class _UnitBars:
    """`graph.ingest.LoadProgress` events as one click progress bar per unit of > 20,000 rows."""

    def __init__(self) -> None:
        self.unit: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, ev: Any) -> None:
        if ev.unit != self.unit:
            self.close()
            self.unit = ev.unit
            if ev.total > 20000:
                self.bar = click.progressbar(
                    length=ev.total, label=f"Loading {terminal(ev.unit)}", file=sys.stderr
                ).__enter__()
        if self.bar is not None:
            n = min(ev.done, ev.total)
            self.bar.update(n - self.done)
            self.done = n

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.bar, self.done = None, 0


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
@viewer_option
@workspace_option
@json_option
def people(query: str | None, limit: int, workspace: Path | None, as_json: bool) -> None:
    """Find people by name, email, LinkedIn URL or company (no query: everyone)."""
    with _explorer(workspace) as ex:
        found = ex.people(query, limit=limit or None)
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
@click.option("--neo4j-uri", "uri", help="The Neo4j the workspace was synced to (default: $NEO4J_URI).")
@click.option("--neo4j-user", "user", help="Neo4j user (default: $NEO4J_USER).")
@click.option("--neo4j-password", "password", help="Neo4j password (default: $NEO4J_PASSWORD).")
@click.option("--neo4j-database", "database", help="Database (default: $NEO4J_DATABASE).")
@workspace_option
@json_option
def forget(who: str, yes: bool, uri: str | None, user: str | None, password: str | None,
           database: str | None, workspace: Path | None, as_json: bool) -> None:  # fmt: skip
    """Remove a person and every row about them from the workspace and its caches, and from
    Neo4j when the workspace was synced there and the server is known (--neo4j-uri or
    $NEO4J_URI); otherwise the next `tiegraph sync neo4j` deletes them there."""
    with _open(workspace) as ws:
        pid = ws.find_person(who)
        view = ws.person(pid)
        if not yes and not as_json and sys.stdin.isatty():
            click.confirm(f"Forget {terminal(view.name)} ({view.id}) and all their rows?", abort=True)
        done = ws.forget(view.id)
        path = ws.path
    if done["neo4j_pending"] and (uri or os.environ.get("NEO4J_URI")):
        done.update(_forget_on_neo4j(path, done["neo4j_pending"], uri, user, password, database))
    emit(done, as_json, render_forget)


def _forget_on_neo4j(path: Path, pending: list[str], *conn: str | None) -> dict:
    """Delete what `forget` removed from the Neo4j the workspace was synced to: one
    incremental sync, which sends the deletions (and anything else not yet synced). A server
    that cannot be reached is reported; the sync state still remembers what to delete."""
    from graph.neo4j_store import Neo4jStore

    try:
        with Workspace.open(path, readonly=True) as ws, Neo4jStore.open(*conn) as store:
            report = store.sync(ws)
    except StoreError as e:
        return {"neo4j_error": str(e)}
    return {"neo4j_deleted": report.target,
            "neo4j_pending": [t for t in pending if t != report.target]}  # fmt: skip


def render_forget(d: dict) -> str:
    lines = [f"forgot {d['forgotten']} ({terminal(d['name'])}): {d['mentions']} rows, "
             f"{d['interactions']} interactions; the saved index beside the workspace is deleted"]  # fmt: skip
    if d.get("neo4j_deleted"):
        lines.append(f"deleted them and their ties from Neo4j {terminal(d['neo4j_deleted'])}")
    if d.get("neo4j_error"):
        lines.append(f"could not delete them from Neo4j: {terminal(d['neo4j_error'])}")
    for target in d.get("neo4j_pending") or []:
        lines.append(f"Neo4j {terminal(target)} still holds them: the next `tiegraph sync neo4j` "
                     "deletes them there")  # fmt: skip
    return "\n".join(lines)


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
@click.option("--store", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True,
              help="Answer from the workspace, or from Neo4j (after `tiegraph sync neo4j`).")  # fmt: skip
@click.option("--neo4j-uri", help="bolt:// or neo4j:// URI (default: $NEO4J_URI).")
@click.option("--neo4j-user", help="Neo4j user (default: $NEO4J_USER).")
@click.option("--neo4j-password", help="Neo4j password (default: $NEO4J_PASSWORD).")
@viewer_option
@workspace_option
@json_option
def intro(
    target: str, sources: tuple[str, ...], team: bool, company: bool, title: str | None, k: int,
    max_hops: int, why_not_who: str | None, store: str, neo4j_uri: str | None,
    neo4j_user: str | None, neo4j_password: str | None, workspace: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Ranked warm-intro paths to TARGET, each hop explained."""
    from graph.neo4j_store import Neo4jStore

    if sources and team:
        raise UsageError("use --from or --team, not both")
    with (Neo4jStore.open(neo4j_uri, neo4j_user, neo4j_password) if store == "neo4j"
          else _explorer(workspace)) as ex:  # fmt: skip
        if why_not_who:
            emit(ex.why_not(target, why_not_who, sources=sources, team=team, company=company,
                            title=title, k=k, max_hops=max_hops), as_json, render_why_not)  # fmt: skip
            return
        result = ex.intro(target, sources=sources, team=team, company=company, title=title,
                          k=k, max_hops=max_hops)  # fmt: skip
    if as_json:
        click.echo(json_text([p.to_dict() for p in result.paths] if result.paths else result.to_dict()))
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
@viewer_option
@workspace_option
@json_option
def intros(
    targets_file: str, out: str, k: int, sources: tuple[str, ...], team: bool, max_hops: int,
    workspace: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Batch: a list of targets in, one row per suggested path out (CSV or JSONL)."""
    from graph.explorer import BATCH_FIELDS
    from graph.export import table_format, write_table
    from graph.model import Skipped
    from loaders.targets import parse_targets

    table_format(out)
    rows = list(parse_targets(Path(targets_file).read_bytes(), file=targets_file))
    skipped = [r for r in rows if isinstance(r, Skipped)]
    wanted = [r for r in rows if not isinstance(r, Skipped)]
    with _explorer(workspace) as ex:
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


# ---------------------------------------------------------------------- follow-ups, plan, changes
_DATE = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])


def _more(shown: int, total: int) -> list[str]:
    return [f"  ... and {total - shown} more (--json for all)"] if total > shown else []


def render_followups(r: Any) -> str:
    buckets = ", ".join(f"{b}={d}" for b, d in r.buckets.items())
    head = (f"Follow-ups as of {r.as_of}: " + ", ".join(f"{n} {s}" for s, n in r.counts.items())
            + f" ({r.relationships} relationships; buckets in days: {buckets})")  # fmt: skip
    if not r.items:
        return head + "\nnobody to list"
    rows = [[f.status, f.owner["name"], f.contact["name"], f.contact["company"] or "",
             f.bucket + ("*" if f.basis == "set by hand" else ""),
             "" if f.usual_interval_days is None else f"{f.usual_interval_days:g}",
             f.last_contact, str(f.days_since), f.channel] for f in r.items]  # fmt: skip
    table = _table(rows, ["status", "owner", "contact", "company", "bucket", "usual", "last",
                          "days", "channel"])  # fmt: skip
    return head + "\n" + table + "\n(* set by hand; usual: median days between touches)"


@cli.command()
@click.option("--due", "due_only", is_flag=True, help="Only relationships due or overdue.")
@click.option("--owner", metavar="WHO", help="Only this team member's relationships.")
@click.option("--limit", default=50, show_default=True, help="At most this many (0: all).")
@click.option("--as-of", "as_of", type=_DATE, help="Reference day (default: today).")
@viewer_option
@workspace_option
@json_option
def followups(due_only: bool, owner: str | None, limit: int, as_of: Any, workspace: Path | None,
              as_json: bool) -> None:  # fmt: skip
    """Whom to get back to: each relationship's cadence, last contact, status and channel."""
    with _explorer(workspace, now=as_of) as ex:
        emit(ex.followups(owner=owner, due_only=due_only, limit=limit or None), as_json,
             render_followups)  # fmt: skip


@cli.command()
@click.argument("who")
@click.option("--bucket", required=True, help="A (every 14 days), B (30), C (90); auto: infer again.")
@click.option("--owner", metavar="REP", help="Only for this team member (default: everyone on the team).")
@workspace_option
@json_option
def cadence(who: str, bucket: str, owner: str | None, workspace: Path | None, as_json: bool) -> None:
    """Set how often WHO should hear from us (a follow-up cadence bucket), or infer it again."""
    from graph.cadence import DEFAULT_BUCKETS

    with _open(workspace) as ws:
        done = ws.set_cadence(who, None if bucket.lower() == "auto" else bucket, owner=owner,
                              buckets=DEFAULT_BUCKETS)  # fmt: skip
    emit(done, as_json, lambda d: f"{terminal(d['name'])} ({d['contact']}): "
         + (f"bucket {d['bucket']}" if d["bucket"] else "bucket inferred from contact history")
         + f" for {terminal(d['owner_name']) if d['owner'] else 'everyone on the team'}")  # fmt: skip


def render_plan(p: Any) -> str:
    d = p.to_dict()
    lines = [f"Plan for {d['accounts']} accounts: {d['covered']} covered ({d['coverage']:.0%}): "
             f"{len(d['direct'])} directly, {d['intros_asked']} through {d['requests']} requests "
             f"(at most {d['budget']} per introducer); {len(d['uncovered'])} uncovered"]  # fmt: skip
    for n, ask in enumerate(d["asks"], 1):
        who = ask["introducer"]
        lines.append(f"\n#{n} ask {terminal(who['name'])}" + (f" ({terminal(who['company'])})" if who["company"] else ""))
        for a in ask["accounts"]:
            lines.append(f"     {terminal(a['account'])}: {a['score']:.3f}  "
                         + " → ".join(terminal(x) for x in a["path"]))  # fmt: skip
    if d["direct"]:
        lines.append("\nCovered directly:")
        for a in d["direct"][:30]:
            lines.append(f"     {terminal(a['account'])}: {a['score']:.3f}  "
                         + " → ".join(terminal(x) for x in a["path"]) + ("  (weak tie)" if a["weak"] else ""))  # fmt: skip
        lines += _more(30, len(d["direct"]))
    if d["uncovered"]:
        lines.append("\nUncovered:")
        lines.append(_table([[u["account"], u["reason"], u["detail"]] for u in d["uncovered"][:50]],
                            ["account", "reason", "detail"]))  # fmt: skip
        lines += _more(50, len(d["uncovered"]))
    return "\n".join(lines)


@cli.command()
@click.option("--targets", "targets_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="CSV of target accounts: company (and title), or people.")  # fmt: skip
@click.option("--budget", default=3, show_default=True, type=click.IntRange(1, None),
              help="At most this many accounts asked of one introducer.")  # fmt: skip
@click.option("--max-asks", type=click.IntRange(1, None), help="At most this many requests in all.")
@click.option("--per-account", default=5, show_default=True, type=click.IntRange(1, None),
              help="Candidate introducers per account.")  # fmt: skip
@click.option("--min-score", default=0.0, show_default=True, help="Ignore paths scoring less.")
@click.option("--from", "sources", multiple=True, metavar="WHO")
@click.option("--team", is_flag=True)
@click.option("--max-hops", default=3, show_default=True, type=click.IntRange(1, 3))
@viewer_option
@workspace_option
@json_option
def plan(targets_file: str, budget: int, max_asks: int | None, per_account: int, min_score: float,
         sources: tuple[str, ...], team: bool, max_hops: int, workspace: Path | None,
         as_json: bool) -> None:  # fmt: skip
    """The fewest intro requests that cover the most target accounts, with a budget per introducer."""
    from loaders.targets import parse_targets

    rows = list(parse_targets(Path(targets_file).read_bytes(), file=targets_file))
    with _explorer(workspace) as ex:
        emit(ex.plan(rows, sources=sources, team=team, budget=budget, max_asks=max_asks,
                     per_account=per_account, max_hops=max_hops, min_score=min_score),
             as_json, render_plan)  # fmt: skip


def _who(d: dict) -> str:
    extra = ", ".join(terminal(x) for x in (d.get("title"), d.get("company")) if x)
    return terminal(d["name"]) + (f" ({extra})" if extra else "")


def _job(x: dict) -> str:
    return terminal(x["company"] or "?") + (f" ({terminal(x['title'])})" if x["title"] else "")


def render_changes(r: Any) -> str:
    lines = [f"Changes since {r.since}:" if r.since else "Changes since the previous import of each source:"]
    if not r.sources:
        lines.append("  nothing to compare: no source has been imported twice"
                     + (" with an import since then" if r.since else ""))  # fmt: skip
    for s in r.sources:
        lines.append(f"\n{terminal(s.source)}: {terminal(s.after['file'])} ({s.after['at'][:10]}) against "
                     f"{terminal(s.before['file'])} ({s.before['at'][:10]}): {len(s.job_moves)} job moves, "
                     f"{len(s.title_changes)} title changes, {len(s.new)} new, {len(s.lost)} lost")  # fmt: skip
        for label, items, fmt in (("moved", s.job_moves, None), ("title", s.title_changes, None),
                                  ("new", s.new, _who), ("lost", s.lost, _who)):  # fmt: skip
            for x in items[:20]:
                lines.append(f"  {label:<6} " + (fmt(x) if fmt else f"{terminal(x.person['name'])}: "
                                                 f"{_job(x.before)} → {_job(x.after)}"))  # fmt: skip
            lines += _more(20, len(items))
    if r.targets is not None:
        lines.append(f"\nTargets ({r.targets}): {len(r.reachable)} newly reachable, "
                     f"{len(r.unreachable)} no longer reachable")  # fmt: skip
        for label, items in (("now", r.reachable), ("lost", r.unreachable)):
            for c in items:
                score = f"{c.score:.3f}  " if c.score is not None else ""
                lines.append(f"  {label:<5} {terminal(c.target)}: {score}"
                             + " → ".join(terminal(x["name"]) for x in c.path) + f"  ({terminal(c.why)})")  # fmt: skip
        for u in r.unknown_targets:
            lines.append(f"  ?     {terminal(u['target'])}: {terminal(u['reason'])}")
    if r.first_imports:
        lines.append("\nImported once, nothing to compare yet: "
                     + ", ".join(terminal(f["source"]) for f in r.first_imports))  # fmt: skip
    return "\n".join(lines)


@cli.command()
@click.option("--since", type=_DATE, help="Compare with the last import before this date.")
@click.option("--targets", "targets_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV of target accounts: also show which became reachable.")  # fmt: skip
@click.option("--from", "sources", multiple=True, metavar="WHO")
@click.option("--team", is_flag=True)
@viewer_option
@workspace_option
@json_option
def changes(since: Any, targets_file: str | None, sources: tuple[str, ...], team: bool,
            workspace: Path | None, as_json: bool) -> None:  # fmt: skip
    """What changed since the previous export of each source: job moves, new and lost people."""
    from loaders.targets import parse_targets

    rows = list(parse_targets(Path(targets_file).read_bytes(), file=targets_file)) if targets_file else None
    with _explorer(workspace) as ex:
        emit(ex.changes(since=since, targets=rows, sources=sources, team=team), as_json, render_changes)


# ---------------------------------------------------------------------- app
def app_script() -> Path:
    """The bundled Streamlit app: ``app.py`` beside the ``ui`` package (in a checkout or in
    site-packages after ``pip install``)."""
    import ui

    path = Path(ui.__file__).resolve().parent.parent / "app.py"
    if not path.is_file():
        raise UsageError(f"the app is not installed: no {path}")
    return path


def app_command(*, port: int, host: str) -> list[str]:
    """The ``streamlit run`` command line for the bundled app: loopback by default, no usage
    statistics sent anywhere, no file watcher, errors shown as messages."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_script()),
        "--server.port", str(port), "--server.address", host, "--server.headless", "true",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        "--client.showErrorDetails", "none", "--client.toolbarMode", "minimal",
    ]  # fmt: skip


@cli.command()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; the app shows your network, so loopback by default.")  # fmt: skip
@click.option("--store", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True,
              help="Answer intro searches from the workspace or from Neo4j (NEO4J_URI, NEO4J_USER, "
                   "NEO4J_PASSWORD).")  # fmt: skip
@workspace_option
def app(port: int, host: str, store: str, workspace: Path | None) -> None:
    """Start the Streamlit app on the workspace (open the printed URL; Ctrl+C stops it)."""
    import os
    import subprocess

    path = (workspace or default_path()).expanduser().resolve()
    env = {**os.environ, "TIEGRAPH_WORKSPACE": str(path), "TIEGRAPH_STORE": store}
    if store == "neo4j":
        from graph.neo4j_store import Neo4jStore

        Neo4jStore.open()  # a clear error now, not in the browser, if the server is not there
    cmd = app_command(port=port, host=host)
    click.echo(f"tiegraph app on http://{host}:{port} (workspace {terminal(str(path))})", err=True)
    if os.name == "posix":  # become the server: signals reach it directly
        os.execve(sys.executable, cmd, env)
    sys.exit(subprocess.call(cmd, env=env))  # pragma: no cover - not POSIX


# ---------------------------------------------------------------------- weak ties and reach
def _sources_label(sources: list[dict]) -> str:
    if len(sources) == 1:
        return _who(sources[0])
    return f"the team ({len(sources)} people: " + ", ".join(terminal(s["name"]) for s in sources) + ")"


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "" if x is None else format(x, fmt)


def render_weak_ties(r: Any) -> str:
    d = r.to_dict()
    team = len(d["sources"]) > 1
    lines = [f"Weak ties of {_sources_label(d['sources'])} as of {d['now']}"]
    for s in d["sources"]:
        b = s["brokerage"]
        lines.append(f"  {terminal(s['name'])}: {b['degree']} contacts, effective size "
                     f"{_num(b['effective_size'], '.1f')} (efficiency {_num(b['efficiency'])}), "
                     f"constraint {_num(b['constraint'], '.3f')}")  # fmt: skip
    lines.append(f"\nBridges ({d['bridges_total']}): ties whose ends share no contact; span = hops "
                 "between them without the tie")  # fmt: skip
    rows = [([b["source"]["name"]] if team else []) + [
        b["contact"]["name"], b["contact"]["company"] or "", b["kind"],
        "∞" if b["span"] is None else str(b["span"]), f"{b['overlap']:.2f}", f"{b['strength']:.2f}",
        str(b["new_contacts"])] for b in d["bridges"]]  # fmt: skip
    lines.append(_table(rows, (["from"] if team else []) + ["contact", "company", "kind", "span",
                 "overlap", "strength", "new contacts"]) if rows else "  none")  # fmt: skip
    lines += _more(len(d["bridges"]), d["bridges_total"])
    lines.append("\nBrokers among the contacts (effective size: non-redundant contacts; "
                 "constraint: low = spans groups)")  # fmt: skip
    rows = [[b["contact"]["name"], b["contact"]["company"] or "", b["source"]["name"],
             f"{b['strength']:.2f}", _num(b["effective_size"], ".1f"), _num(b["constraint"], ".3f"),
             str(b["degree"])] for b in d["brokers"]]  # fmt: skip
    lines.append(_table(rows, ["contact", "company", "known by", "strength", "eff. size",
                               "constraint", "contacts"]) if rows else "  none")  # fmt: skip
    idle = d["params"]["idle_days"]
    lines.append(f"\nDormant ties ({d['dormant_total']}): strong when last in touch, silent for "
                 f"{idle}+ days; worth reviving (Levin, Walter & Murnighan 2011)")  # fmt: skip
    rows = [([x["source"]["name"]] if team else []) + [
        x["contact"]["name"], x["contact"]["company"] or "", f"{x['past_strength']:.2f}",
        f"{x['strength']:.2f}", x["last_contact"] or "", str(x["idle_days"]), str(x["interactions"])]
        for x in d["dormant"]]  # fmt: skip
    lines.append(_table(rows, (["from"] if team else []) + ["contact", "company", "then", "now",
                 "last contact", "days idle", "interactions"]) if rows else "  none")  # fmt: skip
    lines += _more(len(d["dormant"]), d["dormant_total"])
    lines.append("\nCommunities reached poorly (Louvain, within two hops)")
    if not d["communities"]:
        lines.append("  none")
    for n, c in enumerate(d["communities"], 1):
        where = ", ".join(f"{terminal(x['company'])} {x['people']}" for x in c["companies"] if x["company"])
        lines.append(f"  #{n} {c['size']} people" + (f" ({where})" if where else "")
                     + f": {c['direct']} known directly ({c['share']:.0%}), best tie {c['best_strength']:.2f}")  # fmt: skip
        for e in c["entries"]:
            via = f"{terminal(e['via']['name'])} → " if e["via"] else ""
            lines.append(f"       in through {terminal(e['source']['name'])} → {via}"
                         f"{terminal(e['member']['name'])} (tie {e['strength']:.2f}, score {e['score']:.3f})")  # fmt: skip
    return "\n".join(lines)


@cli.command("weak-ties")
@click.option("--from", "sources", multiple=True, metavar="WHO", help="For this person (repeatable).")
@click.option("--team", is_flag=True, help="For everyone on the team.")
@click.option("--idle-days", default=180, show_default=True, type=click.IntRange(1, None),
              help="Silent this long (no personal interaction) counts as dormant.")  # fmt: skip
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, None),
              help="At most this many of each list.")  # fmt: skip
@viewer_option
@workspace_option
@json_option
def weak_ties(sources: tuple[str, ...], team: bool, idle_days: int, limit: int,
              workspace: Path | None, as_json: bool) -> None:  # fmt: skip
    """Bridges, brokers, dormant ties and poorly reached communities of a person or the team."""
    if sources and team:
        raise UsageError("use --from or --team, not both")
    with _explorer(workspace) as ex:
        emit(ex.weak_ties(sources=sources, team=team, idle_days=idle_days, limit=limit), as_json,
             render_weak_ties)  # fmt: skip


def _cell(v: int | None) -> str:
    return "x" if v is None else f"{v:,}"


def _aggregate_table(a: dict) -> str:
    k = a["min_group"]
    rows = [[r["label"]] + [_cell(v) for v in r["cells"]] + [_cell(r["total"])] for r in a["rows"]]
    rows.append(["total"] + [_cell(v) for v in a["totals"]] + [_cell(a["total"])])
    note = (f"  x: hidden (fewer than {k} people, or hidden with such a cell so that no total gives "
            f"it away); {a['collapsed']} smaller or further groups make the 'other' row")  # fmt: skip
    return _table(rows, [a["title"]] + a["columns"] + ["total"]) + "\n" + note


def render_reach(r: Any) -> str:
    d = r.to_dict()
    b = d["bands"]
    lines = [f"Reach of {_sources_label(d['sources'])}",
             (f"bands by the weakest tie of the best chain: strong ≥ {b['strong']}, "
              f"medium ≥ {b['medium']}, weak: any tie")]  # fmt: skip
    top = max((h["people"]["total"] for h in d["hops"]), default=0) or 1
    rows = []
    for h in d["hops"]:
        p = h["people"]
        bar = "█" * max(0, round(30 * p["total"] / top))
        rows.append([f"{h['hops']} hop" + ("s" if h["hops"] > 1 else ""), f"{p['total']:,}",
                     f"{p['strong']:,}", f"{p['medium']:,}", f"{p['weak']:,}",
                     f"{h['companies']['total']:,}", f"{h['industries']['total']:,}", bar])  # fmt: skip
    lines.append(_table(rows, ["within", "people", "strong", "medium", "weak", "companies",
                               "industries", ""]))  # fmt: skip
    lines += ["", _aggregate_table(d["by_company"]), "", _aggregate_table(d["by_industry"])]
    if d["overlap"]:
        o = d["overlap"]
        lines.append("\nOverlap between reps (contacts in common; Jaccard of their contact sets)")
        lines.append(_table([[x["name"], f"{x['contacts']:,}", f"{x['unique']:,}"] for x in o["reps"]],
                            ["rep", "contacts", "only theirs"]))  # fmt: skip
        lines.append(_table([[p["a"]["name"], p["b"]["name"], f"{p['shared']:,}", f"{p['jaccard']:.2f}"]
                             for p in o["pairs"]], ["rep", "rep", "shared", "jaccard"]))  # fmt: skip
    if d["coverage"]:
        c = d["coverage"]
        lines.append(f"\nTarget accounts: {c['counts']['warm']} of {len(c['accounts'])} with a warm path "
                     f"(score ≥ {c['warm_score']}, ≤ {c['max_hops']} hops; {c['warm_share']:.0%} of "
                     "known accounts); " + ", ".join(f"{n} {s}" for s, n in c["counts"].items() if n))  # fmt: skip
        rows = [[a["account"], a["status"], _num(a["score"], ".3f"), str(a["hops"] or ""),
                 (a["source"] or {}).get("name") or "",
                 ((a["introducer"] or {}).get("name") or "(direct)") if a["score"] is not None else "",
                 (a["contact"] or {}).get("name") or a["reason"] or ""] for a in c["accounts"]]  # fmt: skip
        lines.append(_table(rows, ["account", "status", "score", "hops", "from", "introducer",
                                   "contact / reason"]))  # fmt: skip
    return "\n".join(lines)


@cli.command()
@click.option("--from", "sources", multiple=True, metavar="WHO", help="For this person (repeatable).")
@click.option("--team", is_flag=True, help="For everyone on the team.")
@click.option("--targets", "targets_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV of target accounts: which have a warm path, and through whom.")  # fmt: skip
@click.option("--min-group", default=5, show_default=True, type=click.IntRange(1, None),
              help="Hide aggregate cells counting fewer people than this.")  # fmt: skip
@click.option("--max-hops", default=3, show_default=True, type=click.IntRange(1, 3))
@viewer_option
@workspace_option
@json_option
def reach(sources: tuple[str, ...], team: bool, targets_file: str | None, min_group: int,
          max_hops: int, workspace: Path | None, as_json: bool) -> None:  # fmt: skip
    """Reach by hops and strength band, by company and industry (small groups hidden),
    overlap between reps, and coverage of a target account list."""
    from loaders.targets import parse_targets

    if sources and team:
        raise UsageError("use --from or --team, not both")
    rows = list(parse_targets(Path(targets_file).read_bytes(), file=targets_file)) if targets_file else None
    with _explorer(workspace) as ex:
        emit(ex.reach(sources=sources, team=team, targets=rows, min_group=min_group,
                      max_hops=max_hops), as_json, render_reach)  # fmt: skip


# ---------------------------------------------------------------------- neo4j
def render_sync(r: Any) -> str:
    d = r.to_dict()
    lines = [f"Synced to {terminal(d['target'])} ({terminal(d['server'])}): {d['mode']} sync, "
             f"{terminal(d['reason'])}"]  # fmt: skip
    rows = [[kind, f"{d['upserted'][kind]:,}", f"{d['deleted'][kind]:,}", f"{d['unchanged'][kind]:,}"]
            for kind in d["upserted"]]  # fmt: skip
    lines.append(_table(rows, ["rows", "sent", "deleted", "unchanged"]))
    if any(d["swept"].values()):
        lines.append("removed from the server (not in the workspace): "
                     + ", ".join(f"{n:,} {k}" for k, n in d["swept"].items() if n))  # fmt: skip
    lines.append(f"{d['rows_written']:,} rows in {d['batches']:,} batches, {d['seconds']:.1f} s "
                 f"({d['rows_per_s']:,.0f} rows/s)")  # fmt: skip
    lines += [f"  schema: {terminal(n)}" for n in d["schema"]]
    return "\n".join(lines)


class _Bar:
    """A progress bar on stderr driven by a library ``progress(done, total)`` callback."""

    def __init__(self, label: str, *, enabled: bool = True):
        self.label, self.enabled, self.bar, self.done = label, enabled, None, 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.group()
def sync() -> None:
    """Push the workspace to a shared store (`tiegraph sync neo4j`)."""


@sync.command("neo4j")
@click.option("--uri", "--neo4j-uri", "uri", help="bolt:// or neo4j:// URI (default: $NEO4J_URI).")
@click.option("--user", "--neo4j-user", "user", help="Neo4j user (default: $NEO4J_USER).")
@click.option("--password", "--neo4j-password", "password", help="Neo4j password (default: $NEO4J_PASSWORD).")
@click.option("--database", "--neo4j-database", "database",
              help="Database (default: $NEO4J_DATABASE, else the server's default).")  # fmt: skip
@click.option("--batch", type=click.IntRange(1, 50_000),
              help="Rows per request (default: 1000; 200 on the FalkorDB test server).")  # fmt: skip
@click.option("--full", is_flag=True,
              help="Send every row and remove from the server what the workspace does not hold.")  # fmt: skip
@workspace_option
@json_option
def sync_neo4j(
    uri: str | None, user: str | None, password: str | None, database: str | None,
    batch: int | None, full: bool, workspace: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Push the workspace to Neo4j: what changed since the last sync, and delete what
    `forget` removed. Safe to run again after a failure: it finishes the job."""
    from graph.neo4j_store import Neo4jStore

    with _open(workspace, readonly=True) as ws, Neo4jStore.open(uri, user, password, database) as store, \
            _Bar("Syncing to Neo4j", enabled=not as_json) as bar:  # fmt: skip
        report = store.sync(ws, batch=batch, full=full, progress=bar)
    emit(report, as_json, render_sync)


# ---------------------------------------------------------------------- team privacy levels
def render_sharing(d: dict) -> str:
    if "levels" in d:
        if not d["levels"]:
            return "no sharing levels set: every contact is shared in full"
        rows = [[x["owner_name"] or x["owner"], x["name"] or x["contact"] or "(default)", x["level"]]
                for x in d["levels"]]  # fmt: skip
        return _table(rows, ["owner", "contact", "level"])
    who = terminal(d["owner_name"] or d["owner"])
    if d["contact"] is None:
        return f"{who}'s contacts are shared at level {d['default']} unless set one by one"
    line = f"{terminal(d['name'] or d['contact'])} ({d['contact']}), {who}'s contact: level {d['level']}"
    if not d["in_owner_exports"]:
        line += f" (no export of {who} shows them yet; it applies once one does)"
    return line


@cli.command()
@click.argument("contact", required=False)
@click.option("--owner", metavar="WHO", help="The team member whose contacts these are "
              "(default: $TIEGRAPH_ME, else the one owner of the exports).")  # fmt: skip
@click.option("--level", type=click.Choice(["private", "ask", "full", "default"]),
              help="private: only the owner sees them; ask: the team sees that a path through "
                   "the owner exists, not who; full: everything. With CONTACT, 'default' "
                   "removes the contact's own level. Without --level: list the levels set.")  # fmt: skip
@workspace_option
@json_option
def sharing(contact: str | None, owner: str | None, level: str | None, workspace: Path | None,
            as_json: bool) -> None:  # fmt: skip
    """How much of an owner's contacts the rest of the team sees: by default, or for CONTACT."""
    if level is None:
        with _open(workspace, readonly=True) as ws:
            emit({"levels": ws.sharing(owner)}, as_json, render_sharing)
        return
    with _open(workspace) as ws:
        if not owner:
            from graph.privacy import resolve_viewer

            oid = resolve_viewer(ws)
            if oid is None:
                raise UsageError("name the owner: --owner WHO (or set $TIEGRAPH_ME)")
            owner = f"p{oid}"
        done = ws.set_sharing(owner, None if level == "default" else level, contact)
    emit(done, as_json, render_sharing)


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
            click.echo(json_text(payload))
        sys.exit(e.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
