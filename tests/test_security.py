"""Promises of SECURITY.md that belong to no one module: queries take data only as parameters,
and the app listens on the loopback interface unless told otherwise.

The query check reads the source (`ast`): every SQL or Cypher text that is built with an
f-string (in ``graph/`` and ``loaders/``) may only interpolate what cannot carry data: a run of
``?`` placeholders (``marks = ",".join("?" * len(chunk))`` in the same function), a column
name taken from a literal tuple of names (``for col in ("person_id", "owner_id")``), an
``int(...)``, or `graph.neo4j_store._sets` over the module's fixed field-name tuples. Anything
else fails with its file and line. That hostile text then round-trips exactly through the
workspace and Neo4j is tested in ``tests/test_output_safety.py`` and
``tests/graph/test_neo4j_store.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

from graph.cli import cli

ROOT = Path(__file__).resolve().parents[1]
QUERY = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|MATCH|MERGE|CREATE|UNWIND|PRAGMA|DROP|ALTER)\b")
MARKS = re.compile(r"^','\.join\('\?' \* len\(\w+\)\)$")  # as ast.unparse writes it


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing(node: ast.AST, parents: dict, kinds: tuple) -> list[ast.AST]:
    out = []
    while node in parents:
        node = parents[node]
        if isinstance(node, kinds):
            out.append(node)
    return out


def _safe(expr: ast.expr, where: ast.AST, parents: dict) -> bool:
    """Whether an interpolated expression can carry no data (see the module docstring)."""
    funcs = _enclosing(where, parents, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))
    scope = funcs[0] if funcs else None
    if isinstance(expr, ast.Name) and expr.id == "marks" and scope is not None:
        values = [ast.unparse(n.value) for n in ast.walk(scope)
                  if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "marks" for t in n.targets)]  # fmt: skip
        return bool(values) and all(MARKS.match(v) for v in values)
    if isinstance(expr, ast.Name):
        for loop in _enclosing(where, parents, (ast.For,)):
            if (isinstance(loop.target, ast.Name) and loop.target.id == expr.id and isinstance(loop.iter, ast.Tuple)
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in loop.iter.elts)):  # fmt: skip
                return True
        return False
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        if expr.func.id == "int":
            return True
        if expr.func.id == "_sets":
            return all(isinstance(a, ast.Constant) or (isinstance(a, ast.Subscript) and isinstance(a.value, ast.Name)
                       and a.value.id.endswith("_FIELDS")) for a in expr.args)  # fmt: skip
    return False


def query_fstrings() -> list[tuple[str, int, ast.JoinedStr, dict]]:
    found = []
    for path in sorted([*ROOT.glob("graph/*.py"), *ROOT.glob("loaders/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if QUERY.search(text):
                    found.append((str(path.relative_to(ROOT)), node.lineno, node, parents))
    return found


def test_queries_take_data_only_as_parameters():
    """Every f-string query interpolates only placeholders, fixed names or numbers; and no
    query is built with ``%`` or ``.format`` from a string that looks like a query."""
    found = query_fstrings()
    assert len(found) >= 10  # the check sees the queries it is meant to see
    bad = [f"{file}:{line}: {ast.unparse(v.value)}" for file, line, node, parents in found
           for v in node.values if isinstance(v, ast.FormattedValue) and not _safe(v.value, node, parents)]  # fmt: skip
    assert not bad, bad
    for path in sorted([*ROOT.glob("graph/*.py"), *ROOT.glob("loaders/*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            formatted = (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant)
                         or isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                         and node.func.attr == "format" and isinstance(node.func.value, ast.Constant))  # fmt: skip
            if formatted:
                text = node.left.value if isinstance(node, ast.BinOp) else node.func.value.value  # type: ignore[union-attr]
                assert not (isinstance(text, str) and QUERY.search(text)), f"{path}:{node.lineno}"


def test_the_query_check_catches_data_in_a_query(tmp_path):
    """The check itself: a name interpolated into a query is flagged, placeholders are not."""
    src = (
        "def f(db, chunk, name):\n"
        "    marks = ','.join('?' * len(chunk))\n"
        "    db.execute(f'SELECT id FROM people WHERE id IN ({marks})', chunk)\n"
        "    db.execute(f\"SELECT id FROM people WHERE name = '{name}'\")\n"
    )
    tree = ast.parse(src)
    parents = _parents(tree)
    verdicts = [all(_safe(v.value, n, parents) for v in n.values if isinstance(v, ast.FormattedValue))
                for n in ast.walk(tree) if isinstance(n, ast.JoinedStr)]  # fmt: skip
    assert sorted(verdicts) == [False, True]


class _Exec(Exception):
    """Raised in place of starting the server."""


def test_app_listens_on_loopback_only_by_default(tmp_path, monkeypatch):
    """`tiegraph app` starts Streamlit on 127.0.0.1 (another address only with --host), with
    no usage statistics sent and no file watcher; the command line it would run is checked,
    no server is started."""
    import os
    import subprocess

    ran: list[list[str]] = []

    def start(exe: str, argv: list[str], env: dict | None = None) -> None:
        ran.append(list(argv))
        raise _Exec

    monkeypatch.setattr(os, "execve", start)
    monkeypatch.setattr(subprocess, "call", lambda argv, env=None: start("", argv, env))
    for extra, address in (([], "127.0.0.1"), (["--host", "0.0.0.0"], "0.0.0.0")):  # noqa: S104
        r = CliRunner().invoke(cli, ["app", "--workspace", str(tmp_path / "w.db"), *extra])
        assert isinstance(r.exception, _Exec), r.output
        opts = dict(zip(ran[-1], ran[-1][1:], strict=False))
        assert opts["--server.address"] == address
        assert opts["--browser.gatherUsageStats"] == "false"
        assert opts["--server.fileWatcherType"] == "none"
    out = CliRunner().invoke(cli, ["app", "--help"]).output
    assert "127.0.0.1" in out and "loopback" in out
