"""tiegraph: a relationship graph and weak-tie explorer.

The engine as a library: records (`graph.model`), the embedded workspace
(`graph.workspace`), identity resolution (`graph.identity`) and the algorithms over the
built graph. The command line (`graph.cli`) and the app are thin layers over it.
"""

from graph.errors import (
    Ambiguous,
    LoadError,
    NotFound,
    StoreError,
    TiegraphError,
    UnknownFormat,
    UsageError,
)
from graph.model import Company, Interaction, Person, Position, Provenance, Skipped

__version__ = "0.1.0"

__all__ = [
    "Ambiguous",
    "Company",
    "Interaction",
    "LoadError",
    "NotFound",
    "Person",
    "Position",
    "Provenance",
    "Skipped",
    "StoreError",
    "TiegraphError",
    "UnknownFormat",
    "UsageError",
]
