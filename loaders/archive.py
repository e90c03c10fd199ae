"""Exports that are several files: a zip or a folder, read safely and only into memory.

LinkedIn and Salesforce deliver zips of CSVs; users also unzip them and point at the folder.
`Archive` gives both the same face: member names, and a member's bytes on demand. Nothing is
ever extracted to disk. A zip member with an absolute path or ``..`` is refused, and so is a
zip that would expand past `MAX_TOTAL` bytes or whose members expand suspiciously far (a zip
bomb), before anything is read.
"""

from __future__ import annotations

import lzma
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from graph.errors import LoadError

__all__ = ["Archive", "open_archive", "read_path", "records_at", "MAX_TOTAL", "MAX_MEMBER", "MAX_RATIO"]

#: Largest total uncompressed size of an archive tiegraph reads (2 GiB).
MAX_TOTAL = 2 * 1024**3
#: Largest single member (1 GiB).
MAX_MEMBER = 1024**3
#: A member more than this many times smaller compressed than expanded, and over 1 MiB, is
#: taken for a zip bomb (real CSV compresses 5-20x).
MAX_RATIO = 200


class Archive:
    """The files of one export, from a zip or a folder, by their path inside it."""

    def __init__(self, label: str, members: dict[str, object], zf: zipfile.ZipFile | None):
        self.label = label
        self._members = members  # name -> ZipInfo or Path
        self._zip = zf

    def names(self) -> list[str]:
        """Member paths (``/``-separated), sorted."""
        return sorted(self._members)

    def find(self, basename: str) -> str | None:
        """The member whose file name (any folder, any case) is `basename`, if any.

        When several match, the shallowest wins (``Connections.csv`` over
        ``old/Connections.csv``).
        """
        want = basename.lower()
        hits = [n for n in self._members if PurePosixPath(n).name.lower() == want]
        return min(hits, key=lambda n: (n.count("/"), n)) if hits else None

    def read(self, name: str) -> bytes:
        """A member's bytes."""
        info = self._members[name]
        if isinstance(info, zipfile.ZipInfo):
            assert self._zip is not None
            try:
                return self._zip.read(info)
            # A damaged member fails in its decompressor (zlib.error, LZMAError; bz2 raises
            # OSError), an unknown method or an encrypted one with NotImplementedError or
            # RuntimeError, a bad CRC with BadZipFile, an undecodable name in its local
            # header with UnicodeDecodeError (a ValueError).
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, zlib.error,
                    lzma.LZMAError) as e:  # fmt: skip
                raise LoadError(f"cannot read zip member: {e}", file=self.where(name)) from e
        try:
            return Path(str(info)).read_bytes()
        except OSError as e:
            raise LoadError(f"cannot read: {e.strerror}", file=self.where(name)) from e

    def where(self, name: str) -> str:
        """How a member is named in reports: ``export.zip!messages.csv`` or ``folder/messages.csv``."""
        return f"{self.label}!{name}" if self._zip is not None else str(Path(self.label) / name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _safe_member(name: str, *, label: str) -> str:
    p = name.replace("\\", "/")
    parts = PurePosixPath(p).parts
    if not p or p.startswith("/") or (len(p) > 1 and p[1] == ":") or ".." in parts:
        raise LoadError(f"refused: zip member with an unsafe path {name!r}", file=label)
    return p


def open_archive(path: str | os.PathLike) -> Archive:
    """An `Archive` over a zip file or a folder.

    Raises `LoadError` for an unreadable zip, an unsafe member path, or a zip bomb.
    """
    p = Path(path)
    label = str(path)
    if p.is_dir():
        members: dict[str, object] = {}
        for f in sorted(p.rglob("*")):
            if f.is_file() and not f.is_symlink():
                members[f.relative_to(p).as_posix()] = f
        return Archive(label, members, None)
    try:
        zf = zipfile.ZipFile(p)
    # ValueError: a member name flagged UTF-8 that is not (UnicodeDecodeError);
    # NotImplementedError: a damaged "version needed to extract".
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as e:
        raise LoadError(f"not a readable zip file: {e}", file=label) from e
    members = {}
    total = 0
    try:
        for info in zf.infolist():
            name = _safe_member(info.filename, label=label)
            if info.is_dir():
                continue
            if info.file_size > MAX_MEMBER:
                raise LoadError(
                    f"refused: member {name!r} expands to {info.file_size} bytes", file=label
                )
            if info.file_size > 1024**2 and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise LoadError(f"refused: member {name!r} looks like a zip bomb", file=label)
            total += info.file_size
            if total > MAX_TOTAL:
                raise LoadError(f"refused: the zip expands past {MAX_TOTAL} bytes", file=label)
            if name in members:
                raise LoadError(f"refused: member {name!r} appears twice", file=label)
            members[name] = info
    except LoadError:
        zf.close()
        raise
    return Archive(label, members, zf)


def read_path(path: str | os.PathLike) -> bytes:
    """The bytes of the file at `path`; `LoadError` (naming it) if it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise LoadError(f"cannot read: {e.strerror}", file=str(path)) from e


def records_at(
    path: str | os.PathLike,
    parse_file: Callable[..., Iterator],
    parse_archive: Callable[..., Iterator] | None = None,
    **options: object,
) -> Iterator:
    """The records of the export at `path`: `parse_archive` over a zip or folder (when the
    source has one), else `parse_file` over the file's bytes; this is every ``read_*``."""
    p = Path(path)
    if parse_archive is not None and (p.is_dir() or p.suffix.lower() == ".zip"):
        archive = open_archive(p)
        try:
            yield from parse_archive(archive, **options)
        finally:
            archive.close()
        return
    yield from parse_file(read_path(p), file=str(path), **options)
