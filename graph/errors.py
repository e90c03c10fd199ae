"""One exception tree for everything tiegraph raises on purpose.

Callers catch at the level they care about: `TiegraphError` for "any expected failure",
`LoadError` for a bad export, `NotFound` for an unknown person. The command line translates
these once, at the edge, into a message on stderr and the class's exit code; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "TiegraphError",
    "LoadError",
    "UnknownFormat",
    "NotFound",
    "Ambiguous",
    "StoreError",
    "UsageError",
]


class TiegraphError(Exception):
    """Base of every error raised on purpose."""

    exit_code = 1


class LoadError(TiegraphError):
    """An export that cannot be read, naming the file and, where known, the line."""

    exit_code = 3

    def __init__(self, reason: str, *, file: str, line: int | None = None):
        super().__init__(f"{file}:{line}: {reason}" if line else f"{file}: {reason}")
        self.reason, self.file, self.line = reason, file, line


class UnknownFormat(LoadError):
    """A file that is no export tiegraph knows; the message names the formats that are."""


class NotFound(TiegraphError):
    """An unknown person, company or workspace."""

    exit_code = 4


class Ambiguous(TiegraphError):
    """A name that matches several people; `candidates` lists them."""

    exit_code = 4

    def __init__(self, message: str, candidates: list | None = None):
        super().__init__(message)
        self.candidates = list(candidates or [])


class StoreError(TiegraphError):
    """The workspace file or the Neo4j server failed; wraps the original with `from e`."""

    exit_code = 5


class UsageError(TiegraphError):
    """A request that cannot be carried out as asked (bad flag combination, bad mapping)."""

    exit_code = 2
