"""Loading exports into a workspace: the one loader the command line and the app share.

`load_exports` recognises each path (`loaders.open_units`), imports every unit in its own
transaction (`graph.workspace.Workspace.import_records`) and collects what happened: one
`ImportReport` per unit (counts, merges, skipped rows with file and line) and one `LoadError`
per file that could not be read at all. A bad file is reported, never fatal to the others.
Progress goes to an optional callback (`LoadProgress` events), which the CLI turns into a
progress bar on stderr and the app into ``st.progress``.

`load_demo` writes the bundled demo exports (`graph.demo`) to a temporary folder and loads
them the same way. `stage_uploads` stores files received over the network (the app's upload
box) under safe names in a folder of ours, so an uploaded name is never used as a path.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import LoadError
from graph.workspace import ImportReport, Workspace

__all__ = [
    "LoadProgress",
    "LoadResult",
    "load_exports",
    "load_demo",
    "safe_file_name",
    "stage_uploads",
]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_MAX = 120


@dataclass(frozen=True)
class LoadProgress:
    """Where a load is: unit `index` of `units` (1-based), `done` of about `total` rows."""

    unit: str
    format: str
    index: int
    units: int
    done: int
    total: int

    @property
    def fraction(self) -> float:
        """Overall progress in [0, 1], counting each unit as an equal share."""
        within = min(1.0, self.done / self.total) if self.total > 0 else 1.0
        return min(1.0, max(0.0, (self.index - 1 + within) / max(1, self.units)))


@dataclass
class LoadResult:
    """What a load did: a report per imported unit, an error per unreadable file."""

    reports: list[ImportReport] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "imports": [r.to_dict() for r in self.reports],
            "errors": [{"file": e.file, "line": e.line, "reason": e.reason} for e in self.errors],
        }


def load_exports(
    ws: Workspace,
    paths: Sequence[str | os.PathLike],
    *,
    owner: str | None = None,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadResult:
    """Import each export in `paths` (files, folders, zips) into `ws`, one transaction each.

    Parameters
    ----------
    ws : Workspace
        Open for writing.
    paths : sequence of paths
    owner : str, optional
        Whose export this is (``"Name <email>"``, an email or a name).
    format : str, default "auto"
        ``auto`` or one of `loaders.FORMATS`.
    mapping : mapping, optional
        Column -> field for a generic CSV (`loaders.parse_mapping`).
    progress : callable, optional
        Called with a `LoadProgress` when each unit starts, every few thousand records and
        when it is done.

    Returns
    -------
    LoadResult
        Reports of the units imported (``already=True`` for one imported before) and the
        errors of files that could not be read; those files changed nothing.

    Raises
    ------
    UsageError
        For a `format` or `mapping` that cannot apply (before anything is imported).
    """
    from loaders import open_units

    result = LoadResult()
    units = []
    for p in paths:
        try:
            units.extend(open_units([p], format=format, mapping=mapping, owner=owner))
        except LoadError as e:
            result.errors.append(e)
    for i, unit in enumerate(units, 1):
        tick = None
        if progress is not None:
            progress(LoadProgress(unit.label, unit.format, i, len(units), 0, unit.lines))

            def tick(n: int, unit=unit, i=i) -> None:  # noqa: ANN001
                progress(LoadProgress(unit.label, unit.format, i, len(units), n, unit.lines))

        try:
            report = ws.import_records(
                unit.records(), label=unit.label, format=unit.format, digest=unit.digest,
                owner=owner, progress=tick,
            )  # fmt: skip
        except LoadError as e:
            result.errors.append(e)
            continue
        result.reports.append(report)
        if progress is not None:  # done: the row estimate is only an estimate
            end = max(unit.lines, report.records)
            progress(LoadProgress(unit.label, unit.format, i, len(units), end, end))
    return result


def load_demo(
    ws: Workspace,
    *,
    folder: str | os.PathLike | None = None,
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadResult:
    """Load the bundled demo team's exports into `ws` (see `graph.demo`).

    The exports are written to `folder` when given (and kept), else to a temporary folder
    removed afterwards. Loading the demo twice changes nothing the second time.
    """
    from graph.demo import write_demo_exports

    with tempfile.TemporaryDirectory(prefix="tiegraph-demo-") as tmp:
        plan = write_demo_exports(Path(folder) if folder is not None else Path(tmp))
        result = LoadResult()
        for k, (path, owner) in enumerate(plan, 1):

            def step(ev: LoadProgress, k: int = k) -> None:
                if progress is not None:
                    progress(LoadProgress(ev.unit, ev.format, k, len(plan), ev.done, ev.total))

            one = load_exports(ws, [str(path)], owner=owner, progress=step)
            result.reports.extend(one.reports)
            result.errors.extend(one.errors)
    return result


def safe_file_name(name: str | None, *, default: str = "upload") -> str:
    r"""A file name made from an untrusted one (an upload's name), safe to join to a folder.

    Only the last component after ``/`` or ``\`` is kept, accents are folded to ASCII, any
    run of characters other than letters, digits, ``.``, ``-``, ``_`` becomes ``_``, leading
    dots go, and the name is cut to 120 characters keeping its extension. The extension
    stays, because format detection reads it; the result is never empty, ``.`` or ``..``.

    >>> safe_file_name("../../etc/passwd")
    'passwd'
    >>> safe_file_name("C:\\Users\\me\\Connections (1).csv")
    'Connections_1_.csv'
    >>> safe_file_name("..")
    'upload'
    """
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).lstrip(".")
    if len(base) > _NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        ext = ext[:16] if dot and stem else ""
        base = base[: _NAME_MAX - len(ext) - 1] + "." + ext if ext else base[:_NAME_MAX]
    return base if base.strip("._-") else default


def stage_uploads(files: Iterable[tuple[str, bytes]], folder: str | os.PathLike) -> list[Path]:
    """Write uploaded ``(name, content)`` pairs into `folder`, each in its own numbered
    subfolder under `safe_file_name(name)`; returns the paths, in order, to pass to
    `load_exports`. Nothing is written outside `folder` and no file is overwritten."""
    root = Path(folder)
    out = []
    for i, (name, content) in enumerate(files):
        sub = root / str(i)
        sub.mkdir(parents=True, exist_ok=False)
        path = sub / safe_file_name(name)
        with open(path, "xb") as f:
            f.write(content)
        out.append(path)
    return out
