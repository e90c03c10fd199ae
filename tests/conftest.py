"""Shared fixtures: a demo workspace built once per test session, and temporary workspaces."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own workspace or identity."""
    monkeypatch.delenv("TIEGRAPH_WORKSPACE", raising=False)
    monkeypatch.delenv("TIEGRAPH_ME", raising=False)


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, str | None]]:
    from graph.demo import write_demo_exports

    return write_demo_exports(tmp_path_factory.mktemp("demo-exports"))


@pytest.fixture(scope="session")
def demo_ws_path(tmp_path_factory: pytest.TempPathFactory, demo_exports) -> Path:  # noqa: ANN001
    """A workspace file holding the demo data (built once; tests must not change it)."""
    from graph.cli import run_load
    from graph.workspace import Workspace

    path = tmp_path_factory.mktemp("demo-ws") / "demo.db"
    with Workspace.open(path) as ws:
        for export, owner in demo_exports:
            reports, errors = run_load(ws, [str(export)], owner=owner, show_progress=False)
            assert not errors, errors
    os.chmod(path, 0o644)
    return path


@pytest.fixture
def ws(tmp_path: Path):  # noqa: ANN201
    """A fresh, empty workspace."""
    from graph.workspace import Workspace

    w = Workspace.open(tmp_path / "ws.db")
    yield w
    w.close()
